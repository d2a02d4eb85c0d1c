"""Scenarios: many what-ifs of one policy in one run (`villkor run POLICY --data DIR --scenarios FILE`).

A scenario is a partial parameter override in the `--params` format. The scenario file is YAML
with named scenarios and/or a grid (every combination of the listed values), or a CSV table with
one scenario per row. Every override is checked by `policy.params` (unknown parameter, member,
kind, unit) and errors point into the scenario file.

Evaluation: the base policy is run once as usual. Scenarios are then one more dimension of the
evaluation, the axis `#scenario` (index 0 = the base, 1.. = the scenarios), put in front of every
value that depends on a varied parameter. Rules that do not depend on any varied parameter (found
through the names each rule uses, transitively) keep their base value, computed once. Each
dependent rule is evaluated once, as whole arrays with the scenario axis leading. Only a rule that
would need the scenario axis on the rows of an input table (a varied parameter inside a row filter)
or a varied text or list parameter is evaluated once per scenario on the slices of its inputs.

A flip is where the argument of a `min`/`max` that decides the value (the lowest of `min`, ties to
the first argument) differs from the base: a cap that starts or stops binding.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from .errors import EvaluationError, LimitError, Location, PolicyError, VillkorError
from .lang import ast, values as V
from .lang.interp import Interp
from .lang.values import Val
from .policy.loader import load_yaml
from .policy.params import LONG_FORM_KEYS, apply_override_values

SCEN = "#scenario"
MAX_SCENARIOS = 100_000
FILE_KEYS = ("scenarios", "grid")
FORMATS = ("json", "md", "html", "xlsx")
MAX_FLIP_LINES = 200


class _Loop(Exception):
    """Raised inside a vectorised evaluation that cannot carry the scenario axis (internal)."""


@dataclass
class Scenario:
    name: str
    cells: dict[tuple[str, tuple], Any]  # (parameter id, member key or ()) -> new value
    shown: dict[str, Any] = field(default_factory=dict)  # override as written: path -> value


# ---------------------------------------------------------------- reading the scenario file


class _Here:
    """Positions for `apply_override_values`: every key at one place, every value at another."""

    def __init__(self, key: Location, value: Location):
        self.key, self.value = key, value

    def location(self, path: tuple[Any, ...], key: bool = False) -> Location:
        return self.key if key else self.value


def _split_path(policy, text: str, here: Location) -> tuple[str, tuple]:
    """'tariff.cataract' -> ('tariff', ('cataract',)); members of integer dimensions as ints."""
    pid, *rest = str(text).split(".", 1)
    p = policy.parameters.get(pid)
    if p is None or not p.by or not rest:
        return pid, tuple(rest)
    parts = rest[0].split(".", len(p.by) - 1)
    key = []
    for d, part in zip(p.by, parts):
        members = policy.dimensions[d].members
        key.append(int(part) if part not in members and part.lstrip("-").isdigit()
                   and int(part) in members else part)
    return pid, tuple(key)


def _nest(p, key: tuple, raw):
    """The --params form of one cell: {pid: {m1: {m2: raw}}} (long form kept at the top)."""
    long_form = isinstance(raw, dict) and set(raw) <= LONG_FORM_KEYS and "value" in raw
    inner = raw["value"] if long_form else raw
    for member in reversed(key):
        inner = {member: inner}
    if long_form:
        return {**raw, "value": inner}
    return inner


def _cells_of(base, changed, pids) -> dict[tuple[str, tuple], Any]:
    """The cells of the parameters `pids` whose value differs between two policies."""
    out = {}
    for pid in pids:
        old, new = base.parameters[pid], changed.parameters[pid]
        if new.by:
            norm_old = {(k if isinstance(k, tuple) else (k,)): v for k, v in old.value.items()}
            norm_new = {(k if isinstance(k, tuple) else (k,)): v for k, v in new.value.items()}
            for k, v in norm_new.items():
                if norm_old.get(k, object()) != v or type(norm_old.get(k)) is not type(v):
                    out[(pid, k)] = v
        elif new.value != old.value or type(new.value) is not type(old.value):
            out[(pid, ())] = new.value
    return out


def read_scenarios(policy, path: str) -> tuple[list[Scenario], str]:
    """The scenarios of a file and the file's sha256; errors name the file, line and column."""
    if path.lower().endswith((".csv", ".txt", ".xlsx")):
        return _read_table(policy, path)
    loaded = load_yaml(path)
    tree = loaded.tree
    if not isinstance(tree, dict) or not tree:
        raise PolicyError("a scenario file has 'scenarios:' (named overrides) and/or 'grid:' (values to combine)",
                          loaded.location(()),
                          "e.g.\n    grid:\n      approximate_cost_excl_supplement.cataract: [9000, 10000, 11000]")
    for key in tree:
        if key not in FILE_KEYS:
            raise PolicyError(f"unknown section '{key}' in a scenario file", loaded.location((key,), key=True),
                              "sections: scenarios, grid")
    scenarios: list[Scenario] = []
    named = tree.get("scenarios") or {}
    if not isinstance(named, dict):
        raise PolicyError("'scenarios' maps a name to parameter overrides", loaded.location(("scenarios",)),
                          "e.g.\n    scenarios:\n      billigare_starr: {approximate_cost_excl_supplement: {cataract: 9000}}")
    for name, overrides in named.items():
        here = loaded.location(("scenarios", name))
        if not isinstance(overrides, dict) or not overrides:
            raise PolicyError(f"scenario '{name}' gives no parameter overrides", here,
                              "e.g. approximate_cost_excl_supplement: {cataract: 9000}")
        changed = apply_override_values(policy, overrides, path, loaded=loaded, prefix=("scenarios", name))
        cells = _cells_of(policy, changed, overrides)
        scenarios.append(Scenario(str(name), cells, {".".join(map(str, (pid, *key))): v
                                                     for (pid, key), v in cells.items()}))
    grid = tree.get("grid") or {}
    if not isinstance(grid, dict):
        raise PolicyError("'grid' maps a parameter (approximate_cost_excl_supplement.cataract) to a list of values",
                          loaded.location(("grid",)))
    axes = []
    for text, values in grid.items():
        key_loc = loaded.location(("grid", text), key=True)
        items = values if isinstance(values, list) else [values]
        if not items:
            raise PolicyError(f"grid entry '{text}' lists no values", loaded.location(("grid", text)))
        pid, key = _split_path(policy, text, key_loc)
        p = policy.parameters.get(pid)
        axis = []
        for i, raw in enumerate(items):
            val_loc = loaded.location(("grid", text, i) if isinstance(values, list) else ("grid", text))
            overrides = {pid: _nest(p, key, raw) if p is not None else raw}
            if p is not None and not p.by and key:
                raise PolicyError(f"parameter '{pid}' is a single value, not a table: write '{pid}'",
                                  key_loc)
            changed = apply_override_values(policy, overrides, path, loaded=_Here(key_loc, val_loc), prefix=())
            shown = raw["value"] if isinstance(raw, dict) and "value" in raw else raw
            axis.append((_cells_of(policy, changed, [pid]) or {(pid, key): shown}, str(text), shown))
        axes.append(axis)
    total = int(np.prod([len(a) for a in axes])) if axes else 0
    if total + len(scenarios) > MAX_SCENARIOS:
        raise LimitError(f"the grid makes {total} scenarios, more than {MAX_SCENARIOS}",
                         loaded.location(("grid",), key=True), "list fewer values")
    for combo in itertools.product(*axes) if axes else ():
        cells, shown = {}, {}
        for c, text, raw in combo:
            cells.update(c)
            shown[text] = raw
        name = ", ".join(f"{t}={_plain(v)}" for t, v in shown.items())
        scenarios.append(Scenario(name, cells, shown))
    if not scenarios:
        raise PolicyError("the scenario file names no scenario", loaded.location(()))
    return scenarios, loaded.sha256


def _plain(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass
class _Table:
    """A scenario table as read: header names, and per scenario its row number and cells."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    sep: str  # ';' where a decimal comma is the rule (Swedish CSV, any XLSX text cell)
    sha256: str
    place: str  # the file, and for a workbook its sheet: where errors point


def _read_csv_table(path: str) -> _Table:
    """A CSV table: ',' or ';' (Swedish Excel, with decimal commas), UTF-8."""
    try:
        raw = open(path, "rb").read()
    except OSError as exc:
        raise PolicyError(f"cannot read the scenario table: {exc.strerror}", Location(file=path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("the scenario table is not UTF-8 text", Location(file=path),
                          "save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]  # line of the record's end
    header = [h.strip() for h in rows[0][1]] if rows else []
    return _Table(header, rows[1:], sep, hashlib.sha256(raw).hexdigest(), path)


def _read_xlsx_table(policy, path: str) -> _Table:
    """The first sheet of a workbook, read by the data layer's rules (a formula without a saved
    value and merged cells are refused there, with the sheet and cell); rows keep their sheet
    row numbers."""
    from .data import cell_text, read_xlsx, sha256
    from .policy.model import Column, Input

    # the data layer reads an input table: the stand-in input's columns are the headers it can
    # recognise (to find a header below other text)
    names = {"scenario"} | {f"{pid}.{'.'.join(map(str, k))}" if k else pid
                            for pid, p in policy.parameters.items()
                            for k in ([()] + ([kk if isinstance(kk, tuple) else (kk,) for kk in p.value]
                                              if p.by else []))}
    raw = read_xlsx(Input("scenarios", {n: Column(n, "string") for n in sorted(names)}), path)
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True)
    try:
        title = wb.worksheets[0].title
    finally:
        wb.close()
    header = [str(c) for c in raw.frame.columns]
    rows = []
    for i, record in enumerate(raw.frame.itertuples(index=False)):
        cells = ["" if v is None else v.strip() if isinstance(v, str) else cell_text(v) for v in record]
        if any(cells):
            rows.append((raw.rows(i), cells))
    return _Table(header, rows, ";", sha256(path), f"{path}, sheet '{title}'")


def _read_table(policy, path: str) -> tuple[list[Scenario], str]:
    """A table (CSV or XLSX): a header of parameter paths (tariff.cataract), optionally a
    'scenario' column with names first, then one scenario per row."""
    table = _read_xlsx_table(policy, path) if path.lower().endswith(".xlsx") else _read_csv_table(path)
    at = table.place
    if not table.rows:
        raise PolicyError("the scenario table has a header and no scenario rows", Location(file=at, row=1),
                          "one row per scenario under a header such as: scenario,tariff.cataract")
    header = table.header
    named = header[0] == "scenario"
    columns = header[1:] if named else header
    start = 1 if named else 0
    if len(table.rows) > MAX_SCENARIOS:
        raise LimitError(f"the table has {len(table.rows)} scenarios, more than {MAX_SCENARIOS}", Location(file=at))
    for r, row in table.rows:
        if len(row) != len(header):
            raise PolicyError(f"the row has {len(row)} cells, the header {len(header)}",
                              Location(file=at, row=r), "one value per column")
    parsed: list[tuple[str, tuple, list]] = []
    first = table.rows[0][0]
    for j, col in enumerate(columns):
        here = Location(file=at, row=1, field=col)
        pid, key = _split_path(policy, col, here)
        p = policy.parameters.get(pid)
        read = _cell_reader(p, table.sep)
        cells = [read(row[start + j].strip(), (at, r, col)) for r, row in table.rows]
        # names, members, kind and unit through the --params rules, on the first row's value
        if p is not None and not p.by and key:
            raise PolicyError(f"parameter '{pid}' is a single value, not a table: write '{pid}'", here)
        probe = {pid: _nest(p, key, cells[0]) if p is not None else cells[0]}
        apply_override_values(policy, probe, path,
                              loaded=_Here(here, Location(file=at, row=first, field=col)), prefix=())
        parsed.append((pid, key, cells))
    scenarios = []
    for i, (r, row) in enumerate(table.rows):
        name = row[0].strip() if named else f"rad {r}"
        chosen = {(pid, key): values[i] for pid, key, values in parsed}
        scenarios.append(Scenario(name, chosen, {col: values[i] for col, (_, _, values) in zip(columns, parsed)}))
    return scenarios, table.sha256


def _cell_reader(p, sep: str):
    """The reader of one column's cells: whole kronor (most cells) without a detour; every other
    cell, and every error with its place (file, row, column), through `_cell`."""
    sample = (next(iter(p.value.values()), None) if p.by else p.value) if p is not None else None
    whole = isinstance(sample, (int, Decimal)) and not isinstance(sample, bool)

    def read(text: str, where: tuple):
        if whole and text.isdigit() and text.isascii():
            return int(text)
        return _cell(p, text, sep, Location(file=where[0], row=where[1], field=where[2]))
    return read


def _cell(p, text: str, sep: str, here: Location):
    """One table cell as a value of the parameter's kind."""
    sample = None
    if p is not None:
        sample = next(iter(p.value.values()), None) if p.by else p.value
    if isinstance(sample, bool):
        if text.lower() in ("true", "ja", "1"):
            return True
        if text.lower() in ("false", "nej", "0"):
            return False
    elif isinstance(sample, (int, Decimal)):
        t = text.replace(" ", "").replace("\u2009", "")
        if sep == ";":
            t = t.replace(",", ".")
        if NUMBER.fullmatch(t):
            d = Decimal(t)
            return int(d) if d == d.to_integral_value() and "." not in t else d
    elif isinstance(sample, dt.date):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    elif isinstance(sample, str) or p is None:
        return text
    else:
        raise PolicyError(f"parameter '{p.id}' cannot be given in a table cell", here,
                          "vary it in a YAML scenario file")
    kind = {bool: "true/false", dt.date: "date"}.get(type(sample), "number")
    raise PolicyError(f"parameter '{p.id}' is a {kind}, not {text!r}", here,
                      "give a value of the same kind as in the policy")


# ---------------------------------------------------------------- evaluation


def _slice(val: Val, s: int) -> Val:
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
    from .engine import RuntimeScope

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
                return _slice(p.rule_values[name], self.s)
            if name in p.rule_values:
                return p.rule_values[name]
            if name in p.stacked:
                return _slice(p.stacked[name], self.s)
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
    from . import engine

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
    from .engine import locate, to_grid

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
    from .engine import to_grid

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


# ---------------------------------------------------------------- the report


def _diff(data: np.ndarray) -> np.ndarray:
    base = data[0:1]
    if data.dtype == np.int64 and V._magnitude(data) < 2 ** 61:
        return data - base
    return V.add(V.as_object(data), V.as_object(np.broadcast_to(base, data.shape)), sign=-1)


def _json_list(arr: np.ndarray) -> list:
    """A whole array as JSON-ready lists (called once per output, on all scenarios at once)."""
    from .report.json_writer import value_to_json
    if arr.dtype == np.int64 or arr.dtype == bool:
        return arr.tolist()
    if arr.dtype.kind == "M":
        return [[str(x) for x in row] for row in arr.astype(object).tolist()] if arr.ndim > 1 else \
            [str(x) for x in arr.astype(object).tolist()]
    flat = [value_to_json(V.py_value("number", x)) if isinstance(x, (int, Decimal, np.integer)) else x
            for x in arr.reshape(-1)]
    return np.asarray(flat, dtype=object).reshape(arr.shape).tolist()


@dataclass
class OutputSpec:
    rid: str
    title: str
    unit: str | None
    dims: tuple
    kind: str
    keys: list[dict]
    data: np.ndarray  # (scenarios + 1, keys)
    diff: np.ndarray | None
    flip: np.ndarray  # (scenarios + 1, keys) bool: a min/max of this rule flipped at the key


def output_specs(run: ScenarioRun, chosen: list[str]) -> list[OutputSpec]:
    """The chosen outputs as every format shows them: a row per scenario (the base first), a
    column per key, the difference from the base and where a min/max flipped."""
    from .engine import keys_of
    ev = run.evaluation
    n = len(run.scenarios) + 1
    specs = []
    for rid in chosen:
        pr = ev.plan.rules[rid]
        if rid not in ev.values:
            continue
        dims = tuple(pr.type.dims)
        keys = [k for _, k in keys_of(ev.scope, dims)]
        val = run.values.get(rid)
        if val is None:
            base = ev.values[rid]
            data = np.broadcast_to(base.data.reshape(1, -1), (n, base.data.size))
        else:
            data = val.data.reshape(n, -1)
        if val is not None and val.categories is not None:
            data = val.decoded().reshape(n, -1)
        flip = np.zeros(data.shape, dtype=bool)
        for f in run.flips:
            if f.rule == rid:
                w = f.winners.reshape(n, -1)
                flip |= w != w[0:1]
        kind = pr.type.kind
        specs.append(OutputSpec(rid, pr.rule.title or rid, pr.rule.unit or (str(pr.type.unit) if pr.type.unit else None),
                                dims, kind, keys, data, _diff(data) if kind == "number" else None, flip))
    return specs


def _arg_title(policy, node) -> str:
    from .lang.printer import to_text
    if isinstance(node, ast.Name):
        item = policy.rules.get(node.id) or policy.parameters.get(node.id)
        if item is not None and item.title:
            return item.title
    return to_text(node)


def _flip_lines(run: ScenarioRun, limit: int = MAX_FLIP_LINES) -> tuple[list[list[str]], int]:
    """Per scenario, Swedish lines describing each flip."""
    from .engine import keys_of
    ev = run.evaluation
    policy = ev.plan.policy
    n = len(run.scenarios) + 1
    lines: list[list[str]] = [[] for _ in range(n)]
    per = [0] * n
    count = 0
    for f in run.flips:
        pr = ev.plan.rules.get(f.rule)
        title = (pr.rule.title if pr else None) or f.rule
        dims = tuple(pr.type.dims) if pr else ()
        keys = [k for _, k in keys_of(ev.scope, dims)]
        w = f.winners.reshape(n, -1)
        word = "lägst" if f.node.func == "min" else "högst"
        for s, j in zip(*np.nonzero(w != w[0:1])):
            count += 1
            per[s] += 1
            if count > limit:
                continue
            where = ", ".join(str(_label(policy, d, m)) for d, m in keys[j].items())
            before = _arg_title(policy, f.args[int(w[0, j])])
            after = _arg_title(policy, f.args[int(w[s, j])])
            lines[s].append(f"{title}{' för ' + where if where else ''}: i grundpolicyn var {before} {word}, "
                            f"nu är {after} {word}")
    run.flip_counts = per
    return lines, count


def _label(policy, dim, member):
    labels = policy.dimensions[dim].labels
    return labels.get(member, member) if labels else member


def to_document(run: ScenarioRun, specs: list[OutputSpec], source: dict) -> dict:
    from .engine import policy_info
    from .report.json_writer import value_to_json
    ev = run.evaluation
    info = policy_info(ev.plan.policy)
    flips, _ = _flip_lines(run, limit=10 ** 9)
    outputs = {}
    for o in specs:
        outputs[o.rid] = {"title": o.title, "unit": o.unit, "dims": list(o.dims),
                          "keys": [[value_to_json(k[d]) for d in o.dims] for k in o.keys] if o.dims else None}
    # every output's values, differences and flips as lists once, for all scenarios together
    rows = {o.rid: (_json_list(o.data), None if o.diff is None else _json_list(o.diff),
                    None if o.diff is not None else (o.data != o.data[0:1]).tolist(),
                    set(np.flatnonzero(o.flip.any(axis=1)).tolist()))  # the scenarios with a flip
            for o in specs}

    def one(o: OutputSpec, s: int) -> dict:
        vals, diffs, changed, flipped = rows[o.rid]
        entry = {"value": vals[s] if o.dims else vals[s][0]}
        if diffs is not None:
            entry["difference"] = diffs[s] if o.dims else diffs[s][0]
        elif s and changed is not None:  # without differences (not numbers): whether it changed
            entry["changed"] = changed[s] if o.dims else changed[s][0]
        if s and s in flipped:
            entry["flips"] = [[value_to_json(o.keys[j][d]) for d in o.dims] for j in np.flatnonzero(o.flip[s])]
        return entry
    base = {"outputs": {o.rid: one(o, 0)["value"] for o in specs}, "failed_checks": run.failed_checks[0]}
    scen = []
    for s, sc in enumerate(run.scenarios, start=1):
        scen.append({"name": sc.name, "overrides": {k: v if type(v) is int else value_to_json(v)
                                                    for k, v in sc.shown.items()},
                     "outputs": {o.rid: one(o, s) for o in specs},
                     "flips": flips[s], "failed_checks": run.failed_checks[s]})
    return {"policy": {"id": info.id, "version": info.version, "sha256": info.sha256, "title": info.title,
                       "path": info.path},
            "data": [{"table": t.id, "path": t.path, "sha256": t.sha256, "rows": t.rows}
                     for t in run.tables.tables.values()],
            "scenario_file": source, "warnings": list(ev.warnings),
            "varied": run.varied, "recomputed": run.dependent, "outputs": outputs, "base": base,
            "scenarios": scen}


def _signed(value, unit) -> str:
    from .present import format_value
    if value == 0:
        return "±0"
    text = format_value(value, unit)
    return text if text.startswith(("\u2212", "≈ \u2212")) else "+" + text


def to_blocks(run: ScenarioRun, specs: list[OutputSpec], source: dict):
    from .present import format_value
    from .report.layout import Block
    ev = run.evaluation
    policy = ev.plan.policy
    n = len(run.scenarios) + 1
    varied = ", ".join(policy.parameters[p].title or p for p in run.varied)
    blocks = [Block("h1", f"Scenarier: {policy.title}"),
              Block("p", f"Policy {policy.id} {policy.version} (sha256 {policy.sha256[:12]}), scenariofil "
                         f"{source['path']} (sha256 {source['sha256'][:12]}): {n - 1} scenarier mot grundpolicyn. "
                         f"Varierade parametrar: {varied}. Omräknade regler: {len(run.dependent)} av "
                         f"{len(policy.rules)}; övriga är beräknade en gång.")]
    if ev.warnings:
        from .report.warnings_sv import swedish
        blocks += [Block("h2", "Varningar"), Block("list", items=[swedish(w) for w in ev.warnings])]
    national = [o for o in specs if not o.dims]
    flips, count = _flip_lines(run)
    header = ["Scenario"]
    for o in national:
        header += [o.title, "Skillnad"] if o.diff is not None else [o.title]
    header += ["Skiften", "Kontroller som inte håller"]
    rows = []
    for s in range(n):
        row = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name]
        for o in national:
            row.append(format_value(_cell_value(o, s, 0), o.unit))
            if o.diff is not None:
                row.append("" if s == 0 else _signed(_cell_value(o, s, 0, o.diff), o.unit))
        row.append("" if s == 0 else str(run.flip_counts[s]))
        row.append(", ".join(run.failed_checks[s]))
        rows.append(row)
    numeric = [False] + [True] * (len(header) - 3) + [True, False]
    blocks += [Block("h2", "Översikt"), Block("table", header=header, rows=rows, numeric=numeric)]
    for o in [o for o in specs if o.dims]:
        head = ["Scenario"] + [" ".join(str(_label(policy, d, k[d])) for d in o.dims) for k in o.keys]
        body = []
        for s in range(n):
            cells = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name]
            for j in range(len(o.keys)):
                text = format_value(_cell_value(o, s, j), o.unit)
                if s and o.diff is not None:
                    text += f" ({_signed(_cell_value(o, s, j, o.diff), o.unit)})"
                elif s and o.data[s, j] != o.data[0, j]:
                    text += " (ändrad)"
                if s and o.flip[s, j]:
                    text += " ⚑"
                cells.append(text)
            body.append(cells)
        blocks += [Block("h2", f"{o.title} ({o.rid})"),
                   Block("table", header=head, rows=body, numeric=[False] + [True] * len(o.keys))]
    if count:
        items = [f"{run.scenarios[s - 1].name}: {line}" for s in range(1, n) for line in flips[s]]
        if count > MAX_FLIP_LINES:
            items.append(f"… och {count - MAX_FLIP_LINES} skiften till (se JSON-utdata)")
        blocks += [Block("h2", "Skiften (⚑: ett tak börjar eller slutar begränsa)"), Block("list", items=items)]
    return blocks


def _cell_value(o: OutputSpec, s: int, j: int, table: np.ndarray | None = None):
    """The cell of the output's values (or of `table`, its differences) as a plain value."""
    raw = (o.data if table is None else table)[s, j]
    if o.kind == "date":
        return np.datetime64(raw, "D").astype(object)
    if isinstance(raw, (np.bool_, bool)):
        return bool(raw)
    if isinstance(raw, np.integer):
        return int(raw)
    return raw


def to_xlsx(run: ScenarioRun, specs: list[OutputSpec], source: dict) -> bytes:
    from openpyxl import Workbook

    from .engine import to_result
    from .report.xlsx_writer import cell_value, fixed_stamp, fixed_zip_times, number_format, sheet_title

    _flip_lines(run)
    wb = Workbook()
    ws = wb.active
    ws.title = "Översikt"
    used = {"översikt"}
    national = [o for o in specs if not o.dims]
    paths = list(dict.fromkeys(k for sc in run.scenarios for k in sc.shown))
    header = ["scenario"] + paths
    for o in national:
        header += [o.rid] + (["skillnad"] if o.diff is not None else [])
    ws.append(header + ["skiften", "kontroller som inte håller"])
    n = len(run.scenarios) + 1
    for s in range(n):
        shown = run.scenarios[s - 1].shown if s else {}
        row = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name] + [cell_value(shown.get(p)) for p in paths]
        for o in national:
            row.append(cell_value(_cell_value(o, s, 0)))
            if o.diff is not None:
                row.append(cell_value(_cell_value(o, s, 0, o.diff)))
        row += [run.flip_counts[s], ", ".join(run.failed_checks[s])]
        ws.append(row)
    for o in [o for o in specs if o.dims]:
        sh = wb.create_sheet(sheet_title(o.rid, used))
        sh.append(["scenario", *o.dims, "värde"] + (["skillnad"] if o.diff is not None else []) + ["skifte"])
        for s in range(n):
            name = "Grundpolicy" if s == 0 else run.scenarios[s - 1].name
            for j, k in enumerate(o.keys):
                v = _cell_value(o, s, j)
                row = [name, *[cell_value(k[d]) for d in o.dims], cell_value(v)]
                if o.diff is not None:
                    row.append(cell_value(_cell_value(o, s, j, o.diff)))
                sh.append(row + [bool(o.flip[s, j])])
                fmt = number_format(v, o.unit)
                if fmt:
                    sh.cell(sh.max_row, len(o.dims) + 2).number_format = fmt
    stamp = fixed_stamp(to_result(run.evaluation, run.tables, []))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return fixed_zip_times(buffer.getvalue(), stamp)


def _json_bytes(doc: dict) -> bytes:
    """The document indented, except that each scenario is one line: with 10 000 scenarios the
    indenting encoder (pure Python) would cost more than the whole evaluation; a line per
    scenario is written by the C encoder and is as easy to read and to diff."""
    scenarios = doc.pop("scenarios")
    head = json.dumps(doc, ensure_ascii=False, indent=1)  # ends with "\n}"
    lines = ",\n".join("  " + json.dumps(sc, ensure_ascii=False) for sc in scenarios)
    body = "[\n" + lines + "\n ]" if scenarios else "[]"
    return (head[:-2] + ',\n "scenarios": ' + body + "\n}\n").encode("utf-8")


def render(run: ScenarioRun, specs, source: dict, fmt: str) -> bytes:
    if fmt == "json":
        return _json_bytes(to_document(run, specs, source))
    if fmt == "md":
        from .report.markdown import blocks_to_markdown
        return blocks_to_markdown(to_blocks(run, specs, source)).encode("utf-8")
    if fmt == "html":
        from .report.html import blocks_to_html
        return blocks_to_html(to_blocks(run, specs, source),
                              f"Scenarier: {run.evaluation.plan.policy.title}").encode("utf-8")
    return to_xlsx(run, specs, source)
