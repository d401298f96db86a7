"""A big log opened in one didOpen (real server over stdio): its text is decoded and its
records' findings are scanned while the frame arrives (errsig.lsp.bigtext, PieceScan). The
first diagnostics (records' findings, before the errors no record knows) are the ones the
usual whole-text scan gives afterwards, on ~1,650 real failing logs joined into one 9 MB
text with CRLF line ends, colour and non-ASCII text."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

from errsig.lsp import features
from tests.conftest import CORPUS


def _text() -> str:
    logs = sorted((CORPUS / "real" / "failing").glob("*.log"))
    one = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in logs)
    text = one
    while len(text.encode()) < features.TWO_PHASE_CHARS + (1 << 20):  # two phases: records first
        text += "\r\n" + one.replace("\n", "\r\n")
    return text


def _seen(diagnostics: list[t.Diagnostic]) -> set[tuple[str, int, int, int]]:
    return {
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.character) for d in diagnostics
    }


async def test_a_big_log_scanned_while_it_arrives_gets_the_whole_scans_findings(tmp_path: Path) -> None:
    client = await ClientServerConfig(server_command=[sys.executable, "-m", "errsig", "lsp"]).start()
    assert isinstance(client, LanguageClient)
    try:
        await client.initialize_session(
            t.InitializeParams(capabilities=t.ClientCapabilities(), root_uri=tmp_path.as_uri())
        )
        uri = (tmp_path / "big.log").as_uri()
        text = _text()
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="log", version=1, text=text)
            )
        )
        wait = client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        first = await asyncio.wait_for(wait, 120)
        wait = client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        final = await asyncio.wait_for(wait, 120)
        records_first = _seen(first.diagnostics)
        records_final = {s for s in _seen(final.diagnostics) if not s[0].startswith("unknown/")}
        assert len(records_first) > 1000
        assert not any(s[0].startswith("unknown/") for s in records_first)
        assert records_first == records_final
    finally:
        await client.shutdown_session()
