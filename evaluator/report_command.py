"""`villkor report` and `villkor document`: sub-commands added to the CLI by `attach()`.

    villkor report POLICY --data DIR [--params FILE] [--up-to-month N] -o DIR
    villkor document POLICY [--format md|html] [--fixtures DIR] [-o FILE]

`report` evaluates the policy once and writes the follow-up report (P-9) as self-contained
HTML with inline SVG charts and as XLSX (evaluator/report/followup.py); `document` writes the
policy itself as a Swedish document (evaluator/report/policy_document.py). Charting
(matplotlib) is imported only when a report is written.
"""

from __future__ import annotations

import argparse
import os
import sys

from .arguments import policy_data_args
from .errors import UsageError

DOCUMENT_FORMATS = ("md", "html")


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

    p = subparsers.add_parser(
        "document", help="write the policy itself as a Swedish document (Markdown or HTML)",
        description="Write every rule in plain words with its expression and citation, the parameters "
                    "with values, units, status and citations, the readings, inputs, checks and fixtures.")
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--format", choices=DOCUMENT_FORMATS, default="md", help="document format (default md)")
    p.add_argument("--fixtures", metavar="DIR",
                   help="fixture folder to list (default: tests/fixtures/<policy id> beside the policy's folder)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    p.set_defaults(handler=cmd_document)


def _month(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month number (1-12)") from None
    if not 1 <= n <= 12:
        raise argparse.ArgumentTypeError(f"{n} is not a month number (1-12)")
    return n


def _write(path: str, data: bytes) -> None:
    from .report.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}",
                         hint="give -o a path in a folder you can write to") from None


def cmd_document(args) -> int:
    from .policy.build import load_policy
    from .report.policy_document import default_fixture_folder, render_document

    policy = load_policy(args.policy)
    from .plan import plan
    plan(policy)  # a policy that does not check is refused before anything is written
    folder = args.fixtures
    if folder is not None and not os.path.isdir(folder):
        raise UsageError(f"--fixtures {folder}: not a folder", hint="give the folder holding the policy's fixtures")
    text = render_document(policy, folder or default_fixture_folder(policy), args.format)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write(args.output, text.encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def cmd_report(args) -> int:
    from . import engine
    from .data import read_inputs
    from .plan import plan
    from .policy.build import load_policy
    from .policy.params import apply_overrides
    from .report.followup import interim_policy, render_followup, require, with_monthly_split

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
        _write(os.path.join(out_dir, name), data)
        print(f"wrote {os.path.join(out_dir, name)}", file=sys.stderr)
    for warning in evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
