"""Fixture files with `scenarios:`: run by `villkor test` through the scenario evaluation."""

from conftest import ROOT, villkor

FIXTURE = ROOT / "tests" / "fixtures" / "2026_performance" / "scenarios_tariffs.yaml"


def copy(tmp_path, *replacements):
    text = FIXTURE.read_text(encoding="utf-8").replace("../../../policies/", f"{ROOT}/policies/")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    f = tmp_path / "fx.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_each_scenario_is_a_case_and_passes():
    proc = villkor("test", FIXTURE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(" — ")[0].rsplit("/", 1)[-1] for line in lines[:4]] == [
        "scenarios_tariffs.yaml", "scenarios_tariffs.yaml::billigare_starr",
        "scenarios_tariffs.yaml::hogre_resetillagg", "scenarios_tariffs.yaml::lagre_budget"]
    assert all(line.startswith("PASS") for line in lines[:4])
    assert lines[-1] == "4 passed, 0 failed"


def test_a_wrong_value_fails_with_the_scenario_run_alone_explained(tmp_path):
    f = copy(tmp_path, ("      payout_total: 4249000", "      payout_total: 4249001"))
    proc = villkor("test", f)
    assert proc.returncode == 1
    out = proc.stdout
    assert "FAIL " + str(f) + "::billigare_starr" in out
    assert "payout_total: expected 4\u2009249\u2009001, got 4\u2009249\u2009000" in out
    # explained from the scenario alone: Gotland is below its cap at 7 000 kr per procedure
    assert "Gotland kan rekvirera 4\u2009200\u2009000 kr" in out
    assert "PASS " + str(f) + "::hogre_resetillagg" in out
    assert out.splitlines()[-1] == "3 passed, 1 failed"


def test_an_unknown_parameter_fails_that_scenario_alone_with_its_place(tmp_path):
    f = copy(tmp_path, ("params: {travel_supplement: 5000}", "params: {travel_suplement: 5000}"))
    proc = villkor("test", f)
    assert proc.returncode == 1
    assert f"{f}:40:14: unknown parameter 'travel_suplement'" in proc.stdout
    assert "PASS " + str(f) + "::billigare_starr" in proc.stdout


def test_a_check_the_scenario_should_break_but_does_not(tmp_path):
    f = copy(tmp_path, ("params: {budget: 4000000}", "params: {budget: 750000000}"))
    proc = villkor("test", f)
    assert proc.returncode == 1
    assert ("expected an error containing 'Utbetalningarna ryms inom budgeten (P-1)', "
            "but the scenario succeeded") in proc.stdout


def test_cases_and_scenarios_in_one_file_are_refused(tmp_path):
    f = copy(tmp_path, ("expect:\n  payout: {Uppsala: 98000, Gotland: 4795726}\n  payout_total: 4893726\n",
                        "cases:\n  - {name: a, expect: {payout_total: 4893726}}\n"))
    proc = villkor("test", f)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{f}:21:1: a file has 'cases:' or 'scenarios:', not both" in proc.stdout
