"""`errsig report` over a generated CI archive, in one run.

    python benchmarks/report.py [--logs 2000] [--mb-per-log 1]

Generates an archive of ``--logs`` logs (benchmarks/corpus.py text, each with errors drawn
from the built-in records' real samples) in folders ``repo/workflow/date/``, then builds the
report with one process and with one worker process per core, and prints logs/s, MB/s and
peak memory (the parent's, and the largest worker's) for each, then with Apache Spark in
``local[2]`` when PySpark is installed (its JVM's memory is not in these figures), and
whether the documents are the same apart from their timing fields.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "server"))

from corpus import generate  # noqa: E402
from errsig.core import report, report_spark  # noqa: E402
from errsig.core.loading import load_toolkit  # noqa: E402
from errsig.core.scan.parallel import available_cpus  # noqa: E402

REAL = HERE.parent / "tests" / "corpus" / "real" / "failing"


def build_archive(root: Path, logs: int, mb: float) -> int:
    rng = random.Random(7)
    samples = [p.read_bytes() for p in sorted(REAL.glob("*.log"))]
    total = 0
    for i in range(logs):
        folder = root / f"repo{i % 12}" / ("build", "test", "release")[i % 3] / f"2026-11-{1 + i % 28:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = generate(int(mb * (1 << 20)), seed=i, error_every=10**9)
        cut = body.find(b"\n", len(body) // 2) + 1
        data = body[:cut] + rng.choice(samples) + body[cut:]
        (folder / f"run-{i}.log").write_bytes(data)
        total += len(data)
    return total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", type=int, default=2000)
    ap.add_argument("--mb-per-log", type=float, default=1.0)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="errsig-report-bench-"))
    size = build_archive(root, args.logs, args.mb_per_log)
    print(f"archive: {args.logs} logs, {size / 1e6:.0f} MB in {root}")
    tk = load_toolkit(fast=False)
    tk.scanner.unknown = True
    docs = {}
    for name, workers in (("one process", 1), (f"{available_cpus()} worker processes", available_cpus())):
        t0 = time.perf_counter()
        doc, _ = report.report(tk.scanner, [str(root)], workers=workers, group_by="{repo}/{workflow}/{date}")
        secs = time.perf_counter() - t0
        docs[name] = {k: v for k, v in doc.items() if k != "scan"}
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"{name:<22} {args.logs / secs:8.1f} logs/s {size / 1e6 / secs:8.1f} MB/s  "
            f"peak RSS {own:.0f} MB (largest worker {kids:.0f} MB)"
        )
    if report_spark.missing() is None:
        t0 = time.perf_counter()
        doc = report_spark.report_spark(
            [str(root)],
            master="local[2]",
            group_by="{repo}/{workflow}/{date}",
            titles=report.titles_for(tk.scanner),
        )
        secs = time.perf_counter() - t0
        docs["spark"] = {k: v for k, v in doc.items() if k != "scan"}
        print(
            f"{'spark local[2]':<22} {args.logs / secs:8.1f} logs/s {size / 1e6 / secs:8.1f} MB/s  (incl. Spark start-up)"
        )
    else:
        print(f"spark: skipped ({report_spark.missing()})")
    first, *others = docs.values()
    print(f"same document apart from timing: {all(first == other for other in others)}")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
