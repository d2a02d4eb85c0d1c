"""`villkor lint POLICY... [--strict] [--format text|json]`: questionable but valid things in
policies (codes VK1xx, evaluator/style/lint.py); a policy that does not validate is reported
with its errors as `validate` reports them, and the others are still linted."""

from __future__ import annotations

import sys


def attach(sub) -> None:
    p = sub.add_parser("lint", help="report questionable but valid things in policies (codes VK1xx)")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the findings as diagnostics on stdout (docs/diagnostics.md)")
    p.set_defaults(handler=cmd_lint)


def cmd_lint(args) -> int:
    from ..diagnostics import Diagnostic, count, listing_json
    from ..style.lint import lint
    from .arguments import load_each

    findings: list[Diagnostic] = []
    unloadable: set[Diagnostic] = set()  # shown as validate shows them
    seen = set()
    for _path, policy, why in load_each(args.policies):
        # a policy that does not validate: its errors are reported, the others still linted
        found = lint(policy.plan) if policy is not None else why
        unloadable.update(why)
        for f in found:  # a finding in a policy several of the files extend is listed once
            key = (f.code, f.message, f.location.file, f.location.line, f.location.column)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    errors, warnings = count(findings, "error"), count(findings, "warning")
    if args.format == "json":
        print(listing_json(findings))
    else:
        for f in findings:
            print(f.text() if f in unloadable else f.line())
    print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}",
          file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0
