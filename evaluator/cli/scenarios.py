"""`villkor run POLICY --data DIR --scenarios FILE [--outputs ...] [--format ...] [-o PATH]`:
many what-ifs of one policy in one run (evaluator/scenarios/ reads, evaluates and renders them);
with `--seek 'PARAMETER * x: RULE = VALUE'` (or a scenario file's `seek:` section) a goal seek
(evaluator/seek.py)."""

from __future__ import annotations

import os
import sys

from ..errors import PolicyError, UsageError


def cmd_run_scenarios(args) -> int:
    from .. import api
    from ..scenarios import FORMATS, evaluate_scenarios, output_specs, read_scenarios, render
    from .arguments import chosen_outputs
    from .output import emit_bytes

    if args.format is None:
        args.format = "md" if args.output is None and sys.stdout.isatty() else "json"
    if args.format not in FORMATS:
        raise UsageError(f"--scenarios writes {', '.join(FORMATS)}, not {args.format}",
                         hint="e.g. --format md")
    policy = api.load(args.policy, args.params)
    if args.scenarios and not os.path.isfile(args.scenarios):
        raise UsageError(f"no scenario file {args.scenarios}", hint="give the path of a YAML, CSV or XLSX file")
    seek, source = seek_question(args, policy.model)
    if seek is not None:
        return cmd_seek(args, policy, seek, source)
    scenarios, sha = read_scenarios(policy.model, args.scenarios)
    chosen = chosen_outputs(args.outputs, policy.plan.rules)
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


def seek_question(args, policy):
    """The goal seek asked for, from `--seek` or a scenario file's `seek:` section, and where it
    was asked (None when the run is one of scenarios)."""
    from ..policy.loader import load_yaml
    from ..scenarios import seek as goal

    given = getattr(args, "seek", None)
    if given and args.scenarios:
        raise UsageError("give either --seek or --scenarios, not both",
                         hint="write the question in the scenario file's 'seek:' section, or drop --scenarios")
    if given:
        return goal.parse_cli(policy, given), {"path": None, "question": given, "sha256": None}
    if args.scenarios.lower().endswith((".yaml", ".yml")):
        loaded = load_yaml(args.scenarios)
        if isinstance(loaded.tree, dict) and "seek" in loaded.tree:
            others = [k for k in loaded.tree if k != "seek"]
            if others:
                raise PolicyError(f"a file with 'seek:' asks one question; '{others[0]}' belongs in another file",
                                  loaded.location((others[0],), key=True), "move the scenarios to a file of their own")
            return goal.read_section(policy, loaded), {"path": args.scenarios, "sha256": loaded.sha256}
    return None, None


def cmd_seek(args, policy, seek, source: dict) -> int:
    """`villkor run POLICY --data DIR --seek 'PARAMETER * x: RULE = VALUE'` (or a `seek:` file)."""
    from ..scenarios import seek as goal
    from .output import emit_bytes

    if args.format not in ("json", "md", "html"):
        raise UsageError(f"a goal seek writes json, md or html, not {args.format}", hint="e.g. --format md")
    data = policy.read(args.data)
    base = policy.evaluate(data).evaluation
    result = goal.solve(policy.plan, data.tables, seek, base)
    emit_bytes(goal.render(policy.plan, data.tables, result, source, args.format), args.output)
    for warning in base.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
