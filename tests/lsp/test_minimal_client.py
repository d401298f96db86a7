"""A minimal client (no capabilities at all, untitled documents, odd requests): the
server answers everything sensibly and keeps running."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
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


# -- the protocol itself, as raw bytes over the server's stdio ------------------------------


class RawClient:
    """Frames written by hand to ``errsig lsp``; answers read by id."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.answers: dict[object, dict[str, Any]] = {}
        self.inbox: list[dict[str, Any]] = []

    @classmethod
    async def start(cls) -> RawClient:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "errsig",
            "lsp",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(proc)

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def send(self, message: dict[str, Any], *, length: int | None = None) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body)

    async def answer(self, msg_id: object, timeout: float = 60) -> dict[str, Any]:
        """The response to ``msg_id`` (the server's own messages are kept in ``inbox``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while msg_id not in self.answers:
            await self._read_one(deadline - loop.time())
        return self.answers.pop(msg_id)

    async def message(self, method: str, timeout: float = 60) -> dict[str, Any]:
        """The next request or notification from the server with this method."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not any(m["method"] == method for m in self.inbox):
            await self._read_one(deadline - loop.time())
        found = next(m for m in self.inbox if m["method"] == method)
        self.inbox.remove(found)
        return found

    async def _read_one(self, timeout: float) -> None:
        assert self.proc.stdout is not None
        header = await asyncio.wait_for(self.proc.stdout.readuntil(b"\r\n\r\n"), timeout)
        length = int(re.search(rb"Content-Length: (\d+)", header).group(1))  # type: ignore[union-attr]
        body = json.loads(await self.proc.stdout.readexactly(length))
        if "method" in body:
            self.inbox.append(body)
        else:
            self.answers[body.get("id")] = body

    async def initialize(self, msg_id: int = 1) -> None:
        self.send({"id": msg_id, "method": "initialize", "params": {"capabilities": {}}})
        assert "result" in await self.answer(msg_id)
        self.send({"method": "initialized", "params": {}})

    async def close(self) -> int:
        self.send({"id": "bye", "method": "shutdown"})
        await self.answer("bye")
        self.send({"method": "exit"})
        return await asyncio.wait_for(self.proc.wait(), 60)


@pytest.fixture
async def raw() -> AsyncIterator[RawClient]:
    client = await RawClient.start()
    try:
        yield client
    finally:
        if client.proc.returncode is None:
            client.proc.kill()
            await client.proc.wait()


HOVER = {"textDocument": {"uri": "file:///nope.log"}, "position": {"line": 0, "character": 0}}


async def test_requests_before_initialize_get_server_not_initialized(raw: RawClient) -> None:
    raw.send({"id": 1, "method": "textDocument/hover", "params": HOVER})
    raw.send({"id": 2, "method": "errsig/scanText", "params": {"text": LINE}})
    raw.send({"method": "textDocument/didOpen", "params": {"bad": 1}})  # dropped, not answered
    assert (await raw.answer(1))["error"]["code"] == -32002
    assert (await raw.answer(2))["error"]["code"] == -32002
    await raw.initialize(3)
    raw.send({"id": 4, "method": "errsig/scanText", "params": {"text": LINE}})
    findings = (await raw.answer(4))["result"]["findings"]
    assert [f["id"] for f in findings] == ["pip/network-connection-reset-by-peer"]
    raw.send({"id": 5, "method": "shutdown"})
    assert "error" not in await raw.answer(5)
    raw.send({"id": 6, "method": "textDocument/hover", "params": HOVER})  # after shutdown
    assert (await raw.answer(6))["error"]["code"] == -32600
    raw.send({"method": "exit"})
    assert await asyncio.wait_for(raw.proc.wait(), 60) == 0


BAD_PARAMS = [
    ("textDocument/hover", {"textDocument": 5, "position": {"line": 0, "character": 0}}),
    ("textDocument/hover", {"textDocument": {"uri": "file:///x.log"}, "position": {"line": -1}}),
    ("textDocument/codeAction", {"textDocument": {"uri": "file:///x.log"}, "range": "all"}),
    ("textDocument/documentSymbol", {"textDocument": None}),
    ("textDocument/codeLens", []),
    ("textDocument/diagnostic", {"textDocument": "file:///x.log"}),
    ("workspace/diagnostic", {"previousResultIds": "x"}),
    ("workspace/executeCommand", {"arguments": ["pip/x"]}),
    ("errsig/scanText", {"text": 42}),
    ("errsig/scanText", [1, 2]),
    ("errsig/scanText", None),
]


async def test_malformed_params_get_invalid_params_and_the_server_lives_on(raw: RawClient) -> None:
    await raw.initialize()
    for i, (method, params) in enumerate(BAD_PARAMS, start=10):
        raw.send({"id": i, "method": method, "params": params})
    for notification in ("textDocument/didOpen", "textDocument/didChange", "workspace/didChangeWatchedFiles"):
        raw.send({"method": notification, "params": {"textDocument": 3, "changes": "x"}})
    codes = {
        (m, json.dumps(p)): (await raw.answer(i)).get("error", {}).get("code")
        for i, (m, p) in enumerate(BAD_PARAMS, start=10)
    }
    assert codes == {(m, json.dumps(p)): -32602 for m, p in BAD_PARAMS}
    raw.send({"id": 99, "method": "errsig/scanText", "params": {"text": LINE}})
    assert (await raw.answer(99))["result"]["findings"]
    assert await raw.close() == 0


async def test_frames_with_lying_content_lengths(raw: RawClient) -> None:
    await raw.initialize()
    scan = {"method": "errsig/scanText", "params": {"text": LINE}}
    # Shorter than the body: that request is answered with a parse error, the next one normally.
    body = json.dumps({"jsonrpc": "2.0", "id": 20, **scan}).encode()
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % (len(body) - 10) + body)
    raw.send({"id": 21, **scan})
    assert (await raw.answer(20))["error"]["code"] == -32700
    assert (await raw.answer(21))["result"]["findings"]
    # Larger than the body: the body is read as what it is, the next request is not swallowed.
    raw.send({"id": 22, **scan}, length=len(body) + 5000)
    raw.send({"id": 23, **scan})
    assert (await raw.answer(22))["result"]["findings"]
    assert (await raw.answer(23))["result"]["findings"]
    # Absurd: refused without allocating it, and the stream goes on.
    raw.send({"id": 24, **scan}, length=10**12)
    raw.send({"id": 25, **scan})
    assert (await raw.answer(25))["result"]["findings"]
    # Not JSON, JSON that is not a message, a header with no length, an empty body.
    raw.send_raw(b"Content-Length: 9\r\n\r\n{not json")
    raw.send_raw(b"Content-Length: 2\r\n\r\n[]")
    raw.send_raw(b"Content-Type: text/plain\r\n\r\n")
    raw.send_raw(b"Content-Length: 0\r\n\r\n")
    raw.send({"id": 26, **scan})
    assert (await raw.answer(26))["result"]["findings"]
    assert await raw.close() == 0


async def test_hover_shutdown_and_exit_are_answered_while_a_hostile_log_is_scanned(raw: RawClient) -> None:
    """A 20 MB log with 3 KB lines that backtracked for 13 s each under Python re (issue 8):
    the scan runs in slices off the event loop, so requests are answered, and shutdown
    stops it. Timeouts are generous: they catch a frozen server, not a slow one."""
    hostile = "No module named pip " + "python" * 500 + "\n"
    filler = "Requirement already satisfied: frobby in ./site-packages (1.0)\n" * 300_000
    text = hostile * 4 + filler + hostile * 4 + LINE + "\n"
    await raw.initialize()
    uri = "file:///tmp/hostile.log"
    item = {"uri": uri, "languageId": "log", "version": 1, "text": text}
    raw.send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    await asyncio.sleep(2)  # the scan is under way (under Python re it took minutes)
    hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}
    raw.send({"id": 30, "method": "textDocument/hover", "params": hover})
    assert "error" not in await raw.answer(30, timeout=60)
    raw.send({"id": 31, "method": "errsig/scanText", "params": {"text": hostile * 3}})
    assert (await raw.answer(31, timeout=60))["result"]["findings"]
    # Shutdown and exit right after another big open: the scan is cancelled, the process ends.
    item = {"uri": uri + "2", "languageId": "log", "version": 1, "text": text}
    raw.send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
    assert await raw.close() == 0


async def test_an_unreadable_answer_from_the_client_does_not_stall_the_server(
    raw: RawClient, tmp_path: Path
) -> None:
    """The server asks for its settings after ``initialized``; an answer it cannot read fails
    that request instead of leaving the workspace scan waiting for it forever."""
    (tmp_path / "build.log").write_text(f"x\n{LINE}\n", "utf-8")
    caps = {"workspace": {"configuration": True}}
    raw.send(
        {"id": 1, "method": "initialize", "params": {"capabilities": caps, "rootUri": tmp_path.as_uri()}}
    )
    assert "result" in await raw.answer(1)
    raw.send({"method": "initialized", "params": {}})
    request = await raw.message("workspace/configuration")
    raw.send({"id": request["id"], "result": 5})  # not an array
    published = await raw.message("textDocument/publishDiagnostics")
    assert published["params"]["uri"] == (tmp_path / "build.log").as_uri()
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["pip/network-connection-reset-by-peer"]
    assert await raw.close() == 0


async def test_the_frame_reader_stays_bounded_on_a_stream_of_garbage() -> None:
    """20 MB without a header block end, then a frame: memory stays bounded, the frame is read."""
    from errsig.lsp.framing import MAX_HEADER, FrameReader

    chunks = [b"Content-Length: 5" + b"x" * 1_000_000] + [b"y" * 1_000_000] * 19
    chunks += [b"Content-Length: 2\r\n\r\n{}", b""]
    sizes: list[int] = []

    async def read() -> bytes:
        sizes.append(len(reader._buf))
        return chunks.pop(0)

    reader = FrameReader(read)
    assert [body async for body in reader.frames()] == [b"{}"]
    assert max(sizes) < MAX_HEADER + 2_000_000


async def test_tcp_mode_reads_frames_the_same_way(tmp_path: Path) -> None:
    """``errsig lsp --tcp``: an absurd Content-Length is refused, the next request answered."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "errsig", "lsp", "--tcp", f"127.0.0.1:{port}", stderr=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("the server did not listen")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
        writer.write(b"Content-Length: 1000000000000\r\n\r\n{}")
        writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body.encode()))
        await writer.drain()
        answer: dict[str, Any] = {"method": "none yet"}
        while "method" in answer:  # log messages come first
            header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            length = int(re.search(rb"Content-Length: (\d+)", header).group(1))  # type: ignore[union-attr]
            answer = json.loads(await reader.readexactly(length))
        assert answer["id"] == 1
        assert "capabilities" in answer["result"]
        writer.close()
    finally:
        proc.kill()
        await proc.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_reads_of_the_pipe_lose_nothing_and_keep_the_end() -> None:
    """What a writer puts into stdin while the server reads comes out whole, in order, in
    reads of at most READ_SIZE bytes, and the end of the stream comes after the last byte."""
    import os
    import threading

    from errsig.lsp.framing import READ_SIZE, _read_available, _widen_pipe

    r, w = os.pipe()
    _widen_pipe(r)
    payload = bytes(range(256)) * (5 * READ_SIZE // 256 + 7)

    def write() -> None:
        for i in range(0, len(payload), 100_000):
            os.write(w, payload[i : i + 100_000])
        os.close(w)

    writer = threading.Thread(target=write)
    writer.start()
    reads = []
    while chunk := _read_available(r):
        reads.append(chunk)
    writer.join()
    os.close(r)
    assert b"".join(reads) == payload
    assert max(map(len, reads)) <= READ_SIZE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_the_stdin_pipe_is_widened() -> None:
    import fcntl
    import os

    from errsig.lsp.framing import PIPE_SIZE, _widen_pipe

    r, w = os.pipe()
    try:
        before = fcntl.fcntl(r, fcntl.F_GETPIPE_SZ)
        _widen_pipe(r)
        assert before < PIPE_SIZE <= fcntl.fcntl(r, fcntl.F_GETPIPE_SZ)
    finally:
        os.close(r)
        os.close(w)
