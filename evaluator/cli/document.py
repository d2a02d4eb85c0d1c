"""`villkor document POLICY [--format md|html] [--fixtures DIR] [-o FILE]`: the policy itself
as a Swedish document for those who approve it (evaluator/report/policy_document.py)."""

from __future__ import annotations

import os
import sys

from ..errors import UsageError

FORMATS = ("md", "html")


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "document", help="write the policy itself as a Swedish document (Markdown or HTML)",
        description="Write every rule in plain words with its expression and citation, the parameters "
                    "with values, units, status and citations, the readings, inputs, checks and fixtures.")
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--format", choices=FORMATS, default="md", help="document format (default md)")
    p.add_argument("--fixtures", metavar="DIR",
                   help="fixture folder to list (default: tests/fixtures/<policy id> beside the policy's folder)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    p.set_defaults(handler=cmd_document)


def cmd_document(args) -> int:
    from ..plan import plan
    from ..policy.build import load_policy
    from ..report.policy_document import default_fixture_folder, render_document
    from .output import write_file

    policy = load_policy(args.policy)
    plan(policy)  # a policy that does not check is refused before anything is written
    folder = args.fixtures
    if folder is not None and not os.path.isdir(folder):
        raise UsageError(f"--fixtures {folder}: not a folder", hint="give the folder holding the policy's fixtures")
    text = render_document(policy, folder or default_fixture_folder(policy), args.format)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_file(args.output, text.encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
