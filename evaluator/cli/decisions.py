"""`villkor decisions POLICY --data DIR --format md|html -o DIR`: one decision letter per region
for a policy with a `letter:` section (evaluator/report/letters.py) and an index page, or one
working document per member of the main dimension (evaluator/report/decisions.py); all written
or none. `--where` chooses members, `--date` the decision date."""

from __future__ import annotations

from ..errors import UsageError
from .arguments import parse_where, policy_data_args, where_arg

FORMATS = ("md", "html")


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "decisions", help="write one decision letter (or working document) per region, Markdown or HTML",
        description="Write one decision letter per region in the words of the policy's letter: section "
                    "(decision, reasons, conditions, payment, follow-up and repayment; the figures, sources and "
                    "hashes of policy and data in an appendix) and an index page. For a policy without letter: "
                    "(or with --working-papers): one working document per member of the main dimension with "
                    "outcome, conditions, findings and the explanation of every figure.")
    policy_data_args(p)
    p.add_argument("--format", choices=FORMATS, default="md", help="document format (default md)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the documents into")
    p.add_argument("--per", metavar="DIM", help="one document per member of this dimension "
                                                "(default: the first declared dimension the outputs use)")
    where_arg(p, "write the documents of these members only (the index lists them)")
    p.add_argument("--working-papers", action="store_true",
                   help="for a policy with a letter: section, write the working documents instead of "
                        "letters (every output, conditions, the derivation tree of every figure)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the decision date printed on the letters "
                                                        "(default: the policy's letter: date)")
    p.set_defaults(handler=cmd_decisions)


def cmd_decisions(args) -> int:
    import os
    import sys

    from .. import api
    from ..report.decisions import render_decisions
    from .output import write_folder

    policy = api.load(args.policy, args.params)
    out_dir = args.output
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"-o {out_dir}: not a folder", hint="give a folder to write the documents into")
    # a failed check is one of the things a decision explains: evaluated past it, with traces
    result = policy.evaluate(policy.read(args.data), trace=True, stop_on_failed_check=False)
    per = args.per
    if per is not None and per not in policy.model.dimensions:
        from ..errors import did_you_mean
        raise UsageError(f"--per names an unknown dimension '{per}'",
                         hint=did_you_mean(per, policy.model.dimensions))
    evaluation = result.evaluation
    members = chosen_members(evaluation, per, parse_where(args.where))
    if args.date is not None:
        set_letter_date(evaluation.plan.policy, args.date)
    docs = render_decisions(evaluation, result.tables, args.format, per, members,
                            args.working_papers)  # all rendered before any is written
    write_folder(out_dir, docs)
    for name in docs:
        print(f"wrote {os.path.join(out_dir, name)}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def chosen_members(evaluation, per: str | None, where: dict[str, str]) -> list | None:
    """The members --where names (by id or label), or None for all; only the dimension the
    documents are per can be chosen."""
    if not where:
        return None
    from ..explain import Explainer
    from ..report.decisions import main_dimension

    plan = evaluation.plan
    policy = plan.policy
    dim = per or (policy.letter.per if policy.letter else main_dimension(plan))
    if dim is None:  # every output national: one document, no member to choose
        raise UsageError(f"--where {next(iter(where))}=…: the policy's outputs are national, one document in all",
                         hint="leave out --where")
    for name in where:
        if name != dim:
            raise UsageError(f"--where {name}=…: the documents are one per {dim}",
                             hint=f"choose members with --where {dim}=…")
    return [Explainer(evaluation).resolve_member(dim, where[dim])]


def set_letter_date(policy, text: str) -> None:
    import dataclasses
    import datetime as dt

    if policy.letter is None:
        raise UsageError("--date applies to decision letters, and this policy has no letter: section")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text}: not a date", hint="write it as YYYY-MM-DD, e.g. 2026-04-15") from None
    policy.letter = dataclasses.replace(policy.letter, date=day)
