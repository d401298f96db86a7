"""Plain edit data: applying edits, computing small edits, positions in code points."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from errsig.core.fixes.model import TextEdit, apply_edits, diff_edits, dominant_newline, line_starts


def test_apply_insert_replace_delete() -> None:
    text = "alpha\nbeta\ngamma\n"
    edits = [
        TextEdit(1, 0, 1, 4, "BETA"),
        TextEdit.insert(0, 5, "!"),
        TextEdit(2, 0, 3, 0, ""),
    ]
    assert apply_edits(text, edits) == "alpha!\nBETA\n"


def test_columns_are_code_points() -> None:
    # "é" and "中" are one column each; "𝔘" (outside the BMP) is one column too (not two UTF-16 units)
    # c0 a1 f2 é3 _4 =5 _6 中7 文8 _9 𝔘10 _11 x12
    text = "café = 中文 𝔘 x\n"
    assert apply_edits(text, [TextEdit(0, 12, 0, 13, "Y")]) == "café = 中文 𝔘 Y\n"
    assert diff_edits(text, "café = 中文 𝔘 Y\n") == [TextEdit(0, 12, 0, 13, "Y")]


def test_crlf_counts_as_one_line_break() -> None:
    text = "a\r\nb\r\nc"
    assert line_starts(text) == [0, 3, 6]
    assert apply_edits(text, [TextEdit(1, 0, 1, 1, "B")]) == "a\r\nB\r\nc"
    # a column past the end of a line stops before its line break
    assert apply_edits(text, [TextEdit(0, 9, 0, 9, "!")]) == "a!\r\nb\r\nc"


def test_overlapping_edits_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [TextEdit(0, 0, 0, 3, "x"), TextEdit(0, 2, 0, 4, "y")])


def test_diff_edits_replaces_a_value_as_a_whole_word() -> None:
    assert diff_edits("timeout = 15\n", "timeout = 120\n") == [TextEdit(0, 10, 0, 12, "120")]


def test_diff_edits_inserts_lines_without_touching_neighbours() -> None:
    old = "[global]\ntimeout = 15\n\n[install]\n"
    new = "[global]\ntimeout = 15\nretries = 5\n\n[install]\n"
    assert diff_edits(old, new) == [TextEdit(2, 0, 2, 0, "retries = 5\n")]


def test_diff_edits_pairs_a_changed_line_and_an_added_one() -> None:
    old = "[install]\ntimeout = 10\n"
    new = "[install]\ntimeout = 120\nretries = 5\n"
    assert diff_edits(old, new) == [TextEdit(1, 10, 1, 12, "120"), TextEdit(2, 0, 2, 0, "retries = 5\n")]


def test_diff_edits_no_change() -> None:
    assert diff_edits("same\n", "same\n") == []


def test_diff_edits_round_trips_random_texts() -> None:
    rng = random.Random(7)
    alphabet = ["a", "b", "=", "1", " ", "\n", "\r\n", "é", "中", "𝔘", "#"]
    for _ in range(3000):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        new = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert apply_edits(old, diff_edits(old, new)) == new, (old, new)


def test_dominant_newline() -> None:
    assert dominant_newline("a\r\nb\r\nc\n") == "\r\n"
    assert dominant_newline("a\nb\n") == "\n"
    assert dominant_newline("") == "\n"


def test_edits_applied_to_a_real_file(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_bytes("première\r\nseconde\r\n".encode())
    text = f.read_bytes().decode()
    f.write_bytes(apply_edits(text, [TextEdit(1, 0, 1, 7, "deuxième")]).encode())
    assert f.read_bytes() == "première\r\ndeuxième\r\n".encode()
