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


def test_an_escape_inside_a_word_sends_its_line_to_be_cleaned() -> None:
    from errsig.core.matching.engine import other_escape_at

    # The gap sits at word boundaries only: an escape between two letters is found from the
    # line's start, and the line is cleaned and looked at again.
    assert other_escape_at(b"ok\nConnec\x1b[1mtion reset by peer\n", 3)
    assert other_escape_at(b"[Errno 10\x1b[0m\x1b[1m4]", 0)
    # The last letter of one escape followed by another escape is not a letter of the text
    # (gcc colours each word with "\x1b[01;35m\x1b[K"): such a line is not sent to be cleaned.
    assert not other_escape_at(b"x.c:1:2: \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kunused\n", 0)
    assert not other_escape_at(b"\x1b[?25l\x1b[2Kdownloading\n", 0)
    # Only read from a line's start.
    assert not other_escape_at(b"ab\x1b[1mcd", 1)


def test_a_literal_broken_inside_a_word_is_still_found(toolkits: tuple[Toolkit, Toolkit]) -> None:
    through, _cleaning = toolkits
    plain = "fatal: unable to access 'https://example.org/x.git/': Could not resolve host: example.org"
    # an escape inside every word of four letters or more: no literal is left whole
    broken = " ".join(w[:2] + "\x1b[1m" + w[2:] if len(w) >= 4 else w for w in plain.split(" "))
    assert [f.id for f in through.scanner.scan_text(plain + "\n")] == ["git/could-not-resolve-host"]
    assert [f.id for f in through.scanner.scan_text(broken + "\n")] == ["git/could-not-resolve-host"]
