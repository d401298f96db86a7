"""Loading packs (folders of records) into a catalogue, reporting every problem.

A pack is a folder of JSON files, in the project's record schema or as deadends.dev
canons (detected per file). Nothing here raises on bad input: a broken record is
reported with its file, JSON path and reason, skipped, and the rest still loads.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from errsig import package_root
from errsig.core.kb.jsonfile import read_json, write_json
from errsig.core.kb.model import Record, record_from_checked
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
    # The converter (cattrs) is imported here, not at start-up: a start from the trusted
    # pack's snapshot never needs it.
    from errsig.core.kb.canons import canon_to_record, is_canon  # noqa: PLC0415
    from errsig.core.kb.convert import RecordError, structure_record  # noqa: PLC0415

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


SNAPSHOT = "trusted-records-v2.json"  # in the cache folder: the built-in pack's checked records
SNAPSHOT_MAX_BYTES = 64 << 20


def _stats(files: list[tuple[str, str]], *, changed: bool = False) -> list[list[Any]] | None:
    """Each file's name, size and modification time (``changed``: also the time its inode last
    changed, which no one can set back), or None when one cannot be read."""
    out: list[list[Any]] = []
    for path, rel in files:
        try:
            st = os.stat(path)
        except OSError:
            return None
        entry = [rel, st.st_size, st.st_mtime_ns]
        out.append([*entry, st.st_ctime_ns] if changed else entry)
    return out


RACY_NS = 3_000_000_000
"""A file changed this recently when its pack is kept could change again within the same
timestamp (coarse file-system clocks) without its times showing it: such a pack is kept by
its digest only, and its files are read at the next load (git treats its index the same way)."""


def _settled(stats: list[list[Any]]) -> bool:
    import time  # noqa: PLC0415

    newest = max((max(entry[2], entry[3]) for entry in stats), default=0)
    return newest < time.time_ns() - RACY_NS


def _from_snapshot(folder: Path, root: Path, stats: list[list[Any]], name: str) -> list[LoadedRecord] | None:
    """The records of an earlier load of the same files (names, sizes and times), built from
    their checked form; None when there is no such snapshot or it does not hold together."""
    kept = read_json(folder / SNAPSHOT, SNAPSHOT_MAX_BYTES)
    if not isinstance(kept, dict) or kept.get("root") != os.fspath(root) or kept.get("files") != stats:
        return None
    values = kept.get("records")
    if not isinstance(values, list) or len(values) != len(stats):
        return None
    out: list[LoadedRecord] = []
    try:
        for (rel, _, _), data in zip(stats, values, strict=True):
            record = record_from_checked(data)
            if record.id != rel.removesuffix(".json"):  # a snapshot that is not this pack's
                return None
            out.append(LoadedRecord(record, f"{name}/{rel}", name, True))
    except (TypeError, KeyError, AttributeError, ValueError):  # not written by this version
        return None
    return out


def _keep_snapshot(folder: Path, root: Path, stats: list[list[Any]], records: list[LoadedRecord]) -> None:
    from errsig.core.kb.convert import CONVERTER  # noqa: PLC0415  # imported by the load already

    values = [CONVERTER.unstructure(r.record) for r in records]
    write_json(folder / SNAPSHOT, {"root": os.fspath(root), "files": stats, "records": values})


FOREIGN = "pack-records-v1-{}.json"  # in the cache folder: a foreign pack's records, by its digest


def _foreign_file(folder: Path, root: Path) -> Path:
    return folder / FOREIGN.format(_sha256_of(os.fspath(root))[:24])


def _sha256_of(text: str) -> str:
    h = _sha256()
    h.update(text.encode("utf-8", "surrogatepass"))
    return str(h.hexdigest())


def _foreign_snapshot(
    folder: Path, root: Path, name: str, *, digest: str | None = None, stats: list[list[Any]] | None = None
) -> tuple[list[LoadedRecord], list[Problem], str, dict[str, Any]] | None:
    """The records, problems and digest a load of exactly these bytes gave: known by the
    pack's ``digest``, or by the files' names, sizes and times (``stats``) when the files were
    all read then and had settled (see RACY_NS)."""
    kept = read_json(_foreign_file(folder, root), SNAPSHOT_MAX_BYTES)
    if not isinstance(kept, dict) or kept.get("root") != os.fspath(root):
        return None
    known = kept.get("digest")
    if not isinstance(known, str) or (digest is not None and known != digest):
        return None
    if digest is None and (stats is None or kept.get("files") != stats):
        return None
    try:
        records = [
            LoadedRecord(record_from_checked(data), f"{name}/{rel}", name, False)
            for rel, data in kept["records"]
        ]
        problems = [
            Problem(f"{name}/{rel}", str(path), str(message), str(severity))
            for rel, path, message, severity in kept["problems"]
        ]
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    return records, problems, known, kept


def _keep_foreign_snapshot(
    folder: Path,
    root: Path,
    digest: str,
    name: str,
    records: list[LoadedRecord],
    problems: list[Problem],
    stats: list[list[Any]] | None,
) -> None:
    from errsig.core.kb.convert import CONVERTER  # noqa: PLC0415  # imported by the load already

    prefix = f"{name}/"
    if not all(e.file.startswith(prefix) for e in records) or not all(
        p.file.startswith(prefix) for p in problems
    ):
        return
    write_json(
        _foreign_file(folder, root),
        {
            "root": os.fspath(root),
            "digest": digest,
            "files": stats if stats is not None and _settled(stats) else None,
            "records": [[e.file.removeprefix(prefix), CONVERTER.unstructure(e.record)] for e in records],
            "problems": [[p.file.removeprefix(prefix), p.path, p.message, p.severity] for p in problems],
        },
    )


def load_pack(
    root: Path, *, trusted: bool = False, label: str | None = None, cache: Path | None = None
) -> PackContents:
    """Every record of the pack at ``root``; never raises: what cannot load is a Problem.

    ``cache``: a folder where the pack's records are kept as the converter checked them.
    A trusted pack's are kept with the files' names, sizes and times: the next load of the
    same files reads that one file and builds the records without checking them again (nor
    importing the converter); any change to the files means a full load; a trusted pack with
    any problem is never kept. A foreign pack's records and problems are kept under its
    digest (the hash of its files' bytes, which also keys its vetting), so only the same
    bytes give the same records (thousands of canons: ~0.25 s of checking saved). With them
    go the files' names, sizes and times, the inode's change time included (no one can set
    it back), so a load of files unchanged since they were all read reads and hashes none of
    them (1,922 canons: ~40 ms)."""
    root = Path(root)
    name = label or root.name
    contents = PackContents(name=name)
    if not root.is_dir():
        contents.problems.append(Problem(str(root), "$", "pack folder does not exist"))
        return contents
    files, contents.problems = _json_files(root, name)
    stats = None
    if cache is not None and not contents.problems:
        stats = _stats(files, changed=not trusted)
    if cache is not None and stats is not None:
        if trusted:
            kept = _from_snapshot(cache, root, stats, name)
            if kept is not None:
                contents.records = kept
                return contents
        else:  # the same files, unchanged since a load that read them all
            known = _foreign_snapshot(cache, root, name, stats=stats)
            if known is not None:
                contents.records, kept_problems, contents.digest, _ = known
                contents.problems.extend(kept_problems)
                return contents
    # Foreign packs are vetted, and the verdict is cached under the pack's digest; the
    # trusted built-in pack is never vetted, so its start-up skips hashing (and hashlib).
    digest = None if trusted else _sha256()
    read: list[tuple[str, str, bytes]] = []
    for path, rel in files:
        shown = f"{name}/{rel}"
        try:
            raw, why = _read_regular(path)
        except OSError as exc:
            raw, why = None, f"cannot read: {exc.strerror or exc}"
        if raw is None:
            contents.problems.append(Problem(shown, "$", why))
            continue
        if digest is not None:
            digest.update(rel.encode() + b"\0" + raw)
        read.append((rel, shown, raw))
    contents.digest = digest.hexdigest() if digest is not None else ""
    foreign = cache is not None and not trusted
    if len(read) != len(files):
        stats = None  # not every file was read: the next load reads them again
    if foreign and cache is not None:  # the same bytes as a load before: its records and problems
        known = _foreign_snapshot(cache, root, name, digest=contents.digest)
        if known is not None:
            contents.records.extend(known[0])
            contents.problems.extend(known[1])
            snapshot = known[3]
            if stats is not None and snapshot.get("files") != stats and _settled(stats):
                snapshot["files"] = stats  # unchanged bytes, other times (touched, copied): kept anew
                with contextlib.suppress(Exception):
                    write_json(_foreign_file(cache, root), snapshot)
            return contents
    found: list[Problem] = []  # what the files' contents cause (a foreign snapshot keeps them)
    for rel, shown, raw in read:
        data, error = _parse(raw)
        if error is not None:
            found.append(Problem(shown, "$", error))
            continue
        try:
            record, problems = _record(data, rel, shown)
        except Exception as exc:  # a shape no check foresaw: this file is skipped, not the pack
            record, problems = None, [Problem(shown, "$", f"cannot load: {type(exc).__name__}: {exc}"[:200])]
        found.extend(problems)
        if record is not None:
            contents.records.append(LoadedRecord(record, shown, name, trusted))
    contents.problems.extend(found)
    try:  # snapshots are an optimisation: the load stands without them
        if (
            cache is not None
            and trusted
            and stats is not None
            and not contents.problems
            and len(contents.records) == len(files)
        ):
            _keep_snapshot(cache, root, stats, contents.records)
        if foreign and cache is not None:
            _keep_foreign_snapshot(cache, root, contents.digest, name, contents.records, found, stats)
    except Exception:
        pass
    return contents


def load_packs(
    extra: Iterable[Path] = (), *, builtin: bool = True, cache: Path | None = None
) -> list[PackContents]:
    """``cache``: where the packs' checked records are kept (see :func:`load_pack`)."""
    packs = []
    if builtin:
        packs.append(load_pack(builtin_seeds_dir(), trusted=True, label="seeds", cache=cache))
    for root in extra:
        packs.append(load_pack(Path(root), trusted=False, cache=cache))
    return packs
