"""A catalogue compiled for scanning: every record's regex plus the engine in front."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.model import Record
from errsig.core.kb.problems import Problem
from errsig.core.matching.analysis import AnalysisCache
from errsig.core.matching.background import Counts
from errsig.core.matching.cache import cache_dir
from errsig.core.matching.engine import Engine, Pattern
from errsig.core.matching.literals import choose_literals
from errsig.core.matching.regex import CompiledRegex, PatternError, compile_pattern

COMMON_SHARE = 0.002  # a literal on more than this share of clean-log lines is too common to prefilter on


@attrs.define
class Signature:
    record: Record
    regex: CompiledRegex
    alternatives: list[list[str]] | None  # required literal runs per top-level alternative
    trusted: bool  # built-in: beats a foreign record on the same text
    demoted: bool = False  # fires on clean logs: reported as information only

    def specificity(self, match: str) -> int:
        """How much literal text of the alternative that produced ``match`` it holds."""
        if not self.alternatives:
            return 0
        text = match.lower() if self.regex.case_insensitive else match
        return max(sum(len(r) for r in runs if r in text) for runs in self.alternatives)


@attrs.define
class Matcher:
    signatures: list[Signature]
    engine: Engine
    problems: list[Problem]
    catalogue: Catalogue

    @classmethod
    def build(
        cls,
        catalogue: Catalogue,
        *,
        disabled: Iterable[str] = (),
        demoted: Iterable[str] = (),
        fast: bool | None = None,
        cache: bool = True,
    ) -> Matcher:
        off = set(disabled)
        low = set(demoted)
        signatures: list[Signature] = []
        problems: list[Problem] = []
        alternatives: list[list[list[str]] | None] = []
        folder = cache_dir() if cache else None
        # The built-in pack's analyses in a file of their own: a start-up reads a tenth of
        # what foreign packs (thousands of canons) put in the shared one.
        shelves: dict[bool, AnalysisCache] = {}
        for rid, entry in catalogue.entries.items():
            if rid in off:
                continue
            record = entry.record
            builtin = entry.trusted and entry.pack == "seeds"
            if builtin not in shelves:
                shelves[builtin] = AnalysisCache(folder, "builtin" if builtin else "")
            analyses = shelves[builtin]
            analysis = analyses.get(record.regex)
            try:
                if analysis.error is not None:
                    raise PatternError(analysis.error)
                # Built-in patterns compile (tests/core/test_builtin_patterns.py compiles each with
                # RE2), and so did any pattern RE2 accepted in an earlier load: those are compiled
                # on first use, so a scan that runs none pays for none.
                lazy = builtin or analysis.re2_ok
                regex = compile_pattern(record.regex, inline_ci=analysis.case_insensitive, lazy=lazy)
                if not lazy:
                    analyses.mark_compiled(record.regex)
            except PatternError as exc:
                problems.append(Problem(entry.file, "$.regex", str(exc)))
                continue
            alts = analysis.alternatives
            alternatives.append(alts)
            signatures.append(Signature(record, regex, alts, entry.trusted, rid in low))
        frequency, lines = Counts(folder).table(
            run for alts in alternatives if alts for runs in alts for run in runs
        )
        common = max(3, int(lines * COMMON_SHARE))
        patterns = []
        for i, (sig, alts) in enumerate(zip(signatures, alternatives, strict=True)):
            literals = None if alts is None else choose_literals(alts, frequency)
            fold = bool(literals) and max(frequency(lit) for lit in literals or []) >= common
            patterns.append(Pattern(i, sig.regex, literals, fold=fold))
        for analyses in shelves.values():
            analyses.save()
        return cls(signatures, Engine(patterns, fast=fast, cache=folder or cache_dir()), problems, catalogue)

    def unfiltered(self) -> list[str]:
        """Ids of records with no literal for the prefilter (they run on every line)."""
        return [
            sig.record.id
            for sig, pattern in zip(self.signatures, self.engine.patterns, strict=True)
            if pattern.literals is None
        ]
