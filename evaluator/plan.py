"""Planning: parse and check every rule against the policy's names, in dependency order.

Everything here happens before any data is read, so `villkor validate` reports unknown
names, cycles, grain, type and unit errors of the whole policy at once, each with
file:line:col and the rule id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from .errors import CycleError, GrainError, Location, TypeCheckError, UnitError, VillkorError, raise_all
from .graph import DependencyGraph
from .lang import ast, types as T
from .lang.checker import Checked, check
from .lang.parser import parse
from .lang.scope import Scope, TableInfo
from .lang.values import dim_order
from .policy.model import Check, Input, Parameter, Policy, Rule

BASE_COLUMN_KINDS = {"int": "number", "decimal": "number", "money": "number", "bool": "bool",
                     "date": "date", "string": "string"}


Item = TypeVar("Item", Rule, Check)


@dataclass
class PlannedRule(Generic[Item]):
    """A rule (or check) ready to evaluate: its checked expression and what it depends on."""

    rule: Item
    checked: Checked
    type: T.Type
    inputs: frozenset[str]  # input tables it needs, directly or through other rules

    @property
    def is_check(self) -> bool:
        return isinstance(self.rule, Check)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def per(self) -> tuple[str, ...]:
        return self.rule.per


@dataclass
class Plan:
    policy: Policy
    scope: StaticScope
    order: list[PlannedRule[Rule]]  # rules in evaluation order
    checks: list[PlannedRule[Check]]
    rules: dict[str, PlannedRule[Rule]]
    graph: DependencyGraph  # of every rule and check that parsed


def value_type(value, unit: T.Unit | None, declared: str | None = None) -> T.Type:
    """The static type of a parameter value (scalar or list)."""
    if isinstance(value, (list, tuple)):
        elems = [value_type(v, unit) for v in value]
        elem = elems[0] if elems else T.ANY
        return T.list_of(elem)
    if isinstance(value, bool):
        return T.BOOL
    if isinstance(value, (int, Decimal)):
        return T.number(unit)
    if isinstance(value, dt.date):
        return T.DATE
    if isinstance(value, str):
        return T.STRING
    return T.ANY


class StaticScope(Scope):
    """Types of every name a rule of this policy can use."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.dim_order = tuple(policy.dimensions)
        self.rule_types: dict[str, T.Type] = {}
        self.tables = {i: self._table_info(inp) for i, inp in policy.inputs.items()}
        self.param_types = {p.id: self._param_type(p) for p in policy.parameters.values()}

    def _param_type(self, p: Parameter) -> T.Type:
        unit = T.Unit.parse(p.unit, p.location)
        if p.by:
            sample = next(iter(p.value.values()), None) if isinstance(p.value, dict) else None
            t = value_type(sample, unit)
            return t.with_(dims=dim_order(self.dim_order, p.by))
        return value_type(p.value, unit)

    def column_type(self, table: str, col) -> T.Type:
        kind = BASE_COLUMN_KINDS.get(col.type)
        if kind is None:  # a dimension id
            members = self.policy.dimensions[col.type].members
            kind = "number" if members and all(isinstance(m, int) for m in members) else "string"
            return T.Type(kind, member=col.type, rows=table, nullable=col.nullable)
        unit = T.Unit.parse("kr") if col.type == "money" else T.Unit.parse(col.unit, col.location)
        return T.Type(kind, unit=unit, rows=table, nullable=col.nullable)

    def _table_info(self, inp: Input) -> TableInfo:
        columns = {c.id: self.column_type(inp.id, c) for c in inp.columns.values()}
        defaults = {c.id: c.default for c in inp.columns.values() if c.default is not None}
        return TableInfo(inp.id, columns, dict(inp.by), inp.unique, defaults)

    def type_of(self, name):
        if name in self.rule_types:
            return self.rule_types[name]
        if name in self.param_types:
            return self.param_types[name]
        if name in self.tables:
            return T.Type("table", table=name)
        dim = self.policy.dimensions.get(name)
        if dim is not None:
            kind = "number" if dim.members and all(isinstance(m, int) for m in dim.members) else "string"
            return T.Type(kind, member=name, dims=(name,))
        return None

    def table(self, name):
        return self.tables.get(name)

    def members(self, dim):
        d = self.policy.dimensions.get(dim)
        return d.members if d else ()

    def names(self):
        return [*self.policy.rules, *self.param_types, *self.tables, *self.policy.dimensions]

    def constant(self, name):
        p = self.policy.parameters.get(name)
        return p.value if p is not None and not p.by and name not in self.rule_types else None


def plan(policy: Policy) -> Plan:
    """Check the whole policy; raise all problems found together."""
    errors: list[VillkorError] = []
    scope = StaticScope(policy)
    parsed: dict[str, ast.Node] = {}
    items: list[Rule | Check] = [*policy.rules.values(), *policy.checks.values()]
    for item in items:
        try:
            parsed[_key(item)] = parse(item.expr)
        except VillkorError as err:
            errors.append(locate(err, policy, item))
    graph = DependencyGraph(policy, {rid: ast.names_used(parsed[rid]) for rid in policy.rules if rid in parsed},
                            {cid: ast.names_used(parsed["check:" + cid]) for cid in policy.checks
                             if "check:" + cid in parsed})
    errors += [cycle_error(policy, cycle) for cycle in graph.cycles]
    planned: dict[str, PlannedRule[Rule]] = {}
    # not parsed, or in a cycle: already reported; rules using them are skipped, not misreported
    failed: set[str] = {rid for rid in policy.rules if rid not in graph.order}
    for rid in graph.order:
        rule = policy.rules[rid]
        if graph.direct(rid) & failed:
            failed.add(rid)
            continue
        try:
            planned[rid] = _check_rule(policy, scope, rule, parsed[rid], graph)
            scope.rule_types[rid] = planned[rid].type
        except VillkorError as err:
            errors.append(locate(err, policy, rule))
            failed.add(rid)
    checks = []
    for chk in policy.checks.values():
        node = parsed.get(_key(chk))
        if node is None or graph.check_direct(chk.id) & failed:
            continue
        try:
            checks.append(_check_check(policy, scope, chk, node, graph))
        except VillkorError as err:
            errors.append(locate(err, policy, chk))
    if not errors:
        from .policy.templates import check_templates  # explanation templates name rules and parameters too
        errors += check_templates(policy)
        from .report.letter_text import check_letter  # so do the decision letters' templates
        errors += check_letter(policy, planned)
    chain = list(policy.chain)
    errors.sort(key=lambda e: (chain.index(e.location.file) if e.location.file in chain else len(chain),
                               e.location.line or 0, e.location.column or 0))  # in file order
    raise_all(errors)
    return Plan(policy, scope, [planned[r] for r in graph.order], checks, planned, graph)


def cycle_error(policy: Policy, cycle: tuple[str, ...]) -> CycleError:
    """Rules naming each other in a circle, at the first of them in the file; `cycle` keeps the ids."""
    rule = policy.rules[cycle[0]]
    return CycleError("rules depend on each other in a circle: " + " -> ".join(cycle + cycle[:1]),
                      Location(file=rule.location.file, line=rule.location.line,
                               column=rule.location.column, rule=cycle[0]),
                      "one of these rules must be computed without the others", cycle=cycle)


def _key(item: Rule | Check) -> str:
    return ("check:" if isinstance(item, Check) else "") + item.id


def locate(err: VillkorError, policy: Policy, item: Rule | Check) -> VillkorError:
    """Move an error inside an expression to its place in the policy file."""
    loc = item.expr_location
    if err.location.file is not None or loc.file is None:
        return err.at(rule=item.id) if err.location.rule is None else err
    label = item.id if isinstance(item, Rule) else f"check {item.id}"
    lines = policy.file_lines.get(loc.file)
    return err.within(loc.file, loc.line or 1, loc.column or 1, label, lines)


def _check_rule(policy: Policy, scope: StaticScope, rule: Rule, node: ast.Node,
                graph: DependencyGraph) -> PlannedRule[Rule]:
    checked = check(node, scope, tuple(rule.per), rule.expr)
    t = checked.type
    here = Location(file=rule.location.file, line=rule.location.line, column=rule.location.column,
                    rule=rule.id)
    extra = [d for d in t.dims if d not in rule.per]
    if extra:
        raise GrainError(f"the expression is per {', '.join(t.dims)} but the rule is per "
                         f"{', '.join(rule.per) or 'nothing (national)'}", here,
                         f"aggregate over {', '.join(extra)} (e.g. sum(...)) or add it to 'per'")
    if t.kind in ("table", "list") and rule.type != "list":
        raise TypeCheckError(f"the rule's value is a {t.describe()}, not a single value per key", here,
                             "aggregate it, e.g. count(...) or sum(...)")
    if rule.type and rule.type != t.kind and t.kind != "any":
        raise TypeCheckError(f"the rule is declared {rule.type} but its expression gives a {t.describe()}",
                             here)
    declared = T.Unit.parse(rule.unit, here)
    if t.kind == "number" and declared is not None and t.unit is not None and t.unit != declared:
        raise UnitError(f"the rule is declared in {declared} but its expression gives {t.unit}", here,
                        "fix the unit, or the expression")
    unit = declared if declared is not None else t.unit
    result = t.with_(unit=unit, dims=dim_order(scope.dim_order, rule.per), member=t.member,
                     nullable=rule.nullable)
    return PlannedRule(rule, checked, result, graph.inputs(rule.id))


def _check_check(policy: Policy, scope: StaticScope, chk: Check, node: ast.Node,
                 graph: DependencyGraph) -> PlannedRule[Check]:
    checked = check(node, scope, tuple(chk.per), chk.expr)
    here = Location(file=chk.location.file, line=chk.location.line, column=chk.location.column,
                    rule=f"check {chk.id}")
    if checked.type.kind != "bool":
        raise TypeCheckError(f"a check must be true or false, not a {checked.type.describe()}", here,
                             "e.g. sum(payout) <= budget")
    extra = [d for d in checked.type.dims if d not in chk.per]
    if extra:
        raise GrainError(f"the check is per {', '.join(checked.type.dims)}; declare per: "
                         f"[{', '.join(checked.type.dims)}] or aggregate", here)
    return PlannedRule(chk, checked, checked.type, graph.check_inputs(chk.id))
