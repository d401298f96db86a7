"""errsig.api, the library API: the same findings as `errsig scan --format json` for the same
log, cards, the report document, and pack problems reported instead of raised."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from errsig import api
from tests.conftest import CORPUS

LOG = CORPUS / "real" / "failing" / "conda-http000-proxy-nobrackets.log"


@pytest.fixture(scope="module")
def cat() -> api.Catalogue:
    return api.load_catalogue()


def test_findings_are_the_clis_json(cat: api.Catalogue) -> None:
    assert api.API_VERSION == 1
    cli = subprocess.run(
        [sys.executable, "-m", "errsig", "scan", "--format", "json", str(LOG)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    expected = json.loads(cli.stdout)
    expected = expected["findings"] if isinstance(expected, dict) else expected
    assert expected
    assert cat.scan_file(LOG) == expected
    data = LOG.read_bytes()
    assert cat.scan_bytes(data, name=str(LOG)) == expected
    assert cat.scan_text(data.decode("utf-8"), name=str(LOG)) == expected
    first = expected[0]
    assert {"file", "line", "column", "id", "severity", "title", "match", "captures"} <= set(first)


def test_cards_ids_and_unknown_errors(cat: api.Catalogue) -> None:
    assert len(cat.ids) >= 250
    assert "pip/read-timeout" in cat.ids
    card = cat.explain("pip/read-timeout")
    assert card is not None
    assert card["id"] == "pip/read-timeout"
    assert card["root_cause"]
    assert cat.explain("no/such-record") is None
    text = "frobnicate: error: the frob broke\n"
    assert cat.scan_text(text) == []
    assert [f["id"] for f in api.load_catalogue(unknown=True).scan_text(text)] == ["unknown/generic"]


def test_a_broken_pack_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    pack = tmp_path / "pack" / "x"
    pack.mkdir(parents=True)
    (pack / "broken.json").write_text("{not json", "utf-8")
    cat = api.load_catalogue([tmp_path / "pack"])
    assert any("broken.json" in p for p in cat.problems)
    assert "pip/read-timeout" in cat.ids


def test_report_is_the_cli_document(cat: api.Catalogue, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "build.log").write_bytes(LOG.read_bytes())
    doc = api.report([str(tmp_path)], cat, group_by="{job}/*")
    assert doc["totals"]["logs"] == 1
    assert doc["signatures"][0]["groups"][0]["group"] == {"job": "a"}
