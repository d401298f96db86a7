"""Server state: settings, the loaded core, open documents, watched files, and
diagnostics kept per (producer, uri) so that one producer never wipes another's."""

from __future__ import annotations

import asyncio
import secrets
import threading
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types as t

from errsig.core.draft import WORKSPACE_PACK
from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.scan.files import TailState
from errsig.core.scan.findings import Finding
from errsig.core.scan.incremental import IncrementalLog
from errsig.core.settings import Settings
from errsig.lsp.documents import Document

LOG_SOURCE = "log"  # findings of a log's own text
LINK_SOURCE = "links"  # requirement lines named by an error in some log
CHECK_SOURCE = "checks"  # requirements / pip.conf validation


class DiagnosticStore(dict[tuple[str, str], list[t.Diagnostic]]):
    """Diagnostics by (source, uri), with a generation per uri that changes whenever an entry
    of that uri is set or removed: the ``resultId`` of pull diagnostics, so the server can
    answer "unchanged" instead of sending the same (possibly thousands of) items again."""

    def __init__(self) -> None:
        super().__init__()
        self.generation: dict[str, int] = {}
        self.session = secrets.token_hex(4)  # result ids of an earlier server never match

    def _bump(self, key: tuple[str, str]) -> None:
        self.generation[key[1]] = self.generation.get(key[1], 0) + 1

    def __setitem__(self, key: tuple[str, str], value: list[t.Diagnostic]) -> None:
        old = self.get(key)
        if old is value or old == value:  # the same items again: keep the id ("unchanged")
            return
        self._bump(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: tuple[str, str]) -> None:
        self._bump(key)
        super().__delitem__(key)

    def pop(self, key: tuple[str, str], *default: Any) -> Any:
        if key in self:
            self._bump(key)
        return super().pop(key, *default)

    def clear(self) -> None:
        for key in list(self):
            self._bump(key)
        super().clear()

    def result_id(self, uri: str) -> str:
        return f"{self.session}-{self.generation.get(uri, 0)}"


@attrs.define
class OpenLog:
    analysis: IncrementalLog
    task: asyncio.Task[None] | None = None
    dirty: bool = False  # an edit arrived during the full scan
    # A big log's records' findings are published before its unknown errors: a pull waits
    # for that first phase, not for the whole scan.
    first_phase: asyncio.Event | None = None


@attrs.define
class ClientTraits:
    encoding: str = "utf-16"
    pull: bool = False  # client pulls textDocument/diagnostic
    workspace_pull_seen: bool = False  # client has called workspace/diagnostic
    dynamic_watch: bool = False
    create_files: bool = False  # workspaceEdit.resourceOperations has "create"
    document_changes: bool = False
    configuration: bool = False
    refresh: bool = False  # workspace.diagnostics.refreshSupport
    progress: bool = False
    show_document: bool = False  # window.showDocument.support
    lens_refresh: bool = False  # workspace.codeLens.refreshSupport
    resolve_edit: bool = False  # codeAction.resolveSupport has "edit" and codeAction.dataSupport
    locale: str | None = None


@attrs.define
class State:
    settings: Settings = attrs.field(factory=Settings)
    toolkit: Toolkit | None = None
    roots: list[Path] = attrs.field(factory=list)
    drafted_packs: set[Path] = attrs.field(factory=set)  # packs "Draft a record" wrote outside a workspace
    client: ClientTraits = attrs.field(factory=ClientTraits)
    docs: dict[str, Document] = attrs.field(factory=dict)
    logs: dict[str, OpenLog] = attrs.field(factory=dict)
    tails: dict[str, TailState] = attrs.field(factory=dict)  # watched files on disk, by uri
    diagnostics: DiagnosticStore = attrs.field(factory=DiagnosticStore)
    published: dict[str, str] = attrs.field(factory=dict)  # uri -> result id last pushed
    refreshed: dict[str, str] = attrs.field(factory=dict)  # uri -> result id a refresh was sent for
    findings: dict[str, list[Finding]] = attrs.field(factory=dict)  # uri -> current log findings
    # Planned quick fixes, by finding and context, with a fingerprint of every file the plan
    # read (see interact._planned): a lightbulb request on an unchanged workspace re-plans nothing.
    fix_plans: dict[tuple[Any, ...], tuple[dict[str, Any], list[Any]]] = attrs.field(factory=dict)
    pushed_watched: set[str] = attrs.field(factory=set)
    requirements_on_disk: dict[str, Path] = attrs.field(factory=dict)  # uri -> path
    scripts_on_disk: dict[str, Path] = attrs.field(factory=dict)
    initial_scan: asyncio.Task[None] | None = None
    # Set once the first workspace walk has handed its logs out; while worker processes scan
    # them, ``pool_running``. The catalogue's warm-up waits for both (features._start_warming).
    walked: asyncio.Event = attrs.field(factory=asyncio.Event)
    pool_running: bool = False
    refresh_pending: bool = False
    pending: list[Any] = attrs.field(factory=list)  # fixes applied, outcome not seen yet (lsp.outcomes)
    offers: dict[str, list[Any]] = attrs.field(factory=dict)  # uri -> fixes offered for it (lsp.outcomes)
    stop_background: threading.Event = attrs.field(factory=threading.Event)  # set on shutdown

    def pack_dirs(self) -> list[Path]:
        """The packs of the settings, then each workspace's own (``.errsig/records``, where
        "Draft a record" writes), when it exists."""
        dirs = [Path(p).expanduser() for p in self.settings.packs]
        owns = [Path(root) / WORKSPACE_PACK for root in self.roots] + sorted(self.drafted_packs)
        for own in owns:
            if own.is_dir() and own not in dirs:
                dirs.append(own)
        return dirs

    def load(self) -> Toolkit:
        self.toolkit = load_toolkit(self.pack_dirs())
        self.toolkit.scanner.unknown = self.settings.unknown_errors
        return self.toolkit

    def all_diagnostics(self, uri: str) -> list[t.Diagnostic]:
        out: list[t.Diagnostic] = []
        for (_source, u), diags in sorted(self.diagnostics.items()):
            if u == uri:
                out.extend(diags)
        return out

    def uris_with_diagnostics(self) -> set[str]:
        return {u for (_s, u), d in self.diagnostics.items() if d}
