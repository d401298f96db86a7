"""``errsig report --engine spark``: the same report, with Apache Spark reading and scanning.

Spark reads the logs with its own ``binaryFile`` source (local paths, ``file://``, and
``s3a://`` / ``hdfs://`` where the cluster has the connectors); each partition is scanned on
an executor by :func:`_scan_partition`, which builds errsig's catalogue once per executor
process (a module-level cache) and turns each log into the same plain summary as the local
engine (:func:`errsig.core.report.summarise`); the driver collects the summaries — small,
a few findings per log — and folds them with the same :func:`errsig.core.report.aggregate`.
So both engines give the same document apart from its timing fields (tested in ``local[2]``).

PySpark is optional (``pip install errsig[spark]``, Java 17+); :func:`missing` says what to
install when it is not there.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import unquote, urlparse

from errsig.core.report import (
    LogResult,
    _scan_one,
    aggregate,
    group_matcher,
    is_archive,
    scan_archive,
    summarise,
    wanted,
)

_EXECUTOR: dict[str, Any] = {}  # per executor process: the scanner, built on first use


def missing() -> str | None:
    """Why the Spark engine cannot run here (None: it can)."""
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark engine needs PySpark: pip install 'errsig[spark]'"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "the Spark engine needs a Java runtime (17 or newer) on PATH or in JAVA_HOME"
    return None


def _local(uri: str) -> str:
    """``file:/x/y`` -> ``/x/y`` (the name the local engine uses); other schemes stay URIs."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def _rel(name: str, roots: Sequence[str]) -> str:
    for root in roots:
        base = root.rstrip("/") + "/"
        if name.startswith(base):
            return name[len(base) :]
    return name


def _scanner(config: dict[str, Any]) -> Any:
    key = repr(sorted(config.items()))
    if _EXECUTOR.get("key") != key:
        from pathlib import Path  # noqa: PLC0415

        from errsig.core.loading import load_toolkit  # noqa: PLC0415

        tk = load_toolkit([Path(p) for p in config["packs"]], builtin=config["builtin"])
        tk.scanner.unknown = config["unknown"]
        _EXECUTOR.update(key=key, scanner=tk.scanner)
    return _EXECUTOR["scanner"]


def _scan_partition(rows: Iterable[Any], config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    scanner = _scanner(config)
    matcher = group_matcher(config["group_by"])
    for row in rows:
        name = _local(row.path)
        rel = _rel(name, config["roots"])
        mtime = row.modificationTime.timestamp()
        explicit = name in config["roots"]
        if not explicit and not is_archive(name) and not wanted(name, config["include"]):
            continue
        stream = io.BytesIO(bytes(row.content))
        try:
            results = (
                scan_archive(scanner, name, rel, stream, config["include"])
                if is_archive(name)
                else [_scan_one(scanner, name, stream, mtime, rel)]
            )
        except Exception as exc:
            results = [LogResult(name, 0, 0.0, None, [], str(exc) or type(exc).__name__, rel)]
        for r in results:
            yield summarise(r, matcher)


def report_spark(
    paths: Sequence[str],
    *,
    master: str = "local[*]",
    packs: Sequence[str] = (),
    builtin: bool = True,
    unknown: bool = True,
    group_by: str | None = None,
    include: Sequence[str] = (),
    titles: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report document for ``paths`` (files, folders or URIs Spark can read)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415

    t0 = time.perf_counter()
    # Local mode starts its Python workers with PYSPARK_PYTHON, else "python3" from PATH,
    # which need not have errsig: use this interpreter unless told otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master)
        .appName("errsig report")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # errsig prints its own summary
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    roots = [_local(p) if "://" in p else os.path.abspath(p) for p in paths]
    config = {
        "packs": [os.path.abspath(p) for p in packs],
        "builtin": builtin,
        "unknown": unknown,
        "group_by": group_by,
        "roots": roots,
        "include": list(include),
    }
    inputs = [p if "://" in p else os.path.abspath(p) for p in paths]
    frame = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(inputs)
    summaries = (
        frame.select("path", "modificationTime", "length", "content")
        .rdd.mapPartitions(lambda rows: _scan_partition(rows, config))
        .collect()
    )
    started = time.perf_counter() - t0
    for s in summaries:  # the local engine names logs by the path as given
        s["file"] = _as_given(s["file"], paths, roots)
    doc = aggregate(summaries, titles)
    doc["group_by"] = group_by
    doc["include"] = list(include)
    seconds = time.perf_counter() - t0
    doc["scan"] = {
        "engine": "spark",
        "master": master,
        "partitions": frame.rdd.getNumPartitions(),
        "seconds": round(seconds, 3),
        "collect_seconds": round(started, 3),
        "mb_per_s": round(doc["totals"]["bytes"] / 1e6 / seconds, 1) if seconds > 0 else None,
    }
    return doc


def _as_given(name: str, paths: Sequence[str], roots: Sequence[str]) -> str:
    for given, root in zip(paths, roots, strict=True):
        if name == root:
            return given
        base = root.rstrip("/") + "/"
        if name.startswith(base):
            return os.path.join(given, name[len(base) :]) if "://" not in given else name
    return name
