"""Scanning files on disk: any size, binary detection, and growing logs.

``scan_file`` reads in chunks cut at line boundaries, so memory stays bounded on
gigabyte logs. :class:`TailState` remembers how far a growing file was scanned; when the
file grows, only the new tail (plus the previous line, for hard wraps) is read and
scanned — the cost follows the appended bytes, not the file size.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import attrs

from errsig.core.scan.findings import Finding
from errsig.core.scan.logscan import LogScanner
from errsig.core.scan.resolve import resolve

CHUNK = 32 << 20
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


def decode_utf16_if_needed(data: bytes) -> bytes:
    """PowerShell's ``>`` writes UTF-16; turn it into UTF-8 so the scanner sees text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace").encode("utf-8")
    return data


def _scan_chunks(
    scanner: LogScanner, fh: object, start_line: int, limit: int | None
) -> tuple[list[Finding], int, int]:
    """Scan an open binary file from its current position; returns (raw findings, lines, bytes)."""
    read = fh.read  # type: ignore[attr-defined]
    findings: list[Finding] = []
    carry = b""  # the last (possibly incomplete) line of the previous chunk
    carry_line = start_line
    consumed = 0
    while True:
        size = CHUNK if limit is None else min(CHUNK, limit - consumed)
        block = read(size) if size > 0 else b""
        consumed += len(block)
        data = carry + block
        if not data:
            break
        at_end = not block
        cut = len(data) if at_end else data.rfind(b"\n") + 1
        if cut <= 0:
            carry = data
            continue
        part = data[:cut]
        findings.extend(scanner.scan_bytes(part, carry_line, raw_findings=True))
        newlines = part.count(b"\n")
        carry = data[cut:]
        carry_line += newlines
        if at_end:
            break
    return findings, carry_line, consumed


def scan_file(scanner: LogScanner, path: Path, *, max_bytes: int | None = None) -> list[Finding]:
    """Findings of a file on disk; files over ``max_bytes`` are scanned from the tail."""
    with open(path, "rb") as fh:
        head = fh.read(BINARY_SNIFF)
        if looks_binary(head):
            raise BinaryFileError(f"{path}: binary file, not scanned")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            fh.seek(0)
            return scanner.scan_bytes(decode_utf16_if_needed(fh.read()))
        size = os.fstat(fh.fileno()).st_size
        first_line = 0
        if max_bytes is not None and size > max_bytes:
            fh.seek(size - max_bytes)
            fh.readline()  # start at a line boundary; line numbers count from here
            first_line = 0
        else:
            fh.seek(0)
        findings, _, _ = _scan_chunks(scanner, fh, first_line, None)
    return resolve(findings)


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
    if state is not None and state.head:
        with open(path, "rb") as fh:
            rewritten = fh.read(len(state.head)) != state.head
    else:
        rewritten = False
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
