"""What the log around a finding says beyond the match: the package pip was working on,
and the kind of system the log was written on (a fix that installs system packages must
use that system's package manager)."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence

from errsig.core.scan.clean import strip_escapes

# Lines pip prints while it works on one project, each naming it first.
_WORKING_ON = re.compile(
    r"(?:Collecting|Building wheel for|Running setup\.py install for|Failed building wheel for"
    r"|Failed to build|Getting requirements to build wheel for|Preparing metadata for)"
    r" +(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,100})"
)
_LOOK_BACK = 300
_LOOK_AHEAD = 60

# Words that show which system a log was written on, by family. Counted, not trusted
# alone: the family with the most hits wins.
_FAMILY_HINTS: dict[str, re.Pattern[str]] = {
    "debian": re.compile(r"\bapt-get\b|\bapt install\b|\bdpkg\b|\bdebian\b|\bubuntu\b|-linux-gnu/", re.I),
    "fedora": re.compile(r"\bdnf\b|\byum\b|\bfedora\b|\brhel\b|\.el[789]\b|\bcentos\b", re.I),
    "alpine": re.compile(r"\bapk add\b|\balpine\b|\bmusllinux\b", re.I),
    "darwin": re.compile(r"/opt/homebrew/|/usr/local/Cellar/|\bmacosx_\d|/Users/|\bXcode\b|\bbrew install\b"),
    "win32": re.compile(r"\b[A-Z]:\\|\bWinError\b|\\AppData\\|\bwin_amd64\b|\bpowershell\b", re.I),
}


def package_near(lines: Sequence[str], line: int) -> str | None:
    """The project pip was working on when ``line`` was printed: the closest ``Collecting
    X`` / ``Building wheel for X`` … above it, else a ``Failed to build X`` shortly after."""
    if not 0 <= line < len(lines):
        return None
    for i in range(line, max(-1, line - _LOOK_BACK), -1):
        m = _WORKING_ON.search(strip_escapes(lines[i][:4096]))
        if m:
            return m.group("name").rstrip(".")
    for i in range(line + 1, min(len(lines), line + _LOOK_AHEAD)):
        m = _WORKING_ON.search(strip_escapes(lines[i][:4096]))
        if m:
            return m.group("name").rstrip(".")
    return None


def family_from_log(lines: Sequence[str], limit: int = 5000) -> str | None:
    """The system family the log shows (see :data:`_FAMILY_HINTS`), or ``None``."""
    counts: dict[str, int] = {}
    for raw in lines[:limit]:
        text = raw[:4096]
        for family, pattern in _FAMILY_HINTS.items():
            if pattern.search(text):
                counts[family] = counts.get(family, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda f: counts[f])


@functools.lru_cache(maxsize=1)
def machine_os_family() -> str | None:
    """This machine's family: ``darwin``, ``win32``, or a Linux family from os-release."""
    if sys.platform in ("darwin", "win32"):
        return sys.platform
    try:
        with open("/etc/os-release", encoding="utf-8", errors="replace") as f:
            text = f.read(16384)
    except OSError:
        return None
    fields = {k: v.strip().strip("\"'") for k, _, v in (ln.partition("=") for ln in text.splitlines()) if v}
    words = f"{fields.get('ID', '')} {fields.get('ID_LIKE', '')}".lower().split()
    for family, ids in (
        ("debian", ("debian", "ubuntu")),
        ("fedora", ("fedora", "rhel", "centos")),
        ("alpine", ("alpine",)),
        ("arch", ("arch",)),
        ("suse", ("suse", "opensuse")),
    ):
        if any(w in ids for w in words):
            return family
    return None
