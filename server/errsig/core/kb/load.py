"""Loading packs (folders of records) into a catalogue, reporting every problem.

A pack is a folder of JSON files, in the project's record schema or as deadends.dev
canons (detected per file). Nothing here raises on bad input: a broken record is
reported with its file, JSON path and reason, skipped, and the rest still loads.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from errsig import package_root
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
    trusted: bool  # built-in: curated with samples, beats a foreign record on the same text


@attrs.define
class PackContents:
    name: str
    records: list[LoadedRecord] = attrs.field(factory=list)
    problems: list[Problem] = attrs.field(factory=list)
    digest: str = ""


def builtin_seeds_dir() -> Path:
    """The built-in catalogue: inside the wheel, or ``seeds/`` of a source checkout."""
    packaged = package_root() / "seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[4] / "seeds"


def _display(path: Path, root: Path, label: str) -> str:
    try:
        return f"{label}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _json_files(root: Path, label: str) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """The ``*.json`` entries under ``root`` (no symlinked folders followed) with their
    paths relative to it (POSIX form), and the ones that are not regular files or cannot
    be listed. Paths are joined as strings: pathlib's parsing was a fifth of a load."""
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    top = os.fspath(root)

    def unlisted(exc: OSError) -> None:
        where = _display(Path(exc.filename), root, label) if exc.filename else label
        problems.append(Problem(where, "$", f"cannot list: {exc.strerror or exc}"))

    for folder, dirs, names in os.walk(top, onerror=unlisted):
        dirs.sort()
        sub = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if sub == "." else sub + "/"
        for name in sorted([*names, *dirs]):
            if not name.endswith(".json"):
                continue
            full = os.path.join(folder, name)
            rel = prefix + name
            try:
                regular = stat.S_ISREG(os.stat(full).st_mode)
            except OSError as exc:
                problems.append(Problem(f"{label}/{rel}", "$", f"cannot read: {exc.strerror or exc}"))
                continue
            if regular:
                files.append((Path(full), rel))
            else:
                problems.append(Problem(f"{label}/{rel}", "$", "not a regular file"))
    return sorted(files, key=lambda item: item[0]), problems


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """The JSON value in ``raw``, or why there is none."""
    try:
        return json.loads(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        return None, f"invalid JSON: {exc}"


def _record(data: Any, rel: str, shown: str) -> tuple[Record | None, list[Problem]]:
    canon = is_canon(data)
    try:
        record = canon_to_record(data) if canon else structure_record(data)
    except RecordError as exc:
        return None, [Problem(shown, json_path, reason) for json_path, reason in exc.problems]
    if not _ID.fullmatch(record.id):
        return None, [Problem(shown, "$.id", f"expected an id like 'domain/slug', got {record.id!r}")]
    if not canon:
        expected = rel.removesuffix(".json")
        if record.id != expected:
            message = f"id {record.id!r} does not match its path (expected {expected!r})"
            return None, [Problem(shown, "$.id", message)]
    return record, []


def _sha256() -> Any:
    import hashlib  # noqa: PLC0415

    return hashlib.sha256()


def load_pack(root: Path, *, trusted: bool = False, label: str | None = None) -> PackContents:
    """Every record of the pack at ``root``; never raises: what cannot load is a Problem."""
    root = Path(root)
    name = label or root.name
    contents = PackContents(name=name)
    if not root.is_dir():
        contents.problems.append(Problem(str(root), "$", "pack folder does not exist"))
        return contents
    # Foreign packs are vetted, and the verdict is cached under the pack's digest; the
    # trusted built-in pack is never vetted, so its start-up skips hashing (and hashlib).
    digest = None if trusted else _sha256()
    files, contents.problems = _json_files(root, name)
    for path, rel in files:
        shown = f"{name}/{rel}"
        try:
            size = os.stat(path).st_size
            if size > MAX_RECORD_BYTES:
                contents.problems.append(
                    Problem(shown, "$", f"file is {size} bytes; records are at most 1 MiB")
                )
                continue
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            contents.problems.append(Problem(shown, "$", f"cannot read: {exc.strerror or exc}"))
            continue
        if digest is not None:
            digest.update(rel.encode() + b"\0" + raw)
        data, error = _parse(raw)
        if error is not None:
            contents.problems.append(Problem(shown, "$", error))
            continue
        try:
            record, problems = _record(data, rel, shown)
        except Exception as exc:  # a shape no check foresaw: this file is skipped, not the pack
            record, problems = None, [Problem(shown, "$", f"cannot load: {type(exc).__name__}: {exc}"[:200])]
        contents.problems.extend(problems)
        if record is not None:
            contents.records.append(LoadedRecord(record, shown, name, trusted))
    contents.digest = digest.hexdigest() if digest is not None else ""
    return contents


def load_packs(extra: Iterable[Path] = (), *, builtin: bool = True) -> list[PackContents]:
    packs = []
    if builtin:
        packs.append(load_pack(builtin_seeds_dir(), trusted=True, label="seeds"))
    for root in extra:
        packs.append(load_pack(Path(root), trusted=False))
    return packs
