"""`villkor validate POLICY...`: load and check policy files without reading any data; every
file is checked and every error reported, each with its place and the fix."""

from __future__ import annotations

import sys

from ..errors import VillkorError, render


def attach(sub) -> None:
    p = sub.add_parser("validate", help="check policy files without reading any data")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.set_defaults(handler=cmd_validate)


def cmd_validate(args) -> int:
    from .. import api

    errors: list[VillkorError] = []
    for path in args.policies:
        try:
            planned = api.load_and_plan(path)
        except VillkorError as err:
            errors.append(err)
            continue
        pol = planned.policy
        print(f"{path}: ok — {pol.id} {pol.version}: {len(pol.rules)} rules, "
              f"{len(pol.parameters)} parameters, {len(pol.checks)} checks", file=sys.stderr)
    for err in errors:
        print(render(err), file=sys.stderr)
    return 1 if errors else 0
