"""The villkor expression language: parse -> check -> evaluate.

    >>> from evaluator.lang import evaluate
    >>> evaluate("0.1 + 0.2 = 0.3")
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import EvaluationError, Location, VillkorError
from . import ast
from .checker import Checked, check
from .interp import Interp
from .parser import parse
from .scope import EnvScope, Scope
from .values import ListVal, Val, to_python

__all__ = ["ast", "parse", "check", "evaluate", "compile_expression", "Scope", "EnvScope", "Checked"]


def compile_expression(text: str, scope: Scope, target: tuple[str, ...] = ()) -> Checked:
    """Parse and check; every error carries the line and column inside `text`."""
    node = parse(text)
    try:
        return check(node, scope, target, text)
    except VillkorError as err:
        if err.location.source_line is None and err.location.line:
            lines = text.split("\n")
            if 0 < err.location.line <= len(lines):
                raise err.at(source_line=lines[err.location.line - 1]) from err
        raise


def evaluate(text: str, env: dict[str, Any] | None = None) -> Any:
    """Evaluate one expression over constants or whole columns.

    Names in `env` may be Python values (int, Decimal, str, bool, date, list) or columns
    (pandas Series / numpy arrays of equal length). A constant result comes back as a plain
    Python value (int or Decimal for numbers, str, bool, datetime.date, datetime.timedelta,
    list); a column result as a pandas Series of exact values.
    """
    scope = EnvScope(env)
    checked = compile_expression(text, scope)
    try:
        value = Interp(scope, checked).run()
    except VillkorError as err:  # show the source line under a run-time error too
        lines = text.split("\n")
        line = err.location.line
        if err.location.source_line is None and line and 0 < line <= len(lines):
            raise err.at(source_line=lines[line - 1]) from None
        raise
    return _to_output(value, text)


def _to_output(value: Val | ListVal, text: str) -> Any:
    if isinstance(value, ListVal):
        return [_to_output(i, text) for i in value.items]
    if value.data.ndim == 0:
        if value.null is not None and bool(value.null):
            raise EvaluationError("the expression has no value (null): a division by zero, an "
                                  "impossible date, or an absent value",
                                  Location(line=1, column=1, source_line=text.split("\n")[0]),
                                  "guard it with if … then … else …")
        return to_python(value)
    if value.null is not None and value.has_nulls():
        first = int(np.argmax(value.null.reshape(-1)))
        raise EvaluationError(f"the expression has no value (null) at row {first}",
                              Location(line=1, column=1), "guard it with if … then … else …")
    data = value.decoded() if value.categories is not None else value.data
    return pd.Series(data)
