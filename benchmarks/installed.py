"""Start errsig in a benchmark as ``pip install`` leaves it: with bytecode.

pip compiles an installed package's ``.pyc`` files; a checkout run with
``PYTHONDONTWRITEBYTECODE=1`` (as on the team's machines) instead compiles every errsig module
on each start, ~30 ms for the CLI and more for the language server. The benchmarks measure
the installed form: bytecode goes to a private ``PYTHONPYCACHEPREFIX`` (not into the
checkout), written once before anything is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER = HERE.parent / "server"
PREFIX = HERE / "out" / "pycache"


def env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with bytecode on, in :data:`PREFIX`."""
    out = {k: v for k, v in (os.environ if base is None else base).items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(PREFIX)
    return out


def compile_bytecode() -> None:
    """Write the bytecode the timed runs read: errsig's modules, and what starting the CLI
    and the language server imports from the standard library and site-packages."""
    PREFIX.mkdir(parents=True, exist_ok=True)
    code = "import compileall, sys; sys.exit(not compileall.compile_dir(sys.argv[1], quiet=1))"
    imports = "import errsig.cli.main, errsig.lsp.server, errsig.lsp.interact, errsig.core.fixes.plan"
    for cmd in ([sys.executable, "-c", code, str(SERVER / "errsig")], [sys.executable, "-c", imports]):
        subprocess.run(cmd, env={**env(), "PYTHONPATH": str(SERVER)}, capture_output=True, check=False)
