"""What errsig derives from a pattern with Python's parser — the syntax check, inline case
folding, the literal runs the prefilter looks for — kept on disk by the pattern's text, so a
start-up does not parse every regex again (parsing is most of a catalogue's load time).

The file is derived data in the per-user cache folder: an entry that does not look right is
ignored and computed again, and nothing here raises.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs

from errsig.core.kb.jsonfile import read_json, write_json
from errsig.core.matching.literals import is_case_insensitive, required_literals

VERSION = 2  # bump when what is derived, or the key, changes (2: keyed by the pattern itself)
FILE = f"patterns-v{VERSION}.json"
MAX_ENTRIES = 50_000  # a bigger file is not read (it is rewritten with what this run needs)
MAX_BYTES = 20 << 20


@attrs.frozen
class Analysis:
    error: str | None  # the parser's complaint, or None
    case_insensitive: bool = False
    alternatives: list[list[str]] | None = None  # literal runs per top-level alternative
    re2_ok: bool = False  # RE2 compiled it before: it may be compiled on first use


def analyse(pattern: str) -> Analysis:
    try:
        folded = is_case_insensitive(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return Analysis(f"regex does not compile: {exc}")
    try:
        alts = required_literals(pattern, re.IGNORECASE if folded else 0)
    except (re.error, RecursionError, OverflowError):
        alts = None
    return Analysis(None, folded, alts)


def _key(pattern: str) -> str:
    # The pattern itself: a hash would cost every start-up OpenSSL's import (~4 ms) to save
    # a few hundred kilobytes of cache file.
    return pattern


def _valid(entry: Any) -> Analysis | None:
    if not (isinstance(entry, list) and len(entry) in (3, 4)):
        return None
    error, folded, alts = entry[:3]
    re2_ok = entry[3] if len(entry) == 4 else False
    if (
        not (error is None or isinstance(error, str))
        or not isinstance(folded, bool)
        or not isinstance(re2_ok, bool)
    ):
        return None
    if alts is not None and not (
        isinstance(alts, list)
        and all(isinstance(runs, list) and all(isinstance(r, str) and r for r in runs) for runs in alts)
    ):
        return None
    return Analysis(error, folded, alts, re2_ok)


class AnalysisCache:
    """Analyses by pattern text, read from and written back to ``folder/FILE``."""

    def __init__(self, folder: Path | None, part: str = "") -> None:
        """``part``: a name for a file of its own (``patterns-v2-<part>.json``)."""
        name = FILE.replace(".json", f"-{part}.json") if part else FILE
        self.path = folder / name if folder is not None else None
        self._stored: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        self.dirty = False
        if self.path is None:
            return
        data = read_json(self.path, MAX_BYTES)
        if isinstance(data, dict):
            self._stored = data

    def get(self, pattern: str) -> Analysis:
        key = _key(pattern)
        found = _valid(self._stored.get(key))
        if found is None:
            found = analyse(pattern)
            self.dirty = True
        self._used[key] = [found.error, found.case_insensitive, found.alternatives, found.re2_ok]
        return found

    def mark_compiled(self, pattern: str) -> None:
        """RE2 accepted ``pattern``: later loads may compile it on first use."""
        entry = self._used.get(_key(pattern))
        if entry is not None and not entry[3]:
            entry[3] = True
            self.dirty = True

    def save(self) -> None:
        """Write the analyses this run used (plus earlier ones, up to the cap) if any were new."""
        if self.path is None or not self.dirty:
            return
        merged = dict(self._used)
        for key, value in self._stored.items():
            if len(merged) >= MAX_ENTRIES:
                break
            merged.setdefault(key, value)
        if write_json(self.path, merged):
            self.dirty = False
