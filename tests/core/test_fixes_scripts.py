"""Adding a workaround's options to pip install invocations in scripts and CI files."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from errsig.core.fixes.commands import ParsedOption, parse_pip_command
from errsig.core.fixes.model import TextEdit, apply_edits
from errsig.core.fixes.scripts import add_options, find_pip_invocations, script_kind


def _options(line: str) -> list[ParsedOption]:
    cmd = parse_pip_command(line)
    assert cmd is not None
    return cmd.options


TIMEOUT = _options("pip install --default-timeout=120 --retries 5 x")


def _rewrite(text: str, kind: str, options: list[ParsedOption] = TIMEOUT) -> str:
    return apply_edits(text, add_options(text, kind, options).edits)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.dev", "dockerfile"),
        ("app.dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Makefile", "makefile"),
        ("rules.mk", "makefile"),
        ("tox.ini", "tox"),
        (".github/workflows/ci.yml", "yaml"),
        (".gitlab-ci.yml", "yaml"),
        ("install.sh", "shell"),
        ("setup.ps1", "powershell"),
        ("setup.bat", "cmd"),
        ("README.md", None),
    ],
)
def test_script_kind(name: str, kind: str | None) -> None:
    assert script_kind(PurePath(name)) == kind


def test_script_kind_from_shebang() -> None:
    assert script_kind(PurePath("bootstrap"), "#!/usr/bin/env bash\npip install x\n") == "shell"


def test_shell_script() -> None:
    text = """\
#!/bin/sh
set -e
pip install -r requirements.txt
python3 -m pip install --retries 2 \\
    numpy && echo done
echo pip install is not run here
sudo -H pip3 --no-cache-dir install foo  # pip install in a comment
"""
    assert (
        _rewrite(text, "shell")
        == """\
#!/bin/sh
set -e
pip install --default-timeout=120 --retries 5 -r requirements.txt
python3 -m pip install --default-timeout=120 --retries 5 \\
    numpy && echo done
echo pip install is not run here
sudo -H pip3 --no-cache-dir install --default-timeout=120 --retries 5 foo  # pip install in a comment
"""
    )


def test_existing_option_value_is_replaced_not_duplicated() -> None:
    text = "pip install --timeout 30 x\npip install --default-timeout=30 --retries=5 y\n"
    result = add_options(text, "shell", TIMEOUT)
    assert result.edits == [
        TextEdit(0, 22, 0, 24, "120"),
        TextEdit(0, 11, 0, 11, " --retries 5"),
        TextEdit(1, 30, 1, 32, "120"),
    ]
    assert apply_edits(text, result.edits) == (
        "pip install --retries 5 --timeout 120 x\npip install --default-timeout=120 --retries=5 y\n"
    )
    assert add_options(apply_edits(text, result.edits), "shell", TIMEOUT).edits == []


def test_repeatable_option_gets_another_value() -> None:
    text = "pip install --extra-index-url https://a.example/simple x\n"
    opts = _options("pip install --extra-index-url https://b.example/simple x")
    assert _rewrite(text, "shell", opts) == (
        "pip install --extra-index-url https://b.example/simple"
        " --extra-index-url https://a.example/simple x\n"
    )


def test_dockerfile_shell_form_chain_and_continuations() -> None:
    text = """\
FROM python:3.12-slim
# pip install in a comment is left alone
RUN apt-get update && \\
    # a comment line inside the instruction
    pip install --no-cache-dir -r requirements.txt && \\
    python -m pip install gunicorn
RUN --mount=type=cache,target=/root/.cache/pip pip install uvicorn
CMD ["pip", "install", "never-run-at-build"]
"""
    assert (
        _rewrite(text, "dockerfile")
        == """\
FROM python:3.12-slim
# pip install in a comment is left alone
RUN apt-get update && \\
    # a comment line inside the instruction
    pip install --default-timeout=120 --retries 5 --no-cache-dir -r requirements.txt && \\
    python -m pip install --default-timeout=120 --retries 5 gunicorn
RUN --mount=type=cache,target=/root/.cache/pip pip install --default-timeout=120 --retries 5 uvicorn
CMD ["pip", "install", "never-run-at-build"]
"""
    )


def test_dockerfile_exec_form_and_heredoc() -> None:
    text = 'RUN ["python", "-m", "pip", "install", "x"]\nRUN <<EOF\nset -e\npip install y\nEOF\n'
    assert _rewrite(text, "dockerfile") == (
        'RUN ["python", "-m", "pip", "install", "--default-timeout=120", "--retries", "5", "x"]\n'
        "RUN <<EOF\nset -e\npip install --default-timeout=120 --retries 5 y\nEOF\n"
    )


def test_dockerfile_escape_directive() -> None:
    text = "# escape=`\nFROM python\nRUN pip install `\n    numpy\n"
    assert _rewrite(text, "dockerfile") == (
        "# escape=`\nFROM python\nRUN pip install --default-timeout=120 --retries 5 `\n    numpy\n"
    )


def test_makefile_recipes_and_variables() -> None:
    text = """\
PYTHON ?= python3
PIP := $(VENV)/bin/pip

install:
\t@$(PIP) install -r requirements.txt
\t-$(PYTHON) -m pip install \\
\t\t--upgrade build

dev: ; pip install -e .
# pip install in a make comment
"""
    assert (
        _rewrite(text, "makefile")
        == """\
PYTHON ?= python3
PIP := $(VENV)/bin/pip

install:
\t@$(PIP) install --default-timeout=120 --retries 5 -r requirements.txt
\t-$(PYTHON) -m pip install --default-timeout=120 --retries 5 \\
\t\t--upgrade build

dev: ; pip install --default-timeout=120 --retries 5 -e .
# pip install in a make comment
"""
    )


def test_tox_commands_install_command_and_deps() -> None:
    text = """\
[tox]
envlist = py311, lint

[testenv]
deps =
    pytest
    -rrequirements.txt
commands =
    pip install -e .
    - python -m pip install --timeout 30 extra
    pytest {posargs}

[testenv:lint]
install_command = python -m pip install {opts} {packages}
commands = {envpython} -m pip install flake8
"""
    assert (
        _rewrite(text, "tox")
        == """\
[tox]
envlist = py311, lint

[testenv]
deps =
    pytest
    -rrequirements.txt
install_command = python -I -m pip install --default-timeout=120 --retries 5 {opts} {packages}
commands =
    pip install --default-timeout=120 --retries 5 -e .
    - python -m pip install --retries 5 --timeout 120 extra
    pytest {posargs}

[testenv:lint]
install_command = python -m pip install --default-timeout=120 --retries 5 {opts} {packages}
commands = {envpython} -m pip install --default-timeout=120 --retries 5 flake8
"""
    )


def test_tox_existing_install_command_is_not_duplicated() -> None:
    text = "[testenv]\ndeps = pytest\ninstall_command = pip install {opts} {packages}\n"
    assert _rewrite(text, "tox") == (
        "[testenv]\ndeps = pytest\n"
        "install_command = pip install --default-timeout=120 --retries 5 {opts} {packages}\n"
    )


def test_github_actions_workflow() -> None:
    text = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: pip install -r requirements.txt
      - name: Install
        run: |
          python -m pip install --upgrade pip
          pip install . # the project
      - run: >
          pip install
          numpy
      - run: 'pip install "a b"'
      - name: Windows
        shell: pwsh
        run: python -m pip install x
"""
    assert (
        _rewrite(text, "yaml")
        == """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: pip install --default-timeout=120 --retries 5 -r requirements.txt
      - name: Install
        run: |
          python -m pip install --default-timeout=120 --retries 5 --upgrade pip
          pip install --default-timeout=120 --retries 5 . # the project
      - run: >
          pip install --default-timeout=120 --retries 5
          numpy
      - run: 'pip install --default-timeout=120 --retries 5 "a b"'
      - name: Windows
        shell: pwsh
        run: python -m pip install --default-timeout=120 --retries 5 x
"""
    )


def test_gitlab_ci_script_lists() -> None:
    text = """\
test:
  image: python:3.12
  before_script: pip install -U pip
  script:
    - pip install -r requirements.txt
    - "python -m pip install ."
    - |
      pip install pytest
      pytest
"""
    assert (
        _rewrite(text, "yaml")
        == """\
test:
  image: python:3.12
  before_script: pip install --default-timeout=120 --retries 5 -U pip
  script:
    - pip install --default-timeout=120 --retries 5 -r requirements.txt
    - "python -m pip install --default-timeout=120 --retries 5 ."
    - |
      pip install --default-timeout=120 --retries 5 pytest
      pytest
"""
    )


def test_yaml_plain_scalar_quotes_values_that_would_break_yaml() -> None:
    text = "script:\n  - pip install numpy\n"
    opts = _options("pip install --only-binary :all: x")
    out = _rewrite(text, "yaml", opts)
    assert out == "script:\n  - pip install --only-binary ':all:' numpy\n"
    shell_out = _rewrite("pip install numpy\n", "shell", opts)
    assert shell_out == "pip install --only-binary :all: numpy\n"


def test_powershell_and_batch() -> None:
    ps = "python -m pip install `\n    numpy\n"
    assert (
        _rewrite(ps, "powershell") == "python -m pip install --default-timeout=120 --retries 5 `\n    numpy\n"
    )
    bat = "@echo off\r\nREM pip install in a remark\r\npy -3.12 -m pip install numpy\r\n"
    assert _rewrite(bat, "cmd") == (
        "@echo off\r\nREM pip install in a remark\r\n"
        "py -3.12 -m pip install --default-timeout=120 --retries 5 numpy\r\n"
    )


def test_uv_pip_only_gets_options_uv_accepts() -> None:
    text = "uv pip install -r requirements.txt\n"
    result = add_options(text, "shell", TIMEOUT)
    assert result.edits == []
    assert ("--timeout", "uv pip does not accept it") in result.skipped
    idx = _options("pip install --index-url https://mirror.example/simple x")
    assert (
        _rewrite(text, "shell", idx)
        == "uv pip install --index-url https://mirror.example/simple -r requirements.txt\n"
    )


def test_masked_credentials_are_quoted_placeholders() -> None:
    opts = _options("pip install --proxy http://alice:hunter2@proxy.corp:8080 x")
    out = _rewrite("pip install x\n", "shell", opts)
    assert out == "pip install --proxy 'http://<user>:<password>@proxy.corp:8080' x\n"
    assert "hunter2" not in out


def test_non_ascii_positions_are_code_points() -> None:
    text = "echo 'étape 1 — dépendances' && pip install numpy\n"
    result = add_options(text, "shell", TIMEOUT)
    # e0 c1 h2 o3 _4 '5 é6 t7 a8 p9 e10 _11 1(12) _13 —14 _15 d16 é17 p18 e19 n20 d21 a22 n23 c24 e25 s26 '27
    # _28 &29 &30 _31 p32 i33 p34 _35 i36 n37 s38 t39 a40 l41 l42
    assert result.edits == [TextEdit(0, 43, 0, 43, " --default-timeout=120 --retries 5")]


def test_find_invocations_reports_tool_and_options() -> None:
    text = "pip install --retries=3 -i https://x/simple a\nuv pip install b\npip download c\n"
    invs = find_pip_invocations(text, "shell")
    assert [(i.tool, i.subcommand, [(o.name, o.value) for o in i.options]) for i in invs] == [
        ("pip", "install", [("--retries", "3"), ("--index-url", "https://x/simple")]),
        ("uv", "install", []),
    ]
    assert len(find_pip_invocations(text, "shell", subcommands=("download",))) == 1


def test_real_dockerfile_on_disk(tmp_path: Path) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM python\nRUN pip install -r requirements.txt\n", encoding="utf-8")
    text = f.read_text(encoding="utf-8")
    kind = script_kind(f, text)
    assert kind == "dockerfile"
    f.write_text(apply_edits(text, add_options(text, kind, TIMEOUT).edits), encoding="utf-8")
    assert f.read_text(encoding="utf-8") == (
        "FROM python\nRUN pip install --default-timeout=120 --retries 5 -r requirements.txt\n"
    )
