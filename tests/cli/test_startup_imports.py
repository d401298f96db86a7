"""What `errsig scan` imports before it scans: every CI step and pre-commit hook pays for it
(figure: benchmarks/scan.py). Modules a plain scan of the built-in catalogue does not use
stay unimported; this fails when a change pulls one back in at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Imported on first use only: hashing (foreign-pack vetting, Hyperscan database keys), thread
# and process pools (big files), pip's option table (fixes), the fix planner, the LSP layer.
NOT_AT_START = (
    "_hashlib",
    "hashlib",
    "concurrent.futures",
    "multiprocessing",
    "hyperscan",
    "errsig.core.pip.options",
    "errsig.core.fixes.plan",
    "errsig.lsp",
    # The built-in records come from their checked snapshot (core/kb/load.py) once it exists:
    # the converter and cattrs are not needed.
    "cattrs",
    "errsig.core.kb.convert",
)

PROBE = """
import json, sys
from errsig.cli.main import main
code = main(["scan", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_scan_of_an_empty_log_imports_only_what_it_uses(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    for _ in range(2):  # the first run may write the cache folder's derived files; the second uses them
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(empty)], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    result = json.loads(out.splitlines()[-1])
    assert result["code"] == 0
    loaded = [m for m in result["modules"] if m in NOT_AT_START or m.startswith("errsig.lsp.")]
    assert loaded == []
    assert "errsig.core.kb.catalogue" in result["modules"]  # the probe did run a scan
