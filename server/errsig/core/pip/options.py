"""pip's command-line options, as data.

For each option: its names (canonical long name first, then long aliases, then short
names), whether it takes a value, which pip commands accept it, its pip.conf key and
section, whether pip accepts it in a requirements file, and whether a fix that uses it
carries a risk. The table follows pip 26.x (``pip/_internal/cli/cmdoptions.py`` and
``req/req_file.py``); options that were removed are kept with ``removed_in`` so that old
workarounds and old requirements files can be recognised and explained.

pip.conf rules (``pip/_internal/configuration.py`` and ``cli/parser.py``):

* a key is a long option name without ``--``; any long alias works (``timeout`` and
  ``default-timeout`` both set ``--timeout``); keys are case-insensitive and ``_`` is ``-``;
* ``[global]`` applies to every command that has the option (others ignore it), a section
  named after a command (``[install]``) overrides ``[global]`` for that command; keys a
  command does not know are silently ignored;
* flags take a boolean (``yes``/``no``, ``true``/``false``, ``on``/``off``, ``1``/``0``,
  ``y``/``n``, ``t``/``f``); options that may be repeated take a whitespace-separated list;
* a *negative* flag (``--no-build-isolation``, ``--no-compile`` …) stores its value straight
  into the positive setting, so ``no-build-isolation = false`` is what turns isolation
  off (``inverted_conf``). ``--no-cache-dir`` is special: any valid boolean disables the cache.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import attrs

PIP_COMMANDS: tuple[str, ...] = (
    "install",
    "lock",
    "download",
    "uninstall",
    "freeze",
    "inspect",
    "list",
    "show",
    "check",
    "config",
    "search",
    "cache",
    "index",
    "wheel",
    "hash",
    "completion",
    "debug",
    "help",
)
"""pip's commands; each is also a valid pip.conf section name (besides ``global``)."""

CONF_SECTIONS: tuple[str, ...] = ("global", *PIP_COMMANDS)

ALL = frozenset(PIP_COMMANDS)
INDEX = frozenset({"download", "index", "install", "list", "lock", "wheel"})
BUILD = frozenset({"download", "install", "lock", "wheel"})
TARGET = frozenset({"debug", "download", "index", "install"})
INSTALL = frozenset({"install"})

PYPI_HOSTS = frozenset({"pypi.org", "www.pypi.org", "pypi.python.org", "files.pythonhosted.org"})
"""Hosts of the Python Package Index itself (an index URL elsewhere is a third party)."""

RISK_INDEX = "index"
RISK_TRUSTED_HOST = "trusted-host"
RISK_PROXY = "proxy"
RISK_CERT = "cert"
RISK_SYSTEM = "system-packages"


@attrs.define(frozen=True)
class PipOption:
    """One pip option.

    ``value`` describes what the option takes: ``None`` for a flag, else one of ``str``,
    ``url``, ``path``, ``int``, ``float``, ``choice``, ``host``, ``spec`` (a free-form
    argument checked by a callback). ``multiple`` options may be repeated (and take a
    whitespace-separated list in pip.conf). ``reqfile`` is ``"file"`` for an option pip
    accepts on its own line in a requirements file, ``"requirement"`` for one accepted after
    a requirement on the same line, ``None`` otherwise.

    ``persist``: a lasting setting that belongs in pip.conf when a workaround uses it.
    ``carry``: may be added to an existing ``pip install`` invocation as a workaround.
    ``safe``: a timeout/retries-kind or purely local, reversible setting that may back a
    *preferred* fix. ``risk`` names the risk class (see :func:`option_risk`).
    """

    names: tuple[str, ...]
    value: str | None
    commands: frozenset[str]
    reqfile: str | None = None
    multiple: bool = False
    persist: bool = False
    carry: bool = False
    safe: bool = False
    risk: str | None = None
    inverted_conf: bool = False
    count: bool = False
    choices: tuple[str, ...] = ()
    removed_in: str | None = None
    note: str = ""

    @property
    def name(self) -> str:
        """The canonical (first long) name, with ``--``."""
        return self.names[0]

    @property
    def takes_value(self) -> bool:
        return self.value is not None

    @property
    def long_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if n.startswith("--"))

    @property
    def short_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if not n.startswith("--"))

    @property
    def conf_key(self) -> str:
        """The canonical pip.conf key (``timeout`` for ``--timeout``/``--default-timeout``)."""
        return self.name[2:]

    @property
    def conf_keys(self) -> tuple[str, ...]:
        """Every key pip.conf accepts for this option (one per long name)."""
        return tuple(n[2:] for n in self.long_names)

    @property
    def conf_section(self) -> str:
        """Where a fix puts the key: ``global`` unless only one command has the option."""
        if len(self.commands) == 1:
            return next(iter(self.commands))
        return "global"

    @property
    def is_flag(self) -> bool:
        return self.value is None

    @property
    def conf_true(self) -> str:
        """The pip.conf value that has the same effect as passing the flag."""
        return "false" if self.inverted_conf else "true"


def _o(*names: str, value: str | None = None, commands: frozenset[str] = ALL, **kw: Any) -> PipOption:
    return PipOption(names=names, value=value, commands=commands, **kw)


OPTIONS: tuple[PipOption, ...] = (
    # ---- general options (every command) --------------------------------------------
    _o("--help", "-h"),
    _o("--debug"),
    _o("--isolated", note="ignores environment variables and user configuration"),
    _o("--require-virtualenv", "--require-venv"),
    _o("--python", value="path"),
    _o("--verbose", "-v", count=True),
    _o("--quiet", "-q", count=True),
    _o("--version", "-V", commands=frozenset(), note="top-level `pip --version` only"),
    _o("--log", "--log-file", "--local-log", value="path"),
    _o("--no-input"),
    _o(
        "--keyring-provider",
        value="choice",
        choices=("auto", "disabled", "import", "subprocess"),
        persist=True,
    ),
    _o(
        "--proxy",
        value="url",
        persist=True,
        carry=True,
        risk=RISK_PROXY,
        note="[user:passwd@]proxy.server:port",
    ),
    _o("--retries", value="int", persist=True, carry=True, safe=True),
    _o("--timeout", "--default-timeout", value="float", persist=True, carry=True, safe=True),
    _o("--resume-retries", value="int", persist=True, carry=True, safe=True),
    _o("--exists-action", value="choice", multiple=True, choices=("s", "i", "w", "b", "a")),
    _o(
        "--trusted-host",
        value="host",
        multiple=True,
        reqfile="file",
        persist=True,
        carry=True,
        risk=RISK_TRUSTED_HOST,
    ),
    _o("--cert", value="path", persist=True, carry=True, risk=RISK_CERT),
    _o("--client-cert", value="path", persist=True, carry=True),
    _o("--cache-dir", value="path", persist=True, carry=True),
    _o("--no-cache-dir", persist=True, carry=True, safe=True, note="any boolean value disables the cache"),
    _o("--disable-pip-version-check", persist=True, carry=True, safe=True),
    _o("--no-color", persist=True, carry=True, safe=True),
    _o("--no-python-version-warning", note="deprecated"),
    _o("--no-proxy-env", persist=True, carry=True),
    _o(
        "--use-feature",
        value="choice",
        multiple=True,
        reqfile="file",
        persist=True,
        carry=True,
        choices=(
            "fast-deps",
            "inprocess-build-deps",
            "venv-isolation",
            "truststore",
            "no-binary-enable-wheel-cache",
            "build-constraint",
        ),
        note="the choices change between pip versions",
    ),
    _o(
        "--use-deprecated",
        value="choice",
        multiple=True,
        persist=True,
        carry=True,
        choices=("legacy-resolver", "legacy-certs"),
        note="the choices change between pip versions",
    ),
    # ---- package index options ------------------------------------------------------
    _o(
        "--index-url",
        "--pypi-url",
        "-i",
        value="url",
        commands=INDEX,
        reqfile="file",
        persist=True,
        carry=True,
        risk=RISK_INDEX,
    ),
    _o(
        "--extra-index-url",
        value="url",
        commands=INDEX,
        reqfile="file",
        multiple=True,
        persist=True,
        carry=True,
        risk=RISK_INDEX,
    ),
    _o("--no-index", commands=INDEX, reqfile="file", carry=True),
    _o(
        "--find-links",
        "-f",
        value="url",
        commands=INDEX,
        reqfile="file",
        multiple=True,
        persist=True,
        carry=True,
        risk=RISK_INDEX,
    ),
    _o("--pre", commands=INDEX, reqfile="file", carry=True),
    _o("--prefer-binary", commands=INDEX, reqfile="file", persist=True, carry=True, safe=True),
    _o(
        "--only-binary",
        value="spec",
        commands=INDEX,
        reqfile="file",
        multiple=True,
        persist=True,
        carry=True,
        note=":all:, :none: or comma-separated names",
    ),
    _o(
        "--no-binary",
        value="spec",
        commands=INDEX,
        reqfile="file",
        multiple=True,
        persist=True,
        carry=True,
        note=":all:, :none: or comma-separated names",
    ),
    _o("--all-releases", value="spec", commands=INDEX, reqfile="file", multiple=True, carry=True),
    _o("--only-final", value="spec", commands=INDEX, reqfile="file", multiple=True, carry=True),
    _o("--uploaded-prior-to", value="spec", commands=INDEX, carry=True),
    _o("--refresh-package", value="str", commands=INDEX, multiple=True),
    _o("--ignore-requires-python", commands=frozenset({"download", "index", "install", "lock", "wheel"})),
    # ---- requirement inputs ---------------------------------------------------------
    _o(
        "--requirement",
        "-r",
        value="path",
        commands=BUILD | {"freeze", "uninstall"},
        reqfile="file",
        multiple=True,
    ),
    _o("--constraint", "-c", value="path", commands=BUILD, reqfile="file", multiple=True),
    _o(
        "--editable",
        "-e",
        value="url",
        commands=frozenset({"install", "lock", "wheel"}),
        reqfile="file",
        multiple=True,
    ),
    _o("--build-constraint", value="path", commands=BUILD, multiple=True),
    _o("--requirements-from-script", value="path", commands=BUILD, multiple=True),
    _o("--group", value="str", commands=BUILD, multiple=True),
    _o(
        "--hash",
        value="str",
        commands=frozenset(),
        reqfile="requirement",
        multiple=True,
        note="only after a requirement in a requirements file",
    ),
    _o(
        "--config-settings",
        "-C",
        value="spec",
        commands=frozenset({"install", "lock", "wheel"}),
        reqfile="requirement",
        multiple=True,
        carry=True,
        note="KEY=VALUE",
    ),
    _o("--require-hashes", commands=BUILD, reqfile="file"),
    _o("--no-require-hashes", commands=BUILD, reqfile="file"),
    # ---- building -------------------------------------------------------------------
    _o("--no-build-isolation", commands=BUILD, carry=True, inverted_conf=True),
    _o("--use-pep517", commands=BUILD, carry=True),
    _o("--check-build-dependencies", commands=BUILD, carry=True),
    _o("--no-clean", commands=BUILD),
    _o("--src", "--source", "--source-dir", "--source-directory", value="path", commands=BUILD),
    _o("--no-deps", "--no-dependencies", commands=BUILD),
    _o("--only-deps", "--only-dependencies", commands=BUILD),
    _o(
        "--progress-bar",
        value="choice",
        commands=BUILD,
        persist=True,
        carry=True,
        safe=True,
        choices=("auto", "on", "off", "raw"),
    ),
    # ---- target platform --------------------------------------------------------------
    _o("--platform", value="str", commands=TARGET, multiple=True),
    _o("--python-version", value="spec", commands=TARGET),
    _o("--implementation", value="str", commands=TARGET),
    _o("--abi", value="str", commands=TARGET, multiple=True),
    # ---- install ----------------------------------------------------------------------
    _o("--dry-run", commands=INSTALL),
    _o("--target", "-t", value="path", commands=INSTALL),
    _o("--user", commands=frozenset({"install", "config", "freeze", "inspect", "list"})),
    _o("--no-user", commands=INSTALL, inverted_conf=True),
    _o("--root", value="path", commands=INSTALL),
    _o("--prefix", value="path", commands=INSTALL),
    _o("--upgrade", "-U", commands=INSTALL),
    _o("--upgrade-strategy", value="choice", commands=INSTALL, choices=("only-if-needed", "eager")),
    _o("--force-reinstall", commands=INSTALL),
    _o("--ignore-installed", "-I", commands=INSTALL, risk=RISK_SYSTEM),
    _o("--compile", commands=INSTALL),
    _o("--no-compile", commands=INSTALL, inverted_conf=True),
    _o(
        "--no-warn-script-location", commands=INSTALL, inverted_conf=True, persist=True, carry=True, safe=True
    ),
    _o("--no-warn-conflicts", commands=INSTALL, inverted_conf=True),
    _o("--report", value="path", commands=INSTALL),
    _o(
        "--root-user-action",
        value="choice",
        commands=frozenset({"install", "uninstall"}),
        choices=("warn", "ignore"),
        persist=True,
        carry=True,
    ),
    _o("--break-system-packages", commands=frozenset({"install", "uninstall"}), carry=True, risk=RISK_SYSTEM),
    # ---- other commands ---------------------------------------------------------------
    _o(
        "--dest",
        "--destination-dir",
        "--destination-directory",
        "-d",
        value="path",
        commands=frozenset({"download"}),
    ),
    _o("--wheel-dir", "-w", value="path", commands=frozenset({"wheel"})),
    _o("--no-verify", commands=frozenset({"wheel"})),
    _o("--output", "-o", value="path", commands=frozenset({"lock"})),
    _o("--outdated", "-o", commands=frozenset({"list"})),
    _o("--uptodate", "-u", commands=frozenset({"list"})),
    _o("--editable", "-e", commands=frozenset({"list"}), note="list: only editable projects"),
    _o("--local", "-l", commands=frozenset({"freeze", "list"})),
    _o("--local", commands=frozenset({"inspect"})),
    _o("--path", value="path", commands=frozenset({"freeze", "inspect", "list"}), multiple=True),
    _o("--format", value="choice", commands=frozenset({"list"}), choices=("columns", "freeze", "json")),
    _o("--format", value="choice", commands=frozenset({"cache"}), choices=("human", "abspath")),
    _o("--not-required", commands=frozenset({"list"})),
    _o("--exclude-editable", commands=frozenset({"freeze", "list"})),
    _o("--include-editable", commands=frozenset({"list"})),
    _o("--exclude", value="str", commands=frozenset({"freeze", "list"}), multiple=True),
    _o("--all", commands=frozenset({"freeze"})),
    _o("--yes", "-y", commands=frozenset({"uninstall"})),
    _o("--files", "-f", commands=frozenset({"show"})),
    _o("--editor", value="str", commands=frozenset({"config"})),
    _o("--global", commands=frozenset({"config"})),
    _o("--site", commands=frozenset({"config"})),
    _o("--index", "-i", value="url", commands=frozenset({"search"})),
    _o(
        "--algorithm",
        "-a",
        value="choice",
        commands=frozenset({"hash"}),
        choices=("sha256", "sha384", "sha512"),
    ),
    _o("--json", commands=frozenset({"index"})),
    _o("--bash", "-b", commands=frozenset({"completion"})),
    _o("--zsh", "-z", commands=frozenset({"completion"})),
    _o("--fish", "-f", commands=frozenset({"completion"})),
    _o("--powershell", "-p", commands=frozenset({"completion"})),
    # ---- removed --------------------------------------------------------------------
    _o(
        "--global-option",
        value="str",
        commands=frozenset({"install", "wheel"}),
        reqfile="requirement",
        multiple=True,
        removed_in="25.3",
        note="use --config-settings",
    ),
    _o(
        "--build-option",
        value="str",
        commands=frozenset({"install", "wheel"}),
        multiple=True,
        removed_in="25.3",
        note="use --config-settings",
    ),
    _o(
        "--install-option",
        value="str",
        commands=INSTALL,
        reqfile="requirement",
        multiple=True,
        removed_in="23.1",
        note="use --config-settings",
    ),
    _o("--no-use-pep517", commands=BUILD, removed_in="25.3"),
)

_BY_NAME: dict[str, list[PipOption]] = {}
for _opt in OPTIONS:
    for _n in _opt.names:
        _BY_NAME.setdefault(_n, []).append(_opt)

REQFILE_OPTIONS: tuple[PipOption, ...] = tuple(o for o in OPTIONS if o.reqfile == "file" and not o.removed_in)
"""Options pip accepts on their own line in a requirements file."""
REQFILE_REQ_OPTIONS: tuple[PipOption, ...] = tuple(o for o in OPTIONS if o.reqfile == "requirement")
"""Options accepted after a requirement on its line (``--global-option`` only before pip 25.3)."""

NETWORK_ONLY_KEYS = frozenset({"timeout", "retries", "resume-retries", "proxy"})


def find_option(name: str, command: str | None = None) -> PipOption | None:
    """The option spelled ``name`` (``--timeout``, ``-i``; no ``=value``).

    With ``command``, an option of that command wins over a homonym of another command
    (``-f`` is ``--find-links`` for ``install`` but ``--files`` for ``show``). Removed
    options are found too (check ``removed_in``)."""
    found = _BY_NAME.get(name)
    if not found:
        return None
    if command is not None:
        for opt in found:
            if command in opt.commands:
                return opt
    for opt in found:
        if opt.commands & {"install", "download", "wheel"} or not opt.commands:
            return opt
    return found[0]


def find_long_prefix(name: str, command: str | None = None) -> PipOption | None:
    """Like optparse: a unique prefix of a long option name (``--retr`` is ``--retries``)."""
    exact = find_option(name, command)
    if exact is not None or not name.startswith("--"):
        return exact
    matches = {n for n in _BY_NAME if n.startswith(name) and n.startswith("--")}
    if command is not None:
        matches = {n for n in matches if any(command in o.commands for o in _BY_NAME[n])}
    if len(matches) == 1:
        return find_option(matches.pop(), command)
    return None


def normalize_conf_key(key: str) -> str:
    """pip's normalisation of a pip.conf key or ``PIP_*`` variable name."""
    return key.strip().lower().replace("_", "-").removeprefix("--")


def option_for_conf_key(key: str, section: str = "global") -> PipOption | None:
    """The option a pip.conf key sets in ``section``, or ``None`` when pip ignores the key.

    In ``[global]`` any command's option counts; in ``[install]`` only install's."""
    name = "--" + normalize_conf_key(key)
    found = [o for o in _BY_NAME.get(name, []) if not o.removed_in and o.commands]
    if section == "global":
        return found[0] if found else None
    for opt in found:
        if section in opt.commands:
            return opt
    return None


def removed_option_for_conf_key(key: str) -> PipOption | None:
    for opt in _BY_NAME.get("--" + normalize_conf_key(key), []):
        if opt.removed_in:
            return opt
    return None


def strtobool(value: str) -> bool:
    """pip's boolean parsing (``pip._internal.utils.misc.strtobool``)."""
    v = value.strip().lower()
    if v in ("y", "yes", "t", "true", "on", "1"):
        return True
    if v in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(f"invalid truth value {value!r}")


def url_host(value: str) -> str:
    """The host of a URL or of ``host[:port]`` (``[user:pw@]proxy:port`` for proxies)."""
    v = value.strip()
    if "://" not in v:
        v = "//" + v
    try:
        parts = urlsplit(v)
        return (parts.hostname or "").lower()
    except ValueError:
        return ""


def is_pypi(value: str) -> bool:
    return url_host(value) in PYPI_HOSTS and not value.strip().lower().startswith("http:")


def is_remote(value: str) -> bool:
    """Whether an index/find-links value is a network location (not a local path)."""
    return value.strip().lower().startswith(("http://", "https://", "ftp://"))


def option_risk(opt: PipOption, value: str | None = None) -> str | None:
    """What a fix using ``opt`` (with ``value``) does that the user should know, or ``None``."""
    if opt.risk == RISK_INDEX:
        if value is None:
            return "uses another package index"
        if opt.name == "--find-links" and not is_remote(value):
            return None
        if is_pypi(value):
            return None
        host = url_host(value) or value
        if value.strip().lower().startswith("http:"):
            return f"uses plain-HTTP package index {host}"
        return f"uses third-party package index {host}"
    if opt.risk == RISK_TRUSTED_HOST:
        return f"disables TLS certificate verification for {value or 'a host'}"
    if opt.risk == RISK_PROXY:
        host = url_host(value) if value else ""
        return f"sends pip's traffic through proxy {host or 'a proxy'}"
    if opt.risk == RISK_CERT:
        return "changes which certificate authorities pip trusts"
    if opt.risk == RISK_SYSTEM:
        return "lets pip change packages of the system Python"
    return None
