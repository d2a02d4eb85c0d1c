"""Derivation trees: why a rule has the value it has at one key, read from an evaluated run.

A policy is evaluated once, vectorised, with tracing on (`engine.evaluate(plan, tables,
trace=True)`): the interpreter records the value array of every node of every rule's
expression. Explaining a key then only *reads* those arrays at the key — nothing is evaluated
row by row. Only the optional listing of input rows (`rows=True`) re-applies a filter, as one
whole-column mask.

A tree node says, for one rule at one key: its id, title, expression, value (exact and
formatted in Swedish), the citation of the regulation it rests on, its `explain` template
rendered at the key, the decisive branch (which argument of `min`/`max` won, which branch of an
`if` was taken, which parts of a false `and` are false), the operands it used at the key
(parameters with their status, input aggregates with their filter, matched rows and sum,
dimension keys) and a child node per rule it refers to. The same rule at the same key is
expanded once; later occurrences refer back to it (`ref`, "se ovan").

The JSON form of the tree is documented by schemas/explanation.schema.json and
docs/explanations.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from .errors import Location, PolicyError, VillkorError, did_you_mean
from .lang import ast, values as V
from .lang.builtins import REGISTRY, aggregates
from .lang.printer import to_text
from .lang.values import ListVal, TableView, Val
from .policy.model import Policy, Rule
from .result import display_path

FORMAT_ID = "villkor-explanation/1"
DEFAULT_MAX_ROWS = 50


class SelectionError(VillkorError):
    """An `explain` selection (rule, --where) that names something the policy does not have."""

    CODE = "VK050"


# ---------------------------------------------------------------- values as text and JSON


def _fmt_number(value, unit: str | None) -> str:
    from .report.fmt import format_number
    with decimal.localcontext(V.FEEL_CONTEXT):  # all 34 digits, never the default 28
        return format_number(value, unit)


def format_value(value: Any, unit: str | None = None) -> str:
    """A value as a Swedish reader sees it: 28 007 085 kr, ja/nej, 2026-03-16."""
    if value is None:
        return "saknas"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, Decimal)):
        return _fmt_number(value, unit)
    if isinstance(value, dt.timedelta):
        return f"{value.days} dagar"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, unit) for v in value)
    return str(value)


def json_value(value: Any) -> Any:
    """Exact JSON: ints as numbers, other decimals as strings, dates ISO, durations P<n>D."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return format(value.normalize(V.FEEL_CONTEXT), "f")
    if isinstance(value, dt.timedelta):
        return ("-" if value.days < 0 else "") + f"P{abs(value.days)}D"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


def _unit_text(unit) -> str | None:
    if unit is None:
        return None
    text = str(unit)
    return None if text in ("", "1") else text


# ---------------------------------------------------------------- explain templates

_FORMATTER = string.Formatter()


def template_names(text: str) -> list[str]:
    """The placeholder names of an `explain` template, in order, each once.

    `{{` and `}}` are literal braces. Raises ValueError for a malformed template (an unmatched
    brace, a format spec or attribute access, which templates do not support).
    """
    names: list[str] = []
    for _literal, name, spec, conv in _FORMATTER.parse(text):
        if name is None:
            continue
        if spec or conv:
            raise ValueError(f"'{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}': "
                             "placeholders take no format; amounts are formatted by their unit")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"'{{{name}}}' is not a placeholder name" if name else
                             "'{}' needs a name, e.g. {value}")
        if name not in names:
            names.append(name)
    return names


def check_templates(policy: Policy) -> list[VillkorError]:
    """Every problem with the `explain` templates of a policy's rules, found before any data.

    A placeholder may be `value`, a dimension of the rule's grain, or the id of a rule or
    parameter whose grain is within the rule's grain (so it has one value at each key).
    """
    errors: list[VillkorError] = []
    for rule in policy.rules.values():
        if not rule.explain:
            continue
        base = _explain_location(policy, rule)
        try:
            names = template_names(rule.explain)
        except ValueError as exc:
            errors.append(PolicyError(f"explain template: {exc}", base,
                                      "write literal braces as {{ and }}"))
            continue
        known = ["value", *rule.per, *policy.rules, *policy.parameters]
        for name in names:
            where = _placeholder_location(base, name)
            if name == "value" or name in rule.per:
                continue
            if name in policy.dimensions:
                errors.append(PolicyError(
                    f"explain template: {{{name}}} is not a dimension of this rule (per: "
                    f"{', '.join(rule.per) or 'nothing'})", where,
                    f"add {name} to the rule's per, or remove the placeholder"))
            elif name in policy.rules:
                other = policy.rules[name].per
                extra = [d for d in other if d not in rule.per]
                if extra:
                    errors.append(PolicyError(
                        f"explain template: rule '{name}' is per {', '.join(other)}, so it has no "
                        f"single value at a key of this rule (per: {', '.join(rule.per) or 'nothing'})",
                        where, "name a rule that aggregates it instead"))
            elif name in policy.parameters:
                extra = [d for d in policy.parameters[name].by if d not in rule.per]
                if extra:
                    errors.append(PolicyError(
                        f"explain template: parameter '{name}' is by {', '.join(policy.parameters[name].by)}, "
                        f"so it has no single value at a key of this rule", where))
            else:
                hint = did_you_mean(name, known) or \
                    "placeholders are {value}, the rule's dimensions, and rule or parameter ids"
                errors.append(PolicyError(f"explain template: unknown placeholder {{{name}}}", where, hint))
    return errors


def _explain_location(policy: Policy, rule: Rule) -> Location:
    """The `explain:` line of a rule in its file (the rule's own line if it cannot be found)."""
    loc = rule.location
    lines = policy.file_lines.get(loc.file or "") if loc.file else None
    if lines and loc.line:
        indent = None
        for i in range(loc.line, len(lines)):  # lines after the rule's key (0-based index = line)
            text = lines[i]
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            here = len(text) - len(text.lstrip())
            if indent is None:
                indent = here
            if here < indent:
                break
            if here == indent and re.match(r"\s*explain\s*:", text):
                return Location(file=loc.file, line=i + 1, column=here + 1, rule=rule.id,
                                source_line=text, length=len("explain"))
    return Location(file=loc.file, line=loc.line, column=loc.column, rule=rule.id, field="explain")


def _placeholder_location(base: Location, name: str) -> Location:
    """Underline `{name}` when it is on the `explain:` line itself."""
    if base.source_line is not None:
        col = base.source_line.find("{" + name + "}")
        if col >= 0:
            return Location(file=base.file, line=base.line, column=col + 1, rule=base.rule,
                            source_line=base.source_line, length=len(name) + 2)
    return base


# ---------------------------------------------------------------- reading values at a key


class _Reader:
    """Values of an evaluation at keys: members by index, trace arrays by key."""

    def __init__(self, evaluation):
        self.ev = evaluation
        self.scope = evaluation.scope
        self.policy: Policy = evaluation.plan.policy
        self.index = {d: {m: i for i, m in enumerate(dim.members)}
                      for d, dim in self.policy.dimensions.items()}

    def members(self, dim: str) -> tuple:
        return self.policy.dimensions[dim].members

    def label(self, dim: str, member) -> str:
        dimension = self.policy.dimensions.get(dim)
        return dimension.label(member) if dimension else str(member)

    def at(self, val: Val, key: dict) -> tuple[bool, Any]:
        """(True, value) when `val` has one value at `key`; (False, [(subkey, value)...]) when
        it is finer than the key (one value per member of its other dimensions)."""
        index: list = []
        free: list[str] = []
        for axis, d in enumerate(val.dims):
            size = val.data.shape[axis]
            if d in key:
                i = self.index[d][key[d]]
                index.append(i if size > 1 else 0)
            elif d in self.index:
                free.append(d)
                index.append(slice(None))
            else:  # rows of an input table: not a value per key
                return False, []
        if not free:
            return True, V.cell(val, tuple(index))
        out = []
        for combo in itertools.product(*[range(len(self.members(d))) for d in free]):
            idx = list(index)
            it = iter(combo)
            for pos, d in enumerate(val.dims):
                if d in free:
                    j = next(it)
                    idx[pos] = j if val.data.shape[pos] > 1 else 0
            sub = {d: self.members(d)[j] for d, j in zip(free, combo)}
            out.append(({**key, **sub}, V.cell(val, tuple(idx))))
        return False, out


# ---------------------------------------------------------------- the tree


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
        self.r = _Reader(self.evaluation)
        self.policy = self.r.policy
        self.plan = self.evaluation.plan

    # -- selection

    def select(self, rule_id: str, where: dict[str, str] | None = None) -> list[dict]:
        """Keys of `rule_id` matching `where` (dimension -> member id or label)."""
        if rule_id not in self.plan.rules:
            if rule_id in self.policy.rules:
                raise SelectionError(f"rule '{rule_id}' could not be planned")
            kind = ("a parameter" if rule_id in self.policy.parameters else
                    "an input" if rule_id in self.policy.inputs else
                    "a check" if rule_id in self.policy.checks else None)
            if kind:
                raise SelectionError(f"'{rule_id}' is {kind}, not a rule",
                                     hint="explain a rule that uses it")
            raise SelectionError(f"unknown rule '{rule_id}'",
                                 hint=did_you_mean(rule_id, self.policy.rules) or
                                 "rules: " + ", ".join(self.policy.rules))
        per = self.plan.rules[rule_id].per
        chosen: dict[str, Any] = {}
        for dim, wanted in (where or {}).items():
            if dim not in self.policy.dimensions:
                raise SelectionError(f"--where {dim}=…: unknown dimension '{dim}'",
                                     hint=did_you_mean(dim, self.policy.dimensions) or
                                     "dimensions: " + ", ".join(self.policy.dimensions))
            if dim not in per:
                raise SelectionError(f"--where {dim}=…: rule '{rule_id}' is per "
                                     f"{', '.join(per) or 'nothing (one national value)'}, not per {dim}",
                                     hint=f"filter on {', '.join(per)}" if per else "leave out --where")
            chosen[dim] = self.resolve_member(dim, wanted)
        keys = []
        members = [[chosen[d]] if d in chosen else list(self.r.members(d)) for d in per]
        for combo in itertools.product(*members):
            keys.append(dict(zip(per, combo)))
        return keys

    def resolve_member(self, dim: str, wanted: str):
        dimension = self.policy.dimensions[dim]
        for m in dimension.members:
            if str(m) == wanted:
                return m
        for m in dimension.members:
            if dimension.label(m) == wanted or str(m).casefold() == wanted.casefold() \
                    or dimension.label(m).casefold() == wanted.casefold():
                return m
        names = [str(m) for m in dimension.members] + list(dimension.labels.values())
        raise SelectionError(f"--where {dim}={wanted}: '{wanted}' is not a member of {dim}",
                             hint=did_you_mean(wanted, names) or
                             f"members: {', '.join(str(m) for m in dimension.members)}")

    # -- nodes

    def node_id(self, rule_id: str, key: dict) -> str:
        return rule_id + ("[" + ",".join(f"{d}={m}" for d, m in key.items()) + "]" if key else "")

    def explain(self, rule_id: str, key: dict, depth: int = 0, focus: dict | None = None) -> dict:
        """The tree of `rule_id` at `key`. `focus` (default: this key) keeps the tree on its
        key: where a national figure sums over every region, the other regions' values are
        listed as operand values but not expanded (explain the national rule for those)."""
        pr = self.plan.rules[rule_id]
        if focus is None:
            focus = {d: m for d, m in key.items() if d in pr.per}
        rule: Rule = pr.rule
        key = {d: key[d] for d in pr.per}
        nid = self.node_id(rule_id, key)
        unit = _unit_text(rule.unit) or _unit_text(pr.type.unit)
        val = self.evaluation.values.get(rule_id)
        value = None
        if val is not None:
            _, value = self.r.at(val, key)
        base = {"id": nid, "rule": rule_id, "title": rule.title, "key": dict(key), **self._labels(key)}
        base.update({"value": json_value(value), "unit": unit,
                     "formatted": format_value(value, unit) if val is not None else "inte beräknad"})
        if nid in self.seen:
            return {**base, "ref": nid}
        self.seen[nid] = True
        node = {**base, "expression": to_text(pr.checked.node),
                "source": self.policy.cite(rule.source)}
        node["headline"] = self.headline(rule, key, value, unit) if val is not None else \
            f"{rule.title or rule_id}: inte beräknad ({', '.join(self.evaluation.skipped.get(rule_id, []))} saknas)"
        if val is None:
            node.update({"decisive": None, "decisions": [], "operands": [], "children": []})
            return node
        trace = self.evaluation.traces.get(rule_id, {})
        decisions = self.decisions(pr, trace, key)
        node["decisive"] = "; ".join(d["text"] for d in decisions) or None
        node["decisions"] = decisions
        operands, child_refs = self.operands(pr, trace, key, focus)
        node["operands"] = operands
        children = []
        limit = self.options.depth
        if child_refs and limit is not None and depth >= limit:
            node["truncated"] = True
            for op in operands:  # every `ref` in a document points at a node in it
                if op["kind"] == "rule":
                    op.pop("ref", None)
                    for item in op.get("values", []):
                        item.pop("ref", None)
        else:
            for child_rule, child_key in child_refs:
                children.append(self.explain(child_rule, child_key, depth + 1, focus))
        node["children"] = children
        return node

    def _labels(self, key: dict) -> dict:
        labels = {d: self.r.label(d, m) for d, m in key.items() if self.r.label(d, m) != str(m)}
        return {"labels": labels} if labels else {}

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
        for literal, name, _spec, _conv in _FORMATTER.parse(template):
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
                return format_value(v, _unit_text(pr.rule.unit) or _unit_text(pr.type.unit))
        if name in self.policy.parameters:
            p = self.policy.parameters[name]
            pv = self.r.scope.value(name)
            if isinstance(pv, ListVal):
                return format_value([V.cell(i, ()) for i in pv.items], p.unit)
            one, v = self.r.at(pv, key)
            if one:
                return format_value(v, p.unit)
        raise KeyError(name)

    # -- decisive branches

    def decisions(self, pr, trace: dict, key: dict) -> list[dict]:
        out: list[dict] = []
        self._decide(pr.checked.node, trace, key, out, pr)
        return out

    def _scalar(self, trace, node, key):
        v = trace.get(id(node))
        if not isinstance(v, Val):
            return False, None
        return self.r.at(v, key)

    def _show(self, node: ast.Node, value, pr) -> str:
        unit = self._node_unit(pr, node)
        if isinstance(node, ast.Name) and (node.id in self.policy.rules or node.id in self.policy.parameters):
            return f"{node.id} = {format_value(value, unit)}"
        if isinstance(node, (ast.Number, ast.String, ast.Bool)):
            return format_value(value, unit)
        return f"{to_text(node)} = {format_value(value, unit)}"

    def _node_unit(self, pr, node) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.policy.rules:
                other = self.plan.rules.get(node.id)
                return _unit_text(self.policy.rules[node.id].unit) or (
                    _unit_text(other.type.unit) if other else None)
            if node.id in self.policy.parameters:
                return _unit_text(self.policy.parameters[node.id].unit)
        t = pr.checked.types.get(id(node))
        unit = _unit_text(t.unit) if t is not None else None
        if unit is None and node is pr.checked.node:
            unit = _unit_text(pr.rule.unit)
        return unit

    def _decide(self, node: ast.Node, trace, key, out, pr) -> None:
        if isinstance(node, ast.Filter):
            return  # row conditions: not a value per key
        one, value = self._scalar(trace, node, key)
        if not one:
            return  # a value finer than the key (inside an aggregate): no single branch
        decides = REGISTRY[node.func].decides if isinstance(node, ast.Call) else None
        if isinstance(node, ast.Call) and decides and len(node.args) >= 2:
            args = []
            for a in node.args:
                ok, v = self._scalar(trace, a, key)
                if not ok:
                    break
                args.append((a, v))
            else:
                self._decide_extreme(node, decides, value, args, out, pr)
        elif isinstance(node, ast.If):
            ok, c = self._scalar(trace, node.cond, key)
            if ok:
                branch = node.then if c is True else node.other
                state = "sant" if c is True else ("falskt" if c is False else "utan värde")
                out.append({"kind": "if", "expression": to_text(node),
                            "condition": to_text(node.cond), "condition_value": json_value(c),
                            "branch": "then" if c is True else "else",
                            "text": f"villkoret {to_text(node.cond)} är {state}, så värdet blir "
                                    f"{to_text(branch)}"})
                self._decide(node.cond, trace, key, out, pr)
                self._decide(branch, trace, key, out, pr)
                return
        elif isinstance(node, ast.Binary) and node.op in ("and", "or"):
            leaves = _flatten(node, node.op)
            vals = []
            for leaf in leaves:
                ok, v = self._scalar(trace, leaf, key)
                vals.append((leaf, v if ok else None))
            self._decide_logic(node, value, vals, out, trace, key, pr)
            for leaf, v in vals:
                # explain further only the parts that decided the result
                if (node.op == "and" and v is not True) or (node.op == "or" and v is True) \
                        or (node.op == "and" and value is True):
                    self._decide(leaf, trace, key, out, pr)
            return
        for child in node.children():
            self._decide(child, trace, key, out, pr)

    def _decide_extreme(self, node, word: str, value, args, out, pr) -> None:
        """min/max (the built-ins that declare `decides`): the argument equal to the value won."""
        fn = node.func
        winners = [(a, v) for a, v in args if v is not None and v == value]
        losers = [(a, v) for a, v in args if not (v is not None and v == value)]
        if not winners:
            return
        if not losers:
            text = (" och ".join(_name_of(a) for a, _ in winners) + " är lika ("
                    + format_value(value, self._node_unit(pr, node)) + ")")
        else:
            text = (" och ".join(self._show(a, v, pr) for a, v in winners[:1]) +
                    f" bestämmer värdet ({word} än " +
                    ", ".join(self._show(a, v, pr) for a, v in losers) + ")")
        out.append({"kind": fn, "expression": to_text(node),
                    "chosen": [_name_of(a) for a, _ in winners],
                    "text": text})

    def _decide_logic(self, node, value, vals, out, trace=None, key=None, pr=None) -> None:
        op = node.op

        def why(leaf, state: str) -> str:
            text = f"{self._title_of(leaf)} är {state}"
            if isinstance(leaf, ast.Binary) and leaf.op in ("=", "!=", "<", "<=", ">", ">=") and trace is not None:
                sides = []
                for side in (leaf.left, leaf.right):
                    ok, v = self._scalar(trace, side, key)
                    if not ok:
                        return text
                    if not isinstance(side, (ast.Number, ast.String, ast.Bool)):
                        sides.append(self._show(side, v, pr))
                if sides:
                    text += " (" + ", ".join(sides) + ")"
            return text

        if op == "and":
            false = [leaf for leaf, v in vals if v is False]
            absent = [leaf for leaf, v in vals if v is None]
            if value is True:
                text = f"alla {len(vals)} delvillkor är uppfyllda"
                names: list[str] = []
            else:
                names = [_name_of(x) for x in false]
                if false:
                    text = "inte uppfyllt: " + ", ".join(why(x, "nej") for x in false)
                else:
                    text = "inte uppfyllt: " + ", ".join(why(x, "utan värde") for x in absent)
                    names = [_name_of(x) for x in absent]
        else:
            true = [leaf for leaf, v in vals if v is True]
            names = [_name_of(x) for x in true]
            if value is True:
                text = "uppfyllt eftersom " + ", ".join(why(x, "ja") for x in true)
            else:
                text = f"inget av de {len(vals)} alternativen är uppfyllt"
        out.append({"kind": op, "expression": to_text(node), "chosen": names, "text": text})

    def _title_of(self, node) -> str:
        if isinstance(node, ast.Name):
            item = self.policy.rules.get(node.id) or self.policy.parameters.get(node.id)
            if item is not None and item.title:
                return f"{node.id} ({item.title})"
        return to_text(node)

    # -- operands

    def operands(self, pr, trace: dict, key: dict, focus: dict | None = None
                 ) -> tuple[list[dict], list[tuple[str, dict]]]:
        ops: list[dict] = []
        children: list[tuple[str, dict]] = []
        done: set[str] = set()
        for node, in_rows in _operand_nodes(pr.checked.node, pr.checked.lookups, self.policy.inputs):
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
                        ops.append({"name": name, "kind": "dimension", "value": json_value(m),
                                    "formatted": self.r.label(name, m)})
            elif isinstance(node, ast.Call):
                ops.append(self.aggregate_operand(pr, trace, node, key))
            elif isinstance(node, ast.Path):
                ops.append(self.lookup_operand(pr, trace, node, key))
        return ops, children

    def rule_operand(self, name: str, key: dict, children: list, focus: dict) -> dict:
        pr = self.plan.rules[name]
        rule = pr.rule
        unit = _unit_text(rule.unit) or _unit_text(pr.type.unit)
        op = {"name": name, "kind": "rule", "title": rule.title, "unit": unit,
              "source": self.policy.cite(rule.source)}
        val = self.evaluation.values.get(name)
        if val is None:
            op.update({"value": None, "formatted": "inte beräknad"})
            return op
        one, v = self.r.at(val, key)
        if one:
            sub = {d: key[d] for d in pr.per}
            op.update({"value": json_value(v), "formatted": format_value(v, unit),
                       "ref": self.node_id(name, sub)})
            children.append((name, sub))
        else:
            op["values"] = []
            for sub, x in v:
                sub = {d: sub[d] for d in pr.per}
                item = {"key": sub, **self._labels(sub), "value": json_value(x),
                        "formatted": format_value(x, unit)}
                if all(sub.get(d, m) == m for d, m in focus.items()):
                    item["ref"] = self.node_id(name, sub)
                    children.append((name, sub))
                op["values"].append(item)
        return op

    def param_operand(self, name: str, key: dict) -> dict:
        p = self.policy.parameters[name]
        unit = _unit_text(p.unit)
        op = {"name": name, "kind": "parameter", "title": p.title, "unit": unit,
              "source": self.policy.cite(p.source), "status": p.status}
        params = getattr(self.policy, "params", None)
        if params and any(c.parameter == name and (c.key is None or all(key.get(d, m) == m for d, m in c.key.items()))
                          for c in params.changes):  # a what-if value: the policy's source does not say it
            op["source"] = f"ändrat värde från parameterfilen {params.path}, inte från policyns källa"
        if p.note:
            op["note"] = p.note.strip()
        pv = self.r.scope.value(name)
        if isinstance(pv, ListVal):
            items = [V.cell(i, ()) for i in pv.items]
            op.update({"value": json_value(items), "formatted": format_value(items, unit)})
            return op
        one, v = self.r.at(pv, key)
        if one:
            op.update({"value": json_value(v), "formatted": format_value(v, unit)})
        else:
            op["values"] = [{"key": {d: k[d] for d in p.by}, **self._labels({d: k[d] for d in p.by}),
                             "value": json_value(x), "formatted": format_value(x, unit)} for k, x in v]
        return op

    def aggregate_operand(self, pr, trace, node: ast.Call, key: dict) -> dict:
        one, v = self._scalar(trace, node, key)
        unit = self._node_unit(pr, node)
        arg = node.args[0]
        table, filters, column = _table_parts(arg, self.policy)
        op: dict = {"name": to_text(node), "kind": "input", "unit": unit}
        if one:
            op.update({"value": json_value(v), "formatted": format_value(v, unit)})
        counts = trace.get(("rows", id(node)))
        rows: dict = {"table": table, "column": column, "function": node.func,
                      "filter": " and ".join(filters) if filters else None}
        if isinstance(counts, Val):
            ok, matched = self.r.at(counts, key)
            rows["matched"] = int(matched) if ok else None
        else:
            rows["matched"] = None
        rows["sum"] = json_value(v) if (node.func == "sum" and one) else None
        inp = self.policy.inputs.get(table) if table else None
        if inp is not None and inp.source is not None:
            rows["source"] = self.policy.cite(inp.source)
        if self.options.rows and table is not None and isinstance(counts, Val):
            self.add_records(rows, pr, arg, table, key, column)
        op["rows"] = rows
        return op

    def lookup_operand(self, pr, trace, node: ast.Path, key: dict) -> dict:
        one, v = self._scalar(trace, node, key)
        unit = self._node_unit(pr, node)
        table, _filters, column = _table_parts(node, self.policy)
        op: dict = {"name": to_text(node), "kind": "input", "unit": unit,
                    "value": json_value(v) if one else None,
                    "formatted": format_value(v, unit) if one else "saknas"}
        dims = pr.checked.types[id(node)].dims
        match = self._key_mask(table, {d: key[d] for d in dims if d in key})
        rows = {"table": table, "column": column, "function": "lookup", "filter": None,
                "matched": int(match.sum()) if match is not None else None, "sum": None}
        if match is not None and table is not None and self.options.rows:
            self._records(rows, table, np.flatnonzero(match))
        op["rows"] = rows
        return op

    def _key_mask(self, table: str | None, key: dict) -> np.ndarray | None:
        if table is None or table not in self.policy.inputs:
            return None
        scope = self.r.scope
        try:
            n = scope.nrows(table)
        except (VillkorError, KeyError):
            return None
        mask = np.ones(n, dtype=bool)
        for d, m in key.items():
            if d not in self.policy.inputs[table].by:
                continue
            mask &= scope.codes(table, d) == self.r.index[d][m]
        return mask

    def add_records(self, rows: dict, pr, arg: ast.Node, table: str, key: dict, column) -> None:
        """The input rows an aggregate used at `key`: its filter re-applied as one mask."""
        from .lang.interp import Ctx, Interp
        interp = Interp(self.r.scope, pr.checked, pr.per, None)
        with decimal.localcontext(V.FEEL_CONTEXT):
            got = interp.eval(arg, Ctx())
        mask = self._key_mask(table, {d: key[d] for d in pr.per if d in key})
        if mask is None:
            return
        if isinstance(got, TableView):
            if got.mask is not None:
                mask &= got.mask
        elif isinstance(got, Val):
            if got.mask is not None:
                mask &= got.mask
            if got.null is not None and got.null.shape == mask.shape:
                mask &= ~got.null
        self._records(rows, table, np.flatnonzero(mask))

    def _records(self, rows: dict, table: str, positions: np.ndarray) -> None:
        source = self.r.scope.tables.tables[table]
        frame = source.frame
        first = 2 if getattr(source, "path", None) else 1  # a file's header is row 1; inline rows count from 1
        limit = self.options.max_rows
        shown = positions[:limit]
        cols = list(self.policy.inputs[table].columns)
        cols = [c for c in cols if c in frame.columns]
        records = []
        sub = frame.iloc[shown][cols]
        for pos, (_, rec) in zip(shown, sub.iterrows()):
            item = {"row": int(pos) + first}
            for c in cols:
                x = rec[c]
                item[c] = json_value(_plain(x))
            records.append(item)
        rows["records"] = records
        rows["records_omitted"] = int(len(positions) - len(shown))


def _plain(x):
    """A pandas cell as a plain exact value."""
    if x is None:
        return None
    try:
        import pandas as pd
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return Decimal(str(x))
    if hasattr(x, "date") and callable(x.date) and not isinstance(x, dt.date):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    return x


def _flatten(node: ast.Node, op: str) -> list[ast.Node]:
    if isinstance(node, ast.Binary) and node.op == op:
        return _flatten(node.left, op) + _flatten(node.right, op)
    return [node]


def _name_of(node: ast.Node) -> str:
    return node.id if isinstance(node, ast.Name) else to_text(node)


def _table_parts(arg: ast.Node, policy: Policy) -> tuple[str | None, list[str], str | None]:
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


def _operand_nodes(node: ast.Node, lookups: set[int], inputs, in_rows: bool = False):
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
        yield from _operand_nodes(child, lookups, inputs, in_rows)


# ---------------------------------------------------------------- documents


def explain_document(evaluation, tables, rule_id: str, where: dict[str, str] | None = None,
                     options: Options | None = None) -> dict:
    """The JSON document of `villkor explain` (schemas/explanation.schema.json)."""
    explainer = Explainer(evaluation, options or Options())
    keys = explainer.select(rule_id, where)
    trees = [explainer.explain(rule_id, key) for key in keys]
    return {"format": FORMAT_ID, **provenance(evaluation, tables), "rule": rule_id,
            "where": {d: json_value(explainer.resolve_member(d, w)) for d, w in (where or {}).items()},
            "warnings": list(evaluation.warnings), "explanations": trees}


def provenance(evaluation, tables) -> dict:
    """Policy id, version and hash; every input file's hash: what reproduces a decision."""
    policy = evaluation.plan.policy
    data = []
    for t in sorted(tables.tables.values(), key=lambda t: list(policy.inputs).index(t.id)):
        data.append({"table": t.id, "path": display_path(t.path), "sha256": t.sha256, "rows": int(t.rows)})
    return {"policy": {"id": policy.id, "title": policy.title, "version": policy.version,
                       "path": display_path(policy.path), "sha256": policy.sha256},
            "data": data}


def key_text(node: dict) -> str:
    labels = node.get("labels", {})
    return ", ".join(str(labels.get(d, m)) for d, m in node["key"].items())


def _head(node: dict) -> str:
    where = key_text(node)
    return f"{node['rule']}" + (f" · {where}" if where else "") + f" = {node['formatted']}"


def operand_line(op: dict, key: dict | None = None) -> str | None:
    """One line of text for an operand at a node's key (members of the key are not repeated)."""
    kind = op["kind"]
    if kind == "parameter":
        text = f"parameter {op['name']} = {_op_value(op, key)}"
        if op.get("title"):
            text += f" — {op['title']}"
        if op.get("status") == "illustrative":
            text += " [ILLUSTRATIVT VÄRDE, inte officiellt" + (f": {op['note']}" if op.get("note") else "") + "]"
        if op.get("source"):
            text += f" (källa: {op['source']})"
        return text
    if kind == "input":
        rows = op.get("rows") or {}
        text = f"indata {op['name']} = {op.get('formatted', 'saknas')}"
        parts = []
        if rows.get("function") == "lookup":
            parts.append(f"{'en rad' if rows.get('matched') == 1 else str(rows.get('matched')) + ' rader'}"
                         f" i {rows.get('table')}")
        else:
            if rows.get("filter"):
                parts.append(f"urval: {rows['filter']}")
            if rows.get("matched") is not None:
                n = rows["matched"]
                parts.append(f"{_count(n)} matchande {'rad' if n == 1 else 'rader'} i {rows.get('table')}")
            if rows.get("sum") is not None and rows.get("column"):
                parts.append(f"summa av {rows['column']}: {format_value(_from_json(rows['sum']), op.get('unit'))}")
        if rows.get("source"):
            parts.append(f"källa: {rows['source']}")
        return text + (" (" + "; ".join(parts) + ")" if parts else "")
    if kind == "dimension":
        return f"{op['name']} = {op['formatted']}"
    if kind == "rule":
        return f"regel {op['name']} = {_op_value(op, key)}"
    return f"{op['name']} = {op.get('formatted')}"


def _op_value(op: dict, key: dict | None = None) -> str:
    if "values" in op:
        key = key or {}
        parts = []
        for v in op["values"]:
            labels = v.get("labels", {})
            where = ", ".join(str(labels.get(d, m)) for d, m in v["key"].items() if d not in key)
            parts.append(f"{where}: {v['formatted']}" if where else v["formatted"])
        return "; ".join(parts)
    return op.get("formatted", "saknas")


def _count(n: int) -> str:
    return _fmt_number(n, None)


def _from_json(x):
    if isinstance(x, str):
        try:
            return Decimal(x)
        except decimal.InvalidOperation:
            return x
    return x


def _cell_text(value) -> str:
    if value is None:
        return "(tom)"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def record_lines(rows: dict) -> list[str]:
    records = rows.get("records")
    if records is None:
        return []
    if not records:
        return ["  (inga rader)"]
    cols = [c for c in records[0] if c != "row"]
    out = [f"  rad {r['row']}: " + ", ".join(f"{c}={_cell_text(r[c])}" for c in cols) for r in records]
    if rows.get("records_omitted"):
        out.append(f"  … och {_count(rows['records_omitted'])} rader till")
    return out


def in_children(op: dict, shown: set[str]) -> bool:
    """A rule operand whose every value is an expanded child node needs no line of its own."""
    if op["kind"] != "rule":
        return False
    if "values" in op:
        return bool(op["values"]) and all(v.get("ref") in shown for v in op["values"])
    return op.get("ref") in shown


def node_details(node: dict) -> list[str]:
    """The lines under a node's head, shared by the text and Markdown renderers."""
    if "ref" in node:
        return []
    lines = [] if node["headline"] == f"{node['rule']}: {node['formatted']}" else [node["headline"]]
    if node.get("title") and node["title"] not in node["headline"]:
        lines.append(f"regel: {node['title']}")
    lines.append(f"uttryck: {node['expression']}")
    for d in node.get("decisions", []):
        lines.append(f"avgörande: {d['text']}")
    shown_children = {c["id"] for c in node.get("children", [])}
    for op in node.get("operands", []):
        if in_children(op, shown_children):
            continue
        line = operand_line(op, node["key"])
        if line:
            lines.append(line)
            if op["kind"] == "input":
                lines.extend(record_lines(op.get("rows") or {}))
    if node.get("truncated"):
        lines.append("(underliggande regler visas inte: --depth)")
    lines.append(f"källa: {node['source'] or 'SAKNAS'}")
    return lines


def render_text(doc_or_nodes) -> str:
    """The derivation trees as indented Swedish text."""
    nodes = doc_or_nodes["explanations"] if isinstance(doc_or_nodes, dict) else doc_or_nodes
    out: list[str] = []
    for i, node in enumerate(nodes):
        if i:
            out.append("")
        _text_node(node, "", "", out)
    return "\n".join(out) + "\n"


def _text_node(node: dict, first: str, rest: str, out: list[str]) -> None:
    head = _head(node)
    if "ref" in node:
        out.append(first + head + " (se ovan)")
        return
    out.append(first + head)
    children = node.get("children", [])
    bar = "│  " if children else "   "
    for line in node_details(node):
        out.append(rest + bar + line)
    for i, child in enumerate(children):
        last = i == len(children) - 1
        _text_node(child, rest + ("└─ " if last else "├─ "), rest + ("   " if last else "│  "), out)


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", str(text))


def md_code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def render_markdown(doc_or_nodes, level: int = 0) -> str:
    """The derivation trees as nested Markdown lists."""
    nodes = doc_or_nodes["explanations"] if isinstance(doc_or_nodes, dict) else doc_or_nodes
    out: list[str] = []
    for node in nodes:
        _md_node(node, level, out)
    return "\n".join(out) + "\n"


def _md_node(node: dict, level: int, out: list[str]) -> None:
    pad = "  " * level
    where = key_text(node)
    head = f"**{md_escape(node['rule'])}**" + (f" · {md_escape(where)}" if where else "") + \
        f" = **{md_escape(node['formatted'])}**"
    if "ref" in node:
        out.append(f"{pad}- {head} (se ovan)")
        return
    out.append(f"{pad}- {head} — {md_escape(node['headline'])}")
    sub = pad + "  "
    if node.get("title") and node["title"] not in node["headline"]:
        out.append(f"{sub}- Regel: {md_escape(node['title'])}")
    out.append(f"{sub}- Uttryck: {md_code(node['expression'])}")
    for d in node.get("decisions", []):
        out.append(f"{sub}- Avgörande: {md_escape(d['text'])}")
    shown = {c["id"] for c in node.get("children", [])}
    for op in node.get("operands", []):
        if in_children(op, shown):
            continue
        line = operand_line(op, node["key"])
        if line:
            out.append(f"{sub}- {md_escape(line)}")
            for rec in record_lines(op.get("rows") or {}):
                out.append(f"{sub}  - {md_escape(rec.strip())}")
    if node.get("truncated"):
        out.append(f"{sub}- (underliggande regler visas inte: --depth)")
    out.append(f"{sub}- Källa: {md_escape(node['source'] or 'SAKNAS')}")
    for child in node.get("children", []):
        _md_node(child, level + 1, out)


def iter_nodes(nodes: Iterable[dict]):
    """Every node of the trees, parents first (references included)."""
    for node in nodes:
        yield node
        yield from iter_nodes(node.get("children", []))


def markdown_document(doc: dict) -> str:
    """The whole explanation as a Markdown document: heading, policy, warnings, the tree."""
    pol = doc["policy"]
    head = [f"# Förklaring: {md_escape(doc['rule'])}", "",
            f"{md_escape(pol['title'])}, version {md_escape(pol['version'])} "
            f"(policy sha256 {pol['sha256']})", ""]
    warn = [f"> **Varning:** {md_escape(w)}" for w in doc["warnings"]]
    return "\n".join(head + warn + ([""] if warn else [])) + render_markdown(doc)


class _Static:
    """Just enough of an Evaluation for `Explainer.select` before data is read."""

    def __init__(self, planned):
        self.plan = planned
        self.scope = planned.scope
        self.values: dict = {}
        self.traces: dict = {}


def select_before_reading(planned, rule_id: str, where: dict[str, str]) -> None:
    """Refuse an unknown rule or member from the plan alone, before (possibly large) data is read."""
    Explainer(_Static(planned)).select(rule_id, where)
