"""The multi-pattern engine: a literal prefilter in front of the full regexes.

Scanning cost grows with the text, not with text x patterns:

1. one RE2 alternation of every pattern's required literals runs over the raw bytes
   (hundreds of MB/s) and yields the few candidate lines;
2. on a candidate line, an RE2 Set of the full patterns says which of them match there;
3. only those patterns' regexes run, on the line's clean view, for their positions and groups.

Patterns without a usable literal are folded into the prefilter in full; the built-in
catalogue has none, and ``errsig check-pack`` reports them for user packs. A pattern
the Set cannot hold lands in ``always`` and runs on every candidate line.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import re2

from errsig.core.matching.fast import FastPrefilter, available
from errsig.core.matching.regex import CompiledRegex

UNION_MEMORY = 256 << 20  # bytes of RE2 program for the prefilter union and the Set

# Terminal output puts colour and cursor escapes (CSI sequences) and lone control characters
# anywhere, also inside the words of a message ("Connection \x1b[1mreset\x1b[0m by peer"). On
# text holding escapes the prefilter looks for each literal with this gap allowed between any
# two of its characters: one RE2 pass, as fast as the plain one, instead of cleaning every
# coloured line first (which cost two thirds of the time on colour-dense output).
_ESCAPE = r"(?:\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f])"
ESCAPE_GAP = _ESCAPE + "*"
# The gap sits only where a colouring tool puts escapes: at a boundary of a word, not between
# two letters or digits (a gap between every two characters made the program 2.6x as big:
# ~50 MB more resident and ~150 ms more to compile). A line with an escape between two
# letters or digits is cleaned and looked at again, as the escapes below.
# Read from the line's start, escapes whole, so the final letter of one escape followed by
# another escape ("\x1b[01;35m\x1b[K") is not taken for a letter of the text.
MID_WORD_ESCAPE = "(?m:^(?:" + _ESCAPE + "|[^\x1b\n])*?[0-9A-Za-z]" + _ESCAPE + "+[0-9A-Za-z])"
# Escapes the gap does not cover (OSC titles and links, two-character escapes, a stray ESC,
# escapes written out as text inside JSON streams): a line holding one is cleaned first.
OTHER_ESCAPES = r"\x1b(?:[^\[]|\z)|\\u001[bB]|\\x1[bB]|\\033|\\e\["


@attrs.define
class Pattern:
    key: int
    regex: CompiledRegex
    literals: list[str] | None
    fold: bool = False  # its literals are common in ordinary logs: prefilter on the full regex


def _compile_set(patterns: Sequence[Pattern]) -> tuple[Any, list[int]]:
    """An RE2 Set of ``patterns`` and, by set index, their pattern indices."""
    if not patterns:
        return None, []
    options = re2.Options()
    options.max_mem = UNION_MEMORY
    rset = re2.Set.SearchSet(options)
    ids: list[int] = []
    for p in patterns:
        src = p.regex.source
        if p.regex.case_insensitive and not src.startswith("(?i)"):
            src = f"(?i:{src})"
        src = f"(?m:{src})"  # ^ and $ at line breaks: a superset of the single-line match
        try:
            if rset.Add(src) >= 0:
                ids.append(p.key)
        except re2.error:
            continue
    if not ids:
        return None, []
    try:
        rset.Compile()
    except re2.error:  # over the memory budget: the patterns run on every candidate line
        return None, []
    return rset, ids


def _offsets(program: Any, data: bytes) -> Iterator[int]:
    """Where ``program`` first matches on each line of ``data`` (one offset per line)."""
    match = program.Match
    unanchored = re2._Anchor.UNANCHORED
    pos, stop = 0, len(data)
    while pos < stop:
        span = match(unanchored, data, pos, stop)[0]
        if span[0] < 0:
            return
        yield span[0]
        nl = data.find(b"\n", span[1], stop)
        if nl < 0:
            return
        pos = nl + 1


def _compile_union(ci: Sequence[str], cs: Sequence[str], folded: Sequence[str]) -> list[Any]:
    """RE2 programs (one if it fits): case-folded literals, exact literals, and
    literal-less patterns. A union over RE2's memory budget is split in halves."""
    parts = [f"(?i:{_alternation(chunk)})" for chunk in _chunks(sorted(set(ci)))]
    parts += [_alternation(chunk) for chunk in _chunks(sorted(set(cs)))]
    parts.extend(folded)
    return _programs(parts)


def _chunks(items: Sequence[str], size: int = 512) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _programs(parts: Sequence[str]) -> list[Any]:
    if not parts:
        return []
    options = re2.Options()
    options.max_mem = UNION_MEMORY
    try:
        return [re2.compile("|".join(parts).encode("utf-8"), options)._regexp]
    except re2.error:
        if len(parts) == 1:  # each part compiled on its own once: only a budget can refuse it
            return []
        mid = len(parts) // 2
        return _programs(parts[:mid]) + _programs(parts[mid:])


def _in_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _with_gaps(literal: str, gap: str) -> str:
    out = [re2.escape(literal[0])] if literal else []
    for before, ch in itertools.pairwise(literal):
        if not (_in_word(before) and _in_word(ch)):
            out.append(gap)
        out.append(re2.escape(ch))
    return "".join(out)


def _alternation(literals: Sequence[str], gap: str = "") -> str:
    ordered = sorted(set(literals), key=len, reverse=True)
    if gap:
        return "|".join(_with_gaps(lit, gap) for lit in ordered)
    return "|".join(re2.escape(lit) for lit in ordered)


_OTHER_ESCAPE_AT = re2.compile(OTHER_ESCAPES.encode("ascii"))
_MID_WORD_ESCAPE_AT = re2.compile(MID_WORD_ESCAPE.encode("ascii"))


def other_escape_at(data: bytes, offset: int) -> bool:
    """An escape the literal gap does not cover starts at ``offset`` (a letter or digit
    followed by escapes and another letter or digit counts: the gap is not there)."""
    if _OTHER_ESCAPE_AT.match(data, offset, min(len(data), offset + 8)) is not None:
        return True
    if offset and data[offset - 1] != 0x0A:  # the mid-word check is read from a line's start
        return False
    end = data.find(b"\n", offset)
    return _MID_WORD_ESCAPE_AT.match(data, offset, len(data) if end < 0 else end) is not None


class Engine:
    """Finds, for a text, the candidate lines and the patterns worth running there."""

    def __init__(
        self, patterns: Sequence[Pattern], *, fast: bool | None = None, cache: Path | None = None
    ) -> None:
        self.patterns = list(patterns)
        self.fast: FastPrefilter | None = None
        if fast is None:
            fast = available()
        if fast:
            self.fast = FastPrefilter.build(
                [(p.key, p.regex.source, p.regex.case_insensitive) for p in self.patterns], cache
            )
        covered = self.fast.covered if self.fast else set()
        folded: list[str] = []  # patterns without a literal, or with common ones, folded in full
        cs: list[str] = []
        ci: list[str] = []
        all_cs: list[str] = []
        all_ci: list[str] = []
        for index, pattern in enumerate(self.patterns):
            folds = pattern.literals is None or pattern.fold
            if folds and index not in covered:
                src = pattern.regex.source
                folded.append(f"(?i:{src})" if pattern.regex.case_insensitive else f"(?:{src})")
            for lit in pattern.literals or ():
                if index not in covered and not folds:  # else found by the fast engine or the fold
                    (ci if pattern.regex.case_insensitive else cs).append(lit)
                (all_ci if pattern.regex.case_insensitive else all_cs).append(lit)
        # Per candidate line, an RE2 Set says exactly which patterns match (one C call). Built
        # on the first candidate line (``_sets``): a scan that finds none never pays for it.
        self._covered = covered
        self._built_sets: tuple[Any, list[int], Any, list[int], list[int]] | None = None
        # Two programs, not one: a union of a few hundred full regexes with two thousand
        # literals exceeds RE2's DFA budget and falls back to the slow NFA.
        self._prefilter = _compile_union(ci, cs, [])
        self._folded = _compile_union([], [], folded)
        self._any_literal = _compile_union(all_ci, all_cs, []) if self.fast is not None else self._prefilter
        # Every pattern has a literal that must appear in its match: escapes can then be
        # looked through while searching the literals (else lines with escapes are cleaned).
        self.sees_through_escapes = all(p.literals and not p.fold for p in self.patterns)
        self._all_literals = (all_ci, all_cs)
        self._through_escapes: list[Any] | None = None  # compiled on first use (start-up stays fast)
        self._lazy = threading.Lock()  # what is compiled on first use is compiled once

    def warm(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Compile now what is otherwise compiled on first use (the language server does it
        while it waits for its first document, so that document's scan does not pay for it)."""
        if self.sees_through_escapes:
            self._escape_programs()
        if not cancelled():
            self._sets()

    def fast_hits(self, data: bytes) -> dict[int, tuple[int, set[int]]]:
        """With the fast engine: line start -> patterns Hyperscan saw there (else empty)."""
        return self.fast.line_hits(data) if self.fast is not None else {}

    def candidate_offsets(self, data: bytes) -> Iterator[int]:
        """Byte offsets in ``data`` where a literal (or a folded pattern) may match."""
        for program in (*self._prefilter, *self._folded):
            yield from _offsets(program, data)

    def offsets_through_escapes(self, data: bytes) -> Iterator[int]:
        """Per line, the first offset where a literal starts with escapes allowed between its
        characters, or where an escape the gap does not cover sits (see :func:`other_escape_at`).
        Only meaningful when :attr:`sees_through_escapes`."""
        for program in self._escape_programs():
            yield from _offsets(program, data)

    def _escape_programs(self) -> list[Any]:
        if self._through_escapes is None:
            with self._lazy:
                if self._through_escapes is None:
                    ci, cs = self._all_literals
                    parts = [f"(?i:{_alternation(c, ESCAPE_GAP)})" for c in _chunks(sorted(set(ci)))]
                    parts += [_alternation(c, ESCAPE_GAP) for c in _chunks(sorted(set(cs)))]
                    self._through_escapes = _programs([*parts, OTHER_ESCAPES, MID_WORD_ESCAPE])
        return self._through_escapes

    def literal_offsets(self, data: bytes) -> Iterator[int]:
        """Byte offsets in ``data`` where any literal, or a folded pattern, starts."""
        for program in (*self._any_literal, *self._folded):
            yield from _offsets(program, data)

    def _sets(self) -> tuple[Any, list[int], Any, list[int], list[int]]:
        """The RE2 Set of every pattern, the one of those the fast engine does not cover, their
        pattern indices, and the patterns no Set can hold (always run)."""
        if self._built_sets is None:
            with self._lazy:
                if self._built_sets is None:
                    self._built_sets = self._compile_sets()
        return self._built_sets

    def _compile_sets(self) -> tuple[Any, list[int], Any, list[int], list[int]]:
        full, full_ids = _compile_set(self.patterns)
        if self._covered:
            uncovered, uncovered_ids = _compile_set([p for p in self.patterns if p.key not in self._covered])
        else:  # the same set: compiled once (a third of the catalogue's load time)
            uncovered, uncovered_ids = full, full_ids
        in_set = set(full_ids)
        always = [i for i in range(len(self.patterns)) if i not in in_set]
        return full, full_ids, uncovered, uncovered_ids, always

    @property
    def always(self) -> list[int]:
        """Patterns no RE2 Set can hold: run on every candidate line."""
        return self._sets()[4]

    def patterns_in(self, text: str, seen: set[int] | None = None) -> list[int]:
        """Indices of the patterns worth running on ``text``: those the RE2 set says match,
        and the ones it cannot hold. ``seen``: what the fast engine found on this line,
        which spares the set for the patterns it covers."""
        full, full_ids, uncovered, uncovered_ids, always = self._sets()
        found: set[int] = set(always)
        if seen is not None and self.fast is not None:
            found |= seen
            if uncovered is None:
                return sorted(found)
        if full is not None:
            rset, ids = (uncovered, uncovered_ids) if seen is not None else (full, full_ids)
            found.update(ids[k] for k in rset.Match(text.encode("utf-8", "surrogatepass")) or ())
        return sorted(found)
