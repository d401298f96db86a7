"""A record as an explanation card, rendered as Markdown (hover) or plain text (CLI).

Placeholders in workaround commands (``<package>``, ``<version>``, ``<host>``, ``<path>``)
are filled from the finding's named captures where the match supplied them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from errsig.core.fixes.plan import is_risky
from errsig.core.kb.howto import commands_of
from errsig.core.kb.model import Record
from errsig.core.kb.placeholders import fill_placeholders

_RISK = " (not preferred: third-party index, proxy or weaker TLS)"
_RISK_ZH = "（不推荐：第三方源、代理或降低 TLS 校验）"


@attrs.define
class Card:
    id: str
    title: str
    root_cause: str
    workarounds: Sequence[tuple[str, float, list[str], str]]  # action, rate, commands, condition
    dead_ends: Sequence[tuple[str, float, str]]  # action, fail rate, why
    versions: list[str]
    os_notes: dict[str, str]
    next_errors: list[tuple[str, float | None]]
    caused_by: str | None
    confidence: float
    tier: str
    doc_url: str | None
    credit: str | None


def make_card(
    record: Record,
    captures: Mapping[str, str] | None = None,
    locale: str | None = None,
    caused_by: str | None = None,
) -> Card:
    caps = captures or {}
    zh = bool(locale and locale.lower().startswith("zh"))
    title = record.signature_zh if zh and record.signature_zh else record.signature
    cause = record.root_cause_zh if zh and record.root_cause_zh else record.root_cause
    ranked = sorted(enumerate(record.workarounds), key=lambda iw: -iw[1].success_rate)
    workarounds = []
    for index, w in ranked:
        action = w.action
        if zh and index < len(record.workarounds_zh) and record.workarounds_zh[index]:
            action = record.workarounds_zh[index]
        cmds = [fill_placeholders(c, caps) for c in commands_of(w.how)]
        label = fill_placeholders(action, caps)
        if is_risky(w, caps):
            label += _RISK_ZH if zh else _RISK
        workarounds.append((label, w.success_rate, cmds, w.condition))
    dead = [
        (d.action, d.fail_rate, d.why_fails) for d in record.dead_ends_ranked() if d.action or d.why_fails
    ]
    return Card(
        id=record.id,
        title=fill_placeholders(title, caps),
        root_cause=cause,
        workarounds=workarounds,
        dead_ends=dead,
        versions=[v.version + (f" ({v.status})" if v.status != "active" else "") for v in record.versions],
        os_notes=dict(record.os_specific),
        next_errors=[(t.error_id, t.probability) for t in record.transition_graph.leads_to],
        caused_by=caused_by,
        confidence=record.confidence,
        tier=record.verification_tier,
        doc_url=record.official_doc_url,
        credit="deadends.dev (CC BY 4.0)" if "deadends.dev" in record.tags else None,
    )


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def render_markdown(card: Card, zh: bool = False) -> str:
    t = _LABELS_ZH if zh else _LABELS
    out = [f"### {card.title}", f"`{card.id}`", ""]
    if card.caused_by:
        out += [f"_{t['symptom']} `{card.caused_by}`_", ""]
    if card.root_cause:
        out += [f"**{t['cause']}** {card.root_cause}", ""]
    if card.workarounds:
        out.append(f"**{t['fixes']}**")
        for i, (action, rate, cmds, cond) in enumerate(card.workarounds, 1):
            line = f"{i}. {action} — {_pct(rate)}"
            if cond:
                line += f" _({cond})_"
            out.append(line)
            for c in cmds:
                out += ["   ```sh", f"   {c}", "   ```"]
        out.append("")
    if card.dead_ends:
        out.append(f"**{t['dead']}**")
        for action, rate, why in card.dead_ends:
            out.append(f"- {t['dont']} {action or '…'} — {t['fails']} {_pct(rate)}: {why}")
        out.append("")
    facts = []
    if card.versions:
        facts.append(f"{t['applies']} {', '.join(card.versions)}")
    for os_name, note in card.os_notes.items():
        facts.append(f"{os_name}: {note}")
    if card.next_errors:
        nxt = ", ".join(f"`{e}`" + (f" ({_pct(p)})" if p is not None else "") for e, p in card.next_errors)
        facts.append(f"{t['next']} {nxt}")
    facts.append(f"{t['confidence']} {_pct(card.confidence)} · {t['tier']} {card.tier}")
    out += [f"- {f}" for f in facts]
    if card.doc_url:
        out += ["", f"[{t['docs']}]({card.doc_url})"]
    if card.credit:
        out += ["", f"_{t['source']} {card.credit}_"]
    return "\n".join(out).rstrip() + "\n"


def render_text(card: Card, style: Callable[[str, str], str] = lambda s, _k: s) -> str:
    out = [style(card.title, "title"), style(card.id, "id"), ""]
    if card.caused_by:
        out += [f"Usually a symptom of {card.caused_by}.", ""]
    if card.root_cause:
        out += [style("Root cause", "head"), f"  {card.root_cause}", ""]
    if card.workarounds:
        out.append(style("Workarounds (by success rate)", "head"))
        for i, (action, rate, cmds, cond) in enumerate(card.workarounds, 1):
            out.append(f"  {i}. [{_pct(rate)}] {action}" + (f" (when: {cond})" if cond else ""))
            out += [f"       $ {c}" for c in cmds]
        out.append("")
    if card.dead_ends:
        out.append(style("Dead ends (by fail rate)", "head"))
        for action, rate, why in card.dead_ends:
            out.append(f"  - don't: {action} — fails {_pct(rate)}: {why}")
        out.append("")
    if card.versions:
        out.append(f"Applies to: {', '.join(card.versions)}")
    for os_name, note in card.os_notes.items():
        out.append(f"On {os_name}: {note}")
    if card.next_errors:
        out.append("Usually comes next: " + ", ".join(e for e, _ in card.next_errors))
    out.append(f"Confidence {_pct(card.confidence)}, verification tier: {card.tier}")
    if card.doc_url:
        out.append(f"Docs: {card.doc_url}")
    if card.credit:
        out.append(f"Source: {card.credit}")
    return "\n".join(out) + "\n"


_LABELS = {
    "symptom": "Symptom of",
    "cause": "Root cause:",
    "fixes": "Workarounds (by success rate)",
    "dead": "Dead ends",
    "dont": "don't try:",
    "fails": "fails",
    "applies": "Applies to:",
    "next": "Usually comes next:",
    "confidence": "Confidence",
    "tier": "tier",
    "docs": "Official documentation",
    "source": "Source:",
}
_LABELS_ZH = {
    "symptom": "此错误通常由以下错误引起：",
    "cause": "根本原因：",
    "fixes": "解决方法（按成功率排序）",
    "dead": "无效的尝试",
    "dont": "不要尝试：",
    "fails": "失败率",
    "applies": "适用版本：",
    "next": "通常接下来会出现：",
    "confidence": "置信度",
    "tier": "验证级别",
    "docs": "官方文档",
    "source": "来源：",
}
