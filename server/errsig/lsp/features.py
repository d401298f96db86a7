"""Lifecycle, document sync and diagnostics: the server's side of each notification.

Diagnostics are kept per (producer, uri) in :class:`~errsig.lsp.state.State` and
delivered by one model per client: pulled when the client declares
``textDocument.diagnostic``, pushed otherwise. Files on disk that are not open are
pushed unless the client pulls workspace diagnostics.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as t
from pygls.uris import from_fs_path, to_fs_path

from errsig.core.loading import Toolkit, load_toolkit, warm
from errsig.core.scan import kinds
from errsig.core.scan.findings import Finding
from errsig.core.scan.incremental import IncrementalLog
from errsig.core.scan.logscan import WRAP_SCAN_LIMIT, LogScanner
from errsig.core.settings import settings_from_json
from errsig.lsp import convert, links, outcomes, records, watching
from errsig.lsp.bigtext import OpenedItem
from errsig.lsp.documents import Document, Lines, utf8
from errsig.lsp.interact import (
    CLIENT_COMMANDS,
    EXPLAIN,
    SCAN_TEXT,
    code_actions,
    code_lenses,
    document_symbols,
    execute_command,
    hover,
    resolve_code_action,
    scan_text_request,
)
from errsig.lsp.state import CHECK_SOURCE, LOG_SOURCE, ClientTraits, OpenLog

if TYPE_CHECKING:
    from errsig.lsp.server import ErrsigServer

log = logging.getLogger("errsig.lsp")

__all__ = [
    "CLIENT_COMMANDS",
    "EXPLAIN",
    "SCAN_TEXT",
    "code_actions",
    "code_lenses",
    "document_symbols",
    "execute_command",
    "hover",
    "resolve_code_action",
    "scan_text_request",
]


# -- lifecycle ---------------------------------------------------------------------------


def _traits(params: t.InitializeParams, encoding: str) -> ClientTraits:
    caps = params.capabilities
    ws = caps.workspace
    td = caps.text_document
    edit = ws.workspace_edit if ws else None
    ops = list(edit.resource_operations or []) if edit else []
    return ClientTraits(
        encoding=encoding,
        pull=bool(td and td.diagnostic),
        dynamic_watch=bool(
            ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration
        ),
        create_files=t.ResourceOperationKind.Create in ops,
        document_changes=bool(edit and edit.document_changes),
        configuration=bool(ws and ws.configuration),
        refresh=bool(ws and ws.diagnostics and ws.diagnostics.refresh_support),
        progress=bool(caps.window and caps.window.work_done_progress),
        show_document=bool(caps.window and caps.window.show_document and caps.window.show_document.support),
        lens_refresh=bool(ws and ws.code_lens and ws.code_lens.refresh_support),
        resolve_edit=_resolves_edit(td),
        locale=params.locale,
    )


def _resolves_edit(td: t.TextDocumentClientCapabilities | None) -> bool:
    ca = td.code_action if td else None
    props = ca.resolve_support.properties if ca and ca.resolve_support else []
    return bool(ca and ca.data_support and "edit" in props)


def on_initialize(ls: ErrsigServer, params: t.InitializeParams, encoding: str) -> None:
    state = ls.state
    state.client = _traits(params, encoding)
    roots = [Path(p) for f in params.workspace_folders or [] if (p := to_fs_path(f.uri))]
    if not roots and params.root_uri and (p := to_fs_path(params.root_uri)):
        roots = [Path(p)]
    if not roots and params.root_path:
        roots = [Path(params.root_path)]
    state.roots = roots
    state.settings, problems = settings_from_json(params.initialization_options)
    for problem in problems:
        ls.log(problem, t.MessageType.Warning)
    try:  # loaded right after the answer goes out (before the next message is read): the
        # client starts serialising its first document ~50-90 ms sooner
        asyncio.get_running_loop().call_soon(_load, ls)
    except RuntimeError:  # no event loop: not serving
        _load(ls)


def _load(ls: ErrsigServer) -> None:
    """Load the catalogue; packs that bring nothing are told to the user, and if loading
    fails outright the built-in records still serve."""
    packs = ls.state.settings.packs
    try:
        tk = ls.state.load()
    except Exception as exc:  # loading reports problems, it should never raise: keep serving
        ls.log(f"loading the packs failed: {exc!r}", t.MessageType.Error)
        ls.state.toolkit = tk = load_toolkit()
        _tell(ls, f"errsig: the packs could not be loaded ({type(exc).__name__}); built-in records only")
    _start_warming(ls, tk)
    for path, pack in zip(packs, tk.catalogue.packs[1:], strict=False):
        if not pack.records:
            _tell(
                ls,
                f"errsig: pack {path} loaded no record ({len(pack.problems)} problems, see the errsig "
                "output); the other records are active",
            )
    errors = [p for p in tk.problems if p.severity == "error"]
    for problem in tk.problems[:200]:
        ls.log(
            f"{problem.severity}: {problem}",
            t.MessageType.Warning if problem.severity == "error" else t.MessageType.Log,
        )
    ls.log(
        f"errsig {ls.version}: {len(tk.matcher.signatures)} signatures active "
        f"({len(tk.catalogue)} loaded, {len(errors)} records skipped)"
    )


WARM_WAIT = 0.1  # seconds the warm-up waits at most for the first workspace walk


def _start_warming(ls: ErrsigServer, tk: Toolkit) -> None:
    """Warm the new catalogue in a worker thread once the current message is answered: an
    editor spends the time between ``initialize`` and its first ``didOpen`` serialising the
    document, and the server would otherwise compile and build its matchers on that scan.
    A worker of the event loop's executor, so the server's exit waits for it (a thread
    killed inside RE2 at exit aborts the process); shutting down stops it early.

    It starts once the first workspace walk has handed its logs out, or WARM_WAIT after it
    was asked for (an editor that is asked for its settings or to register file watchers
    answers only once it has serialised that document, and the walk waits for those
    answers), and not while worker processes scan the workspace's logs. Run at once, it held
    the GIL while the walk ran and then took a core from the workers (4 x 50 MB logs: all
    diagnostics 3.05-3.1 s -> 2.85 s). A document opened meanwhile is scanned without
    waiting for it (its scan builds what it needs)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop: not serving
        return
    stop = ls.state.stop_background

    async def start() -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ls.state.walked.wait(), WARM_WAIT)
        while ls.state.pool_running and not stop.is_set():
            await asyncio.sleep(0.1)
        if not stop.is_set():
            ls.log("warming the catalogue")
            await loop.run_in_executor(None, _warm, tk, stop.is_set, lambda: _busy(ls))

    ls.spawn(start())


def _busy(ls: ErrsigServer) -> bool:
    """Whether a big document is arriving or being scanned, or worker processes scan the
    workspace's logs (asked from the warming thread: its optional steps give way, they hold
    the GIL the decoding and the scan need, or take a core from the workers)."""
    if ls.state.pool_running:
        return True
    reader = getattr(ls.protocol, "frame_reader", None)
    if reader is not None and reader.big_frame:
        return True
    return any(e.task is not None and not e.task.done() for e in list(ls.state.logs.values()))


def _warm(tk: Toolkit, cancelled: Callable[[], bool], busy: Callable[[], bool] = lambda: False) -> None:
    try:
        warm(tk, cancelled, busy)
    except Exception:  # warming is an optimisation: a scan compiles what it needs anyway
        log.debug("warming the catalogue failed", exc_info=True)
    if busy():  # what is left is imported on first use, and the big scan frees memory at its end
        return
    try:  # what code actions and requirements checks import on first use
        import errsig.core.fixes.plan
        import errsig.core.scan.pipconf  # noqa: F401
    except Exception:
        log.debug("importing fix planning failed", exc_info=True)
    release_free_memory()  # compiling and the sample scan leave ~35 MB of freed heap


def _tell(ls: ErrsigServer, message: str) -> None:
    ls.log(message, t.MessageType.Warning)
    try:
        ls.window_show_message(t.ShowMessageParams(type=t.MessageType.Warning, message=message))
    except Exception:  # the transport may be gone
        ls.log("could not show a message")


async def on_initialized(ls: ErrsigServer) -> None:
    if ls.state.client.configuration:
        await _pull_configuration(ls, reload=True)
    await watching.start(ls)


async def _pull_configuration(ls: ErrsigServer, reload: bool) -> None:
    try:
        result = await ls.workspace_configuration_async(
            t.ConfigurationParams(items=[t.ConfigurationItem(section="errsig")])
        )
    except Exception as exc:
        ls.log(f"workspace/configuration failed: {exc!r}")
        return
    value = result[0] if result else None
    if value is None:
        return
    _apply_settings(ls, value, reload)


def _apply_settings(ls: ErrsigServer, value: Any, reload: bool) -> None:
    old = ls.state.settings
    new, problems = settings_from_json(value, old)
    for problem in problems:
        ls.log(problem, t.MessageType.Warning)
    ls.state.settings = new
    if ls.state.toolkit is not None:
        ls.state.toolkit.scanner.unknown = new.unknown_errors
    if new.packs != old.packs and reload:
        _load(ls)
    if new != old:
        rescan_all(ls)
        if new.watch != old.watch:
            ls.spawn(watching.restart(ls))


async def on_configuration_changed(ls: ErrsigServer, settings: Any) -> None:
    if ls.state.client.configuration:
        await _pull_configuration(ls, reload=True)
    elif settings is not None:
        _apply_settings(ls, settings, reload=True)


# -- documents ---------------------------------------------------------------------------


def on_open(ls: ErrsigServer, item: t.TextDocumentItem) -> None:
    path = to_fs_path(item.uri)
    # A big log's text arrives as its scanned bytes (decoded while the frame came in)
    text: str | bytes = item.utf8 if isinstance(item, OpenedItem) else item.text
    head = text[:65536].decode("utf-8", "ignore") if isinstance(text, bytes) else text[:65536]
    kind = records.RECORD if records.pack_root_of(ls, path) else kinds.kind_of(path, item.language_id, head)
    doc = Document.from_text(item.uri, path, kind, item.version, text, item.language_id)
    ls.state.docs[item.uri] = doc
    if item.uri in ls.state.pushed_watched and ls.state.client.pull:
        # It was pushed while closed; from now on the client pulls it: clear the push.
        ls.state.pushed_watched.discard(item.uri)
        ls.state.published.pop(item.uri, None)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=item.uri, diagnostics=[]))
    prescan = None
    if isinstance(item, OpenedItem):
        prescan = item.prescan if isinstance(item.prescan, PieceScan) else None
        # Decoding it left ~2-3x its size of freed pieces scattered in the heap: hand them back
        # now rather than after both scans (glibc keeps them resident until asked).
        release_free_memory()
    refresh_document(ls, doc, text, prescan=prescan)


def refresh_document(
    ls: ErrsigServer,
    doc: Document,
    text: str | bytes | None = None,
    *,
    clean: bool = True,
    prescan: PieceScan | None = None,
) -> None:
    if doc.uri in ls.state.offers:
        outcomes.changed(ls, doc.uri, doc.text)
    if doc.kind == kinds.LOG:
        _start_full_scan(ls, doc, text, prescan)
    elif doc.kind in (kinds.REQUIREMENTS, kinds.PIPCONF):
        links.check_document(ls, doc)
        publish(ls, doc.uri)
    elif doc.kind == records.RECORD:
        records.check(ls, doc, clean=clean)
        publish(ls, doc.uri)


def reload_catalogue(ls: ErrsigServer) -> None:
    """Load the packs again (a record was drafted or saved) and rescan what is open or watched."""
    _load(ls)
    rescan_all(ls)


async def _refresh_lenses(ls: ErrsigServer) -> None:
    try:
        await ls.workspace_code_lens_refresh_async(None)
    except Exception as exc:  # the client may be gone or refuse
        ls.log(f"workspace/codeLens/refresh failed: {exc!r}")


def _start_full_scan(
    ls: ErrsigServer, doc: Document, text: str | bytes | None = None, prescan: PieceScan | None = None
) -> None:
    assert ls.state.toolkit is not None
    entry = ls.state.logs.get(doc.uri)
    if entry is None:
        entry = OpenLog(IncrementalLog(ls.state.toolkit.scanner))
        ls.state.logs[doc.uri] = entry
    else:
        entry.analysis.scanner = ls.state.toolkit.scanner
    if entry.task is not None and not entry.task.done():
        entry.dirty = True
        return
    entry.first_phase = asyncio.Event()
    entry.task = ls.spawn(_full_scan(ls, doc, entry, text, prescan))


class PieceScan:
    """The records' scan of a big didOpen's text, a piece at a time while the rest of its frame
    arrives (:mod:`errsig.lsp.bigtext` hands the pieces over): each piece's slice is scanned
    in a pool of SCAN_THREADS threads (RE2 matches without the GIL) while the event loop
    decodes the next, so little is left to scan when the frame is complete. :meth:`findings`
    gives what the first phase of :func:`_full_scan` would find in the whole text
    (:class:`~errsig.core.scan.logscan.StreamScan`), or None (cancelled, a slice failed)."""

    def __init__(self, matcher: Any, length: int) -> None:
        self.matcher = matcher
        # the text is at most as long as its JSON: a frame this small holds a text the wrap check covers
        self._stream = LogScanner(matcher).stream(wraps=length <= WRAP_SCAN_LIMIT)
        self._slices: list[concurrent.futures.Future[list[Finding]]] = []
        self._closed = self._cancelled = False

    def add(self, data: bytes) -> None:
        if (piece_slice := self._stream.add(data)) is not None:
            self._slices.append(_piece_pool().submit(self._stream.scan, piece_slice))

    def close(self) -> None:
        if (piece_slice := self._stream.last()) is not None:
            self._slices.append(_piece_pool().submit(self._stream.scan, piece_slice))
        self._closed = True

    def cancel(self) -> None:
        self._cancelled = True
        for f in self._slices:
            f.cancel()

    async def findings(self) -> list[Finding] | None:
        if self._cancelled or not self._closed:
            return None
        try:
            results = [await asyncio.wrap_future(f) for f in self._slices]
        except Exception:  # a slice failed: _full_scan scans the whole text
            log.debug("scanning a document while it arrived failed", exc_info=True)
            return None
        return self._stream.merge(results)


@functools.cache
def _piece_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The threads that scan documents while they arrive (made on first use; joined at exit,
    each job being one slice of ~256 KB: a thread is never killed inside RE2)."""
    return concurrent.futures.ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="errsig-piece")


def piece_scan(ls: ErrsigServer, length: int) -> PieceScan | None:
    """A scan for the text of a ``length``-byte frame as it arrives, when it may be a log big
    enough for the two-phase scan (the records' findings first)."""
    tk = ls.state.toolkit
    if tk is None or length < TWO_PHASE_CHARS or ls.state.stop_background.is_set():
        return None
    return PieceScan(tk.matcher, length)


def _scan_document(
    scanner: LogScanner, data: bytes, cancel: threading.Event, pack: Callable[[], bool] = lambda: False
) -> tuple[list[Finding] | None, Lines | None]:
    """Raw matches of a whole document (None: cancelled) and, if ``pack()`` still says so when
    the scan is done, its bytes as the document's lines. A big one is scanned by two threads at
    once where there are two cores."""
    threads = SCAN_THREADS if len(data) >= TWO_PHASE_CHARS else 1
    raw = scanner.scan_sliced(data, cancelled=cancel.is_set, threads=threads)
    return raw, (Lines(data) if raw is not None and pack() else None)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


SCAN_THREADS = min(2, _cores())  # RE2 matches without the GIL: a second thread gains ~30 %


TWO_PHASE_CHARS = 8 << 20  # a document this big shows the records' findings before the unknown errors


async def _full_scan(
    ls: ErrsigServer,
    doc: Document,
    entry: OpenLog,
    text: str | bytes | None,
    prescan: PieceScan | None = None,
) -> None:
    """Scan a whole document in a worker thread, a slice at a time, so requests are
    answered meanwhile; cancelling the task (close, shutdown) stops the thread at the next
    slice. Edits that arrive during the scan make it run again on the new text."""
    loop = asyncio.get_running_loop()
    first = True
    opened = text  # the bytes a big didOpen's text became (scanned as they came: ``prescan``)
    while True:
        # The text as opened (a string encoded off the event loop, or the bytes a big didOpen
        # was decoded into; then kept as the scanned bytes), or, once edited, the line
        # store's bytes (no string of it is built).
        source = text if text is not None and not entry.dirty else doc.source
        entry.dirty = False
        text = None
        if source is None:
            data = doc.lines.utf8()
        else:
            data = source if isinstance(source, bytes) else await loop.run_in_executor(None, utf8, source)
        if first and entry.analysis.scanner.unknown and len(data) >= TWO_PHASE_CHARS:
            # A big log: the records' findings first (fast), errors no record knows after;
            # scanned while it arrived if it came in a big didOpen with this catalogue.
            quick = LogScanner(entry.analysis.scanner.matcher)
            raw = None
            if prescan is not None and prescan.matcher is quick.matcher and data is opened:
                raw = await prescan.findings()
            opened = prescan = None  # a rescan after an edit must not keep the opened text too
            if raw is None:
                cancel = threading.Event()
                try:
                    raw, _ = await loop.run_in_executor(None, _scan_document, quick, data, cancel)
                finally:
                    cancel.set()
            if raw is None or ls.state.docs.get(doc.uri) is not doc:
                return
            if not entry.dirty:
                entry.analysis.reset(raw)
                log_findings_changed(ls, doc.uri, entry.analysis.findings)
                if entry.first_phase is not None:
                    entry.first_phase.set()
        first = False
        cancel = threading.Event()
        try:
            raw, lines = await loop.run_in_executor(
                None, _scan_document, entry.analysis.scanner, data, cancel, lambda: not doc.split
            )
        finally:
            cancel.set()  # cancelled, or done: either way the thread has nothing more to do
        if raw is None or ls.state.docs.get(doc.uri) is not doc:
            return
        entry.analysis.reset(raw)
        if source is not None and lines is not None:
            doc.settle(source, lines)  # UTF-8 chunks, not one string of 1-4 bytes a character
        if not entry.dirty:
            break
    log_findings_changed(ls, doc.uri, entry.analysis.findings)
    big = len(data) >= TWO_PHASE_CHARS
    del source, data, lines
    if big:
        release_free_memory()


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc keeps them after a big document's
    JSON frame and scan buffers are freed; the process's RSS then stays at its peak)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes  # only after a big scan

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to do
        pass


M_ARENA_MAX = -8  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 32 << 20  # the highest value glibc's own adjustment reaches, kept fixed


def tune_malloc() -> None:
    """Two settings of glibc's allocator for a long-lived process that handles big documents,
    made before any thread starts (the environment's MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_,
    if set, win):

    - At most MALLOC_ARENAS heaps for the server's threads (glibc's default is 8 per core).
      Each thread that scans a big document otherwise gets a heap of its own, whose freed
      pages stay resident: ~11 MB more with a 50 MB log open (109 -> 98 MB idle, 163 -> 151 MB
      with the log open, the same didOpen time).
    - A fixed mmap threshold. glibc raises it each time a mapped block is freed, and with it
      the free space it keeps at the heap's top (twice the threshold, up to 64 MiB), so what a
      big document left resident varied from run to run: 147-162 MB with the 50 MB log open
      (6 runs of benchmarks/lsp_latency.py's steps, 2026-12-05); fixed at 32 MiB, 146-147 MB in
      4 runs and the same didOpen time. Fixed at 128 KiB it was 143 MB, but a 50 MB didOpen
      took ~30 % longer (every big block's pages faulted in afresh)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        if not os.environ.get("MALLOC_ARENA_MAX"):
            libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        if not os.environ.get("MALLOC_MMAP_THRESHOLD_"):
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):  # not glibc (musl): nothing to do
        pass


BIG_EDIT_LINES = 20_000  # an edit that brings more lines is scanned off the event loop


def on_change(ls: ErrsigServer, params: t.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.state.docs.get(uri)
    if doc is None:
        return
    doc.version = params.text_document.version
    encoding = ls.state.client.encoding
    changes = []
    for change in params.content_changes:
        if isinstance(change, t.TextDocumentContentChangePartial):
            s, e = change.range.start, change.range.end
            changes.append(doc.apply((s.line, s.character), (e.line, e.character), change.text, encoding))
        else:
            changes.append(doc.replace_all(change.text))
    if doc.kind != kinds.LOG:
        refresh_document(ls, doc, clean=False)
        return
    entry = ls.state.logs.get(uri)
    if entry is None or (entry.task is not None and not entry.task.done()):
        if entry is not None:
            entry.dirty = True
        else:
            _start_full_scan(ls, doc)
        return
    if (
        len(changes) == 1
        and changes[0].first == 0
        and changes[0].old_count
        and changes[0].new_count == len(doc.lines)
        and changes[0].old_count > 1000
    ) or sum(ch.new_count for ch in changes) > BIG_EDIT_LINES:
        _start_full_scan(ls, doc)  # a full replacement of a big document, or a big paste
        return
    findings = entry.analysis.findings
    for ch in changes:
        findings = entry.analysis.update(doc.lines, ch.first, ch.old_count, ch.new_count)
    log_findings_changed(ls, uri, findings)


def on_close(ls: ErrsigServer, uri: str) -> None:
    state = ls.state
    doc = state.docs.pop(uri, None)
    entry = state.logs.pop(uri, None)
    if entry is not None and entry.task is not None:
        entry.task.cancel()
        # The scan's frame holds the entry; left here, the task would close a cycle (task ->
        # its CancelledError -> traceback -> frame -> entry -> task) that keeps the document's
        # text until a full garbage collection, which a quiet server may not run for minutes.
        entry.task = None
    for key in [k for k in state.diagnostics if k[1] == uri and k[0] in (LOG_SOURCE, CHECK_SOURCE)]:
        del state.diagnostics[key]
    state.findings.pop(uri, None)
    state.refreshed.pop(uri, None)
    if doc is not None and doc.kind == kinds.LOG:
        links.log_changed(ls, uri, [])
    if not state.client.pull:
        publish(ls, uri)
    # A watched file on disk goes back to the on-disk view.
    path = to_fs_path(uri)
    if path and watching.is_watched(ls, Path(path)):
        watching.rescan_file(ls, Path(path), force=True)


def on_saved(ls: ErrsigServer, uri: str) -> None:
    doc = ls.state.docs.get(uri)
    if doc is not None and doc.kind == records.RECORD:
        refresh_document(ls, doc)
        records.saved(ls, doc)
    elif doc is not None and doc.kind in (kinds.REQUIREMENTS, kinds.PIPCONF):
        refresh_document(ls, doc)


def on_watched_files(ls: ErrsigServer, changes: list[tuple[str, int]]) -> None:
    for uri, kind in changes:
        path = to_fs_path(uri)
        if not path:
            continue
        if kind == int(t.FileChangeType.Deleted):
            watching.forget(ls, uri)
        else:
            watching.rescan_file(ls, Path(path))


# -- diagnostics -------------------------------------------------------------------------


def line_text_for(ls: ErrsigServer, uri: str) -> convert.LineText:
    doc = ls.state.docs.get(uri)
    if doc is not None and uri not in ls.state.logs:
        return doc.line
    if doc is not None:
        # A log's findings carry the lines they are on (kept current by the incremental
        # rescans): no string of the whole text is built, and no chunk of its lines decoded
        # per diagnostic (that made a one-line append to a 50 MB log 40 ms slower).
        texts = {n: s for f in ls.state.logs[uri].analysis.findings for n, s in f.texts.items()}
        return lambda n: texts[n] if n in texts else doc.line(n)
    tail = ls.state.tails.get(uri)
    texts = tail.line_texts if tail is not None else {}
    return lambda n: texts.get(n, "")


# A symptom is shown one step below its cause (errsig.symptomSeverity = "lower").
_LOWER = {"error": "warning", "warning": "information", "information": "hint", "hint": "hint", "off": "off"}
_RANK = {"hint": 1, "information": 2, "warning": 3, "error": 4}  # "off" (the user's choice) stays off


def _related(
    uri: str, f: Finding, line_text: Callable[[int], str], enc: str, message: str
) -> t.DiagnosticRelatedInformation:
    rng = convert.span(line_text, f.line, f.col, f.end_line, f.end_col, enc)
    return t.DiagnosticRelatedInformation(location=t.Location(uri=uri, range=rng), message=message)


def log_findings_changed(ls: ErrsigServer, uri: str, findings: list[Finding]) -> None:
    """New findings for a log (open or on disk): diagnostics, links, publication."""
    state = ls.state
    settings = state.settings
    visible = [
        f for f in findings if not settings.is_disabled(f.id) and (settings.unknown_errors or not f.unknown)
    ]
    before = {f.id for f in state.findings.get(uri, [])}
    state.findings[uri] = visible
    if state.client.lens_refresh and uri in state.docs and before != {f.id for f in visible}:
        ls.spawn(_refresh_lenses(ls))  # the lens names the ids: a drafted record changes them
    line_text = line_text_for(ls, uri)
    enc = state.client.encoding
    related = links.related_for_log(ls, uri, visible)
    severity = {(f.id, f.line): settings.severity_for(f.id, f.severity) for f in visible}
    by_key = {(f.id, f.line): f for f in visible}
    # A warning that led to an error (pip's "not on PATH" before "command not found", an image
    # of another platform before "exec format error") is the failure's cause: it is shown as
    # severe as what it led to, so the log never loses its error to a "symptom" below it.
    for f in visible:
        cause = by_key.get(f.caused_by) if f.caused_by else None
        if cause is not None:
            ck, fk = (cause.id, cause.line), (f.id, f.line)
            if severity[ck] != "off" and _RANK.get(severity[fk], 0) > _RANK.get(severity[ck], 0):
                severity[ck] = severity[fk]
    for f in visible:
        cause = by_key.get(f.caused_by) if f.caused_by else None
        if cause is None:
            continue
        if settings.symptom_severity == "lower":
            severity[(f.id, f.line)] = _LOWER.get(severity[(cause.id, cause.line)], "hint")
        related.setdefault((f.id, f.line), []).append(
            _related(uri, cause, line_text, enc, f"cause: {cause.id} ({cause.title})")
        )
        related.setdefault((cause.id, cause.line), []).append(
            _related(uri, f, line_text, enc, f"leads to: {f.id} ({f.title})")
        )
    diags = [
        convert.diagnostic(f, line_text, enc, severity[(f.id, f.line)], related=related.get((f.id, f.line)))
        for f in visible
    ]
    state.diagnostics[(LOG_SOURCE, uri)] = diags
    publish(ls, uri)
    outcomes.on_log(ls, uri, visible)
    links.log_changed(ls, uri, visible)


def publish(ls: ErrsigServer, uri: str) -> None:
    state = ls.state
    is_open = uri in state.docs
    result_id = state.diagnostics.result_id(uri)
    if state.client.pull and (is_open or state.client.workspace_pull_seen):
        # A pulling client asks again only when asked to: not when nothing changed (an
        # edit below the last error), which would cost it a full report per key typed.
        if state.client.refresh and state.refreshed.get(uri) != result_id:
            state.refreshed[uri] = result_id
            ls.spawn(_refresh(ls))
        return
    if state.published.get(uri) == result_id:
        return  # the client already shows exactly these
    state.published[uri] = result_id
    if not is_open:
        state.pushed_watched.add(uri)
    version = state.docs[uri].version if is_open else None
    ls.text_document_publish_diagnostics(
        t.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=state.all_diagnostics(uri))
    )


async def _refresh(ls: ErrsigServer) -> None:
    """Ask a pulling client to pull again (coalesced: one request per burst)."""
    if ls.state.refresh_pending:
        return
    ls.state.refresh_pending = True
    try:
        await asyncio.sleep(0.05)
        await ls.workspace_diagnostic_refresh_async(None)
    except Exception as exc:
        ls.log(f"workspace/diagnostic/refresh failed: {exc!r}")
    finally:
        ls.state.refresh_pending = False


async def pull_document(
    ls: ErrsigServer, uri: str, previous: str | None = None
) -> t.RelatedFullDocumentDiagnosticReport | t.RelatedUnchangedDocumentDiagnosticReport:
    entry = ls.state.logs.get(uri)
    if entry is not None and entry.task is not None and not entry.task.done():
        # Until the scan ends, or (a big log) its records' findings are out: the unknown
        # errors come after with a refresh. The scan itself is never cancelled from here.
        waiter = asyncio.ensure_future(entry.first_phase.wait()) if entry.first_phase else None
        await asyncio.wait({entry.task, *([waiter] if waiter else [])}, return_when=asyncio.FIRST_COMPLETED)
        if waiter is not None:
            waiter.cancel()
    result_id = ls.state.diagnostics.result_id(uri)
    if previous == result_id:  # the client holds these already: no need to send them again
        return t.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return t.RelatedFullDocumentDiagnosticReport(items=ls.state.all_diagnostics(uri), result_id=result_id)


async def pull_workspace(
    ls: ErrsigServer, _params: t.WorkspaceDiagnosticParams
) -> t.WorkspaceDiagnosticReport:
    state = ls.state
    if not state.client.workspace_pull_seen:
        state.client.workspace_pull_seen = True
        for uri in list(state.pushed_watched):
            state.published.pop(uri, None)
            ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        state.pushed_watched.clear()
    await watching.initial_scan_done(ls)
    previous = {p.uri: p.value for p in _params.previous_result_ids or []}
    items: list[t.WorkspaceDocumentDiagnosticReport] = []
    for uri in sorted(state.uris_with_diagnostics()):
        if uri in state.docs:
            continue
        result_id = state.diagnostics.result_id(uri)
        if previous.get(uri) == result_id:
            items.append(
                t.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, version=None, result_id=result_id)
            )
            continue
        items.append(
            t.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, version=None, items=state.all_diagnostics(uri), result_id=result_id
            )
        )
    return t.WorkspaceDiagnosticReport(items=items)


def rescan_all(ls: ErrsigServer) -> None:
    for doc in list(ls.state.docs.values()):
        if doc.kind != records.RECORD:
            refresh_document(ls, doc)
    watching.rescan_all(ls)


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()
