"""Building the derivation tree of a rule at a key, read from an evaluated run.

A policy is evaluated once, vectorised, with tracing on (`engine.evaluate(plan, tables,
trace=True)`): the interpreter records the value array of every node of every rule's
expression. Explaining a key then only *reads* those arrays at the key (`reader`) — nothing is
evaluated row by row. Only the optional listing of input rows (`rows`) re-applies a filter, as
one whole-column mask.

A node (`nodes.Node`) says, for one rule at one key: its id, title, expression, value (exact,
and presented in Swedish by `present`), the citation of the regulation it rests on, its
`explain` template rendered at the key, the decisive branch (`decisive`), the operands it used
at the key (parameters with their status, input aggregates with their filter, matched rows
and sum, dimension keys) and a child node per rule it refers to. The same rule at the same key
is expanded once; later occurrences refer back to it (`ref`, "se ovan").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..lang import ast, values as V
from ..lang.builtins import aggregates
from ..lang.printer import to_text
from ..lang.values import ListVal, Val
from ..policy.model import Policy, Rule
from ..policy.templates import FORMATTER, template_names
from ..present import format_value, json_value, present_list
from .decisive import Decisive
from .nodes import ABSENT, KeyValue, Node, Operand, Rows
from .reader import Reader, unit_text
from .rows import RowReader
from .select import resolve_member, select

DEFAULT_MAX_ROWS = 50
NOT_COMPUTED = "inte beräknad"


@dataclass
class Options:
    depth: int | None = None  # None: unlimited; 0: only the chosen rule
    rows: bool = False  # list the input rows each aggregate matched
    max_rows: int = DEFAULT_MAX_ROWS


@dataclass
class Explainer:
    """Builds derivation trees from one traced evaluation. Reuse it across keys and rules to
    share the "se ovan" references (a decision document explains several outputs)."""

    evaluation: Any
    options: Options = field(default_factory=Options)
    seen: dict = field(default_factory=dict)

    def __post_init__(self):
        self.r = Reader(self.evaluation)
        self.policy = self.r.policy
        self.plan = self.evaluation.plan
        self.decisive = Decisive(self.plan, self.r)
        self.row_reader = RowReader(self.r, self.options.max_rows)

    # -- selection

    def select(self, rule_id: str, where: dict[str, str] | None = None) -> list[dict]:
        """Keys of `rule_id` matching `where` (dimension -> member id or label)."""
        return select(self.plan, rule_id, where)

    def resolve_member(self, dim: str, wanted: str):
        return resolve_member(self.policy, dim, wanted)

    def decisions(self, pr, trace: dict, key: dict):
        """The decisive branches of a planned rule at `key` (see `decisive`)."""
        return self.decisive.decisions(pr, trace, key)

    # -- nodes

    def node_id(self, rule_id: str, key: dict) -> str:
        return rule_id + ("[" + ",".join(f"{d}={m}" for d, m in key.items()) + "]" if key else "")

    def explain(self, rule_id: str, key: dict, depth: int = 0, focus: dict | None = None) -> dict:
        """The tree of `rule_id` at `key` in its JSON form (see `tree`)."""
        return self.tree(rule_id, key, depth, focus).to_json()

    def tree(self, rule_id: str, key: dict, depth: int = 0, focus: dict | None = None) -> Node:
        """The tree of `rule_id` at `key`. `focus` (default: this key) keeps the tree on its
        key: where a national figure sums over every region, the other regions' values are
        listed as operand values but not expanded (explain the national rule for those)."""
        pr = self.plan.rules[rule_id]
        if focus is None:
            focus = {d: m for d, m in key.items() if d in pr.per}
        rule: Rule = pr.rule
        key = {d: key[d] for d in pr.per}
        nid = self.node_id(rule_id, key)
        unit = unit_text(rule.unit) or unit_text(pr.type.unit)
        val = self.evaluation.values.get(rule_id)
        value = None
        if val is not None:
            _, value = self.r.at(val, key)
        node = Node(nid, rule_id, rule.title, dict(key), labels=self._labels(key), value=json_value(value),
                    unit=unit, formatted=format_value(value, unit) if val is not None else NOT_COMPUTED)
        if nid in self.seen:
            node.ref = nid
            return node
        self.seen[nid] = True
        node.expression = to_text(pr.checked.node)
        node.source = self.policy.cite(rule.source)
        if val is None:
            missing = ", ".join(self.evaluation.skipped.get(rule_id, []))
            node.headline = f"{rule.title or rule_id}: {NOT_COMPUTED} ({missing} saknas)"
            node.decisive, node.decisions, node.operands, node.children = None, [], [], []
            return node
        node.headline = self.headline(rule, key, value, unit)
        trace = self.evaluation.traces.get(rule_id, {})
        decisions = self.decisions(pr, trace, key)
        node.decisive = "; ".join(d.text for d in decisions) or None
        node.decisions = decisions
        node.operands, child_refs = self.operands(pr, trace, key, focus)
        limit = self.options.depth
        if child_refs and limit is not None and depth >= limit:
            node.truncated = True
            for op in node.operands:  # every `ref` in a document points at a node in it
                if op.kind == "rule":
                    op.ref = ABSENT
                    for item in op.values if op.values is not ABSENT else []:
                        item.ref = ABSENT
            node.children = []
        else:
            node.children = [self.tree(child_rule, child_key, depth + 1, focus)
                             for child_rule, child_key in child_refs]
        return node

    def _labels(self, key: dict) -> dict:
        """The labels of a key's members that differ from their ids (ABSENT when none does)."""
        labels = {d: self.r.label(d, m) for d, m in key.items() if self.r.label(d, m) != str(m)}
        return labels or ABSENT

    # -- the headline: the rule's `explain` template at the key

    def headline(self, rule: Rule, key: dict, value, unit) -> str:
        if rule.explain:
            try:
                return self.render_template(rule, key, value, unit)
            except (ValueError, KeyError):
                pass  # validation reports bad templates; never fail an explanation on one
        return f"{rule.title or rule.id}: {format_value(value, unit)}"

    def render_template(self, rule: Rule, key: dict, value, unit) -> str:
        template = rule.explain or ""
        template_names(template)  # raises on malformed text
        out: list[str] = []
        for literal, name, _spec, _conv in FORMATTER.parse(template):
            out.append(literal)
            if name is None:
                continue
            out.append(self.placeholder(name, key, value, unit))
        return "".join(out).strip()

    def placeholder(self, name: str, key: dict, value, unit) -> str:
        if name == "value":
            return format_value(value, unit)
        if name in key:
            return self.r.label(name, key[name])
        if name in self.evaluation.values:
            pr = self.plan.rules[name]
            one, v = self.r.at(self.evaluation.values[name], key)
            if one:
                return format_value(v, unit_text(pr.rule.unit) or unit_text(pr.type.unit))
        if name in self.policy.parameters:
            p = self.policy.parameters[name]
            pv = self.r.scope.value(name)
            if isinstance(pv, ListVal):  # in a sentence: "2023, 2024 och 2025", not a bracketed list
                return present_list([format_value(V.cell(i, ()), p.unit) for i in pv.items])
            one, v = self.r.at(pv, key)
            if one:
                return format_value(v, p.unit)
        raise KeyError(name)

    # -- operands

    def operands(self, pr, trace: dict, key: dict, focus: dict | None = None
                 ) -> tuple[list[Operand], list[tuple[str, dict]]]:
        ops: list[Operand] = []
        children: list[tuple[str, dict]] = []
        done: set[str] = set()
        for node, in_rows in operand_nodes(pr.checked.node, pr.checked.lookups, self.policy.inputs):
            label = to_text(node) if isinstance(node, (ast.Call, ast.Path)) else None
            if label is not None:
                if label in done:
                    continue
                done.add(label)
            if isinstance(node, ast.Name):
                name = node.id
                if name in done:
                    continue
                if name in self.policy.rules:
                    done.add(name)
                    ops.append(self.rule_operand(name, key, children, focus or {}))
                elif name in self.policy.parameters:
                    done.add(name)
                    ops.append(self.param_operand(name, key))
                elif name in self.policy.dimensions and not in_rows:
                    done.add(name)
                    if name in key:
                        m = key[name]
                        ops.append(Operand(name, "dimension", value=json_value(m), formatted=self.r.label(name, m)))
            elif isinstance(node, ast.Call):
                ops.append(self.aggregate_operand(pr, trace, node, key))
            elif isinstance(node, ast.Path):
                ops.append(self.lookup_operand(pr, trace, node, key))
        return ops, children

    def _key_value(self, sub: dict, x, unit) -> KeyValue:
        return KeyValue(sub, labels=self._labels(sub), value=json_value(x), formatted=format_value(x, unit))

    def rule_operand(self, name: str, key: dict, children: list, focus: dict) -> Operand:
        pr = self.plan.rules[name]
        rule = pr.rule
        unit = unit_text(rule.unit) or unit_text(pr.type.unit)
        op = Operand(name, "rule", title=rule.title, unit=unit, source=self.policy.cite(rule.source))
        val = self.evaluation.values.get(name)
        if val is None:
            op.value, op.formatted = None, NOT_COMPUTED
            return op
        one, v = self.r.at(val, key)
        if one:
            sub = {d: key[d] for d in pr.per}
            op.value, op.formatted, op.ref = json_value(v), format_value(v, unit), self.node_id(name, sub)
            children.append((name, sub))
            return op
        op.values = []
        for sub, x in v:
            sub = {d: sub[d] for d in pr.per}
            item = self._key_value(sub, x, unit)
            if all(sub.get(d, m) == m for d, m in focus.items()):
                item.ref = self.node_id(name, sub)
                children.append((name, sub))
            op.values.append(item)
        return op

    def param_operand(self, name: str, key: dict) -> Operand:
        p = self.policy.parameters[name]
        unit = unit_text(p.unit)
        op = Operand(name, "parameter", title=p.title, unit=unit, source=self.policy.cite(p.source),
                     status=p.status)
        params = getattr(self.policy, "params", None)
        if params and any(c.parameter == name and (c.key is None or all(key.get(d, m) == m for d, m in c.key.items()))
                          for c in params.changes):  # a what-if value: the policy's source does not say it
            op.source = f"ändrat värde från parameterfilen {params.path}, inte från regelverkets källa"
        if p.note:
            op.note = p.note.strip()
        pv = self.r.scope.value(name)
        if isinstance(pv, ListVal):
            items = [V.cell(i, ()) for i in pv.items]
            op.value, op.formatted = json_value(items), format_value(items, unit)
            return op
        one, v = self.r.at(pv, key)
        if one:
            op.value, op.formatted = json_value(v), format_value(v, unit)
        else:
            op.values = [self._key_value({d: k[d] for d in p.by}, x, unit) for k, x in v]
        return op

    def aggregate_operand(self, pr, trace, node: ast.Call, key: dict) -> Operand:
        one, v = self.decisive.scalar(trace, node, key)
        unit = self.decisive.node_unit(pr, node)
        arg = node.args[0]
        table, filters, column = table_parts(arg, self.policy)
        op = Operand(to_text(node), "input", unit=unit)
        if one:
            op.value, op.formatted = json_value(v), format_value(v, unit)
        counts = trace.get(("rows", id(node)))
        rows = Rows(table, column, node.func, " and ".join(filters) if filters else None)
        if isinstance(counts, Val):
            ok, matched = self.r.at(counts, key)
            rows.matched = int(matched) if ok else None
        rows.sum = json_value(v) if (node.func == "sum" and one) else None
        inp = self.policy.inputs.get(table) if table else None
        if inp is not None and inp.source is not None:
            rows.source = self.policy.cite(inp.source)
        if self.options.rows and table is not None and isinstance(counts, Val):
            self.row_reader.add_records(rows, pr, arg, table, key, column)
        op.rows = rows
        return op

    def lookup_operand(self, pr, trace, node: ast.Path, key: dict) -> Operand:
        one, v = self.decisive.scalar(trace, node, key)
        unit = self.decisive.node_unit(pr, node)
        table, _filters, column = table_parts(node, self.policy)
        op = Operand(to_text(node), "input", unit=unit, value=json_value(v) if one else None,
                     formatted=format_value(v if one else None, unit))
        dims = pr.checked.types[id(node)].dims
        match = self.row_reader.key_mask(table, {d: key[d] for d in dims if d in key})
        rows = Rows(table, column, "lookup", None, matched=int(match.sum()) if match is not None else None)
        if match is not None and table is not None and self.options.rows:
            self.row_reader.records(rows, table, np.flatnonzero(match))
        op.rows = rows
        return op


def table_parts(arg: ast.Node, policy: Policy) -> tuple[str | None, list[str], str | None]:
    """`procedures[year = 2026][month in m].count` -> ("procedures", ["year = 2026", ...], "count")."""
    column = None
    node = arg
    if isinstance(node, ast.Path):
        column = node.name
        node = node.source
    filters: list[str] = []
    while isinstance(node, ast.Filter):
        filters.insert(0, to_text(node.cond))
        node = node.source
    if isinstance(node, ast.Name) and node.id in policy.inputs:
        return node.id, filters, column
    tables = [n.id for n in ast.walk(arg) if isinstance(n, ast.Name) and n.id in policy.inputs]
    return (tables[0] if tables else None), filters, column


def operand_nodes(node: ast.Node, lookups: set[int], inputs, in_rows: bool = False):
    """Nodes whose values a rule uses: names, input aggregates, unique-table lookups.

    An aggregate over an input table is one operand (its filter's names are reported inside
    it, not as values per key); names inside a filter condition are row context."""
    if isinstance(node, ast.Call) and node.func in aggregates() and len(node.args) == 1 \
            and any(isinstance(n, ast.Name) and n.id in inputs for n in ast.walk(node.args[0])):
        yield node, in_rows
        for n in ast.walk(node.args[0]):  # parameters used in the filter (measurement_year ...)
            if isinstance(n, ast.Name):
                yield n, True
        return
    if isinstance(node, ast.Path) and id(node) in lookups:
        yield node, in_rows
        return
    if isinstance(node, ast.Name):
        yield node, in_rows
        return
    for child in node.children():
        yield from operand_nodes(child, lookups, inputs, in_rows)
