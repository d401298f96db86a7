"""From a record's workarounds to concrete fixes for this machine and workspace.

:func:`fixes_for` reads a record's workarounds (best success rate first), fills their
placeholders from the finding's captures, and builds:

* ``pipconf`` fixes: the lasting settings of the workaround (``--default-timeout=120`` →
  ``timeout = 120``) merged into each pip configuration file pip would read (see
  :func:`errsig.core.fixes.pipconf.pip_config_targets`), one fix per file;
* ``requirements`` fixes: options a requirements file accepts (``--prefer-binary``,
  ``--only-binary``, ``--index-url`` …), a package swap (``psycopg2`` → ``psycopg2-binary``)
  or a version specifier, for each requirements file of the context;
* ``script`` fixes: the workaround's options added to every ``pip install`` of each script
  file of the context;
* ``command`` fixes: the filled-in commands, to run or copy.

Safety policy: only fixes made of timeout/retries-kind settings and purely local,
reversible ones (``--prefer-binary``, ``--no-cache-dir`` …; see ``PipOption.safe``) may be
``preferred``, at most one per kind. A fix that points pip at a third-party index, sets
``trusted-host`` (no TLS verification for that host), a proxy, a CA bundle, or
``--break-system-packages`` is never preferred and says so first in its title.
Credentials are never written: URL userinfo becomes ``<user>:<password>`` and the fix
``needs_input``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from errsig.core.fixes.commands import (
    ParsedOption,
    PipCommand,
    has_placeholders,
    parse_pip_command,
    settings_from_line,
)
from errsig.core.fixes.model import ConfSetting, FileEdit, Fix, TextEdit, apply_edits, diff_edits
from errsig.core.fixes.pipconf import (
    ConfTarget,
    PipConfError,
    merge_settings,
    pip_config_targets,
    read_conf_values,
)
from errsig.core.fixes.requirements_edit import (
    RequirementsEditError,
    add_option_line,
    lines_requiring,
    replace_package,
    set_specifier,
)
from errsig.core.fixes.scripts import add_options, script_kind
from errsig.core.kb.evidence import is_report
from errsig.core.kb.howto import commands_of
from errsig.core.kb.model import Record, Workaround
from errsig.core.kb.placeholders import fill_command, fill_placeholders
from errsig.core.pip.credentials import mask_captures, mask_credentials
from errsig.core.pip.options import (
    RISK_CERT,
    RISK_INDEX,
    RISK_PROXY,
    RISK_SYSTEM,
    RISK_TRUSTED_HOST,
    PipOption,
    option_for_conf_key,
    option_risk,
    url_host,
)
from errsig.core.scan.context import family_from_log, machine_os_family, package_near

_TOOLING = frozenset(
    {"pip", "setuptools", "wheel", "uv", "build", "virtualenv", "pipx", "poetry", "pdm", "hatch"}
)
_SWAP_WORDS = re.compile(
    r"\b(instead|replace|switch(?:ing)? to|use the binary|binary (?:package|wheel))\b", re.I
)
_INSTALLING = frozenset({"install", "download", "wheel", "lock"})
_REQFILE_SKIP = frozenset(
    {"--requirement", "--constraint", "--editable", "--require-hashes", "--no-require-hashes"}
)


# Bigger files are not edited (a pip.conf, requirements file or script is never this big).
MAX_EDIT_SIZE = 4 << 20


def read_for_edit(path: Path) -> str | None:
    """A regular file's text exactly as it is on disk (line ends kept: an edit computed on
    it must not turn CRLF into LF), or ``None`` when missing, not a regular file, too big
    or not UTF-8."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_EDIT_SIZE:
            return None
        with open(path, encoding="utf-8", newline="") as f:
            return f.read(MAX_EDIT_SIZE + 1)
    except (OSError, UnicodeDecodeError):
        return None


@attrs.define
class FixContext:
    """Where fixes apply.

    ``env`` is the environment pip runs with; ``platform`` is ``linux``, ``darwin`` or
    ``win32``; ``read_text`` returns a file's current text or ``None`` when it does not
    exist (an editor passes unsaved buffers); ``exists`` answers for directories too (it
    defaults to the file system). ``requirements_files`` and ``script_files`` are the files
    to consider for ``requirements`` and ``script`` fixes. ``log_lines`` and ``log_line`` are
    the log around the finding (the package a fix installs is taken from there when the
    match did not capture it, and the log says which system it ran on); ``os_family`` is
    this machine's (``debian``, ``fedora``, ``alpine``, ``arch``, ``suse``, ``darwin``,
    ``win32``); ``max_fixes`` caps the fixes of one finding."""

    env: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ))
    platform: str = "linux"
    workspace: Path | None = None
    read_text: Callable[[Path], str | None] = read_for_edit
    requirements_files: Sequence[Path] = ()
    script_files: Sequence[Path] = ()
    exists: Callable[[PurePath], bool] | None = None
    home: PurePath | None = None
    log_lines: Sequence[str] = ()
    log_line: int | None = None
    os_family: str | None = attrs.field(factory=machine_os_family)
    max_fixes: int = 5


@attrs.define
class _Plan:
    """What one workaround amounts to."""

    action: str
    commands: list[str]
    pip: list[PipCommand]
    settings: list[ConfSetting]
    settings_need_input: bool
    options: list[ParsedOption]
    needs_input: bool
    named: frozenset[str] = frozenset()  # packages the record's own text installs by name


def _plan(w: Workaround, raw_captures: Mapping[str, str]) -> _Plan:
    captures = mask_captures(raw_captures)
    lines = [fill_command(c, captures) for c in commands_of(w.how)]
    commands = []
    needs = False
    for line in lines:
        masked, found = mask_credentials(line)
        commands.append(masked)
        needs = needs or found or has_placeholders(masked)
    pip = [c for c in (parse_pip_command(ln, captures) for ln in lines) if c is not None]
    settings: list[ConfSetting] = []
    settings_need_input = False
    for ln in lines:
        found_settings, n = settings_from_line(ln, captures)
        settings_need_input = settings_need_input or n
        for s in found_settings:
            if s not in settings:
                settings.append(s)
    options: list[ParsedOption] = []
    seen: set[tuple[str, str | None]] = set()
    for cmd in pip:
        if cmd.subcommand not in _INSTALLING:
            continue
        for o in cmd.options:
            if o.spec is None or not o.spec.carry or o.spec.removed_in:
                continue
            if (o.name, o.value) not in seen:
                seen.add((o.name, o.value))
                options.append(o)
    literal = [c for c in (parse_pip_command(ln, {}) for ln in commands_of(w.how)) if c is not None]
    named = frozenset(canonicalize_name(r.name) for r in _requirement_args(literal)) - _TOOLING
    action = fill_placeholders(w.action, captures)
    return _Plan(action, commands, pip, settings, settings_need_input, options, needs, named)


# ---------------------------------------------------------------------------------------
# Risk wording.


def _risk_phrase(spec: PipOption, value: str | None) -> str | None:
    """A title prefix for a risky option, or ``None`` when it carries no risk."""
    if option_risk(spec, value) is None:
        return None
    host = url_host(value) if value else ""
    if spec.risk == RISK_INDEX:
        if spec.name == "--index-url":
            return f"Use third-party mirror {host or value}"
        if spec.name == "--extra-index-url":
            return f"Add third-party index {host or value}"
        return f"Fetch packages from {host or value}"
    if spec.risk == RISK_TRUSTED_HOST:
        return f"Disable TLS verification for {value}"
    if spec.risk == RISK_PROXY:
        return f"Send pip traffic through proxy {host or value}"
    if spec.risk == RISK_CERT:
        return "Change the certificate authorities pip trusts"
    if spec.risk == RISK_SYSTEM:
        return "Let pip modify the system Python's packages"
    return None


def _risks(items: Sequence[tuple[PipOption | None, str | None]]) -> tuple[list[str], list[str]]:
    """(title phrases, risk descriptions) of option/value pairs."""
    phrases: list[str] = []
    risks: list[str] = []
    for spec, value in items:
        if spec is None:
            continue
        risk = option_risk(spec, value)
        phrase = _risk_phrase(spec, value)
        if risk and risk not in risks:
            risks.append(risk)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases, risks


def _titled(base: str, phrases: list[str]) -> str:
    if not phrases:
        return base
    joined = (
        phrases[0]
        if len(phrases) == 1
        else ", ".join(phrases[:-1]) + " and " + phrases[-1][0].lower() + (phrases[-1][1:])
    )
    return f"{joined} (not preferred): {base[0].lower()}{base[1:]}"


def _safe(specs: Sequence[PipOption | None]) -> bool:
    return bool(specs) and all(s is not None and s.safe and s.risk is None for s in specs)


def _display(path: Path, ctx: FixContext) -> str:
    if ctx.workspace is not None:
        try:
            return path.relative_to(ctx.workspace).as_posix()
        except ValueError:
            pass
    return str(path)


# ---------------------------------------------------------------------------------------
# Fix builders.


def _env_override(ctx: FixContext, setting: ConfSetting) -> str | None:
    spec = option_for_conf_key(setting.key, setting.section)
    keys = spec.conf_keys if spec else (setting.key,)
    for key in keys:
        name = "PIP_" + key.upper().replace("-", "_")
        if name in ctx.env and ctx.env[name].strip() != setting.value:
            return name
    return None


def _shadowing_file(ctx: FixContext, higher: Sequence[ConfTarget], setting: ConfSetting) -> PurePath | None:
    for t in higher:
        text = ctx.read_text(Path(str(t.path)))
        if text is None:
            continue
        values = read_conf_values(text, setting.key)
        for section in ("global", "install"):
            if section in values and values[section] != setting.value:
                return t.path
    return None


_RAISE_ONLY = frozenset({"timeout", "default-timeout", "retries", "resume-retries"})


def _already_higher(text: str | None, setting: ConfSetting) -> bool:
    """Whether the file already has at least this much of a timeout or retry count: a fix
    never lowers one (two workarounds wanting 120 and 60 would otherwise flip it)."""
    if text is None or setting.key not in _RAISE_ONLY:
        return False
    try:
        want = float(setting.value)
    except ValueError:
        return False
    for value in read_conf_values(text, setting.key).values():
        try:
            if float(value) >= want:
                return True
        except ValueError:
            continue
    return False


def _pipconf_fixes(plan: _Plan, ctx: FixContext) -> list[Fix]:
    if not plan.settings:
        return []
    exists = ctx.exists or (lambda p: Path(str(p)).exists() or ctx.read_text(Path(str(p))) is not None)
    targets = pip_config_targets(ctx.env, ctx.platform, exists=exists, home=ctx.home, workspace=ctx.workspace)
    specs = [option_for_conf_key(s.key, s.section) for s in plan.settings]
    phrases, risks = _risks([(sp, s.value) for sp, s in zip(specs, plan.settings, strict=True)])
    out: list[Fix] = []
    for i, target in enumerate(targets):
        path = Path(str(target.path))
        text = ctx.read_text(path)
        if text is None and exists(target.path):
            continue  # there but unreadable or too big: never replaced
        wanted = [st for st in plan.settings if not _already_higher(text, st)]
        if not wanted:
            continue
        try:
            merged = merge_settings(text, wanted)
        except PipConfError:
            continue
        if not merged.edits:
            continue
        shown = ", ".join(f"{s.key} = {s.value}" for s in merged.changed)
        base = f"Set {shown} in {path}"
        notes = []
        for s in merged.changed:
            env_name = _env_override(ctx, s)
            if env_name:
                notes.append(f"{env_name} in the environment overrides {s.key}")
                continue
            shadow = _shadowing_file(ctx, targets[:i], s)
            if shadow is not None:
                notes.append(f"{shadow} overrides {s.key}")
        if notes:
            base += f" ({'; '.join(notes)})"
        needs = merged.needs_input or plan.settings_need_input
        preferred = _safe(specs) and not risks and not needs and not notes
        out.append(
            Fix(
                title=_titled(base, phrases),
                kind="pipconf",
                preferred=preferred,
                edits=[FileEdit(path, text is None, merged.edits, merged.text)],
                command=None,
                needs_input=needs,
                risk="; ".join(risks) or None,
            )
        )
    return out


def _requirements_fixes(plan: _Plan, captures: Mapping[str, str], ctx: FixContext) -> list[Fix]:
    out: list[Fix] = []
    opts = [
        o
        for o in plan.options
        if o.spec is not None and o.spec.reqfile == "file" and o.name not in _REQFILE_SKIP
    ]
    swap = _package_swap(plan, captures)
    pins = _specifiers(plan, captures)
    for path in ctx.requirements_files:
        text = ctx.read_text(path)
        if text is None:
            continue
        shown = _display(path, ctx)
        if opts:
            edits: list[TextEdit] = []
            current = text
            added: list[ParsedOption] = []
            for o in opts:
                try:
                    e = add_option_line(current, o.name, o.value)
                except RequirementsEditError:
                    continue
                if e:
                    current = apply_edits(current, e)
                    added.append(o)
            if added:
                edits = diff_edits(text, current)
                phrases, risks = _risks([(o.spec, o.value) for o in added])
                needs = any(o.value is not None and has_placeholders(o.value) for o in added)
                words = " ".join(_option_text(o) for o in added)
                out.append(
                    Fix(
                        title=_titled(f"Add {words} to {shown}", phrases),
                        kind="requirements",
                        preferred=_safe([o.spec for o in added]) and not needs,
                        edits=[FileEdit(path, False, edits, current)],
                        needs_input=needs,
                        risk="; ".join(risks) or None,
                    )
                )
        if swap is not None and lines_requiring(text, swap[0]):
            e = replace_package(text, swap[0], swap[1])
            if e:
                out.append(
                    Fix(
                        title=f"Replace {swap[0]} with {swap[1]} in {shown}",
                        kind="requirements",
                        preferred=False,
                        edits=[FileEdit(path, False, e, apply_edits(text, e))],
                    )
                )
        for name, spec in pins:
            try:
                e = set_specifier(text, name, spec)
            except RequirementsEditError:
                continue
            if e:
                out.append(
                    Fix(
                        title=f"Require {name}{spec} in {shown}",
                        kind="requirements",
                        preferred=False,
                        edits=[FileEdit(path, False, e, apply_edits(text, e))],
                    )
                )
    return out


def _option_text(o: ParsedOption) -> str:
    return o.name if o.value is None else f"{o.name} {o.value}"


def _requirement_args(pip: Sequence[PipCommand]) -> list[Requirement]:
    reqs = []
    for cmd in pip:
        if cmd.subcommand != "install":
            continue
        for a in cmd.args:
            if has_placeholders(a) or a.startswith("-") or "/" in a or "\\" in a:
                continue
            try:
                reqs.append(Requirement(a))
            except InvalidRequirement:
                continue
    return reqs


def _package_swap(plan: _Plan, captures: Mapping[str, str]) -> tuple[str, str] | None:
    """``(old, new)`` when the workaround installs another package in place of the captured one."""
    old = captures.get("package")
    if not old:
        return None
    want = canonicalize_name(old)
    names = [r.name for r in _requirement_args(plan.pip) if canonicalize_name(r.name) not in _TOOLING]
    if len(names) != 1 or canonicalize_name(names[0]) == want:
        return None
    new = names[0]
    if want in canonicalize_name(new) or _SWAP_WORDS.search(plan.action):
        return old, new
    return None


def _specifiers(plan: _Plan, captures: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(name, specifier)`` for requirements the workaround installs with a version constraint."""
    out = []
    for r in _requirement_args(plan.pip):
        if r.specifier and not r.url and canonicalize_name(r.name) not in _TOOLING:
            out.append((r.name, str(r.specifier)))
    return out


def _script_fixes(plan: _Plan, ctx: FixContext) -> list[Fix]:
    if not plan.options:
        return []
    out: list[Fix] = []
    for path in ctx.script_files:
        text = ctx.read_text(path)
        if text is None:
            continue
        kind = script_kind(path, text)
        if kind is None:
            continue
        result = add_options(text, kind, plan.options)
        if not result.edits:
            continue
        words = " ".join(o.render() for o in plan.options)
        where = f" ({result.invocations} places)" if result.invocations > 1 else ""
        phrases, risks = _risks([(o.spec, o.value) for o in plan.options])
        needs = any(o.value is not None and has_placeholders(o.value) for o in plan.options)
        out.append(
            Fix(
                title=_titled(f"Add {words} to pip install in {_display(path, ctx)}{where}", phrases),
                kind="script",
                preferred=_safe([o.spec for o in plan.options]) and not needs,
                edits=[FileEdit(path, False, result.edits, apply_edits(text, result.edits))],
                needs_input=needs,
                risk="; ".join(risks) or None,
            )
        )
    return out


def _command_fix(plan: _Plan, step: str | None = None) -> Fix | None:
    if not plan.commands:
        return None
    items: list[tuple[PipOption | None, str | None]] = []
    for cmd in plan.pip:
        items.extend((o.spec, o.value) for o in cmd.options)
    for s in plan.settings:
        items.append((option_for_conf_key(s.key, s.section), s.value))
    phrases, risks = _risks(items)
    if step is not None and not risks:  # what pip's options say is more precise when they say it
        phrases, risks = [_STEP_PHRASES[step]], [step]
    action = mask_credentials(plan.action)[0]
    return Fix(
        title=_titled(action, phrases),
        kind="command",
        preferred=False,
        edits=[],
        command=" && ".join(plan.commands),
        needs_input=plan.needs_input,
        risk="; ".join(risks) or None,
    )


# Programs that install system packages (or only exist on one system), by family.
_SYSTEM_TOOLS = {
    "apt-get": "debian",
    "apt": "debian",
    "dpkg": "debian",
    "dnf": "fedora",
    "yum": "fedora",
    "apk": "alpine",
    "pacman": "arch",
    "zypper": "suse",
    "brew": "darwin",
    "port": "darwin",
    "xcode-select": "darwin",
    "softwareupdate": "darwin",
    "choco": "win32",
    "winget": "win32",
    "scoop": "win32",
    "setx": "win32",
    "tasklist": "win32",
    "taskkill": "win32",
    "reg": "win32",
}
_WINDOWS_PROGRAM = re.compile(r"[A-Za-z]:\\|\.venv\\|\$env:|[A-Za-z]+-[A-Z][A-Za-z]+$")
# Options of recent pip releases (pip's NEWS.rst): 25.1 added --resume-retries.
_RECENT_OPTIONS = frozenset({"--resume-retries"})
_INDEX_CATEGORIES = frozenset(
    {"network_error", "resolution_error", "auth_error", "dependency_conflict", "version_mismatch"}
)
_PROXY_WORDS = re.compile(r"proxy", re.I)
_ALL = ":all:"


def _families(plan: _Plan) -> set[str]:
    """The systems a workaround's commands are written for (empty: any)."""
    out: set[str] = set()
    for line in plan.commands:
        words = line.split()
        while words and (words[0] in ("sudo", "doas") or re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[0])):
            words = words[1:]
        if not words:
            continue
        family = _SYSTEM_TOOLS.get(words[0])
        if family is None and _WINDOWS_PROGRAM.match(words[0]):
            family = "win32"
        if family:
            out.add(family)
    return out


def _log_family(ctx: FixContext) -> str | None:
    if ctx.log_lines:
        family = family_from_log(ctx.log_lines)
        if family:
            return family
    if ctx.platform in ("darwin", "win32"):
        return ctx.platform
    return ctx.os_family


def _plan_risks(plan: _Plan) -> set[str]:
    out: set[str] = set()
    for cmd in plan.pip:
        for o in cmd.options:
            if o.spec is not None and option_risk(o.spec, o.value):
                out.add(o.spec.risk or "")
    for st in plan.settings:
        spec = option_for_conf_key(st.key, st.section)
        if spec is not None and option_risk(spec, st.value):
            out.add(spec.risk or "")
    return out


@attrs.define
class _LogFacts:
    """What the log around a finding says, read once per finding (not per workaround)."""

    family: str | None
    tools: frozenset[str]  # the front ends (poetry, conda …) the log mentions
    proxy: bool


def _log_facts(record: Record, ctx: FixContext) -> _LogFacts:
    lines = [ln[:4096] for ln in ctx.log_lines[:5000]]
    tools = frozenset(t for t, pattern in _TOOLS.items() if any(pattern.search(ln) for ln in lines))
    return _LogFacts(_log_family(ctx), tools, _mentions_proxy(record, ctx))


def _fits(
    record: Record, plan: _Plan, captures: Mapping[str, str], ctx: FixContext, facts: _LogFacts
) -> bool:
    """Whether a workaround applies to this log: its system, its tool, its package, its condition."""
    families = _families(plan)
    if families and facts.family is not None and facts.family not in families:
        return False
    if ctx.log_lines and not _tools_fit(plan, facts.tools):
        return False
    risks = _plan_risks(plan)
    if RISK_INDEX in risks:
        if plan.named:
            # An index for named packages (PyTorch's wheels) helps only when the log or
            # the record is about one of them.
            package = captures.get("package")
            about = {canonicalize_name(record.domain)} | ({canonicalize_name(package)} if package else set())
            if not plan.named & about:
                return False
        elif record.category not in _INDEX_CATEGORIES:
            # Another index answers an index that cannot be reached or lacks the version,
            # nothing else (not a full disk, not a compiler error).
            return False
    return not (RISK_PROXY in risks and not facts.proxy)


# Front ends whose steps only help when the log came from them.
_TOOLS = {
    "poetry": re.compile(r"\bpoetry\b", re.I),
    "pipenv": re.compile(r"\bpipenv\b", re.I),
    "conda": re.compile(r"\b(?:conda|mamba|micromamba)\b", re.I),
    "mamba": re.compile(r"\b(?:conda|mamba|micromamba)\b", re.I),
    "uv": re.compile(r"\buv\b"),
    "uvx": re.compile(r"\buv\b"),
}


def _tools_fit(plan: _Plan, seen: frozenset[str]) -> bool:
    """A Poetry, Pipenv, conda or uv step is offered for a log only when that tool shows in it."""
    for line in plan.commands:
        words = line.split()
        if words and words[0] in _TOOLS and words[0] not in seen:
            return False
    return True


def _mentions_proxy(record: Record, ctx: FixContext) -> bool:
    if "proxy" in record.id:
        return True
    if any(k.lower() in ("http_proxy", "https_proxy") for k in ctx.env):
        return True
    return any(_PROXY_WORDS.search(ln[:4096]) for ln in ctx.log_lines[:5000])


def _local_only(plan: _Plan) -> _Plan:
    """The plan without what must never be written into a file for everything pip does:
    ``:all:`` binary rules, and an index meant for the packages one command installs
    (``pip install torch --index-url …``, or an index that is no PyPI mirror such as
    PyTorch's ``/whl/cu121``; kept in the command). A mirror (``…/simple``) or an index
    given with ``-r requirements.txt`` is for everything and may go into a file."""
    named = bool(plan.named) or any(
        cmd.subcommand in _INSTALLING
        and cmd.args
        and any(
            o.spec is not None
            and o.spec.risk == RISK_INDEX
            and not (o.value or "").rstrip("/").endswith("/simple")
            for o in cmd.options
        )
        for cmd in plan.pip
    )

    def keep(spec: PipOption | None, value: str | None) -> bool:
        if value is not None and value.strip() == _ALL:
            return False
        return not (named and spec is not None and spec.risk == RISK_INDEX)

    # An option an older pip does not know breaks the command line it is added to (pip
    # ignores unknown keys in pip.conf): edits to scripts and requirements leave it out.
    return attrs.evolve(
        plan,
        options=[o for o in plan.options if keep(o.spec, o.value) and o.name not in _RECENT_OPTIONS],
        settings=[st for st in plan.settings if keep(option_for_conf_key(st.key, st.section), st.value)],
    )


def _outside(fix: Fix, ctx: FixContext) -> bool:
    """Whether the fix edits a file outside the workspace (the user's pip.conf)."""
    if ctx.workspace is None:
        return any(fe for fe in fix.edits)
    for fe in fix.edits:
        try:
            Path(fe.path).relative_to(ctx.workspace)
        except ValueError:
            return True
    return False


def with_log_package(captures: Mapping[str, str], ctx: FixContext) -> dict[str, str]:
    """``captures`` plus the package pip was working on, from the log, when not captured."""
    out = dict(captures)
    if not out.get("package") and ctx.log_line is not None:
        found = package_near(ctx.log_lines, ctx.log_line)
        if found:
            out["package"] = found
    return out


def fixes_for(record: Record, captures: Mapping[str, str], ctx: FixContext) -> list[Fix]:
    """The fixes for a finding of ``record`` with ``captures``, safest first.

    Only workarounds that fit this log (its system, its package, the condition a mirror or
    proxy addresses; see :func:`_fits`) are offered. Order: edits inside the project that
    weaken nothing; then changes to files outside the project (the user's pip.conf) and
    commands; fixes that still need a value from the user; risky ones (another index, a
    proxy, TLS, system packages) last; the record's order within each group. An edit never
    holds a placeholder: such a fix is offered as a command to complete. At most one fix is
    ``preferred``: the first safe, complete edit inside the project. At most
    ``ctx.max_fixes`` fixes are returned."""
    captures = mask_captures(with_log_package(captures, ctx))
    facts = _log_facts(record, ctx)
    ranked: list[tuple[tuple[bool, bool, bool, int], Fix]] = []
    seen: set[tuple[str, str]] = set()
    n = 0
    for w in record.workarounds:
        plan = _plan(w, captures)
        if not _fits(record, plan, captures, ctx, facts):
            continue
        local = _local_only(plan)
        built = [
            *_pipconf_fixes(local, ctx),
            *_requirements_fixes(local, captures, ctx),
            *_script_fixes(local, ctx),
        ]
        built = [f for f in built if not f.needs_input]
        step = step_risk(w)
        for f in built:  # an edit from a step that is risky in its words is risky too
            if step is not None and f.risk is None:
                f.risk, f.title, f.preferred = step, _titled(f.title, [_STEP_PHRASES[step]]), False
        cmd = _command_fix(plan, step)
        if cmd is not None:
            built.append(cmd)
        for f in built:
            f.source = w.action
            key = (f.kind, f.title if f.kind != "command" else f.command or f.title)
            if key in seen:
                continue
            seen.add(key)
            outside = f.kind == "command" or _outside(f, ctx)
            ranked.append(((bool(f.risk), f.needs_input, outside, n), f))
            n += 1
    ranked.sort(key=lambda kf: kf[0])
    fixes = [f for _, f in ranked][: max(1, ctx.max_fixes)]
    chosen = False
    for (risky, needs, outside, _), f in ranked[: len(fixes)]:
        f.preferred = f.preferred and not chosen and not (risky or needs or outside)
        chosen = chosen or f.preferred
    return fixes


# Steps that send a tool's downloads elsewhere through the environment or its own config: a
# third-party model or package mirror, a proxy, a registry. Risky like pip's --index-url.
_ELSEWHERE = re.compile(
    r"(?i)(?:\b(?:export|set|setx)\s+|\$env:)(?:HF_ENDPOINT|PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|"
    r"PIP_TRUSTED_HOST|PIP_PROXY|HTTPS?_PROXY|ALL_PROXY|NPM_CONFIG_REGISTRY|YARN_REGISTRY|"
    r"UV_INDEX_URL|UV_DEFAULT_INDEX|UV_EXTRA_INDEX_URL|GOPROXY)\b|"
    r"\b(?:npm|yarn|pnpm) config set (?:registry|proxy|https-proxy)\b|"
    r"\bgit config (?:--global )?https?\.proxy\b"
)

# Steps that switch certificate checks off for a tool: whatever they fix, they also let anyone
# on the network answer in the real server's place. Risky like pip's --trusted-host.
_WEAK_TLS = re.compile(
    r"(?i)\bhttp\.sslVerify\s*=?\s*false\b|\bGIT_SSL_NO_VERIFY\b|"
    r"\bstrict-ssl\s*=?\s*false\b|\bNODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['\"]?0|"
    r"\bcurl\b[^\n;|&]*\s(?:-k|--insecure)\b|--no-check-certificate\b|"
    r"\bPYTHONHTTPSVERIFY\s*=\s*['\"]?0|\bverify\s*=\s*False\b|\bssl_verify\s+(?:false|no)\b|"
    r"\b(?:CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|SSL_CERT_FILE)\s*=\s*(?:''|\"\")(?:\s|$)|"
    r"\bInsecureSkipVerify\b|\binsecure-registries\b|--tls-verify=false\b|--disable-tls\b"
)

# Setting a tool back to its own service is not sending it elsewhere.
_OFFICIAL = re.compile(
    r"https://(?:registry\.npmjs\.org|registry\.yarnpkg\.com|pypi\.org|huggingface\.co|proxy\.golang\.org)/?(?:\s|$)"
)


# Steps that weaken who may do what: a privileged container, an older password scheme or
# password-less logins for a database account, files anyone may write, mandatory access
# control or a firewall switched off.
_WEAK_ACCESS = re.compile(
    r"(?i)--privileged\b|--cap-add[= ](?:ALL|SYS_ADMIN)\b|"
    r"--security-opt[= ](?:seccomp|apparmor)[=:]unconfined|"
    r"\bmysql_native_password\b|(?m:^\s*host(?:ssl|nossl)?\s+\S+\s+\S+\s+\S+\s+trust\b)|\bMETHOD\s+trust\b|"
    r"\bchmod\s+(?:-R\s+)?(?:0?777|a\+w|o\+w)\b|\bsetenforce\s+0\b|\bSELINUX=disabled\b|"
    r"\bPermitRootLogin\s+yes\b|\bufw\s+disable\b|\bxhost\s+\+"
)

# Steps that delete what cannot be had back: a database or its volume, commits or changes
# not pushed anywhere. In commands, or in the words of the step itself.
_DESTROYS = re.compile(
    r"(?i)\bgit\s+reset\s+--hard\b|\bgit\s+clean\s+-[a-z]*f|\bgit\s+push\s+(?:-f|--force)\b|"
    r"\bdocker[- ]compose\s+down\s+(?:-v|--volumes)\b|\bdocker\s+volume\s+(?:rm|prune)\b|"
    r"\bdocker\s+system\s+prune\b[^\n]*--volumes|\bDROP\s+(?:DATABASE|SCHEMA|TABLE)\b|\bdropdb\b|"
    r"\bmigrate\s+reset\b|--force-reset\b|\bdb:(?:drop|reset)\b|\bmanage\.py\s+flush\b|"
    r"\bterraform\s+destroy\b|\bkubectl\s+delete\s+(?:pvc|pv|persistentvolumeclaims?|namespace)\b|"
    r"\b(?:remove|delete|drop|wipe)s?\b[^.;\n]{0,60}\bdata\s+volumes?\b|\bre-?initiali[sz]e\b[^.;\n]{0,40}\bvolume\b|"
    r"\b(?:throw away|discard)s?\b[^.;\n]{0,40}\b(?:local|uncommitted|unpushed|commits?|changes)\b"
)

RISK_ELSEWHERE = (
    "downloads from a server you did not choose (mirror, registry or proxy) or with certificate checks off"
)
RISK_ACCESS = "weakens access control (a privileged container, weaker or no passwords, open permissions)"
RISK_DATA = "deletes data or local work that cannot be recovered"


def step_risk(w: Workaround) -> str | None:
    """What a workaround's commands or words put at risk, found in its text alone (pip's own
    options are judged by :func:`option_risk`): one of the RISK_* descriptions, or None."""
    if any(_ELSEWHERE.search(line) and not _OFFICIAL.search(line) for line in w.how.splitlines()):
        return RISK_ELSEWHERE
    if _WEAK_TLS.search(w.how):
        return RISK_ELSEWHERE
    words = "\n".join((w.action, w.how, w.condition))
    if _DESTROYS.search(words):
        return RISK_DATA
    if _WEAK_ACCESS.search(words):
        return RISK_ACCESS
    return None


_STEP_PHRASES = {
    RISK_ELSEWHERE: "Use another server or weaker certificate checks",
    RISK_ACCESS: "Weaken access control",
    RISK_DATA: "Delete data or local work",
}


def is_risky(w: Workaround, captures: Mapping[str, str] | None = None) -> bool:
    """Whether a workaround points pip at a third-party index, a proxy, or weakens TLS; sends
    another tool's downloads to a mirror, registry or proxy through its settings; weakens
    access control; or deletes data or local work (:func:`step_risk`)."""
    if step_risk(w) is not None:
        return True
    plan = _plan(w, captures or {})
    for cmd in plan.pip:
        for o in cmd.options:
            if o.spec is not None and option_risk(o.spec, o.value):
                return True
    for s in plan.settings:
        spec = option_for_conf_key(s.key, s.section)
        if spec is not None and option_risk(spec, s.value):
            return True
    return False


def safest_first(record: Record, captures: Mapping[str, str] | None = None) -> list[Workaround]:
    """Workarounds in the record's order, the risky ones (mirrors, proxies, TLS) after the rest,
    those backed by more public reports first within each group."""

    def key(w: Workaround) -> tuple[bool, int]:
        return is_risky(w, captures), -sum(1 for s in w.sources if is_report(s))

    return sorted(record.workarounds, key=key)
