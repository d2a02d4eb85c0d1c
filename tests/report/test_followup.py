"""`villkor report`: the P-9 follow-up report, HTML with inline SVG charts and XLSX.

Expected figures are summed by the tests themselves from examples/2026/procedures.csv with the
csv module, and compared with what the report shows (HTML text with Swedish digits, XLSX cells
read back with openpyxl).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from openpyxl import load_workbook

from support import ROOT, villkor

THIN = "\u2009"
POLICY = "policies/2026_performance.yaml"
DATA = "examples/2026"
NAME = "2026_performance-uppfoljning"


def rows():
    with open(ROOT / DATA / "procedures.csv", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def total(**where) -> int:
    months = where.pop("months", None)
    return sum(int(r["count"]) for r in rows()
               if all(r[k] == str(v) for k, v in where.items()) and (months is None or int(r["month"]) in months))


def swedish(n: int) -> str:
    digits = str(abs(n))
    head = len(digits) % 3 or 3
    text = THIN.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])
    return ("\u2212" if n < 0 else "") + text


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = villkor("report", POLICY, "--data", DATA, "-o", out, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out


def sheet_rows(path, title):
    wb = load_workbook(path)
    return [list(r) for r in wb[title].iter_rows(values_only=True)]


def test_national_january_cataract_in_html_and_xlsx(report):
    jan = total(measure="cataract", year=2026, month=1)
    prev = total(measure="cataract", year=2025, month=1)
    base = Decimal(sum(total(measure="cataract", year=y, month=1) for y in (2023, 2024, 2025))) / 3
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    shown_base = str(base.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)).replace(".", ",")
    whole, frac = shown_base.split(",")
    expected_row = (f'<tr><td>januari</td><td class="num">{swedish(jan)}</td><td class="num">{swedish(prev)}</td>'
                    f'<td class="num">{swedish(int(whole))},{frac}</td><td class="num">{swedish(jan - prev)}</td></tr>')
    cataract = page.split("<h3>Grå starr</h3>", 1)[1]
    assert expected_row in cataract
    table = sheet_rows(report / f"{NAME}.xlsx", "Riket Grå starr")
    assert table[0] == ["Månad", "2026", "2025", "Genomsnitt 2023–2025", "Förändring mot 2025"]
    assert table[1][:3] == ["januari", jan, prev]
    assert abs(Decimal(str(table[1][3])) - base) < Decimal("1e-9")
    assert table[1][4] == jan - prev
    # the year's sum over all twelve months, national
    assert table[13][0] == "Summa" and table[13][1] == total(measure="cataract", year=2026)


def test_split_by_where_performed(report):
    period = range(1, 11)
    home = other = private = 0
    for r in rows():
        if r["home_region"] != "Gotland" or r["year"] != "2026" or int(r["month"]) not in period:
            continue
        n = int(r["count"])
        if r["provider"] == "private":
            private += n
        elif r["performing_region"] == "Gotland":
            home += n
        else:
            other += n
    table = sheet_rows(report / f"{NAME}.xlsx", "Utförare per region")
    assert table[0] == ["Hemregion", "I hemregionen", "I annan region", "Hos privat vårdgivare", "Summa"]
    assert ["Region Gotland", home, other, private, home + other + private] in table  # legal name
    assert table[-1][0] == "Hela riket" and table[-1][4] == total(year=2026, months=period)
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    assert (f'<tr><td>Region Gotland</td><td class="num">{swedish(home)}</td><td class="num">{swedish(other)}</td>'
            f'<td class="num">{swedish(private)}</td>') in page


def test_degree_of_fulfilment(report):
    # tests/fixtures/2026_performance/examples_2026.yaml works these out by hand: Gotland's
    # compensation 12 019 000 kr is above its cap 4 795 726 kr; Halland's 10 528 000 kr is not.
    table = sheet_rows(report / f"{NAME}.xlsx", "Måluppfyllelse")
    gotland = next(r for r in table if r[0] == "Region Gotland")  # the regions' legal names
    assert gotland[3:] == [12019000, 4795726, 4795726, 100]
    halland = next(r for r in table if r[0] == "Region Halland")
    share = (Decimal(10528000) * 100 / Decimal(25004048)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    assert halland[3:6] == [10528000, 10528000, 25004048]
    assert Decimal(str(halland[6])) == share
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    assert "<td>Region Halland</td>" in page and f"10{THIN}528{THIN}000 kr" in page
    assert f"{str(share).replace('.', ',')}\u00a0%" in page


def test_html_is_self_contained_with_inline_svg(report):
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    assert page.count("<svg") == 9  # six measures + three split charts (per month, per measure, per region)
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)\s*=\s*"https?://', page)
    assert "<?xml" not in page  # SVG inline, not a file pasted in
    # Swedish for people: months by name, no rule identifiers
    assert "januari" in page and "december" in page
    for rid in ("monthly_previous_year", "performed_home", "national_monthly", "payout"):
        assert rid not in page.replace("sha256", "")
    assert "illustrativt värde" in page


def test_two_runs_are_byte_identical(report, tmp_path):
    villkor("report", POLICY, "--data", DATA, "-o", tmp_path, cwd=ROOT, check=True)
    for ext in ("html", "xlsx"):
        assert (tmp_path / f"{NAME}.{ext}").read_bytes() == (report / f"{NAME}.{ext}").read_bytes()


def test_interim_report_compares_the_same_months(tmp_path):
    proc = villkor("report", POLICY, "--data", DATA, "--up-to-month", "3", "-o", tmp_path, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    xlsx = tmp_path / f"{NAME}-tom-03.xlsx"
    regions = sheet_rows(xlsx, "Regioner")
    got = next(r for r in regions if r[0] == "Region Gotland" and r[1] == "Grå starr")  # legal name
    q1 = range(1, 4)
    assert got[2] == total(home_region="Gotland", measure="cataract", year=2026, months=q1)
    assert got[3] == total(home_region="Gotland", measure="cataract", year=2025, months=q1)
    base = Decimal(sum(total(home_region="Gotland", measure="cataract", year=y, months=q1)
                       for y in (2023, 2024, 2025))) / 3
    assert abs(Decimal(str(got[5])) - base) < Decimal("1e-9")
    national = sheet_rows(xlsx, "Riket Grå starr")
    assert [r[0] for r in national[1:]] == ["januari", "februari", "mars", "Summa"]
    page = (tmp_path / f"{NAME}-tom-03.html").read_text(encoding="utf-8")
    assert "Underlag till och med mars 2026" in page and "januari–mars" in page


def test_month_out_of_range_is_a_usage_error(tmp_path):
    proc = villkor("report", POLICY, "--data", DATA, "--up-to-month", "13", "-o", tmp_path / "out", cwd=ROOT)
    assert proc.returncode == 2 and "--up-to-month" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_policy_without_followup_rules_is_refused(tmp_path):
    out = tmp_path / "out"
    proc = villkor("report", "policies/2026_capacity.yaml", "--data", DATA, "-o", out, cwd=ROOT)
    assert proc.returncode == 1
    assert "policies/2026_capacity.yaml" in proc.stderr and "'monthly'" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_rendered_page_shows_key_figures(report):
    jan = total(measure="cataract", year=2026, month=1)
    proc = subprocess.run(["chromium", "--headless", "--disable-gpu", "--no-sandbox", "--dump-dom",
                           (report / f"{NAME}.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert swedish(jan) in proc.stdout and "Grå starr" in proc.stdout


def test_split_per_month_nationally_and_previous_year(report):
    def split(year, month):
        home = other = private = 0
        for r in rows():
            if r["year"] != str(year) or r["month"] != str(month):
                continue
            n = int(r["count"])
            if r["provider"] == "private":
                private += n
            elif r["performing_region"] == r["home_region"]:
                home += n
            else:
                other += n
        return [home, other, private]

    table = sheet_rows(report / f"{NAME}.xlsx", "Utförare per månad")
    assert table[0][1] == "I hemregionen, 2026" and table[0][4] == "I hemregionen, 2025"
    assert table[1] == ["januari", *split(2026, 1), *split(2025, 1)]
    assert table[10] == ["oktober", *split(2026, 10), *split(2025, 10)]
    assert table[11][0] == "Summa" and len(table) == 12  # the measurement period: January–October
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    jan = split(2026, 1)
    assert f'<tr><td>januari</td><td class="num">{swedish(jan[0])}</td><td class="num">{swedish(jan[1])}</td>' in page


def test_bad_data_names_the_file_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    text = (ROOT / DATA / "procedures.csv").read_text(encoding="utf-8").splitlines()
    text[5] = text[5].replace("Stockholm,", "Stockholms län,", 1)
    (data / "procedures.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = villkor("report", ROOT / POLICY, "--data", data, "-o", out)
    assert proc.returncode == 1
    assert "procedures.csv" in proc.stderr and "Stockholms län" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_payout_needing_an_absent_optional_input_is_shown_as_not_computed(tmp_path):
    # A payout that waits for requisitions (as P-12 reads it), from an optional input that this
    # data folder does not have: the follow-up figures are still reported, the payout is "–".
    policy = tmp_path / "with_requisitions.yaml"
    policy.write_text(f"""\
policy: with_requisitions
title: Prestationsbaserade medel med rekvisition
version: "test"
valid: {{from: 2026-01-01, to: 2027-03-31}}
extends: {ROOT / POLICY}
inputs:
  requisitions:
    title: Rekvisitioner
    optional: true
    unique: true
    by: {{region: region}}
    columns:
      region: {{type: region}}
      received_on: {{type: date}}
rules:
  payout:
    title: Utbetalning efter rekvisition
    per: [region]
    expr: if count(requisitions) > 0 then min(compensation, cap) else 0
    unit: kr
    source: {{ref: beslut}}
""", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "procedures.csv").write_bytes((ROOT / DATA / "procedures.csv").read_bytes())
    out = tmp_path / "out"
    proc = villkor("report", policy, "--data", data, "-o", out)
    assert proc.returncode == 0, proc.stderr
    table = sheet_rows(out / "with_requisitions-uppfoljning.xlsx", "Måluppfyllelse")
    gotland = next(r for r in table if r[0] == "Region Gotland")  # the legal name, inherited
    assert gotland[3:] == [12019000, None, 4795726, None]
    page = (out / "with_requisitions-uppfoljning.html").read_text(encoding="utf-8")
    assert "”Utbetalning efter rekvisition” beräknas inte: valfri indata saknas (”Rekvisitioner”)." in page
    jan = total(measure="cataract", year=2026, month=1)
    assert f'<tr><td>januari</td><td class="num">{swedish(jan)}</td>' in page


def test_heading_names_the_year_once_and_the_rules_by_version(report):
    # The policy's title already ends with the measurement year: the heading must not repeat it.
    page = (report / f"{NAME}.html").read_text(encoding="utf-8")
    heading = "Uppföljning: Prestationsbaserade medel för att korta vårdköerna 2026"
    assert f"<h1>{heading}</h1>" in page and f"<title>{heading}</title>" in page
    assert "Uppföljning 2026:" not in page
    assert "· Regelverk, version 2026.1</p>" in page
    assert "Policy" not in page
    about = sheet_rows(report / f"{NAME}.xlsx", "Om rapporten")
    assert [r[0] for r in about][:6] == ["Uppföljning", "Underlag till och med", "Mätperiod", "Jämförelseår",
                                         "Regelverk", "Regelverk, sha256"]


def test_heading_without_the_year_in_the_title_names_it_after_the_word():
    from evaluator.report.followup import followup_title

    assert followup_title(2026, "Prestationsbaserade medel") == "Uppföljning 2026: Prestationsbaserade medel"
