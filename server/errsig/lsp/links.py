"""Requirements files and pip config: their own checks, and the lines that a log's
error names (``No matching distribution found for torch==1.7.0`` -> the ``torch`` line),
linked both ways with ``relatedInformation``."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as t
from packaging.utils import canonicalize_name
from pygls.uris import to_fs_path

from errsig.core.scan import kinds
from errsig.core.scan.findings import Finding
from errsig.lsp import convert
from errsig.lsp.documents import Document, split_lines
from errsig.lsp.state import CHECK_SOURCE, LINK_SOURCE

if TYPE_CHECKING:
    from errsig.core.scan.requirements import Issue
    from errsig.lsp.server import ErrsigServer

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _getter(lines: Sequence[str]) -> convert.LineText:
    return lambda n: lines[n] if 0 <= n < len(lines) else ""


def package_of(f: Finding) -> str | None:
    raw = f.captures.get("package")
    if not raw:
        return None
    m = _NAME.match(raw.strip("'\" "))
    return str(canonicalize_name(m.group(0))) if m else None


def _requirements_lines(ls: ErrsigServer, uri: str) -> Sequence[str] | None:
    doc = ls.state.docs.get(uri)
    if doc is not None:
        return doc.lines
    path = ls.state.requirements_on_disk.get(uri)
    if path is None:
        return None
    from errsig.core.fixes.plan import read_for_edit

    text = read_for_edit(path)  # regular files only, never a FIFO
    return split_lines(text) if text is not None and len(text) <= 2 << 20 else None


def _requirement_uris(ls: ErrsigServer) -> list[str]:
    open_reqs = [u for u, d in ls.state.docs.items() if d.kind == kinds.REQUIREMENTS]
    return sorted(set(open_reqs) | set(ls.state.requirements_on_disk))


def _names(lines: Sequence[str]) -> list[tuple[int, str, int, int]]:
    from errsig.core.scan.requirements import requirement_names

    return [
        (ln, str(canonicalize_name(name)), a, b) for ln, name, a, b in requirement_names("\n".join(lines))
    ]


def _log_errors_by_package(ls: ErrsigServer) -> dict[str, list[tuple[str, Finding]]]:
    out: dict[str, list[tuple[str, Finding]]] = {}
    for uri, findings in ls.state.findings.items():
        for f in findings:
            pkg = package_of(f)
            if pkg and f.severity in ("error", "warning"):
                out.setdefault(pkg, []).append((uri, f))
    return out


def related_for_log(
    ls: ErrsigServer, uri: str, findings: list[Finding]
) -> dict[tuple[str, int], list[t.DiagnosticRelatedInformation]]:
    """For a log's findings that name a package: the requirement lines naming it."""
    wanted = {p for f in findings if (p := package_of(f))}
    if not wanted:
        return {}
    enc = ls.state.client.encoding
    where: dict[str, list[t.Location]] = {}
    for req_uri in _requirement_uris(ls):
        lines = _requirements_lines(ls, req_uri)
        if lines is None:
            continue
        for ln, name, a, b in _names(lines):
            if name in wanted:
                rng = convert.span(_getter(lines), ln, a, ln, b, enc)
                where.setdefault(name, []).append(t.Location(uri=req_uri, range=rng))
    out: dict[tuple[str, int], list[t.DiagnosticRelatedInformation]] = {}
    for f in findings:
        pkg = package_of(f)
        for loc in where.get(pkg or "", []):
            out.setdefault((f.id, f.line), []).append(
                t.DiagnosticRelatedInformation(location=loc, message=f"{pkg} is required here")
            )
    return out


def _link_diagnostics(ls: ErrsigServer, req_uri: str, lines: Sequence[str]) -> list[t.Diagnostic]:
    by_pkg = _log_errors_by_package(ls)
    if not by_pkg:
        return []
    enc = ls.state.client.encoding
    out = []
    for ln, name, a, b in _names(lines):
        for log_uri, f in by_pkg.get(name, []):
            log_line = (
                ls.state.docs[log_uri].line
                if log_uri in ls.state.docs
                else (lambda n, f=f: f.texts.get(n, ""))
            )
            rng = convert.span(_getter(lines), ln, a, ln, b, enc)
            log_name = Path(to_fs_path(log_uri) or log_uri).name
            diag = convert.diagnostic(
                f,
                log_line,
                enc,
                ls.state.settings.severity_for(f.id, f.severity),
                kind=kinds.REQUIREMENTS,
                related=[
                    t.DiagnosticRelatedInformation(
                        location=t.Location(
                            uri=log_uri,
                            range=convert.span(log_line, f.line, f.col, f.end_line, f.end_col, enc),
                        ),
                        message=f"{f.id} in {log_name}:{f.line + 1}",
                    )
                ],
            )
            diag.range = rng
            diag.message = f"{f.title} ({log_name}:{f.line + 1})"
            if isinstance(diag.data, dict):
                diag.data["log"] = {"uri": log_uri, "line": f.line}
                diag.data["requirementLine"] = ln
            out.append(diag)
    return out


def _check_diagnostics(
    doc_kind: str | None, lines: Sequence[str], enc: str, path: Path | None = None
) -> list[t.Diagnostic]:
    from errsig.core.scan.pipconf import check_pipconf
    from errsig.core.scan.requirements import check_requirements

    text = "\n".join(lines)
    if doc_kind == kinds.REQUIREMENTS:
        issues = check_requirements(text, base=path.parent if path else None)
    else:
        issues = check_pipconf(text)
    line_text = lambda n: lines[n] if 0 <= n < len(lines) else ""  # noqa: E731
    out = []
    for issue in issues:
        out.append(
            t.Diagnostic(
                range=convert.span(line_text, issue.line, issue.col, issue.end_line, issue.end_col, enc),
                message=issue.message,
                severity=convert.SEVERITY.get(issue.severity, t.DiagnosticSeverity.Warning),
                source=convert.SOURCE,
                code=issue.code,
                data=_check_data(doc_kind, issue, line_text, enc),
            )
        )
    return out


def _check_data(
    doc_kind: str | None, issue: Issue, line_text: Callable[[int], str], enc: str
) -> dict[str, Any]:
    """What a code action needs: the safe edit that resolves the issue, if there is one."""
    data: dict[str, Any] = {"kind": doc_kind, "check": issue.code, "line": issue.line}
    if issue.fix is not None:
        f = issue.fix
        rng = convert.span(line_text, f.line, f.col, f.end_line, f.end_col, enc)
        data["fix"] = {"title": f.title, "range": _range_json(rng), "newText": f.text}
    return data


def _range_json(rng: t.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def check_document(ls: ErrsigServer, doc: Document) -> None:
    enc = ls.state.client.encoding
    path = Path(doc.path) if doc.path else None
    ls.state.diagnostics[(CHECK_SOURCE, doc.uri)] = _check_diagnostics(doc.kind, doc.lines, enc, path)
    if doc.kind == kinds.REQUIREMENTS:
        ls.state.diagnostics[(LINK_SOURCE, doc.uri)] = _link_diagnostics(ls, doc.uri, doc.lines)


def refresh_requirements_file(ls: ErrsigServer, uri: str) -> None:
    """A requirements file on disk (not open): its checks and links."""
    from errsig.lsp.features import publish

    if uri in ls.state.docs:
        return
    lines = _requirements_lines(ls, uri)
    if lines is None:
        return
    enc = ls.state.client.encoding
    path = ls.state.requirements_on_disk.get(uri)
    ls.state.diagnostics[(CHECK_SOURCE, uri)] = _check_diagnostics(kinds.REQUIREMENTS, lines, enc, path)
    ls.state.diagnostics[(LINK_SOURCE, uri)] = _link_diagnostics(ls, uri, lines)
    publish(ls, uri)


def log_changed(ls: ErrsigServer, _log_uri: str, _findings: list[Finding]) -> None:
    """A log's findings changed: recompute the link diagnostics of requirements files."""
    from errsig.lsp.features import publish

    for uri in _requirement_uris(ls):
        lines = _requirements_lines(ls, uri)
        if lines is None:
            continue
        new = _link_diagnostics(ls, uri, lines)
        key = (LINK_SOURCE, uri)
        if new != ls.state.diagnostics.get(key, []):
            ls.state.diagnostics[key] = new
            publish(ls, uri)
