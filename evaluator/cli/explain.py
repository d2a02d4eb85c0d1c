"""`villkor explain POLICY --data DIR --rule RULE [--where DIM=MEMBER ...]`: why a rule has its
value — the derivation tree down to input rows and source passages (evaluator/explain.py).

The policy is planned first, and an unknown rule or member refused, before any data is read;
then the policy is evaluated once, vectorised, with tracing on.
"""

from __future__ import annotations

from ..errors import UsageError
from .arguments import check_output, non_negative, parse_where, policy_data_args, where_arg

FORMATS = ("text", "json", "md")


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "explain", help="why a rule has its value: the derivation tree down to input rows and sources",
        description="Print the derivation tree of a rule's value at the keys matching --where: "
                    "expression, value, decisive branch, operands, input rows and the source "
                    "passage of every step.")
    policy_data_args(p)
    p.add_argument("--rule", required=True, metavar="RULE", help="the rule to explain, e.g. payout")
    where_arg(p, "only keys with this member")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    p.add_argument("--depth", type=non_negative, metavar="N",
                   help="show rules at most N levels below the chosen one (default: all)")
    p.add_argument("--rows", action="store_true", help="list the input rows each aggregate used")
    p.add_argument("--max-rows", type=non_negative, default=None, metavar="N",
                   help="with --rows: list at most N rows per aggregate (default 50)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.set_defaults(handler=cmd_explain)


def cmd_explain(args) -> int:
    import json

    from .. import api, explain as X
    from ..report import explanation as R
    from ..report.warnings_sv import swedish
    from .output import emit_text

    where = parse_where(args.where)
    if args.max_rows is not None and not args.rows:
        raise UsageError("--max-rows needs --rows")
    policy = api.load(args.policy, args.params)
    check_output(args.output, policy.model, args.data, args.params)
    X.select_before_reading(policy.plan, args.rule, where)  # an unknown rule or member: before any data
    result = policy.evaluate(policy.read(args.data), trace=True, stop_on_failed_check=False, rows=args.rows)
    doc = result.explain(args.rule, where, depth=args.depth, rows=args.rows, max_rows=args.max_rows)
    if args.format == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "md":  # text and Markdown: sources by title, warnings in Swedish
        text = R.markdown_document(R.reader_sources(doc, policy.model.reader_citations()))
    else:
        text = R.render_text(R.reader_sources(doc, policy.model.reader_citations()))
        if doc["warnings"]:
            text += "\n" + "".join(f"varning: {swedish(w)}\n" for w in doc["warnings"])
    emit_text(text, args.output)
    return 0
