"""Everyday outputs of `villkor run`, through the real command line on examples/2026: the
terminal summary (on a real pseudo-terminal), CSV for Swedish Excel, the readable rounding of
fractions, Swedish warnings in the reports people read, and the XLSX overview sheet."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys

import pytest

from support import ROOT, villkor

PERF = "policies/2026_performance.yaml"
DATA = "examples/2026"
T = "\u2009"  # thin space between digit groups
UPPSALA_CAP = 28007085  # the policy's cap for Uppsala (bilaga 2), reached in the example data


def uppsala_knee_baseline_numerator() -> int:
    """Σ count of Uppsala's knee prostheses, January–October 2023–2025, read from the CSV by hand."""
    with open(ROOT / DATA / "procedures.csv", encoding="utf-8") as fh:
        return sum(int(r["count"]) for r in csv.DictReader(fh)
                   if r["home_region"] == "Uppsala" and r["measure"] == "knee_prosthesis"
                   and r["year"] in ("2023", "2024", "2025") and 1 <= int(r["month"]) <= 10)


def on_terminal(*args) -> tuple[int, str, str]:
    """Run villkor with its standard output on a pseudo-terminal; (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "evaluator.cli", *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=300)
    return proc.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), err


# ------------------------------------------------------------------ the terminal summary

def test_run_on_a_terminal_prints_a_swedish_summary():
    document = json.loads(villkor("run", PERF, "--data", DATA, cwd=ROOT, check=True).stdout)
    code, out, err = on_terminal("run", PERF, "--data", DATA)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Prestationsbaserade medel för att korta vårdköerna 2026"
    assert lines[1].startswith("version 2026.1")
    assert not out.lstrip().startswith("{")
    # per-region amounts: Uppsala reaches its cap; the national row is the exact sum of the regions
    uppsala = next(line for line in lines if line.startswith("Region Uppsala "))  # its legal name (label)
    assert f"28{T}007{T}085 kr" in uppsala
    payout_total = sum(r["value"] for r in document["outputs"]["payout"])
    riket = next(line for line in lines if line.startswith("Riket "))
    assert f"{payout_total:,}".replace(",", T) + " kr" in riket
    assert "(2) Belopp som regionen kan rekvirera, högst taket i bilaga 2 (P-8, P-12)" in out
    assert "Summan av taken i bilaga 2 (P-11)" in out and f"750{T}000{T}000 kr" in out  # national
    assert "3 varningar:" in out
    assert "Parametern ”Sista dag för rekvisition (P-10)” är ett illustrativt värde" in out
    assert "--format json" in out
    assert err == ""  # the warnings are in the summary, in Swedish, not repeated in English


def test_piped_and_o_stay_json_exactly():
    piped = villkor("run", PERF, "--data", DATA, cwd=ROOT, check=True).stdout
    explicit = villkor("run", PERF, "--data", DATA, "--format", "json", cwd=ROOT, check=True).stdout
    assert piped == explicit and json.loads(piped)["policy"]["version"] == "2026.1"


def test_o_on_a_terminal_writes_json(tmp_path):
    target = tmp_path / "out.json"
    code, out, err = on_terminal("run", PERF, "--data", DATA, "-o", str(target))
    assert code == 0 and out == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    assert {"region": "Uppsala", "value": UPPSALA_CAP} in document["outputs"]["payout"]
    assert "warning: parameter 'requisition_deadline' is illustrative" in err


def test_xlsx_on_a_terminal_without_o_is_refused():
    code, out, err = on_terminal("run", PERF, "--data", DATA, "--format", "xlsx")
    assert code == 2 and out == ""
    assert "xlsx is binary: write it to a file with -o PATH" in err and "Traceback" not in err


# ------------------------------------------------------------------ CSV for Swedish Excel

def test_csv_sv_reads_back_with_the_csv_module(tmp_path):
    target = tmp_path / "ut.csv"
    villkor("run", PERF, "--data", DATA, "--format", "csv-sv", "-o", target, cwd=ROOT, check=True)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    assert header[0] == "regel" and header[-1] == "värde" and {"region", "measure"} <= set(header)
    r, m = header.index("region"), header.index("measure")
    baseline = next(row for row in rows if row[0] == "baseline" and row[r] == "Uppsala"
                    and row[m] == "knee_prosthesis")
    numerator = uppsala_knee_baseline_numerator()
    assert numerator == 1310  # 1310 / 3 = 436,666…
    # every digit the engine computed (34 significant), with a decimal comma, not rounded
    assert baseline[-1] == "436,6666666666666666666666666666667"
    assert next(row for row in rows if row[0] == "payout" and row[r] == "Uppsala")[-1] == str(UPPSALA_CAP)
    assert next(row for row in rows if row[0] == "cap_reached" and row[r] == "Uppsala")[-1] == "ja"
    assert next(row for row in rows if row[0] == "no_requisition" and row[r] == "Uppsala")[-1] == "nej"
    hip = next(row for row in rows if row[0] == "rate" and row[m] == "hip_prosthesis")
    assert hip[-1] == "94000"  # 90 000 kr approximate cost + 4 000 kr travel supplement


def test_csv_sv_reads_back_with_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    target = tmp_path / "ut.csv"
    villkor("run", PERF, "--data", DATA, "--format", "csv-sv", "--outputs", "baseline,payout", "-o", target,
            cwd=ROOT, check=True)
    frame = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(frame.columns) == ["regel", "region", "measure", "värde"]
    assert frame["värde"].dtype.kind == "f"  # every value was read as a number
    knee = frame[(frame.regel == "baseline") & (frame.region == "Uppsala") & (frame.measure == "knee_prosthesis")]
    assert knee["värde"].iloc[0] == pytest.approx(1310 / 3, rel=1e-15)
    assert frame[(frame.regel == "payout") & (frame.region == "Uppsala")]["värde"].iloc[0] == UPPSALA_CAP


# ------------------------------------------------------------------ fractions and warnings for people

def test_markdown_rounds_a_fraction_to_two_places_and_json_keeps_every_digit():
    md = villkor("run", PERF, "--data", DATA, "--format", "md", cwd=ROOT, check=True).stdout
    document = json.loads(villkor("run", PERF, "--data", DATA, cwd=ROOT, check=True).stdout)
    # 1310 / 3 = 436,666… is shown as 436,67 with the fraction beside it in the pivoted baseline
    # table (Uppsala's row)
    start = md.index("## Jämförelsetal")
    uppsala = next(line for line in md[start:].splitlines() if line.startswith("| Region Uppsala |"))
    assert "| 436,67 (1\u2009310/3) |" in uppsala
    assert {"region": "Uppsala", "measure": "knee_prosthesis", "value": "436.6666666666666666666666666666667"} \
        in document["outputs"]["baseline"]


def test_warnings_are_swedish_in_reports_and_unchanged_in_json():
    md = villkor("run", PERF, "--data", DATA, "--format", "md", cwd=ROOT, check=True).stdout
    html = villkor("run", PERF, "--data", DATA, "--format", "html", cwd=ROOT, check=True).stdout
    document = json.loads(villkor("run", PERF, "--data", DATA, cwd=ROOT, check=True).stdout)
    sv = ("Parametern ”Ungefärlig kostnad per åtgärd, exklusive resetillägget på 4 000 kr (P-6)” "
          "är ett illustrativt värde, inte en officiell uppgift: Socialstyrelsen bestämmer den ungefärliga kostnaden per åtgärd")
    assert f"- {sv}" in md and "is illustrative, not an official" not in md
    assert sv in html and "is illustrative, not an official" not in html
    assert document["warnings"][1].startswith(
        "parameter 'approximate_cost_excl_supplement' is illustrative, not an official figure: ")
    assert len(document["warnings"]) == 3


# ------------------------------------------------------------------ XLSX: overview, sheet names, diff

def test_xlsx_overview_and_swedish_sheet_names(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    villkor("run", PERF, "--data", DATA, "--format", "xlsx", "-o", first, cwd=ROOT, check=True)
    document = json.loads(villkor("run", PERF, "--data", DATA, cwd=ROOT, check=True).stdout)
    wb = openpyxl.load_workbook(first)
    names = wb.sheetnames
    assert names[:2] == ["Om körningen", "Översikt"]
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)
    assert "Taket nått (P-8)" in names and "Brist – ingen rekvisition" in names
    assert not set(document["outputs"]) & set(names)  # every output here has a title: no rule ids
    overview = [list(r) for r in wb["Översikt"].iter_rows(values_only=True)]
    header = overview[0]
    assert header[0] == "region" and "Taket nått (P-8)" in header
    payout = header.index("Belopp som regionen kan rekvirera, högst taket i bilaga 2 (P-8, P-12)")
    uppsala = next(r for r in overview if r[0] == "Region Uppsala")  # the region's legal name (label)
    assert uppsala[payout] == UPPSALA_CAP and uppsala[header.index("Taket nått (P-8)")] is True
    assert len(overview) == 1 + 21 + 1 and overview[-1][0] == "Riket"
    assert overview[-1][payout] == sum(r["value"] for r in document["outputs"]["payout"])
    assert overview[-1][header.index("Taket nått (P-8)")] is None  # no total for a yes/no
    ws = wb["Översikt"]
    assert ws.cell(3, payout + 1).number_format == '#,##0 "kr"' and ws["A1"].font.b and ws.freeze_panes == "A2"
    # the about sheet says which sheet holds which output, and gives the warnings in Swedish
    about = [list(r) for r in wb["Om körningen"].iter_rows(values_only=True)]
    texts = [c for r in about for c in r if isinstance(c, str)]
    assert any(t.startswith("Parametern ”Sista dag för rekvisition (P-10)” är ett illustrativt värde, inte en "
                            "officiell uppgift: ") for t in texts)
    assert not any("is illustrative, not an official" in t for t in texts)
    assert ["payout", "Belopp som regionen kan", "Belopp som regionen kan rekvirera, högst taket i bilaga 2 "
            "(P-8, P-12)"] in [r[:3] for r in about]
    import time
    time.sleep(2.1)  # zip entries are dated to 2 s: a clock in the file would show
    villkor("run", PERF, "--data", DATA, "--format", "xlsx", "-o", second, cwd=ROOT, check=True)
    assert first.read_bytes() == second.read_bytes()


def test_diff_xlsx_is_formatted_like_the_run_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    run, diff = tmp_path / "run.xlsx", tmp_path / "diff.xlsx"
    villkor("run", PERF, "--data", DATA, "--format", "xlsx", "-o", run, cwd=ROOT, check=True)
    villkor("diff", PERF, "examples/2027_draft/2027_performance.yaml", "--data", DATA, "--format", "xlsx",
            "-o", diff, cwd=ROOT, check=True)
    changed = openpyxl.load_workbook(diff)["payout"]
    ran = openpyxl.load_workbook(run)["Belopp som regionen kan"]
    assert [c.value for c in changed[1]][:4] == ["region", "gammal", "ny", "skillnad"]
    stockholm = list(changed[2])
    assert stockholm[0].value == "Stockholm" and stockholm[1].value == 161423243
    for sheet in (changed, ran):
        assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    # the run's sheet has the legal name in column B ("region (benämning)"), the amount in C
    assert [c.number_format for c in stockholm[1:4]] == [ran["C2"].number_format] * 3 == ['#,##0 "kr"'] * 3
    assert changed.column_dimensions["A"].width == ran.column_dimensions["A"].width  # longest: Västra Götaland
    changes = openpyxl.load_workbook(diff)["Ändringar"]
    assert changes["A2"].font.b and changes.freeze_panes == "A3"


def test_outputs_not_computed_are_named_in_swedish_by_their_titles(tmp_path):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(ROOT / DATA, data, ignore=shutil.ignore_patterns("followup.csv", "README.md"))
    args = ("run", "policies/2026_capacity.yaml", "--data", data)
    md = villkor(*args, "--format", "md", cwd=ROOT, check=True).stdout
    assert ("- ”Återbetalning (C-7, C-8)” beräknas inte: valfri indata saknas "
            "(”Återrapportering 2027, en rad per region”).") in md
    assert "not computed" not in md
    document = json.loads(villkor(*args, cwd=ROOT, check=True).stdout)
    assert "rule 'repayment' not computed: optional input followup is absent" in document["warnings"]
