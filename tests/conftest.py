"""Shared paths and helpers for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CORPUS = ROOT / "tests" / "corpus"
SEEDS = ROOT / "seeds"
CANONS = ROOT.parent / "shared" / "external" / "deadends-canons"


ENGINES = ["re2", "hyperscan"]


@pytest.fixture(scope="session", params=ENGINES)
def toolkit(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The built-in catalogue, once per engine: the default RE2 literal prefilter and
    the optional Hyperscan one (skipped where the `fast` extra is not installed)."""
    from errsig.core.loading import load_toolkit
    from errsig.core.matching.fast import installed

    if request.param == "hyperscan" and not installed():
        pytest.skip("hyperscan is not installed (pip install errsig[fast])")
    return load_toolkit(fast=request.param == "hyperscan")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Vetting verdicts go to a per-session cache, outcomes to a per-test folder, never the user's."""
    monkeypatch.setenv("ERRSIG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "errsig-cache"))
    monkeypatch.setenv("ERRSIG_DATA_DIR", str(tmp_path_factory.mktemp("errsig-data")))


def canons_or_skip() -> Path:
    if not CANONS.is_dir():
        pytest.skip(f"deadends canons not found at {CANONS} (they live in the team's shared/ folder)")
    return CANONS


def pytest_collection_finish(session: pytest.Session) -> None:
    """With ERRSIG_MIN_TESTS set (scripts/test.sh sets it), too few tests is an error:
    a suite that silently collects nothing must not pass."""
    import os

    minimum = int(os.environ.get("ERRSIG_MIN_TESTS", "0") or 0)
    if minimum and len(session.items) < minimum:
        raise pytest.UsageError(f"only {len(session.items)} tests collected; expected at least {minimum}")
