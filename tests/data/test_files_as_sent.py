"""Data as the regions send it, through the real `villkor run` on a copy of examples/2026 with
one file altered: exact öre amounts, or one located message (file, row, column, the fix), exit 1.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from support import ROOT, villkor

CAPACITY = ROOT / "policies" / "2026_capacity.yaml"


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "2026", folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(data: Path, tmp_path: Path, policy: Path = CAPACITY):
    out = tmp_path / "out.json"
    out.unlink(missing_ok=True)
    proc = villkor("run", policy, "--data", data, "-o", out)
    return proc, out


def refused(data: Path, tmp_path: Path) -> str:
    """The one error of a run that must fail: exit 1, no traceback, nothing written."""
    proc, out = run(data, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not out.exists()
    return proc.stderr


def outputs(out: Path, rule: str) -> dict:
    return {r["region"]: r["value"] for r in json.loads(out.read_text())["outputs"][rule]}


# One edit of a file as it was sent, and what the refusal must say ({file} is the edited file).
# A table, so each slip is one line and the messages can be read side by side.
REFUSED_EDITS = {
    "amount finer than one öre": (
        "followup.csv", "Uppsala,20000000,20000000", "Uppsala,1000.005,1000",
        ["{file}: row 3: column 'used': '1000.005' is not an amount"]),
    "amount of 29 digits is out of range": (
        "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00", "Uppsala;2026-03-03;" + "9" * 29,
        ["{file}: row 3: column 'amount_requested':", "out of range"]),
    "whole number beyond int64 is out of range": (
        "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00;nej;4",
        "Uppsala;2026-03-03;20 000 000,00;nej;9223372036854775808",
        ["{file}: row 3: column 'measures_listed': '9223372036854775808': out of range"]),
    "negative amount is named an amount": (
        "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00", "Uppsala;2026-03-03;-5",
        ["{file}: row 3: column 'amount_requested': negative amount -5"]),
    "thousands dot in a semicolon file is ambiguous": (
        "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00", "Uppsala;2026-03-03;20.000",
        ["{file}: row 3: column 'amount_requested': '20.000': could be 20 or 20000",
         "write 20000 for 20000, or 20,000 for 20"]),
    "thousands comma in a comma file is ambiguous": (
        "followup.csv", "Uppsala,20000000,", 'Uppsala,"1,500",',
        ["{file}: row 3: column 'used': '1,500': could be 1.5 or 1500"]),
    "date in year zero": (
        "requisitions.csv", "Uppsala;2026-03-03", "Uppsala;0000-01-01",
        ["{file}: row 3: column 'received_on': '0000-01-01': the year is outside 1900-2199"]),
    "misspelt column with a default names both": (
        "followup.csv", "region,used,", "region,Used,",
        ["{file}: row 1: missing column used", "unknown column 'Used' (did you mean 'used'?)"]),
    "renamed column names the missing and the unknown": (
        "requisitions.csv", "wants_remaining;measures_listed;", "wants_remaining;antal;",
        ["{file}: row 1: missing column measures_listed", "unknown column 'antal'",
         "write the header line as: region;received_on;amount_requested;wants_remaining;measures_listed;"
         "production_plan;separate_account"]),
}


@pytest.mark.parametrize("name, old, new, says", REFUSED_EDITS.values(), ids=REFUSED_EDITS.keys())
def test_a_slip_in_a_file_as_sent_is_refused_by_file_row_and_column(data, tmp_path, name, old, new, says):
    edit(data / name, old, new)
    err = refused(data, tmp_path)
    for words in says:
        assert words.format(file=data / name) in err


# ---------------------------------------------------------------- öre and amounts


def test_followup_amount_with_ore_in_a_comma_file_is_exact(data, tmp_path):
    edit(data / "followup.csv", "Uppsala,20000000,20000000", "Uppsala,20000000.25,20000000.25")
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert outputs(out, "used")["Uppsala"] == "20000000.25"
    assert outputs(out, "undocumented")["Uppsala"] == 0


def test_requisition_amount_with_ore_in_a_semicolon_file_is_read_exactly(data):
    from decimal import Decimal

    from evaluator.data import load_tables
    from evaluator.policy.build import load_policy

    edit(data / "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00", "Uppsala;2026-03-03;1 000 000,50")
    policy = load_policy(str(CAPACITY))
    frame = load_tables(policy.inputs, policy.dimensions, str(data)).tables["requisitions"].frame
    amount = frame.loc[frame["region"] == "Uppsala", "amount_requested"].iloc[0]
    assert type(amount) is Decimal and amount == Decimal("1000000.50")



def test_money_default_finer_than_one_ore_is_refused(data, tmp_path):
    policy = tmp_path / "p.yaml"
    text = CAPACITY.read_text(encoding="utf-8")
    old = 'used: {type: money, title: "Använt under bidragsåret, {grant_year_start} – {grant_year_end}", default: 0, min: 0}'
    assert old in text
    policy.write_text(text.replace(old, old.replace("default: 0,", "default: 0.005,")), encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / "seeds" / "000_edc5d52730b03d8c.txt", tmp_path / "seeds") \
        if (ROOT / "seeds").exists() else None
    proc, out = run(data, tmp_path, policy)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "the default 0.005 of money column 'used' is finer than one öre" in proc.stderr



# ---------------------------------------------------------------- missing columns


def test_followup_without_documented_column_is_refused(data, tmp_path):
    path = data / "followup.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(f for i, f in enumerate(line.split(",")) if i != 2)
                              for line in lines) + "\n", encoding="utf-8")
    err = refused(data, tmp_path)
    assert f"{path}: row 1: missing column documented" in err
    assert ("write the header line as: region,used,documented,financial_report,results_report,"
            "production_plan_submitted") in err



def test_optional_column_left_out_uses_its_default_with_a_warning(data, tmp_path):
    policy = tmp_path / "p.yaml"
    text = CAPACITY.read_text(encoding="utf-8")
    old = "results_report: {type: bool, title: Resultat av insatserna redovisade, default: false}"
    assert old in text
    policy.write_text(text.replace(old, old[:-1] + ", optional: true}"), encoding="utf-8")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds") if (ROOT / "seeds").exists() else None
    path = data / "followup.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(f for i, f in enumerate(line.split(",")) if i != 4)
                              for line in lines) + "\n", encoding="utf-8")
    proc, out = run(data, tmp_path, policy)
    assert proc.returncode == 0, proc.stderr
    warning = f"{path}: optional column 'results_report' is not in the file; its default false is used on every row"
    assert f"warning: {warning}" in proc.stderr
    assert warning in json.loads(out.read_text())["warnings"]
    assert outputs(out, "missing_results_report")["Uppsala"] is True


# ---------------------------------------------------------------- key cells, separators, dates


def test_empty_region_in_a_nullable_key_column_is_refused(data, tmp_path):
    policy = tmp_path / "p.yaml"
    text = CAPACITY.read_text(encoding="utf-8")
    old = "      region: {type: region, title: Region}\n      used:"
    assert old in text
    policy.write_text(text.replace(old, old.replace("Region}", "Region, nullable: true}")), encoding="utf-8")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds") if (ROOT / "seeds").exists() else None
    edit(data / "followup.csv", "\nUppsala,", "\n,")
    proc, out = run(data, tmp_path, policy)
    assert proc.returncode == 1 and not out.exists()
    assert f"{data / 'followup.csv'}: row 3: column 'region': empty cell in the key column 'region'" in proc.stderr





def test_excel_sep_line_is_understood_and_rows_count_it(data, tmp_path):
    path = data / "requisitions.csv"
    path.write_text("sep=;\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    edit(path, "Uppsala;2026-03-03", "Uppsala;2026-02-30")
    err = refused(data, tmp_path)
    assert f"{path}: row 4: column 'received_on': '2026-02-30' is not a date" in err


def test_blank_first_line_does_not_decide_the_separator(data, tmp_path):
    path = data / "followup.csv"
    path.write_text("\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    edit(path, "\nUppsala,20000000,", "\nUppsala,x,")
    assert f"{path}: row 4: column 'used': 'x' is not an amount" in refused(data, tmp_path)


def test_header_only_csv_without_final_newline_is_an_empty_table(data, tmp_path):
    path = data / "followup.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert outputs(out, "missing_followup")["Uppsala"] is True


# ---------------------------------------------------------------- unicode


def test_decomposed_and_zero_width_region_names_match(data, tmp_path):
    path = data / "requisitions.csv"
    text = path.read_text(encoding="utf-8")
    assert "Södermanland;" in text
    text = text.replace("Södermanland;", unicodedata.normalize("NFD", "Södermanland") + ";")
    text = text.replace("Uppsala;", "Upp\u200bsala;").replace("region;", "\u200bregion;", 1)
    path.write_text(text, encoding="utf-8")
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert outputs(out, "requested")["Uppsala"] == 20000000


@pytest.mark.parametrize("digits", ["١٢", "１２"])
def test_non_ascii_digits_are_refused(data, tmp_path, digits):
    edit(data / "requisitions.csv", "Uppsala;2026-03-03;20 000 000,00;nej;4",
         f"Uppsala;2026-03-03;20 000 000,00;nej;{digits}")
    err = refused(data, tmp_path)
    assert f"{data / 'requisitions.csv'}: row 3: column 'measures_listed': '{digits}': holds digits other than 0-9" in err


# ---------------------------------------------------------------- files


def test_a_pipe_as_data_file_is_refused_without_hanging(data, tmp_path):
    (data / "followup.csv").unlink()
    os.mkfifo(data / "followup.csv")
    err = refused(data, tmp_path)
    assert f"{data / 'followup.csv'}: followup.csv is a pipe, not a data file" in err


def test_a_dangling_link_is_named(data, tmp_path):
    (data / "followup.csv").unlink()
    (data / "followup.csv").symlink_to(tmp_path / "gone.csv")
    err = refused(data, tmp_path)
    assert f"followup.csv is a link to {tmp_path / 'gone.csv'}, which does not exist" in err


# ---------------------------------------------------------------- validity


def test_data_from_another_year_than_the_policy_is_warned(data, tmp_path):
    policy = tmp_path / "p.yaml"
    text = CAPACITY.read_text(encoding="utf-8")
    old = "valid: {from: 2026-01-01, to: 2027-12-31}"
    assert old in text
    policy.write_text(text.replace(old, "valid: {from: 2027-01-01, to: 2028-12-31}"), encoding="utf-8")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds") if (ROOT / "seeds").exists() else None
    proc, out = run(data, tmp_path, policy)
    assert proc.returncode == 0, proc.stderr
    warning = (f"{data / 'requisitions.csv'}: the data's dates run from 2026-02-10 to 2026-03-17, outside "
               "the policy's validity 2027-01-01 to 2028-12-31")
    assert f"warning: {warning}" in proc.stderr
    assert any(w.startswith(warning) for w in json.loads(out.read_text())["warnings"])
    proc, out = run(data, tmp_path)
    assert "outside the policy's validity" not in proc.stderr


# ---------------------------------------------------------------- Parquet and XLSX


def followup_rows() -> list[list]:
    import csv

    with open(ROOT / "examples" / "2026" / "followup.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [rows[0]] + [[int(x) if x.isdigit() else x for x in r] for r in rows[1:]]


def as_parquet(data: Path, column: str, array) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = followup_rows()
    table = pa.table({name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])})
    table = table.set_column(rows[0].index(column), column, array(len(table)))
    (data / "followup.csv").unlink()
    path = data / "followup.parquet"
    pq.write_table(table, path)
    return path


def as_xlsx(data: Path, change) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in followup_rows():
        ws.append(row)
    change(wb, ws)
    (data / "followup.csv").unlink()
    path = data / "followup.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("array, expected", [
    (lambda n: __import__("pyarrow").array([[1]] * n), "used: the Parquet column holds lists"),
    (lambda n: __import__("pyarrow").array([{"a": 1}] * n), "used: the Parquet column holds structs"),
    (lambda n: __import__("pyarrow").array([None] * n), "used: the Parquet column has type null"),
    (lambda n: __import__("pyarrow").array([float("nan")] * n), "row 2: column 'used': NaN is not a value"),
    (lambda n: __import__("pyarrow").array([2 ** 63 + 5] * n, __import__("pyarrow").uint64()),
     "row 2: column 'used': 9223372036854775813: out of range"),
    (lambda n: __import__("pyarrow").array([-3] * n), "row 2: column 'used': negative amount -3"),
])
def test_parquet_columns_that_cannot_be_amounts(data, tmp_path, array, expected):
    path = as_parquet(data, "used", array)
    assert f"{path}: {expected}" in refused(data, tmp_path)


def test_parquet_duplicate_column_names(data, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (data / "followup.csv").unlink()
    pq.write_table(pa.table([pa.array(["Uppsala"]), pa.array([1]), pa.array([2])], names=["region", "used", "used"]),
                   data / "followup.parquet")
    assert f"{data / 'followup.parquet'}: the header repeats column 'used'" in refused(data, tmp_path)


def test_xlsx_with_the_same_data_runs(data, tmp_path):
    as_xlsx(data, lambda wb, ws: None)
    proc, out = run(data, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert outputs(out, "used")["Uppsala"] == 20000000


def test_xlsx_formula_without_a_saved_value(data, tmp_path):
    path = as_xlsx(data, lambda wb, ws: ws.__setitem__("B3", "=C3"))
    assert f"{path}: row 3: sheet 'Data', cell B3: the formula =C3 has no saved value" in refused(data, tmp_path)


def test_xlsx_merged_cells(data, tmp_path):
    path = as_xlsx(data, lambda wb, ws: ws.merge_cells("D3:D4"))
    assert f"{path}: row 3: sheet 'Data', cells D3:D4 are merged" in refused(data, tmp_path)


def test_xlsx_title_row_above_the_header(data, tmp_path):
    def title(wb, ws):
        ws.insert_rows(1)
        ws["A1"] = "Återrapportering 2027"
    path = as_xlsx(data, title)
    err = refused(data, tmp_path)
    assert f"{path}: row 1: sheet 'Data': the header is on row 2, below other text on row 1" in err
    assert "delete the rows above row 2" in err


def test_xlsx_data_on_another_sheet(data, tmp_path):
    path = as_xlsx(data, lambda wb, ws: wb.create_sheet("Info", 0).__setitem__("A1", "Läs mig"))
    err = refused(data, tmp_path)
    assert f"{path}: row 1: sheet 'Info' has no columns of input 'followup'; they are on sheet 'Data' (row 1)" in err
    assert "declare format: {sheet: Data}" in err


def test_xlsx_amount_in_scientific_notation(data, tmp_path):
    path = as_xlsx(data, lambda wb, ws: ws.__setitem__("B3", 1e16))
    err = refused(data, tmp_path)
    assert f"{path}: row 3: column 'used': '1e+16': a number too large or small to be a plain amount" in err
