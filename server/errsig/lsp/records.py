"""Record files as a language, and the loop from an unknown error to a live record.

- ``errsig.draftRecord`` (the "Draft a record" quick fix on an ``unknown/<tool>``
  diagnostic) writes a draft into the workspace pack (``.errsig/records``, loaded
  automatically), reloads the catalogue and opens the new file.
- Record files (``seeds/**/*.json``, ``.errsig/records/**/*.json``, any configured pack)
  get diagnostics while edited (JSON, schema, regex, samples; the clean-log corpus when
  opened and saved), a hover on ``regex`` with what it captures in the samples, and
  completion for fields with a fixed set of values. Saving a record of a loaded pack makes
  it live: the catalogue reloads and open logs are rescanned.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as t
from pygls.uris import from_fs_path, to_fs_path

from errsig.core.draft import WORKSPACE_PACK, draft_record, taken_ids, write_draft
from errsig.core.explain.card import md
from errsig.core.kb.jsonpos import value_spans
from errsig.core.kb.load import builtin_seeds_dir
from errsig.core.kb.model import Record
from errsig.core.recordcheck import ENUMS, captures_in_samples, check_record_text, expected_id, parse_record
from errsig.lsp import convert
from errsig.lsp.positions import from_client, to_client
from errsig.lsp.state import CHECK_SOURCE

if TYPE_CHECKING:
    from errsig.lsp.documents import Document
    from errsig.lsp.server import ErrsigServer

DRAFT_RECORD = "errsig.draftRecord"
RECORD = "record"
_SEVERITY = {
    "error": t.DiagnosticSeverity.Error,
    "warning": t.DiagnosticSeverity.Warning,
    "information": t.DiagnosticSeverity.Information,
}


# -- which files are records ---------------------------------------------------------------


def pack_root_of(ls: ErrsigServer, path: str | None) -> Path | None:
    """The pack folder a ``.json`` file belongs to, if it is a record file."""
    if not path or not path.endswith(".json"):
        return None
    p = Path(path)
    candidates = [*ls.state.pack_dirs(), builtin_seeds_dir()]
    candidates += [Path(r) / WORKSPACE_PACK for r in ls.state.roots]
    for root in candidates:
        try:
            p.resolve().relative_to(root.resolve())
            return root
        except (ValueError, OSError):
            continue
    parts = p.parts
    for i in range(len(parts) - 1, 0, -1):  # a seeds/ folder, or a .errsig/records folder anywhere
        if parts[i - 1] == "seeds" or (parts[i - 1] == "records" and i >= 2 and parts[i - 2] == ".errsig"):
            return Path(*parts[:i])
    return None


# -- diagnostics -------------------------------------------------------------------------


class _Offsets:
    """Code-point offsets of a text joined with ``\\n`` -> client positions."""

    def __init__(self, lines: Sequence[str], encoding: str) -> None:
        self.lines = lines
        self.encoding = encoding
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, offset: int) -> t.Position:
        n = max(0, bisect.bisect_right(self.starts, offset) - 1)
        n = min(n, len(self.lines) - 1) if self.lines else 0
        line = self.lines[n] if self.lines else ""
        return t.Position(line=n, character=to_client(line, offset - self.starts[n], self.encoding))

    def offset(self, pos: t.Position) -> int:
        if pos.line >= len(self.lines):
            return self.starts[-1]
        return self.starts[pos.line] + from_client(self.lines[pos.line], pos.character, self.encoding)


def check(ls: ErrsigServer, doc: Document, *, clean: bool) -> None:
    """Diagnostics of a record file (``clean``: also look for matches in the clean logs)."""
    root = pack_root_of(ls, doc.path)
    rid = expected_id(Path(doc.path), root) if doc.path and root else None
    issues = check_record_text(doc.text, rid, clean=clean)
    if not clean:  # keep the last clean-corpus warning until the next save
        old = ls.state.diagnostics.get((CHECK_SOURCE, doc.uri), [])
        issues_msgs = {i.message for i in issues}
        kept = [d for d in old if "clean corpus" in d.message and d.message not in issues_msgs]
    else:
        kept = []
    offsets = _Offsets(doc.lines, ls.state.client.encoding)
    diags = [
        t.Diagnostic(
            range=t.Range(start=offsets.position(i.start), end=offsets.position(max(i.end, i.start + 1))),
            message=i.message,
            severity=_SEVERITY.get(i.severity, t.DiagnosticSeverity.Error),
            source=convert.SOURCE,
            code="record",
        )
        for i in issues
    ]
    ls.state.diagnostics[(CHECK_SOURCE, doc.uri)] = diags + kept


def saved(ls: ErrsigServer, doc: Document) -> bool:
    """A record of a loaded pack was saved: reload, rescan open logs. True if reloaded."""
    from errsig.lsp.features import reload_catalogue

    root = pack_root_of(ls, doc.path)
    if root is None:
        return False
    loaded = [p.resolve() for p in ls.state.pack_dirs()]
    if root.resolve() in loaded or (root.name == "records" and root.parent.name == ".errsig"):
        reload_catalogue(ls)
        return True
    return False


# -- hover and completion -------------------------------------------------------------------


def _key_at(text: str, offset: int) -> str | None:
    """The top-level field whose key or value holds ``offset``."""
    spans = value_spans(text)
    best = None
    for path, (start, end) in spans.items():
        if path.count(".") != 1 or "[" in path:
            continue
        key = path.split("#")[0][2:]
        if start <= offset <= end:
            best = key
    return best


def hover(ls: ErrsigServer, doc: Document, pos: t.Position) -> t.Hover | None:
    offsets = _Offsets(doc.lines, ls.state.client.encoding)
    text = doc.text
    if _key_at(text, offsets.offset(pos)) != "regex":
        return None
    record, _issues = parse_record(text)
    if record is None:  # another field is wrong: the regex and samples may still be fine
        try:
            data = json.loads(text)
            regex, samples = data["regex"], data.get("samples") or []
        except (ValueError, KeyError, TypeError, RecursionError):
            return None
        if not isinstance(regex, str) or not all(isinstance(x, str) for x in samples):
            return None
        record = Record(id="draft/regex", signature="", regex=regex, samples=list(samples))
    found = captures_in_samples(record)
    if not record.samples:
        body = "This record has no `samples` yet: add the output it must match."
    elif not found:
        body = "The regex matches none of this record's samples."
    else:
        rows = []
        for match, groups in found:
            rows.append(f"- {md(match[:120])}")
            for name, value in groups.items():
                rows.append(f"  - {md(name)} = {md(value[:80])}")
        body = "In this record's samples the regex matches:\n\n" + "\n".join(rows)
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=body))


def completion(ls: ErrsigServer, doc: Document, pos: t.Position) -> t.CompletionList | None:
    line = doc.line(pos.line)
    col = from_client(line, pos.character, ls.state.client.encoding)
    before = line[:col]
    # "key": "<cursor>  — the value of a field with a fixed set of values.
    key = None
    for name in (*ENUMS, "domain", "category"):
        marker = f'"{name}"'
        at = before.rfind(marker)
        if at >= 0 and ":" in before[at + len(marker) :] and before.count('"', at) in (3, 4):
            key = name
    if key is None:
        return None
    values: tuple[str, ...]
    if key in ENUMS:
        values = ENUMS[key]
    else:
        assert ls.state.toolkit is not None
        values = tuple(sorted({getattr(r, key) for r in ls.state.toolkit.catalogue if getattr(r, key)}))
    return t.CompletionList(
        is_incomplete=False,
        items=[t.CompletionItem(label=v, kind=t.CompletionItemKind.EnumMember) for v in values],
    )


# -- drafting ------------------------------------------------------------------------------


def draft_action(uri: str, diag: t.Diagnostic) -> t.CodeAction:
    title = "Draft a record for this error (errsig)"
    return t.CodeAction(
        title=title,
        kind=t.CodeActionKind.QuickFix,
        diagnostics=[diag],
        command=t.Command(title=title, command=DRAFT_RECORD, arguments=[uri, diag.range.start.line]),
    )


def _pack_for(ls: ErrsigServer, log_path: Path | None) -> Path | None:
    for root in ls.state.roots:
        if log_path is None:
            return Path(root) / WORKSPACE_PACK
        try:
            log_path.resolve().relative_to(Path(root).resolve())
            return Path(root) / WORKSPACE_PACK
        except ValueError:
            continue
    if ls.state.roots:
        return Path(ls.state.roots[0]) / WORKSPACE_PACK
    return log_path.parent / WORKSPACE_PACK if log_path is not None else None


async def draft(ls: ErrsigServer, arguments: list[Any]) -> dict[str, Any] | None:
    """Write a draft record for line ``arguments[1]`` of the log ``arguments[0]``."""
    from errsig.lsp.features import line_text_for, reload_catalogue

    if len(arguments) < 2 or not isinstance(arguments[0], str) or not isinstance(arguments[1], int):
        return None
    uri, line = arguments[0], arguments[1]
    line_text = line_text_for(ls, uri)
    first = max(0, line - 200)
    lines = [line_text(n) for n in range(first, line + 4)]
    path = to_fs_path(uri)
    pack = _pack_for(ls, Path(path) if path else None)
    if pack is None:
        ls.log("errsig: no workspace folder to draft a record into", t.MessageType.Warning)
        return None
    assert ls.state.toolkit is not None
    taken = {r.id for r in ls.state.toolkit.catalogue} | taken_ids(pack)
    result = draft_record(lines, line - first, taken=taken)
    if result is None:
        return None
    try:
        target = write_draft(result, pack)
    except OSError as exc:
        ls.log(f"errsig: cannot write the draft: {exc}", t.MessageType.Warning)
        return None
    ls.state.drafted_packs.add(pack)
    reload_catalogue(ls)
    target_uri = from_fs_path(str(target)) or target.as_uri()
    if ls.state.client.show_document:
        try:
            await ls.window_show_document_async(t.ShowDocumentParams(uri=target_uri, take_focus=True))
        except Exception as exc:  # the client may refuse; the file is written all the same
            ls.log(f"window/showDocument failed: {exc!r}")
    return {
        "id": result.record.id,
        "uri": target_uri,
        "path": str(target),
        "json": json.loads(result.to_json()),
    }
