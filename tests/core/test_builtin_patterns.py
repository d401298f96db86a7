"""Every built-in pattern compiles with RE2 (the catalogue compiles them lazily, on first use,
trusting this test), and a lazily compiled pattern finds what an eager one finds."""

from __future__ import annotations

import pytest

from errsig.core.kb.load import builtin_seeds_dir, load_pack
from errsig.core.matching.regex import compile_pattern

RECORDS = [lr.record for lr in load_pack(builtin_seeds_dir(), trusted=True, label="seeds").records]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.id)
def test_each_builtin_pattern_compiles_with_re2(record: object) -> None:
    regex = compile_pattern(record.regex)  # type: ignore[attr-defined]
    assert regex._re is not None


def test_a_lazy_pattern_finds_what_an_eager_one_finds() -> None:
    assert len(RECORDS) >= 250
    pattern = r"No matching distribution found for (?P<package>[A-Za-z0-9._-]+)"
    text = "ERROR: No matching distribution found for torch==1.7.0"
    lazy = compile_pattern(pattern, lazy=True)
    assert lazy._compiled is None
    eager = compile_pattern(pattern)
    assert list(lazy.hits(text)) == list(eager.hits(text))
    assert lazy._compiled is not None
