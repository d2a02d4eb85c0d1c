"""The command line: a thin layer over `evaluator.api`, one module per command.

`main` parses the arguments, runs the command and turns every VillkorError into one message and
an exit code (0 success, 1 a policy/data/fixture problem, 2 a usage error).
"""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
