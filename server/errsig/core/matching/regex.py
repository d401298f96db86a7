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
    source: str
    case_insensitive: bool
    _re: object

    def hits(self, text: str) -> Iterator[Hit]:
        for m in self._re.finditer(text):  # type: ignore[attr-defined]
            if m.end() == m.start():
                continue
            groups = {k: v for k, v in m.groupdict().items() if v}
            yield Hit(m.start(), m.end(), groups)


def compile_pattern(pattern: str, case_insensitive: bool = False) -> CompiledRegex:
    """Compile a record's pattern with RE2 (linear time); Python ``re`` syntax is checked first."""
    try:  # Python's parser checks the syntax (records are written for Python re)
        inline_ci = is_case_insensitive(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError(f"regex does not compile: {exc}") from None
    options = re2.Options()
    options.case_sensitive = not case_insensitive
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        raise PatternError(
            f"regex uses a feature that cannot run in linear time (RE2 refused it: {exc})"
        ) from None
    return CompiledRegex(pattern, case_insensitive or inline_ci, compiled)
