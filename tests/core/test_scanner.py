"""The scanner's handling of real terminal output: positions are in the raw text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.scan.files import BinaryFileError, scan_file, scan_growing

RESET = "Connection reset by peer"


def record(rid: str, regex: str, **extra: object) -> dict:  # type: ignore[type-arg]
    base = {
        "id": rid,
        "signature": rid,
        "regex": regex,
        "domain": rid.split("/", maxsplit=1)[0],
        "category": "network_error",
        "root_cause": "Because.",
        "confidence": 0.8,
    }
    base.update(extra)
    return base


@pytest.fixture(scope="module")
def tk(tmp_path_factory: pytest.TempPathFactory) -> Toolkit:
    root = tmp_path_factory.mktemp("pack")
    records = [
        record(
            "net/reset",
            r"Connection reset by peer",
            transition_graph={"leads_to": [{"error_id": "pip/nomatch"}]},
        ),
        record("pip/nomatch", r"No matching distribution found for (?P<package>[A-Za-z0-9._-]+)"),
        record("py/modnotfound", r"No module named '(?P<package>[\w.]+)'", tags=["generic"]),
        record("py/distutils", r"No module named 'distutils'"),
        record("pip/wheel", r"Failed building wheel for (?P<package>[\w.-]+)", category="build_error"),
        record(
            "pip/path", r"is installed in '(?P<path>[^']+)' which is not on PATH", category="path_warning"
        ),
    ]
    for r in records:
        p = root / f"{r['id']}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(r), "utf-8")
    return load_toolkit([root], builtin=False, vet=False)


def spans(tk: Toolkit, text: str) -> list[tuple[str, str]]:
    return [(f.id, f"{f.line}:{f.col}-{f.end_line}:{f.end_col}") for f in tk.scanner.scan_text(text)]


def test_plain_line(tk: Toolkit) -> None:
    assert spans(tk, "ok\nERROR: Connection reset by peer\n") == [("net/reset", "1:7-1:31")]


def test_ansi_colours_are_skipped_and_positions_stay_raw(tk: Toolkit) -> None:
    text = "\x1b[31mERROR:\x1b[0m Connection \x1b[1mreset\x1b[0m by peer\n"
    # raw: ESC[31m (5) ERROR: (6) ESC[0m (4) ' ' -> 'Connection ' starts at 16
    assert spans(tk, text) == [("net/reset", "0:16-0:48")]


def test_progress_redraws_and_glued_error(tk: Toolkit) -> None:
    text = "  10%|#   |\r  90%|####|\rERROR: Connection reset by peer\n"
    assert spans(tk, text) == [("net/reset", "0:31-0:55")]


def test_ci_timestamp_and_buildkit_prefixes(tk: Toolkit) -> None:
    text = (
        "2024-05-01T12:00:00.1234567Z Collecting torch\n"
        "#8 12.34 ERROR: No matching distribution found for torch\n"
    )
    assert spans(tk, text) == [("pip/nomatch", "1:16-1:56")]
    assert tk.scanner.scan_text(text)[0].captures == {"package": "torch"}


def test_hard_wrap_at_80_columns_is_joined(tk: Toolkit) -> None:
    first = "WARNING: Retrying (Retry(total=4)) after connection broken by ProtocolError: Con"
    assert len(first) == 80
    text = first + "\nnection reset by peer\n"
    assert spans(tk, text) == [("net/reset", "0:77-1:21")]


def test_docker_compose_json_stream(tk: Toolkit) -> None:
    line = (
        '{"stream":"Step 3/9 : RUN pip install \\"torch\\"'
        '\\nERROR: No matching distribution found for torch\\n"}'
    )
    found = tk.scanner.scan_text(line + "\n")
    assert [f.id for f in found] == ["pip/nomatch"]
    assert line[found[0].col : found[0].end_col].startswith("No matching distribution found for")


def test_more_specific_signature_wins_on_the_same_text(tk: Toolkit) -> None:
    text = "ModuleNotFoundError: No module named 'distutils'\nModuleNotFoundError: No module named 'yaml'\n"
    assert [(f.id, f.line) for f in tk.scanner.scan_text(text)] == [
        ("py/distutils", 0),
        ("py/modnotfound", 1),
    ]


def test_symptom_is_linked_to_its_cause(tk: Toolkit) -> None:
    text = (
        "Collecting torch\n"
        "WARNING: Connection reset by peer\n"
        "ERROR: No matching distribution found for torch\n"
    )
    found = tk.scanner.scan_text(text)
    assert [(f.id, f.caused_by) for f in found] == [("net/reset", None), ("pip/nomatch", ("net/reset", 1))]


def test_repeats_of_one_error_are_one_finding_on_the_error_line(tk: Toolkit) -> None:
    retries = "".join(f"WARNING: Retrying ({i}) Connection reset by peer\n" for i in range(3))
    text = retries + "ERROR: Could not install packages: Connection reset by peer\n"
    found = tk.scanner.scan_text(text)
    assert [(f.id, f.line, f.also_at) for f in found] == [("net/reset", 3, [0, 1, 2])]


def test_identical_echoes_keep_the_first(tk: Toolkit) -> None:
    echoes = "#9 1.2 Connection reset by peer\n#9 3.4 step failed\n#9 5.6 Connection reset by peer\n"
    assert [(f.line, f.also_at) for f in tk.scanner.scan_text(echoes)] == [(0, [2])]


def test_different_packages_are_different_instances(tk: Toolkit) -> None:
    text = "Failed building wheel for numpy\nFailed building wheel for scipy\n"
    assert [f.captures["package"] for f in tk.scanner.scan_text(text)] == ["numpy", "scipy"]


def test_severity_from_category(tk: Toolkit) -> None:
    text = "WARNING: The script x is installed in '/home/u/.local/bin' which is not on PATH.\n"
    (f,) = tk.scanner.scan_text(text)
    assert f.severity == "warning"
    assert f.captures == {"path": "/home/u/.local/bin"}


def test_non_ascii_and_astral_columns_are_code_points(tk: Toolkit) -> None:
    text = "错误 😀 ERROR: Connection reset by peer\n"
    (f,) = tk.scanner.scan_text(text)
    assert (f.col, f.end_col) == (12, 36)
    assert text[f.col : f.end_col] == RESET


def test_megabyte_line_is_scanned_in_a_window(tk: Toolkit) -> None:
    text = "x" * 3_000_000 + " Connection reset by peer " + "y" * 1000 + "\n"
    (f,) = tk.scanner.scan_text(text)
    assert (f.line, f.col) == (0, 3_000_001)


def test_broken_utf8_does_not_stop_the_scan(tk: Toolkit) -> None:
    data = b"\xff\xfe\xfa garbage \xc3\nERROR: Connection reset by peer\n"
    assert [(f.id, f.line) for f in tk.scanner.scan_bytes(data)] == [("net/reset", 1)]


def test_binary_file_is_refused(tk: Toolkit, tmp_path: Path) -> None:
    path = tmp_path / "core.log"
    path.write_bytes(b"\x7fELF\x00\x00\x00" + b"Connection reset by peer")
    with pytest.raises(BinaryFileError):
        scan_file(tk.scanner, path)


def test_utf16_powershell_log(tk: Toolkit, tmp_path: Path) -> None:
    path = tmp_path / "ps.log"
    path.write_bytes("PS C:\\> pip install x\r\nERROR: Connection reset by peer\r\n".encode("utf-16"))
    assert [(f.id, f.line) for f in scan_file(tk.scanner, path)] == [("net/reset", 1)]


def test_growing_file_rescans_only_the_tail(tk: Toolkit, tmp_path: Path) -> None:
    path = tmp_path / "build.log"
    path.write_text("Collecting torch\nERROR: Connection reset by peer\n", "utf-8")
    state = scan_growing(tk.scanner, path, None)
    assert [(f.id, f.line) for f in state.findings] == [("net/reset", 1)]
    offset = state.offset
    with path.open("a", encoding="utf-8") as fh:
        fh.write("ERROR: No matching distribution found for tor")  # half-written line
    state = scan_growing(tk.scanner, path, state)
    assert state.offset == offset
    assert len(state.findings) == 1
    with path.open("a", encoding="utf-8") as fh:
        fh.write("ch\n")
    state = scan_growing(tk.scanner, path, state)
    assert [(f.id, f.line, f.caused_by) for f in state.findings] == [
        ("net/reset", 1, None),
        ("pip/nomatch", 2, ("net/reset", 1)),
    ]
    assert state.line == 3


def test_truncated_file_is_rescanned_from_the_start(tk: Toolkit, tmp_path: Path) -> None:
    path = tmp_path / "build.log"
    path.write_text("a\nb\nConnection reset by peer\n", "utf-8")
    state = scan_growing(tk.scanner, path, None)
    path.write_text("Failed building wheel for lxml\n", "utf-8")
    state = scan_growing(tk.scanner, path, state)
    assert [(f.id, f.line) for f in state.findings] == [("pip/wheel", 0)]


def test_huge_file_is_scanned_from_its_tail(tk: Toolkit, tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text(
        "Connection reset by peer\n" + "filler line\n" * 10_000 + "Failed building wheel for lxml\n", "utf-8"
    )
    found = scan_file(tk.scanner, path, max_bytes=1000)
    assert [f.id for f in found] == ["pip/wheel"]


def test_literal_cut_at_the_second_of_two_wraps(tk: Toolkit) -> None:
    first = "WARNING: Retrying after connection broken by ProtocolError('Connection aborted.',"
    second = " ConnectionResetError(104, 'Connection aborted by the server side: Connection re"
    first, second = first[:80].ljust(80, "x"), "s" + second[1:80].ljust(79, "y")
    assert len(first) == len(second) == 80
    text = first + "\n" + second + "\nset by peer')\n"
    found = tk.scanner.scan_text(text)
    assert [(f.id, f.line, f.end_line) for f in found] == [("net/reset", 1, 2)]


def test_sliced_scan_finds_what_one_scan_finds(toolkit: Toolkit) -> None:
    """Slices of a few hundred bytes (cuts inside hard-wrapped errors too) give the same
    findings as one scan of the whole text."""
    from tests.conftest import CORPUS

    data = b"\n".join(p.read_bytes() for p in sorted(CORPUS.glob("positive/**/*.log")))

    def key(findings: list) -> list:  # type: ignore[type-arg]
        return sorted((f.id, f.line, f.col, f.end_line, f.end_col, f.match) for f in findings)

    whole = key(toolkit.scanner.scan_bytes(data, raw_findings=True))
    assert whole
    for size in (1, 300, 4096):
        for threads in (1, 2):
            sliced = toolkit.scanner.scan_sliced(data, slice_bytes=size, threads=threads)
            assert key(sliced or []) == whole, (size, threads)


def test_a_cancelled_sliced_scan_stops_at_the_next_slice(toolkit: Toolkit) -> None:
    data = b"ERROR: Connection reset by peer\n" * 10_000
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    assert toolkit.scanner.scan_sliced(data, cancelled=cancelled, slice_bytes=1000) is None
    assert len(calls) == 4
    assert toolkit.scanner.scan_sliced(data, cancelled=lambda: True, slice_bytes=1000, threads=2) is None


def test_scans_in_several_threads_at_once_find_the_same(toolkit: Toolkit) -> None:
    """The language server scans documents, watched files and scanText requests in worker
    threads at the same time: no engine state may be shared between scans."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import CORPUS

    data = b"\n".join(p.read_bytes() for p in sorted(CORPUS.glob("positive/**/*.log")))
    expected = [(f.id, f.line) for f in toolkit.scanner.scan_bytes(data)]
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda _: [(f.id, f.line) for f in toolkit.scanner.scan_bytes(data)], range(16))
        )
    assert all(r == expected for r in results)


def test_a_sliced_scan_of_a_big_text_looks_for_wraps_as_one_scan_does(toolkit: Toolkit) -> None:
    """Above WRAP_SCAN_LIMIT a whole-text scan does not look for literals cut by a hard wrap
    (multi-megabyte logs are written by tools, not copied off a screen); the slices of a
    sliced scan follow the whole text's size, not their own."""
    from errsig.core.scan.logscan import WRAP_SCAN_LIMIT

    first = "WARNING: Retrying (Retry(total=4)) after connection broken by ProtocolError: Con"
    wrapped = (first + "\nnection reset by peer\n").encode()
    filler = b"Collecting requests\n" * (WRAP_SCAN_LIMIT // 20 + 1)
    plain = b"ERROR: Could not install packages due to an OSError: [Errno 104] Connection reset by peer\n"
    data = wrapped + filler + plain

    def key(findings: list) -> list:  # type: ignore[type-arg]
        return sorted((f.id, f.line, f.col, f.end_line, f.end_col) for f in findings)

    whole = key(toolkit.scanner.scan_bytes(data, raw_findings=True))
    assert [k[1] for k in whole] == [data.count(b"\n") - 1]  # the plain line only
    assert key(toolkit.scanner.scan_sliced(data) or []) == whole
    small = wrapped + plain  # below the limit both find the wrapped one too
    assert key(toolkit.scanner.scan_sliced(small) or []) == key(
        toolkit.scanner.scan_bytes(small, raw_findings=True)
    )
    assert len(key(toolkit.scanner.scan_bytes(small, raw_findings=True))) == 2


def test_warming_compiles_ahead_and_changes_no_finding(tmp_path: Path) -> None:
    """``warm`` builds what the first scan would (the RE2 Sets, the escape-aware programs);
    findings are the same with and without it."""
    from errsig.core.loading import warm
    from tests.conftest import CORPUS

    data = b"\n".join(p.read_bytes() for p in sorted(CORPUS.glob("positive/**/*.log")))
    cold, warmed = load_toolkit(), load_toolkit()
    assert cold.matcher.engine._built_sets is None
    assert cold.matcher.engine._through_escapes is None
    warm(warmed)
    assert warmed.matcher.engine._built_sets is not None
    assert warmed.matcher.engine._through_escapes is not None
    assert cold.scanner.scan_bytes(data) == warmed.scanner.scan_bytes(data)
    stopped = load_toolkit()
    warm(stopped, cancelled=lambda: True)  # cancelled between steps: the rest is left for later
    assert stopped.matcher.engine._built_sets is None
