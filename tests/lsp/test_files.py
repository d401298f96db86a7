"""Requirements files and pip config over stdio: their own checks, and the lines that a
log's error names, linked both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.session import diagnostics, open_doc, pushed, rng, session

LOG = (
    "Collecting torch==1.7.0 (from -r requirements.txt (line 2))\n"
    "ERROR: Could not find a version that satisfies the requirement torch==1.7.0 (from versions: none)\n"
    "ERROR: No matching distribution found for torch==1.7.0\n"
)
REQS = "requests==2.31.0\ntorch==1.7.0  # gpu\n--timeout 60\nnot a valid ===\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "build.log").write_text(LOG, "utf-8")
    (ws / "requirements.txt").write_text(REQS, "utf-8")
    return ws


def by_code(diags: list[t.Diagnostic]) -> dict[str, list[t.Diagnostic]]:
    out: dict[str, list[t.Diagnostic]] = {}
    for d in diags:
        out.setdefault(str(d.code), []).append(d)
    return out


async def test_requirement_line_named_by_a_log_error_is_linked_both_ways(workspace: Path) -> None:
    reqs = (workspace / "requirements.txt").as_uri()
    log = (workspace / "build.log").as_uri()
    async with session(workspace, "vscode") as client:
        diags = by_code(await pushed(client, reqs, want=3))
        (link,) = diags["pip/no-matching-distribution"]
        assert rng(link) == "1:0-1:5"  # the name "torch" on line 2
        assert link.related_information is not None
        (back,) = link.related_information
        assert back.location.uri == log
        assert back.location.range.start.line == 1
        # The options pip does not allow in a requirements file and broken lines are diagnostics too.
        assert rng(diags["option-not-allowed"][0]) == "2:0-2:12"
        assert "pip.conf" in diags["option-not-allowed"][0].message
        assert rng(diags["invalid-requirement"][0]) == "3:0-3:15"
        # The log's own diagnostic points at the requirement line.
        (log_diag,) = await pushed(client, log, want=1)
        assert log_diag.related_information is not None
        assert [(r.location.uri, r.location.range.start.line) for r in log_diag.related_information] == [
            (reqs, 1)
        ]


async def test_open_requirements_file_with_pull(workspace: Path) -> None:
    async with session(workspace, "neovim") as client:
        uri = open_doc(client, workspace / "requirements.txt", language_id="requirements")
        codes = sorted(str(d.code) for d in await diagnostics(client, uri, want=3))
        assert codes == ["invalid-requirement", "option-not-allowed", "pip/no-matching-distribution"]


async def test_pip_conf_checks(workspace: Path) -> None:
    conf = workspace / "pip.conf"
    conf.write_text("[global]\ntimeout = soon\ncolour = red\n", "utf-8")
    async with session(workspace, "vscode") as client:
        uri = open_doc(client, conf, language_id="ini")
        diags = await diagnostics(client, uri, want=2)
        assert [(d.code, rng(d), d.severity) for d in diags] == [
            ("bad-value", "1:10-1:14", t.DiagnosticSeverity.Error),
            ("unknown-key", "2:0-2:6", t.DiagnosticSeverity.Warning),
        ]
