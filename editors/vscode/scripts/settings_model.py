"""Prints errsig's server settings model as JSON: the camelCase names and their defaults.

The source of truth is server/errsig/core/settings.py (JSON_NAMES and the Settings class).
Imported when its dependencies are there; otherwise read with `ast`, so a test can compare
package.json against it with any Python 3.
usage: python settings_model.py [REPO_ROOT]
"""

from __future__ import annotations

import ast
import contextlib
import json
import operator
import sys
from pathlib import Path
from typing import Any

ROOT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3]
SETTINGS_PY = ROOT / "server" / "errsig" / "core" / "settings.py"


def jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def by_import() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "server"))
    # Imported here, not at the top: without attrs the ast reading below is used instead.
    import attrs  # noqa: PLC0415

    from errsig.core import settings as s  # noqa: PLC0415

    defaults = {}
    for field in attrs.fields(s.Settings):
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        defaults[field.name] = default
    return {
        "source": "import",
        "names": list(s.JSON_NAMES),
        "defaults": {key: jsonable(defaults[field]) for key, field in s.JSON_NAMES.items()},
    }


_OPS = {ast.LShift: operator.lshift, ast.Mult: operator.mul, ast.Add: operator.add, ast.Pow: operator.pow}


def _eval(node: ast.expr, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_eval(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return {_eval(k, names): _eval(v, names) for k, v in pairs if k is not None}
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, names), _eval(node.right, names))
    if isinstance(node, ast.Call):  # attrs.field(factory=dict) / attrs.field(default=...)
        for kw in node.keywords:
            if kw.arg == "factory" and isinstance(kw.value, ast.Name):
                return {"dict": {}, "list": [], "tuple": []}[kw.value.id]
            if kw.arg == "default":
                return _eval(kw.value, names)
    raise ValueError(f"cannot evaluate {ast.dump(node)}")


def by_ast() -> dict[str, Any]:
    tree = ast.parse(SETTINGS_PY.read_text(encoding="utf-8"))
    names: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError, KeyError):
                names[node.targets[0].id] = _eval(node.value, names)
        elif isinstance(node, ast.ClassDef) and node.name == "Settings":
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.value is not None
                ):
                    fields[item.target.id] = _eval(item.value, names)
    json_names = names["JSON_NAMES"]
    return {
        "source": "ast",
        "names": list(json_names),
        "defaults": {key: jsonable(fields[field]) for key, field in json_names.items()},
    }


def main() -> None:
    try:
        model = by_import()
    except ImportError:
        model = by_ast()
    print(json.dumps(model))


if __name__ == "__main__":
    main()
