"""`villkor decisions POLICY --data DIR --format md|html -o DIR`: one decision document per
member of the policy's main dimension (evaluator/report/decisions.py), all written or none."""

from __future__ import annotations

from ..errors import UsageError
from .arguments import policy_data_args

FORMATS = ("md", "html")


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "decisions", help="write one decision document per region (Markdown or HTML)",
        description="Write one decision document per member of the policy's main dimension "
                    "(by default the first declared one the outputs use, e.g. region): outcome, conditions, findings, "
                    "the explanation of every figure, warnings, and the hashes of policy and data.")
    policy_data_args(p)
    p.add_argument("--format", choices=FORMATS, default="md", help="document format (default md)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the documents into")
    p.add_argument("--per", metavar="DIM", help="one document per member of this dimension "
                                                "(default: the first declared dimension the outputs use)")
    p.set_defaults(handler=cmd_decisions)


def cmd_decisions(args) -> int:
    import os
    import sys

    from .. import api
    from ..report.decisions import render_decisions
    from .output import write_folder

    planned = api.load_and_plan(args.policy, args.params)
    out_dir = args.output
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"-o {out_dir}: not a folder", hint="give a folder to write the documents into")
    evaluation, tables = api.evaluate_traced(planned, args.data)
    per = args.per
    if per is not None and per not in evaluation.plan.policy.dimensions:
        from ..errors import did_you_mean
        raise UsageError(f"--per names an unknown dimension '{per}'",
                         hint=did_you_mean(per, evaluation.plan.policy.dimensions))
    docs = render_decisions(evaluation, tables, args.format, per)  # all rendered before any is written
    write_folder(out_dir, docs)
    for name in docs:
        print(f"wrote {os.path.join(out_dir, name)}", file=sys.stderr)
    for warning in evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
