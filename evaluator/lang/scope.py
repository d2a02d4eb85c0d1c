"""What names mean: the bridge between the language and whatever supplies values.

The checker asks a scope for types; the interpreter asks it for values. The policy engine
supplies a scope over rules, parameters, inputs and dimension keys; `EnvScope` supplies one
over a plain dict (constants, lists, pandas Series or numpy arrays), which is what
`evaluate(text, env)` and the benchmarks use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError
from . import types as T
from .values import ListVal, Val, scalar

if TYPE_CHECKING:
    import numpy as np
else:
    from .lazy_numpy import np  # numpy on first use: checking a policy computes no value

ROW_AXIS = "#row"


@dataclass(frozen=True)
class TableInfo:
    """The static shape of an input table, as the checker needs it."""

    id: str
    columns: dict[str, T.Type]
    by: dict[str, str]  # dimension -> column carrying it
    unique: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def axis(self) -> str:
        return "#" + self.id


class Scope:
    """Base scope: no names. Subclasses override what they provide."""

    dim_order: tuple[str, ...] = ()

    def type_of(self, name: str) -> T.Type | None:
        return None

    def table(self, name: str) -> TableInfo | None:
        return None

    def members(self, dim: str) -> tuple[Any, ...]:
        return ()

    def names(self) -> Iterable[str]:
        return ()

    def constant(self, name: str) -> Any:
        """The value of a name known before any data is read (a scalar parameter), else None."""
        return None

    # -- run time
    def value(self, name: str) -> Any:
        raise EvaluationError(f"no value for '{name}'")

    def column(self, table: str, column: str) -> Val:
        raise EvaluationError(f"no table '{table}'")

    def codes(self, table: str, dim: str) -> np.ndarray:
        raise EvaluationError(f"no table '{table}'")

    def lookup(self, table: str, column: str, dims: tuple[str, ...]) -> Val:
        raise EvaluationError(f"no table '{table}'")

    def nrows(self, table: str) -> int:
        raise EvaluationError(f"no table '{table}'")

    def records(self, table: str) -> np.ndarray | None:
        """How many input rows each row of `table` stands for, or None: one each (only the
        cells of a summed table, data/cube.py, stand for more)."""
        return None

    def group_key(self, table: str, dims: tuple[str, ...]) -> np.ndarray:
        """Each row's position in the grid of `dims` (row-major), from its dimension codes."""
        if not dims:
            return np.zeros(self.nrows(table), dtype=np.int64)
        key = self.codes(table, dims[0]).astype(np.int64)
        for d in dims[1:]:  # in place: one temporary for the whole key
            key *= len(self.members(d))
            key += self.codes(table, d)
        return key


def _type_of_python(value: Any, name: str) -> tuple[T.Type, Any]:
    """Static type and Val of a Python/pandas/numpy value given in an env."""
    if isinstance(value, (list, tuple)):
        items = [scalar(v) for v in value]
        kinds = {i.kind for i in items}
        if len(kinds) > 1:
            raise EvaluationError(f"list '{name}' mixes {', '.join(sorted(kinds))}")
        kind = kinds.pop() if kinds else "any"
        return T.list_of(T.Type(kind)), ListVal(items, kind)
    if hasattr(value, "to_numpy") or isinstance(value, np.ndarray):
        arr = value.to_numpy() if hasattr(value, "to_numpy") else value
        if arr.ndim != 1:
            raise EvaluationError(f"'{name}' must be one column")
        if arr.dtype.kind in "iu":
            return T.Type("number", dims=(ROW_AXIS,)), Val("number", arr.astype(np.int64, copy=False), (ROW_AXIS,))
        if arr.dtype.kind == "b":
            return T.Type("bool", dims=(ROW_AXIS,)), Val("bool", arr, (ROW_AXIS,))
        if arr.dtype.kind == "M":
            return T.Type("date", dims=(ROW_AXIS,)), Val("date", arr.astype("datetime64[D]"), (ROW_AXIS,))
        if arr.dtype.kind == "f":
            raise EvaluationError(f"'{name}' holds binary floating-point numbers",
                                  hint="give exact values: integers or decimal.Decimal")
        items = arr.astype(object)
        if all(isinstance(x, (int, Decimal)) and not isinstance(x, bool) for x in items):
            return T.Type("number", dims=(ROW_AXIS,)), Val("number", items, (ROW_AXIS,))
        if all(isinstance(x, str) for x in items):
            return T.Type("string", dims=(ROW_AXIS,)), Val("string", items, (ROW_AXIS,))
        raise EvaluationError(f"'{name}' holds values of mixed or unsupported types")
    if isinstance(value, float):
        raise EvaluationError(f"'{name}' is a binary floating-point number",
                              hint="give exact values: integers or decimal.Decimal")
    val = scalar(value)
    if val.kind == "null":
        return T.NULL, val
    return T.Type(val.kind), val


class EnvScope(Scope):
    """Names from a plain dict; columns (Series/arrays) share one row axis."""

    def __init__(self, env: dict[str, Any] | None = None) -> None:
        self._types: dict[str, T.Type] = {}
        self._values: dict[str, Any] = {}
        for name, value in (env or {}).items():
            self._types[name], self._values[name] = _type_of_python(value, name)
        self.dim_order = (ROW_AXIS,)

    def type_of(self, name: str) -> T.Type | None:
        return self._types.get(name)

    def names(self) -> Iterable[str]:
        return self._types.keys()

    def value(self, name: str) -> Any:
        return self._values[name]
