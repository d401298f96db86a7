"""How well errsig points at errors no record knows, on real logs.

Failing logs: tests/corpus/real/failing/*.log, each with a sidecar naming its source
thread and the line a person would call decisive (``key_line``). A hit is an
``unknown/<tool>`` finding that is not a symptom (no ``caused_by``) on that line.
Successful logs: server/errsig/corpus/clean/*.log and server/errsig/corpus/successful/*.log;
every unknown finding there is a false alarm.

    python benchmarks/unknown_lines.py [-v]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from errsig.core.loading import load_toolkit
from errsig.core.matching.vetting import clean_corpus_dir, successful_corpus_dir
from errsig.core.scan.files import scan_file

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "corpus" / "real"


def main() -> int:
    verbose = "-v" in sys.argv
    failing = sorted((REAL / "failing").glob("*.log"))
    sides = {p: json.loads(p.with_suffix(".json").read_text()) for p in failing}
    # Logs whose class had no record when they were collected; records written since (from these
    # very logs) are switched off here, so the figure stays the one of the unknown-error finder.
    unknown_class = [
        p
        for p in failing
        if not sides[p]["covered_by_record"] or sides[p].get("class_without_record_when_collected")
    ]
    later = {sides[p]["covered_by_record"] for p in unknown_class if sides[p]["covered_by_record"]}
    tk = load_toolkit([], disabled=later)
    tk.scanner.unknown = True
    hits = extra = by_record = 0
    for log in unknown_class:
        side = sides[log]
        findings = scan_file(tk.scanner, log)
        roots = [f for f in findings if f.unknown and f.caused_by is None]
        hit = any(f.line + 1 == side["key_line"] for f in roots)
        hits += hit
        # A record that stays enabled (a generic one, such as python/module-not-found) may
        # claim the decisive line first; then the unknown finder rightly stays quiet.
        by_record += not hit and any(
            not f.unknown and f.caused_by is None and f.line + 1 == side["key_line"] for f in findings
        )
        extra += sum(1 for f in roots if f.line + 1 != side["key_line"])
        if verbose or not hit:
            got = [(f.id, f.line + 1) for f in findings]
            print(f"{'hit ' if hit else 'MISS'} {log.name}: key line {side['key_line']}; found {got}")
    successful = sorted(clean_corpus_dir().glob("*.log")) + sorted(successful_corpus_dir().glob("*.log"))
    alarms = 0
    alarm_logs = 0
    for log in successful:
        found = [f for f in scan_file(tk.scanner, log) if f.unknown]
        alarms += len(found)
        alarm_logs += bool(found)
        for f in found:
            print(f"false alarm {log.name}:{f.line + 1}: {f.id}: {f.title[:100]}")
    n = len(unknown_class)
    print(f"failing logs whose class had no record when collected: {n}")
    print(f"  unknown finding at the decisive line: {hits}/{n} ({hits / n:.0%})" if n else "  none")
    print(f"  decisive line claimed by a record still enabled instead: {by_record}/{n}")
    print(f"  other unknown root findings in those logs: {extra}")
    print(f"successful logs: {len(successful)}; with an unknown finding: {alarm_logs}; findings: {alarms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
