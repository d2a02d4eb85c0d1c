"""Goal seek: which uniform factor on a parameter makes a national total reach a target?

The question policy staff ask of next year's rules ("scale all tariffs so that the payout is
700 000 000 kr") in the scenario file:

    seek:
      scale: approximate_cost_excl_supplement        # every cell; or one: ....cataract
      target: {rule: paid_total, value: 700000000}

or on the command line, `--seek 'approximate_cost_excl_supplement * x: paid_total = 700000000'`.

Every scaled cell is the policy's value times the factor x, exactly (a Decimal, never a
float). The total is taken to be non-decreasing in x (every candidate round checks it) but it is
only piecewise linear: caps, floors and rounding bend it. So the solver brackets the target and
narrows the bracket with many candidate factors per round, all evaluated at once as a scenario
axis over one plain evaluation; each round adds two decimal digits to the factor, plus the point
a straight line through the bracket's ends predicts (exact where the total is linear there).
The answer is the largest factor tried whose total does not exceed the target: it is exact
when the total equals the target, "to the krona" when it falls short by less than 1 kr, and
otherwise the total jumps past the target within one öre of the scaled values (a rounding or a
threshold in the rules), and both sides are reported.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import Location, PolicyError, UsageError

CANDIDATES = 100  # a round tries lo + (hi - lo) * i / 100: two more decimal digits per round
MAX_ROUNDS = 40
GROWTH = tuple(2 ** k for k in range(1, 31))  # the factors tried above 1 to bracket the target
KRONA = Decimal(1)
ORE = Decimal("0.01")
EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_FLOOR, traps=[decimal.InvalidOperation])
CLI_FORM = re.compile(r"^\s*([a-z_][a-z0-9_]*(?:\.[^\s*×:]+)?)\s*[*×]\s*x\s*:\s*([a-z_][a-z0-9_]*)\s*=\s*"
                      r"([0-9][0-9 _\u00a0\u2009]*(?:[.,][0-9]+)?)\s*(?:kr)?\s*$")


@dataclass
class Seek:
    parameter: str
    key: tuple | None  # one cell of a table, or None: every cell
    rule: str
    target: int | Decimal
    where: Location  # for errors about the question as a whole


@dataclass
class SeekResult:
    seek: Seek
    reachable: bool
    exact: bool  # the total equals the target
    factor: Decimal | None  # the largest factor tried whose total does not exceed the target
    reached: int | Decimal | None
    above: tuple[Decimal, Any] | None  # the smallest factor tried above it, and its total
    limit: tuple[Decimal, Any] | None  # unreachable: the factor and total nearest the target
    cells: list[tuple[tuple, Any, Any]]  # (member key, policy value, scaled value)
    binding: list[str] = field(default_factory=list)  # Swedish lines: what decides at the solution
    failed_checks: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # the plain evaluation's

    def shown(self) -> tuple[Decimal, Any]:
        """The factor and total the report stands on: the answer, or the nearest to the target."""
        if self.factor is not None:
            return self.factor, self.reached
        assert self.limit is not None  # an unreachable target always has its limit
        return self.limit
    rounds: int = 0  # evaluations, each of many factors
    evaluated: int = 0  # factors tried


# ---------------------------------------------------------------- the question


def parse_cli(policy, text: str) -> Seek:
    """`PARAMETER * x: RULE = VALUE` (× for *, spaces in the number, an optional 'kr')."""
    m = CLI_FORM.match(text)
    if not m:
        raise UsageError(f"--seek {text!r} is not of the form 'PARAMETER * x: RULE = VALUE'",
                         hint="e.g. --seek 'approximate_cost_excl_supplement * x: paid_total = 700000000'")
    number = re.sub(r"[ _\u00a0\u2009]", "", m.group(3)).replace(",", ".")
    here = Location(field="--seek")
    return _checked(policy, m.group(1), m.group(2), Decimal(number), here, here, here)


def read_section(policy, loaded) -> Seek:
    """The `seek:` section of a scenario file; errors point at its line and column."""
    raw = loaded.tree["seek"]
    where = loaded.location(("seek",))
    example = "e.g.\n    seek:\n      scale: approximate_cost_excl_supplement\n" \
              "      target: {rule: paid_total, value: 700000000}"
    if not isinstance(raw, dict) or set(raw) != {"scale", "target"}:
        raise PolicyError("'seek' has 'scale' (the parameter to multiply) and 'target' (rule and value)",
                          where, example)
    target = raw["target"]
    if not isinstance(target, dict) or not {"rule", "value"} <= set(target) or set(target) - {"rule", "value", "unit"}:
        raise PolicyError("the target names a rule and a value: {rule: paid_total, value: 700000000}",
                          loaded.location(("seek", "target")), example)
    value = target["value"]
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise PolicyError(f"the target value is a number of kronor, not {value!r}",
                          loaded.location(("seek", "target", "value")), "e.g. value: 700000000")
    seek = _checked(policy, str(raw["scale"]), str(target["rule"]), Decimal(value),
                    loaded.location(("seek", "scale")), loaded.location(("seek", "target", "rule")), where)
    unit = target.get("unit")
    rule_unit = policy.rules[seek.rule].unit
    if unit is not None and str(unit) != str(rule_unit):
        raise PolicyError(f"rule '{seek.rule}' is in {rule_unit}, not {unit}",
                          loaded.location(("seek", "target", "unit")), f"write unit: {rule_unit}, or leave it out")
    return seek


def _checked(policy, scale: str, rule: str, target: Decimal, scale_at: Location, rule_at: Location,
             where: Location) -> Seek:
    from ..errors import did_you_mean
    from .read import split_path

    pid, key = split_path(policy, scale, scale_at)
    p = policy.parameters.get(pid)
    if p is None:
        raise PolicyError(f"unknown parameter '{pid}'", scale_at, did_you_mean(pid, policy.parameters))
    cells = _cells(p)
    if not cells or any(isinstance(v, bool) or not isinstance(v, (int, Decimal)) for _, v in cells):
        raise PolicyError(f"parameter '{pid}' is not a number or a table of numbers: it cannot be scaled",
                          scale_at, "scale a parameter such as a tariff or a supplement")
    if key:
        if not p.by:
            raise PolicyError(f"parameter '{pid}' is a single value, not a table: write '{pid}'", scale_at)
        if key not in dict(cells):
            members = [".".join(map(str, k)) for k, _ in cells]
            raise PolicyError(f"parameter '{pid}' has no cell '{'.'.join(map(str, key))}'", scale_at,
                              did_you_mean(".".join(map(str, key)), members))
    r = policy.rules.get(rule)
    if r is None:
        raise PolicyError(f"unknown rule '{rule}'", rule_at, did_you_mean(rule, policy.rules))
    goal: int | Decimal = int(target) if target == target.to_integral_value() else target
    return Seek(pid, key or None, rule, goal, where)


def _cells(p) -> list[tuple[tuple, Any]]:
    if not p.by:
        return [((), p.value)]
    return [((k if isinstance(k, tuple) else (k,)), v) for k, v in p.value.items()]


# ---------------------------------------------------------------- solving


def _scaled(value, factor: Decimal):
    """The policy's value times the factor, exactly; whole numbers stay int."""
    out = EXACT.multiply(Decimal(value), factor)
    return int(out) if out == out.to_integral_value() else out.normalize(EXACT)


class _Evaluator:
    """Totals of the target rule for many factors at once: one scenario per factor."""

    def __init__(self, planned, tables, seek: Seek, base):
        self.planned, self.tables, self.seek, self.base = planned, tables, seek, base
        p = planned.policy.parameters[seek.parameter]
        self.cells = [(k, v) for k, v in _cells(p) if seek.key is None or k == seek.key]
        self.largest = max(abs(Decimal(v)) for _, v in self.cells)
        self.totals: dict[Decimal, Any] = {Decimal(1): self._base_total()}
        self.evaluated = 0
        self.rounds = 0  # evaluations with a scenario axis of factors

    def _base_total(self):
        pr = self.planned.rules[self.seek.rule]
        if pr.type.dims or pr.type.kind != "number":
            raise PolicyError(f"rule '{self.seek.rule}' is not one national number: a goal seek needs a total "
                              "such as payout_total", self.seek.where,
                              "name a rule without 'per' whose value is a number")
        if self.seek.rule not in self.base.values:
            raise PolicyError(f"rule '{self.seek.rule}' is not computed on this data: an optional input it uses "
                              "is absent", self.seek.where,
                              "add the input's file to the data folder, or seek on a total without it "
                              "(e.g. payout_total)")
        return _number(self.base.values[self.seek.rule].data.reshape(-1)[0])

    def scenarios(self, factors):
        from .read import Scenario
        return [Scenario(f"x={f}", {(self.seek.parameter, k): _scaled(v, f) for k, v in self.cells})
                for f in factors]

    def run(self, factors):
        from .evaluate import evaluate_scenarios
        return evaluate_scenarios(self.planned, self.tables, self.scenarios(factors), base=self.base)

    def totals_of(self, factors: list[Decimal]) -> list:
        new = [f for f in dict.fromkeys(factors) if f not in self.totals]
        if new:
            run = self.run(new)
            val = run.values.get(self.seek.rule)
            if val is None:
                raise PolicyError(f"rule '{self.seek.rule}' does not depend on parameter '{self.seek.parameter}': "
                                  "no factor changes it", self.seek.where,
                                  "scale a parameter the rule uses, directly or through other rules")
            self.evaluated += len(new)
            self.rounds += 1
            for f, t in zip(new, val.data.reshape(len(new) + 1)[1:]):
                self.totals[f] = _number(t)
        return [self.totals[f] for f in factors]


def _number(x):
    if isinstance(x, (np.integer, int)):
        return int(x)
    return x if not isinstance(x, Decimal) or x != x.to_integral_value() else int(x)


def _monotone(factors: list[Decimal], totals: list, seek: Seek) -> None:
    pairs = sorted(zip(factors, totals))
    for (f1, t1), (f2, t2) in zip(pairs, pairs[1:]):
        if t2 < t1:
            raise PolicyError(f"rule '{seek.rule}' falls from {t1} to {t2} when the factor grows from {f1} to {f2}: "
                              "a goal seek needs a total that never falls as the parameter grows", seek.where,
                              "seek on a total that grows with the parameter")


def solve(planned, tables, seek: Seek, base) -> SeekResult:
    """The factor, with the plain evaluation's warnings."""
    return _with_warnings(_solve(planned, tables, seek, base), base)


def _solve(planned, tables, seek: Seek, base) -> SeekResult:
    """Bracket the target between two factors, then narrow the bracket round by round."""
    ev = _Evaluator(planned, tables, seek, base)
    target = seek.target
    one = Decimal(1)
    if ev.totals[one] <= target:
        grow = [Decimal(g) for g in GROWTH]
        totals = ev.totals_of(grow)
        _monotone([one] + grow, [ev.totals[one]] + totals, seek)
        above = [f for f, t in zip(grow, totals) if t > target]
        if not above:
            top = grow[-1]
            if ev.totals[top] < target:
                # the first factor tried from which the total no longer grows (a cap everywhere)
                first = min(f for f in [one] + grow if ev.totals[f] == ev.totals[top])
                return _finish(ev, None, (first, ev.totals[top]))
            lo, hi = top, None
        else:
            hi = above[0]
            lo = max([one] + [f for f in grow if f < hi])
    else:
        zero = Decimal(0)
        if ev.totals_of([zero])[0] > target:
            return _finish(ev, None, (zero, ev.totals[zero]))
        lo, hi = zero, one
    rounds = 0  # of narrowing the bracket
    while hi is not None and rounds < MAX_ROUNDS:
        reached = ev.totals[lo]
        if reached == target or target - reached < KRONA or (hi - lo) * ev.largest < ORE:
            break
        rounds += 1
        step = EXACT.divide(hi - lo, Decimal(CANDIDATES))
        factors = [lo + step * i for i in range(1, CANDIDATES)]
        line = _on_the_line(lo, hi, ev.totals[lo], ev.totals[hi], target, step)
        if line is not None:
            factors.append(line)
        totals = ev.totals_of(factors)
        _monotone([lo] + factors + [hi], [ev.totals[lo]] + totals + [ev.totals[hi]], seek)
        lo = max([lo] + [f for f, t in zip(factors, totals) if t <= target])
        hi = min([hi] + [f for f, t in zip(factors, totals) if t > target])
    return _finish(ev, lo, None, hi)


def _with_warnings(result: SeekResult, base) -> SeekResult:
    result.warnings = list(base.warnings)
    return result


def _on_the_line(lo, hi, t_lo, t_hi, target, step) -> Decimal | None:
    """Where a straight line through the bracket's ends meets the target, to 10 digits below
    the round's step (rounded down): the answer itself where the total is linear there."""
    if t_hi == t_lo:
        return None
    x = lo + EXACT.divide(EXACT.multiply(Decimal(target - t_lo), hi - lo), Decimal(t_hi - t_lo))
    quantum = step.scaleb(-10)
    x = x.quantize(Decimal(1).scaleb(quantum.adjusted()), rounding=decimal.ROUND_FLOOR, context=EXACT)
    return x if lo < x < hi else None


def _finish(ev: _Evaluator, factor, limit, hi=None) -> SeekResult:
    seek = ev.seek
    if factor is None:
        return SeekResult(seek, False, False, None, None, None, limit,
                          [(k, v, _scaled(v, limit[0])) for k, v in ev.cells], evaluated=ev.evaluated,
                          binding=_binding(ev, limit[0]), rounds=ev.rounds)
    reached = ev.totals[factor]
    above = (hi, ev.totals[hi]) if hi is not None and reached != seek.target else None
    run = ev.run([factor])
    return SeekResult(seek, True, reached == seek.target, factor.normalize(EXACT), reached, above, None,
                      [(k, v, _scaled(v, factor)) for k, v in ev.cells], _binding(ev, factor, run),
                      run.failed_checks[1], evaluated=ev.evaluated, rounds=ev.rounds)


def _binding(ev: _Evaluator, factor: Decimal, run=None) -> list[str]:
    """In Swedish, per min/max of the recomputed rules: which argument decides, and where."""
    from ..engine import keys_of
    from .render import arg_title, member_label

    run = run or ev.run([factor])
    policy = ev.planned.policy
    lines = []
    for f in run.flips:
        pr = ev.planned.rules[f.rule]
        title = pr.rule.title or f.rule
        keys = [k for _, k in keys_of(run.evaluation.scope, tuple(pr.type.dims))]
        winners = f.winners.reshape(2, -1)[1]
        word = "lägst" if f.node.func == "min" else "högst"
        for j in range(1, len(f.args)):
            where = [", ".join(str(member_label(policy, d, m)) for d, m in keys[i].items()) for i in np.flatnonzero(winners == j)]
            arg = arg_title(policy, f.args[j])
            if where and keys and keys[0]:
                lines.append(f"{title}: {arg} är {word} för {_listing(where)} ({len(where)} av {len(keys)})")
            elif where:
                lines.append(f"{title}: {arg} är {word}")
        if not any(np.flatnonzero(winners == j).size for j in range(1, len(f.args))) and len(f.args) > 1:
            lines.append(f"{title}: {arg_title(policy, f.args[0])} är {word} överallt")
    return lines


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


# ---------------------------------------------------------------- the report


def _cell_name(policy, seek: Seek, key: tuple) -> str:
    from .render import member_label
    p = policy.parameters[seek.parameter]
    return " ".join(str(member_label(policy, d, m)) for d, m in zip(p.by, key)) or (p.title or p.id)


def answer(policy, r: SeekResult) -> list[str]:
    """The answer in plain Swedish, one paragraph per line."""
    from ..present import format_number
    from ..report.layout import format_value
    seek = r.seek
    rule = policy.rules[seek.rule]
    unit = rule.unit
    what = rule.title or seek.rule
    param = policy.parameters[seek.parameter].title or seek.parameter
    goal = format_value(seek.target, unit)
    factor, total = r.shown()
    if not r.reachable:
        if factor == 0:
            return [f"Målet {goal} kan inte nås: {what} blir {format_value(total, unit)} redan när "
                    f"{param} sätts till 0 (faktorn 0)."]
        if factor < GROWTH[-1]:
            return [f"Målet {goal} kan inte nås: {what} blir högst {format_value(total, unit)}, hur mycket "
                    f"{param} än höjs. Redan med faktorn {format_number(factor)} är summan {format_value(total, unit)}, "
                    f"och ingen större faktor (prövat upp till {format_number(GROWTH[-1])}) ändrar den. "
                    "Det som begränsar anges nedan."]
        return [f"Målet {goal} kan inte nås med någon prövad faktor: även med faktorn {format_number(factor)} "
                f"blir {what} bara {format_value(total, unit)}."]
    x = format_number(factor)
    if r.exact:
        return [f"Med faktorn x = {x} blir {what} exakt {goal}."]
    reached = format_value(total, unit)
    if seek.target - total < KRONA:
        return [f"Med faktorn x = {x} blir {what} {reached}, mindre än en krona under målet {goal}: "
                "målet är nått på kronan när."]
    lines = [f"Med faktorn x = {x} blir {what} {reached}, "
             f"{format_value(seek.target - total, unit)} under målet {goal}."]
    if r.above is not None:
        lines.append(f"Närmare än så kommer ingen faktor: redan faktorn {format_number(r.above[0].normalize(EXACT))} "
                     f"ger {format_value(r.above[1], unit)}, över målet. Summan gör ett hopp mellan de två "
                     "(en avrundning eller ett tröskelvärde i reglerna), och faktorerna skiljer sig mindre än "
                     "ett öre i de skalade beloppen.")
    return lines


def to_blocks(policy, r: SeekResult, source: str):
    from ..report.layout import Block, format_value
    seek = r.seek
    p = policy.parameters[seek.parameter]
    rule = policy.rules[seek.rule]
    scope = "alla värden i tabellen" if p.by and seek.key is None else \
        ("värdet för " + _cell_name(policy, seek, seek.key) if seek.key else "värdet")
    blocks = [Block("h1", f"Målsökning: {policy.title}"),
              Block("p", f"Regelverk {policy.id}, version {policy.version} (sha256 {policy.sha256[:12]}), fråga ur {source}: "
                         f"vilken faktor x, multiplicerad med {scope} i {p.title or p.id}, gör att "
                         f"{rule.title or seek.rule} blir {format_value(seek.target, rule.unit)}?"),
              Block("h2", "Svar")] + [Block("p", line) for line in answer(policy, r)]
    factor = r.shown()[0]
    header = [("Cell" if p.by else "Parameter"), "Enligt regelverket", "Med faktorn"]
    rows = [[_cell_name(policy, seek, k), format_value(old, p.unit), format_value(new, p.unit)]
            for k, old, new in r.cells]
    blocks += [Block("h2", f"{p.title or p.id} med faktorn {_plain(factor)}"),
               Block("table", header=header, rows=rows, numeric=[False, True, True])]
    if r.binding:
        blocks += [Block("h2", "Det som avgör vid faktorn"), Block("list", items=list(r.binding))]
    if r.failed_checks:
        blocks += [Block("h2", "Kontroller som inte håller"), Block("list", items=list(r.failed_checks))]
    blocks.append(Block("p", f"Beräkning: {r.evaluated} faktorer prövade i {r.rounds} omgångar; i varje omgång "
                             "beräknas faktorerna tillsammans, som scenarier."))
    if r.warnings:
        from ..report.warnings_sv import swedish
        blocks += [Block("h2", "Varningar"), Block("list", items=[swedish(w) for w in r.warnings])]
    return blocks


def _plain(x: Decimal) -> str:
    from ..present import format_number
    return format_number(x.normalize(EXACT))


def to_document(planned, tables, r: SeekResult, source: dict) -> dict:
    from ..engine import policy_info
    from ..report.json_writer import value_to_json
    policy = planned.policy
    info = policy_info(policy)
    seek = r.seek
    factor, total = r.shown()
    cell = (lambda k: ".".join(map(str, k))) if policy.parameters[seek.parameter].by else (lambda k: seek.parameter)
    return {"policy": {"id": info.id, "version": info.version, "sha256": info.sha256, "title": info.title,
                       "path": info.path},
            "data": [{"table": t.id, "path": t.path, "sha256": t.sha256, "rows": t.rows} for t in tables.tables.values()],
            "source": source,
            "seek": {"parameter": seek.parameter, "cell": ".".join(map(str, seek.key)) if seek.key else None,
                     "rule": seek.rule, "target": value_to_json(seek.target)},
            "reachable": r.reachable, "exact": r.exact,
            "factor": value_to_json(factor), "reached": value_to_json(total),
            "above": None if r.above is None else {"factor": value_to_json(r.above[0].normalize(EXACT)),
                                                   "reached": value_to_json(r.above[1])},
            "values": {cell(k): {"policy": value_to_json(old), "scaled": value_to_json(new)} for k, old, new in r.cells},
            "answer": answer(policy, r), "binding": r.binding, "failed_checks": r.failed_checks,
            "warnings": [str(w) for w in r.warnings],
            "evaluated": r.evaluated, "rounds": r.rounds}


def render(planned, tables, r: SeekResult, source: dict, fmt: str) -> bytes:
    import json
    policy = planned.policy
    if fmt == "json":
        return (json.dumps(to_document(planned, tables, r, source), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    blocks = to_blocks(policy, r, source["path"] or f"--seek '{source['question']}'")
    if fmt == "md":
        from ..report.markdown import blocks_to_markdown
        return blocks_to_markdown(blocks).encode("utf-8")
    if fmt == "html":
        from ..report.html import blocks_to_html
        return blocks_to_html(blocks, f"Målsökning: {policy.title}").encode("utf-8")
    raise UsageError(f"a goal seek writes json, md or html, not {fmt}", hint="e.g. --format md")
