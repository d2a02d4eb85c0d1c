"""The console script's entry point, kept apart from `cli` so that nothing heavy is imported
before Ctrl-C is handled: an interrupt while the command modules are still loading ends in the
same one line and exit 130 as one during the work, never a traceback."""

import sys


def console() -> None:
    try:
        from .cli import main

        code = main()
    except KeyboardInterrupt:
        code = interrupted()
    except RuntimeError as exc:
        if interrupt_inside(exc) is None:
            raise
        code = interrupted()
    sys.exit(code)


def interrupted() -> int:
    """The one line of an interrupt, wherever it is caught; the exit code to return."""
    sys.stderr.write("villkor: interrupted; no output file was written\n")
    return 130


def interrupt_inside(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C another exception carries: Python 3.11 wraps one that lands while a class is
    made (in a dataclass field's `__set_name__`, while a module loads) in a RuntimeError."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
