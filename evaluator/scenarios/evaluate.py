"""Evaluating many scenarios at once: the scenario axis in front of every value that depends on a
varied parameter; rules that depend on none keep their base value, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EvaluationError, Location, VillkorError
from ..lang import ast, values as V
from ..lang.interp import Interp
from ..lang.values import Val
from .read import Scenario

SCEN = "#scenario"


class _Loop(Exception):
    """Raised inside a vectorised evaluation that cannot carry the scenario axis (internal)."""



def scenario_slice(val: Val, s: int) -> Val:
    return Val(val.kind, val.data[s], val.dims[1:], None if val.null is None else val.null[s],
               val.categories)


class _ScenarioInterp(Interp):
    """Aggregating input rows never carries the scenario axis: the rows have none."""

    def group_rows(self, node, name, v):
        if SCEN not in self.target:
            return super().group_rows(node, name, v)
        target = self.target
        self.target = tuple(d for d in target if d != SCEN)
        try:
            return super().group_rows(node, name, v)
        finally:
            self.target = target


def _share(scope, base) -> None:
    scope._columns, scope._codes = base._columns, base._codes
    scope._lookups, scope._group_keys = base._lookups, base._group_keys


def _scenario_scope_class():
    from ..engine import RuntimeScope

    class ScenarioScope(RuntimeScope):
        """Every name's value with the scenario axis in front where it varies."""

        def __init__(self, base, n: int, stacked: dict, loose: dict):
            super().__init__(base.plan, base.tables)
            _share(self, base)
            self.base = base
            self.dim_order = (SCEN,) + base.dim_order
            self.rule_values = dict(base.rule_values)
            self.n = n
            self.stacked = stacked  # parameter id -> Val with the scenario axis first
            self.loose = loose  # parameter id -> [Parameter per scenario] (text, lists)
            self._scen = tuple(range(n))

        def members(self, dim):
            return self._scen if dim == SCEN else super().members(dim)

        def value(self, name):
            if name in self.stacked and name not in self.rule_values:
                return self.stacked[name]
            if name in self.loose and name not in self.rule_values:
                raise _Loop()
            return super().value(name)

        def codes(self, table, dim):
            if dim == SCEN:
                raise _Loop()
            return super().codes(table, dim)

    class SliceScope(RuntimeScope):
        """The values of one scenario: its slice of every varied value."""

        def __init__(self, parent, s: int, dependent: set):
            super().__init__(parent.plan, parent.tables)
            _share(self, parent.base)
            self.parent, self.s, self.dependent = parent, s, dependent

        def value(self, name):
            p = self.parent
            if name in self.dependent and name in p.rule_values:
                return scenario_slice(p.rule_values[name], self.s)
            if name in p.rule_values:
                return p.rule_values[name]
            if name in p.stacked:
                return scenario_slice(p.stacked[name], self.s)
            if name in p.loose:
                return self.parameter_value(p.loose[name][self.s])
            return super().value(name)

    return ScenarioScope, SliceScope


@dataclass
class Flip:
    rule: str
    node: Any
    winners: np.ndarray  # argument index per (scenario, *key)
    args: list


@dataclass
class ScenarioRun:
    evaluation: Any
    tables: Any
    scenarios: list[Scenario]
    varied: list[str]
    dependent: list[str]
    values: dict[str, Val]  # dependent rule -> stacked value (scenario axis first)
    flips: list[Flip]
    failed_checks: list[list[str]]  # per scenario (index 0 = base): titles of failed checks
    looped: list[str]  # rules evaluated once per scenario
    flip_counts: list[int] = field(default_factory=list)  # per scenario, every rule's flips


def _stack_parameter(scope, p, scenarios, n: int):
    """The varied parameter over all scenarios: a Val with the scenario axis first, or None."""
    base = scope.parameter_value(p)
    if not isinstance(base, Val) or base.kind not in ("number", "bool", "date"):
        return None
    dims = scope.static.param_types[p.id].dims if p.by else ()
    index = {d: {m: i for i, m in enumerate(scope.members(d))} for d in dims}
    order = [p.by.index(d) for d in dims]
    cells = np.empty((n,) + base.data.shape, dtype=object)
    cells[...] = base.data.astype(object) if base.kind == "date" else V.as_object(base.data)
    for s, sc in enumerate(scenarios, start=1):
        for (pid, key), value in sc.cells.items():
            if pid != p.id:
                continue
            if isinstance(value, (list, tuple, str)) or (base.kind == "number" and isinstance(value, bool)):
                return None
            pos = tuple(index[d][key[i]] for d, i in zip(dims, order)) if dims else ()
            cells[(s,) + pos] = np.datetime64(value, "D") if base.kind == "date" else value
    if base.kind == "number":
        data = V.narrow(cells)
    elif base.kind == "bool":
        data = cells.astype(bool)
    else:
        data = cells.astype("datetime64[D]")
    null = None
    if base.null is not None:
        null = np.broadcast_to(base.null, data.shape).copy()
    return Val(base.kind, data, (SCEN,) + tuple(dims), null)


def _scenario_parameters(policy, p, scenarios):
    """The parameter as it is in each scenario (index 0 = base)."""
    from dataclasses import replace
    out = [p]
    for sc in scenarios:
        mine = {k: v for (pid, k), v in sc.cells.items() if pid == p.id}
        if not mine:
            out.append(p)
        elif p.by:
            value = {(k if isinstance(k, tuple) else (k,)): v for k, v in p.value.items()}
            value.update(mine)
            out.append(replace(p, value=value))
        else:
            out.append(replace(p, value=mine[()]))
    return out


def evaluate_scenarios(plan, tables, scenarios: list[Scenario], base=None) -> ScenarioRun:
    """Every scenario in one evaluation; `base` is the plain evaluation when already at hand
    (a goal seek evaluates many rounds of scenarios over one base)."""
    from .. import engine

    ev = base if base is not None else engine.evaluate(plan, tables)
    ScenarioScope, SliceScope = _scenario_scope_class()
    policy = plan.policy
    n = len(scenarios) + 1
    named = {pid for sc in scenarios for pid, _ in sc.cells}
    varied = [pid for pid in policy.parameters if pid in named]
    stacked, loose = {}, {}
    for pid in varied:
        val = _stack_parameter(ev.scope, policy.parameters[pid], scenarios, n)
        if val is None:
            loose[pid] = _scenario_parameters(policy, policy.parameters[pid], scenarios)
        else:
            stacked[pid] = val
    scope = ScenarioScope(ev.scope, n, stacked, loose)
    dependent: list[str] = []
    downstream = plan.graph.downstream(varied)
    values: dict[str, Val] = {}
    flips: list[Flip] = []
    looped: list[str] = []
    for pr in plan.order:
        if pr.id in ev.skipped or pr.id not in downstream:
            continue
        dependent.append(pr.id)
        val, rule_flips, loop = _evaluate(scope, SliceScope, pr, set(dependent), scenarios)
        if loop:
            looped.append(pr.id)
        values[pr.id] = val
        scope.rule_values[pr.id] = val
        flips += rule_flips
    failed: list[list[str]] = [[] for _ in range(n)]
    for pr in plan.checks:
        if pr.inputs & set(tables.missing_optional) or not (plan.graph.check_direct(pr.id) & (downstream | set(varied))):
            continue
        val, _, _ = _evaluate(scope, SliceScope, pr, set(dependent), scenarios, check=True)
        ok = val.data if val.null is None else (val.data & ~val.null)
        passed = ok.reshape(n, -1).all(axis=1)
        for s in np.flatnonzero(~passed):
            failed[s].append(pr.rule.title or pr.id)
    return ScenarioRun(ev, tables, scenarios, varied, dependent, values, flips, failed, looped)


def _evaluate(scope, SliceScope, pr, dependent: set, scenarios, check: bool = False):
    """A dependent rule over every scenario: (stacked value, flips, evaluated per scenario?)."""
    from ..engine import locate, to_grid

    dims = (SCEN,) + tuple(pr.type.dims)
    trace: dict = {}
    try:
        try:
            value = _ScenarioInterp(scope, pr.checked, (SCEN,) + tuple(pr.per), trace).run()
            value = to_grid(scope, value, dims)
            winners = _winners(scope, pr, trace, dims)
            loop = False
        except _Loop:
            slices, per_winners = [], []
            for s in range(scope.n):
                sub = SliceScope(scope, s, dependent)
                tr: dict = {}
                v = to_grid(sub, Interp(sub, pr.checked, tuple(pr.per), tr).run(), tuple(pr.type.dims))
                slices.append(v)
                per_winners.append(_winners(sub, pr, tr, tuple(pr.type.dims)))
            value = _stack(slices)
            winners = [(node, args, np.stack([w[i][2] for w in per_winners]))
                       for i, (node, args, _) in enumerate(per_winners[0])] if per_winners[0] else []
            loop = True
    except VillkorError as err:
        raise locate(err, scope.policy, pr.rule) from None
    if not check and value.null is not None and value.null.any() and not pr.rule.nullable:
        s = int(np.flatnonzero(value.null.reshape(scope.n, -1).any(axis=1))[0])
        name = "the base policy" if s == 0 else f"scenario '{scenarios[s - 1].name}'"
        raise EvaluationError(f"rule '{pr.id}' has no value in {name}: a division by zero, a comparison "
                              "with an absent value, or a missing row in a unique input",
                              Location(file=pr.rule.location.file, line=pr.rule.location.line,
                                       column=pr.rule.location.column, rule=pr.id),
                              "run that scenario alone with --params to see where")
    return value, [Flip(pr.id, node, w, args) for node, args, w in winners], loop


def _stack(vals: list[Val]) -> Val:
    datas = [v.data for v in vals]
    if len({d.dtype for d in datas}) > 1:
        datas = [V.as_object(d) for d in datas]
    null = None
    if any(v.null is not None for v in vals):
        null = np.stack([v.null if v.null is not None else np.zeros(v.data.shape, dtype=bool) for v in vals])
    return Val(vals[0].kind, np.stack(datas), (SCEN,) + vals[0].dims, null, vals[0].categories)


def _winners(scope, pr, trace: dict, dims: tuple):
    """For each min/max of two or more arguments at the rule's grain: the deciding argument per key."""
    from ..engine import to_grid

    out = []
    stack = [pr.checked.node]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Filter):
            continue
        stack.extend(reversed(list(node.children())))
        if not (isinstance(node, ast.Call) and node.func in ("min", "max") and len(node.args) >= 2):
            continue
        traced = (trace.get(id(a)) for a in node.args)
        vals = [v for v in traced if isinstance(v, Val) and v.kind == "number" and set(v.dims) <= set(dims)]
        if len(vals) != len(node.args):
            continue
        grids = [to_grid(scope, v, dims).data for v in vals]
        best, win = grids[0], np.zeros(grids[0].shape, dtype=np.int8)
        for j, g in enumerate(grids[1:], start=1):
            better = np.asarray(g < best if node.func == "min" else g > best, dtype=bool)
            win = np.where(better, j, win).astype(np.int8)
            best = np.where(better, g, best)
        out.append((node, list(node.args), win))
    return out
