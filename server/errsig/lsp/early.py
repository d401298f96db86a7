"""Answering ``initialize`` before the language server is imported (stdio, POSIX).

An editor starts the server, sends ``initialize`` and waits for the answer before it sends
anything else; with a big file open it then spends most of a second serialising that file.
Importing pygls and lsprotocol (~1,000 attrs classes) takes ~0.3-0.45 s, all of it before the
answer. So the answer pygls gave last time is kept in the cache folder, keyed by everything
it depends on: the client's capabilities and initialization options, errsig's version, the
language-server code (names, sizes and times of ``errsig/lsp``'s files) and the files of
pygls and lsprotocol. When the key matches, that answer goes out within a few tens of
milliseconds of the start and the imports overlap the editor's serialising.

The same ``initialize`` is then handled by pygls as always (state, workspace, errsig's
handler); the protocol compares pygls's answer with the one sent, keeps it if it differs
(and logs that) and never sends a second answer (:class:`errsig.lsp.server.ErrsigProtocol`).
When the key does not match or the first message is anything else, nothing is answered
here: the bytes read so far go to the normal frame reader and pygls answers.

This module imports the standard library and errsig's cache helpers only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from errsig import __version__, package_root
from errsig.core.kb.jsonfile import read_json, write_json
from errsig.core.matching.cache import cache_dir

FILE = "lsp-initialize-v1.json"
KEEP = 8  # answers kept (clients, option sets)
MAX_FILE = 1 << 20
MAX_FIRST = 1 << 20  # bytes: an initialize bigger than this is left to the normal reader
_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d{1,9})[ \t]*\r?\n", re.IGNORECASE)
_BLANK = b"\r\n\r\n"
# Fields of the request that never change the answer (checked for their type only).
_TYPES: dict[str, tuple[type, ...]] = {
    "processId": (int, type(None)),
    "rootUri": (str, type(None)),
    "rootPath": (str, type(None)),
    "workspaceFolders": (list, type(None)),
    "clientInfo": (dict, type(None)),
    "locale": (str,),
    "trace": (str, type(None)),
    "workDoneToken": (int, str),
}


class Head:
    """What was read before the server started: bytes for the frame reader and, if the
    first message was ``initialize``, its id, its cache key and the answer already sent.
    (A plain class: attrs alone would cost this path ~25 ms.)"""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data
        self.initialize_id: int | str | None = None
        self.key: str | None = None
        self.answered: dict[str, Any] | None = None


def _stat_of(path: Path) -> list[Any]:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), st.st_size, st.st_mtime_ns]


def _code_fingerprint() -> list[Any]:
    """Names, sizes and times of the files that shape the answer."""
    import importlib.util  # only here: the CLI's other commands never need it

    parts: list[Any] = [__version__, sys.version]
    lsp = package_root() / "lsp"
    try:
        with os.scandir(lsp) as it:
            parts += sorted(_stat_of(Path(e.path)) for e in it if e.name.endswith(".py"))
    except OSError:
        parts.append(None)
    for name in ("pygls", "lsprotocol"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        parts.append(_stat_of(origin) if origin else None)
        if origin is not None and name == "lsprotocol":
            parts.append(_stat_of(origin.with_name("types.py")))
    return parts


def request_key(params: Any) -> str | None:
    """The cache key of an ``initialize``'s params, or None when they are not of the shape
    the fast answer may be given to (pygls then answers, errors included)."""
    if not isinstance(params, dict) or not isinstance(params.get("capabilities"), dict):
        return None
    for name, kinds in _TYPES.items():
        if name in params and not isinstance(params[name], kinds):
            return None
    folders = params.get("workspaceFolders") or []
    if not all(isinstance(f, dict) and isinstance(f.get("uri"), str) for f in folders):
        return None
    shaping = {k: v for k, v in params.items() if k not in _TYPES}
    blob = json.dumps([_code_fingerprint(), shaping], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _entries() -> list[dict[str, Any]]:
    data = read_json(cache_dir() / FILE, MAX_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        return []
    return [e for e in data["answers"] if isinstance(e, dict) and isinstance(e.get("key"), str)]


def cached_answer(key: str) -> dict[str, Any] | None:
    for entry in _entries():
        result = entry.get("result")
        if entry["key"] == key and isinstance(result, dict) and isinstance(result.get("capabilities"), dict):
            return result
    return None


def remember(key: str, result: dict[str, Any]) -> None:
    """Keep pygls's answer for ``key`` (the newest first, at most KEEP)."""
    answers = [{"key": key, "result": result}] + [e for e in _entries() if e["key"] != key]
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    write_json(folder / FILE, {"answers": answers[:KEEP]})


def _first_frame(fd: int) -> tuple[bytes, bytes | None]:
    """The bytes read and, if they hold a whole first frame, its body."""
    buf = b""
    while len(buf) <= MAX_FIRST:
        end = buf.find(_BLANK)
        if end >= 0:
            m = _LENGTH.search(buf, 0, end + 2)
            if m is None:
                return buf, None
            body_end = end + 4 + int(m.group(1))
            if body_end > MAX_FIRST:
                return buf, None
            if len(buf) >= body_end:
                return buf, buf[end + 4 : body_end]
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return buf, None
        if not chunk:
            return buf, None
        buf += chunk
    return buf, None


def _write_all(fd: int, data: bytes) -> bool:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        return False
    return True


def answer_initialize(stdin: int = 0, stdout: int = 1) -> Head:
    """Read the first message; answer it from the cache when it is an ``initialize`` seen
    before. Never raises; on anything unexpected the server simply starts as usual."""
    if os.name != "posix":
        return Head()
    try:
        data, body = _first_frame(stdin)
    except Exception:  # nothing was lost that the frame reader cannot read
        return Head()
    head = Head(data)
    try:
        message = json.loads(body) if body is not None else None
    except (ValueError, RecursionError):
        return head
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return head
    msg_id = message.get("id")
    if isinstance(msg_id, bool) or not isinstance(msg_id, (int, str)):
        return head
    try:
        key = request_key(message.get("params"))
        result = cached_answer(key) if key else None
    except Exception:  # a damaged cache means the slow start, never a failed one
        return head
    head.initialize_id, head.key = msg_id, key
    if result is None:
        return head
    answer = json.dumps({"id": msg_id, "jsonrpc": "2.0", "result": result}).encode()
    frame = b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" % len(
        answer
    )
    if _write_all(stdout, frame + answer):
        head.answered = result
    return head
