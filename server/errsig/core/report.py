"""Known failures across a whole archive of logs: which cost most, since when, and where.

``errsig report`` scans every log of folders and ``.zip`` / ``.tar`` / ``.tar.gz`` archives
with the same scanner as ``errsig scan`` (one worker process per core, each scanning whole
inputs) and aggregates the findings into one JSON-able document: per signature how many
logs show it, how often, first and last seen, in which groups (a pattern over the log's
path), with example lines; the errors no record knows, clustered by their normalised text;
totals and the scan's own figures.

The pieces are split so that another engine can run them: :func:`summarise` turns one log's
findings into a small plain dict (what a worker sends back), :func:`aggregate` folds any
number of those into the document; the document does not depend on the order of the logs.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import io
import multiprocessing
import os
import re
import stat
import tarfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from errsig.core.pip.credentials import mask_credentials
from errsig.core.scan.files import BinaryFileError, scan_stream
from errsig.core.scan.findings import Finding
from errsig.core.scan.logscan import LogScanner

SCHEMA = "errsig-report/1"
EXAMPLES = 3  # example lines kept per signature (and per unknown cluster)
HEAD = 64 << 10  # bytes of a log looked at for its first timestamp
_TIMESTAMP = re.compile(rb"(20\d\d-[01]\d-[0-3]\d)[T ]([0-2]\d:[0-5]\d:[0-5]\d)")
_ARCHIVE = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


@attrs.define(frozen=True)
class Task:
    """One unit of work: a file, or a whole archive (read once, member by member)."""

    path: str
    archive: bool = False
    rel: str = ""  # the path below the folder given on the command line (what --group-by sees)
    include: tuple[str, ...] = ()  # globs an archive's members must match (see ``wanted``)


def is_archive(path: str) -> bool:
    return path.lower().endswith(_ARCHIVE)


def wanted(name: str, include: Sequence[str]) -> bool:
    """Whether a file found in a folder or an archive is a log to scan: its base name matches one
    of the ``include`` globs (``*.log``), or no glob was given."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return not include or any(fnmatch.fnmatchcase(base, g) for g in include)


def tasks_for(paths: Iterable[str], include: Sequence[str] = ()) -> tuple[list[Task], list[dict[str, str]]]:
    """The tasks for files, folders (recursively, sorted) and archives; and what was skipped.
    Files named on the command line are always scanned; files found in folders only when
    ``wanted`` (archives are always opened, their members filtered the same way)."""
    tasks: list[Task] = []
    skipped: list[dict[str, str]] = []
    for raw in paths:
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as exc:
            skipped.append({"file": raw, "reason": exc.strerror or str(exc)})
            continue
        if stat.S_ISDIR(st.st_mode):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if not os.path.isfile(full):  # FIFOs, sockets, devices, dangling links
                        skipped.append({"file": full, "reason": "not a regular file"})
                        continue
                    if not is_archive(name) and not wanted(name, include):
                        continue
                    rel = os.path.relpath(full, p).replace(os.sep, "/")
                    tasks.append(Task(full, archive=is_archive(name), rel=rel, include=tuple(include)))
        elif stat.S_ISREG(st.st_mode):
            tasks.append(
                Task(raw, archive=is_archive(raw), rel=raw.replace(os.sep, "/"), include=tuple(include))
            )
        else:
            skipped.append({"file": raw, "reason": "not a regular file or folder"})
    return tasks, skipped


@attrs.define
class LogResult:
    """What scanning one log gives (sent from a worker to the parent)."""

    name: str
    size: int
    mtime: float
    first_timestamp: str | None
    findings: list[Finding] = attrs.field(factory=list)
    error: str | None = None
    rel: str = ""  # the name --group-by sees


def _first_timestamp(head: bytes) -> str | None:
    m = _TIMESTAMP.search(head)
    return f"{m.group(1).decode()}T{m.group(2).decode()}Z" if m else None


class _Counting(io.RawIOBase):
    """A read-only stream that keeps its first bytes (for the timestamp) and counts the rest."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.head = bytearray()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
        self.size += n
        return n


def _scan_one(scanner: LogScanner, name: str, stream: IO[bytes], mtime: float, rel: str) -> LogResult:
    counting = _Counting(stream)
    try:
        findings = scan_stream(scanner, io.BufferedReader(counting, 1 << 20), name)
        error = None
    except (BinaryFileError, OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
        findings, error = [], str(exc) or type(exc).__name__
    return LogResult(name, counting.size, mtime, _first_timestamp(bytes(counting.head)), findings, error, rel)


def scan_archive(
    scanner: LogScanner, name: str, rel: str, fh: IO[bytes], include: Sequence[str] = ()
) -> list[LogResult]:
    """Every regular member of a .zip or .tar(.gz/.bz2/.xz) archive (names ``archive!member``)
    that is ``wanted``."""
    out: list[LogResult] = []
    if name.lower().endswith(".zip"):
        with zipfile.ZipFile(fh) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not wanted(info.filename, include):
                    continue
                mtime = _dt.datetime(*info.date_time, tzinfo=_dt.timezone.utc).timestamp()
                with zf.open(info) as member:
                    out.append(
                        _scan_one(scanner, f"{name}!{info.filename}", member, mtime, f"{rel}/{info.filename}")
                    )
        return out
    with tarfile.open(fileobj=fh, mode="r:*") as tf:
        for m in tf:  # streamed in archive order: a .tar.gz is decompressed once
            if not m.isreg() or not wanted(m.name, include):
                continue
            extracted = tf.extractfile(m)
            if extracted is not None:
                out.append(
                    _scan_one(scanner, f"{name}!{m.name}", extracted, float(m.mtime), f"{rel}/{m.name}")
                )
    return out


_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, ValueError)


def scan_task(scanner: LogScanner, task: Task) -> list[LogResult]:
    """Scan one file, or every regular member of one archive."""
    try:
        # Opened without blocking and checked: a FIFO or device put in the folder (or in place
        # of a file after it was listed) is reported, never read (a read could wait forever).
        fd = os.open(task.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(f"{task.path}: not a regular file")
        with os.fdopen(fd, "rb") as fh:
            if task.archive:
                return scan_archive(scanner, task.path, task.rel, fh, task.include)
            return [_scan_one(scanner, task.path, fh, os.fstat(fh.fileno()).st_mtime, task.rel)]
    except _READ_ERRORS as exc:
        return [LogResult(task.path, 0, 0.0, None, [], str(exc) or type(exc).__name__, task.rel)]


_WORKER: dict[str, LogScanner] = {}


def _scan_task_in_worker(task: Task) -> list[LogResult]:
    return scan_task(_WORKER["scanner"], task)


def scan_tasks(scanner: LogScanner, tasks: Sequence[Task], workers: int) -> Iterator[LogResult]:
    """Results of ``tasks`` in their order: in forked worker processes when ``workers`` > 1
    (they inherit the loaded catalogue), else here."""
    if workers <= 1 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for task in tasks:
            yield from scan_task(scanner, task)
        return
    _WORKER["scanner"] = scanner
    records = {s.record.id: s.record for s in scanner.matcher.signatures}
    try:
        with multiprocessing.get_context("fork").Pool(processes=min(workers, len(tasks))) as pool:
            for results in pool.imap(_scan_task_in_worker, tasks, chunksize=4):
                for r in results:
                    for f in r.findings:
                        f.record = records.get(f.id, f.record)
                    yield r
    finally:
        _WORKER.clear()


# -- one log -> a summary -------------------------------------------------------------------

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_PATHISH = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[\w.+-]+[\\/])+[\w.+-]*")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b[0-9a-f]{8,}\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def normalise(text: str) -> str:
    """An unknown error's text with what varies between runs (quoted names, paths, numbers,
    hashes) replaced, so the same error from many logs falls into one cluster."""
    text = mask_credentials(text)[0]
    text = _QUOTED.sub("'…'", text)
    text = _PATHISH.sub("PATH", text)
    text = _HEX.sub("HEX", text)
    text = _NUMBER.sub("N", text)
    return " ".join(text.split())[:200]


def group_matcher(pattern: str | None) -> re.Pattern[str] | None:
    """``{repo}/{workflow}/*/…`` -> a regex over a log's path below the folder given (inside
    an archive: the archive's path, then the member's): ``{name}`` is one path segment kept as
    a group field, ``*`` one segment, ``…`` or ``**`` anything; the rest of the path may follow."""
    if not pattern:
        return None
    parts = []
    for seg in pattern.strip("/").split("/"):
        if seg in ("…", "**", "..."):
            parts.append(".*")
            continue
        out = ""
        for token in re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\}|\*)", seg):
            if token == "*":
                out += "[^/]*"
            elif token.startswith("{") and token.endswith("}"):
                out += f"(?P<{token[1:-1]}>[^/]+)"
            else:
                out += re.escape(token)
        parts.append(out)
    return re.compile("^" + "/".join(parts) + r"(?:/|$)")


def group_of(name: str, matcher: re.Pattern[str] | None) -> dict[str, str]:
    if matcher is None:
        return {}
    m = matcher.match(name.replace("\\", "/"))
    return {k: v for k, v in m.groupdict().items() if v is not None} if m else {"group": "(other)"}


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def summarise(result: LogResult, matcher: re.Pattern[str] | None = None) -> dict[str, Any]:
    """One log's findings as a small plain dict: what :func:`aggregate` folds."""
    when = result.first_timestamp or (_iso(result.mtime) if result.mtime else None)
    items = []
    for f in result.findings:
        text = mask_credentials(f.match)[0]  # the clean text: no escape sequence from the log
        items.append(
            {
                "id": f.id,
                "line": f.line + 1,
                "severity": f.severity,
                "unknown": f.unknown,
                "symptom": f.caused_by is not None,
                "text": " ".join(text.split())[:300],
                "cluster": normalise(f.match) if f.unknown else None,
            }
        )
    return {
        "file": result.name,
        "bytes": result.size,
        "time": when,
        "group": group_of(result.rel or result.name, matcher),
        "error": result.error,
        "findings": items,
    }


# -- summaries -> the document --------------------------------------------------------------


def _group_key(group: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(group.items()))


def aggregate(
    summaries: Iterable[dict[str, Any]], titles: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The report document (without the ``scan`` figures, which the caller adds). The same
    summaries in any order give the same document."""
    titles = titles or {}
    sigs: dict[str, dict[str, Any]] = {}
    clusters: dict[tuple[str, str], dict[str, Any]] = {}
    totals = {"logs": 0, "logs_with_errors": 0, "logs_with_findings": 0, "findings": 0, "bytes": 0}
    unreadable: list[dict[str, str]] = []
    for s in sorted(summaries, key=lambda s: s["file"]):
        totals["logs"] += 1
        totals["bytes"] += s["bytes"]
        if s["error"]:
            unreadable.append({"file": s["file"], "reason": s["error"]})
            continue
        findings = s["findings"]
        totals["findings"] += len(findings)
        if findings:
            totals["logs_with_findings"] += 1
        if any(f["severity"] == "error" and not f["unknown"] for f in findings):
            totals["logs_with_errors"] += 1
        day = s["time"][:10] if s["time"] else None
        gk = _group_key(s["group"])
        for f in findings:
            if f["unknown"]:
                key = (f["id"], f["cluster"] or "")
                entry = clusters.setdefault(
                    key,
                    {
                        "tool": f["id"],
                        "text": key[1],
                        "files": set(),
                        "findings": 0,
                        "times": [],
                        "examples": [],
                    },
                )
            else:
                entry = sigs.setdefault(
                    f["id"],
                    {
                        "id": f["id"],
                        "files": set(),
                        "findings": 0,
                        "symptom": 0,
                        "times": [],
                        "examples": [],
                        "by_day": {},
                        "groups": {},
                        "severity": f["severity"],
                    },
                )
                entry["symptom"] += f["symptom"]
                g = entry["groups"].setdefault(gk, {"group": dict(gk), "files": set(), "findings": 0})
                g["files"].add(s["file"])
                g["findings"] += 1
                if day and s["file"] not in entry["files"]:
                    entry["by_day"][day] = entry["by_day"].get(day, 0) + 1
                if f["severity"] == "error":
                    entry["severity"] = "error"
            entry["findings"] += 1
            if s["time"]:
                entry["times"].append(s["time"])
            if s["file"] not in entry["files"] and len(entry["examples"]) < EXAMPLES:
                entry["examples"].append({"file": s["file"], "line": f["line"], "text": f["text"]})
            entry["files"].add(s["file"])
    signatures = []
    for sid, e in sigs.items():
        meta = titles.get(sid, {})
        signatures.append(
            {
                "id": sid,
                "title": meta.get("title", sid),
                "domain": sid.split("/", 1)[0],
                "severity": e["severity"],
                "logs": len(e["files"]),
                "findings": e["findings"],
                "as_symptom": e["symptom"],
                "first_seen": min(e["times"]) if e["times"] else None,
                "last_seen": max(e["times"]) if e["times"] else None,
                "by_day": dict(sorted(e["by_day"].items())),
                "groups": sorted(
                    (
                        {"group": g["group"], "logs": len(g["files"]), "findings": g["findings"]}
                        for g in e["groups"].values()
                    ),
                    key=lambda g: (-g["logs"], sorted(g["group"].items())),
                ),
                "examples": e["examples"],
                "root_cause": meta.get("root_cause", ""),
                "doc_url": meta.get("doc_url"),
            }
        )
    signatures.sort(key=lambda x: (-x["logs"], -x["findings"], x["id"]))
    unknown = [
        {
            "tool": e["tool"],
            "text": e["text"],
            "logs": len(e["files"]),
            "findings": e["findings"],
            "first_seen": min(e["times"]) if e["times"] else None,
            "last_seen": max(e["times"]) if e["times"] else None,
            "examples": e["examples"],
        }
        for e in clusters.values()
    ]
    unknown.sort(key=lambda x: (-x["logs"], -x["findings"], x["tool"], x["text"]))
    totals["known_findings"] = sum(x["findings"] for x in signatures)
    totals["unknown_findings"] = sum(x["findings"] for x in unknown)
    return {
        "schema": SCHEMA,
        "totals": totals,
        "signatures": signatures,
        "unknown": unknown,
        "unreadable": unreadable,
    }


def titles_for(scanner: LogScanner) -> dict[str, dict[str, Any]]:
    """What the document shows of each record: its title, root cause and documentation."""
    out = {}
    for s in scanner.matcher.signatures:
        r = s.record
        first = r.signature.strip().splitlines()[0] if r.signature.strip() else r.id
        out[r.id] = {"title": first, "root_cause": r.root_cause, "doc_url": r.official_doc_url}
    return out


def report(
    scanner: LogScanner,
    paths: Sequence[str],
    *,
    workers: int = 1,
    group_by: str | None = None,
    include: Sequence[str] = (),
    progress: Any = None,
) -> tuple[dict[str, Any], list[LogResult]]:
    """The report document for ``paths`` and the per-log results (for SARIF)."""
    t0 = time.perf_counter()
    tasks, skipped = tasks_for(paths, include)
    matcher = group_matcher(group_by)
    results: list[LogResult] = []
    summaries = []
    for r in scan_tasks(scanner, tasks, workers):
        results.append(r)
        summaries.append(summarise(r, matcher))
        if progress is not None:
            progress(len(results), r)
    doc = aggregate(summaries, titles_for(scanner))
    doc["group_by"] = group_by
    doc["include"] = list(include)
    doc["unreadable"] = sorted(doc["unreadable"] + skipped, key=lambda x: x["file"])
    seconds = time.perf_counter() - t0
    doc["scan"] = {
        "engine": "processes" if workers > 1 else "one process",
        "workers": workers,
        "inputs": len(tasks),
        "seconds": round(seconds, 3),
        "mb_per_s": round(doc["totals"]["bytes"] / 1e6 / seconds, 1) if seconds > 0 else None,
    }
    return doc, results
