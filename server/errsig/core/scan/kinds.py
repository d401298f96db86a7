"""Which kind of file a path is, for the scanners: log, requirements, pip config, script."""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePath

LOG, REQUIREMENTS, PIPCONF, SCRIPT = "log", "requirements", "pipconf", "script"

_LOG_LANGS = {"log", "terminal", "output"}
_REQ_LANGS = {"pip-requirements", "requirements"}
_CONF_LANGS = {"pipconfig", "pip-config"}
_TERMINAL_HINTS = re.compile(
    r"(?m)^(?:\$ |> |PS [A-Z]:\\|Collecting |Requirement already satisfied|Successfully installed"
    r"|\s*ERROR: |Traceback \(most recent call last\)|\s*error: |Building wheel|Installing collected)"
)


def _is_requirements_name(p: PurePath) -> bool:
    name = p.name.lower()
    if fnmatch.fnmatch(name, "requirements*.txt") or fnmatch.fnmatch(name, "constraints*.txt"):
        return True
    if p.parent.name.lower() in ("requirements", "reqs") and name.endswith((".txt", ".in")):
        return True
    return name.endswith(".in") and (
        "requirement" in name or name in ("dev.in", "base.in", "prod.in", "test.in")
    )


def _is_script_name(p: PurePath) -> bool:
    name = p.name.lower()
    return (
        name
        in ("dockerfile", "containerfile", "makefile", "gnumakefile", "tox.ini", "noxfile.py", "justfile")
        or name.startswith("dockerfile.")
        or name.endswith((".dockerfile", ".sh", ".bash", ".ps1", ".bat", ".cmd", ".mk"))
        or (
            name.endswith((".yml", ".yaml"))
            and (
                ".github" in p.parts
                or name.startswith((".gitlab-ci", "azure-pipelines", ".travis", "bitbucket-pipelines"))
            )
        )
    )


def kind_of(path: str | None, language_id: str | None = None, head: str | None = None) -> str | None:
    """``log``, ``requirements``, ``pipconf``, ``script`` or None (not ours)."""
    lang = (language_id or "").lower()
    p = PurePath(path) if path else None
    if p is not None and p.name.lower() in ("pip.conf", "pip.ini"):
        return PIPCONF
    if lang in _CONF_LANGS:
        return PIPCONF
    if lang in _REQ_LANGS or (p is not None and _is_requirements_name(p)):
        return REQUIREMENTS
    if lang in _LOG_LANGS:
        return LOG
    if p is not None:
        name = p.name.lower()
        if name.endswith((".log", ".out")) or name == "typescript" or ".errsig" in p.parts:
            return LOG
        if _is_script_name(p):
            return SCRIPT
        if name.endswith(".txt") and head is not None and _TERMINAL_HINTS.search(head[:65536]):
            return LOG
    return None


def matches_globs(relative: str, globs: tuple[str, ...] | list[str]) -> bool:
    """fnmatch-style globs where ``**/`` also matches no folder at all."""
    rel = relative.replace("\\", "/")
    for g in globs:
        if fnmatch.fnmatchcase(rel, g):
            return True
        if g.startswith("**/") and fnmatch.fnmatchcase(rel, g[3:]):
            return True
    return False
