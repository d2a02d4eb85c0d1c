"""`python -m evaluator.cli`: the same as the `villkor` command."""

import sys

from .main import main

sys.exit(main())
