"""`villkor test` and the pytest plugin, through the real command line and a real pytest run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import MINI_POLICY, ROOT, villkor as _villkor, write


def villkor(*args, **kw):
    """The real command; numbers are grouped with thin spaces, read here as plain spaces."""
    proc = _villkor(*args, **kw)
    proc.stdout = proc.stdout.replace("\u2009", " ")
    return proc

# Gotland: 3 hip procedures in 2026 month 1, no baseline -> eligible 3; rate hip 90 000 + 4 000
# = 94 000; compensation 3 × 94 000 = 282 000; cap 50 000 -> payout min(282 000, 50 000) = 50 000.
# Stockholm: 100 cataract (2026-03) + 5 (2026-04); baseline (60 + 61) / 3 = 40.33 -> eligible
# floor(105 − 40.33) = 64; compensation 64 × 14 000 = 896 000; cap 500 000 -> payout 500 000.
# Uppsala: nothing -> compensation 0, payout min(0, 100 000) = 0.
ROWS = """\
data:
  procedures:
    - {home_region: Gotland, performing_region: Gotland, provider: public, measure: hip, year: 2026, month: 1, count: 3}
    - {home_region: Stockholm, performing_region: Stockholm, provider: public, measure: cataract, year: 2026, month: 3, count: 100}
    - {home_region: Stockholm, performing_region: Uppsala, provider: private, measure: cataract, year: 2026, month: 4, count: 5}
    - {home_region: Stockholm, performing_region: Stockholm, provider: public, measure: cataract, year: 2023, month: 3, count: 60}
    - {home_region: Stockholm, performing_region: Stockholm, provider: public, measure: cataract, year: 2024, month: 3, count: 61}
"""


@pytest.fixture
def folder(tmp_path):
    write(tmp_path / "mini.yaml", MINI_POLICY)
    (tmp_path / "fx").mkdir()
    return tmp_path


def fixture_text(expect: str, description: str = "a case") -> str:
    return f"policy: ../mini.yaml\ndescription: {description}\n{ROWS}{expect}"


GOOD = "expect:\n  payout: {Gotland: 50000, Stockholm: 500000, Uppsala: 0}\n"


# ---------------------------------------------------------------- Part A: trust


def test_a_failing_case_shows_expected_actual_and_the_explanation(folder):
    write(folder / "fx" / "wrong.yaml", fixture_text("expect:\n  payout: {Gotland: 282000}\n"))
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    out = proc.stdout
    assert "FAIL" in out and "payout[region=Gotland]: expected 282 000, got 50 000" in out
    # the Swedish explanation of the actual value: the cap decided it
    assert "cap = 50 000 kr bestämmer värdet (lägre än compensation = 282 000 kr)" in out
    assert "0 passed, 1 failed" in out


def test_a_passing_folder(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "1 passed, 0 failed"


def test_a_misspelt_key_in_a_folder_fails_with_its_place(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    bad = fixture_text(GOOD).replace("expect:", "expected:")
    write(folder / "fx" / "typo.yaml", bad)
    line = bad.splitlines().index("expected:") + 1
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert f"typo.yaml:{line}:1:" in proc.stdout
    assert "1 passed, 1 failed" in proc.stdout


def test_no_fixtures_is_an_error(folder):
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert "no fixture files in" in proc.stderr and str(folder / "fx") in proc.stderr


def test_a_bom_fixture_is_read(folder):
    text = fixture_text("expect:\n  payout: {Gotland: 1}\n")
    (folder / "fx" / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert "payout[region=Gotland]: expected 1, got 50 000" in proc.stdout


def test_a_flow_style_fixture_is_read(folder):
    rows = [{"home_region": "Gotland", "performing_region": "Gotland", "provider": "public",
             "measure": "hip", "year": 2026, "month": 1, "count": 3}]
    doc = {"policy": "../mini.yaml", "data": {"procedures": rows}, "expect": {"payout": {"Gotland": 2}}}
    (folder / "fx" / "flow.yaml").write_text(json.dumps(doc), encoding="utf-8")
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert "payout[region=Gotland]: expected 2, got 50 000" in proc.stdout


def test_a_fixture_not_in_utf8_is_refused_with_its_place(folder):
    text = fixture_text(GOOD, description="Västra Götaland")
    (folder / "fx" / "latin1.yaml").write_bytes(text.encode("latin-1"))
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert "latin1.yaml:2: the file is not UTF-8 text" in proc.stdout


# ---------------------------------------------------------------- the pytest plugin


def run_pytest(project, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=project, capture_output=True, text=True, env=env, timeout=300)
    proc.stdout = proc.stdout.replace("\u2009", " ")
    return proc


def test_plugin_collects_nothing_unless_asked(folder):
    write(folder / "fx" / "wrong.yaml", fixture_text("expect:\n  payout: {Gotland: 1}\n"))
    write(folder / "pyproject.toml", "[tool.pytest.ini_options]\naddopts = \"\"\n")
    proc = run_pytest(folder)
    assert "no tests ran" in proc.stdout, proc.stdout


def test_plugin_collects_the_configured_folder(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    write(folder / "fx" / "wrong.yaml", fixture_text("expect:\n  payout: {Gotland: 1}\n"))
    write(folder / "fx" / "typo.yaml", fixture_text(GOOD).replace("expect:", "expected:"))
    text = fixture_text("expect:\n  payout: {Uppsala: 5}\n")
    (folder / "fx" / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "fx" / "latin1.yaml").write_bytes(fixture_text(GOOD, "Västerås").encode("latin-1"))
    write(folder / "pyproject.toml", '[tool.pytest.ini_options]\nvillkor_fixtures = ["fx"]\n')
    proc = run_pytest(folder, "-rA")
    assert proc.returncode == 1
    assert "4 failed, 1 passed" in proc.stdout, proc.stdout
    assert "payout[region=Gotland]: expected 1, got 50 000" in proc.stdout
    assert "payout[region=Uppsala]: expected 5, got 0" in proc.stdout
    assert "typo.yaml:" in proc.stdout and "latin1.yaml:2: the file is not UTF-8 text" in proc.stdout


def test_this_repository_collects_its_fixtures():
    proc = run_pytest(ROOT, "--collect-only", "tests/fixtures", "examples/2027_draft/fixtures")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    collected = [l for l in proc.stdout.splitlines() if "::" in l]
    files = {l.split("::")[0] for l in collected}
    assert "examples/2027_draft/fixtures/window_moved.yaml" in files
    assert "tests/fixtures/2026_capacity/c04_partial_requisition.yaml" in files


# ---------------------------------------------------------------- coverage

EXTRA_RULES = """\
  over:
    per: [region]
    expr: if payout > 100000 then payout - 100000 else 0
    unit: kr
    source: {ref: doc}
  flagged:
    per: [region]
    expr: payout >= cap or compensation = 0
    source: {ref: doc}
"""
COVERAGE_POLICY = MINI_POLICY.replace("outputs: [", EXTRA_RULES + "outputs: [over, flagged, ")

# Only Gotland has procedures: 3 hip in 2026 -> eligible 3, compensation 3 × 94 000 = 282 000,
# payout min(282 000, cap 50 000) = 50 000 (the cap decides); Stockholm and Uppsala: eligible
# max(0, 0) (a tie: both sides decide), compensation 0, payout min(0, cap) = 0 (compensation
# decides). over: payout > 100 000 nowhere -> only `else` taken. flagged: Gotland payout >= cap,
# the others compensation = 0 -> every region true, `none true` never. The check
# sum(payout) = 50 000 <= budget 1 000 000 only passes.
COVERAGE_FIXTURE = """\
policy: ../mini.yaml
description: Gotland only
data:
  procedures:
    - {home_region: Gotland, performing_region: Gotland, provider: public, measure: hip, year: 2026, month: 1, count: 3}
expect:
  payout: {Gotland: 50000, Stockholm: 0, Uppsala: 0}
  over: {Gotland: 0, Stockholm: 0, Uppsala: 0}
  flagged: {Gotland: true, Stockholm: true, Uppsala: true}
expect_decisive:
  payout: {Gotland: cap, Stockholm: compensation}
"""


@pytest.fixture
def covered(tmp_path):
    policy = write(tmp_path / "mini.yaml", COVERAGE_POLICY)
    write(tmp_path / "fx" / "gotland.yaml", COVERAGE_FIXTURE)
    return tmp_path, policy


def place(text: str, line_start: str, token: str) -> str:
    lines = text.splitlines()
    n = next(i for i, l in enumerate(lines) if l.startswith(line_start))
    return f"{n + 1}:{lines[n].index(token) + 1}"


def test_coverage_lists_exactly_the_uncovered_branches(covered):
    folder, policy = covered
    proc = villkor("test", folder / "fx", "--coverage", "--threshold", "80")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{policy}: rules 8/8 (100%), branches 8/11 (72%)" in proc.stdout
    over = place(COVERAGE_POLICY, "    expr: if payout", "if payout")
    flagged = place(COVERAGE_POLICY, "    expr: payout >= cap", "payout >= cap")
    check = place(COVERAGE_POLICY, "  within_budget:", "within_budget")
    err = proc.stderr.splitlines()
    assert err[0].startswith("PASS ") and err[1] == "1 passed, 0 failed"  # the cases, then the verdict
    assert err[2] == f"{policy}: coverage below 80% (rules 100%, branches 72%); not covered:"
    listed = [l.strip() for l in err[3:]]
    assert listed == [
        f"{policy}:{over}: over: if payout > 100000 then payout - 100000 else 0: then",
        f"{policy}:{flagged}: flagged: payout >= cap or compensation = 0: none true",
        f"{policy}:{check}: check within_budget: sum(payout) <= budget: fails",
    ]


def test_coverage_threshold_met_and_json(covered):
    folder, policy = covered
    out = folder / "cov.json"
    proc = villkor("test", folder / "fx", "--coverage", "--threshold", "72", "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    [pol] = doc["policies"]
    assert pol["branches"] == {"covered": 8, "total": 11, "percent": 72}
    payout = next(p for p in pol["points"] if p["rule"] == "payout")
    by = {a["arm"]: a["by"] for a in payout["arms"]}
    assert by == {"compensation decides": [str(folder / "fx" / "gotland.yaml")],
                  "cap decides": [str(folder / "fx" / "gotland.yaml")]}


def test_invariant_check_failing_side_is_not_counted_but_listed(tmp_path):
    # The same policy with the check marked `invariant: true`: its `fails` arm is no longer a
    # branch, so 8 of 10 arms are covered (80%), and the check is listed as an invariant.
    text = COVERAGE_POLICY.replace("    expr: sum(payout) <= budget\n",
                                   "    expr: sum(payout) <= budget\n    invariant: true\n")
    assert "invariant: true" in text
    policy = write(tmp_path / "mini.yaml", text)
    write(tmp_path / "fx" / "gotland.yaml", COVERAGE_FIXTURE)
    proc = villkor("test", tmp_path / "fx", "--coverage", "--threshold", "80")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{policy}: rules 8/8 (100%), branches 8/10 (80%)" in proc.stdout
    check = place(text, "  within_budget:", "within_budget")
    out = [l.strip() for l in proc.stdout.splitlines()]
    assert f"{policy}:{check}: check within_budget: sum(payout) <= budget: fails: NOT COVERED" not in out
    n = out.index("invariants, hold by construction (failing side not counted): 1")
    assert out[n + 1] == f"{policy}:{check}: check within_budget: sum(payout) <= budget"
    assert "not covered" not in proc.stderr

    proc = villkor("test", tmp_path / "fx", "--coverage", "--threshold", "81")
    assert proc.returncode == 1
    listed = [l.strip() for l in proc.stderr.splitlines()[3:]]
    assert len(listed) == 2 and not any("within_budget" in l for l in listed)

    proc = villkor("test", tmp_path / "fx", "--coverage", "--format", "json", "-o", tmp_path / "cov.json")
    [pol] = json.loads((tmp_path / "cov.json").read_text(encoding="utf-8"))["policies"]
    assert pol["branches"] == {"covered": 8, "total": 10, "percent": 80}
    line, column = map(int, check.split(":"))
    assert pol["invariants"] == [{"check": "within_budget", "expression": "sum(payout) <= budget",
                                  "file": str(policy), "line": line, "column": column}]
    budget = next(p for p in pol["points"] if p["rule"] == "within_budget")
    assert [a["arm"] for a in budget["arms"]] == ["passes"]


def test_the_policies_and_the_2027_draft_have_full_coverage():
    """CI: every rule and branch of both 2026 policies and the 2027 draft is exercised by a
    hand-computed fixture; only the failing sides of the invariant checks are left out."""
    proc = villkor("test", "-q", "--coverage", "--threshold", "100", "tests/fixtures",
                   "examples/2027_draft/fixtures", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    titles = {l.split(":")[0]: l for l in proc.stdout.splitlines() if l and not l.startswith(" ")}
    assert set(titles) == {"policies/2026_capacity.yaml", "policies/2026_performance.yaml",
                           "examples/2027_draft/2027_performance.yaml"}
    for line in titles.values():
        m = re.fullmatch(r"\S+: rules (\d+)/(\d+) \(100%\), branches (\d+)/(\d+) \(100%\)", line)
        assert m and m[1] == m[2] and m[3] == m[4], line
    out = [l.strip() for l in proc.stdout.splitlines()]
    assert out.count("invariants, hold by construction (failing side not counted): 3") == 1  # capacity
    assert out.count("invariants, hold by construction (failing side not counted): 2") == 2  # performance


def test_coverage_places_an_inherited_check_in_the_parent_file(tmp_path):
    # The 2027 draft inherits within_budget from the 2026 policy: its place is the line of the
    # 2026 file, and names that file, not the draft (which has no such line).
    out = tmp_path / "cov.json"
    proc = villkor("test", "--coverage", "--format", "json", "-o", out,
                   "examples/2027_draft/fixtures/window_moved.yaml", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    [pol] = json.loads(out.read_text(encoding="utf-8"))["policies"]
    assert pol["policy"] == "examples/2027_draft/2027_performance.yaml"
    point = next(p for p in pol["points"] if p["rule"] == "within_budget")
    parent = (ROOT / "policies" / "2026_performance.yaml").read_text(encoding="utf-8")
    assert f"{point['file']}:{point['line']}:{point['column']}" == \
        "policies/2026_performance.yaml:" + place(parent, "  within_budget:", "within_budget")
    assert any(u.startswith("policies/2026_performance.yaml:") and "within_budget" in u
               for u in pol["uncovered"])


# ---------------------------------------------------------------- reports for CI


def test_junit_and_json_reports_one_entry_per_case(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    write(folder / "fx" / "wrong.yaml", fixture_text("expect:\n  payout: {Uppsala: 7}\n"))
    xml_path = folder / "out" / "report.xml"
    (folder / "out").mkdir()
    proc = villkor("test", folder / "fx", "--format", "junit", "-o", xml_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == "1 passed, 1 failed"  # the text lines stay as they are
    root = ET.parse(xml_path).getroot()
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {str(folder / "fx" / "good.yaml"), str(folder / "fx" / "wrong.yaml")}
    failure = cases[str(folder / "fx" / "wrong.yaml")].find("failure")
    assert "payout[region=Uppsala]: expected 7, got 0" in failure.text.replace("\u2009", " ")
    assert cases[str(folder / "fx" / "good.yaml")].find("failure") is None

    json_path = folder / "out" / "report.json"
    proc = villkor("test", folder / "fx", "--format", "json", "-o", json_path)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert (doc["tests"], doc["failures"]) == (2, 1)
    assert [c["passed"] for c in doc["cases"]] == [True, False]


def test_o_without_a_report_format_is_a_usage_error(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    proc = villkor("test", folder / "fx", "-o", folder / "x.json")
    assert proc.returncode == 2 and "--format json" in proc.stderr
    assert not (folder / "x.json").exists()


# ---------------------------------------------------------------- asserting the reason


def test_expect_decisive_and_findings(folder):
    # flagged (payout >= cap or compensation = 0): Gotland 50 000 >= 50 000 true; Stockholm
    # 500 000 >= 500 000 true; Uppsala compensation 0 -> true. over: only Stockholm 500 000 > 100 000.
    write(folder / "mini.yaml", COVERAGE_POLICY.replace("expr: payout >= cap or", "expr: payout > 1000000 or"))
    ok = ("expect:\n  payout: {Gotland: 50000}\n"
          "expect_decisive:\n  payout: {Gotland: cap, Stockholm: cap, Uppsala: compensation}\n"
          "  eligible: {Gotland: {hip: \"round(performed - baseline, 0, eligible_rounding)\"}}\n"
          "expect_findings:\n  Gotland: []\n  Uppsala: [flagged]\n")
    write(folder / "fx" / "ok.yaml", fixture_text(ok))
    bad = ("expect:\n  payout: {Gotland: 50000}\nexpect_decisive:\n  payout: {Gotland: compensation}\n"
           "expect_findings:\n  Gotland: [flagged]\n")
    write(folder / "fx" / "bad.yaml", fixture_text(bad))
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    out = proc.stdout
    assert f"PASS {folder / 'fx' / 'ok.yaml'}" in out
    assert "payout[region=Gotland]: expected decisive operand 'compensation', got 'cap'" in out
    assert "findings[region=Gotland]: expected findings [flagged], got [] (not true: flagged)" in out


def test_expect_decisive_naming_no_operand_is_located(folder):
    text = fixture_text("expect:\n  payout: {Gotland: 50000}\nexpect_decisive:\n  payout: {Gotland: capp}\n")
    write(folder / "fx" / "typo.yaml", text)
    proc = villkor("test", folder / "fx")
    line = text.splitlines().index("  payout: {Gotland: capp}") + 1
    assert proc.returncode == 1
    assert f"typo.yaml:{line}:11: expect_decisive for 'payout' names 'capp', which is not an operand" in proc.stdout
    assert "did you mean 'cap'?" in proc.stdout


# ---------------------------------------------------------------- table-driven fixtures

TABLE = """\
policy: ../mini.yaml
description: shared rows, three cases
params:
  cap: {Gotland: 100000}
data:
  procedures:
    - {home_region: Gotland, performing_region: Gotland, provider: public, measure: hip, year: 2026, month: 1, count: 3}
cases:
  - name: shared
    description: 3 × 94 000 = 282 000 over the cap 100 000 -> 100 000
    expect:
      payout: {Gotland: 100000}
  - name: one_hip
    description: the row's count 1 -> 94 000 under the cap 100 000
    data:
      procedures:
        - {home_region: Gotland, measure: hip, count: 1}
    expect:
      payout: {Gotland: 94000}
  - name: cap_raised
    description: cap 300 000 -> 282 000
    params:
      cap: {Gotland: 300000}
    expect:
      payout: {Gotland: 282000}
    expect_decisive:
      payout: {Gotland: compensation}
  - name: wrong
    expect:
      payout: {Gotland: 1}
"""


def test_table_driven_cases(folder):
    write(folder / "fx" / "table.yaml", TABLE)
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    out = proc.stdout
    path = folder / "fx" / "table.yaml"
    for name in ("shared", "one_hip", "cap_raised"):
        assert f"PASS {path}::{name}" in out
    assert f"FAIL {path}::wrong" in out and "payout[region=Gotland]: expected 1, got 100 000" in out
    assert out.splitlines()[-1] == "3 passed, 1 failed"


def test_table_cases_in_pytest(folder):
    write(folder / "fx" / "table.yaml", TABLE)
    write(folder / "pyproject.toml", '[tool.pytest.ini_options]\nvillkor_fixtures = ["fx"]\n')
    proc = run_pytest(folder)
    assert "1 failed, 3 passed" in proc.stdout, proc.stdout


# ---------------------------------------------------------------- recording a draft


def test_record_writes_a_draft_that_passes(mini, tmp_path):
    policy, data = mini
    out = tmp_path / "drafts" / "stockholm.yaml"
    proc = villkor("test", "--record", policy, "--data", data, "--where", "region=Stockholm", "-o", out)
    assert proc.returncode == 0, proc.stderr
    import yaml
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["policy"] == "../mini.yaml"
    assert doc["description"].startswith("RECORDED by villkor test --record")
    assert "not hand-computed" in doc["description"]
    # the five rows whose home region is Stockholm (the Gotland and Uppsala rows are left out)
    assert [r["count"] for r in doc["data"]["procedures"]] == [100, 5, 60, 61, 999]
    # performed 100 + 5 = 105 (month 11 is outside the period); baseline (60 + 61) / 3 = 40.33;
    # eligible floor(64.67) = 64; compensation 64 × 14 000 = 896 000; payout min(896 000, 500 000)
    assert doc["expect"]["compensation"] == {"Stockholm": 896000}
    assert doc["expect"]["payout"] == {"Stockholm": 500000}
    assert doc["expect"]["eligible"] == {"Stockholm": {"cataract": 64, "hip": 0}}
    proc = villkor("test", out)
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "1 passed, 0 failed"


def test_record_needs_a_key(mini, tmp_path):
    policy, data = mini
    proc = villkor("test", "--record", policy, "--data", data, "-o", tmp_path / "x.yaml")
    assert proc.returncode == 2 and "--where" in proc.stderr
    proc = villkor("test", "--record", policy, "--data", data, "--where", "region=Stokholm",
                   "-o", tmp_path / "x.yaml")
    assert proc.returncode == 1 and "did you mean 'Stockholm'?" in proc.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_a_case_expecting_nothing_is_refused(folder):
    text = TABLE.replace("  - name: wrong\n    expect:\n      payout: {Gotland: 1}\n", "  - name: empty\n")
    write(folder / "fx" / "table.yaml", text)
    line = text.splitlines().index("  - name: empty") + 1
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert f"table.yaml:{line}:5: case 'empty' expects nothing" in proc.stdout


def test_a_report_that_cannot_be_written(folder):
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    proc = villkor("test", folder / "fx", "--format", "junit", "-o", folder / "fx")
    assert proc.returncode == 2
    assert f"cannot write {folder / 'fx'}" in proc.stderr and "internal error" not in proc.stderr


TINY_POLICY = """\
policy: tiny
title: Liten
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt, passage: Bilaga 1}
parameters:
  rate: {value: RATE, unit: kr, source: {ref: doc}}
rules:
  doubled:
    expr: rate * 2
    unit: kr
    source: {ref: doc}
outputs: [doubled]
"""


def test_a_policy_changed_between_two_fixture_runs_in_one_process_is_read_again(tmp_path):
    """Fixture runs load each policy once (most cases name the same policy), but an edited
    policy file is never answered from that memory: 5 kr × 2 = 10 kr, then 6 kr × 2 = 12 kr."""
    from evaluator.fixtures.runner import run_fixture

    policy = write(tmp_path / "tiny.yaml", TINY_POLICY.replace("RATE", "5"))
    fixture = write(tmp_path / "case.yaml", "policy: tiny.yaml\ndata: {}\nexpect: {doubled: 10}\n")
    assert [r.passed for r in run_fixture(str(fixture))] == [True]
    write(policy, TINY_POLICY.replace("RATE", "6") + "# edited\n")
    results = run_fixture(str(fixture))
    assert [r.passed for r in results] == [False]
    assert "12" in results[0].failure_text()


def test_the_coverage_example_in_the_testing_guide_is_what_the_command_prints():
    """docs/testing.md shows the first lines of a real coverage report; line numbers of the
    policy move when it is edited, so the example is compared with the command's output."""
    doc = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8").splitlines()
    command = "villkor test --coverage tests/fixtures/2026_performance/p08_cap_binding.yaml " \
              "tests/fixtures/2026_performance/p08_cap_not_binding.yaml"
    start = doc.index("    $ " + command) + 1
    shown = []
    for line in doc[start:]:
        if not line.startswith("    ") or line.strip() == "...":
            break
        shown.append(line[4:])
    proc = _villkor(*command.split()[1:], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr  # both cases pass; no --threshold, so exit 0
    assert shown and proc.stdout.splitlines()[: len(shown)] == shown, \
        "update the example in docs/testing.md with the command's output"


def test_a_policy_rewritten_between_two_runs_in_one_process_is_read_again(folder):
    """Loaded policies are kept for the next fixture of the same process (the pytest plugin runs
    many), but a policy rewritten in place — same size, same clock tick — must not be the old one."""
    write(folder / "fx" / "good.yaml", fixture_text(GOOD))
    assert villkor("test", folder / "fx").returncode == 0
    policy = folder / "mini.yaml"
    text, before = policy.read_text(encoding="utf-8"), policy.stat()
    policy.write_text(text.replace("Gotland: 50000}", "Gotland: 60000}"), encoding="utf-8")
    os.utime(policy, ns=(before.st_atime_ns, before.st_mtime_ns))  # as within one clock tick
    assert policy.stat().st_size == len(text.encode("utf-8"))
    # Gotland's compensation 282 000 now meets a cap of 60 000: payout 60 000, not the fixture's 50 000
    proc = villkor("test", folder / "fx")
    assert proc.returncode == 1
    assert "60 000" in proc.stdout
