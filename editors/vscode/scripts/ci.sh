#!/usr/bin/env bash
# The VS Code extension's whole check, for CI or a fresh machine. Run from the repository root:
#   bash editors/vscode/scripts/ci.sh
# Installs what is missing (Debian's chromium and libkrb5-dev, Node 24 and code-server from npm,
# all cached under editors/vscode/.cache), then: npm ci, build (type-check, lint, bundle), unit
# tests, package (one .vsix per platform with the server and its native wheels, and a universal one;
# each checked by tests/vscode/test_vsix_platforms.py), end-to-end test in code-server, and the page of
# `errsig report --html` in the same Chromium (scripts/report-page.sh).
# Idempotent; a second run reuses the caches (node_modules, bundled server, code-server).
# env: ERRSIG_SKIP_E2E=1 stops after packaging.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
EXT="$PWD"
T0=$(date +%s)
summary=()
run_step() {
  local name="$1"; shift
  local t; t=$(date +%s)
  echo "::group::[ci] $name"
  "$@"
  local dt=$(( $(date +%s) - t ))
  echo "::endgroup::"
  echo "[ci] $name: ${dt}s"
  summary+=("$(printf '%-28s %4ss' "$name" "$dt")")
}

need_node() {
  # The build needs Node >= 20.19 (eslint 10). Use the system's if it is new enough, else Node 24 from npm.
  if command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "[ci] node $(node --version), npm $(npm --version)"
  else
    echo "[ci] system node missing or older than 20.19: using Node 24 from the e2e tools"
    export PATH="$NODE24_BIN:$PATH"
  fi
}

tools() {
  NODE24_BIN="$(bash scripts/e2e-setup.sh)"
  export NODE24_BIN ERRSIG_E2E_NODE_BIN="$NODE24_BIN"
}

npm_ci() {
  local stamp=node_modules/.errsig-ci-stamp
  local key; key="$(sha256sum package-lock.json | cut -c1-16)-$(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    echo "[ci] node_modules up to date with package-lock.json"
    return
  fi
  npm ci --no-audit --no-fund
  echo "$key" > "$stamp"
}

run_step "tools (apt, node 24, code-server)" tools
need_node
run_step "npm ci" npm_ci
run_step "npm run build" npm run build
run_step "npm test" npm test
run_step "npm run package" npm run package
vsix_check() {
  ERRSIG_MIN_TESTS=0 ERRSIG_VSIX_REQUIRED=1 "${ERRSIG_PYTHON:-$EXT/../../.venv/bin/python}" -m pytest -q -p no:cacheprovider \
    "$EXT/../../tests/vscode/test_vsix_platforms.py"
}
run_step "platform packages: native modules" vsix_check
if [ "${ERRSIG_SKIP_E2E:-}" != 1 ]; then
  run_step "npm run e2e" npm run e2e
  run_step "errsig report page in chromium" bash scripts/report-page.sh
fi
echo "[ci] summary:"
printf '  %s\n' "${summary[@]}"
echo "[ci] total: $(( $(date +%s) - T0 ))s"
