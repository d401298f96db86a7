"""Placeholders in record text (``<package>``, ``<version>``, ``<host>``, ``<path>``),
filled from a match's named groups."""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"<([a-z][a-z_-]*)>")
_ALIASES = {"package-name": "package", "pkg": "package", "package_name": "package", "module": "package"}


def fill_placeholders(text: str, captures: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        key = _ALIASES.get(m.group(1), m.group(1))
        value = captures.get(key)
        return value if value else m.group(0)

    return _PLACEHOLDER.sub(sub, text)


# What a captured value may hold to be pasted into a shell command as it is: no quotes,
# spaces, `$`, backticks, `;`, `|`, `&`, redirections, globs or newlines, and no leading
# `-` or `~` (an option or a home directory). Such a value means the same in every shell
# layer it passes (a bare word, inside "…", inside '…', in an rc file that is sourced).
_SHELL_SAFE = re.compile(r"(?![-~])[A-Za-z0-9_.+:/@%=,~-]+")


def is_shell_safe(value: str) -> bool:
    return _SHELL_SAFE.fullmatch(value) is not None


def fill_command(text: str, captures: Mapping[str, str]) -> str:
    """A command line with its placeholders filled from ``captures``, but only with values
    that cannot change the command's meaning in any shell (see :func:`is_shell_safe`); any
    other value leaves its placeholder, so the command is one to complete, never to run."""
    return fill_placeholders(text, {k: v for k, v in captures.items() if is_shell_safe(v)})
