"""`villkor report POLICY --data DIR [--params FILE] [--up-to-month N] -o DIR`.

It evaluates the policy once and writes the follow-up report (P-9) as self-contained
HTML with inline SVG charts and as XLSX (evaluator/report/followup.py). Charting
(matplotlib) is imported only when a report is written.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import UsageError
from .arguments import policy_data_args


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write the monthly follow-up report (HTML with charts, and XLSX)",
        description="Evaluate the policy and write its follow-up report: monthly counts per measure, "
                    "per region and nationally, against the previous year and the baseline; where the "
                    "procedures were performed; degree of fulfilment (payout against cap).")
    policy_data_args(p)
    p.add_argument("--up-to-month", type=_month, metavar="N",
                   help="data up to and including month N (1-12): an interim report compares the same "
                        "months of every year")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="folder to write <policy>-uppfoljning.html and .xlsx into")
    p.set_defaults(handler=cmd_report)


def _month(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month number (1-12)") from None
    if not 1 <= n <= 12:
        raise argparse.ArgumentTypeError(f"{n} is not a month number (1-12)")
    return n


def cmd_report(args) -> int:
    from .. import engine
    from ..data import read_inputs
    from ..plan import plan
    from ..policy.build import load_policy
    from ..policy.params import apply_overrides
    from ..report.followup import interim_policy, render_followup, require, with_monthly_split

    from .output import write_file

    out_dir = args.output
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"-o {out_dir}: not a folder", hint="give a folder to write the report into")
    policy = load_policy(args.policy)
    if args.params:
        policy = apply_overrides(policy, args.params)
    planned = plan(with_monthly_split(interim_policy(policy, args.up_to_month)))
    require(planned)  # before any (possibly large) data is read
    tables = read_inputs(planned.policy, args.data)
    evaluation = engine.evaluate(planned, tables)
    files = render_followup(evaluation, tables, args.up_to_month)  # all rendered before any is written
    os.makedirs(out_dir, exist_ok=True)
    for name, data in files.items():
        write_file(os.path.join(out_dir, name), data)
        print(f"wrote {os.path.join(out_dir, name)}", file=sys.stderr)
    for warning in evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
