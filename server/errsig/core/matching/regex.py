"""Compiling signature regexes according to how far their author is trusted.

Built-in records are ours and compile with Python's ``re``. Patterns from user packs
compile with RE2, which runs in time linear in the input: no pattern, however written,
can hang the scanner with catastrophic backtracking. A user pattern that RE2 cannot
run (backreferences, lookarounds) is refused with a reason rather than run unsafely.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

import attrs
import re2

from errsig.core.matching.literals import is_case_insensitive


class Regex(Protocol):
    def finditer(self, text: str) -> Iterator[re.Match[str]]: ...


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
    safe: bool
    _re: object

    def hits(self, text: str) -> Iterator[Hit]:
        for m in self._re.finditer(text):  # type: ignore[attr-defined]
            if m.end() == m.start():
                continue
            groups = {k: v for k, v in m.groupdict().items() if v}
            yield Hit(m.start(), m.end(), groups)


def compile_trusted(pattern: str, case_insensitive: bool = False) -> CompiledRegex:
    """Compile a built-in record's pattern with Python ``re``."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE if case_insensitive else 0)
    except re.error as exc:
        raise PatternError(f"regex does not compile: {exc}") from None
    return CompiledRegex(pattern, case_insensitive or bool(compiled.flags & re.IGNORECASE), False, compiled)


def compile_safe(pattern: str, case_insensitive: bool = False) -> CompiledRegex:
    """Compile a user pattern with RE2 (linear time); Python ``re`` syntax is checked first."""
    try:  # Python's parser checks the syntax (records are written for Python re)
        inline_ci = is_case_insensitive(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError(f"regex does not compile: {exc}") from None
    options = re2.Options()
    options.case_sensitive = not case_insensitive
    options.max_mem = 8 << 20
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        raise PatternError(
            f"regex uses a feature that cannot run in linear time (RE2 refused it: {exc})"
        ) from None
    ci = case_insensitive or inline_ci
    return CompiledRegex(pattern, ci, True, compiled)
