"""Over stdio: causes and symptoms told apart, hover anywhere on an error line, edits to an
open pip.conf computed from the editor's text and carrying its version, FIFOs skipped."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.session import apply_text_edits, code_actions, command_of, diagnostics, open_doc, session

PSYCOPG = (
    "Collecting psycopg2\n"
    "  Downloading psycopg2-2.9.9.tar.gz (384 kB)\n"
    "  Preparing metadata (setup.py) ... error\n"
    "  error: subprocess-exited-with-error\n"
    "  \n"
    "  × python setup.py egg_info did not run successfully.\n"
    "  │ exit code: 1\n"
    "  ╰─> [6 lines of output]\n"
    "      running egg_info\n"
    "      Error: pg_config executable not found.\n"
    "      \n"
    "  [end of output]\n"
)
RESET = (
    "Collecting requests\n"
    "      ERROR: Could not install packages due to an OSError: ('Connection aborted.', "
    "ConnectionResetError(104, 'Connection reset by peer'))\n"
)


async def _actions(client: LanguageClient, uri: str, diag: t.Diagnostic) -> list[t.CodeAction]:
    params = t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=diag.range,
        context=t.CodeActionContext(diagnostics=[diag]),
    )
    return [a for a in await code_actions(client, params) or [] if isinstance(a, t.CodeAction)]


async def test_a_symptom_is_one_severity_below_its_cause_and_linked_both_ways(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "build.log").write_text(PSYCOPG, "utf-8")
    async with session(ws, "vscode") as client:
        uri = open_doc(client, ws / "build.log")
        diags = await diagnostics(client, uri, want=2)
        by_id = {str(d.code): d for d in diags}
        cause, symptom = by_id["build/pg-config-missing"], by_id["pip/subprocess-exited-with-error"]
        assert cause.severity == t.DiagnosticSeverity.Error
        assert symptom.severity == t.DiagnosticSeverity.Warning
        assert symptom.related_information is not None
        assert [r.location.range.start.line for r in symptom.related_information] == [cause.range.start.line]
        assert cause.related_information is not None
        assert symptom.range.start.line in [r.location.range.start.line for r in cause.related_information]
    async with session(ws, "vscode", init_options={"errsig": {"symptomSeverity": "same"}}) as client:
        uri = open_doc(client, ws / "build.log")
        diags = await diagnostics(client, uri, want=2)
        assert {d.severity for d in diags} == {t.DiagnosticSeverity.Error}


async def test_hover_anywhere_on_an_error_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "build.log").write_text(RESET, "utf-8")
    async with session(ws, "neovim") as client:
        uri = open_doc(client, ws / "build.log")
        [diag] = await diagnostics(client, uri, want=1)
        assert diag.range.start.character > 5
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(1, 0))
        )
        assert hover is not None
        assert isinstance(hover.contents, t.MarkupContent)
        assert "pip/network-connection-reset-by-peer" in hover.contents.value


async def test_an_open_pip_conf_is_edited_from_the_editors_text_with_its_version(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "build.log").write_text(RESET, "utf-8")
    conf = ws / "pip.conf"
    conf.write_text("[global]\n# and another comment\ntimeout = 15\n", "utf-8")
    unsaved = "# mine\n[global]\n# and another comment\nindex-url = https://pypi.org/simple\n"
    env = {"PIP_CONFIG_FILE": str(conf)}
    async with session(ws, "vscode", env=env) as client:
        conf_uri = open_doc(client, conf, language_id="ini", text=unsaved)
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=conf_uri, version=7),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=unsaved)],
            )
        )
        uri = open_doc(client, ws / "build.log")
        [diag] = await diagnostics(client, uri, want=1)
        actions = await _actions(client, uri, diag)
        edits = [a for a in actions or [] if isinstance(a, t.CodeAction) and a.edit and "pip.conf" in a.title]
        assert edits, [a.title for a in actions or []]
        assert edits[0].is_preferred  # the project's own pip.conf: a safe, local change
        [change] = edits[0].edit.document_changes or []  # type: ignore[union-attr]
        assert isinstance(change, t.TextDocumentEdit)
        assert change.text_document.version == 7
        result = apply_text_edits(unsaved, list(change.edits))  # type: ignore[arg-type]
        assert result.startswith(
            "# mine\n[global]\n# and another comment\nindex-url = https://pypi.org/simple\n"
        )
        assert result.count("[global]") == 1
        assert result != unsaved
        # The editor applies it; the same fix is then gone (applying twice changes nothing).
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=conf_uri, version=8),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=result)],
            )
        )
        again = await _actions(client, uri, diag)
        titles = [a.title for a in again or [] if isinstance(a, t.CodeAction)]
        assert edits[0].title not in titles, titles


async def test_fifos_in_the_workspace_are_skipped(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    os.mkfifo(ws / "stuck.log")
    os.mkfifo(ws / "requirements.txt")
    (ws / "build.log").write_text(RESET, "utf-8")
    uri = (ws / "build.log").as_uri()
    async with session(ws, "vscode") as client:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not client.diagnostics.get(uri) and loop.time() < deadline:
            await asyncio.sleep(0.1)
        assert [str(d.code) for d in client.diagnostics.get(uri, [])] == [
            "pip/network-connection-reset-by-peer"
        ]


async def test_requirements_checks_carry_a_safe_fix_for_the_open_document(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    text = "--index-url https://mirror.example/simple\nrequests\n-i https://pypi.org/simple\nRequests\n"
    (ws / "requirements.txt").write_text(text, "utf-8")
    async with session(ws, "vscode") as client:
        uri = open_doc(client, ws / "requirements.txt", language_id="pip-requirements", text=text)
        diags = await diagnostics(client, uri, want=2)
        assert sorted(str(d.code) for d in diags) == ["duplicate-requirement", "index-overridden"]
        overridden = next(d for d in diags if d.code == "index-overridden")
        actions = await code_actions(
            client,
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=overridden.range,
                context=t.CodeActionContext(diagnostics=[overridden]),
            ),
        )
        [action] = [a for a in actions or [] if isinstance(a, t.CodeAction)]
        assert action.title.startswith("Remove the --index-url that line 3 overrides")
        [change] = action.edit.document_changes or []  # type: ignore[union-attr]
        assert isinstance(change, t.TextDocumentEdit)
        assert change.text_document.version == 1
        fixed = apply_text_edits(text, list(change.edits))  # type: ignore[arg-type]
        assert fixed == "requests\n-i https://pypi.org/simple\nRequests\n"


async def test_an_applied_fix_is_followed_to_its_outcome(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    data = tmp_path / "data"
    (ws / "build.log").write_text(RESET, "utf-8")
    conf = ws / "pip.conf"
    async with session(
        ws, "vscode", env={"PIP_CONFIG_FILE": str(conf), "ERRSIG_DATA_DIR": str(data)}
    ) as client:
        uri = open_doc(client, ws / "build.log")
        [diag] = await diagnostics(client, uri, want=1)
        actions = await _actions(client, uri, diag)
        [preferred] = [a for a in actions or [] if isinstance(a, t.CodeAction) and a.is_preferred]
        changes = preferred.edit.document_changes or []  # type: ignore[union-attr]
        [change] = [c for c in changes if isinstance(c, t.TextDocumentEdit)]  # after a CreateFile
        # The editor applies the edit to pip.conf (opened for it); the user runs pip again.
        applied = apply_text_edits("", list(change.edits))  # type: ignore[arg-type]
        open_doc(client, conf, language_id="ini", text=applied)
        await asyncio.sleep(0.5)
        result = await client.protocol.send_request_async(
            "errsig/scanText", {"text": "Collecting requests\nSuccessfully installed requests-2.32.3\n"}
        )
        assert result is not None
    [line] = (data / "outcomes.jsonl").read_text("utf-8").splitlines()
    stored = json.loads(line)
    assert stored["id"] == "pip/network-connection-reset-by-peer"
    assert stored["outcome"] == "worked"
    assert str(ws) not in line  # no paths kept


async def test_a_fix_command_run_in_the_terminal_is_followed_to_its_outcome(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    data = tmp_path / "data"
    (ws / "build.log").write_text(RESET, "utf-8")
    async with session(ws, "vscode", env={"ERRSIG_DATA_DIR": str(data)}) as client:
        uri = open_doc(client, ws / "build.log")
        [diag] = await diagnostics(client, uri, want=1)
        params = t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=t.CodeActionContext(diagnostics=[diag]),
        )
        commands = [command_of(a) for a in await code_actions(client, params) or []]
        runs = [
            args for c in commands if c is not None for name, args in [c] if name == "errsig.runInTerminal"
        ]
        assert runs
        command = str(runs[0][0])
        # The terminal runs it; the same error shows again.
        await client.protocol.send_request_async("errsig/scanText", {"text": RESET, "name": command})
    [line] = (data / "outcomes.jsonl").read_text("utf-8").splitlines()
    assert json.loads(line)["outcome"] == "failed"
    assert command not in line  # no command text kept


PLATFORM = (
    "+ docker run --rm -it app:arm64\n"
    "WARNING: The requested image's platform (linux/arm64) does not match the detected host platform"
    " (linux/amd64/v3) and no specific platform was requested\n"
    "exec /bin/sh: exec format error\n"
)


async def test_a_warning_that_led_to_an_error_is_shown_as_the_error(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "run.log").write_text(PLATFORM, "utf-8")
    async with session(ws, "vscode") as client:
        uri = open_doc(client, ws / "run.log")
        diags = await diagnostics(client, uri, want=2)
        by_id = {str(d.code): d for d in diags}
        cause, symptom = by_id["docker/platform-mismatch-warning"], by_id["docker/exec-format-error"]
        # The log failed: its cause is shown as an error, the error it led to one below.
        assert cause.severity == t.DiagnosticSeverity.Error
        assert symptom.severity == t.DiagnosticSeverity.Warning
        assert symptom.related_information is not None
        assert [r.location.range.start.line for r in symptom.related_information] == [1]
    # A warning alone stays a warning.
    (ws / "warn.log").write_text(PLATFORM.rsplit("\n", 2)[0] + "\n", "utf-8")
    async with session(ws, "vscode") as client:
        uri = open_doc(client, ws / "warn.log")
        (diag,) = await diagnostics(client, uri, want=1)
        assert diag.severity == t.DiagnosticSeverity.Warning
