"""Starting the real server over stdio with a real client's capabilities (pytest-lsp)."""

from __future__ import annotations

import ast
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

CLIENTS = {
    # VS Code 1.65 predates pull diagnostics: the server pushes.
    "vscode": "visual-studio-code",
    # Neovim 0.11 declares textDocument.diagnostic: the server answers pulls only.
    "neovim": "neovim@v0.11.0",
}


def capabilities(
    name: str,
    *,
    dynamic_watch: bool | None = None,
    encodings: list[str] | None = None,
    resolve_actions: bool | None = None,
) -> t.ClientCapabilities:
    caps = client_capabilities(CLIENTS[name])
    if resolve_actions is not None:
        assert caps.text_document is not None
        ca = caps.text_document.code_action
        assert ca is not None
        ca.data_support = resolve_actions
        ca.resolve_support = (
            t.ClientCodeActionResolveOptions(properties=["edit"]) if resolve_actions else None
        )
    if dynamic_watch is not None:
        assert caps.workspace is not None
        caps.workspace.did_change_watched_files = t.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=dynamic_watch
        )
    if encodings is not None:
        caps.general = t.GeneralClientCapabilities(position_encodings=encodings)  # type: ignore[arg-type]
    return caps


def pulls(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic)


@asynccontextmanager
async def session(
    workspace: Path,
    client_name: str = "vscode",
    *,
    env: dict[str, str] | None = None,
    init_options: Any = None,
    configuration: dict[str, Any] | None = None,
    locale: str | None = None,
    **caps_kw: Any,
) -> AsyncIterator[LanguageClient]:
    # The server sees a clean environment: no pip settings of this machine, a home of its own.
    server_env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "XDG_"))}
    home = workspace.parent / "home"
    home.mkdir(exist_ok=True)
    server_env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})
    server_env.update(env or {})
    config = ClientServerConfig(server_command=[sys.executable, "-m", "errsig", "lsp"], server_env=server_env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(t.CLIENT_REGISTER_CAPABILITY)
    def _register(ls: LanguageClient, params: t.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(t.CLIENT_UNREGISTER_CAPABILITY)
    def _unregister(ls: LanguageClient, params: t.UnregistrationParams) -> None:
        return None

    if configuration is not None:
        client.set_configuration(configuration)
    caps = capabilities(client_name, **caps_kw)
    await client.initialize_session(
        t.InitializeParams(
            capabilities=caps,
            root_uri=workspace.as_uri(),
            workspace_folders=[t.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)],
            initialization_options=init_options,
            locale=locale,
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()


async def code_actions(client: LanguageClient, params: t.CodeActionParams) -> list[t.CodeAction | t.Command]:
    """textDocument/codeAction, then codeAction/resolve for each action that comes without its
    edit, as an editor does when a person picks it."""
    caps = client.capabilities
    ca = caps.text_document.code_action if caps and caps.text_document else None
    resolves = bool(ca and ca.resolve_support and "edit" in ca.resolve_support.properties)
    out: list[t.CodeAction | t.Command] = []
    for a in await client.text_document_code_action_async(params) or []:
        picked = a
        if isinstance(a, t.CodeAction) and a.edit is None and a.command is None and resolves and a.data:
            picked = await client.code_action_resolve_async(a)
        out.append(picked)
    return out


def open_doc(client: LanguageClient, path: Path, language_id: str = "log", text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(
                uri=uri,
                language_id=language_id,
                version=1,
                text=path.read_text("utf-8") if text is None else text,
            )
        )
    )
    return uri


async def diagnostics(
    client: LanguageClient, uri: str, *, want: int | None = None, timeout: float = 15
) -> list[t.Diagnostic]:
    """The document's diagnostics the way this client gets them (pull or push)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if pulls(client):
            report = await client.text_document_diagnostic_async(
                t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri=uri))
            )
            items = list(report.items) if isinstance(report, t.RelatedFullDocumentDiagnosticReport) else []
        else:
            items = list(client.diagnostics.get(uri, []))
        if (want is None and items) or (want is not None and len(items) == want) or loop.time() > deadline:
            return items
        await asyncio.sleep(0.05)


async def pushed(client: LanguageClient, uri: str, *, want: int, timeout: float = 15) -> list[t.Diagnostic]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        items = list(client.diagnostics.get(uri, []))
        if len(items) == want:
            return items
        await asyncio.sleep(0.05)
    return list(client.diagnostics.get(uri, []))


def rng(diag: t.Diagnostic) -> str:
    r = diag.range
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"


def apply_text_edits(text: str, edits: list[t.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) to ``text`` the way an editor does."""
    lines = text.split("\n")

    def offset(pos: t.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return before + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return before + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def command_of(action: object) -> tuple[str, list[object]] | None:
    """(command, arguments) of a code action that runs a command.

    lsprotocol's client-side structuring of ``(Command | CodeAction)[]`` turns a
    CodeAction that carries a ``command`` object (and no edit) into a ``Command`` whose
    ``command`` is the object's ``str()``. VS Code and Neovim tell them apart by the type
    of ``command``; undo the client library's mix-up here."""
    cmd = getattr(action, "command", None)
    if isinstance(cmd, str) and cmd.startswith("{"):
        cmd = ast.literal_eval(cmd)
    if isinstance(cmd, t.Command):
        return cmd.command, list(cmd.arguments or [])
    if isinstance(cmd, dict):
        return str(cmd["command"]), list(cmd.get("arguments") or [])
    return None
