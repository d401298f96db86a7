"""Compiling signature regexes: every pattern, built-in or from a pack, runs under RE2.

RE2 runs in time linear in the input: no pattern, however written, can hang the
scanner with catastrophic backtracking. Patterns are written in Python ``re`` syntax
(Python's parser checks them and finds their literals); a pattern RE2 cannot run
(backreferences, lookarounds) is refused with a reason rather than run unsafely.
RE2's ``\\w``, ``\\d`` and ``\\b`` are ASCII-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs
import re2

from errsig.core.matching.literals import is_case_insensitive

MAX_PROGRAM_MEMORY = 8 << 20  # bytes of RE2 program per pattern


@attrs.define(frozen=True)
class Hit:
    start: int
    end: int
    groups: dict[str, str]


class PatternError(ValueError):
    """A pattern that cannot be compiled (or cannot be compiled safely)."""


@attrs.define
class CompiledRegex:
    """A record's pattern under RE2. ``_re`` is None until first used when the pattern is
    known to compile (the built-in catalogue: its tests compile every pattern), so a command
    that scans nothing does not pay for compiling the catalogue."""

    source: str
    case_insensitive: bool
    _compiled: object
    _case_sensitive_option: bool = True
    _group_cache: list[tuple[str, int]] | None = attrs.field(init=False, default=None)

    @property
    def _re(self) -> object:
        if self._compiled is None:
            try:
                self._compiled = _re2_compile(self.source, self._case_sensitive_option)
            except re2.error:  # a stale cache said it compiled: it matches nothing
                self._compiled = _re2_compile(r"[^\s\S]", True)
        return self._compiled

    @property
    def _groups(self) -> list[tuple[str, int]]:
        if self._group_cache is None:
            self._group_cache = sorted(self._re.groupindex.items(), key=lambda kv: kv[1])  # type: ignore[attr-defined]
        return self._group_cache

    def hits(self, text: str) -> Iterator[Hit]:
        """Non-empty matches in ``text``, in code-point offsets, with their non-empty named groups.

        RE2's own ``Match`` runs on the UTF-8 bytes (the ``re2`` module's ``finditer``
        costs several times more per call); offsets go back to code points in one pass."""
        data = text.encode("utf-8", "surrogatepass")
        match = self._re._regexp.Match  # type: ignore[attr-defined]
        ascii_only = len(data) == len(text)
        pos, end = 0, len(data)
        byte_at, char_at = 0, 0  # the last byte offset turned into a code-point offset

        def chars(offset: int) -> int:
            nonlocal byte_at, char_at
            if not ascii_only:
                char_at += len(data[byte_at:offset].decode("utf-8", "surrogatepass"))
                byte_at = offset
                return char_at
            return offset

        while pos <= end:
            spans = match(UNANCHORED, data, pos, end)
            start, stop = spans[0]
            if start < 0:
                return
            if stop == start:  # an empty match: step over one character
                pos = stop + 1
                while pos < end and data[pos] & 0xC0 == 0x80:
                    pos += 1
                continue
            groups = {
                name: data[a:b].decode("utf-8", "replace")
                for name, k in self._groups
                if (a := spans[k][0]) >= 0 and (b := spans[k][1]) > a
            }
            yield Hit(chars(start), chars(stop), groups)
            pos = stop


UNANCHORED = re2._Anchor.UNANCHORED  # for raw RE2 calls (`program.Match(UNANCHORED, data, pos, end)`)


def _re2_compile(pattern: str, case_sensitive: bool) -> object:
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.max_mem = MAX_PROGRAM_MEMORY
    return re2.compile(pattern, options)


def compile_pattern(
    pattern: str, case_insensitive: bool = False, *, inline_ci: bool | None = None, lazy: bool = False
) -> CompiledRegex:
    """Compile a record's pattern with RE2 (linear time); Python ``re`` syntax is checked first
    (``inline_ci``: the caller already parsed it and says whether it folds case inline)."""
    if inline_ci is None:
        try:  # Python's parser checks the syntax (records are written for Python re)
            inline_ci = is_case_insensitive(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise PatternError(f"regex does not compile: {exc}") from None
    if lazy:  # ``lazy``: the caller knows RE2 accepts it (compiled on first use)
        return CompiledRegex(pattern, case_insensitive or inline_ci, None, not case_insensitive)
    try:
        compiled = _re2_compile(pattern, not case_insensitive)
    except re2.error as exc:
        raise PatternError(
            f"regex uses a feature that cannot run in linear time (RE2 refused it: {exc})"
        ) from None
    return CompiledRegex(pattern, case_insensitive or inline_ci, compiled, not case_insensitive)


def raw_spans(program: object, data: bytes, *, next_line: bool = False) -> list[tuple[int, int]]:
    """Matches of a low-level RE2 program (``compiled._regexp``) in ``data``, at most one
    per line; with ``next_line`` a match may run into the following line, and the search
    goes on from that line. The raw engine call: match objects cost more than the search."""
    out = []
    match = program.Match  # type: ignore[attr-defined]
    pos, size = 0, len(data)
    while pos < size:
        span = match(UNANCHORED, data, pos, size)[0]
        if span[0] < 0:
            break
        out.append(span)
        pos = (data.rfind(b"\n", span[0], span[1]) + 1) if next_line else span[1] + 1
    return out
