"""pip's configuration file: where pip reads it, and comment-preserving edits to it.

Locating follows ``pip/_internal/configuration.py`` and ``utils/appdirs.py``. pip loads, from
lowest to highest priority: system-wide files, the user's files (legacy ``~/.pip/pip.conf``
then the per-OS file), the *site* file ``sys.prefix/pip.conf`` (the active virtual
environment's), then the file named by ``PIP_CONFIG_FILE``; ``PIP_*`` variables override
all files. When ``PIP_CONFIG_FILE`` names an existing file, the user's files are not read;
when it is ``os.devnull`` no file is read; ``PIP_ISOLATED_MODE`` skips the user's files.
The file is ``pip.ini`` on Windows and ``pip.conf`` elsewhere.

Per-OS user file (``appdirs.user_config_dir("pip")``):

* Linux and other Unixes: ``$XDG_CONFIG_HOME/pip/pip.conf``, else ``~/.config/pip/pip.conf``;
* macOS: ``~/Library/Application Support/pip/pip.conf`` when that *directory* exists, else
  ``~/.config/pip/pip.conf`` (pip does not read ``XDG_CONFIG_HOME`` on macOS);
* Windows: ``%APPDATA%\\pip\\pip.ini``.

Merging uses ConfigUpdater so comments, blank lines, key spelling, other sections and order
are kept; only the lines that change are edited (see :func:`merge_settings`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import attrs
import platformdirs
from configupdater import ConfigUpdater, Option, Section, Space

from errsig.core.fixes.commands import has_placeholders
from errsig.core.fixes.model import ConfSetting, TextEdit, apply_edits, diff_edits
from errsig.core.pip.credentials import mask_value
from errsig.core.pip.options import (
    PIP_COMMANDS,
    PipOption,
    normalize_conf_key,
    option_for_conf_key,
    strtobool,
)

_ENV_REF = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%")


@attrs.define(frozen=True)
class ConfTarget:
    """A pip configuration file a fix may write.

    ``kind`` is ``env`` (``PIP_CONFIG_FILE``), ``site`` (a virtual or conda environment's
    file) or ``user``. ``path`` is a :class:`PurePath` of the target platform's flavour."""

    path: PurePath
    kind: str
    reason: str


def _truthy(value: str | None) -> bool:
    if not value:
        return False
    try:
        return strtobool(value)
    except ValueError:
        return False


def config_basename(platform: str) -> str:
    return "pip.ini" if platform.startswith("win") else "pip.conf"


def _pure(platform: str, *parts: str) -> PurePath:
    return PureWindowsPath(*parts) if platform.startswith("win") else PurePosixPath(*parts)


def _home(env: Mapping[str, str], platform: str, home: PurePath | str | None) -> PurePath:
    if platform.startswith("win"):
        if env.get("USERPROFILE"):
            return PureWindowsPath(env["USERPROFILE"])
        if env.get("HOMEDRIVE") and env.get("HOMEPATH"):
            return PureWindowsPath(env["HOMEDRIVE"] + env["HOMEPATH"])
    elif env.get("HOME"):
        return PurePosixPath(env["HOME"])
    if home is not None:
        return _pure(platform, str(home))
    return _pure(platform, str(Path.home()))


def _describes_this_process(env: Mapping[str, str], platform: str) -> bool:
    keys = ("HOME", "USERPROFILE", "APPDATA", "XDG_CONFIG_HOME")
    return platform == sys.platform and all(env.get(k) == os.environ.get(k) for k in keys)


def user_config_dir(
    env: Mapping[str, str],
    platform: str,
    *,
    exists: Callable[[PurePath], bool] | None = None,
    home: PurePath | str | None = None,
) -> PurePath:
    """pip's per-user configuration directory on ``platform`` (``linux``, ``darwin``, ``win32``).

    When ``env`` describes this very process, platformdirs answers (on Windows it asks the
    shell for the roaming AppData folder); otherwise the directory is derived from ``env``
    by platformdirs' rules, so every OS can be computed anywhere."""
    check = exists or _default_exists
    if _describes_this_process(env, platform) and home is None:
        if platform == "darwin":
            data_dir = platformdirs.user_data_dir("pip", appauthor=False, roaming=True)
            app_support: PurePath = PurePosixPath(data_dir)
            if check(app_support):
                return app_support
            return _home(env, platform, None) / ".config" / "pip"
        return _pure(platform, platformdirs.user_config_dir("pip", appauthor=False, roaming=True))
    h = _home(env, platform, home)
    if platform.startswith("win"):
        appdata = env.get("APPDATA", "").strip()
        base = PureWindowsPath(appdata) if appdata else h / "AppData" / "Roaming"
        return base / "pip"
    if platform == "darwin":
        app_support = h / "Library" / "Application Support" / "pip"
        if check(app_support):
            return app_support
        return h / ".config" / "pip"
    xdg = env.get("XDG_CONFIG_HOME", "").strip()
    return (PurePosixPath(xdg) if xdg else h / ".config") / "pip"


def _default_exists(path: PurePath) -> bool:
    return Path(path).exists()


def config_files_disabled(env: Mapping[str, str], platform: str) -> bool:
    """``PIP_CONFIG_FILE=os.devnull``: pip reads no configuration file at all."""
    value = env.get("PIP_CONFIG_FILE")
    if value is None:
        return False
    devnull = "nul" if platform.startswith("win") else "/dev/null"
    return value.strip().lower() == devnull


def pip_config_targets(
    env: Mapping[str, str],
    platform: str,
    *,
    exists: Callable[[PurePath], bool] | None = None,
    home: PurePath | str | None = None,
    workspace: PurePath | None = None,
) -> list[ConfTarget]:
    """The files a pip.conf fix may write, the one pip gives the highest priority first.

    1. ``PIP_CONFIG_FILE`` when set;
    2. the active environment's site file: ``$VIRTUAL_ENV/pip.conf`` (``pip.ini`` on
       Windows), else ``$CONDA_PREFIX/pip.conf``; else a not-activated ``.venv``/``venv`` in
       ``workspace`` (one holding ``pyvenv.cfg``);
    3. the user's file — left out when pip would not read it (``PIP_CONFIG_FILE`` names an
       existing file, or ``PIP_ISOLATED_MODE`` is set).

    Nothing when ``PIP_CONFIG_FILE`` is the null device (pip reads no file)."""
    check = exists or _default_exists
    if config_files_disabled(env, platform):
        return []
    name = config_basename(platform)
    out: list[ConfTarget] = []
    env_file = env.get("PIP_CONFIG_FILE", "").strip()
    env_file_exists = False
    if env_file:
        p = _pure(platform, env_file)
        env_file_exists = check(p)
        reason = "PIP_CONFIG_FILE (read after every other configuration file)"
        if not env_file_exists:
            reason += "; once it exists pip stops reading your user configuration"
        out.append(ConfTarget(p, "env", reason))
    venv = env.get("VIRTUAL_ENV", "").strip()
    conda = env.get("CONDA_PREFIX", "").strip()
    if venv:
        out.append(
            ConfTarget(_pure(platform, venv) / name, "site", "the active virtual environment (VIRTUAL_ENV)")
        )
    elif conda:
        out.append(
            ConfTarget(_pure(platform, conda) / name, "site", "the active conda environment (CONDA_PREFIX)")
        )
    elif workspace is not None:
        for d in (".venv", "venv"):
            root = _pure(platform, str(workspace)) / d
            if check(root / "pyvenv.cfg"):
                out.append(
                    ConfTarget(
                        root / name, "site", f"the project's virtual environment {d} (when it is used)"
                    )
                )
                break
    isolated = _truthy(env.get("PIP_ISOLATED_MODE"))
    if not isolated and not (env_file and env_file_exists):
        user_dir = user_config_dir(env, platform, exists=check, home=home)
        out.append(ConfTarget(user_dir / name, "user", "your user configuration"))
    return out


# ---------------------------------------------------------------------------------------
# Merging settings into a file.


class PipConfError(ValueError):
    """The existing file cannot be parsed the way pip parses it; it is left alone."""


@attrs.define
class MergeResult:
    """The file's text after the merge, the edits that produce it from the original (empty
    when nothing changes), whether values were masked or hold placeholders (``needs_input``)
    and the settings that changed something."""

    text: str
    edits: list[TextEdit]
    needs_input: bool = False
    changed: list[ConfSetting] = attrs.field(factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.edits)


def _same_value(opt: PipOption | None, a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    if opt is None:
        return False
    if opt.is_flag and not opt.count:
        try:
            if opt.name == "--no-cache-dir":
                strtobool(a)
                strtobool(b)
                return True
            return strtobool(a) == strtobool(b)
        except ValueError:
            return False
    if opt.value in ("int", "float"):
        try:
            return float(a) == float(b)
        except ValueError:
            return False
    if opt.value in ("url", "host"):
        return a.rstrip("/").lower() == b.rstrip("/").lower()
    return False


def _section_options(section: Section, keys: set[str]) -> list[Option]:
    return [o for o in section.iter_options() if normalize_conf_key(o.raw_key) in keys]


def _add_option(section: Section, key: str, value: str) -> None:
    """Add ``key = value`` right after the section's last option, or right after its header.

    (Comments after the last option stay below: they often introduce the next section.)"""
    blocks = list(section.iter_blocks())
    options = [b for b in blocks if isinstance(b, Option)]
    if options:
        options[-1].add_after.option(key, value)
    elif blocks:
        blocks[0].add_before.option(key, value)
    else:
        section.set(key, value)


def _append_value(opt: Option, value: str, indent: str) -> None:
    """Add ``value`` as a continuation line of a list-valued option, keeping its first line."""
    add_line = getattr(opt, "add_line", None)
    if add_line is None:  # pragma: no cover - older ConfigUpdater
        opt.set_values([*(opt.value or "").split(), value])
        return
    lines = opt.lines
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    add_line(f"{indent}{value}\n")


_OPTION_LINE = re.compile(r"^[^\s#;\[][^=:\n]*?(\s*)[=:](\s*)\S", re.MULTILINE)


def _spaced_style(text: str) -> bool:
    """Whether most ``key = value`` lines of ``text`` put spaces around the delimiter."""
    spaced = tight = 0
    for m in _OPTION_LINE.finditer(text):
        if m.group(1) or m.group(2):
            spaced += 1
        else:
            tight += 1
    return spaced >= tight


def _parse(norm: str) -> ConfigUpdater:
    updater = ConfigUpdater(space_around_delimiters=_spaced_style(norm))
    updater.optionxform = normalize_conf_key  # type: ignore[method-assign,assignment]
    try:
        updater.read_string(norm)
    except Exception as exc:  # configparser's and ConfigUpdater's errors are not one family
        raise PipConfError(str(exc)) from exc
    return updater


def _merge_one(updater: ConfigUpdater, setting: ConfSetting) -> tuple[ConfSetting, bool, bool]:
    """Apply one setting; returns (the setting as written, whether it changed, masked/needs input)."""
    section_name = setting.section.strip().lower()
    spec = option_for_conf_key(setting.key, section_name)
    key = spec.conf_key if spec else normalize_conf_key(setting.key)
    keys = set(spec.conf_keys) if spec else {key}
    value, masked = mask_value(spec, setting.value)
    needs_input = masked or bool(_ENV_REF.search(value)) or has_placeholders(value)
    written = ConfSetting(section_name, key, value)
    changed = False
    sections = [section_name]
    if section_name == "global" and spec is not None:
        # a command's own section overrides [global] for that command: fix it there too
        sections += [c for c in PIP_COMMANDS if c in spec.commands]
    for name in sections:
        if not updater.has_section(name):
            continue
        for opt in _section_options(updater[name], keys):
            current = opt.value or ""
            if spec is not None and spec.multiple:
                have = current.split()
                missing = [v for v in value.split() if not any(_same_value(spec, v, c) for c in have)]
                if not missing:
                    continue
                cont = next((ln for ln in opt.lines[1:] if ln.strip()), None)
                m = re.match(r"^\s*", cont) if cont else None
                indent = m.group(0) if m and m.group(0) else "    "
                for v in missing:
                    _append_value(opt, v, indent)
                changed = True
            elif not _same_value(spec, current, value):
                opt.value = value
                changed = True
    if not (updater.has_section(section_name) and _section_options(updater[section_name], keys)):
        if not updater.has_section(section_name):
            _add_section(updater, section_name)
        _add_option(updater[section_name], key, value)
        changed = True
    return written, changed, needs_input


def merge_settings(text: str | None, settings: Sequence[ConfSetting]) -> MergeResult:
    """Apply ``settings`` to a pip configuration file's text (``None``: the file is missing).

    * a key already present (any spelling pip treats as the same option:
      ``default-timeout``/``Default_Timeout``/``timeout``) has its value replaced in place,
      also in a command section (``[install]``) that would override the ``[global]`` value;
    * a missing key is added after the last option of its section; a missing section is
      added at the end of the file;
    * list-valued keys (``trusted-host``, ``extra-index-url``, ``find-links``) get the new
      value as an extra continuation line, keeping their current values;
    * comments, blank lines, other keys and sections keep their text and order; a CRLF
      file stays CRLF; a byte-order mark is kept;
    * idempotent: merging the same settings into the result yields no edits.

    Credentials are masked (``<user>:<password>``) and the result then ``needs_input``.
    Raises :class:`PipConfError` when the existing text does not parse."""
    original = text or ""
    bom = "\ufeff" if original.startswith("\ufeff") else ""
    body = original[len(bom) :]
    newline = "\r\n" if "\r\n" in body else ("\r" if "\r" in body and "\n" not in body else "\n")
    norm = body.replace("\r\n", "\n").replace("\r", "\n")
    updater = _parse(norm)
    needs_input = False
    changed: list[ConfSetting] = []
    for setting in settings:
        written, did_change, needs = _merge_one(updater, setting)
        needs_input = needs_input or needs
        if did_change:
            changed.append(written)
    new_norm = str(updater)
    if not changed or new_norm == norm or new_norm == norm + "\n":
        return MergeResult(original, [], needs_input, [])
    new_text = bom + (new_norm.replace("\n", newline) if newline != "\n" else new_norm)
    if text is None or not original:
        return MergeResult(new_text, diff_edits("", new_text), needs_input, changed)
    edits = diff_edits(bom + norm, bom + new_norm)
    if newline != "\n":
        edits = [attrs.evolve(e, new_text=e.new_text.replace("\n", newline)) for e in edits]
    return MergeResult(apply_edits(original, edits), edits, needs_input, changed)


def _add_section(updater: ConfigUpdater, name: str) -> None:
    sections = updater.sections()
    if sections:
        last = updater[sections[-1]]
        blocks = list(last.iter_blocks())
        if not blocks or not isinstance(blocks[-1], Space):
            last.add_space("\n")
    updater.add_section(name)


def read_conf_values(text: str, key: str) -> dict[str, str]:
    """``section -> value`` of the option ``key`` (any alias) in a pip configuration text;
    an unparsable text gives ``{}``."""
    opt_spec = option_for_conf_key(key)
    keys = set(opt_spec.conf_keys) if opt_spec else {normalize_conf_key(key)}
    try:
        updater = _parse(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    except PipConfError:
        return {}
    out: dict[str, str] = {}
    for section in updater.iter_sections():
        for opt in _section_options(section, keys):
            out[section.name] = (opt.value or "").strip()
    return out
