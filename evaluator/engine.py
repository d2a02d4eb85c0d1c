"""Evaluation of a planned policy over input tables: each rule once, as whole arrays.

A rule's value is an array over the full grid of its grain (every member combination of
its `per` dimensions), so every key has a value — a region without any rows gets 0 from
`sum`, not a missing line. Nothing here knows about regions, measures, caps or tariffs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data import Tables
from .data.cube import Coded, Cube
from .errors import CheckFailed, EvaluationError, Location, VillkorError
from .lang import values as V
from .lang.interp import Interp
from .lang.scope import Scope
from .lang.values import ListVal, TableView, Val
from .plan import Plan, PlannedRule, StaticScope, locate
from .policy.model import Check, Parameter, Policy, Rule
from .result import CheckResult, DataInfo, Notice, OutputTable, PolicyInfo, RunResult

MAX_KEYS_IN_MESSAGE = 5


class RuntimeScope(Scope):
    """Values of every name: parameters, computed rules, input columns, dimension keys."""

    def __init__(self, plan: Plan, tables: Tables):
        self.plan = plan
        self.policy = plan.policy
        self.static: StaticScope = plan.scope
        self.dim_order = self.static.dim_order
        self.tables = tables
        self.rule_values: dict[str, Val] = {}
        self._params: dict[str, Any] = {}
        self._columns: dict[tuple[str, str], Val] = {}
        self._codes: dict[tuple[str, str], np.ndarray] = {}
        self._lookups: dict[tuple[str, str], Val] = {}
        self._group_keys: dict[tuple, np.ndarray] = {}

    # -- static side, delegated
    def type_of(self, name):
        return self.static.type_of(name)

    def table(self, name):
        return self.static.table(name)

    def members(self, dim):
        return self.static.members(dim)

    def names(self):
        return self.static.names()

    # -- values
    def value(self, name):
        if name in self.rule_values:
            return self.rule_values[name]
        if name in self.policy.parameters:
            if name not in self._params:
                self._params[name] = self.parameter_value(self.policy.parameters[name])
            return self._params[name]
        if name in self.policy.inputs:
            return TableView(name)
        if name in self.policy.dimensions:
            members = self.policy.dimensions[name].members
            return Val(self.static.type_of(name).kind, np.arange(len(members), dtype=np.int64), (name,),
                       categories=tuple(members))
        raise EvaluationError(f"'{name}' has no value (a rule skipped for lack of an optional input?)")

    def parameter_value(self, p: Parameter):
        if not p.by:
            if isinstance(p.value, (list, tuple)):
                return ListVal([V.scalar(v) for v in p.value])
            return V.scalar(p.value)
        dims = self.static.param_types[p.id].dims
        sizes = [len(self.members(d)) for d in dims]
        order = [p.by.index(d) for d in dims]
        cells = np.empty(sizes, dtype=object)
        null = np.ones(sizes, dtype=bool)
        index = {d: {m: i for i, m in enumerate(self.members(d))} for d in dims}
        for key, val in p.value.items():
            key = key if isinstance(key, tuple) else (key,)
            pos = tuple(index[d][key[i]] for d, i in zip(dims, order))
            cells[pos] = val
            null[pos] = False
        sample = next((v for v in p.value.values()), 0)
        kind = V.scalar(sample).kind
        cells[null] = _zero(kind)
        return Val(kind, _typed(kind, cells), dims, null if null.any() else None)

    def column(self, table, column):
        key = (table, column)
        if key not in self._columns:
            self._columns[key] = self._column_val(table, column)
        return self._columns[key]

    def _column_val(self, table: str, column: str) -> Val:
        frame = self.tables.tables[table].frame
        decl = self.policy.inputs[table].columns[column]
        kind = self.static.tables[table].columns[column].kind
        axis = ("#" + table,)
        series = frame[column]
        if isinstance(series, np.ndarray):  # a summed or grouped whole-number or flag column of a cube
            return Val(kind, series, axis, None, table=table)
        if isinstance(series, Coded):  # a cube's member column
            return _codes_val(kind, series.codes, series.members, axis, table)
        import pandas as pd  # a typed table's column

        if isinstance(series.dtype, pd.CategoricalDtype):
            # int8 codes for a few members: compact and fast to index
            return _codes_val(kind, series.cat.codes.to_numpy(), tuple(series.cat.categories), axis, table)
        if decl.enum and decl.type == "string":
            cat = pd.Categorical(series, categories=list(decl.enum))
            return _codes_val("string", np.asarray(cat.codes, dtype=np.int64), tuple(decl.enum), axis, table)
        data, null = _column_array(kind, series)
        return Val(kind, data, axis, null, table=table)

    def codes(self, table, dim):
        key = (table, dim)
        if key not in self._codes:
            col = self.policy.inputs[table].by[dim]
            self._codes[key] = self.column(table, col).data
        return self._codes[key]

    def group_key(self, table, dims):
        """Cached: several rules group the same table to the same grain."""
        key = (table, tuple(dims))
        if key not in self._group_keys:
            self._group_keys[key] = super().group_key(table, dims)
        return self._group_keys[key]

    def nrows(self, table):
        return len(self.tables.tables[table].frame)

    def records(self, table):
        frame = self.tables.tables[table].frame
        return frame.records if isinstance(frame, Cube) else None

    def lookup(self, table, column, dims):
        """The one row per key of a unique table, on the full grid (default or null where none)."""
        key = (table, column)
        if key in self._lookups:
            return self._lookups[key]
        col = self.column(table, column)
        sizes = [len(self.members(d)) for d in dims]
        default = self.policy.inputs[table].columns[column].default
        fill = V.scalar(default) if default is not None else None
        if col.data.dtype == object:
            data = np.empty(sizes, dtype=object)
            data[...] = fill.data[()] if fill is not None else _zero(col.kind)
        else:
            base = fill.data if fill is not None and col.categories is None else np.zeros((), col.data.dtype)
            if col.categories is not None and default is not None:
                base = np.asarray(col.categories.index(default))
            data = np.full(sizes, base, dtype=col.data.dtype)
        null = np.full(sizes, fill is None, dtype=bool)
        index = tuple(self.codes(table, d) for d in dims)
        data[index] = col.data
        null[index] = col.null if col.null is not None else False
        val = Val(col.kind, data, tuple(dims), null if null.any() else None, col.categories)
        self._lookups[key] = val
        return val


def _codes_val(kind: str, codes: np.ndarray, members: tuple, axis: tuple[str, ...], table: str) -> Val:
    """A member column as its codes, an empty cell (code -1) as null."""
    null = codes < 0
    if null.any():
        return Val(kind, np.where(null, 0, codes), axis, null, members, table=table)
    return Val(kind, codes, axis, None, members, table=table)


def _zero(kind: str):
    return {"number": 0, "bool": False, "string": "", "date": np.datetime64("1970-01-01", "D"),
            "duration": np.timedelta64(0, "D")}.get(kind, 0)


def _typed(kind: str, cells: np.ndarray) -> np.ndarray:
    if kind == "number":
        return V.narrow(cells)
    if kind == "bool":
        return cells.astype(bool)
    if kind == "date":
        return cells.astype("datetime64[D]")
    return cells


def _column_array(kind: str, series) -> tuple[np.ndarray, np.ndarray | None]:
    """A typed frame column as an exact numpy array and a null mask."""
    null = series.isna().to_numpy()
    has_null = bool(null.any())
    if kind == "number":
        if series.dtype == object:
            arr = series.to_numpy(dtype=object, na_value=0)
            return V.narrow(arr) if len(arr) <= 100_000 else arr, (null if has_null else None)
        arr = series.to_numpy(dtype=np.int64, na_value=0)
        return arr, (null if has_null else None)
    if kind == "bool":
        return series.to_numpy(dtype=bool, na_value=False), (null if has_null else None)
    if kind == "date":
        arr = series.to_numpy(dtype="datetime64[D]", na_value=np.datetime64("1970-01-01"))
        return arr, (null if has_null else None)
    arr = series.to_numpy(dtype=object, na_value="")
    return arr, (null if has_null else None)


@dataclass
class Evaluation:
    """Everything a run computed, kept for reports and explanations."""

    plan: Plan
    scope: RuntimeScope
    values: dict[str, Val]
    skipped: dict[str, list[str]]  # rule -> absent optional inputs it needed
    checks: list[CheckResult]
    warnings: list[str]
    traces: dict[str, dict] = field(default_factory=dict)


def evaluate(plan: Plan, tables: Tables, trace: bool = False, stop_on_failed_check: bool = True,
             rows: bool = False) -> Evaluation:
    """Evaluate every rule in plan order, then the checks. Raises on null values and, unless
    told otherwise (explain shows why a check fails), on a failed check.

    A table feeding only filtered sums is evaluated as its cube (data/cube.py), traced or not:
    a cube's cells count the rows they sum, so a trace reports the rows a sum matched all the
    same. `rows` keeps every table's rows, for what must see them one by one (an explanation
    that lists them, a fixture's trace)."""
    from .data.cube import cube_tables

    evaluated = tables if rows else cube_tables(plan, tables)
    for table in evaluated.tables.values():
        table.load()
    scope = RuntimeScope(plan, evaluated)
    skipped: dict[str, list[str]] = {}
    traces: dict[str, dict] = {}
    missing = set(tables.missing_optional)
    for pr in plan.order:
        absent = sorted(pr.inputs & missing)
        if absent:
            skipped[pr.id] = absent
            continue
        tr: dict[Any, Val] | None = {} if trace else None
        scope.rule_values[pr.id] = _evaluate_rule(scope, pr, tr)
        if tr is not None:
            traces[pr.id] = tr
    checks = [_evaluate_check(scope, pr) for pr in plan.checks if not (pr.inputs & missing)]
    warnings = list(tables.warnings) + _illustrative_warnings(plan, skipped)
    for rid, absent in skipped.items():
        warnings.append(Notice(f"rule '{rid}' not computed: optional input {', '.join(absent)} is absent",
                               "not_computed", rule=plan.rules[rid].rule.title or rid,
                               inputs=[plan.policy.inputs[i].title or i for i in absent]))
    warnings += _absent_input_warnings(plan, skipped, missing)
    failed = [c for c in checks if not c.passed]
    if failed and stop_on_failed_check:
        check = next(p for p in plan.checks if p.id == failed[0].id)
        raise CheckFailed(f"check '{failed[0].id}' failed: {failed[0].detail}",
                          _rule_location(check), "the data or the parameters break an invariant of the policy")
    return Evaluation(plan, scope, scope.rule_values, skipped, checks, warnings, traces)


def _rule_location(pr: PlannedRule[Rule] | PlannedRule[Check]) -> Location:
    loc = pr.rule.location
    label = pr.id if not pr.is_check else f"check {pr.id}"
    return Location(file=loc.file, line=loc.line, column=loc.column, rule=label)


def _evaluate_rule(scope: RuntimeScope, pr: PlannedRule[Rule], trace: dict[Any, Val] | None) -> Val:
    try:
        value = Interp(scope, pr.checked, pr.per, trace).run()
    except VillkorError as err:
        raise locate(err, scope.policy, pr.rule) from None
    value = to_grid(scope, value, pr.type.dims)
    if value.null is not None and value.null.any() and not pr.rule.nullable:
        keys = _keys_where(scope, pr.type.dims, value.null)
        raise EvaluationError(f"no value for {keys}: a division by zero, a comparison with an absent "
                              "value, or a missing row in a unique input", _rule_location(pr),
                              "guard the expression with if … then … else …, give the input column a "
                              "default, or declare the rule nullable: true")
    return value


def to_grid(scope: Scope, value: Val | ListVal, dims: tuple[str, ...]) -> Val:
    """Broadcast a value to every key of its rule's grain (a national value per region, ...)."""
    if isinstance(value, ListVal):
        raise EvaluationError("a rule's value cannot be a list")
    data, null = V.expand(value, dims)
    shape = tuple(len(scope.members(d)) for d in dims)
    data = np.array(np.broadcast_to(data, shape))
    null = np.array(np.broadcast_to(null, shape)) if null is not None else None
    return Val(value.kind, data, dims, null, value.categories)


def keys_of(scope: Scope, dims: tuple[str, ...]):
    """Every key of a grain in canonical order: (index tuple, {dim: member})."""
    members = [scope.members(d) for d in dims]
    for idx in itertools.product(*[range(len(m)) for m in members]):
        yield idx, {d: members[i][j] for i, (d, j) in enumerate(zip(dims, idx))}


def _keys_where(scope, dims, mask) -> str:
    hits = [key for idx, key in keys_of(scope, dims) if mask[idx]]
    text = ", ".join(" ".join(f"{d}={v}" for d, v in k.items()) for k in hits[:MAX_KEYS_IN_MESSAGE])
    more = len(hits) - MAX_KEYS_IN_MESSAGE
    return text + (f" and {more} more" if more > 0 else "") if text else "the national value"


def _evaluate_check(scope: RuntimeScope, pr: PlannedRule[Check]) -> CheckResult:
    trace: dict[Any, Val] = {}
    try:
        value = to_grid(scope, Interp(scope, pr.checked, pr.per, trace).run(), pr.type.dims)
    except VillkorError as err:
        raise locate(err, scope.policy, pr.rule) from None
    ok = value.data if value.null is None else (value.data & ~value.null)
    passed = bool(np.all(ok))
    detail = _check_detail(scope, pr, trace, ok)
    return CheckResult(pr.id, pr.rule.title, passed, detail)


def _check_detail(scope: RuntimeScope, pr: PlannedRule[Check], trace: dict[Any, Val], ok: np.ndarray) -> str:
    """The values that decided a check: both sides of its comparison, at the failing keys."""
    from .lang import ast
    from .present import format_value

    node = pr.checked.node
    sides = [node.left, node.right] if isinstance(node, ast.Binary) else []
    text = pr.rule.expr.strip()
    bad = [(idx, key) for idx, key in keys_of(scope, pr.type.dims) if not ok[idx]]
    shown = bad[:MAX_KEYS_IN_MESSAGE] if bad else list(keys_of(scope, pr.type.dims))[:1]
    parts = []
    for idx, key in shown:
        vals = []
        for side in sides:
            v = trace.get(id(side))
            if isinstance(v, Val):
                g = to_grid(scope, v, pr.type.dims)
                vals.append(f"{_snippet(pr.rule.expr, side)} = {format_value(V.cell(g, idx), None)}")
        where = " ".join(f"{d}={m}" for d, m in key.items())
        parts.append((f"{where}: " if where else "") + ", ".join(vals))
    status = "holds" if not bad else f"fails for {len(bad)} key{'s' if len(bad) != 1 else ''}"
    return f"{text} {status}" + (f" ({'; '.join(p for p in parts if p)})" if any(parts) else "")


def _snippet(text: str, node) -> str:
    lines = text.split("\n")
    if node.line - 1 < len(lines):
        return lines[node.line - 1][node.column - 1:node.end_column - 1]
    return "?"


def _absent_input_warnings(plan: Plan, skipped: dict[str, list[str]], missing: set[str]) -> list[str]:
    """One Swedish sentence per absent optional input that some rule needs: which outputs are
    therefore not computed (by their titles)."""
    policy = plan.policy
    out = []
    for iid in (i for i in policy.inputs if i in missing):
        titles = [policy.rules[r].title or r for r in policy.outputs if iid in skipped.get(r, ())]
        if not titles:
            continue
        title = policy.inputs[iid].title or iid
        out.append(f"Ingen indata har lästs för ”{title}”. Följande beräknas därför inte: "
                   + "; ".join(titles) + ".")
    return out


def _illustrative_warnings(plan: Plan, skipped) -> list[str]:
    graph = plan.graph
    used = {n for pr in plan.order if pr.id not in skipped for n in graph.direct(pr.id)}
    used |= {n for chk in plan.checks for n in graph.check_direct(chk.id)}
    warnings: list[str] = []
    for p in plan.policy.parameters.values():
        if p.status == "illustrative" and p.id in used:
            note = f": {p.note.strip()}" if p.note else ""
            warnings.append(Notice(f"parameter '{p.id}' is illustrative, not an official figure{note}",
                                   "illustrative", parameter=p.title or p.id, note=(p.note or "").strip()))
    return warnings


# ---------------------------------------------------------------- result


def policy_info(policy: Policy) -> PolicyInfo:
    return PolicyInfo(policy.id, policy.title, policy.version, policy.path, policy.sha256,
                      policy.valid.start.isoformat(), policy.valid.end.isoformat())


def to_result(ev: Evaluation, tables: Tables, only: list[str] | None = None) -> RunResult:
    """The run's outputs (the policy's `outputs`, or the rules asked for) as plain values."""
    policy = ev.plan.policy
    data = [DataInfo(t.id, t.path, t.sha256, t.rows) for t in
            sorted(tables.tables.values(), key=lambda t: list(policy.inputs).index(t.id))]
    outputs = {}
    for rid in (only or policy.outputs):
        pr = ev.plan.rules[rid]
        rule = pr.rule
        labels = {d: dict(policy.dimensions[d].labels) for d in pr.per if policy.dimensions[d].labels}
        table = OutputTable(rid, rule.title, tuple(pr.type.dims), rule.unit or
                            (str(pr.type.unit) if pr.type.unit else None), pr.type.kind, [],
                            computed=rid in ev.values, source=policy.reader_cite(rule.source), labels=labels,
                            dim_titles={d: t for d in pr.per if (t := policy.dimensions[d].title)})
        if rid in ev.values:
            val = ev.values[rid]
            table.rows = [{**key, "value": V.cell(val, idx)} for idx, key in keys_of(ev.scope, pr.type.dims)]
        outputs[rid] = table
    return RunResult(policy_info(policy), data, ev.warnings, outputs, ev.checks)
