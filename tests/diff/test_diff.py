"""`villkor diff`: structural changes and per-region impact, on real policy files.

The expected impacts are computed by hand from tests/policies_diff/data/procedures.csv:

    North: x 5, y 2 (2026)      South: x 10, y 20 (2026), x 99 (2025, another year)
    base:    tariff x 100, y 200; cap North 1 000, South 4 000
             compensation North 5·100 + 2·200 = 900,   South 10·100 + 20·200 = 5 000
             payout North min(900, 1 000) = 900,        South min(5 000, 4 000) = 4 000
    changed: tariff x 150; cap South 6 000
             compensation North 5·150 + 2·200 = 1 150,  South 10·150 + 20·200 = 5 500
             payout North min(1 150, 1 000) = 1 000,    South min(5 500, 6 000) = 5 500
    drivers (each change alone on base): North payout: tariff alone 900 -> 1 000, cap alone 0;
             South payout: tariff alone min(5 500, 4 000) = 4 000 (0), cap alone min(5 000, 6 000)
             = 5 000 (+1 000) -> cap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support import ROOT, villkor, write

PAIRS = ROOT / "tests" / "policies_diff"
DATA = PAIRS / "data"
THIN = "\u2009"


def kr(text: str) -> str:
    """Write expectations with plain spaces; the reports group thousands with thin spaces."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", THIN, text)


def test_reordered_and_reformatted_is_no_change():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "reordered.yaml", "--fail-on-change")
    assert proc.returncode == 0, proc.stderr
    assert "Inga ändringar." in proc.stdout


def test_reordered_runs_to_identical_outcomes():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "reordered.yaml", "--data", DATA, "--format", "json",
                   "--fail-on-change")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["changes"] == []
    assert not any(o["changed"] for o in doc["impact"])


def test_structural_changes_exactly():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    changes = [(c["section"], c["id"], c["kind"], c["details"]) for c in json.loads(proc.stdout)["changes"]]
    assert changes == [
        ("policy", "version", "changed", ["1 → 2"]),
        ("parameters", "tariff", "changed", [kr("x: 100 kr/st → 150 kr/st")]),
        ("parameters", "cap", "changed", [kr("South: 4 000 kr → 6 000 kr")]),
        ("inputs", "procedures", "changed", ["ny kolumn provider (string, standard public, en av public/private)"]),
        ("rules", "compensation", "changed", ["förklaring: {region}[-:-]{+ får+} {value}"]),
        ("checks", "payout_not_negative", "added", ["sum(payout) >= 0"]),
    ]


def test_structural_text_and_fail_on_change():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--fail-on-change")
    assert proc.returncode == 1
    assert kr("  ~ tariff: x: 100 kr/st → 150 kr/st") in proc.stdout
    assert "  + payout_not_negative (ny): sum(payout) >= 0" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colours when not printing to a terminal
    assert villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml").returncode == 0


def test_expression_word_diff(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8")
    new = old.replace("expr: sum(procedures[year = measurement_year].count)",
                      "expr: sum(procedures[year = measurement_year - 1].count)")
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    doc = json.loads(villkor("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--format", "json").stdout)
    assert doc["changes"] == [{"section": "rules", "id": "performed", "kind": "changed",
                               "details": ["uttryck: sum(procedures[year = measurement_year{+ - 1+}].count)"],
                               "where": f"{tmp_path / 'new.yaml'}:34"}]


def test_removed_and_added_parameters_and_grain(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8")
    new = old.replace("  measurement_year: {value: 2026, unit: year, source: {ref: doc}}\n",
                      "  measurement_year: {value: 2026, unit: year, source: {ref: doc}}\n"
                      "  deadline: {value: 2026-03-16, source: {ref: doc}}\n")
    new = new.replace("    per: [region]\n    expr: compensation >= cap", "    per: [region]\n    expr: compensation > cap")
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    doc = json.loads(villkor("diff", tmp_path / "new.yaml", tmp_path / "old.yaml", "--format", "json").stdout)
    got = [(c["section"], c["id"], c["kind"], c["details"]) for c in doc["changes"]]
    assert got == [("parameters", "deadline", "removed", ["var 2026-03-16"]),
                   ("rules", "capped", "changed", ["uttryck: compensation [->-]{+>=+} cap"])]


def test_a_check_no_longer_marked_invariant_is_a_change(tmp_path):
    old = (ROOT / "policies" / "2026_performance.yaml").read_text(encoding="utf-8")
    marked = "    expr: performed_home + performed_other_region + performed_private = performed\n"
    start = old.index(marked) + len(marked)
    end = old.index("    invariant: true\n", start) + len("    invariant: true\n")
    (tmp_path / "new.yaml").write_text(old[:start] + old[end:], encoding="utf-8")
    proc = villkor("diff", ROOT / "policies" / "2026_performance.yaml", tmp_path / "new.yaml",
                   "--format", "json")
    got = [(c["section"], c["id"], c["kind"], c["details"]) for c in json.loads(proc.stdout)["changes"]]
    assert got == [("checks", "split_adds_up", "changed", ["invariant (kan inte brista): ja → nej"])]


def _rows(doc, rule):
    out = next(o for o in doc["impact"] if o["rule"] == rule)
    return {r["region"]: (r["old"], r["new"], r["difference"], r["driver"], r["flip"]) for r in out["rows"]}, out


def test_impact_per_region_by_hand():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--data", DATA, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    payout, out = _rows(doc, "payout")
    assert payout == {"North": (900, 1000, 100, "tariff", "compensation avgjorde → cap avgör"),
                      "South": (4000, 5500, 1500, "cap", "cap avgjorde → compensation avgör")}
    assert out["total"] == {"old": 4900, "new": 6500}
    south = next(r for r in out["rows"] if r["region"] == "South")
    assert south["driver_effect"] == 1000  # the cap alone moves South by 1 000 of the 1 500
    compensation, out = _rows(doc, "compensation")
    assert compensation == {"North": (900, 1150, 250, "tariff", None), "South": (5000, 5500, 500, "tariff", None)}
    assert out["total"] == {"old": 5900, "new": 6650}
    capped, out = _rows(doc, "capped")
    assert capped == {"North": (False, True, None, "tariff", "nej → ja"),
                      "South": (True, False, None, "cap", "ja → nej")}
    assert out["total"] == {"old": 1, "new": 1}  # keys that are true
    performed = next(o for o in doc["impact"] if o["rule"] == "performed")
    assert performed["changed"] is False
    assert doc["checks"] == [{"id": "payout_not_negative", "old": None, "new": True,
                              "detail": doc["checks"][0]["detail"]}]


def test_impact_new_rule_an_existing_rule_starts_using():
    """new_rule_used.yaml: compensation starts using a new rule deduction = cap / 2 (North 500,
    South 2 000), and the tariff for x rises 100 -> 150, which alone pulls the other way.
    Data (2026): North x 5, y 2; South x 10, y 20.
      old compensation: North 5×100 + 2×200 = 900; South 10×100 + 20×200 = 5 000.
      new compensation: North 5×150 + 2×200 − 500 = 650 (−250); South 1 500 + 4 000 − 2 000 = 3 500 (−1 500).
      tariff alone: North 1 150 (+250), South 5 500 (+500) — the opposite way: never the cause.
      compensation alone (with the new rule it needs): North 900 − 500 = 400 (−500),
        South 5 000 − 2 000 = 3 000 (−2 000) — the cause.
      payout: North min(900, 1 000) = 900 -> min(650, 1 000) = 650; South min(5 000, 4 000) = 4 000
        -> min(3 500, 4 000) = 3 500, the cap no longer decides. compensation alone: North 400
        (−500), South 3 000 (−1 000)."""
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "new_rule_used.yaml", "--data", DATA, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    compensation, out = _rows(doc, "compensation")
    assert compensation == {"North": (900, 650, -250, "compensation", None),
                            "South": (5000, 3500, -1500, "compensation", None)}
    assert [r["driver_effect"] for r in out["rows"]] == [-500, -2000]
    payout, out = _rows(doc, "payout")
    assert payout == {"North": (900, 650, -250, "compensation", None),
                      "South": (4000, 3500, -500, "compensation", "cap avgjorde → compensation avgör")}
    assert out["total"] == {"old": 4900, "new": 4150}
    capped, _ = _rows(doc, "capped")
    assert capped["South"] == (True, False, None, "compensation", "ja → nej")


def test_impact_text_table():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--data", DATA)
    lines = proc.stdout.splitlines()
    start = lines.index("payout — Utbetalning (kr)")
    table = [re.sub(" +", " ", line.strip()) for line in lines[start + 1:start + 5]]
    assert table == [
        "region gammal ny skillnad främsta orsak vändning",
        kr("North 900 kr 1 000 kr +100 kr tariff compensation avgjorde → cap avgör"),
        kr("South 4 000 kr 5 500 kr +1 500 kr cap (ensam +1 000 kr) cap avgjorde → compensation avgör"),
        kr("Riket 4 900 kr 6 500 kr +1 600 kr"),
    ]
    assert "Oförändrade utdata: performed" in proc.stdout


def test_markdown_and_xlsx(tmp_path):
    md = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--data", DATA, "--format", "md").stdout
    assert "## Parametrar" in md and "### payout — Utbetalning (kr)" in md
    assert kr("| South | 4 000 kr | 5 500 kr | +1 500 kr | cap (ensam +1 000 kr) | cap avgjorde → compensation avgör |") in md
    out = tmp_path / "diff.xlsx"
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--data", DATA, "--format", "xlsx", "-o", out)
    assert proc.returncode == 0, proc.stderr
    from openpyxl import load_workbook
    wb = load_workbook(out)
    assert wb.sheetnames == ["Ändringar", "compensation", "payout", "capped"]
    rows = list(wb["payout"].values)
    assert rows[0] == ("region", "gammal", "ny", "skillnad", "främsta orsak", "ensam effekt", "vändning")
    assert rows[2] == ("South", 4000, 5500, 1500, "cap", 1000, "cap avgjorde → compensation avgör")
    assert rows[3][:4] == ("Riket", 4900, 6500, 1600)


def test_params_apply_to_both(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("tariff: {x: 100}\n", encoding="utf-8")
    doc = json.loads(villkor("diff", PAIRS / "base.yaml", PAIRS / "changed.yaml", "--data", DATA,
                             "--params", params, "--format", "json").stdout)
    assert [c["id"] for c in doc["changes"] if c["section"] == "parameters"] == ["cap"]
    payout, _ = _rows(doc, "payout")
    assert payout["South"] == (4000, 5000, 1000, "cap", "cap avgjorde → compensation avgör")
    assert payout["North"] == (900, 900, 0, None, None)


# ---------------------------------------------------------------- 2026 against the 2027 draft

POLICY_2026 = ROOT / "policies" / "2026_performance.yaml"
DRAFT_2027 = ROOT / "examples" / "2027_draft" / "2027_performance.yaml"


def test_2026_vs_2027_structural():
    proc = villkor("diff", POLICY_2026, DRAFT_2027, "--format", "json", "--fail-on-change")
    assert proc.returncode == 1, proc.stderr
    changes = {(c["section"], c["id"]): c for c in json.loads(proc.stdout)["changes"]}
    assert changes[("policy", "valid")]["details"] == ["giltig 2026-01-01 – 2027-03-31 → 2027-01-01 – 2028-03-31"]
    assert changes[("dimensions", "measure")]["details"] == ["nya medlemmar: cholecystectomy (Gallstensoperation)"]
    assert changes[("parameters", "measurement_year")]["details"][0] == "2026 → 2027"
    assert changes[("parameters", "baseline_years")]["details"][0] == "[2023, 2024, 2025] → [2024, 2025, 2026]"
    assert changes[("parameters", "approximate_cost_excl_supplement")]["details"][:2] == [
        kr("cataract: 10 000 kr/st → 11 000 kr/st"), kr("cholecystectomy: – → 30 000 kr/st")]
    assert changes[("parameters", "terms_deadline")]["details"][0] == "2026-02-28 → 2027-02-28"
    assert changes[("parameters", "final_report_due")]["details"][0] == "2027-03-31 → 2028-03-31"
    # the titles name {measurement_year} and {baseline_years}: they follow the values and are no
    # change of their own (the baseline rule is inherited, the budget's entry restated as written)
    assert ("rules", "baseline") not in changes
    assert changes[("parameters", "budget")]["details"] == [
        "status: official → illustrative",
        "not: (ingen) → Budgeten för 2027 är inte beslutad; 2026 års belopp (och 2026 års tak) används tills vidare."]
    assert changes[("policy", "title")]["details"] == [
        "Prestationsbaserade medel för att korta vårdköerna [-2026-]{+2027 (utkast)+}"]
    # inherited, untouched entries are not changes
    assert ("parameters", "cap") not in changes and ("rules", "payout") not in changes


def test_2026_vs_2027_impact_on_a_tiny_data_set(tmp_path):
    """Gotland only: cataract 2026 and 2027 rows, and a cholecystectomy row only 2027 knows.

    2026 policy: cataract 2026 = 30, baseline 2023–2025 = (0 + 12 + 15) / 3 = 9 -> eligible 21,
                              rate 14 000 -> compensation = payout = 294 000 kr; cholecystectomy rows left out.
    2027 draft:  cataract 2027 = 20, baseline 2024–2026 = (12 + 15 + 30) / 3 = 19 -> eligible 1,
                 rate 15 000 -> 15 000; cholecystectomy 2027 = 50, baseline 0 -> 50 × 34 000
                 = 1 700 000; compensation 1 715 000, payout 1 715 000 (cap 4 795 726).
    """
    data = tmp_path / "data"
    data.mkdir()
    rows = ["home_region,performing_region,provider,measure,year,month,count",
            "Gotland,Gotland,public,cataract,2024,5,12", "Gotland,Gotland,public,cataract,2025,5,15",
            "Gotland,Gotland,public,cataract,2026,5,30", "Gotland,Gotland,public,cataract,2027,5,20",
            "Gotland,Gotland,public,cholecystectomy,2027,5,50"]
    (data / "procedures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = villkor("diff", POLICY_2026, DRAFT_2027, "--data", data, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["notes"] == ["1 rader i procedures har medlemmar som den gamla versionen inte känner till; "
                            "de är utelämnade ur dess körning"]
    payout, out = _rows(doc, "payout")
    assert payout["Gotland"][:3] == (294000, 1715000, 1421000)
    # Each change alone on the 2026 policy: measurement_year (2027 vs 2023–2025: 20 − 9 = 11 ->
    # 154 000) and baseline_years (2026 vs 2024–2026: 30 − 19 = 11 -> 154 000) both lower the
    # payout; the new measure alone adds nothing (its rows are 2027, the old year is 2026); only the
    # tariff alone raises it, the way the payout moved: 21 × 15 000 = 315 000, +21 000.
    assert payout["Gotland"][3] == "approximate_cost_excl_supplement"
    gotland = next(r for r in out["rows"] if r["region"] == "Gotland")
    assert gotland["driver_effect"] == 21000
    assert payout["Stockholm"] == (0, 0, 0, None, None)
    assert out["total"] == {"old": 294000, "new": 1715000}
    eligible = next(o for o in doc["impact"] if o["rule"] == "eligible")
    got = {(r["region"], r["measure"]): (r["old"], r["new"], r["driver"]) for r in eligible["rows"]
           if r["region"] == "Gotland"}
    assert got[("Gotland", "cataract")][:2] == (21, 1)
    assert got[("Gotland", "cholecystectomy")] == (None, 50, "ny medlem cholecystectomy")
    rate = next(o for o in doc["impact"] if o["rule"] == "rate")
    assert {r["measure"]: (r["old"], r["new"]) for r in rate["rows"]}["cataract"] == (14000, 15000)


def test_2026_vs_2027_on_the_example_data_runs():
    proc = villkor("diff", POLICY_2026, DRAFT_2027, "--data", ROOT / "examples" / "2027_draft" / "data")
    assert proc.returncode == 0, proc.stderr
    assert "payout — Belopp som regionen kan rekvirera" in proc.stdout and "Riket" in proc.stdout


def test_missing_file_is_a_clean_error(tmp_path):
    proc = villkor("diff", PAIRS / "base.yaml", tmp_path / "nope.yaml")
    assert proc.returncode == 1
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- more handmade pairs


def _changes(doc) -> list[tuple]:
    return [(c["section"], c["id"], c["kind"], c["details"]) for c in doc["changes"]]


def _pair(tmp_path, old: str, new: str) -> tuple[Path, Path]:
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    return tmp_path / "old.yaml", tmp_path / "new.yaml"


def _diff_json(*args) -> dict:
    proc = villkor("diff", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_identical_policies_no_change_and_exit_0():
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "base.yaml", "--fail-on-change")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "Inga ändringar."
    proc = villkor("diff", PAIRS / "base.yaml", PAIRS / "base.yaml", "--data", DATA, "--fail-on-change")
    assert proc.returncode == 0, proc.stderr
    assert "  Inget utfall ändras för någon nyckel." in proc.stdout
    assert "Oförändrade utdata: performed, compensation, payout, capped" in proc.stdout
    # the same pair with one change: exit 1 under --fail-on-change, 0 without it
    assert villkor("diff", PAIRS / "base.yaml", PAIRS / "next_year.yaml", "--fail-on-change").returncode == 1
    assert villkor("diff", PAIRS / "base.yaml", PAIRS / "next_year.yaml").returncode == 0


def test_respaced_and_rewrapped_expressions_are_no_change(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8")
    new = (old.replace("expr: sum(procedures[year = measurement_year].count)",
                       "expr: |\n      sum(\n        procedures[year=measurement_year].count\n      )")
              .replace("expr: min(compensation, cap)", "expr: \"min( compensation ,cap )\"")
              .replace("    value: {x: 100, y: 200}\n", "    value:\n      y: 200.0\n      x: 100\n"))
    assert new != old
    doc = _diff_json(*_pair(tmp_path, old, new), "--fail-on-change")
    assert doc["changes"] == []


def test_literal_year_word_diff(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8").replace(
        "sum(procedures[year = measurement_year].count)", "sum(procedures[year = 2025].count)")
    new = old.replace("sum(procedures[year = 2025].count)", "sum(procedures[year = 2026].count)")
    doc = _diff_json(*_pair(tmp_path, old, new))
    assert _changes(doc) == [("rules", "performed", "changed", ["uttryck: sum(procedures[year = [-2025-]{+2026+}].count)"])]
    text = villkor("diff", tmp_path / "old.yaml", tmp_path / "new.yaml").stdout
    assert "  ~ performed: uttryck: sum(procedures[year = [-2025-]{+2026+}].count)" in text.splitlines()


def test_scalar_parameter_change_with_unit(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8").replace(
        "parameters:\n", "parameters:\n  supplement: {value: 4000, unit: kr/count, source: {ref: doc}}\n").replace(
        "expr: sum(performed * tariff)", "expr: sum(performed * (tariff + supplement))")
    new = old.replace("supplement: {value: 4000,", "supplement: {value: 4500,")
    doc = _diff_json(*_pair(tmp_path, old, new))
    assert _changes(doc) == [("parameters", "supplement", "changed", [kr("4 000 kr/st → 4 500 kr/st")])]


def test_grain_change_is_reported_and_not_compared(tmp_path):
    old = (PAIRS / "base.yaml").read_text(encoding="utf-8").replace(
        "outputs: [performed, compensation, payout, capped]",
        "  price:\n    title: Pris\n    per: [measure]\n    expr: tariff\n    unit: kr/count\n"
        "    source: {ref: doc}\n    explain: \"{value}\"\n"
        "outputs: [performed, compensation, payout, capped, price]")
    new = old.replace("    per: [measure]\n    expr: tariff", "    per: [region, measure]\n    expr: tariff")
    doc = _diff_json(*_pair(tmp_path, old, new), "--data", DATA)
    assert _changes(doc) == [("rules", "price", "changed", ["nivå: per [measure] → per [region, measure]"])]
    assert doc["notes"] == ["price: olika nivå i de två versionerna, jämförs inte"]
    assert "price" not in [o["rule"] for o in doc["impact"]]
    assert not any(o["changed"] for o in doc["impact"])


def test_next_year_pair_structural_exactly():
    """next_year.yaml: validity, a new region, a scalar year, a table cell for the new region,
    a removed rule (and output), an added national rule (and output)."""
    doc = _diff_json(PAIRS / "base.yaml", PAIRS / "next_year.yaml")
    assert _changes(doc) == [
        ("policy", "valid", "changed", ["giltig 2026-01-01 – 2026-12-31 → 2027-01-01 – 2027-12-31"]),
        ("dimensions", "region", "changed", ["nya medlemmar: East"]),
        ("parameters", "measurement_year", "changed", ["2026 → 2027"]),
        ("parameters", "cap", "changed", ["East: – → 500 kr"]),
        ("rules", "capped", "removed", ["var: compensation >= cap"]),
        ("rules", "total", "added", ["sum(payout)"]),
        ("outputs", "total", "added", []),
        ("outputs", "capped", "removed", []),
    ]
    where = {c["id"]: c["where"] for c in doc["changes"] if c["section"] == "rules"}
    assert where["capped"].endswith("base.yaml:55") and where["total"].endswith("next_year.yaml:56")


def test_next_year_pair_impact_by_hand(tmp_path):
    """Rows: North x 5, y 2 (2026), x 8 (2027); South x 10, y 20 (2026), x 99 (2025); East y 3 (2027).

    old (2026, North/South): compensation North 5·100 + 2·200 = 900, South 10·100 + 20·200 = 5 000;
                             payout North min(900, 1 000) = 900, South min(5 000, 4 000) = 4 000.
                             The East row is left out of the old run (the old version has no East).
    new (2027):              compensation North 8·100 = 800, South 0, East 3·200 = 600;
                             payout North 800, South min(0, 4 000) = 0, East min(600, 500) = 500.
    Riket payout 900 + 4 000 = 4 900 -> 800 + 0 + 500 = 1 300.
    """
    data = tmp_path / "data"
    write(data / "procedures.csv", "region,measure,year,count\nNorth,x,2026,5\nNorth,y,2026,2\nSouth,x,2026,10\n"
          "South,y,2026,20\nSouth,x,2025,99\nNorth,x,2027,8\nEast,y,2027,3\n")
    doc = _diff_json(PAIRS / "base.yaml", PAIRS / "next_year.yaml", "--data", data)
    assert doc["notes"] == ["1 rader i procedures har medlemmar som den gamla versionen inte känner till; "
                            "de är utelämnade ur dess körning"]
    payout, out = _rows(doc, "payout")
    assert payout == {"North": (900, 800, -100, "measurement_year", None),
                      "South": (4000, 0, -4000, "measurement_year", "cap avgjorde → compensation avgör"),
                      "East": (None, 500, None, "ny medlem East", None)}
    assert out["total"] == {"old": 4900, "new": 1300}
    compensation, out = _rows(doc, "compensation")
    assert compensation == {"North": (900, 800, -100, "measurement_year", None),
                            "South": (5000, 0, -5000, "measurement_year", None),
                            "East": (None, 600, None, "ny medlem East", None)}
    assert out["total"] == {"old": 5900, "new": 1400}
    assert [o["rule"] for o in doc["impact"]] == ["performed", "compensation", "payout"]  # capped, total: one side
    # text: the per-region sum of a region × measure output shows the new region as absent before
    text = villkor("diff", PAIRS / "base.yaml", PAIRS / "next_year.yaml", "--data", data).stdout.splitlines()
    start = text.index("performed — Utförda, summerat över measure (antal)")
    assert [re.sub(" +", " ", line.strip()) for line in text[start + 1:start + 7]] == [
        "6 av 6 nycklar (region × measure) ändras",
        "region gammal ny skillnad främsta orsak vändning",
        "North 7 8 +1 measurement_year",
        "South 30 0 −30 measurement_year",
        "East – 3 ny medlem East",
        "Riket 37 11 −26",
    ]


# ---------------------------------------------------------------- the real pair on the 2026 example data

EXAMPLE_2026 = ROOT / "examples" / "2026"


def test_2026_vs_2027_lists_the_draft_changes_in_text():
    out = villkor("diff", POLICY_2026, DRAFT_2027).stdout
    lines = out.splitlines()
    assert "  ~ measure: nya medlemmar: cholecystectomy (Gallstensoperation)" in lines
    assert kr("      cataract: 10 000 kr/st → 11 000 kr/st") in lines
    assert kr("      cholecystectomy: – → 30 000 kr/st") in lines
    assert lines[lines.index("  ~ measurement_year") + 1] == "      2026 → 2027"
    assert lines[lines.index("  ~ baseline_years") + 1] == "      [2023, 2024, 2025] → [2024, 2025, 2026]"


@pytest.fixture(scope="module")
def run_2026():
    proc = villkor("run", POLICY_2026, "--data", EXAMPLE_2026, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["outputs"]


@pytest.fixture(scope="module")
def diff_2026_window(tmp_path_factory, run_2026):
    params = tmp_path_factory.mktemp("params") / "years_2026.yaml"
    params.write_text("measurement_year: 2026\nbaseline_years: [2023, 2024, 2025]\n", encoding="utf-8")
    proc = villkor("diff", POLICY_2026, DRAFT_2027, "--data", EXAMPLE_2026, "--params", params, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_2026_window_isolates_the_tariff_change(diff_2026_window, run_2026):
    """With both versions measuring 2026 against 2023–2025, the only change that moves money on
    the 2026 data is the cataract tariff (the example data has no cholecystectomy rows): every
    region's compensation rises by exactly its eligible cataract count × 1 000 kr."""
    doc = diff_2026_window
    ids = [(c["section"], c["id"]) for c in doc["changes"]]
    assert ("parameters", "approximate_cost_excl_supplement") in ids
    # the years come from the parameter file in both versions: only their citation text differs
    year_details = next(c for c in doc["changes"] if c["id"] == "measurement_year")["details"]
    assert "2026 → 2027" not in year_details and all(d.startswith("källa:") for d in year_details)
    eligible = {r["region"]: r["value"] for r in run_2026["eligible"] if r["measure"] == "cataract"}
    assert len(eligible) == 21 and sum(eligible.values()) > 0
    compensation, out = _rows(doc, "compensation")
    assert set(compensation) == set(eligible)
    for region, count in eligible.items():
        old, new, difference, driver, flip = compensation[region]
        assert old == next(r["value"] for r in run_2026["compensation"] if r["region"] == region)
        assert difference == new - old == count * 1000, region
        assert driver == ("approximate_cost_excl_supplement" if count else None), region
    assert out["total"]["new"] - out["total"]["old"] == sum(eligible.values()) * 1000
    rates = {r["measure"]: (r["old"], r["new"]) for r in next(o for o in doc["impact"] if o["rule"] == "rate")["rows"]}
    assert rates["cataract"] == (14000, 15000) and rates["cholecystectomy"] == (None, 34000)
    assert rates["hip_prosthesis"] == (94000, 94000)


def test_2026_window_capped_regions_do_not_move(diff_2026_window, run_2026):
    """A region paid its cap in both versions gets no more: difference 0 (and no flip); an
    uncapped one gets the whole rise of its compensation."""
    doc = diff_2026_window
    payout, out = _rows(doc, "payout")
    compensation, _ = _rows(doc, "compensation")
    cap_reached = {r["region"]: (r["old"], r["new"]) for r in
                   next(o for o in doc["impact"] if o["rule"] == "cap_reached")["rows"]}
    capped = [r for r, (a, b) in cap_reached.items() if a and b]
    assert capped == [r["region"] for r in run_2026["cap_reached"] if r["value"]]
    assert len(capped) >= 2  # Stockholm, Uppsala, Kalmar, Gotland in the example data
    for region in capped:
        old, new, difference, driver, flip = payout[region]
        assert old == new and difference == 0 and driver is None and flip is None, region
        assert compensation[region][2] >= 0  # their compensation may still rise, above the cap
    for region, (_old, _new, difference, _driver, _flip) in payout.items():
        if region not in capped:
            assert difference == compensation[region][2], region
    assert out["total"]["new"] - out["total"]["old"] == sum(payout[r][2] for r in payout)


def test_2026_data_under_the_2027_window_counts_nothing():
    """examples/2026 holds 2023–2026 only: under the draft's measurement year 2027 every
    performed count is 0, so nothing is eligible and every payout is 0, driven by measurement_year."""
    doc = _diff_json(POLICY_2026, DRAFT_2027, "--data", EXAMPLE_2026)
    performed = next(o for o in doc["impact"] if o["rule"] == "performed")
    assert {r["new"] for r in performed["rows"]} == {0} and performed["total"]["new"] == 0
    payout, out = _rows(doc, "payout")
    assert {v[1] for v in payout.values()} == {0} and out["total"]["new"] == 0
    assert {v[3] for v in payout.values()} == {"measurement_year"}
    assert payout["Stockholm"][4] == "cap avgjorde → compensation avgör"


def test_a_changed_citation_reads_by_the_documents_title_with_the_passage_word_diffed():
    proc = villkor("diff", "policies/2026_performance.yaml", "examples/2027_draft/2027_performance.yaml",
                   "--format", "md", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "seeds/" not in proc.stdout
    # the long title is kept whole and the passage's change marked, not cut to "ändrad: …"
    assert ("källa: Uppdrag till Socialstyrelsen att fördela, betala ut och följa upp medel för att korta "
            "vårdköerna (regeringsbeslut), sjätte stycket[- (slutredovisning senast den 31 mars 2027)-]") in proc.stdout
