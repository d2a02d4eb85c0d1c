"""Text -> syntax tree, with located syntax errors and bounded size and depth."""

from __future__ import annotations

import functools
import importlib.resources
import re
from decimal import Decimal

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import ExprSyntaxError, LimitError, Location
from . import ast

MAX_LENGTH = 4000
MAX_DEPTH = 60

_TOKEN_WORDS = {
    "RPAR": "')'", "LPAR": "'('", "RSQB": "']'", "LSQB": "'['", "COMMA": "','", "DOT": "'.'",
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "COMPARE": "a comparison",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'", "POW": "'**'", "MINUS": "'-'",
    "THEN": "'then'", "ELSE": "'else'", "AND": "'and'", "OR": "'or'", "IF": "'if'",
    "__ANON_0": "'..'", "FUNC_NAME": "a function name", "IN": "'in'", "BETWEEN": "'between'",
    "TRUE": "'true'", "FALSE": "'false'", "NULL": "'null'", "$END": "the end",
}


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    return importlib.resources.files("evaluator.grammar").joinpath("villkor.lark").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True,
                cache=True)  # the parse table is cached in the temp folder, keyed by the grammar's hash


def parse(text: str) -> ast.Node:
    """Parse one expression. Raises ExprSyntaxError or LimitError with line and column."""
    if not isinstance(text, str):
        raise ExprSyntaxError("an expression must be text")
    if len(text) > MAX_LENGTH:
        raise LimitError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
                         Location(line=1, column=1),
                         hint="split it into several rules that refer to each other")
    if not text.strip():
        raise ExprSyntaxError("empty expression", Location(line=1, column=1, source_line=text),
                              hint="write an expression, e.g. min(compensation, cap)")
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    except RecursionError:
        raise LimitError(f"expression is nested too deeply (limit {MAX_DEPTH})",
                         Location(line=1, column=1)) from None
    _check_depth(tree, text)
    return _Builder(text).build(tree)


def _syntax_error(text: str, exc: UnexpectedInput) -> ExprSyntaxError:
    lines = text.split("\n")
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if isinstance(exc, UnexpectedEOF) or at_end or line < 1:  # point just past the last character
        line = len(lines)
        column = len(lines[-1]) + 1
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        message = f"unexpected character {char!r}"
        hint = _char_hint(char)
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        message = f"unexpected {exc.token.value!r}"
        hint = _expected_hint(exc.expected)
    else:
        message = "the expression ends too early"
        hint = _expected_hint(getattr(exc, "expected", set()))
    return ExprSyntaxError(message, Location(line=line, column=column, source_line=src), hint)


def _char_hint(char: str) -> str | None:
    if char == "'":
        return 'strings are written in double quotes: "public"'
    if char == "@":
        return 'write dates as date("2026-03-16")'
    if char in "{}":
        return "contexts { } are not part of the villkor language"
    if char == ",":
        return "decimal numbers use a point: 0.5, not 0,5"
    return None


def _expected_hint(expected) -> str | None:
    words = sorted({_TOKEN_WORDS.get(t, t.lower()) for t in expected or ()})
    if not words:
        return None
    if len(words) > 6:
        words = words[:6] + ["…"]
    return "expected " + ", ".join(words)


def _check_depth(tree: Tree, text: str) -> None:
    """Refuse trees deeper than MAX_DEPTH without recursing (bounded work for hostile input)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            line = getattr(node.meta, "line", 1) if isinstance(node, Tree) else 1
            col = getattr(node.meta, "column", 1) if isinstance(node, Tree) else 1
            raise LimitError(f"expression is nested too deeply (limit {MAX_DEPTH} levels)",
                             Location(line=line, column=col, source_line=text.split("\n")[line - 1]),
                             hint="split it into several rules that refer to each other")
        if isinstance(node, Tree):
            stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))


def _unescape(token: str) -> str:
    body = token[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _number(text: str) -> int | Decimal:
    return int(text) if re.fullmatch(r"\d+", text) else Decimal(text)


class _Builder:
    """Lark tree -> ast nodes. Positions are 1-based line/column of the expression text."""

    def __init__(self, text: str):
        self.text = text

    def build(self, t) -> ast.Node:
        return getattr(self, "_" + t.data)(t, self._pos(t))

    def _pos(self, t) -> dict:
        meta = t.meta
        if getattr(meta, "empty", True):
            return {}
        end = meta.end_column if meta.end_line == meta.line else meta.column + 1
        return {"line": meta.line, "column": meta.column, "end_column": max(end, meta.column + 1)}

    def _kids(self, t):
        return [self.build(c) for c in t.children if isinstance(c, Tree)]

    def _number(self, t, pos):
        text = str(t.children[0])
        return ast.Number(_number(text), text, **pos)

    def _string(self, t, pos):
        return ast.String(_unescape(str(t.children[0])), **pos)

    def _true(self, t, pos):
        return ast.Bool(True, **pos)

    def _false(self, t, pos):
        return ast.Bool(False, **pos)

    def _null(self, t, pos):
        return ast.Null(**pos)

    def _name(self, t, pos):
        return ast.Name(str(t.children[0]), **pos)

    def _list(self, t, pos):
        items = tuple(self.build(c) for c in t.children if c is not None)
        return ast.ListExpr(items, **pos)

    def _range(self, t, pos, low_closed, high_closed):
        low, high = self._kids(t)
        return ast.RangeExpr(low, high, low_closed, high_closed, **pos)

    def _range_cc(self, t, pos):
        return self._range(t, pos, True, True)

    def _range_co(self, t, pos):
        return self._range(t, pos, True, False)

    def _range_oc(self, t, pos):
        return self._range(t, pos, False, True)

    def _range_oo(self, t, pos):
        return self._range(t, pos, False, False)

    def _neg(self, t, pos):
        (operand,) = self._kids(t)
        return ast.Unary("-", operand, **pos)

    def _arith(self, t, pos):
        left, op, right = t.children
        return ast.Binary(str(op), self.build(left), self.build(right), **pos)

    def _compare(self, t, pos):
        return self._arith(t, pos)

    def _and_(self, t, pos):
        left, right = self._kids(t)
        return ast.Binary("and", left, right, **pos)

    def _or_(self, t, pos):
        left, right = self._kids(t)
        return ast.Binary("or", left, right, **pos)

    def _between(self, t, pos):
        value, low, high = self._kids(t)
        return ast.Between(value, low, high, **pos)

    def _in_(self, t, pos):
        value, target = self._kids(t)
        return ast.In(value, target, **pos)

    def _if_expr(self, t, pos):
        cond, then, other = self._kids(t)
        return ast.If(cond, then, other, **pos)

    def _filter(self, t, pos):
        source, cond = self._kids(t)
        return ast.Filter(source, cond, **pos)

    def _path(self, t, pos):
        source, name = t.children
        return ast.Path(self.build(source), str(name), **pos)

    def _call(self, t, pos):
        func, args = t.children
        name = " ".join(str(func).split())
        items = tuple(self.build(a) for a in args.children) if args is not None else ()
        return ast.Call(name, items, **pos)
