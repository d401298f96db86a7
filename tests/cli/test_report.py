"""errsig report: an archive of logs (folders, .zip, .tar.gz) -> one document whose numbers
equal what errsig's scanner finds log by log; the same with one or two worker processes;
groups from the path; an HTML page a real browser loads with the JSON's numbers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from errsig.cli import report_render
from errsig.core import report
from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import successful_corpus_dir
from errsig.core.scan.files import scan_file
from tests.conftest import CORPUS

FAILING = sorted((CORPUS / "real" / "failing").glob("*.log"))
SUCCESSFUL = sorted(successful_corpus_dir().glob("*.log"))
HOSTILE = "fatal: <script>alert('x')</script> & <b>bold</b> went wrong\n"


@pytest.fixture(scope="module")
def tk() -> Toolkit:
    toolkit = load_toolkit([], fast=False)
    toolkit.scanner.unknown = True
    return toolkit


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, bytes]]]:
    """A CI archive: repo/workflow/date/ folders of logs, a .zip and a .tar.gz; and every log's
    name and bytes (to scan them one by one)."""
    root = tmp_path_factory.mktemp("ci")
    logs: list[tuple[str, bytes]] = []
    for i, src in enumerate(FAILING[:60] + SUCCESSFUL[:20]):
        folder = root / f"repo{i % 3}" / ("build" if i % 2 else "test") / f"2026-11-{10 + i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / src.name).write_bytes(src.read_bytes())
        logs.append((str(folder / src.name), src.read_bytes()))
    (root / "repo0" / "build" / "2026-11-10" / "hostile.log").write_text(HOSTILE)
    logs.append((str(root / "repo0" / "build" / "2026-11-10" / "hostile.log"), HOSTILE.encode()))
    with zipfile.ZipFile(root / "run-1.zip", "w") as zf:
        for src in FAILING[60:80]:
            zf.writestr(f"logs/{src.name}", src.read_bytes())
            logs.append((f"{root / 'run-1.zip'}!logs/{src.name}", src.read_bytes()))
    with tarfile.open(root / "run-2.tar.gz", "w:gz") as tf:
        for src in FAILING[80:100]:
            tf.add(src, arcname=src.name)
            logs.append((f"{root / 'run-2.tar.gz'}!{src.name}", src.read_bytes()))
    return root, logs


def _without_timing(doc: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in doc.items() if k != "scan"}


def test_the_counts_equal_the_scanner_log_by_log(
    tk: Toolkit, archive: tuple[Path, list], tmp_path: Path
) -> None:  # type: ignore[type-arg]
    root, logs = archive
    doc, _ = report.report(tk.scanner, [str(root)], workers=1)
    logs_per_id: Counter[str] = Counter()
    findings_per_id: Counter[str] = Counter()
    for i, (_name, data) in enumerate(logs):
        one = tmp_path / f"{i}.log"
        one.write_bytes(data)
        found = [f for f in scan_file(tk.scanner, one) if not f.unknown]
        findings_per_id.update(f.id for f in found)
        logs_per_id.update({f.id for f in found})
    assert doc["totals"]["logs"] == len(logs)
    assert {s["id"]: s["logs"] for s in doc["signatures"]} == dict(logs_per_id)
    assert {s["id"]: s["findings"] for s in doc["signatures"]} == dict(findings_per_id)
    assert len(doc["signatures"]) > 20


def test_two_workers_give_the_same_document(tk: Toolkit, archive: tuple[Path, list]) -> None:  # type: ignore[type-arg]
    root, _ = archive
    one, _ = report.report(tk.scanner, [str(root)], workers=1, group_by="{repo}/{workflow}/{date}")
    two, _ = report.report(tk.scanner, [str(root)], workers=2, group_by="{repo}/{workflow}/{date}")
    assert two["scan"]["workers"] == 2
    assert _without_timing(one) == _without_timing(two)


def test_groups_come_from_the_path(tk: Toolkit, archive: tuple[Path, list]) -> None:  # type: ignore[type-arg]
    root, _ = archive
    doc, _ = report.report(tk.scanner, [str(root)], group_by="{repo}/{workflow}/*")
    groups = {tuple(sorted(g["group"].items())) for s in doc["signatures"] for g in s["groups"]}
    assert (("repo", "repo0"), ("workflow", "build")) in groups
    assert (("group", "(other)"),) in groups  # the archives at the top are in no repo folder
    for s in doc["signatures"]:
        assert sum(g["logs"] for g in s["groups"]) >= s["logs"]


def test_unknown_errors_are_clustered_and_a_broken_archive_is_reported(tk: Toolkit, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.log").write_text(f"step {i}\nfatal: unable to read tree {i}abc{i}def0123456789\n")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    doc, _ = report.report(tk.scanner, [str(tmp_path)])
    assert [(u["logs"], u["findings"]) for u in doc["unknown"]] == [(3, 3)]
    assert [x["file"] for x in doc["unreadable"]] == [str(tmp_path / "broken.zip")]


def test_cli_writes_json_html_sarif_and_reads_paths_from_stdin(
    archive: tuple[Path, list], tmp_path: Path
) -> None:  # type: ignore[type-arg]
    root, _ = archive
    listing = "\n".join(str(p) for p in sorted(root.rglob("*.log"))[:10]) + "\n"
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "errsig",
            "report",
            "-",
            "--json",
            str(out),
            "--html",
            str(tmp_path / "r.html"),
            "--sarif",
            str(tmp_path / "r.sarif"),
        ],
        input=listing,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["totals"]["logs"] == 10
    assert "logs (" in proc.stdout
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sum(len(r["results"]) for r in sarif["runs"]) >= doc["totals"]["known_findings"]


def test_a_real_browser_shows_the_json_numbers(
    tk: Toolkit, archive: tuple[Path, list], tmp_path: Path
) -> None:  # type: ignore[type-arg]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on this machine (the VS Code end-to-end setup installs it)")
    root, _ = archive
    doc, _ = report.report(tk.scanner, [str(root)], group_by="{repo}/{workflow}/*")
    page = tmp_path / "report.html"
    page.write_text(report_render.render_html(doc), "utf-8")
    proc = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = proc.stdout
    assert f'id="totals" data-logs="{doc["totals"]["logs"]}"' in dom
    for s in doc["signatures"][:15]:  # the bar chart
        assert f'data-logs="{s["logs"]}"' in dom
        assert f'id="sig-{s["id"].replace("/", "-")}"' in dom
    # Text from a log is text: the hostile line is shown, not run or parsed as markup.
    assert "<script>alert" not in dom
    assert "&lt;script&gt;alert" in dom


def test_a_fifo_in_the_folder_is_reported_not_read(tk: Toolkit, tmp_path: Path) -> None:
    import os

    (tmp_path / "a.log").write_text("ERROR: No matching distribution found for nosuchpkg==1.0\n")
    os.mkfifo(tmp_path / "pipe.log")  # nobody writes to it: reading it would wait forever
    doc, _ = report.report(tk.scanner, [str(tmp_path)])
    assert doc["totals"]["logs"] == 1
    assert [x["file"] for x in doc["unreadable"]] == [str(tmp_path / "pipe.log")]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CI archive as teams keep them: logs beside metadata files that also hold error text."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "job1").mkdir()
    (root / "job1" / "build.log").write_bytes(FAILING[0].read_bytes())
    (root / "job1" / "build.json").write_bytes(FAILING[1].read_bytes())  # error text, not a log
    (root / "job1" / "notes.txt").write_bytes(FAILING[2].read_bytes())
    with zipfile.ZipFile(root / "job2.zip", "w") as zf:
        zf.writestr("out/test.log", FAILING[3].read_bytes())
        zf.writestr("out/meta.json", FAILING[4].read_bytes())
    return root


def test_include_keeps_only_matching_files_in_folders_and_archives(tk: Toolkit, mixed: Path) -> None:
    def names(doc: dict) -> set[str]:  # type: ignore[type-arg]
        return {x["file"].rsplit("/", 1)[-1] for s in doc["signatures"] for x in s["examples"]}

    everything, results = report.report(tk.scanner, [str(mixed)])
    assert everything["totals"]["logs"] == 5
    only_logs, results = report.report(tk.scanner, [str(mixed)], include=["*.log"])
    assert sorted(r.name.rsplit("/", 1)[-1] for r in results) == ["build.log", "test.log"]
    assert only_logs["totals"]["logs"] == 2
    assert only_logs["include"] == ["*.log"]
    assert names(only_logs) <= {"build.log", "test.log"}
    several, _ = report.report(tk.scanner, [str(mixed)], include=["*.log", "*.txt"])
    assert several["totals"]["logs"] == 3
    # A file named on the command line is scanned whatever its name.
    named, _ = report.report(tk.scanner, [str(mixed / "job1" / "build.json")], include=["*.log"])
    assert named["totals"]["logs"] == 1
