"""Static checking: names, arity, types, units and grains, before any data is read.

Where FEEL would quietly return null for a type error (`"a" + 1`, `true and 123`), villkor
refuses the expression here with a located message: a policy that type-checks cannot
produce such a null at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..errors import GrainError, Location, TypeCheckError, UnitError, UnknownNameError, did_you_mean
from . import ast, types as T
from .builtins import REGISTRY, parse_date
from .scope import Scope, TableInfo
from .values import dim_order


@dataclass(frozen=True)
class Ctx:
    target: tuple[str, ...]  # the grain the expression is evaluated at (the rule's `per`)
    rows_ok: bool = False  # inside an aggregate's argument: table columns stay on their rows
    row_table: str | None = None  # inside table[cond]: that table's columns are names
    item: T.Type | None = None  # inside list[cond]: the type of `item`


@dataclass
class Checked:
    """The result of checking: the expression's type and every node's type (by node id)."""

    node: ast.Node
    type: T.Type
    types: dict[int, T.Type]
    lookups: set[int]  # Path nodes read as the one row of a unique table


class Checker:
    def __init__(self, scope: Scope, text: str = "") -> None:
        self.scope = scope
        self.lines = text.split("\n")
        self.types: dict[int, T.Type] = {}
        self.lookups: set[int] = set()

    # ------------------------------------------------------------ entry

    def check(self, node: ast.Node, target: tuple[str, ...] = ()) -> Checked:
        t = self.visit(node, Ctx(target=target))
        return Checked(node, t, self.types, self.lookups)

    def visit(self, node: ast.Node, ctx: Ctx) -> T.Type:
        method: Callable[[Any, Ctx], T.Type] = getattr(self, "_" + type(node).__name__)
        t = method(node, ctx)
        self.types[id(node)] = t
        return t

    def table_info(self, name: str | None) -> TableInfo:
        """The input table a table or row type refers to (the scope made that type, so knows it)."""
        info = self.scope.table(name) if name is not None else None
        if info is None:
            raise LookupError(f"the scope has no input table {name!r}")
        return info

    # ------------------------------------------------------------ errors

    def loc(self, node: ast.Node) -> Location:
        src = self.lines[node.line - 1] if 0 < node.line <= len(self.lines) else None
        return Location(line=node.line, column=node.column, source_line=src,
                        length=max(node.end_column - node.column, 1))

    def type_error(self, node: ast.Node, message: str, hint: str | None = None) -> TypeCheckError:
        return TypeCheckError(message, self.loc(node), hint)

    def grain_error(self, node: ast.Node, message: str, hint: str | None = None) -> GrainError:
        return GrainError(message, self.loc(node), hint)

    # ------------------------------------------------------------ literals and names

    def _Number(self, node: ast.Number, ctx: Ctx) -> T.Type:
        return T.number()

    def _String(self, node: ast.String, ctx: Ctx) -> T.Type:
        return T.STRING

    def _Bool(self, node: ast.Bool, ctx: Ctx) -> T.Type:
        return T.BOOL

    def _Null(self, node: ast.Null, ctx: Ctx) -> T.Type:
        raise self.type_error(node, "null can only be compared: x = null or x != null",
                              "villkor has no null values otherwise; see docs/language.md")

    def _Name(self, node: ast.Name, ctx: Ctx) -> T.Type:
        name = node.id
        if name == "item" and ctx.item is not None:
            return ctx.item
        if ctx.row_table:
            info = self.table_info(ctx.row_table)
            if name in info.columns:
                return info.columns[name]
        t = self.scope.type_of(name)
        if t is not None:
            return t
        if name in REGISTRY:
            raise self.type_error(node, f"'{name}' is a function", f"call it: {name}(...)")
        candidates = list(self.scope.names())
        if ctx.row_table:
            candidates += list(self.table_info(ctx.row_table).columns)
        if ctx.item is not None:
            candidates.append("item")
        raise UnknownNameError(f"unknown name '{name}'", self.loc(node),
                               did_you_mean(name, candidates) or
                               "names are rules, parameters, inputs and dimensions of the policy")

    def _ListExpr(self, node: ast.ListExpr, ctx: Ctx) -> T.Type:
        if not node.items:
            return T.list_of(T.ANY)
        elem = self.visit(node.items[0], ctx)
        for item in node.items[1:]:
            elem = self.join(item, elem, self.visit(item, ctx), "list items")
        return T.list_of(elem)

    def _RangeExpr(self, node: ast.RangeExpr, ctx: Ctx) -> T.Type:
        raise self.type_error(node, "a range can only follow 'in'", "write: x in [1..10]")

    # ------------------------------------------------------------ operators

    def _Unary(self, node: ast.Unary, ctx: Ctx) -> T.Type:
        t = self.visit(node.operand, ctx)
        if t.kind not in ("number", "duration"):
            raise self.type_error(node, f"cannot negate a {t.describe()}")
        return t

    def _Binary(self, node: ast.Binary, ctx: Ctx) -> T.Type:
        if node.op in ("=", "!=") and (isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null)):
            other = node.right if isinstance(node.left, ast.Null) else node.left
            t = self.visit(other, ctx)
            self.types[id(node.left if isinstance(node.left, ast.Null) else node.right)] = T.NULL
            return T.BOOL.with_(dims=t.dims, rows=t.rows)
        a = self.visit(node.left, ctx)
        b = self.visit(node.right, ctx)
        if node.op in ("and", "or"):
            for side, t in ((node.left, a), (node.right, b)):
                if t.kind != "bool":
                    raise self.type_error(side, f"'{node.op}' needs true/false, not a {t.describe()}")
            return self.combine(node, a, b, T.BOOL)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            return self.comparison(node, node.op, (node.left, a), (node.right, b))
        return self.arithmetic(node, a, b)

    def arithmetic(self, node: ast.Binary, a: T.Type, b: T.Type) -> T.Type:
        op = node.op
        ka, kb = a.kind, b.kind
        if ka == kb == "number":
            if op in "+-":
                unit = self.unify(node, a.unit, b.unit, f"'{op}'")
            elif op == "*":
                unit = None if a.unit is None and b.unit is None else (a.unit or T.Unit()) * (b.unit or T.Unit())
            elif op == "/":
                unit = None if a.unit is None and b.unit is None else \
                    (a.unit or T.Unit()) * (b.unit or T.Unit()).inverse()
            else:
                for side, t in ((node.left, a), (node.right, b)):
                    if t.unit is not None and t.unit.powers:
                        raise UnitError(f"'**' needs plain numbers, not a number in {t.unit}",
                                        self.loc(side))
                unit = None
            return self.combine(node, a, b, T.number(unit))
        if op == "+" and ka == kb == "string":
            return self.combine(node, a, b, T.STRING)
        temporal = {("date", "duration", "+"): "date", ("duration", "date", "+"): "date",
                    ("date", "duration", "-"): "date", ("date", "date", "-"): "duration",
                    ("duration", "duration", "+"): "duration", ("duration", "duration", "-"): "duration"}
        kind = temporal.get((ka, kb, op))
        if kind:
            return self.combine(node, a, b, T.Type(kind))
        raise self.type_error(node, f"cannot use '{op}' on a {a.describe()} and a {b.describe()}",
                              self.arith_hint(a, b))

    @staticmethod
    def arith_hint(a: T.Type, b: T.Type) -> str | None:
        kinds = {a.kind, b.kind}
        if "date" in kinds and "number" in kinds:
            return 'add a duration to a date: date("2026-03-16") + duration("P30D")'
        if "string" in kinds and "number" in kinds:
            return "numbers and text do not mix; compare or convert explicitly"
        if "table" in kinds:
            return "take a column and aggregate it: sum(procedures.count)"
        return None

    def comparison(self, node: ast.Node, op: str, left: tuple[ast.Node, T.Type],
                   right: tuple[ast.Node, T.Type]) -> T.Type:
        (ln, a), (rn, b) = left, right
        if a.kind != b.kind and "any" not in (a.kind, b.kind):
            hint = self.arith_hint(a, b)
            if {a.kind, b.kind} == {"date", "string"}:
                lit = ln if isinstance(ln, ast.String) else rn if isinstance(rn, ast.String) else None
                example = lit.value if lit is not None and parse_date(lit.value) else "2026-03-16"
                hint = f'write the date as date("{example}")'
            raise self.type_error(node, f"cannot compare a {a.describe()} with a {b.describe()}", hint)
        if op not in ("=", "!=") and a.kind not in ("number", "date", "duration", "string"):
            raise self.type_error(node, f"'{op}' does not order {a.kind} values")
        if a.kind == "number":
            self.unify(node, a.unit, b.unit, f"'{op}'")
        self.check_member_literal(ln, a, rn)
        self.check_member_literal(rn, b, ln)
        return self.combine(node, a, b, T.BOOL)

    def check_member_literal(self, typed_node: ast.Node, t: T.Type, literal_node: ast.Node) -> None:
        """"Stokholm" compared with a region is a typo, not a false condition."""
        if t.member is None or not isinstance(literal_node, (ast.String, ast.Number)):
            return
        members = self.scope.members(t.member)
        if members and literal_node.value not in members:
            raise UnknownNameError(f"{literal_node.value!r} is not a member of '{t.member}'",
                                   self.loc(literal_node),
                                   did_you_mean(str(literal_node.value), [str(m) for m in members])
                                   or f"members: {', '.join(map(str, members[:8]))}…")

    def _Between(self, node: ast.Between, ctx: Ctx) -> T.Type:
        v = self.visit(node.value, ctx)
        lo = self.visit(node.low, ctx)
        hi = self.visit(node.high, ctx)
        self.comparison(node, "<=", (node.low, lo), (node.value, v))
        self.comparison(node, "<=", (node.value, v), (node.high, hi))
        return self.combine(node, self.combine(node, v, lo, T.BOOL), hi, T.BOOL)

    def _In(self, node: ast.In, ctx: Ctx) -> T.Type:
        v = self.visit(node.value, ctx)
        target = node.target
        if isinstance(target, ast.RangeExpr):
            lo = self.visit(target.low, ctx)
            hi = self.visit(target.high, ctx)
            self.types[id(target)] = T.Type("range", elem=lo)
            self.comparison(node, "<=", (target.low, lo), (node.value, v))
            self.comparison(node, "<=", (node.value, v), (target.high, hi))
            return self.combine(node, self.combine(node, v, lo, T.BOOL), hi, T.BOOL)
        t = self.visit(target, ctx)
        if t.kind != "list":
            raise self.type_error(target, f"'in' needs a list or a range, not a {t.describe()}",
                                  "write: x in [1, 2, 3] or x in [1..10]")
        if t.element.kind != "any":
            self.comparison(node, "=", (node.value, v), (target, t.element))
        if isinstance(target, ast.ListExpr):
            for item in target.items:
                self.check_member_literal(node.value, v, item)
        return self.combine(node, v, t.element.with_(rows=None) if t.element.kind != "any" else v, T.BOOL)

    def _If(self, node: ast.If, ctx: Ctx) -> T.Type:
        c = self.visit(node.cond, ctx)
        if c.kind != "bool":
            raise self.type_error(node.cond, f"the condition of 'if' must be true/false, not a {c.describe()}")
        # One branch may be the literal null (FEEL): the value is then absent at those keys.
        if isinstance(node.then, ast.Null) and not isinstance(node.other, ast.Null):
            b = self.visit(node.other, ctx)
            a = self.types[id(node.then)] = b.with_(nullable=True)
        elif isinstance(node.other, ast.Null) and not isinstance(node.then, ast.Null):
            a = self.visit(node.then, ctx)
            b = self.types[id(node.other)] = a.with_(nullable=True)
        else:
            a = self.visit(node.then, ctx)
            b = self.visit(node.other, ctx)
        result = self.join(node, a, b, "'then' and 'else'")
        return self.combine(node, c, result, result)

    # ------------------------------------------------------------ tables and paths

    def _Filter(self, node: ast.Filter, ctx: Ctx) -> T.Type:
        src = self.visit(node.source, ctx)
        if src.kind == "table":
            cond = self.visit(node.cond, replace(ctx, row_table=src.table, rows_ok=True))
            if cond.kind != "bool":
                raise self.type_error(node.cond, f"a filter needs a condition, not a {cond.describe()}",
                                      "write: procedures[year = 2026]")
            self.rows_compatible(node.cond, cond, src.table)
            return src
        if src.kind == "list":
            cond = self.visit(node.cond, replace(ctx, item=src.elem))
            if cond.kind != "bool":
                raise self.type_error(node.cond, "a list filter needs a condition such as item > 1",
                                      "numeric indexes xs[1] are not supported")
            return src
        raise self.type_error(node, f"cannot filter a {src.describe()}",
                              "filters apply to input tables and lists")

    def rows_compatible(self, node: ast.Node, t: T.Type, table: str | None) -> None:
        info = self.table_info(table)
        if t.rows not in (None, table):
            raise self.grain_error(node, f"mixes rows of '{t.rows}' and '{table}'")
        missing = [d for d in t.dims if d not in info.by]
        if missing:
            raise self.grain_error(node, f"a value per {', '.join(missing)} cannot be matched to rows "
                                   f"of '{table}', which is not broken down by {', '.join(missing)}")

    def _Path(self, node: ast.Path, ctx: Ctx) -> T.Type:
        src = self.visit(node.source, ctx)
        if src.kind == "table":
            return self.table_column(node, ctx, src)
        if src.kind == "date" and node.name in ("year", "month", "day"):
            return T.number().with_(dims=src.dims, rows=src.rows, nullable=src.nullable)
        if src.kind == "duration" and node.name == "days":
            return T.number().with_(dims=src.dims, rows=src.rows, nullable=src.nullable)
        props = {"date": "year, month, day", "duration": "days"}.get(src.kind)
        raise self.type_error(node, f"a {src.describe()} has no property '{node.name}'",
                              f"properties: {props}" if props else None)

    def table_column(self, node: ast.Path, ctx: Ctx, src: T.Type) -> T.Type:
        info = self.table_info(src.table)
        col = info.columns.get(node.name)
        if col is None:
            raise UnknownNameError(f"input '{info.id}' has no column '{node.name}'", self.loc(node),
                                   did_you_mean(node.name, info.columns) or
                                   f"columns: {', '.join(info.columns)}")
        if ctx.rows_ok or ctx.row_table == info.id:
            return col
        if not info.unique:
            raise self.grain_error(node, f"input '{info.id}' has many rows per key; aggregate the column",
                                   f"e.g. sum({info.id}.{node.name}) or count({info.id})")
        if isinstance(node.source, ast.Filter):
            raise self.grain_error(node, "a filtered table cannot be read as one row per key",
                                   f"use if … then {info.id}.{node.name} else …")
        extra = [d for d in info.by if d not in ctx.target]
        if extra:
            raise self.grain_error(node, f"input '{info.id}' is per {', '.join(info.by)}, finer than "
                                   f"this rule (per {', '.join(ctx.target) or 'nothing'})",
                                   f"aggregate it: sum({info.id}.{node.name})")
        self.lookups.add(id(node))
        dims = dim_order(self.scope.dim_order, tuple(info.by))
        return col.with_(rows=None, dims=dims, nullable=col.nullable or node.name not in info.defaults)

    # ------------------------------------------------------------ calls

    def _Call(self, node: ast.Call, ctx: Ctx) -> T.Type:
        """A built-in's own rule (evaluator/lang/builtins.py), after its arguments and arity."""
        builtin = REGISTRY.get(node.func)
        if builtin is None:
            raise UnknownNameError(f"unknown function '{node.func}'", self.loc(node),
                                   did_you_mean(node.func, REGISTRY) or
                                   "villkor has no user-defined functions; see docs/language.md")
        if builtin.aggregate or builtin.check is None:
            return self.aggregate(node, ctx)
        args = [self.visit(a, ctx) for a in node.args]
        self.arity(node, args, *builtin.arity)
        return builtin.check(self, node, args)

    def arity(self, node: ast.Call, args: list[T.Type], low: int, high: int | None = None) -> None:
        high = low if high is None else high
        if not low <= len(args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise self.type_error(node, f"{node.func}() takes {want} argument{'s' if high != 1 else ''}, "
                                  f"got {len(args)}")

    def expect(self, node: ast.Call, index: int, t: T.Type, kinds: tuple[str, ...],
               what: str | None = None) -> None:
        if t.kind not in kinds:
            arg = node.args[index]
            raise self.type_error(arg, f"{node.func}() needs {what or ' or '.join(kinds)} as argument "
                                  f"{index + 1}, not a {t.describe()}")

    def whole(self, node: ast.Call, index: int, t: T.Type) -> None:
        """Scale/length arguments: plain whole numbers."""
        self.expect(node, index, t, ("number",))
        arg = node.args[index]
        if isinstance(arg, ast.Number) and not float(arg.value).is_integer():
            raise self.type_error(arg, f"{node.func}() needs a whole number here")

    def aggregate(self, node: ast.Call, ctx: Ctx) -> T.Type:
        name = node.func
        if not node.args:
            raise self.type_error(node, f"{name}() needs something to aggregate")
        if len(node.args) > 1:
            if name == "count":
                raise self.type_error(node, "count() takes one list, table or value",
                                      "count([a, b]) counts the items of a list")
            ts = [self.visit(a, ctx) for a in node.args]
            result = ts[0]
            for arg, t in zip(node.args[1:], ts[1:]):
                result = self.join(arg, result, t, f"the arguments of {name}()")
            self.numeric_aggregate(node, name, result)
            return result if name != "mean" else result.with_(nullable=result.nullable)
        arg = node.args[0]
        t = self.visit(arg, replace(ctx, rows_ok=True))
        if t.kind == "list":
            # count() is a number; so is any aggregate of the empty list [] (sum([]) = 0)
            elem = t.element if name != "count" and t.element.kind != "any" else T.number()
            if name != "count":
                self.numeric_aggregate(node, name, elem)
            return elem.with_(nullable=name in ("min", "max", "mean"))
        if t.kind == "table":
            if name != "count":
                raise self.type_error(arg, f"{name}() of a whole table: take a column",
                                      f"e.g. {name}({t.table}.count) or count({t.table})")
            return self.rows_to_target(node, ctx, t.table, T.number())
        if name != "count":
            self.numeric_aggregate(node, name, t)
        result = t.with_(unit=None, kind="number", member=None) if name == "count" else t
        if t.rows:
            return self.rows_to_target(node, ctx, t.rows, result, nullable=name in ("min", "max", "mean"))
        extra = [d for d in t.dims if d not in ctx.target]
        if not extra:
            raise self.grain_error(node, f"nothing to aggregate: the value is per "
                                   f"{', '.join(t.dims) or 'nothing (national)'} and so is this rule",
                                   "aggregate in a coarser rule (e.g. per: []) and refer to it")
        dims = tuple(d for d in t.dims if d in ctx.target)
        return result.with_(dims=dims, member=None)

    def numeric_aggregate(self, node: ast.Call, name: str, t: T.Type) -> None:
        allowed = ("number",) if name in ("sum", "mean") else ("number", "date", "duration", "string")
        if t.kind not in allowed:
            raise self.type_error(node, f"{name}() needs numbers, not a {t.describe()}")

    def rows_to_target(self, node: ast.Call, ctx: Ctx, table: str | None, t: T.Type,
                       nullable: bool = False) -> T.Type:
        info = self.table_info(table)
        missing = [d for d in ctx.target if d not in info.by]
        if missing:
            raise self.grain_error(node, f"input '{table}' is not broken down by {', '.join(missing)}, "
                                   f"so it cannot be aggregated per {', '.join(ctx.target)}",
                                   "declare the column carrying it in the input's 'by', or "
                                   "aggregate in a coarser rule")
        return t.with_(rows=None, dims=tuple(ctx.target), nullable=nullable, member=None)

    # ------------------------------------------------------------ combining

    def unify(self, node: ast.Node, a: T.Unit | None, b: T.Unit | None, what: str,
              plural: bool = False) -> T.Unit | None:
        if a is None:
            return b
        if b is None or a == b:
            return a
        raise UnitError(f"{what} {'mix' if plural else 'mixes'} units {a} and {b}", self.loc(node),
                        "values must be in the same unit; check the rule's operands")

    def join(self, node: ast.Node, a: T.Type, b: T.Type, what: str) -> T.Type:
        """The common type of two alternatives (if-branches, list items, min/max arguments)."""
        if a.kind == "any":
            return b
        if b.kind == "any":
            return a
        if a.kind != b.kind:
            raise self.type_error(node, f"{what} must have the same type: {a.describe()} vs {b.describe()}")
        unit = self.unify(node, a.unit, b.unit, what, plural=True) if a.kind == "number" else None
        both = self.combine(node, a, b, a)
        member = a.member if a.member == b.member else None
        return both.with_(unit=unit, member=member, nullable=a.nullable or b.nullable)

    def combine(self, node: ast.Node, a: T.Type, b: T.Type, result: T.Type) -> T.Type:
        """The grain of a value computed from two operands: the union of their dimensions,
        or the rows of one input table (the other operand then broadcasts to those rows)."""
        rows = a.rows or b.rows
        if a.rows and b.rows and a.rows != b.rows:
            raise self.grain_error(node, f"mixes rows of inputs '{a.rows}' and '{b.rows}'")
        nullable = a.nullable or b.nullable or result.nullable
        if rows:
            for t in (a, b):
                if not t.rows:
                    self.rows_compatible(node, t, rows)
            return result.with_(rows=rows, dims=(), nullable=nullable)
        dims = dim_order(self.scope.dim_order, a.dims, b.dims)
        return result.with_(dims=dims, rows=None, nullable=nullable)


def check(node: ast.Node, scope: Scope, target: tuple[str, ...] = (), text: str = "") -> Checked:
    """Check an expression at a grain; raises a located VillkorError on the first problem."""
    return Checker(scope, text).check(node, target)
