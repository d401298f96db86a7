"""codeAction/resolve over stdio: a client that resolves edits gets quick fixes without them
(titles only: the lightbulb's request diffs nothing), and the edit when it resolves one, equal to
what a client without resolve support gets at once; a fix that no longer applies when it is
picked resolves to no edit; a plan is re-made when a file it read changes on disk."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.session import apply_text_edits, diagnostics, open_doc, session

DOCKERFILE = "FROM python:3.11\nRUN pip install -r requirements.txt && \\\n    pip install gunicorn\n"
TIMEOUT_LOG = (
    "Collecting torch\n"
    "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org',"
    " port=443): Read timed out.\n"
)
OPTS = {"errsig": {"maxQuickFixes": 50}}


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Dockerfile").write_text(DOCKERFILE, "utf-8")
    (ws / "timeout.log").write_text(TIMEOUT_LOG, "utf-8")
    return ws


async def _raw_actions(client: LanguageClient, uri: str, diag: t.Diagnostic) -> list[t.CodeAction]:
    params = t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=diag.range,
        context=t.CodeActionContext(diagnostics=[diag]),
    )
    result = await client.text_document_code_action_async(params)
    return [a for a in result or [] if isinstance(a, t.CodeAction)]


def _docker(actions: list[t.CodeAction]) -> t.CodeAction:
    found = [a for a in actions if "Dockerfile" in a.title and "--timeout" in a.title]
    assert found, [a.title for a in actions]
    return found[0]


def _edited(action: t.CodeAction) -> str:
    assert action.edit is not None
    (change,) = action.edit.document_changes or []
    assert isinstance(change, t.TextDocumentEdit)
    return apply_text_edits(DOCKERFILE, list(change.edits))  # type: ignore[arg-type]


async def test_edits_come_with_resolve_and_equal_the_immediate_ones(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    async with session(ws, "vscode", init_options=OPTS, resolve_actions=False) as client:
        uri = open_doc(client, ws / "timeout.log")
        (diag,) = await diagnostics(client, uri, want=1)
        immediate = _docker(await _raw_actions(client, uri, diag))
        assert immediate.edit is not None
    async with session(ws, "vscode", init_options=OPTS, resolve_actions=True) as client:
        uri = open_doc(client, ws / "timeout.log")
        (diag,) = await diagnostics(client, uri, want=1)
        actions = await _raw_actions(client, uri, diag)
        edit_fixes = [a for a in actions if a.command is None]
        assert edit_fixes
        assert all(a.edit is None and a.data for a in edit_fixes)  # nothing diffed for the lightbulb
        lazy = _docker(actions)
        assert lazy.title == immediate.title
        assert lazy.is_preferred == immediate.is_preferred
        resolved = await client.code_action_resolve_async(lazy)
        assert resolved.edit is not None
        assert _edited(resolved) == _edited(immediate)
        assert "--timeout 120" in _edited(resolved)
        # Asked again with nothing changed: the same offer (the plan comes from the cache).
        again = _docker(await _raw_actions(client, uri, diag))
        assert again.title == lazy.title
        assert again.data == lazy.data


async def test_a_fix_that_no_longer_applies_resolves_to_no_edit(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    async with session(ws, "vscode", init_options=OPTS, resolve_actions=True) as client:
        uri = open_doc(client, ws / "timeout.log")
        (diag,) = await diagnostics(client, uri, want=1)
        lazy = _docker(await _raw_actions(client, uri, diag))
        resolved = await client.code_action_resolve_async(lazy)
        # Someone applies the same change on disk before the person picks the offer.
        (ws / "Dockerfile").write_text(_edited(resolved), "utf-8")
        stale = await client.code_action_resolve_async(lazy)
        assert stale.edit is None
        # The plan was made again from the changed file: the fix is no longer offered.
        titles = [a.title for a in await _raw_actions(client, uri, diag)]
        assert lazy.title not in titles, titles


async def test_resolve_with_foreign_or_broken_data_changes_nothing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    async with session(ws, "vscode", init_options=OPTS, resolve_actions=True) as client:
        uri = open_doc(client, ws / "timeout.log")
        (diag,) = await diagnostics(client, uri, want=1)
        for data in (
            None,
            {"errsig": "fix"},
            {"errsig": "fix", "uri": uri, "finding": {"id": "no/such"}, "index": 0},
            {"errsig": "fix", "uri": uri, "finding": diag.data, "index": 999, "title": "x"},
            ["x"],
        ):
            action = t.CodeAction(title="someone else's", kind=t.CodeActionKind.QuickFix, data=data)
            back = await client.code_action_resolve_async(action)
            assert back.edit is None
            assert back.title == "someone else's"
        # The server still answers.
        assert _docker(await _raw_actions(client, uri, diag)).title
