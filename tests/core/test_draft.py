"""Drafting a record from an unknown line, and checking record files as they are edited."""

from __future__ import annotations

import json
from pathlib import Path

from errsig.core.draft import draft_record, generalise, slug_of, write_draft
from errsig.core.kb.jsonpos import span_of, value_spans
from errsig.core.kb.load import load_pack
from errsig.core.recordcheck import captures_in_samples, check_record_text, parse_record
from tests.conftest import DATA

ZMQ = (DATA / "unknown" / "zmq.log").read_text("utf-8").split("\n")


def test_variable_parts_become_named_groups() -> None:
    regex, sig = generalise(
        "ERROR: Could not install frob==1.2.3 from /tmp/x/frob.whl at 10.0.0.1 after 3 tries"
    )
    assert sig == "ERROR: Could not install <package>==<version> from <path> at <version2> after 3 tries"
    assert "(?P<package>" in regex
    assert "(?P<path>" in regex
    assert r"\d+" in regex
    regex, sig = generalise("AttributeError: module 'pkgutil' has no attribute 'ImpImporter'")
    assert sig == "AttributeError: module '<name>' has no attribute '<name2>'"
    regex, sig = generalise("fatal: unable to access 'https://git.example.org/r.git/': 403")
    assert "<name>" in sig or "<url>" in sig


def test_slug_is_made_of_the_message_words() -> None:
    assert slug_of("zmq.error.ZMQError: Address already in use (addr='<name>')") == (
        "zmq-zmqerror-address-already-use-addr"
    )
    assert slug_of("<path>: 12") == "unnamed-error"


def test_a_draft_matches_its_sample_and_loads(tmp_path: Path) -> None:
    draft = draft_record(ZMQ, 7)
    assert draft is not None
    rec = draft.record
    assert rec.id.startswith("python/")
    assert rec.domain == "python"
    assert "Address already in use" in rec.samples[0]
    assert rec.root_cause == ""
    assert rec.workarounds == []
    target = write_draft(draft, tmp_path / "pack")
    assert target == tmp_path / "pack" / f"{rec.id}.json"
    pack = load_pack(tmp_path / "pack")
    assert pack.problems == []
    assert [r.record.id for r in pack.records] == [rec.id]
    assert check_record_text(target.read_text("utf-8"), rec.id) == []
    # Never overwrites: the same draft again needs a new id.
    again = draft_record(ZMQ, 7, taken={rec.id})
    assert again is not None
    assert again.record.id == rec.id + "-2"


def test_a_draft_has_no_credentials(tmp_path: Path) -> None:
    lines = [
        "fatal: unable to access 'https://bob:s3cret@git.example.org/r.git/': The requested URL returned 403"
    ]
    draft = draft_record(lines, 0)
    assert draft is not None
    assert "s3cret" not in draft.to_json()


def test_json_paths_have_spans() -> None:
    text = '{"a": [1, {"b": "x"}],\n "c": null}'
    spans = value_spans(text)
    assert text[slice(*spans["$.a[1].b"])] == '"x"'
    assert span_of(spans, "$.a[1].missing") == spans["$.a[1]"]
    assert value_spans("{not json") == {}


def _record_text(**changes: object) -> str:
    draft = draft_record(ZMQ, 7)
    assert draft is not None
    data = json.loads(draft.to_json())
    data.update(changes)
    return json.dumps(data, indent=2)


def _at(text: str, issue_start: int) -> str:
    line = text.count("\n", 0, issue_start)
    return text.split("\n")[line]


def test_problems_stand_where_they_are() -> None:
    text = _record_text(category=5)
    (issue,) = check_record_text(text)
    assert issue.message.startswith("$.category: expected a string")
    assert '"category": 5' in _at(text, issue.start)

    text = _record_text(regex="Address (?=already)")
    (issue,) = check_record_text(text)
    assert "linear time" in issue.message
    assert '"regex"' in _at(text, issue.start)

    text = _record_text(samples=["nothing like it"])
    (issue,) = check_record_text(text)
    assert issue.message == "the regex does not match this sample"
    assert "nothing like it" in _at(text, issue.start)

    text = _record_text(regex="Successfully installed", samples=["Successfully installed frob-1.0"])
    (issue,) = check_record_text(text)
    assert issue.severity == "warning"
    assert "clean corpus" in issue.message

    (issue,) = check_record_text('{"id": "x/y",')
    assert issue.message.startswith("invalid JSON")

    text = _record_text()
    (issue,) = check_record_text(text, "python/another-name")
    assert "does not match its path" in issue.message


def test_hover_material_is_what_the_regex_captures() -> None:
    record, _ = parse_record(_record_text())
    assert record is not None
    ((match, groups),) = captures_in_samples(record)
    assert match.startswith("zmq.error.ZMQError")
    assert groups == {"name": "tcp://127.0.0.1:5555"}
