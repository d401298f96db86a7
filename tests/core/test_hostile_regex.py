"""Every built-in pattern, and the scanner around it, runs in time linear in the line.

Adversarial lines are built from each pattern's own literals (the text that makes a
backtracking engine try hard) and timed at two sizes; the cost may grow with the size,
not with its square or cube. Timing is min-of-N over a factor of 4 in size, with an
absolute floor, so a noisy shared machine cannot fail it: a linear pattern grows ~4x,
a quadratic one 16x, the cubic one of issue 8 64x.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.literals import required_literals
from errsig.core.matching.matcher import Signature

SMALL = 2048  # bytes; the big line is 8 KB
GROWTH = 4  # the big line is GROWTH x the small one
MAX_RATIO = 10  # linear: ~4; quadratic: 16
FLOOR_S = 0.002  # below this, differences are timer noise
REPEATS = 3


@pytest.fixture(scope="module")
def builtin() -> Toolkit:
    return load_toolkit(fast=False)


def _tokens(sig: Signature) -> list[str]:
    """The pattern's literal runs, their words, and the pieces that repeat in hostile input."""
    runs = required_literals(sig.regex.source) or []
    out: set[str] = set()
    for alt in runs:
        out.add(" ".join(alt))
        for run in alt:
            out.add(run)
            out.update(w for w in re.split(r"\W+", run) if len(w) >= 2)
    return sorted(out)


def _lines(tokens: list[str], size: int, *, full: bool = True) -> list[str]:
    """Each token repeated to ``size``; with ``full``, with more separators and tails."""
    lines = []
    for tok in tokens:
        for sep in ("", " ", ": ", "/") if full else ("", " "):
            unit = tok + sep
            lines.append((unit * (size // len(unit) + 1))[:size])
        if full:  # a prefix, then the rest repeated: "No module named pip " + "python" x N
            lines.append((tok + " " + "python" * size)[:size])
            lines.append((tok + " " + "a/" * size)[:size])
    return lines


def _best(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _growth(run: Callable[[str], object], small: str, big: str) -> tuple[float, float]:
    return _best(lambda: run(small)), _best(lambda: run(big))


def _superlinear(
    run: Callable[[str], object], lines_small: list[str], lines_big: list[str], max_ratio: float = MAX_RATIO
) -> list[str]:
    bad = []
    for small, big in zip(lines_small, lines_big, strict=True):
        t_small, t_big = _growth(run, small, big)
        if t_big > max_ratio * t_small + FLOOR_S:
            t_small, t_big = _growth(run, small, big)  # once more: the machine is shared
            if t_big > max_ratio * t_small + FLOOR_S:
                bad.append(f"{big[:40]!r}...: {t_small * 1e3:.1f} ms -> {t_big * 1e3:.1f} ms")
    return bad


def test_every_builtin_pattern_is_linear_on_lines_made_of_its_literals(builtin: Toolkit) -> None:
    slow: dict[str, list[str]] = {}
    for sig in builtin.matcher.signatures:
        tokens = _tokens(sig)
        assert tokens, sig.record.id
        small, big = _lines(tokens, SMALL), _lines(tokens, SMALL * GROWTH)
        bad = _superlinear(lambda text, sig=sig: list(sig.regex.hits(text)), small, big)  # type: ignore[misc]
        if bad:
            slow[sig.record.id] = bad
    assert slow == {}


def test_the_scanner_is_linear_on_the_same_lines(builtin: Toolkit) -> None:
    """Through the whole scanner: cleaning, the Set, every hit's finding and position, and
    resolving hundreds of matches on one line. 8x the size: linear ~8x, quadratic 64x."""
    slow: dict[str, list[str]] = {}
    for sig in builtin.matcher.signatures:
        tokens = sorted(_tokens(sig), key=len, reverse=True)[:2]
        small, big = _lines(tokens, SMALL, full=False), _lines(tokens, SMALL * 8, full=False)
        bad = _superlinear(builtin.scanner.scan_text, small, big, max_ratio=24)
        if bad:
            slow[sig.record.id] = bad
    assert slow == {}


def test_no_module_named_pip_followed_by_python_a_thousand_times(builtin: Toolkit) -> None:
    """The repro of issue 8: 13 s at 3 KB and minutes at 8 KB under Python re."""
    line = "No module named pip " + "python" * 1000
    sig = next(s for s in builtin.matcher.signatures if s.record.id == "pip/no-module-named-pip")
    t_small, t_big = _growth(lambda text: list(sig.regex.hits(text)), line[: len(line) // 4], line)
    assert t_big <= MAX_RATIO * t_small + FLOOR_S
    assert [f.id for f in builtin.scanner.scan_text(line)] == ["pip/no-module-named-pip"]


def test_patterns_beyond_the_union_budget_still_load_and_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack whose patterns together exceed RE2's budget for the prefilter union and the
    Set: the union is split, the patterns run on candidate lines; loading does not raise."""
    from errsig.core.matching import engine

    monkeypatch.setattr(engine, "UNION_MEMORY", 1 << 20)
    for i in range(40):
        regex = f"zq{i:03d}" + "[a-f0-9]{100}y" * 10
        rec = {"id": f"big/p{i}", "signature": "s", "regex": regex, "category": "build_error"}
        (tmp_path / "big").mkdir(exist_ok=True)
        (tmp_path / "big" / f"p{i}.json").write_text(json.dumps(rec), "utf-8")
    tk = load_toolkit([tmp_path], builtin=False, vet=False, fast=False)
    assert len(tk.matcher.signatures) == 40
    line = "zq007" + ("a" * 100 + "y") * 10
    assert [f.id for f in tk.scanner.scan_text(f"x\n{line}\n")] == ["big/p7"]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?P<pkg>[a-z]+)==(?P<ver>[0-9.]+)", "安装 foo==1.0 и bar==2.0 😀 baz==3"),
        (r"x*", "aéxx😀x"),
        (r"(?P<a>é+)|(?P<b>😀)", "éé😀 é"),
        (r"(?i)ERROR: (?P<msg>.+)", "error: 连接被重置\r"),
    ],
)
def test_hits_are_code_point_offsets_like_python_re(pattern: str, text: str) -> None:
    from errsig.core.matching.regex import compile_pattern

    expected = [
        (m.start(), m.end(), {k: v for k, v in m.groupdict().items() if v})
        for m in re.finditer(pattern, text)
        if m.end() > m.start()
    ]
    assert [(h.start, h.end, h.groups) for h in compile_pattern(pattern).hits(text)] == expected


# The cleaner's own patterns (escapes, CI prefixes, JSON streams, wraps) see every candidate line.
CLEANER_UNITS = [
    "\x1b[", "\x1b]", "\x1b]x", "\x9b0", "0", "#1 ", "#1 1.0 ", "web-1  | ", "a ", " ", "a-1 ",
    "2024-01-01T00:00:00", "2024-01-01T00:00:00Z ", "\\u001b[", "\\x1b[", "\\033[1", "[12:00:00] ",
    "##[error]", "Step 1/2 : ", "\\n", '\\"', "\r", "\x1b[1;", "x" * 79 + "\n", "a" * 80 + "\nb",
]  # fmt: skip


def test_the_cleaner_is_linear_on_lines_made_of_escapes_and_prefixes(builtin: Toolkit) -> None:
    from errsig.core.scan.clean import clean_segments, rough_clean

    def run(text: str) -> None:
        clean_segments(text)
        rough_clean(text)
        builtin.scanner.scan_text("ERROR: No module named pip " + text)

    small = [(u * (SMALL // len(u) + 1))[:SMALL] for u in CLEANER_UNITS]
    big = [(u * (8 * SMALL // len(u) + 1))[: 8 * SMALL] for u in CLEANER_UNITS]
    assert _superlinear(run, small, big, max_ratio=24) == []
