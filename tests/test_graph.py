"""The dependency graph (evaluator/graph.py) on small hand-written policies: order, the
transitive questions, and cycles carried as data."""

import pytest

from evaluator.errors import CycleError, ErrorList, render
from evaluator.graph import DependencyGraph
from evaluator.plan import plan
from evaluator.policy.build import load_policy

from support import write

HEAD = """\
policy: tiny
title: Liten
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
dimensions:
  region:
    members: [A, B]
parameters:
  rate: {value: 3, unit: kr/count}
  unused: {value: 5}
inputs:
  visits:
    by: {region: region}
    columns:
      region: {type: region}
      count: {type: int}
rules:
"""

# A diamond written top-down: top uses left and right, both use base, base reads visits.
DIAMOND = """\
  top:
    expr: left + right
  left:
    expr: base * rate
  right:
    expr: base + 1
  base:
    expr: sum(visits.count)
"""


def policy(tmp_path, rules: str, outputs: str = "[top]"):
    return load_policy(str(write(tmp_path / "p.yaml", HEAD + rules + f"outputs: {outputs}\n")))


def test_diamond_order_and_directions(tmp_path):
    g = plan(policy(tmp_path, DIAMOND)).graph
    # dependencies first; among rules ready together the one written first (left before right)
    assert g.order == ("base", "left", "right", "top")
    assert g.direct("top") == {"left", "right"}
    assert g.direct("left") == {"base", "rate"}
    assert g.rule_deps("left") == {"base"}
    # nearest first, by name within one distance; base once although reached twice
    assert g.upstream("top") == ["left", "right", "base", "rate"]
    assert g.upstream_rules("top") == {"left", "right", "base"}
    assert g.parameters("top") == {"rate"} and g.parameters("right") == set()
    assert g.inputs("top") == {"visits"} and g.inputs("base") == {"visits"}
    assert g.downstream(["base"]) == {"left", "right", "top"}
    assert g.downstream(["rate"]) == {"left", "top"}
    assert g.users("base") == {"left", "right"}
    assert g.cycles == []


def test_unused_parameter_is_used_nowhere(tmp_path):
    g = plan(policy(tmp_path, DIAMOND)).graph
    assert not g.used_anywhere("unused") and g.users("unused") == set()
    assert g.used_anywhere("rate")
    assert g.downstream(["unused"]) == set()


def test_a_parameter_only_a_check_uses_is_used(tmp_path):
    rules = DIAMOND + "outputs: [top]\nchecks:\n  small:\n    expr: top < unused\n"
    p = load_policy(str(write(tmp_path / "p.yaml", HEAD + rules)))
    g = plan(p).graph
    assert g.used_anywhere("unused") and g.users("unused") == set()
    assert g.check_direct("small") == {"top", "unused"}
    assert g.check_inputs("small") == {"visits"}


def test_graph_of_an_unplanned_policy_is_the_same(tmp_path):
    p = policy(tmp_path, DIAMOND)
    g = DependencyGraph.of(p)
    assert g.order == plan(p).graph.order
    assert g.upstream("top") == ["left", "right", "base", "rate"]


def test_cycle_of_three_carries_its_ids(tmp_path):
    rules = "  top:\n    expr: a\n  b:\n    expr: c + 1\n  a:\n    expr: b + 1\n  c:\n    expr: a * 2\n"
    p = policy(tmp_path, rules)
    g = DependencyGraph.of(p)
    # each names the next, the last names the first; started at the one written first (b,
    # line 20: HEAD is 17 lines, then top and its expr)
    assert g.cycles == [("b", "c", "a")]
    assert g.order == ("top",)  # top only uses a rule in the cycle: planning skips it
    with pytest.raises(CycleError) as info:
        plan(p)
    err = info.value
    assert err.cycle == ("b", "c", "a")
    assert err.location.rule == "b" and err.location.line == 20 and err.location.column == 3
    assert render(err) == (
        f"{p.path}:20:3: rule 'b': rules depend on each other in a circle: b -> c -> a -> b\n"
        "  hint: one of these rules must be computed without the others")


def test_self_reference_is_a_cycle_of_one(tmp_path):
    p = policy(tmp_path, "  top:\n    expr: top + 1\n")
    g = DependencyGraph.of(p)
    assert g.cycles == [("top",)] and g.order == ()
    with pytest.raises(CycleError) as info:
        plan(p)
    assert info.value.cycle == ("top",)
    assert info.value.message == "rules depend on each other in a circle: top -> top"


def test_a_rule_in_two_cycles_is_reported_in_both(tmp_path):
    rules = "  top:\n    expr: x + y\n  x:\n    expr: top\n  y:\n    expr: top\n"
    p = policy(tmp_path, rules)
    assert sorted(DependencyGraph.of(p).cycles) == [("top", "x"), ("top", "y")]
    with pytest.raises(ErrorList) as info:
        plan(p)
    assert sorted(e.cycle for e in info.value.errors) == [("top", "x"), ("top", "y")]
