"""Hover cards, quick fixes, commands, outline and lens over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.conftest import DATA
from tests.lsp.session import apply_text_edits, code_actions, command_of, diagnostics, open_doc, session

PACK = str(DATA / "pack")
LOG = "Collecting frobby\nFROB-E104 link dropped while fetching frobby\nFROB-E404 no candidate for frobby\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "build.log").write_text(LOG, "utf-8")
    return ws


async def test_hover_card(workspace: Path) -> None:
    async with session(workspace, "vscode", init_options={"packs": [PACK]}) as client:
        uri = open_doc(client, workspace / "build.log")
        await diagnostics(client, uri, want=2)
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(1, 12))
        )
        assert hover is not None
        assert isinstance(hover.contents, t.MarkupContent)
        md = hover.contents.value
        assert "demo/frob-reset" in md
        assert "The frobnicator lost its connection." in md
        # Safest first, whatever the pack claims: the timeout before the third-party mirror.
        assert md.index("Give pip more time and retries") < md.index("Use a third-party mirror")
        assert "pip install --default-timeout=120 --retries 5 frobby" in md  # placeholder filled
        assert "Run the same command again" in md
        assert "%" not in md  # no rate nobody measured
        assert "suggested, not yet confirmed" in md
        assert "demo/frob-missing" in md  # what usually comes next
        assert "https://example.invalid/docs/frob-reset" in md
        nothing = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(0, 3))
        )
        assert nothing is None


async def test_hover_in_chinese(workspace: Path) -> None:
    async with session(workspace, "vscode", init_options={"packs": [PACK]}, locale="zh-CN") as client:
        uri = open_doc(client, workspace / "build.log")
        await diagnostics(client, uri, want=2)
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(1, 0))
        )
        assert hover is not None
        assert isinstance(hover.contents, t.MarkupContent)
        assert "连接被远端关闭。" in hover.contents.value
        assert "增加超时和重试次数" in hover.contents.value


async def _all_actions(client, uri: str, diag: t.Diagnostic) -> list[object]:  # type: ignore[no-untyped-def]
    result = await code_actions(
        client,
        t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=t.CodeActionContext(diagnostics=[diag], only=[t.CodeActionKind.QuickFix]),
        ),
    )
    return list(result or [])


async def _actions(client, uri: str, diag: t.Diagnostic) -> list[t.CodeAction]:  # type: ignore[no-untyped-def]
    return [a for a in await _all_actions(client, uri, diag) if isinstance(a, t.CodeAction)]


def _pipconf_actions(actions: list[t.CodeAction], conf: Path) -> list[t.CodeAction]:
    return [a for a in actions if a.edit is not None and str(conf) in a.title]


@pytest.mark.parametrize("client_name", ["vscode", "neovim"])
async def test_pip_conf_fix_creates_a_missing_file(workspace: Path, client_name: str) -> None:
    conf = workspace / "cfg" / "pip.conf"
    async with session(
        workspace, client_name, init_options={"packs": [PACK]}, env={"PIP_CONFIG_FILE": str(conf)}
    ) as client:
        uri = open_doc(client, workspace / "build.log")
        diag = (await diagnostics(client, uri, want=2))[0]
        everything = await _all_actions(client, uri, diag)
        actions = [a for a in everything if isinstance(a, t.CodeAction)]
        (fix,) = _pipconf_actions([a for a in actions if "timeout" in a.title], conf)
        assert actions[0] is fix, "the preferred fix comes first"
        assert fix.is_preferred
        assert fix.kind == t.CodeActionKind.QuickFix
        assert [d.code for d in fix.diagnostics or []] == ["demo/frob-reset"]
        changes = list(fix.edit.document_changes or [])  # type: ignore[union-attr]
        create, edit = changes
        assert isinstance(create, t.CreateFile)
        assert create.uri == conf.as_uri()
        assert create.options is None or not create.options.ignore_if_exists  # Neovim would skip writing
        assert isinstance(edit, t.TextDocumentEdit)
        content = apply_text_edits("", list(edit.edits))  # type: ignore[arg-type]
        assert content == "[global]\ntimeout = 120\nretries = 5\n"
        # The mirror workaround is offered, never preferred, and says what it does.
        risky = [a for a in actions if "mirror" in a.title.lower()]
        assert risky
        assert not any(a.is_preferred for a in risky)
        assert all("third-party" in a.title.lower() for a in risky)
        # And the command itself, for the editor to run or copy.
        commands = [c for a in everything if (c := command_of(a))]
        # Once: a complete command is offered to run, not also to copy.
        assert ("errsig.runInTerminal", ["pip install --default-timeout=120 --retries 5 frobby"]) in commands
        assert len(commands) == len({tuple(c[1]) for c in commands})
        ran = await client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="errsig.copyCommand", arguments=["pip install x"])
        )
        assert ran == "pip install x"


EXISTING = """# company settings
[global]
index-url = https://pypi.org/simple
timeout = 15

[install]
no-warn-script-location = true
"""
MERGED = """# company settings
[global]
index-url = https://pypi.org/simple
timeout = 120
retries = 5

[install]
no-warn-script-location = true
"""


async def test_pip_conf_fix_merges_into_an_existing_file_and_is_idempotent(workspace: Path) -> None:
    conf = workspace / "pip.conf"
    conf.write_text(EXISTING, "utf-8")
    async with session(
        workspace, "vscode", init_options={"packs": [PACK]}, env={"PIP_CONFIG_FILE": str(conf)}
    ) as client:
        uri = open_doc(client, workspace / "build.log")
        diag = (await diagnostics(client, uri, want=2))[0]
        (fix,) = _pipconf_actions(
            [a for a in await _actions(client, uri, diag) if "timeout" in a.title], conf
        )
        assert fix.is_preferred
        changes = list(fix.edit.document_changes or [])  # type: ignore[union-attr]
        assert all(isinstance(c, t.TextDocumentEdit) for c in changes), "no CreateFile on an existing file"
        (edit,) = changes
        merged = apply_text_edits(EXISTING, list(edit.edits))  # type: ignore[arg-type]
        assert merged == MERGED
        conf.write_text(merged, "utf-8")
        again = _pipconf_actions([a for a in await _actions(client, uri, diag) if "timeout" in a.title], conf)
        for action in again:  # applying it a second time changes nothing
            for change in action.edit.document_changes or []:  # type: ignore[union-attr]
                assert apply_text_edits(merged, list(change.edits)) == merged  # type: ignore[union-attr,arg-type]


async def test_commands_outline_and_lens(workspace: Path) -> None:
    async with session(workspace, "vscode", init_options={"packs": [PACK]}) as client:
        uri = open_doc(client, workspace / "build.log")
        await diagnostics(client, uri, want=2)
        explained = await client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="errsig.explain", arguments=["demo/frob-reset"])
        )
        assert "The frobnicator lost its connection." in explained["markdown"]
        symbols = await client.text_document_document_symbol_async(
            t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert [s.name for s in symbols] == ["demo/frob-reset", "demo/frob-missing"]  # type: ignore[union-attr]
        lenses = await client.text_document_code_lens_async(
            t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert lenses
        assert lenses[0].range.start == t.Position(0, 0)
        assert lenses[0].command is not None
        assert lenses[0].command.title.startswith("2 known errors: demo/frob-reset")
