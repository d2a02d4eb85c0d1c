"""`villkor lint`: things that are valid but likely wrong, each with a code and a place.

VK101  rule without a source citation                                   warning
VK102  parameter never used by any rule or check                        warning
VK103  illustrative parameter (not an official figure)                  warning
VK104  output without an explanation template                           warning
VK105  a date or year that does not fit the validity window:            warning
       a date parameter before valid.from or after valid.to, a year
       parameter outside the window's years, or a list of years
       (a `*_years` parameter) that includes a `*_year` parameter
VK106  parameter table declared complete: false that misses members     warning
VK107  division by a value that can be zero (a rule, a parameter whose  warning
       value is or contains 0, or an aggregate such as sum or count)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import Location
from ..lang import ast
from ..plan import Plan


@dataclass
class Finding:
    code: str
    message: str
    location: Location
    severity: str = "warning"

    def render(self) -> str:
        return f"{self.location.prefix()}: {self.code} {self.severity}: {self.message}"


def lint(plan: Plan) -> list[Finding]:
    policy = plan.policy
    findings: list[Finding] = []
    used: set[str] = set()
    for pr in plan.order + plan.checks:
        used |= ast.names_used(pr.checked.node)
    for rule in policy.rules.values():  # a value shown in an explanation is used too
        used |= set(re.findall(r"{(\w+)}", rule.explain or ""))
    for rule in policy.rules.values():
        if rule.source is None:
            findings.append(Finding("VK101", f"rule '{rule.id}' cites no source", rule.location))
    for p in policy.parameters.values():
        if p.id not in used:
            findings.append(Finding("VK102", f"parameter '{p.id}' is never used", p.location))
        if p.status == "illustrative":
            findings.append(Finding("VK103", f"parameter '{p.id}' is illustrative, not an official figure",
                                    p.location))
        if p.by and not p.complete:
            import itertools
            wanted = list(itertools.product(*[policy.dimensions[d].members for d in p.by]))
            missing = [k for k in wanted if k not in p.value]
            if missing:
                findings.append(Finding("VK106", f"parameter '{p.id}' has no value for "
                                        + ", ".join("/".join(map(str, k)) for k in missing[:5])
                                        + (" …" if len(missing) > 5 else ""), p.location))
    for rid in policy.outputs:
        rule = policy.rules.get(rid)
        if rule is not None and not rule.explain:
            findings.append(Finding("VK104", f"output '{rid}' has no explanation template", rule.location))
    findings += _dates(plan)
    findings += _divisions(plan)
    return sorted(findings, key=lambda f: (f.location.file or "", f.location.line or 0, f.code))


def _dates(plan: Plan) -> list[Finding]:
    policy = plan.policy
    start, end = policy.valid.start, policy.valid.end
    years = range(start.year, end.year + 1)
    out = []
    for p in policy.parameters.values():
        if isinstance(p.value, dt.date) and not (start <= p.value <= end):
            out.append(Finding("VK105", f"date '{p.id}' = {p.value} lies outside the validity window "
                                        f"{start} – {end}", p.location))
        if p.unit == "year" and isinstance(p.value, int) and p.value not in years:
            out.append(Finding("VK105", f"year '{p.id}' = {p.value} lies outside the validity window's "
                                        f"years {start.year}–{end.year}", p.location))
    for p in policy.parameters.values():
        if p.id.endswith("_years") and isinstance(p.value, list):
            for q in policy.parameters.values():
                if q.id.endswith("_year") and isinstance(q.value, int) and q.value in p.value:
                    out.append(Finding("VK105", f"'{p.id}' includes {q.value}, which is '{q.id}'", p.location))
    return out


def _divisions(plan: Plan) -> list[Finding]:
    policy = plan.policy
    out = []
    for pr in plan.order + plan.checks:
        for node in _unguarded_divisions(pr.checked.node, frozenset()):
            if _may_be_zero(node.right, policy):
                loc = pr.rule.expr_location
                out.append(Finding("VK107", f"'{pr.id}' divides by {_text(pr.rule.expr, node.right)}, which "
                                            "can be zero", Location(file=loc.file, line=loc.line,
                                                                    column=(loc.column or 1) + node.right.column - 1
                                                                    if node.right.line == 1 else node.right.column,
                                                                    rule=pr.id)))
    return out


def _unguarded_divisions(node, nonzero: frozenset):
    """Divisions whose divisor is not known non-zero by an enclosing `if d = 0 then … else …`
    (or `if d != 0 then …`). Guards compare syntax trees, so `key_total` guards `key_total`."""
    if isinstance(node, ast.If):
        c = node.cond
        zero_test = isinstance(c, ast.Binary) and c.op in ("=", "!=") and \
            isinstance(c.right, ast.Number) and c.right.value == 0
        yield from _unguarded_divisions(c, nonzero)
        then_nz = nonzero | {c.left} if zero_test and c.op == "!=" else nonzero
        else_nz = nonzero | {c.left} if zero_test and c.op == "=" else nonzero
        yield from _unguarded_divisions(node.then, then_nz)
        yield from _unguarded_divisions(node.other, else_nz)
        return
    if isinstance(node, ast.Binary) and node.op == "/" and node.right not in nonzero:
        yield node
    for child in node.children():
        yield from _unguarded_divisions(child, nonzero)


def _may_be_zero(node, policy) -> bool:
    if isinstance(node, ast.Number):
        return node.value == 0
    if isinstance(node, ast.Name):
        p = policy.parameters.get(node.id)
        if p is not None:
            values = p.value.values() if p.by else (p.value if isinstance(p.value, list) else [p.value])
            return any(v == 0 for v in values)
        return node.id in policy.rules
    if isinstance(node, ast.Call):
        if node.func == "count" and node.args and isinstance(node.args[0], ast.Name) \
                and node.args[0].id in policy.parameters:
            return len(policy.parameters[node.args[0].id].value or []) == 0
        return node.func in ("sum", "count", "min", "max", "mean", "abs", "modulo", "floor", "round")
    return not isinstance(node, (ast.String, ast.Bool))


def _text(expr: str, node) -> str:
    lines = expr.split("\n")
    return lines[node.line - 1][node.column - 1:node.end_column - 1] if node.line <= len(lines) else "?"
