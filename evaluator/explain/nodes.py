"""The explanation tree as typed nodes, and their JSON form (schemas/explanation.schema.json).

A `Node` is one rule at one key; its `operands` are what the rule used there (other rules,
parameters, input aggregates with their `Rows`, dimension members), its `decisions` the
decisive branches, its `children` the nodes of the rules it refers to. `to_json()` gives the
document's form, key for key and in the documented order; a field left `ABSENT` is not
written at all (the schema distinguishes an absent `ref` from a null value).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any


class _Absent:
    """A field that is not part of this node's JSON (distinct from a null value)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def _json(obj) -> dict:
    """The dataclass's fields in declaration order, ABSENT ones left out, nested ones converted."""
    out = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if v is ABSENT:
            continue
        if isinstance(v, list):
            v = [x.to_json() if hasattr(x, "to_json") else x for x in v]
        elif hasattr(v, "to_json"):
            v = v.to_json()
        out[f.name] = v
    return out


@dataclass
class Decision:
    """A decisive branch: the `if` branch taken, the winner of `min`/`max`, the parts of `and`/`or`."""

    kind: str
    expression: str
    condition: str = ABSENT
    condition_value: Any = ABSENT
    branch: str = ABSENT
    chosen: list[str] = ABSENT
    text: str = ""

    def to_json(self) -> dict:
        return _json(self)


@dataclass
class Rows:
    """The input rows behind an aggregate or lookup: table, filter, how many matched, their sum,
    and (with --rows) the rows themselves with their line numbers in the file."""

    table: str | None
    column: str | None
    function: str
    filter: str | None
    matched: int | None = None
    sum: Any = None
    source: str | None = ABSENT
    records: list[dict] = ABSENT
    records_omitted: int = ABSENT

    def to_json(self) -> dict:
        return _json(self)


@dataclass
class KeyValue:
    """One value of an operand finer than the node's key (another region's share, say)."""

    key: dict
    labels: dict = ABSENT
    value: Any = None
    formatted: str = ""
    ref: str = ABSENT

    def to_json(self) -> dict:
        return _json(self)


@dataclass
class Operand:
    """What a rule used at the key: kind is rule | parameter | input | dimension."""

    name: str
    kind: str
    title: str | None = ABSENT
    unit: str | None = ABSENT
    source: str | None = ABSENT
    status: str = ABSENT
    note: str = ABSENT
    value: Any = ABSENT
    formatted: str = ABSENT
    ref: str = ABSENT
    values: list[KeyValue] = ABSENT
    rows: Rows = ABSENT

    def to_json(self) -> dict:
        return _json(self)


@dataclass
class Node:
    """One rule at one key. A repeat of a node shown earlier carries only its head and `ref`."""

    id: str
    rule: str
    title: str | None
    key: dict
    labels: dict = ABSENT
    value: Any = None
    unit: str | None = None
    formatted: str = ""
    ref: str = ABSENT
    expression: str = ABSENT
    source: str | None = ABSENT
    headline: str = ABSENT
    decisive: str | None = ABSENT
    decisions: list[Decision] = ABSENT
    operands: list[Operand] = ABSENT
    truncated: bool = ABSENT
    children: list[Node] = field(default=ABSENT)

    def to_json(self) -> dict:
        return _json(self)


def iter_nodes(nodes: Iterable[dict]):
    """Every node of trees in their JSON form, parents first (references included)."""
    for node in nodes:
        yield node
        yield from iter_nodes(node.get("children", []))
