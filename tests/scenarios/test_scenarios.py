"""`villkor run --scenarios`: hand-computed values on hand-made data, against separate --params runs."""

import json

from support import ROOT, villkor

POLICY = ROOT / "policies" / "2026_performance.yaml"

# Uppsala: cataract 10 in Jan 2026, 3 in each baseline year -> baseline 3, eligible 7.
# Gotland: cataract 400 in 2026, none before -> eligible 400; cap 4 795 726 kr.
ROWS = ["home_region,performing_region,provider,measure,year,month,count",
        "Uppsala,Uppsala,public,cataract,2026,1,10",
        "Uppsala,Uppsala,public,cataract,2023,2,3",
        "Uppsala,Uppsala,public,cataract,2024,2,3",
        "Uppsala,Uppsala,public,cataract,2025,2,3",
        "Gotland,Gotland,public,cataract,2026,3,400"]


def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    (d / "procedures.csv").write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    return d


def run(tmp_path, text, name="s.yaml", *extra):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f, "--format", "json",
                   "--outputs", "payout_total,payout", *extra)


def test_grid_values_differences_and_flip(tmp_path):
    proc = run(tmp_path, "grid:\n  approximate_cost_excl_supplement.cataract: [7000, 10000]\n  travel_supplement: [4000]\n")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    regions = [k[0] for k in doc["outputs"]["payout"]["keys"]]
    up, got = regions.index("Uppsala"), regions.index("Gotland")
    # base: Uppsala 7 × 14 000 = 98 000; Gotland min(400 × 14 000 = 5 600 000, cap 4 795 726)
    assert doc["base"]["outputs"]["payout_total"] == 98000 + 4795726
    first, second = doc["scenarios"]
    assert first["name"] == "approximate_cost_excl_supplement.cataract=7000, travel_supplement=4000"
    # 7000 + 4000 = 11 000 per procedure: Uppsala 77 000, Gotland 4 400 000 (below the cap now)
    assert first["outputs"]["payout"]["value"][up] == 77000
    assert first["outputs"]["payout"]["value"][got] == 4400000
    assert first["outputs"]["payout_total"] == {"value": 4477000, "difference": 4477000 - 4893726}
    assert first["outputs"]["payout"]["flips"] == [["Gotland"]]
    assert any("Gotland" in line for line in first["flips"])
    assert second["outputs"]["payout_total"]["difference"] == 0
    # only what depends on the varied parameters is recomputed; eligible is computed once
    assert doc["recomputed"] == ["rate", "compensation", "payout", "cap_reached", "payout_total",
                                 "compensation_total"]
    assert "flips" not in second["outputs"]["payout"]


def test_each_scenario_equals_a_separate_params_run(tmp_path):
    text = ("scenarios:\n  a:\n    approximate_cost_excl_supplement: {cataract: 7000, hip_prosthesis: 1}\n"
            "  b:\n    travel_supplement: 5000\n"
            "grid:\n  approximate_cost_excl_supplement.cataract: [6500, 12000]\n")
    proc = run(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    alone = {"a": "approximate_cost_excl_supplement: {cataract: 7000, hip_prosthesis: 1}\n", "b": "travel_supplement: 5000\n",
             "approximate_cost_excl_supplement.cataract=6500": "approximate_cost_excl_supplement: {cataract: 6500}\n",
             "approximate_cost_excl_supplement.cataract=12000": "approximate_cost_excl_supplement: {cataract: 12000}\n"}
    for sc in doc["scenarios"]:
        p = tmp_path / "p.yaml"
        p.write_text(alone[sc["name"]], encoding="utf-8")
        single = villkor("run", POLICY, "--data", tmp_path / "data", "--params", p, check=True)
        outs = json.loads(single.stdout)["outputs"]
        assert sc["outputs"]["payout_total"]["value"] == outs["payout_total"][0]["value"]
        assert sc["outputs"]["payout"]["value"] == [r["value"] for r in outs["payout"]]


def test_markdown_marks_the_flip(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  billig:\n    approximate_cost_excl_supplement: {cataract: 7000}\n", encoding="utf-8")
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f, "--format", "md",
                   "--outputs", "payout_total,payout")
    assert proc.returncode == 0, proc.stderr
    assert "| billig | 4\u2009477\u2009000 kr | \u2212416\u2009726 kr | 1 |" in proc.stdout
    assert "4\u2009400\u2009000 kr (\u2212395\u2009726 kr) ⚑" in proc.stdout
    # the warnings in Swedish, as in the report of a single run
    assert "## Varningar\n\n- " in proc.stdout
    assert ("\n- Parametern ”Ungefärlig kostnad per åtgärd, exklusive resetillägget på 4 000 kr (P-6)” "
            "är ett illustrativt värde, inte en officiell uppgift: ") in proc.stdout
    assert "is illustrative, not an official figure" not in proc.stdout


def test_unknown_parameter_named_with_line_and_column(tmp_path):
    proc = run(tmp_path, "scenarios:\n  a:\n    tarif: 5\n")
    assert proc.returncode == 1
    assert "s.yaml:3:5: unknown parameter 'tarif'" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_wrong_unit_in_grid_named_with_line_and_column(tmp_path):
    proc = run(tmp_path, "grid:\n  approximate_cost_excl_supplement.cataract: [9000, {value: 10000, unit: kr}]\n")
    assert proc.returncode == 1
    assert "s.yaml:2:53: parameter 'approximate_cost_excl_supplement' is in kr/count, not kr" in proc.stderr


def test_csv_table_values_and_bad_cell(tmp_path):
    proc = run(tmp_path, "scenario,approximate_cost_excl_supplement.cataract\nbillig,7000\n", "t.csv")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["scenarios"][0]["outputs"]["payout_total"]["value"] == 4477000
    proc = run(tmp_path, "scenario,approximate_cost_excl_supplement.cataract\nbillig,sju\n", "t.csv")
    assert proc.returncode == 1
    assert "t.csv: row 2: column 'approximate_cost_excl_supplement.cataract'" in proc.stderr


def workbook(path, rows, merge=None):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Scenarier"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def test_xlsx_table_values_and_located_errors(tmp_path):
    col = "approximate_cost_excl_supplement.cataract"
    book = workbook(tmp_path / "t.xlsx", [["scenario", col], ["billig", 7000], ["dyr", 12000.0]])
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", book, "--format", "json",
                   "--outputs", "payout_total")
    assert proc.returncode == 0, proc.stderr
    billig, dyr = json.loads(proc.stdout)["scenarios"]
    assert billig["name"] == "billig" and billig["outputs"]["payout_total"]["value"] == 4477000
    # 12 000 + 4 000 = 16 000: Uppsala 112 000, Gotland capped at 4 795 726
    assert dyr["outputs"]["payout_total"]["value"] == 112000 + 4795726
    for rows, merge, message in [
            ([["scenario", col], ["billig", 7000], ["dyr", "sju"]], None,
             f"t.xlsx, sheet 'Scenarier': row 3: column '{col}': parameter 'approximate_cost_excl_supplement' "
             "is a number, not 'sju'"),
            ([["scenario", "tarif.cataract"], ["billig", 7000]], None,
             "t.xlsx, sheet 'Scenarier': row 1: column 'tarif.cataract': unknown parameter 'tarif'"),
            ([["scenario", col], ["billig", "=7000"]], None,
             "sheet 'Scenarier', cell B2: the formula =7000 has no saved value"),
            ([["scenario", col], ["billig", 7000], [None, 8000]], "A2:A3",
             "sheet 'Scenarier', cells A2:A3 are merged")]:
        book = workbook(tmp_path / "t.xlsx", rows, merge)
        proc = villkor("run", POLICY, "--data", tmp_path / "data", "--scenarios", book, "--format", "json")
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
