"""Hypothesis over the language server's line store (errsig.lsp.documents.Lines): after any
sequence of reads and edits it holds what a plain list of lines holds, with chunks small
enough that every edit crosses chunk boundaries, splits and rejoins them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from errsig.lsp import documents
from errsig.lsp.documents import Document, Lines
from tests.fuzz import FUZZ

LINE = st.text(alphabet="ab━\t ", max_size=6)
TEXT = st.lists(LINE, min_size=1, max_size=40).map("\n".join)
EDIT = st.tuples(st.integers(0, 60), st.integers(0, 60), st.lists(LINE, min_size=1, max_size=12))
READ = st.tuples(st.integers(-70, 70), st.integers(-70, 70))


@pytest.fixture(autouse=True)
def _tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "CHUNK_BYTES", 7)
    monkeypatch.setattr(documents, "SPLIT_LINES", 3)
    monkeypatch.setattr(documents, "KEEP_SPLIT", 2)


@FUZZ
@given(text=TEXT, steps=st.lists(st.one_of(EDIT, READ), max_size=25))
def test_lines_behave_as_a_list(text: str, steps: list[tuple[int, int] | tuple[int, int, list[str]]]) -> None:
    store, model = Lines.from_text(text), text.split("\n")
    assert len(store) == len(model)
    for step in steps:
        if len(step) == 3:
            first = min(step[0], len(model) - 1)
            last = min(max(first, step[1]), len(model) - 1)
            store[first : last + 1] = step[2]
            model[first : last + 1] = step[2]
        else:
            i, j = step[0], step[1]
            assert store[i:j] == model[i:j]
            if -len(model) <= i < len(model):
                assert store[i] == model[i]
            else:
                with pytest.raises(IndexError):
                    store[i]
        assert len(store) == len(model)
    assert list(store) == model
    assert store.join() == "\n".join(model)
    assert store.utf8() == "\n".join(model).encode()


@FUZZ
@given(text=TEXT, edits=st.lists(EDIT, max_size=10))
def test_a_document_edited_by_positions_matches_the_edited_text(
    text: str, edits: list[tuple[int, int, list[str]]]
) -> None:
    doc = Document.from_text("file:///x.log", None, "log", 1, text)
    expected = text
    for x, y, new in edits:
        lines = expected.split("\n")
        a, b = sorted((min(x, len(lines) - 1), min(y, len(lines) - 1)))
        insert = "\n".join(new)
        doc.apply((a, 0), (b, len(lines[b])), insert, "utf-32")
        expected = "\n".join([*lines[:a], insert, *lines[b + 1 :]])
        assert doc.text == expected
        assert list(doc.lines) == expected.split("\n")


@FUZZ
@given(text=st.lists(LINE, min_size=1, max_size=40).map("\r\n".join))
def test_a_document_settled_from_its_scanned_bytes_reads_as_its_text(text: str) -> None:
    doc = Document.from_text("file:///x.log", None, "log", 1, text)
    data = text.encode().replace(b"\r\n", b"\n")
    doc.settle(text, Lines(data))
    assert doc.split
    assert list(doc.lines) == text.split("\r\n")
    edited = Document.from_text("file:///y.log", None, "log", 1, text)
    edited.apply((0, 0), (0, 0), "x", "utf-32")
    edited.settle(text, Lines(data))  # changed since the scan read it: keeps its own lines
    assert edited.line(0) == "x" + text.split("\r\n", maxsplit=1)[0]


@FUZZ
@given(text=st.text(alphabet="a━\r\n", max_size=40))
def test_utf8_splits_lines_as_editors_do(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    assert documents.utf8(text) == expected
