"""The built-in catalogue: complete, consistent, and cheap to prefilter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from errsig.core.kb.model import Record
from errsig.core.loading import Toolkit
from errsig.core.matching.vetting import clean_corpus_dir
from tests.conftest import CORPUS, SEEDS

REQUIRED = [
    "pip/network-connection-reset-by-peer",
    "pip/read-timeout",
    "pip/connect-timeout",
    "pip/name-resolution-failed",
    "pip/ssl-certificate-verify-failed",
    "pip/proxy-error",
    "pip/http-error-from-index",
    "pip/hash-mismatch",
    "pip/no-matching-distribution",
    "pip/resolution-impossible",
    "pip/dependency-conflict-installed",
    "pip/resolver-backtracking",
    "pip/requires-python-mismatch",
    "pip/unsupported-wheel-platform",
    "pip/yanked-version",
    "pip/invalid-requirement",
    "pip/externally-managed-environment",
    "pip/permission-denied",
    "pip/no-space-left-on-device",
    "pip/windows-long-path",
    "pip/script-not-on-path",
    "pip/subprocess-exited-with-error",
    "pip/metadata-generation-failed",
    "pip/failed-building-wheel",
    "pip/legacy-install-failure",
    "build/python-headers-missing",
    "build/msvc-build-tools-missing",
    "build/compiler-not-found",
    "build/mysql-config-missing",
    "build/rust-compiler-missing",
    "build/cmake-missing",
    "python/distutils-removed",
    "python/module-not-found",
    "conda/packages-not-found",
    "poetry/solver-problem",
    "uv/no-solution",
    "torch/cuda-wheel-not-on-pypi",
]


def records(toolkit: Toolkit) -> list[Record]:
    return sorted(toolkit.catalogue, key=lambda r: r.id)


def test_catalogue_loads_without_any_problem(toolkit: Toolkit) -> None:
    assert [str(p) for p in toolkit.problems] == []
    assert len(toolkit.catalogue) >= 60
    assert set(REQUIRED) <= {r.id for r in toolkit.catalogue}


def test_every_record_has_a_literal_for_the_prefilter(toolkit: Toolkit) -> None:
    assert toolkit.matcher.unfiltered() == []


def test_a_pack_pattern_without_a_literal_is_counted(tmp_path: Path) -> None:
    """Issue 8: check-pack said "0 records have no literal" for ``(?:zq|qz){3}[0-9]``
    (patterns held by the RE2 Set were left out of the count)."""
    from errsig.core.loading import load_toolkit

    pack = tmp_path / "p" / "x"
    pack.mkdir(parents=True)
    for slug, regex in (("short", "(?:zq|qz){3}[0-9]"), ("long", "Connection reset by peer")):
        rec = {"id": f"x/{slug}", "signature": slug, "regex": regex, "category": "network_error"}
        (pack / f"{slug}.json").write_text(json.dumps(rec), "utf-8")
    tk = load_toolkit([tmp_path / "p"], builtin=False, vet=False, fast=False)
    assert tk.matcher.unfiltered() == ["x/short"]
    assert [f.id for f in tk.scanner.scan_text("a zqqzzq7 b\n")] == ["x/short"]


def test_prefilter_is_selective_on_clean_logs(toolkit: Toolkit) -> None:
    """Candidate lines are a small share of ordinary output, or the scan gets slow."""
    total = candidates = 0
    for log in sorted(clean_corpus_dir().glob("*.log")):
        data = log.read_bytes()
        total += data.count(b"\n")
        candidates += len(toolkit.scanner._candidates(data))
    assert total > 1000
    assert candidates / total < 0.03


@pytest.mark.parametrize(
    "rid", sorted(p.relative_to(SEEDS).with_suffix("").as_posix() for p in SEEDS.rglob("*.json"))
)
def test_record_content(rid: str, toolkit: Toolkit) -> None:
    r = toolkit.catalogue.get(rid)
    assert r is not None
    assert r.root_cause
    assert r.root_cause_zh
    assert r.signature_zh
    assert len(r.workarounds) >= 2
    assert len(r.dead_ends) >= 1
    assert all(d.action for d in r.dead_ends)
    assert len(r.workarounds_zh) == len(r.workarounds)
    assert r.official_doc_url
    assert r.official_doc_url.startswith("https://")
    assert all(name.isidentifier() and name.islower() for name in re.compile(r.regex).groupindex)
    samples = list((CORPUS / "positive" / rid).glob("*.log"))
    # Real logs from public reports count too (tests/corpus/real/failing, checked by test_real_logs.py).
    for side in (CORPUS / "real" / "failing").glob("*.json"):
        if json.loads(side.read_text("utf-8")).get("covered_by_record") == rid:
            samples.append(side.with_suffix(".log"))
    assert len(samples) >= 2, f"{rid} needs at least two samples (tests/corpus/positive/{rid}/ or real logs)"
