"""`villkor fmt FILE... [--check]` and `villkor lint POLICY... [--strict]`."""

from __future__ import annotations

import sys

from ..errors import render


def attach(sub) -> None:
    p = sub.add_parser("fmt", help="rewrite policy files in the canonical layout (comments kept)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    p.set_defaults(handler=cmd_fmt)
    p = sub.add_parser("lint", help="report questionable but valid things in policies")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.set_defaults(handler=cmd_lint)


def cmd_fmt(args) -> int:
    from ..policy.loader import read_text
    from ..report.atomic import write_atomic
    from .fmt import format_text

    unformatted = []
    for path in args.files:
        text, _ = read_text(path)
        formatted = format_text(text, path)
        if formatted != text:
            unformatted.append(path)
            if not args.check:
                write_atomic(path, formatted.encode("utf-8"))
    verb = "would reformat" if args.check else "reformatted"
    for path in unformatted:
        print(f"{verb} {path}", file=sys.stderr)
    if not unformatted:
        print(f"{len(args.files)} file{'s' if len(args.files) != 1 else ''} already formatted", file=sys.stderr)
    return 1 if args.check and unformatted else 0


def cmd_lint(args) -> int:
    from ..cli import load_and_plan
    from .lint import lint

    errors = warnings = 0
    for path in args.policies:
        for finding in lint(load_and_plan(path)):
            print(finding.render())
            errors += finding.severity == "error"
            warnings += finding.severity == "warning"
    print(f"{errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0
