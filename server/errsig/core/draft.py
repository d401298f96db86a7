"""Draft a record from a line no record knows.

The line's variable parts (quoted names, URLs, paths, hosts, versions, numbers,
``name==version``) become named groups, the rest is matched literally; the line and its
neighbours are the record's first sample, and the draft is checked to match that sample
with errsig's own scanner before it is offered. Everything else of the record is left as
an empty slot for a person to fill (docs/writing-records.md).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import attrs

from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.convert import unstructure_record
from errsig.core.kb.load import LoadedRecord
from errsig.core.kb.model import Record
from errsig.core.matching.matcher import Matcher
from errsig.core.pip.credentials import mask_credentials
from errsig.core.scan.clean import clean_segments, strip_escapes
from errsig.core.scan.logscan import LogScanner
from errsig.core.scan.unknown import find_unknown

WORKSPACE_PACK = Path(".errsig") / "records"
SAMPLE_BEFORE, SAMPLE_AFTER = 3, 2

# The variable parts of a message, left to right; each becomes a group of this kind.
_PARTS = re.compile(
    r"(?P<q1>'[^'\n]{1,200}')|(?P<q2>\"[^\"\n]{1,200}\")|(?P<q3>‘[^’\n]{1,200}’)|(?P<q4>`[^`\n]{1,200}`)"
    r"|(?P<url>\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+)"
    r"|(?P<pkgver>\b[A-Za-z][\w.-]*==[\w.+!-]+)"
    r"|(?P<path>(?<![\w.])(?:[A-Za-z]:[\\/]|~/|\.{1,2}/|/)(?:[\w.@+-]+[\\/])*[\w.@+-]+"
    r"|(?<![\w./])(?:[\w.@+-]+/)+[\w@+-]+\.[A-Za-z]\w{0,5}\b)"
    r"|(?P<host>\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|edu|gov|cn|de|uk|ai|co|cloud)\b)"
    r"|(?P<version>\bv?\d+(?:\.\d+)+(?:[a-z]+\d*)?\b)"
    r"|(?P<hex>\b0x[0-9a-fA-F]+\b)"
    r"|(?P<number>\b\d+\b)"
)
_GROUP = {
    "url": r"[^\s'\"<>]+",
    "path": r"[^\s'\"]+",
    "host": r"[\w.-]+",
    "version": r"v?[0-9][\w.+-]*",
}
_VERSIONISH = re.compile(r"v?\d+(?:\.\d+)+\w*")
_PATHISH = re.compile(r"(?:[A-Za-z]:[\\/]|~/|\.{1,2}/|/)\S+")


@attrs.define(frozen=True)
class Draft:
    record: Record
    path: Path  # relative to the pack folder: <domain>/<slug>.json

    def to_json(self) -> str:
        return json.dumps(unstructure_record(self.record), indent=2, ensure_ascii=False) + "\n"


def _name(kind: str, used: dict[str, int]) -> str:
    used[kind] = used.get(kind, 0) + 1
    return kind if used[kind] == 1 else f"{kind}{used[kind]}"


def _literal(text: str) -> str:
    return re.sub(r"(?:\\ )+", " +", re.escape(text))


def generalise(message: str) -> tuple[str, str]:
    """(regex, signature with <placeholders>) for one message line."""
    regex: list[str] = []
    sig: list[str] = []
    used: dict[str, int] = {}
    pos = 0
    for m in _PARTS.finditer(message):
        kind = m.lastgroup or ""
        regex.append(_literal(message[pos : m.start()]))
        sig.append(message[pos : m.start()])
        text = m.group(0)
        if kind.startswith("q"):
            inner = text[1:-1]
            sub = (
                "version" if _VERSIONISH.fullmatch(inner) else "path" if _PATHISH.fullmatch(inner) else "name"
            )
            name = _name(sub, used)
            regex.append(f"{re.escape(text[0])}(?P<{name}>[^{re.escape(text[-1])}\\n]+){re.escape(text[-1])}")
            sig.append(f"{text[0]}<{name}>{text[-1]}")
        elif kind == "pkgver":
            p, v = _name("package", used), _name("version", used)
            regex.append(f"(?P<{p}>[A-Za-z0-9][\\w.-]*)==(?P<{v}>[\\w.+!-]+)")
            sig.append(f"<{p}>==<{v}>")
        elif kind in _GROUP:
            name = _name(kind, used)
            regex.append(f"(?P<{name}>{_GROUP[kind]})")
            sig.append(f"<{name}>")
        elif kind == "hex":
            regex.append("0x[0-9a-fA-F]+")
            sig.append(text)
        else:
            regex.append(r"\d+")
            sig.append(text)
        pos = m.end()
    regex.append(_literal(message[pos:]))
    sig.append(message[pos:])
    return "".join(regex), "".join(sig)


def slug_of(signature: str) -> str:
    words = re.findall(r"[a-z0-9]+", re.sub(r"<[a-z0-9_]+>", " ", signature.lower()))
    stop = {"error", "the", "a", "an", "of", "to", "is", "in", "for", "e", "err", "npm", "fatal"}
    picked = [w for w in words if w not in stop and not w.isdigit()][:6]
    slug = "-".join(picked)[:60].strip("-")
    return slug or "unnamed-error"


def record_scanner(record: Record) -> LogScanner | None:
    """A scanner of this one record (None when its regex cannot run)."""
    catalogue = Catalogue(entries={record.id: LoadedRecord(record, "draft", "draft", False)})
    matcher = Matcher.build(catalogue, fast=False)
    if matcher.problems or not matcher.signatures:
        return None
    return LogScanner(matcher)


def _matches(record: Record, sample: str) -> bool:
    scanner = record_scanner(record)
    return scanner is not None and any(f.id == record.id for f in scanner.scan_text(sample))


def sample_misses(record: Record) -> list[int]:
    """Indexes of the record's samples its regex does not find (with errsig's scanner)."""
    return [i for i, sample in enumerate(record.samples) if not _matches(record, sample)]


def message_at(lines: Sequence[str], line: int) -> tuple[str, str]:
    """(tool, message) of the error-shaped text on ``line``; tool "generic" if it has no
    known shape (a person may still draft a record from any line)."""
    text = "\n".join(lines[max(0, line - 200) : line + 1])
    hits = [
        f for f in find_unknown(text.encode("utf-8", "surrogatepass"), max(0, line - 200)) if f.line == line
    ]
    if hits:
        return hits[0].record.id.partition("/")[2], hits[0].match
    segs = clean_segments(lines[line], line)
    body = segs[-1].text.strip() if segs else lines[line].strip()
    return "generic", body


def draft_record(
    lines: Sequence[str],
    line: int,
    *,
    taken: Collection[str] = (),
    today: _dt.date | None = None,
) -> Draft | None:
    """A draft record for the error on ``line`` of ``lines``; None if the line is blank."""
    if not 0 <= line < len(lines):
        return None
    tool, message = message_at(lines, line)
    message, _ = mask_credentials(message.strip())
    if not message:
        return None
    sample = "\n".join(
        mask_credentials(strip_escapes(x).rstrip("\r"))[0]
        for x in lines[max(0, line - SAMPLE_BEFORE) : line + SAMPLE_AFTER + 1]
    ).strip("\n")
    regex, signature = generalise(message)
    slug = slug_of(signature)
    rid = f"{tool}/{slug}"
    n = 2
    while rid in taken:
        rid = f"{tool}/{slug}-{n}"
        n += 1
    day = (today or _dt.date.today()).isoformat()
    record = Record(
        id=rid,
        signature=signature,
        regex=regex,
        domain=tool,
        category="",
        tags=["draft"],
        verification_tier="community",
        last_updated=day,  # type: ignore[arg-type]
        samples=[sample],
    )
    if not _matches(record, sample):
        record = attrs.evolve(record, regex=_literal(message))
        if not _matches(record, sample):
            return None
    return Draft(record, Path(rid + ".json"))


def write_draft(draft: Draft, pack: Path) -> Path:
    """Write the draft into ``pack`` (created if needed); never overwrites a file."""
    target = pack / draft.path
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: a watcher or an editor
    # never sees the file empty, and an existing file is never replaced (link refuses).
    fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(draft.to_json())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: create, then write
            with open(target, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(draft.to_json())
    finally:
        os.unlink(tmp)
    return target


def taken_ids(pack: Path) -> set[str]:
    """Ids of the records already in ``pack`` (by file name)."""
    if not pack.is_dir():
        return set()
    return {p.relative_to(pack).with_suffix("").as_posix() for p in pack.rglob("*.json")}
