"""`villkor explain` and `villkor decisions`: sub-commands added to the CLI by `attach()`.

    villkor explain POLICY --data DIR [--params FILE] --rule RULE [--where region=Uppsala ...]
                    [--format text|json|md] [--depth N] [--rows [--max-rows N]] [-o PATH]
    villkor decisions POLICY --data DIR [--params FILE] --format md|html -o DIR

Both evaluate the policy once, vectorised, with tracing on, and read the derivation trees
from the traces (evaluator/explain.py). Errors are `VillkorError`s: the CLI prints them and
exits 1 (2 for a malformed command line).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

from .arguments import policy_data_args
from .errors import UsageError

EXPLAIN_FORMATS = ("text", "json", "md")
DECISION_FORMATS = ("md", "html")


def attach(subparsers) -> None:
    p = subparsers.add_parser(
        "explain", help="why a rule has its value: the derivation tree down to input rows and sources",
        description="Print the derivation tree of a rule's value at the keys matching --where: "
                    "expression, value, decisive branch, operands, input rows and the source "
                    "passage of every step.")
    policy_data_args(p)
    p.add_argument("--rule", required=True, metavar="RULE", help="the rule to explain, e.g. payout")
    p.add_argument("--where", action="append", default=[], metavar="DIM=MEMBER",
                   help="only keys with this member (repeatable), e.g. --where region=Uppsala")
    p.add_argument("--format", choices=EXPLAIN_FORMATS, default="text", help="output format (default text)")
    p.add_argument("--depth", type=_non_negative, metavar="N",
                   help="show rules at most N levels below the chosen one (default: all)")
    p.add_argument("--rows", action="store_true", help="list the input rows each aggregate used")
    p.add_argument("--max-rows", type=_non_negative, default=None, metavar="N",
                   help="with --rows: list at most N rows per aggregate (default 50)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.set_defaults(handler=cmd_explain)

    p = subparsers.add_parser(
        "decisions", help="write one decision document per region (Markdown or HTML)",
        description="Write one decision document per member of the policy's main dimension "
                    "(by default the first declared one the outputs use, e.g. region): outcome, conditions, findings, "
                    "the explanation of every figure, warnings, and the hashes of policy and data.")
    policy_data_args(p)
    p.add_argument("--format", choices=DECISION_FORMATS, default="md", help="document format (default md)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the documents into")
    p.add_argument("--per", metavar="DIM", help="one document per member of this dimension "
                                                "(default: the first declared dimension the outputs use)")
    p.set_defaults(handler=cmd_decisions)


def _non_negative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def parse_where(items: list[str]) -> dict[str, str]:
    where: dict[str, str] = {}
    for item in items:
        dim, sep, member = item.partition("=")
        dim, member = dim.strip(), member.strip()
        if not sep or not dim or not member:
            raise UsageError(f"--where {item}: expected DIMENSION=MEMBER",
                             hint="e.g. --where region=Uppsala --where measure=cataract")
        if dim in where and where[dim] != member:
            raise UsageError(f"--where names {dim} twice ({where[dim]}, {member})",
                             hint="explain one member per dimension, or leave the dimension out for all")
        where[dim] = member
    return where


def _evaluate(args):
    """Plan (errors before any data is read), read the data, evaluate once with traces."""
    from . import engine
    from .cli import load_and_plan

    planned = load_and_plan(args.policy, args.params)
    if getattr(args, "handler", None) is cmd_explain:
        from .cli import check_output
        check_output(args.output, planned.policy, args.data, args.params)
    return planned, lambda: _load(planned, args.data, engine)


def _load(planned, data_dir, engine):
    from .data import read_inputs

    tables = read_inputs(planned.policy, data_dir)
    return engine.evaluate(planned, tables, trace=True, stop_on_failed_check=False), tables


def cmd_explain(args) -> int:
    from . import explain as X

    where = parse_where(args.where)
    if args.max_rows is not None and not args.rows:
        raise UsageError("--max-rows needs --rows")
    planned, load = _evaluate(args)
    # Refuse an unknown rule or member before reading (possibly large) data.
    X.Explainer(_Static(planned)).select(args.rule, where)
    evaluation, tables = load()
    options = X.Options(depth=args.depth, rows=args.rows,
                        max_rows=args.max_rows if args.max_rows is not None else X.DEFAULT_MAX_ROWS)
    doc = X.explain_document(evaluation, tables, args.rule, where, options)
    if args.format == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "md":
        text = _md_document(doc)
    else:
        text = X.render_text(doc)
        if doc["warnings"]:
            text += "\n" + "".join(f"varning: {w}\n" for w in doc["warnings"])
    _emit(text, args.output)
    return 0


def _md_document(doc: dict) -> str:
    from . import explain as X

    pol = doc["policy"]
    head = [f"# Förklaring: {X.md_escape(doc['rule'])}", "",
            f"{X.md_escape(pol['title'])}, version {X.md_escape(pol['version'])} "
            f"(policy sha256 {pol['sha256']})", ""]
    warn = [f"> **Varning:** {X.md_escape(w)}" for w in doc["warnings"]]
    return "\n".join(head + warn + ([""] if warn else [])) + X.render_markdown(doc)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if os.path.isdir(output):
        raise UsageError(f"-o {output} is a folder", hint="give -o the path of a file, e.g. explain.txt")
    try:
        write_files({output: text})
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}",
                         hint="give -o the path of a file in a folder you can write to") from None


def write_files(files: dict[str, str]) -> None:
    """Write every file atomically (temp file + rename), after all were rendered (UTF-8)."""
    from .report.atomic import write_atomic

    for path, text in files.items():
        write_atomic(path, text.encode("utf-8"))


def write_folder(out_dir: str, docs: dict[str, str]) -> None:
    """All documents or none: written into a temporary folder beside them, then moved in.

    A new folder appears at once (one rename); into an existing folder each document is moved
    only after all were written, and a name taken by a folder is refused before anything is."""
    for name in docs:
        if os.path.isdir(os.path.join(out_dir, name)):
            raise UsageError(f"-o {out_dir}: {name} there is a folder", hint="remove it or give another folder")
    exists = os.path.isdir(out_dir)
    parent = out_dir if exists else os.path.dirname(os.path.abspath(out_dir))
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".villkor-", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"cannot write into {out_dir}: {exc.strerror or exc}",
                         hint="give -o a folder you can write to") from None
    try:
        for name, text in docs.items():
            with open(os.path.join(tmp, name), "wb") as fh:
                fh.write(text.encode("utf-8"))
        if exists:
            for name in docs:
                os.replace(os.path.join(tmp, name), os.path.join(out_dir, name))
            os.rmdir(tmp)
        else:
            os.chmod(tmp, 0o777 & ~_umask())
            os.rename(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot write into {out_dir}: {exc.strerror or exc}; nothing was written",
                         hint="give -o a folder you can write to") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Static:
    """Just enough of an Evaluation for `Explainer.select` before data is read."""

    def __init__(self, planned):
        self.plan = planned
        self.scope = planned.scope
        self.values: dict = {}
        self.traces: dict = {}


def cmd_decisions(args) -> int:
    from .report.decisions import render_decisions

    planned, load = _evaluate(args)
    out_dir = args.output
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"-o {out_dir}: not a folder", hint="give a folder to write the documents into")
    evaluation, tables = load()
    per = getattr(args, "per", None)
    if per is not None and per not in evaluation.plan.policy.dimensions:
        from .errors import did_you_mean
        raise UsageError(f"--per names an unknown dimension '{per}'",
                         hint=did_you_mean(per, evaluation.plan.policy.dimensions))
    docs = render_decisions(evaluation, tables, args.format, per)  # all rendered before any is written
    write_folder(out_dir, docs)
    for name in docs:
        print(f"wrote {os.path.join(out_dir, name)}", file=sys.stderr)
    for warning in evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
