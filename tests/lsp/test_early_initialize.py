"""``initialize`` answered from the cache before the server is imported (errsig.lsp.early):
the answer is pygls's own from an earlier start with the same client, the server behind it
is the same, and a client with other capabilities is never given another client's answer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import converters
from pytest_lsp import client_capabilities

from errsig.lsp import early

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the early answer is for POSIX pipes")

LINE = "ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer"
CONVERTER = converters.get_converter()


def caps(name: str) -> dict[str, Any]:
    value = CONVERTER.unstructure(client_capabilities(name))
    assert isinstance(value, dict)
    return value


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    def __init__(self, cache: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "XDG_"))}
        env["ERRSIG_CACHE_DIR"] = str(cache)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "errsig", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            byte = self.proc.stdout.read(1)
            assert byte, "the server closed its output"
            header += byte
        length = int(re.search(rb"Content-Length: *(\d+)", header).group(1))  # type: ignore[union-attr]
        message = json.loads(self.proc.stdout.read(length))
        self.seen.append(message)
        return message

    def answer(self, msg_id: object) -> dict[str, Any]:
        while True:
            message = self.read()
            if message.get("id") == msg_id and "method" not in message:
                return message

    def initialize(self, capabilities: dict[str, Any]) -> dict[str, Any]:
        self.send(
            {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": capabilities}}
        )
        answer = self.answer(1)
        self.send({"method": "initialized", "params": {}})
        return answer

    def stop(self) -> str:
        """Shut down; the server's stderr. Every message it sent is in ``seen``."""
        self.send({"id": "bye", "method": "shutdown"})
        self.answer("bye")
        self.send({"method": "exit"})
        _, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0
        return err.decode(errors="replace")


def start(cache: Path, capabilities: dict[str, Any]) -> tuple[Server, dict[str, Any]]:
    server = Server(cache)
    return server, server.initialize(capabilities)


@pytest.mark.parametrize("client", ["visual-studio-code", "neovim@v0.11.0"])
def test_the_cached_answer_is_pygls_own_answer(tmp_path: Path, client: str) -> None:
    cache = tmp_path / "cache"
    first, slow = start(cache, caps(client))
    first.stop()
    saved = json.loads((cache / early.FILE).read_text())["answers"]
    assert len(saved) == 1
    assert saved[0]["result"] == slow["result"]
    second, fast = start(cache, caps(client))
    second.stop()
    assert fast == slow


def test_an_answer_from_the_cache_is_sent_once_and_corrected_by_pygls(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    server, real = start(cache, caps("neovim@v0.11.0"))
    server.stop()
    stored = json.loads((cache / early.FILE).read_text())
    stored["answers"][0]["result"]["serverInfo"]["name"] = "from-the-cache"
    (cache / early.FILE).write_text(json.dumps(stored))

    server, answered = start(cache, caps("neovim@v0.11.0"))
    # The served answer came from the file: it went out before pygls ran.
    assert answered["result"]["serverInfo"]["name"] == "from-the-cache"
    # The server behind it works as after any initialize.
    uri = (tmp_path / "build.log").as_uri()
    doc = {"uri": uri, "languageId": "log", "version": 1, "text": f"x\n{LINE}\n"}
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": doc}})
    server.send({"id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}})
    report = server.answer(2)["result"]
    assert [d["code"] for d in report["items"]] == ["pip/network-connection-reset-by-peer"]
    err = server.stop()
    assert [m for m in server.seen if m.get("id") == 1 and "method" not in m] == [answered]  # answered once
    assert "differed" in err
    # pygls's answer replaced the wrong one.
    server, again = start(cache, caps("neovim@v0.11.0"))
    server.stop()
    assert again == real


def test_another_client_never_gets_the_cached_answer(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    server, neovim = start(cache, caps("neovim@v0.11.0"))
    server.stop()
    server, vscode = start(cache, caps("visual-studio-code"))
    server.stop()
    assert neovim["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert vscode["result"]["capabilities"]["positionEncoding"] == "utf-16"
    assert len(json.loads((cache / early.FILE).read_text())["answers"]) == 2
    fresh = tmp_path / "fresh"
    server, alone = start(fresh, caps("visual-studio-code"))
    server.stop()
    assert alone == vscode


@pytest.mark.parametrize(
    "damage", [b"", b"{not json", b'{"answers": [{"key": 5}, 3, {"key": "x", "result": []}]}']
)
def test_a_damaged_cache_means_the_usual_start(tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / early.FILE).write_bytes(damage)
    server, answer = start(cache, caps("neovim@v0.11.0"))
    server.stop()
    assert answer["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert json.loads((cache / early.FILE).read_text())["answers"][0]["result"] == answer["result"]


def test_odd_initialize_params_are_left_to_pygls(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    server, _ = start(cache, caps("neovim@v0.11.0"))
    server.stop()
    # The same capabilities with a process id that is not a number: pygls's error, not the cache's answer.
    server = Server(cache)
    params = {"processId": "x", "capabilities": caps("neovim@v0.11.0")}
    server.send({"id": 1, "method": "initialize", "params": params})
    assert server.answer(1)["error"]["code"] == -32602
    server.proc.kill()
    server.proc.communicate(timeout=60)


def test_the_key_follows_what_shapes_the_answer() -> None:
    base = {"processId": 1, "rootUri": "file:///a", "capabilities": caps("neovim@v0.11.0")}
    key = early.request_key(base)
    assert key is not None
    assert early.request_key({**base, "processId": 2, "rootUri": "file:///b", "locale": "de"}) == key
    assert early.request_key({**base, "initializationOptions": {"packs": ["x"]}}) != key
    assert early.request_key({**base, "capabilities": caps("visual-studio-code")}) != key
    for bad in (
        {**base, "capabilities": []},
        {**base, "rootUri": 3},
        {**base, "workspaceFolders": [1]},
        [],
        None,
    ):
        assert early.request_key(bad) is None


def _pipe_with(*parts: bytes) -> int:
    read, write = os.pipe()
    for part in parts:
        os.write(write, part)
    os.close(write)
    return read


@pytest.mark.parametrize(
    "parts",
    [
        [frame({"id": 1, "method": "textDocument/hover", "params": {}}) + b"Content-Length: 3\r\n\r\n{}x"],
        [b"Content-Length: 50\r\n\r\n", b'{"jsonrpc": "2.0", "id": 1'],  # the stream ends inside the body
        [b"garbage without a header", b"\r\n\r\nmore"],
        [b"Content-Length: 99999999\r\n\r\n{"],  # bigger than the early reader takes
        [frame({"id": 1, "method": "initialize", "params": {"capabilities": 5}})],  # pygls answers
    ],
)
def test_what_the_early_reader_does_not_answer_goes_on_as_read(tmp_path: Path, parts: list[bytes]) -> None:
    out_read, out_write = os.pipe()
    head = early.answer_initialize(_pipe_with(*parts), out_write)
    os.close(out_write)
    assert head.answered is None
    assert head.data == b"".join(parts)[: len(head.data)]
    assert os.read(out_read, 100) == b""  # nothing was written to the client


def test_an_initialize_read_in_pieces_is_answered_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERRSIG_CACHE_DIR", str(tmp_path))
    params = {"processId": 7, "capabilities": caps("neovim@v0.11.0")}
    key = early.request_key(params)
    assert key is not None
    early.remember(key, {"capabilities": {"hoverProvider": True}})
    message = frame({"id": "a", "method": "initialize", "params": params})
    after = frame({"method": "initialized", "params": {}})
    out_read, out_write = os.pipe()
    head = early.answer_initialize(_pipe_with(message[:10], message[10:-5], message[-5:] + after), out_write)
    os.close(out_write)
    sent = os.read(out_read, 65536)
    body = json.loads(sent.split(b"\r\n\r\n", 1)[1])
    assert body == {"id": "a", "jsonrpc": "2.0", "result": {"capabilities": {"hoverProvider": True}}}
    assert head.answered == body["result"]
    assert head.initialize_id == "a"
    # Everything read goes on to the frame reader, the answered initialize included.
    assert head.data.startswith(message)
    assert (message + after).startswith(head.data)
