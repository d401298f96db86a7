"""A language server that does nothing but accept incremental changes: the baseline of
benchmarks/neovim_latency.py (what any language server costs the editor)."""

import json
import sys

inp, out = sys.stdin.buffer, sys.stdout.buffer


def send(obj: dict) -> None:  # type: ignore[type-arg]
    body = json.dumps(obj).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()


while True:
    length = 0
    while True:
        line = inp.readline()
        if not line:
            sys.exit(0)
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    msg = json.loads(inp.read(length))
    if msg.get("method") == "initialize":
        caps = {"textDocumentSync": {"openClose": True, "change": 2}}
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {"capabilities": caps}})
    elif msg.get("method") == "shutdown":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
    elif msg.get("method") == "exit":
        sys.exit(0)
    elif "id" in msg and "method" in msg:
        send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
