"""Fixes as plain data: text edits on files, and commands to run.

Nothing here knows about the Language Server Protocol; the LSP layer turns a :class:`Fix`
into a code action (``WorkspaceEdit`` with ``TextDocumentEdit``/``CreateFile``) and the CLI
can apply it with :func:`apply_edits`.

Positions are 0-based lines and 0-based columns counted in Unicode code points (Python
``str`` indices). Lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as in LSP. ``end`` is exclusive.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from pathlib import Path
from typing import Literal, NamedTuple

import attrs

FixKind = Literal["pipconf", "requirements", "script", "command"]
FIX_KINDS: tuple[FixKind, ...] = ("pipconf", "requirements", "script", "command")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class ConfSetting(NamedTuple):
    """One pip.conf setting: ``[section] key = value`` (``('global', 'timeout', '120')``)."""

    section: str
    key: str
    value: str


@attrs.define(frozen=True)
class TextEdit:
    """Replace the range ``(start_line, start_col)`` to ``(end_line, end_col)`` with ``new_text``.

    An insertion has an empty range. Columns are Unicode code points."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    new_text: str

    @classmethod
    def insert(cls, line: int, col: int, text: str) -> TextEdit:
        return cls(line, col, line, col, text)


@attrs.define
class FileEdit:
    """Edits to one file.

    ``create`` is true when the file does not exist: it must be created, and its content is
    the result of applying ``edits`` to an empty document (which is also ``new_content``).
    For an existing file ``new_content`` is the expected text after the edits (for previews
    and for writing the file from the CLI); editors apply ``edits``.
    """

    path: Path
    create: bool
    edits: list[TextEdit]
    new_content: str | None = None


@attrs.define
class Fix:
    """One way to fix a finding.

    ``kind`` is ``pipconf`` (edit or create a pip configuration file), ``requirements`` (edit a
    requirements file), ``script`` (edit a pip invocation in a script, Dockerfile, CI file,
    Makefile or tox.ini) or ``command`` (a command to run or copy; ``edits`` is empty).
    ``needs_input`` is true when the edit or command still holds placeholders such as
    ``<user>:<password>`` that the user must fill in. ``risk`` says, in a few words, what a
    fix does that a user should know about before accepting it (third-party index, TLS
    verification disabled for a host, proxy); a risky fix is never ``preferred``.
    """

    title: str
    kind: FixKind
    preferred: bool
    edits: list[FileEdit]
    command: str | None = None
    needs_input: bool = False
    risk: str | None = None
    source: str | None = None  # the workaround's action it came from (its outcome id)


# ---------------------------------------------------------------------------------------
# Positions and edits on plain strings.


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (line breaks as in LSP)."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def offset_to_position(starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect_right(starts, offset) - 1
    return line, offset - starts[line]


def position_to_offset(text: str, starts: list[int], line: int, col: int) -> int:
    """Offset of a position; a column past the end of its line is clamped to the line's end."""
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content_end = end
    while content_end > start and text[content_end - 1] in "\r\n":
        content_end -= 1
    return min(start + col, content_end)


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """The text after applying non-overlapping ``edits`` (all relative to the original)."""
    starts = line_starts(text)
    spans = []
    for e in edits:
        a = position_to_offset(text, starts, e.start_line, e.start_col)
        b = position_to_offset(text, starts, e.end_line, e.end_col)
        if b < a:
            raise ValueError(f"edit ends before it starts: {e}")
        spans.append((a, b, e.new_text))
    spans.sort(key=lambda s: (s[0], s[1]))
    out = []
    pos = 0
    for a, b, new in spans:
        if a < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def edit_for_span(
    text: str, start: int, end: int, new_text: str, starts: list[int] | None = None
) -> TextEdit:
    """A :class:`TextEdit` replacing ``text[start:end]`` (offsets) with ``new_text``."""
    st = starts if starts is not None else line_starts(text)
    sl, sc = offset_to_position(st, start)
    el, ec = offset_to_position(st, end)
    return TextEdit(sl, sc, el, ec, new_text)


def diff_edits(old: str, new: str) -> list[TextEdit]:
    """A small list of edits that turns ``old`` into ``new``.

    Lines are compared first; within a changed block, a changed line is paired with its
    new version and trimmed to the word(s) that differ, so replacing a value in place
    yields an edit covering only that value, and added lines are plain insertions."""
    if old == new:
        return []
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_offsets = [0]
    for ln in old_lines:
        old_offsets.append(old_offsets[-1] + len(ln))
    starts = line_starts(old)
    edits: list[TextEdit] = []

    def emit(i1: int, i2: int, chunk_new: str) -> None:
        a, b = old_offsets[i1], old_offsets[i2]
        p, s = _trim(old[a:b], chunk_new)
        edits.append(edit_for_span(old, a + p, b - s, chunk_new[p : len(chunk_new) - s], starts))

    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace":
            emit(i1, i2, "".join(new_lines[j1:j2]))
            continue
        i, j = i1, j1
        pending_new: list[str] = []
        pending_at = i
        while i < i2 or j < j2:
            if i < i2 and j < j2 and _similar(old_lines[i], new_lines[j]):
                if pending_new or pending_at < i:
                    emit(pending_at, i, "".join(pending_new))
                emit(i, i + 1, new_lines[j])
                i += 1
                j += 1
                pending_new, pending_at = [], i
            elif j < j2 and (i >= i2 or any(_similar(old_lines[i], n) for n in new_lines[j + 1 : j2])):
                pending_new.append(new_lines[j])
                j += 1
            else:
                i += 1
        if pending_new or pending_at < i:
            emit(pending_at, i, "".join(pending_new))
    return edits


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() >= 0.5


def _trim(chunk_old: str, chunk_new: str) -> tuple[int, int]:
    """Lengths of the common prefix and suffix, widened to whole words, never splitting CRLF."""
    p = 0
    limit = min(len(chunk_old), len(chunk_new))
    while p < limit and chunk_old[p] == chunk_new[p]:
        p += 1
    s = 0
    while s < limit - p and chunk_old[len(chunk_old) - 1 - s] == chunk_new[len(chunk_new) - 1 - s]:
        s += 1
    # widen to whole words so that a value is replaced as a whole (15 -> 120, not 5 -> 20)
    while (
        p > 0
        and _is_word(chunk_old[p - 1])
        and (
            (p < len(chunk_old) and _is_word(chunk_old[p])) or (p < len(chunk_new) and _is_word(chunk_new[p]))
        )
    ):
        p -= 1
    while (
        s > 0
        and _is_word(chunk_old[len(chunk_old) - s])
        and (
            (s < len(chunk_old) - p and _is_word(chunk_old[len(chunk_old) - 1 - s]))
            or (s < len(chunk_new) - p and _is_word(chunk_new[len(chunk_new) - 1 - s]))
        )
    ):
        s -= 1
    if 0 < p < len(chunk_old) and chunk_old[p - 1] == "\r" and chunk_old[p] == "\n":
        p -= 1
    if (
        0 < s < len(chunk_old)
        and chunk_old[len(chunk_old) - s - 1] == "\r"
        and chunk_old[len(chunk_old) - s] == "\n"
    ):
        s -= 1
    return p, s


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "._-"


def dominant_newline(text: str) -> str:
    """``\\r\\n`` when most line breaks of ``text`` are CRLF, else ``\\n``."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"
