"""`villkor run POLICY --data DIR [--params FILE] [--format F] [-o PATH]`: evaluate a policy over
a data folder and write the result (JSON by default when piped, a short Swedish summary on a
terminal); with `--scenarios FILE` many what-ifs at once (evaluator/scenarios.py)."""

from __future__ import annotations

import sys

from ..errors import UsageError
from .arguments import check_output, parse_where, policy_data_args, resolve_where, where_arg

FORMATS = ("json", "csv", "xlsx", "md", "html", "csv-sv", "summary")


def attach(sub) -> None:
    p = sub.add_parser("run", help="evaluate a policy over a data folder")
    policy_data_args(p)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: summary on a terminal, else json)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument("--outputs", metavar="RULE,...", help="report only these outputs (default: the policy's outputs)")
    p.add_argument("--scenarios", metavar="FILE",
                   help="evaluate many what-ifs at once (YAML, CSV or XLSX; see docs/scenarios.md)")
    p.add_argument("--seek", metavar="'PARAMETER * x: RULE = VALUE'",
                   help="find the factor on a parameter that makes a total reach a value (docs/scenarios.md)")
    where_arg(p, "report only the rows of this member; national outputs keep theirs")
    p.set_defaults(handler=cmd_run)


def cmd_run(args) -> int:
    if (args.scenarios or args.seek) and args.where:
        raise UsageError("--where applies to one run, not to --scenarios or --seek", hint="leave out --where")
    if args.scenarios or args.seek:
        from ..scenarios import cmd_run_scenarios
        return cmd_run_scenarios(args)
    import dataclasses

    from .. import api, engine
    from ..data import read_inputs
    from ..report import render as render_report
    from ..result import display_path
    from .output import emit_bytes

    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise UsageError("xlsx is binary: write it to a file with -o PATH")
    planned = api.load_and_plan(args.policy, args.params)
    check_output(args.output, planned.policy, args.data, args.params)
    tables = read_inputs(planned.policy, args.data)
    evaluation = engine.evaluate(planned, tables)
    result = engine.to_result(evaluation, tables)
    if args.outputs:
        wanted = [o.strip() for o in args.outputs.split(",") if o.strip()]
        unknown = [o for o in wanted if o not in evaluation.plan.rules]
        if unknown:
            from ..errors import did_you_mean
            raise UsageError(f"--outputs names an unknown rule '{unknown[0]}'",
                             hint=did_you_mean(unknown[0], evaluation.plan.rules))
        result = engine.to_result(evaluation, tables, wanted)
    if args.where:
        from ..result import only_members
        result = only_members(result, resolve_where(evaluation, parse_where(args.where)))
    result.params = planned.policy.params
    result.policy = dataclasses.replace(result.policy, path=display_path(result.policy.path))
    result.data = [dataclasses.replace(d, path=display_path(d.path)) for d in result.data]
    fmt = args.format or ("summary" if args.output is None and sys.stdout.isatty() else "json")
    emit_bytes(render_report(result, fmt), args.output)
    if fmt != "summary":  # the summary lists them itself, in Swedish
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0
