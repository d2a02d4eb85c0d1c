"""`villkor run POLICY --data DIR [--params FILE] [--format F] [-o PATH]`: evaluate a policy over
a data folder and write the result (JSON by default when piped, a short Swedish summary on a
terminal); with `--scenarios FILE` many what-ifs at once (evaluator/scenarios/)."""

from __future__ import annotations

import sys

from ..errors import UsageError
from .arguments import check_output, chosen_outputs, parse_where, policy_data_args, resolve_where, where_arg

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
        from .scenarios import cmd_run_scenarios
        return cmd_run_scenarios(args)
    from .. import api
    from ..report import render
    from .output import emit_bytes

    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise UsageError("xlsx is binary: write it to a file with -o PATH")
    policy = api.load(args.policy, args.params)
    check_output(args.output, policy.model, args.data, args.params)
    result = policy.evaluate(policy.read(args.data))
    wanted = chosen_outputs(args.outputs, policy.plan.rules)
    run_result = result.run_result(wanted)
    if args.where:
        from ..result import only_members
        run_result = only_members(run_result, resolve_where(result.evaluation, parse_where(args.where)))
    fmt = args.format or ("summary" if args.output is None and sys.stdout.isatty() else "json")
    emit_bytes(render(run_result, fmt), args.output)
    if fmt != "summary":  # the summary lists them itself, in Swedish
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0
