"""Evaluation of a checked expression as whole-array operations.

Every node is evaluated once for all keys of the rule's grain (or all rows of an input
table) at the same time: there is no Python loop over regions or rows. Null (an absent
value) follows FEEL inside an expression: comparisons and arithmetic with null give null,
`false and null` is false, `if null` takes the else branch.
"""

from __future__ import annotations

import decimal
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import EvaluationError, Location, VillkorError
from . import ast, values as V
from .builtins import REGISTRY
from .checker import Checked
from .scope import Scope
from .values import ListVal, TableView, Val

# aligned values: their grain, (data, null) of each, the rows kept by filters, the input table
Aligned = tuple[tuple[str, ...], list[tuple[np.ndarray, np.ndarray | None]], np.ndarray | None, str | None]
EXACT_FLOAT_SUM = 2 ** 53  # integer sums below this are exact in float64 accumulation


@dataclass(frozen=True)
class Ctx:
    row_table: str | None = None
    item: Val | None = None


class Interp:
    def __init__(self, scope: Scope, checked: Checked, target: tuple[str, ...] = (),
                 trace: dict[Any, Val] | None = None) -> None:
        self.scope = scope
        self.checked = checked
        self.target = target
        self.trace = trace  # node id -> Val (and ("rows", id) -> matched row counts)
        # id(int64 array) -> (weak reference, upper bound of |values|): bounds of arrays this run
        # has scanned or computed, so a result's overflow check needs no second scan
        self._bounds: dict[int, tuple[weakref.ref[np.ndarray], int]] = {}

    def magnitudes(self, x: np.ndarray, y: np.ndarray) -> tuple[int, int] | None:
        """Upper bounds of |x| and |y| for two int64 arrays (known, or scanned once)."""
        if x.dtype != np.int64 or y.dtype != np.int64:
            return None
        mx, my = self.magnitude(x), self.magnitude(y)
        return None if mx is None or my is None else (mx, my)

    def magnitude(self, arr: np.ndarray, scan: bool = True) -> int | None:
        if arr.size <= 64:  # constants (often broadcast to shape (1,)): scanning is free
            return V._magnitude(arr)
        known = self._bounds.get(id(arr))
        if known is not None and known[0]() is arr:
            return known[1]
        if not scan:
            return None
        bound = V._magnitude(arr)
        self.remember(arr, bound)
        return bound

    def remember(self, arr: np.ndarray, bound: int | None) -> np.ndarray:
        if bound is not None and arr.dtype == np.int64 and arr.ndim:
            self._bounds[id(arr)] = (weakref.ref(arr), bound)
        return arr

    def run(self) -> Val | ListVal:
        with decimal.localcontext(V.FEEL_CONTEXT):
            result: Val | ListVal = self.eval(self.checked.node, Ctx())
            return result

    def eval(self, node: ast.Node, ctx: Ctx) -> Any:
        """A Val, a ListVal (a list) or a TableView (a table, filtered) for `node`."""
        try:
            method: Callable[[Any, Ctx], Any] = getattr(self, "_" + type(node).__name__)
            value = method(node, ctx)
        except VillkorError as err:  # a run-time error raised without a place: point at this node
            if err.location.line is None:
                raise err.at(line=node.line, column=node.column,
                             length=max(node.end_column - node.column, 1)) from None
            raise
        if self.trace is not None and isinstance(value, Val) and value.table is None:
            self.trace[id(node)] = value
        return value

    def fail(self, node: ast.Node | None, message: str, hint: str | None = None) -> EvaluationError:
        """A run-time error at `node` (without a node: at the node being evaluated)."""
        if node is None:
            return EvaluationError(message, Location(), hint)
        return EvaluationError(message, Location(line=node.line, column=node.column,
                                                 length=max(node.end_column - node.column, 1)), hint)

    # ------------------------------------------------------------ literals and names

    def _Number(self, node: ast.Number, ctx: Ctx) -> Val:
        return V.scalar(node.value)

    def _String(self, node: ast.String, ctx: Ctx) -> Val:
        return V.scalar(node.value)

    def _Bool(self, node: ast.Bool, ctx: Ctx) -> Val:
        return V.scalar(node.value)

    def _Null(self, node: ast.Null, ctx: Ctx) -> Val:
        return V.scalar(None)

    def _Name(self, node: ast.Name, ctx: Ctx) -> Any:
        if node.id == "item" and ctx.item is not None:
            return ctx.item
        if ctx.row_table is not None:
            info = self.scope.table(ctx.row_table)
            if info is not None and node.id in info.columns:
                return self.scope.column(ctx.row_table, node.id)
        return self.scope.value(node.id)

    def _ListExpr(self, node: ast.ListExpr, ctx: Ctx) -> ListVal:
        items = [self.eval(i, ctx) for i in node.items]
        return ListVal(items, getattr(items[0], "kind", "list") if items else None)

    # ------------------------------------------------------------ alignment

    def align(self, *vals: Val) -> Aligned:
        """Bring values to one grain: the rows of a table, or the union of their dimensions."""
        table = next((v.table for v in vals if v.table is not None), None)
        if table is not None:
            axis = "#" + table
            vals = tuple(v if v.table is not None else self.to_rows(v, table) for v in vals)
            masks = [v.mask for v in vals if v.mask is not None]
            mask = None
            for m in masks:
                mask = m if mask is None else (mask & m)
            return (axis,), [(v.data, v.null) for v in vals], mask, table
        dims = V.dim_order(self.scope.dim_order, *[v.dims for v in vals])
        return dims, [V.expand(v, dims) for v in vals], None, None

    def to_rows(self, val: Val, table: str) -> Val:
        """A value per key broadcast to the rows of a table through its dimension codes."""
        if not val.dims:
            return val.with_(dims=("#" + table,), table=table,
                             data=val.data.reshape(1), null=None if val.null is None else val.null.reshape(1))
        index = tuple(self.scope.codes(table, d) for d in val.dims)
        data = val.data[index]
        null = val.null[index] if val.null is not None else None
        return val.with_(data=data, null=null, dims=("#" + table,), table=table)

    def make(self, kind: str, dims: tuple[str, ...], data: Any, null: np.ndarray | None,
             mask: np.ndarray | None, table: str | None, categories: tuple[Any, ...] | None = None) -> Val:
        data = np.asarray(data)
        if null is not None:
            null = np.broadcast_to(null, data.shape) if null.shape != data.shape else null
            if not null.any():
                null = None
        return Val(kind, data, dims, null, categories, mask, table)

    # ------------------------------------------------------------ operators

    def _Unary(self, node: ast.Unary, ctx: Ctx) -> Val:
        v = self.eval(node.operand, ctx)
        v = self.plain(v)
        if v.kind == "number":
            zero = np.zeros((), dtype=np.int64)
            mags = self.magnitudes(zero, v.data)
            data = V.add(zero, v.data, sign=-1, mags=mags)
            return v.with_(data=self.remember(data, mags and mags[1]))
        return v.with_(data=-v.data)

    def plain(self, v: Val) -> Val:
        """A categorical value as its members (for arithmetic and ordering)."""
        if v.categories is None:
            return v
        cats = list(v.categories)
        if all(isinstance(c, int) for c in cats):
            lookup = np.asarray(cats, dtype=np.int64)
        else:
            lookup = np.empty(len(cats), dtype=object)
            lookup[:] = cats
        return v.with_(data=lookup[v.data], categories=None)

    def _Binary(self, node: ast.Binary, ctx: Ctx) -> Val:
        if node.op in ("=", "!=") and (isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null)):
            other = self.eval(node.right if isinstance(node.left, ast.Null) else node.left, ctx)
            if not isinstance(other, Val):  # lists and tables are never absent
                return V.scalar(node.op == "!=")
            absent = other.null if other.null is not None else np.zeros(other.data.shape, dtype=bool)
            return other.with_(kind="bool", data=absent if node.op == "=" else ~absent,
                               null=None, categories=None)
        a = self.eval(node.left, ctx)
        b = self.eval(node.right, ctx)
        if isinstance(a, ListVal) or isinstance(b, ListVal):
            return self.compare_lists(node, a, b)
        if node.op == "and" or node.op == "or":
            return self.logic(node.op, a, b)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            return self.compare(node.op, a, b)
        return self.arith(node, node.op, a, b)

    def compare_lists(self, node: ast.Binary, a: ListVal, b: ListVal) -> Val:
        """[1, 2] = [1, 2]: same length and equal items in order (constant lists only)."""
        if node.op not in ("=", "!="):
            raise self.fail(node, "lists can only be compared with = or !=")
        same = len(a.items) == len(b.items)
        for x, y in zip(a.items, b.items):
            if not same:
                break
            eq = self.compare("=", x, y)
            if eq.data.ndim != 0:
                raise self.fail(node, "lists compared with = must hold single values")
            same = bool(eq.data) and eq.null is None
        return V.scalar(same if node.op == "=" else not same)

    def logic(self, op: str, a: Val, b: Val) -> Val:
        dims, [(x, xn), (y, yn)], mask, table = self.align(a, b)
        xv = x if xn is None else (x & ~xn)
        yv = y if yn is None else (y & ~yn)
        if op == "and":
            value = xv & yv
            decided = (~x if xn is None else (~x & ~xn)) | (~y if yn is None else (~y & ~yn))
        else:
            value = xv | yv
            decided = xv | yv
        null = V.or_null(xn, yn)
        if null is not None:
            null = null & ~decided
        return self.make("bool", dims, value, null, mask, table)

    def compare(self, op: str, a: Val, b: Val) -> Val:
        if op in ("=", "!=") and a.categories is not None and b.categories is not None \
                and a.categories == b.categories:
            pass
        elif op in ("=", "!=") and a.categories is not None and b.categories is None and b.data.ndim == 0:
            b = self.encode(b, a.categories)
        elif op in ("=", "!=") and b.categories is not None and a.categories is None and a.data.ndim == 0:
            a = self.encode(a, b.categories)
        else:
            a, b = self.plain(a), self.plain(b)
        dims, [(x, xn), (y, yn)], mask, table = self.align(a, b)
        fn = {"=": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
              ">": np.greater, ">=": np.greater_equal}[op]
        result = np.asarray(fn(x, y))
        if result.dtype == object:
            result = result.astype(bool)
        return self.make("bool", dims, result, V.or_null(xn, yn), mask, table)

    @staticmethod
    def encode(v: Val, categories: tuple[Any, ...]) -> Val:
        """A single member value as its code (-1: not a member, equal to nothing)."""
        raw = V.cell(v, ()) if v.null is None else None
        code = categories.index(raw) if raw in categories else -1
        return v.with_(data=np.asarray(code, dtype=np.int64), categories=categories)

    def arith(self, node: ast.Node | None, op: str, a: Val, b: Val) -> Val:
        a, b = self.plain(a), self.plain(b)
        dims, [(x, xn), (y, yn)], mask, table = self.align(a, b)
        null = V.or_null(xn, yn)
        kind = a.kind
        if a.kind == b.kind == "number":
            if op in "+-*":
                mags = self.magnitudes(x, y)
                if op == "*":
                    data = self.remember(V.mul(x, y, mags), mags and mags[0] * mags[1])
                else:
                    data = self.remember(V.add(x, y, 1 if op == "+" else -1, mags), mags and sum(mags))
            elif op == "/":
                data, zero = V.div(x, y)
                null = V.or_null(null, zero)
            else:
                data = V.narrow(V.power(x, y))
                absent = np.asarray(np.frompyfunc(lambda v: v is None, 1, 1)(data), dtype=bool)
                if absent.any():
                    data = np.where(absent, 0, data)
                    null = V.or_null(null, absent)
        elif a.kind == b.kind == "string":
            data = np.asarray(V.as_object(x) + V.as_object(y), dtype=object)
        else:
            data = x + y if op == "+" else x - y
            if a.kind == "duration" and b.kind == "date":
                kind = "date"
            elif a.kind == "date" and b.kind == "date":
                kind = "duration"
            self.check_dates(node, data, null)
        return self.make(kind, dims, data, null, mask, table)

    def check_dates(self, node: ast.Node | None, data: np.ndarray, null: np.ndarray | None) -> None:
        if data.dtype.kind == "M" and data.size:
            years = data.astype("datetime64[Y]").astype(np.int64) + 1970
            live = years if null is None else years[~np.broadcast_to(null, data.shape)]
            if live.size and (live.min() < 1 or live.max() > 9999):
                raise self.fail(node, "a date falls outside the years 1–9999")

    def _Between(self, node: ast.Between, ctx: Ctx) -> Val:
        v = self.eval(node.value, ctx)
        lo = self.compare("<=", self.eval(node.low, ctx), v)
        hi = self.compare("<=", v, self.eval(node.high, ctx))
        return self.logic("and", lo, hi)

    def _In(self, node: ast.In, ctx: Ctx) -> Val:
        v = self.eval(node.value, ctx)
        if isinstance(node.target, ast.RangeExpr):
            lo = self.eval(node.target.low, ctx)
            hi = self.eval(node.target.high, ctx)
            left = self.compare("<=" if node.target.low_closed else "<", lo, v)
            right = self.compare("<=" if node.target.high_closed else "<", v, hi)
            return self.logic("and", left, right)
        target = self.eval(node.target, ctx)
        items = target.items
        if isinstance(v, ListVal):
            eq = ast.Binary("=", node.value, node.target)
            return V.scalar(any(bool(self.compare_lists(eq, v, i).data) for i in items))
        if not items:
            return self.make("bool", v.dims, np.zeros(v.data.shape, dtype=bool), None, v.mask, v.table)
        if all(i.data.ndim == 0 and i.null is None for i in items):
            return self.in_constants(v, items)
        result = self.compare("=", v, items[0])
        for item in items[1:]:
            result = self.logic("or", result, self.compare("=", v, item))
        return result

    def in_constants(self, v: Val, items: list[Val]) -> Val:
        """x in [constants]: one np.isin over the whole column (codes for members)."""
        if v.categories is not None:
            raw = [V.cell(i, ()) for i in items]
            table = np.zeros(len(v.categories), dtype=bool)  # code -> wanted?
            table[[v.categories.index(r) for r in raw if r in v.categories]] = True
            data = table[v.data]
        else:
            v = self.plain(v)
            # Python ints, not numpy scalars: Decimal == np.int64 raises TypeError
            raw = [int(r) if isinstance(r, np.generic) and r.dtype.kind in "iu" else r
                   for r in (i.data[()] for i in items)]
            if v.data.dtype == object or any(isinstance(r, Decimal) for r in raw):
                wanted = list(raw)  # never cast to the column's dtype: 1 in [1.5] is false
                data = np.asarray(np.frompyfunc(lambda x: any(x == w for w in wanted), 1, 1)(
                    V.as_object(v.data)), dtype=bool)
            elif v.data.dtype.kind in "iu":  # a lookup table over the values' range: one pass
                data = np.isin(v.data, np.asarray(raw, dtype=v.data.dtype), kind="table")
            else:
                data = np.isin(v.data, np.asarray(raw, dtype=v.data.dtype))
        return self.make("bool", v.dims, np.asarray(data), v.null, v.mask, v.table)

    def _If(self, node: ast.If, ctx: Ctx) -> Any:
        c = self.eval(node.cond, ctx)
        a = self.eval(node.then, ctx)
        b = self.eval(node.other, ctx)
        if isinstance(a, ListVal) or isinstance(b, ListVal):
            if c.data.ndim:
                raise self.fail(node, "an 'if' choosing between lists must have one condition")
            return a if bool(c.data) and c.null is None else b
        if not (a.categories is not None and a.categories == b.categories):
            a, b = self.plain(a), self.plain(b)
        dims, [(cv, cn), (x, xn), (y, yn)], mask, table = self.align(c, a, b)
        take = cv if cn is None else (cv & ~cn)
        if x.dtype != y.dtype and x.dtype.kind in "iuO" and y.dtype.kind in "iuO":
            x, y = V.as_object(x), V.as_object(y)
        data = np.where(take, x, y)
        null = None
        if xn is not None or yn is not None:
            xn_ = np.zeros(x.shape, dtype=bool) if xn is None else xn
            yn_ = np.zeros(y.shape, dtype=bool) if yn is None else yn
            null = np.where(take, xn_, yn_)
        kind = a.kind if a.kind != "null" else b.kind
        return self.make(kind, dims, data, null, mask, table, a.categories)

    # ------------------------------------------------------------ tables and paths

    def _Filter(self, node: ast.Filter, ctx: Ctx) -> TableView | ListVal:
        src = self.eval(node.source, ctx)
        if isinstance(src, TableView):
            cond = self.eval(node.cond, Ctx(row_table=src.table, item=ctx.item))
            keep = cond.data if cond.null is None else (cond.data & ~cond.null)
            if keep.ndim == 0 or keep.shape[0] != self.scope.nrows(src.table):
                keep = np.broadcast_to(keep.reshape(-1)[:1] if keep.ndim else keep, (self.scope.nrows(src.table),))
            if cond.mask is not None:
                keep = keep & cond.mask
            mask = keep if src.mask is None else (src.mask & keep)
            return TableView(src.table, mask)
        kept = []
        for item in src.items:
            cond = self.eval(node.cond, Ctx(row_table=ctx.row_table, item=item))
            if cond.data.ndim != 0:
                raise self.fail(node, "a list filter must decide each item with one true/false")
            if bool(cond.data) and cond.null is None:
                kept.append(item)
        return ListVal(kept, src.elem_kind)

    def _Path(self, node: ast.Path, ctx: Ctx) -> Val:
        if id(node) in self.checked.lookups:
            table = self.checked.types[id(node.source)].table
            dims = self.checked.types[id(node)].dims
            if table is None:
                raise LookupError("a lookup of something that is not a table")
            return self.scope.lookup(table, node.name, dims)
        src = self.eval(node.source, ctx)
        if isinstance(src, TableView):
            col = self.scope.column(src.table, node.name)
            if src.mask is not None:
                col = col.with_(mask=src.mask if col.mask is None else (col.mask & src.mask))
            return col
        if src.kind == "date":
            return self.date_part(src, node.name)
        days = src.data.astype("timedelta64[D]").astype(np.int64)
        result: Val = src.with_(kind="number", data=days, categories=None)
        return result

    def date_part(self, src: Val, part: str) -> Val:
        d = src.data.astype("datetime64[D]")
        if part == "year":
            data = d.astype("datetime64[Y]").astype(np.int64) + 1970
        elif part == "month":
            data = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        else:
            data = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
        return src.with_(kind="number", data=np.asarray(data, dtype=np.int64), categories=None)

    # ------------------------------------------------------------ calls

    def _Call(self, node: ast.Call, ctx: Ctx) -> Val:
        """A built-in's kernel (evaluator/lang/builtins.py) over its arguments' whole arrays."""
        builtin = REGISTRY[node.func]
        if builtin.aggregate or builtin.kernel is None:
            return self.aggregate(node, ctx)
        return builtin.kernel(self, node, [self.eval(a, ctx) for a in node.args])

    def aggregate(self, node: ast.Call, ctx: Ctx) -> Val:
        name = node.func
        if len(node.args) > 1:
            return self.elementwise(name, [self.eval(a, ctx) for a in node.args])
        value = self.eval(node.args[0], ctx)
        if isinstance(value, ListVal):
            return self.aggregate_list(node, name, value)
        if isinstance(value, TableView):
            ones = Val("number", np.ones(self.scope.nrows(value.table), dtype=np.int64),
                       ("#" + value.table,), mask=value.mask, table=value.table)
            return self.group_rows(node, "count", ones)
        if value.table is not None:
            return self.group_rows(node, name, value)
        return self.reduce_axes(name, value)

    def elementwise(self, name: str, vals: list[Val]) -> Val:
        out = vals[0]
        for v in vals[1:]:
            if name in ("sum", "mean"):
                out = self.arith(None, "+", out, v)
            else:
                out = self.extreme(name, out, v)
        if name == "mean":
            n = V.scalar(len(vals))
            data, _ = V.div(out.data, n.data)
            out = out.with_(data=data)
        return out

    def extreme(self, name: str, a: Val, b: Val) -> Val:
        """min/max of two values: np.minimum/np.maximum where both have one numpy dtype
        (several times faster than a comparison and np.where), else compare and choose."""
        a, b = self.plain(a), self.plain(b)
        if a.data.dtype == b.data.dtype and a.data.dtype.kind in "iuMm":
            dims, [(x, xn), (y, yn)], mask, table = self.align(a, b)
            data = np.minimum(x, y) if name == "min" else np.maximum(x, y)
            if data.dtype == np.int64:  # the larger of two known bounds, without scanning
                mx, my = self.magnitude(x, scan=False), self.magnitude(y, scan=False)
                self.remember(data, None if mx is None or my is None else max(mx, my))
            return self.make(a.kind, dims, data, V.or_null(xn, yn), mask, table)
        cmp = self.compare("<=" if name == "min" else ">=", a, b)
        return self.choose(cmp, a, b)

    def choose(self, cond: Val, a: Val, b: Val) -> Val:
        a, b = self.plain(a), self.plain(b)
        dims, [(c, cn), (x, xn), (y, yn)], mask, table = self.align(cond, a, b)
        if x.dtype != y.dtype:
            x, y = V.as_object(x), V.as_object(y)
        data = np.where(c, x, y)
        return self.make(a.kind, dims, data, V.or_null(cn, xn, yn), mask, table)

    def aggregate_list(self, node: ast.Call, name: str, lst: ListVal) -> Val:
        if name == "count":
            return V.scalar(len(lst.items))
        if not lst.items:
            if name == "sum":
                return V.scalar(0)
            return V.scalar(None).with_(kind="number")
        return self.elementwise(name, lst.items)

    def reduce_axes(self, name: str, v: Val) -> Val:
        v = self.plain(v)
        keep = tuple(d for d in v.dims if d in self.target)
        axes = tuple(i for i, d in enumerate(v.dims) if d not in self.target)
        null = np.asarray(v.null.any(axis=axes)) if v.null is not None else None
        n = int(np.prod([v.data.shape[i] for i in axes])) if axes else 1
        if name == "count":
            present = (~v.null).sum(axis=axes) if v.null is not None else np.full(
                tuple(s for i, s in enumerate(v.data.shape) if i not in axes), n, dtype=np.int64)
            return Val("number", np.asarray(present, dtype=np.int64), keep)
        data = v.data
        if name in ("sum", "mean"):
            if data.dtype == np.int64 and V._magnitude(data) * max(n, 1) < V.INT_SAFE:
                total = data.sum(axis=axes)
            else:
                total = V.as_object(data).sum(axis=axes)
            if name == "mean":
                if n == 0:
                    return self.make("number", keep, np.zeros(total.shape, dtype=np.int64),
                                     np.ones(total.shape, dtype=bool), None, None)
                total, _ = V.div(np.asarray(total), np.asarray(n, dtype=np.int64))
            return self.make(v.kind, keep, np.asarray(total), null, None, None)
        if n == 0:
            shape = tuple(s for i, s in enumerate(v.data.shape) if i not in axes)
            return self.make(v.kind, keep, np.zeros(shape, dtype=data.dtype), np.ones(shape, dtype=bool), None, None)
        reduced = data.min(axis=axes) if name == "min" else data.max(axis=axes)
        return self.make(v.kind, keep, np.asarray(reduced), null, None, None)

    def group_rows(self, node: ast.Call, name: str, v: Val) -> Val:
        """Aggregate values on the rows of a table to the rule's grain, by dimension codes."""
        table = v.table
        if table is None:
            raise LookupError("rows to group that belong to no table")
        v = self.plain(v)
        sizes = [len(self.scope.members(d)) for d in self.target]
        total = int(np.prod(sizes)) if sizes else 1
        n = self.scope.nrows(table)
        key = self.scope.group_key(table, self.target)
        data = v.data if v.data.shape == (n,) else np.broadcast_to(v.data, (n,))
        keep = v.mask
        if v.null is not None:
            keep = ~v.null if keep is None else (keep & ~v.null)
        if name == "sum" and self.trace is None and data.dtype == np.int64:
            # The hot path: rows a filter dropped go to a spare bucket instead of being copied out.
            spare = key if keep is None else np.where(keep, key, total)
            return Val(v.kind, self.sum_by_key(spare, data, total + 1)[:total].reshape(sizes), self.target)
        records = self.scope.records(table)  # a cube's cell stands for many rows
        if keep is not None:
            key, data = key[keep], data[keep]
            records = records[keep] if records is not None else None
        counts = np.bincount(key, minlength=total) if records is None else self.sum_by_key(key, records, total)
        if self.trace is not None:
            self.trace[("rows", id(node))] = Val("number", counts.reshape(sizes), self.target)
        if name == "count":
            return Val("number", counts.reshape(sizes), self.target)
        empty = counts == 0
        if name in ("sum", "mean"):
            sums = self.sum_by_key(key, data, total)
            if name == "sum":
                return Val(v.kind, sums.reshape(sizes), self.target)
            q, _ = V.div(sums, np.where(empty, 1, counts))
            return self.make("number", self.target, q.reshape(sizes), empty.reshape(sizes), None, None)
        import pandas as pd  # grouping by key for min and max: rarely needed, costly to import

        series = pd.Series(data).groupby(key)
        reduced = series.min() if name == "min" else series.max()
        out = np.zeros(total, dtype=data.dtype) if data.dtype != object else np.full(total, 0, dtype=object)
        out[reduced.index.to_numpy()] = reduced.to_numpy()
        return self.make(v.kind, self.target, out.reshape(sizes), empty.reshape(sizes), None, None,
                         v.categories)

    @staticmethod
    def sum_by_key(key: np.ndarray, data: np.ndarray, total: int) -> np.ndarray:
        """Exact sums per key: float64 accumulation only where it is provably exact."""
        if data.dtype == np.int64:
            if data.size == 0:
                return np.zeros(total, dtype=np.int64)
            if V._magnitude(data) * data.size < EXACT_FLOAT_SUM:
                return np.rint(np.bincount(key, weights=data, minlength=total)).astype(np.int64)
            if V._magnitude(data) * data.size < V.INT_SAFE:
                out = np.zeros(total, dtype=np.int64)
                np.add.at(out, key, data)
                return out
        import pandas as pd  # exact sums of decimals and of very large numbers

        out = np.empty(total, dtype=object)
        out[:] = 0
        sums = pd.Series(V.as_object(data), dtype=object).groupby(key).sum()
        out[sums.index.to_numpy()] = sums.to_numpy()
        return V.check_magnitude(out)
