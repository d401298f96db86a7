"""A finding: one known error found at one place in a text."""

from __future__ import annotations

import functools
import re
from typing import Any

import attrs
import re2

from errsig.core.kb.model import Record
from errsig.core.kb.placeholders import fill_placeholders
from errsig.core.pip.credentials import mask_credentials

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=[A-Z(\"'])|(?<=[。！？])")


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of ``text`` (at most ``limit`` characters)."""
    text = " ".join(text.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


@functools.lru_cache(maxsize=512)
def _example_spans(regex: str, text: str) -> tuple[tuple[str, int, int], ...]:
    """Where the named groups of ``regex`` match in ``text`` (RE2: linear, also for packs)."""
    try:
        m = re2.search(regex, text)
    except (re2.error, ValueError, TypeError):  # a pack may hold anything
        return ()
    if m is None:
        return ()
    spans = []
    for name, index in m.re.groupindex.items():
        start, end = m.span(index)
        if start >= 0 and end > start:
            spans.append((name, start, end))
    return tuple(spans)


def _with_captures(regex: str, text: str, captures: dict[str, str]) -> str:
    out = text
    taken: list[tuple[int, int]] = []
    for name, start, end in sorted(_example_spans(regex, text), key=lambda s: (s[1], -s[2])):
        value = captures.get(name)
        if not value or any(start < e and s < end for s, e in taken):
            continue  # no value, or inside a group already replaced
        taken.append((start, end))
    for start, end in sorted(taken, reverse=True):
        name = next(n for n, s, e in _example_spans(regex, text) if (s, e) == (start, end))
        out = out[:start] + captures[name] + out[end:]
    return out


@attrs.define
class Finding:
    """Positions are 0-based lines and 0-based character columns of the raw line;
    ``end_col`` is exclusive and may lie on ``end_line`` when a match runs over a wrap."""

    record: Record = attrs.field(eq=False, repr=False)
    line: int
    col: int
    end_line: int
    end_col: int
    match: str
    captures: dict[str, str] = attrs.field(factory=dict)
    severity: str = "error"
    caused_by: tuple[str, int] | None = None  # (record id, 0-based line) of the cause
    also_at: list[int] = attrs.field(factory=list)  # other lines of the same error instance
    specificity: int = attrs.field(default=0, eq=False, repr=False)
    builtin: bool = attrs.field(default=True, eq=False, repr=False)
    marked: bool = attrs.field(default=False, eq=False, repr=False)  # on a line the tool flags as an error
    texts: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)  # raw text of its lines
    symptom: bool = attrs.field(default=False, eq=False, repr=False)  # an unknown error's summary line

    @property
    def unknown(self) -> bool:
        """No record knows this error: it was found by its shape (``unknown/<tool>``)."""
        return self.record.domain == "unknown"

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def title(self) -> str:
        """The record's canonical message, first line, with this match's values: where the
        signature is itself an example of the error, the example's captured parts (a package,
        a host) are replaced by this match's; ``<placeholders>`` are filled too."""
        first = self.record.signature.strip().splitlines()[0] if self.record.signature.strip() else self.id
        if not self.captures:
            return first
        filled = fill_placeholders(_with_captures(self.record.regex, first, self.captures), self.captures)
        return mask_credentials(filled)[0]  # a captured URL may carry a token

    @property
    def message(self) -> str:
        """The title and the root cause's first sentence (the hover has the rest)."""
        cause = first_sentence(self.record.root_cause)
        return f"{self.title} — {cause}" if cause else self.title

    def shifted(self, lines: int) -> Finding:
        return attrs.evolve(
            self,
            line=self.line + lines,
            end_line=self.end_line + lines,
            caused_by=(self.caused_by[0], self.caused_by[1] + lines) if self.caused_by else None,
            also_at=[x + lines for x in self.also_at],
            texts={n + lines: text for n, text in self.texts.items()},
        )

    def to_json(self, file: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": file,
            "line": self.line + 1,
            "column": self.col + 1,
            "end_line": self.end_line + 1,
            "end_column": self.end_col + 1,
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "title": self.title,
            "match": self.match,
            "captures": dict(self.captures),
        }
        if self.caused_by:
            out["caused_by"] = {"id": self.caused_by[0], "line": self.caused_by[1] + 1}
        if self.also_at:
            out["also_at"] = [x + 1 for x in self.also_at]
        if self.record.official_doc_url:
            out["doc_url"] = self.record.official_doc_url
        return out
