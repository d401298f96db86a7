"""Outcomes measured on this machine: kept with ids and dates only, shown with their n."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from errsig.core import outcomes
from errsig.core.explain.card import make_card, render_markdown, render_text
from errsig.core.kb.model import Record, Workaround


def test_store_survives_damage_and_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text('not json\n{"id": 1}\n{"id":"a/b","fix":"f","outcome":"maybe","date":"x"}\n', "utf-8")
    assert outcomes.load(path) == []
    assert outcomes.record("pip/x", "abc", "worked", path)
    assert outcomes.record("pip/x", "abc", "failed", path)
    assert not outcomes.record("pip/x", "abc", "meh", path)
    assert [o.outcome for o in outcomes.load(path)] == ["worked", "failed"]
    stored = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert set(stored[0]) == {"id", "fix", "outcome", "date"}  # nothing else is kept
    assert outcomes.tally(outcomes.load(path), "pip/x") == {"abc": (1, 2)}
    assert outcomes.record("a/b", "f", "worked", tmp_path / "missing" / "dir" / "o.jsonl")


def test_the_card_shows_what_worked_here_with_its_n() -> None:
    w = Workaround("Retry with more time", None, "pip install --timeout 120 <package>")
    record = Record(id="pip/x", signature="x", regex="x", workarounds=[w])
    mine = {outcomes.fix_id(w.action): (2, 3)}
    assert "worked for you 2 of 3 times" in render_markdown(make_card(record, mine=mine))
    assert "worked for you 2 of 3 times" in render_text(make_card(record, mine=mine))
    assert "worked for you" not in render_markdown(make_card(record))


def test_cli_lists_and_clears(tmp_path: Path) -> None:
    env = {**os.environ, "ERRSIG_DATA_DIR": str(tmp_path)}
    outcomes.record("pip/read-timeout", "abc123", "worked", tmp_path / "outcomes.jsonl")

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "errsig", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    assert "pip/read-timeout  fix abc123: worked for you 1 of 1 time" in run("outcomes")
    assert json.loads(run("outcomes", "--format", "json"))[0]["outcome"] == "worked"
    run("outcomes", "--clear")
    assert "No outcomes recorded yet" in run("outcomes")
