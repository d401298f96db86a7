"""The VS Code extension (editors/vscode) seen from the Python side.

* Its package.json contributes exactly the server settings of errsig.core.settings, with the
  same defaults (the extension's node tests check the same from the other side).
* Opt-in (ERRSIG_VSCODE_CI=1): the extension's whole CI script — build, unit tests, .vsix
  with the server bundled, and the end-to-end test in code-server driven by Playwright.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest

from errsig.core import settings as server_settings

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "editors" / "vscode"
EXTENSION_ONLY = set(server_settings.CLIENT_SETTINGS)


def _properties() -> dict[str, Any]:
    manifest = json.loads((EXT / "package.json").read_text(encoding="utf-8"))
    props: dict[str, Any] = manifest["contributes"]["configuration"]["properties"]
    return props


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def _server_defaults() -> dict[str, Any]:
    out = {}
    for field in attrs.fields(server_settings.Settings):
        default: Any = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        out[field.name] = _jsonable(default)
    return {key: out[name] for key, name in server_settings.JSON_NAMES.items()}


def test_package_json_contributes_exactly_the_server_settings() -> None:
    contributed = {k.removeprefix("errsig.") for k in _properties()}
    assert contributed - EXTENSION_ONLY == set(server_settings.JSON_NAMES)
    assert contributed >= EXTENSION_ONLY


@pytest.mark.parametrize("key", sorted(server_settings.JSON_NAMES))
def test_package_json_defaults_match_the_server(key: str) -> None:
    assert _properties()[f"errsig.{key}"]["default"] == _server_defaults()[key]


def test_the_server_defines_the_editor_settings_with_their_defaults() -> None:
    props = _properties()
    for key, default in server_settings.CLIENT_SETTINGS.items():
        assert props[f"errsig.{key}"]["default"] == default, key
    assert server_settings.json_defaults() == _server_defaults()
    # The TypeScript settings reader lists the same editor settings.
    ts = (EXT / "src" / "settings.ts").read_text("utf-8")
    block = ts.split("export const EXTENSION_SETTING_KEYS = [", 1)[1].split("]", 1)[0]
    assert {k.strip().strip("'") for k in block.split(",") if k.strip()} == set(
        server_settings.CLIENT_SETTINGS
    )


def test_package_json_watch_default_is_default_watch() -> None:
    assert _properties()["errsig.watch"]["default"] == list(server_settings.DEFAULT_WATCH)


def test_severity_override_values_are_the_server_names() -> None:
    enum = _properties()["errsig.severityOverrides"]["additionalProperties"]["enum"]
    assert enum == list(server_settings.SEVERITY_NAMES)


def test_settings_model_script_agrees_with_the_import() -> None:
    """The extension's node test reads the model through this script (with ast when attrs is missing)."""
    script = EXT / "scripts" / "settings_model.py"
    out = subprocess.run(
        ["python3", str(script), str(ROOT)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    model = json.loads(out)
    assert model["names"] == list(server_settings.JSON_NAMES)
    assert model["defaults"] == _server_defaults()


@pytest.mark.skipif(
    os.environ.get("ERRSIG_VSCODE_CI") != "1", reason="set ERRSIG_VSCODE_CI=1 (takes minutes)"
)
def test_extension_ci_script() -> None:
    result = subprocess.run(["bash", str(EXT / "scripts" / "ci.sh")], cwd=ROOT, check=False, timeout=1800)
    assert result.returncode == 0
