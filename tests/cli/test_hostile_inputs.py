"""The CLI on inputs an attacker or an odd shell hands it: FIFOs, devices, huge logs with
--max-bytes, UTF-16, file names with control characters; SARIF of every built-in record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema

from tests.conftest import ROOT

ERROR = "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device"
DATA = ROOT / "tests" / "data"


def errsig(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "errsig", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_fifo_is_read_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "build.log"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w", encoding="utf-8") as f:
            f.write(f"Collecting numpy\n{ERROR}\n")

    threading.Thread(target=writer, daemon=True).start()
    run = errsig("scan", str(fifo), timeout=60)
    assert run.returncode == 1, run.stderr
    assert f"{fifo}:2:8: error pip/no-space-left-on-device" in run.stdout


def test_max_bytes_keeps_true_line_numbers(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    with open(log, "w", encoding="utf-8") as f:
        for i in range(200_000):
            f.write(f"line {i} of ordinary output\n")
        f.write(ERROR + "\n")
    full = json.loads(errsig("scan", "--format", "json", str(log)).stdout)
    tail = json.loads(errsig("scan", "--format", "json", "--max-bytes", "500", str(log)).stdout)
    assert [f["line"] for f in full] == [200_001]
    assert [f["line"] for f in tail] == [200_001]
    piped = errsig("scan", "--format", "json", "--max-bytes", "500", "-", stdin=log.read_bytes())
    assert [f["line"] for f in json.loads(piped.stdout)] == [200_001]


def test_max_bytes_below_one_is_a_usage_error(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(ERROR + "\n", "utf-8")
    for value in ("0", "-5", "x"):
        run = errsig("scan", "--max-bytes", value, str(log))
        assert run.returncode == 2, (value, run.stdout)


def test_an_endless_device_ends(tmp_path: Path) -> None:
    run = errsig("scan", "--max-bytes", "100000", "/dev/zero", timeout=60)
    assert run.returncode == 2
    assert "binary" in run.stderr


def test_utf16_with_max_bytes(tmp_path: Path) -> None:
    log = tmp_path / "ps.log"
    log.write_bytes(("ok\r\n" * 1000 + ERROR + "\r\n").encode("utf-16"))
    run = errsig("scan", "--format", "json", "--max-bytes", "300", str(log))
    assert [f["line"] for f in json.loads(run.stdout)] == [1001]


def test_empty_input_is_clean(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("", "utf-8")
    assert errsig("scan", str(empty)).returncode == 0
    assert errsig("scan", "-", stdin=b"").returncode == 0


def test_control_characters_in_a_file_name_are_shown_escaped(tmp_path: Path) -> None:
    log = tmp_path / "a\nfake.log:1:1: error\x1b[2J.log"
    log.write_text(ERROR + "\n", "utf-8")
    run = errsig("scan", str(log))
    first = run.stdout.splitlines()[0]
    assert "\\x0afake.log:1:1: error\\x1b[2J.log:1:8: error pip/no-space-left-on-device" in first
    assert "\x1b" not in run.stdout


def test_sarif_of_every_built_in_record_validates_with_encoded_uris(tmp_path: Path) -> None:
    samples = sorted((ROOT / "tests" / "corpus" / "positive").glob("*/*/*.log"))
    samples += sorted((ROOT / "tests" / "corpus" / "real" / "failing").glob("*.log"))  # real-log-only records
    named = tmp_path / "with space.log"
    named.write_text(ERROR + "\n", "utf-8")
    run = errsig("scan", "--format", "sarif", str(named), *map(str, samples))
    doc = json.loads(run.stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    rules = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    seeds = {f"{p.parent.name}/{p.stem}" for p in (ROOT / "seeds").glob("*/*.json")}
    assert seeds <= rules  # every built-in record's rule is in the document
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]:
        tags = rule["properties"]["tags"]
        assert len(tags) == len(set(tags)), rule["id"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]
    }
    assert str(named).replace(" ", "%20") in uris
    stdin = json.loads(errsig("scan", "--format", "sarif", "-", stdin=(ERROR + "\n").encode()).stdout)
    [result] = stdin["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Cstdin%3E"
