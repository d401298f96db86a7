"""Hypothesis: any JSON value in place of any field of a valid record or canon loads to a
record or to problems of that one file, never to an exception."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from errsig.core.kb.load import load_pack
from tests.core.test_hostile_loading import CANON, GOOD_ID, RECORD, _pack
from tests.fuzz import FUZZ

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (dict keys and list indices), the value itself too."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    return doc


RECORD_PATHS = _paths(RECORD)
CANON_PATHS = _paths(CANON)


def _check(tmp_path: Path, doc: Any) -> None:
    root = _pack(tmp_path / "pack", {"x/fuzzed.json": json.dumps(doc).encode()})
    pack = load_pack(root)  # must not raise
    ids = sorted(r.record.id for r in pack.records)
    assert GOOD_ID in ids
    assert all(p.file.endswith("x/fuzzed.json") for p in pack.problems)
    assert len(ids) == 2 or pack.problems  # the fuzzed file loads, or says why not


@FUZZ
@given(where=st.sampled_from(RECORD_PATHS), value=JSON)
def test_any_value_anywhere_in_a_record(tmp_path_factory: Any, where: tuple[Any, ...], value: Any) -> None:
    doc = _replace(RECORD | {"id": "x/fuzzed"}, where, value)
    _check(tmp_path_factory.mktemp("r"), doc)


@FUZZ
@given(where=st.sampled_from(CANON_PATHS), value=JSON)
def test_any_value_anywhere_in_a_canon(tmp_path_factory: Any, where: tuple[Any, ...], value: Any) -> None:
    _check(tmp_path_factory.mktemp("c"), _replace(CANON, where, value))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes(tmp_path_factory: Any, raw: bytes) -> None:
    root = _pack(tmp_path_factory.mktemp("b") / "pack", {"x/fuzzed.json": raw})
    pack = load_pack(root)
    assert GOOD_ID in [r.record.id for r in pack.records]
