"""The report writers over a RunResult built by hand: exact JSON and CSV text, Swedish amounts
and a hand-summed national total in Markdown, a self-contained escaped HTML page, an XLSX
workbook read back with openpyxl, the same bytes on every run, and atomic writes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from evaluator.present import format_number, format_plain_number, format_value
from evaluator.report import render
from evaluator.report.atomic import emit, write_atomic
from evaluator.result import CheckResult, DataInfo, OutputTable, PolicyInfo, RunResult

THIN = "\u2009"
THIRD = Decimal("40.33333333333333333333333333333333")  # 121/3 to FEEL's 34 digits


def result() -> RunResult:
    policy = PolicyInfo(id="demo", title="Demo <bidrag> & co", version="2026.1",
                        path="policies/demo.yaml", sha256="ab" * 32,
                        valid_from="2026-01-01", valid_to="2026-12-31")
    data = [DataInfo("procedures", "data/procedures.csv", "cd" * 32, 7)]
    outputs = {
        "payout": OutputTable("payout", "Utbetalning", ("region",), "kr", "number",
                              [{"region": "Stockholm", "value": 161423243},
                               {"region": "Uppsala", "value": 28007085},
                               {"region": "Gotland", "value": 4795726}],
                              source="bilaga 1"),
        "baseline": OutputTable("baseline", "Jämförelsetal", ("region", "measure"), "count", "number",
                                [{"region": "Stockholm", "measure": "cataract", "value": THIRD},
                                 {"region": "Stockholm", "measure": "hip", "value": 0},
                                 {"region": "Uppsala", "measure": "cataract", "value": Decimal("2.5")},
                                 {"region": "Uppsala", "measure": "hip", "value": Decimal("3.0")}],
                                labels={"measure": {"cataract": "Grå starr", "hip": "Höft"}}),
        "deadline": OutputTable("deadline", "Sista dag", (), None, "date",
                                [{"value": dt.date(2026, 3, 16)}]),
        "cap_reached": OutputTable("cap_reached", "Taket nått", ("region",), None, "bool",
                                   [{"region": "Stockholm", "value": True},
                                    {"region": "Uppsala", "value": False},
                                    {"region": "Gotland", "value": True}]),
        "followup": OutputTable("followup", "Uppföljning", ("region",), "kr", "number", [], computed=False),
    }
    checks = [CheckResult("within_budget", "Inom budget", True, "Σ payout ≤ budget")]
    return RunResult(policy, data, ["parameter 'tariff' is illustrative <b>"], outputs, checks)


# ---------------------------------------------------------------- JSON

EXPECTED_JSON = """\
{
  "policy": {
    "id": "demo",
    "version": "2026.1",
    "sha256": "abababababababababababababababababababababababababababababababab",
    "title": "Demo <bidrag> & co",
    "path": "policies/demo.yaml",
    "valid": {
      "from": "2026-01-01",
      "to": "2026-12-31"
    }
  },
  "data": [
    {
      "table": "procedures",
      "path": "data/procedures.csv",
      "sha256": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
      "rows": 7
    }
  ],
  "warnings": [
    "parameter 'tariff' is illustrative <b>"
  ],
  "outputs": {
    "payout": [
      {
        "region": "Stockholm",
        "value": 161423243
      },
      {
        "region": "Uppsala",
        "value": 28007085
      },
      {
        "region": "Gotland",
        "value": 4795726
      }
    ],
    "baseline": [
      {
        "region": "Stockholm",
        "measure": "cataract",
        "value": "40.33333333333333333333333333333333"
      },
      {
        "region": "Stockholm",
        "measure": "hip",
        "value": 0
      },
      {
        "region": "Uppsala",
        "measure": "cataract",
        "value": "2.5"
      },
      {
        "region": "Uppsala",
        "measure": "hip",
        "value": 3
      }
    ],
    "deadline": [
      {
        "value": "2026-03-16"
      }
    ],
    "cap_reached": [
      {
        "region": "Stockholm",
        "value": true
      },
      {
        "region": "Uppsala",
        "value": false
      },
      {
        "region": "Gotland",
        "value": true
      }
    ]
  },
  "checks": [
    {
      "id": "within_budget",
      "passed": true,
      "detail": "Σ payout ≤ budget"
    }
  ],
  "not_computed": [
    "followup"
  ]
}
"""


def test_json_exact_text():
    assert render(result(), "json").decode("utf-8") == EXPECTED_JSON


def test_json_value_forms():
    from evaluator.report.json_writer import value_to_json

    assert value_to_json(Decimal("0.30")) == "0.30"  # exact, trailing zero kept
    assert value_to_json(Decimal("1E+3")) == 1000
    assert value_to_json(Decimal("-0.5")) == "-0.5"
    assert value_to_json(dt.timedelta(days=30)) == "P30D"
    assert value_to_json(dt.timedelta(days=-2)) == "-P2D"
    assert value_to_json([1, Decimal("0.1"), dt.date(2026, 1, 2)]) == [1, "0.1", "2026-01-02"]
    with pytest.raises(TypeError):
        value_to_json(0.1)  # never a float


# ---------------------------------------------------------------- CSV

EXPECTED_CSV = """\
rule,region,measure,value
payout,Stockholm,,161423243
payout,Uppsala,,28007085
payout,Gotland,,4795726
baseline,Stockholm,cataract,40.33333333333333333333333333333333
baseline,Stockholm,hip,0
baseline,Uppsala,cataract,2.5
baseline,Uppsala,hip,3
deadline,,,2026-03-16
cap_reached,Stockholm,,true
cap_reached,Uppsala,,false
cap_reached,Gotland,,true
"""


def test_csv_exact_text():
    assert render(result(), "csv").decode("utf-8") == EXPECTED_CSV


# ---------------------------------------------------------------- Markdown and HTML


def test_swedish_number_formatting():
    assert format_plain_number(28007085) == f"28{THIN}007{THIN}085"
    assert format_plain_number(Decimal("-1234.5")) == f"−1{THIN}234,5"
    assert format_plain_number(999) == "999"
    assert format_number(28007085, "kr") == f"28{THIN}007{THIN}085 kr"
    assert format_number(12, "count") == "12"
    assert format_number(2026, "year") == "2026"
    assert format_value(True) == "ja" and format_value(None) == "–"
    assert format_value(dt.timedelta(days=3)) == "3 dagar"


def test_markdown_amounts_and_national_total():
    md = render(result(), "md").decode("utf-8")
    lines = md.splitlines()
    assert lines[0] == "# Demo <bidrag> & co"
    assert "| Uppsala | 28\u2009007\u2009085 kr |" in lines
    # Riket = 161 423 243 + 28 007 085 + 4 795 726 = 194 226 054, summed by hand
    assert "| Riket | 194\u2009226\u2009054 kr |" in lines
    # region × measure is pivoted with the measures' labels; 121/3 is shown to two places with
    # the fraction beside it, and its column total 40.333… + 2.5 = 42.8333… = 257/6
    table = lines[lines.index("| region | Grå starr | Höft |"):]
    assert table[:5] == ["| region | Grå starr | Höft |",
                         "|---|---:|---:|",
                         "| Stockholm | 40,33 (121/3) | 0 |",
                         "| Uppsala | 2,5 | 3,0 |",
                         "| Riket | 42,83 (257/6) | 3 |"]
    assert "Inte beräknad: en valfri indata saknas." in lines
    assert "- ✓ Inom budget: Σ payout ≤ budget" in lines
    assert "| Stockholm | ja |" in lines


def test_html_is_self_contained_and_escaped():
    page = render(result(), "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert "http" not in page and "src=" not in page and "<link" not in page and "<script" not in page
    assert "<title>Demo &lt;bidrag&gt; &amp; co</title>" in page
    assert "<h1>Demo &lt;bidrag&gt; &amp; co</h1>" in page
    assert "<li>parameter &#x27;tariff&#x27; is illustrative &lt;b&gt;</li>" in page
    assert "<b>" not in page
    assert '<td>Riket</td><td class="num">194\u2009226\u2009054 kr</td>' in page


# ---------------------------------------------------------------- XLSX


def test_xlsx_read_back():
    data = render(result(), "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Om körningen", "Översikt", "Utbetalning", "Jämförelsetal", "Sista dag", "Taket nått",
                             "Uppföljning"]
    # Riket = 161 423 243 + 28 007 085 + 4 795 726, summed by hand
    assert [c.value for c in wb["Översikt"]["B"]] == ["Utbetalning", 161423243, 28007085, 4795726, 194226054]
    about = wb["Om körningen"]
    assert [c.value for c in about[1]][:2] == ["Regelverk", "demo"]
    assert about["B6"].value == "ab" * 32
    payout = wb["Utbetalning"]
    assert [[c.value for c in row] for row in payout.iter_rows()] == [
        ["region", "värde"], ["Stockholm", 161423243], ["Uppsala", 28007085], ["Gotland", 4795726]]
    # "," is the locale's digit-group separator in a format code: Swedish Excel shows 28 007 085 kr
    assert [payout.cell(r, 2).number_format for r in range(2, 5)] == ['#,##0 "kr"'] * 3
    assert payout["A1"].font.bold
    baseline = wb["Jämförelsetal"]
    # a non-whole decimal: the nearest float as the number, every digit as text beside it
    # (openpyxl stores a float with 16 significant digits, hence approx for the float itself)
    assert baseline["D2"].value == pytest.approx(float(THIRD), rel=1e-15)
    baseline["D2"].value = None
    assert [[c.value for c in row] for row in baseline.iter_rows()] == [
        ["region", "measure", "measure (benämning)", "värde", "värde (exakt)"],
        ["Stockholm", "cataract", "Grå starr", None, "40.33333333333333333333333333333333"],
        ["Stockholm", "hip", "Höft", 0, None],
        ["Uppsala", "cataract", "Grå starr", 2.5, "2.5"],
        ["Uppsala", "hip", "Höft", 3, None]]
    assert [baseline.cell(r, 4).number_format for r in range(2, 6)] == ["#,##0.####", "#,##0", "#,##0.####", "#,##0"]
    assert wb["Sista dag"]["A2"].value == dt.datetime(2026, 3, 16)
    assert wb["Sista dag"]["A2"].number_format == "yyyy-mm-dd"
    assert [c.value for c in wb["Taket nått"]["B"]] == ["värde", True, False, True]
    assert wb["Uppföljning"]["A2"].value == "inte beräknad: en valfri indata saknas"


def test_xlsx_timestamps_are_fixed():
    data = render(result(), "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2026-01-01T00:00:00Z</dcterms:created>" in core
    assert "2026-01-01T00:00:00Z</dcterms:modified>" in core


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "md", "html"])
def test_same_bytes_every_time(fmt):
    assert render(result(), fmt) == render(result(), fmt)


# ---------------------------------------------------------------- atomic writes


def test_write_atomic_writes_the_bytes(tmp_path):
    target = tmp_path / "out" / "run.json"  # the folder is created
    write_atomic(str(target), b"{}\n")
    assert target.read_bytes() == b"{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path / "out") == ["run.json"]


def test_write_atomic_onto_a_folder_leaves_nothing(tmp_path):
    target = tmp_path / "report.json"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(str(target), b"data")
    assert target.is_dir() and os.listdir(target) == []
    assert os.listdir(tmp_path) == ["report.json"]  # no .villkor-*.tmp left behind


def test_write_atomic_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "report.csv"
    target.write_bytes(b"old\n")
    with pytest.raises(TypeError):
        write_atomic(str(target), "not bytes")  # fails while writing the temporary file
    assert target.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_emit_to_a_file(tmp_path):
    emit(b"x", str(tmp_path / "a.md"))
    assert (tmp_path / "a.md").read_bytes() == b"x"
