"""The cube (evaluator/data/cube.py) gives exactly what the rows give, or is not used.

A hand-computed cube first; then random filters and random rows, each policy evaluated
over the rows (the path explanations take) and over the cube, every output compared.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from evaluator import engine
from evaluator.data import tables_from_rows
from evaluator.data.cube import aggregate, cube_tables, stacked, table_uses
from evaluator.explain import explain_document
from evaluator.plan import plan
from evaluator.policy.build import load_policy

HEAD = """\
policy: cube
title: Kub
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt, passage: Bilaga 1}
dimensions:
  region: {members: [A, B, C]}
  measure: {members: [x, y]}
parameters:
  year_now: {value: 2026, source: {ref: doc}}
  months: {value: [1, 3], source: {ref: doc}}
  limit:
    by: [region]
    value: {A: 1, B: 2, C: 3}
    source: {ref: doc}
inputs:
  rows:
    by: {region: home, measure: measure}
    columns:
      home: {type: region}
      where: {type: region, nullable: true}
      kind: {type: string, enum: [public, private]}
      measure: {type: measure}
      year: {type: int}
      month: {type: int}
      urgent: {type: bool}
      day: {type: date, default: 2026-01-01}
      count: {type: int}
      weight: {type: int}
rules:
"""


def policy_with(tmp_path, exprs: dict[str, tuple[str, str]]):
    """A policy whose rules are `name: (per, expr)`, planned."""
    text = HEAD + "".join(f"  {name}:\n    per: {per}\n    expr: '{expr}'\n    source: {{ref: doc}}\n"
                          for name, (per, expr) in exprs.items())
    path = tmp_path / "cube.yaml"
    path.write_text(text, encoding="utf-8")
    return plan(load_policy(str(path)))


def tables(planned, rows):
    return tables_from_rows(planned.policy.inputs, planned.policy.dimensions, {"rows": rows}, "test")


def outputs(planned, tabs, trace):
    ev = engine.evaluate(planned, tabs, trace=trace, stop_on_failed_check=False, rows=True)  # the tables as given
    return {rid: [row["value"] for row in t.rows] for rid, t in engine.to_result(ev, tabs, list(planned.rules)).outputs.items()}


ROW = {"home": "A", "where": "A", "kind": "public", "measure": "x", "year": 2026, "month": 1, "urgent": False,
       "count": 1, "weight": 0}


def test_the_cube_sums_each_combination_once_and_keeps_what_the_rules_need(tmp_path):
    planned = policy_with(tmp_path, {"now": ("[region]", "sum(rows[year = year_now and kind = \"public\"].count)"),
                                     "weighted": ("[]", "sum(rows.weight)")})
    data = [ROW, {**ROW, "count": 4, "weight": -2}, {**ROW, "year": 2025, "count": 10},
            {**ROW, "home": "B", "kind": "private", "count": 7, "weight": 5}]
    tabs = tables(planned, data)
    summed = cube_tables(planned, tabs, shrink=1).tables["rows"].frame
    cube = summed.to_pandas().assign(records=summed.records)
    # grouped on what filters and grains read: home, measure (by), kind, year; not month or urgent
    assert list(cube.columns) == ["home", "kind", "measure", "year", "count", "weight", "records"]
    got = sorted((r.home, r.kind, r.year, r.count, r.weight, r.records) for r in cube.itertuples())
    assert got == [("A", "public", 2025, 10, 0, 1), ("A", "public", 2026, 5, -2, 2), ("B", "private", 2026, 7, 5, 1)]
    assert outputs(planned, tabs, trace=False) == {"now": [5, 0, 0], "weighted": [3]}


@pytest.mark.parametrize("expr", [
    "count(rows[year = year_now])",            # counts rows: a cube row stands for many
    "sum(rows[day < date(\"2026-02-01\")].count)",  # a date is not grouped on
    "max(rows.count)",                         # not a sum
    "sum(rows[count > 1].weight)",             # filters on a summed column
])
def test_any_other_use_keeps_the_rows(tmp_path, expr):
    planned = policy_with(tmp_path, {"n": ("[region]", "sum(rows.count)"), "other": ("[region]", expr)})
    tabs = tables(planned, [ROW] * 4)
    assert cube_tables(planned, tabs, shrink=1).tables["rows"] is tabs.tables["rows"]


def test_a_filter_on_a_dimension_column_is_grouped_on(tmp_path):
    planned = policy_with(tmp_path, {"same": ("[region, measure]", "sum(rows[where = home].count)")})
    uses = table_uses(planned)["rows"]
    assert (uses.summed, uses.filtered, uses.other) == ({"count"}, {"where", "home"}, False)


def test_a_wide_int_column_keeps_the_rows(tmp_path):
    planned = policy_with(tmp_path, {"now": ("[region]", "sum(rows[year = year_now].count)")})
    tabs = tables(planned, [ROW, {**ROW, "year": 2026 + 10_000}])
    assert cube_tables(planned, tabs, shrink=1).tables["rows"] is tabs.tables["rows"]


# ------------------------------------------------------------------ random policies and rows

ATOMS = ["year = year_now", "year = year_now - 1", "year in [2024, 2026]", "month in months", "month >= 2",
         "kind = \"public\"", "kind != \"private\"", "urgent", "where = home", "where != home",
         "measure = \"y\"", "home = \"B\"", "month < limit", "year > 2024 + limit", "abs(month - 2) = 1"]


@st.composite
def conditions(draw, depth=0):
    if depth > 1 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    left, right = draw(conditions(depth + 1)), draw(conditions(depth + 1))
    form = draw(st.sampled_from(["({}) and ({})", "({}) or ({})", "not({}) and ({})"]))
    return form.format(left, right)


rows_strategy = st.lists(st.fixed_dictionaries({
    "home": st.sampled_from("ABC"), "where": st.sampled_from(["A", "B", "C", None]),
    "kind": st.sampled_from(["public", "private"]), "measure": st.sampled_from("xy"),
    "year": st.integers(2023, 2027), "month": st.integers(1, 4), "urgent": st.booleans(),
    "count": st.integers(0, 3), "weight": st.integers(-10 ** 12, 10 ** 12)}), max_size=40)


@settings(max_examples=60, deadline=None)
@given(conds=st.lists(conditions(), min_size=1, max_size=3),
       pers=st.lists(st.sampled_from(["[]", "[region]", "[measure]", "[region, measure]"]), min_size=3, max_size=3),
       rows=rows_strategy)
def test_the_cube_and_the_rows_agree_on_random_policies(tmp_path_factory, conds, pers, rows):
    exprs = {f"r{i}": (pers[i % 3], f"sum(rows[{c}].{'count' if i % 2 == 0 else 'weight'})")
             for i, c in enumerate(conds)}
    exprs["all"] = (pers[2], "sum(rows.count) - 2 * sum(rows.weight)")
    planned = policy_with(tmp_path_factory.mktemp("cube"), exprs)
    tabs = tables(planned, rows)
    cubed = cube_tables(planned, tabs, shrink=1)
    if rows:  # the cube is really used, not a silent fall-back to the rows
        assert cubed.tables["rows"] is not tabs.tables["rows"]
        assert len(cubed.tables["rows"].frame) <= len(rows)
    assert outputs(planned, cubed, trace=False) == outputs(planned, tabs, trace=True)
    assert explanations(planned, cubed, tabs) == explanations(planned, tabs, tabs)


def explanations(planned, evaluated, tabs) -> dict:
    """`villkor explain`'s document of every rule at every key, evaluated on `evaluated`."""
    ev = engine.evaluate(planned, evaluated, trace=True, stop_on_failed_check=False, rows=True)
    return {rid: explain_document(ev, tabs, rid) for rid in planned.rules}


def test_a_partial_cube_summed_again_counts_the_rows_of_every_part(tmp_path):
    planned = policy_with(tmp_path, {"now": ("[region]", "sum(rows[year = year_now].count)")})
    data = [ROW, {**ROW, "count": 4}, {**ROW, "home": "B"}, ROW, {**ROW, "year": 2025}]
    first, second = (cube_tables(planned, tables(planned, part), shrink=1).tables["rows"].frame
                     for part in (data[:3], data[3:]))
    whole = aggregate(stacked([first, second]), ["home", "measure", "year"], ["count"], shrink=1)
    got = sorted(zip(whole.to_pandas().itertuples(index=False), whole.records.tolist()))
    # A 2026: rows 1, 2 and 4 (1 + 4 + 1); B 2026: row 3; A 2025: row 5
    assert [(r.home, r.year, r.count, n) for r, n in got] == [("A", 2025, 1, 1), ("A", 2026, 6, 3), ("B", 2026, 1, 1)]
