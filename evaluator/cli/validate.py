"""`villkor validate POLICY... [--format text|json]`: load and check policy files without
reading any data; every file is checked and every error reported, each with its place and the
fix (with json, as diagnostics on stdout: docs/diagnostics.md)."""

from __future__ import annotations

import sys


def attach(sub) -> None:
    p = sub.add_parser("validate", help="check policy files without reading any data")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the problems as diagnostics on stdout (docs/diagnostics.md)")
    p.set_defaults(handler=cmd_validate)


def cmd_validate(args) -> int:
    from ..diagnostics import Diagnostic, listing_json
    from .arguments import load_each

    problems: list[Diagnostic] = []
    for path, policy, why in load_each(args.policies):
        if policy is None:
            problems += why
            continue
        pol = policy.model
        print(f"{path}: ok — {pol.id} {pol.version}: {len(pol.rules)} rules, "
              f"{len(pol.parameters)} parameters, {len(pol.checks)} checks", file=sys.stderr)
    if args.format == "json":
        print(listing_json(problems))
    else:
        for d in problems:
            print(d.text(), file=sys.stderr)
    return 1 if problems else 0
