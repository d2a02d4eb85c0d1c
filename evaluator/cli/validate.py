"""`villkor validate POLICY... [--format text|json]`: load and check policy files without
reading any data; every file is checked and every error reported, each with its place and the
fix (with json, as diagnostics on stdout: docs/diagnostics.md)."""

from __future__ import annotations

import sys

from ..errors import VillkorError, render


def attach(sub) -> None:
    p = sub.add_parser("validate", help="check policy files without reading any data")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the problems as diagnostics on stdout (docs/diagnostics.md)")
    p.set_defaults(handler=cmd_validate)


def cmd_validate(args) -> int:
    from .. import api

    errors: list[VillkorError] = []
    for path in args.policies:
        try:
            pol = api.load(path).model
        except VillkorError as err:
            errors.append(err)
            continue
        print(f"{path}: ok — {pol.id} {pol.version}: {len(pol.rules)} rules, "
              f"{len(pol.parameters)} parameters, {len(pol.checks)} checks", file=sys.stderr)
    if args.format == "json":
        import json

        from ..diagnostics import to_json
        found = [d for e in errors for d in e.diagnostics]
        print(json.dumps({"diagnostics": to_json(found), "errors": len(found), "warnings": 0},
                         ensure_ascii=False, indent=2))
    else:
        for e in errors:
            print(render(e), file=sys.stderr)
    return 1 if errors else 0
