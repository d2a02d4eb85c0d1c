"""The data reader's warnings as people read them: Swedish in the Markdown report, the XLSX sheet
"Om körningen", the explanation and the follow-up report; the JSON `warnings` list keeps the
English text. Each case copies examples/2026 to a temporary folder and alters it so that the
real `villkor run` gives one kind of warning; the expected texts are written out here."""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook

from support import ROOT, villkor

POLICY = ROOT / "policies" / "2026_performance.yaml"
CAPACITY = ROOT / "policies" / "2026_capacity.yaml"


def _drop_count(data, tmp_path):
    """`count` declared optional in a copy of the policy, and left out of procedures.csv."""
    text = POLICY.read_text(encoding="utf-8")
    old = "count: {type: int, title: Antal (1 för en rad per åtgärd), default: 1,"
    assert old in text
    (tmp_path / "optional_count.yaml").write_text(text.replace(old, old + " optional: true,"), encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    lines = (data / "procedures.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "home_region,performing_region,provider,measure,year,month,count"
    (data / "procedures.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n",
                                         encoding="utf-8")
    return tmp_path / "optional_count.yaml"


def _optional_in_followup(column, declared):
    """`column` of the capacity grant's followup declared optional in a copy of the policy, and
    left out of followup.csv."""
    def alter(data, tmp_path):
        text = CAPACITY.read_text(encoding="utf-8")
        assert declared in text
        (tmp_path / "optional.yaml").write_text(text.replace(declared, declared + ", optional: true"),
                                                encoding="utf-8")
        (tmp_path / "seeds").mkdir()
        lines = (data / "followup.csv").read_text(encoding="utf-8").splitlines()
        drop = lines[0].split(",").index(column)
        (data / "followup.csv").write_text(
            "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines) + "\n",
            encoding="utf-8")
        return tmp_path / "optional.yaml"
    return alter


def _one_extra_column(data, tmp_path):
    (data / "performance_requisitions.csv").write_text(
        "region,received_on,kommentar\nStockholm,2026-11-02,inkom med post\nUppsala,2026-11-03,\n",
        encoding="utf-8")
    return POLICY


def _two_extra_columns(data, tmp_path):
    (data / "performance_requisitions.csv").write_text(
        "region,received_on,kommentar,handläggare\nStockholm,2026-11-02,,AB\n", encoding="utf-8")
    return POLICY


def _no_file(data, tmp_path):
    (data / "performance_requisitions.csv").unlink()
    return POLICY


def _outside_validity(data, tmp_path):
    (data / "performance_requisitions.csv").write_text(
        "region,received_on\nStockholm,2024-11-02\nUppsala,2024-11-20\n", encoding="utf-8")
    return POLICY


CASES = {
    "optional_column": (
        _drop_count,
        "data/procedures.csv: optional column 'count' is not in the file; its default 1 is used on every row",
        "Filen ”data/procedures.csv” saknar den valfria kolumnen ”Antal (1 för en rad per åtgärd)”. "
        "Standardvärdet 1 används på alla rader."),
    "optional_yes_no_column": (
        _optional_in_followup("results_report", "results_report: {type: bool, title: Resultat av insatserna "
                                                "redovisade, default: false"),
        "data/followup.csv: optional column 'results_report' is not in the file; its default false is used on "
        "every row",
        "Filen ”data/followup.csv” saknar den valfria kolumnen ”Resultat av insatserna redovisade”. "
        "Standardvärdet ”nej” används på alla rader."),
    "optional_money_column": (
        _optional_in_followup("documented", "documented: {type: money, title: Varav styrkt med underlag, "
                                            "default: 0"),
        "data/followup.csv: optional column 'documented' is not in the file; its default 0 is used on every row",
        "Filen ”data/followup.csv” saknar den valfria kolumnen ”Varav styrkt med underlag”. "
        "Standardvärdet 0 kr används på alla rader."),
    "extra_column": (
        _one_extra_column,
        "data/performance_requisitions.csv: column kommentar not declared for input 'performance_requisitions', "
        "ignored",
        "Filen ”data/performance_requisitions.csv” innehåller kolumnen ”kommentar”, som inte ingår i "
        "”Rekvisitioner av prestationsbaserade medel, en rad per region som rekvirerat”. "
        "Kolumnen har inte lästs in."),
    "extra_columns": (
        _two_extra_columns,
        "data/performance_requisitions.csv: columns kommentar, handläggare not declared for input "
        "'performance_requisitions', ignored",
        "Filen ”data/performance_requisitions.csv” innehåller kolumnerna ”kommentar” och ”handläggare”, som "
        "inte ingår i ”Rekvisitioner av prestationsbaserade medel, en rad per region som rekvirerat”. "
        "Kolumnerna har inte lästs in."),
    "no_file": (
        _no_file,
        "data: optional input 'performance_requisitions' has no file (performance_requisitions.csv, "
        "performance_requisitions.parquet, performance_requisitions.xlsx); rules see it as absent",
        "Mappen ”data” har ingen fil med ”Rekvisitioner av prestationsbaserade medel, en rad per region som "
        "rekvirerat” (performance_requisitions.csv, performance_requisitions.parquet eller "
        "performance_requisitions.xlsx). Underlaget är valfritt; beräkningen görs utan det."),
    "outside_validity": (
        _outside_validity,
        "data/performance_requisitions.csv: the data's dates run from 2024-11-02 to 2024-11-20, outside the "
        "policy's validity 2026-01-01 to 2027-03-31; is this the policy for the data's year?",
        "Uppgifterna i filen ”data/performance_requisitions.csv” avser 2024-11-02 – 2024-11-20, utanför "
        "regelverkets giltighetstid 2026-01-01 – 2027-03-31. Kontrollera att regelverket gäller för samma år som "
        "uppgifterna."),
}


def _altered(tmp_path, case):
    shutil.copytree(ROOT / "examples" / "2026", tmp_path / "data")
    return CASES[case][0](tmp_path / "data", tmp_path)


def _cells(path, sheet):
    return [list(row) for row in load_workbook(path)[sheet].iter_rows(values_only=True)]


@pytest.mark.parametrize("case", CASES)
def test_markdown_and_xlsx_show_the_warning_in_swedish_and_json_keeps_english(tmp_path, case):
    _, english, swedish = CASES[case]
    policy = _altered(tmp_path, case)

    proc = villkor("run", policy, "--data", "data", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert english in warnings
    assert swedish not in warnings
    assert f"warning: {english}\n" in proc.stderr  # the diagnostics on stderr stay as they were

    md = villkor("run", policy, "--data", "data", "--format", "md", cwd=tmp_path)
    assert md.returncode == 0, md.stderr
    listed = md.stdout.split("## Varningar\n\n", 1)[1].split("\n\n", 1)[0].split("\n")
    assert f"- {swedish}" in listed
    assert english not in md.stdout

    proc = villkor("run", policy, "--data", "data", "--format", "xlsx", "-o", tmp_path / "run.xlsx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _cells(tmp_path / "run.xlsx", "Om körningen")
    start = next(i for i, row in enumerate(rows) if row[0] == "Varningar")
    end = next(i for i, row in enumerate(rows) if row[0] == "Kontroller")
    assert [None, swedish] in [row[:2] for row in rows[start + 1:end]]
    assert not any(english in str(cell) for row in rows for cell in row)


def test_explanation_and_followup_show_the_data_warning_in_swedish(tmp_path):
    _, english, swedish = CASES["no_file"]
    policy = _altered(tmp_path, "no_file")

    proc = villkor("explain", policy, "--data", "data", "--rule", "payout", "--where", "region=Uppsala",
                   "--depth", "1", "--format", "md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    escaped = swedish.replace("_", "\\_")  # Markdown escapes what it would read as emphasis
    assert f"> **Varning:** {escaped}\n\n> **Varning:** Parametern ”Datakälla per åtgärd (P-2)” är" in proc.stdout

    proc = villkor("explain", policy, "--data", "data", "--rule", "payout", "--where", "region=Uppsala",
                   "--depth", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"varning: {swedish}\n" in proc.stdout and english not in proc.stdout

    proc = villkor("report", policy, "--data", "data", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "out" / "2026_performance-uppfoljning.html").read_text(encoding="utf-8")
    assert f"<strong>Observera:</strong> {swedish}</p>" in page
    about = _cells(tmp_path / "out" / "2026_performance-uppfoljning.xlsx", "Om rapporten")
    assert ["Observera", swedish] in [row[:2] for row in about]
    assert english not in page


def test_a_table_given_in_memory_is_named_by_its_title():
    """Through the library: the same warnings for pandas tables name the table, not a file."""
    import datetime as dt

    import pandas as pd

    from evaluator import api

    policy = api.load(str(POLICY))
    requisitions = pd.DataFrame({"region": ["Stockholm", "Uppsala"],
                                 "received_on": [dt.date(2024, 11, 2), dt.date(2024, 11, 20)],
                                 "kommentar": ["inkom med post", ""]})
    procedures = pd.read_csv(ROOT / "examples" / "2026" / "procedures.csv")
    result = policy.evaluate(policy.read_tables({"procedures": procedures, "performance_requisitions": requisitions}))
    assert result.warnings[:2] == [
        "table 'performance_requisitions': column kommentar not declared for input 'performance_requisitions', "
        "ignored",
        "table 'performance_requisitions': the data's dates run from 2024-11-02 to 2024-11-20, outside the "
        "policy's validity 2026-01-01 to 2027-03-31; is this the policy for the data's year?"]
    md = result.render("md").decode("utf-8")
    assert ("- Tabellen ”Rekvisitioner av prestationsbaserade medel, en rad per region som rekvirerat” innehåller "
            "kolumnen ”kommentar”, som regelverket inte beskriver. Kolumnen har inte lästs in.\n") in md
    assert ("- Uppgifterna i tabellen ”Rekvisitioner av prestationsbaserade medel, en rad per region som "
            "rekvirerat” avser 2024-11-02 – 2024-11-20, utanför regelverkets giltighetstid 2026-01-01 – 2027-03-31. "
            "Kontrollera att regelverket gäller för samma år som uppgifterna.\n") in md
