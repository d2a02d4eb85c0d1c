"""The immutable syntax tree of an expression.

Positions (`line`, `column`, `end_column`) are excluded from equality, so two expressions
that read the same compare equal wherever they stand (used by explain and diff). So is
`parenthesised` (the author wrote this node in parentheses): `villkor fmt` keeps such
parentheses, but `(a * b) + c` and `a * b + c` are the same expression.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Node:
    line: int = field(default=1, compare=False, kw_only=True)
    column: int = field(default=1, compare=False, kw_only=True)
    end_column: int = field(default=2, compare=False, kw_only=True)
    parenthesised: bool = field(default=False, compare=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class Number(Node):
    value: int | Decimal
    text: str


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True)
class Null(Node):
    pass


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class RangeExpr(Node):
    low: Node
    high: Node
    low_closed: bool
    high_closed: bool

    def children(self) -> tuple[Node, ...]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-"
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / ** = != < <= > >= and or
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Between(Node):
    value: Node
    low: Node
    high: Node

    def children(self) -> tuple[Node, ...]:
        return (self.value, self.low, self.high)


@dataclass(frozen=True)
class In(Node):
    value: Node
    target: Node  # a RangeExpr, a ListExpr, or any list-valued expression

    def children(self) -> tuple[Node, ...]:
        return (self.value, self.target)


@dataclass(frozen=True)
class If(Node):
    cond: Node
    then: Node
    other: Node

    def children(self) -> tuple[Node, ...]:
        return (self.cond, self.then, self.other)


@dataclass(frozen=True)
class Filter(Node):
    source: Node
    cond: Node

    def children(self) -> tuple[Node, ...]:
        return (self.source, self.cond)


@dataclass(frozen=True)
class Path(Node):
    source: Node
    name: str

    def children(self) -> tuple[Node, ...]:
        return (self.source,)


@dataclass(frozen=True)
class Call(Node):
    func: str  # built-in name; multi-word FEEL names are normalised to one space
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    yield node
    for child in node.children():
        yield from walk(child)


def names_used(node: Node) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, Name)}
