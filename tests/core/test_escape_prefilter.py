"""The prefilter looks through colour escapes inside literals (engine.ESCAPE_GAP) instead of
cleaning every coloured line first. It must find exactly what the cleaning path finds: the
same logs, coloured inside their words, give the same findings both ways, and the findings
of the plain text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.regex import raw_spans
from errsig.core.scan.logscan import _WRAPPED_PAIR
from tests.conftest import CORPUS

LOGS = sorted((CORPUS / "real" / "failing").glob("*.log")) + sorted((CORPUS / "positive").rglob("*.log"))
PIP = "ERROR: Could not install packages due to an OSError: [Errno 28] No "
SGR = ("\x1b[31m", "\x1b[0m", "\x1b[1m", "\x1b[01;35m\x1b[K", "\x1b[m\x1b[K", "\x1b[38;5;197m", "\x1b[2K")


def colour(text: str, seed: int) -> str:
    """Escapes between characters (inside words too) and a control character now and then;
    not at a line's start, where an escape tells a hard-wrap continuation from a new line."""
    rng = random.Random(seed)
    out = []
    prev = "\n"
    for ch in text:
        if ch != "\n" and prev != "\n" and rng.random() < 0.12:
            out.append(rng.choice(SGR) if rng.random() < 0.95 else "\x08")
        out.append(ch)
        prev = ch
    return "".join(out)


def key(findings: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return sorted((f.id, f.line, f.caused_by or "") for f in findings)


@pytest.fixture(scope="module")
def toolkits() -> tuple[Toolkit, Toolkit]:
    through = load_toolkit([], fast=False)
    cleaning = load_toolkit([], fast=False)
    assert through.matcher.engine.sees_through_escapes
    cleaning.matcher.engine.sees_through_escapes = False  # the old path: clean, then look
    return through, cleaning


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.stem)
def test_coloured_logs_give_the_findings_of_plain_ones(toolkits: tuple[Toolkit, Toolkit], log: Path) -> None:
    through, cleaning = toolkits
    plain = log.read_text("utf-8", "replace")
    if "\x1b" in plain or "\\u001" in plain:
        pytest.skip("already coloured")
    coloured = colour(plain, seed=len(plain))
    want = key(cleaning.scanner.scan_text(plain))
    assert key(through.scanner.scan_text(coloured)) == key(cleaning.scanner.scan_text(coloured))
    got = key(through.scanner.scan_text(coloured))
    if raw_spans(_WRAPPED_PAIR, plain.encode(), next_line=True):
        return  # hard wraps are found by their raw width: escapes inside hide them (both paths)
    # Escapes inside a word change nothing else: the same records, on the same lines.
    assert [(i, ln) for i, ln, _c in got] == [(i, ln) for i, ln, _c in want]


def test_a_literal_split_by_escapes_is_found(toolkits: tuple[Toolkit, Toolkit]) -> None:
    through, _ = toolkits
    text = "Collecting x\n" + PIP + "\x1b[1mspace\x1b[0m left on d\x1b[31me\x1b[0mvice\n"
    assert [f.id for f in through.scanner.scan_text(text)] == ["pip/no-space-left-on-device"]


def test_a_line_with_an_osc_escape_is_cleaned_first(toolkits: tuple[Toolkit, Toolkit]) -> None:
    through, _ = toolkits
    text = PIP + "sp\x1b]8;;http://x\x1b\\ace left on device\n"
    assert [f.id for f in through.scanner.scan_text(text)] == ["pip/no-space-left-on-device"]


def test_escapes_written_out_in_a_json_stream_are_cleaned_first(toolkits: tuple[Toolkit, Toolkit]) -> None:
    through, _ = toolkits
    text = '{"stream":"' + PIP + 'sp\\u001b[1mace left on device\\n"}\n'
    assert [f.id for f in through.scanner.scan_text(text)] == ["pip/no-space-left-on-device"]
