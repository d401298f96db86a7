#!/usr/bin/env bash
# Puts the errsig language server and its dependencies into bundled/libs/cp3XX/, one folder
# per supported CPython version (as Microsoft's vscode-python-tools-extension-template does with
# `pip install --target bundled/libs`), so the .vsix runs with a plain Python that lacks errsig.
# The wheel is built from the repository root. Skipped when the sources and versions are unchanged.
#
# env: ERRSIG_BUILD_PYTHON (default python3)  — runs pip
#      ERRSIG_BUNDLE_PYTHONS (default "3.10 3.11 3.12") — CPython versions to bundle for
#      ERRSIG_BUNDLE_PLATFORM (default manylinux_2_17_x86_64) — wheel platform (matches --target linux-x64)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${ERRSIG_BUILD_PYTHON:-python3}"
VERSIONS="${ERRSIG_BUNDLE_PYTHONS:-3.10 3.11 3.12}"
PLATFORM="${ERRSIG_BUNDLE_PLATFORM:-manylinux_2_17_x86_64}"
OUT="$HERE/bundled/libs"
CACHE="$HERE/.cache/server"
log() { echo "[bundle-server] $*" >&2; }
# pip's notes about unreachable local index folders and root installs are noise here.
quiet() { grep -v -e "is ignored: it is neither a file nor a directory" -e "Running pip as the 'root' user" || true; }

key="$( (cd "$ROOT" && find server seeds pyproject.toml README.md -type f -not -path '*/__pycache__/*' -not -name '*.pyc' | LC_ALL=C sort | xargs sha256sum; echo "$VERSIONS $PLATFORM") | sha256sum | cut -c1-16)"
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$key" ]; then
  log "up to date ($key)"
  exit 0
fi

rm -rf "$CACHE/wheel" "$OUT"
mkdir -p "$CACHE/wheel" "$OUT"
log "building the errsig wheel from $ROOT"
"$PY" -m pip wheel --quiet --no-deps --wheel-dir "$CACHE/wheel" "$ROOT" 2> >(quiet >&2)
WHEEL="$(ls "$CACHE"/wheel/errsig-*.whl)"
log "wheel: $(basename "$WHEEL")"

platforms=(--platform "$PLATFORM")
case "$PLATFORM" in
  manylinux_2_17_x86_64) platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64) ;;
esac

built=()
for v in $VERSIONS; do
  tag="cp${v/./}"
  log "pip install --target bundled/libs/$tag (CPython $v, $PLATFORM)"
  if "$PY" -m pip install --quiet --disable-pip-version-check --no-compile --target "$OUT/$tag" \
      --only-binary=:all: --implementation cp --python-version "$v" "${platforms[@]}" "$WHEEL" 2> >(quiet >&2); then
    rm -rf "$OUT/$tag/bin"
    find "$OUT/$tag" -name '__pycache__' -type d -prune -exec rm -rf {} +
    built+=("$tag")
  else
    log "WARNING: no complete set of wheels for CPython $v; skipped"
    rm -rf "${OUT:?}/$tag"
  fi
done
[ ${#built[@]} -gt 0 ] || { log "nothing bundled"; exit 1; }

# Smoke test with the build Python when its version is one of those bundled.
host_tag="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
if [ -d "$OUT/$host_tag" ]; then
  (cd "$CACHE" && PYTHONPATH="$OUT/$host_tag" PYTHONDONTWRITEBYTECODE=1 "$PY" -m errsig --version >&2)
  (cd "$CACHE" && PYTHONPATH="$OUT/$host_tag" PYTHONDONTWRITEBYTECODE=1 "$PY" -c 'import errsig.lsp' >&2) || log "WARNING: errsig.lsp not importable from the bundle (is the server written yet?)"
fi
echo "$key" > "$OUT/.stamp"
log "bundled for ${built[*]}: $(du -sh "$OUT" | cut -f1)"
