"""One diagnostic type: codes by kind, the text and JSON forms, and `--format json` of validate,
lint and test through the real command line."""

import json
import re

import pytest

from evaluator import errors as E
from evaluator.data import load_tables
from evaluator.diagnostics import Diagnostic, Location
from evaluator.fixtures import runner
from evaluator.plan import plan
from evaluator.policy.build import load_policy
from evaluator.style.lint import CODES as LINT_CODES

from support import MINI_POLICY, ROOT, villkor, write

TINY = """\
policy: tiny
title: Liten
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
parameters:
  rate: {value: 3}
rules:
  total:
    expr: (rate + 1
outputs: [total]
"""


def code_of(path) -> list[str]:
    try:
        plan(load_policy(str(path)))
    except E.VillkorError as err:
        return [d.code for d in err.diagnostics]
    return []


@pytest.mark.parametrize("old, new, code", [
    ("expr: min(compensation, cap)", "expr: min(compensation, cap", "VK010"),
    ("expr: min(compensation, cap)", "expr: min(compensaton, cap)", "VK011"),
    ("expr: min(compensation, cap)", "expr: min(compensation, cap) + date(\"2026-01-01\")", "VK012"),
    ("expr: min(compensation, cap)", "expr: min(compensation, cap) + sum(performed)", "VK013"),
    ("expr: min(compensation, cap)", "expr: payout + 1", "VK015"),
    ("    per: [region]\n    expr: min(compensation, cap)", "    expr: min(compensation, cap)", "VK014"),
    ("valid: {from: 2026-01-01, to: 2026-12-31}", "valid: {from: 2026-01-01, to: 2026-12-31", "VK002"),
    ("title: Liten testpolicy", "title: Liten testpolicy\ncolour: red", "VK003"),
    ("members: [cataract, hip]", "members: [cataract, hip, hip]", "VK004"),
])
def test_each_kind_of_policy_error_has_its_code(tmp_path, old, new, code):
    assert old in MINI_POLICY
    assert code_of(write(tmp_path / "p.yaml", MINI_POLICY.replace(old, new))) == [code]


def test_file_and_extends_errors_have_their_codes(tmp_path):
    assert code_of(tmp_path / "absent.yaml") == ["VK001"]
    head = 'title: T\nversion: "1"\nvalid: {from: 2027-01-01, to: 2027-12-31}\n'
    write(tmp_path / "a.yaml", "extends: b.yaml\npolicy: a\n" + head)
    write(tmp_path / "b.yaml", "extends: a.yaml\npolicy: b\n" + head)
    with pytest.raises(E.CycleError) as info:
        load_policy(str(tmp_path / "a.yaml"))
    assert info.value.diagnostic.code == "VK005"
    assert [p.rsplit("/", 1)[-1] for p in info.value.cycle] == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize("files, code", [
    ({}, "VK020"),  # the table's file is missing: the folder as a whole
    ({"procedures.csv": "home_region,performing_region,provider,measure,year,month,count\n"
                        "Stockholm,Stockholm,public,cataract,2026,3,many\n"}, "VK022"),
])
def test_data_errors_are_coded_by_what_they_point_at(tmp_path, files, code):
    policy = load_policy(str(write(tmp_path / "p.yaml", MINI_POLICY)))
    (tmp_path / "data").mkdir()
    for name, text in files.items():
        write(tmp_path / "data" / name, text)
    with pytest.raises(E.DataError) as info:
        load_tables(policy.inputs, policy.dimensions, str(tmp_path / "data"))
    assert info.value.diagnostic.code == code


def test_every_code_is_documented():
    doc = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (VK\d{3}) \|", doc, re.M))
    import evaluator.explain  # noqa: F401  (its SelectionError)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    used = {c.CODE for c in [E.VillkorError, *subclasses(E.VillkorError)]}
    used |= {"VK020", "VK021", "VK022", E.EXTENDS_CYCLE, E.TITLE_PLACEHOLDER} | set(LINT_CODES)
    used |= set(runner.MISMATCH_CODES.values()) | {runner.ERROR_EXPECTATION, runner.WARNING_EXPECTATION}
    assert used == documented


def test_text_form_of_a_warning_says_so_and_an_error_does_not():
    loc = Location(file="p.yaml", line=3, column=5, rule="total")
    assert Diagnostic("VK102", "warning", loc, "never used", "remove it").text() == \
        "p.yaml:3:5: warning: rule 'total': never used\n  hint: remove it"
    assert Diagnostic("VK011", "error", loc, "unknown name 'x'").text() == "p.yaml:3:5: rule 'total': unknown name 'x'"
    assert Diagnostic("VK011", "error", Location(), "unknown name 'x'").text() == "error: unknown name 'x'"
    assert Diagnostic("VK102", "warning", loc, "never used", "remove it").line() == \
        "p.yaml:3:5: VK102 warning: never used (hint: remove it)"
    with pytest.raises(ValueError):
        Diagnostic("VK102", "fatal", loc, "never used")


def test_render_of_several_errors_is_each_in_turn(tmp_path):
    path = write(tmp_path / "p.yaml", MINI_POLICY.replace("expr: min(compensation, cap)", "expr: min(compensaton, cap)")
                 .replace("expr: tariff + travel_supplement", "expr: tarif + travel_supplement"))
    with pytest.raises(E.ErrorList) as info:
        plan(load_policy(str(path)))
    assert E.render(info.value) == "\n".join(e.diagnostic.text() for e in info.value.errors)
    assert [d.code for d in info.value.diagnostics] == ["VK011", "VK011"]


# ---------------------------------------------------------------- the command line


def test_validate_json_points_at_the_missing_bracket(tmp_path):
    bad = write(tmp_path / "bad.yaml", TINY)
    good = write(tmp_path / "good.yaml", MINI_POLICY)
    proc = villkor("validate", "--format", "json", bad, good)
    assert proc.returncode == 1
    # line 9 is "    expr: (rate + 1": the expression starts at column 11 and is 9 characters
    # long; YAML ends it at column 20, where the ')' is missing
    assert json.loads(proc.stdout) == {"diagnostics": [{
        "code": "VK010", "severity": "error", "file": str(bad), "line": 9, "column": 20, "rule": "total",
        "row": None, "field": None, "message": "the expression ends too early",
        "hint": "the '(' at the start is never closed: add ')'"}], "errors": 1, "warnings": 0}
    assert proc.stderr == f"{good}: ok — mini 1: 6 rules, 8 parameters, 1 checks\n"
    # the text form is what it was: on stderr, with the caret under column 20
    text = villkor("validate", bad)
    assert text.returncode == 1 and text.stdout == ""
    assert text.stderr.splitlines()[:3] == [
        f"{bad}:9:20: rule 'total': the expression ends too early",
        "        expr: (rate + 1",
        " " * 23 + "^"]


def test_validate_json_of_a_yaml_bracket_and_of_a_valid_policy(tmp_path):
    bad = write(tmp_path / "bad.yaml", MINI_POLICY.replace("to: 2026-12-31}", "to: 2026-12-31"))
    proc = villkor("validate", "--format", "json", bad)
    assert proc.returncode == 1
    (d,) = json.loads(proc.stdout)["diagnostics"]
    # the flow mapping on line 4 is never closed; YAML notices at line 5 ("sources:"), column 8,
    # where it wanted ',' or '}'
    assert (d["code"], d["file"], d["line"], d["column"]) == ("VK002", str(bad), 5, 8)
    assert d["message"] == "malformed YAML: did not find expected ',' or '}'"
    good = write(tmp_path / "good.yaml", MINI_POLICY)
    proc = villkor("validate", "--format", "json", good)
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"diagnostics": [], "errors": 0, "warnings": 0}


def test_lint_json_findings_carry_code_place_and_hint(tmp_path):
    bad = write(tmp_path / "bad.yaml", TINY)
    good = write(tmp_path / "good.yaml", MINI_POLICY.replace("  eligible_rounding:", "  spare: {value: 1}\n"
                                                             "  eligible_rounding:"))
    proc = villkor("lint", "--format", "json", bad, good)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    # one shape with validate's: the policy that does not validate gives validate's own error
    # (its code and place: line 9, column 20, where the ')' is missing), not a lint code
    assert set(doc) == {"diagnostics", "errors", "warnings"}
    assert doc["diagnostics"][0] == {
        "code": "VK010", "severity": "error", "file": str(bad), "line": 9, "column": 20, "rule": "total",
        "row": None, "field": None, "message": "the expression ends too early",
        "hint": "the '(' at the start is never closed: add ')'"}
    assert doc["diagnostics"][0] == json.loads(villkor("validate", "--format", "json", bad).stdout)["diagnostics"][0]
    # MINI_POLICY line 32 is "  spare: {value: 1}" once inserted before eligible_rounding
    spare = [f for f in doc["diagnostics"] if f["code"] == "VK102"]
    assert spare == [{"code": "VK102", "severity": "warning", "file": str(good), "line": 32, "column": 3,
                      "rule": None, "row": None, "field": None, "hint": None,
                      "message": "parameter 'spare' is never used by a rule, check or explanation"}]
    assert (doc["errors"], doc["warnings"]) == (1, len(doc["diagnostics"]) - 1)
    # the text form lists the error as validate prints it, with the caret under column 20
    text = villkor("lint", bad)
    assert text.returncode == 1
    assert text.stdout.splitlines() == [f"{bad}:9:20: rule 'total': the expression ends too early",
                                        "        expr: (rate + 1",
                                        " " * 23 + "^",
                                        "  hint: the '(' at the start is never closed: add ')'"]
    assert text.stderr == "1 error, 0 warnings\n"


def test_a_failed_fixture_expectation_is_a_diagnostic_at_the_expectation(tmp_path):
    write(tmp_path / "mini.yaml", MINI_POLICY)
    fx = write(tmp_path / "fx" / "wrong.yaml",
               "policy: ../mini.yaml\ndescription: a case\ndata:\n  procedures: []\n"
               "expect:\n  payout: {Gotland: 5}\nexpect_error: nothing of the kind\n")
    (result,) = runner.run_fixture(str(fx))
    assert not result.passed
    # the run succeeds (no rows: every payout 0), so the error expectation fails (line 7)
    assert [(d.code, d.location.line, d.message) for d in result.diagnostics] == [
        ("VK204", 7, "expected an error containing 'nothing of the kind', but the run succeeded")]
    write(fx, "policy: ../mini.yaml\ndescription: a case\ndata:\n  procedures: []\n"
              "expect:\n  payout: {Gotland: 5}\n")
    (result,) = runner.run_fixture(str(fx))
    # the expectation of payout is on line 6, its value at column 11
    assert [(d.code, d.location.line, d.location.column, d.message) for d in result.diagnostics] == [
        ("VK201", 6, 11, "payout[region=Gotland]: expected 5, got 0")]
    proc = villkor("test", fx, "--format", "json", "-o", tmp_path / "report.json")
    assert proc.returncode == 1
    (case,) = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["cases"]
    assert [(d["code"], d["file"], d["line"]) for d in case["diagnostics"]] == [("VK201", str(fx), 6)]
