"""Every signature fires on its real-looking samples, on the right line and span, and
nothing fires on successful logs. Expectations are hand-written next to each sample."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import clean_corpus_dir
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
