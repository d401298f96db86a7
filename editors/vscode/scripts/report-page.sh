#!/usr/bin/env bash
# `errsig report --html` in Debian's headless Chromium through playwright-core: the page loads
# without a console error or a network request, and shows the numbers of the JSON written by the
# same run. The archive: 120 generated CI logs (benchmarks/report.py's generator) in
# repo/workflow/date folders, beside metadata files that --include leaves out.
# Run from editors/vscode after `npm ci` (ci.sh does). Screenshot: test-artifacts/report-page.png
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(cd ../.. && pwd)"
PY="${ERRSIG_PYTHON:-$ROOT/.venv/bin/python}"
out="$PWD/.cache/report-page"
rm -rf "$out"
mkdir -p "$out" "$ROOT/test-artifacts"
"$PY" - "$ROOT/benchmarks" "$out/archive" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from report import build_archive  # noqa: E402

import datetime
import os

root = Path(sys.argv[2])
build_archive(root, 120, 0.02)
for i, log in enumerate(sorted(root.rglob("*.log"))):
    day = datetime.datetime.fromisoformat(log.parent.name + "T12:00:00+00:00").timestamp()
    os.utime(log, (day, day))  # as an archive keeps them: each log dated by its run
    if i < 10:
        log.with_suffix(".json").write_text('{"status": "error: not a log"}\n')
PY
"$PY" -m errsig report "$out/archive" --include '*.log' --group-by '{repo}/{workflow}/*' \
  --json "$out/report.json" --html "$out/report.html" > /dev/null
npx tsc -p tsconfig.test.json
node out/test/e2e/report-page.js "$out/report.html" "$out/report.json" "$ROOT/test-artifacts/report-page.png"
