"""Workaround command lines: parse ``pip …`` invocations and turn their options into settings.

A workaround's ``how`` holds shell commands such as
``pip install --default-timeout=120 --retries 5 <package>``. :func:`parse_pip_command`
splits one with errsig's shell tokenizer (:mod:`errsig.core.pip.cli`) into the launcher
(``pip``, ``python -m pip``, ``uv pip`` …),
the pip subcommand, the options (canonical names, values, and the tokens as written) and
the remaining arguments. :func:`settings_from_line` turns such a line — or a
``pip config set global.timeout 120`` or ``export PIP_DEFAULT_TIMEOUT=120`` line — into
pip.conf settings.

Credentials are never carried over: the userinfo of a URL (``http://user:pass@proxy:8080``)
is replaced by ``<user>:<password>`` and the result is marked as needing user input.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence

import attrs

from errsig.core.fixes.model import ConfSetting
from errsig.core.kb.placeholders import fill_placeholders
from errsig.core.pip.cli import Region, Word, parse_words, tokenize
from errsig.core.pip.credentials import CREDENTIAL_PLACEHOLDER, mask_captures, mask_credentials, mask_value
from errsig.core.pip.options import (
    PIP_COMMANDS,
    PipOption,
    find_long_prefix,
    find_option,
    normalize_conf_key,
    option_for_conf_key,
)

_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9_-]*>")
_PIP_EXE = re.compile(r"^pip(?:\d+(?:\.\d+)*)?(?:\.exe)?$", re.IGNORECASE)
_PYTHON_EXE = re.compile(
    r"^(?:python(?:\d+(?:\.\d+)*)?[dtmw]?|py|pypy(?:\d+(?:\.\d+)*)?)(?:\.exe)?$", re.IGNORECASE
)
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ">", ">>", "<", "2>", "2>&1", "1>", "&>", "(", ")"})
_PY_OPTS_WITH_VALUE = frozenset({"-X", "-W", "-c", "-Q"})
_WRAPPERS = frozenset({"sudo", "env", "time", "exec", "command", "nohup", "doas"})
_SUDO_OPTS_WITH_VALUE = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"})


def has_placeholders(text: str) -> bool:
    """Whether ``text`` still holds a placeholder such as ``<package>``."""
    return bool(_PLACEHOLDER.search(text))


def split_command(line: str) -> list[str]:
    """The words and operators of a command line, read by the same shell tokenizer as script
    invocations (:func:`errsig.core.pip.cli.tokenize`); a ``$ `` prompt is dropped and a
    Windows path keeps its backslashes."""
    s = line.strip()
    if s.startswith("$ "):
        s = s[2:]
    escape = "" if re.search(r"(?:^|\s)[A-Za-z]:\\", s) else "\\"
    return [t.value for t in tokenize(Region(0, s, escape=escape)) if t.value != "\n"]


@attrs.define(frozen=True)
class ParsedOption:
    """One option of a command line.

    ``name`` is the canonical name (``--timeout`` for ``--default-timeout``), or the name as
    written when pip does not know it (``spec`` is then ``None``). ``tokens`` are the option's
    tokens as written, unquoted (``('--default-timeout=120',)`` or ``('--retries', '5')``)."""

    name: str
    value: str | None
    tokens: tuple[str, ...]
    spec: PipOption | None = None

    def render(self) -> str:
        """The option as shell text, quoted where needed."""
        return " ".join(shlex.quote(t) for t in self.tokens)

    def with_value(self, value: str) -> ParsedOption:
        """The same option spelled the same way with another value."""
        if not self.tokens:
            return attrs.evolve(self, value=value)
        first = self.tokens[0]
        if len(self.tokens) == 1 and "=" in first and first.startswith("--"):
            tokens: tuple[str, ...] = (first.split("=", 1)[0] + "=" + value,)
        elif len(self.tokens) == 1 and not first.startswith("--") and len(first) > 2:
            tokens = (first[:2] + value,)
        elif len(self.tokens) >= 2:
            tokens = (first, value)
        else:
            tokens = (first, value)
        return attrs.evolve(self, value=value, tokens=tokens)


@attrs.define
class PipCommand:
    """A parsed ``pip`` invocation.

    ``tool`` is ``pip`` or ``uv`` (for ``uv pip …``). ``launcher`` holds the tokens before the
    subcommand that start pip (``('python3', '-m', 'pip')``); ``env`` the ``NAME=value``
    assignments in front of it. ``options`` are in command-line order, pip's general options
    written before the subcommand included. ``text`` is the line with placeholders filled
    and credentials masked; ``needs_input`` is true when it still holds placeholders."""

    tool: str
    launcher: tuple[str, ...]
    subcommand: str | None
    options: list[ParsedOption]
    args: list[str]
    env: dict[str, str] = attrs.field(factory=dict)
    text: str = ""
    masked: bool = False
    needs_input: bool = False

    def option(self, name: str) -> ParsedOption | None:
        """The last occurrence of the option with canonical ``name``."""
        for opt in reversed(self.options):
            if opt.name == name:
                return opt
        return None


def launcher_end(tokens: Sequence[str], i: int) -> tuple[str, int] | None:
    """If a pip launcher starts at ``tokens[i]``: (tool, index after it)."""
    if i >= len(tokens):
        return None
    base = re.split(r"[\\/]", tokens[i])[-1]
    if _PIP_EXE.match(base):
        return "pip", i + 1
    if base.lower() in ("uv", "uv.exe") and i + 1 < len(tokens) and tokens[i + 1] == "pip":
        return "uv", i + 2
    if _PYTHON_EXE.match(base):
        j = i + 1
        while j < len(tokens):
            t = tokens[j]
            if t == "-m":
                if j + 1 < len(tokens) and tokens[j + 1] == "pip":
                    return "pip", j + 2
                return None
            if t == "-mpip":
                return "pip", j + 1
            if t in _PY_OPTS_WITH_VALUE:
                if t == "-c":
                    return None
                j += 2
                continue
            if t.startswith("-") and len(t) > 1:
                j += 1
                continue
            return None
    return None


def skip_wrappers(tokens: Sequence[str]) -> tuple[int, dict[str, str]]:
    """Index of the first token after ``sudo``/``env``/``VAR=value`` prefixes, and the env."""
    env: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if _ENV_ASSIGN.match(t):
            name, _, value = t.partition("=")
            env[name] = value
            i += 1
            continue
        if t in _WRAPPERS:
            i += 1
            while i < len(tokens) and tokens[i].startswith("-") and tokens[i] != "--":
                takes = t == "sudo" and tokens[i] in _SUDO_OPTS_WITH_VALUE
                i += 2 if takes else 1
            continue
        if t == "--" and i > 0 and tokens[i - 1] in _WRAPPERS:
            i += 1
            continue
        break
    return i, env


def parse_options(tokens: Sequence[str], command: str | None) -> tuple[list[ParsedOption], list[str]]:
    """Options and positional arguments of pip ``command`` (``None``: general options only),
    read with pip's grammar (:func:`errsig.core.pip.cli.parse_words`)."""
    uses, args = parse_words([Word(t) for t in tokens], command)
    return [ParsedOption(u.name, u.value, u.words, u.spec) for u in uses], [a.value for a in args]


def parse_pip_command(line: str, captures: Mapping[str, str] | None = None) -> PipCommand | None:
    """Parse one command line if it runs pip (``pip``, ``pip3``, ``python -m pip``,
    ``py -3.12 -m pip``, ``uv pip`` …), after filling placeholders from ``captures``.

    Shell operators (``&&``, ``|``, ``>`` …) end the command. Returns ``None`` for other
    commands."""
    filled = fill_placeholders(line, mask_captures(captures or {}))
    text, masked = mask_credentials(filled.strip().removeprefix("$ "))
    masked = masked or CREDENTIAL_PLACEHOLDER in text
    tokens = split_command(text)
    for k, t in enumerate(tokens):
        if t in _SHELL_OPERATORS:
            tokens = tokens[:k]
            break
    start, env = skip_wrappers(tokens)
    found = launcher_end(tokens, start)
    if found is None:
        return None
    tool, i = found
    launcher = tuple(tokens[start:i])
    # general options may come before the subcommand
    j = i
    while j < len(tokens) and tokens[j].startswith("-"):
        t = tokens[j]
        if t.startswith("--"):
            spec = None if "=" in t else find_long_prefix(t, None)
        else:
            spec = find_option(t, None) if len(t) == 2 else None
        j += 2 if spec is not None and spec.takes_value else 1
    subcommand = tokens[j] if j < len(tokens) else None
    subcommand_known = subcommand is None or tool == "uv" or subcommand in PIP_COMMANDS
    before, _ = parse_options(tokens[i:j], None)
    after, args = parse_options(tokens[j + 1 :], subcommand if subcommand_known else None)
    options: list[ParsedOption] = []
    for opt in [*before, *after]:
        kept = opt
        if opt.value is not None:
            value, found_cred = mask_value(opt.spec, opt.value)
            if found_cred:
                masked = True
                kept = opt.with_value(value)
        options.append(kept)
    needs_input = masked or has_placeholders(text)
    return PipCommand(
        tool=tool,
        launcher=launcher,
        subcommand=subcommand,
        options=options,
        args=args,
        env=env,
        text=text,
        masked=masked,
        needs_input=needs_input,
    )


def is_relative_path(value: str) -> bool:
    """A local path that depends on the current directory (``./wheels``, ``certs/ca.pem``)."""
    v = value.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", v) or v.startswith(("/", "~", "\\", "$", "%", "<")):
        return False
    return not re.match(r"^[A-Za-z]:[\\/]", v)


def setting_for_option(opt: ParsedOption) -> ConfSetting | None:
    """The pip.conf setting equivalent to one command-line option, when it is a lasting
    setting (a relative path is not: pip.conf applies in every directory)."""
    spec = opt.spec
    if spec is None or not spec.persist or spec.removed_in:
        return None
    if spec.takes_value:
        if opt.value is None:
            return None
        if spec.value in ("path", "url") and is_relative_path(opt.value):
            return None
        return ConfSetting(spec.conf_section, spec.conf_key, opt.value)
    if spec.count:
        return None
    return ConfSetting(spec.conf_section, spec.conf_key, spec.conf_true)


def settings_from_command(cmd: PipCommand) -> list[ConfSetting]:
    """pip.conf settings equivalent to a parsed command's options and ``PIP_*`` assignments.

    ``pip config set <section>.<key> <value>`` gives that setting directly."""
    out: list[ConfSetting] = []
    for name, value in cmd.env.items():
        s = _setting_for_env(name, value)
        if s is not None:
            out.append(s)
    if cmd.tool == "pip" and cmd.subcommand == "config":
        rest = cmd.args
        if len(rest) >= 3 and rest[0] == "set" and "." in rest[1]:
            section, _, key = rest[1].partition(".")
            spec = option_for_conf_key(key, section)
            value, _ = mask_value(spec, rest[2])
            out.append(ConfSetting(section, spec.conf_key if spec else normalize_conf_key(key), value))
        return out
    for opt in cmd.options:
        s = setting_for_option(opt)
        if s is not None:
            out.append(s)
    return out


def _setting_for_env(name: str, value: str) -> ConfSetting | None:
    if not name.startswith("PIP_") or name in ("PIP_CONFIG_FILE", "PIP_REQUIRE_VIRTUALENV_HINT"):
        return None
    opt = option_for_conf_key(name[4:])
    if opt is None or not opt.persist:
        return None
    masked, _ = mask_value(opt, value)
    return ConfSetting(opt.conf_section, opt.conf_key, masked)


_ENV_LINE = (
    re.compile(r"^\s*(?:export\s+)?(?P<name>PIP_[A-Z0-9_]+)=(?P<value>.*)$"),
    re.compile(r"^\s*set\s+\"?(?P<name>PIP_[A-Z0-9_]+)=(?P<value>[^\"]*)\"?\s*$", re.IGNORECASE),
    re.compile(r"^\s*setx\s+(?P<name>PIP_[A-Z0-9_]+)\s+(?P<value>.+)$", re.IGNORECASE),
    re.compile(r"^\s*\$env:(?P<name>PIP_[A-Z0-9_]+)\s*=\s*(?P<value>.+)$", re.IGNORECASE),
)


def settings_from_line(
    line: str, captures: Mapping[str, str] | None = None
) -> tuple[list[ConfSetting], bool]:
    """pip.conf settings a workaround line amounts to, and whether they need user input.

    Understands pip invocations (their lasting options such as ``--default-timeout``),
    ``pip config set global.timeout 120``, and ``PIP_*`` variables set with ``export``,
    ``set``, ``setx`` or ``$env:``."""
    filled = fill_placeholders(line, mask_captures(captures or {}))
    for pattern in _ENV_LINE:
        m = pattern.match(filled.strip().removeprefix("$ "))
        if m and not re.search(r"\s(?:pip|python)", m.group("value")):
            words = split_command(m.group("value"))
            value = words[0] if words else ""
            s = _setting_for_env(m.group("name").upper(), value)
            if s is None:
                return [], False
            masked, found = mask_value(option_for_conf_key(s.key), value)
            return [s._replace(value=masked)], found or has_placeholders(masked)
    cmd = parse_pip_command(line, captures)
    if cmd is None:
        return [], False
    settings = settings_from_command(cmd)
    needs = any(has_placeholders(s.value) for s in settings)
    return settings, needs


def format_options(options: Sequence[ParsedOption]) -> str:
    """Options as shell text (``--default-timeout=120 --retries 5``)."""
    return " ".join(o.render() for o in options)
