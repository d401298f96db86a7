"""Real output pasted into public bug reports (tests/corpus/real/, each with its source
thread in a sidecar): the decisive line of each failing log is found, by its record or,
for an error class no record covers yet, as an unknown error; successful logs stay quiet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import successful_corpus_dir
from errsig.core.scan.files import scan_file
from tests.conftest import CORPUS

REAL = CORPUS / "real"
FAILING = sorted((REAL / "failing").glob("*.log"))
SUCCESSFUL = sorted(successful_corpus_dir().glob("*.log"))


@pytest.fixture(scope="module")
def tk() -> Toolkit:
    toolkit = load_toolkit([])
    toolkit.scanner.unknown = True
    return toolkit


def test_every_log_names_its_source() -> None:
    assert len(FAILING) >= 20
    for log in FAILING + SUCCESSFUL:
        side = json.loads(log.with_suffix(".json").read_text("utf-8"))
        assert side["source"].startswith("https://"), log.name


def _case(log: Path) -> object:
    side = json.loads(log.with_suffix(".json").read_text("utf-8"))
    if "known_miss" in side:  # strict: the day it is found, the sidecar must say so
        return pytest.param(log, marks=pytest.mark.xfail(reason=side["known_miss"], strict=True), id=log.stem)
    return pytest.param(log, id=log.stem)


@pytest.mark.parametrize("log", [_case(p) for p in FAILING])
def test_the_decisive_line_is_found(tk: Toolkit, log: Path) -> None:
    side = json.loads(log.with_suffix(".json").read_text("utf-8"))
    key = side["key_line"] - 1
    findings = scan_file(tk.scanner, log)
    roots = [f for f in findings if f.caused_by is None]
    covered = side["covered_by_record"]
    if covered:
        # The record's own line may differ from the decisive one of the unknown-error figure
        # (NumPy prints its explanation above the ImportError that ends the traceback).
        line = side.get("record_line", side["key_line"]) - 1
        assert any(f.id == covered and line in (f.line, *f.also_at) for f in roots), findings
    else:
        assert any(f.unknown and f.line == key for f in roots), [(f.id, f.line + 1) for f in findings]


@pytest.mark.parametrize("log", SUCCESSFUL, ids=lambda p: p.stem)
def test_successful_logs_have_no_error(tk: Toolkit, log: Path) -> None:
    found = [(f.id, f.line + 1) for f in scan_file(tk.scanner, log) if f.severity == "error" or f.unknown]
    assert found == []
