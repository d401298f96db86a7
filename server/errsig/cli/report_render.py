"""The report document (errsig.core.report) as a text summary and as one self-contained HTML
page: no script, no network at view time, every text from a log escaped."""

from __future__ import annotations

import html
from typing import Any

TOP = 20


def render_text(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    lines = [
        f"{t['logs']} logs ({t['bytes'] / 1e6:.1f} MB): {t['logs_with_errors']} with a known error, "
        f"{t['known_findings']} known and {t['unknown_findings']} unknown error findings"
    ]
    if doc["signatures"]:
        lines.append("")
        lines.append(f"{'logs':>6} {'findings':>8}  signature")
        for s in doc["signatures"][:TOP]:
            lines.append(
                f"{s['logs']:>6} {s['findings']:>8}  {s['id']}  "
                f"({s['first_seen'] or '?'} .. {s['last_seen'] or '?'})"
            )
        if len(doc["signatures"]) > TOP:
            lines.append(f"  … and {len(doc['signatures']) - TOP} more signatures (--json / --html for all)")
    if doc["unknown"]:
        lines.append("")
        lines.append("errors no record knows (clustered):")
        for u in doc["unknown"][:10]:
            lines.append(f"{u['logs']:>6} {u['findings']:>8}  {u['tool']}: {u['text']}")
    if doc["unreadable"]:
        lines.append("")
        lines.append(f"{len(doc['unreadable'])} inputs not scanned (see the JSON's 'unreadable')")
    scan = doc.get("scan", {})
    if scan:
        lines.append("")
        how = (
            f"{scan['workers']} worker(s)"
            if "workers" in scan
            else f"{scan.get('engine')} {scan.get('master', '')}"
        )
        lines.append(f"scanned in {scan['seconds']} s ({scan['mb_per_s']} MB/s, {how.strip()})")
    return "\n".join(lines) + "\n"


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
code,pre{font:12px ui-monospace,monospace;background:#f4f4f4}
pre{padding:.4em;overflow-x:auto;white-space:pre-wrap}
.muted{color:#666}svg text{font:11px system-ui,sans-serif}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(sid: str) -> str:
    return "sig-" + "".join(c if c.isalnum() else "-" for c in sid)


def _bars(signatures: list[dict[str, Any]]) -> str:
    top = signatures[:15]
    if not top:
        return "<p class=muted>No known failure.</p>"
    most = max(s["logs"] for s in top)
    row, label_w, bar_w = 22, 330, 520
    parts = [
        f'<svg role="img" aria-label="top known failures by logs" width="{label_w + bar_w + 60}" '
        f'height="{row * len(top) + 6}">'
    ]
    for i, s in enumerate(top):
        y = i * row + 4
        w = max(2, round(bar_w * s["logs"] / most))
        parts.append(
            f'<a href="#{_anchor(s["id"])}"><text x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{_e(s['id'])}</text></a>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{row - 6}" fill="#c0392b" '
            f'data-logs="{s["logs"]}"></rect>'
            f'<text x="{label_w + w + 4}" y="{y + 14}">{s["logs"]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _timeline(sig: dict[str, Any], days: list[str]) -> str:
    if not days:
        return ""
    most = max(sig["by_day"].values(), default=1)
    step = max(4, min(24, 600 // max(1, len(days))))
    h = 40
    parts = [f'<svg role="img" aria-label="logs per day" width="{step * len(days) + 4}" height="{h + 16}">']
    for i, day in enumerate(days):
        n = sig["by_day"].get(day, 0)
        bh = round(h * n / most) if n else 0
        parts.append(
            f'<rect x="{i * step + 2}" y="{h - bh}" width="{step - 2}" height="{bh}" fill="#2c7be5">'
            f"<title>{_e(day)}: {n} logs</title></rect>"
        )
    parts.append(f'<text x="2" y="{h + 13}">{_e(days[0])}</text>')
    if len(days) > 1:
        parts.append(f'<text x="{step * len(days)}" y="{h + 13}" text-anchor="end">{_e(days[-1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _group_table(doc: dict[str, Any]) -> str:
    sigs = doc["signatures"][:8]
    groups: dict[str, dict[str, int]] = {}
    for s in sigs:
        for g in s["groups"]:
            label = " / ".join(f"{k}={v}" for k, v in sorted(g["group"].items())) or "(all)"
            groups.setdefault(label, {})[s["id"]] = g["logs"]
    if not groups or not doc.get("group_by"):
        return ""
    head = "".join(f'<th><a href="#{_anchor(s["id"])}">{_e(s["id"])}</a></th>' for s in sigs)
    rows = []
    for label in sorted(groups, key=lambda k: (-sum(groups[k].values()), k)):
        cells = "".join(
            f'<td class=n><a href="#{_anchor(s["id"])}">{groups[label].get(s["id"], "")}</a></td>'
            for s in sigs
        )
        rows.append(f"<tr><td>{_e(label)}</td>{cells}</tr>")
    return (
        f"<h2>By group ({_e(doc['group_by'])}): logs per signature</h2>"
        f"<table><tr><th>group</th>{head}</tr>{''.join(rows)}</table>"
    )


def _totals(doc: dict[str, Any]) -> str:
    t, scan = doc["totals"], doc.get("scan", {})
    return (
        f'<p id="totals" data-logs="{t["logs"]}" data-findings="{t["findings"]}">'
        f"<b>{t['logs']}</b> logs ({t['bytes'] / 1e6:.1f} MB), <b>{t['logs_with_errors']}</b> with a known "
        f"error; {t['known_findings']} known and {t['unknown_findings']} unknown error findings. "
        f"{len(doc['unreadable'])} inputs not scanned. <span class=muted>Scanned in "
        f"{_e(scan.get('seconds', '?'))} s ({_e(scan.get('engine', '?'))}).</span></p>"
    )


def render_html(doc: dict[str, Any]) -> str:
    days = sorted({d for s in doc["signatures"] for d in s["by_day"]})
    cards = []
    for s in doc["signatures"]:
        examples = "".join(
            f"<li><code>{_e(x['file'])}:{x['line']}</code><pre>{_e(x['text'])}</pre></li>"
            for x in s["examples"]
        )
        doc_link = (
            f' · <a href="{_e(s["doc_url"])}" rel="noreferrer">documentation</a>' if s.get("doc_url") else ""
        )
        cards.append(
            f'<div class=card id="{_anchor(s["id"])}"><h3>{_e(s["id"])}</h3>'
            f'<p><b class="logs" data-logs="{s["logs"]}">{s["logs"]}</b> logs, {s["findings"]} findings'
            f" ({s['as_symptom']} as a symptom of another error); first seen {_e(s['first_seen'] or '?')}, "
            f"last seen {_e(s['last_seen'] or '?')}{doc_link}</p>"
            f"<p>{_e(s['title'])}</p><p class=muted>{_e(s['root_cause'])}</p>"
            f"{_timeline(s, days)}<p>Examples:</p><ul>{examples}</ul>"
            f"<p class=muted>Explanation and fixes: <code>errsig explain {_e(s['id'])}</code></p></div>"
        )
    unknown_rows = "".join(
        f"<tr><td class=n>{u['logs']}</td><td class=n>{u['findings']}</td><td>{_e(u['tool'])}</td>"
        f"<td><code>{_e(u['text'])}</code><br>"
        f"<span class=muted>{_e(u['examples'][0]['file'])}:{u['examples'][0]['line']}</span></td></tr>"
        for u in doc["unknown"][:50]
        if u["examples"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>errsig report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body>
<h1>errsig report</h1>
{_totals(doc)}
<h2>Top known failures (logs that show them)</h2>
{_bars(doc["signatures"])}
{_group_table(doc)}
<h2>Signatures</h2>
{"".join(cards) or "<p class=muted>None.</p>"}
<h2>Errors no record knows (clustered by their text)</h2>
<table><tr><th>logs</th><th>findings</th><th>tool</th><th>text</th></tr>{unknown_rows}</table>
</body></html>
"""
