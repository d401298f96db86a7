"""Keeping a document's findings current as it is edited, at the cost of the edit.

:class:`IncrementalLog` holds the raw matches of a document given as a list of lines.
An edit that replaced ``old_count`` lines at ``first`` with ``new_count`` lines drops the
matches touching that region (with a margin for hard wraps), shifts the ones below, and
scans only the new lines plus the margin.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from errsig.core.scan.findings import Finding
from errsig.core.scan.logscan import MAX_WRAP_CHAIN, LogScanner
from errsig.core.scan.resolve import resolve


def _key(f: Finding) -> tuple[str, int, int]:
    return (f.id, f.line, f.col)


def scan_lines(scanner: LogScanner, lines: Sequence[str], start: int, stop: int) -> list[Finding]:
    """Raw matches in ``lines[start:stop]`` (line numbers are document line numbers)."""
    if stop <= start:
        return []
    text = "\n".join(lines[start:stop])
    return scanner.scan_bytes(text.encode("utf-8", "surrogatepass"), start, raw_findings=True)


@attrs.define
class IncrementalLog:
    scanner: LogScanner
    raw: list[Finding] = attrs.field(factory=list)
    findings: list[Finding] = attrs.field(factory=list)

    def reset(self, raw: list[Finding]) -> list[Finding]:
        self.raw = raw
        self.findings = resolve(raw)
        return self.findings

    def update(self, lines: Sequence[str], first: int, old_count: int, new_count: int) -> list[Finding]:
        margin = MAX_WRAP_CHAIN
        delta = new_count - old_count
        lo = first - margin
        hi_old = first + old_count + margin
        kept: list[Finding] = []
        for f in self.raw:
            if f.end_line < lo:
                kept.append(f)
            elif f.line >= hi_old:
                kept.append(f.shifted(delta))
        a = max(0, lo)
        b = min(len(lines), first + new_count + margin)
        seen = {_key(f) for f in kept}
        for f in scan_lines(self.scanner, lines, a, b):
            if _key(f) not in seen:
                kept.append(f)
                seen.add(_key(f))
        kept.sort(key=lambda f: (f.line, f.col))
        return self.reset(kept)


def _dedupe(raw: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int, int]] = set()
    out = []
    for f in raw:
        if _key(f) not in seen:
            seen.add(_key(f))
            out.append(f)
    return out
