"""``errsig`` command line: scan logs, explain and list signatures, vet packs, run the server.

Exit codes of ``scan``: 0 no error-severity finding, 1 at least one, 2 bad usage or
unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from errsig import __version__
from errsig.cli import render
from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.scan.files import BinaryFileError, read_bounded, scan_file, scan_stream
from errsig.core.scan.findings import Finding

EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Bad usage exits with 2 (argparse's own default too, but said here on purpose)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="errsig", description="Recognise known errors in terminal output and logs.")
    p.add_argument("--version", action="version", version=f"errsig {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--pack", action="append", default=[], metavar="DIR", help="add a folder of records (repeatable)"
    )
    common.add_argument("--no-builtin", action="store_true", help="do not load the built-in catalogue")
    common.add_argument("--verbose", "-v", action="store_true", help="also print catalogue problems")
    sub = p.add_subparsers(dest="command", required=True)

    scan = sub.add_parser("scan", parents=[common], help="scan files (or - for stdin) for known errors")
    scan.add_argument("files", nargs="+", metavar="FILE")
    scan.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    scan.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    scan.add_argument(
        "--unknown",
        action="store_true",
        help="also report error-shaped lines no record knows (unknown/<tool>, information)",
    )
    scan.add_argument(
        "--max-bytes",
        type=_at_least(1, " of bytes"),
        default=None,
        help="scan only the last N bytes of bigger inputs (line numbers still count from the start)",
    )
    scan.add_argument(
        "--jobs",
        "-j",
        type=_at_least(0),
        default=0,
        help="worker processes for files of 64 MB and more (default 0: one per available core; 1: none)",
    )

    rep = sub.add_parser(
        "report",
        parents=[common],
        help="known failures across many logs: folders, .zip/.tar.gz archives, - (paths on stdin)",
    )
    rep.add_argument("paths", nargs="+", metavar="PATH")
    rep.add_argument("--json", metavar="FILE", help="write the report document (JSON)")
    rep.add_argument("--html", metavar="FILE", help="write a self-contained HTML page")
    rep.add_argument("--sarif", metavar="FILE", help="write every finding as SARIF 2.1.0")
    rep.add_argument("--format", choices=("text", "json"), default="text", help="what goes to stdout")
    rep.add_argument(
        "--group-by", metavar="PATTERN", help="fields from each log's path, e.g. '{repo}/{workflow}/*/…'"
    )
    rep.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="in folders and archives, scan only files whose name matches (repeatable, e.g. '*.log';"
        " default: every file)",
    )
    rep.add_argument("--jobs", "-j", type=_at_least(0), default=0, help="worker processes (0: one per core)")
    rep.add_argument("--no-unknown", action="store_true", help="leave out error lines no record knows")
    rep.add_argument(
        "--engine",
        choices=("processes", "spark"),
        default="processes",
        help="processes: this machine's cores; spark: Apache Spark (pip install 'errsig[spark]')",
    )
    rep.add_argument("--master", default="local[*]", help="Spark master URL (local[*], spark://…, yarn)")

    draft = sub.add_parser(
        "draft", parents=[common], help="draft a record from an error line no record knows"
    )
    draft.add_argument("where", metavar="LOG:LINE", help="a log file and a 1-based line number")
    draft.add_argument(
        "--into",
        metavar="DIR",
        default=None,
        help="the pack folder to write into (default: .errsig/records of the current folder)",
    )
    draft.add_argument("--stdout", action="store_true", help="print the draft instead of writing it")

    explain = sub.add_parser("explain", parents=[common], help="explain a signature")
    explain.add_argument("id")
    explain.add_argument(
        "--locale", default=None, help="e.g. zh-cn for the Chinese text where a record has it"
    )
    explain.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    lst = sub.add_parser("list", parents=[common], help="list the catalogue")
    lst.add_argument("--format", choices=("text", "json"), default="text")

    check = sub.add_parser(
        "check-pack", parents=[common], help="validate a pack and vet it against clean logs"
    )
    check.add_argument("dir")
    check.add_argument("--no-cache", action="store_true")

    outs = sub.add_parser("outcomes", help="what errsig's fixes did on this machine")
    outs.add_argument("--format", choices=("text", "json"), default="text")
    outs.add_argument("--clear", action="store_true", help="forget every recorded outcome")

    lsp = sub.add_parser("lsp", help="run the language server on stdio")
    lsp.add_argument("--tcp", metavar="HOST:PORT", default=None)
    lsp.add_argument("--stdio", action="store_true", help="use stdio (the default; clients send it)")
    return p


def _at_least(minimum: int, unit: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number (of ``unit``) no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number{unit}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _toolkit(args: argparse.Namespace, **kw: object) -> Toolkit:
    tk = load_toolkit([Path(d) for d in args.pack], builtin=not args.no_builtin, **kw)  # type: ignore[arg-type]
    if getattr(args, "verbose", False):
        for problem in tk.problems:
            print(f"errsig: {problem.severity}: {problem}", file=sys.stderr)
    else:
        errors = [p for p in tk.problems if p.severity == "error"]
        for problem in errors[:20]:
            print(f"errsig: skipped record: {problem}", file=sys.stderr)
        if len(errors) > 20:
            print(f"errsig: ... and {len(errors) - 20} more (use --verbose)", file=sys.stderr)
    return tk


def _cmd_scan(args: argparse.Namespace) -> int:
    tk = _toolkit(args)
    tk.scanner.unknown = args.unknown
    results: list[tuple[str, list[Finding]]] = []
    failed = False
    for name in args.files:
        try:
            if name == "-":
                findings = scan_stream(tk.scanner, sys.stdin.buffer, "<stdin>", max_bytes=args.max_bytes)
                results.append(("<stdin>", findings))
            else:
                results.append(
                    (name, scan_file(tk.scanner, Path(name), max_bytes=args.max_bytes, jobs=args.jobs))
                )
        except BinaryFileError as exc:
            print(f"errsig: {exc}", file=sys.stderr)
            failed = True
        except OSError as exc:
            print(f"errsig: {name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            failed = True
    if args.format == "json":
        sys.stdout.write(render.render_json(results))
    elif args.format == "sarif":
        sys.stdout.write(render.render_sarif(results))
    else:
        colour = args.color == "always" or (
            args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        )
        sys.stdout.write(render.render_text(results, colour=colour))
    if failed:
        return EXIT_USAGE
    return EXIT_FOUND if any(f.severity == "error" for _, fs in results for f in fs) else EXIT_CLEAN


def _cmd_report(args: argparse.Namespace) -> int:
    from errsig.cli import report_render
    from errsig.core import report
    from errsig.core.scan.parallel import available_cpus

    paths: list[str] = []
    for p in args.paths:
        if p == "-":
            paths.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            paths.append(p)
    tk = _toolkit(args)
    tk.scanner.unknown = not args.no_unknown
    if args.engine == "spark":
        return _report_spark(args, paths, report.titles_for(tk.scanner))
    workers = args.jobs or available_cpus()
    progress = None
    if sys.stderr.isatty():

        def progress(n: int, result: object) -> None:
            sys.stderr.write(f"\rerrsig: scanned {n} logs")
            sys.stderr.flush()

    doc, results = report.report(
        tk.scanner,
        paths,
        workers=workers,
        group_by=args.group_by,
        include=args.include or (),
        progress=progress,
    )
    if progress is not None:
        sys.stderr.write("\n")
    try:
        if args.json:
            Path(args.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
        if args.html:
            Path(args.html).write_text(report_render.render_html(doc), "utf-8")
        if args.sarif:
            Path(args.sarif).write_text(render.render_sarif([(r.name, r.findings) for r in results]), "utf-8")
    except OSError as exc:
        print(f"errsig: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report_render.render_text(doc))
    return EXIT_CLEAN


def _report_spark(args: argparse.Namespace, paths: list[str], titles: dict[str, Any]) -> int:
    from errsig.cli import report_render
    from errsig.core import report_spark

    why = report_spark.missing()
    if why is not None:
        print(f"errsig: {why}", file=sys.stderr)
        return EXIT_USAGE
    if args.sarif:
        print("errsig: --sarif needs every finding: use --engine processes", file=sys.stderr)
        return EXIT_USAGE
    doc = report_spark.report_spark(
        paths,
        master=args.master,
        packs=args.pack,
        builtin=not args.no_builtin,
        unknown=not args.no_unknown,
        group_by=args.group_by,
        include=args.include or (),
        titles=titles,
    )
    try:
        if args.json:
            Path(args.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
        if args.html:
            Path(args.html).write_text(report_render.render_html(doc), "utf-8")
    except OSError as exc:
        print(f"errsig: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    out = (
        json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        if args.format == "json"
        else report_render.render_text(doc)
    )
    sys.stdout.write(out)
    return EXIT_CLEAN


def _cmd_draft(args: argparse.Namespace) -> int:
    # Commands import what only they use, so `errsig scan` starts without it.
    from errsig.core.draft import WORKSPACE_PACK, draft_record, taken_ids, write_draft

    name, sep, number = args.where.rpartition(":")
    if not sep or not number.isdigit() or int(number) < 1:
        print(f"errsig: expected LOG:LINE (a 1-based line number), got {args.where!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        data = read_bounded(Path(name))
    except OSError as exc:
        print(f"errsig: {name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    lines = data.decode("utf-8", "replace").split("\n")
    line = int(number) - 1
    pack = Path(args.into) if args.into else WORKSPACE_PACK
    tk = _toolkit(args, vet=False)
    taken = {r.id for r in tk.catalogue} | taken_ids(pack)
    draft = draft_record(lines, line, taken=taken)
    if draft is None:
        print(f"errsig: {args.where}: no text to draft a record from", file=sys.stderr)
        return EXIT_USAGE
    if args.stdout:
        sys.stdout.write(draft.to_json())
        return EXIT_CLEAN
    try:
        target = write_draft(draft, pack)
    except OSError as exc:
        print(f"errsig: cannot write the draft: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"errsig: drafted {draft.record.id} in {target}")
    print("  fill in root_cause, category and workarounds, then check it:")
    print(f"  errsig check-pack {pack}")
    return EXIT_CLEAN


def _cmd_explain(args: argparse.Namespace) -> int:
    from errsig.core import outcomes
    from errsig.core.explain.card import make_card, render_text
    from errsig.core.kb.convert import unstructure_record

    tk = _toolkit(args, vet=False)
    record = tk.catalogue.resolve(args.id)
    if record is None:
        print(f"errsig: unknown signature id {args.id!r} (see `errsig list`)", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(unstructure_record(record), indent=2, ensure_ascii=False))
        return EXIT_CLEAN
    card = make_card(record, locale=args.locale, mine=outcomes.tally(outcomes.load(), record.id))
    if args.format == "markdown":
        from errsig.core.explain.card import render_markdown

        sys.stdout.write(render_markdown(card, zh=bool(args.locale and args.locale.startswith("zh"))))
    else:
        sys.stdout.write(render_text(card))
    return EXIT_CLEAN


def _cmd_list(args: argparse.Namespace) -> int:
    from errsig.core.kb.convert import unstructure_record

    tk = _toolkit(args, vet=False)
    records = sorted(tk.catalogue, key=lambda r: r.id)
    if args.format == "json":
        print(json.dumps([unstructure_record(r) for r in records], indent=2, ensure_ascii=False))
        return EXIT_CLEAN
    width = max((len(r.id) for r in records), default=10)
    for r in records:
        print(f"{r.id:<{width}}  {r.domain:<8} {r.category:<24} {r.signature[:90]}")
    print(f"{len(records)} signatures")
    return EXIT_CLEAN


def _cmd_check_pack(args: argparse.Namespace) -> int:
    from errsig.core.draft import sample_misses

    tk = load_toolkit([Path(args.dir)], builtin=False, use_cache=not args.no_cache)
    pack_name = Path(args.dir).name
    verdict = tk.verdicts.get(pack_name)
    errors = [p for p in tk.problems if p.severity == "error"]
    warnings = [p for p in tk.problems if p.severity == "warning"]
    print(f"pack {args.dir}: {len(tk.catalogue)} records loaded, {len(errors)} skipped")
    for p in errors:
        print(f"  error: {p}")
    noisy = verdict.noisy if verdict else {}
    cached = " (cached verdict)" if verdict and verdict.cached else ""
    print(f"{len(noisy)} records fire on the clean-log corpus and are disabled{cached}:")
    for rid, where in sorted(noisy.items()):
        print(f"  disabled {rid}: {where}")
    unfiltered = tk.matcher.unfiltered()
    print(
        f"{len(unfiltered)} records have no literal for the prefilter"
        " (their full regex joins the RE2 prefilter pass):"
    )
    for rid in unfiltered:
        print(f"  no-literal {rid}")
    others = [p for p in warnings if "fires on a clean log" not in p.message]
    print(f"{len(others)} warnings")
    for p in others[:50]:
        print(f"  warning: {p}")
    misses = [(r.id, i) for r in sorted(tk.catalogue, key=lambda r: r.id) for i in sample_misses(r)]
    with_samples = sum(1 for r in tk.catalogue if r.samples)
    print(f"{with_samples} records carry samples; {len(misses)} samples are not matched by their record:")
    for rid, i in misses:
        print(f"  sample-miss {rid}: samples[{i}]")
    print(f"{len(tk.matcher.signatures)} signatures active")
    return EXIT_FOUND if errors or misses else EXIT_CLEAN


def _cmd_lsp(args: argparse.Namespace) -> int:
    if args.tcp:
        from errsig.lsp.server import run

        return run(tcp=args.tcp)
    from errsig.lsp.early import answer_initialize

    head = answer_initialize()  # before the server's imports (errsig.lsp.early)
    from errsig.lsp.server import run

    return run(head=head)


def _cmd_outcomes(args: argparse.Namespace) -> int:
    from errsig.core import outcomes

    if args.clear:
        outcomes.clear()
        print(f"errsig: outcomes cleared ({outcomes.store_path()})")
        return EXIT_CLEAN
    items = outcomes.load()
    if args.format == "json":
        print(json.dumps([attrs.asdict(o) for o in items], indent=2))
        return EXIT_CLEAN
    if not items:
        print(f"No outcomes recorded yet ({outcomes.store_path()}).")
        return EXIT_CLEAN
    for rid in sorted({o.id for o in items}):
        for fix, (worked, tried) in sorted(outcomes.tally(items, rid).items()):
            print(f"{rid}  fix {fix}: {outcomes.words(worked, tried)}")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "scan": _cmd_scan,
        "explain": _cmd_explain,
        "list": _cmd_list,
        "check-pack": _cmd_check_pack,
        "draft": _cmd_draft,
        "report": _cmd_report,
        "outcomes": _cmd_outcomes,
        "lsp": _cmd_lsp,
    }
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
