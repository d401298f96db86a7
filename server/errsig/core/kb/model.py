"""The signature record: one known error, as stored in ``seeds/<domain>/<slug>.json``.

The model mirrors the seed record field for field so that a record round-trips through
:mod:`errsig.core.kb.convert` without loss. Numbers that are rates are typed
:data:`Rate` so the converter can check they lie in [0, 1]; ``None`` means nobody measured
it, which is what every errsig record says (docs/writing-records.md): only foreign packs
carry numbers, shown as their own estimates.
"""

from __future__ import annotations

from typing import Any, NewType

import attrs

Rate = NewType("Rate", float)
"""A probability or rate in [0, 1]."""

Day = NewType("Day", str)
"""A calendar date written ``YYYY-MM-DD``."""


@attrs.define(frozen=True)
class VersionInfo:
    version: str
    introduced: str | None = None
    deprecated: str | None = None
    removed: str | None = None
    behavior_change: str | None = None
    status: str = "active"


@attrs.define(frozen=True)
class DeadEnd:
    action: str
    why_fails: str
    fail_rate: Rate | None = None
    condition: str = ""
    sources: list[str] = attrs.field(factory=list)


@attrs.define(frozen=True)
class Workaround:
    action: str
    success_rate: Rate | None = None
    how: str = ""
    condition: str = ""
    sources: list[str] = attrs.field(factory=list)


@attrs.define(frozen=True)
class Transition:
    error_id: str
    probability: Rate | None = None
    condition: str = ""
    # [symptom group, cause group]: when the symptom captured the first and the cause the
    # second, the link holds only if the symptom's value appears in the cause's as a whole
    # token ("No matching distribution found for x==1.3.5" after "Ignored the following
    # versions …: 2.4.0 …" is not caused by them). Empty: always linked.
    match_capture: list[str] = attrs.field(factory=list)


@attrs.define(frozen=True)
class Confusion:
    error_id: str
    distinction: str = ""


@attrs.define(frozen=True)
class TransitionGraph:
    leads_to: list[Transition] = attrs.field(factory=list)
    preceded_by: list[Transition] = attrs.field(factory=list)
    frequently_confused_with: list[Confusion] = attrs.field(factory=list)


@attrs.define(frozen=True)
class Record:
    """One known error signature."""

    id: str
    signature: str
    regex: str
    domain: str = ""
    category: str = ""
    signature_zh: str | None = None
    subcategory: str | None = None
    root_cause: str = ""
    root_cause_type: str = "generic"
    root_cause_zh: str | None = None
    versions: list[VersionInfo] = attrs.field(factory=list)
    os_specific: dict[str, str] = attrs.field(factory=dict)
    dead_ends: list[DeadEnd] = attrs.field(factory=list)
    workarounds: list[Workaround] = attrs.field(factory=list)
    workarounds_zh: list[str] = attrs.field(factory=list)
    transition_graph: TransitionGraph = attrs.field(factory=TransitionGraph)
    official_doc_url: str | None = None
    official_doc_section: str | None = None
    error_code: str | None = None
    verification_tier: str = "community"
    confidence: Rate | None = None
    fix_success_rate: Rate | None = None
    resolvable: str = "true"
    first_seen: Day | None = None
    last_confirmed: Day | None = None
    last_updated: Day | None = None
    evidence_count: int = 0
    tags: list[str] = attrs.field(factory=list)
    locale: str = "en"
    aliases: list[str] = attrs.field(factory=list)
    samples: list[str] = attrs.field(factory=list)
    """Output the regex must match (pack records; built-in samples live in tests/corpus)."""

    @property
    def severity(self) -> str:
        """``error``, ``warning`` or ``information``, from the category's suffix."""
        return severity_of_category(self.category)

    @property
    def is_generic(self) -> bool:
        """A catch-all record that a more specific one beats on the same text."""
        return "generic" in self.tags


def record_from_checked(data: dict[str, Any]) -> Record:
    """A Record from the plain form of one that :mod:`errsig.core.kb.convert` structured and
    unstructured before (the trusted pack's snapshot in the cache folder): built without
    checks and without cattrs, so a start-up from the snapshot neither imports the converter
    nor checks again what it checked. Wrong shapes raise TypeError/KeyError/AttributeError;
    the caller then loads from the files. tests/core/test_derived_caches.py holds every
    built-in record built this way equal to the converter's."""
    d = dict(data)
    d["versions"] = [VersionInfo(**v) for v in d.get("versions", ())]
    d["dead_ends"] = [DeadEnd(**x) for x in d.get("dead_ends", ())]
    d["workarounds"] = [Workaround(**x) for x in d.get("workarounds", ())]
    graph = d.get("transition_graph")
    if graph is not None:
        d["transition_graph"] = TransitionGraph(
            leads_to=[Transition(**x) for x in graph.get("leads_to", ())],
            preceded_by=[Transition(**x) for x in graph.get("preceded_by", ())],
            frequently_confused_with=[Confusion(**x) for x in graph.get("frequently_confused_with", ())],
        )
    return Record(**d)


SEVERITIES = ("error", "warning", "information")


def severity_of_category(category: str) -> str:
    if category.endswith("_warning") or category == "warning":
        return "warning"
    if category.endswith(("_notice", "_info")) or category in ("notice", "info"):
        return "information"
    return "error"
