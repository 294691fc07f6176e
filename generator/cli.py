"""`python -m generator generate | check | lint`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cache import CACHE_DIR, Cache
from .load import SpecErrors
from .pipeline import RunReport, lint_all, run


def _print_report(report: RunReport, *, verb: str) -> None:
    for p in report.providers:
        c = p.changes
        if verb == "check":
            state = "up to date" if not c.changed else f"{len(c.written)} differ, {len(c.removed)} stale"
        else:
            state = f"{len(c.written)} written, {len(c.unchanged)} unchanged" + (f", {len(c.removed)} removed" if c.removed else "")
        print(f"{p.provider:<14}{len(c.written) + len(c.unchanged):>4} files  {state:<34}{p.seconds:6.2f} s")
    files = sum(len(p.changes.written) + len(p.changes.unchanged) for p in report.providers)
    written = sum(len(p.changes.written) for p in report.providers)
    if report.index is not None:
        files += 1
        written += len(report.index.written)
    if verb == "check":
        summary = "generated/ matches the specs" if not report.changed else "generated/ differs from what the specs produce"
    elif report.skipped:
        summary = f"nothing to do: specs, templates, generator and {files} output files unchanged since the last run"
    else:
        summary = f"{written} of {files} files written ({report.formatted} formatted by black, the rest reused)"
    print(f"{len(report.providers)} provider{'s' if len(report.providers) != 1 else ''}: {summary} in {report.seconds:.2f} s")


def _differences(report: RunReport) -> None:
    for p in report.providers:
        for rel in p.changes.written:
            print(f"  differs or missing: generated/{rel}")
        for rel in p.changes.removed:
            print(f"  not produced by the specs: generated/{rel}")
    if report.index is not None and report.index.changed:
        print(f"  differs or missing: generated/{report.index.scope}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "lint the specs and regenerate generated/"),
        ("check", "fail if generated/ is not exactly what the specs produce"),
        ("lint", "check the specs only"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--provider", action="append", help="only this provider (repeatable)")
        if name != "lint":
            p.add_argument("--jobs", type=int, default=None, help="formatting processes (default: one per CPU)")
        if name == "generate":
            p.add_argument("--no-cache", action="store_true", help=f"ignore and keep no {CACHE_DIR}/ (render everything)")
    args = parser.parse_args(argv)
    root: Path = args.root
    specs, out = root / "specs", root / "generated"
    try:
        if args.command == "lint":
            services, problems = lint_all(root, specs)
            if problems:
                raise SpecErrors(problems)
            for s in services:
                fields = sum(len(m.fields) for m in s.messages()) + sum(len(x.fields) for x in s.shapes)
                codes = sum(len(t.codes) for t in s.error_tables)
                print(f"{s.provider:<14}ok: {len(s.operations)} operations, {fields} fields, {codes} error codes, {len(s.discrepancies)} ledger entries")
            return 0
        write = args.command == "generate"
        cache = None if not write or args.no_cache else Cache(root / CACHE_DIR)
        report = run(root, specs, out, write=write, providers=args.provider, cache=cache, jobs=args.jobs)
    except SpecErrors as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in the specs; generated/ left untouched", file=sys.stderr)
        return 1
    _print_report(report, verb=args.command)
    if args.command == "check" and report.changed:
        _differences(report)
        return 1
    return 0
