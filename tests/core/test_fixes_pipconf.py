"""pip.conf: where pip reads it on each OS, and comment-preserving merges."""

from __future__ import annotations

import configparser
from collections.abc import Callable
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import pytest

from errsig.core.fixes.model import ConfSetting, TextEdit, apply_edits
from errsig.core.fixes.pipconf import (
    PipConfError,
    merge_settings,
    pip_config_targets,
    read_conf_values,
    user_config_dir,
)

TIMEOUT = [ConfSetting("global", "timeout", "120"), ConfSetting("global", "retries", "5")]


def _exists(*present: str) -> Callable[[PurePath], bool]:
    return lambda p: str(p) in present


# ---- merging ----------------------------------------------------------------------

COMMENTED = """\
# pip configuration for this machine
# (see https://pip.pypa.io/en/stable/topics/configuration/)

[global]
# slow network at the office
timeout = 15
index-url = https://pypi.org/simple

[install]
# keep scripts quiet
no-warn-script-location = false
"""


def test_merge_keeps_comments_and_replaces_timeout_in_place(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text(COMMENTED, encoding="utf-8")
    result = merge_settings(conf.read_text(encoding="utf-8"), TIMEOUT)
    assert result.edits == [
        TextEdit(5, 10, 5, 12, "120"),
        TextEdit(7, 0, 7, 0, "retries = 5\n"),
    ]
    assert (
        result.text
        == """\
# pip configuration for this machine
# (see https://pip.pypa.io/en/stable/topics/configuration/)

[global]
# slow network at the office
timeout = 120
index-url = https://pypi.org/simple
retries = 5

[install]
# keep scripts quiet
no-warn-script-location = false
"""
    )
    assert result.changed == TIMEOUT
    assert not result.needs_input
    conf.write_text(apply_edits(COMMENTED, result.edits), encoding="utf-8")
    parser = configparser.RawConfigParser()
    parser.read(conf, encoding="utf-8")
    assert parser["global"]["timeout"] == "120"
    assert parser["global"]["retries"] == "5"
    assert parser["install"]["no-warn-script-location"] == "false"


def test_merge_is_idempotent() -> None:
    once = merge_settings(COMMENTED, TIMEOUT)
    twice = merge_settings(once.text, TIMEOUT)
    assert twice.edits == []
    assert twice.text == once.text
    assert twice.changed == []


def test_missing_file_is_created() -> None:
    result = merge_settings(None, TIMEOUT)
    assert result.text == "[global]\ntimeout = 120\nretries = 5\n"
    assert result.edits == [TextEdit(0, 0, 0, 0, "[global]\ntimeout = 120\nretries = 5\n")]
    assert apply_edits("", result.edits) == result.text


def test_global_section_is_added_after_other_sections() -> None:
    text = "[install]\nuser = true\n"
    result = merge_settings(text, TIMEOUT)
    assert result.text == "[install]\nuser = true\n\n[global]\ntimeout = 120\nretries = 5\n"
    assert result.edits == [TextEdit(2, 0, 2, 0, "\n[global]\ntimeout = 120\nretries = 5\n")]


def test_crlf_is_preserved() -> None:
    text = "[global]\r\n; proxy at work\r\ntimeout = 15\r\n"
    result = merge_settings(text, TIMEOUT)
    assert result.text == "[global]\r\n; proxy at work\r\ntimeout = 120\r\nretries = 5\r\n"
    assert result.edits == [TextEdit(2, 10, 2, 12, "120"), TextEdit(3, 0, 3, 0, "retries = 5\r\n")]
    assert apply_edits(text, result.edits) == result.text
    assert merge_settings(result.text, TIMEOUT).edits == []


def test_crlf_file_written_and_read_back(tmp_path: Path) -> None:
    conf = tmp_path / "pip.ini"
    conf.write_bytes(b"[global]\r\nindex-url = https://pypi.org/simple\r\n")
    text = conf.read_bytes().decode("utf-8")
    result = merge_settings(text, TIMEOUT)
    conf.write_bytes(apply_edits(text, result.edits).encode("utf-8"))
    assert (
        conf.read_bytes()
        == b"[global]\r\nindex-url = https://pypi.org/simple\r\ntimeout = 120\r\nretries = 5\r\n"
    )


def test_alias_and_spelling_of_an_existing_key_are_kept() -> None:
    text = "[global]\nDefault_Timeout = 15\n"
    result = merge_settings(text, [ConfSetting("global", "timeout", "120")])
    assert result.text == "[global]\nDefault_Timeout = 120\n"


def test_tight_delimiter_style_is_followed() -> None:
    result = merge_settings("[global]\ntimeout=15\n", TIMEOUT)
    assert result.text == "[global]\ntimeout=120\nretries=5\n"


def test_command_section_overriding_global_is_fixed_too() -> None:
    text = "[install]\ntimeout = 10\n"
    result = merge_settings(text, [ConfSetting("global", "timeout", "120")])
    assert result.text == "[install]\ntimeout = 120\n\n[global]\ntimeout = 120\n"


def test_list_values_get_a_new_line_and_keep_theirs() -> None:
    text = "[global]\ntrusted-host = a.example\n    b.example\ntimeout = 15\n"
    result = merge_settings(text, [ConfSetting("global", "trusted-host", "c.example")])
    assert result.text == "[global]\ntrusted-host = a.example\n    b.example\n    c.example\ntimeout = 15\n"
    assert result.edits == [TextEdit(3, 0, 3, 0, "    c.example\n")]
    assert merge_settings(text, [ConfSetting("global", "trusted-host", "b.example")]).edits == []


def test_equal_values_in_other_spellings_change_nothing() -> None:
    text = "[global]\nprefer-binary = yes\ntimeout = 120.0\nindex-url = https://pypi.org/simple/\n"
    settings = [
        ConfSetting("global", "prefer-binary", "true"),
        ConfSetting("global", "timeout", "120"),
        ConfSetting("global", "index-url", "https://pypi.org/simple"),
    ]
    assert merge_settings(text, settings).edits == []


def test_option_is_added_before_a_comment_that_introduces_the_next_section() -> None:
    text = "[global]\ntimeout = 15\n\n# settings for pip install\n[install]\n"
    result = merge_settings(text, [ConfSetting("global", "retries", "5")])
    assert result.text == "[global]\ntimeout = 15\nretries = 5\n\n# settings for pip install\n[install]\n"


def test_credentials_are_never_written() -> None:
    result = merge_settings(None, [ConfSetting("global", "proxy", "http://alice:hunter2@proxy.corp:8080")])
    assert result.text == "[global]\nproxy = http://<user>:<password>@proxy.corp:8080\n"
    assert "hunter2" not in "".join(e.new_text for e in result.edits)
    assert result.needs_input


def test_non_ascii_comments_and_positions() -> None:
    text = "# café — réglages\n[global]\n# délai réseau\ntimeout = 15\n"
    result = merge_settings(text, TIMEOUT)
    assert result.edits == [TextEdit(3, 10, 3, 12, "120"), TextEdit(4, 0, 4, 0, "retries = 5\n")]
    assert result.text == "# café — réglages\n[global]\n# délai réseau\ntimeout = 120\nretries = 5\n"


def test_byte_order_mark_is_kept() -> None:
    result = merge_settings("\ufeff[global]\n", TIMEOUT)
    assert result.text == "\ufeff[global]\ntimeout = 120\nretries = 5\n"
    assert result.edits == [TextEdit(1, 0, 1, 0, "timeout = 120\nretries = 5\n")]


def test_file_without_final_newline() -> None:
    text = "[global]\nindex-url = https://pypi.org/simple"
    result = merge_settings(text, TIMEOUT)
    assert result.text == "[global]\nindex-url = https://pypi.org/simple\ntimeout = 120\nretries = 5\n"
    assert apply_edits(text, result.edits) == result.text


def test_unparsable_file_is_left_alone() -> None:
    with pytest.raises(PipConfError):
        merge_settings("timeout = 5\n[global]\n", TIMEOUT)
    with pytest.raises(PipConfError):
        merge_settings("[global]\ntimeout = 1\ntimeout = 2\n", TIMEOUT)


def test_read_conf_values() -> None:
    text = "[global]\ndefault-timeout = 30\n[install]\ntimeout = 60\n"
    assert read_conf_values(text, "timeout") == {"global": "30", "install": "60"}
    assert read_conf_values("not ini", "timeout") == {}


# ---- locating ---------------------------------------------------------------------


def test_linux_user_file_default() -> None:
    targets = pip_config_targets({"HOME": "/home/u"}, "linux", exists=_exists())
    assert [(t.path, t.kind) for t in targets] == [(PurePosixPath("/home/u/.config/pip/pip.conf"), "user")]


def test_linux_xdg_config_home() -> None:
    targets = pip_config_targets({"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"}, "linux", exists=_exists())
    assert [t.path for t in targets] == [PurePosixPath("/cfg/pip/pip.conf")]
    blank = pip_config_targets({"HOME": "/home/u", "XDG_CONFIG_HOME": "  "}, "linux", exists=_exists())
    assert [t.path for t in blank] == [PurePosixPath("/home/u/.config/pip/pip.conf")]


def test_macos_uses_application_support_only_when_it_exists() -> None:
    env = {"HOME": "/Users/u"}
    without = pip_config_targets(env, "darwin", exists=_exists())
    assert [t.path for t in without] == [PurePosixPath("/Users/u/.config/pip/pip.conf")]
    with_dir = pip_config_targets(env, "darwin", exists=_exists("/Users/u/Library/Application Support/pip"))
    assert [t.path for t in with_dir] == [PurePosixPath("/Users/u/Library/Application Support/pip/pip.conf")]
    # pip does not read XDG_CONFIG_HOME on macOS
    xdg = pip_config_targets({**env, "XDG_CONFIG_HOME": "/cfg"}, "darwin", exists=_exists())
    assert [t.path for t in xdg] == [PurePosixPath("/Users/u/.config/pip/pip.conf")]


def test_windows_appdata() -> None:
    env = {"APPDATA": r"C:\Users\u\AppData\Roaming", "USERPROFILE": r"C:\Users\u"}
    targets = pip_config_targets(env, "win32", exists=_exists())
    assert [t.path for t in targets] == [PureWindowsPath(r"C:\Users\u\AppData\Roaming\pip\pip.ini")]
    no_appdata = pip_config_targets({"USERPROFILE": r"C:\Users\u"}, "win32", exists=_exists())
    assert [t.path for t in no_appdata] == [PureWindowsPath(r"C:\Users\u\AppData\Roaming\pip\pip.ini")]


def test_virtualenv_comes_before_the_user_file() -> None:
    env = {"HOME": "/home/u", "VIRTUAL_ENV": "/work/proj/.venv"}
    targets = pip_config_targets(env, "linux", exists=_exists())
    assert [(t.path, t.kind) for t in targets] == [
        (PurePosixPath("/work/proj/.venv/pip.conf"), "site"),
        (PurePosixPath("/home/u/.config/pip/pip.conf"), "user"),
    ]
    win = pip_config_targets({"VIRTUAL_ENV": r"C:\proj\.venv", "APPDATA": r"C:\A"}, "win32", exists=_exists())
    assert [t.path for t in win] == [
        PureWindowsPath(r"C:\proj\.venv\pip.ini"),
        PureWindowsPath(r"C:\A\pip\pip.ini"),
    ]


def test_conda_environment() -> None:
    targets = pip_config_targets(
        {"HOME": "/h", "CONDA_PREFIX": "/opt/conda/envs/x"}, "linux", exists=_exists()
    )
    assert [t.path for t in targets] == [
        PurePosixPath("/opt/conda/envs/x/pip.conf"),
        PurePosixPath("/h/.config/pip/pip.conf"),
    ]


def test_project_venv_that_is_not_activated() -> None:
    targets = pip_config_targets(
        {"HOME": "/h"}, "linux", exists=_exists("/w/.venv/pyvenv.cfg"), workspace=PurePosixPath("/w")
    )
    assert [(t.path, t.kind) for t in targets] == [
        (PurePosixPath("/w/.venv/pip.conf"), "site"),
        (PurePosixPath("/h/.config/pip/pip.conf"), "user"),
    ]


def test_pip_config_file_first_and_user_file_dropped_when_it_exists() -> None:
    env = {"HOME": "/h", "PIP_CONFIG_FILE": "/etc/ci/pip.conf", "VIRTUAL_ENV": "/v"}
    existing = pip_config_targets(env, "linux", exists=_exists("/etc/ci/pip.conf"))
    assert [(t.path, t.kind) for t in existing] == [
        (PurePosixPath("/etc/ci/pip.conf"), "env"),
        (PurePosixPath("/v/pip.conf"), "site"),
    ]
    missing = pip_config_targets(env, "linux", exists=_exists())
    assert [t.path for t in missing] == [
        PurePosixPath("/etc/ci/pip.conf"),
        PurePosixPath("/v/pip.conf"),
        PurePosixPath("/h/.config/pip/pip.conf"),
    ]
    assert "stops reading your user configuration" in missing[0].reason


def test_no_targets_when_config_files_are_disabled() -> None:
    assert pip_config_targets({"HOME": "/h", "PIP_CONFIG_FILE": "/dev/null"}, "linux", exists=_exists()) == []
    assert pip_config_targets({"PIP_CONFIG_FILE": "NUL", "APPDATA": r"C:\A"}, "win32", exists=_exists()) == []


def test_isolated_mode_skips_the_user_file() -> None:
    env = {"HOME": "/h", "PIP_ISOLATED_MODE": "1", "VIRTUAL_ENV": "/v"}
    assert [t.kind for t in pip_config_targets(env, "linux", exists=_exists())] == ["site"]


def test_user_config_dir_with_an_explicit_home() -> None:
    assert user_config_dir({}, "linux", exists=_exists(), home="/root") == PurePosixPath("/root/.config/pip")


def test_locating_on_this_machine_with_real_directories(tmp_path: Path) -> None:
    (tmp_path / "Library" / "Application Support" / "pip").mkdir(parents=True)
    targets = pip_config_targets({"HOME": str(tmp_path)}, "darwin")
    assert [t.path for t in targets] == [
        PurePosixPath(tmp_path / "Library" / "Application Support" / "pip" / "pip.conf")
    ]


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="linux layout")
def test_this_process_on_linux_asks_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    targets = pip_config_targets(os.environ, "linux", exists=_exists())
    assert targets[-1].path == PurePosixPath(tmp_path / "xdg" / "pip" / "pip.conf")
