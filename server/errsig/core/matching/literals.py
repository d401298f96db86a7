"""Required literals of a regex, for the prefilter in front of the full patterns.

``required_literals(pattern)`` parses the pattern with Python's own regex parser and
returns, for each top-level alternative, the literal runs that any match of that
alternative must contain. The engine registers the longest run of every alternative
(and a second one, so a hard wrap inside one literal still leaves the other whole).
``None`` means some alternative has no usable literal: the pattern must run on every line.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

MIN_LITERAL = 4
_MAX_ALTERNATIVES = 64

Alternatives = list[list[str]]


def _cross(left: Alternatives, right: Alternatives) -> Alternatives:
    if len(left) * len(right) > _MAX_ALTERNATIVES:
        # Too many combinations: keep the side that says more.
        return left if _best_len(left) >= _best_len(right) else right
    return [a + b for a in left for b in right]


def _best_len(alts: Alternatives) -> int:
    return min((max((len(r) for r in alt), default=0) for alt in alts), default=0)


def _walk(items: Any, fold: bool) -> tuple[Alternatives, str | None]:
    """Alternatives of a parsed sequence, and the sequence as a plain string if it is one."""
    alts: Alternatives = [[]]
    run: list[str] = []
    pure = True

    def flush() -> None:
        if run:
            text = "".join(run)
            for alt in alts:
                alt.append(text)
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            run.append(ch.lower() if fold else ch)
            continue
        if op is _c.AT:
            continue
        if op is _c.SUBPATTERN:
            sub_fold = fold or bool(av[1] & re.IGNORECASE)
            inner, inner_pure = _walk(av[3], sub_fold)
            if inner_pure is not None:
                run.append(inner_pure)
                continue
            pure = False
            flush()
            alts = _cross(alts, inner)
            continue
        pure = False
        if op is _c.BRANCH:
            flush()
            union: Alternatives = []
            for branch in av[1]:
                union.extend(_walk(branch, fold)[0])
            alts = _cross(alts, union[:_MAX_ALTERNATIVES])
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, body = av
            flush()
            if low >= 1:
                alts = _cross(alts, _walk(body, fold)[0])
            continue
        if op is _c.IN and len(av) == 1 and av[0][0] is _c.LITERAL:
            ch = chr(av[0][1])
            run.append(ch.lower() if fold else ch)
            continue
        flush()
    flush()
    return alts, ("".join(alts[0]) if pure and len(alts) == 1 else None)


@functools.lru_cache(maxsize=8192)
def _parse(pattern: str, flags: int) -> Any:
    """Python's parse of a pattern (cached: loading checks and analyses each pattern)."""
    return _p.parse(pattern, flags)


def required_literals(pattern: str, flags: int = 0) -> list[list[str]] | None:
    """Per alternative, the literal runs (longest first) that a match must contain."""
    parsed = _parse(pattern, flags)
    fold = bool((flags | parsed.state.flags) & re.IGNORECASE)
    alts, _ = _walk(parsed, fold)
    out: list[list[str]] = []
    for alt in alts:
        runs = sorted({r.strip() if r.strip() else r for r in alt}, key=len, reverse=True)
        runs = [r for r in runs if len(r) >= MIN_LITERAL]
        if not runs:
            return None
        out.append(runs)
    return out


def choose_literals(alts: list[list[str]], frequency: Callable[[str], int] | None = None) -> list[str]:
    """One literal per alternative: the rarest in ordinary logs, then the longest."""
    chosen: list[str] = []
    for runs in alts:
        best = min(runs, key=lambda r: ((frequency(r) if frequency else 0), -len(r)))
        if best not in chosen:
            chosen.append(best)
    return chosen


def is_case_insensitive(pattern: str, flags: int = 0) -> bool:
    """Whether the pattern turns on IGNORECASE inline; raises ``re.error`` on bad syntax."""
    return bool((flags | _parse(pattern, flags).state.flags) & re.IGNORECASE)


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
# Kana, CJK ideographs (with extension A) and Hangul. Counted by code point: a compiled
# character class over these ranges cost 3 ms of every start-up.
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))


def _cjk_count(text: str) -> int:
    if text.isascii():
        return 0
    return sum(1 for ch in text if any(lo <= ord(ch) <= hi for lo, hi in _CJK_RANGES))


DISTINCTIVE_CHARS = 12


def distinctive(run: str) -> bool:
    """A literal that names an error rather than a topic: at least 12 characters and two words
    (or four CJK characters). An exception or product name alone (``ConfigException``,
    ``kafka``), a bare word (``invalid``) or a number (``503``) is not."""
    run = run.strip()
    if _cjk_count(run) >= 4:
        return True
    return len(run) >= DISTINCTIVE_CHARS and len(_ASCII_WORD.findall(run)) >= 2


def weak_alternative(alts: list[list[str]] | None) -> str | None:
    """The literal of the first alternative of a pattern that holds no distinctive literal
    (``"(no literal)"`` when the pattern has none), or None when every alternative has one."""
    if alts is None:
        return "(no literal)"
    for runs in alts:
        if not any(distinctive(r) for r in runs):
            return runs[0] if runs else "(no literal)"
    return None
