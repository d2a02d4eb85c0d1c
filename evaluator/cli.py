"""The `villkor` command line: argument parsing, exit codes, and the one place errors are printed.

Exit codes: 0 success, 1 a policy/data/fixture problem (a clear message, no partial output
file), 2 a usage error.
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
import signal
import sys
from typing import Callable

from . import __version__
from .arguments import policy_data_args
from .errors import UsageError, VillkorError, render
from .result import display_path

FORMATS = ("json", "csv", "xlsx", "md", "html", "csv-sv", "summary")


class Terminated(BaseException):
    """SIGTERM: unwinds like Ctrl-C, so a half-written temporary file is removed on the way out."""


class StdoutError(Exception):
    """Standard output cannot be written (closed, a full disk, a reader that went away)."""

    def __init__(self, exc: OSError):
        super().__init__(exc.strerror or str(exc))
        self.errno = exc.errno


class _Stdout(io.RawIOBase):
    """File descriptor 1 as a raw stream whose failures are StdoutError, and only reported once."""

    def __init__(self, closed: bool):
        super().__init__()
        self._gone = closed
        self._failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return not self._gone and os.isatty(1)

    def write(self, data) -> int:
        if self._failed:  # already reported: drop the rest quietly (e.g. the flush at exit)
            return len(data)
        try:
            if self._gone:
                raise OSError(errno.EBADF, "standard output is closed")
            return os.write(1, data)
        except OSError as exc:
            self._failed = True
            raise StdoutError(exc) from None


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def _setup_streams() -> None:
    """Make the standard streams safe whatever the caller did with them.

    A closed stderr (`2>&-`) must not send warnings to stdout (Python's print does that when
    sys.stderr is None), and a closed fd 1 or 2 must not be reused by the next file we open;
    so a closed descriptor is held by /dev/null. Output is UTF-8 whatever PYTHONIOENCODING
    says (the JSON stays valid); stderr replaces what the terminal cannot show.
    """
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        return  # someone (a test harness) captures the streams: leave them alone
    stdout_closed = not _fd_open(1)
    for fd in (0, 1, 2):
        if not _fd_open(fd):
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    else:
        sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace")
    raw = _Stdout(stdout_closed)
    tty = raw.isatty()
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", errors="strict",
                                  line_buffering=tty, write_through=tty)


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    try:
        _setup_streams()
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminate)
        try:
            code = _main(argv)
        except SystemExit:  # argparse: --help, --version, a usage error
            sys.stdout.flush()
            raise
        sys.stdout.flush()
        return code
    except StdoutError as err:
        print(f"villkor: cannot write to standard output: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("villkor: interrupted; no output file was written", file=sys.stderr)
        return 130
    except Terminated:
        print("villkor: terminated; no output file was written", file=sys.stderr)
        return 143


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(_expr_text_first(sys.argv[1:] if argv is None else list(argv)))
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.handler(args) or 0
    except UsageError as err:
        print(render(err), file=sys.stderr)
        return 2
    except VillkorError as err:
        print(render(err), file=sys.stderr)
        return 1
    except StdoutError:
        raise
    except BrokenPipeError as exc:  # stdout is a StdoutError: this is another pipe (-o FIFO)
        print(f"villkor: cannot write the output: {exc.strerror or exc} (its reader went away)",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in villkor itself: say so plainly, no traceback
        if os.environ.get("VILLKOR_DEBUG"):
            raise
        print(f"villkor: internal error ({type(exc).__name__}: {exc}); nothing was written. "
              "Run again with VILLKOR_DEBUG=1 for details and report it.", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="villkor",
        description="Grant conditions as code: validate, run, explain, test and diff policies.")
    parser.add_argument("--version", action="version", version=f"villkor {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("validate", help="check policy files without reading any data")
    p.add_argument("policies", nargs="+", metavar="POLICY")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the problems as diagnostics on stdout (docs/diagnostics.md)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("run", help="evaluate a policy over a data folder")
    policy_data_args(p)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: summary on a terminal, else json)")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument("--outputs", metavar="RULE,...", help="report only these outputs (default: the policy's outputs)")
    p.add_argument("--scenarios", metavar="FILE",
                   help="evaluate many what-ifs at once (YAML or CSV; see docs/scenarios.md)")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("expr", help="evaluate one constant expression")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true", help='print {"type": ..., "value": ...}')
    p.set_defaults(handler=cmd_expr)

    for name, attach in _optional_commands():
        attach(sub)
    return parser


def _expr_text_first(argv: list[str]) -> list[str]:
    """`villkor expr '-(1)'`: an argument of `expr` that starts with '-' but is no option of it
    is the expression, not an unknown option."""
    if not argv or argv[0] != "expr" or "--" in argv:
        return argv
    options = ("-h", "--help", "--json")
    texts = [a for a in argv[1:] if a not in options]
    if len(texts) == 1 and texts[0].startswith("-"):
        return [argv[0], *[a for a in argv[1:] if a in options], "--", texts[0]]
    return argv


def _optional_commands() -> list[tuple[str, Callable]]:
    """Commands living in their own modules; each adds its own sub-parser."""
    from .diff import command as diff_command
    from .fixtures import command as test_command
    from . import explain_command
    from . import report_command  # report, document
    from .style import command as style_command

    return [(m.__name__, m.attach) for m in (test_command, explain_command, diff_command, style_command,
                                             report_command)]


# ---------------------------------------------------------------- commands


def load_and_plan(policy_path: str, params_path: str | None = None):
    from .plan import plan
    from .policy.build import load_policy
    from .policy.params import apply_overrides

    policy = load_policy(policy_path)
    if params_path:
        policy = with_params_info(policy, apply_overrides(policy, params_path), params_path)
    return plan(policy)


def with_params_info(original, changed, params_path: str):
    """`changed` recording the params file (path, sha256) and every value it changed."""
    import dataclasses
    import hashlib

    from .result import ParamChange, ParamsInfo

    changes = []
    for pid, new in changed.parameters.items():
        old = original.parameters[pid]
        if new.by:
            for key, value in new.value.items():
                if old.value.get(key) != value:
                    changes.append(ParamChange(pid, new.title, dict(zip(new.by, key)), old.value.get(key),
                                               value, new.unit))
        elif old.value != new.value:
            changes.append(ParamChange(pid, new.title, None, old.value, new.value, new.unit))
    with open(params_path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    return dataclasses.replace(changed, params=ParamsInfo(display_path(params_path), digest, tuple(changes)))


def cmd_validate(args) -> int:
    errors: list[VillkorError] = []
    for path in args.policies:
        try:
            planned = load_and_plan(path)
        except VillkorError as err:
            errors.append(err)
            continue
        pol = planned.policy
        print(f"{path}: ok — {pol.id} {pol.version}: {len(pol.rules)} rules, "
              f"{len(pol.parameters)} parameters, {len(pol.checks)} checks", file=sys.stderr)
    if args.format == "json":
        from .diagnostics import to_json
        found = [d for err in errors for d in err.diagnostics]
        print(json.dumps({"diagnostics": to_json(found), "errors": len(found), "warnings": 0},
                         ensure_ascii=False, indent=2))
    else:
        for err in errors:
            print(render(err), file=sys.stderr)
    return 1 if errors else 0


def check_output(output: str | None, policy, data_dir: str | None, params_path: str | None) -> None:
    """Refuse an -o that names one of the run's own inputs: the policy (and the files it
    extends), the params file, or a file in the data folder. Checked before anything is read."""
    from .report.atomic import same_file

    if output is None:
        return
    inputs = [policy.path, *policy.chain, params_path]
    if data_dir and os.path.isdir(data_dir):
        inputs += [os.path.join(data_dir, name) for name in sorted(os.listdir(data_dir))]
    clash = same_file(output, inputs)
    if clash is not None:
        raise UsageError(f"-o {output} is an input of this run ({clash}); it would be overwritten",
                         hint="write the output to another file")


def run_policy(policy_path: str, data_dir: str, params_path: str | None = None, trace: bool = False):
    """Load, plan, read data, evaluate: the whole pipeline, shared by run, explain and diff."""
    from . import engine
    from .data import read_inputs

    planned = load_and_plan(policy_path, params_path)
    tables = read_inputs(planned.policy, data_dir)
    evaluation = engine.evaluate(planned, tables, trace=trace)
    return evaluation, tables


def cmd_run(args) -> int:
    from . import engine
    from .report import render as render_report
    from .report.atomic import emit

    if args.scenarios:
        from .scenarios import cmd_run_scenarios
        return cmd_run_scenarios(args)
    import dataclasses

    from .data import read_inputs

    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise UsageError("xlsx is binary: write it to a file with -o PATH")
    planned = load_and_plan(args.policy, args.params)
    check_output(args.output, planned.policy, args.data, args.params)
    tables = read_inputs(planned.policy, args.data)
    evaluation = engine.evaluate(planned, tables)
    result = engine.to_result(evaluation, tables)
    if args.outputs:
        wanted = [o.strip() for o in args.outputs.split(",") if o.strip()]
        unknown = [o for o in wanted if o not in evaluation.plan.rules]
        if unknown:
            from .errors import did_you_mean
            raise UsageError(f"--outputs names an unknown rule '{unknown[0]}'",
                             hint=did_you_mean(unknown[0], evaluation.plan.rules))
        result = engine.to_result(evaluation, tables, wanted)
    result.params = planned.policy.params
    result.policy = dataclasses.replace(result.policy, path=display_path(result.policy.path))
    result.data = [dataclasses.replace(d, path=display_path(d.path)) for d in result.data]
    fmt = args.format or ("summary" if args.output is None and sys.stdout.isatty() else "json")
    data = render_report(result, fmt)
    try:
        emit(data, args.output)
    except OSError as exc:  # -o names a folder, or a place that cannot be written: not a bug
        if args.output is None:  # stdout (a closed pipe is handled in main)
            raise
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}",
                         hint="give -o the path of a file in a folder you can write to") from None
    if fmt != "summary":  # the summary lists them itself, in Swedish
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_expr(args) -> int:
    from .lang import evaluate

    value = evaluate(args.text)
    if args.json:
        from .report.json_writer import value_to_json
        print(json.dumps({"type": _type_name(value), "value": value_to_json(value)}, ensure_ascii=False))
    else:
        print(_plain(value))
    return 0


def _type_name(value) -> str:
    import datetime as dt
    from decimal import Decimal
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.timedelta):
        return "duration"
    if isinstance(value, list):
        return "list"
    return "null"


def _plain(value) -> str:
    import datetime as dt
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.timedelta):
        return ("-" if value.days < 0 else "") + f"P{abs(value.days)}D"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) if not isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                               for v in value) + "]"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
