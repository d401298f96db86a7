"""Requests a person triggers: hover cards, quick fixes, commands, outline, lenses,
and ``errsig/scanText`` (the VS Code extension's terminal capture)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from lsprotocol import types as t
from pygls.exceptions import JsonRpcInvalidParams

from errsig.core.explain.card import make_card, render_markdown
from errsig.core.kb.unknown import is_unknown_id
from errsig.core.outcomes import fix_id, load, tally
from errsig.core.scan import kinds
from errsig.lsp import convert, outcomes, records
from errsig.lsp.documents import split_lines

if TYPE_CHECKING:
    from errsig.core.fixes.model import Fix
    from errsig.core.fixes.plan import FixContext
    from errsig.lsp.server import ErrsigServer

SCAN_TEXT = "errsig/scanText"
EXPLAIN = "errsig.explain"
RUN_IN_TERMINAL = "errsig.runInTerminal"
COPY_COMMAND = "errsig.copyCommand"
CLIENT_COMMANDS = (RUN_IN_TERMINAL, COPY_COMMAND)  # implemented by the editors
MAX_SCAN_TEXT = 32 << 20


def _has_placeholders(command: str) -> bool:
    from errsig.core.fixes.commands import has_placeholders

    return has_placeholders(command)


def _contains(rng: t.Range, pos: t.Position) -> bool:
    start = (rng.start.line, rng.start.character)
    end = (rng.end.line, rng.end.character)
    return start <= (pos.line, pos.character) <= end


def _zh(ls: ErrsigServer) -> bool:
    loc = ls.state.client.locale or ""
    return loc.lower().startswith("zh")


def _on_line(rng: t.Range, pos: t.Position) -> bool:
    return rng.start.line <= pos.line <= rng.end.line


def hover(ls: ErrsigServer, params: t.HoverParams) -> t.Hover | None:
    """The card of the diagnostic under the cursor, else of the first one on its line (a
    person presses K anywhere on an error line, not only on the highlighted part)."""
    uri = params.text_document.uri
    assert ls.state.toolkit is not None
    doc = ls.state.docs.get(uri)
    if doc is not None and doc.kind == records.RECORD:
        return records.hover(ls, doc, params.position)
    diags = ls.state.all_diagnostics(uri)
    under = [d for d in diags if _contains(d.range, params.position)]
    on_line = [d for d in diags if _on_line(d.range, params.position)]
    for diag in under + on_line:
        data = diag.data if isinstance(diag.data, dict) else {}
        rid = data.get("id")
        if not rid:
            continue
        record = ls.state.toolkit.catalogue.get(rid)
        if record is None:
            continue
        caused = data.get("causedBy", {}).get("id") if isinstance(data.get("causedBy"), dict) else None
        mine = tally(load(), record.id)
        card = make_card(record, data.get("captures") or {}, ls.state.client.locale, caused, mine)
        return t.Hover(
            contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=render_markdown(card, zh=_zh(ls))),
            range=diag.range,
        )
    return None


# -- code actions ------------------------------------------------------------------------


def _read_text(ls: ErrsigServer, path: Path) -> str | None:
    """The client's text when the file is open (unsaved changes included), else the disk's."""
    from errsig.core.fixes.plan import read_for_edit
    from errsig.lsp.features import uri_of

    doc = ls.state.docs.get(uri_of(path))
    if doc is not None:
        return doc.text
    return read_for_edit(path)


# The log around a finding that fixes look at (the package pip worked on, the system).
_AROUND = (300, 60)


def _context(ls: ErrsigServer, uri: str | None = None, line: int | None = None) -> FixContext:
    from errsig.core.fixes.plan import FixContext
    from errsig.lsp.features import line_text_for

    state = ls.state
    log_lines: list[str] = []
    log_line = None
    if uri is not None and line is not None:
        line_text = line_text_for(ls, uri)
        first = max(0, line - _AROUND[0])
        log_lines = [line_text(n) for n in range(first, line + _AROUND[1])]
        log_line = line - first
    reqs = {p for u, p in state.requirements_on_disk.items()}
    reqs |= {Path(d.path) for d in state.docs.values() if d.kind == kinds.REQUIREMENTS and d.path}
    scripts = set(state.scripts_on_disk.values())
    scripts |= {Path(d.path) for d in state.docs.values() if d.kind == kinds.SCRIPT and d.path}
    return FixContext(
        env=dict(os.environ),
        platform=sys.platform,
        workspace=state.roots[0] if state.roots else None,
        read_text=lambda p: _read_text(ls, p),
        requirements_files=sorted(reqs),
        script_files=sorted(scripts),
        log_lines=log_lines,
        log_line=log_line,
        max_fixes=state.settings.max_quick_fixes,
    )


def _edit_for(ls: ErrsigServer, fix: Fix) -> t.WorkspaceEdit | None:
    from errsig.lsp.features import uri_of

    enc = ls.state.client.encoding
    changes: list[Any] = []
    for fe in fix.edits:
        uri = uri_of(Path(fe.path))
        if fe.create:
            if not ls.state.client.create_files:
                return None
            text = "".join(e.new_text for e in fe.edits)
            changes.append(t.CreateFile(uri=uri))
            changes.append(
                t.TextDocumentEdit(
                    text_document=t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                    edits=[
                        t.TextEdit(range=t.Range(start=t.Position(0, 0), end=t.Position(0, 0)), new_text=text)
                    ],
                )
            )
            continue
        current = _read_text(ls, Path(fe.path)) or ""
        lines = split_lines(current)
        line_text = lambda n, lines=lines: lines[n] if 0 <= n < len(lines) else ""  # noqa: E731
        doc = ls.state.docs.get(uri)
        changes.append(
            t.TextDocumentEdit(
                text_document=t.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=doc.version if doc else None
                ),
                edits=[
                    t.TextEdit(
                        range=convert.span(line_text, e.start_line, e.start_col, e.end_line, e.end_col, enc),
                        new_text=e.new_text,
                    )
                    for e in fe.edits
                ],
            )
        )
    if not changes:
        return None
    if ls.state.client.document_changes or ls.state.client.create_files:
        return t.WorkspaceEdit(document_changes=changes)
    plain: dict[str, list[t.TextEdit]] = {}
    for c in changes:
        if isinstance(c, t.TextDocumentEdit):
            plain.setdefault(c.text_document.uri, []).extend(e for e in c.edits if isinstance(e, t.TextEdit))
    return t.WorkspaceEdit(changes=plain)


_PLANS_KEPT = 64


def _planned(ls: ErrsigServer, record: Any, captures: dict[str, str], ctx: FixContext) -> list[Fix]:
    """``fixes_for`` through a small cache. A plan is reused while every file it read (pip.conf
    candidates, requirements, scripts: the open document's version, else the disk's text) is
    unchanged, so the lightbulb requests an editor sends on each cursor move read those files
    but parse and diff nothing."""
    from errsig.core.fixes.plan import fixes_for, read_for_edit

    read = ctx.read_text
    seen: dict[str, Any] = {}

    def fingerprint(path: Path, text: str | None = None, *, have_text: bool = False) -> Any:
        from errsig.lsp.features import uri_of

        doc = ls.state.docs.get(uri_of(path))
        if doc is not None:
            return ("doc", doc.version, len(doc.text))
        if not have_text:
            text = read_for_edit(path)
        return ("disk", hash(text)) if text is not None else ("none", path.exists())

    def recording(path: Path) -> str | None:
        text = read(path)  # the plan's own read also gives the fingerprint: one read per file
        seen[str(path)] = fingerprint(path, text, have_text=True)
        return text

    key = (
        record.id,
        tuple(sorted(captures.items())),
        hash(tuple(ctx.log_lines)),
        ctx.log_line,
        tuple(ctx.requirements_files),
        tuple(ctx.script_files),
        ctx.workspace,
        ctx.max_fixes,
    )
    cached = ls.state.fix_plans.get(key)
    if cached is not None and all(fingerprint(Path(p)) == fp for p, fp in cached[0].items()):
        ls.state.fix_plans[key] = ls.state.fix_plans.pop(key)  # most recently used last
        return [attrs.evolve(f) for f in cached[1]]
    fixes = fixes_for(record, captures, attrs.evolve(ctx, read_text=recording))
    ls.state.fix_plans[key] = (seen, fixes)
    while len(ls.state.fix_plans) > _PLANS_KEPT:
        del ls.state.fix_plans[next(iter(ls.state.fix_plans))]
    return [attrs.evolve(f) for f in fixes]


def _finding_of(
    ls: ErrsigServer, uri: str, diag: t.Diagnostic
) -> tuple[Any, dict[str, str], FixContext] | None:
    assert ls.state.toolkit is not None
    data = diag.data if isinstance(diag.data, dict) else {}
    record = ls.state.toolkit.catalogue.get(data.get("id") or "")
    if record is None:
        return None
    line = data.get("line")
    ctx = _context(ls, uri, line if isinstance(line, int) and line >= 0 else diag.range.start.line)
    return record, dict(data.get("captures") or {}), ctx


def code_actions(ls: ErrsigServer, params: t.CodeActionParams) -> list[t.CodeAction]:
    only = params.context.only
    if only and not any(str(k).startswith("quickfix") for k in only):
        return []
    assert ls.state.toolkit is not None
    out: list[t.CodeAction] = []
    uri = params.text_document.uri
    for diag in params.context.diagnostics:
        data = diag.data if isinstance(diag.data, dict) else {}
        if diag.source == convert.SOURCE and isinstance(data.get("fix"), dict):
            action = _check_fix(ls, uri, diag, data["fix"])
            if action is not None:
                out.append(action)
            continue
        if diag.source != convert.SOURCE or not data.get("id"):
            continue
        if is_unknown_id(str(data["id"])):
            out.append(records.draft_action(uri, diag))
            continue
        found = _finding_of(ls, uri, diag)
        if found is None:
            continue
        record, captures, ctx = found
        for index, fix in enumerate(_planned(ls, record, captures, ctx)):
            action = t.CodeAction(
                title=fix.title,
                kind=t.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=fix.preferred or None,
            )
            if fix.command is not None and not fix.edits:
                # Once per command, titled with exactly what runs: a complete command to
                # run, one that still needs a value from the user to copy and complete.
                if fix.source is not None:
                    outcomes.offered_command(ls, fix.command, record.id, fix_id(fix.source))
                if fix.needs_input or _has_placeholders(fix.command):
                    name, title = COPY_COMMAND, f"Copy command (fill in the <placeholders>): {fix.command}"
                else:
                    name, title = RUN_IN_TERMINAL, f"Run in terminal: {fix.command}"
                out.append(
                    t.CodeAction(
                        title=title,
                        kind=t.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        command=t.Command(title=title, command=name, arguments=[fix.command]),
                    )
                )
                continue
            if any(fe.create for fe in fix.edits) and not ls.state.client.create_files:
                continue
            if fix.source is not None:  # when the file later holds this text, the fix was applied
                outcomes.offered(ls, fix, record.id, fix_id(fix.source), uri)
            if fix.needs_input and "placeholder" not in action.title:
                action.title += " (then fill in the <placeholders>)"
            if ls.state.client.resolve_edit:
                # The edit (positions in the client's encoding, the documents' versions) is
                # computed when the person picks this fix: codeAction/resolve.
                action.data = {
                    "errsig": "fix",
                    "uri": uri,
                    "finding": data,
                    "line": diag.range.start.line,
                    "index": index,
                    "title": fix.title,
                    "risk": fix.risk,
                }
                out.append(action)
                continue
            edit = _edit_for(ls, fix)
            if edit is None:
                continue
            action.edit = edit
            action.data = {"risk": fix.risk} if fix.risk else None
            out.append(action)
    return out  # in the core's order: safest first


def resolve_code_action(ls: ErrsigServer, action: t.CodeAction) -> t.CodeAction:
    """Fill in the edit of a fix ``code_actions`` offered without one. The plan is made again
    (from the cache while nothing changed); when the files changed so that this fix no longer
    applies, the action comes back without an edit and applying it changes nothing."""
    data = action.data if isinstance(action.data, dict) else {}
    if data.get("errsig") != "fix" or action.edit is not None:
        return action
    uri, finding, index = data.get("uri"), data.get("finding"), data.get("index")
    if not isinstance(uri, str) or not isinstance(finding, dict) or not isinstance(index, int):
        return action
    line = data.get("line")
    line = line if isinstance(line, int) and line >= 0 else 0
    diag = t.Diagnostic(
        range=t.Range(start=t.Position(line, 0), end=t.Position(line, 0)), message="", data=finding
    )
    found = _finding_of(ls, uri, diag)
    if found is None:
        return action
    fixes = _planned(ls, *found)
    if not 0 <= index < len(fixes) or fixes[index].title != data.get("title"):
        return action
    edit = _edit_for(ls, fixes[index])
    if edit is not None:
        action.edit = edit
    action.data = {"risk": data.get("risk")} if data.get("risk") else None
    return action


def _check_fix(ls: ErrsigServer, uri: str, diag: t.Diagnostic, fix: dict[str, Any]) -> t.CodeAction | None:
    """The safe edit a requirements or pip.conf check carries (already in client positions),
    for the document it was found in, with that document's version."""
    try:
        rng = t.Range(
            start=t.Position(int(fix["range"]["start"]["line"]), int(fix["range"]["start"]["character"])),
            end=t.Position(int(fix["range"]["end"]["line"]), int(fix["range"]["end"]["character"])),
        )
        title, new_text = str(fix["title"]), str(fix["newText"])
    except (KeyError, TypeError, ValueError):
        return None
    doc = ls.state.docs.get(uri)
    edit = t.TextEdit(range=rng, new_text=new_text)
    if ls.state.client.document_changes:
        version = doc.version if doc else None
        ident = t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        workspace_edit = t.WorkspaceEdit(
            document_changes=[t.TextDocumentEdit(text_document=ident, edits=[edit])]
        )
    else:
        workspace_edit = t.WorkspaceEdit(changes={uri: [edit]})
    return t.CodeAction(
        title=title,
        kind=t.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=workspace_edit,
        is_preferred=True,
    )


# -- commands, outline, lenses -----------------------------------------------------------


def execute_command(ls: ErrsigServer, command: str, arguments: list[Any]) -> Any:
    if command == EXPLAIN:
        assert ls.state.toolkit is not None
        rid = str(arguments[0]) if arguments else ""
        record = ls.state.toolkit.catalogue.resolve(rid)
        if record is None:
            return None
        card = make_card(record, locale=ls.state.client.locale, mine=tally(load(), record.id))
        return {"markdown": render_markdown(card, zh=_zh(ls))}
    if command in (RUN_IN_TERMINAL, COPY_COMMAND):
        return str(arguments[0]) if arguments else None
    if command == outcomes.FIX_APPLIED:
        outcomes.applied(ls, arguments)
    return None


def _log_findings(ls: ErrsigServer, uri: str) -> list[Any]:
    return list(ls.state.findings.get(uri, []))


def document_symbols(ls: ErrsigServer, uri: str) -> list[t.DocumentSymbol]:
    from errsig.lsp.features import line_text_for

    line_text = line_text_for(ls, uri)
    enc = ls.state.client.encoding
    out = []
    for f in _log_findings(ls, uri):
        rng = convert.span(line_text, f.line, f.col, f.end_line, f.end_col, enc)
        detail = f.title if not f.caused_by else f"{f.title} (caused by {f.caused_by[0]})"
        out.append(
            t.DocumentSymbol(
                name=f.id, detail=detail, kind=t.SymbolKind.Event, range=rng, selection_range=rng
            )
        )
    return out


def code_lenses(ls: ErrsigServer, uri: str) -> list[t.CodeLens]:
    findings = _log_findings(ls, uri)
    if not findings:
        return []
    roots = [f for f in findings if not f.caused_by]
    ids = list(dict.fromkeys(f.id for f in roots or findings))
    known = sum(1 for f in findings if not f.unknown)
    unknown = len(findings) - known
    parts = []
    if known:
        parts.append(f"{known} known error{'s' if known != 1 else ''}")
    if unknown:
        parts.append(f"{unknown} without a record")
    title = ", ".join(parts) + ": " + ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
    return [
        t.CodeLens(
            range=t.Range(start=t.Position(0, 0), end=t.Position(0, 0)),
            command=t.Command(title=title, command=EXPLAIN, arguments=[ids[0]]),
        )
    ]


def _param(params: Any, name: str) -> Any:
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)


def scan_text_request(ls: ErrsigServer, params: Any) -> dict[str, Any]:
    from errsig.core.fixes.plan import fixes_for

    text = _param(params, "text")
    if not isinstance(text, str):
        raise JsonRpcInvalidParams("errsig/scanText: params.text must be a string")
    name = _param(params, "name") or "<text>"
    assert ls.state.toolkit is not None
    text = text[-MAX_SCAN_TEXT:]
    findings = ls.state.toolkit.scanner.scan_text(text)
    lines = text.splitlines()
    out = []
    for f in findings:
        if ls.state.settings.is_disabled(f.id):
            continue
        item = f.to_json(str(name))
        fixes = []
        first = max(0, f.line - _AROUND[0])
        window = lines[first : f.line + _AROUND[1]]
        ctx = attrs.evolve(_context(ls), log_lines=window, log_line=f.line - first)
        for fix in fixes_for(f.record, f.captures, ctx):
            fixes.append({"title": fix.title, "command": fix.command, "preferred": fix.preferred})
        item["fixes"] = fixes
        out.append(item)
    outcomes.on_text(ls, text, findings, str(name))
    return {"findings": out}
