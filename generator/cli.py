"""`python -m generator generate | check | lint | diff`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .cache import CACHE_DIR, Cache
from .load import SpecErrors
from .pipeline import RunReport, lint_all, provider_dirs, run
from .versions import DATE_PATTERN

DIFF_HELP = """\
List every change of the specs between BASE and the working tree, per provider, with its class
and why, at spec file:line on both sides. BASE is a git revision (default: the merge base of
HEAD and main, or origin/main); its specs/ are taken with `git archive` and built with the
*current* generator, so both sides are read by the same rules.

Classes, most severe first: breaking for consumers (their code must change: something removed
or renamed, a Python name or type changed, optional -> required, a new required_when /
forbidden_when / sum rule, a narrowed type, length, pattern, range or scale, an outcome that
now raises), breaking on the wire (the Python surface stayed; a wire name, element order, date
format, encoding, signing input, header, path or host changed, or answers accepted before are
refused now), compatible (something optional added, a limit widened, retries, pacing, the mock
server), docs only (descriptions, examples, ledger text).

Versions follow the diff: breaking needs a major bump (the first number, also in 0.x: pip's
~=0.1 takes 0.2 as compatible, so 0.1.0 breaking is 1.0.0), compatible a minor bump, docs only
a patch; `make check` holds every package to it. --record sets the version the diff needs and
writes its release (with the date you give) to specs/<provider>/changelog.yaml.

Exit status: 0; 1 when something breaking is found (unless --accept-breaking); 2 when there
is no base to compare with or its specs do not build.
"""


def _print_report(report: RunReport, *, verb: str) -> None:
    for rel in report.removed_leftovers:
        print(f"removed {rel} (left by pip install; not generated)")
    for p in report.providers:
        c = p.changes
        if verb == "check":
            state = (
                "up to date"
                if not c.changed
                else f"{len(c.written)} differ, {len(c.removed)} stale"
            )
        else:
            state = f"{len(c.written)} written, {len(c.unchanged)} unchanged" + (
                f", {len(c.removed)} removed" if c.removed else ""
            )
            if not p.rendered:
                state = "kept: its spec did not change"
        print(
            f"{p.provider:<14}{len(c.written) + len(c.unchanged):>4} files  "
            f"{state:<34}{p.seconds:6.2f} s"
        )
    files = sum(len(p.changes.written) + len(p.changes.unchanged) for p in report.providers)
    written = sum(len(p.changes.written) for p in report.providers)
    if report.index is not None:
        files += 1
        written += len(report.index.written)
    if verb == "check":
        summary = (
            "generated/ matches the specs"
            if not report.changed
            else "generated/ differs from what the specs produce"
        )
    elif report.skipped:
        summary = (
            f"nothing to do: specs, templates, generator and {files} output files"
            " unchanged since the last run"
        )
    else:
        summary = (
            f"{written} of {files} files written"
            f" ({report.formatted} formatted by black, the rest reused)"
        )
    print(
        f"{len(report.providers)} provider{'s' if len(report.providers) != 1 else ''}: {summary} "
        f"in {report.seconds:.2f} s"
    )


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
        (
            "check",
            "fail if generated/ is not exactly what the specs produce, or a version does not "
            "follow the spec diff",
        ),
        ("lint", "check the specs only"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--provider", action="append", help="only this provider (repeatable)")
        if name != "lint":
            p.add_argument(
                "--jobs", type=int, default=None, help="formatting processes (default: one per CPU)"
            )
        if name == "generate":
            p.add_argument(
                "--no-cache",
                action="store_true",
                help=f"ignore and keep no {CACHE_DIR}/ (render everything)",
            )
        if name == "check":
            p.add_argument(
                "--base",
                default=None,
                help="the revision versions are held to (default: the merge base with main)",
            )
    d = sub.add_parser(
        "diff",
        help="the spec changes since BASE, classed; versions they need",
        description=DIFF_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument(
        "base",
        nargs="?",
        default=None,
        metavar="BASE",
        help="a git revision (default: the merge base of HEAD and main)",
    )
    d.add_argument("--provider", action="append", help="only this provider (repeatable)")
    d.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="Markdown for a pull request (default) or JSON",
    )
    d.add_argument(
        "--accept-breaking",
        action="store_true",
        help="exit 0 even when something breaking is found",
    )
    d.add_argument(
        "--record",
        action="store_true",
        help="set each changed package's version and write its release to changelog.yaml",
    )
    d.add_argument(
        "--date",
        help="the release date for --record, YYYY-MM-DD (given by you: output stays deterministic)",
    )
    d.add_argument("--note", default="", help="a note for the release (--record)")
    args = parser.parse_args(argv)
    root: Path = args.root
    specs, out = root / "specs", root / "generated"
    if args.command == "diff":
        return _diff(args, root)
    known = {d.name for d in provider_dirs(specs)}
    unknown = sorted(set(args.provider or ()) - known)
    if unknown:
        print(
            f"error: no provider {', '.join(map(repr, unknown))} in {specs}"
            f" (known: {', '.join(sorted(known))})",
            file=sys.stderr,
        )
        return 2
    try:
        if args.command == "lint":
            services, problems = lint_all(root, specs, args.provider)
            if problems:
                raise SpecErrors(problems)
            for s in services:
                fields = sum(len(m.fields) for m in s.messages()) + sum(
                    len(x.fields) for x in s.shapes
                )
                codes = sum(len(t.codes) for t in s.error_tables)
                print(
                    f"{s.provider:<14}ok: {len(s.operations)} operations, {fields} fields, {codes} "
                    f"error codes, {len(s.discrepancies)} ledger entries"
                )
            return 0
        write = args.command == "generate"
        cache = None if not write or args.no_cache else Cache(root / CACHE_DIR)
        report = run(
            root, specs, out, write=write, providers=args.provider, cache=cache, jobs=args.jobs
        )
    except SpecErrors as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in the specs; "
            f"generated/ left untouched",
            file=sys.stderr,
        )
        return 1
    _print_report(report, verb=args.command)
    failed = False
    if args.command == "check" and report.changed:
        _differences(report)
        failed = True
    if args.command == "check":
        failed = not _check_versions(root, args.base, args.provider) or failed
    return 1 if failed else 0


def _check_versions(root: Path, rev: str | None, providers: list[str] | None) -> bool:
    """Every package's version and changelog follow the spec diff since the base."""
    import time

    from .evolution import base_tree, build_tree, compare
    from .revision import NoBase, NotARepository, resolve, specs_unchanged

    started = time.perf_counter()
    try:
        base = resolve(root, rev)
        if specs_unchanged(root, base):
            print(
                f"versions: specs/ unchanged since {base.label}; nothing to hold them to "
                f"({time.perf_counter() - started:.2f} s)"
            )
            return True
        head, problems = build_tree(root)
        with base_tree(root, base) as (old, base_problems):
            if base_problems:
                print(
                    f"versions: the specs at {base.label} do not build with the current generator:",
                    file=sys.stderr,
                )
                for problem in base_problems:
                    print(f"  {problem}", file=sys.stderr)
                return False
            diffs = compare(old, head, providers)
    except NotARepository as exc:
        print(f"versions: {exc}; checked against changelog.yaml only")
        return True
    except NoBase as exc:
        print(f"versions: cannot compare with a base: {exc}", file=sys.stderr)
        return False
    assert not problems  # the run above linted the same specs
    wrong = [line for d in diffs for line in d.problems()]
    for d in diffs:
        state = (
            "new package"
            if d.base is None
            else "unversioned base"
            if d.base_version is None
            else f"{d.base_version} → {d.version}"
        )
        print(f"versions: {d.provider:<14}{len(d.changes):>4} changes since the base  {state}")
    for line in wrong:
        print(line, file=sys.stderr)
    print(
        f"versions: {'do not follow' if wrong else 'follow'} the spec diff since {base.label} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return not wrong


def _diff(args: argparse.Namespace, root: Path) -> int:
    from .evolution import as_json, base_tree, build_tree, compare, markdown, record
    from .revision import NoBase, resolve

    if args.record and not (args.date and re.match(DATE_PATTERN, args.date)):
        print(
            "--record needs --date YYYY-MM-DD (the release date; the output never reads the clock)",
            file=sys.stderr,
        )
        return 2
    head, problems = build_tree(root)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the specs of the "
            f"working tree",
            file=sys.stderr,
        )
        return 2
    try:
        base = resolve(root, args.base)
        with base_tree(root, base) as (old, base_problems):
            if base_problems:
                print(
                    f"the specs at {base.label} do not build with the current generator:",
                    file=sys.stderr,
                )
                for problem in base_problems:
                    print(f"  {problem}", file=sys.stderr)
                return 2
            diffs = compare(old, head, args.provider)
    except NoBase as exc:
        print(f"no base to compare with: {exc}", file=sys.stderr)
        return 2
    if args.record:
        for line in record(head, diffs, args.date, args.note) or [
            "nothing to record: no spec changes"
        ]:
            print(line)
        print(
            "now run `make generate` (CHANGELOG.md, the README and pyproject.toml carry the "
            "version)"
        )
        return 0
    if args.format == "json":
        print(json.dumps(as_json(base, diffs), indent=2, ensure_ascii=False))
    else:
        print(markdown(base, diffs), end="")
    if any(d.breaking for d in diffs) and not args.accept_breaking:
        return 1
    return 0
