"""The `villkor` command line: the sub-commands (one module each, beside this one), exit codes,
and the one place the error that ends a command is printed (validate and lint, which report on
many files, print their listings themselves; every message's text comes from diagnostics.py).

Exit codes: 0 success, 1 a policy/data/fixture problem (a clear message, no partial output
file), 2 a usage error.
"""

from __future__ import annotations

import argparse
import errno
import io
import os
import signal
import sys
from collections.abc import Callable

from .. import __version__
from ..console import interrupt_inside, interrupted
from ..errors import UsageError, VillkorError, render

VERSION = f"villkor {__version__}"


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
        return interrupted()
    except Terminated:
        print("villkor: terminated; no output file was written", file=sys.stderr)
        return 143


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--version"]:  # answered before the eleven commands' parsers are built
        print(VERSION)
        return 0
    parser = build_parser()
    args = parser.parse_args(_expr_text_first(argv))
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
        interrupt = interrupt_inside(exc)
        if interrupt is not None:  # Ctrl-C while a module loaded, wrapped by Python: an interrupt
            raise interrupt from None
        if os.environ.get("VILLKOR_DEBUG"):
            raise
        print(f"villkor: internal error ({type(exc).__name__}: {exc}); nothing was written. "
              "Run again with VILLKOR_DEBUG=1 for details and report it.", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="villkor",
        description="Grant conditions as code: validate, run, explain, test and diff policies.")
    parser.add_argument("--version", action="version", version=VERSION)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    for _name, attach in _commands():
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


def _commands() -> list[tuple[str, Callable]]:
    """One module a command, in the order `--help` lists them; each adds its own sub-parser and
    imports what its work needs only when it runs."""
    from . import decisions, diff, document, explain, expr, fmt, lint, report, run, test, validate

    return [(m.__name__, m.attach) for m in (validate, run, explain, decisions, test, diff, fmt, lint,
                                             report, document, expr)]
