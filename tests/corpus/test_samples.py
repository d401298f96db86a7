"""Every signature fires on its real-looking samples, on the right line and span, and
nothing fires on successful logs. Expectations are hand-written next to each sample."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import clean_corpus_dir, successful_corpus_dir
from errsig.core.scan.clean import strip_escapes
from errsig.core.scan.files import scan_file
from tests.conftest import CORPUS, canons_or_skip

POSITIVE = CORPUS / "positive"
SAMPLES = sorted(POSITIVE.rglob("*.log"))
CLEAN = sorted(clean_corpus_dir().glob("*.log"))


def _id(path: Path) -> str:
    return path.relative_to(POSITIVE).as_posix()


def test_there_are_samples_and_clean_logs() -> None:
    assert len(SAMPLES) >= 120
    assert len(CLEAN) >= 10


@pytest.mark.parametrize("sample", SAMPLES, ids=_id)
def test_sample_expectations(sample: Path, toolkit: Toolkit) -> None:
    expect = json.loads(sample.with_suffix(".expect.json").read_text("utf-8"))
    findings = scan_file(toolkit.scanner, sample)
    raw_lines = sample.read_bytes().decode("utf-8", "replace").split("\n")
    for item in expect["expect"]:
        # One finding stands for one error instance; repeats of it (retries, summaries,
        # echoes) are in its also_at. The expected line must belong to such an instance.
        owners = [f for f in findings if f.id == item["id"] and item["line"] - 1 in (f.line, *f.also_at)]
        found = sorted((f.id, f.line + 1, *(x + 1 for x in f.also_at)) for f in findings)
        assert owners, f"{item['id']} expected on line {item['line']}; found {found}"
        f = owners[0]
        if f.line + 1 == item["line"]:
            assert f.match == item["match"]
        if "caused_by" in item:
            assert f.caused_by is not None
            assert f.caused_by[0] == item["caused_by"]
        raw = raw_lines[f.line]
        if f.end_line == f.line and "\\n" not in raw and "\r" not in raw[f.col : f.end_col]:
            assert strip_escapes(raw[f.col : f.end_col]) == f.match, (
                "span does not cover the match in the raw line"
            )
    spans = sorted(((f.line, f.col), (f.end_line, f.end_col), f.id) for f in findings)
    for (_s1, e1, id1), (s2, _e2, id2) in itertools.pairwise(spans):
        assert e1 <= s2, f"{id1} and {id2} overlap: one error instance, two findings"


@pytest.mark.parametrize("log", CLEAN, ids=lambda p: p.name)
def test_clean_log_has_no_findings(log: Path, toolkit: Toolkit) -> None:
    assert [(f.id, f.line + 1, f.match) for f in scan_file(toolkit.scanner, log)] == []


@pytest.fixture(scope="module")
def with_canons() -> Toolkit:
    return load_toolkit([canons_or_skip()])


@pytest.mark.canons
def test_clean_logs_stay_clean_with_the_canons_loaded(with_canons: Toolkit) -> None:
    tk = with_canons
    noisy = [p for p in tk.problems if "fires on a clean log" in p.message]
    assert noisy, "the canons are known to be noisy: vetting must disable some"
    for log in CLEAN:
        assert [(f.id, f.line + 1) for f in scan_file(tk.scanner, log)] == [], log.name


@pytest.mark.canons
def test_builtin_samples_still_found_with_the_canons_loaded(with_canons: Toolkit) -> None:
    tk = with_canons
    missing = []
    for sample in SAMPLES:
        expect = json.loads(sample.with_suffix(".expect.json").read_text("utf-8"))
        found = scan_file(tk.scanner, sample)
        missing += [
            (_id(sample), e["id"])
            for e in expect["expect"]
            if not any(f.id == e["id"] and e["line"] - 1 in (f.line, *f.also_at) for f in found)
        ]
    assert missing == []


@pytest.mark.canons
def test_with_the_canons_no_successful_log_gets_an_error(with_canons: Toolkit) -> None:
    for log in sorted(successful_corpus_dir().glob("*.log")):
        errors = [(f.id, f.line + 1) for f in scan_file(with_canons.scanner, log) if f.severity == "error"]
        assert errors == [], log.name


@pytest.mark.canons
def test_a_canon_never_adds_a_finding_to_an_error_a_builtin_record_explains(with_canons: Toolkit) -> None:
    beside = []
    for log in sorted((CORPUS / "real" / "failing").glob("*.log")):
        found = scan_file(with_canons.scanner, log)
        taken = {x for f in found if f.builtin for x in (f.line, *f.also_at)}
        beside += [(log.name, f.id, f.line + 1) for f in found if not f.builtin and f.line in taken]
    assert beside == []


@pytest.mark.canons
def test_generic_canons_are_demoted_and_reported(with_canons: Toolkit, tmp_path: Path) -> None:
    demoted = {
        p.file: p.message for p in with_canons.problems if p.message.startswith("demoted to information")
    }
    assert any("kafka/config-exception" in f for f in demoted), "config.*error names no error"
    assert any("unity/dll-not-found-exception" in f for f in demoted), "an exception name alone"
    # A demoted canon is information: never an error, never a root error beside another.
    text = "cmake: Invalid configuration of the build tree\n"
    assert all(f.severity == "information" for f in with_canons.scanner.scan_text(text) if not f.builtin)
    out = subprocess.run(
        [sys.executable, "-m", "errsig", "check-pack", str(canons_or_skip())],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    ).stdout
    assert "demoted to information: generic pattern" in out
