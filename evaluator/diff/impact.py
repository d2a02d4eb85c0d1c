"""Per-key impact of a policy change: both versions evaluated on the same data.

For every output the two versions share (same grain), each key gets old, new, the
difference and the rule or parameter that drives the difference most: among the names the
output depends on (in the new version) that changed between the versions, the one whose own
value at that key changed most in relative terms. A key whose outcome flips — a true/false
output that changes, or a `min(a, b)`/`max(a, b)` rule where the other side now decides
(a cap that binds and no longer does) — is marked.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..engine import Evaluation, keys_of
from ..lang import ast
from ..lang.values import FEEL_CONTEXT, Val, cell
from .structural import Change


@dataclass
class KeyImpact:
    key: dict[str, Any]
    old: Any
    new: Any
    diff: Any  # new − old for numbers, None otherwise
    driver: str | None = None
    flip: str | None = None

    @property
    def changed(self) -> bool:
        return self.old != self.new or type(self.old) is not type(self.new)


@dataclass
class OutputImpact:
    rule: str
    title: str | None
    dims: tuple[str, ...]
    unit: str | None
    rows: list[KeyImpact] = field(default_factory=list)
    total_old: Any = None
    total_new: Any = None

    @property
    def changed(self) -> bool:
        return any(r.changed or r.flip for r in self.rows)


def impact(old: Evaluation, new: Evaluation, changes: list[Change]) -> list[OutputImpact]:
    changed_names = {c.id for c in changes if c.section in ("parameters", "rules")}
    out = []
    for rid in new.plan.policy.outputs:
        if rid not in old.values or rid not in new.values:
            continue
        pr_new, pr_old = new.plan.rules[rid], old.plan.rules[rid]
        if tuple(pr_new.type.dims) != tuple(pr_old.type.dims):
            continue
        dims = tuple(pr_new.type.dims)
        if any(old.scope.members(d) != new.scope.members(d) for d in dims):
            members_ok = False
        else:
            members_ok = True
        result = OutputImpact(rid, pr_new.rule.title, dims, pr_new.rule.unit)
        upstream = _upstream(new, rid)
        for idx, key in keys_of(new.scope, dims):
            old_idx = _index(old, dims, key) if not members_ok else idx
            a = cell(old.values[rid], old_idx) if old_idx is not None else None
            b = cell(new.values[rid], idx)
            row = KeyImpact(key, a, b, _difference(a, b))
            if row.changed:
                row.driver = _driver(old, new, key, upstream, changed_names)
            row.flip = _flip(old, new, rid, key, a, b)
            result.rows.append(row)
        if pr_new.type.kind == "number" and result.rows:
            with decimal.localcontext(FEEL_CONTEXT):
                result.total_old = _whole(sum((r.old for r in result.rows if isinstance(r.old, (int, Decimal))), Decimal(0)))
                result.total_new = _whole(sum((r.new for r in result.rows if isinstance(r.new, (int, Decimal))), Decimal(0)))
        out.append(result)
    return out


def _whole(v: Decimal):
    return int(v) if v == v.to_integral_value() else v


def _index(ev: Evaluation, dims, key) -> tuple | None:
    pos = []
    for d in dims:
        members = ev.scope.members(d)
        if key[d] not in members:
            return None
        pos.append(members.index(key[d]))
    return tuple(pos)


def _difference(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        with decimal.localcontext(FEEL_CONTEXT):
            return b - a
    return None


def _upstream(ev: Evaluation, rid: str) -> list[str]:
    """Every rule and parameter an output depends on, nearest first."""
    seen: list[str] = []
    frontier = [rid]
    rules = ev.plan.rules
    params = ev.plan.policy.parameters
    while frontier:
        nxt = []
        for r in frontier:
            node = rules[r].checked.node if r in rules else None
            if node is None:
                continue
            for name in sorted(ast.names_used(node)):
                if (name in rules or name in params) and name not in seen:
                    seen.append(name)
                    nxt.append(name)
        frontier = nxt
    return seen


def _value_at(ev: Evaluation, name: str, key: dict):
    """A rule's or parameter's value at the key (its own grain: extra key parts ignored)."""
    if name in ev.values:
        val = ev.values[name]
    elif name in ev.plan.policy.parameters:
        val = ev.scope.value(name)
        if not isinstance(val, Val):
            return tuple(cell(i, ()) for i in val.items)
    else:
        return None
    pos = []
    for d in val.dims:
        if d not in key or key[d] not in ev.scope.members(d):
            return None
        pos.append(ev.scope.members(d).index(key[d]))
    return cell(val, tuple(pos))


def _relative(a, b) -> Decimal:
    if a == b:
        return Decimal(0)
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)) and not isinstance(a, bool):
        with decimal.localcontext(FEEL_CONTEXT):
            return abs(Decimal(b) - Decimal(a)) / max(abs(Decimal(a)), Decimal(1))
    return Decimal(1)


def _driver(old: Evaluation, new: Evaluation, key: dict, upstream: list[str], changed: set[str]) -> str | None:
    """The changed name upstream whose own value at the key moved most (relative)."""
    best, best_score = None, Decimal(-1)
    for name in upstream:
        if name not in changed:
            continue
        score = _relative(_value_at(old, name, key), _value_at(new, name, key))
        if score > best_score:
            best, best_score = name, score
    if best is None or best_score == 0:  # no structural change moved: name the nearest rule that moved
        for name in upstream:
            if name in new.values and _relative(_value_at(old, name, key), _value_at(new, name, key)) > 0:
                return name
    return best


def _flip(old: Evaluation, new: Evaluation, rid: str, key: dict, a, b) -> str | None:
    if isinstance(a, bool) and isinstance(b, bool) and a != b:
        return f"{'ja' if a else 'nej'} → {'ja' if b else 'nej'}"
    node = new.plan.rules[rid].checked.node
    if isinstance(node, ast.Call) and node.func in ("min", "max") and len(node.args) == 2 \
            and all(isinstance(x, ast.Name) for x in node.args):
        x, y = (n.id for n in node.args)
        decide_old = _decider(old, node.func, x, y, key)
        decide_new = _decider(new, node.func, x, y, key)
        if decide_old and decide_new and decide_old != decide_new:
            return f"{decide_old} decided → {decide_new} decides"
    return None


def _decider(ev: Evaluation, func: str, x: str, y: str, key: dict) -> str | None:
    vx, vy = _value_at(ev, x, key), _value_at(ev, y, key)
    if not isinstance(vx, (int, Decimal)) or not isinstance(vy, (int, Decimal)):
        return None
    if vx == vy:
        return None
    return (x if vx < vy else y) if func == "min" else (x if vx > vy else y)
