"""The derived data a start-up reads instead of recomputing: pattern analyses and literal
counts in the cache folder. Each must give what computing afresh gives, be recomputed when
it does not fit, and never raise on a damaged file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from errsig.core.loading import load_toolkit
from errsig.core.matching import analysis, background
from errsig.core.matching.analysis import AnalysisCache, analyse
from errsig.core.matching.background import Counts, frequency_table


def _engine_view(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    monkeypatch.setenv("ERRSIG_CACHE_DIR", str(folder))
    tk = load_toolkit()
    return [(p.key, p.literals, p.fold) for p in tk.matcher.engine.patterns]


def test_a_warm_load_builds_the_engine_a_cold_one_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _engine_view(tmp_path, monkeypatch)
    assert (tmp_path / "patterns-v2-builtin.json").is_file()
    assert (tmp_path / "literal-counts-v1.json").is_file()
    # a warm load must not read the corpus nor parse a pattern again
    monkeypatch.setattr(background, "background_text", lambda: pytest.fail("corpus read on a warm load"))
    monkeypatch.setattr(analysis, "analyse", lambda p: pytest.fail(f"pattern analysed again: {p!r}"))
    assert _engine_view(tmp_path, monkeypatch) == cold


DAMAGED = [b"", b"{", b"[]", b'{"corpus": [], "lines": 1, "counts": {}}', b"\xff\xfe"]


@pytest.mark.parametrize("content", DAMAGED)
def test_damaged_count_files_are_counted_again(tmp_path: Path, content: bytes) -> None:
    (tmp_path / background.FILE).write_bytes(content)
    words = ["error:", "Traceback", "WinError", "-packages"]
    table, lines = Counts(tmp_path).table(words)
    fresh = frequency_table(words)
    assert [table(w) for w in words] == [fresh(w) for w in words]
    assert lines == background.background_lines() > 0
    assert json.loads((tmp_path / background.FILE).read_text("utf-8"))["lines"] == lines


def test_counts_of_another_corpus_are_not_used(tmp_path: Path) -> None:
    Counts(tmp_path).table(["traceback"])
    data = json.loads((tmp_path / background.FILE).read_text("utf-8"))
    data["counts"]["traceback"] = 10**6  # as if counted in a corpus that has since changed
    data["corpus"][0][1] += 1
    (tmp_path / background.FILE).write_text(json.dumps(data), "utf-8")
    table, _ = Counts(tmp_path).table(["traceback"])
    assert table("Traceback") == frequency_table(["traceback"])("traceback") != 10**6


def test_counts_add_the_literals_a_new_pack_brings(tmp_path: Path) -> None:
    Counts(tmp_path).table(["traceback"])
    table, _ = Counts(tmp_path).table(["traceback", "ModuleNotFoundError"])
    assert table("modulenotfounderror") == frequency_table(["ModuleNotFoundError"])("ModuleNotFoundError")
    stored = json.loads((tmp_path / background.FILE).read_text("utf-8"))["counts"]
    assert {"traceback", "modulenotfounderror"} <= set(stored)


@pytest.mark.parametrize(
    "entry", [None, 3, [], ["x"], [None, "yes", None], [None, False, [["a", 1]]], [None, False, None, "no"]]
)
def test_a_damaged_analysis_entry_is_computed_again(tmp_path: Path, entry: object) -> None:
    pattern = r"No module named '(?P<module>[\w.]+)'"
    (tmp_path / analysis.FILE).write_text(json.dumps({pattern: entry}), "utf-8")
    cache = AnalysisCache(tmp_path)
    assert cache.get(pattern) == analyse(pattern)
    assert cache.dirty


def test_builtin_analyses_have_a_file_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "pack" / "demo"
    pack.mkdir(parents=True)
    seed = json.loads(Path("seeds/git/could-not-resolve-host.json").read_text("utf-8"))
    (pack / "thing.json").write_text(
        json.dumps(seed | {"id": "demo/thing", "regex": r"frobnicator exploded badly"}), "utf-8"
    )
    cache = tmp_path / "cache"
    monkeypatch.setenv("ERRSIG_CACHE_DIR", str(cache))
    load_toolkit([pack.parent])
    builtin = json.loads((cache / "patterns-v2-builtin.json").read_text("utf-8"))
    shared = json.loads((cache / analysis.FILE).read_text("utf-8"))
    assert r"frobnicator exploded badly" in shared
    assert r"frobnicator exploded badly" not in builtin
    assert seed["regex"] in builtin


def _tiny_pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    seed = json.loads(Path("seeds/git/could-not-resolve-host.json").read_text("utf-8"))
    for slug in ("one", "two"):
        (root / "demo").mkdir(parents=True, exist_ok=True)
        record = seed | {"id": f"demo/{slug}", "regex": f"frobnicator {slug} exploded"}
        (root / "demo" / f"{slug}.json").write_text(json.dumps(record), "utf-8")
    return root


def test_a_trusted_pack_is_loaded_again_from_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    first = load.load_pack(root, trusted=True, cache=cache)
    assert (cache / load.SNAPSHOT).is_file()
    monkeypatch.setattr(load, "_read_regular", lambda path: pytest.fail(f"{path} read again"))
    again = load.load_pack(root, trusted=True, cache=cache)
    assert [e.record for e in again.records] == [e.record for e in first.records]
    assert again.problems == first.problems == []


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    load.load_pack(root, trusted=True, cache=cache)
    path = root / "demo" / "two.json"
    path.write_text(path.read_text("utf-8").replace("frobnicator two", "frobnicator deux"), "utf-8")
    again = load.load_pack(root, trusted=True, cache=cache)
    assert [e.record.regex for e in again.records] == [
        "frobnicator one exploded",
        "frobnicator deux exploded",
    ]
    (root / "demo" / "three.json").write_text("{", "utf-8")  # a broken new file: a problem, no snapshot
    broken = load.load_pack(root, trusted=True, cache=cache)
    assert [p.file for p in broken.problems] == ["pack/demo/three.json"]
    assert [p.file for p in load.load_pack(root, trusted=True, cache=cache).problems] == [
        "pack/demo/three.json"
    ]


@pytest.mark.parametrize("content", DAMAGED)
def test_a_damaged_snapshot_is_not_used(tmp_path: Path, content: bytes) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    cache.mkdir()
    (cache / load.SNAPSHOT).write_bytes(content)
    pack = load.load_pack(root, trusted=True, cache=cache)
    assert [e.record.id for e in pack.records] == ["demo/one", "demo/two"]


def test_a_snapshot_is_used_only_for_its_own_trusted_pack(tmp_path: Path) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    load.load_pack(root, trusted=True, cache=cache)
    kept = json.loads((cache / load.SNAPSHOT).read_text("utf-8"))
    kept["records"][0]["regex"] = "planted"  # same files, other content: shows when it is used
    (cache / load.SNAPSHOT).write_text(json.dumps(kept), "utf-8")
    files = ["frobnicator one exploded", "frobnicator two exploded"]
    assert [e.record.regex for e in load.load_pack(root, trusted=True, cache=cache).records] == [
        "planted",
        files[1],
    ]
    assert [e.record.regex for e in load.load_pack(root, trusted=False, cache=cache).records] == files
    kept["root"] = "/elsewhere"
    (cache / load.SNAPSHOT).write_text(json.dumps(kept), "utf-8")
    assert [e.record.regex for e in load.load_pack(root, trusted=True, cache=cache).records] == files


def test_every_builtin_record_built_from_its_checked_form_equals_the_converters() -> None:
    from errsig.core.kb.convert import CONVERTER
    from errsig.core.kb.load import builtin_seeds_dir, load_pack
    from errsig.core.kb.model import record_from_checked

    records = [e.record for e in load_pack(builtin_seeds_dir(), trusted=True).records]
    assert len(records) > 400
    rebuilt = [record_from_checked(json.loads(json.dumps(CONVERTER.unstructure(r)))) for r in records]
    assert rebuilt == records
    # Nested parts are the model's classes, not dicts that happen to compare equal.
    linked = next(r for r in rebuilt if r.transition_graph.leads_to)
    assert type(linked.transition_graph.leads_to[0]).__name__ == "Transition"
    assert all(type(w).__name__ == "Workaround" for r in rebuilt for w in r.workarounds)


@pytest.mark.parametrize(
    "records",
    [
        [{"id": "demo/one"}, {"id": "demo/two"}],  # required fields missing
        [
            {"id": "demo/two", "signature": "s", "regex": "r"},
            {"id": "demo/one", "signature": "s", "regex": "r"},
        ],
        [{"id": "demo/one", "signature": "s", "regex": "r", "bogus": 1}, {}],
        [{"id": "demo/one", "signature": "s", "regex": "r", "workarounds": [5]}, {}],
        [3, None],
        [],
    ],
)
def test_a_snapshot_of_other_shapes_means_a_load_from_the_files(
    tmp_path: Path, records: list[object]
) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    load.load_pack(root, trusted=True, cache=cache)
    kept = json.loads((cache / load.SNAPSHOT).read_text("utf-8"))
    kept["records"] = records
    (cache / load.SNAPSHOT).write_text(json.dumps(kept), "utf-8")
    pack = load.load_pack(root, trusted=True, cache=cache)
    assert [e.record.regex for e in pack.records] == ["frobnicator one exploded", "frobnicator two exploded"]
    assert pack.problems == []


def test_a_foreign_pack_is_built_again_from_the_records_its_bytes_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    (root / "demo" / "broken.json").write_text('{"id": "demo/broken"}', "utf-8")  # a problem, kept too
    first = load.load_pack(root, cache=cache)
    assert [p.file for p in first.problems] == ["pack/demo/broken.json"] * len(first.problems)
    assert first.problems
    assert len(first.records) == 2
    with monkeypatch.context() as m:
        m.setattr(load, "_record", lambda *a: pytest.fail("checked again"))
        again = load.load_pack(root, cache=cache)
    assert again.records == first.records
    assert again.problems == first.problems
    assert again.digest == first.digest
    # One byte changed: other bytes, other digest, checked again.
    path = root / "demo" / "two.json"
    path.write_text(path.read_text("utf-8").replace("frobnicator two", "frobnicator deux"), "utf-8")
    changed = load.load_pack(root, cache=cache)
    assert [e.record.regex for e in changed.records] == [
        "frobnicator one exploded",
        "frobnicator deux exploded",
    ]
    assert changed.digest != first.digest
    # The same digest under another folder name is not taken for this pack.
    moved = root.rename(tmp_path / "elsewhere")
    assert [e.file for e in load.load_pack(moved, cache=cache).records] == [
        "elsewhere/demo/one.json",
        "elsewhere/demo/two.json",
    ]


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from errsig.core.kb import load

    reads: list[str] = []
    real = load._read_regular

    def read(path: str) -> tuple[bytes | None, str]:
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(load, "_read_regular", read)
    return reads


@pytest.fixture
def settled_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A tiny foreign pack and a cache folder, its files taken as settled although they were
    written just now (load.RACY_NS 0)."""
    from errsig.core.kb import load

    monkeypatch.setattr(load, "RACY_NS", 0)
    return _tiny_pack(tmp_path), tmp_path / "cache"


def test_an_unchanged_foreign_pack_is_not_read_again(
    settled_pack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from errsig.core.kb import load

    root, cache = settled_pack
    (root / "demo" / "broken.json").write_text('{"id": "demo/broken"}', "utf-8")
    first = load.load_pack(root, cache=cache)
    assert first.problems
    with monkeypatch.context() as m:
        m.setattr(load, "_read_regular", lambda path: pytest.fail(f"{path} read again"))
        again = load.load_pack(root, cache=cache)
    assert again.records == first.records
    assert again.problems == first.problems
    assert again.digest == first.digest


def test_a_foreign_file_rewritten_to_the_same_size_and_time_is_read_again(
    settled_pack: tuple[Path, Path],
) -> None:
    from errsig.core.kb import load

    root, cache = settled_pack
    first = load.load_pack(root, cache=cache)
    path = root / "demo" / "two.json"
    before = path.stat()
    path.write_text(path.read_text("utf-8").replace("frobnicator two", "frobnicator owt"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # its inode's change time moves on
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    changed = load.load_pack(root, cache=cache)
    assert [e.record.regex for e in changed.records] == [
        "frobnicator one exploded",
        "frobnicator owt exploded",
    ]
    assert changed.digest != first.digest


def test_files_changed_just_before_a_load_are_read_at_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coarse file-system clock could hide a second change within the same tick: a pack whose
    files changed moments before it was kept is known by its bytes only."""
    from errsig.core.kb import load

    root, cache = _tiny_pack(tmp_path), tmp_path / "cache"
    load.load_pack(root, cache=cache)  # the files are seconds old at most
    reads = _counting_reads(monkeypatch)
    load.load_pack(root, cache=cache)
    assert sorted(reads) == ["one.json", "two.json"]


def test_touched_foreign_files_are_read_once_then_known_by_their_times(
    settled_pack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from errsig.core.kb import load

    root, cache = settled_pack
    first = load.load_pack(root, cache=cache)
    os.utime(root / "demo" / "one.json")  # same bytes, new times
    reads = _counting_reads(monkeypatch)
    touched = load.load_pack(root, cache=cache)
    assert sorted(reads) == ["one.json", "two.json"]
    assert touched.records == first.records
    load.load_pack(root, cache=cache)
    assert sorted(reads) == ["one.json", "two.json"]  # not read a third time


def test_the_canons_from_their_snapshot_equal_the_canons_from_their_files(tmp_path: Path) -> None:
    from errsig.core.kb import load
    from tests.conftest import canons_or_skip

    canons, cache = canons_or_skip(), tmp_path / "cache"
    fresh = load.load_pack(canons)
    load.load_pack(canons, cache=cache)
    kept = load.load_pack(canons, cache=cache)
    assert kept.records == fresh.records
    assert kept.problems == fresh.problems


def test_derived_files_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from errsig.core.kb.jsonfile import read_json, write_json

    path = tmp_path / "sub" / "x.json"
    assert write_json(path, {"a": [1, "━"]})
    assert read_json(path, 1 << 20) == {"a": [1, "━"]}
    assert read_json(path, 4) is None  # over the cap
    assert not write_json(path, {"bad": object()})  # not JSON: the old file stays, no temporary left
    assert read_json(path, 1 << 20) == {"a": [1, "━"]}
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.json"]
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    try:
        assert not write_json(tmp_path / "ro" / "y.json", [1]) or os.geteuid() == 0
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_no_garbage_collection_runs_while_a_catalogue_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every object a load builds stays alive: collecting meanwhile frees nothing and took a
    third of a warm load with the deadends canons (loading._no_collection). The collector is
    on again after, and stays off for a caller that had turned it off."""
    import gc

    from errsig.core import loading

    enabled: list[bool] = []

    def spy(real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            enabled.append(gc.isenabled())
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(loading, "load_packs", spy(loading.load_packs))
    monkeypatch.setattr(loading.Matcher, "build", spy(loading.Matcher.build))
    assert gc.isenabled()
    tk = loading.load_toolkit()
    assert len(tk.matcher.signatures) > 400
    assert enabled == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        loading.load_toolkit()
        assert not gc.isenabled()
    finally:
        gc.enable()
