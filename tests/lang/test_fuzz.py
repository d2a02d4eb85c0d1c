"""Property tests: any text, and any tree the grammar can express, parses, checks and
evaluates without crashing. Only `VillkorError` subclasses may escape, in bounded time.

Four generators: raw text (`st.text`), sequences of the language's own tokens (text that is
close to valid), random syntax trees rendered back to text (must parse back to the same tree),
and well-typed random trees (must check, and evaluate to a value or a located VillkorError;
the same tree evaluated on columns must give, row by row, what it gives on single values).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from evaluator.errors import VillkorError
from evaluator.lang import ast, evaluate, parse

# VILLKOR_FUZZ_EXAMPLES=20000 for a longer hunt; the default keeps this file at a few seconds.
EXAMPLES = int(os.environ.get("VILLKOR_FUZZ_EXAMPLES", "400"))
FUZZ = settings(deadline=2000, max_examples=EXAMPLES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

ENV = {"n": 7, "m": -3, "d": Decimal("2.5"), "s": "Gotland", "b": True,
       "dt": dt.date(2026, 3, 16), "du": dt.timedelta(days=30), "xs": [1, 2, 3]}


def safely(fn, *args):
    """Run fn; return ('ok', value) or ('error', err). Anything but a VillkorError fails the test."""
    try:
        return "ok", fn(*args)
    except VillkorError as err:
        str(err)  # rendering must never fail either
        assert err.message
        return "error", err


# ---------------------------------------------------------------- raw and token text

TOKENS = ["1", "0", "2.5", ".5", "10", "34", "-", "+", "*", "/", "**", "=", "!=", "<", "<=", ">", ">=",
          "(", ")", "[", "]", ",", ".", "..", "and", "or", "not", "if", "then", "else", "between",
          "in", "true", "false", "null", "item", "n", "d", "s", "b", "dt", "du", "xs", "year",
          "month", "day", "days", '"a"', '"P1D"', '"2026-02-30"', '"2026-03-16"', '"half up"',
          "date", "duration", "min", "max", "sum", "mean", "count", "abs", "floor", "ceiling",
          "round", "decimal", "modulo", "allocate", "round up", "round half even", "string length",
          "substring", "upper case", "contains", "starts with", "@", "'", "{", "}", "\n", "#", "\\"]


@FUZZ
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(text):
    safely(parse, text)
    safely(evaluate, text, ENV)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30), st.sampled_from([" ", ""]))
def test_token_soup_fails_cleanly(tokens, sep):
    text = sep.join(tokens)
    safely(evaluate, text, ENV)


@settings(deadline=2000, max_examples=30)
@given(st.integers(1, 400), st.sampled_from(["(", "[", "-", "not(", "abs(", "if true then "]))
def test_deep_nesting_is_bounded(depth, opener):
    closer = {"(": ")", "[": "]", "-": "", "not(": ")", "abs(": ")", "if true then ": " else 1"}[opener]
    text = opener * depth + "1" + closer * depth
    safely(evaluate, text, ENV)


# ---------------------------------------------------------------- a printer for trees


def render(node: ast.Node) -> str:
    """Fully parenthesised text of a tree (parses back to the same tree)."""
    r = render
    if isinstance(node, ast.Number):
        return node.text
    if isinstance(node, ast.String):
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
            .replace("\t", "\\t") + '"'
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.Null):
        return "null"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.ListExpr):
        return "[" + ", ".join(r(i) for i in node.items) + "]"
    if isinstance(node, ast.RangeExpr):
        return ("[" if node.low_closed else "(") + f"({r(node.low)})..({r(node.high)})" + \
            ("]" if node.high_closed else ")")
    if isinstance(node, ast.Unary):
        return f"-({r(node.operand)})"
    if isinstance(node, ast.Binary):
        return f"({r(node.left)}) {node.op} ({r(node.right)})"
    if isinstance(node, ast.Between):
        return f"({r(node.value)}) between ({r(node.low)}) and ({r(node.high)})"
    if isinstance(node, ast.In):
        target = r(node.target) if isinstance(node.target, ast.RangeExpr) else f"({r(node.target)})"
        return f"({r(node.value)}) in {target}"
    if isinstance(node, ast.If):
        return f"if ({r(node.cond)}) then ({r(node.then)}) else ({r(node.other)})"
    if isinstance(node, ast.Filter):
        return f"({r(node.source)})[{r(node.cond)}]"
    if isinstance(node, ast.Path):
        return f"({r(node.source)}).{node.name}"
    if isinstance(node, ast.Call):
        return f"{node.func}(" + ", ".join(r(a) for a in node.args) + ")"
    raise AssertionError(node)


# ---------------------------------------------------------------- untyped random trees

FUNCS = ["min", "max", "sum", "mean", "count", "abs", "floor", "ceiling", "round", "decimal",
         "modulo", "allocate", "date", "duration", "not", "round up", "round down",
         "round half up", "round half down", "round half even", "string length", "upper case",
         "lower case", "substring", "contains", "starts with", "ends with", "nosuch"]
NAMES = ["n", "m", "d", "s", "b", "dt", "du", "xs", "item", "nosuch", "year"]


def numbers():
    ints = st.integers(0, 10 ** 40).map(lambda i: ast.Number(i, str(i)))
    decs = st.decimals(min_value=0, max_value=10 ** 6, places=3, allow_nan=False, allow_infinity=False) \
        .map(lambda x: ast.Number(Decimal(str(x)), str(x)))
    return ints | decs


leaves = st.one_of(
    numbers(),
    st.text(max_size=8).map(ast.String),
    st.booleans().map(ast.Bool),
    st.just(ast.Null()),
    st.sampled_from(NAMES).map(ast.Name),
)


def compound(children):
    ops = ["+", "-", "*", "/", "**", "=", "!=", "<", "<=", ">", ">=", "and", "or"]
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: ast.ListExpr(tuple(xs))),
        children.map(lambda x: ast.Unary("-", x)),
        st.builds(ast.Binary, st.sampled_from(ops), children, children),
        st.builds(ast.Between, children, children, children),
        st.builds(ast.In, children, st.one_of(
            children, st.builds(ast.RangeExpr, children, children, st.booleans(), st.booleans()))),
        st.builds(ast.If, children, children, children),
        st.builds(ast.Filter, children, children),
        st.builds(ast.Path, children, st.sampled_from(["year", "month", "day", "days", "count", "x"])),
        st.builds(ast.Call, st.sampled_from(FUNCS), st.lists(children, max_size=4).map(tuple)),
    )


trees = st.recursive(leaves, compound, max_leaves=25)


@FUZZ
@given(trees)
def test_random_trees_round_trip_and_fail_cleanly(tree):
    text = render(tree)
    status, parsed = safely(parse, text)
    if len(text) <= 4000:
        assert status == "ok", f"{text!r}: {parsed}"
        assert parsed == tree, text
    safely(evaluate, text, ENV)


# ---------------------------------------------------------------- well-typed random trees


def num_lit():
    return numbers().filter(lambda n: n.value < 10 ** 12)


@functools.cache
def typed(kind: str, depth: int, item: bool = False):
    """Expressions of one kind: number, bool, string, date, duration, list."""
    def t(k):
        return st.deferred(lambda: typed(k, depth - 1, item))
    leaf = {
        "number": st.one_of(num_lit(), st.sampled_from(["n", "m", "d"] + (["item"] if item else []))
                            .map(ast.Name)),
        "bool": st.one_of(st.booleans().map(ast.Bool), st.just(ast.Name("b"))),
        "string": st.one_of(st.text(max_size=6).map(ast.String), st.just(ast.Name("s"))),
        "date": st.one_of(st.just(ast.Name("dt")),
                          st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
                          .map(lambda x: ast.Call("date", (ast.String(x.isoformat()),)))),
        "duration": st.one_of(st.just(ast.Name("du")), st.integers(-4000, 4000).map(
            lambda i: ast.Call("duration", (ast.String(("-" if i < 0 else "") + f"P{abs(i)}D"),)))),
        "list": st.one_of(st.just(ast.Name("xs")),
                          st.lists(num_lit(), max_size=4).map(lambda xs: ast.ListExpr(tuple(xs)))),
    }[kind]
    if depth <= 0:
        return leaf
    N, B, S, D, U, L = (t("number"), t("bool"), t("string"), t("date"), t("duration"), t("list"))
    rounding = st.sampled_from(["up", "down", "half up", "half down", "half even", "floor", "ceiling"])
    small = (st.integers(-3, 6) | st.sampled_from([-40, 33, 34, 40, 1000, 1001])).map(
        lambda i: ast.Number(i, str(i)) if i >= 0 else ast.Unary("-", ast.Number(-i, str(-i))))
    ifs = st.builds(ast.If, B, t(kind), t(kind))
    if kind == "number":
        comp = st.one_of(
            st.builds(ast.Binary, st.sampled_from(["+", "-", "*", "/"]), N, N),
            st.builds(ast.Binary, st.just("**"), N, small),
            N.map(lambda x: ast.Unary("-", x)),
            st.builds(lambda f, x: ast.Call(f, (x,)), st.sampled_from(["abs", "floor", "ceiling"]), N),
            st.builds(lambda f, x, k: ast.Call(f, (x, k)), st.sampled_from(
                ["decimal", "round up", "round down", "round half up", "round half down", "round half even",
                 "floor", "ceiling"]), N, small),
            st.builds(lambda x, k, r: ast.Call("round", (x, k, ast.String(r))), N, small, rounding),
            st.builds(lambda x, y: ast.Call("modulo", (x, y)), N, N),
            st.builds(lambda f, xs: ast.Call(f, tuple(xs)), st.sampled_from(["min", "max", "sum", "mean"]),
                      st.lists(N, min_size=1, max_size=3)),
            st.builds(lambda f, x: ast.Call(f, (x,)), st.sampled_from(["min", "max", "sum", "mean", "count"]), L),
            S.map(lambda x: ast.Call("string length", (x,))),
            st.builds(ast.Path, D, st.sampled_from(["year", "month", "day"])),
            U.map(lambda x: ast.Path(x, "days")),
            ifs)
    elif kind == "bool":
        comp = st.one_of(
            st.builds(ast.Binary, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), N, N),
            st.builds(ast.Binary, st.sampled_from(["=", "<"]), D, D),
            st.builds(ast.Binary, st.sampled_from(["=", ">="]), S, S),
            st.builds(ast.Binary, st.sampled_from(["and", "or"]), B, B),
            B.map(lambda x: ast.Call("not", (x,))),
            st.builds(ast.Between, N, N, N),
            st.builds(ast.In, N, L),
            st.builds(ast.In, D, st.lists(D, max_size=3).map(lambda xs: ast.ListExpr(tuple(xs)))),
            st.builds(ast.In, U, st.lists(U, max_size=3).map(lambda xs: ast.ListExpr(tuple(xs)))),
            st.builds(ast.In, S, st.lists(S, max_size=3).map(lambda xs: ast.ListExpr(tuple(xs)))),
            st.builds(ast.In, B, st.lists(B, max_size=3).map(lambda xs: ast.ListExpr(tuple(xs)))),
            st.builds(ast.In, N, st.builds(ast.RangeExpr, N, N, st.booleans(), st.booleans())),
            st.builds(ast.In, D, st.builds(ast.RangeExpr, D, D, st.booleans(), st.booleans())),
            st.builds(lambda f, x, y: ast.Call(f, (x, y)), st.sampled_from(
                ["contains", "starts with", "ends with"]), S, S),
            st.builds(lambda op, x: ast.Binary(op, x, ast.Null()), st.sampled_from(["=", "!="]), N),
            ifs)
    elif kind == "string":
        comp = st.one_of(
            st.builds(ast.Binary, st.just("+"), S, S),
            st.builds(lambda f, x: ast.Call(f, (x,)), st.sampled_from(["upper case", "lower case"]), S),
            st.builds(lambda x, a: ast.Call("substring", (x, a)), S, small),
            st.builds(lambda x, a, b: ast.Call("substring", (x, a, b)), S, small, small),
            ifs)
    elif kind == "date":
        comp = st.one_of(
            st.builds(ast.Binary, st.sampled_from(["+", "-"]), D, U),
            st.builds(lambda y, m, d_: ast.Call("date", (y, m, d_)), N, N, N),
            ifs)
    elif kind == "duration":
        comp = st.one_of(
            st.builds(ast.Binary, st.just("-"), D, D),
            st.builds(ast.Binary, st.sampled_from(["+", "-"]), U, U),
            U.map(lambda x: ast.Unary("-", x)),
            U.map(lambda x: ast.Call("abs", (x,))),
            ifs)
    else:
        comp = st.one_of(
            st.lists(N, min_size=1, max_size=3).map(lambda xs: ast.ListExpr(tuple(xs))),
            st.builds(ast.Filter, L, typed("bool", depth - 1, True)),
            ifs)
    return st.one_of(leaf, comp)


KINDS = ["number", "bool", "string", "date", "duration", "list"]
typed_trees = st.one_of([typed(k, 3) for k in KINDS])

ROWS = 3
COLUMNS = {"n": pd.Series([7] * ROWS, dtype="int64"), "m": pd.Series([-3] * ROWS, dtype="int64"),
           "d": pd.Series([Decimal("2.5")] * ROWS, dtype=object),
           "s": pd.Series(["Gotland"] * ROWS, dtype=object), "b": pd.Series([True] * ROWS),
           "dt": pd.Series(np.array(["2026-03-16"] * ROWS, dtype="datetime64[D]")),
           "du": ENV["du"], "xs": ENV["xs"]}


def same(a, b) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)) and not isinstance(a, bool):
        return Decimal(a) == Decimal(b)
    if isinstance(b, np.datetime64):
        b = b.astype("datetime64[D]").astype(object)
    if isinstance(b, np.timedelta64):
        b = dt.timedelta(days=int(b.astype("timedelta64[D]").astype(np.int64)))
    if isinstance(b, pd.Timestamp):
        b = b.date()
    if isinstance(b, pd.Timedelta):
        b = b.to_pytimedelta()
    if isinstance(b, np.generic):
        b = b.item()
    return type(a) is type(b) and a == b or (isinstance(a, bool) and a == b)


@FUZZ
@given(typed_trees)
def test_well_typed_trees_evaluate_or_fail_cleanly(tree):
    text = render(tree)
    status, value = safely(evaluate, text, ENV)
    if status == "error":
        # a well-typed tree is refused only at run time, for a reason that has a place
        assert value.location.line is not None, f"{text!r}: {value!r}"
        return
    status_c, column = safely(evaluate, text, COLUMNS)
    if status_c == "ok" and isinstance(column, pd.Series):
        assert len(column) == ROWS
        for got in column:
            assert same(value, got), f"{text!r}: {value!r} on one value, {got!r} on a column"
