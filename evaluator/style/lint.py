"""`villkor lint`: things that are valid but likely wrong, each with a code and a place.

code   finding                                                               severity
VK101  a rule or check cites no source                                        warning
VK102  a parameter no rule, check or explanation template uses                warning
VK103  an illustrative parameter (a stand-in, not an official figure)         warning
VK104  an output rule without an explanation template (`explain`)             warning
VK105  a date or year that does not fit the validity window:                  warning
       - a date parameter before `valid.from` or after `valid.to`
         (e.g. a deadline left at last year's date);
       - a year parameter (`unit: year`, a whole number) outside the years the
         window touches (`valid.from.year` .. `valid.to.year`);
       - a list of years (`unit: year` or an id ending in `_years`) that
         contains the value of a `*_year` parameter (e.g. a baseline window
         that overlaps the measurement year after only one of them was moved).
       - the date of the decision letters (`letter: date`, when a date rather
         than a date parameter) outside the window.
       The second and third are heuristics on names and units: name year
       parameters `*_year` and year lists `*_years` (or give them `unit: year`)
       for the check to see them.
VK106  a table parameter declared `complete: false` that lacks members        warning
VK107  a division whose divisor can be zero and is not guarded by an          warning
       enclosing `if d = 0 then … else …` (or `d != 0`, `d > 0`): a rule,      (error when the
       an aggregate (`sum`, `count` of rows, …), a parameter whose value is    divisor is certainly
       or contains 0, arithmetic on those. A literal non-zero number, a        zero: a literal 0 or a
       non-empty list's `count`, `max(positive literal, …)` are non-zero.      scalar parameter = 0)
VK108  a year written as digits in a title (the policy's, a dimension's,        warning
       parameter's, input's, column's, rule's, check's or letter figure's, as
       written, before its placeholders are filled in) or a letter text, that
       lies outside the years of the validity window (e.g. "2025" left in a
       title copied from last year): take it from a parameter. The finding
       names the year parameters (`unit: year` or an id ending in `_year`,
       one whole number) that lie within the window: "use {measurement_year}
       (2027)". A statute number such as (2024:1252) is not a year; a source's
       title quotes a document and is not checked.

Warnings leave the exit code 0 unless `--strict`; errors always give 1.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from ..diagnostics import Diagnostic, Location
from ..lang import ast
from ..lang.builtins import REGISTRY
from ..plan import Plan
from ..policy.model import Check, Rule
from ..policy.titles import title_templates

CODES = {
    "VK101": "rule or check without a source citation",
    "VK102": "parameter never used",
    "VK103": "illustrative parameter",
    "VK104": "output without an explanation template",
    "VK105": "date or year outside the validity window",
    "VK106": "table parameter missing a dimension member",
    "VK107": "division by a value that can be zero",
    "VK108": "a year in a title or letter text outside the validity window",
}


def finding(code: str, message: str, location: Location, severity: str = "warning",
            hint: str | None = None) -> Diagnostic:
    """A lint finding: a diagnostic whose severity is a warning unless said otherwise."""
    return Diagnostic(code, severity, location, message, hint)


def lint(plan: Plan) -> list[Diagnostic]:
    """Every finding of one planned policy, ordered by file and position."""
    policy = plan.policy
    findings: list[Diagnostic] = []
    findings += _sources(plan)
    findings += _parameters(plan)
    for rid in policy.outputs:
        rule = policy.rules.get(rid)
        if rule is not None and not (rule.explain or "").strip():
            findings.append(finding("VK104", f"output '{rid}' has no explanation template (explain:)",
                                    rule.location))
    findings += _dates(plan)
    findings += _divisions(plan)
    findings += _text_years(plan)
    return sorted(set(findings), key=lambda f: (f.location.file or "", f.location.line or 0,
                                                f.location.column or 0, f.code, f.message))


def _sources(plan: Plan) -> list[Diagnostic]:
    out = []
    items: list[Rule | Check] = [*plan.policy.rules.values(), *plan.policy.checks.values()]
    for item in items:
        if item.source is None:
            kind = "rule" if item.id in plan.policy.rules else "check"
            out.append(finding("VK101", f"{kind} '{item.id}' cites no source (add source: {{ref: …}})",
                               item.location))
    return out


def _parameters(plan: Plan) -> list[Diagnostic]:
    policy = plan.policy
    in_template: set[str] = set()  # a value shown in an explanation, a title or a letter is used too
    for rule in policy.rules.values():
        in_template |= set(re.findall(r"{(\w+)", rule.explain or ""))
    in_template |= {name for text, _ in _written_texts(policy) for name in re.findall(r"{(\w+)", text)}
    if policy.letter is not None and isinstance(policy.letter.date, str):
        in_template.add(policy.letter.date)
    out = []
    for p in policy.parameters.values():
        if not plan.graph.used_anywhere(p.id) and p.id not in in_template:
            out.append(finding("VK102", f"parameter '{p.id}' is never used by a rule, check or explanation",
                               p.location))
        if p.status == "illustrative":
            out.append(finding("VK103", f"parameter '{p.id}' is illustrative, not an official figure",
                               p.location))
        if p.by and not p.complete and all(d in policy.dimensions for d in p.by):
            wanted = itertools.product(*[policy.dimensions[d].members for d in p.by])
            missing = [k for k in wanted if k not in p.value]
            if missing:
                names = ", ".join("/".join(map(str, k)) for k in missing[:5])
                more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                out.append(finding("VK106", f"parameter '{p.id}' (complete: false) has no value for "
                                            f"{names}{more}", p.location))
    return out


# ---------------------------------------------------------------- VK105


def _is_year_list(p) -> bool:
    return isinstance(p.value, list) and bool(p.value) and \
        all(isinstance(v, int) and not isinstance(v, bool) for v in p.value) and \
        (p.unit == "year" or p.id.endswith("_years"))


def _dates(plan: Plan) -> list[Diagnostic]:
    policy = plan.policy
    start, end = policy.valid.start, policy.valid.end
    window = f"{start} – {end}"
    out = []
    for p in policy.parameters.values():
        if isinstance(p.value, dt.date) and not p.by:
            if p.value < start:
                out.append(finding("VK105", f"date '{p.id}' = {p.value} is before the validity window "
                                            f"{window} (left from an earlier year?)", p.location))
            elif p.value > end:
                out.append(finding("VK105", f"date '{p.id}' = {p.value} is after the validity window "
                                            f"{window}", p.location))
        if p.unit == "year" and isinstance(p.value, int) and not isinstance(p.value, bool) \
                and not start.year <= p.value <= end.year:
            out.append(finding("VK105", f"year '{p.id}' = {p.value} is outside the years of the validity "
                                        f"window {window}", p.location))
    scalars = [q for q in policy.parameters.values()
               if q.id.endswith("_year") and isinstance(q.value, int) and not isinstance(q.value, bool)]
    for p in policy.parameters.values():
        if not _is_year_list(p):
            continue
        for q in scalars:
            if q.value in p.value:
                out.append(finding("VK105", f"'{p.id}' = [{', '.join(map(str, p.value))}] includes "
                                            f"{q.value}, the value of '{q.id}'", p.location))
    return out


# ---------------------------------------------------------------- VK108

# Four digits 1900-2099 standing alone: not part of a longer number, nor a statute number
# such as "(2024:1252)".
_YEAR = re.compile(r"(?<![\d(:])(?:19|20)\d{2}(?![\d:])")


def _letter_texts(policy) -> list[tuple[str, Location]]:
    """Every text of the `letter:` section with its place in the file (but the figures' titles)."""
    letter = policy.letter
    if letter is None:
        return []
    place = letter.places.get
    out = [(letter.title, place("title", letter.location))]
    for sec in letter.sections:
        out.append((sec.heading, sec.location))
        out += [(p.text, p.location) for p in sec.paragraphs]
    out += [(text, place(part, letter.location))
            for text, part in ((letter.appendix_heading, "appendix"), (letter.index_title, "index")) if text]
    return out  # the figures' titles are titles (policy/titles.py), read as written with the others


def _written_texts(policy) -> list[tuple[str, Location]]:
    """Every title as written (placeholders not filled in) and every letter text, with its place."""
    return [(t.text, t.location) for _what, t in title_templates(policy)] + _letter_texts(policy)


def _year_parameters(policy) -> list:
    """The parameters holding one year within the validity window: what a stale year should be."""
    start, end = policy.valid.start, policy.valid.end
    return [p for p in policy.parameters.values()
            if not p.by and isinstance(p.value, int) and not isinstance(p.value, bool)
            and (p.unit == "year" or p.id.endswith("_year")) and start.year <= p.value <= end.year]


def _text_years(plan: Plan) -> list[Diagnostic]:
    policy = plan.policy
    start, end = policy.valid.start, policy.valid.end
    instead = " or ".join(f"{{{p.id}}} ({p.value})" for p in _year_parameters(policy))
    advice = f"use {instead}" if instead else "take it from a parameter, e.g. {measurement_year}"
    out = []
    for text, location in _written_texts(policy):
        for match in _YEAR.finditer(text):
            year = int(match.group(0))
            if not start.year <= year <= end.year:
                shown = text if len(text) <= 60 else text[:57] + "…"
                out.append(finding("VK108", f"'{shown}' names the year {year}, outside the validity window "
                                            f"{start} – {end}: {advice}", location))
    letter = policy.letter  # a date parameter is checked with the others (VK105)
    if letter is not None and isinstance(letter.date, dt.date) and not start <= letter.date <= end:
        out.append(finding("VK105", f"the letters' date {letter.date} is outside the validity window "
                                    f"{start} – {end} (left from an earlier year?)",
                           letter.places.get("date", letter.location)))
    return out


# ---------------------------------------------------------------- VK107


def _divisions(plan: Plan) -> list[Diagnostic]:
    policy = plan.policy
    out = []
    for pr in plan.order + plan.checks:
        item = pr.rule
        for node in _unguarded_divisions(pr.checked.node, frozenset()):
            verdict = _zero(node.right, policy)
            if verdict == "no":
                continue
            loc = item.expr_location
            right = node.right
            where = Location(file=loc.file, line=(loc.line or 1) + right.line - 1,
                             column=(loc.column or 1) + right.column - 1, rule=pr.id)
            what = "rule" if not pr.is_check else "check"
            text = _text(item.expr, right)
            if verdict == "yes":
                out.append(finding("VK107", f"{what} '{pr.id}' divides by {text}, which is zero", where, "error"))
            else:
                out.append(finding("VK107", f"{what} '{pr.id}' divides by {text}, which can be zero; guard it "
                                            f"with if {text} = 0 then … else …", where))
    return out


def _is_zero(node) -> bool:
    return isinstance(node, ast.Number) and node.value == 0


def _guard(cond):
    """(divisor, then_nonzero, else_nonzero) for `d = 0`, `d != 0`, `d > 0`, `0 < d`, …"""
    if not isinstance(cond, ast.Binary):
        return None
    if _is_zero(cond.right):
        d, op = cond.left, cond.op
    elif _is_zero(cond.left):
        d, op = cond.right, {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}.get(cond.op)
    else:
        return None
    if op == "=":
        return d, False, True
    if op in ("!=", ">", "<"):
        return d, True, False
    if op in ("<=", ">="):  # `d <= 0 then … else x / d`: the else side has d ≠ 0
        return d, False, True
    return None


def _unguarded_divisions(node, nonzero: frozenset):
    """Divisions whose divisor an enclosing `if` does not prove non-zero. Guards compare syntax
    trees, so `if key_total = 0 then 0 else x / key_total` guards `key_total`."""
    if isinstance(node, ast.If):
        yield from _unguarded_divisions(node.cond, nonzero)
        guard = _guard(node.cond)
        then_nz = else_nz = nonzero
        if guard:
            d, in_then, in_else = guard
            then_nz = nonzero | {d} if in_then else nonzero
            else_nz = nonzero | {d} if in_else else nonzero
        yield from _unguarded_divisions(node.then, then_nz)
        yield from _unguarded_divisions(node.other, else_nz)
        return
    if isinstance(node, ast.Binary) and node.op == "/" and node.right not in nonzero:
        yield node
    for child in node.children():
        yield from _unguarded_divisions(child, nonzero)


def _zero(node, policy) -> str:
    """'yes' (certainly zero), 'maybe', or 'no' (provably non-zero)."""
    if isinstance(node, ast.Number):
        return "yes" if node.value == 0 else "no"
    if isinstance(node, ast.Unary):
        return _zero(node.operand, policy)
    if isinstance(node, ast.Name):
        p = policy.parameters.get(node.id)
        if p is not None:
            if p.by:
                values = list(p.value.values())
                return "maybe" if any(v == 0 for v in values) or not p.complete else "no"
            if isinstance(p.value, list):
                return "maybe"
            return "yes" if p.value == 0 else "no"
        return "maybe"  # a rule (its value depends on the data), a column, a dimension key
    if isinstance(node, ast.Binary):
        left, right = _zero(node.left, policy), _zero(node.right, policy)
        if node.op == "*":
            return "yes" if "yes" in (left, right) else "no" if left == right == "no" else "maybe"
        if node.op == "/":
            return left if left != "no" else "no"
        if node.op == "**":
            return left if left != "no" else "no"
        return "maybe"  # a + b, a - b: can cancel
    if isinstance(node, ast.If):
        a, b = _zero(node.then, policy), _zero(node.other, policy)
        return a if a == b else "maybe"
    if isinstance(node, ast.Call):
        builtin = REGISTRY.get(node.func)
        if builtin is not None and builtin.zero is not None:  # count of a constant list, max(1, …)
            return builtin.zero(node, lambda arg: _constant(arg, policy))
        return "maybe"  # sum, count of rows, min, mean, round, … of data
    if isinstance(node, (ast.String, ast.Bool)):
        return "no"  # a type error the checker reports; not ours
    return "maybe"


def _constant(node, policy):
    """The value of a literal list or of a national parameter; None for anything else."""
    if isinstance(node, ast.ListExpr):
        return list(node.items)
    if isinstance(node, ast.Name):
        p = policy.parameters.get(node.id)
        if p is not None and not p.by:
            return p.value
    return None


def _text(expr: str, node) -> str:
    lines = expr.split("\n")
    if not 0 < node.line <= len(lines):
        return "?"
    line = lines[node.line - 1]
    end = node.end_column if node.end_column > node.column else len(line) + 1
    return line[node.column - 1:end - 1].strip() or "?"

