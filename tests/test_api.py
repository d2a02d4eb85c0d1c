"""The Python API (evaluator/api.py) on its own: values computed by hand from the rules and
parameters of policies/2026_performance.yaml, in-memory tables checked like files, and the
same JSON documents as the command line writes."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pandas as pd
import pytest

import evaluator as villkor
from evaluator.errors import render

from support import ROOT, villkor as villkor_cli

PERF = "policies/2026_performance.yaml"
DATA = "examples/2026"
COLUMNS = ["home_region", "performing_region", "provider", "measure", "year", "month", "count"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in documents are shown relative to the current folder


@pytest.fixture(scope="module")
def perf():
    return villkor.load(str(ROOT / PERF))


def procedures(rows) -> pd.DataFrame:
    """Rows (home region, measure, year, month, count), performed in the home region, public."""
    return pd.DataFrame([(r, r, "public", m, y, mo, c) for r, m, y, mo, c in rows], columns=COLUMNS)


# Uppsala, cataract: 10, 10, 13 in the baseline years 2023–2025 (March), 20 in March 2026 and
# 5 in November 2026 (outside January–October: not counted).
#   baseline = (10 + 10 + 13) / 3 = 11; performed = 20; eligible = max(0, floor(20 - 11)) = 9
#   rate = 10 000 (approximate cost) + 4 000 (travel supplement) = 14 000 kr
# Uppsala, hip prosthesis: 1, 0, 1 in 2023–2025, 2 in January 2026.
#   baseline = 2/3; eligible = floor(2 - 2/3) = floor(1.33…) = 1; rate = 90 000 + 4 000 = 94 000
#   compensation = 9 × 14 000 + 1 × 94 000 = 220 000 kr; cap 28 007 085 kr: payout 220 000 kr
# Gotland, cataract: 400 in 2026, nothing before: eligible 400, 400 × 14 000 = 5 600 000 kr,
#   above its cap 4 795 726 kr: payout 4 795 726 kr, cap reached.
# payout_total = 220 000 + 4 795 726 = 5 015 726 kr; compensation_total = 5 820 000 kr.
ROWS = [("Uppsala", "cataract", 2023, 3, 10), ("Uppsala", "cataract", 2024, 3, 10),
        ("Uppsala", "cataract", 2025, 3, 13), ("Uppsala", "cataract", 2026, 3, 20),
        ("Uppsala", "cataract", 2026, 11, 5),
        ("Uppsala", "hip_prosthesis", 2023, 6, 1), ("Uppsala", "hip_prosthesis", 2025, 6, 1),
        ("Uppsala", "hip_prosthesis", 2026, 1, 2),
        ("Gotland", "cataract", 2026, 5, 400)]


def test_a_region_computed_by_hand_from_an_in_memory_table(perf):
    result = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS)}))
    assert result.value("baseline", region="Uppsala", measure="cataract") == 11
    assert result.value("eligible", region="Uppsala", measure="cataract") == 9
    assert result.value("eligible", region="Uppsala", measure="hip_prosthesis") == 1
    assert result.value("rate", measure="cataract") == 14000
    assert result.value("compensation", region="Uppsala") == 220000
    assert result.value("payout", region="Uppsala") == 220000
    assert result.value("cap_reached", region="Uppsala") is False
    assert result.value("payout", region="Gotland") == 4795726
    assert result.value("cap_reached", region="Gotland") is True
    assert result.value("payout", region="Stockholm") == 0
    assert result.value("payout_total") == 5015726
    assert result.value("compensation_total") == 5820000


def test_values_are_exact_python_numbers_keyed_by_member(perf):
    result = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS)}))
    payout = result.values("payout")
    assert list(payout)[:2] == ["Stockholm", "Uppsala"]  # the members in declared order
    assert payout["Uppsala"] == 220000 and type(payout["Uppsala"]) in (int, Decimal)
    baseline = result.values("baseline")
    assert baseline[("Uppsala", "hip_prosthesis")] == Decimal("0.6666666666666666666666666666666667")  # 2/3, 34 digits
    assert not any(isinstance(v, float) for v in baseline.values())
    assert result.values("payout_total") == 5015726
    assert all(c.passed for c in result.checks)


def test_an_absent_optional_input_is_warned_about_and_its_rules_not_computed(perf):
    result = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS)}))
    assert "paid" not in result and "payout" in result
    assert any("Rekvisitioner av prestationsbaserade medel" in w for w in result.warnings)  # the input's title
    with pytest.raises(villkor.UsageError) as err:
        result.value("paid", region="Uppsala")
    assert "absent optional input performance_requisitions" in str(err.value)


def test_a_pyarrow_table_reads_as_the_same_frame(perf):
    pa = pytest.importorskip("pyarrow")
    frame = procedures(ROWS)
    result = perf.evaluate(perf.read_tables({"procedures": pa.Table.from_pandas(frame)}))
    assert result.value("payout", region="Uppsala") == 220000


def test_in_memory_tables_are_checked_like_files_and_name_table_row_and_column(perf):
    bad = procedures(ROWS)
    bad.loc[2, "count"] = -3  # the row as the frame's index numbers it
    with pytest.raises(villkor.DataError) as err:
        perf.read_tables({"procedures": bad})
    assert render(err.value) == ("table 'procedures': row 2: column 'count': negative count -3\n"
                                 "  hint: values of 'count' must be 0 or more")
    typo = procedures(ROWS)
    typo.loc[1, "measure"] = "katarakt"
    with pytest.raises(villkor.DataError) as err:
        perf.read_tables({"procedures": typo})
    assert render(err.value).startswith("table 'procedures': row 1: column 'measure': unknown measure 'katarakt'")
    assert "did you mean 'cataract'?" in render(err.value)
    with pytest.raises(villkor.DataError) as err:
        perf.read_tables({"procedures": procedures(ROWS).drop(columns=["year"])})
    assert render(err.value).startswith("table 'procedures': missing column year")
    with pytest.raises(villkor.DataError) as err:
        perf.read_tables({"procedure": procedures(ROWS)})
    assert "unknown input 'procedure'" in str(err.value) and "did you mean 'procedures'?" in render(err.value)
    with pytest.raises(villkor.DataError) as err:
        perf.read_tables({})
    assert "input 'procedures' is not given" in str(err.value)


def test_the_callers_frame_is_left_as_it_was(perf):
    frame = procedures(ROWS)
    frame.columns = [f" {c}" for c in frame.columns]  # stripped when read, as a file's header is
    before = frame.copy()
    perf.read_tables({"procedures": frame})
    pd.testing.assert_frame_equal(frame, before)


def test_a_key_is_every_dimension_of_the_rule_and_only_members(perf):
    result = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS)}))
    with pytest.raises(villkor.UsageError) as err:
        result.value("payout")
    assert err.value.message == "rule 'payout' is per region; the key names no dimension"
    with pytest.raises(villkor.UsageError) as err:
        result.value("payout_total", region="Uppsala")
    assert err.value.message == ("rule 'payout_total' is per no dimension (one national value); "
                                 "the key names region")
    with pytest.raises(villkor.UsageError) as err:
        result.value("payout", region="Upsala")
    assert "did you mean 'Uppsala'?" in render(err.value)
    with pytest.raises(villkor.UsageError) as err:
        result.to_json(outputs=["payout", "payuot"])
    assert err.value.message == "unknown rule 'payuot'"
    with pytest.raises(villkor.UsageError) as err:
        result.value("payuot", region="Uppsala")
    assert err.value.message == "unknown rule 'payuot'" and err.value.hint.startswith("did you mean 'payout'")


def test_loading_a_broken_policy_raises_a_located_error(tmp_path):
    text = (ROOT / PERF).read_text(encoding="utf-8").replace("expr: min(compensation, cap)",
                                                             "expr: min(compensaton, cap)")
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(villkor.VillkorError) as err:
        villkor.load(str(path))
    shown = render(err.value)
    line = text.splitlines().index("    expr: min(compensaton, cap)") + 1
    assert f"broken.yaml:{line}:" in shown and "compensaton" in shown and "did you mean 'compensation'" in shown


def test_a_failed_check_raises_unless_told_to_go_on(tmp_path):
    params = tmp_path / "low_budget.yaml"
    params.write_text("budget: 1000\n", encoding="utf-8")  # far below what the regions may requisition
    cheap = villkor.load(PERF, params=str(params))
    with pytest.raises(villkor.CheckFailed) as err:
        cheap.evaluate(cheap.read(DATA))
    assert "check 'within_budget' failed" in str(err.value)
    kept = cheap.evaluate(cheap.read(DATA), stop_on_failed_check=False)
    assert [c.passed for c in kept.checks if c.id == "within_budget"] == [False]
    assert kept.value("payout", region="Uppsala") > 0  # the values are there to explain the failure


def test_to_json_is_byte_for_byte_what_villkor_run_writes():
    policy = villkor.load(PERF, params="examples/what_if.yaml")
    result = policy.evaluate(policy.read(DATA))
    proc = villkor_cli("run", PERF, "--data", DATA, "--params", "examples/what_if.yaml", "--format", "json",
                       cwd=ROOT, check=True)
    assert result.to_json() == proc.stdout
    assert json.loads(result.to_json())["params"]["path"] == "examples/what_if.yaml"


def test_explain_is_the_document_villkor_explain_writes(perf):
    result = perf.evaluate(perf.read(DATA))  # untraced: explain evaluates again with traces
    doc = result.explain("payout", region="Uppsala")
    proc = villkor_cli("explain", PERF, "--data", DATA, "--rule", "payout", "--where", "region=Uppsala",
                       "--format", "json", cwd=ROOT, check=True)
    assert doc == json.loads(proc.stdout)
    assert doc["explanations"][0]["key"] == {"region": "Uppsala"}


def test_an_explanation_counts_and_lists_the_rows_themselves_where_the_run_summed_them(perf):
    """Ten copies of ROWS: 90 rows in 9 combinations, so the evaluation sums them into a cube.
    Uppsala's cataract in January–October 2026 is one row per copy, 20 procedures each."""
    result = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS * 10)}), trace=True,
                           stop_on_failed_check=False)
    assert len(result.evaluation.scope.tables.tables["procedures"].frame) == 9  # the cube's cells

    def operand(doc):
        [tree] = doc["explanations"]
        [rows] = [op["rows"] for op in tree["operands"] if op["kind"] == "input"]
        return tree["value"], rows["matched"], rows.get("records")

    assert operand(result.explain("performed", region="Uppsala", measure="cataract")) == (200, 10, None)
    value, matched, records = operand(result.explain("performed", region="Uppsala", measure="cataract", rows=True))
    assert (value, matched, len(records)) == (200, 10, 10)  # evaluated again, on the 90 rows
    # the fourth row of each copy of the nine, as the listing numbers rows (from 1)
    assert [(r["row"], r["month"], r["count"]) for r in records] == [(4 + 9 * k, 3, 20) for k in range(10)]


def test_compare_is_the_document_villkor_diff_writes():
    draft, years = "examples/2027_draft/2027_performance.yaml", "examples/2027_draft/years_2026.yaml"
    compared = villkor.compare(villkor.load(PERF, params=years), villkor.load(draft, params=years), data=DATA)
    proc = villkor_cli("diff", PERF, draft, "--params", years, "--data", DATA, "--format", "json", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert compared.to_json() == proc.stdout
    assert compared.changed
    structural = villkor.compare(PERF, draft)  # paths load the policies; no data: no impact
    assert structural.impact is None and "impact" not in json.loads(structural.to_json())


def test_one_policy_evaluates_many_data_sets_unchanged(perf):
    first = perf.evaluate(perf.read_tables({"procedures": procedures(ROWS)}))
    other = perf.evaluate(perf.read_tables({"procedures": procedures([("Uppsala", "cataract", 2026, 3, 1)])}))
    assert first.value("payout", region="Uppsala") == 220000
    assert other.value("payout", region="Uppsala") == 14000  # baseline 0: 1 × 14 000 kr
    assert os.path.basename(perf.model.path) == "2026_performance.yaml"


def test_the_names_are_exported_lazily_and_import_nothing_heavy():
    import subprocess
    import sys

    script = ("import sys, evaluator\n"
              "before = 'evaluator.api' in sys.modules\n"
              "load = evaluator.load\n"
              "print(before, load.__module__, sorted(m for m in ('numpy', 'pandas') if m in sys.modules))\n"
              "try:\n    evaluator.lode\nexcept AttributeError as err:\n    print(err)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert proc.stdout.splitlines() == ["False evaluator.api []", "module 'evaluator' has no attribute 'lode'"]
    assert villkor.compare is villkor.api.compare and villkor.VillkorError.__module__ == "evaluator.errors"
