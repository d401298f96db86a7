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
from errsig.core.kb.jsonfile import read_json, write_json
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


def _json_files(root: Path, label: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The ``*.json`` entries under ``root`` (no symlinked folders followed) with their
    paths relative to it (POSIX form), in path order, and the ones that are not regular
    files or cannot be listed. One ``scandir`` per folder, whose entries know their type
    (``os.walk`` plus a ``stat`` per file was a tenth of a CLI start)."""
    files: list[tuple[str, str]] = []
    problems: list[Problem] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            where = _display(Path(exc.filename), root, label) if exc.filename else label
            problems.append(Problem(where, "$", f"cannot list: {exc.strerror or exc}"))
            return
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.name.endswith(".json"):
                    # is_file() follows a symlinked file, as the read will
                    if entry.is_file():
                        files.append((entry.path, rel))
                    else:
                        problems.append(Problem(f"{label}/{rel}", "$", "not a regular file"))
                elif entry.is_dir(follow_symlinks=False):
                    visit(entry.path, rel + "/")
            except OSError as exc:
                problems.append(Problem(f"{label}/{rel}", "$", f"cannot read: {exc.strerror or exc}"))

    visit(os.fspath(root), "")
    # the order pathlib gives (by path parts), which the catalogue's "first defined" follows
    files.sort(key=lambda item: item[1].split("/"))
    return files, problems


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


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_regular(path: str) -> tuple[bytes | None, str]:
    """The bytes of the regular file at ``path`` if it is at most MAX_RECORD_BYTES, else why
    not. Opened without blocking and checked after opening, so a FIFO put in a record's place
    after the listing cannot stall the load."""
    fd = os.open(path, _OPEN_FLAGS)
    with open(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        if st.st_size > MAX_RECORD_BYTES:
            return None, f"file is {st.st_size} bytes; records are at most 1 MiB"
        return fh.read(st.st_size + 1), ""  # bounded even if it grows meanwhile


def _sha256() -> Any:
    import hashlib  # noqa: PLC0415

    return hashlib.sha256()


SNAPSHOT = "trusted-records-v1.json"  # in the cache folder: the built-in pack's parsed files
SNAPSHOT_MAX_BYTES = 64 << 20


def _stats(files: list[tuple[str, str]]) -> list[list[Any]] | None:
    out: list[list[Any]] = []
    for path, rel in files:
        try:
            st = os.stat(path)
        except OSError:
            return None
        out.append([rel, st.st_size, st.st_mtime_ns])
    return out


def _snapshot(folder: Path, root: Path, stats: list[list[Any]]) -> list[Any] | None:
    """The parsed files of an earlier load of the same files (names, sizes and times), or None."""
    kept = read_json(folder / SNAPSHOT, SNAPSHOT_MAX_BYTES)
    if not isinstance(kept, dict) or kept.get("root") != os.fspath(root) or kept.get("files") != stats:
        return None
    values = kept.get("data")
    return values if isinstance(values, list) and len(values) == len(stats) else None


def _keep_snapshot(folder: Path, root: Path, stats: list[list[Any]], values: list[Any]) -> None:
    write_json(folder / SNAPSHOT, {"root": os.fspath(root), "files": stats, "data": values})


def load_pack(
    root: Path, *, trusted: bool = False, label: str | None = None, cache: Path | None = None
) -> PackContents:
    """Every record of the pack at ``root``; never raises: what cannot load is a Problem.

    ``cache`` (a trusted pack only): a folder where the parsed files are kept with their
    names, sizes and times, so the next load of the same files reads one file instead of
    hundreds (the files are read again when any of them changed). The records are
    structured and checked from it exactly as from the files."""
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
    stats = _stats(files) if trusted and cache is not None else None
    kept = _snapshot(cache, root, stats) if cache is not None and stats is not None else None
    parsed: list[Any] = []
    for i, (path, rel) in enumerate(files):
        shown = f"{name}/{rel}"
        if kept is not None:
            data = kept[i]
        else:
            try:
                raw, why = _read_regular(path)
            except OSError as exc:
                raw, why = None, f"cannot read: {exc.strerror or exc}"
            if raw is None:
                contents.problems.append(Problem(shown, "$", why))
                continue
            if digest is not None:
                digest.update(rel.encode() + b"\0" + raw)
            data, error = _parse(raw)
            if error is not None:
                contents.problems.append(Problem(shown, "$", error))
                continue
            parsed.append(data)
        try:
            record, problems = _record(data, rel, shown)
        except Exception as exc:  # a shape no check foresaw: this file is skipped, not the pack
            record, problems = None, [Problem(shown, "$", f"cannot load: {type(exc).__name__}: {exc}"[:200])]
        contents.problems.extend(problems)
        if record is not None:
            contents.records.append(LoadedRecord(record, shown, name, trusted))
    contents.digest = digest.hexdigest() if digest is not None else ""
    if cache is not None and stats is not None and kept is None and len(parsed) == len(files):
        _keep_snapshot(cache, root, stats, parsed)
    return contents


def load_packs(
    extra: Iterable[Path] = (), *, builtin: bool = True, cache: Path | None = None
) -> list[PackContents]:
    """``cache``: where the built-in pack's parsed files are kept (see :func:`load_pack`)."""
    packs = []
    if builtin:
        packs.append(load_pack(builtin_seeds_dir(), trusted=True, label="seeds", cache=cache))
    for root in extra:
        packs.append(load_pack(Path(root), trusted=False))
    return packs
