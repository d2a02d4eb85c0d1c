"""The evaluator on grains: planning errors, vectorised evaluation, checks, run output.

Expected values are worked out by hand from MINI_DATA in support.py:

  Stockholm cataract 2026 Jan–Oct: 100 + 5 (private, performed in Uppsala) = 105; the
  November row (999) is outside the period. Baseline (60 + 61 + 0) / 3 = 40.333…;
  eligible = floor(105 − 40.333…) = 64; rate = 10 000 + 4 000 = 14 000;
  compensation = 64 × 14 000 = 896 000 > cap 500 000 → payout 500 000.
  Gotland hip: 3 performed, baseline 0 → eligible 3 × 94 000 = 282 000 > cap 50 000 → 50 000.
  Uppsala hip: 0 performed, baseline 9 / 3 = 3 → eligible max(0, −3) = 0 (a falling measure).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from evaluator import engine
from evaluator.data import load_tables
from evaluator.errors import (
    CycleError,
    ErrorList,
    EvaluationError,
    GrainError,
    TypeCheckError,
    UnitError,
    UnknownNameError,
)
from evaluator.plan import plan
from evaluator.policy.build import load_policy

from support import MINI_POLICY, villkor, write


def run(policy_path, data_dir):
    planned = plan(load_policy(str(policy_path)))
    tables = load_tables(planned.policy.inputs, planned.policy.dimensions, str(data_dir))
    return engine.to_result(engine.evaluate(planned, tables), tables)


def values(result, rule):
    return {tuple(v for k, v in row.items() if k != "value"): row["value"] for row in result.outputs[rule].rows}


def test_rules_evaluate_on_their_grains(mini):
    result = run(*mini)
    performed = values(result, "performed")
    assert performed[("Stockholm", "cataract")] == 105
    assert performed[("Gotland", "hip")] == 3
    assert performed[("Uppsala", "cataract")] == 0  # no rows: 0, not missing
    baseline = values(result, "baseline")
    assert baseline[("Stockholm", "cataract")] == Decimal("40." + "3" * 32)  # 121/3 to 34 digits
    assert baseline[("Uppsala", "hip")] == 3
    eligible = values(result, "eligible")
    assert eligible[("Stockholm", "cataract")] == 64
    assert eligible[("Uppsala", "hip")] == 0
    assert values(result, "rate") == {("cataract",): 14000, ("hip",): 94000}
    assert values(result, "compensation") == {("Stockholm",): 896000, ("Uppsala",): 0, ("Gotland",): 282000}
    assert values(result, "payout") == {("Stockholm",): 500000, ("Uppsala",): 0, ("Gotland",): 50000}
    assert [c.passed for c in result.checks] == [True]
    assert any("'tariff' is illustrative" in w for w in result.warnings)


def test_every_key_of_the_grain_is_reported_in_member_order(mini):
    result = run(*mini)
    keys = [(r["region"], r["measure"]) for r in result.outputs["eligible"].rows]
    assert keys == [("Stockholm", "cataract"), ("Stockholm", "hip"), ("Uppsala", "cataract"),
                    ("Uppsala", "hip"), ("Gotland", "cataract"), ("Gotland", "hip")]


def test_run_json_contract_and_determinism(mini, tmp_path):
    policy, data = mini
    first = villkor("run", policy, "--data", data, check=True).stdout
    doc = json.loads(first)
    assert doc["policy"]["id"] == "mini"
    assert doc["data"][0]["table"] == "procedures" and doc["data"][0]["rows"] == 7
    assert len(doc["data"][0]["sha256"]) == 64
    assert {"region": "Gotland", "value": 50000} in doc["outputs"]["payout"]
    assert {"region": "Stockholm", "measure": "cataract", "value": 64} in doc["outputs"]["eligible"]
    # The same rows in another order give the same bytes, apart from the data file's hash.
    lines = (data / "procedures.csv").read_text().splitlines()
    shuffled = tmp_path / "shuffled"
    write(shuffled / "procedures.csv", "\n".join([lines[0]] + lines[:0:-1]) + "\n")
    second = json.loads(villkor("run", policy, "--data", shuffled, check=True).stdout)
    assert second["outputs"] == doc["outputs"]
    assert villkor("run", policy, "--data", data, check=True).stdout == first


def test_failed_check_is_an_error_with_the_values(mini, tmp_path):
    policy, data = mini
    params = write(tmp_path / "what_if.yaml", "budget: 500000\n")
    proc = villkor("run", policy, "--data", data, "--params", params, "-o", tmp_path / "out.json")
    assert proc.returncode == 1
    assert "check 'within_budget' failed" in proc.stderr
    assert "sum(payout) = 550" in proc.stderr and "budget = 500" in proc.stderr
    assert not (tmp_path / "out.json").exists()
    assert "Traceback" not in proc.stderr


def policy_with(tmp_path, rule_yaml: str):
    """MINI_POLICY with one more rule appended to `rules:`."""
    text = MINI_POLICY.replace("outputs:", rule_yaml.rstrip("\n") + "\noutputs:")
    return write(tmp_path / "p.yaml", text)


def line_col(path, needle):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n, line.index(needle) + 1
    raise AssertionError(needle)


def test_unknown_name_is_located_with_did_you_mean(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [region]\n    expr: sum(eligibel * rate)\n")
    with pytest.raises(UnknownNameError) as exc:
        plan(load_policy(str(path)))
    line, col = line_col(path, "eligibel")
    err = exc.value
    assert (err.location.file, err.location.line, err.location.column) == (str(path), line, col)
    assert err.location.rule == "bad"
    assert "did you mean 'eligible'?" in err.hint
    assert str(err).startswith(f"{path}:{line}:{col}: rule 'bad': unknown name 'eligibel'")


def test_finer_value_without_aggregate_is_a_grain_error(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [region]\n    expr: eligible * rate\n")
    with pytest.raises(GrainError) as exc:
        plan(load_policy(str(path)))
    assert "per region, measure but the rule is per region" in exc.value.message
    assert "sum(" in exc.value.hint


def test_aggregate_with_nothing_to_aggregate(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [region]\n    expr: sum(cap)\n")
    with pytest.raises(GrainError, match="nothing to aggregate"):
        plan(load_policy(str(path)))


def test_units_must_match(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [region]\n    expr: cap + sum(performed)\n")
    with pytest.raises(UnitError, match="mixes units kr and count"):
        plan(load_policy(str(path)))


def test_declared_unit_must_match_expression(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [measure]\n    unit: kr\n    expr: tariff\n")
    with pytest.raises(UnitError, match="declared in kr but its expression gives kr/count"):
        plan(load_policy(str(path)))


def test_cycles_are_reported_with_their_path(tmp_path):
    path = policy_with(tmp_path, "  a:\n    expr: b + 1\n  b:\n    expr: a + 1\n")
    with pytest.raises(CycleError) as exc:
        plan(load_policy(str(path)))
    assert "a -> b -> a" in exc.value.message


def test_all_rule_errors_are_collected(tmp_path):
    path = policy_with(tmp_path, "  one:\n    expr: nosuch + 1\n  two:\n    expr: date(\"2026-02-30\")\n")
    with pytest.raises(ErrorList) as exc:
        plan(load_policy(str(path)))
    kinds = [type(e) for e in exc.value.errors]
    assert kinds == [UnknownNameError, TypeCheckError]


def test_validate_cli_reports_and_exits_1(tmp_path):
    path = policy_with(tmp_path, "  bad:\n    per: [region]\n    expr: eligible * rate\n")
    proc = villkor("validate", path)
    assert proc.returncode == 1
    assert "rule 'bad'" in proc.stderr and "Traceback" not in proc.stderr
    good = write(tmp_path / "good.yaml", MINI_POLICY)
    assert villkor("validate", good).returncode == 0


CAPACITY_LIKE = """\
policy: alloc
title: Fördelning
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources: {doc: {document: seeds/x.txt}}
dimensions:
  region: {members: [A, B, C]}
parameters:
  total: {value: 100, unit: kr, source: {ref: doc}}
  key:
    by: [region]
    value: {A: 1, B: 1, C: 1}
    source: {ref: doc}
  deadline: {value: 2026-03-16, source: {ref: doc}}
inputs:
  requisitions:
    by: {region: region}
    unique: true
    columns:
      region: {type: region}
      received_on: {type: date}
      amount: {type: money, nullable: true}
  followup:
    by: {region: region}
    unique: true
    optional: true
    columns:
      region: {type: region}
      used: {type: money, default: 0}
rules:
  allotment:
    per: [region]
    expr: allocate(total, key)
    unit: kr
    source: {ref: doc}
  on_time:
    per: [region]
    expr: count(requisitions) > 0 and requisitions.received_on <= deadline
    source: {ref: doc}
  requested:
    per: [region]
    expr: "if not(on_time) then 0 else if requisitions.amount = null then allotment else requisitions.amount"
    unit: kr
    source: {ref: doc}
  unused:
    per: [region]
    expr: max(0, requested - followup.used)
    unit: kr
    source: {ref: doc}
outputs: [allotment, on_time, requested, unused]
checks:
  all_allotted:
    expr: sum(allotment) = total
    source: {ref: doc}
"""


def test_lookup_in_unique_tables_allocate_and_optional_inputs(tmp_path):
    policy = write(tmp_path / "alloc.yaml", CAPACITY_LIKE)
    write(tmp_path / "d" / "requisitions.csv",
          "region,received_on,amount\nA,2026-03-16,20\nB,2026-03-17,30\n")
    result = run(policy, tmp_path / "d")
    # 100 over three equal weights: 33 each, one unit left; the tie goes to the first member.
    assert values(result, "allotment") == {("A",): 34, ("B",): 33, ("C",): 33}
    # A on the deadline (inclusive); B a day late; C never requisitioned (no row: false, not null).
    assert values(result, "on_time") == {("A",): True, ("B",): False, ("C",): False}
    assert values(result, "requested") == {("A",): 20, ("B",): 0, ("C",): 0}
    assert result.outputs["unused"].computed is False
    assert any("not computed" in w and "followup" in w for w in result.warnings)
    # With the follow-up present, a region without a row counts as used = 0 (the default).
    write(tmp_path / "d" / "followup.csv", "region,used\nA,15\n")
    result = run(policy, tmp_path / "d")
    assert values(result, "unused") == {("A",): 5, ("B",): 0, ("C",): 0}


def test_empty_amount_takes_the_whole_allotment(tmp_path):
    policy = write(tmp_path / "alloc.yaml", CAPACITY_LIKE)
    write(tmp_path / "d" / "requisitions.csv", "region,received_on,amount\nA,2026-03-01,\n")
    assert values(run(policy, tmp_path / "d"), "requested")[("A",)] == 34


def test_division_by_zero_names_the_keys(tmp_path):
    path = policy_with(tmp_path, "  ratio:\n    per: [region]\n    expr: compensation / sum(performed)\n")
    write(tmp_path / "d" / "procedures.csv",
          "home_region,performing_region,provider,measure,year,month,count\nGotland,Gotland,public,hip,2026,1,1\n")
    with pytest.raises(EvaluationError) as exc:
        run(path, tmp_path / "d")
    assert "region=Stockholm, region=Uppsala" in exc.value.message
    assert exc.value.location.rule == "ratio"


def test_failed_run_writes_no_file(mini, tmp_path):
    policy, _ = mini
    out = tmp_path / "out.json"
    proc = villkor("run", policy, "--data", tmp_path / "nowhere", "-o", out)
    assert proc.returncode == 1 and not out.exists()


# ---------------------------------------------------------------- column units, rounding parameters

from support import ROOT  # noqa: E402


def real_policy_with(tmp_path, name, old, new):
    text = (ROOT / "policies" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[:text.index(old)].count("\n") + 1
    return str(write(tmp_path / name, text.replace(old, new))), line


def test_a_count_column_added_to_kronor_is_a_unit_error(tmp_path):
    path, line = real_policy_with(tmp_path, "2026_capacity.yaml", "    expr: requisitioned + redistributed\n",
                                  "    expr: requisitioned + redistributed + requisitions.measures_listed\n")
    with pytest.raises(UnitError) as info:
        plan(load_policy(path))
    err = info.value
    assert (err.location.file, err.location.line, err.location.rule) == (path, line, "payout")
    assert err.message == "'+' mixes units kr and count"


def test_an_unknown_rounding_mode_in_a_parameter_is_refused(tmp_path):
    path, _ = real_policy_with(tmp_path, "2026_performance.yaml", "    value: floor\n", "    value: flor\n")
    with pytest.raises(TypeCheckError) as info:
        plan(load_policy(path))
    assert info.value.message == "parameter 'eligible_rounding' is 'flor', not a rounding mode"
    assert info.value.hint == "did you mean 'floor'?" and info.value.location.rule == "eligible"


def test_a_rule_using_a_rule_in_a_cycle_is_not_reported_as_an_unknown_name(tmp_path):
    path = policy_with(tmp_path, "  a:\n    expr: b + 1\n  b:\n    expr: a + 1\n  c:\n    expr: a * 2\n")
    with pytest.raises(CycleError) as exc:  # the one problem, not also "unknown name 'a'" in c
        plan(load_policy(str(path)))
    assert "a -> b -> a" in exc.value.message
