"""The loop on the command line: an unknown error, a drafted record, a filled pack that
passes check-pack, and the same line now known."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.test_cli import errsig
from tests.conftest import DATA


def test_scan_shows_unknown_errors_only_when_asked(tmp_path: Path) -> None:
    log = shutil.copy(DATA / "unknown" / "zmq.log", tmp_path / "worker.log")
    quiet = errsig("scan", str(log))
    assert quiet.returncode == 0
    assert "unknown/" not in quiet.stdout
    out = errsig("scan", "--unknown", "--format", "json", str(log))
    assert out.returncode == 0  # information only: CI does not fail on a pointer
    found = (
        json.loads(out.stdout)["findings"] if out.stdout.lstrip().startswith("{") else json.loads(out.stdout)
    )
    ids = [(f["id"], f["line"]) for f in found]
    assert ids == [("unknown/python", 8), ("unknown/ci", 9)]
    text = errsig("scan", "--unknown", str(log)).stdout
    assert "1 unknown" not in text
    assert "2 unknown (no record yet: errsig draft FILE:LINE)" in text


def test_draft_fill_check_and_find(tmp_path: Path) -> None:
    log = shutil.copy(DATA / "unknown" / "zmq.log", tmp_path / "worker.log")
    made = errsig("draft", f"{log}:8", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (record_file,) = (tmp_path / ".errsig" / "records").rglob("*.json")
    data = json.loads(record_file.read_text("utf-8"))
    rid = data["id"]
    assert record_file.relative_to(tmp_path / ".errsig" / "records").with_suffix("").as_posix() == rid
    # A person fills the slots.
    data.update(
        category="network_error",
        root_cause="Another process already listens on the port the worker binds.",
        workarounds=[{"action": "Stop the other worker or choose another port", "how": "ss -ltnp"}],
    )
    record_file.write_text(json.dumps(data, indent=2), "utf-8")
    pack = tmp_path / ".errsig" / "records"
    check = errsig("check-pack", str(pack))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 samples are not matched" in check.stdout
    known = errsig("scan", "--unknown", "--pack", str(pack), "--format", "json", str(log))
    found = json.loads(known.stdout)
    found = found["findings"] if isinstance(found, dict) else found
    assert (found[0]["id"], found[0]["line"]) == (rid, 8)
    assert known.returncode == 1  # now a known error


def test_check_pack_fails_on_a_sample_its_record_misses(tmp_path: Path) -> None:
    log = shutil.copy(DATA / "unknown" / "npm.log", tmp_path / "npm.log")
    pack = tmp_path / "pack"
    assert errsig("draft", f"{log}:2", "--into", str(pack)).returncode == 0
    (record_file,) = pack.rglob("*.json")
    data = json.loads(record_file.read_text("utf-8"))
    data["samples"].append("npm WARN something else entirely")
    record_file.write_text(json.dumps(data), "utf-8")
    check = errsig("check-pack", str(pack))
    assert check.returncode == 1
    assert f"sample-miss {data['id']}: samples[1]" in check.stdout


def test_draft_refuses_bad_input(tmp_path: Path) -> None:
    assert errsig("draft", "nofile.log:3", cwd=tmp_path).returncode == 2
    assert errsig("draft", str(DATA / "unknown" / "zmq.log"), cwd=tmp_path).returncode == 2
    blank = tmp_path / "blank.log"
    blank.write_text("\n\n", "utf-8")
    assert errsig("draft", f"{blank}:1", cwd=tmp_path).returncode == 2
