"""The decisive branch of a rule at a key: which argument of `min`/`max` won, which branch of
an `if` was taken, which parts of a false `and` (or a true `or`) decided it.

Read from the traced values of the expression's nodes at the key; nothing is re-evaluated.
"""

from __future__ import annotations

from ..lang import ast
from ..lang.builtins import REGISTRY
from ..lang.printer import to_text
from ..lang.values import Val
from ..present import format_value, json_value
from .nodes import Decision
from .reader import unit_text


class Decisive:
    """Decisive-branch analysis over one plan, reading values through a `Reader`."""

    def __init__(self, plan, reader):
        self.plan = plan
        self.policy = plan.policy
        self.reader = reader

    def decisions(self, pr, trace: dict, key: dict) -> list[Decision]:
        """The decisive branches of a rule's expression at `key`, outermost first."""
        out: list[Decision] = []
        self._decide(pr.checked.node, trace, key, out, pr)
        return out

    def scalar(self, trace, node, key):
        v = trace.get(id(node))
        if not isinstance(v, Val):
            return False, None
        return self.reader.at(v, key)

    def _show(self, node: ast.Node, value, pr) -> str:
        unit = self.node_unit(pr, node)
        if isinstance(node, ast.Name) and (node.id in self.policy.rules or node.id in self.policy.parameters):
            return f"{node.id} = {format_value(value, unit)}"
        if isinstance(node, (ast.Number, ast.String, ast.Bool)):
            return format_value(value, unit)
        return f"{to_text(node)} = {format_value(value, unit)}"

    def node_unit(self, pr, node) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.policy.rules:
                other = self.plan.rules.get(node.id)
                return unit_text(self.policy.rules[node.id].unit) or (
                    unit_text(other.type.unit) if other else None)
            if node.id in self.policy.parameters:
                return unit_text(self.policy.parameters[node.id].unit)
        t = pr.checked.types.get(id(node))
        unit = unit_text(t.unit) if t is not None else None
        if unit is None and node is pr.checked.node:
            unit = unit_text(pr.rule.unit)
        return unit

    def _decide(self, node: ast.Node, trace, key, out, pr) -> None:
        if isinstance(node, ast.Filter):
            return  # row conditions: not a value per key
        one, value = self.scalar(trace, node, key)
        if not one:
            return  # a value finer than the key (inside an aggregate): no single branch
        decides = REGISTRY[node.func].decides if isinstance(node, ast.Call) else None
        if isinstance(node, ast.Call) and decides and len(node.args) >= 2:
            args = []
            for a in node.args:
                ok, v = self.scalar(trace, a, key)
                if not ok:
                    break
                args.append((a, v))
            else:
                self._decide_extreme(node, decides, value, args, out, pr)
        elif isinstance(node, ast.If):
            ok, c = self.scalar(trace, node.cond, key)
            if ok:
                branch = node.then if c is True else node.other
                state = "sant" if c is True else ("falskt" if c is False else "utan värde")
                out.append(Decision("if", to_text(node), condition=to_text(node.cond), condition_value=json_value(c),
                                     branch="then" if c is True else "else",
                                     text=f"villkoret {to_text(node.cond)} är {state}, så värdet blir "
                                          f"{to_text(branch)}"))
                self._decide(node.cond, trace, key, out, pr)
                self._decide(branch, trace, key, out, pr)
                return
        elif isinstance(node, ast.Binary) and node.op in ("and", "or"):
            leaves = flatten(node, node.op)
            vals = []
            for leaf in leaves:
                ok, v = self.scalar(trace, leaf, key)
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
            text = (" och ".join(name_of(a) for a, _ in winners) + " är lika ("
                    + format_value(value, self.node_unit(pr, node)) + ")")
        else:
            text = (" och ".join(self._show(a, v, pr) for a, v in winners[:1]) +
                    f" bestämmer värdet ({word} än " +
                    ", ".join(self._show(a, v, pr) for a, v in losers) + ")")
        out.append(Decision(fn, to_text(node), chosen=[name_of(a) for a, _ in winners], text=text))

    def _decide_logic(self, node, value, vals, out, trace=None, key=None, pr=None) -> None:
        op = node.op

        def why(leaf, state: str) -> str:
            text = f"{self._title_of(leaf)} är {state}"
            if isinstance(leaf, ast.Binary) and leaf.op in ("=", "!=", "<", "<=", ">", ">=") and trace is not None:
                sides = []
                for side in (leaf.left, leaf.right):
                    ok, v = self.scalar(trace, side, key)
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
                names = [name_of(x) for x in false]
                if false:
                    text = "inte uppfyllt: " + ", ".join(why(x, "nej") for x in false)
                else:
                    text = "inte uppfyllt: " + ", ".join(why(x, "utan värde") for x in absent)
                    names = [name_of(x) for x in absent]
        else:
            true = [leaf for leaf, v in vals if v is True]
            names = [name_of(x) for x in true]
            if value is True:
                text = "uppfyllt eftersom " + ", ".join(why(x, "ja") for x in true)
            else:
                text = f"inget av de {len(vals)} alternativen är uppfyllt"
        out.append(Decision(op, to_text(node), chosen=names, text=text))

    def _title_of(self, node) -> str:
        if isinstance(node, ast.Name):
            item = self.policy.rules.get(node.id) or self.policy.parameters.get(node.id)
            if item is not None and item.title:
                return f"{node.id} ({item.title})"
        return to_text(node)


def flatten(node: ast.Node, op: str) -> list[ast.Node]:
    if isinstance(node, ast.Binary) and node.op == op:
        return flatten(node.left, op) + flatten(node.right, op)
    return [node]


def name_of(node: ast.Node) -> str:
    return node.id if isinstance(node, ast.Name) else to_text(node)
