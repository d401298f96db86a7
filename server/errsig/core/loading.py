"""Putting the core together: load packs, vet foreign ones, compile, and scan.

Both front ends (CLI and language server) build their scanner through
:func:`load_toolkit`, so they see the same catalogue and the same problems.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.load import load_packs
from errsig.core.kb.problems import Problem
from errsig.core.matching.cache import cache_dir
from errsig.core.matching.matcher import Matcher
from errsig.core.matching.vetting import Verdict, clean_corpus_dir, vet_pack
from errsig.core.scan.logscan import LogScanner


@attrs.define
class Toolkit:
    catalogue: Catalogue
    matcher: Matcher
    scanner: LogScanner
    problems: list[Problem]
    verdicts: dict[str, Verdict] = attrs.field(factory=dict)


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection while a catalogue's objects are built: they all stay alive, so
    the collector's passes over them (and over what the process holds already) free nothing.
    A third of a warm load with the deadends canons went to those passes (2026-12-05: 270-350
    ms with them, 187-191 ms without, in a process holding two other toolkits). Cycles made
    meanwhile are collected at the next pass after it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _raw_scan_factory(catalogue: Catalogue) -> Callable[[bytes], list[tuple[str, int, str]]]:
    scanner = LogScanner(Matcher.build(catalogue, fast=False))  # a few small logs: no compile worth it

    def scan(data: bytes) -> list[tuple[str, int, str]]:
        return [(f.id, f.line, f.match) for f in scanner.scan_bytes(data, raw_findings=True)]

    return scan


def load_toolkit(
    packs: Iterable[Path] = (),
    *,
    builtin: bool = True,
    vet: bool = True,
    disabled: Iterable[str] = (),
    use_cache: bool = True,
    fast: bool | None = None,
) -> Toolkit:
    """``fast``: use the Hyperscan prefilter (None: when installed and ERRSIG_ENGINE=hyperscan)."""
    with _no_collection():
        contents = load_packs(packs, builtin=builtin, cache=cache_dir() if use_cache else None)
        catalogue = Catalogue.from_packs(contents)
    off = set(disabled)
    low: set[str] = set()
    problems = list(catalogue.problems)
    verdicts: dict[str, Verdict] = {}
    if vet:
        for pack in contents:
            if not pack.records or pack.records[0].trusted:
                continue
            verdict = vet_pack(pack, _raw_scan_factory, use_cache=use_cache)
            verdicts[pack.name] = verdict
            for rid, where in sorted(verdict.noisy.items()):
                entry = catalogue.entries.get(rid)
                if entry is None or entry.pack != pack.name:
                    continue
                off.add(rid)
                problems.append(
                    Problem(
                        entry.file, "$.regex", f"disabled: fires on a clean log ({where})", severity="warning"
                    )
                )
            for rid, weak in sorted(verdict.generic.items()):
                entry = catalogue.entries.get(rid)
                if entry is None or entry.pack != pack.name or rid in off:
                    continue
                low.add(rid)
                problems.append(
                    Problem(
                        entry.file,
                        "$.regex",
                        f"demoted to information: generic pattern (an alternative names no error: {weak!r})",
                        severity="warning",
                    )
                )
    with _no_collection():
        matcher = Matcher.build(catalogue, disabled=off, demoted=low, fast=fast)
    problems.extend(matcher.problems)
    return Toolkit(catalogue, matcher, LogScanner(matcher), problems, verdicts)


def scanner_for(packs: tuple[str, ...], unknown: bool) -> LogScanner:
    """The scanner a spawned worker builds (:class:`errsig.core.scan.parallel.FilePool`):
    the same packs as its parent's toolkit, loaded once when the worker starts, with the
    programs a first scan would build compiled (a worker is started ahead of its files)."""
    toolkit = load_toolkit([Path(p) for p in packs])
    toolkit.scanner.unknown = unknown
    toolkit.matcher.engine.warm()
    return toolkit.scanner


def warm(
    toolkit: Toolkit, cancelled: Callable[[], bool] = lambda: False, busy: Callable[[], bool] = lambda: False
) -> None:
    """Do now what a first scan would otherwise pay for: compile the engine's programs built
    on first use, and run them once over the bundled clean logs, so RE2 has built the DFA
    states ordinary log text needs (the first scan of a 50 MB log is ~30 % slower without).
    For a process that waits before it scans (the language server, between ``initialize``
    and the first document); a one-shot CLI scan has nothing to gain. ``cancelled`` is
    checked between steps (a server shutting down does not wait for the whole warm-up);
    while ``busy`` says so (a real document has arrived and its scan builds those states
    itself), the sample scan is left out or stopped: it would only slow that scan down."""
    toolkit.matcher.engine.warm(cancelled)
    root = clean_corpus_dir()
    if cancelled() or busy() or not root.is_dir():
        return
    sample = b"\n".join(p.read_bytes() for p in sorted(root.glob("*.log")))
    toolkit.scanner.scan_sliced(sample, cancelled=lambda: cancelled() or busy(), slice_bytes=32 << 10)
