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
