"""Files on disk that are not open: the workspace scan, client or own file watching,
and rescans of growing logs (only their new tail)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as t

from errsig.core.scan import kinds
from errsig.core.scan.files import PARALLEL_MIN, BinaryFileError, TailState, scan_growing
from errsig.core.scan.findings import Finding

if TYPE_CHECKING:
    from errsig.core.scan.parallel import FilePool
    from errsig.lsp.server import ErrsigServer

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
}
REGISTRATION_ID = "errsig-watch"
_REQUIREMENT_GLOBS = ("**/requirements*.txt", "**/requirements/*.txt", "**/constraints*.txt", "**/*.in")
_SCRIPT_GLOBS = (
    "**/Dockerfile*",
    "**/*.sh",
    "**/Makefile",
    "**/tox.ini",
    "**/.github/workflows/*.yml",
    "**/.github/workflows/*.yaml",
    "**/.gitlab-ci.yml",
)


def _relative(ls: ErrsigServer, path: Path) -> str | None:
    for root in ls.state.roots:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return None


def is_watched(ls: ErrsigServer, path: Path) -> bool:
    rel = _relative(ls, path)
    return rel is not None and kinds.matches_globs(rel, ls.state.settings.watch)


def _regular(path: Path) -> bool:
    """Only regular files are read: a FIFO, device or socket named *.log would block the
    read (or never end) and hold the server."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _classify(ls: ErrsigServer, path: Path) -> str | None:
    if not _regular(path):
        return None
    if is_watched(ls, path):
        return kinds.LOG
    kind = kinds.kind_of(str(path))
    return kind if kind in (kinds.REQUIREMENTS, kinds.SCRIPT) else None


def _walk(root: Path, limit: int = 20_000) -> Iterator[Path]:
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            count += 1
            if count > limit:
                return
            yield Path(dirpath) / name


async def start(ls: ErrsigServer) -> None:
    if ls.state.client.dynamic_watch:
        await _register(ls)
    else:
        ls.spawn(_own_watcher(ls))
    ls.state.initial_scan = ls.spawn(_initial_scan(ls, settle=True))


INITIAL_SCAN_GRACE = 0.5  # seconds after initialized: an editor sends the documents it shows first
SETTLE_LIMIT = 60.0  # seconds the first workspace scan waits at most for open documents


async def _settle(ls: ErrsigServer) -> None:
    """Let the documents an editor opens at start-up go first: the workspace scan starts
    once no big document is arriving and no open document's scan runs (an open log is then
    skipped by the workspace scan instead of being scanned twice at once)."""
    await asyncio.sleep(INITIAL_SCAN_GRACE)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_LIMIT
    while loop.time() < deadline:
        reader = getattr(ls.protocol, "frame_reader", None)
        arriving = bool(reader is not None and reader.big_frame)
        scanning = any(e.task is not None and not e.task.done() for e in ls.state.logs.values())
        if not arriving and not scanning:
            return
        await asyncio.sleep(0.05)


async def restart(ls: ErrsigServer) -> None:
    if ls.state.client.dynamic_watch:
        try:
            await ls.client_unregister_capability_async(
                t.UnregistrationParams(
                    unregisterations=[
                        t.Unregistration(id=REGISTRATION_ID, method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
                    ]
                )
            )
        except Exception as exc:
            ls.log(f"unregister watcher failed: {exc!r}")
        await _register(ls)
    await _initial_scan(ls)


async def _register(ls: ErrsigServer) -> None:
    globs = list(ls.state.settings.watch) + list(_REQUIREMENT_GLOBS) + list(_SCRIPT_GLOBS)
    options = t.DidChangeWatchedFilesRegistrationOptions(
        watchers=[t.FileSystemWatcher(glob_pattern=g) for g in globs]
    )
    try:
        await ls.client_register_capability_async(
            t.RegistrationParams(
                registrations=[
                    t.Registration(
                        id=REGISTRATION_ID,
                        method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )
    except Exception as exc:
        ls.log(f"client refused file watching ({exc!r}); watching files myself")
        ls.state.client.dynamic_watch = False
        ls.spawn(_own_watcher(ls))


async def _own_watcher(ls: ErrsigServer) -> None:
    roots = [str(r) for r in ls.state.roots if r.is_dir()]
    if not roots:
        return
    try:
        import watchfiles
    except ImportError:  # pragma: no cover - a dependency; polling is the last resort
        await _poll(ls)
        return

    def wanted(_change: object, path: str) -> bool:
        p = Path(path)
        return not any(part in SKIP_DIRS for part in p.parts) and _classify(ls, p) is not None

    try:
        async for changes in watchfiles.awatch(
            *roots, watch_filter=wanted, debounce=200, step=5, recursive=True
        ):
            from errsig.lsp import features

            for change, path in changes:
                uri = features.uri_of(Path(path))
                deleted = change == watchfiles.Change.deleted
                features.on_watched_files(
                    ls, [(uri, int(t.FileChangeType.Deleted if deleted else t.FileChangeType.Changed))]
                )
    except Exception as exc:
        ls.log(f"file watcher failed ({exc!r}); polling instead")
        await _poll(ls)


async def _poll(ls: ErrsigServer, interval: float = 1.0) -> None:
    sizes: dict[Path, tuple[int, int]] = {}
    while True:
        for root in ls.state.roots:
            for path in _walk(root):
                if _classify(ls, path) is None:
                    continue
                try:
                    st = path.stat()
                except OSError:
                    continue
                sig = (st.st_size, st.st_mtime_ns)
                if sizes.get(path) != sig:
                    if path in sizes:
                        rescan_file(ls, path)
                    sizes[path] = sig
        await asyncio.sleep(interval)


async def _initial_scan(ls: ErrsigServer, *, settle: bool = False) -> None:
    """Scan the workspace's matching files once, reporting work-done progress (``settle``:
    the logs wait for the documents the editor opens at start-up, see :func:`_settle`)."""
    classified = ((p, _classify(ls, p)) for root in ls.state.roots if root.is_dir() for p in _walk(root))
    files = [(p, kind) for p, kind in classified if kind]  # each file stat'ed and matched once
    # Requirements and scripts first (cheap), before anything awaits: links from logs find
    # them, and a code action asked for right after `initialized` sees them.
    logs = [p for p, kind in files if kind == kinds.LOG]
    for path, kind in files:
        if kind != kinds.LOG:
            note_file(ls, path, kind)
    token = f"errsig-scan-{id(files)}"
    progress = ls.state.client.progress and bool(logs)
    if progress:
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token, t.WorkDoneProgressBegin(title="errsig: scanning logs", percentage=0, cancellable=False)
            )
        except Exception as exc:
            ls.log(f"work done progress refused: {exc!r}")
            progress = False
    # Worker processes start now, so they load their catalogue while the editor's first
    # documents arrive; the logs are handed out once those have settled.
    pool = _pool_for(ls, logs) if logs else None
    if pool is not None:
        pool.start()
    ls.state.pool_running = pool is not None
    ls.state.walked.set()  # the catalogue's warm-up may start (features._start_warming)
    try:
        if logs and settle:
            await _settle(ls)
        pooled = _submit(ls, pool, logs) if pool is not None else {}
        if logs:  # the scan itself starts now (benchmarks/lsp_latency.py times it from here)
            where = f"in {pool.size} worker processes" if pool is not None and pooled else "in the server"
            ls.log(f"scanning {len(logs)} logs {where}")
        for i, path in enumerate(logs):
            if not await _take_pooled(ls, path, pooled.pop(path, None)):
                await asyncio.get_running_loop().run_in_executor(None, _prescan, ls, path)
            rescan_file(ls, path, force=True)
            if progress:
                ls.work_done_progress.report(
                    token,
                    t.WorkDoneProgressReport(message=path.name, percentage=int(100 * (i + 1) / len(logs))),
                )
            await asyncio.sleep(0)
    finally:
        if pool is not None:
            pool.close()
            ls.state.pool_running = False
    if logs:
        from errsig.lsp import features

        features.release_free_memory()  # the scans' buffers: ~30 MB of freed heap after a 50 MB log
    if progress:
        ls.work_done_progress.end(token, t.WorkDoneProgressEnd(message=f"{len(files)} files scanned"))


def _pool_for(ls: ErrsigServer, logs: list[Path]) -> FilePool | None:
    """Worker processes for the workspace's logs, when there is enough to scan that starting
    them pays (PARALLEL_MIN bytes, as the CLI decides for a file) and more than one core."""
    from errsig.core.loading import scanner_for
    from errsig.core.scan.parallel import FilePool, workers_for  # multiprocessing: when needed

    toolkit = ls.state.toolkit
    workers = workers_for(ls.state.settings.scan_workers)
    if toolkit is None or workers < 2 or len(logs) < 2:
        return None
    limit = ls.state.settings.max_file_size
    total = 0
    for path in logs:
        with contextlib.suppress(OSError):
            total += min(path.stat().st_size, limit)
    if total < PARALLEL_MIN:
        return None
    args = (tuple(str(p) for p in ls.state.pack_dirs()), ls.state.settings.unknown_errors)
    records = {s.record.id: s.record for s in toolkit.matcher.signatures}
    workers = min(workers, len(logs))
    try:
        pool = FilePool(scanner_for, args, workers, records)
    except (OSError, ValueError) as exc:
        ls.log(f"worker processes unavailable ({exc!r}); scanning in the server")
        return None
    ls.log(f"starting {workers} worker processes for {len(logs)} logs ({total >> 20} MB)")
    return pool


def _submit(ls: ErrsigServer, pool: FilePool, logs: list[Path]) -> dict[Path, asyncio.Future[Any]]:
    from errsig.lsp import features

    out: dict[Path, asyncio.Future[Any]] = {}
    for path in logs:
        uri = features.uri_of(path)
        if uri in ls.state.docs or uri in ls.state.tails:
            continue  # open in the editor, or already scanned: the server's own path
        try:
            out[path] = asyncio.wrap_future(pool.scan(path, ls.state.settings.max_file_size))
        except RuntimeError as exc:  # the pool broke or was shut down
            ls.log(f"worker processes failed ({exc!r}); scanning in the server")
            break
    return out


async def _take_pooled(ls: ErrsigServer, path: Path, future: asyncio.Future[Any] | None) -> bool:
    """Store what a worker scanned of ``path``; False when the server must scan it itself."""
    from errsig.lsp import features

    if future is None:
        return False
    try:
        state = await future
    except Exception as exc:  # a worker died: this file (and any after it) is scanned here
        ls.log(f"a worker process failed on {path.name} ({exc!r}); scanning in the server")
        return False
    uri = features.uri_of(path)
    if isinstance(state, TailState) and uri not in ls.state.docs and uri not in ls.state.tails:
        ls.state.tails[uri] = state
    return True  # scanned, or not scannable (binary, unreadable), as the server would find


def _prescan(ls: ErrsigServer, path: Path) -> None:
    """The first, possibly large, scan of a log runs in a worker thread."""
    from errsig.lsp import features

    uri = features.uri_of(path)
    if uri in ls.state.docs or ls.state.toolkit is None:
        return
    with contextlib.suppress(OSError, BinaryFileError):
        ls.state.tails[uri] = scan_growing(
            ls.state.toolkit.scanner,
            path,
            ls.state.tails.get(uri),
            max_bytes=ls.state.settings.max_file_size,
            editor_lines=True,
        )


async def initial_scan_done(ls: ErrsigServer) -> None:
    task = ls.state.initial_scan
    if task is not None and not task.done():
        await asyncio.shield(task)


def note_file(ls: ErrsigServer, path: Path, kind: str | None) -> None:
    from errsig.lsp import features, links

    uri = features.uri_of(path)
    if kind == kinds.REQUIREMENTS:
        ls.state.requirements_on_disk[uri] = path
        links.refresh_requirements_file(ls, uri)
    elif kind == kinds.SCRIPT:
        ls.state.scripts_on_disk[uri] = path


OFF_LOOP_BYTES = 1 << 20  # more new bytes than this are scanned in a worker thread
Fingerprint = list[tuple[str, int, int, tuple[int, ...], str | None]]


def rescan_file(ls: ErrsigServer, path: Path, *, force: bool = False) -> None:
    """A file on disk changed: rescan its new tail (logs) or recheck it."""
    from errsig.lsp import features

    uri = features.uri_of(path)
    kind = _classify(ls, path)
    if kind != kinds.LOG:
        if kind is not None:
            note_file(ls, path, kind)
        return
    if uri in ls.state.docs or ls.state.toolkit is None:
        return  # the editor's buffer is the truth for open files
    before = ls.state.tails.get(uri)
    seen = _fingerprint(before.findings) if before else None
    try:
        pending = abs(path.stat().st_size - (before.offset if before else 0))
    except OSError:
        pending = 0
    if pending > OFF_LOOP_BYTES:
        # A big new log or a rewrite: scanned in a worker thread, requests stay answered.
        ls.spawn(_rescan_off_loop(ls, path, force, seen))
        return
    _rescan_now(ls, path, force, seen)


async def _rescan_off_loop(
    ls: ErrsigServer,
    path: Path,
    force: bool,
    seen: Fingerprint | None,
) -> None:
    await asyncio.get_running_loop().run_in_executor(None, _prescan, ls, path)
    _rescan_now(ls, path, force, seen)


def _rescan_now(
    ls: ErrsigServer,
    path: Path,
    force: bool,
    seen: Fingerprint | None,
) -> None:
    from errsig.lsp import features

    uri = features.uri_of(path)
    if uri in ls.state.docs or ls.state.toolkit is None:
        return
    try:
        state = scan_growing(
            ls.state.toolkit.scanner,
            path,
            ls.state.tails.get(uri),
            max_bytes=ls.state.settings.max_file_size,
            editor_lines=True,
        )
    except BinaryFileError as exc:
        ls.log(str(exc))
        return
    except OSError as exc:
        ls.log(f"cannot read {path}: {exc.strerror or exc}")
        return
    ls.state.tails[uri] = state
    if force or _fingerprint(state.findings) != seen:
        features.log_findings_changed(ls, uri, state.findings)


def _fingerprint(findings: list[Finding]) -> Fingerprint:
    return [
        (f.id, f.line, f.col, tuple(f.also_at), f.caused_by[0] if f.caused_by else None) for f in findings
    ]


def forget(ls: ErrsigServer, uri: str) -> None:
    from errsig.lsp import features, links

    ls.state.tails.pop(uri, None)
    ls.state.requirements_on_disk.pop(uri, None)
    ls.state.scripts_on_disk.pop(uri, None)
    if uri in ls.state.docs:
        return
    for key in [k for k in ls.state.diagnostics if k[1] == uri]:
        del ls.state.diagnostics[key]
    links.log_changed(ls, uri, [])
    features.publish(ls, uri)


def rescan_all(ls: ErrsigServer) -> None:
    ls.state.tails.clear()
    ls.spawn(_initial_scan(ls))
