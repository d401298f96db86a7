"""A catalogue compiled for scanning: every record's regex plus the engine in front."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.model import Record
from errsig.core.kb.problems import Problem
from errsig.core.matching.engine import Engine, Pattern
from errsig.core.matching.literals import required_literals
from errsig.core.matching.regex import CompiledRegex, PatternError, compile_safe, compile_trusted


@attrs.define
class Signature:
    record: Record
    regex: CompiledRegex
    specificity: int  # length of the literals every match must contain
    demoted: bool = False  # fires on clean logs: reported as information only


def _specificity(regex: CompiledRegex) -> int:
    try:
        alts = required_literals(regex.source, re.IGNORECASE if regex.case_insensitive else 0)
    except (re.error, RecursionError, OverflowError):
        return 0
    if not alts:
        return 0
    return min(sum(len(r) for r in runs) for runs in alts)


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
    ) -> Matcher:
        off = set(disabled)
        low = set(demoted)
        signatures: list[Signature] = []
        patterns: list[Pattern] = []
        problems: list[Problem] = []
        for rid, entry in catalogue.entries.items():
            if rid in off:
                continue
            record = entry.record
            try:
                regex = compile_trusted(record.regex) if entry.trusted else compile_safe(record.regex)
            except PatternError as exc:
                problems.append(Problem(entry.file, "$.regex", str(exc)))
                continue
            literals = Engine.literals_for(regex)
            signatures.append(Signature(record, regex, _specificity(regex), rid in low))
            patterns.append(Pattern(len(patterns), regex, literals))
        return cls(signatures, Engine(patterns), problems, catalogue)

    def unfiltered(self) -> list[str]:
        """Ids of records with no literal for the prefilter (they run on every line)."""
        return [self.signatures[i].record.id for i in self.engine.always]
