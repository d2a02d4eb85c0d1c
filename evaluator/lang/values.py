"""Run-time values: whole arrays with named axes, exact numbers and a null mask.

A `Val` is one array whose axes are named by dimensions (its grain). A national value has no
axes; a value per region has one axis of 21 members; a column of an input table has one axis
over the table's rows (named `#procedures`). Combining values of different grains is numpy
broadcasting over named axes, so a rule is evaluated as a handful of whole-array operations.

Numbers are int64 while every value is whole and no operation can overflow; otherwise arrays
of `decimal.Decimal` in the FEEL context (34 significant digits, half-even). Never float.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError, LimitError

if TYPE_CHECKING:
    import numpy as np
else:
    from .lazy_numpy import np  # numpy on first use: checking a policy computes no value

FEEL_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143,
                               traps=[decimal.InvalidOperation, decimal.Overflow,
                                      decimal.DivisionByZero])
INT_SAFE = 2 ** 62  # int64 results are computed only when bounded by this
MAX_MAGNITUDE = Decimal(10) ** 34  # exact integers only; larger results are refused


@dataclass
class Val:
    """kind: number | bool | string | date | duration.

    data: ndarray with one axis per name in `dims` (0-d for a single value). numbers: int64 or
    object (Decimal/int); bool: bool; string: object str; date: datetime64[D]; duration:
    timedelta64[D]. `categories`: when set, data holds int codes into it (dimension members,
    enumerated strings) so comparisons on millions of rows stay integer comparisons.
    `null`: bool mask of absent values, or None when none is absent. `mask`: for values on
    the rows of an input table, which rows a filter kept.
    """

    kind: str
    data: np.ndarray
    dims: tuple[str, ...] = ()
    null: np.ndarray | None = None
    categories: tuple[Any, ...] | None = None
    mask: np.ndarray | None = None
    table: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def with_(self, **changes: Any) -> Val:
        return replace(self, **changes)

    def decoded(self) -> np.ndarray:
        """The values themselves (members instead of codes)."""
        if self.categories is None:
            return self.data
        cats = np.empty(len(self.categories), dtype=object)
        cats[:] = list(self.categories)
        return np.asarray(cats[self.data])

    def has_nulls(self) -> bool:
        return self.null is not None and bool(self.null.any())


@dataclass
class ListVal:
    """A list value (list literal, range expanded, list parameter): items are scalar Vals."""

    items: list[Val]
    elem_kind: str | None = None


@dataclass
class TableView:
    """An input table, possibly filtered: `mask` marks the rows kept."""

    table: str
    mask: np.ndarray | None = None


@dataclass
class RangeVal:
    low: Val
    high: Val
    low_closed: bool
    high_closed: bool


# ---------------------------------------------------------------- construction


def scalar(value: Any) -> Val:
    """A single Python value as a 0-d Val."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return Val("bool", np.asarray(bool(value)))
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if abs(value) < INT_SAFE:
            return Val("number", np.asarray(value, dtype=np.int64))
        return Val("number", _obj(to_decimal(value)))
    if isinstance(value, Decimal):
        return Val("number", _obj(value))
    if isinstance(value, str):
        return Val("string", _obj(value))
    if isinstance(value, dt.datetime):
        raise EvaluationError("date-and-time values are not supported; use a date")
    if isinstance(value, dt.date):
        return Val("date", np.asarray(np.datetime64(value, "D")))
    if isinstance(value, dt.timedelta):
        return Val("duration", np.asarray(np.timedelta64(value.days, "D")))
    if value is None:
        return Val("null", np.asarray(False), null=np.asarray(True))
    raise EvaluationError(f"unsupported value {value!r}")


def _obj(value: Any) -> np.ndarray:
    arr = np.empty((), dtype=object)
    arr[()] = value
    return arr


def to_decimal(value: Any) -> Decimal:
    """An exact Decimal within FEEL's 34 digits; larger magnitudes are refused."""
    d = value if isinstance(value, Decimal) else Decimal(value)
    if d.is_finite() and abs(d) >= MAX_MAGNITUDE:
        raise LimitError(f"number {d:.3E} is too large: villkor computes exactly within 34 digits",
                         hint="check the units and scale of the values involved")
    return FEEL_CONTEXT.plus(d) if d.is_finite() else d


def to_python(val: Val) -> Any:
    """A 0-d Val back to a plain Python value (int, Decimal, bool, str, date, timedelta, None)."""
    if val.null is not None and bool(np.asarray(val.null).reshape(-1)[0]) and val.data.ndim == 0:
        return None
    return cell(val, ())


def cell(val: Val, index: tuple[int, ...]) -> Any:
    """The plain Python value at one position of an array (None where absent)."""
    if val.null is not None and bool(val.null[index]):
        return None
    raw = val.data[index]
    if val.categories is not None:
        return val.categories[int(raw)]
    return py_value(val.kind, raw)


def py_value(kind: str, raw: Any) -> Any:
    if kind == "number":
        if isinstance(raw, Decimal):
            return raw
        if isinstance(raw, (int, np.integer)):
            return int(raw)
        raise EvaluationError(f"not an exact number: {raw!r}")
    if kind == "bool":
        return bool(raw)
    if kind == "date":
        return np.datetime64(raw, "D").astype(object)
    if kind == "duration":
        return dt.timedelta(days=int(np.timedelta64(raw, "D").astype(np.int64)))
    if kind == "string":
        return str(raw)
    return raw


# ---------------------------------------------------------------- alignment


def dim_order(order: tuple[str, ...], *dim_lists: tuple[str, ...]) -> tuple[str, ...]:
    """The union of the given dims, in canonical order (unknown names after, first seen)."""
    seen: list[str] = []
    for dims in dim_lists:
        for d in dims:
            if d not in seen:
                seen.append(d)
    rank = {d: i for i, d in enumerate(order)}
    return tuple(sorted(seen, key=lambda d: (rank.get(d, len(rank)), seen.index(d))))


def expand(val: Val, dims: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray | None]:
    """Data and null mask of `val` with axes rearranged/inserted to match `dims` (size-1 axes)."""
    data = val.data
    null = val.null
    if val.dims == dims:
        return data, null
    own = [d for d in dims if d in val.dims]
    perm = [val.dims.index(d) for d in own]
    if perm != list(range(len(perm))):
        data = np.transpose(data, perm)
        null = np.transpose(null, perm) if null is not None else None
    shape = tuple(val.data.shape[val.dims.index(d)] if d in val.dims else 1 for d in dims)
    data = data.reshape(shape)
    null = null.reshape(shape) if null is not None else None
    return data, null


def or_null(*masks: np.ndarray | None) -> np.ndarray | None:
    present = [m for m in masks if m is not None]
    if not present:
        return None
    out = present[0]
    for m in present[1:]:
        out = out | m
    return out


# ---------------------------------------------------------------- exact numbers


def is_object(arr: np.ndarray) -> bool:
    return arr.dtype == object


def as_object(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == object:
        return arr
    out = np.empty(arr.shape, dtype=object)
    out[...] = arr.tolist() if arr.ndim else arr.item()
    return out


def as_decimal(arr: np.ndarray) -> np.ndarray:
    """Every element a Decimal (for division, rounding to a scale, powers)."""
    with decimal.localcontext(FEEL_CONTEXT):
        return np.asarray(_to_dec()(as_object(arr)), dtype=object)


@functools.cache
def _to_dec() -> np.ufunc:
    """to_decimal over a whole array (made on first use, as numpy is imported)."""
    ufunc: np.ufunc = np.frompyfunc(lambda x: to_decimal(x), 1, 1)
    return ufunc


def _magnitude(arr: np.ndarray) -> int:
    """The largest absolute value of an int64 array: its max and min, no temporary array."""
    if arr.size == 0:
        return 0
    if arr.ndim == 0:
        return abs(int(arr))
    return max(int(arr.max()), -int(arr.min()))


def narrow(arr: np.ndarray) -> np.ndarray:
    """Object arrays of whole numbers within int64 become int64 again (fast path)."""
    if arr.dtype != object or arr.size == 0:
        return arr
    flat = arr.reshape(-1)
    if all(isinstance(x, (int, np.integer)) or (isinstance(x, Decimal) and x == x.to_integral_value())
           for x in flat):
        ints = [int(x) for x in flat]
        if max(abs(i) for i in ints) < INT_SAFE:
            return np.asarray(ints, dtype=np.int64).reshape(arr.shape)
    return arr


def check_magnitude(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == object and arr.size:
        big = max((abs(x) for x in arr.reshape(-1) if x is not None), default=0)
        if big >= MAX_MAGNITUDE:
            raise LimitError(f"a result is too large ({Decimal(big):.3E}): villkor computes "
                             "exactly within 34 digits",
                             hint="check the units and scale of the values involved")
    return arr


def add(a: np.ndarray, b: np.ndarray, sign: int = 1, mags: tuple[int, int] | None = None) -> np.ndarray:
    """a + b (or a - b), int64 when provably within INT_SAFE. `mags`: upper bounds of |a| and
    |b| the caller already knows (saves scanning the arrays)."""
    if a.dtype == np.int64 and b.dtype == np.int64 and \
            sum(mags or (_magnitude(a), _magnitude(b))) < INT_SAFE:
        return np.asarray(a + b if sign > 0 else a - b)
    with decimal.localcontext(FEEL_CONTEXT):
        x, y = as_object(a), as_object(b)
        return check_magnitude(np.asarray(x + y if sign > 0 else x - y, dtype=object))


def mul(a: np.ndarray, b: np.ndarray, mags: tuple[int, int] | None = None) -> np.ndarray:
    if a.dtype == np.int64 and b.dtype == np.int64:
        ma, mb = mags or (_magnitude(a), _magnitude(b))
        if ma == 0 or mb == 0 or ma < INT_SAFE // max(mb, 1):
            return np.asarray(a * b)
    with decimal.localcontext(FEEL_CONTEXT):
        return check_magnitude(np.asarray(as_object(a) * as_object(b), dtype=object))


def div(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Exact quotient as Decimal; positions dividing by zero are null (reported by the caller)."""
    zero = np.asarray(b == 0) if b.dtype != object else np.asarray(
        np.frompyfunc(lambda v: v == 0, 1, 1)(b), dtype=bool)
    safe_b = np.where(zero, 1, b) if zero.any() else b
    with decimal.localcontext(FEEL_CONTEXT):
        q = np.asarray(as_decimal(a) / as_decimal(np.asarray(safe_b)), dtype=object)
    return check_magnitude(q), (zero if zero.any() else None)


def power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def one(x: Any, y_raw: Any) -> Decimal | None:
        with decimal.localcontext(FEEL_CONTEXT):
            y = to_decimal(y_raw)
            if abs(y) > 10_000:
                raise LimitError(f"exponent {y} is too large", hint="exponents are limited to ±10000")
            if to_decimal(x) == 0 and y < 0:
                return None  # a negative power of zero divides by zero: null, as x / 0 is
            try:
                r = to_decimal(x) ** y if y != y.to_integral_value() else to_decimal(x) ** int(y)
            except decimal.Overflow:
                raise LimitError(f"{x} ** {y} is too large to compute",
                                 hint="villkor computes exactly within 34 digits") from None
            except (decimal.DivisionByZero, decimal.InvalidOperation):
                return None
            return to_decimal(r)
    out = np.asarray(np.frompyfunc(one, 2, 1)(as_object(a), as_object(b)), dtype=object)
    return check_magnitude(out)


ROUNDING_MODES = {
    "half up": decimal.ROUND_HALF_UP,
    "half even": decimal.ROUND_HALF_EVEN,
    "half down": decimal.ROUND_HALF_DOWN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR,
    "ceiling": decimal.ROUND_CEILING,
}


def round_to(arr: np.ndarray, scale: int, mode: str) -> np.ndarray:
    """Round to `scale` decimals with a named mode; whole-number int64 input stays as it is."""
    if arr.dtype == np.int64 and scale >= 0:
        return arr
    rounding = ROUNDING_MODES[mode]
    exp = Decimal(1).scaleb(-scale)

    def one(x: Any) -> Decimal:
        with decimal.localcontext(FEEL_CONTEXT):
            d = to_decimal(x)
            exponent = d.as_tuple().exponent
            if scale != 0 and isinstance(exponent, int) and exponent >= -scale:
                return d  # no digit to drop; quantize would need more than 34 digits
            return d.quantize(exp, rounding=rounding) if scale != 0 else \
                d.to_integral_value(rounding=rounding)
    out = check_magnitude(np.asarray(np.frompyfunc(one, 1, 1)(as_object(arr)), dtype=object))
    return narrow(out) if scale <= 0 else out
