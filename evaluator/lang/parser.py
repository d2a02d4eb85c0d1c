"""Text -> syntax tree, with located syntax errors and bounded size and depth."""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import TypedDict

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import ExprSyntaxError, LimitError, Location
from . import ast


class Pos(TypedDict, total=False):
    """Where a node stands in the expression text (1-based; empty for a node without place)."""

    line: int
    column: int
    end_column: int


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
    return _parsed(text)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> ast.Node:
    """The syntax tree of a text, kept for the next policy holding the same expression: a run of
    fixtures plans the same policy once per case (its parameters differ), and validating a
    policy again after one edit re-parses only what changed. The tree is immutable and its
    positions are those within the text, so every use of the text may share it. A text that
    does not parse raises each time (errors are not kept)."""
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
    pos = _offset(lines, line, column)
    special = _common_mistake(text, lines, exc, pos)
    if special is not None:
        return special
    if isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        char = text[at] if at < len(text) else ""
        message = f"unexpected character {char!r}"
        hint = _char_hint(char)
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        message = f"unexpected {exc.token.value!r}"
        hint = _expected_hint(exc.expected)
    else:
        message = "the expression ends too early"
        hint = _expected_hint(getattr(exc, "expected", set()))
    return ExprSyntaxError(message, Location(line=line, column=column, source_line=src), hint)


def _offset(lines: list[str], line: int, column: int) -> int:
    """The 0-based offset in the text of a 1-based line and column."""
    return sum(len(t) + 1 for t in lines[:line - 1]) + column - 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error_at(text: str, offset: int, message: str, hint: str | None, length: int = 1) -> ExprSyntaxError:
    line, col = _line_col(text, offset)
    src = text.split("\n")[line - 1]
    return ExprSyntaxError(message, Location(line=line, column=col, source_line=src, length=length), hint)


# Operators of other languages (and Swedish words) a person may write instead of villkor's.
_WRONG_OPERATORS = {"==": "write '=' to compare: a = b", "&&": "write 'and': a and b",
                    "||": "write 'or': a or b", "!": "write not(x), or != to compare",
                    "<>": "write '!=' for 'not equal'", "=<": "write '<='", "=>": "write '>='"}
_WRONG_WORDS = {"och": "write 'and': a and b", "eller": "write 'or': a or b",
                "AND": "write 'and' in lower case", "OR": "write 'or' in lower case",
                "inte": "write not(x)", "om": "write if … then … else …"}
_OPENERS = {"(": ")", "[": "]"}
_CLOSERS = {")": "(", "]": "["}


def _common_mistake(text: str, lines: list[str], exc: UnexpectedInput, pos: int) -> ExprSyntaxError | None:
    """A message in the words of the mistake, for the usual slips; None when there is none."""
    for start in (pos - 1, pos):  # '==' fails at its second '='; '&&' at its first '&'
        for op, hint in _WRONG_OPERATORS.items():
            if 0 <= start and text.startswith(op, start) and not (op == "!" and text.startswith("!=", start)):
                return _error_at(text, start, f"'{op}' is not an operator of villkor", hint, len(op))
    if isinstance(exc, UnexpectedToken) and exc.token.type == "NAME" and exc.token.value in _WRONG_WORDS:
        return _error_at(text, pos, f"unexpected {exc.token.value!r}", _WRONG_WORDS[exc.token.value],
                         len(exc.token.value))
    if isinstance(exc, UnexpectedToken) and exc.token.value == "," and 0 < pos < len(text) - 1 \
            and text[pos - 1].isdigit() and text[pos + 1].isdigit():
        return _error_at(text, pos, "unexpected ','", "decimals use a point in expressions: 0.5, not 0,5")
    if isinstance(exc, UnexpectedCharacters) and text[pos:pos + 1] == '"':
        return _string_error(text, pos)
    at_end = isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END")
    opener = _unclosed(text, len(text) if at_end else pos)
    if opener is None:
        return None
    char = text[opener]
    if at_end:  # where it ends stays the place; the hint names the bracket that is still open
        err = _error_at(text, len(text), "the expression ends too early", None)
        before = text[:opener].rstrip()
        name = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", text[:opener])
        if name:
            which = f"the '{char}' of '{name.group(0)}{char}'"
        elif before:
            which = f"the '{char}' after '{before[-12:].split(chr(10))[-1].lstrip()}'"
        else:
            which = f"the '{char}' at the start"
        return ExprSyntaxError(err.message, err.location,
                               f"{which} is never closed: add '{_OPENERS[char]}'")
    if isinstance(exc, UnexpectedToken) and exc.token.value in _CLOSERS:
        return _error_at(text, opener, f"'{char}' is closed by '{exc.token.value}'",
                         f"close it with '{_OPENERS[char]}'")
    return None


def _unclosed(text: str, end: int) -> int | None:
    """The offset of the innermost bracket still open at `end` (strings skipped)."""
    stack: list[int] = []
    i = 0
    while i < end:
        c = text[i]
        if c == '"':
            close = re.match(r'"([^"\\\n]|\\.)*"', text[i:])
            i += close.end() if close else 1
            continue
        if c in _OPENERS:
            stack.append(i)
        elif c in _CLOSERS and stack and (text[stack[-1]] == _CLOSERS[c] or _in_range(text, stack[-1], i)):
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def _in_range(text: str, start: int, end: int) -> bool:
    """[1..10) and (1..10]: a range may close with the other kind of bracket."""
    return ".." in text[start:end]


def _string_error(text: str, start: int) -> ExprSyntaxError:
    """A string the lexer refused: an escape villkor does not know, or no closing quote."""
    i = start + 1
    while i < len(text) and text[i] not in '"\n':
        if text[i] == "\\":
            if i + 1 < len(text) and text[i + 1] in '"\\nt':
                i += 2
                continue
            shown = text[i:i + 2]
            return _error_at(text, i, f"unknown escape '{shown}' in a string",
                             'write the character itself ("é"); the escapes are \\" \\\\ \\n \\t', len(shown))
        i += 1
    return _error_at(text, start, "the string is never closed",
                     'end it with a double quote on the same line: "public"')


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


def _expected_hint(expected: Iterable[str] | None) -> str | None:
    words = sorted({_TOKEN_WORDS.get(t, t.lower()) for t in expected or ()})
    if not words:
        return None
    if len(words) > 6:
        words = words[:6] + ["…"]
    return "expected " + ", ".join(words)


def _check_depth(tree: Tree[Token], text: str) -> None:
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
        if isinstance(node, Tree):  # parentheses are no nesting level of their own
            step = 0 if node.data == "paren" else 1
            stack.extend((c, depth + step) for c in node.children if isinstance(c, Tree))


def _unescape(token: str) -> str:
    body = token[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _number(text: str) -> int | Decimal:
    return int(text) if re.fullmatch(r"\d+", text) else Decimal(text)


class _Builder:
    """Lark tree -> ast nodes. Positions are 1-based line/column of the expression text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def build(self, t: Tree[Token] | Token) -> ast.Node:
        if not isinstance(t, Tree):
            raise TypeError(f"a token where the grammar puts a rule: {t!r}")
        method: Callable[[Tree[Token], Pos], ast.Node] = getattr(self, "_" + t.data)
        return method(t, self._pos(t))

    def _pos(self, t: Tree[Token]) -> Pos:
        meta = t.meta
        if getattr(meta, "empty", True):
            return {}
        end = meta.end_column if meta.end_line == meta.line else meta.column + 1
        return {"line": meta.line, "column": meta.column, "end_column": max(end, meta.column + 1)}

    def _kids(self, t: Tree[Token]) -> list[ast.Node]:
        return [self.build(c) for c in t.children if isinstance(c, Tree)]

    def _number(self, t: Tree[Token], pos: Pos) -> ast.Node:
        text = str(t.children[0])
        return ast.Number(_number(text), text, **pos)

    def _string(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return ast.String(_unescape(str(t.children[0])), **pos)

    def _true(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return ast.Bool(True, **pos)

    def _false(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return ast.Bool(False, **pos)

    def _null(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return ast.Null(**pos)

    def _name(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return ast.Name(str(t.children[0]), **pos)

    def _paren(self, t: Tree[Token], pos: Pos) -> ast.Node:
        """The author's parentheses, kept as a flag on the node they enclose (for fmt)."""
        inner = t.children[0]
        while isinstance(inner, Tree) and inner.data == "paren":  # ((x)): no recursion per pair
            inner = inner.children[0]
        return replace(self.build(inner), parenthesised=True)

    def _list(self, t: Tree[Token], pos: Pos) -> ast.Node:
        items = tuple(self.build(c) for c in t.children if c is not None)
        return ast.ListExpr(items, **pos)

    def _range(self, t: Tree[Token], pos: Pos, low_closed: bool, high_closed: bool) -> ast.Node:
        low, high = self._kids(t)
        return ast.RangeExpr(low, high, low_closed, high_closed, **pos)

    def _range_cc(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return self._range(t, pos, True, True)

    def _range_co(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return self._range(t, pos, True, False)

    def _range_oc(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return self._range(t, pos, False, True)

    def _range_oo(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return self._range(t, pos, False, False)

    def _neg(self, t: Tree[Token], pos: Pos) -> ast.Node:
        (operand,) = self._kids(t)
        return ast.Unary("-", operand, **pos)

    def _arith(self, t: Tree[Token], pos: Pos) -> ast.Node:
        left, op, right = t.children
        return ast.Binary(str(op), self.build(left), self.build(right), **pos)

    def _compare(self, t: Tree[Token], pos: Pos) -> ast.Node:
        return self._arith(t, pos)

    def _and_(self, t: Tree[Token], pos: Pos) -> ast.Node:
        left, right = self._kids(t)
        return ast.Binary("and", left, right, **pos)

    def _or_(self, t: Tree[Token], pos: Pos) -> ast.Node:
        left, right = self._kids(t)
        return ast.Binary("or", left, right, **pos)

    def _between(self, t: Tree[Token], pos: Pos) -> ast.Node:
        value, low, high = self._kids(t)
        return ast.Between(value, low, high, **pos)

    def _in_(self, t: Tree[Token], pos: Pos) -> ast.Node:
        value, target = self._kids(t)
        return ast.In(value, target, **pos)

    def _if_expr(self, t: Tree[Token], pos: Pos) -> ast.Node:
        cond, then, other = self._kids(t)
        return ast.If(cond, then, other, **pos)

    def _filter(self, t: Tree[Token], pos: Pos) -> ast.Node:
        source, cond = self._kids(t)
        return ast.Filter(source, cond, **pos)

    def _path(self, t: Tree[Token], pos: Pos) -> ast.Node:
        source, name = t.children
        return ast.Path(self.build(source), str(name), **pos)

    def _call(self, t: Tree[Token], pos: Pos) -> ast.Node:
        func, args = t.children
        name = " ".join(str(func).split())
        items = tuple(self.build(a) for a in args.children) if isinstance(args, Tree) else ()
        return ast.Call(name, items, **pos)
