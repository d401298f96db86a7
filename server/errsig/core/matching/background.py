"""How common a literal is in ordinary, successful logs.

The prefilter should look for the rarest literal of each alternative, not the longest:
``-packages`` is long but on every other line of a pip log, ``WinError`` is short but
rare. Frequencies come from the clean-log corpus shipped with errsig, counted in one
Aho-Corasick pass over it for all candidate literals at once.

The counts are derived data: :class:`Counts` keeps them in the per-user cache folder beside
the corpus's fingerprint (names, sizes and times of its files), so a start-up whose literals
were all counted before reads neither the corpus nor builds an automaton (~10 ms of a CLI
start). An entry that does not look right is counted again; nothing here raises.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from errsig import package_root
from errsig.core.kb.jsonfile import read_json, write_json

try:
    import ahocorasick
except ImportError:  # no wheel for the platform (Windows on ARM): the exact count below
    ahocorasick = None

VERSION = 1
FILE = f"literal-counts-v{VERSION}.json"
MAX_BYTES = 4 << 20  # a bigger file is not read (it is rewritten with what this run needs)
MAX_ENTRIES = 100_000


def _corpus() -> Path:
    # The hand-checked clean corpus only: the real successful logs (corpus/successful, used to
    # vet foreign packs) were collected for their warnings and retries, and would make pip's
    # commonest warnings look like ordinary output, folding their records.
    return package_root() / "corpus" / "clean"


def _files() -> list[Path]:
    root = _corpus()
    return sorted(root.glob("*.log")) if root.is_dir() else []


@functools.lru_cache(maxsize=1)
def background_text() -> str:
    return "\n".join(p.read_text("utf-8", errors="replace") for p in _files()).lower()


def background_lines() -> int:
    return background_text().count("\n")


def _count(text: str, words: set[str]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(words, 0)
    if text and words and ahocorasick is not None:
        auto = ahocorasick.Automaton()
        for w in words:
            auto.add_word(w, w)
        auto.make_automaton()
        for _end, w in auto.iter(text):
            counts[w] += 1
    elif text:
        for w in words:
            counts[w] = count_overlapping(text, w)
    return counts


def frequency_table(literals: Iterable[str]) -> Callable[[str], int]:
    """A function giving each literal's count in the background text (case-folded)."""
    counts = _count(background_text(), {lit.lower() for lit in literals if lit})
    return lambda lit: counts.get(lit.lower(), 0)


def count_overlapping(text: str, word: str) -> int:
    """Occurrences of ``word`` in ``text``, overlapping ones included (as Aho-Corasick counts)."""
    n, at = 0, text.find(word)
    while at != -1:
        n += 1
        at = text.find(word, at + 1)
    return n


def _fingerprint() -> list[list[Any]]:
    out: list[list[Any]] = []
    for path in _files():
        try:
            st = os.stat(path)
        except OSError:
            return []  # unreadable now: nothing stored can be trusted to match it
        out.append([path.name, st.st_size, st.st_mtime_ns])
    return out


class Counts:
    """Literal counts in the background corpus and its line count, kept in ``folder/FILE``
    (``folder`` None: nothing is read or written)."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / FILE if folder is not None else None
        self.fingerprint = _fingerprint()
        self.lines: int | None = None
        self.counts: dict[str, int] = {}
        if self.path is None:
            return
        data = read_json(self.path, MAX_BYTES)
        if not isinstance(data, dict) or data.get("corpus") != self.fingerprint:
            return
        lines, counts = data.get("lines"), data.get("counts")
        if isinstance(lines, int) and not isinstance(lines, bool) and isinstance(counts, dict):
            self.lines = lines
            self.counts = {
                k: v for k, v in counts.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0
            }

    def table(self, literals: Iterable[str]) -> tuple[Callable[[str], int], int]:
        """Each literal's count (case-folded), and the corpus's line count; counts what is
        missing (reading the corpus then) and writes the file back."""
        words = {lit.lower() for lit in literals if lit}
        missing = {w for w in words if w not in self.counts}
        if missing or self.lines is None:
            self.counts.update(_count(background_text(), missing))
            self.lines = background_lines()
            self._save()
        counts, lines = self.counts, self.lines
        return (lambda lit: counts.get(lit.lower(), 0)), lines

    def _save(self) -> None:
        if self.path is None or not self.fingerprint:
            return
        counts = self.counts if len(self.counts) <= MAX_ENTRIES else {}
        data = {"corpus": self.fingerprint, "lines": self.lines, "counts": counts}
        write_json(self.path, data)
