"""From raw matches to what a person should see: one finding per error instance,
the more specific signature winning, and symptoms linked to their causes."""

from __future__ import annotations

import attrs

from errsig.core.scan.findings import Finding

INSTANCE_GAP = 40  # lines: repeats of one error closer than this are one instance
CAUSE_WINDOW = 5000  # lines: how far back a cause may be


def _rank(f: Finding) -> tuple[int, int, int, float]:
    return (0 if f.record.is_generic else 1, f.specificity, len(f.match), f.record.confidence)


def _overlaps(a: Finding, b: Finding) -> bool:
    return (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col)


def _drop_overlapping(findings: list[Finding]) -> list[Finding]:
    """Where matches of different signatures overlap, keep the most specific."""
    kept: list[Finding] = []
    for f in sorted(findings, key=_rank, reverse=True):
        if not any(_overlaps(f, k) for k in kept):
            kept.append(f)
    return kept


def _compatible(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(b.get(k, v) == v for k, v in a.items())


def _merge_repeats(findings: list[Finding]) -> list[Finding]:
    """Repeats of the same error (retry warnings, tracebacks that echo the message)
    become one finding at the last occurrence, which is where the tool gave up."""
    out: list[Finding] = []
    open_by_id: dict[str, int] = {}  # id -> index in out of its latest instance
    for f in findings:
        at = open_by_id.get(f.id)
        prev = out[at] if at is not None else None
        if prev is not None and at is not None and f.line - prev.line <= INSTANCE_GAP and _compatible(prev.captures, f.captures):
            f.captures = {**prev.captures, **f.captures}
            f.also_at = [*prev.also_at, prev.line]
            out[at] = f
        else:
            open_by_id[f.id] = len(out)
            out.append(f)
    return out


def _link_causes(findings: list[Finding]) -> None:
    for i, f in enumerate(findings):
        preceded = {t.error_id for t in f.record.transition_graph.preceded_by}
        for c in reversed(findings[:i]):
            if f.line - c.line > CAUSE_WINDOW:
                break
            if c.id == f.id:
                continue
            leads = {t.error_id for t in c.record.transition_graph.leads_to}
            if c.id in preceded or f.id in leads:
                f.caused_by = (c.id, c.line)
                break


def order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line, f.col, f.id))


def resolve(findings: list[Finding]) -> list[Finding]:
    """The findings to show, from raw matches (which are left untouched)."""
    fresh = [attrs.evolve(f, caused_by=None, also_at=list(f.also_at), captures=dict(f.captures)) for f in findings]
    result = order(_drop_overlapping(fresh))
    result = _merge_repeats(result)
    result = order(result)
    _link_causes(result)
    return result
