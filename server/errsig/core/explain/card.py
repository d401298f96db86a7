"""A record as an explanation card, rendered as Markdown (hover) or plain text (CLI).

Placeholders in workaround commands (``<package>``, ``<version>``, ``<host>``, ``<path>``)
are filled from the finding's named captures where the match supplied them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import attrs

from errsig.core.kb.evidence import Evidence, evidence_of, tier_words
from errsig.core.kb.howto import commands_of
from errsig.core.kb.model import Record, Workaround
from errsig.core.kb.placeholders import fill_command, fill_placeholders
from errsig.core.outcomes import fix_id, words
from errsig.core.pip.credentials import mask_captures, mask_credentials

_RISK = " (not preferred: third-party index, proxy or weaker TLS)"
_RISK_ZH = "（不推荐：第三方源、代理或降低 TLS 校验）"
_RISK_ACCESS = " (not preferred: weakens access control)"
_RISK_ACCESS_ZH = "（不推荐：削弱访问控制）"
_RISK_DATA = " (not preferred: deletes data or local work)"
_RISK_DATA_ZH = "（不推荐：会删除数据或本地改动）"


def _risk_label(workaround: Workaround, captures: Mapping[str, str], zh: bool) -> str | None:
    """What a risky workaround's label says after it; None if it is not risky."""
    from errsig.core.fixes.plan import RISK_ACCESS, RISK_DATA, is_risky, step_risk  # noqa: PLC0415

    step = step_risk(workaround)  # (fix planning: loaded on first use)
    if step == RISK_ACCESS:
        return _RISK_ACCESS_ZH if zh else _RISK_ACCESS
    if step == RISK_DATA:
        return _RISK_DATA_ZH if zh else _RISK_DATA
    if step is not None or is_risky(workaround, captures):
        return _RISK_ZH if zh else _RISK
    return None


@attrs.define
class Step:
    """A workaround or a dead end as shown: what to do (or not), its commands, and what is
    known of it — public reports, or a foreign pack's own estimate."""

    action: str
    commands: list[str]
    condition: str
    evidence: Evidence
    why: str = ""
    mine: tuple[int, int] | None = None  # (worked, tried) on this machine


@attrs.define
class Card:
    id: str
    title: str
    root_cause: str
    workarounds: Sequence[Step]
    dead_ends: Sequence[Step]
    versions: list[str]
    os_notes: dict[str, str]
    next_errors: list[str]
    caused_by: str | None
    tier: str  # in words a user understands
    doc_url: str | None
    credit: str | None


def make_card(
    record: Record,
    captures: Mapping[str, str] | None = None,
    locale: str | None = None,
    caused_by: str | None = None,
    mine: Mapping[str, tuple[int, int]] | None = None,
) -> Card:
    """The card of ``record``; workarounds safest first, then by public evidence (never by
    a rate nobody measured). Captures are masked (credentials) before they are shown, and
    only shell-safe ones go into commands."""
    caps = mask_captures(captures or {})
    zh = bool(locale and locale.lower().startswith("zh"))
    foreign = "deadends.dev" in record.tags
    title = record.signature_zh if zh and record.signature_zh else record.signature
    cause = record.root_cause_zh if zh and record.root_cause_zh else record.root_cause
    steps = []
    for index, w in enumerate(record.workarounds):
        action = w.action
        if zh and index < len(record.workarounds_zh) and record.workarounds_zh[index]:
            action = record.workarounds_zh[index]
        label = fill_placeholders(action, caps)
        risk = _risk_label(w, caps, zh)
        risky = risk is not None
        if risk is not None:
            label += risk
        ev = evidence_of(w.sources, w.success_rate, foreign=foreign, worked=True)
        commands = [fill_command(c, caps) for c in commands_of(w.how)]
        outcome = (mine or {}).get(fix_id(w.action))
        steps.append((risky, -ev.reports, index, Step(label, commands, w.condition, ev, mine=outcome)))
    dead = []
    for index, d in enumerate(record.dead_ends):
        if not (d.action or d.why_fails):
            continue
        ev = evidence_of(d.sources, d.fail_rate, foreign=foreign, worked=False)
        dead.append((-ev.reports, index, Step(d.action, [], d.condition, ev, d.why_fails)))
    return Card(
        id=record.id,
        title=mask_credentials(fill_placeholders(title, caps))[0],
        root_cause=cause,
        workarounds=[s for *_k, s in sorted(steps, key=lambda k: k[:3])],
        dead_ends=[s for *_k, s in sorted(dead, key=lambda k: k[:2])],
        versions=[v.version + (f" ({v.status})" if v.status != "active" else "") for v in record.versions],
        os_notes=dict(record.os_specific),
        next_errors=[t.error_id for t in record.transition_graph.leads_to],
        caused_by=caused_by,
        tier=tier_words(record.verification_tier, foreign=foreign),
        doc_url=record.official_doc_url,
        credit="deadends.dev (CC BY 4.0)" if foreign or _from_canon(record) else None,
    )


def _from_canon(record: Record) -> bool:
    """Own records that took facts from a deadends.dev canon list its id among the aliases."""
    return any(a.count("/") >= 1 and not a.startswith(record.domain + "/") for a in record.aliases)


# Characters that start inline markup (emphasis, code, links, images, HTML, tables,
# strikethrough, entities). md() output is always placed after a prefix on one line, so
# block markup (headings, lists) cannot start inside it.
_MD_SPECIAL = frozenset("\\`*_[]#!<>|~&")


def md(text: str) -> str:
    """``text`` (from a log or a pack) as literal Markdown text: every character that could
    start markup is escaped, so a heading, a link or an image can never appear."""
    return "".join(
        "\\" + ch if ch in _MD_SPECIAL else ch for ch in text.replace("\r", " ").replace("\n", " ")
    )


def _code_block(lines: Sequence[str], indent: str = "") -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for ln in lines for run in re.findall(r"`+", ln)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence}sh", *(f"{indent}{ln}" for ln in lines), f"{indent}{fence}"]


def _url(url: str) -> str:
    """A URL for a Markdown link target (angle brackets; only http/https)."""
    if not url.startswith(("https://", "http://")) or any(c in url for c in "<> \n\r"):
        return ""
    return url


def _evidence_md(ev: Evidence, t: Mapping[str, str]) -> str:
    if ev.estimate is not None:
        return f"{t['estimate']} {round(ev.estimate * 100)}%"
    if not ev.urls:
        return t.get("unconfirmed", ev.summary)  # English: the summary says it
    links = ", ".join(f"[{i}](<{u}>)" for i, u in enumerate(ev.urls, 1) if _url(u))
    return f"{ev.summary} ({links})" if links else ev.summary


def render_markdown(card: Card, zh: bool = False) -> str:
    t = _LABELS_ZH if zh else _LABELS
    out = [f"### {md(card.title)}", f"`{card.id.replace('`', '')}`", ""]
    if card.caused_by:
        out += [f"_{t['symptom']} {md(card.caused_by)}_", ""]
    if card.root_cause:
        out += [f"**{t['cause']}** {md(card.root_cause)}", ""]
    if card.workarounds:
        out.append(f"**{t['fixes']}**")
        for i, step in enumerate(card.workarounds, 1):
            line = f"{i}. {md(step.action)} — {_evidence_md(step.evidence, t)}"
            if step.mine:
                line += f"; {words(*step.mine)}"
            if step.condition:
                line += f" ({t['when']} {md(step.condition)})"
            out.append(line)
            if step.commands:
                out += _code_block(step.commands, "   ")
        out.append("")
    if card.dead_ends:
        out.append(f"**{t['dead']}**")
        for step in card.dead_ends:
            out.append(
                f"- {t['dont']} {md(step.action) or '…'}: {md(step.why)} — {_evidence_md(step.evidence, t)}"
            )
        out.append("")
    facts = []
    if card.versions:
        facts.append(f"{t['applies']} {md(', '.join(card.versions))}")
    for os_name, note in card.os_notes.items():
        facts.append(f"{md(os_name)}: {md(note)}")
    if card.next_errors:
        facts.append(f"{t['next']} {md(', '.join(card.next_errors))}")
    facts.append(f"{t['tier']} {md(card.tier)}")
    out += [f"- {f}" for f in facts]
    if card.doc_url and _url(card.doc_url):
        out += ["", f"[{t['docs']}](<{card.doc_url}>)"]
    if card.credit:
        out += ["", f"_{t['source']} {md(card.credit)}_"]
    return "\n".join(out).rstrip() + "\n"


def _evidence_text(ev: Evidence) -> str:
    if ev.estimate is not None:
        return f"{_LABELS['estimate']} {round(ev.estimate * 100)}%"
    if not ev.urls:
        return ev.summary
    return f"{ev.summary}: " + " ".join(ev.urls)


def render_text(card: Card, style: Callable[[str, str], str] = lambda s, _k: s) -> str:
    out = [style(card.title, "title"), style(card.id, "id"), ""]
    if card.caused_by:
        out += [f"Usually a symptom of {card.caused_by}.", ""]
    if card.root_cause:
        out += [style("Root cause", "head"), f"  {card.root_cause}", ""]
    if card.workarounds:
        out.append(style("Workarounds (safest first)", "head"))
        for i, step in enumerate(card.workarounds, 1):
            out.append(f"  {i}. {step.action}" + (f" (when: {step.condition})" if step.condition else ""))
            mine = f"; {words(*step.mine)}" if step.mine else ""
            out.append(f"       {_evidence_text(step.evidence)}{mine}")
            out += [f"       $ {c}" for c in step.commands]
        out.append("")
    if card.dead_ends:
        out.append(style("Dead ends", "head"))
        for step in card.dead_ends:
            out.append(f"  - don't: {step.action}: {step.why}")
            out.append(f"       {_evidence_text(step.evidence)}")
        out.append("")
    if card.versions:
        out.append(f"Applies to: {', '.join(card.versions)}")
    for os_name, note in card.os_notes.items():
        out.append(f"On {os_name}: {note}")
    if card.next_errors:
        out.append("Usually comes next: " + ", ".join(card.next_errors))
    out.append(f"Knowledge: {card.tier}")
    if card.doc_url:
        out.append(f"Docs: {card.doc_url}")
    if card.credit:
        out.append(f"Source: {card.credit}")
    return "\n".join(out) + "\n"


_LABELS = {
    "symptom": "Symptom of",
    "cause": "Root cause:",
    "fixes": "Workarounds (safest first)",
    "when": "when:",
    "estimate": "deadends.dev estimate (generated, not measured):",
    "dead": "Dead ends",
    "dont": "don't try:",
    "applies": "Applies to:",
    "next": "Usually comes next:",
    "tier": "Knowledge:",
    "docs": "Official documentation",
    "source": "Source:",
}
_LABELS_ZH = {
    "symptom": "此错误通常由以下错误引起：",
    "cause": "根本原因：",
    "fixes": "解决方法（最安全的在前）",
    "when": "适用于：",
    "estimate": "deadends.dev 估计值（生成的，未经测量）：",
    "unconfirmed": "建议做法，尚无公开报告证实",
    "dead": "无效的尝试",
    "dont": "不要尝试：",
    "applies": "适用版本：",
    "next": "通常接下来会出现：",
    "tier": "知识来源：",
    "docs": "官方文档",
    "source": "来源：",
}
