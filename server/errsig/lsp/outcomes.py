"""Outcomes of errsig's own fixes, seen in the editor. A quick fix is *applied* when a file it
edits later holds exactly the text the fix produces (the server sees the client's change; no
client cooperation needed), or when a client reports it with ``errsig.fixApplied``. It is then
pending until the same log or terminal shows the error again (failed) or the step succeeding
(worked), and is kept in the user's outcome store (:mod:`errsig.core.outcomes`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from errsig.core import outcomes
from errsig.core.fixes.model import Fix
from errsig.core.scan.findings import Finding

if TYPE_CHECKING:
    from errsig.lsp.server import ErrsigServer


def uri_of(path: Path) -> str:
    from errsig.lsp.features import uri_of as uri

    return uri(path)


FIX_APPLIED = "errsig.fixApplied"
_COMMANDS = "<terminal commands>"  # key in state.offers for command fixes
# What pip prints when an install went through.
_SUCCESS = re.compile(r"^\s*(?:Successfully installed|Successfully built|Requirement already satisfied)\b")


@attrs.define
class Pending:
    signature: str
    fix: str
    uri: str | None  # the log the fix was for
    mark: int  # its line count when the fix was applied: later lines are new


@attrs.define
class Offer:
    text: str  # what the edited file holds once the fix is applied
    signature: str
    fix: str
    log_uri: str


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def offered(ls: ErrsigServer, fix: Fix, signature: str, fix_id: str, log_uri: str) -> None:
    """A quick fix with edits was offered: remember what its files would hold."""
    for fe in fix.edits:
        if fe.new_content is None:
            continue
        uri = uri_of(Path(fe.path))
        offers = ls.state.offers.setdefault(uri, [])
        offer = Offer(_norm(fe.new_content), signature, fix_id, log_uri)
        if offer not in offers:
            offers.append(offer)
            del offers[:-10]


def changed(ls: ErrsigServer, uri: str, text: str) -> None:
    """A document changed: if it now holds an offered fix's result, that fix was applied."""
    offers = ls.state.offers.get(uri)
    if not offers:
        return
    now = _norm(text)
    for offer in [o for o in offers if o.text == now]:
        offers.remove(offer)
        applied(ls, [offer.signature, offer.fix, offer.log_uri])


def applied(ls: ErrsigServer, arguments: Sequence[Any]) -> None:
    """``errsig.fixApplied [signature, fix id, log uri]``: remember what was tried."""
    if len(arguments) < 2 or not all(isinstance(a, str) for a in arguments[:2]):
        return
    uri = arguments[2] if len(arguments) > 2 and isinstance(arguments[2], str) else None
    doc = ls.state.docs.get(uri) if uri else None
    mark = len(doc.lines) if doc is not None else 0
    ls.state.pending.append(Pending(str(arguments[0]), str(arguments[1]), uri, mark))
    del ls.state.pending[:-20]


def _resolve(ls: ErrsigServer, p: Pending, outcome: str) -> None:
    ls.state.pending.remove(p)
    outcomes.record(p.signature, p.fix, outcome)


def on_log(ls: ErrsigServer, uri: str, findings: Sequence[Finding]) -> None:
    """A log's findings changed: a pending fix for it failed when its error shows again in
    new lines; it worked when new lines show pip succeeding without it."""
    doc = ls.state.docs.get(uri)
    for p in [p for p in ls.state.pending if p.uri == uri]:
        if any(f.id == p.signature and f.line >= p.mark for f in findings):
            _resolve(ls, p, "failed")
        elif doc is not None and any(_SUCCESS.match(doc.line(n)) for n in range(p.mark, len(doc.lines))):
            _resolve(ls, p, "worked")


def offered_command(ls: ErrsigServer, command: str, signature: str, fix_id: str) -> None:
    """A command fix was offered: when the terminal later runs exactly it, it was tried."""
    offers = ls.state.offers.setdefault(_COMMANDS, [])
    offer = Offer(command.strip(), signature, fix_id, "")
    if offer not in offers:
        offers.append(offer)
        del offers[:-50]


def on_text(ls: ErrsigServer, text: str, findings: Sequence[Finding], command_line: str = "") -> None:
    """Terminal output (``errsig/scanText``): when it comes from running an offered fix
    command, that fix is pending; the output then says whether it worked (pip succeeded)
    or failed (the same error again), as later output does for any pending fix."""
    ran = command_line.strip()
    for offer in [o for o in ls.state.offers.get(_COMMANDS, []) if ran and o.text == ran]:
        ls.state.offers[_COMMANDS].remove(offer)
        applied(ls, [offer.signature, offer.fix])
    ids = {f.id for f in findings}
    success = any(_SUCCESS.match(line) for line in text.splitlines()[-200:])
    for p in list(ls.state.pending):
        if p.signature in ids:
            _resolve(ls, p, "failed")
        elif success:
            _resolve(ls, p, "worked")
