"""The optional fast engine (``pip install errsig[fast]``): Hyperscan runs every
signature's full regex at once over the raw bytes, so only lines where a pattern really
matches become candidates. Hyperscan is only a prefilter here: each hit is confirmed by
the pattern's RE2 regex on the clean line, as with the default engine.

Patterns are compiled with ``HS_FLAG_PREFILTER`` (constructs Hyperscan lacks are
approximated by a superset); a pattern Hyperscan refuses stays with the literal
prefilter. Compiled databases are cached on disk, keyed by the patterns' hash.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _hyperscan() -> Any:
    """The optional dependency, imported when a database is built (not at start-up)."""
    import hyperscan  # noqa: PLC0415

    return hyperscan


def installed() -> bool:
    return importlib.util.find_spec("hyperscan") is not None


def available() -> bool:
    """Use Hyperscan by default? Only when asked for (``ERRSIG_ENGINE=hyperscan``): since the
    RE2 prefilter looks through escapes it is as fast on the built-in catalogue, and compiling
    a Hyperscan database the first time takes seconds (every fresh CI cache pays it)."""
    return os.environ.get("ERRSIG_ENGINE", "re2") == "hyperscan" and installed()


Entry = tuple[int, bytes, int]


def _compile(entries: Sequence[Entry]) -> Any:
    hyperscan = _hyperscan()
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[e[1] for e in entries],
        ids=[e[0] for e in entries],
        elements=len(entries),
        flags=[e[2] for e in entries],
    )
    return db


def _compilable(entries: Sequence[Entry]) -> list[Entry]:
    """The entries Hyperscan accepts: try them all at once, halve the set on failure."""
    try:
        _compile(entries)
        return list(entries)
    except Exception:
        if len(entries) == 1:
            return []
    mid = len(entries) // 2
    return _compilable(entries[:mid]) + _compilable(entries[mid:])


class FastPrefilter:
    """Which patterns match on which lines, from one Hyperscan pass."""

    def __init__(self, db: Any, ids: list[int]) -> None:
        self._db = db
        self.covered = set(ids)  # pattern indices this prefilter answers for
        self._local = threading.local()  # a Hyperscan scratch serves one scan at a time

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = _hyperscan().Scratch(self._db)
        return scratch

    @classmethod
    def build(cls, sources: Sequence[tuple[int, str, bool]], cache: Path | None) -> FastPrefilter | None:
        """``sources``: (pattern index, regex, case-insensitive). None if nothing compiles."""
        if not sources or not installed():
            return None
        hyperscan = _hyperscan()
        base = (
            hyperscan.HS_FLAG_PREFILTER
            | hyperscan.HS_FLAG_UTF8
            | hyperscan.HS_FLAG_ALLOWEMPTY
            | hyperscan.HS_FLAG_MULTILINE  # ^ and $ at line ends, as on a single line
        )
        entries = [
            (i, src.encode("utf-8"), base | (hyperscan.HS_FLAG_CASELESS if ci else 0))
            for i, src, ci in sources
        ]
        # a compiled database is cached under a key: only then
        import hashlib  # noqa: PLC0415

        key = hashlib.sha256(repr([(s, f) for _i, s, f in entries]).encode() + b"hs-v1").hexdigest()[:32]
        path = cache / f"hyperscan-{key}.db" if cache else None
        ids_path = path.with_suffix(".ids") if path else None
        if path and ids_path and path.is_file() and ids_path.is_file():
            try:
                db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
                db.scratch = hyperscan.Scratch(db)  # a loaded database has none
                ids = [int(x) for x in ids_path.read_text().split()]
                return cls(db, ids)
            except Exception:  # a stale or damaged cache is rebuilt
                pass
        good = _compilable(entries)
        if not good:
            return None
        db = _compile(good)
        ids = [e[0] for e in good]
        if path and ids_path:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(hyperscan.dumpb(db))
                ids_path.write_text(" ".join(map(str, ids)))
            except OSError:
                pass
        return cls(db, ids)

    def line_hits(self, data: bytes) -> dict[int, tuple[int, set[int]]]:
        """Line start -> (an offset where a match ended, the patterns that matched there)."""
        hits: dict[int, set[int]] = {}

        def on_match(pattern: int, _start: int, end: int, _flags: int, _ctx: Any) -> None:
            hits.setdefault(end, set()).add(pattern)

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch())
        lines: dict[int, tuple[int, set[int]]] = {}
        for end, ids in hits.items():
            at = max(0, end - 1)
            start = data.rfind(b"\n", 0, at) + 1
            lines.setdefault(start, (at, set()))[1].update(ids)
        return lines
