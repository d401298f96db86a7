"""The record model, its converter and the pack loaders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.convert import RecordError, structure_record, unstructure_record
from errsig.core.kb.load import load_pack
from errsig.core.loading import load_toolkit
from tests.conftest import DATA, canons_or_skip


def seed() -> dict:  # type: ignore[type-arg]
    return json.loads((DATA / "seed_record.json").read_text("utf-8"))


def write(root: Path, rel: str, data: object) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return path


def test_seed_record_round_trips_without_loss() -> None:
    data = seed()
    record = structure_record(data)
    assert unstructure_record(record) == data
    assert record.resolvable == "true"
    assert record.workarounds[1].success_rate == 0.75
    assert record.versions[0].version == "pip 20.0+"


def test_bad_record_reports_json_path_and_reason() -> None:
    data = seed()
    data["workarounds"][1]["success_rate"] = "high"
    with pytest.raises(RecordError) as err:
        structure_record(data)
    assert ("$.workarounds[1].success_rate", 'expected a number in [0, 1], got "high"') in err.value.problems


def test_every_problem_of_a_record_is_reported() -> None:
    data = seed()
    data["confidence"] = 1.5
    data["evidence_count"] = "many"
    data["colour"] = "red"
    del data["versions"][0]["version"]
    with pytest.raises(RecordError) as err:
        structure_record(data)
    paths = {p for p, _ in err.value.problems}
    assert paths == {"$.confidence", "$.evidence_count", "$.colour", "$.versions[0].version"}


def test_broken_records_are_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    good = seed()
    bad = dict(seed(), id="pip/x")
    bad["workarounds"] = [good["workarounds"][0], dict(good["workarounds"][1], success_rate="high")]
    write(tmp_path, "pip/network-connection-reset-by-peer.json", good)
    write(tmp_path, "pip/x.json", bad)
    write(tmp_path, "pip/half.json", '{"id": "pip/half", "signature": ')
    write(tmp_path, "pip/wrong-place.json", dict(seed(), id="pip/elsewhere"))
    pack = load_pack(tmp_path, label="seeds")
    assert [r.record.id for r in pack.records] == ["pip/network-connection-reset-by-peer"]
    messages = sorted(str(p) for p in pack.problems)
    assert (
        'seeds/pip/x.json: $.workarounds[1].success_rate: expected a number in [0, 1], got "high"' in messages
    )
    assert any(m.startswith("seeds/pip/half.json: $: invalid JSON") for m in messages)
    assert any(
        "seeds/pip/wrong-place.json: $.id: id 'pip/elsewhere' does not match its path" in m for m in messages
    )


def test_duplicate_ids_dangling_links_and_bad_regexes_are_reported(tmp_path: Path) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    linked = dict(seed())
    linked["transition_graph"] = {
        "leads_to": [{"error_id": "pip/nowhere", "probability": 0.5, "condition": ""}],
        "preceded_by": [],
        "frequently_confused_with": [],
    }
    write(one, "pip/network-connection-reset-by-peer.json", linked)
    write(two, "pip/network-connection-reset-by-peer.json", seed())
    write(two, "pip/broken-regex.json", dict(seed(), id="pip/broken-regex", regex="Connection (reset"))
    write(two, "pip/backref.json", dict(seed(), id="pip/backref", regex=r"(Connection) reset \1"))
    tk = load_toolkit([one, two], builtin=False, vet=False)
    messages = [str(p) for p in tk.problems]
    assert any("duplicate id 'pip/network-connection-reset-by-peer'" in m for m in messages)
    assert any("$.transition_graph.leads_to[0].error_id: unknown id 'pip/nowhere'" in m for m in messages)
    assert any("broken-regex.json: $.regex: regex does not compile" in m for m in messages)
    assert any(
        "backref.json: $.regex: regex uses a feature that cannot run in linear time" in m for m in messages
    )
    assert [s.record.id for s in tk.matcher.signatures] == ["pip/network-connection-reset-by-peer"]


def test_canon_is_mapped_onto_the_record_model(tmp_path: Path) -> None:
    canon = {
        "schema_version": "1.0.0",
        "id": "pip/demo/pip24-linux",
        "url": "https://deadends.dev/pip/demo/pip24-linux",
        "error": {
            "signature": "ERROR: demo failure",
            "regex": "demo failure",
            "domain": "pip",
            "category": "install_error",
            "first_seen": "2020-01-01",
            "last_confirmed": "2026-01-01",
        },
        "environment": {
            "runtime": {"name": "pip", "version_range": ">=22"},
            "os": "linux",
            "python": ">=3.9",
        },
        "verdict": {
            "resolvable": "true",
            "fix_success_rate": 0.7,
            "confidence": 0.6,
            "last_updated": "2026-01-02",
            "summary": "Why it fails.",
        },
        "dead_ends": [
            {"action": "Retry", "why_fails": "Same result", "fail_rate": 0.9, "sources": [], "condition": ""}
        ],
        "workarounds": [
            {
                "action": "Upgrade",
                "success_rate": 0.8,
                "how": "pip install -U pip",
                "sources": ["https://pip.pypa.io/x"],
                "condition": "",
            }
        ],
        "transition_graph": {"leads_to": [], "preceded_by": [], "frequently_confused_with": []},
        "metadata": {"review_status": "auto_generated", "evidence_count": 12},
    }
    write(tmp_path, "pip/demo/pip24-linux.json", canon)
    pack = load_pack(tmp_path)
    assert not pack.problems
    record = pack.records[0].record
    assert record.id == "pip/demo/pip24-linux"
    assert record.root_cause == "Why it fails."
    assert record.regex == "(?i)demo failure"
    assert [v.version for v in record.versions] == ["pip >=22", "Python >=3.9"]
    assert record.official_doc_url == "https://pip.pypa.io/x"
    assert record.verification_tier == "ai_generated"
    assert record.evidence_count == 12
    assert "deadends.dev" in record.tags


@pytest.mark.canons
def test_all_canons_load() -> None:
    root = canons_or_skip()
    cat = Catalogue.load([root], builtin=False)
    errors = [p for p in cat.problems if p.severity == "error"]
    assert len(cat) == 1922
    assert errors == []
