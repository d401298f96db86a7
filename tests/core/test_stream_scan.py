"""StreamScan (a sliced scan of a text that arrives a piece at a time) finds what a sliced
scan of the whole text finds: on the real failing logs, all of them in one text, cut into
pieces anywhere (mid-line too), with and without the check for hard-wrapped literals."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from errsig.core.scan import logscan
from errsig.core.scan.logscan import LogScanner
from tests.conftest import CORPUS

LOGS = sorted((CORPUS / "real" / "failing").glob("*.log"))


def _text() -> bytes:
    return b"\n".join(p.read_bytes() for p in LOGS)


def _key(findings: list[Any]) -> list[tuple[str, int, int, int, str]]:
    return sorted((f.id, f.line, f.col, f.end_col, f.match) for f in findings)


def _streamed(scanner: LogScanner, data: bytes, cuts: list[int], wraps: bool) -> list[Any] | None:
    stream = scanner.stream(wraps)
    points = [0, *sorted(cuts), len(data)]
    slices = [stream.add(data[a:b]) for a, b in itertools.pairwise(points)] + [stream.last()]
    # scanned in reverse order (as threads may finish), merged in the slices' order
    results = [stream.scan(s) for s in reversed(slices) if s is not None][::-1]
    return stream.merge(results)


@pytest.mark.parametrize("wraps", [True, False])
def test_pieces_anywhere_find_what_a_sliced_scan_finds(
    toolkit: Any, wraps: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _text()
    assert len(data) > 1_000_000  # ~1,650 real logs
    # what the whole text gets decides ``wraps``: make this text's size decide either way
    monkeypatch.setattr(logscan, "WRAP_SCAN_LIMIT", len(data) + 1 if wraps else len(data) - 1)
    scanner = LogScanner(toolkit.matcher)
    whole = scanner.scan_sliced(data)
    assert whole is not None
    assert len(whole) > 1000
    rng = random.Random(7)
    for n in (3, 40, 400):
        cuts = rng.sample(range(1, len(data)), n)
        assert _key(_streamed(scanner, data, cuts, wraps) or []) == _key(whole), n
    # cut right after line breaks (how a didOpen's pieces end)
    breaks = [i + 1 for i in range(len(data)) if data[i] == 10]
    cuts = sorted(rng.sample(breaks, 300))
    assert _key(_streamed(scanner, data, cuts, wraps) or []) == _key(whole)


def test_a_wrong_guess_of_the_size_gives_nothing(toolkit: Any) -> None:
    """A text that turns out small enough for the wrap check, scanned without it: None."""
    scanner = LogScanner(toolkit.matcher)
    text = b"ERROR: Could not install packages due to an OSError\n"
    assert _streamed(scanner, text, [], wraps=False) is None
    assert _streamed(scanner, text, [], wraps=True) is not None


def test_a_text_without_line_breaks_is_scanned_at_the_end(toolkit: Any) -> None:
    scanner = LogScanner(toolkit.matcher)
    line = b"ERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer"
    found = _streamed(scanner, line, list(range(7, len(line), 7)), wraps=True)
    assert found
    assert _key(found) == _key(scanner.scan_sliced(line) or [])
