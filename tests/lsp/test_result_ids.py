"""Pull diagnostics carry a resultId: asked again with it while nothing changed, the server
answers "unchanged" instead of sending every item again; after a change, a full report with
a new id (real server over stdio)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

LINE = "ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer"
CAPS = t.ClientCapabilities(
    text_document=t.TextDocumentClientCapabilities(diagnostic=t.DiagnosticClientCapabilities()),
)


async def _started(tmp_path: Path, caps: t.ClientCapabilities) -> LanguageClient:
    """The real server over stdio, initialised for a workspace at ``tmp_path``."""
    config = ClientServerConfig(server_command=[sys.executable, "-m", "errsig", "lsp"])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(t.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri()))
    return client


async def _pull(client: LanguageClient, uri: str, previous: str | None) -> object:
    return await client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(
            text_document=t.TextDocumentIdentifier(uri=uri), previous_result_id=previous
        )
    )


async def test_unchanged_until_the_document_changes(tmp_path: Path) -> None:
    client = await _started(tmp_path, CAPS)
    try:
        uri = (tmp_path / "build.log").as_uri()
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="log", version=1, text=f"x\n{LINE}\n")
            )
        )
        first = await _pull(client, uri, None)
        assert isinstance(first, t.RelatedFullDocumentDiagnosticReport)
        assert [d.code for d in first.items] == ["pip/network-connection-reset-by-peer"]
        assert first.result_id

        again = await _pull(client, uri, first.result_id)
        assert isinstance(again, t.RelatedUnchangedDocumentDiagnosticReport)
        assert again.result_id == first.result_id

        # An id the server never gave out gets the full report.
        stranger = await _pull(client, uri, "not-an-id")
        assert isinstance(stranger, t.RelatedFullDocumentDiagnosticReport)
        assert len(stranger.items) == 1

        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text="x\nall good\n")],
            )
        )
        changed = await _pull(client, uri, first.result_id)
        assert isinstance(changed, t.RelatedFullDocumentDiagnosticReport)
        assert list(changed.items) == []
        assert changed.result_id
        assert changed.result_id != first.result_id

        settled = await _pull(client, uri, changed.result_id)
        assert isinstance(settled, t.RelatedUnchangedDocumentDiagnosticReport)
    finally:
        await client.shutdown_session()


async def test_push_is_sent_only_when_the_diagnostics_change(tmp_path: Path) -> None:
    client = await _started(tmp_path, t.ClientCapabilities())
    try:
        uri = (tmp_path / "build.log").as_uri()
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="log", version=1, text=f"{LINE}\n")
            )
        )
        first = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        assert [d.code for d in first.diagnostics] == ["pip/network-connection-reset-by-peer"]

        def change(version: int, text: str) -> None:
            client.text_document_did_change(
                t.DidChangeTextDocumentParams(
                    text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )

        # A line below the error changes nothing the client shows: no push.
        change(2, f"{LINE}\nretrying\n")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 1.5)

        # A line above it moves the diagnostic: pushed again, at its new line.
        change(3, f"starting\n{LINE}\nretrying\n")
        moved = await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 10)
        assert [d.range.start.line for d in moved.diagnostics] == [1]
    finally:
        await client.shutdown_session()


async def test_a_big_log_shows_the_records_findings_before_the_unknown_errors(tmp_path: Path) -> None:
    client = await _started(tmp_path, t.ClientCapabilities())
    try:
        uri = (tmp_path / "big.log").as_uri()
        filler = "Requirement already satisfied: idna>=2.5 in ./.venv/lib/python3.11/site-packages (3.7)\n"
        text = f"{LINE}\n" + filler * ((9 << 20) // len(filler)) + "fatal: something no record knows\n"
        assert len(text) >= 8 << 20  # features.TWO_PHASE_CHARS
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="log", version=1, text=text)
            )
        )
        first = await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
        assert [d.code for d in first.diagnostics] == ["pip/network-connection-reset-by-peer"]
        second = await asyncio.wait_for(client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
        codes = [d.code for d in second.diagnostics]
        assert codes[0] == "pip/network-connection-reset-by-peer"
        assert any(str(c).startswith("unknown/") for c in codes)
    finally:
        await client.shutdown_session()
