"""Renderers for findings: text for people, JSON and SARIF 2.1.0 for machines."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from errsig import __version__
from errsig.core.kb.evidence import evidence_of
from errsig.core.kb.howto import commands_of
from errsig.core.kb.model import Record
from errsig.core.kb.placeholders import fill_command, fill_placeholders
from errsig.core.pip.credentials import mask_captures, mask_credentials
from errsig.core.scan.findings import Finding

FileFindings = Sequence[tuple[str, Sequence[Finding]]]

_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "information": "\x1b[1;36m"}
_RESET = "\x1b[0m"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(text: str) -> str:
    """``text`` with control characters (newlines, escape sequences) shown as ``\\xNN``: a
    file name or a captured value cannot forge lines or drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_text(results: FileFindings, colour: bool = False) -> str:
    out: list[str] = []
    for name, findings in results:
        for f in findings:
            sev = f.severity if f.severity != "information" else "info"
            if colour:
                sev = f"{_COLOURS.get(f.severity, '')}{sev}{_RESET}"
            title = _printable(mask_credentials(f.title)[0])
            out.append(f"{_printable(name)}:{f.line + 1}:{f.col + 1}: {sev} {f.id}: {title}")
            if f.caused_by:
                out.append(f"    caused by {f.caused_by[0]} at line {f.caused_by[1] + 1}")
            from errsig.core.fixes.plan import safest_first  # noqa: PLC0415 (a scan without findings skips it)

            ranked = safest_first(f.record, f.captures)
            if ranked:
                top = ranked[0]
                foreign = "deadends.dev" in f.record.tags
                known = evidence_of(top.sources, top.success_rate, foreign=foreign, worked=True)
                action = fill_placeholders(top.action, mask_captures(f.captures))
                out.append(f"    fix: {_printable(action)} ({known.summary})")
                for cmd in commands_of(top.how):
                    out.append(f"      $ {fill_command(cmd, mask_captures(f.captures))}")
    unknown = sum(1 for _, fs in results for f in fs if f.unknown)
    total = sum(len(f) for _, f in results) - unknown
    errors = sum(1 for _, fs in results for f in fs if f.severity == "error")
    summary = f"{total} known error{'s' if total != 1 else ''} found ({errors} error-severity)"
    if unknown:
        summary += f"; {unknown} unknown (no record yet: errsig draft FILE:LINE)"
    out.append(summary)
    return "\n".join(out) + "\n"


def render_json(results: FileFindings) -> str:
    items = [f.to_json(name) for name, findings in results for f in findings]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


_LEVEL = {"error": "error", "warning": "warning", "information": "note"}


def _rule(record: Record) -> dict[str, Any]:
    from errsig.core.fixes.plan import safest_first  # noqa: PLC0415

    ranked = safest_first(record)
    help_lines = [record.root_cause, ""] + [f"- {w.action}" for w in ranked]
    rule: dict[str, Any] = {
        "id": record.id,
        "name": "".join(p.capitalize() for p in record.id.replace("/", "-").replace("_", "-").split("-")),
        "shortDescription": {"text": record.signature[:1000]},
        "fullDescription": {"text": (record.root_cause or record.signature)[:1000]},
        "help": {"text": "\n".join(help_lines).strip()},
        "defaultConfiguration": {"level": _LEVEL[record.severity]},
        "properties": {
            "tags": list(dict.fromkeys(t for t in (record.domain, record.category, *record.tags) if t)),
            "precision": "high",
        },
    }
    if record.official_doc_url:
        rule["helpUri"] = record.official_doc_url
    return rule


def _uri(name: str) -> str:
    """A file name as a SARIF artifact URI (a percent-encoded URI reference)."""
    return quote(name.replace("\\", "/"), safe="/")


def render_sarif(results: FileFindings) -> str:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    sarif_results: list[dict[str, Any]] = []
    for name, findings in results:
        for f in findings:
            if f.id not in index:
                index[f.id] = len(rules)
                rules.append(_rule(f.record))
            location = {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(name)},
                    "region": {
                        "startLine": f.line + 1,
                        "startColumn": f.col + 1,
                        "endLine": f.end_line + 1,
                        "endColumn": f.end_col + 1,
                        "snippet": {"text": mask_credentials(f.match)[0]},
                    },
                }
            }
            result: dict[str, Any] = {
                "ruleId": f.id,
                "ruleIndex": index[f.id],
                "level": _LEVEL[f.severity],
                "message": {"text": mask_credentials(f.message)[0]},
                "locations": [location],
                "partialFingerprints": {"errsigMatch/v1": f"{f.id}:{mask_credentials(f.match)[0]}"},
            }
            if f.captures:
                result["properties"] = {"captures": mask_captures(f.captures)}
            if f.caused_by:
                result["relatedLocations"] = [
                    {
                        "id": 1,
                        "message": {"text": f"caused by {f.caused_by[0]}"},
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(name)},
                            "region": {"startLine": f.caused_by[1] + 1},
                        },
                    }
                ]
            sarif_results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "errsig",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
