"""ARCHITECTURE.md's import rules, enforced: every import of every module (top-level and
inside functions) is checked against the table; a test feeds the checker a violation to
show it can fail."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

SERVER = ROOT / "server"
PACKAGE = SERVER / "errsig"

# layer -> the errsig layers it may import (besides itself). Mirrors ARCHITECTURE.md.
RULES: dict[str, set[str]] = {
    "errsig.core.kb": set(),
    "errsig.core.pip": set(),
    "errsig.core.matching": {"errsig.core.kb"},
    "errsig.core.scan": {"errsig.core.matching", "errsig.core.kb", "errsig.core.pip"},
    "errsig.core.fixes": {"errsig.core.kb", "errsig.core.scan", "errsig.core.pip"},
    "errsig.core.explain": {"errsig.core.kb", "errsig.core.fixes", "errsig.core.pip", "errsig.core.outcomes"},
    "errsig.core.outcomes": set(),
    "errsig.core.loading": {"errsig.core"},
    "errsig.core.draft": {"errsig.core.kb", "errsig.core.matching", "errsig.core.scan", "errsig.core.pip"},
    "errsig.core.recordcheck": {"errsig.core.kb", "errsig.core.matching", "errsig.core.draft"},
    "errsig.core.settings": set(),
    "errsig.core": {"errsig.core"},
    "errsig.lsp": {"errsig.core"},
    "errsig.cli": {"errsig.core", "errsig.lsp.server", "errsig.lsp.early"},
    "errsig.api": {"errsig.core"},
    "errsig": {"errsig.cli", "errsig.lsp.server", "errsig.lsp.early"},
}
FORBIDDEN_IN_CORE = ("pygls", "lsprotocol")


def module_name(path: Path) -> str:
    rel = path.relative_to(SERVER).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """The most specific RULES key that ``module`` is in."""
    best = ""
    for layer in RULES:
        if (module == layer or module.startswith(layer + ".")) and len(layer) > len(best):
            best = layer
    return best


def imports_of(source: str, module: str) -> set[str]:
    """Absolute names of everything ``source`` imports, relative imports resolved."""
    out: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


def violations(source: str, module: str) -> list[str]:
    layer = layer_of(module)
    allowed = RULES[layer] | {layer}
    bad = []
    for name in sorted(imports_of(source, module)):
        top = name.split(".")[0]
        if module.startswith("errsig.core") and top in FORBIDDEN_IN_CORE:
            bad.append(f"{module} imports {name}")
            continue
        if top != "errsig" or name == "errsig":
            continue
        target = layer_of(name)
        if not target or target == "errsig":
            # `from errsig import __version__` and the like
            if name.startswith(("errsig.core", "errsig.lsp", "errsig.cli")):
                bad.append(f"{module} imports {name}")
            continue
        if not any(x == a or x.startswith(a + ".") for a in allowed for x in (name, target)):
            bad.append(f"{module} ({layer}) imports {name} ({target})")
    return bad


def test_every_module_keeps_the_import_rules() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 40
    problems = []
    for path in files:
        module = module_name(path)
        problems += violations(path.read_text("utf-8"), module)
    assert problems == []


def test_the_checker_catches_a_violation() -> None:
    # What the old code did: the scanner reaching into the fixes, inside a function too.
    source = "def f():\n    from errsig.core.fixes.commands import split_command\n"
    assert violations(source, "errsig.core.scan.requirements") == [
        "errsig.core.scan.requirements (errsig.core.scan) imports "
        "errsig.core.fixes.commands (errsig.core.fixes)",
        "errsig.core.scan.requirements (errsig.core.scan) imports "
        "errsig.core.fixes.commands.split_command (errsig.core.fixes)",
    ]
    assert violations("import lsprotocol.types\n", "errsig.core.kb.model") == [
        "errsig.core.kb.model imports lsprotocol.types"
    ]
    assert violations("from errsig.lsp import convert\n", "errsig.cli.render") != []
    assert violations("from errsig.cli import main\n", "errsig.lsp.features") != []
    assert violations("from ..fixes import plan\n", "errsig.core.scan.context") != []
