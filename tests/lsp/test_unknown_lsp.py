"""Unknown errors in the editor, and the loop: Draft a record -> edit -> the log's
diagnostic turns into the new id. Record files as a language (diagnostics, hover,
completion). Real server over stdio."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.conftest import DATA
from tests.lsp.session import code_actions, command_of, diagnostics, open_doc, session


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(DATA / "unknown" / "zmq.log", ws / "worker.log")
    return ws


async def _codes(client: object, uri: str, want: set[str], timeout: float = 20) -> list[t.Diagnostic]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        diags = await diagnostics(client, uri)  # type: ignore[arg-type]
        if {str(d.code) for d in diags} == want or loop.time() > deadline:
            return diags
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("client_name", ["vscode", "neovim"])
async def test_unknown_error_draft_and_it_becomes_known(workspace: Path, client_name: str) -> None:
    async with session(workspace, client_name) as client:
        uri = open_doc(client, workspace / "worker.log")
        diags = await _codes(client, uri, {"unknown/python", "unknown/ci"})
        by_code = {str(d.code): d for d in diags}
        unknown = by_code["unknown/python"]
        assert unknown.severity == t.DiagnosticSeverity.Information
        assert unknown.range.start.line == 7
        assert "no errsig record knows" in unknown.message
        assert by_code["unknown/ci"].severity == t.DiagnosticSeverity.Hint  # a symptom, one below

        lenses = await client.text_document_code_lens_async(
            t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert lenses[0].command is not None
        assert lenses[0].command.title == "2 without a record: unknown/python"
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(7, 3))
        )
        assert hover is not None
        assert "Draft a record" in hover.contents.value

        actions = await code_actions(
            client,
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=unknown.range,
                context=t.CodeActionContext(diagnostics=[unknown]),
            ),
        )
        assert actions
        (draft,) = [a for a in actions if "Draft a record" in a.title]
        cmd = command_of(draft)
        assert cmd is not None
        assert cmd[0] == "errsig.draftRecord"
        result = await client.workspace_execute_command_async(
            t.ExecuteCommandParams(command=cmd[0], arguments=cmd[1])
        )
        assert result is not None
        record_file = Path(result["path"])
        assert record_file.parent.parent == workspace / ".errsig" / "records"
        rid = result["id"]

        # The draft is live at once: the log's line is now the new id.
        diags = await _codes(client, uri, {rid})
        assert [(str(d.code), d.range.start.line) for d in diags] == [(rid, 7)]
        lenses = await client.text_document_code_lens_async(
            t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert lenses[0].command is not None
        assert lenses[0].command.title == f"1 known error: {rid}"

        # Edit the record in the editor: diagnostics at the JSON path, then fill and save.
        rec_uri = record_file.as_uri()
        text = record_file.read_text("utf-8")
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=rec_uri, language_id="json", version=1, text=text)
            )
        )
        assert await diagnostics(client, rec_uri, want=0) == []
        bad = text.replace('"category": ""', '"category": 5')
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=rec_uri, version=2),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=bad)],
            )
        )
        (problem,) = await diagnostics(client, rec_uri, want=1)
        assert problem.message.startswith("$.category")
        assert '"category": 5' in bad.split("\n")[problem.range.start.line]

        # Completion of a field with fixed values.
        line_no = next(i for i, x in enumerate(bad.split("\n")) if '"verification_tier"' in x)
        col = bad.split("\n")[line_no].index('"community"') + 1
        completion = await client.text_document_completion_async(
            t.CompletionParams(
                text_document=t.TextDocumentIdentifier(uri=rec_uri), position=t.Position(line_no, col)
            )
        )
        assert completion is not None
        items = completion.items if isinstance(completion, t.CompletionList) else completion
        assert {"community", "curated", "verified"} <= {i.label for i in items}

        # Hover on regex: what it captures in the samples.
        regex_line = next(i for i, x in enumerate(bad.split("\n")) if '"regex"' in x)
        hover = await client.text_document_hover_async(
            t.HoverParams(
                text_document=t.TextDocumentIdentifier(uri=rec_uri), position=t.Position(regex_line, 5)
            )
        )
        assert hover is not None
        assert "tcp://127.0.0.1:5555" in hover.contents.value

        # Narrow the regex so it no longer matches, save: the log's line is unknown again.
        data = json.loads(text)
        data["regex"] = "zmq\\.error\\.ZMQError: Address family not supported"
        data["samples"] = ["zmq.error.ZMQError: Address family not supported"]
        changed = json.dumps(data, indent=2)
        record_file.write_text(changed, "utf-8")
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=rec_uri, version=3),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=changed)],
            )
        )
        client.text_document_did_save(
            t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=rec_uri))
        )
        diags = await _codes(client, uri, {"unknown/python", "unknown/ci"})
        assert {str(d.code) for d in diags} == {"unknown/python", "unknown/ci"}


async def test_unknown_errors_can_be_turned_off(workspace: Path) -> None:
    async with session(workspace, "vscode", init_options={"unknownErrors": False}) as client:
        uri = open_doc(client, workspace / "worker.log")
        await asyncio.sleep(1.0)
        assert await diagnostics(client, uri, want=0, timeout=2) == []
