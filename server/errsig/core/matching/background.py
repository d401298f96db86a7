"""How common a literal is in ordinary, successful logs.

The prefilter should look for the rarest literal of each alternative, not the longest:
``-packages`` is long but on every other line of a pip log, ``WinError`` is short but
rare. Frequencies come from the clean-log corpus shipped with errsig, counted in one
Aho-Corasick pass over it for all candidate literals at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from errsig import package_root

try:
    import ahocorasick
except ImportError:  # no wheel for the platform (Windows on ARM): the exact count below
    ahocorasick = None


@functools.lru_cache(maxsize=1)
def background_text() -> str:
    # The hand-checked clean corpus only: the real successful logs (corpus/successful, used to
    # vet foreign packs) were collected for their warnings and retries, and would make pip's
    # commonest warnings look like ordinary output, folding their records.
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
    return lambda lit: counts.get(lit.lower(), 0)


def count_overlapping(text: str, word: str) -> int:
    """Occurrences of ``word`` in ``text``, overlapping ones included (as Aho-Corasick counts)."""
    n, at = 0, text.find(word)
    while at != -1:
        n += 1
        at = text.find(word, at + 1)
    return n
