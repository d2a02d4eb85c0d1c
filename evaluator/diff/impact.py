"""Per-key impact of a policy change: both versions evaluated on the same data.

For every output the two versions share (same grain), each key gets the old value, the new
value, the difference, and the change that drives the difference most, found like this:

1. the candidates are the changed (or added) parameters and the rules whose expression
   changed (or that were added), restricted to those upstream of the output in the new
   version's dependency graph;
2. each candidate is applied *alone* to the old version (the old policy with just that
   parameter or rule taken from the new one; a table keyed by a dimension that gained
   members keeps only the members the old version has), which is evaluated on the same data;
3. the driver at a key is the candidate whose lone change moves the output at that key most
   (absolute difference in the output's own unit, so candidates are comparable; for a
   true/false output, whether it moves at all), among the changes that move it the same way
   as the whole difference (a rise is explained by what raises it, never by a change that
   alone would lower it). Ties go to the change listed first. A changed rule that starts
   using a rule the old version lacks is applied together with that new rule (and the new
   rules that one needs): the change cannot act without it.

A dimension that gained members (a new measure) is a candidate too, "ny medlem X": the old
version with just those members added (and the new version's table values for them), run on
the rows of the new members as well. If no single change moves the value (it moves only
through changes acting together), the driver reads "flera ändringar tillsammans".

A key whose outcome *flips* is marked: a true/false output that changes, or a rule written as
`min(a, b)` / `max(a, b)` where the other side now decides (a cap that bound and no longer
does: `cap avgjorde → compensation avgör`).

National totals ("Riket") are given for outputs in kr or count (amounts and numbers of
procedures add up; rates and shares do not); for a true/false output, the number of keys
that are true.

The data is read once per version. When a dimension gained members (a new measure), the old
version cannot read rows of the new member: it is run on the rows it knows, and the report
says how many rows were left out of its run (and the other way round for removed members).
"""

from __future__ import annotations

import dataclasses
import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..engine import Evaluation, evaluate, keys_of
from ..errors import DataError, VillkorError
from ..lang import ast
from ..lang.values import FEEL_CONTEXT, cell
from ..plan import Plan, plan
from ..policy.model import Policy
from .structural import Change

ADDITIVE_UNITS = ("kr", "count")
TOGETHER = "flera ändringar tillsammans"


@dataclass
class KeyImpact:
    key: dict[str, Any]
    old: Any
    new: Any
    diff: Any  # new − old for numbers, None otherwise
    driver: str | None = None
    driver_effect: Any = None  # how much the driver alone moves the value (numbers)
    flip: str | None = None

    @property
    def changed(self) -> bool:
        if isinstance(self.old, bool) or isinstance(self.new, bool):
            return type(self.old) is not type(self.new) or self.old != self.new
        return self.old != self.new


@dataclass
class OutputImpact:
    rule: str
    title: str | None
    dims: tuple[str, ...]
    unit: str | None
    kind: str  # number | bool | string | date | ...
    rows: list[KeyImpact] = field(default_factory=list)
    total_old: Any = None
    total_new: Any = None
    by_first: OutputImpact | None = None  # a multi-dimensional output summed to its first dimension

    @property
    def changed(self) -> bool:
        return any(r.changed or r.flip for r in self.rows)

    @property
    def changed_rows(self) -> list[KeyImpact]:
        return [r for r in self.rows if r.changed or r.flip]


@dataclass
class CheckImpact:
    id: str
    title: str | None
    old: bool | None  # None: the check does not exist in that version
    new: bool | None
    detail: str


@dataclass
class Impact:
    outputs: list[OutputImpact]
    checks: list[CheckImpact]
    notes: list[str]

    @property
    def changed(self) -> bool:
        return any(o.changed for o in self.outputs) or any(c.old != c.new for c in self.checks)


# ---------------------------------------------------------------- data for both versions


def _restrict(tables, policy, dropped_notes: list[str], label: str):
    """The tables read for one version, restricted to the dimension members `policy` knows."""
    from ..data import Table, Tables

    out = Tables(missing_optional=list(tables.missing_optional), warnings=list(tables.warnings))
    for tid, table in tables.tables.items():
        inp = policy.inputs.get(tid)
        if inp is None:
            continue
        frame = table.frame
        mask = None
        for col in inp.columns.values():
            if col.type in policy.dimensions and col.id in frame:
                members = list(policy.dimensions[col.type].members)
                keep = frame[col.id].isin(members)
                mask = keep if mask is None else (mask & keep)
        if mask is not None and not bool(mask.all()):
            dropped = int((~mask).sum())
            dropped_notes.append(f"{dropped} rader i {tid} har medlemmar som {label} inte känner till; "
                                 f"de är utelämnade ur dess körning")
            frame = frame[mask].reset_index(drop=True)
        frame = frame.copy()
        for col in inp.columns.values():
            if col.type in policy.dimensions and col.id in frame:
                frame[col.id] = frame[col.id].cat.set_categories(list(policy.dimensions[col.type].members))
        out.tables[tid] = Table(tid, frame, table.path, table.sha256, len(frame))
    return out


def load_both(old_plan: Plan, new_plan: Plan, read):
    """(old tables, new tables, notes): the same data, read for each version by `read(plan)`
    (the API's reading, evaluator/api.py)."""
    notes: list[str] = []
    old_p, new_p = old_plan.policy, new_plan.policy
    try:
        old_tables = read(old_plan)
    except DataError as err:
        old_tables, old_err = None, err
    try:
        new_tables = read(new_plan)
    except DataError:
        if old_tables is None:
            raise
        new_tables = _restrict(old_tables, new_p, notes, "den nya versionen")
    if old_tables is None:
        if not _members_grew(old_p, new_p):
            raise old_err
        old_tables = _restrict(new_tables, old_p, notes, "den gamla versionen")
    return old_tables, new_tables, notes


def _members_grew(old_p, new_p) -> bool:
    return any(set(d.members) - set(old_p.dimensions[did].members)
               for did, d in new_p.dimensions.items() if did in old_p.dimensions)


# ---------------------------------------------------------------- variants: one change at a time


def _fit_parameter(p_new, p_old, dims):
    """A new table parameter cut to the members the old version knows (missing ones: old values)."""
    if not p_new.by or any(d not in dims for d in p_new.by):
        return p_new
    value = {k: v for k, v in p_new.value.items()
             if all(m in dims[d].members for d, m in zip(p_new.by, k))}
    if p_old is not None and p_old.by == p_new.by:
        for k, v in p_old.value.items():
            value.setdefault(k, v)
    return dataclasses.replace(p_new, value=value)


def _value_changes(changes: list[Change], old_plan: Plan, new_plan: Plan) -> list[Change]:
    """Changes that can move a value: parameter values, rule expressions and grains."""
    out = []
    for c in changes:
        if c.kind == "removed":
            continue
        if c.section == "parameters":  # not removed: the new version has it
            pa, pb = old_plan.policy.parameters.get(c.id), new_plan.policy.parameters[c.id]
            from .structural import same_value
            if pa is None or not same_value(pa.value, pb.value) or pa.by != pb.by:
                out.append(c)
        elif c.section == "rules":
            ra, rb = old_plan.policy.rules.get(c.id), new_plan.policy.rules[c.id]
            from .structural import same_expr
            if ra is None or not same_expr(ra.expr, rb.expr) or ra.per != rb.per:
                out.append(c)
    return out


def _variant(old_plan: Plan, new_plan: Plan, change: Change):
    old, new = old_plan.policy, new_plan.policy
    params, rules = dict(old.parameters), dict(old.rules)
    if change.section == "parameters":
        params[change.id] = _fit_parameter(new.parameters[change.id], old.parameters.get(change.id), old.dimensions)
    else:
        # The changed rule, and every rule it needs that the old version lacks (a new rule it
        # starts using): without them it cannot stand alone, and the cause would be missed.
        todo = [change.id]
        while todo:
            rid = todo.pop()
            rules[rid] = new.rules[rid]
            for name in sorted(new_plan.graph.direct(rid)):
                if name in new.parameters and name not in params:
                    params[name] = _fit_parameter(new.parameters[name], None, old.dimensions)
                elif name in new.rules and name not in rules and name not in todo:
                    todo.append(name)
    return dataclasses.replace(old, parameters=params, rules=rules)


def _member_variants(old_plan: Plan, new_plan: Plan) -> list[tuple[str, Policy]]:
    """For each dimension that gained members: the old policy with just those members added
    (tables keyed by the dimension get the new version's values for them, nothing else)."""
    old, new = old_plan.policy, new_plan.policy
    out = []
    for did, dim in new.dimensions.items():
        if did not in old.dimensions:
            continue
        added = [m for m in dim.members if m not in old.dimensions[did].members]
        if not added or [m for m in dim.members if m in old.dimensions[did].members] != \
                [m for m in old.dimensions[did].members if m in dim.members]:
            continue
        dims = {**old.dimensions, did: dataclasses.replace(old.dimensions[did], members=tuple(
            m for m in dim.members if m in old.dimensions[did].members or m in added))}
        params = dict(old.parameters)
        for pid, p in old.parameters.items():
            q = new.parameters.get(pid)
            if did in p.by and q is not None and q.by == p.by:
                extra = {k: v for k, v in q.value.items() if any(m in added for m in k)}
                params[pid] = dataclasses.replace(p, value={**p.value, **extra})
        label = "ny medlem " + ", ".join(map(str, added))
        out.append((label, dataclasses.replace(old, dimensions=dims, parameters=params)))
    return out


def _run_variants(old_plan, new_plan, candidates, tables, new_tables) -> dict[str, Evaluation]:
    out = {}
    for change in candidates:
        try:
            planned = plan(_variant(old_plan, new_plan, change))
            out[change.id] = evaluate(planned, tables, stop_on_failed_check=False)
        except (VillkorError, KeyError, ValueError, TypeError, IndexError):
            continue  # the change cannot stand alone (it needs another change): no driver from it
    for label, policy in _member_variants(old_plan, new_plan):
        try:
            planned = plan(policy)
            out[label] = evaluate(planned, _restrict(new_tables, policy, [], ""), stop_on_failed_check=False)
        except (VillkorError, KeyError, ValueError, TypeError, IndexError):
            continue
    return out


# ---------------------------------------------------------------- impact


def impact(old_plan: Plan, new_plan: Plan, read, changes: list[Change]) -> Impact:
    """The impact of `changes` on the data `read(plan)` gives each version."""
    old_tables, new_tables, notes = load_both(old_plan, new_plan, read)
    old_ev = evaluate(old_plan, old_tables, stop_on_failed_check=False)
    new_ev = evaluate(new_plan, new_tables, stop_on_failed_check=False)
    candidates = _value_changes(changes, old_plan, new_plan)
    outputs = []
    shared = [rid for rid in new_plan.policy.outputs
              if rid in old_ev.values and rid in new_ev.values
              and tuple(new_plan.rules[rid].type.dims) == tuple(old_plan.rules[rid].type.dims)]
    for rid in new_plan.policy.outputs:
        if rid in new_plan.rules and rid in old_plan.rules and rid not in shared:
            in_old, in_new = rid in old_ev.values, rid in new_ev.values
            if not in_old and not in_new:
                continue  # an optional input is absent: neither run computed it (their warnings say so)
            if in_old != in_new:
                notes.append(f"{rid}: beräknas bara i den {'gamla' if in_old else 'nya'} versionen "
                             "(en valfri indata saknas i den andra), jämförs inte")
            else:
                notes.append(f"{rid}: olika nivå i de två versionerna, jämförs inte")
    variants: dict[str, Evaluation] | None = None
    for rid in shared:
        result = _compare(old_ev, new_ev, rid)
        if result.changed:
            if variants is None:
                wanted = {n for r in shared for n in new_plan.graph.upstream(r)}
                variants = _run_variants(old_plan, new_plan, [c for c in candidates if c.id in wanted], old_tables,
                                         new_tables)
            _drivers(result, old_ev, variants, new_plan.graph.upstream(rid))
            for row in result.rows:
                if row.changed and row.driver is None:
                    row.driver = TOGETHER
        if len(result.dims) > 1 and result.kind == "number" and result.unit in ADDITIVE_UNITS:
            result.by_first = _summed(result, old_ev, variants or {}, new_plan.graph.upstream(rid))
        outputs.append(result)
    checks = _checks(old_ev, new_ev)
    return Impact(outputs, checks, notes)


def _index(ev: Evaluation, dims, key) -> tuple | None:
    pos = []
    for d in dims:
        members = ev.scope.members(d)
        if key[d] not in members:
            return None
        pos.append(members.index(key[d]))
    return tuple(pos)


def _at(ev: Evaluation, rid: str, dims, key):
    if rid not in ev.values:
        return None
    idx = _index(ev, dims, key)
    return cell(ev.values[rid], idx) if idx is not None else None


def _difference(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        with decimal.localcontext(FEEL_CONTEXT):
            return _whole(Decimal(b) - Decimal(a))
    return None


def _whole(v: Decimal):
    return int(v) if v == v.to_integral_value() else v


def _number(v) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def _total(values):
    with decimal.localcontext(FEEL_CONTEXT):
        return _whole(sum((Decimal(v) for v in values if _number(v)), Decimal(0)))


def _compare(old_ev: Evaluation, new_ev: Evaluation, rid: str) -> OutputImpact:
    pr = new_ev.plan.rules[rid]
    dims = tuple(pr.type.dims)
    result = OutputImpact(rid, pr.rule.title, dims, pr.rule.unit, pr.type.kind)
    for idx, key in keys_of(new_ev.scope, dims):
        a = _at(old_ev, rid, dims, key)
        b = cell(new_ev.values[rid], idx)
        row = KeyImpact(key, a, b, _difference(a, b))
        row.flip = _flip(old_ev, new_ev, rid, key, a, b)
        result.rows.append(row)
    if dims and result.kind == "number" and result.unit in ADDITIVE_UNITS:
        result.total_old = _total(r.old for r in result.rows)
        result.total_new = _total(r.new for r in result.rows)
    elif dims and result.kind == "bool":
        result.total_old = sum(1 for r in result.rows if r.old is True)
        result.total_new = sum(1 for r in result.rows if r.new is True)
    return result


def _effect(a, b):
    if _number(a) and _number(b):
        with decimal.localcontext(FEEL_CONTEXT):
            return abs(Decimal(b) - Decimal(a))
    return Decimal(0) if a == b and type(a) is type(b) else Decimal(1)


def _score(row: KeyImpact, moved) -> tuple[bool, Decimal]:
    """How well a lone change explains a row: moving it the same way as the whole difference
    first, then by how much."""
    effect = _effect(row.old, moved)
    same_way = row.diff is not None and _number(moved) and _number(row.old) and \
        (moved - row.old > 0) == (row.diff > 0) and moved != row.old
    return (bool(same_way) or row.diff is None, effect)


def _new_members(old_ev: Evaluation, key: dict) -> list[str]:
    return [str(m) for d, m in key.items() if m not in old_ev.scope.members(d)]


def _drivers(result: OutputImpact, old_ev: Evaluation, variants: dict[str, Evaluation], up: list[str]) -> None:
    names = [n for n in variants if n in up or n == result.rule or n.startswith("ny medlem")]
    for row in result.rows:
        if not row.changed:
            continue
        fresh = _new_members(old_ev, row.key)
        if fresh:  # a key the old version does not have: the new member is the cause
            row.driver = "ny medlem " + ", ".join(fresh)
            continue
        best, best_effect = None, (False, Decimal(0))
        for name in names:
            moved = _at(variants[name], result.rule, result.dims, row.key)
            effect = _score(row, moved)
            if effect[0] and effect[1] > 0 and effect > best_effect:  # never a change pulling the other way
                best, best_effect = name, effect
        if best is not None:
            row.driver = best
            moved = _at(variants[best], result.rule, result.dims, row.key)
            row.driver_effect = _difference(row.old, moved)


def _summed(result: OutputImpact, old_ev, variants, up) -> OutputImpact:
    """A region × measure output in kr or count, summed over all but its first dimension."""
    first = result.dims[0]
    groups: dict[Any, list[KeyImpact]] = {}
    for row in result.rows:
        groups.setdefault(row.key[first], []).append(row)
    rest = " × ".join(result.dims[1:])
    summed = OutputImpact(result.rule, result.title, (first,), result.unit, result.kind)
    summed.total_old, summed.total_new = result.total_old, result.total_new
    for member, rows in groups.items():
        # a member only one version has (a new region) has no total in the other: absent, not 0
        a = None if all(r.old is None for r in rows) else _total(r.old for r in rows)
        b = None if all(r.new is None for r in rows) else _total(r.new for r in rows)
        row = KeyImpact({first: member}, a, b, _difference(a, b))
        fresh_member = _new_members(old_ev, {first: member})
        if row.changed and fresh_member:
            row.driver = "ny medlem " + ", ".join(fresh_member)
        elif row.changed:
            best, best_effect = None, (False, Decimal(0))
            for name in [n for n in variants if n in up or n == result.rule or n.startswith("ny medlem")]:
                moved = _total(_at(variants[name], result.rule, result.dims, r.key) for r in rows)
                effect = _score(row, moved)
                if effect[0] and effect[1] > 0 and effect > best_effect:  # never one pulling the other way
                    best, best_effect, row.driver_effect = name, effect, _difference(a, moved)
            # keys of members the old version lacks (a new measure) count as one more cause
            fresh = [r for r in rows if _new_members(old_ev, r.key)]
            fresh_total = _total(r.new for r in fresh)
            fresh_score = _score(row, _total([a, fresh_total]))
            if fresh and fresh_score[0] and fresh_score[1] > 0 and fresh_score > best_effect:
                names = sorted({m for r in fresh for m in _new_members(old_ev, r.key)})
                best, row.driver_effect = "ny medlem " + ", ".join(names), fresh_total
            row.driver = best or TOGETHER
        summed.rows.append(row)
    summed.title = f"{result.title or result.rule}, summerat över {rest}"
    return summed


def _flip(old_ev: Evaluation, new_ev: Evaluation, rid: str, key: dict, a, b) -> str | None:
    if isinstance(a, bool) and isinstance(b, bool) and a != b:
        return f"{'ja' if a else 'nej'} → {'ja' if b else 'nej'}"
    node = new_ev.plan.rules[rid].checked.node
    old_pr = old_ev.plan.rules.get(rid)
    if old_pr is None or old_pr.checked.node != node:
        return None
    if isinstance(node, ast.Call) and node.func in ("min", "max") and len(node.args) == 2:
        x, y = node.args
        if isinstance(x, ast.Name) and isinstance(y, ast.Name):
            before = _decider(old_ev, node.func, x.id, y.id, key)
            after = _decider(new_ev, node.func, x.id, y.id, key)
            if before and after and before != after:
                return f"{before} avgjorde → {after} avgör"
    return None


def _value_at(ev: Evaluation, name: str, key: dict):
    """A rule's or a parameter's value at the key (its own grain: other key parts ignored)."""
    if name in ev.values:
        val = ev.values[name]
    elif name in ev.plan.policy.parameters:
        val = ev.scope.value(name)
        if not hasattr(val, "dims"):
            return None
    else:
        return None
    pos = []
    for d in val.dims:
        if d not in key or key[d] not in ev.scope.members(d):
            return None
        pos.append(ev.scope.members(d).index(key[d]))
    return cell(val, tuple(pos))


def _decider(ev: Evaluation, func: str, x: str, y: str, key: dict) -> str | None:
    """Which side of min(x, y) / max(x, y) gives the value; at a tie, neither."""
    vx, vy = _value_at(ev, x, key), _value_at(ev, y, key)
    if not _number(vx) or not _number(vy) or vx == vy:
        return None
    return (x if vx < vy else y) if func == "min" else (x if vx > vy else y)


def _checks(old_ev: Evaluation, new_ev: Evaluation) -> list[CheckImpact]:
    old = {c.id: c for c in old_ev.checks}
    new = {c.id: c for c in new_ev.checks}
    out = []
    for cid in list(old) + [c for c in new if c not in old]:
        a, b = old.get(cid), new.get(cid)
        passed_a = a.passed if a else None
        passed_b = b.passed if b else None
        if passed_a != passed_b or passed_b is False:
            shown = b if b is not None else old[cid]  # the id is in one version or the other
            out.append(CheckImpact(cid, shown.title, passed_a, passed_b, shown.detail))
    return out
