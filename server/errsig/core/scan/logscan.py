"""Scanning terminal output and logs for known signatures.

``scan_bytes`` works on raw bytes (any size, any encoding damage): the engine's
prefilter finds candidate lines, each is decoded and cleaned (:mod:`.clean`), joined
with its neighbours where the terminal hard-wrapped it, and the signatures that can
match there run on the clean text. Positions go back to the raw text through the
clean view's map. :mod:`.resolve` then picks one finding per error instance and links
symptoms to causes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

import attrs
import re2

from errsig.core.matching.engine import other_escape_at
from errsig.core.matching.matcher import Matcher
from errsig.core.matching.regex import raw_spans
from errsig.core.scan.clean import (
    ESCAPE_MARKERS,
    WRAP_WIDTHS,
    Segment,
    clean_segments,
    join_segments,
    looks_json_stream,
    rough_clean,
    strip_escapes_bytes,
    visible_width,
)
from errsig.core.scan.findings import Finding
from errsig.core.scan.probes import PROBE_TAG, is_probe
from errsig.core.scan.resolve import resolve

_WRAP_ALTERNATIVES = "|".join(f"[^\\r\\n]{{{w}}}" for w in sorted(WRAP_WIDTHS))
# A full-width line followed by one that starts mid-text (not blank, not an escape or prefix).
_WRAPPED_PAIR = re2.compile(f"(?m)^(?:{_WRAP_ALTERNATIVES})\\r?\\n[^\\s\\x1b#]".encode())._regexp
LONG_LINE = 1 << 16  # bytes; longer lines are looked at in a window around each hit
WRAP_SCAN_LIMIT = 16 << 20  # bytes; bigger texts are not checked for literals cut by a wrap
WINDOW = 4096
MAX_WRAP_CHAIN = 4
SLICE = 1 << 20  # bytes of lines per slice of a sliced scan
# Record tag: an error only where the tool marks the line as one ("Error: ..."); the same
# text unmarked is a warning (Poetry printed "No file/folder found" as a notice before 2.0).
WARNING_UNLESS_MARKED = "warning-unless-marked"


@attrs.define
class _Lines:
    """Line lookup in a bytes buffer that starts at a line boundary."""

    data: bytes
    first_line: int
    _cursor_pos: int = 0
    _cursor_line: int = 0

    def line_at(self, offset: int) -> tuple[int, int, int]:
        """(line number, start, end) of the line holding byte ``offset``."""
        start = self.data.rfind(b"\n", 0, offset) + 1
        end = self.data.find(b"\n", offset)
        if end < 0:
            end = len(self.data)
        if start >= self._cursor_pos:
            self._cursor_line += self.data.count(b"\n", self._cursor_pos, start)
        else:
            self._cursor_line -= self.data.count(b"\n", start, self._cursor_pos)
        self._cursor_pos = start
        return self.first_line + self._cursor_line, start, end

    def prev(self, start: int) -> tuple[int, int] | None:
        if start == 0:
            return None
        p_start = self.data.rfind(b"\n", 0, start - 1) + 1
        return p_start, start - 1

    def next(self, end: int) -> tuple[int, int] | None:
        if end >= len(self.data):
            return None
        n_end = self.data.find(b"\n", end + 1)
        return end + 1, (len(self.data) if n_end < 0 else n_end)

    def text(self, start: int, end: int) -> str:
        if end - start > LONG_LINE:
            end = start + LONG_LINE
        return self.data[start:end].decode("utf-8", "replace")


_FRESH_LINE = re.compile(r"\s|$|[A-Z][A-Za-z ]{1,20}: |\x1b|#\d+ |\d{4}-\d\d-\d\dT")


_ERROR_WORDS = r"error|fatal|fehler|erreur|errore|erro|ошибка|错误|錯誤|致命错误|エラー|致命的エラー|오류"
_ERROR_MARK = re.compile(
    rf"(?i)(?:\b(?:{_ERROR_WORDS})\b|致命错误|错误|エラー|×|✗|✘|💥|\[error\])[^a-z0-9]*$"
)
_ERROR_START = re.compile(rf"(?i)(?:{_ERROR_WORDS}|×|✗|💥)")


_LINE_MARK = re.compile(rf"\s*(?:(?:{_ERROR_WORDS})\b|×|✗|💥|x (?=\S))", re.IGNORECASE)


def _lines_with(data: bytes, markers: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """(start, end) of every line holding one of ``markers``, in order (memchr-speed finds)."""
    spans: set[tuple[int, int]] = set()
    for marker in markers:
        pos = data.find(marker)
        while pos >= 0:
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            spans.add((start, end))
            pos = data.find(marker, end)
    return sorted(spans)


def _is_marked(text: str, start: int) -> bool:
    """The tool flagged this line as an error (``ERROR: …``, ``error: …``, ``× …``)."""
    prefix = text[max(0, start - 40) : start]
    return bool(_ERROR_MARK.search(prefix) or _ERROR_START.match(text, start) or _LINE_MARK.match(text))


_FRESH_LINE_BYTES = re.compile(_FRESH_LINE.pattern.encode("ascii"))


def _is_wrapped(raw: str) -> bool:
    return visible_width(raw) in WRAP_WIDTHS


def _continues(raw_next: str) -> bool:
    """A hard-wrapped line's continuation starts mid-text, not like a line of its own."""
    return not _FRESH_LINE.match(raw_next)


class LogScanner:
    def __init__(self, matcher: Matcher, *, unknown: bool = False) -> None:
        self.matcher = matcher
        self.unknown = unknown  # also report error-shaped lines no record knows (unknown/<tool>)

    def scan_text(self, text: str, first_line: int = 0) -> list[Finding]:
        return self.scan_bytes(text.encode("utf-8", "surrogatepass"), first_line)

    def scan_bytes(
        self, data: bytes, first_line: int = 0, *, raw_findings: bool = False, wraps: bool | None = None
    ) -> list[Finding]:
        """Findings in ``data`` (which starts at line ``first_line`` of its file). ``wraps``:
        look for literals cut by a hard wrap (default: when ``data`` is at most
        WRAP_SCAN_LIMIT bytes; a slice of a bigger text says what the whole text gets)."""
        lines = _Lines(data, first_line)
        found: dict[tuple[str, int, int], Finding] = {}
        hints = self.matcher.engine.fast_hits(data)
        candidates, looked_again = self._candidate_lines(data, wraps)
        for line_start, (at, _ids) in hints.items():
            candidates.setdefault(line_start, at)
        for _start, hit in sorted(candidates.items()):
            number, start, end = lines.line_at(hit)
            # The fast engine saw the raw bytes; a line that needed the second look (escapes
            # inside a literal, a hard wrap) gets every pattern considered.
            seen = None if not hints or start in looked_again else hints.get(start, (0, set()))[1]
            self._scan_line(lines, number, start, end, hit, found, seen)
        findings = list(found.values())
        if self.unknown:
            from errsig.core.scan.unknown import find_unknown  # noqa: PLC0415 (only when asked for)

            findings.extend(find_unknown(data, first_line))
        return findings if raw_findings else resolve(findings)

    def scan_sliced(
        self,
        data: bytes,
        first_line: int = 0,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        slice_bytes: int = SLICE,
        threads: int = 1,
    ) -> list[Finding] | None:
        """Raw findings of ``data``, scanned a slice of lines at a time: each slice is a
        bounded piece of work, the GIL is offered to other threads between slices (a
        server's event loop keeps answering), and ``cancelled`` is checked there (None
        when it said so). Each slice starts a few lines early, so a hard wrap across the
        cut is still joined; a match found twice keeps its longest form. ``threads`` > 1
        scans slices in that many threads at once (RE2 releases the GIL while it matches);
        the findings are the same, merged in the slices' order."""
        wraps = len(data) <= WRAP_SCAN_LIMIT  # as a whole-text scan decides, not each slice

        def scan(piece: tuple[int, int, int]) -> list[Finding] | None:
            if cancelled():
                return None
            start, end, start_line = piece
            found = self.scan_bytes(data[start:end], start_line, raw_findings=True, wraps=wraps)
            time.sleep(0)  # let the other threads run
            return found

        pieces = self._slices(data, first_line, slice_bytes)
        if threads > 1 and len(pieces) > 1:
            # a threaded scan only: start-up does not import it
            import concurrent.futures  # noqa: PLC0415

            with concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="errsig-slice") as pool:
                results = list(pool.map(scan, pieces))
        else:
            results = []
            for piece in pieces:
                results.append(scan(piece))
                if results[-1] is None:
                    break
        found: dict[tuple[str, int, int], Finding] = {}
        for result in results:
            if result is None:
                return None
            for f in result:
                key = (f.id, f.line, f.col)
                if key not in found or len(found[key].match) < len(f.match):
                    found[key] = f
        return list(found.values())

    def stream(self, wraps: bool) -> StreamScan:
        """A sliced scan of a text that arrives a piece at a time (see :class:`StreamScan`)."""
        return StreamScan(self, wraps)

    @staticmethod
    def _slices(data: bytes, first_line: int, slice_bytes: int) -> list[tuple[int, int, int]]:
        """(start, end, line of start) of each slice: whole lines, about ``slice_bytes`` each,
        each starting up to MAX_WRAP_CHAIN - 1 lines before the previous one's end."""
        out: list[tuple[int, int, int]] = []
        pos, line = 0, first_line
        while pos < len(data):
            cut = data.find(b"\n", min(len(data), pos + slice_bytes))
            end = len(data) if cut < 0 else cut + 1
            start, start_line = pos, line
            for _ in range(MAX_WRAP_CHAIN - 1):
                prev = data.rfind(b"\n", 0, start - 1) + 1 if start else start
                if prev == start or start - prev > LONG_LINE:
                    break
                start, start_line = prev, start_line - 1
            out.append((start, end, start_line))
            line += data.count(b"\n", pos, end)
            pos = end
        return out

    def _candidates(self, data: bytes) -> dict[int, int]:
        """Line start -> a byte offset in that line worth looking at."""
        return self._candidate_lines(data)[0]

    def _candidate_lines(self, data: bytes, wraps: bool | None = None) -> tuple[dict[int, int], set[int]]:
        """Line start -> a byte offset worth looking at; and the lines found by the second look."""
        engine = self.matcher.engine
        starts: dict[int, int] = {}
        second_look: list[tuple[int, bytes]] = []
        looked_again: set[int] = set()
        escaped = any(marker in data for marker in ESCAPE_MARKERS)
        if escaped and engine.sees_through_escapes:
            # Escape sequences can sit inside a literal ("Connection \x1b[1mreset\x1b[0m by
            # peer"): the prefilter looks through colour escapes and control characters; a line
            # with another kind of escape (an OSC title, escapes written out in JSON) is cleaned
            # and looked at again below.
            other: list[int] = []
            for offset in engine.offsets_through_escapes(data):
                line_start = data.rfind(b"\n", 0, offset) + 1
                if other_escape_at(data, offset):
                    other.append(line_start)
                elif line_start not in starts:
                    starts[line_start] = offset
                    looked_again.add(line_start)  # the fast engine saw only the raw bytes
            for start in other:
                end = data.find(b"\n", start)
                end = len(data) if end < 0 else end
                if start not in starts and end - start <= LONG_LINE:
                    second_look.append((start, data[start:end]))
            if engine.fast is None:
                looked_again.clear()
        else:
            for offset in engine.candidate_offsets(data):
                starts.setdefault(data.rfind(b"\n", 0, offset) + 1, offset)
            # Escape sequences can sit inside a literal, and a pattern without a literal must
            # see the clean text: lines with escapes are checked again once cleaned, in one
            # batch, so the cost is a few C passes, not Python work per line.
            if escaped:
                for start, end in _lines_with(data, ESCAPE_MARKERS):
                    if start not in starts and end - start <= LONG_LINE:
                        second_look.append((start, data[start:end]))
        # Hard wraps come from copying a terminal's screen: pasted excerpts, not the
        # multi-megabyte logs tools write (those hold each line whole).
        if wraps is None:
            wraps = len(data) <= WRAP_SCAN_LIMIT
        pairs = raw_spans(_WRAPPED_PAIR, data, next_line=True) if wraps else []
        for start, pair_end in pairs:
            end = data.rfind(b"\n", start, pair_end)
            if start not in starts and not _FRESH_LINE_BYTES.match(data, end + 1):
                nxt = data.find(b"\n", end + 1)
                nxt = len(data) if nxt < 0 else nxt
                if nxt - start <= LONG_LINE:
                    second_look.append((start, data[start:end].rstrip(b"\r") + data[end + 1 : nxt]))
        if second_look:
            blob = strip_escapes_bytes(b"\n".join(text for _start, text in second_look))
            index = 0
            pos = 0
            for offset in sorted(set(engine.literal_offsets(blob))):
                index += blob.count(b"\n", pos, offset)
                pos = offset
                line_start = second_look[index][0]
                if line_start not in starts:
                    starts[line_start] = line_start
                    looked_again.add(line_start)
        return starts, looked_again

    def _segments(self, lines: _Lines, number: int, start: int, end: int, hit: int) -> list[Segment]:
        if end - start <= LONG_LINE:
            return clean_segments(lines.text(start, end), number)
        # A huge line: look at a window around the hit only.
        w0 = max(start, hit - WINDOW)
        w1 = min(end, hit + WINDOW)
        col0 = len(lines.data[start:w0].decode("utf-8", "replace"))
        segs = clean_segments(lines.data[w0:w1].decode("utf-8", "replace"), number)
        for seg in segs:
            seg.posmap.pieces = [(s, ln, c + col0) for s, ln, c in seg.posmap.pieces]
        return segs

    def _wrap_chain(self, lines: _Lines, number: int, start: int, end: int) -> Segment | None:
        """The logical line made of this line and the lines it is hard-wrapped with."""
        raw = lines.text(start, end)
        chain: list[tuple[int, str]] = [(number, raw)]
        s, n = start, number
        while len(chain) < MAX_WRAP_CHAIN:
            prev = lines.prev(s)
            if prev is None or prev[1] - prev[0] > LONG_LINE:
                break
            text = lines.text(*prev)
            if not _is_wrapped(text) or not _continues(chain[0][1]):
                break
            n -= 1
            chain.insert(0, (n, text))
            s = prev[0]
        e, n = end, number
        while len(chain) < MAX_WRAP_CHAIN and _is_wrapped(chain[-1][1]):
            nxt = lines.next(e)
            if nxt is None or nxt[1] - nxt[0] > LONG_LINE:
                break
            following = lines.text(*nxt)
            if not _continues(following):
                break
            n += 1
            chain.append((n, following))
            e = nxt[1]
        if len(chain) < 2:
            return None
        joined: Segment | None = None
        for i, (ln, text) in enumerate(chain):
            segs = clean_segments(text, ln)
            if not segs:
                continue
            seg = segs[0] if i > 0 else segs[-1]
            if i > 0 and len(segs) > 1 and i < len(chain) - 1:
                break
            joined = seg if joined is None else join_segments(joined, seg)
        return joined

    def _texts(
        self, lines: _Lines, line: int, end_line: int, number: int, start: int, end: int
    ) -> dict[int, str]:
        """Raw text of a finding's lines (the front ends convert columns with it)."""
        if end - start > LONG_LINE:
            return {}
        out: dict[int, str] = {}
        for n in range(line, end_line + 1):
            s, e, k = start, end, number
            while k > n:
                prev = lines.prev(s)
                if prev is None:
                    break
                s, e = prev
                k -= 1
            while k < n:
                nxt = lines.next(e)
                if nxt is None:
                    break
                s, e = nxt
                k += 1
            if k == n:
                out[n] = lines.text(s, e)
        return out

    def _may_match(self, lines: _Lines, start: int, end: int, seen: set[int] | None) -> bool:
        """A cheap look before the full work: most candidate lines of a noisy pack match
        nothing. Lines that may join a hard wrap, or JSON streams, always get the full look."""
        raw = lines.text(start, end)
        if looks_json_stream(raw) or _is_wrapped(raw):
            return True
        prev = lines.prev(start)
        if prev is not None and prev[1] - prev[0] <= LONG_LINE and _is_wrapped(lines.text(*prev)):
            return True
        return bool(self.matcher.engine.patterns_in(rough_clean(raw), seen))

    def _scan_line(
        self,
        lines: _Lines,
        number: int,
        start: int,
        end: int,
        hit: int,
        found: dict[tuple[str, int, int], Finding],
        seen: set[int] | None = None,
    ) -> None:
        engine = self.matcher.engine
        if end - start <= LONG_LINE and not self._may_match(lines, start, end, seen):
            return
        texts = self._segments(lines, number, start, end, hit)
        if end - start <= LONG_LINE:
            chain = self._wrap_chain(lines, number, start, end)
            if chain is not None:
                texts.append(chain)
        signatures = self.matcher.signatures
        raw_texts: dict[tuple[int, int], dict[int, str]] = {}  # decoded once per line, not per hit
        probe: list[bool] = []  # whether the line is a configure probe's: asked once, not per hit
        for seg in texts:
            single_line = seg.posmap.pieces[0][1] == seg.posmap.pieces[-1][1] if seg.posmap.pieces else True
            for index in engine.patterns_in(seg.text, seen if single_line else None):
                sig = signatures[index]
                for h in sig.regex.hits(seg.text):
                    line, col = seg.posmap.raw(h.start)
                    end_line, end_col = seg.posmap.raw_end(h.end)
                    key = (sig.record.id, line, col)
                    if key in found and len(found[key].match) >= h.end - h.start:
                        continue  # the same match; a longer one (across a wrap) replaces it
                    if PROBE_TAG in sig.record.tags:
                        if not probe:
                            probe.append(is_probe(lines.text(start, end), lines.data, start))
                        if probe[0]:
                            continue  # a configure probe's compiler error is not the build failing
                    severity = "information" if sig.demoted else sig.record.severity
                    marked = _is_marked(seg.text, h.start)
                    if severity == "error" and not marked and WARNING_UNLESS_MARKED in sig.record.tags:
                        severity = "warning"  # the tool printed it as a notice (older releases)
                    if (line, end_line) not in raw_texts:
                        raw_texts[line, end_line] = self._texts(lines, line, end_line, number, start, end)
                    found[key] = Finding(
                        record=sig.record,
                        line=line,
                        col=col,
                        end_line=end_line,
                        end_col=end_col,
                        match=seg.text[h.start : h.end],
                        captures=h.groups,
                        severity=severity,
                        specificity=sig.specificity(seg.text[h.start : h.end]),
                        builtin=sig.trusted,
                        marked=marked,
                        texts=raw_texts[line, end_line],
                    )


def _overlap_start(data: bytes, start: int) -> int:
    """Where a slice starting at ``start`` (a line start) begins: up to MAX_WRAP_CHAIN - 1
    lines earlier, none longer than LONG_LINE (as :meth:`LogScanner._slices` starts each)."""
    for _ in range(MAX_WRAP_CHAIN - 1):
        prev = data.rfind(b"\n", 0, start - 1) + 1 if start else start
        if prev == start or start - prev > LONG_LINE:
            break
        start = prev
    return start


class StreamScan:
    """:meth:`LogScanner.scan_sliced` over a text that arrives a piece at a time (a big
    document still being received). :meth:`add` takes a piece and gives the slice its
    complete lines make, starting a few lines early as each slice of a sliced scan does;
    :meth:`last` gives the last line's, if no line break ends the text. The slices are
    scanned by :meth:`scan` in any thread, in any order, and :meth:`merge` (their results in
    the slices' order) gives what a sliced scan of the whole text gives. ``wraps`` is what
    the whole text's size decides (at most WRAP_SCAN_LIMIT bytes); :meth:`merge` gives None
    if that turned out otherwise (the caller scans the whole text instead)."""

    def __init__(self, scanner: LogScanner, wraps: bool) -> None:
        self.scanner = scanner
        self.wraps = wraps
        self.size = 0  # bytes added
        self._held = b""  # the last lines sliced (the next slice's overlap), then lines not sliced yet
        self._sliced = 0  # how much of ``_held`` was sliced
        self._line = 0  # the line ``_held`` starts at

    def add(self, piece: bytes) -> tuple[bytes, int] | None:
        """Take ``piece``; the slice (bytes, first line) of its complete lines, or None."""
        self.size += len(piece)
        data = self._held + piece
        cut = data.rfind(b"\n") + 1
        if cut <= self._sliced:  # no line ended in this piece
            self._held = data
            return None
        piece_slice = (data[:cut], self._line)
        start = _overlap_start(data, cut)
        self._line += data.count(b"\n", 0, start)
        self._held, self._sliced = data[start:], cut - start
        return piece_slice

    def last(self) -> tuple[bytes, int] | None:
        """The slice of the text's last line when no line break ends it (then nothing is left)."""
        if len(self._held) <= self._sliced:
            return None
        self._sliced = len(self._held)
        return self._held, self._line

    def scan(self, piece_slice: tuple[bytes, int]) -> list[Finding]:
        data, first_line = piece_slice
        return self.scanner.scan_bytes(data, first_line, raw_findings=True, wraps=self.wraps)

    def merge(self, results: Iterable[list[Finding]]) -> list[Finding] | None:
        """The whole text's raw findings from its slices' (in their order), as
        :meth:`LogScanner.scan_sliced` merges them; None if ``wraps`` was wrong for its size."""
        if self.wraps != (self.size <= WRAP_SCAN_LIMIT):
            return None
        found: dict[tuple[str, int, int], Finding] = {}
        for result in results:
            for f in result:
                key = (f.id, f.line, f.col)
                if key not in found or len(found[key].match) < len(f.match):
                    found[key] = f
        return list(found.values())
