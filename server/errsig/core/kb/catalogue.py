"""The catalogue: every loaded record by id, with the problems found across packs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import attrs

from errsig.core.kb.load import LoadedRecord, PackContents, load_packs
from errsig.core.kb.model import Confusion, Record, Transition
from errsig.core.kb.problems import Problem
from errsig.core.kb.unknown import is_unknown_id, unknown_record


@attrs.define
class Catalogue:
    entries: dict[str, LoadedRecord] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)
    packs: list[PackContents] = attrs.field(factory=list)

    @classmethod
    def from_packs(cls, packs: Iterable[PackContents]) -> Catalogue:
        cat = cls()
        for pack in packs:
            cat.packs.append(pack)
            cat.problems.extend(pack.problems)
            for entry in pack.records:
                rid = entry.record.id
                if rid in cat.entries:
                    first = cat.entries[rid].file
                    cat.problems.append(
                        Problem(entry.file, "$.id", f"duplicate id {rid!r} (first defined in {first})")
                    )
                    continue
                cat.entries[rid] = entry
        cat._check_links()
        return cat

    @classmethod
    def load(cls, extra: Iterable[Path] = (), *, builtin: bool = True) -> Catalogue:
        return cls.from_packs(load_packs(extra, builtin=builtin))

    def _check_links(self) -> None:
        for _rid, entry in self.entries.items():
            graph = entry.record.transition_graph
            links_by_field: tuple[tuple[str, Sequence[Transition | Confusion]], ...] = (
                ("leads_to", graph.leads_to),
                ("preceded_by", graph.preceded_by),
                ("frequently_confused_with", graph.frequently_confused_with),
            )
            for field, links in links_by_field:
                for i, link in enumerate(links):
                    if link.error_id not in self.entries:
                        self.problems.append(
                            Problem(
                                entry.file,
                                f"$.transition_graph.{field}[{i}].error_id",
                                f"unknown id {link.error_id!r}",
                                severity="warning",
                            )
                        )

    def __contains__(self, rid: object) -> bool:
        return rid in self.entries

    def __iter__(self) -> Iterator[Record]:
        return (e.record for e in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, rid: str) -> Record | None:
        """A record by id; ``unknown/<tool>`` ids give the built-in unknown-error records."""
        entry = self.entries.get(rid)
        if entry is None and is_unknown_id(rid):
            return unknown_record(rid.partition("/")[2])
        return entry.record if entry else None

    def resolve(self, rid: str) -> Record | None:
        """A record by id or alias."""
        if rid in self.entries or is_unknown_id(rid):
            return self.get(rid)
        for record in self:
            if rid in record.aliases:
                return record
        return None
