"""Syntax trees printed back as canonical expression text: the inverse of parser.py.

`to_text` gives one line in the language's own syntax, with parentheses exactly where the
precedence needs them (explain, diff, coverage and scenarios show expressions this way);
with `keep_parens` it also keeps the parentheses the author wrote (`villkor fmt`, which must
not take clarifying parentheses away). `to_lines` breaks that text into lines of a given width
for a YAML block. Either way `parse(text)` gives the same tree back (tested on every shipped
expression and on random trees).

Canonical text: one space around binary operators and keywords, none inside brackets, `, `
between arguments and list items, strings in double quotes with `\\"`, `\\\\`, `\\n`, `\\t`
escaped, numbers as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast

# Binding strength of each construct, loosest first (the grammar's precedence levels).
_PREC_BINARY = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
                "+": 4, "-": 4, "*": 5, "/": 5, "**": 6}
_IF, _COMPARE, _UNARY, _POSTFIX, _ATOM = 0, 3, 7, 8, 9

# Where a long expression is best broken: before `and`/`or`/`then`/`else` first, then before
# arithmetic, never before a comparison if there is another choice (other words: in between).
_BREAK_RANK = {"and": 0, "or": 0, "then": 0, "else": 0, "+": 1, "-": 1, "*": 1, "/": 1, "**": 1,
               "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3}
_OPEN, _CLOSE = ("(", "["), (")", "]")


@dataclass(frozen=True)
class Token:
    """One token of printed text; `space`: a space stands before it (a line may break there)."""

    text: str
    space: bool


def precedence(node: ast.Node) -> int:
    if isinstance(node, ast.If):
        return _IF
    if isinstance(node, ast.Binary):
        return _PREC_BINARY[node.op]
    if isinstance(node, (ast.Between, ast.In)):
        return _COMPARE
    if isinstance(node, ast.Unary):
        return _UNARY
    if isinstance(node, (ast.Filter, ast.Path, ast.Call)):
        return _POSTFIX
    return _ATOM


def string_literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped + '"'


def tokens(node: ast.Node, keep_parens: bool = False) -> list[Token]:
    printer = _Printer(keep_parens)
    printer.expr(node, False, _IF)
    return printer.out


def to_text(node: ast.Node, keep_parens: bool = False) -> str:
    """The expression as one line of canonical text."""
    return "".join((" " if t.space else "") + t.text for t in tokens(node, keep_parens))


def to_lines(node: ast.Node, width: int, indent: int = 2, keep_parens: bool = True) -> list[str]:
    """The canonical text in lines of at most `width` characters where it can be (a line
    holds at least one word), continuation lines counted with `indent` more (not included).

    Greedy: each line takes as many words as fit and then breaks at the shallowest bracket
    depth among the places it could, preferring the ranks of `_BREAK_RANK`, the latest place
    on ties. A word is the text between two spaces; a string literal or a multi-word name
    (`string length`) is never split."""
    words = _words(tokens(node, keep_parens))
    lines: list[str] = []
    start = 0
    while start < len(words):
        limit = width - (indent if lines else 0)
        end, used = start + 1, len(words[start][0])
        while end < len(words) and used + 1 + len(words[end][0]) <= limit:
            used += 1 + len(words[end][0])
            end += 1
        if end == len(words):
            lines.append(" ".join(w for w, _, _ in words[start:]))
            break
        cut = min(range(start + 1, end + 1),
                  key=lambda k: (words[k][1], _BREAK_RANK.get(words[k][2], 2), -k))
        lines.append(" ".join(w for w, _, _ in words[start:cut]))
        start = cut
    return lines


def _words(toks: list[Token]) -> list[tuple[str, int, str]]:
    """(text, bracket depth at its start, its first token) for each space-separated word."""
    words: list[tuple[str, int, str]] = []
    depth = 0
    for tok in toks:
        if tok.space or not words:
            words.append((tok.text, depth, tok.text))
        else:
            text, at, first = words[-1]
            words[-1] = (text + tok.text, at, first)
        depth += (tok.text in _OPEN) - (tok.text in _CLOSE)
    return words


class _Printer:
    def __init__(self, keep_parens: bool):
        self.keep_parens = keep_parens
        self.out: list[Token] = []

    def tok(self, text: str, space: bool) -> None:
        self.out.append(Token(text, space))

    def expr(self, node: ast.Node, space: bool, minimum: int) -> None:
        """`node`, in parentheses if it binds looser than `minimum` (or the author wrote them)."""
        wrap = precedence(node) < minimum or (self.keep_parens and node.parenthesised)
        if wrap:
            self.tok("(", space)
            space = False
        getattr(self, "_" + type(node).__name__)(node, space)
        if wrap:
            self.tok(")", False)

    def items(self, nodes: tuple[ast.Node, ...]) -> None:
        for i, item in enumerate(nodes):
            if i:
                self.tok(",", False)
            self.expr(item, i > 0, _IF)

    def _Number(self, n: ast.Number, space: bool) -> None:
        self.tok(n.text, space)

    def _String(self, n: ast.String, space: bool) -> None:
        self.tok(string_literal(n.value), space)

    def _Bool(self, n: ast.Bool, space: bool) -> None:
        self.tok("true" if n.value else "false", space)

    def _Null(self, n: ast.Null, space: bool) -> None:
        self.tok("null", space)

    def _Name(self, n: ast.Name, space: bool) -> None:
        self.tok(n.id, space)

    def _ListExpr(self, n: ast.ListExpr, space: bool) -> None:
        self.tok("[", space)
        self.items(n.items)
        self.tok("]", False)

    def _RangeExpr(self, n: ast.RangeExpr, space: bool) -> None:
        self.tok("[" if n.low_closed else "(", space)
        self.expr(n.low, False, 4)
        self.tok("..", False)
        self.expr(n.high, False, 4)
        self.tok("]" if n.high_closed else ")", False)

    def _Unary(self, n: ast.Unary, space: bool) -> None:
        self.tok(n.op, space)
        self.expr(n.operand, False, _UNARY)

    def _Binary(self, n: ast.Binary, space: bool) -> None:
        p = _PREC_BINARY[n.op]
        if p == _COMPARE:  # comparisons do not chain: both sides bind tighter
            left, right = 4, 4
        elif n.op == "**":  # left-associative, and looser than unary minus on its right
            left, right = 6, 7
        else:  # left-associative
            left, right = p, p + 1
        self.expr(n.left, space, left)
        self.tok(n.op, True)
        self.expr(n.right, True, right)

    def _Between(self, n: ast.Between, space: bool) -> None:
        self.expr(n.value, space, 4)
        self.tok("between", True)
        self.expr(n.low, True, 4)
        self.tok("and", True)
        self.expr(n.high, True, 4)

    def _In(self, n: ast.In, space: bool) -> None:
        self.expr(n.value, space, 4)
        self.tok("in", True)
        self.expr(n.target, True, 4)

    def _If(self, n: ast.If, space: bool) -> None:
        self.tok("if", space)
        self.expr(n.cond, True, _IF)
        self.tok("then", True)
        self.expr(n.then, True, _IF)
        self.tok("else", True)
        self.expr(n.other, True, _IF)

    def _Filter(self, n: ast.Filter, space: bool) -> None:
        self.expr(n.source, space, _POSTFIX)
        self.tok("[", False)
        self.expr(n.cond, False, _IF)
        self.tok("]", False)

    def _Path(self, n: ast.Path, space: bool) -> None:
        self.expr(n.source, space, _POSTFIX)
        self.tok(".", False)
        self.tok(n.name, False)

    def _Call(self, n: ast.Call, space: bool) -> None:
        self.tok(n.func, space)
        self.tok("(", False)
        self.items(n.args)
        self.tok(")", False)
