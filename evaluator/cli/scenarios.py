"""`villkor run POLICY --data DIR --scenarios FILE [--outputs ...] [--format ...] [-o PATH]`:
many what-ifs of one policy in one run (evaluator/scenarios.py evaluates and renders them)."""

from __future__ import annotations

import os
import sys

from ..errors import UsageError


def cmd_run_scenarios(args) -> int:
    from .. import api
    from ..errors import did_you_mean
    from ..scenarios import FORMATS, evaluate_scenarios, output_specs, read_scenarios, render
    from .output import emit_bytes

    if args.format not in FORMATS:
        raise UsageError(f"--scenarios writes {', '.join(FORMATS)}, not {args.format}",
                         hint="e.g. --format md")
    policy = api.load(args.policy, args.params)
    if not os.path.isfile(args.scenarios):
        raise UsageError(f"no scenario file {args.scenarios}", hint="give the path of a YAML or CSV file")
    scenarios, sha = read_scenarios(policy.model, args.scenarios)
    if args.outputs:
        chosen = [o.strip() for o in args.outputs.split(",") if o.strip()]
        unknown = [o for o in chosen if o not in policy.plan.rules]
        if unknown:
            raise UsageError(f"--outputs names an unknown rule '{unknown[0]}'",
                             hint=did_you_mean(unknown[0], policy.plan.rules))
    else:
        chosen = None
    run = evaluate_scenarios(policy.plan, policy.read(args.data).tables, scenarios)
    if chosen is None:
        chosen = [o for o in policy.outputs if o in run.values]
    data = render(run, output_specs(run, chosen), {"path": args.scenarios, "sha256": sha}, args.format)
    emit_bytes(data, args.output)
    for warning in run.evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if run.looped:
        print(f"note: evaluated once per scenario (a varied parameter reaches input rows, or is a text or "
              f"list): {', '.join(run.looped)}", file=sys.stderr)
    return 0
