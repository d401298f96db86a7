"""The core knows nothing of LSP: no module under errsig.core imports pygls or lsprotocol."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

CORE = ROOT / "server" / "errsig" / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0] if node.level == 0 else "")
            if node.module.startswith("errsig."):
                out.add(node.module)
    return out


def test_core_never_imports_the_protocol_layer() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        mods = imported_modules(path)
        assert not mods & {"pygls", "lsprotocol"}, path
        assert not any(m.startswith(("errsig.lsp", "errsig.cli")) for m in mods), path


def test_cli_and_lsp_do_not_import_each_other() -> None:
    for path in (ROOT / "server" / "errsig" / "lsp").rglob("*.py"):
        assert not any(m.startswith("errsig.cli") for m in imported_modules(path)), path
    for path in (ROOT / "server" / "errsig" / "cli").rglob("*.py"):
        mods = imported_modules(path)
        assert not any(m.startswith("errsig.lsp") for m in mods if m != "errsig.lsp.server"), path
