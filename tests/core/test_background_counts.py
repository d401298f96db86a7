"""The literal frequencies without pyahocorasick (no wheel on Windows on ARM) are the ones
Aho-Corasick gives: the same prefilter literals, so the same findings, on every platform."""

from __future__ import annotations

import pytest

from errsig.core.loading import load_toolkit
from errsig.core.matching import background


def test_the_plain_count_equals_aho_corasick_on_the_shipped_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    assert background.ahocorasick is not None
    tk = load_toolkit([], fast=False)
    literals = sorted({lit for p in tk.matcher.engine.patterns for lit in p.literals})
    literals += ["aa", "aaa", "error", "e", "-packages", "\\"]  # overlapping and frequent ones
    with_ac = background.frequency_table(literals)
    monkeypatch.setattr(background, "ahocorasick", None)
    plain = background.frequency_table(literals)
    assert len(literals) > 300
    assert [plain(w) for w in literals] == [with_ac(w) for w in literals]
    assert with_ac("error") > 0


def test_overlapping_occurrences_are_counted() -> None:
    assert background.count_overlapping("aaaa", "aa") == 3
    assert background.count_overlapping("abc", "d") == 0
