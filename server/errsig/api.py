"""errsig's library API: what `errsig scan`, `errsig report` and the Spark job use, for a team's
own pipeline (Airflow, Dask, a notebook) without the CLI.

    from errsig import api

    cat = api.load_catalogue()                      # the built-in records (+ packs=[...])
    for f in cat.scan_file("build.log"):            # findings as plain dicts
        print(f["line"], f["id"], f["title"])
    cat.scan_text(text, name="job-42")              # a str
    cat.scan_bytes(data, name="s3://…/job-42.log")  # bytes, as read from anywhere
    cat.explain("pip/read-timeout")                 # the record's card as a dict
    api.report(["ci-logs/"], group_by="{repo}/*")   # the `errsig report --json` document

Versioned: ``API_VERSION`` changes only when a name, a parameter or a key of the dicts below
changes incompatibly; new keys may be added. A finding dict has the keys of `errsig scan
--format json`: file, line, column, end_line, end_column (1-based), id, severity
(error | warning | information), message, title, match, captures, and when they apply
caused_by {id, line}, also_at [lines], doc_url. Loading never raises for a bad pack: its
problems are in ``Catalogue.problems``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from errsig.core.loading import Toolkit, load_toolkit

API_VERSION = 1

__all__ = ["API_VERSION", "Catalogue", "load_catalogue", "report"]


class Catalogue:
    """A loaded catalogue (built-in records, packs) and the scanner over it. Safe to share
    between threads; in worker processes load one per process (or fork after loading)."""

    def __init__(self, toolkit: Toolkit) -> None:
        self._tk = toolkit

    @property
    def toolkit(self) -> Toolkit:
        """The core objects behind this API (not covered by ``API_VERSION``)."""
        return self._tk

    @property
    def ids(self) -> list[str]:
        """The ids of the active records, sorted."""
        return sorted(s.record.id for s in self._tk.matcher.signatures)

    @property
    def problems(self) -> list[str]:
        """What loading reported: broken records, packs disabled or demoted by vetting."""
        return [str(p) for p in self._tk.problems]

    def scan_text(self, text: str, name: str = "<text>") -> list[dict[str, Any]]:
        return self.scan_bytes(text.encode("utf-8", "surrogatepass"), name)

    def scan_bytes(self, data: bytes, name: str = "<bytes>") -> list[dict[str, Any]]:
        from errsig.core.scan.files import scan_stream  # noqa: PLC0415

        return [f.to_json(name) for f in scan_stream(self._tk.scanner, io.BytesIO(data), name)]

    def scan_file(self, path: str | Path) -> list[dict[str, Any]]:
        """A log file (read in chunks: any size; a FIFO is read as a stream)."""
        from errsig.core.scan.files import scan_file  # noqa: PLC0415

        return [f.to_json(str(path)) for f in scan_file(self._tk.scanner, Path(path))]

    def explain(self, record_id: str, locale: str | None = None) -> dict[str, Any] | None:
        """The record's card (root cause, workarounds safest first with their evidence, dead
        ends, versions) as a dict, or None for an id the catalogue lacks."""
        import attrs  # noqa: PLC0415

        from errsig.core.explain.card import make_card  # noqa: PLC0415

        record = self._tk.catalogue.resolve(record_id)
        if record is None:
            return None
        return attrs.asdict(make_card(record, locale=locale))


def load_catalogue(
    packs: Iterable[str | Path] = (), *, builtin: bool = True, unknown: bool = False
) -> Catalogue:
    """The built-in records (unless ``builtin=False``) and the packs in ``packs`` (folders of
    records in errsig's schema or deadends.dev canons, vetted as the CLI vets them).
    ``unknown``: also report error-shaped lines no record knows (``unknown/<tool>``)."""
    toolkit = load_toolkit([Path(p) for p in packs], builtin=builtin)
    toolkit.scanner.unknown = unknown
    return Catalogue(toolkit)


def report(
    paths: Sequence[str],
    catalogue: Catalogue | None = None,
    *,
    workers: int = 1,
    group_by: str | None = None,
    include: Sequence[str] = (),
) -> dict[str, Any]:
    """The document `errsig report --json` writes, for files, folders and archives."""
    from errsig.core import report as _report  # noqa: PLC0415

    cat = catalogue or load_catalogue(unknown=True)
    doc, _ = _report.report(cat.toolkit.scanner, paths, workers=workers, group_by=group_by, include=include)
    return doc
