"""Big files on every core: the chunks the serial scan reads one after another are scanned
by worker processes at once, then put back in order.

The serial scan (:func:`errsig.core.scan.files.scan_file`) reads a file as its first
``BINARY_SNIFF`` bytes, then ``CHUNK``-sized blocks, each scanned up to its last complete
line. Here the same cut points are found by seeking (the last line break before each block
boundary), each chunk is scanned in a forked worker with the parent's catalogue, and the
findings are shifted by the lines before their chunk: the raw findings equal the serial
scan's, so the resolved ones do too (``tests/core/test_parallel_scan.py``).

Workers are forked (POSIX): they share the loaded catalogue without loading it again. A
process that cannot fork, a file that is not a regular UTF-8 file, or one below
``files.PARALLEL_MIN`` is scanned serially by the caller.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from errsig.core.scan.files import BinaryFileError, TailState, scan_growing
from errsig.core.scan.findings import Finding
from errsig.core.scan.logscan import LogScanner

_BACK = 1 << 16  # bytes read at a time while looking back for a line break

_WORKER: dict[str, LogScanner] = {}  # the parent's scanner, inherited by the forked workers


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def chunk_bounds(path: Path, size: int, first: int, chunk: int) -> list[tuple[int, int]]:
    """``(start, end)`` byte ranges cut where the serial scan cuts: after the last line
    break before ``first``, ``first + chunk``, ``first + 2 * chunk`` … (a range without a
    line break joins the next, as the serial scan carries it over)."""
    cuts = [0]
    # The serial scan also cuts before a last line without a line break (it scans that one
    # on its own), so the file's end is a target too.
    with open(path, "rb") as fh:
        for target in [*range(first, size, chunk), size]:
            lo = cuts[-1]
            pos = target
            while pos > lo:
                start = max(lo, pos - _BACK)
                fh.seek(start)
                nl = fh.read(pos - start).rfind(b"\n")
                if nl >= 0:
                    cuts.append(start + nl + 1)
                    break
                pos = start
    cuts.append(size)
    cuts = sorted(set(cuts))
    return list(itertools.pairwise(cuts))


def _scan_range(task: tuple[str, int, int]) -> tuple[int, list[Finding]]:
    path, start, end = task
    scanner = _WORKER["scanner"]
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    return data.count(b"\n"), scanner.scan_bytes(data, 0, raw_findings=True)


def scan_ranges(
    scanner: LogScanner, path: Path, ranges: Sequence[tuple[int, int]], workers: int
) -> list[Finding]:
    """Raw findings of ``ranges`` of ``path``, scanned by ``workers`` forked processes, with
    line numbers counted from the start of the file."""
    _WORKER["scanner"] = scanner
    records = {s.record.id: s.record for s in scanner.matcher.signatures}
    tasks = [(str(path), a, b) for a, b in ranges]
    out: list[Finding] = []
    line = 0
    try:
        with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
            for lines, findings in pool.imap(_scan_range, tasks):
                for f in findings:
                    f.record = records.get(f.id, f.record)  # the parent's own record objects
                    out.append(f.shifted(line) if line else f)
                line += lines
    finally:
        _WORKER.clear()
    return out


# -- worker processes for a program that holds threads (the language server) -------------
#
# Forking a process that runs threads copies locks other threads may hold; these workers
# are spawned instead (a fresh interpreter each), and load the catalogue from the same packs
# once, when they start (``loading.scanner_for``: this layer cannot load packs itself).
# Each scans whole files: the same ``scan_growing`` the caller runs, so its TailState
# carries on from where the worker stopped.


def _start_spawned(make_scanner: Callable[..., LogScanner], args: tuple[Any, ...]) -> None:
    # The worker inherits the caller's standard output, which may be a protocol stream
    # (the language server's stdout): nothing the worker prints may reach it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    _WORKER["scanner"] = make_scanner(*args)


def _ready() -> None:
    """A task that only makes a worker start (its initializer builds the scanner)."""


def _scan_whole_file(path: str, max_bytes: int | None) -> TailState | str:
    try:
        return scan_growing(_WORKER["scanner"], Path(path), None, max_bytes=max_bytes, editor_lines=True)
    except (OSError, BinaryFileError) as exc:
        return str(exc)


class FilePool:
    """Spawned worker processes that scan whole files (``scan_growing`` from the start, lines
    split as editors split them). ``scan`` returns a future of the file's TailState, or of a
    string saying why it was not scanned; the findings hold the caller's own record objects."""

    def __init__(
        self,
        make_scanner: Callable[..., LogScanner],
        args: tuple[Any, ...],
        workers: int,
        records: dict[str, Any],
    ) -> None:
        """``make_scanner(*args)`` builds each worker's scanner (a module-level function: it is
        pickled to the worker); ``records`` maps ids to the caller's record objects."""
        self._records = records
        self._workers = workers
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_spawned,
            initargs=(make_scanner, args),
        )

    @property
    def size(self) -> int:
        """How many worker processes the pool runs."""
        return self._workers

    def start(self) -> None:
        """Start every worker now (the executor starts them on demand): a caller that has
        other things to wait for first lets the workers load their catalogue meanwhile."""
        for _ in range(self._workers):
            self._pool.submit(_ready)

    def scan(self, path: Path, max_bytes: int | None) -> concurrent.futures.Future[TailState | str]:
        outer: concurrent.futures.Future[TailState | str] = concurrent.futures.Future()
        inner = self._pool.submit(_scan_whole_file, str(path), max_bytes)

        def done(fut: concurrent.futures.Future[TailState | str]) -> None:
            try:
                state = fut.result()
            except BaseException as exc:  # a worker died, or the pool was shut down
                outer.set_exception(exc)
                return
            if isinstance(state, TailState):
                for f in state.findings:
                    f.record = self._records.get(f.id, f.record)
            outer.set_result(state)

        inner.add_done_callback(done)
        return outer

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def workers_for(setting: int) -> int:
    """Worker processes for a setting: 0 is one per core; never more than the cores."""
    cpus = available_cpus()
    return cpus if setting <= 0 else min(setting, cpus)
