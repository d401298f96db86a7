"""Open documents with their own line index.

pygls's ``TextDocument`` re-splits the whole text on every change; here a document is a
sequence of lines (split as LSP does, on ``\\r\\n``, ``\\r`` and ``\\n``), so an edit costs in
proportion to the edit, and a change reports which lines it replaced so the scanner
can rescan just those.

The lines are kept in :class:`Lines`: chunks of about 64 KB of UTF-8, decoded when a line
of one is read or edited. A list of one string per line costs ~57 bytes per line on top of
the text, and a string costs 2 or 4 bytes per character once one of its characters is
outside Latin-1 (a pip progress bar's ``━``): a 50 MB pip log held as lines took 1.4x-1.7x
its size, held in UTF-8 chunks it takes its size.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from typing import overload

import attrs
import re2

from errsig.lsp.positions import from_client


def _normalised(text: str) -> str:
    if "\r" in text:  # three C passes beat one regex split by far on big logs
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_CRLF = re2.compile(b"\r\n")


def utf8(text: str) -> bytes:
    """``text`` in UTF-8 with its line breaks normalised to ``\\n`` (the bytes the scanner
    reads and :class:`Lines` keeps; normalised after encoding, so a text with characters
    outside Latin-1 is not copied at 2-4 bytes a character first)."""
    data = text.encode("utf-8", "surrogatepass")
    if b"\r" in data:
        # RE2 finds a CRLF in ~2 ms where bytes.replace searches 50 MB for ~50 ms: a log of
        # lone \r (progress bars redrawn in place) skips that pass
        if _CRLF.search(data):
            data = data.replace(b"\r\n", b"\n")
        data = data.replace(b"\r", b"\n")
    return data


def split_lines(text: str) -> list[str]:
    return _normalised(text).split("\n")


CHUNK_BYTES = 1 << 16  # a chunk ends at the first line break after this many bytes
SPLIT_LINES = 2048  # an edited chunk with more lines than twice this is cut into pieces this long
KEEP_SPLIT = 8  # chunks kept as line lists (the most recently read or edited); others are packed


def _pack(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _unpack(chunk: bytes) -> list[str]:
    return chunk.decode("utf-8", "surrogatepass").split("\n")


class Lines(Sequence[str]):
    """A document's lines in chunks of about :data:`CHUNK_BYTES`: each chunk is its lines
    joined by ``"\\n"`` in UTF-8 or, after a line of it was read or edited, a list of
    strings (at most :data:`KEEP_SPLIT` chunks at a time). Slices are read without keeping
    a chunk split; ``lines[a:b] = new`` edits."""

    __slots__ = ("_chunks", "_counts", "_split", "_starts", "_total")

    def __init__(self, data: bytes) -> None:
        """``data``: the text in UTF-8 (lone surrogates as ``surrogatepass`` writes them),
        line breaks normalised to ``\\n``."""
        self._chunks: list[bytes | list[str]] = []
        self._counts: list[int] = []
        pos, end = 0, len(data)
        while True:
            cut = data.find(b"\n", pos + CHUNK_BYTES) if pos + CHUNK_BYTES < end else -1
            piece = data[pos:] if cut == -1 else data[pos:cut]
            self._chunks.append(piece)
            self._counts.append(piece.count(b"\n") + 1)
            if cut == -1:
                break
            pos = cut + 1
        self._total = sum(self._counts)
        self._starts: list[int] | None = None
        self._split: list[int] = []  # indices of chunks held as lists, least recently used first

    @classmethod
    def from_text(cls, text: str) -> Lines:
        return cls(utf8(text))

    def __len__(self) -> int:
        return self._total

    def _chunk_of(self, i: int) -> int:
        if self._starts is None:
            self._starts = [0, *itertools.accumulate(self._counts)][:-1]
        return bisect.bisect_right(self._starts, i) - 1

    def _pack_beyond(self, keep: int) -> None:
        while len(self._split) > keep:
            old = self._split.pop(0)
            held = self._chunks[old]
            if isinstance(held, list):
                self._chunks[old] = _pack(held)

    def _open(self, ci: int) -> list[str]:
        chunk = self._chunks[ci]
        if isinstance(chunk, list):
            if self._split[-1] != ci:
                self._split.remove(ci)
                self._split.append(ci)
            return chunk
        lines = _unpack(chunk)
        self._chunks[ci] = lines
        self._split.append(ci)
        self._pack_beyond(KEEP_SPLIT)
        return lines

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            start, stop, step = i.indices(self._total)
            if step != 1:
                return list(self)[i]
            return self._read(start, stop)
        if i < 0:
            i += self._total
        if not 0 <= i < self._total:
            raise IndexError("line index out of range")
        ci = self._chunk_of(i)
        assert self._starts is not None
        return self._open(ci)[i - self._starts[ci]]

    def _read(self, start: int, stop: int) -> list[str]:
        out: list[str] = []
        if start >= stop:
            return out
        ci = self._chunk_of(start)
        assert self._starts is not None
        while start < stop:
            base = self._starts[ci]
            chunk = self._chunks[ci]
            lines = _unpack(chunk) if isinstance(chunk, bytes) else chunk
            part = lines[start - base : stop - base]
            out.extend(part)
            start += len(part)
            ci += 1
        return out

    def __setitem__(self, i: slice, new: list[str]) -> None:
        start, stop, step = i.indices(self._total)
        if step != 1:
            raise ValueError("only contiguous line ranges are replaced")
        stop = max(start, stop)
        first = self._chunk_of(min(start, self._total - 1)) if self._total else 0
        last = self._chunk_of(stop - 1) if stop > start else first
        assert self._starts is not None
        base = self._starts[first] if self._chunks else 0
        merged: list[str] = []
        for ci in range(first, min(last + 1, len(self._chunks))):
            chunk = self._chunks[ci]
            merged.extend(_unpack(chunk) if isinstance(chunk, bytes) else chunk)
        merged[start - base : stop - base] = new
        pieces = [merged]
        if len(merged) > 2 * SPLIT_LINES:
            pieces = [merged[k : k + SPLIT_LINES] for k in range(0, len(merged), SPLIT_LINES)]
        pieces = [p for p in pieces if p]
        self._chunks[first : last + 1] = pieces
        self._counts[first : last + 1] = [len(p) for p in pieces]
        self._total = sum(self._counts)
        self._starts = None
        # the pieces just edited are the most recently used; the other split chunks keep their order
        edited = range(first, first + len(pieces))
        others = [ci for ci, c in enumerate(self._chunks) if isinstance(c, list) and ci not in edited]
        self._split = [*others, *edited]
        self._pack_beyond(KEEP_SPLIT)

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            yield from (_unpack(chunk) if isinstance(chunk, bytes) else chunk)

    def utf8(self) -> bytes:
        """The text in UTF-8 (lines joined by ``\\n``)."""
        return b"\n".join(c if isinstance(c, bytes) else _pack(c) for c in self._chunks)

    def join(self) -> str:
        """The text (lines joined by ``\\n``)."""
        return self.utf8().decode("utf-8", "surrogatepass")


@attrs.define
class Change:
    first: int  # first changed line (new numbering)
    old_count: int  # lines replaced
    new_count: int  # lines now in their place


@attrs.define
class Document:
    """An open document. Its line list is built on first use: opening a big log costs
    the scan, and the split waits for the first edit (diagnostics carry their lines)."""

    uri: str
    path: str | None
    kind: str | None
    version: int | None
    _source: str | bytes | None  # as opened; bytes: already :func:`utf8` (a big didOpen)
    language_id: str = ""
    _lines: Lines | None = None

    @property
    def lines(self) -> Lines:
        if self._lines is None:
            source = self._source
            self._lines = Lines(source) if isinstance(source, bytes) else Lines.from_text(source or "")
            self._source = None
        return self._lines

    @property
    def source(self) -> str | bytes | None:
        """The text as opened while no line list exists (else None)."""
        return self._source if self._lines is None else None

    def settle(self, source: str | bytes, lines: Lines) -> None:
        """Hold the text as ``lines`` (``source`` in UTF-8 chunks, built by a full scan from
        the bytes it scanned) instead of one string, unless the document changed meanwhile."""
        if self._lines is None and self._source is source:
            self._lines = lines
            self._source = None

    @property
    def split(self) -> bool:
        """Whether the line list exists yet (``line()`` without splitting)."""
        return self._lines is not None

    @classmethod
    def from_text(
        cls,
        uri: str,
        path: str | None,
        kind: str | None,
        version: int | None,
        text: str | bytes,
        language_id: str = "",
    ) -> Document:
        """``text`` as a string, or as its :func:`utf8` bytes."""
        return cls(uri, path, kind, version, text, language_id)

    @property
    def text(self) -> str:
        if self._lines is None:
            source = self._source
            return source.decode("utf-8", "surrogatepass") if isinstance(source, bytes) else source or ""
        return self._lines.join()

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def replace_all(self, text: str) -> Change:
        old = len(self.lines)
        self._lines = Lines.from_text(text)
        return Change(0, old, len(self._lines))

    def apply(self, start: tuple[int, int], end: tuple[int, int], text: str, encoding: str) -> Change:
        """Apply an incremental change given in client positions."""
        n = len(self.lines)
        s_line = min(max(start[0], 0), n - 1) if n else 0
        e_line = min(max(end[0], 0), n - 1) if n else 0
        if start[0] >= n:
            s_line, s_col = n - 1, len(self.lines[-1])
        else:
            s_col = from_client(self.lines[s_line], start[1], encoding)
        if end[0] >= n:
            e_line, e_col = n - 1, len(self.lines[-1])
        else:
            e_col = from_client(self.lines[e_line], end[1], encoding)
        e_line, e_col = max((e_line, e_col), (s_line, s_col))
        head = self.lines[s_line][:s_col]
        tail = self.lines[e_line][e_col:]
        new_lines = split_lines(head + text + tail)
        self.lines[s_line : e_line + 1] = new_lines
        return Change(s_line, e_line - s_line + 1, len(new_lines))
