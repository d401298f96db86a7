"""A record file checked as it is edited: the problems of one record's text, each at the
place in the text it concerns (JSON errors at their offset, schema problems at their JSON
path, a regex that does not compile or that RE2 refuses, a sample it does not match, a
line of the clean-log corpus it matches), and what its regex captures in its samples."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import attrs

from errsig.core.draft import record_scanner, sample_misses
from errsig.core.kb.canons import canon_to_record, is_canon
from errsig.core.kb.convert import RecordError, structure_record
from errsig.core.kb.jsonpos import span_of, value_spans
from errsig.core.kb.model import Record
from errsig.core.matching.regex import PatternError, compile_pattern
from errsig.core.matching.vetting import clean_corpus_dir

# Values a person picks from, offered as completions (domains and categories also come
# from the loaded catalogue).
ENUMS = {
    "verification_tier": ("community", "curated", "verified", "ai_generated"),
    "root_cause_type": (
        "build",
        "configuration",
        "dependency",
        "environment",
        "generic",
        "network",
        "permission",
        "platform",
    ),
    "resolvable": ("true", "partial", "false"),
    "locale": ("en", "zh", "ja"),
}


@attrs.define(frozen=True)
class RecordIssue:
    start: int  # character offsets in the text
    end: int
    message: str
    severity: str = "error"  # error | warning | information


@functools.cache
def _clean_logs() -> tuple[tuple[str, bytes], ...]:
    root = clean_corpus_dir()
    return tuple((p.name, p.read_bytes()) for p in sorted(root.glob("*.log"))) if root.is_dir() else ()


def clean_hit(record: Record) -> str | None:
    """``file:line: text`` of the first clean-log line the record matches, if any."""
    scanner = record_scanner(record)
    if scanner is None:
        return None
    for name, data in _clean_logs():
        for f in scanner.scan_bytes(data, raw_findings=True):
            return f"{name}:{f.line + 1}: {f.match[:120]}"
    return None


def parse_record(text: str, expected_id: str | None = None) -> tuple[Record | None, list[RecordIssue]]:
    """The record in ``text`` and its load problems (JSON, schema, id)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [RecordIssue(exc.pos, min(len(text), exc.pos + 1), f"invalid JSON: {exc.msg}")]
    except (ValueError, RecursionError) as exc:
        return None, [RecordIssue(0, 1, f"invalid JSON: {exc}")]
    spans = value_spans(text)
    canon = is_canon(data)
    try:
        record = canon_to_record(data) if canon else structure_record(data)
    except RecordError as exc:
        issues = []
        for path, reason in exc.problems:
            start, end = span_of(spans, path) or (0, 1)
            if reason.startswith("required field"):
                end = min(end, start + 1)
            issues.append(RecordIssue(start, end, f"{path}: {reason}"))
        return None, issues
    except Exception as exc:  # a shape no check foresaw
        return None, [RecordIssue(0, 1, f"cannot load: {type(exc).__name__}: {exc}"[:200])]
    issues = []
    if expected_id and not canon and record.id != expected_id:
        start, end = span_of(spans, "$.id") or (0, 1)
        issues.append(
            RecordIssue(start, end, f"id {record.id!r} does not match its path (expected {expected_id!r})")
        )
    return record, issues


def check_record_text(text: str, expected_id: str | None = None, *, clean: bool = True) -> list[RecordIssue]:
    """Every problem of one record file's text, located."""
    record, issues = parse_record(text, expected_id)
    if record is None:
        return issues
    spans = value_spans(text)

    def at(path: str) -> tuple[int, int]:
        return span_of(spans, path) or (0, 1)

    try:
        compile_pattern(record.regex)
    except PatternError as exc:
        issues.append(RecordIssue(*at("$.regex"), str(exc)))
        return issues
    for i in sample_misses(record):
        issues.append(RecordIssue(*at(f"$.samples[{i}]"), "the regex does not match this sample"))
    if clean:
        hit = clean_hit(record)
        if hit:
            issues.append(
                RecordIssue(
                    *at("$.regex"),
                    f"matches a successful log of the clean corpus ({hit}); a pack record that does "
                    "is disabled when loaded",
                    "warning",
                )
            )
    return issues


def captures_in_samples(record: Record, limit: int = 5) -> list[tuple[str, dict[str, str]]]:
    """(matched text, named groups) of the record's regex in its samples."""
    scanner = record_scanner(record)
    out: list[tuple[str, dict[str, str]]] = []
    if scanner is None:
        return out
    for sample in record.samples:
        for f in scanner.scan_text(sample):
            if f.id == record.id:
                out.append((f.match, dict(f.captures)))
            if len(out) >= limit:
                return out
    return out


def expected_id(path: Path, pack_root: Path | None) -> str | None:
    """The id a record at ``path`` must have: its path in the pack, without ``.json``."""
    if pack_root is None:
        return None
    try:
        return path.relative_to(pack_root).with_suffix("").as_posix()
    except ValueError:
        return None
