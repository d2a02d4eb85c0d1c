"""`villkor lint`: one test per finding code, with the exact place (file:line:col) it points at.

tests/policies_diff/base.yaml is a clean policy (every rule cited, explained, every parameter
used, nothing illustrative): each test changes one thing in a copy of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from support import ROOT, villkor, write

BASE = (ROOT / "tests" / "policies_diff" / "base.yaml").read_text(encoding="utf-8")


def lint(tmp_path, text, *flags, name="p.yaml"):
    path = write(tmp_path / name, text)
    proc = villkor("lint", path, *flags)
    return path, proc


def place(path: Path, needle: str, column_of: str | None = None) -> str:
    """file:line:col of the first line containing `needle` (col of `column_of`, else the key)."""
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            col = line.index(column_of) + 1 if column_of else len(line) - len(line.lstrip()) + 1
            return f"{path}:{no}:{col}"
    raise AssertionError(f"{needle!r} not in {path}")


def test_clean_policy_has_no_findings(tmp_path):
    path, proc = lint(tmp_path, BASE, "--strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip() == "0 errors, 0 warnings"


def test_vk101_rule_without_source(tmp_path):
    text = BASE.replace("    unit: kr\n    source: {ref: doc}\n    explain: \"{region}: {value}\"\n  capped:",
                        "    unit: kr\n    explain: \"{region}: {value}\"\n  capped:")
    path, proc = lint(tmp_path, text)
    assert proc.returncode == 0  # a warning
    assert proc.stdout.splitlines() == [
        f"{place(path, '  payout:')}: VK101 warning: rule 'payout' cites no source (add source: {{ref: …}})"]
    assert villkor("lint", "--strict", path).returncode == 1


# One change to the clean policy, the line the finding points at, and the finding as printed.
ONE_FINDING = {
    "vk102 parameter never used": (
        "parameters:\n", "parameters:\n  spare: {value: 5, source: {ref: doc}}\n", "spare:",
        "VK102 warning: parameter 'spare' is never used by a rule, check or explanation"),
    "vk103 illustrative parameter": (
        "    value: {x: 100, y: 200}\n", "    value: {x: 100, y: 200}\n    status: illustrative\n", "tariff:",
        "VK103 warning: parameter 'tariff' is illustrative, not an official figure"),
    "vk104 output without explanation": (
        '    source: {ref: doc}\n    explain: "{region}: {value}"\noutputs', "    source: {ref: doc}\noutputs",
        "  capped:", "VK104 warning: output 'capped' has no explanation template (explain:)"),
    "vk106 incomplete table": (
        "    value: {North: 1000, South: 4000}\n", "    value: {North: 1000}\n    complete: false\n", "cap:",
        "VK106 warning: parameter 'cap' (complete: false) has no value for South"),
}


@pytest.mark.parametrize("old, new, at, finding", ONE_FINDING.values(), ids=ONE_FINDING.keys())
def test_one_change_gives_one_finding_at_its_place(tmp_path, old, new, at, finding):
    assert old in BASE
    path, proc = lint(tmp_path, BASE.replace(old, new))
    assert proc.returncode == 0  # warnings only
    assert proc.stdout.splitlines() == [f"{place(path, at)}: {finding}"]


def test_vk102_a_parameter_shown_in_an_explanation_is_used(tmp_path):
    text = BASE.replace("parameters:\n", "parameters:\n  spare: {value: 5, source: {ref: doc}}\n")
    text = text.replace('explain: "{region}: {value}"\n  compensation:',
                        'explain: "{region}: {value} ({spare})"\n  compensation:')
    path, proc = lint(tmp_path, text, "--strict")
    assert proc.returncode == 0, proc.stdout




def test_vk105_deadline_before_the_validity_window(tmp_path):
    text = BASE.replace("parameters:\n", "parameters:\n  deadline: {value: 2025-03-16, source: {ref: doc}}\n")
    text = text.replace("expr: compensation >= cap", "expr: compensation >= cap and deadline < date(\"2027-01-01\")")
    path, proc = lint(tmp_path, text)
    assert proc.stdout.splitlines() == [
        f"{place(path, 'deadline:')}: VK105 warning: date 'deadline' = 2025-03-16 is before the validity window "
        "2026-01-01 – 2026-12-31 (left from an earlier year?)"]


def test_vk105_year_outside_the_window_and_overlapping_baseline(tmp_path):
    text = BASE.replace("measurement_year: {value: 2026,", "measurement_year: {value: 2027,")
    text = text.replace("parameters:\n",
                        "parameters:\n  baseline_years: {value: [2025, 2026, 2027], unit: year, source: {ref: doc}}\n")
    text = text.replace("year = measurement_year]", "year = measurement_year or year in baseline_years]")
    path, proc = lint(tmp_path, text)
    assert proc.stdout.splitlines() == [
        f"{place(path, 'baseline_years:')}: VK105 warning: 'baseline_years' = [2025, 2026, 2027] includes 2027, "
        "the value of 'measurement_year'",
        f"{place(path, 'measurement_year:')}: VK105 warning: year 'measurement_year' = 2027 is outside the years "
        "of the validity window 2026-01-01 – 2026-12-31",
    ]


def test_vk105_on_a_2027_draft_with_stale_dates(tmp_path):
    """The worked example, done wrong: the terms deadline left at 2026, the baseline moved one
    year too far (it now includes the measurement year)."""
    draft = (ROOT / "examples" / "2027_draft" / "2027_performance.yaml").read_text(encoding="utf-8")
    parent = os.path.relpath(ROOT / "policies" / "2026_performance.yaml", tmp_path)
    draft = draft.replace("extends: ../../policies/2026_performance.yaml", f"extends: {parent}")
    draft = draft.replace("value: 2027-02-28", "value: 2026-02-28").replace("[2024, 2025, 2026]", "[2025, 2026, 2027]")
    path, proc = lint(tmp_path, draft, name="2027_performance.yaml")
    vk105 = [line for line in proc.stdout.splitlines() if "VK105" in line]
    assert vk105 == [
        f"{place(path, '  baseline_years:')}: VK105 warning: 'baseline_years' = [2025, 2026, 2027] includes 2027, "
        "the value of 'measurement_year'",
        f"{place(path, 'terms_deadline:')}: VK105 warning: date 'terms_deadline' = 2026-02-28 is before the "
        "validity window 2027-01-01 – 2028-03-31 (left from an earlier year?)",
    ]


def test_the_2027_draft_has_no_date_findings():
    proc = villkor("lint", ROOT / "examples" / "2027_draft" / "2027_performance.yaml")
    assert proc.returncode == 0, proc.stderr  # it validates: an error would exit 1
    assert "VK105" not in proc.stdout


def test_vk108_a_stale_year_in_a_title_names_the_parameter_that_holds_this_year(tmp_path):
    text = BASE.replace("  cap:\n    by: [region]", "  cap:\n    title: Tak per region 2025\n    by: [region]")
    path, proc = lint(tmp_path, text)
    assert proc.stdout.splitlines() == [
        f"{place(path, 'Tak per region 2025', column_of='Tak')}: VK108 warning: 'Tak per region 2025' names "
        "the year 2025, outside the validity window 2026-01-01 – 2026-12-31: use {measurement_year} (2026)"]


def test_vk108_reads_a_title_as_written_not_filled_in(tmp_path):
    """`{baseline_years}` fills in 2023, 2024 och 2025, outside the window, but nothing is written
    as digits; the parameter named only in a title is used (no VK102)."""
    text = BASE.replace("parameters:\n", "parameters:\n  baseline_years: {value: [2023, 2024, 2025], unit: year, "
                        "source: {ref: doc}}\n")
    text = text.replace("    title: Utförda\n", "    title: Utförda, jämfört med {baseline_years}\n")
    path, proc = lint(tmp_path, text, "--strict")
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout


def test_vk108_without_a_year_parameter_in_the_window(tmp_path):
    text = BASE.replace("title: Liten policy för diff", "title: Liten policy för diff 2026")
    text = text.replace("valid: {from: 2026-01-01, to: 2026-12-31}", "valid: {from: 2027-01-01, to: 2027-12-31}")
    path, proc = lint(tmp_path, text)
    vk108 = [line for line in proc.stdout.splitlines() if "VK108" in line]
    assert vk108 == [
        f"{place(path, 'title: Liten', column_of='Liten')}: VK108 warning: 'Liten policy för diff 2026' names the "
        "year 2026, outside the validity window 2027-01-01 – 2027-12-31: take it from a parameter, e.g. "
        "{measurement_year}"]



def test_vk107_division_by_a_value_that_can_be_zero(tmp_path):
    text = BASE.replace("outputs: [", "  total:\n    title: Totalt\n    expr: sum(compensation)\n    unit: kr\n"
                        "    source: {ref: doc}\n  share:\n    title: Andel\n    per: [region]\n"
                        "    expr: compensation / total\n    source: {ref: doc}\n"
                        "    explain: \"{region}: {value}\"\noutputs: [share, ")
    path, proc = lint(tmp_path, text)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        f"{place(path, 'expr: compensation / total', 'total')}: VK107 warning: rule 'share' divides by "
        "total, which can be zero; guard it with if total = 0 then … else …"]


def test_vk107_guarded_division_is_fine(tmp_path):
    text = BASE.replace("outputs: [", "  total:\n    title: Totalt\n    expr: sum(compensation)\n    unit: kr\n"
                        "    source: {ref: doc}\n  share:\n    title: Andel\n    per: [region]\n"
                        "    expr: if total = 0 then 0 else compensation / total\n"
                        "    source: {ref: doc}\n    explain: \"{region}: {value}\"\noutputs: [share, ")
    path, proc = lint(tmp_path, text, "--strict")
    assert proc.returncode == 0, proc.stdout


def test_vk107_division_by_a_zero_parameter_is_an_error(tmp_path):
    text = BASE.replace("parameters:\n", "parameters:\n  divisor: {value: 0, source: {ref: doc}}\n")
    text = text.replace("expr: sum(performed * tariff)", "expr: sum(performed * tariff) / divisor")
    path, proc = lint(tmp_path, text)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{place(path, 'expr: sum(performed * tariff) / divisor', 'divisor')}: VK107 error: rule 'compensation' "
        "divides by divisor, which is zero"]


def test_vk107_position_inside_a_block_expression(tmp_path):
    text = BASE.replace("    expr: sum(performed * tariff)\n",
                        "    expr: |-\n      sum(performed * tariff)\n        / count(performed)\n")
    path, proc = lint(tmp_path, text)
    assert proc.stdout.splitlines() == [
        f"{place(path, '/ count(performed)', 'count(performed)')}: VK107 warning: rule 'compensation' divides by "
        "count(performed), which can be zero; guard it with if count(performed) = 0 then … else …"]


def test_invalid_policy_gives_its_validate_error_and_others_are_still_linted(tmp_path):
    bad = write(tmp_path / "bad.yaml", BASE.replace("expr: min(compensation, cap)", "expr: min(compensaton, cap)"))
    good = write(tmp_path / "good.yaml", BASE)
    proc = villkor("lint", bad, good, "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    # the unknown name keeps its own code (VK011) and place, as validate gives them
    assert [(f["code"], f["severity"]) for f in doc["diagnostics"]] == [("VK011", "error")]
    assert doc["diagnostics"] == json.loads(villkor("validate", bad, "--format", "json").stdout)["diagnostics"]
    assert "compensaton" in doc["diagnostics"][0]["message"] and doc["diagnostics"][0]["file"] == str(bad)


def test_repo_policies_lint_without_errors():
    proc = villkor("lint", *sorted(ROOT.glob("policies/*.yaml")), ROOT / "examples" / "2027_draft" / "2027_performance.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " error" not in proc.stdout


def test_repo_policies_give_only_illustrative_findings():
    """The committed policies and the 2027 draft are clean except for their stand-in figures:
    every finding is VK103 (illustrative parameter), each naming a parameter that says so."""
    files = [*sorted(ROOT.glob("policies/*.yaml")), ROOT / "examples" / "2027_draft" / "2027_performance.yaml"]
    proc = villkor("lint", *files, "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] == 0 and doc["warnings"] == len(doc["diagnostics"]) > 0
    assert {f["code"] for f in doc["diagnostics"]} == {"VK103"}
    from evaluator.policy.build import load_policy
    for f in doc["diagnostics"]:
        pid = f["message"].split("'")[1]
        assert load_policy(f["file"]).parameters[pid].status == "illustrative", f
    # --strict turns those warnings into a failing exit code
    assert villkor("lint", "--strict", *files).returncode == 1


def test_strict_exit_codes(tmp_path):
    path, proc = lint(tmp_path, BASE.replace("    value: {x: 100, y: 200}\n",
                                             "    value: {x: 100, y: 200}\n    status: illustrative\n"))
    assert proc.returncode == 0 and proc.stderr.strip() == "0 errors, 1 warning"
    proc = villkor("lint", "--strict", path)
    assert proc.returncode == 1 and proc.stderr.strip() == "0 errors, 1 warning"
    assert villkor("lint", "--strict", write(tmp_path / "clean.yaml", BASE)).returncode == 0


def test_vk107_guarded_by_a_parameter_test_is_fine(tmp_path):
    """`if d = 0 then 0 else x / d` with d a parameter that can be zero: not flagged; the same
    division unguarded is."""
    text = BASE.replace("parameters:\n", "parameters:\n  divisor:\n    by: [region]\n    value: {North: 0, South: 2}\n"
                        "    source: {ref: doc}\n")
    guarded = text.replace("expr: sum(performed * tariff)",
                           "expr: if divisor = 0 then 0 else sum(performed * tariff) / divisor")
    path, proc = lint(tmp_path, guarded, "--strict")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == ""
    unguarded = text.replace("expr: sum(performed * tariff)", "expr: sum(performed * tariff) / divisor")
    path, proc = lint(tmp_path, unguarded, name="u.yaml")
    assert proc.stdout.splitlines() == [
        f"{place(path, 'expr: sum(performed * tariff) / divisor', 'divisor')}: VK107 warning: rule 'compensation' "
        "divides by divisor, which can be zero; guard it with if divisor = 0 then … else …"]
