"""evaluator.data: input files (CSV in its dialects, Parquet, XLSX) -> typed frames, and every
data error with its exact message and the row a spreadsheet shows (the header is row 1).

The model is built directly (no policy file), so these tests pin the reader alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from evaluator.data import Table, Tables, load_tables, tables_from_rows
from evaluator.errors import DataError, render
from evaluator.policy.model import Column, Dimension, Input

REGIONS = ("Stockholm", "Uppsala", "Gotland")
DIMS = {"region": Dimension("region", REGIONS),
        "measure": Dimension("measure", ("cataract", "hip")),
        "month": Dimension("month", tuple(range(1, 13)))}


def table(id, *columns, **kw) -> Input:
    return Input(id=id, columns={c.id: c for c in columns}, **kw)


PROCEDURES = table(
    "procedures",
    Column("home_region", "region"), Column("performing_region", "region"),
    Column("provider", "string", enum=("public", "private")), Column("measure", "measure"),
    Column("year", "int"), Column("month", "int", min=1, max=12), Column("count", "int", min=0, default=1, optional=True),
    by={"region": "home_region", "measure": "measure"})
GRANTS = table(
    "grants",
    Column("region", "region"), Column("amount", "money"), Column("share", "decimal", default=Decimal("1"), optional=True),
    Column("active", "bool"), Column("received_on", "date", nullable=True),
    Column("note", "string", default="-", optional=True),
    by={"region": "region"}, unique=True)
VISITS = table("visits", Column("region", "region"), Column("n", "int"), optional=True)
INPUTS = {"procedures": PROCEDURES, "grants": GRANTS, "visits": VISITS}

PROC_HEADER = "home_region,performing_region,provider,measure,year,month,count\n"
PROC_ROW = "Uppsala,Uppsala,public,cataract,2026,3,2\n"
GRANT_HEADER = "region,amount,active,received_on\n"


def folder_with(tmp_path, files: dict[str, str | bytes]):
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def load(tmp_path, files, inputs=None):
    folder = folder_with(tmp_path, files)
    return load_tables(inputs or {"procedures": PROCEDURES}, DIMS, str(folder))


def error(tmp_path, files, inputs=None) -> DataError:
    with pytest.raises(DataError) as info:
        load(tmp_path, files, inputs)
    return info.value


def proc_error(tmp_path, body: str) -> str:
    return render(error(tmp_path, {"procedures.csv": PROC_HEADER + body}))


def grants(tmp_path, files) -> pd.DataFrame:
    return load(tmp_path, files, {"grants": GRANTS}).tables["grants"].frame


def path(tmp_path, name):
    return tmp_path / "data" / name


# ---------------------------------------------------------------- formats and dtypes


def test_utf8_csv_typed_frame(tmp_path):
    tables = load(tmp_path, {"procedures.csv": PROC_HEADER + PROC_ROW +
                             "Stockholm,Gotland,private,hip,2025,12,0\n"})
    assert isinstance(tables, Tables)
    t = tables.tables["procedures"]
    assert isinstance(t, Table) and t.id == "procedures" and t.rows == 2
    assert t.path == str(path(tmp_path, "procedures.csv"))
    import hashlib
    assert t.sha256 == hashlib.sha256(path(tmp_path, "procedures.csv").read_bytes()).hexdigest()
    f = t.frame
    assert list(f.columns) == list(PROCEDURES.columns)
    assert isinstance(f["home_region"].dtype, pd.CategoricalDtype)
    assert list(f["home_region"].cat.categories) == list(REGIONS)
    assert f["home_region"].tolist() == ["Uppsala", "Stockholm"]
    assert f["home_region"].cat.codes.tolist() == [1, 0]
    assert list(f["measure"].cat.categories) == ["cataract", "hip"]
    assert list(f["provider"].cat.categories) == ["public", "private"]
    for c in ("year", "month", "count"):
        assert f[c].dtype == np.int64
    assert f["count"].tolist() == [2, 0]
    assert tables.warnings == [] and tables.missing_optional == []


def test_utf8_bom(tmp_path):
    t = load(tmp_path, {"procedures.csv": b"\xef\xbb\xbf" + (PROC_HEADER + PROC_ROW).encode()})
    assert t.tables["procedures"].frame["home_region"].tolist() == ["Uppsala"]


def test_swedish_excel_export_semicolons_decimal_comma(tmp_path):
    f = grants(tmp_path, {"grants.csv": "region;amount;share;active;received_on\n"
                                        "Stockholm;1 234,50;0,25;JA;2026-03-16\n"
                                        "Uppsala;1\u00a0000\u00a0000,5 kr;12,5;nej;\n"
                                        "Gotland;\"7\u202f000\";1;Yes;\n"})
    assert f["amount"].tolist() == [Decimal("1234.50"), Decimal("1000000.5"), Decimal("7000")]
    assert f["share"].tolist() == [Decimal("0.25"), Decimal("12.5"), Decimal("1")]
    assert f["active"].tolist() == [True, False, True]


def test_tab_separated(tmp_path):
    t = load(tmp_path, {"procedures.csv": (PROC_HEADER + PROC_ROW).replace(",", "\t")})
    assert t.tables["procedures"].frame["count"].tolist() == [2]


def test_declared_format_wins_over_detection(tmp_path):
    inp = Input("grants", GRANTS.columns, GRANTS.by, unique=True, format={"separator": "|", "decimal": ","})
    f = load(tmp_path, {"grants.csv": "region|amount|active|received_on\nGotland|12,5|ja|\n"},
             {"grants": inp}).tables["grants"].frame
    assert f["amount"].tolist() == [Decimal("12.5")]


def test_declared_cp1252(tmp_path):
    inp = Input("grants", GRANTS.columns, GRANTS.by, unique=True, format={"encoding": "cp1252"})
    content = "region;amount;active;received_on;note\nGotland;1 234,50;ja;;Bjärred – hamnen\n".encode("cp1252")
    f = load(tmp_path, {"grants.csv": content}, {"grants": inp}).tables["grants"].frame
    assert f["note"].tolist() == ["Bjärred – hamnen"]
    assert f["amount"].tolist() == [Decimal("1234.50")]


def test_parquet(tmp_path):
    folder = folder_with(tmp_path, {})
    pd.DataFrame({"home_region": ["Gotland", "Uppsala"], "performing_region": ["Gotland", "Stockholm"],
                  "provider": ["public", "private"], "measure": ["hip", "cataract"],
                  "year": np.array([2026, 2025], dtype=np.int32), "month": [1, 12]}
                 ).to_parquet(folder / "procedures.parquet", index=False)
    t = load_tables({"procedures": PROCEDURES}, DIMS, str(folder)).tables["procedures"]
    f = t.frame
    assert t.path.endswith("procedures.parquet") and len(t.sha256) == 64
    assert f["home_region"].tolist() == ["Gotland", "Uppsala"]
    assert list(f["performing_region"].cat.categories) == list(REGIONS)
    assert f["year"].dtype == np.int64 and f["year"].tolist() == [2026, 2025]
    assert f["count"].dtype == np.int64 and f["count"].tolist() == [1, 1]  # absent column: its default


def test_parquet_decimal_and_dates(tmp_path):
    folder = folder_with(tmp_path, {})
    pd.DataFrame({"region": ["Gotland"], "amount": [Decimal("1234.50")], "active": [True],
                  "received_on": [dt.date(2026, 3, 16)]}).to_parquet(folder / "grants.parquet", index=False)
    f = load_tables({"grants": GRANTS}, DIMS, str(folder)).tables["grants"].frame
    assert f["amount"].tolist() == [Decimal("1234.50")]
    assert f["received_on"].dtype == "datetime64[s]"
    assert f["received_on"].tolist() == [pd.Timestamp("2026-03-16")]


def xlsx(folder, name, rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(folder / name)


def test_xlsx_cells_and_dates(tmp_path):
    folder = folder_with(tmp_path, {})
    xlsx(folder, "grants.xlsx", [
        ["region", "amount", "share", "active", "received_on", "note"],
        ["Stockholm", 1234.5, 0.1, True, dt.date(2026, 3, 16), "x"],
        ["Uppsala", "1 234,50 kr", None, "nej", None, None],
        ["Gotland", 7, 2, 1, dt.datetime(2026, 1, 2), 12],
    ])
    f = load_tables({"grants": GRANTS}, DIMS, str(folder)).tables["grants"].frame
    assert f["amount"].tolist() == [Decimal("1234.5"), Decimal("1234.50"), Decimal("7")]
    assert f["share"].tolist() == [Decimal("0.1"), Decimal("1"), Decimal("2")]  # 0.1, not a float's tail
    assert f["active"].tolist() == [True, False, True]
    assert f["received_on"].tolist() == [pd.Timestamp("2026-03-16"), pd.NaT, pd.Timestamp("2026-01-02")]
    assert f["note"].tolist() == ["x", "-", "12"]


def test_xlsx_error_names_the_sheet_row_past_blank_rows(tmp_path):
    folder = folder_with(tmp_path, {})
    xlsx(folder, "procedures.xlsx", [
        ["home_region", "performing_region", "provider", "measure", "year", "month"],
        ["Gotland", "Gotland", "public", "hip", 2026, 1],
        [None], [None],
        ["Gotland", "Gotland", "public", "hip", 2026, 13],
    ])
    err = error(tmp_path, {}, {"procedures": PROCEDURES})
    assert render(err) == (f"{folder / 'procedures.xlsx'}: row 5: column 'month': 13 is above the maximum 12\n"
                           "  hint: values of 'month' must be between 1 and 12")


def test_xlsx_duplicate_header(tmp_path):
    folder = folder_with(tmp_path, {})
    xlsx(folder, "grants.xlsx", [["region", "amount", "amount"], ["Gotland", 1, 2]])
    assert render(error(tmp_path, {}, {"grants": GRANTS})) == (
        f"{folder / 'grants.xlsx'}: row 1: the header repeats column 'amount'\n"
        "  hint: every column name must appear once")


def test_xlsx_non_integer_in_int_column(tmp_path):
    folder = folder_with(tmp_path, {})
    xlsx(folder, "procedures.xlsx", [PROC_HEADER.strip().split(","),
                                     ["Gotland", "Gotland", "public", "hip", 2026, 1, 2.5]])
    err = error(tmp_path, {}, {"procedures": PROCEDURES})
    assert (err.location.row, err.location.field, err.message) == (2, "count", "'2.5' is not a whole number")


def test_nullable_dtypes(tmp_path):
    inp = table("t", Column("region", "region", nullable=True), Column("n", "int", nullable=True),
                Column("ok", "bool", nullable=True), Column("on", "date", nullable=True),
                Column("kr", "money", nullable=True), Column("s", "string", nullable=True))
    f = load(tmp_path, {"t.csv": "region,n,ok,on,kr,s\n,,,,,\nGotland,3,ja,2026-01-31,5,x\n"},
             {"t": inp}).tables["t"].frame
    assert f["region"].isna().tolist() == [True, False] and list(f["region"].cat.categories) == list(REGIONS)
    assert f["n"].dtype == "Int64" and f["n"].tolist() == [pd.NA, 3]
    assert f["ok"].dtype == object and f["ok"].tolist() == [None, True]
    assert f["on"].dtype == "datetime64[s]" and f["on"].isna().tolist() == [True, False]
    assert f["kr"].dtype == object and f["kr"].tolist() == [None, Decimal("5")]
    assert f["s"].dtype == object and f["s"].tolist() == [None, "x"]


def test_non_nullable_dtypes(tmp_path):
    f = grants(tmp_path, {"grants.csv": GRANT_HEADER + "Gotland,1,ja,2026-03-16\n"})
    assert f["active"].dtype == bool
    assert f["amount"].dtype == object and type(f["amount"][0]) is Decimal
    assert f["note"].dtype == object and f["note"].tolist() == ["-"]


def test_int_members_dimension(tmp_path):
    inp = table("m", Column("month", "month"))
    f = load(tmp_path, {"m.csv": "month\n3\n12\n"}, {"m": inp}).tables["m"].frame
    assert list(f["month"].cat.categories) == list(range(1, 13))
    assert f["month"].cat.codes.tolist() == [2, 11]
    assert render(error(tmp_path, {"m.csv": "month\n3\n13\n"}, {"m": inp})) == (
        f"{path(tmp_path, 'm.csv')}: row 3: column 'month': unknown month '13'\n"
        "  hint: month members: 1..12")


# ---------------------------------------------------------------- values


def test_money_parsing_is_exact(tmp_path):
    f = grants(tmp_path, {"grants.csv": GRANT_HEADER + "Stockholm,1234.50,ja,\n"
                                        'Uppsala,"1234,5",ja,\n'
                                        'Gotland,"1 234,50 kr",ja,\n'})
    assert f["amount"].tolist() == [Decimal("1234.50"), Decimal("1234.5"), Decimal("1234.50")]
    assert [str(v) for v in f["amount"]] == ["1234.50", "1234.5", "1234.50"]
    assert sum(f["amount"]) == Decimal("3703.50")


def test_money_with_more_than_two_decimals(tmp_path):
    assert render(error(tmp_path, {"grants.csv": GRANT_HEADER + "Gotland,12.345,ja,\n"}, {"grants": GRANTS})) == (
        f"{path(tmp_path, 'grants.csv')}: row 2: column 'amount': '12.345' is not an amount\n"
        "  hint: write an amount like 1234,50 or 1 234,50 kr (at most two decimals)")


def test_decimal_keeps_more_decimals(tmp_path):
    inp = table("d", Column("x", "decimal"))
    f = load(tmp_path, {"d.csv": "x\n0.125\n-3\n"}, {"d": inp}).tables["d"].frame
    assert f["x"].tolist() == [Decimal("0.125"), Decimal("-3")]


@pytest.mark.parametrize("word, value", [("true", True), ("FALSE", False), ("ja", True), ("Nej", False),
                                         ("1", True), ("0", False), ("yes", True), ("NO", False)])
def test_bool_spellings(tmp_path, word, value):
    f = grants(tmp_path, {"grants.csv": GRANT_HEADER + f"Gotland,1,{word},\n"})
    assert f["active"].tolist() == [value]


@pytest.mark.parametrize("word", ["sant", "falskt", "x", "2"])
def test_other_bool_words_are_refused(tmp_path, word):
    assert render(error(tmp_path, {"grants.csv": GRANT_HEADER + f"Gotland,1,{word},\n"}, {"grants": GRANTS})) == (
        f"{path(tmp_path, 'grants.csv')}: row 2: column 'active': '{word}' is not true or false\n"
        "  hint: write ja/nej, true/false or 1/0")


@pytest.mark.parametrize("text", ["16/03/2026", "2026-02-30", "2026-3-16", "20260316"])
def test_bad_date(tmp_path, text):
    body = GRANT_HEADER + "Stockholm,1,ja,2026-03-16\nGotland,1,ja,2026-01-01\nUppsala,1,ja," + text + "\n"
    assert render(error(tmp_path, {"grants.csv": body}, {"grants": GRANTS})) == (
        f"{path(tmp_path, 'grants.csv')}: row 4: column 'received_on': '{text}' is not a date\n"
        "  hint: write dates as YYYY-MM-DD, e.g. 2026-03-16")


def test_defaults_fill_empty_cells_and_absent_columns(tmp_path):
    f = load(tmp_path, {"procedures.csv": "home_region,performing_region,provider,measure,year,month\n"
                                          "Gotland,Gotland,public,hip,2026,1\n"}).tables["procedures"].frame
    assert f["count"].dtype == np.int64 and f["count"].tolist() == [1]
    f = load(tmp_path, {"procedures.csv": PROC_HEADER + PROC_ROW + "Gotland,Gotland,public,hip,2026,1,\n"}
             ).tables["procedures"].frame
    assert f["count"].dtype == np.int64 and f["count"].tolist() == [2, 1]
    g = grants(tmp_path, {"grants.csv": GRANT_HEADER + "Gotland,1,ja,\n"})
    assert g["share"].tolist() == [Decimal("1")] and g["note"].tolist() == ["-"]


def test_enum_and_dimension_defaults(tmp_path):
    inp = table("e", Column("region", "region", default="Gotland"),
                Column("kind", "string", enum=("a", "b"), default="b"))
    f = load(tmp_path, {"e.csv": "region,kind\n,\nUppsala,a\n"}, {"e": inp}).tables["e"].frame
    assert f["region"].tolist() == ["Gotland", "Uppsala"] and f["kind"].tolist() == ["b", "a"]


# ---------------------------------------------------------------- errors with their rows


def test_unknown_member_with_did_you_mean(tmp_path):
    body = PROC_ROW * 12 + "Stokholm,Uppsala,public,cataract,2026,3,1\n"
    assert proc_error(tmp_path, body) == (
        f"{path(tmp_path, 'procedures.csv')}: row 14: column 'home_region': unknown region 'Stokholm'\n"
        "  hint: did you mean 'Stockholm'?")


def test_unknown_member_without_a_close_match_lists_members(tmp_path):
    assert proc_error(tmp_path, "Uppsala,Uppsala,public,xyz,2026,3,1\n") == (
        f"{path(tmp_path, 'procedures.csv')}: row 2: column 'measure': unknown measure 'xyz'\n"
        "  hint: measure members: cataract, hip")


def test_enum_with_did_you_mean(tmp_path):
    assert proc_error(tmp_path, PROC_ROW + "Uppsala,Uppsala,privat,cataract,2026,3,1\n") == (
        f"{path(tmp_path, 'procedures.csv')}: row 3: column 'provider': 'privat' is not one of public, private\n"
        "  hint: did you mean 'private'?")


def test_negative_count(tmp_path):
    body = PROC_ROW * 10 + "Uppsala,Uppsala,public,cataract,2026,3,-3\n"
    err = error(tmp_path, {"procedures.csv": PROC_HEADER + body})
    assert (err.location.row, err.location.field, err.message) == (12, "count", "negative count -3")
    assert render(err) == (f"{path(tmp_path, 'procedures.csv')}: row 12: column 'count': negative count -3\n"
                           "  hint: values of 'count' must be 0 or more")


def test_month_out_of_range(tmp_path):
    assert proc_error(tmp_path, "Uppsala,Uppsala,public,cataract,2026,0,1\n") == (
        f"{path(tmp_path, 'procedures.csv')}: row 2: column 'month': 0 is below the minimum 1\n"
        "  hint: values of 'month' must be between 1 and 12")


def test_non_integer_in_int_column(tmp_path):
    assert proc_error(tmp_path, PROC_ROW + "Uppsala,Uppsala,public,cataract,2026,3,12.5\n") == (
        f"{path(tmp_path, 'procedures.csv')}: row 3: column 'count': '12.5' is not a whole number\n"
        "  hint: write digits only, e.g. 12")


def test_empty_required_cell(tmp_path):
    body = PROC_ROW * 5 + "Uppsala,Uppsala,public,cataract,,3,1\n"
    assert proc_error(tmp_path, body) == (
        f"{path(tmp_path, 'procedures.csv')}: row 7: column 'year': empty cell\n"
        "  hint: fill it in, or declare a default or nullable: true for the column")


def test_blank_lines_keep_spreadsheet_rows(tmp_path):
    body = PROC_ROW + "\n\n" + "Uppsala,Uppsala,public,cataract,2026,3,-1\n"
    err = error(tmp_path, {"procedures.csv": PROC_HEADER + body})
    assert (err.location.row, err.message) == (5, "negative count -1")


def test_missing_columns_listed_together(tmp_path):
    assert render(error(tmp_path, {"procedures.csv": "home_region,measure,yr\nGotland,hip,2026\n"})) == (
        f"{path(tmp_path, 'procedures.csv')}: row 1: missing columns performing_region, provider, year, month\n"
        "  hint: the file has: home_region, measure, yr; input 'procedures' needs: home_region, "
        "performing_region, provider, measure, year, month, count; unknown column 'yr' (did you mean 'year'?); "
        "write the header line as: home_region,performing_region,provider,measure,year,month,count")


def test_extra_column_is_a_warning(tmp_path):
    tables = load(tmp_path, {"procedures.csv": PROC_HEADER.strip() + ",comment\n" + PROC_ROW.strip() + ",hej\n"})
    assert tables.warnings == [f"{path(tmp_path, 'procedures.csv')}: column comment not declared "
                               "for input 'procedures', ignored"]
    assert "comment" not in tables.tables["procedures"].frame.columns


def test_duplicate_header(tmp_path):
    assert render(error(tmp_path, {"procedures.csv": "home_region,year,year\nGotland,1,2\n"})) == (
        f"{path(tmp_path, 'procedures.csv')}: row 1: the header repeats column 'year'\n"
        "  hint: every column name must appear once")


def test_duplicate_keys_in_a_unique_table(tmp_path):
    body = GRANT_HEADER + "Stockholm,1,ja,\nUppsala,1,ja,\nGotland,1,ja,\nUppsala,2,nej,\n"
    assert render(error(tmp_path, {"grants.csv": body}, {"grants": GRANTS})) == (
        f"{path(tmp_path, 'grants.csv')}: row 5: rows 3 and 5 both hold region=Uppsala\n"
        "  hint: input 'grants' allows one row per region; merge or remove one")


def test_non_utf8_file(tmp_path):
    content = (GRANT_HEADER + "Gotland,1,ja,\n").encode() + "Uppsala,1,ja,\nBjärred".encode("cp1252")
    assert render(error(tmp_path, {"grants.csv": content}, {"grants": GRANTS})) == (
        f"{path(tmp_path, 'grants.csv')}: row 4: the file is not UTF-8 text\n"
        "  hint: save it as UTF-8 (CSV UTF-8 in Excel), or declare format: {encoding: cp1252} for the input")


def test_non_utf8_byte_far_into_the_file(tmp_path):
    content = (PROC_HEADER + PROC_ROW * 5000).encode() + "Uppsala,Uppsala,public,cataract,2026,3,1 ä\n".encode("cp1252")
    err = error(tmp_path, {"procedures.csv": content})
    assert (err.location.row, err.message) == (5002, "the file is not UTF-8 text")


def test_malformed_csv_names_the_row(tmp_path):
    err = error(tmp_path, {"procedures.csv": PROC_HEADER + PROC_ROW + "Gotland,Gotland,public\n"})
    assert err.location.row == 3
    assert err.message.startswith("malformed CSV: Expected 7 columns, got 3")
    assert err.hint == "check quoting and that every row has as many fields as the header"


# ---------------------------------------------------------------- files and folders


def test_missing_required_file(tmp_path):
    folder = folder_with(tmp_path, {})
    assert render(error(tmp_path, {})) == (
        f"{folder}: input 'procedures' has no file in {folder}\n"
        "  hint: add one of: procedures.csv, procedures.parquet, procedures.xlsx")


def test_optional_input_missing(tmp_path):
    folder = folder_with(tmp_path, {})
    tables = load(tmp_path, {"procedures.csv": PROC_HEADER}, {"procedures": PROCEDURES, "visits": VISITS})
    assert tables.missing_optional == ["visits"]
    assert list(tables.tables) == ["procedures"] and tables.tables["procedures"].rows == 0
    assert tables.warnings == [f"{folder}: optional input 'visits' has no file "
                               "(visits.csv, visits.parquet, visits.xlsx); rules see it as absent"]


def test_two_candidate_files(tmp_path):
    folder = folder_with(tmp_path, {})
    assert render(error(tmp_path, {"procedures.csv": PROC_HEADER, "procedures.parquet": b"x"})) == (
        f"{folder}: input 'procedures' has more than one file: "
        f"{folder / 'procedures.csv'}, {folder / 'procedures.parquet'}\n"
        "  hint: keep exactly one of them")


def test_missing_data_folder(tmp_path):
    with pytest.raises(DataError) as info:
        load_tables(INPUTS, DIMS, str(tmp_path / "nowhere"))
    assert render(info.value) == (f"{tmp_path / 'nowhere'}: no data folder {tmp_path / 'nowhere'}\n"
                                  "  hint: give --data a folder holding one file per input table")


def test_unreadable_parquet(tmp_path):
    err = error(tmp_path, {"procedures.parquet": b"not parquet"})
    assert err.message.startswith("cannot read procedures.parquet: ")
    assert err.location.file == str(path(tmp_path, "procedures.parquet"))


# ---------------------------------------------------------------- inline rows (fixtures)


def test_inline_rows_are_typed_like_files():
    tables = tables_from_rows(INPUTS, DIMS, {
        "procedures": [{"home_region": "Gotland", "performing_region": "Gotland", "provider": "public",
                        "measure": "cataract", "year": 2026, "month": 3, "count": 900},
                       {"home_region": "Uppsala", "performing_region": "Gotland", "provider": "private",
                        "measure": "hip", "year": 2026, "month": 4}],
        "grants": [{"region": "Gotland", "amount": 1234.5, "active": True, "received_on": dt.date(2026, 3, 1)}],
    }, "fixtures/case.yaml")
    f = tables.tables["procedures"].frame
    assert f["count"].tolist() == [900, 1] and f["count"].dtype == np.int64
    assert list(f["home_region"].cat.categories) == list(REGIONS)
    g = tables.tables["grants"]
    assert (g.path, g.sha256, g.rows) == (None, None, 1)
    assert g.frame["amount"].tolist() == [Decimal("1234.5")]
    assert g.frame["received_on"].tolist() == [pd.Timestamp("2026-03-01")]
    assert tables.missing_optional == ["visits"]


def test_inline_row_numbers_count_from_one():
    rows = [{"region": "Gotland", "amount": 1, "active": True},
            {"region": "Gotlnd", "amount": 1, "active": True}]
    with pytest.raises(DataError) as info:
        tables_from_rows({"grants": GRANTS}, DIMS, {"grants": rows}, "case.yaml")
    assert render(info.value) == ("case.yaml (data.grants): row 2: column 'region': unknown region 'Gotlnd'\n"
                                  "  hint: did you mean 'Gotland'?")


def test_inline_row_that_is_not_a_mapping():
    with pytest.raises(DataError) as info:
        tables_from_rows({"grants": GRANTS}, DIMS, {"grants": [["Gotland", 1]]}, "case.yaml")
    assert (info.value.location.row, info.value.message) == (1, "row is list, not a mapping of column to value")


def test_inline_empty_list_is_an_empty_table():
    tables = tables_from_rows({"grants": GRANTS}, DIMS, {"grants": []}, "case.yaml")
    assert tables.tables["grants"].rows == 0
    assert list(tables.tables["grants"].frame.columns) == list(GRANTS.columns)


def test_inline_left_out_required_key_is_an_empty_cell():
    with pytest.raises(DataError) as info:
        tables_from_rows({"grants": GRANTS}, DIMS, {"grants": [{"region": "Gotland", "active": True}]}, "case.yaml")
    assert render(info.value) == (
        "case.yaml (data.grants): row 1: column 'amount': empty cell\n"
        "  hint: fill it in, or declare a default or nullable: true for the column")


def test_empty_csv_file(tmp_path):
    assert render(error(tmp_path, {"procedures.csv": ""})) == (
        f"{path(tmp_path, 'procedures.csv')}: the file is empty\n"
        "  hint: write a header row naming the columns: home_region, performing_region, provider, "
        "measure, year, month, count")


def test_parquet_numbers_in_text_and_member_columns(tmp_path):
    folder = folder_with(tmp_path, {})
    inp = table("p", Column("region", "region"), Column("code", "string"), Column("ok", "bool"))
    pd.DataFrame({"region": ["Gotland"], "code": [17], "ok": [1]}).to_parquet(folder / "p.parquet", index=False)
    f = load_tables({"p": inp}, DIMS, str(folder)).tables["p"].frame
    assert f["code"].tolist() == ["17"] and f["ok"].tolist() == [True]
    pd.DataFrame({"region": [3], "code": ["x"], "ok": [True]}).to_parquet(folder / "p.parquet", index=False)
    with pytest.raises(DataError) as info:
        load_tables({"p": inp}, DIMS, str(folder))
    assert (info.value.location.row, info.value.message) == (2, "unknown region '3'")


def test_duplicate_keys_with_an_empty_key_cell(tmp_path):
    inp = table("u", Column("region", "region", nullable=True), Column("n", "int"),
                by={"region": "region"}, unique=True)
    err = error(tmp_path, {"u.csv": "region,n\nGotland,1\n,2\n,3\n"}, {"u": inp})
    # an empty key cell is refused before it can collide (or count for some region)
    assert (err.message, err.location.row, err.location.field) == ("empty cell in the key column 'region'", 3, "region")


def test_xlsx_header_below_a_blank_row_is_named_in_header_errors(tmp_path):
    folder = folder_with(tmp_path, {})
    xlsx(folder, "grants.xlsx", [[None], ["region", "amt"], ["Gotland", 1]])
    err = error(tmp_path, {}, {"grants": GRANTS})
    assert (err.location.row, err.message) == (2, "missing columns amount, active, received_on")
