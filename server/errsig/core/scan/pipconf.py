"""Checking a pip configuration file (pip.conf / pip.ini) the way pip reads it.

pip parses the file with ``configparser.RawConfigParser`` (strict: a repeated section or
key is an error; no inline comments; ``#``/``;`` start comment lines; an indented line
continues the previous value), normalising keys (lower case, ``_`` is ``-``, a leading
``--`` dropped). Then, for a command, it applies ``[global]`` and the command's own
section: a key is any long option name of that command, others are silently ignored, and a
value pip cannot convert stops pip with an error.

:func:`check_pipconf` reports, with positions (0-based lines, columns in code points):
``outside-section``, ``malformed-line``, ``duplicate-section``, ``duplicate-key`` (errors:
pip refuses the file), ``unknown-section``, ``unknown-key``, ``option-removed``,
``alias-duplicate``, ``empty-value``, ``inline-comment``, ``inverted-flag`` (warnings: pip
ignores or misreads them), ``bad-value`` (error: pip stops), ``bom`` (error).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import attrs

from errsig.core.pip.options import (
    CONF_SECTIONS,
    PIP_COMMANDS,
    PipOption,
    find_option,
    normalize_conf_key,
    option_for_conf_key,
    removed_option_for_conf_key,
    strtobool,
)
from errsig.core.scan.requirements import SEVERITY_ERROR, SEVERITY_WARNING, Issue, physical_lines

__all__ = ["ConfEntry", "Issue", "check_pipconf", "parse_pipconf"]

_SECTION = re.compile(r"\[(?P<header>.+)\]")
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")
_PY_VERSION = re.compile(r"^\d+(?:\.\d+)*$")


@attrs.define
class ConfEntry:
    """A ``key = value`` of the file: where its key and value are, and its raw value lines."""

    section: str
    key: str
    raw_key: str
    line: int
    key_col: int
    key_end: int
    value_line: int
    value_col: int
    value_end: int
    values: list[tuple[int, int, str]] = attrs.field(factory=list)  # (line, col, text) per value line

    @property
    def value(self) -> str:
        return "\n".join(v for _, _, v in self.values).strip()


@attrs.define
class ParsedConf:
    sections: list[tuple[str, int, int, int]] = attrs.field(factory=list)  # name, line, col, end col
    entries: list[ConfEntry] = attrs.field(factory=list)
    issues: list[Issue] = attrs.field(factory=list)


def parse_pipconf(text: str) -> ParsedConf:
    """Parse like configparser, keeping positions; structural problems become issues."""
    out = ParsedConf()
    lines = physical_lines(text)
    current: str | None = None
    seen_sections: set[str] = set()
    seen_keys: dict[str, int] = {}
    entry: ConfEntry | None = None
    indent_level = 0
    for n, raw_line in enumerate(lines):
        line = raw_line
        if n == 0 and line.startswith("\ufeff"):
            out.issues.append(
                Issue(
                    0,
                    0,
                    0,
                    1,
                    "bom",
                    "the file starts with a byte-order mark; pip cannot read its first line",
                )
            )
            line = " " + line[1:]  # keep the columns; read the rest as pip would without the mark
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue
        if not stripped:
            if entry is None:
                indent_level = 1 << 30
            continue
        indent = len(line) - len(line.lstrip())
        if current is not None and entry is not None and indent > indent_level:
            entry.values.append((n, indent, line.rstrip()[indent:]))
            entry.value_end = len(line.rstrip())
            continue
        indent_level = indent
        entry = None
        m = _SECTION.match(stripped)
        if m:
            name = m.group("header")
            col = line.index("[")
            if name in seen_sections:
                out.issues.append(
                    Issue(
                        n,
                        col,
                        n,
                        col + len(name) + 2,
                        "duplicate-section",
                        f"section [{name}] appears twice; pip refuses the file",
                    )
                )
            seen_sections.add(name)
            current = name
            seen_keys = {}
            out.sections.append((name, n, col, col + len(name) + 2))
            continue
        if current is None:
            out.issues.append(
                Issue(
                    n,
                    indent,
                    n,
                    len(line.rstrip()),
                    "outside-section",
                    "text before the first [section]; pip refuses the file (start with [global])",
                )
            )
            continue
        mo = _OPTION.match(stripped)
        if mo is None or not mo.group("option").strip():
            out.issues.append(
                Issue(
                    n,
                    indent,
                    n,
                    len(line.rstrip()),
                    "malformed-line",
                    "not `key = value`; pip refuses the file",
                )
            )
            continue
        raw_key = mo.group("option").rstrip()
        key = normalize_conf_key(raw_key)
        value_col = indent + mo.start("value")
        entry = ConfEntry(
            current,
            key,
            raw_key,
            n,
            indent,
            indent + len(raw_key),
            n,
            value_col,
            len(line.rstrip()),
            [(n, value_col, mo.group("value"))],
        )
        if key in seen_keys:
            out.issues.append(
                Issue(
                    n,
                    indent,
                    n,
                    indent + len(raw_key),
                    "duplicate-key",
                    f"`{key}` is already set in [{current}] (line {seen_keys[key] + 1}); "
                    "pip refuses the file",
                )
            )
        seen_keys[key] = n
        out.entries.append(entry)
    return out


def _value_issue(e: ConfEntry, code: str, message: str, severity: str = SEVERITY_ERROR) -> Issue:
    return Issue(
        e.value_line,
        e.value_col,
        e.values[-1][0] if e.values else e.value_line,
        max(e.value_end, e.value_col),
        code,
        message,
        severity,
    )


def _key_issue(e: ConfEntry, code: str, message: str, severity: str = SEVERITY_WARNING) -> Issue:
    return Issue(e.line, e.key_col, e.line, e.key_end, code, message, severity)


_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9_-]*>")


def _usable_proxy(value: str) -> bool:
    """Whether pip can parse ``value`` as a proxy (it adds http:// when no scheme is given)."""
    try:
        parts = urlsplit(value if "://" in value else "http://" + value)
        _ = parts.port  # a port that is not a number: urllib3 raises, pip stops
    except ValueError:
        return False
    return bool(parts.hostname)


def _check_value(e: ConfEntry, spec: PipOption) -> list[Issue]:
    value = e.value
    if not value:
        return [_value_issue(e, "empty-value", f"`{e.key}` has no value; pip ignores it", SEVERITY_WARNING)]
    out: list[Issue] = []
    hole = _PLACEHOLDER.search(value)
    if hole:
        out.append(
            _value_issue(e, "bad-value", f"`{e.key}` still holds the placeholder {hole.group()}; fill it in")
        )
    elif spec.name == "--proxy" and not _usable_proxy(value):
        out.append(
            _value_issue(
                e, "bad-value", f"`{e.key}` is not a proxy URL pip can use (http://host:port); pip stops"
            )
        )
    if re.search(r"\s[#;]", value):
        out.append(
            _value_issue(
                e,
                "inline-comment",
                "pip does not strip comments after a value; put the comment on its own line",
                SEVERITY_WARNING,
            )
        )
    if spec.is_flag and spec.count:
        try:
            strtobool(value)
        except ValueError:
            if not value.isdigit():
                out.append(
                    _value_issue(
                        e,
                        "bad-value",
                        f"`{e.key}` takes a non-negative number or yes/no; pip stops on {value!r}",
                    )
                )
        return out
    if spec.is_flag:
        try:
            truth = strtobool(value)
        except ValueError:
            out.append(
                _value_issue(
                    e,
                    "bad-value",
                    f"`{e.key}` takes yes/no, true/false, on/off or 1/0; pip stops on {value!r}",
                )
            )
            return out
        if spec.name == "--no-cache-dir" and not truth:
            out.append(
                _value_issue(
                    e,
                    "inverted-flag",
                    f"pip disables its cache for any value of `{e.key}`, `{value}` included; "
                    "remove the line to keep the cache",
                    SEVERITY_WARNING,
                )
            )
        if spec.inverted_conf and truth:
            positive = "--" + spec.name[5:]
            out.append(
                _value_issue(
                    e,
                    "inverted-flag",
                    f"pip stores this value directly in {positive}: `{e.key} = {value}` leaves "
                    f"{positive[2:]} ON; write `{e.key} = false` to turn it off",
                    SEVERITY_WARNING,
                )
            )
        return out
    items = value.split() if spec.multiple else [value]
    if spec.value == "int":
        for v in items:
            try:
                int(v)
            except ValueError:
                out.append(
                    _value_issue(e, "bad-value", f"`{e.key}` takes a whole number; pip stops on {v!r}")
                )
    elif spec.value == "float":
        for v in items:
            try:
                float(v)
            except ValueError:
                out.append(
                    _value_issue(e, "bad-value", f"`{e.key}` takes a number of seconds; pip stops on {v!r}")
                )
    elif spec.value == "choice" and spec.choices:
        varies = "change between pip versions" in spec.note
        for v in items:
            if v not in spec.choices:
                out.append(
                    _value_issue(
                        e,
                        "bad-value",
                        f"`{e.key}` takes one of {', '.join(spec.choices)}; pip stops on {v!r}",
                        SEVERITY_WARNING if varies else SEVERITY_ERROR,
                    )
                )
    elif spec.name == "--python-version":
        if not _PY_VERSION.match(value):
            out.append(
                _value_issue(
                    e, "bad-value", f"`{e.key}` takes a version such as 3.12; pip stops on {value!r}"
                )
            )
    elif spec.name == "--config-settings":
        for v in items:
            if "=" not in v:
                out.append(_value_issue(e, "bad-value", f"`{e.key}` takes KEY=VALUE; pip stops on {v!r}"))
    return out


def check_pipconf(text: str) -> list[Issue]:
    """Problems pip has with a pip.conf/pip.ini text (see the module docstring for codes)."""
    parsed = parse_pipconf(text)
    issues = list(parsed.issues)
    for name, line, col, end in parsed.sections:
        if name not in CONF_SECTIONS:
            lower = name.strip().lower()
            hint = (
                f"; section names are case-sensitive: use [{lower}]"
                if lower in CONF_SECTIONS
                else "; pip reads [global] and the sections named after its commands "
                f"({', '.join(PIP_COMMANDS[:4])} …)"
            )
            issues.append(
                Issue(
                    line,
                    col,
                    line,
                    end,
                    "unknown-section",
                    f"pip ignores section [{name}]{hint}",
                    SEVERITY_WARNING,
                )
            )
    by_option: dict[tuple[str, str], ConfEntry] = {}
    for e in parsed.entries:
        if e.section not in CONF_SECTIONS:
            continue
        spec = option_for_conf_key(e.key, e.section)
        if spec is None:
            removed = removed_option_for_conf_key(e.key)
            elsewhere = option_for_conf_key(e.key, "global")
            if removed is not None:
                note = f"; {removed.note}" if removed.note else ""
                issues.append(
                    _key_issue(e, "option-removed", f"pip {removed.removed_in} removed {removed.name}{note}")
                )
            elif elsewhere is not None:
                issues.append(
                    _key_issue(
                        e,
                        "unknown-key",
                        f"pip {e.section} has no option {elsewhere.name}; pip ignores `{e.key}` here",
                    )
                )
            else:
                short = find_option("-" + e.key, "install") if len(e.key) == 1 else None
                hint = f"; pip.conf keys are long option names: use `{short.conf_key}`" if short else ""
                issues.append(
                    _key_issue(e, "unknown-key", f"pip has no option --{e.key}; pip ignores it{hint}")
                )
            continue
        issues.extend(_check_value(e, spec))
        ident = (e.section, spec.name)
        prior = by_option.get(ident)
        if prior is not None and prior.key != e.key:
            issues.append(
                _key_issue(
                    e,
                    "alias-duplicate",
                    f"`{prior.raw_key}` (line {prior.line + 1}) sets the same option {spec.name}; "
                    "the later one wins",
                )
            )
        by_option[ident] = e
    issues.sort(key=lambda i: (i.line, i.col))
    return issues
