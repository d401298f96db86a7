"""From raw matches to what a person should see: one finding per error instance,
the more specific signature winning, and symptoms linked to their causes."""

from __future__ import annotations

import bisect
import re

import attrs

from errsig.core.scan.findings import Finding

INSTANCE_GAP = 40  # lines: repeats of one error closer than this are one instance
CAUSE_WINDOW = 5000  # lines: how far back a cause may be
FORWARD_WINDOW = 300  # lines: how far into its box a generic summary looks for its cause
MAX_CANDIDATES = 64  # per cause id and direction: the nearest ones
_TOKENS = re.compile(r"[\s,;]+")


def _rank(f: Finding) -> tuple[bool, int, int, int, float]:
    # Built-in records are curated with their samples: they beat foreign packs on the same
    # text; within a source, a specific record beats a generic one.
    return (
        f.builtin,
        0 if f.record.is_generic else 1,
        f.specificity,
        len(f.match),
        f.record.confidence or 0.0,
    )


def _drop_overlapping(findings: list[Finding]) -> list[Finding]:
    """Where matches of different signatures overlap, keep the most specific.

    Kept matches never overlap, so sorted by start they are sorted by end too: a new
    match overlaps a kept one iff it overlaps the last kept one starting before its end
    (one bisection, not a look at every match on the line)."""
    kept: list[Finding] = []
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    for f in sorted(findings, key=_rank, reverse=True):
        start, end = (f.line, f.col), (f.end_line, f.end_col)
        k = bisect.bisect_left(starts, end)
        if k > 0 and ends[k - 1] > start:
            continue
        kept.append(f)
        starts.insert(k, start)
        ends.insert(k, end)
    return kept


def _compatible(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(b.get(k, v) == v for k, v in a.items())


_RETRY_MARK = (
    "Retrying (Retry("  # pip: "WARNING: Retrying (Retry(total=4, ...)) after connection broken by ..."
)


def _only_retries(group: list[Finding]) -> bool:
    """Every repeat sits on a line where the tool says it is retrying: it has not given up
    (yet), so the log shows a warning, not an error; the line where it gives up is its own."""
    return all(_RETRY_MARK in f.texts.get(f.line, "") for f in group)


def _merge_repeats(findings: list[Finding]) -> list[Finding]:
    """Repeats of one error (retry warnings, a traceback echoing the message, pip's
    summary line) become one finding. It stands on the first line the tool flagged as
    an error (``ERROR:``, ``error:``, ``×``), or else on the last repeat, where the tool
    gave up; the other lines go to ``also_at``. Repeats that are all retry warnings are a
    warning: the tool went on (a failure after them is its own finding)."""
    groups: list[list[Finding]] = []
    merged: list[dict[str, str]] = []  # per group, the captures of its findings (first wins)
    open_by_id: dict[str, int] = {}  # id -> index of its latest group
    for f in findings:
        at = open_by_id.get(f.id)
        if (
            at is not None
            and f.line - groups[at][-1].line <= INSTANCE_GAP
            and _compatible(merged[at], f.captures)
        ):
            groups[at].append(f)
            for k, v in f.captures.items():
                merged[at].setdefault(k, v)
        else:
            open_by_id[f.id] = len(groups)
            groups.append([f])
            merged.append(dict(f.captures))
    out = []
    for group, caps in zip(groups, merged, strict=True):
        marked = next((f for f in group if f.marked), None)
        # Identical echoes (BuildKit reprinting a step's tail) keep the original;
        # changing repeats (retry counters) end where the tool gave up.
        keep = marked or (group[0] if len({f.match for f in group}) == 1 else group[-1])
        keep.captures = {**caps, **keep.captures}
        keep.also_at = sorted(
            {x for f in group if f is not keep for x in (f.line, *f.also_at)} | set(keep.also_at)
        )
        if keep.severity == "error" and _only_retries(group):
            keep.severity = "warning"
        out.append(keep)
    return out


def _is_cause(c: Finding, f: Finding) -> bool:
    """The transition graph says ``c`` leads to ``f`` (or ``f`` is preceded by ``c``)."""
    if c.id == f.id:
        return False
    return any(t.error_id == c.id for t in f.record.transition_graph.preceded_by) or any(
        t.error_id == f.id for t in c.record.transition_graph.leads_to
    )


def _captures_agree(c: Finding, f: Finding) -> bool:
    """The links from ``c`` to ``f`` that compare captures (``match_capture``) hold: the
    symptom's value is one of the whitespace-, comma- or semicolon-separated tokens of the
    cause's (the versions pip says it ignored)."""
    links = [t for t in c.record.transition_graph.leads_to if t.error_id == f.id]
    links += [t for t in f.record.transition_graph.preceded_by if t.error_id == c.id]
    for link in links:
        if len(link.match_capture) != 2:
            return True  # a plain link
        mine, theirs = f.captures.get(link.match_capture[0]), c.captures.get(link.match_capture[1])
        if not mine or theirs is None or mine in _TOKENS.split(theirs):
            return True
    return False


def _link_causes(findings: list[Finding]) -> None:
    """Point each symptom at its root cause.

    The cause is the nearest earlier finding the transition graph links to it,
    preferring specific records over generic ones. A generic summary (pip's
    ``subprocess-exited-with-error`` box) is printed *before* the build output that
    explains it, so for generic records a cause a little further down also counts.
    """
    by_id: dict[str, list[Finding]] = {}
    leads_to_me: dict[str, set[str]] = {}  # symptom id -> ids whose records lead to it
    for f in findings:
        by_id.setdefault(f.id, []).append(f)
    for rid, group in by_id.items():
        for t in group[0].record.transition_graph.leads_to:
            leads_to_me.setdefault(t.error_id, set()).add(rid)
    # Per id, its findings by first appearance and by line: a symptom looks only at the
    # causes in its window (the nearest few), so linking stays linear in the findings.
    first_seen = {id(c): min([c.line, *c.also_at]) for c in findings}
    by_first = {rid: sorted(group, key=lambda c: first_seen[id(c)]) for rid, group in by_id.items()}
    firsts = {rid: [first_seen[id(c)] for c in group] for rid, group in by_first.items()}
    lines = {rid: [c.line for c in group] for rid, group in by_id.items()}
    for f in findings:
        cause_ids = {t.error_id for t in f.record.transition_graph.preceded_by} | leads_to_me.get(f.id, set())
        candidates = []
        for cid in cause_ids - {f.id}:
            if cid not in by_id:
                continue
            lo = bisect.bisect_left(firsts[cid], f.line - CAUSE_WINDOW)
            hi = bisect.bisect_left(firsts[cid], f.line)
            for c in by_first[cid][max(lo, hi - MAX_CANDIDATES) : hi]:
                if not _captures_agree(c, f):
                    continue
                first = first_seen[id(c)]
                candidates.append(
                    (c.record.is_generic, f.line - c.line if c.line < f.line else f.line - first, c)
                )
            if not f.record.is_generic:
                continue
            lo = bisect.bisect_right(lines[cid], f.line)
            hi = bisect.bisect_right(lines[cid], f.line + FORWARD_WINDOW)
            for c in by_id[cid][lo : min(hi, lo + MAX_CANDIDATES)]:
                backward = first_seen[id(c)] < f.line and f.line - first_seen[id(c)] <= CAUSE_WINDOW
                if not backward and not _is_cause(f, c) and _captures_agree(c, f):
                    candidates.append((c.record.is_generic, c.line - f.line, c))
        candidates.sort(key=lambda x: (x[0], x[1], x[2].line))
        if candidates:
            cause = candidates[0][2]
            f.caused_by = (cause.id, cause.line)
    by_key = {(f.id, f.line): f for f in findings}
    for f in findings:  # follow chains to the root: wheel failure -> box -> missing header
        seen = {(f.id, f.line)}
        while f.caused_by is not None and f.caused_by not in seen:
            seen.add(f.caused_by)
            upstream = by_key.get(f.caused_by)
            if upstream is None or upstream.caused_by is None or upstream.caused_by in seen:
                break
            f.caused_by = upstream.caused_by


def _drop_canons_beside_builtin(findings: list[Finding]) -> list[Finding]:
    """A deadends.dev canon (tier ``ai_generated``) never adds a finding to an error instance a
    built-in record already explains: its findings on a built-in finding's lines are dropped."""
    taken = {x for f in findings if f.builtin for x in (f.line, *f.also_at)}
    if not taken:
        return findings
    return [
        f
        for f in findings
        if f.builtin or f.record.verification_tier != "ai_generated" or not ({f.line, *f.also_at} & taken)
    ]


def order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line, f.col, f.id))


def resolve(findings: list[Finding]) -> list[Finding]:
    """The findings to show, from raw matches (which are left untouched)."""
    fresh = [
        attrs.evolve(f, caused_by=None, also_at=list(f.also_at), captures=dict(f.captures)) for f in findings
    ]
    unknown = [f for f in fresh if f.unknown]
    if unknown:
        fresh = [f for f in fresh if not f.unknown]
    result = order(_drop_overlapping(fresh))
    result = _merge_repeats(result)
    result = order(_drop_canons_beside_builtin(result))
    _link_causes(result)
    if unknown:
        from errsig.core.scan.unknown import resolve_unknown  # noqa: PLC0415 (only when asked for)

        result = order(result + resolve_unknown(unknown, result))
    return result
