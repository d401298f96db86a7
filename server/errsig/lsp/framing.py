"""Reading LSP frames (stdio or TCP) without trusting their headers.

pygls 2 (``pygls.io_.run_async``) reads ``Content-Length`` bytes exactly as declared:
a frame whose length is absurd (10^12) makes it allocate that much and die, a length
larger than the body swallows the following requests (they wait forever for bytes
that never come), a shorter one leaves the body's tail glued to the next header so the
next request is lost too; a body that does not parse, or whose params do not fit the
method, is logged and never answered. This loop replaces it:

- a frame over :data:`MAX_FRAME` is refused and skipped (the stream resynchronises on
  the next ``Content-Length`` header);
- while a body is incomplete, a header that starts right after a complete JSON value is
  taken as the next frame (the declared length was too large);
- a header is found anywhere in its header block, so a short frame costs that frame only;
- a request that cannot be read is answered with the JSON-RPC error (parse error,
  invalid params) under its id when the id can be recovered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import select
import stat
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.protocol import JsonRPCProtocol

from errsig.lsp.bigtext import Decoded, PieceSink, TextStream

log = logging.getLogger("errsig.lsp")

MAX_FRAME = 512 << 20  # bytes: a 500 MB document is as large as an editor will send
MAX_HEADER = 64 << 10  # bytes of header block without a blank line: garbage, dropped
READ_SIZE = 1 << 20
BIG_FRAME = 1 << 20  # bytes: a frame this big takes the client a while to send (a log it opens)
STREAM_FRAME = 4 << 20  # bytes: a frame this big has its didOpen text decoded while it arrives
_HEADER = b"Content-Length:"
_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d{1,20})[ \t]*\r?\n", re.IGNORECASE)
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")')
_BLANK = b"\r\n\r\n"
_EARLY = b"}" + _HEADER


def recover_id(body: bytes) -> int | str | None:
    """The request id of a body that does not parse (a truncated frame), if visible."""
    m = _ID.search(body[:65536])
    if m is None:
        return None
    try:
        value = json.loads(m.group(1))
    except ValueError:
        return None
    return value if isinstance(value, (int, str)) else None


def answer_error(protocol: JsonRPCProtocol, body: bytes, error: JsonRpcException) -> None:
    """Answer the request in ``body`` with ``error``; notifications and garbage are logged."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        msg_id = data.get("id") if isinstance(data.get("id"), (int, str)) else None
        if "method" not in data and "id" in data:  # the client's answer to our request
            future = protocol._request_futures.pop(msg_id, None) if msg_id is not None else None
            if future is not None and not future.done():
                future.set_exception(error)  # the awaiting handler fails instead of waiting forever
            log.warning("a response that cannot be read: %s", error.message)
            return
        if "id" not in data:
            log.warning("dropped a notification that cannot be read: %s", error.message)
            return
    else:
        msg_id = recover_id(body)
    log.warning("answering an unreadable request (id %r): %s", msg_id, error.message)
    protocol._send_response(
        msg_id,  # type: ignore[arg-type]
        error=ResponseError(code=error.code, message=error.message, data=error.data),
    )


def _raw(body: bytes | Decoded) -> bytes:
    """The bytes to look for an id in (a decoded didOpen without its text)."""
    if not isinstance(body, Decoded):
        return body
    try:
        return json.dumps(body.message).encode()
    except (ValueError, TypeError, RecursionError):  # nested too deep to write back
        return b""


def deliver(protocol: JsonRPCProtocol, body: bytes | Decoded) -> None:
    """Parse one frame's body (or take a didOpen decoded as it arrived) and hand it to the
    protocol; never raises."""
    try:
        if isinstance(body, Decoded):
            message = body.structured(protocol.structure_message)
        else:
            message = json.loads(body, object_hook=protocol.structure_message)
    except JsonRpcException as exc:  # the params do not fit the method
        answer_error(protocol, _raw(body), exc)
        return
    except (ValueError, RecursionError) as exc:
        answer_error(protocol, _raw(body), JsonRpcParseError(f"cannot parse the message: {exc}"[:200]))
        return
    if not hasattr(message, "jsonrpc"):  # valid JSON, but not a JSON-RPC message
        answer_error(protocol, _raw(body), JsonRpcInvalidRequest("not a JSON-RPC message"))
        return
    try:
        protocol.handle_message(message)
    except Exception:
        log.exception("unable to handle a message")


class FrameReader:
    """Frames out of a byte stream, whatever its headers claim."""

    def __init__(self, read: Callable[[], Awaitable[bytes]], initial: bytes = b"") -> None:
        self._read = read
        self._buf = bytearray(initial)  # bytes read before the loop started (errsig.lsp.early)
        self.big_frame = False  # a frame of BIG_FRAME bytes or more is arriving (a big didOpen)
        # what takes a streamed frame's text pieces (given the frame's length), if anything
        self.piece_sink: Callable[[int], PieceSink | None] | None = None

    def _sink(self, length: int) -> PieceSink | None:
        try:
            return self.piece_sink(length) if self.piece_sink is not None else None
        except Exception:  # a scan that cannot start: the text is still decoded
            log.debug("no piece sink for a %d-byte frame", length, exc_info=True)
            return None

    def _next_header(self) -> tuple[int, int] | None:
        """(body start, declared length) of the next complete header block in the buffer."""
        while True:
            end = self._buf.find(_BLANK)
            if end < 0:
                if len(self._buf) > MAX_HEADER:  # no header ends here: keep what may start one
                    keep = self._buf.rfind(_HEADER)
                    del self._buf[: keep if keep > 0 else len(self._buf) - len(_HEADER)]
                return None
            matches = list(_LENGTH.finditer(bytes(self._buf[: end + 2])))
            if not matches:  # the tail of a short frame, or garbage: skip it
                log.warning("skipped %d bytes without a Content-Length header", end + 4)
                del self._buf[: end + 4]
                continue
            if matches[-1].start():
                log.warning("skipped %d bytes before a header", matches[-1].start())
            return end + 4, int(matches[-1].group(1))

    async def frames(self) -> AsyncIterator[bytes | Decoded]:
        """Frame bodies until the stream ends (a big didOpen already parsed: :mod:`bigtext`)."""
        while True:
            header = self._next_header()
            if header is None:
                if not await self._more():
                    return
                continue
            start, length = header
            if length > MAX_FRAME:
                log.warning("refused a frame of %d bytes (at most %d)", length, MAX_FRAME)
                del self._buf[:start]  # its body is skipped as garbage up to the next header
                continue
            searched = start
            self.big_frame = length >= BIG_FRAME
            # A big frame is most likely a didOpen: its text is decoded as it arrives.
            stream = TextStream(self._sink(length)) if length >= STREAM_FRAME else None
            try:
                while True:
                    early = self._early_end(start, searched, start + length)
                    if early is not None:
                        log.warning("a frame declared %d bytes but held %d", length, early - start)
                        length = early - start
                        if stream is not None:
                            stream.cancel()
                        stream = None
                        break
                    if len(self._buf) >= start + length:
                        break
                    searched = max(start, len(self._buf) - 256)  # a header cut by the read is seen again
                    if not await self._more():
                        return
                    if stream is not None:
                        stream.feed(self._buf, start, min(len(self._buf), start + length))
                self.big_frame = False
                decoded = stream.finish(self._buf, start, length) if stream is not None else None
                stream = None
            finally:
                if stream is not None:  # the stream ended (or this reader was closed) mid-frame
                    stream.cancel()
            if decoded is not None:
                del self._buf[: start + length]
                yield decoded
                del decoded
                continue
            # Not kept in a local: this generator waits for the next frame between messages,
            # and a local would hold the last body (a 50 MB didOpen) until then.
            yield self._take(start, length)

    def _take(self, start: int, length: int) -> bytes:
        with memoryview(self._buf) as view:  # one copy (a bytearray slice would be two)
            body = bytes(view[start : start + length])
        del self._buf[: start + length]
        return body

    async def _more(self) -> bool:
        chunk = await self._read()
        self._buf += chunk
        return bool(chunk)

    def _early_end(self, start: int, searched: int, limit: int) -> int | None:
        """Where a body ends before its declared length: a header right after a JSON value
        (a header line ends in a raw line break, which no JSON string holds)."""
        end = limit + len(_EARLY) - 2  # a header at ``limit`` itself is the declared end
        pos = self._buf.find(_EARLY, searched, end)
        while pos >= 0:
            head = pos + 1
            if _LENGTH.match(self._buf, head):
                try:
                    json.loads(self._buf[start:head])
                except (ValueError, RecursionError):
                    pass
                else:
                    return head
            pos = self._buf.find(_EARLY, pos + 1, end)
        return None


PIPE_SIZE = 1 << 20  # bytes a pipe holds (Linux's default 64 KB cut a big didOpen in 800 reads)


def _widen_pipe(fd: int) -> None:
    """Let the client write up to PIPE_SIZE bytes at once into a stdin pipe (Linux; others
    keep their size). Best effort: a limit below PIPE_SIZE leaves the pipe as it is."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:
        return
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, setsize, PIPE_SIZE)
    except OSError:
        pass


def _read_available(fd: int) -> bytes:
    """One blocking read, then what else is already waiting, up to READ_SIZE: each chunk
    crosses to the event loop once, so a 50 MB frame is a few dozen hand-overs, not 800."""
    chunk = os.read(fd, READ_SIZE)
    if not chunk or os.name != "posix":  # select() works on pipes on POSIX only
        return chunk
    parts, size = [chunk], len(chunk)
    while size < READ_SIZE and select.select([fd], [], [], 0)[0]:
        more = os.read(fd, READ_SIZE - size)
        if not more:  # the end of the stream: the next read returns it again
            break
        parts.append(more)
        size += len(more)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _pump(
    stream: BinaryIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes], slots: threading.Semaphore
) -> None:
    """Read the stream in a daemon thread (a blocked read never holds up the exit). The
    file descriptor is read directly: a daemon thread blocked inside a buffered reader
    holds its lock, and the interpreter aborts on that lock at exit. The thread reads ahead
    of the event loop, up to ``slots`` chunks: while the loop decodes a big frame, the rest
    of it keeps coming in (waiting for the loop after each chunk made the two take turns)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        fd = -1
    if fd >= 0:
        _widen_pipe(fd)
    while True:
        try:
            chunk = _read_available(fd) if fd >= 0 else stream.read(1)
        except (OSError, ValueError):
            chunk = b""
        slots.acquire()  # released when the loop takes a chunk: at most READ_AHEAD wait
        try:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)  # in order, never blocks
        except RuntimeError:  # the loop is gone
            return
        if not chunk:
            return


READ_AHEAD = 64  # chunks (of up to READ_SIZE bytes) read before the event loop takes them


async def serve(
    stop: threading.Event,
    read: Callable[[], Awaitable[bytes]],
    protocol: JsonRPCProtocol,
    initial: bytes = b"",
) -> None:
    """The message loop over any byte source (in place of ``pygls.io_.run_async``), starting
    with ``initial``. The reader is the protocol's ``frame_reader`` (the workspace scan waits
    for a big frame)."""
    reader = FrameReader(read, initial)
    reader.piece_sink = getattr(protocol, "piece_sink", None)
    protocol.frame_reader = reader  # type: ignore[attr-defined]
    async for body in reader.frames():
        deliver(protocol, body)
        del body  # not held while the next frame is awaited (a big didOpen's 50 MB)
        if stop.is_set():
            return
        await asyncio.sleep(0)  # tasks the message started run before the next message, as in pygls


async def serve_stream(
    stop: threading.Event, stream: BinaryIO, protocol: JsonRPCProtocol, initial: bytes = b""
) -> None:
    """The message loop over a blocking stream (stdin), read in a daemon thread, after the
    ``initial`` bytes already read from it."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    slots = threading.Semaphore(READ_AHEAD)
    loop = asyncio.get_running_loop()
    args = (stream, loop, queue, slots)
    threading.Thread(target=_pump, args=args, daemon=True, name="errsig-stdin").start()

    async def read() -> bytes:
        chunk = await queue.get()
        slots.release()
        return chunk

    await serve(stop, read, protocol, initial)
