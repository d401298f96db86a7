"""Loading never raises, whatever the pack holds: one bad file is one problem, the rest loads."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from errsig.core.kb.load import MAX_RECORD_BYTES, _read_regular, load_pack
from errsig.core.loading import load_toolkit
from tests.conftest import DATA

RECORD: dict[str, Any] = json.loads((DATA / "seed_record.json").read_text("utf-8"))

CANON: dict[str, Any] = {
    "schema_version": "1.0.0",
    "id": "grpc/dns-resolver-error/grpc1-linux",
    "url": "https://deadends.dev/grpc/dns-resolver-error/grpc1-linux",
    "error": {
        "signature": "UNAVAILABLE: dns resolver failed to resolve",
        "regex": "dns resolver failed to resolve",
        "domain": "grpc",
        "category": "connection_error",
    },
    "environment": {"runtime": {"name": "grpc", "version_range": ">=1.50"}, "os": "linux"},
    "verdict": {"resolvable": "true", "fix_success_rate": 0.8, "confidence": 0.84, "summary": "DNS failed."},
    "dead_ends": [{"action": "Hardcode IP", "why_fails": "Breaks", "fail_rate": 0.78, "sources": []}],
    "workarounds": [{"action": "Check DNS", "success_rate": 0.88, "sources": ["https://grpc.io/"]}],
    "transition_graph": {"leads_to": [], "preceded_by": [], "frequently_confused_with": []},
    "metadata": {"review_status": "auto_generated", "evidence_count": 3},
}

GOOD_ID = "net/good"


def _pack(root: Path, files: dict[str, bytes]) -> Path:
    good = copy.deepcopy(RECORD) | {"id": GOOD_ID}
    files = {f"{GOOD_ID}.json": json.dumps(good).encode(), **files}
    for name, raw in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    return root


def _canon(**fields: Any) -> bytes:
    return json.dumps(CANON | fields).encode()


# Each shape the issue tried, and more: the value every canon container may be instead.
CANON_SHAPES = {
    "verdict-list": _canon(verdict=[1, 2]),
    "verdict-string": _canon(verdict="resolvable"),
    "graph-list": _canon(transition_graph=["a"]),
    "graph-leads-string": _canon(transition_graph={"leads_to": "pip/x"}),
    "metadata-number": _canon(metadata=7),
    "workarounds-object": _canon(workarounds={"action": "x"}),
    "workarounds-strings": _canon(workarounds=["do this"]),
    "workaround-sources-number": _canon(workarounds=[{"action": "x", "success_rate": 0.5, "sources": 3}]),
    "dead-ends-number": _canon(dead_ends=5),
    "environment-string": _canon(environment="linux"),
    "error-regex-number": _canon(error={"regex": 5, "signature": "s"}),
}


@pytest.mark.parametrize("name", sorted(CANON_SHAPES))
def test_a_canon_of_the_wrong_shape_is_one_problem(tmp_path: Path, name: str) -> None:
    root = _pack(tmp_path, {"grpc/bad.json": CANON_SHAPES[name]})
    pack = load_pack(root)
    assert [r.record.id for r in pack.records] == [GOOD_ID]
    assert pack.problems, name
    assert {p.file for p in pack.problems} == {f"{root.name}/grpc/bad.json"}


def test_the_valid_canon_itself_loads(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, {"grpc/ok.json": _canon()}))
    assert sorted(r.record.id for r in pack.records) == [CANON["id"], GOOD_ID]
    assert pack.problems == []


FILE_SHAPES = {
    "deep-array": b"[" * 200_000 + b"]" * 200_000,
    "deep-object": b'{"a":' * 200_000 + b"1" + b"}" * 200_000,
    "top-level-array": b"[1, 2]",
    "top-level-null": b"null",
    "top-level-string": b'"pip/x"',
    "huge-integer": b'{"id": "x/y", "evidence_count": ' + b"9" * 5000 + b"}",
    "huge-float": json.dumps(RECORD | {"id": "x/huge-float", "confidence": 1e308})
    .encode()
    .replace(b"1e+308", b"1e999"),
    "invalid-utf8": b'{"id": "\xff\xfe"}',
    "empty": b"",
    "nul-bytes": b"\0" * 100,
}


@pytest.mark.parametrize("name", sorted(FILE_SHAPES))
def test_a_file_of_any_content_is_one_problem(tmp_path: Path, name: str) -> None:
    root = _pack(tmp_path, {"x/bad.json": FILE_SHAPES[name]})
    pack = load_pack(root)
    assert [r.record.id for r in pack.records] == [GOOD_ID]
    assert len(pack.problems) >= 1
    assert {p.file for p in pack.problems} == {f"{root.name}/x/bad.json"}


def test_a_folder_named_json_a_symlink_loop_and_an_unreadable_file(tmp_path: Path) -> None:
    root = _pack(tmp_path, {})
    (root / "dir.json").mkdir()
    (root / "dir.json" / "inner.txt").write_text("x")
    os.symlink("loop.json", root / "loop.json")
    os.symlink(".", root / "self")  # a folder symlink that leads back to the pack
    os.mkfifo(root / "fifo.json")  # never opened: a read would block forever
    locked = root / "net" / "locked.json"
    locked.write_text(json.dumps(RECORD | {"id": "net/locked"}))
    locked.chmod(0)
    try:
        pack = load_pack(root)
    finally:
        locked.chmod(0o644)
    assert [r.record.id for r in pack.records] == [GOOD_ID] or os.geteuid() == 0
    files = sorted(Path(p.file).name for p in pack.problems)
    assert "dir.json" in files
    assert "loop.json" in files
    assert "fifo.json" in files
    if os.geteuid() != 0:  # root reads anything
        assert "locked.json" in files


def test_a_pack_of_only_broken_files_leaves_the_builtin_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "deep.json").write_bytes(FILE_SHAPES["deep-array"])
    (root / "canon.json").write_bytes(CANON_SHAPES["verdict-list"])
    tk = load_toolkit([root])
    assert len(tk.catalogue) > 50
    assert {Path(p.file).name for p in tk.problems if p.severity == "error"} == {"deep.json", "canon.json"}
    assert [f.id for f in tk.scanner.scan_text("/usr/bin/python3: No module named pip\n")] == [
        "pip/no-module-named-pip"
    ]


def test_an_unlistable_folder_is_a_problem(tmp_path: Path) -> None:
    root = _pack(tmp_path, {})
    hidden = root / "sub"
    hidden.mkdir()
    (hidden / "x.json").write_text("{}")
    hidden.chmod(0)
    try:
        pack = load_pack(root)
    finally:
        hidden.chmod(0o755)
    assert [r.record.id for r in pack.records] == [GOOD_ID]
    if os.geteuid() != 0:
        assert [(p.file, p.message[:12]) for p in pack.problems] == [(f"{root.name}/sub", "cannot list:")]


def test_a_fifo_put_in_a_records_place_after_the_listing_does_not_block(tmp_path: Path) -> None:
    # The listing saw a file; by the time it is read, a FIFO nobody writes to stands there.
    # The read opens without blocking and checks what it opened: a problem, not a hang.
    fifo = tmp_path / "swapped.json"
    os.mkfifo(fifo)
    assert _read_regular(str(fifo)) == (None, "not a regular file")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_RECORD_BYTES + 1))
    raw, why = _read_regular(str(big))
    assert raw is None
    assert "records are at most 1 MiB" in why
