"""A big workspace scan in worker processes (errsig.scanWorkers): the same diagnostics as
the server's own scan, through the real server and a real client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as t

from errsig.core.scan.files import PARALLEL_MIN
from errsig.core.scan.parallel import available_cpus
from tests.lsp.session import diagnostics, session

pytestmark = pytest.mark.skipif(available_cpus() < 2, reason="worker processes need two cores")

ERRORS = [
    "ERROR: No matching distribution found for nosuchpkg==1.0",
    "      src/fast.c:4:10: fatal error: Python.h: No such file or directory",
    "ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer",
]
FILLER = b"  Downloading example_package-1.0-py3-none-any.whl (12 kB)\r\n"


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three logs, together just over the size at which workers start; each has its own
    error near its end (after a CRLF body and a progress line redrawn with a lone CR)."""
    ws = tmp_path_factory.mktemp("bigws") / "ws"
    ws.mkdir()
    each = PARALLEL_MIN // 3 + (1 << 20)
    for i, error in enumerate(ERRORS):
        body = FILLER * (each // len(FILLER))
        tail = b"Progress 10%\rProgress 100%\n" + error.encode() + b"\nsome trailing line\n"
        (ws / f"build-{i}.log").write_bytes(body + tail)
    return ws


def _key(diags: list[t.Diagnostic]) -> list[tuple[object, ...]]:
    return sorted(
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diags
    )


async def _scan(ws: Path, workers: int) -> tuple[dict[str, list[tuple[object, ...]]], list[str]]:
    async with session(ws, "vscode", init_options={"scanWorkers": workers}) as client:
        found = {}
        for path in sorted(ws.glob("*.log")):
            found[path.name] = _key(await diagnostics(client, path.as_uri(), want=1, timeout=120))
        return found, [m.message for m in client.log_messages]


async def test_workers_find_what_the_server_finds_alone(big_workspace: Path) -> None:
    pooled, pooled_log = await _scan(big_workspace, 0)
    alone, alone_log = await _scan(big_workspace, 1)
    assert any("in 2 worker processes" in m for m in pooled_log), pooled_log
    assert not any("worker processes" in m for m in alone_log)
    assert pooled == alone
    lines = (FILLER.count(b"\n") * ((PARALLEL_MIN // 3 + (1 << 20)) // len(FILLER))) + 2
    expected = {"build-0.log": "pip/", "build-1.log": "build/", "build-2.log": "pip/"}
    for name, diags in pooled.items():
        assert [d[1] for d in diags] == [lines], (name, diags)  # the line after the CR redraw
        assert str(diags[0][0]).startswith(expected[name])


async def test_the_catalogue_warms_once_the_workers_are_done(big_workspace: Path) -> None:
    """The server's warm-up (compiling, a sample scan) waits for the worker processes: run at
    once, it took a core from them (and the GIL from the walk that starts them)."""
    async with session(big_workspace, "vscode", init_options={"scanWorkers": 0}) as client:

        def warmed() -> bool:
            return any(m.message == "warming the catalogue" for m in client.log_messages)

        paths = sorted(big_workspace.glob("*.log"))
        await diagnostics(client, paths[0].as_uri(), want=1, timeout=120)
        assert any("in 2 worker processes" in m.message for m in client.log_messages)
        assert not warmed()
        for path in paths[1:]:
            await diagnostics(client, path.as_uri(), want=1, timeout=120)
        for _ in range(300):
            if warmed():
                break
            await asyncio.sleep(0.1)
        assert warmed()
