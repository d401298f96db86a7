"""Requirements files and pip config over stdio: their own checks, and the lines that a
log's error names, linked both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.session import apply_text_edits, code_actions, diagnostics, open_doc, pushed, rng, session

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


DOCKERFILE = "FROM python:3.11\nRUN pip install -r requirements.txt && \\\n    pip install gunicorn\n"
TIMEOUT_LOG = (
    "Collecting torch\n"
    "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org',"
    " port=443): Read timed out.\n"
)


async def test_quick_fixes_edit_a_dockerfile_and_a_requirements_file(workspace: Path) -> None:
    (workspace / "Dockerfile").write_text(DOCKERFILE, "utf-8")
    (workspace / "timeout.log").write_text(TIMEOUT_LOG, "utf-8")
    # Every fix, not only the five safest the menu shows by default.
    async with session(workspace, "vscode", init_options={"errsig": {"maxQuickFixes": 50}}) as client:
        uri = open_doc(client, workspace / "timeout.log")
        (diag,) = await diagnostics(client, uri, want=1)
        assert diag.code == "pip/read-timeout"
        result = await code_actions(
            client,
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=diag.range,
                context=t.CodeActionContext(diagnostics=[diag]),
            ),
        )
        actions = [a for a in result or [] if isinstance(a, t.CodeAction) and a.edit is not None]
        docker = [a for a in actions if "Dockerfile" in a.title and "--timeout" in a.title]
        assert docker, [a.title for a in actions]
        (change,) = docker[0].edit.document_changes or []  # type: ignore[union-attr]
        assert isinstance(change, t.TextDocumentEdit)
        assert change.text_document.uri == (workspace / "Dockerfile").as_uri()
        edited = apply_text_edits(DOCKERFILE, list(change.edits))  # type: ignore[arg-type]
        assert edited == (
            "FROM python:3.11\n"
            "RUN pip install --timeout 120 --retries 10 -r requirements.txt && \\\n"
            "    pip install --timeout 120 --retries 10 gunicorn\n"
        )
        # The mirror variant for the requirements file exists, is not preferred, and says so.
        mirror = [a for a in actions if "requirements.txt" in a.title and "mirror" in a.title]
        assert mirror
        assert not any(a.is_preferred for a in mirror)
