"""Translating core findings and edits into lsprotocol types (and nothing else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsprotocol import types as t

from errsig.core.scan.findings import Finding
from errsig.lsp.positions import to_client

SOURCE = "errsig"
SEVERITY = {
    "error": t.DiagnosticSeverity.Error,
    "warning": t.DiagnosticSeverity.Warning,
    "information": t.DiagnosticSeverity.Information,
    "hint": t.DiagnosticSeverity.Hint,
}

LineText = Callable[[int], str]


def position(line_text: LineText, line: int, col: int, encoding: str) -> t.Position:
    return t.Position(line=line, character=to_client(line_text(line), col, encoding))


def span(line_text: LineText, line: int, col: int, end_line: int, end_col: int, encoding: str) -> t.Range:
    return t.Range(
        start=position(line_text, line, col, encoding),
        end=position(line_text, end_line, end_col, encoding),
    )


def finding_data(f: Finding, kind: str) -> dict[str, Any]:
    """What a code action needs to rebuild its fixes without server-side state."""
    data: dict[str, Any] = {"id": f.id, "captures": dict(f.captures), "kind": kind, "line": f.line}
    if f.caused_by:
        data["causedBy"] = {"id": f.caused_by[0], "line": f.caused_by[1]}
    return data


def diagnostic(
    f: Finding,
    line_text: LineText,
    encoding: str,
    severity: str,
    *,
    kind: str = "log",
    related: list[t.DiagnosticRelatedInformation] | None = None,
) -> t.Diagnostic:
    message = f.message
    if f.caused_by:
        message += f"\n(likely a consequence of {f.caused_by[0]} on line {f.caused_by[1] + 1})"
    diag = t.Diagnostic(
        range=span(line_text, f.line, f.col, f.end_line, f.end_col, encoding),
        message=message,
        severity=SEVERITY.get(severity, t.DiagnosticSeverity.Error),
        source=SOURCE,
        code=f.id,
        data=finding_data(f, kind),
        related_information=related or None,
    )
    if f.record.official_doc_url:
        diag.code_description = t.CodeDescription(href=f.record.official_doc_url)
    return diag
