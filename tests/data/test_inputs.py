"""Reading input tables: CSV (UTF-8, BOM, Swedish `;` with decimal comma, declared encodings),
Parquet and XLSX, typed columns, defaults, and errors that name the file, the row as a
spreadsheet shows it (the header is row 1), the column and the fix.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from evaluator.data import load_tables, tables_from_rows
from evaluator.errors import DataError, render
from evaluator.policy.build import load_policy

from support import write

POLICY = """\
policy: inputs
title: Indata
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt}
dimensions:
  region:
    members: [Stockholm, Uppsala, Gotland]
inputs:
  grants:
    by: {region: region}
    unique: true
    columns:
      region: {type: region}
      amount: {type: money}
      count: {type: int, min: 0}
      active: {type: bool}
      received_on: {type: date, nullable: true}
      note: {type: string, default: "-", optional: true}
      share: {type: decimal, default: 1, optional: true}
  visits:
    optional: true
    columns:
      region: {type: region}
      provider: {type: string, enum: [public, private]}
rules:
  counted:
    per: [region]
    expr: sum(grants.count)
    unit: count
    source: {ref: doc}
"""

HEADER = "region,amount,count,active,received_on,note,share\n"


@pytest.fixture
def policy(tmp_path):
    return load_policy(str(write(tmp_path / "inputs.yaml", POLICY)))


def files(tmp_path, contents: dict[str, str | bytes]):
    """A data folder holding the given files (text is written as UTF-8, exactly as given)."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, content in contents.items():
        if isinstance(content, str):
            content = content.encode("utf-8")
        (folder / name).write_bytes(content)
    return folder


def load(policy, folder):
    return load_tables(policy.inputs, policy.dimensions, str(folder))


def records(tables, table="grants"):
    frame = tables.tables[table].frame
    out = []
    for row in frame.to_dict("records"):
        fixed = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.date()
            elif v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                v = None
            fixed[k] = v
        out.append(fixed)
    return out


def data_error(policy, folder) -> DataError:
    with pytest.raises(DataError) as info:
        load(policy, folder)
    return info.value


# ---------------------------------------------------------------- formats


def test_csv_utf8_typed_columns(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": HEADER + "Stockholm,1234.50,3,ja,2026-03-16,Södra,0.25\n"
                                                      "Uppsala,10,0,nej,,,\n"})
    tables = load(policy, folder)
    assert records(tables) == [
        {"region": "Stockholm", "amount": Decimal("1234.50"), "count": 3, "active": True,
         "received_on": dt.date(2026, 3, 16), "note": "Södra", "share": Decimal("0.25")},
        {"region": "Uppsala", "amount": Decimal("10"), "count": 0, "active": False,
         "received_on": None, "note": "-", "share": Decimal("1")},
    ]
    frame = tables.tables["grants"].frame
    assert list(frame["region"].cat.categories) == ["Stockholm", "Uppsala", "Gotland"]
    assert frame["count"].dtype == np.int64
    assert frame["active"].dtype == bool
    assert frame["amount"].dtype == object
    assert tables.tables["grants"].rows == 2
    assert tables.missing_optional == ["visits"]
    assert tables.warnings == [f"{folder}: optional input 'visits' has no file "
                               "(visits.csv, visits.parquet, visits.xlsx); rules see it as absent"]


def test_csv_utf8_with_bom(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": b"\xef\xbb\xbf" + (HEADER + "Gotland,7,1,1,2026-01-02,x,2\n").encode()})
    assert records(load(policy, folder)) == [
        {"region": "Gotland", "amount": Decimal("7"), "count": 1, "active": True,
         "received_on": dt.date(2026, 1, 2), "note": "x", "share": Decimal("2")}]


def test_swedish_csv_semicolons_and_decimal_comma(policy, tmp_path):
    text = ("region;amount;count;active;received_on;share\n"
            "Stockholm;1 234,50;3;JA;2026-03-16;0,25\n"
            'Gotland;"2 000 000,00";1;Nej;;12,5\n'
            "Uppsala;1.234,5;2;0;;1\n")
    tables = load(policy, files(tmp_path, {"grants.csv": text}))
    rows = records(tables)
    assert [r["amount"] for r in rows] == [Decimal("1234.50"), Decimal("2000000.00"), Decimal("1234.5")]
    assert [r["share"] for r in rows] == [Decimal("0.25"), Decimal("12.5"), Decimal("1")]
    assert [r["active"] for r in rows] == [True, False, False]
    assert [r["note"] for r in rows] == ["-", "-", "-"]  # the column is absent: its default


def test_money_with_more_than_two_decimals_is_refused(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region;amount;count;active;received_on\nStockholm;12,345;1;ja;\n"})
    assert render(data_error(policy, folder)) == (
        f"{folder / 'grants.csv'}: row 2: column 'amount': '12,345' is not an amount\n"
        "  hint: write an amount like 1234,50 or 1 234,50 kr (at most two decimals)")


def test_parquet(policy, tmp_path):
    folder = files(tmp_path, {})
    frame = pd.DataFrame({
        "region": ["Uppsala", "Gotland"],
        "amount": [Decimal("1234.50"), Decimal("7.00")],  # pyarrow stores decimal128
        "count": [3, 0],
        "active": [True, False],
        "received_on": [dt.date(2026, 3, 16), None],
        "note": ["x", None],
    })
    frame.to_parquet(folder / "grants.parquet", index=False)
    tables = load(policy, folder)
    assert records(tables) == [
        {"region": "Uppsala", "amount": Decimal("1234.50"), "count": 3, "active": True,
         "received_on": dt.date(2026, 3, 16), "note": "x", "share": Decimal("1")},
        {"region": "Gotland", "amount": Decimal("7.00"), "count": 0, "active": False,
         "received_on": None, "note": "-", "share": Decimal("1")},
    ]
    assert tables.tables["grants"].path == str(folder / "grants.parquet")
    assert len(tables.tables["grants"].sha256) == 64


def test_xlsx(policy, tmp_path):
    from openpyxl import Workbook

    folder = files(tmp_path, {})
    wb = Workbook()
    ws = wb.active
    ws.append(["region", "amount", "count", "active", "received_on", "note", "share"])
    ws.append(["Stockholm", 1234.5, 3, True, dt.date(2026, 3, 16), "x", 0.1])
    ws.append(["Uppsala", "1 234,50", 0, "nej", None, None, None])
    ws.append(["Gotland", 7, 1.0, 1, dt.datetime(2026, 1, 2), "y", 2])
    wb.save(folder / "grants.xlsx")
    assert records(load(policy, folder)) == [
        {"region": "Stockholm", "amount": Decimal("1234.5"), "count": 3, "active": True,
         "received_on": dt.date(2026, 3, 16), "note": "x", "share": Decimal("0.1")},  # 0.1, not 0.1000000000000000055…
        {"region": "Uppsala", "amount": Decimal("1234.50"), "count": 0, "active": False,
         "received_on": None, "note": "-", "share": Decimal("1")},
        {"region": "Gotland", "amount": Decimal("7"), "count": 1, "active": True,
         "received_on": dt.date(2026, 1, 2), "note": "y", "share": Decimal("2")},
    ]


def test_xlsx_error_row_is_the_spreadsheet_row(policy, tmp_path):
    from openpyxl import Workbook

    folder = files(tmp_path, {})
    wb = Workbook()
    ws = wb.active
    ws.append(["region", "amount", "count", "active", "received_on"])
    ws.append(["Stockholm", 1, 1, "ja", None])
    ws.append(["Uppsala", 1, -4, "ja", None])
    wb.save(folder / "grants.xlsx")
    err = data_error(policy, folder)
    assert (err.location.row, err.location.field, err.message) == (3, "count", "negative count -4")


@pytest.mark.parametrize("word, value", [("ja", True), ("nej", False), ("true", True), ("false", False),
                                         ("1", True), ("0", False), ("JA", True), ("False", False),
                                         ("yes", True), ("no", False)])
def test_bool_spellings(policy, tmp_path, word, value):
    folder = files(tmp_path, {"grants.csv": f"region,amount,count,active,received_on\nGotland,1,1,{word},\n"})
    assert records(load(policy, folder))[0]["active"] is value


def test_bad_bool(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active,received_on\nGotland,1,1,kanske,\n"})
    assert render(data_error(policy, folder)) == (
        f"{folder / 'grants.csv'}: row 2: column 'active': 'kanske' is not true or false\n"
        "  hint: write ja/nej, true/false or 1/0")


def test_defaults_for_empty_cells_and_missing_columns(policy, tmp_path):
    # note: empty cell -> "-"; share: column absent -> 1; received_on: nullable, empty -> none
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active,received_on,note\n"
                                            "Gotland,1,1,ja,,\nUppsala,2,2,nej,,n\n"})
    rows = records(load(policy, folder))
    assert [(r["note"], r["share"], r["received_on"]) for r in rows] == [
        ("-", Decimal("1"), None), ("n", Decimal("1"), None)]


def test_nullable_column_keeps_empty_cells(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active,received_on\n"
                                            "Gotland,1,1,ja,\nUppsala,1,1,ja,2026-12-31\n"})
    frame = load(policy, folder).tables["grants"].frame
    assert frame["received_on"].dtype == "datetime64[s]"
    assert frame["received_on"].isna().tolist() == [True, False]


def test_enum_column(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active,received_on\nGotland,1,1,ja,\n",
                              "visits.csv": "region,provider\nGotland,public\nUppsala,private\n"})
    tables = load(policy, folder)
    assert tables.missing_optional == []
    assert records(tables, "visits") == [{"region": "Gotland", "provider": "public"},
                                         {"region": "Uppsala", "provider": "private"}]


# ---------------------------------------------------------------- errors


GOOD_VISITS = "region,amount,count,active,received_on\nGotland,1,1,ja,\n"

# Each case: the files of the data folder, then the whole message the user reads ({folder} is the
# data folder). One table, so a new refusal is one line and the messages can be read side by side.
REFUSED = {
    "unknown member with did-you-mean": (
        {"grants.csv": HEADER + "Gotland,1,1,ja,,,\nStokholm,1,1,ja,,,\n"},
        "{folder}/grants.csv: row 3: column 'region': unknown region 'Stokholm'\n"
        "  hint: did you mean 'Stockholm'?"),
    "value outside an enum": (
        {"grants.csv": GOOD_VISITS, "visits.csv": "region,provider\nGotland,publik\n"},
        "{folder}/visits.csv: row 2: column 'provider': 'publik' is not one of public, private\n"
        "  hint: did you mean 'public'?"),
    "negative count": (
        {"grants.csv": HEADER + "Gotland,1,1,ja,,,\nUppsala,1,-2,ja,,,\n"},
        "{folder}/grants.csv: row 3: column 'count': negative count -2\n"
        "  hint: values of 'count' must be 0 or more"),
    "bad int": (
        {"grants.csv": HEADER + "Gotland,1,12.5,ja,,,\n"},
        "{folder}/grants.csv: row 2: column 'count': '12.5' is not a whole number\n"
        "  hint: write digits only, e.g. 12"),
    "bad date": (
        {"grants.csv": HEADER + "Gotland,1,1,ja,2026-03-16,,\nUppsala,1,1,ja,16/03/2026,,\n"},
        "{folder}/grants.csv: row 3: column 'received_on': '16/03/2026' is not a date\n"
        "  hint: write dates as YYYY-MM-DD, e.g. 2026-03-16"),
    "empty required cell": (
        {"grants.csv": HEADER + "Gotland,1,1,ja,,,\nUppsala,,1,ja,,,\n"},
        "{folder}/grants.csv: row 3: column 'amount': empty cell\n"
        "  hint: fill it in, or declare a default or nullable: true for the column"),
    "missing columns list the found ones": (
        {"grants.csv": "region,amount,cnt\nGotland,1,1\n"},
        "{folder}/grants.csv: row 1: missing columns count, active, received_on\n"
        "  hint: the file has: region, amount, cnt; "
        "input 'grants' needs: region, amount, count, active, received_on, note, share; "
        "unknown column 'cnt' (did you mean 'count'?); "
        "write the header line as: region,amount,count,active,received_on,note,share"),
    "duplicate header": (
        {"grants.csv": "region,amount,count,count,active\nGotland,1,1,1,ja\n"},
        "{folder}/grants.csv: row 1: the header repeats column 'count'\n"
        "  hint: every column name must appear once"),
    "duplicate keys in a unique table name both rows": (
        {"grants.csv": HEADER + "Stockholm,1,1,ja,,,\nUppsala,1,1,ja,,,\nStockholm,2,2,nej,,,\n"},
        "{folder}/grants.csv: row 4: rows 2 and 4 both hold region=Stockholm\n"
        "  hint: input 'grants' allows one row per region; merge or remove one"),
    "two files for one input": (
        {"grants.csv": HEADER, "grants.xlsx": b"not read"},
        "{folder}: input 'grants' has more than one file: {folder}/grants.csv, {folder}/grants.xlsx\n"
        "  hint: keep exactly one of them"),
}


@pytest.mark.parametrize("contents, message", REFUSED.values(), ids=REFUSED.keys())
def test_refused_data_names_file_row_column_and_the_fix(policy, tmp_path, contents, message):
    folder = files(tmp_path, contents)
    assert render(data_error(policy, folder)) == message.format(folder=folder)


def test_impossible_date(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": HEADER + "Uppsala,1,1,ja,2026-02-30,,\n"})
    err = data_error(policy, folder)
    assert (err.location.row, err.message) == (2, "'2026-02-30' is not a date")


def test_missing_file_for_a_required_input(policy, tmp_path):
    folder = files(tmp_path, {"visits.csv": "region,provider\n"})
    assert render(data_error(policy, folder)) == (
        f"{folder}: input 'grants' has no file in {folder}\n"
        "  hint: add one of: grants.csv, grants.parquet, grants.xlsx")


def test_missing_data_folder(policy, tmp_path):
    err = data_error(policy, tmp_path / "nowhere")
    assert err.message == f"no data folder {tmp_path / 'nowhere'}"


def test_optional_input_absent(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": HEADER})
    tables = load(policy, folder)
    assert tables.missing_optional == ["visits"]
    assert tables.warnings == [f"{folder}: optional input 'visits' has no file "
                               "(visits.csv, visits.parquet, visits.xlsx); rules see it as absent"]
    assert list(tables.tables) == ["grants"]
    assert tables.tables["grants"].rows == 0


def test_extra_column_is_a_warning(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active,received_on,note,share,comment\nGotland,1,1,ja,,,,hej\n"})
    tables = load(policy, folder)
    assert tables.warnings == [f"{folder / 'grants.csv'}: column comment not declared for input 'grants', ignored",
                               f"{folder}: optional input 'visits' has no file "
                               "(visits.csv, visits.parquet, visits.xlsx); rules see it as absent"]
    assert "comment" not in tables.tables["grants"].frame.columns


def test_non_utf8_csv(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": (HEADER + "Gotland,1,1,ja,,Bjärred,\n").encode("cp1252")})
    assert render(data_error(policy, folder)) == (
        f"{folder / 'grants.csv'}: row 2: the file is not UTF-8 text\n"
        "  hint: save it as UTF-8 (CSV UTF-8 in Excel), or declare format: {encoding: cp1252} for the input")


def test_declared_cp1252_encoding(tmp_path):
    text = POLICY.replace("    unique: true\n", "    unique: true\n    format: {encoding: cp1252, separator: ';'}\n")
    policy = load_policy(str(write(tmp_path / "cp.yaml", text)))
    folder = files(tmp_path, {"grants.csv": ("region;amount;count;active;received_on;note\n"
                                             "Gotland;1 234,50;1;ja;;Bjärred – hamnen\n").encode("cp1252")})
    rows = records(load(policy, folder))
    assert [(r["note"], r["amount"]) for r in rows] == [("Bjärred – hamnen", Decimal("1234.50"))]


def test_malformed_csv(policy, tmp_path):
    folder = files(tmp_path, {"grants.csv": "region,amount,count,active\nGotland,1,1,ja,extra,fields\n"})
    err = data_error(policy, folder)
    assert err.message.startswith("malformed CSV: ")
    assert err.hint == "check quoting and that every row has as many fields as the header"


# ---------------------------------------------------------------- inline rows (fixtures)


def test_inline_rows(policy):
    tables = tables_from_rows(policy.inputs, policy.dimensions,
                              {"grants": [{"region": "Gotland", "amount": Decimal("1.5"), "count": 2,
                                           "active": True, "received_on": dt.date(2026, 3, 1)}]},
                              "case.yaml")
    assert records(tables) == [{"region": "Gotland", "amount": Decimal("1.5"), "count": 2, "active": True,
                                "received_on": dt.date(2026, 3, 1), "note": "-", "share": Decimal("1")}]
    assert tables.missing_optional == ["visits"]


def test_inline_rows_errors_name_the_fixture(policy):
    with pytest.raises(DataError) as info:
        tables_from_rows(policy.inputs, policy.dimensions,
                         {"grants": [{"region": "Gotland", "amount": 1, "count": 1, "active": True, "received_on": None},
                                     {"region": "Gotlnd", "amount": 1, "count": 1, "active": True,
                                      "received_on": None}]},
                         "case.yaml")
    assert render(info.value) == ("case.yaml (data.grants): row 2: column 'region': unknown region 'Gotlnd'\n"
                                  "  hint: did you mean 'Gotland'?")


def test_inline_rows_for_an_unknown_input(policy):
    with pytest.raises(DataError) as info:
        tables_from_rows(policy.inputs, policy.dimensions, {"grant": []}, "case.yaml")
    assert info.value.message == "data for unknown input 'grant'"
    assert info.value.hint == "did you mean 'grants'?"
