"""The clean view of raw terminal output, with a map back to raw positions.

Real output is not clean text: colour and cursor escapes, ``\\r`` progress redraws,
CI timestamp and BuildKit prefixes, docker-compose JSON streams with literal ``\\n``
and hard wraps at the terminal width. :func:`clean_segments` turns one raw line into the
segments a signature regex is shown, each with a :class:`PosMap` that maps every clean
index back to ``(line, column)`` in the raw text.
"""

from __future__ import annotations

import bisect
import re

import attrs

# CSI (colours, cursor moves), OSC (titles, hyperlinks), two-character escapes, and the
# same sequences written out as text inside JSON/compose streams.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\^_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\\u001[bB]\[[0-?]*[ -/]*[@-~]"
    r"|\\(?:x1[bB]|033|e)\[[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)

# Prefixes that CI systems and container builders put before each line of output.
_PREFIXES = re.compile(
    r"(?:"
    r"\ufeff"
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s"  # ISO timestamp
    r"|\[\d\d:\d\d:\d\d(?:\.\d+)?\]\s"  # [12:00:01]
    r"|[ \t]*#\d+ \d+\.\d+ "  # BuildKit step (also indented, as pastes quote it)
    r"|#\d+ (?=\S)"  # BuildKit step header without a time
    r"|\d{1,5}\.\d{3} (?=\S)"  # BuildKit's time without its step (Docker Desktop's build log)
    r"|[\w.-]{1,64}(?:[-_]\d+)?\s*\| "  # docker compose service
    r"|##\[(?:error|warning|notice|debug|group|endgroup|section)\]"  # GitHub workflow commands
    r"|Step \d+/\d+ : "  # classic docker build
    r"|\[rank\d+\]: ?"  # torchrun's rank of the process that printed the line
    r"|(?:app|heroku|router)\[[\w.-]{1,32}\]: "  # Heroku's log drain (after its timestamp)
    r"|>[ \t]?(?=\S|>)"  # a Markdown quote, as logs pasted into issues carry it ("> > " nested)
    r"|\u2502[ \t]?"  # Terraform's box around a diagnostic ("│ Error: …")
    r"|\d{1,2}:\d\d:\d\d [AP]M: "  # Netlify's build log time
    r")+"
)

# Bytes that start an escape sequence (raw, or written out inside JSON streams): a text
# without any of them has nothing for _ESCAPES to remove but lone control characters.
ESCAPE_MARKERS = (b"\x1b", b"\\u001", b"\\x1", b"\\033", b"\\e[")  # five memchr-speed passes
PREFIXES_PATTERN = _PREFIXES.pattern  # the unknown-error gate strips the same prefixes from bytes

# In a JSON-escaped stream these stand for line breaks and quoted characters.
_JSON_BREAK = re.compile(r"\\r\\n|\\n|\\r")
_JSON_ESCAPE = re.compile(r"\\([\"\\/])|\\t")

_CR = re.compile("\r")

WRAP_WIDTHS = frozenset({79, 80, 100, 120, 132, 160, 200})


@attrs.define
class PosMap:
    """Maps clean indices to raw ``(line, column)`` positions.

    ``pieces`` are ``(clean_start, line, raw_column)``: the clean character at
    ``clean_start + k`` is raw column ``raw_column + k`` of ``line`` until the next piece.
    """

    pieces: list[tuple[int, int, int]] = attrs.field(factory=list)
    length: int = 0

    def raw(self, index: int) -> tuple[int, int]:
        """Raw position of the clean character at ``index``."""
        if not self.pieces:
            return (0, 0)
        starts = [p[0] for p in self.pieces]
        k = max(0, bisect.bisect_right(starts, index) - 1)
        start, line, col = self.pieces[k]
        return (line, col + index - start)

    def raw_end(self, index: int) -> tuple[int, int]:
        """Raw position just after the clean character at ``index - 1``."""
        if index <= 0:
            return self.raw(0)
        line, col = self.raw(index - 1)
        return (line, col + 1)


@attrs.define
class Segment:
    """A piece of clean text a regex is searched in."""

    text: str
    posmap: PosMap


def _append(parts: list[str], posmap: PosMap, text: str, line: int, col: int) -> None:
    if not text:
        return
    last = posmap.pieces[-1] if posmap.pieces else None
    if last is not None:
        l_start, l_line, l_col = last
        if l_line == line and l_col + (posmap.length - l_start) == col:
            parts.append(text)
            posmap.length += len(text)
            return
    posmap.pieces.append((posmap.length, line, col))
    parts.append(text)
    posmap.length += len(text)


def _strip(raw: str, start: int, end: int, line: int, json_mode: bool) -> Segment:
    """Clean ``raw[start:end]``: drop escapes (and JSON escapes), then CI prefixes."""
    parts: list[str] = []
    posmap = PosMap()
    pos = start
    for m in _ESCAPES.finditer(raw, start, end):
        _emit(raw, pos, m.start(), line, parts, posmap, json_mode)
        pos = m.end()
    _emit(raw, pos, end, line, parts, posmap, json_mode)
    text = "".join(parts)
    prefix = _PREFIXES.match(text)
    if prefix and prefix.end() > 0:
        cut = prefix.end()
        text = text[cut:]
        posmap = _shift(posmap, cut)
    return Segment(text, posmap)


def _emit(
    raw: str, start: int, end: int, line: int, parts: list[str], posmap: PosMap, json_mode: bool
) -> None:
    if start >= end:
        return
    if not json_mode:
        _append(parts, posmap, raw[start:end], line, start)
        return
    pos = start
    for m in _JSON_ESCAPE.finditer(raw, start, end):
        _append(parts, posmap, raw[pos : m.start()], line, pos)
        _append(parts, posmap, m.group(1) or "\t", line, m.start() + 1)
        pos = m.end()
    _append(parts, posmap, raw[pos:end], line, pos)


def _shift(posmap: PosMap, cut: int) -> PosMap:
    """Drop the first ``cut`` clean characters from a map."""
    if cut <= 0:
        return posmap
    line, col = posmap.raw(cut) if cut < posmap.length else posmap.raw_end(posmap.length)
    out = PosMap(length=posmap.length - cut)
    out.pieces.append((0, line, col))
    for start, p_line, p_col in posmap.pieces:
        if start > cut:
            out.pieces.append((start - cut, p_line, p_col))
    return out


def looks_json_stream(raw: str) -> bool:
    """A docker-compose/JSON log line whose strings carry escaped line breaks."""
    return "\\n" in raw and ('"stream"' in raw or '"log"' in raw or raw.lstrip().startswith(("{", '"')))


def clean_segments(raw: str, line: int = 0) -> list[Segment]:
    """The clean segments of one raw line (no newline in ``raw``)."""
    json_mode = looks_json_stream(raw)
    bounds: list[tuple[int, int]] = []
    pos = 0
    breaker = _JSON_BREAK if json_mode else None
    pieces = [m.span() for m in breaker.finditer(raw)] if breaker else []
    if "\r" in raw:
        pieces += [m.span() for m in _CR.finditer(raw)]
    cut_points = sorted(pieces)
    for a, b in cut_points:
        if a < pos:
            continue
        bounds.append((pos, a))
        pos = b
    bounds.append((pos, len(raw)))
    out = []
    for a, b in bounds:
        seg = _strip(raw, a, b, line, json_mode)
        if seg.text.strip():
            out.append(seg)
    return out


def visible_width(raw: str) -> int:
    """Width of the last redraw of a raw line once escapes are gone (for wrap detection)."""
    tail = raw.rsplit("\r", 1)[-1]
    return len(_ESCAPES.sub("", tail))


def join_segments(first: Segment, second: Segment) -> Segment:
    """Concatenate two segments (a hard-wrapped line and its continuation)."""
    posmap = PosMap(pieces=list(first.posmap.pieces), length=first.posmap.length)
    for start, line, col in second.posmap.pieces:
        posmap.pieces.append((start + first.posmap.length, line, col))
    posmap.length += second.posmap.length
    return Segment(first.text + second.text, posmap)


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences from ``text`` (keeps line breaks)."""
    return _ESCAPES.sub("", text)


_ESCAPES_BYTES = re.compile(_ESCAPES.pattern.encode("ascii"))


def strip_escapes_bytes(data: bytes) -> bytes:
    """Remove terminal escape sequences from raw bytes (keeps line breaks)."""
    return _ESCAPES_BYTES.sub(b"", data)


def rough_clean(raw: str) -> str:
    """The clean text of a line as one string, redraws on lines of their own: every match
    on a clean segment is a match here too (with ``^``/``$`` at line breaks)."""
    parts = []
    for piece in _ESCAPES.sub("", raw).split("\r"):
        prefix = _PREFIXES.match(piece)
        parts.append(piece[prefix.end() :] if prefix else piece)
    return "\n".join(parts)
