"""Expressions as text: a syntax tree printed as one line in the language's own syntax.

Kept apart from the explanation tree so the printer can live beside the parser."""

from __future__ import annotations

from ..lang import ast

_PREC_BINARY = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
                "+": 4, "-": 4, "*": 5, "/": 5, "**": 6}


def expr_text(node: ast.Node) -> str:
    """The expression of a syntax tree as one line of text, in the language's own syntax."""
    return _text(node)[0]


def _prec(node: ast.Node) -> int:
    if isinstance(node, ast.If):
        return 0
    if isinstance(node, ast.Binary):
        return _PREC_BINARY[node.op]
    if isinstance(node, (ast.Between, ast.In)):
        return 3
    if isinstance(node, ast.Unary):
        return 7
    if isinstance(node, (ast.Filter, ast.Path, ast.Call)):
        return 8
    return 9


def _wrap(node: ast.Node, minimum: int) -> str:
    text = expr_text(node)
    return f"({text})" if _prec(node) < minimum else text


def _text(node: ast.Node) -> tuple[str, int]:
    n = node
    if isinstance(n, ast.Number):
        return n.text, 9
    if isinstance(n, ast.String):
        return '"' + n.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"', 9
    if isinstance(n, ast.Bool):
        return ("true" if n.value else "false"), 9
    if isinstance(n, ast.Null):
        return "null", 9
    if isinstance(n, ast.Name):
        return n.id, 9
    if isinstance(n, ast.ListExpr):
        return "[" + ", ".join(expr_text(i) for i in n.items) + "]", 9
    if isinstance(n, ast.RangeExpr):
        return (("[" if n.low_closed else "(") + _wrap(n.low, 4) + ".." + _wrap(n.high, 4)
                + ("]" if n.high_closed else ")")), 9
    if isinstance(n, ast.Unary):
        return "-" + _wrap(n.operand, 7), 7
    if isinstance(n, ast.Binary):
        p = _PREC_BINARY[n.op]
        if p == 3:
            return f"{_wrap(n.left, 4)} {n.op} {_wrap(n.right, 4)}", p
        if n.op == "**":
            return f"{_wrap(n.left, 6)} ** {_wrap(n.right, 7)}", p
        return f"{_wrap(n.left, p)} {n.op} {_wrap(n.right, p + 1)}", p
    if isinstance(n, ast.Between):
        return f"{_wrap(n.value, 4)} between {_wrap(n.low, 4)} and {_wrap(n.high, 4)}", 3
    if isinstance(n, ast.In):
        return f"{_wrap(n.value, 4)} in {_wrap(n.target, 4)}", 3
    if isinstance(n, ast.If):
        return f"if {expr_text(n.cond)} then {expr_text(n.then)} else {expr_text(n.other)}", 0
    if isinstance(n, ast.Filter):
        return f"{_wrap(n.source, 8)}[{expr_text(n.cond)}]", 8
    if isinstance(n, ast.Path):
        return f"{_wrap(n.source, 8)}.{n.name}", 8
    if isinstance(n, ast.Call):
        return f"{n.func}(" + ", ".join(expr_text(a) for a in n.args) + ")", 8
    return type(n).__name__, 9
