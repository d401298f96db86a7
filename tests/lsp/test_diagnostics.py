"""Diagnostics over stdio, for the capability sets of real clients."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.conftest import DATA
from tests.lsp.session import diagnostics, open_doc, pulls, pushed, rng, session

PACK = str(DATA / "pack")
LOG = "Collecting frobby\nFROB-E104 link dropped while fetching frobby\nFROB-E404 no candidate for frobby\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.mark.parametrize("client_name", ["vscode", "neovim"])
async def test_open_log_gets_diagnostics_once(workspace: Path, client_name: str) -> None:
    log = workspace / "build.log"
    log.write_text(LOG, "utf-8")
    async with session(workspace, client_name, init_options={"packs": [PACK]}) as client:
        uri = open_doc(client, log)
        diags = await diagnostics(client, uri, want=2)
        assert [(d.code, rng(d)) for d in diags] == [
            ("demo/frob-reset", "1:0-1:44"),
            ("demo/frob-missing", "2:0-2:33"),
        ]
        reset, missing = diags
        assert reset.source == "errsig"
        assert reset.severity == t.DiagnosticSeverity.Error
        assert reset.code_description is not None
        assert reset.code_description.href == "https://example.invalid/docs/frob-reset"
        assert "The frobnicator lost its connection." in reset.message
        assert reset.data["captures"] == {"package": "frobby"}
        assert missing.data["causedBy"] == {"id": "demo/frob-reset", "line": 1}
        if pulls(client):
            await asyncio.sleep(0.3)
            assert not client.diagnostics.get(uri), "a pulling client must not also get pushes"


@pytest.mark.parametrize(
    ("encodings", "expected"), [(None, "0:7-0:46"), (["utf-8"], "0:11-0:50"), (["utf-32"], "0:6-0:45")]
)
async def test_positions_follow_the_negotiated_encoding(
    workspace: Path, encodings: list[str] | None, expected: str
) -> None:
    # The prefix "é😀 ö  " is 6 code points, 7 UTF-16 units, 11 UTF-8 bytes; the match is 39 long.
    text = "é😀 ö  FROB-E104 link dropped while fetching x\n"
    log = workspace / "utf.log"
    log.write_text(text, "utf-8")
    async with session(workspace, "vscode", init_options={"packs": [PACK]}, encodings=encodings) as client:
        uri = open_doc(client, log)
        (diag,) = await diagnostics(client, uri, want=1)
        assert rng(diag) == expected


@pytest.mark.parametrize("client_name", ["vscode", "neovim"])
async def test_edits_update_diagnostics(workspace: Path, client_name: str) -> None:
    log = workspace / "build.log"
    log.write_text("Collecting frobby\n", "utf-8")
    async with session(workspace, client_name, init_options={"packs": [PACK]}) as client:
        uri = open_doc(client, log)
        assert await diagnostics(client, uri, want=0, timeout=1) == []
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[
                    t.TextDocumentContentChangePartial(
                        range=t.Range(start=t.Position(1, 0), end=t.Position(1, 0)),
                        text="FROB-E104 link dropped while fetching frobby\n",
                    )
                ],
            )
        )
        (diag,) = await diagnostics(client, uri, want=1)
        assert rng(diag) == "1:0-1:44"
        # Remove the word "link": the error is gone.
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=3),
                content_changes=[
                    t.TextDocumentContentChangePartial(
                        range=t.Range(start=t.Position(1, 10), end=t.Position(1, 15)), text=""
                    )
                ],
            )
        )
        assert await diagnostics(client, uri, want=0) == []


async def test_real_catalogue_on_a_pip_log(workspace: Path) -> None:
    text = (
        "Collecting torch\n"
        "ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer\n"
    )
    log = workspace / "pip.log"
    log.write_text(text, "utf-8")
    async with session(workspace, "vscode") as client:
        uri = open_doc(client, log)
        (diag,) = await diagnostics(client, uri, want=1)
        assert diag.code == "pip/network-connection-reset-by-peer"
        line = text.split("\n")[1]
        assert "Connection reset by peer" in line[diag.range.start.character : diag.range.end.character]
        assert diag.code_description is not None
        assert diag.code_description.href.startswith("https://pip.pypa.io/")


@pytest.mark.parametrize("dynamic", [True, False])
async def test_watched_log_on_disk_grows(workspace: Path, dynamic: bool) -> None:
    log = workspace / "ci" / "job.log"
    log.parent.mkdir()
    log.write_text("Collecting frobby\nFROB-E104 link dropped while fetching frobby\n", "utf-8")
    async with session(workspace, "vscode", init_options={"packs": [PACK]}, dynamic_watch=dynamic) as client:
        uri = log.as_uri()
        first = await pushed(client, uri, want=1)
        assert [rng(d) for d in first] == ["1:0-1:44"]
        if dynamic:
            regs = client.registrations  # type: ignore[attr-defined]
            globs = [w["globPattern"] for r in regs for w in r.register_options["watchers"]]
            assert "**/*.log" in globs
        with log.open("a", encoding="utf-8") as fh:
            fh.write("FROB-E404 no candidate for frobby\n")
        if dynamic:  # the client watches and tells the server
            client.workspace_did_change_watched_files(
                t.DidChangeWatchedFilesParams(changes=[t.FileEvent(uri=uri, type=t.FileChangeType.Changed)])
            )
        after = await pushed(client, uri, want=2)
        assert [(d.code, rng(d)) for d in after] == [
            ("demo/frob-reset", "1:0-1:44"),
            ("demo/frob-missing", "2:0-2:33"),
        ]


async def test_workspace_scan_reports_progress(workspace: Path) -> None:
    (workspace / "a.log").write_text("FROB-W300 slow mirror\n", "utf-8")
    async with session(workspace, "vscode", init_options={"packs": [PACK]}) as client:
        (diag,) = await pushed(client, (workspace / "a.log").as_uri(), want=1)
        assert diag.severity == t.DiagnosticSeverity.Warning
        for _ in range(50):
            kinds = [v.kind for reports in client.progress_reports.values() for v in reports]
            if "end" in kinds:
                break
            await asyncio.sleep(0.05)
        assert kinds[0] == "begin"
        assert kinds[-1] == "end"


async def test_neovim_gets_watched_files_pushed_and_open_ones_pulled(workspace: Path) -> None:
    log = workspace / "w.log"
    log.write_text("FROB-E104 link dropped while fetching frobby\n", "utf-8")
    async with session(workspace, "neovim", init_options={"packs": [PACK]}) as client:
        uri = log.as_uri()
        assert len(await pushed(client, uri, want=1)) == 1  # not open: pushed
        open_doc(client, log)
        assert await pushed(client, uri, want=0) == []  # open: the push is cleared...
        assert len(await diagnostics(client, uri, want=1)) == 1  # ...and it is pulled


async def test_broken_pack_is_reported_and_the_rest_works(workspace: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken" / "x"
    broken.mkdir(parents=True)
    (broken / "bad.json").write_text('{"id": "x/bad", "signature": "s", "regex": "(unclosed"}', "utf-8")
    (broken / "half.json").write_text('{"id": "x/half", ', "utf-8")
    log = workspace / "build.log"
    log.write_text(LOG, "utf-8")
    async with session(
        workspace, "vscode", init_options={"packs": [PACK, str(tmp_path / "broken")]}
    ) as client:
        uri = open_doc(client, log)
        assert len(await diagnostics(client, uri, want=2)) == 2
        logs = [m.message for m in client.log_messages]
        assert any("bad.json: $.regex: regex does not compile" in m for m in logs)
        assert any("half.json: $: invalid JSON" in m for m in logs)


async def test_settings_change_takes_effect_without_restart(workspace: Path) -> None:
    log = workspace / "build.log"
    log.write_text(LOG, "utf-8")
    config = {"errsig": {"packs": [PACK]}}
    async with session(workspace, "vscode", configuration=config) as client:
        uri = open_doc(client, log)
        assert len(await diagnostics(client, uri, want=2)) == 2
        client.set_configuration(
            {
                "errsig": {
                    "packs": [PACK],
                    "disable": ["demo/frob-missing"],
                    "severityOverrides": {"demo/frob-reset": "warning"},
                }
            }
        )
        client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
        (diag,) = await pushed(client, uri, want=1)
        assert diag.code == "demo/frob-reset"
        assert diag.severity == t.DiagnosticSeverity.Warning


async def test_binary_and_huge_lines_do_not_break_the_server(workspace: Path) -> None:
    binary = workspace / "core.log"
    binary.write_bytes(b"\x00\x01\x02ELF" * 1000)
    async with session(workspace, "vscode", init_options={"packs": [PACK]}) as client:
        big = workspace / "big.log"
        text = "x" * 2_000_000 + " FROB-E104 link dropped while fetching y\n"
        big.write_text(text, "utf-8")
        uri = open_doc(client, big)
        (diag,) = await diagnostics(client, uri, want=1)
        assert diag.range.start == t.Position(0, 2_000_001)
        # A malformed request is answered with an error, and the server lives on.
        with pytest.raises(Exception):  # noqa: B017, PT011
            await client.protocol.send_request_async("errsig/scanText", {"text": 42})
        result = await client.protocol.send_request_async(
            "errsig/scanText", {"text": "FROB-W300 slow mirror\n"}
        )
        # pygls hands back custom results as attribute objects.
        assert [f.id for f in result.findings] == ["demo/frob-slow"]


async def test_requests_are_answered_while_a_big_document_is_scanned(workspace: Path) -> None:
    """The full scan of a big log runs off the event loop: a hover on another document sent
    right after the big didOpen is answered before the big log's diagnostics arrive."""
    small = workspace / "small.log"
    small.write_text(LOG, "utf-8")
    filler = "Requirement already satisfied: frobby in ./site-packages (1.0)\n" * 600_000  # ~40 MB
    big_text = filler + "FROB-E104 link dropped while fetching frobby\n"
    async with session(workspace, "vscode", init_options={"packs": [PACK]}) as client:
        small_uri = open_doc(client, small)
        await pushed(client, small_uri, want=2)
        order: list[str] = []
        big_uri = (workspace / "big.log").as_uri()

        async def big_diagnostics() -> None:
            while True:
                params = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
                if params.uri == big_uri:
                    order.append("big diagnostics")
                    return

        waiter = asyncio.ensure_future(big_diagnostics())
        open_doc(client, workspace / "big.log", text=big_text)
        hover = await client.text_document_hover_async(
            t.HoverParams(text_document=t.TextDocumentIdentifier(uri=small_uri), position=t.Position(1, 3))
        )
        order.append("hover")
        assert hover is not None
        (diag,) = await pushed(client, big_uri, want=1, timeout=60)
        assert diag.range.start.line == 600_000
        await waiter
        assert order == ["hover", "big diagnostics"]


async def test_a_pack_that_loads_nothing_leaves_the_builtin_records_and_says_so(
    workspace: Path, tmp_path: Path
) -> None:
    """A pack of hostile files (200 k-deep JSON, a canon whose verdict is a list): the server
    tells the user, and the built-in records still produce diagnostics."""
    broken = tmp_path / "hostile"
    broken.mkdir()
    (broken / "deep.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    canon = {"schema_version": "1.0.0", "id": "x/y/z", "error": {"regex": "zzz"}, "verdict": [1]}
    (broken / "canon.json").write_text(json.dumps(canon), "utf-8")
    log = workspace / "build.log"
    log.write_text("/usr/bin/python3: No module named pip\n", "utf-8")
    async with session(workspace, "vscode", init_options={"packs": [str(broken)]}) as client:
        uri = open_doc(client, log)
        (diag,) = await diagnostics(client, uri, want=1)
        assert diag.code == "pip/no-module-named-pip"
        shown = [m.message for m in client.messages]
        assert any(str(broken) in m and "loaded no record" in m for m in shown), shown
        logs = [m.message for m in client.log_messages]
        assert any("deep.json: $: invalid JSON: nested too deeply" in m for m in logs)
        assert any("canon.json: $.verdict: expected an object" in m for m in logs)
