"""The report writers, on a RunResult built by hand: exact JSON and CSV text, Swedish number
formatting, the pivoted Markdown/HTML report with national totals, the XLSX workbook read back,
byte-identical output, and atomic writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from decimal import Decimal

import pytest

from evaluator.present import format_number, format_value
from evaluator.report import FORMATS, render
from evaluator.report.atomic import emit, write_atomic
from evaluator.report.csv_writer import to_csv
from evaluator.report.html import to_html
from evaluator.report.json_writer import to_json, value_to_json
from evaluator.report.markdown import to_markdown
from evaluator.report.xlsx_writer import sheet_title, to_xlsx
from evaluator.result import CheckResult, DataInfo, OutputTable, PolicyInfo, RunResult

from support import villkor

T = "\u2009"  # thin space, the thousands separator of the readable reports
THIRD = Decimal("333.3333333333333333333333333333333")
SHA_POLICY = "ab" * 32
SHA_DATA = "cd" * 32


def sample() -> RunResult:
    """Two regions, every kind of value, one output not computed, an illustrative warning."""
    regions = ("region",)
    outputs = [
        OutputTable("payout", "Utbetalning", regions, "kr", "number",
                    [{"region": "Gotland", "value": 4795726}, {"region": "Uppsala", "value": 28007085}],
                    source="beslut, bilaga 1"),
        OutputTable("eligible", "Ersättningsberättigade | ökning", ("region", "measure"), "count", "number",
                    [{"region": "Gotland", "measure": "cataract", "value": 600},
                     {"region": "Gotland", "measure": "hip", "value": 12},
                     {"region": "Uppsala", "measure": "cataract", "value": 412},
                     {"measure": "hip", "value": 30, "region": "Uppsala"}],  # key order must not matter
                    labels={"measure": {"cataract": "Grå starr", "hip": "Höftledsprotes"}}),
        OutputTable("baseline", "Jämförelsetal", regions, "count", "number",
                    [{"region": "Gotland", "value": THIRD}, {"region": "Uppsala", "value": Decimal("12.00")}]),
        OutputTable("rate", "Ersättning per ingrepp", (), "kr", "number", [{"value": Decimal("1234.50")}]),
        OutputTable("cap_reached", "Taket nått", regions, None, "bool",
                    [{"region": "Gotland", "value": True}, {"region": "Uppsala", "value": False}]),
        OutputTable("deadline", "Sista dag <rekvisition>", (), None, "date", [{"value": dt.date(2026, 3, 16)}]),
        OutputTable("window", "Rekvisitionsfönster", (), "day", "duration", [{"value": dt.timedelta(days=30)}]),
        OutputTable("followup", "Återrapporterat", regions, "kr", "number", [], computed=False),
    ]
    return RunResult(
        policy=PolicyInfo("test_2026", "Prov <för> rapporter", "2026.1", "policies/test_2026.yaml",
                          SHA_POLICY, "2026-01-01", "2027-03-31"),
        data=[DataInfo("procedures", "data/procedures.csv", SHA_DATA, 17861),
              DataInfo("followup", None, None, 2)],
        warnings=["parameter 'tariff' is illustrative, not an official figure"],
        outputs={t.rule: t for t in outputs},
        checks=[CheckResult("within_budget", "Ryms i budgeten", True, "Σ payout ≤ budget"),
                CheckResult("dates_in_order", None, False, "deadline < start")],
    )


# ------------------------------------------------------------------ JSON

EXPECTED_JSON = """\
{
  "policy": {
    "id": "test_2026",
    "version": "2026.1",
    "sha256": "%(p)s",
    "title": "Prov <för> rapporter",
    "path": "policies/test_2026.yaml",
    "valid": {
      "from": "2026-01-01",
      "to": "2027-03-31"
    }
  },
  "data": [
    {
      "table": "procedures",
      "path": "data/procedures.csv",
      "sha256": "%(d)s",
      "rows": 17861
    },
    {
      "table": "followup",
      "path": null,
      "sha256": null,
      "rows": 2
    }
  ],
  "warnings": [
    "parameter 'tariff' is illustrative, not an official figure"
  ],
  "outputs": {
    "payout": [
      {
        "region": "Gotland",
        "value": 4795726
      },
      {
        "region": "Uppsala",
        "value": 28007085
      }
    ],
    "eligible": [
      {
        "region": "Gotland",
        "measure": "cataract",
        "value": 600
      },
      {
        "region": "Gotland",
        "measure": "hip",
        "value": 12
      },
      {
        "region": "Uppsala",
        "measure": "cataract",
        "value": 412
      },
      {
        "region": "Uppsala",
        "measure": "hip",
        "value": 30
      }
    ],
    "baseline": [
      {
        "region": "Gotland",
        "value": "333.3333333333333333333333333333333"
      },
      {
        "region": "Uppsala",
        "value": 12
      }
    ],
    "rate": [
      {
        "value": "1234.50"
      }
    ],
    "cap_reached": [
      {
        "region": "Gotland",
        "value": true
      },
      {
        "region": "Uppsala",
        "value": false
      }
    ],
    "deadline": [
      {
        "value": "2026-03-16"
      }
    ],
    "window": [
      {
        "value": "P30D"
      }
    ]
  },
  "checks": [
    {
      "id": "within_budget",
      "passed": true,
      "detail": "Σ payout ≤ budget"
    },
    {
      "id": "dates_in_order",
      "passed": false,
      "detail": "deadline < start"
    }
  ],
  "not_computed": [
    "followup"
  ]
}
""" % {"p": SHA_POLICY, "d": SHA_DATA}  # noqa: UP031 (the JSON's braces stay literal)


def test_json_is_exactly_the_contract_document():
    assert to_json(sample()).decode("utf-8") == EXPECTED_JSON


def test_json_is_utf8_without_escapes_and_round_trips():
    data = to_json(sample())
    assert "Σ".encode() in data and b"\\u" not in data
    assert json.loads(data)["outputs"]["baseline"][0]["value"] == str(THIRD)


@pytest.mark.parametrize("value, expected", [
    (Decimal("1.50"), "1.50"),          # kept as given, not normalised
    (Decimal("12.00"), 12),             # integral -> JSON number
    (Decimal("1E+3"), 1000),
    (Decimal("-0.5"), "-0.5"),
    (Decimal("1.5E-7"), "0.00000015"),  # plain notation, never exponent
    (10 ** 30, 10 ** 30),
    (dt.timedelta(days=-3), "-P3D"),
    (dt.timedelta(days=1, seconds=90), "P1DT90S"),
    (dt.date(2026, 3, 16), "2026-03-16"),
    ([Decimal("0.1"), 2, None], ["0.1", 2, None]),
    (True, True),
])
def test_value_to_json_is_exact(value, expected):
    assert value_to_json(value) == expected
    assert type(value_to_json(value)) is type(expected)


def test_value_to_json_refuses_floats_and_non_finite_decimals():
    with pytest.raises(TypeError):
        value_to_json(0.1)
    with pytest.raises(ValueError):
        value_to_json(Decimal("NaN"))


def test_value_to_json_accepts_numpy_integers():
    np = pytest.importorskip("numpy")
    assert value_to_json(np.int64(7)) == 7 and type(value_to_json(np.int64(7))) is int


# ------------------------------------------------------------------ CSV

EXPECTED_CSV = """\
rule,region,measure,value
payout,Gotland,,4795726
payout,Uppsala,,28007085
eligible,Gotland,cataract,600
eligible,Gotland,hip,12
eligible,Uppsala,cataract,412
eligible,Uppsala,hip,30
baseline,Gotland,,333.3333333333333333333333333333333
baseline,Uppsala,,12
rate,,,1234.50
cap_reached,Gotland,,true
cap_reached,Uppsala,,false
deadline,,,2026-03-16
window,,,P30D
"""


def test_csv_is_one_long_exact_table():
    data = to_csv(sample())
    assert data.decode("utf-8") == EXPECTED_CSV
    assert b"\r" not in data


def test_csv_quotes_commas_and_quotes():
    result = sample()
    result.outputs = {"note": OutputTable("note", None, ("region",), None, "string",
                                          [{"region": "Gotland", "value": 'a, "b"'}])}
    assert to_csv(result).decode() == 'rule,region,value\nnote,Gotland,"a, ""b"""\n'


# ------------------------------------------------------------------ formatting

@pytest.mark.parametrize("value, unit, expected", [
    (28007085, "kr", f"28{T}007{T}085 kr"),
    (Decimal("1234.50"), "kr", f"1{T}234,50 kr"),
    (12000, "kr/count", f"12{T}000 kr/st"),
    (1012, "count", f"1{T}012"),
    (412, None, "412"),
    (-1000, "kr", f"\u22121{T}000 kr"),
    (Decimal("-0.25"), None, "\u22120,25"),
    (2026, "year", "2026"),
    (30, "day", "30 dagar"),
    (THIRD, None, "333,3333333333333333333333333333333"),  # exact: every digit
    (None, "kr", "–"),
    (True, None, "ja"),
    (False, None, "nej"),
])
def test_format_number_is_swedish_and_exact(value, unit, expected):
    assert format_number(value, unit) == expected


def test_format_value_dates_and_lists():
    assert format_value(dt.date(2026, 3, 16)) == "2026-03-16"
    assert format_value([1000, 2], "kr") == f"[1{T}000 kr, 2 kr]"


# ------------------------------------------------------------------ Markdown

def test_markdown_report():
    md = to_markdown(sample()).decode("utf-8")
    assert md.startswith("# Prov <för> rapporter\n\nRegelverk test_2026, version 2026.1, giltig 2026-01-01 – 2027-03-31")
    assert SHA_POLICY in md and SHA_DATA in md
    assert f"17{T}861 rader" in md
    assert "## Varningar\n\n- parameter 'tariff' is illustrative, not an official figure\n" in md
    assert "- ✓ Ryms i budgeten: Σ payout ≤ budget" in md
    assert "- ✗ dates_in_order: deadline < start" in md
    # the [region] amount, with the national total summed by hand: 4 795 726 + 28 007 085
    assert "## Utbetalning (payout)\n\nper region, enhet kronor, källa: beslut, bilaga 1\n" in md
    assert f"| Uppsala | 28{T}007{T}085 kr |" in md
    assert f"| Riket | 32{T}802{T}811 kr |" in md
    # [region, measure] pivoted, member labels as column heads, a total per measure
    assert ("| region | Grå starr | Höftledsprotes |\n|---|---:|---:|\n| Gotland | 600 | 12 |\n"
            f"| Uppsala | 412 | 30 |\n| Riket | 1{T}012 | 42 |\n") in md
    assert "## Ersättningsberättigade \\| ökning (eligible)" in md  # a pipe cannot break the table
    # long decimals are shown rounded with the exact value beside them: 333.333… is 1000/3; the
    # total is exact before display: 1000/3 + 12 = 1036/3
    assert f"| Gotland | 333,33 (1{T}000/3) |" in md and "| Uppsala | 12,00 |" in md  # as given
    assert f"| Riket | 345,33 (1{T}036/3) |" in md
    assert f"| 1{T}234,50 kr |" in md
    assert "| Gotland | ja |" in md and "| Uppsala | nej |" in md
    assert "| 2026-03-16 |" in md and "| 30 dagar |" in md
    assert "## Återrapporterat (followup)" in md and "Inte beräknad" in md
    assert md.count("Riket") == 3  # payout, eligible, baseline; not the bool, national or uncomputed ones
    assert md.endswith("\n") and not md.endswith("\n\n")


# ------------------------------------------------------------------ HTML

def test_html_is_self_contained_escaped_and_swedish():
    page = to_html(sample()).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert "http" not in page and "<link" not in page and "<script" not in page and "src=" not in page
    assert "@media print" in page
    assert "<title>Prov &lt;för&gt; rapporter</title>" in page
    assert "<för>" not in page and "<rekvisition>" not in page and "Sista dag &lt;rekvisition&gt;" in page
    assert f'<td class="num">28{T}007{T}085 kr</td>' in page
    assert f'<td>Riket</td><td class="num">32{T}802{T}811 kr</td>' in page
    assert '<li class="ok">✓ Ryms i budgeten' in page and '<li class="fail">✗ dates_in_order' in page


# ------------------------------------------------------------------ XLSX

def read_xlsx(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_xlsx_sheets_values_and_formats():
    wb = read_xlsx(to_xlsx(sample()))
    # sheets named by the outputs' titles, after the overview
    assert wb.sheetnames == ["Om körningen", "Översikt", "Utbetalning", "Ersättningsberättigade | ökning",
                             "Jämförelsetal", "Ersättning per ingrepp", "Taket nått", "Sista dag <rekvisition>",
                             "Rekvisitionsfönster", "Återrapporterat"]
    # one row per region, a column per [region] output, Riket = 4 795 726 + 28 007 085 and 1000/3 + 12
    overview = wb["Översikt"]
    assert rows(overview) == [["region", "Utbetalning", "Jämförelsetal", "Taket nått"],
                              ["Gotland", 4795726, float(THIRD), True], ["Uppsala", 28007085, 12, False],
                              ["Riket", 32802811, float(THIRD + 12), None]]
    assert overview["B4"].number_format == '#,##0 "kr"' and overview["A4"].font.b and overview["A1"].font.b
    payout = wb["Utbetalning"]
    assert rows(payout) == [["region", "värde"], ["Gotland", 4795726], ["Uppsala", 28007085]]
    assert payout["B3"].number_format == '#,##0 "kr"'
    assert payout["A1"].font.b and payout.freeze_panes == "A2"
    assert payout.column_dimensions["A"].width >= len("Uppsala")

    eligible = wb["Ersättningsberättigade | ökning"]
    assert rows(eligible)[:2] == [["region", "measure", "measure (benämning)", "värde"],
                                  ["Gotland", "cataract", "Grå starr", 600]]
    assert eligible["D2"].number_format == "#,##0"

    # a non-integral decimal: the nearest float for arithmetic, and its exact digits beside it
    assert rows(wb["Jämförelsetal"]) == [["region", "värde", "värde (exakt)"],
                                    ["Gotland", float(THIRD), str(THIRD)], ["Uppsala", 12, None]]
    rate = wb["Ersättning per ingrepp"]
    assert rows(rate) == [["värde", "värde (exakt)"], [1234.5, "1234.50"]]
    assert rate["A2"].number_format == '#,##0.00 "kr"'

    assert rows(wb["Taket nått"])[1:] == [["Gotland", True], ["Uppsala", False]]
    deadline = wb["Sista dag <rekvisition>"]
    assert deadline["A2"].value == dt.datetime(2026, 3, 16) and deadline["A2"].number_format == "yyyy-mm-dd"
    assert rows(wb["Rekvisitionsfönster"])[1] == ["P30D"]
    assert rows(wb["Återrapporterat"]) == [["region", "värde"], ["inte beräknad: en valfri indata saknas", None]]


def test_xlsx_about_sheet():
    about = rows(read_xlsx(to_xlsx(sample()))["Om körningen"])
    cells = [c for r in about for c in r if c is not None]
    assert ["Regelverk", "test_2026"] == about[0][:2] and ["sha256", SHA_POLICY] == about[5][:2]
    for expected in ["Prov <för> rapporter", "2026.1", "2026-01-01", "2027-03-31", SHA_POLICY,
                     "data/procedures.csv", SHA_DATA, 17861,
                     "parameter 'tariff' is illustrative, not an official figure",
                     "✓ uppfylld", "✗ bruten", "deadline < start"]:
        assert expected in cells, expected
    assert ["followup", "Återrapporterat", "Återrapporterat", "region", "kronor", None,
            "inte beräknad: en valfri indata saknas"] in [r[:7] for r in about]


def test_xlsx_is_byte_identical_and_not_dated_by_the_clock():
    first, second = to_xlsx(sample()), to_xlsx(sample())
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {i.date_time for i in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert core.count("2026-01-01T00:00:00Z") == 2  # created and modified


def test_sheet_titles_are_valid_and_unique():
    used = {"om körningen"}
    long = "a_very_long_rule_identifier_that_excel_cannot_hold"
    names = [sheet_title(n, used) for n in [long, long, "x[1]:y*?/\\z", "'quoted'", "History", "Om körningen"]]
    assert names == [long[:31], long[:29] + "_2", "x_1__y____z", "quoted", "History_2", "Om körningen_2"]
    assert all(len(n) <= 31 for n in names)


# ------------------------------------------------------------------ FORMATS, render

def test_every_format_renders_deterministic_bytes():
    assert list(FORMATS) == ["json", "csv", "xlsx", "md", "html", "csv-sv", "summary"]
    for fmt in FORMATS:
        data = render(sample(), fmt)
        assert isinstance(data, bytes) and data == render(sample(), fmt), fmt
    with pytest.raises(ValueError, match="unknown report format"):
        render(sample(), "pdf")


# ------------------------------------------------------------------ atomic writes

def leftovers(folder) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(".villkor-")]


def test_write_atomic_writes_and_replaces(tmp_path):
    target = tmp_path / "sub" / "out.json"
    write_atomic(str(target), b"first")
    write_atomic(str(target), b"second")
    assert target.read_bytes() == b"second" and leftovers(target.parent) == []
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~umask  # an ordinary new file, not 0600


def test_write_atomic_failing_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(TypeError):
        write_atomic(str(target), "text, not bytes")  # fails inside the write
    assert not target.exists() and leftovers(tmp_path) == []


def test_write_atomic_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomic(str(target), None)
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_write_atomic_failing_rename_removes_the_temporary_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_atomic(str(target), b"data")
    assert target.is_dir() and leftovers(tmp_path) == []


def test_emit_writes_bytes_to_stdout_or_a_file(tmp_path, capsysbinary):
    emit("Σ 28\u2009007\u2009085 kr\n".encode(), None)
    assert capsysbinary.readouterr().out == "Σ 28\u2009007\u2009085 kr\n".encode()
    emit(b"x", str(tmp_path / "f.txt"))
    assert (tmp_path / "f.txt").read_bytes() == b"x"


# ------------------------------------------------------------------ through the command line

@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "md", "html"])
def test_run_writes_every_format_the_same_twice(mini, tmp_path, fmt):
    policy, data = mini
    outs = [tmp_path / f"out{i}.{fmt}" for i in (1, 2)]
    for out in outs:
        villkor("run", policy, "--data", data, "--format", fmt, "-o", out, check=True)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    if fmt == "json":
        doc = json.loads(outs[0].read_text(encoding="utf-8"))
        assert list(doc) == ["policy", "data", "warnings", "outputs", "checks", "not_computed"]
        assert list(doc["outputs"]["payout"][0]) == ["region", "value"]
