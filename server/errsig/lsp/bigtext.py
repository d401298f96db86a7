"""The text of a big ``textDocument/didOpen``, decoded while its frame is still arriving.

An editor opening a 50 MB log sends it in one JSON frame. Parsing that frame (``json.loads``,
~0.15-0.25 s here) and encoding its text into the UTF-8 bytes errsig scans (~0.05-0.13 s)
used to start only once its last byte had arrived, and a real Neovim takes ~0.1-0.27 s to
write it. :class:`TextStream` decodes the ``text`` string a piece at a time as the bytes come
in (:class:`~errsig.lsp.framing.FrameReader` feeds it), so when the frame is complete only the
last piece and the frame's few other bytes are left to parse.

Nothing in the frame is trusted. The string is found by a pattern in the frame's first
bytes; each piece ends right after a line-break escape, ``\\n`` or a ``\\r`` without one
after it (never inside an escape, a surrogate pair or a ``\\r\\n``), and is decoded by
``json.loads`` itself; at the end the frame with that string replaced by a marker must
parse to a ``textDocument/didOpen`` whose ``text`` is the marker. Anything else (a piece
that does not decode, the marker elsewhere, another method) gives ``None`` and the frame
is parsed whole, as any other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring as _scanstring  # type: ignore[attr-defined]
from typing import Any, Protocol

from lsprotocol import types as t

from errsig.lsp.documents import utf8

_orjson_loads: Callable[[bytearray], Any] | None
try:  # errsig[fast]
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - depends on the install
    _orjson_loads = None

PIECE = 1 << 18  # bytes of JSON decoded at a time (~1 ms: the reading thread is not held up long)
HEAD = 4096  # bytes at the start of a frame searched for the text's key
_TEXT = re.compile(rb'"text"[ \t\r\n]*:[ \t\r\n]*"')
_NEWLINE = b"\\n"
_RETURN = b"\\r"
_BREAKS = (_NEWLINE, _RETURN)
_BACKSLASH = 0x5C
_QUOTE = b'"'
_MARK = b'"\\u0000errsig:text\\u0000"'  # what the text's place holds in the parsed frame
_MARKED = "\x00errsig:text\x00"
MAX_REJECTED = 64  # look-alikes of a line-break escape checked in one search for a cut


def _decode_string(quoted: bytearray) -> str | None:
    """The string a JSON string literal (quotes included) stands for, as ``json.loads``
    reads it from bytes; None if ``quoted`` is not exactly one. orjson (errsig[fast]) reads
    it in about half the time; what it refuses (lone surrogates, which the json module lets
    through) goes to the json module."""
    if _orjson_loads is not None:
        try:
            text = _orjson_loads(quoted)
        except ValueError:
            pass
        else:
            return text if isinstance(text, str) else None
    try:
        chars = quoted.decode("utf-8", "surrogatepass")
        text, end = _scanstring(chars, 1, True)
    except (ValueError, RecursionError):
        return None
    return text if end == len(chars) else None


def _escaped(buf: bytearray | bytes, i: int, floor: int) -> bool:
    """Whether ``buf[i]`` is escaped: preceded by an odd run of backslashes (none before ``floor``)."""
    j = i
    while j > floor and buf[j - 1] == _BACKSLASH:
        j -= 1
    return (i - j) % 2 == 1


class PieceSink(Protocol):
    """Takes the text's bytes a piece at a time as they are decoded (a scan that runs while
    the rest arrives): ``add`` each piece, then ``close`` (all given) or ``cancel``."""

    def add(self, data: bytes) -> None: ...
    def close(self) -> None: ...
    def cancel(self) -> None: ...


class TextStream:
    """Decodes the ``text`` of one frame's body as it grows in a buffer, handing each
    decoded piece to ``sink`` too."""

    def __init__(self, sink: PieceSink | None = None) -> None:
        self.sink = sink
        self.start = -1  # offset in the body of the text's first character
        self.pos = -1  # offset in the body up to which the text is decoded
        self.searched = 0  # where the next search for a cut starts (in the buffer)
        self.data: list[bytes] = []
        self.failed = False

    def feed(self, buf: bytearray, body: int, available: int) -> None:
        """Decode what has arrived: the body starts at ``buf[body]``, ``buf[available]`` is
        the first byte not yet there."""
        if self.failed:
            return
        if self.start < 0:
            m = _TEXT.search(buf, body, min(available, body + HEAD))
            if m is None:
                self.failed = available - body >= HEAD
                return
            self.start = self.pos = m.end() - body
        while available - (body + self.pos) >= 2 * PIECE:
            cut = self._cut(buf, body + self.pos, body + self.pos + PIECE, available)
            if cut < 0:
                return  # no line break in the window: more bytes, a wider window
            if not self._decode(buf, body + self.pos, cut):
                return
            self.pos = cut - body

    def _cut(self, buf: bytearray, floor: int, lo: int, hi: int) -> int:
        """Just after the last line-break escape in ``buf[lo:hi]`` (``floor``: where the
        last piece ended): a ``\\n``, or a ``\\r`` not followed by ``\\n`` (a progress bar
        redrawn in place); -1 if none. What was searched in vain is not searched again, and
        a search gives up after MAX_REJECTED look-alikes (escaped backslashes before an n or
        r): the text is then decoded further on, or at the end."""
        lo = max(lo, self.searched)
        best, rejected = -1, 0
        for escape in _BREAKS:
            k = buf.rfind(escape, lo, hi)
            while k > best and rejected < MAX_REJECTED:
                crlf = escape == _RETURN and (k + 4 > hi or buf[k + 2 : k + 4] == _NEWLINE)
                if not crlf and not _escaped(buf, k, floor):
                    best = k
                    break
                rejected += 1
                k = buf.rfind(escape, lo, k)
        if best < 0:
            self.searched = max(lo, hi - 4)  # an escape cut by ``hi`` is seen again
            return -1
        return best + 2

    def _decode(self, buf: bytearray, start: int, end: int) -> bool:
        """Append the UTF-8 of one piece of the string's JSON, ``buf[start:end]`` (decoded
        as ``json.loads`` decodes, strictly); False, and the streaming ends, if it is not one."""
        piece = bytearray(_QUOTE)
        with memoryview(buf) as view:  # one copy (a view left open would pin the buffer's size)
            piece += view[start:end]
        piece += _QUOTE
        text = _decode_string(piece)
        del piece
        if text is None:  # a bad escape, a raw control character, not UTF-8, the string's end
            self.failed = True
            return False
        data = utf8(text)  # no piece ends between the "\r" and "\n" of a CRLF
        self.data.append(data)
        if self.sink is not None:
            self.sink.add(data)
        return True

    def finish(self, buf: bytearray, body: int, length: int) -> Decoded | None:
        """The complete body ``buf[body:body + length]`` parsed, with the text decoded here
        set aside; None if it is not a didOpen whose text is that string (the caller then
        parses the body as usual)."""
        decoded = self._finish(buf, body, length)
        if self.sink is not None and decoded is not None:
            self.sink.close()
        elif self.sink is not None:
            self.sink.cancel()
        return decoded

    def cancel(self) -> None:
        """The frame will not be finished (the stream ended, or it was cut short)."""
        if self.sink is not None:
            self.sink.cancel()

    def _finish(self, buf: bytearray, body: int, length: int) -> Decoded | None:
        end = body + length
        if self.failed or self.start < 0:
            return None
        first = body + self.pos
        q = buf.find(_QUOTE, first, end)
        while q >= 0 and _escaped(buf, q, first):
            q = buf.find(_QUOTE, q + 1, end)
        if q < 0 or not self._decode(buf, first, q):
            return None
        marked = bytes(buf[body : body + self.start - 1]) + _MARK + bytes(buf[q + 1 : end])
        try:
            message = json.loads(marked)
        except (ValueError, RecursionError):
            return None
        if not isinstance(message, dict) or message.get("method") != "textDocument/didOpen":
            return None
        params = message.get("params")
        item = params.get("textDocument") if isinstance(params, dict) else None
        if not isinstance(item, dict) or item.get("text") != _MARKED:
            return None
        data = self.data[0] if len(self.data) == 1 else b"".join(self.data)
        self.data.clear()
        return Decoded(message, data, self.sink)


class OpenedItem(t.TextDocumentItem):
    """A ``TextDocumentItem`` whose text arrived already turned into the UTF-8 bytes errsig
    scans and keeps (line breaks normalised to ``\\n``, as errsig holds every document):
    ``utf8``. ``text`` decodes them when something asks (errsig's own handler does not).
    ``prescan``: what took its pieces while they arrived (a scan), if anything."""

    __slots__ = ("prescan", "utf8")

    def __init__(self, item: t.TextDocumentItem, data: bytes, prescan: PieceSink | None = None) -> None:
        # attrs' own __init__ would check ``text`` (decoding it all); each field is set as is
        self.utf8 = data
        self.prescan = prescan
        self.uri, self.language_id, self.version = item.uri, item.language_id, item.version

    @property
    def text(self) -> str:
        return self.utf8.decode("utf-8", "surrogatepass")

    @text.setter
    def text(self, value: str) -> None:
        self.utf8 = utf8(value)


class Decoded:
    """A didOpen parsed by :meth:`TextStream.finish`: the message with a marker in place of
    its text, and the text's bytes."""

    def __init__(self, message: dict[str, Any], data: bytes, sink: PieceSink | None = None) -> None:
        self.message = message
        self.data = data
        self.sink = sink

    def structured(self, hook: Callable[[dict[str, Any]], Any]) -> Any:
        """The message as ``json.loads(body, object_hook=hook)`` returns it (the hook applied
        to every object, innermost first), its item an :class:`OpenedItem`."""
        message = _hooked(self.message, hook)
        params: Any = getattr(message, "params", None)
        item = getattr(params, "text_document", None)
        if isinstance(item, t.TextDocumentItem) and item.text == _MARKED:
            params.text_document = OpenedItem(item, self.data, self.sink)
            return message
        # not structured as a didOpen (a hook that keeps plain objects): the text as a value
        self.message["params"]["textDocument"]["text"] = self.data.decode("utf-8", "surrogatepass")
        return _hooked(self.message, hook)


def _hooked(value: Any, hook: Callable[[dict[str, Any]], Any]) -> Any:
    if isinstance(value, dict):
        return hook({k: _hooked(v, hook) for k, v in value.items()})
    if isinstance(value, list):
        return [_hooked(v, hook) for v in value]
    return value
