"""The console script's entry point, kept apart from `cli` so that nothing heavy is imported
before Ctrl-C is handled: an interrupt while the command modules are still loading ends in the
same one line and exit 130 as one during the work, never a traceback."""

import sys


def console() -> None:
    try:
        from .cli import main

        code = main()
    except KeyboardInterrupt:
        sys.stderr.write("villkor: interrupted; no output file was written\n")
        code = 130
    sys.exit(code)
