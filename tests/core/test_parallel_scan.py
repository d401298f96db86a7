"""Big files scanned by worker processes give exactly the serial scan's findings
(errsig.core.scan.parallel): same cut points, line numbers shifted back, same resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import successful_corpus_dir
from errsig.core.scan import files, parallel
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked")


def key(findings: list) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (
            f.id,
            f.line,
            f.col,
            f.end_line,
            f.end_col,
            f.severity,
            f.caused_by,
            tuple(f.also_at),
            f.match,
            f.texts,
        )
        for f in findings
    ]


@pytest.fixture(scope="module")
def tk() -> Toolkit:
    toolkit = load_toolkit([], fast=False)
    toolkit.scanner.unknown = True
    return toolkit


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """64 KB chunks and no size threshold, so a test file of a few MB has many chunks;
    returns a list that records how many ranges each parallel scan got."""
    monkeypatch.setattr(files, "CHUNK", 64 << 10)
    monkeypatch.setattr(files, "PARALLEL_MIN", 0)
    calls: list[int] = []
    real = parallel.scan_ranges

    def counting(scanner, path, ranges, workers):  # type: ignore[no-untyped-def]
        calls.append(len(ranges))
        return real(scanner, path, ranges, workers)

    monkeypatch.setattr(parallel, "scan_ranges", counting)
    return calls


def _big_log(tmp_path: Path, tail: bytes = b"") -> Path:
    logs = sorted((CORPUS / "real" / "failing").glob("*.log")) + sorted(successful_corpus_dir().glob("*.log"))
    data = b"".join(p.read_bytes().rstrip(b"\n") + b"\n" for p in logs)
    path = tmp_path / "big.log"
    path.write_bytes(data * 3 + tail)
    return path


def test_parallel_findings_equal_serial_ones(tk: Toolkit, tmp_path: Path, small_chunks: list[int]) -> None:
    path = _big_log(tmp_path)
    serial = files.scan_file(tk.scanner, path, jobs=1)
    par = files.scan_file(tk.scanner, path, jobs=2)
    assert small_chunks  # it really ran in parallel,
    assert small_chunks[0] > 10  # over many chunks
    assert len(serial) > 500
    assert key(par) == key(serial)


def test_a_last_line_without_a_line_break(tk: Toolkit, tmp_path: Path, small_chunks: list[int]) -> None:
    path = _big_log(tmp_path, tail=b"ERROR: No matching distribution found for nosuchpkg==1.0")
    serial = files.scan_file(tk.scanner, path, jobs=1)
    assert key(files.scan_file(tk.scanner, path, jobs=2)) == key(serial)
    assert serial[-1].id == "pip/no-matching-distribution"


def test_chunk_bounds_cut_after_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"a" * 10 + b"\n" + b"b" * 30 + b"\n" + b"c" * 5)
    assert parallel.chunk_bounds(path, 46, 8, 16) == [(0, 11), (11, 42), (42, 46)]


def test_utf16_files_are_scanned_serially(tk: Toolkit, tmp_path: Path, small_chunks: list[int]) -> None:
    path = tmp_path / "ps.log"
    path.write_bytes("ERROR: No matching distribution found for nosuchpkg==1.0\r\n".encode("utf-16"))
    assert [f.id for f in files.scan_file(tk.scanner, path, jobs=2)] == ["pip/no-matching-distribution"]
    assert small_chunks == []
