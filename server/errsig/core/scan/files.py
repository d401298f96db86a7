"""Scanning files on disk: any size, binary detection, and growing logs.

``scan_file`` reads in chunks cut at line boundaries, so memory stays bounded on
gigabyte logs. :class:`TailState` remembers how far a growing file was scanned; when the
file grows, only the new tail (plus the previous line, for hard wraps) is read and
scanned — the cost follows the appended bytes, not the file size.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import attrs

from errsig.core.scan.findings import Finding
from errsig.core.scan.logscan import LogScanner
from errsig.core.scan.resolve import resolve

CHUNK = 32 << 20
PARALLEL_MIN = 64 << 20  # bytes; below this, starting worker processes costs more than it saves
_LONE_CR = re.compile(rb"\r(?!\n)")
BINARY_SNIFF = 8192
HEAD_FINGERPRINT = 256


class BinaryFileError(ValueError):
    """The file looks binary (NUL bytes near its start); it is not scanned."""


def looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM is text
        return False
    return b"\0" in head[:BINARY_SNIFF]


def _read_full(fh: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: a pipe or FIFO may hand them over in several reads."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        block = fh.read(size - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _utf8_chunks(fh: BinaryIO, head: bytes) -> Iterator[bytes]:
    """The stream as UTF-8 chunks of at most about ``CHUNK`` bytes: UTF-16 (PowerShell's
    ``>``) is decoded on the way, so memory stays bounded for every input kind."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        decoder = codecs.getincrementaldecoder("utf-16")("replace")
        yield decoder.decode(head).encode("utf-8")
        while block := fh.read(CHUNK):
            yield decoder.decode(block).encode("utf-8")
        yield decoder.decode(b"", final=True).encode("utf-8")
        return
    yield head
    while block := fh.read(CHUNK):
        yield block


def _scan_chunks(scanner: LogScanner, chunks: Iterable[bytes], start_line: int) -> list[Finding]:
    """Raw findings of a stream of chunks, each scanned up to its last complete line."""
    findings: list[Finding] = []
    carry = b""  # the last (possibly incomplete) line of the previous chunk
    line = start_line
    for block in chunks:
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut <= 0:
            carry = data
            continue
        findings.extend(scanner.scan_bytes(data[:cut], line, raw_findings=True))
        line += data.count(b"\n", 0, cut)
        carry = data[cut:]
    if carry:
        findings.extend(scanner.scan_bytes(carry, line, raw_findings=True))
    return findings


def _last_bytes(chunks: Iterable[bytes], max_bytes: int) -> tuple[bytes, int]:
    """The last ``max_bytes`` of a stream, from a line start, and the number of lines before
    them: the stream is read once, keeping at most about twice ``max_bytes``."""
    tail = bytearray()
    skipped_lines = 0
    dropped = False
    for block in chunks:
        tail += block
        if len(tail) > 2 * max_bytes:
            cut = len(tail) - max_bytes
            skipped_lines += tail.count(b"\n", 0, cut)
            del tail[:cut]
            dropped = True
    if len(tail) > max_bytes:
        cut = len(tail) - max_bytes
        skipped_lines += tail.count(b"\n", 0, cut)
        del tail[:cut]
        dropped = True
    if dropped:  # start at a line boundary: the cut line is not scanned half
        nl = tail.find(b"\n")
        if nl < 0:
            return b"", skipped_lines
        del tail[: nl + 1]
        skipped_lines += 1
    return bytes(tail), skipped_lines


def scan_stream(
    scanner: LogScanner, fh: BinaryIO, name: str, *, max_bytes: int | None = None
) -> list[Finding]:
    """Findings of an open binary stream (a file, a FIFO, stdin, a device). With ``max_bytes``
    only the last ``max_bytes`` are scanned, line numbers still counting from the start."""
    head = _read_full(fh, BINARY_SNIFF)
    if looks_binary(head):
        raise BinaryFileError(f"{name}: binary input, not scanned")
    chunks = _utf8_chunks(fh, head)
    if max_bytes is None:
        return resolve(_scan_chunks(scanner, chunks, 0))
    tail, first_line = _last_bytes(chunks, max_bytes)
    return resolve(_scan_chunks(scanner, [tail], first_line))


def scan_file(
    scanner: LogScanner, path: Path, *, max_bytes: int | None = None, jobs: int = 1
) -> list[Finding]:
    """Findings of a file, FIFO or device; with ``max_bytes`` only its last bytes are scanned
    (a regular file is read from there, its earlier lines only counted). ``jobs``: worker
    processes for a big regular file (0: one per available core; see :mod:`.parallel`)."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if jobs != 1 and max_bytes is None and stat.S_ISREG(st.st_mode):
            found = _scan_parallel(scanner, fh, path, st.st_size, jobs)
            if found is not None:
                return found
            fh.seek(0)
        if max_bytes is not None and stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
            head = _read_full(fh, BINARY_SNIFF)
            if looks_binary(head):
                raise BinaryFileError(f"{path}: binary file, not scanned")
            if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                return _scan_regular_tail(scanner, fh, st.st_size, max_bytes)
            fh.seek(0)
        return scan_stream(scanner, fh, str(path), max_bytes=max_bytes)


def _scan_parallel(
    scanner: LogScanner, fh: BinaryIO, path: Path, size: int, jobs: int
) -> list[Finding] | None:
    """The findings of a big plain file scanned by worker processes (None: scan serially)."""
    if size < PARALLEL_MIN:
        return None
    from errsig.core.scan import parallel  # noqa: PLC0415 (only for big files: multiprocessing)

    if not parallel.can_fork():
        return None
    head = _read_full(fh, BINARY_SNIFF)
    if looks_binary(head):
        raise BinaryFileError(f"{path}: binary file, not scanned")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 is decoded on the way, serially
    ranges = parallel.chunk_bounds(path, size, BINARY_SNIFF, CHUNK)
    workers = min(jobs if jobs > 0 else parallel.available_cpus(), len(ranges))
    if workers < 2:
        return None
    return resolve(parallel.scan_ranges(scanner, path, ranges, workers))


def _scan_regular_tail(scanner: LogScanner, fh: BinaryIO, size: int, max_bytes: int) -> list[Finding]:
    start = size - max_bytes
    fh.seek(0)
    lines = 0
    done = 0
    while done < start:  # count the lines before the tail without keeping them
        block = fh.read(min(CHUNK, start - done))
        if not block:
            break
        lines += block.count(b"\n")
        done += len(block)
    fh.seek(start)
    rest = fh.readline()  # the cut line is not scanned half
    if rest.endswith(b"\n"):
        lines += 1
    return resolve(_scan_chunks(scanner, iter(lambda: fh.read(CHUNK), b""), lines))


@attrs.define
class TailState:
    """How far a growing file has been scanned."""

    offset: int = 0  # bytes consumed (always at a line start)
    line: int = 0  # line number at ``offset``
    prev_line_start: int = 0  # byte offset of the line before ``offset`` (for wraps)
    size: int = 0
    inode: int | None = None
    findings: list[Finding] = attrs.field(factory=list)
    truncated_head: bool = False  # the file was too big: line numbers count from the tail
    head: bytes = b""  # the file's first bytes: a rewritten file is scanned anew
    mark: bytes = b""  # the bytes just before ``offset``: the same head and a bigger size
    # is still a rewrite (`cmd > build.log` run again) when these changed
    line_texts: dict[int, str] = attrs.field(factory=dict)  # text of the lines findings are on


def lone_cr_to_lf(data: bytes) -> bytes:
    """Editors end a line at a lone CR too; same length, so offsets stay valid."""
    return _LONE_CR.sub(b"\n", data) if b"\r" in data else data


def scan_growing(
    scanner: LogScanner,
    path: Path,
    state: TailState | None,
    *,
    max_bytes: int | None = None,
    editor_lines: bool = False,
) -> TailState:
    """Bring ``state`` up to date with ``path``: scan only what was appended since.

    A file that shrank or was replaced is scanned again from the start.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise BinaryFileError(f"{path}: not a regular file, not scanned")
    rewritten = False
    if state is not None and (state.head or state.mark):
        with open(path, "rb") as fh:
            rewritten = fh.read(len(state.head)) != state.head
            if not rewritten and state.mark and st.st_size >= state.offset:
                fh.seek(state.offset - len(state.mark))
                rewritten = fh.read(len(state.mark)) != state.mark
    if (
        state is None
        or rewritten
        or st.st_size < state.size
        or (state.inode is not None and st.st_ino != state.inode)
    ):
        state = TailState(inode=st.st_ino)
        if max_bytes is not None and st.st_size > max_bytes:
            with open(path, "rb") as fh:
                fh.seek(st.st_size - max_bytes)
                fh.readline()
                state.offset = state.prev_line_start = fh.tell()
                state.truncated_head = True
    with open(path, "rb") as fh:
        if state.offset == 0 and st.st_size:
            first = fh.read(BINARY_SNIFF)
            if looks_binary(first):
                raise BinaryFileError(f"{path}: binary file, not scanned")
            state.head = first[:HEAD_FINGERPRINT]
        while state.offset < st.st_size:
            fh.seek(state.prev_line_start)
            context = fh.read(state.offset - state.prev_line_start)
            tail = fh.read(min(CHUNK, st.st_size - state.offset))
            if not _advance(scanner, state, context, tail, editor_lines):
                break
        if state.offset:
            keep = min(state.offset, HEAD_FINGERPRINT)
            fh.seek(state.offset - keep)
            state.mark = fh.read(keep)
    return state


def _advance(scanner: LogScanner, state: TailState, context: bytes, tail: bytes, editor_lines: bool) -> bool:
    """Scan the complete lines of ``tail``; False when it holds no complete line yet."""
    if editor_lines:
        context, tail = lone_cr_to_lf(context), lone_cr_to_lf(tail)
    cut = tail.rfind(b"\n") + 1
    if cut == 0:
        return False
    tail = tail[:cut]
    ctx_lines = context.count(b"\n")
    new = scanner.scan_bytes(context + tail, state.line - ctx_lines, raw_findings=True)
    seen = {(g.id, g.line, g.col) for g in state.findings}
    new = [f for f in new if f.end_line >= state.line and (f.id, f.line, f.col) not in seen]
    if new:
        state.findings = resolve([*state.findings, *new])
        for f in new:
            state.line_texts.update(f.texts)
    last_nl = tail.rfind(b"\n", 0, len(tail) - 1)
    state.prev_line_start = state.offset + last_nl + 1 if last_nl >= 0 else state.offset
    state.line += tail.count(b"\n")
    state.offset += cut
    state.size = state.offset
    return True


MAX_DRAFT_READ = 256 << 20


def read_bounded(path: Path, limit: int = MAX_DRAFT_READ) -> bytes:
    """The first ``limit`` bytes of a regular file (a FIFO or device is refused, so the
    read cannot block); raises OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read(limit)
