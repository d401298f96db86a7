"""Loading packs (folders of records) into a catalogue, reporting every problem.

A pack is a folder of JSON files, in the project's record schema or as deadends.dev
canons (detected per file). Nothing here raises on bad input: a broken record is
reported with its file, JSON path and reason, skipped, and the rest still loads.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import attrs

from errsig.core.kb.canons import canon_to_record, is_canon
from errsig.core.kb.convert import RecordError, structure_record
from errsig.core.kb.model import Record
from errsig.core.kb.problems import Problem

MAX_RECORD_BYTES = 1 << 20
_ID = re.compile(r"[a-z0-9][a-z0-9._+-]*(?:/[a-z0-9][a-z0-9._+-]*)+", re.IGNORECASE)


@attrs.define(frozen=True)
class LoadedRecord:
    record: Record
    file: str
    pack: str
    trusted: bool  # built-in records run with Python re; user packs with RE2


@attrs.define
class PackContents:
    name: str
    records: list[LoadedRecord] = attrs.field(factory=list)
    problems: list[Problem] = attrs.field(factory=list)
    digest: str = ""


def builtin_seeds_dir() -> Path:
    """The built-in catalogue: inside the wheel, or ``seeds/`` of a source checkout."""
    packaged = Path(str(resources.files("errsig"))) / "seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[4] / "seeds"


def _display(path: Path, root: Path, label: str) -> str:
    try:
        return f"{label}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _json_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json") if p.is_file())


def load_pack(root: Path, *, trusted: bool = False, label: str | None = None) -> PackContents:
    root = Path(root)
    name = label or root.name
    contents = PackContents(name=name)
    if not root.is_dir():
        contents.problems.append(Problem(str(root), "$", "pack folder does not exist"))
        return contents
    digest = hashlib.sha256()
    for path in _json_files(root):
        shown = _display(path, root, name)
        try:
            size = path.stat().st_size
            if size > MAX_RECORD_BYTES:
                contents.problems.append(
                    Problem(shown, "$", f"file is {size} bytes; records are at most 1 MiB")
                )
                continue
            raw = path.read_bytes()
        except OSError as exc:
            contents.problems.append(Problem(shown, "$", f"cannot read: {exc.strerror or exc}"))
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + raw)
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            contents.problems.append(Problem(shown, "$", f"not UTF-8: {exc.reason} at byte {exc.start}"))
            continue
        except json.JSONDecodeError as exc:
            contents.problems.append(
                Problem(shown, "$", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
            )
            continue
        canon = is_canon(data)
        try:
            record = canon_to_record(data) if canon else structure_record(data)
        except RecordError as exc:
            for json_path, reason in exc.problems:
                contents.problems.append(Problem(shown, json_path, reason))
            continue
        if not _ID.fullmatch(record.id):
            contents.problems.append(
                Problem(shown, "$.id", f"expected an id like 'domain/slug', got {record.id!r}")
            )
            continue
        if not canon:
            expected = path.relative_to(root).with_suffix("").as_posix()
            if record.id != expected:
                contents.problems.append(
                    Problem(
                        shown, "$.id", f"id {record.id!r} does not match its path (expected {expected!r})"
                    )
                )
                continue
        contents.records.append(LoadedRecord(record, shown, name, trusted))
    contents.digest = digest.hexdigest()
    return contents


def load_packs(extra: Iterable[Path] = (), *, builtin: bool = True) -> list[PackContents]:
    packs = []
    if builtin:
        packs.append(load_pack(builtin_seeds_dir(), trusted=True, label="seeds"))
    for root in extra:
        packs.append(load_pack(Path(root), trusted=False))
    return packs
