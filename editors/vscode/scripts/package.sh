#!/usr/bin/env bash
# Writes one .vsix per VS Code target into dist-vsix/, each with the language server and the
# native wheels of its platform for CPython 3.10-3.14 (scripts/bundle_server.py), and a
# universal .vsix without a bundle that runs the errsig installed in the selected interpreter:
#   dist-vsix/errsig-<target>-<version>.vsix   (--target set in each package's manifest)
#   dist-vsix/errsig-<version>.vsix            (universal)
# env: ERRSIG_VSIX_TARGETS (default: all six), ERRSIG_BUILD_PYTHON (default python3, runs pip)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${ERRSIG_BUILD_PYTHON:-python3}"
TARGETS="${ERRSIG_VSIX_TARGETS:-linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64}"
VERSION="$(node -p "require('./package.json').version")"
OUT=dist-vsix

"$PY" scripts/bundle_server.py --targets "${TARGETS// /,}"
node scripts/bundle.mjs --production
cp ../../NOTICE NOTICE  # deadends.dev's credit travels with the package (the extension can load its canons)
rm -rf "$OUT"
mkdir -p "$OUT"
# No public repository URL exists yet: --allow-missing-repository until package.json has one.
pack() { vsce package --no-dependencies --no-rewrite-relative-links --allow-missing-repository "$@"; }
use_bundle() {
  rm -rf bundled/libs
  mkdir -p bundled/libs
  if [ -n "$1" ]; then cp -r ".cache/bundles/$1/." bundled/libs/ && rm -f bundled/libs/.stamp; fi
}
for t in $TARGETS; do
  use_bundle "$t"
  pack --target "$t" --out "$OUT/errsig-$t-$VERSION.vsix"
  [ -f "$OUT/errsig-$t-$VERSION.vsix" ] || { echo "[package] no .vsix for $t" >&2; exit 1; }
done
use_bundle ""
echo '{"target": "universal", "pythons": [], "left_out": {}, "without": []}' > bundled/libs/bundle.json
pack --out "$OUT/errsig-$VERSION.vsix"
[ -f "$OUT/errsig-$VERSION.vsix" ] || { echo "[package] no universal .vsix" >&2; exit 1; }

# Leave this machine's own bundle in bundled/libs for development (F5) and the tests.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x64 ;; Linux-aarch64) host=linux-arm64 ;;
  Darwin-x86_64) host=darwin-x64 ;; Darwin-arm64) host=darwin-arm64 ;; *) host="" ;;
esac
if [ -n "$host" ] && [ -d ".cache/bundles/$host" ]; then use_bundle "$host"; fi
ls -l "$OUT" | tail -n +2
