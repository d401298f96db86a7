"""errsig's records claim only what is true: no rate without a measurement, evidence that is
cited, real dates; and what a user sees says so (no invented percentage, credentials masked,
log and pack text escaped in the hover card)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from errsig.core.explain.card import make_card, render_markdown, render_text
from errsig.core.kb.evidence import TIERS, is_report
from errsig.core.kb.load import load_pack
from errsig.core.kb.model import Record, Workaround
from tests.conftest import SEEDS

FILES = sorted(SEEDS.glob("*/*.json"))
# The repository's first commit: no record was written or confirmed before it.
PROJECT_START = dt.date(2026, 11, 1)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_record_claims_no_number_it_cannot_back(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    where = data["id"]
    for w in data["workarounds"]:
        assert w["success_rate"] is None, f"{where}: a success rate nobody measured ({w['action']})"
    for d in data["dead_ends"]:
        assert d["fail_rate"] is None, f"{where}: a fail rate nobody measured ({d['action']})"
    for kind in ("leads_to", "preceded_by"):
        for t in data["transition_graph"][kind]:
            assert t["probability"] is None, f"{where}: a transition probability nobody measured"
    assert data["confidence"] is None, where
    assert data["fix_success_rate"] is None, where
    reports = {s for x in data["workarounds"] + data["dead_ends"] for s in x["sources"] if is_report(s)}
    assert data["evidence_count"] == len(reports), f"{where}: evidence_count must count the cited reports"
    for x in data["workarounds"] + data["dead_ends"]:
        for s in x["sources"]:
            assert re.match(r"https://[^\s<>]+$", s), f"{where}: a source is an https URL, got {s!r}"
    assert data["verification_tier"] in TIERS, where
    assert data["verification_tier"] != "verified", f"{where}: 'verified' needs measured outcomes"
    for key in ("first_seen", "last_confirmed", "last_updated"):
        if data[key] is not None:
            day = dt.date.fromisoformat(data[key])
            assert day <= dt.date.today(), f"{where}: {key} is in the future"
            assert not re.fullmatch(r"\d{4}-01-01", data[key]), f"{where}: {key} looks like a placeholder"
            if key != "first_seen":
                assert day >= PROJECT_START, f"{where}: {key} before this repository existed"


def test_no_percentage_reaches_the_user_for_errsig_records() -> None:
    for lr in load_pack(SEEDS, trusted=True).records:
        card = make_card(lr.record)
        for text in (render_markdown(card), render_text(card)):
            assert not re.search(r"\d%", text), lr.record.id


def test_evidence_is_shown_with_its_links() -> None:
    url = "https://github.com/pypa/pip/issues/1"
    w = Workaround("Retry with more time", None, "pip install --timeout 120 <package>", sources=[url])
    record = Record(id="pip/x", signature="x", regex="x", workarounds=[w])
    md = render_markdown(make_card(record))
    assert f"reported to work in 1 public thread ([1](<{url}>))" in md
    assert "suggested, not yet confirmed" not in md
    text = render_text(make_card(record))
    assert f"reported to work in 1 public thread: {url}" in text


def test_a_deadends_estimate_is_labelled_as_such() -> None:
    w = Workaround("Retry", 0.85, "pip install <package>")
    record = Record(id="python/x", signature="x", regex="x", workarounds=[w], tags=["deadends.dev"])
    md = render_markdown(make_card(record))
    assert "deadends.dev estimate (generated, not measured): 85%" in md
    assert "deadends.dev (CC BY 4.0)" in md


def test_hover_card_masks_credentials_and_escapes_log_and_pack_text() -> None:
    record = Record(
        id="pip/x",
        signature="Cannot fetch <url>",
        regex="x",
        root_cause="![img](https://evil.example/p.png) <script>alert(1)</script> [click](https://evil.example)",
        workarounds=[Workaround("Check `<url>`", None, "pip download <url>")],
        official_doc_url="javascript:alert(1)",
    )
    captures = {"url": "https://alice:ghp_SECRET123@github.com/o/r.git#[x](https://evil.example)"}
    md = render_markdown(make_card(record, captures))
    assert "ghp_SECRET123" not in md
    assert not re.search(r"(?<!\\)\]\(", md), md  # no link or image can form
    assert "<script>" not in md
    assert "javascript:" not in md
    assert "\\!\\[img\\]" in md


def test_commands_in_a_card_are_fenced_beyond_their_backticks() -> None:
    w = Workaround("Odd", None, "echo ```x```")
    md = render_markdown(make_card(Record(id="pip/x", signature="x", regex="x", workarounds=[w])))
    assert "   ````sh\n   echo ```x```\n   ````" in md
