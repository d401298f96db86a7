"""How common a literal is in ordinary, successful logs.

The prefilter should look for the rarest literal of each alternative, not the longest:
``-packages`` is long but on every other line of a pip log, ``WinError`` is short but
rare. Frequencies come from the clean-log corpus shipped with errsig, counted in one
Aho-Corasick pass over it for all candidate literals at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import ahocorasick

from errsig import package_root


@functools.lru_cache(maxsize=1)
def background_text() -> str:
    root = package_root() / "corpus" / "clean"
    if not root.is_dir():
        return ""
    parts = [p.read_text("utf-8", errors="replace") for p in sorted(root.glob("*.log"))]
    return "\n".join(parts).lower()


def background_lines() -> int:
    return background_text().count("\n")


def frequency_table(literals: Iterable[str]) -> Callable[[str], int]:
    """A function giving each literal's count in the background text (case-folded)."""
    text = background_text()
    words = {lit.lower() for lit in literals if lit}
    counts: dict[str, int] = dict.fromkeys(words, 0)
    if text and words:
        auto = ahocorasick.Automaton()
        for w in words:
            auto.add_word(w, w)
        auto.make_automaton()
        for _end, w in auto.iter(text):
            counts[w] += 1
    return lambda lit: counts.get(lit.lower(), 0)
