"""`villkor diff OLD NEW [--data DIR]`: what changed, and what it does to every key.

Without data: the structural changes (evaluator/diff/structural.py). With data: both versions
run on the same data and every output both have is compared key by key (diff/impact.py). Exit
code 0, or with `--fail-on-change` 1 when anything differs.
"""

from __future__ import annotations

from .arguments import check_output


def attach(sub) -> None:
    p = sub.add_parser("diff", help="compare two policy versions, and their outcomes on the same data")
    p.add_argument("old", metavar="OLD_POLICY")
    p.add_argument("new", metavar="NEW_POLICY")
    p.add_argument("--data", metavar="DIR", help="run both versions on this data and show the impact per key")
    p.add_argument("--params", metavar="FILE", help="parameter overrides applied to both versions")
    p.add_argument("--format", choices=("text", "md", "json", "xlsx"), default="text")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument("--all", action="store_true",
                   help="list every changed key of multi-dimensional outputs (text, md)")
    p.add_argument("--fail-on-change", action="store_true", help="exit 1 when anything differs")
    p.set_defaults(handler=cmd_diff)


def cmd_diff(args) -> int:
    import os
    import sys

    from ..api import load_and_plan
    from ..diff.impact import impact
    from ..diff.render import Head, colourize, to_json, to_markdown, to_text, to_xlsx
    from ..diff.structural import structural_diff
    from ..errors import UsageError
    from ..report.atomic import emit

    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        raise UsageError("xlsx is binary: write it to a file with -o PATH")
    old_plan = load_and_plan(args.old, args.params)
    new_plan = load_and_plan(args.new, args.params)
    check_output(args.output, old_plan.policy, args.data, args.params)
    check_output(args.output, new_plan.policy, None, None)
    changes = structural_diff(old_plan.policy, new_plan.policy)
    result = impact(old_plan, new_plan, args.data, changes) if args.data else None
    head = Head(old_plan.policy, new_plan.policy, args.old, args.new, args.data, args.params)
    colour = args.format == "text" and not args.output and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    render = {"text": to_text, "md": to_markdown, "json": to_json, "xlsx": to_xlsx}[args.format]
    data = render(head, changes, result, args.all)
    if colour:
        data = colourize(data.decode("utf-8")).encode("utf-8")
    emit(data, args.output)
    differs = bool(changes) or (result is not None and result.changed)
    return 1 if args.fail_on_change and differs else 0
