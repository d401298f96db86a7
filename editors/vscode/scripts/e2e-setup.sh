#!/usr/bin/env bash
# Installs what the end-to-end test needs, once, under editors/vscode/.cache/e2e:
# Node 24 (from the npm registry, as a package) and code-server (VS Code, from npm), whose
# postinstall npm 11 does not run by itself. Debian's chromium and libkrb5-dev come from apt.
# Idempotent: a second run only checks markers. Prints the directory holding the node 24 binary.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ERRSIG_E2E_CACHE:-$HERE/.cache/e2e}"
NODE_VERSION="${ERRSIG_E2E_NODE:-24.21.0}"
CODE_SERVER_VERSION="${ERRSIG_E2E_CODE_SERVER:-4.139.1}"
log() { echo "[e2e-setup] $*" >&2; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

mkdir -p "$CACHE"
cd "$CACHE"
[ -f package.json ] || echo '{"name":"errsig-e2e-tools","private":true}' > package.json
BIN="$CACHE/node_modules/.bin"
if [ ! -x "$BIN/node" ] || [ "$("$BIN/node" --version)" != "v$NODE_VERSION" ]; then
  log "npm install node@$NODE_VERSION"
  npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
fi
export PATH="$BIN:$PATH"
CS="$CACHE/node_modules/code-server"
marker="$CACHE/.code-server-$CODE_SERVER_VERSION.done"
if [ ! -f "$marker" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION (with node $(node --version))"
  npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "code-server@$CODE_SERVER_VERSION" >&2
  log "code-server postinstall (VS Code's dependencies and native modules; several minutes)"
  (cd "$CS" && npm_config_user_agent="npm/11 node/v24" npm_config_unsafe_perm=true sh ./postinstall.sh) >&2
  touch "$marker"
fi
echo "$BIN"
