"""The built-in functions of the expression language, each declared once.

One `Builtin` entry per function holds everything the rest of villkor needs to know about it:
its FEEL name, how many arguments it takes, its type-and-unit rule (run by the checker, before
any data is read), its kernel (run by the interpreter over whole numpy arrays, exact as int64,
Decimal or Fraction where numbers are concerned), and what `explain` and `lint` know about it.
The checker, the interpreter, explain and lint all read `REGISTRY`; nothing else lists the
built-ins. A new function is one `register(Builtin(...))` call in this file (a multi-word FEEL
name such as `string length` also needs its spelling in the grammar's `FUNC_NAME` terminal,
which a test keeps equal to this registry), plus its row in docs/language.md (also tested).

The aggregates (`sum`, `min`, `max`, `mean`, `count`) are entries too, marked `aggregate`:
their argument may be finer than the rule (table rows, a finer grain, a list), so the checker
and the interpreter reduce it with their grain machinery (`Checker.aggregate`,
`Interp.aggregate`) rather than with a per-value kernel.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ..errors import LimitError, Location, did_you_mean
from . import ast, types as T, values as V
from .values import ROUNDING_MODES, Val

if TYPE_CHECKING:
    from .checker import Checker
    from .interp import Interp

CheckRule = Callable[["Checker", ast.Call, list[T.Type]], T.Type]
Kernel = Callable[["Interp", ast.Call, list[Val]], Val]
# lint VK107: can this call be zero? "yes" | "no" | "maybe", given the call and a function that
# tells the constant value of an argument (a literal, or a national parameter) or None
ZeroRule = Callable[[ast.Call, Callable[[ast.Node], object]], str]


@dataclass(frozen=True)
class Builtin:
    """One built-in function.

    `arity` is (fewest, most) arguments, checked before `check` runs; `check` gets the types of
    the arguments and returns the type of the result (kind, unit, grain, nullability); `kernel`
    gets their values and computes the result for every key at once. `decides` is for explain:
    the argument equal to the result decided it, and the others were `decides` (Swedish
    comparative: "lägre" for min). `zero` is lint's rule for whether the result can be zero.
    """

    name: str
    arity: tuple[int, int]
    check: CheckRule | None = None
    kernel: Kernel | None = None
    aggregate: bool = False
    decides: str | None = None
    zero: ZeroRule | None = None

    def __post_init__(self) -> None:
        if not self.aggregate and (self.check is None or self.kernel is None):
            raise ValueError(f"built-in '{self.name}' needs a type rule and a kernel")


REGISTRY: dict[str, Builtin] = {}


def register(builtin: Builtin) -> Builtin:
    """Add a built-in; its name is then known to the checker, the interpreter and lint."""
    REGISTRY[builtin.name] = builtin
    return builtin


def lookup(name: str) -> Builtin | None:
    return REGISTRY.get(name)


def names() -> list[str]:
    return list(REGISTRY)


# ---------------------------------------------------------------- literal text of dates

DURATION_RE = re.compile(r"^(-)?P(\d+)D$")


def parse_duration(text: str) -> dt.timedelta | None:
    m = DURATION_RE.match(text)
    if not m:
        return None
    days = int(m.group(2))
    if days > 3_650_000:
        return None
    return dt.timedelta(days=-days if m.group(1) else days)


def parse_date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- aggregates


def _max_zero(node: ast.Call, constant: Callable[[ast.Node], object]) -> str:
    """max(positive literal, …) is never zero."""
    if any(isinstance(a, ast.Number) and a.value > 0 for a in node.args):
        return "no"
    return "maybe"


def _count_zero(node: ast.Call, constant: Callable[[ast.Node], object]) -> str:
    """count of a constant list is zero exactly when the list is empty."""
    if len(node.args) == 1:
        value = constant(node.args[0])
        if isinstance(value, (list, tuple)):
            return "no" if value else "yes"
    return "maybe"


AGGREGATE_ARITY = (1, 1 << 16)  # the reduction checks its own argument count

register(Builtin("sum", AGGREGATE_ARITY, aggregate=True))
register(Builtin("min", AGGREGATE_ARITY, aggregate=True, decides="lägre"))
register(Builtin("max", AGGREGATE_ARITY, aggregate=True, decides="högre", zero=_max_zero))
register(Builtin("mean", AGGREGATE_ARITY, aggregate=True))
register(Builtin("count", AGGREGATE_ARITY, aggregate=True, zero=_count_zero))


def aggregates() -> tuple[str, ...]:
    return tuple(b.name for b in REGISTRY.values() if b.aggregate)


# ---------------------------------------------------------------- rounding


def _whole_scale(ip: Interp, node: ast.Call, v: Val) -> int:
    """The number of decimals: one whole value, within ±1000."""
    if v.data.ndim != 0:
        raise ip.fail(node, "the number of decimals must be one value, not one per key")
    x = V.py_value("number", v.data[()])
    if x != int(x):
        raise ip.fail(node, f"the number of decimals must be whole, not {x}")
    if abs(int(x)) > 1000:
        raise LimitError(f"{int(x)} decimals is too many", Location(line=node.line, column=node.column))
    return int(x)


def _check_floor(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("number",))
    if len(args) == 2:
        c.whole(node, 1, args[1])
        return c.combine(node, args[0], args[1], args[0])
    return args[0]


def _rounding_kernel(mode: str) -> Kernel:
    """floor(x[, n]), ceiling(x[, n]), decimal(x, n) and FEEL's `round … (x, n)`."""
    def kernel(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
        v = ip.plain(args[0])
        scale = _whole_scale(ip, node, args[1]) if len(args) > 1 else 0
        return v.with_(data=V.round_to(v.data, scale, mode))
    return kernel


def _check_rounder(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("number",))
    c.whole(node, 1, args[1])
    return c.combine(node, args[0], args[1], args[0])


def _check_round(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("number",))
    c.whole(node, 1, args[1])
    c.expect(node, 2, args[2], ("string",), "a rounding mode")
    mode = node.args[2]
    hint = "modes: " + ", ".join(f'"{m}"' for m in ROUNDING_MODES)
    if isinstance(mode, ast.String) and mode.value not in ROUNDING_MODES:
        raise c.type_error(mode, f"unknown rounding mode {mode.value!r}",
                           did_you_mean(mode.value, ROUNDING_MODES) or hint)
    value = c.scope.constant(mode.id) if isinstance(mode, ast.Name) else None
    if isinstance(mode, ast.Name) and isinstance(value, str) and value not in ROUNDING_MODES:
        raise c.type_error(mode, f"parameter '{mode.id}' is {value!r}, not a rounding mode",
                           did_you_mean(value, ROUNDING_MODES) or hint)
    return c.combine(node, c.combine(node, args[0], args[1], args[0]), args[2], args[0])


def _round(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    mode_val = args[2]
    if mode_val.data.ndim != 0:
        raise ip.fail(node, "the rounding mode must be one value, not one per key")
    mode = str(mode_val.data[()])
    if mode not in ROUNDING_MODES:
        raise ip.fail(node.args[2], f"unknown rounding mode {mode!r}",
                      "modes: " + ", ".join(f'"{m}"' for m in ROUNDING_MODES))
    return _rounding_kernel(mode)(ip, node, args[:2])


register(Builtin("floor", (1, 2), _check_floor, _rounding_kernel("floor")))
register(Builtin("ceiling", (1, 2), _check_floor, _rounding_kernel("ceiling")))
register(Builtin("round", (3, 3), _check_round, _round))
register(Builtin("decimal", (2, 2), _check_rounder, _rounding_kernel("half even")))
for _feel, _mode in (("round up", "up"), ("round down", "down"), ("round half up", "half up"),
                     ("round half down", "half down"), ("round half even", "half even")):
    register(Builtin(_feel, (2, 2), _check_rounder, _rounding_kernel(_mode)))


# ---------------------------------------------------------------- other numeric functions


def _check_abs(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("number", "duration"))
    return args[0]


def _abs(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    v = ip.plain(args[0])
    if v.kind == "duration" or v.data.dtype != object:
        return v.with_(data=np.asarray(np.abs(v.data)))
    return v.with_(data=np.asarray(np.frompyfunc(abs, 1, 1)(v.data), dtype=object))


def _check_modulo(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("number",))
    c.expect(node, 1, args[1], ("number",))
    return c.combine(node, args[0], args[1], args[0].with_(nullable=True))


def _modulo(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    """FEEL: a - b * floor(a / b), the sign following b; by zero: null."""
    a, b = ip.plain(args[0]), ip.plain(args[1])
    dims, [(x, xn), (y, yn)], mask, table = ip.align(a, b)
    zero = np.asarray(y == 0) if y.dtype != object else \
        np.asarray(np.frompyfunc(lambda t: t == 0, 1, 1)(y), dtype=bool)
    safe = np.where(zero, 1, y)
    if x.dtype == np.int64 and y.dtype == np.int64:
        data = np.mod(x, safe)
    else:
        def one(p: object, q: object) -> decimal.Decimal:
            dp, dq = V.to_decimal(p), V.to_decimal(q)
            return dp - dq * (dp / dq).to_integral_value(rounding=decimal.ROUND_FLOOR)
        data = np.asarray(np.frompyfunc(one, 2, 1)(V.as_object(x), V.as_object(safe)), dtype=object)
    return ip.make("number", dims, data, V.or_null(xn, yn, zero if zero.any() else None), mask, table)


def _check_allocate(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    amount, weights = args
    c.expect(node, 0, amount, ("number",))
    c.expect(node, 1, weights, ("number",))
    if amount.rows or weights.rows:
        raise c.grain_error(node, "allocate() works on rule and parameter values, not table rows")
    if not set(amount.dims) < set(weights.dims):
        raise c.grain_error(node, "allocate() distributes an amount over the members of the "
                            f"weights' dimensions: the weights (per {', '.join(weights.dims) or 'nothing'}) "
                            f"must be finer than the amount (per {', '.join(amount.dims) or 'nothing'})",
                            "e.g. allocate(total, allocation_key) with allocation_key by region")
    return weights.with_(unit=amount.unit, member=None)


def _allocate(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    """Largest-remainder allocation of whole units, exactly summing to the amount.

    Over the dimensions the weights have and the amount has not: each member gets
    floor(amount × w / Σw); the units left over go one each to the largest remainders; ties
    go to the larger weight, then to the member declared first. All-zero weights allocate
    nothing (the amount stays unallocated).
    """
    amount, weights = ip.plain(args[0]), ip.plain(args[1])
    dims = weights.dims
    a, _ = V.expand(amount, dims)
    w = weights.data
    if weights.has_nulls() or amount.has_nulls():
        raise ip.fail(node, "allocate() needs every weight and the amount to be present")
    spread_axes = tuple(i for i, d in enumerate(dims) if d not in amount.dims)
    # Exact integer arithmetic: scale decimal weights to whole numbers by a common power of 10.
    wf = np.frompyfunc(Fraction, 1, 1)(V.as_object(w))
    af = np.frompyfunc(Fraction, 1, 1)(V.as_object(np.broadcast_to(a, w.shape)))
    if any(x < 0 for x in wf.reshape(-1)):
        raise ip.fail(node, "allocate() needs weights that are zero or more")
    if any(x.denominator != 1 or x < 0 for x in af.reshape(-1)):
        raise ip.fail(node, "allocate() distributes whole units: the amount must be a whole number, "
                      "zero or more", "round the amount first, e.g. floor(x)")
    last = tuple(range(-len(spread_axes), 0))
    moved = np.moveaxis(wf, spread_axes, last)
    moved_a = np.moveaxis(af, spread_axes, last)
    groups = moved.reshape(-1, int(np.prod([w.shape[i] for i in spread_axes])))
    amounts = moved_a.reshape(groups.shape)[:, 0]
    result = np.empty(groups.shape, dtype=object)
    for g in range(groups.shape[0]):  # one group per key of the amount (one for a national total)
        result[g] = largest_remainder(int(amounts[g]), list(groups[g]))
    out = np.moveaxis(result.reshape(moved.shape), last, spread_axes)
    return Val("number", V.narrow(np.asarray(out, dtype=object)), dims)


def largest_remainder(amount: int, weights: list[Fraction]) -> list[int]:
    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    quotas = [amount * w / total for w in weights]
    base = [q.numerator // q.denominator for q in quotas]
    left = amount - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - base[i]), -weights[i], i))
    for i in order[:left]:
        base[i] += 1
    return base


register(Builtin("abs", (1, 1), _check_abs, _abs))
register(Builtin("modulo", (2, 2), _check_modulo, _modulo))
register(Builtin("allocate", (2, 2), _check_allocate, _allocate))


# ---------------------------------------------------------------- dates and durations


@dataclass(frozen=True)
class _TextForm:
    """A value written as text that must parse: date("2026-03-16"), duration("P30D")."""

    result: T.Type
    parse: Callable[[str], object]  # None: the text is not of the form
    example: str  # what the argument should be
    what: str  # what a text that does not parse is not
    hint: str


_DATE_TEXT = _TextForm(T.DATE, parse_date, 'text like "2026-03-16"', "a date",
                       'write an existing date as "YYYY-MM-DD", e.g. date("2026-03-16")')
_DURATION_TEXT = _TextForm(T.DURATION, parse_duration, 'text like "P30D"', "a duration villkor supports",
                           'durations are whole days: duration("P30D"), duration("-P1D")')


def _check_text(c: Checker, node: ast.Call, arg: T.Type, form: _TextForm) -> T.Type:
    """The argument is text; a literal that does not parse is refused here, before any data is
    read (a column's bad cells are absent values at run time)."""
    c.expect(node, 0, arg, ("string",), form.example)
    lit = node.args[0]
    if isinstance(lit, ast.String) and form.parse(lit.value) is None:
        raise c.type_error(lit, f"{lit.value!r} is not {form.what}", form.hint)
    return form.result.with_(dims=arg.dims, rows=arg.rows)


def _check_date(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    if len(args) == 3:
        for i in range(3):
            c.whole(node, i, args[i])
        return c.combine(node, c.combine(node, args[0], args[1], T.DATE), args[2], T.DATE)
    if args[0].kind == "date":
        return args[0]
    return _check_text(c, node, args[0], _DATE_TEXT)


def _date(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    if len(args) == 3:
        return _date_of_parts(ip, args)
    v = args[0]
    if v.kind == "date":
        return v

    def parse(s: object) -> np.datetime64:
        d = parse_date(str(s))
        return np.datetime64(d, "D") if d else np.datetime64("NaT")
    data = np.asarray(np.frompyfunc(parse, 1, 1)(V.as_object(v.data))).astype("datetime64[D]")
    bad = np.isnat(data)
    return v.with_(kind="date", data=np.where(bad, np.datetime64("1970-01-01"), data),
                   null=V.or_null(v.null, bad if bad.any() else None), categories=None)


def _date_of_parts(ip: Interp, args: list[Val]) -> Val:
    """date(y, m, d); an impossible date (2026-02-30) is null."""
    dims, parts, mask, table = ip.align(*[ip.plain(a) for a in args])
    (y, yn), (m, mn), (d, dn) = parts
    y, m, d = np.broadcast_arrays(y, m, d)

    def one(yy: object, mm: object, dd: object) -> np.datetime64:
        try:
            return np.datetime64(dt.date(int(str(yy)), int(str(mm)), int(str(dd))), "D")
        except (ValueError, OverflowError):
            return np.datetime64("NaT")
    data = np.asarray(np.frompyfunc(one, 3, 1)(y, m, d)).astype("datetime64[D]")
    bad = np.isnat(data)
    return ip.make("date", dims, np.where(bad, np.datetime64("1970-01-01"), data),
                   V.or_null(yn, mn, dn, bad if bad.any() else None), mask, table)


def _check_duration(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    return _check_text(c, node, args[0], _DURATION_TEXT)


def _duration(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    v = args[0]

    def parse(s: object) -> np.timedelta64:
        d = parse_duration(str(s))
        return np.timedelta64(d.days, "D") if d is not None else np.timedelta64("NaT")
    data = np.asarray(np.frompyfunc(parse, 1, 1)(V.as_object(v.data))).astype("timedelta64[D]")
    bad = np.isnat(data)
    return v.with_(kind="duration", data=np.where(bad, np.timedelta64(0, "D"), data),
                   null=V.or_null(v.null, bad if bad.any() else None), categories=None)


def _check_date_part(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("date",))
    return T.number().with_(dims=args[0].dims, rows=args[0].rows)


def _date_part(part: str) -> Kernel:
    def kernel(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
        return ip.date_part(args[0], part)
    return kernel


register(Builtin("date", (1, 3), _check_date, _date))
register(Builtin("duration", (1, 1), _check_duration, _duration))
for _part in ("year", "month", "day"):
    register(Builtin(_part, (1, 1), _check_date_part, _date_part(_part)))


# ---------------------------------------------------------------- strings and logic


def _check_not(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
    c.expect(node, 0, args[0], ("bool",), "true/false")
    return args[0]


def _not(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    return args[0].with_(data=~args[0].data)


def _check_string(kinds: tuple[str, ...], result: str) -> CheckRule:
    """A string function: argument i of kind kinds[i]; the result at the arguments' grain."""
    def check(c: Checker, node: ast.Call, args: list[T.Type]) -> T.Type:
        out = T.Type(result)
        for i, t in enumerate(args):
            c.expect(node, i, t, (kinds[i],))
            out = c.combine(node, out, t, out)
        return out
    return check


def _per_string(fn: Callable[[str], object], kind: str) -> Kernel:
    """A function of one string, applied to every value."""
    def kernel(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
        v = ip.plain(args[0])
        data = np.asarray(np.frompyfunc(fn, 1, 1)(v.data))
        return v.with_(kind=kind, data=data.astype(np.int64) if kind == "number" else
                       np.asarray(data, dtype=object))
    return kernel


def _substring(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
    """FEEL substring: 1-based start (negative counts from the end), in code points."""
    dims, parts, mask, table = ip.align(*[ip.plain(a) for a in args])

    def one(s: str, start: object, length: object = None) -> str:
        chars = list(s)
        first = int(start)  # type: ignore[call-overload]
        i = max(first - 1 if first > 0 else len(chars) + first, 0)
        end = len(chars) if length is None else i + int(length)  # type: ignore[call-overload]
        return "".join(chars[i:end])
    data = np.frompyfunc(one, len(parts), 1)(*[p[0] for p in parts])
    return ip.make("string", dims, np.asarray(data, dtype=object),
                   V.or_null(*[p[1] for p in parts]), mask, table)


def _string_test(fn: Callable[[str, str], bool]) -> Kernel:
    def kernel(ip: Interp, node: ast.Call, args: list[Val]) -> Val:
        a, b = ip.plain(args[0]), ip.plain(args[1])
        dims, [(x, xn), (y, yn)], mask, table = ip.align(a, b)
        data = np.asarray(np.frompyfunc(fn, 2, 1)(x, y)).astype(bool)
        return ip.make("bool", dims, data, V.or_null(xn, yn), mask, table)
    return kernel


register(Builtin("string length", (1, 1), _check_string(("string",), "number"), _per_string(len, "number")))
register(Builtin("upper case", (1, 1), _check_string(("string",), "string"),
                 _per_string(str.upper, "string")))
register(Builtin("lower case", (1, 1), _check_string(("string",), "string"),
                 _per_string(str.lower, "string")))
register(Builtin("substring", (2, 3), _check_string(("string", "number", "number"), "string"), _substring))
register(Builtin("contains", (2, 2), _check_string(("string", "string"), "bool"),
                 _string_test(lambda s, t: t in s)))
register(Builtin("starts with", (2, 2), _check_string(("string", "string"), "bool"),
                 _string_test(str.startswith)))
register(Builtin("ends with", (2, 2), _check_string(("string", "string"), "bool"),
                 _string_test(str.endswith)))
register(Builtin("not", (1, 1), _check_not, _not))
