"""Outcomes measured where they happen: the user's own machine.

When an errsig fix is applied or its command run, and the same log, transcript or terminal
later shows that step succeeding or the same error again, the outcome is kept here: one
JSON line with the signature id, the workaround id, ``worked`` or ``failed`` and the date —
no command text, no path. The folder is the per-user data folder (``ERRSIG_DATA_DIR``
overrides). Reading never raises (a damaged line is skipped) and the file stays bounded.
These are the only percentages errsig shows, always with their n."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import attrs
import platformdirs

MAX_LINES = 10_000
OUTCOMES = ("worked", "failed")


def data_dir() -> Path:
    override = os.environ.get("ERRSIG_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("errsig", appauthor=False))


def store_path() -> Path:
    return data_dir() / "outcomes.jsonl"


def fix_id(action: str) -> str:
    """A workaround's id: stable while its title stays the same, whatever the order."""
    return hashlib.sha256(action.encode("utf-8")).hexdigest()[:12]


@attrs.define(frozen=True)
class Outcome:
    id: str
    fix: str
    outcome: str
    date: str


def _valid(data: object) -> Outcome | None:
    if not isinstance(data, dict):
        return None
    values = [data.get(k) for k in ("id", "fix", "outcome", "date")]
    if not all(isinstance(v, str) and 0 < len(v) <= 200 for v in values) or data["outcome"] not in OUTCOMES:
        return None
    return Outcome(*values)  # type: ignore[arg-type]


def load(path: Path | None = None) -> list[Outcome]:
    path = path or store_path()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()[-MAX_LINES:]
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            item = _valid(json.loads(line))
        except ValueError:
            continue
        if item is not None:
            out.append(item)
    return out


def record(signature: str, fix: str, outcome: str, path: Path | None = None) -> bool:
    """Keep one outcome; False when it could not be written (never raises)."""
    if outcome not in OUTCOMES:
        return False
    path = path or store_path()
    item = {"id": signature, "fix": fix, "outcome": outcome, "date": dt.date.today().isoformat()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = [attrs.asdict(o) for o in load(path)][-(MAX_LINES - 1) :]
        kept.append(item)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(k) + "\n" for k in kept), "utf-8")
        tmp.replace(path)
    except OSError:
        return False
    return True


def clear(path: Path | None = None) -> None:
    with contextlib.suppress(OSError):
        (path or store_path()).unlink()


def tally(outcomes: Iterable[Outcome], signature: str) -> dict[str, tuple[int, int]]:
    """``fix id -> (worked, tried)`` for one signature."""
    out: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        if o.id != signature:
            continue
        worked, tried = out.get(o.fix, (0, 0))
        out[o.fix] = (worked + (o.outcome == "worked"), tried + 1)
    return out


def words(worked: int, tried: int) -> str:
    return f"worked for you {worked} of {tried} time{'s' if tried != 1 else ''}"
