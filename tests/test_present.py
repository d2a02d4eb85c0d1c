"""One presenter of values (evaluator/present.py): a table of every type and unit with hand-written
expected text, JSON, spreadsheet and CSV forms; then the same values rendered by the real
commands (`run --format md` and `summary`, `explain`, `decisions`, `diff`), which must agree.

The policy below has, per region, one rule of each kind; the "old" version gives other values
so `diff` lists every rule. Expected strings are written by hand: 1310 / 3 = 436,666… is
436,67 with the fraction 1 310/3 beside it; 1234.5 kr has two öre digits.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from evaluator.cli import main
from evaluator.present import csv_cell, csv_sv_cell, format_number, format_value, json_value, xlsx_cell, xlsx_format

from support import write

T = "\u2009"  # thousands
M = "\u2212"  # minus
THIRD_1310 = Decimal(1310) / Decimal(3)  # 436.6666666666666666666666667 at 28 digits: not the engine's
ENGINE_1310_3 = Decimal("436.6666666666666666666666666666667")  # what the engine computes (34 digits)


# ---------------------------------------------------------------- the presenter's table

@pytest.mark.parametrize("value, unit, text", [
    (28007085, "kr", f"28{T}007{T}085 kr"),
    (-1000, "kr", f"{M}1{T}000 kr"),
    (Decimal("1234.5"), "kr", f"1{T}234,50 kr"),           # öre: two digits
    (Decimal("1234.50"), "kr", f"1{T}234,50 kr"),
    (Decimal("12000"), "kr/count", f"12{T}000 kr/st"),
    (1012, "count", f"1{T}012"),
    (2026, "year", "2026"),                                # a year is a label, not 2 026
    (1, "day", "1 dag"),
    (30, "day", "30 dagar"),
    (Decimal("12.5"), "percent", "12,5\u00a0%"),
    (ENGINE_1310_3, "kr", f"436,67 kr (1{T}310/3)"),       # the fraction is recovered
    (ENGINE_1310_3.copy_negate(), None, f"{M}436,67 ({M}1{T}310/3)"),
    (Decimal("1.125"), None, "1,12 (exakt 1,125)"),        # half even; a short decimal in full
    (THIRD_1310, None, "436,67 (exakt 436,6666666666666666666666667)"),  # not 1310/3 in 34 digits
    (Decimal("0.25"), None, "0,25"),
    (Decimal("123456789012345678901234567890.5"), "kr",  # 31 digits: more than Python's default 28
     f"123{T}456{T}789{T}012{T}345{T}678{T}901{T}234{T}567{T}890,50 kr"),
    (dt.timedelta(days=1), None, "1 dag"),
    (dt.timedelta(days=30), None, "30 dagar"),
    (dt.timedelta(days=-1), None, f"{M}1 dag"),
    (dt.date(2026, 3, 16), None, "2026-03-16"),
    (True, None, "ja"),
    (False, None, "nej"),
    ("Norrland", None, "Norrland"),
    (None, "kr", "–"),
    ([2023, 2024, 2025], "year", "[2023, 2024, 2025]"),
    ([1000, None], "kr", f"[1{T}000 kr, –]"),
])
def test_text(value, unit, text):
    assert format_value(value, unit) == text


def test_format_number_keeps_every_digit():
    assert format_number(ENGINE_1310_3, "kr") == "436,6666666666666666666666666666667 kr"
    assert format_number(None, "kr") == "–" and format_number(True) == "ja"


@pytest.mark.parametrize("value, as_json, cell, fmt, csv, csv_sv", [
    (28007085, 28007085, 28007085, '#,##0 "kr"', "28007085", "28007085"),
    (Decimal("1234.50"), "1234.50", 1234.5, '#,##0.00 "kr"', "1234.50", "1234,50"),
    (Decimal("12.00"), 12, 12, '#,##0 "kr"', "12", "12"),
    (ENGINE_1310_3, "436.6666666666666666666666666666667", float(ENGINE_1310_3), '#,##0.00 "kr"',
     "436.6666666666666666666666666666667", "436,6666666666666666666666666666667"),
    (dt.timedelta(days=30), "P30D", "P30D", None, "P30D", "P30D"),
    (dt.date(2026, 3, 16), "2026-03-16", dt.date(2026, 3, 16), "yyyy-mm-dd", "2026-03-16", "2026-03-16"),
    (True, True, True, None, "true", "ja"),
    ("Norrland", "Norrland", "Norrland", None, "Norrland", "Norrland"),
    (None, None, None, None, "", ""),
    ([Decimal("0.1"), 2], ["0.1", 2], '["0.1", 2]', None, '["0.1", 2]', '["0.1", 2]'),
])
def test_json_spreadsheet_and_csv(value, as_json, cell, fmt, csv, csv_sv):
    assert json_value(value) == as_json and type(json_value(value)) is type(as_json)
    assert xlsx_cell(value) == cell and type(xlsx_cell(value)) is type(cell)
    assert xlsx_format(value, "kr") == fmt
    assert csv_cell(value) == csv and csv_sv_cell(value) == csv_sv


def test_json_refuses_a_float():
    with pytest.raises(TypeError):
        json_value(0.5)


# ---------------------------------------------------------------- the same value in every command

RULES = {  # rule: (title, unit, new expression, old expression, the new value as shown)
    "grant": ("Bidrag", "kr", "28007085", "1000", f"28{T}007{T}085 kr"),
    "fee": ("Avgift", "kr", "1234.5", "1", f"1{T}234,50 kr"),
    "share": ("Andel", "kr", "1310 / 3", "2", f"436,67 kr (1{T}310/3)"),
    "cases": ("Antal fall", "count", "1012", "3", f"1{T}012"),
    "wait": ("Väntetid", "day", "1", "4", "1 dag"),
    "window": ("Frist", None, 'duration("P2D")', 'duration("P9D")', "2 dagar"),
    "due": ("Sista dag", None, 'date("2026-03-16")', 'date("2025-01-01")', "2026-03-16"),
    "ok": ("Godkänd", None, "true", "false", "ja"),
    "label": ("Benämning", None, '"Norrland"', '"Söder"', "Norrland"),
    "absent": ("Saknat värde", "kr", "if years_n > 10 then 5 else null", "7", "–"),
}
YEARS = {"new": "[2023, 2024, 2025]", "old": "[2022, 2023, 2024]"}


def policy_text(version: str) -> str:
    lines = ["policy: present_demo", "title: Presentation", f'version: "{version}"',
             "valid: {from: 2026-01-01, to: 2026-12-31}",
             "sources:", "  doc: {document: villkor.txt, passage: Allmänt}",
             "dimensions:", "  region: {title: Region, members: [Norr, Syd]}",
             "parameters:",
             f"  years: {{title: År, value: {YEARS[version]}, unit: year, source: {{ref: doc}}}}",
             "rules:",
             "  years_n: {title: Antal år, per: [region], expr: count(years), unit: count, source: {ref: doc}}"]
    for rid, (title, unit, new, old, _shown) in RULES.items():
        extra = (f", unit: {unit}" if unit else "") + (", nullable: true" if rid == "absent" else "")
        expr = new if version == "new" else old
        lines.append(f"  {rid}: {{title: {title}, per: [region], expr: '{expr}'{extra}, source: {{ref: doc}}}}")
    lines.append("outputs: [" + ", ".join(RULES) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every command's output on the demo policy, run through the real command line."""
    import contextlib
    import io
    tmp = tmp_path_factory.mktemp("present")
    new, old = write(tmp / "new.yaml", policy_text("new")), write(tmp / "old.yaml", policy_text("old"))
    (tmp / "data").mkdir()

    def run(*args) -> str:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # `run` writes bytes to .buffer
        with contextlib.redirect_stdout(out):
            assert main([str(a) for a in args]) == 0
        out.flush()
        return out.buffer.getvalue().decode("utf-8")

    explained = {rid: run("explain", new, "--rule", rid, "--data", tmp / "data", "--where", "region=Norr")
                 for rid in [*RULES, "years_n"]}
    run("decisions", new, "--data", tmp / "data", "-o", tmp / "dec", "--per", "region")
    return {"md": run("run", new, "--data", tmp / "data", "--format", "md"),
            "summary": run("run", new, "--data", tmp / "data", "--format", "summary"),
            "explain": explained,
            "decisions": (tmp / "dec" / "present_demo-Norr.md").read_text(encoding="utf-8"),
            "diff": run("diff", old, new, "--data", tmp / "data")}


def diff_new_value(diff: str, rid: str) -> str:
    """The "ny" column of Norr's row in the rule's table of `villkor diff`."""
    section = diff[diff.index(f"\n{rid} — "):]
    row = next(line for line in section.splitlines() if line.startswith("  Norr "))
    return re.split(r" {2,}", row.strip())[2]


@pytest.mark.parametrize("rid", list(RULES))
def test_a_value_reads_the_same_in_every_command(rendered, rid):
    shown = RULES[rid][4]
    assert f"| Norr | {shown} |" in rendered["md"].splitlines()
    assert rendered["explain"][rid].splitlines()[0] == f"{rid} · Norr = {shown}"
    assert f"| {rid} | {RULES[rid][0]} | {shown} |" in rendered["decisions"].splitlines()
    assert f"{rid} · Norr = {shown}" in rendered["decisions"]  # the derivation in the document
    assert diff_new_value(rendered["diff"], rid) == shown


def test_amounts_in_the_summary_and_a_list_in_explain_and_diff(rendered):
    norr = next(line for line in rendered["summary"].splitlines() if line.startswith("Norr "))
    assert re.split(r" {2,}", norr) == ["Norr", RULES["grant"][4], RULES["fee"][4], RULES["share"][4], "–"]
    assert "parameter years = [2023, 2024, 2025] — År" in rendered["explain"]["years_n"]
    assert "  ~ years: [2022, 2023, 2024] → [2023, 2024, 2025]" in rendered["diff"].splitlines()


def test_diff_shows_a_difference_of_fractions_with_all_its_digits(rendered):
    # share: 1310/3 − 2 = 1304/3 = 434,666…, computed in 34 digits (abs() would cut it to 28)
    section = rendered["diff"][rendered["diff"].index("\nshare — "):]
    row = next(line for line in section.splitlines() if line.startswith("  Norr "))
    assert re.split(r" {2,}", row.strip())[3] == f"+434,67 kr (1{T}304/3)"


def test_a_total_of_absent_values_is_absent(rendered):
    section = rendered["md"][rendered["md"].index("(absent)"):]
    assert "| Riket | – |" in section.splitlines()
