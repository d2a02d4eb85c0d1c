"""lang/lazy_numpy.py: checking needs no numpy; the first value computed imports it, exactly.

Run in a fresh process: in this one other tests have imported numpy long ago.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from decimal import Decimal
from evaluator.lang import check, evaluate, parse
from evaluator.lang.scope import Scope
text = 'round(7 / 3, 2, "half even")'
print(check(parse(text + " > 1"), Scope()).type.kind, "numpy" in sys.modules)
print(evaluate(text) == Decimal("2.33"), "numpy" in sys.modules)
from evaluator.lang.lazy_numpy import np
import numpy
print(np.int64 is numpy.int64, np.linalg is numpy.linalg)
"""


def test_checking_imports_no_numpy_and_the_first_value_does():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["bool False", "True True", "True True"]
