"""A minimal client (no capabilities at all, untitled documents, odd requests): the
server answers everything sensibly and keeps running."""

from __future__ import annotations

import sys
from pathlib import Path

from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

LINE = "ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer"


async def test_bare_client_gets_push_diagnostics_for_untitled_text(tmp_path: Path) -> None:
    config = ClientServerConfig(server_command=[sys.executable, "-m", "errsig", "lsp"])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    result = await client.initialize_session(t.InitializeParams(capabilities=t.ClientCapabilities()))
    assert result.capabilities.position_encoding in (None, t.PositionEncodingKind.Utf16)
    try:
        uri = "untitled:Untitled-1"
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="log", version=1, text=f"x\n{LINE}\n")
            )
        )
        params = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        assert params.uri == uri
        assert [d.code for d in params.diagnostics] == ["pip/network-connection-reset-by-peer"]
        # Requests about documents the server never saw get empty answers, not errors.
        nowhere = t.TextDocumentIdentifier(uri=(tmp_path / "nope.log").as_uri())
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=nowhere, position=t.Position(0, 0))
        )
        assert hover is None
        report = await client.text_document_diagnostic_async(
            t.DocumentDiagnosticParams(text_document=nowhere)
        )
        assert isinstance(report, t.RelatedFullDocumentDiagnosticReport)
        assert list(report.items) == []
        foreign = t.Diagnostic(
            range=t.Range(t.Position(0, 0), t.Position(0, 1)), message="lint", source="other"
        )
        actions = await client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=foreign.range,
                context=t.CodeActionContext(diagnostics=[foreign]),
            )
        )
        assert not actions
        # The server is still there.
        symbols = await client.text_document_document_symbol_async(
            t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert [s.name for s in symbols or []] == ["pip/network-connection-reset-by-peer"]
    finally:
        await client.shutdown_session()
