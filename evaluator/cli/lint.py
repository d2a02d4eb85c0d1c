"""`villkor lint POLICY... [--strict] [--format text|json]`: questionable but valid things in
policies (codes VK1xx, evaluator/style/lint.py); a policy that does not validate is reported as
an error and the others are still linted."""

from __future__ import annotations

import sys

from ..errors import VillkorError


def attach(sub) -> None:
    p = sub.add_parser("lint", help="report questionable but valid things in policies (codes VK1xx)")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the findings as diagnostics on stdout (docs/diagnostics.md)")
    p.set_defaults(handler=cmd_lint)


def cmd_lint(args) -> int:
    import json

    from ..api import load_and_plan
    from ..diagnostics import Diagnostic, count, to_json
    from ..style.lint import lint, not_loadable

    findings: list[Diagnostic] = []
    seen = set()
    for path in args.policies:
        try:
            found = lint(load_and_plan(path))
        except VillkorError as err:  # a policy that does not validate: report it, lint the others
            found = not_loadable(err, path)
        for f in found:  # a finding in a policy several of the files extend is listed once
            key = (f.code, f.message, f.location.file, f.location.line, f.location.column)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    errors, warnings = count(findings, "error"), count(findings, "warning")
    if args.format == "json":
        print(json.dumps({"findings": to_json(findings), "errors": errors,
                          "warnings": warnings}, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(f.line())
    print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}",
          file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0
