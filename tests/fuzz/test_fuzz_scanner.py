"""Hypothesis over the scanner: any bytes, and lines mixing the catalogue's own literals with
escapes, carriage returns, CI prefixes and JSON escapes, scan without an exception, and
every finding lies inside the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.literals import required_literals
from tests.fuzz import FUZZ

TOOLKIT: Toolkit = load_toolkit(fast=False)
LITERALS = sorted(
    {
        run
        for sig in TOOLKIT.matcher.signatures
        for alt in required_literals(sig.regex.source) or []
        for run in alt
    }
)
NOISE = [
    "\x1b[31m",
    "\x1b[0m",
    "\r",
    "\n",
    "\r\n",
    "\\n",
    '"stream": "',
    "2024-05-01T12:00:00Z ",
    "#8 1.2 ",
    "web-1  | ",
    "##[error]",
    "\t",
    " ",
    "×",
    "é",
    "\ud800",
    "'",
    '"',
    ":",
    "/",
    "python",
    "\0",
    "\x9b1m",
]
PIECES = st.sampled_from(LITERALS) | st.sampled_from(NOISE) | st.text(max_size=12)


def _check(data: bytes) -> None:
    lines = data.split(b"\n")
    for f in TOOLKIT.scanner.scan_bytes(data):
        assert 0 <= f.line <= f.end_line < len(lines)
        assert f.col >= 0
        assert f.end_col >= 0


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(st.lists(PIECES, max_size=40))
def test_lines_made_of_literals_and_terminal_noise(pieces: list[str]) -> None:
    _check("".join(pieces).encode("utf-8", "surrogatepass"))
    TOOLKIT.scanner.scan_text("".join(pieces))
