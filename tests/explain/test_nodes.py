"""The typed explanation nodes (evaluator/explain/nodes.py) give the document's JSON form: keys in
the documented order, a field left ABSENT not written at all (an absent `ref` is not a null)."""

from __future__ import annotations

import json

from evaluator.explain import Decision, KeyValue, Node, Operand, Rows


def test_a_node_and_its_parts_as_json_in_the_documented_order():
    rows = Rows("procedures", "count", "sum", "year = 2026", matched=2, sum=105)
    node = Node("payout[region=Norr]", "payout", "Utbetalning", {"region": "Norr"}, value=500000, unit="kr",
                formatted="500 000 kr", expression="min(compensation, cap)", source="villkor.txt",
                headline="Utbetalning: 500 000 kr", decisive="cap bestämmer värdet",
                decisions=[Decision("min", "min(compensation, cap)", chosen=["cap"], text="cap bestämmer värdet")],
                operands=[Operand("sum(procedures.count)", "input", unit=None, value=105, formatted="105", rows=rows),
                          Operand("cap", "parameter", title="Tak", unit="kr", source=None, status="official",
                                  values=[KeyValue({"region": "Syd"}, value=1, formatted="1 kr")])],
                children=[])
    assert json.dumps(node.to_json(), ensure_ascii=False) == json.dumps({
        "id": "payout[region=Norr]", "rule": "payout", "title": "Utbetalning", "key": {"region": "Norr"},
        "value": 500000, "unit": "kr", "formatted": "500 000 kr", "expression": "min(compensation, cap)",
        "source": "villkor.txt", "headline": "Utbetalning: 500 000 kr", "decisive": "cap bestämmer värdet",
        "decisions": [{"kind": "min", "expression": "min(compensation, cap)", "chosen": ["cap"],
                       "text": "cap bestämmer värdet"}],
        "operands": [{"name": "sum(procedures.count)", "kind": "input", "unit": None, "value": 105,
                      "formatted": "105",
                      "rows": {"table": "procedures", "column": "count", "function": "sum",
                               "filter": "year = 2026", "matched": 2, "sum": 105}},
                     {"name": "cap", "kind": "parameter", "title": "Tak", "unit": "kr", "source": None,
                      "status": "official",
                      "values": [{"key": {"region": "Syd"}, "value": 1, "formatted": "1 kr"}]}],
        "children": []}, ensure_ascii=False)


def test_a_repeat_carries_only_its_head_and_ref():
    node = Node("x", "x", None, {}, value=None, unit=None, formatted="–", ref="x")
    assert node.to_json() == {"id": "x", "rule": "x", "title": None, "key": {}, "value": None, "unit": None,
                              "formatted": "–", "ref": "x"}


def test_an_if_decision_names_condition_and_branch():
    d = Decision("if", "if a then 1 else 2", condition="a", condition_value=False, branch="else",
                 text="villkoret a är falskt, så värdet blir 2")
    assert list(d.to_json()) == ["kind", "expression", "condition", "condition_value", "branch", "text"]
