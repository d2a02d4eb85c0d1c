"""policy/params.py: --params files and a fixture's inline `params:`, checked against the policy."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from evaluator.cli import main
from evaluator.errors import ErrorList, PolicyError, render
from evaluator.policy.build import load_policy
from evaluator.policy.params import apply_override_values, apply_overrides

from support import ROOT, villkor, write

BASE = Path(__file__).resolve().parents[1] / "policies" / "base.yaml"


@pytest.fixture(scope="module")
def base():
    return load_policy(str(BASE))


def overridden(tmp_path, base, text: str):
    return apply_overrides(base, str(write(tmp_path / "params.yaml", text)))


def failure(tmp_path, base, text: str, kind=PolicyError):
    path = write(tmp_path / "params.yaml", text)
    with pytest.raises(kind) as info:
        apply_overrides(base, str(path))
    return info.value, str(path)


def place(err) -> tuple:
    return err.location.line, err.location.column


# ---------------------------------------------------------------- good overrides


def test_scalars_and_a_date(tmp_path, base):
    new = overridden(tmp_path, base, "budget: 1500000.50\nshare: 0.2\ndeadline: 2026-04-01\n")
    assert new.parameters["budget"].value == Decimal("1500000.50")
    assert new.parameters["share"].value == Decimal("0.2")
    assert new.parameters["deadline"].value == dt.date(2026, 4, 1)
    assert new is not base and base.parameters["budget"].value == 1000000  # the policy is untouched
    assert new.rules is base.rules and new.sha256 == base.sha256


def test_a_partial_table_replaces_only_the_cells_it_names(tmp_path, base):
    new = overridden(tmp_path, base, "seasonal:\n  Gotland: {2: 7}\n  Uppsala: {1: 0.5, 3: 9}\n")
    value = new.parameters["seasonal"].value
    assert value[("Gotland", 2)] == 7 and value[("Uppsala", 1)] == Decimal("0.5")
    assert value[("Uppsala", 3)] == 9
    assert value[("Gotland", 1)] == Decimal("0.5") and value[("Stockholm", 3)] == 30  # kept
    assert len(value) == 9


def test_long_form_with_matching_unit_and_status(tmp_path, base):
    new = overridden(tmp_path, base, "budget: {value: 5, unit: kr, status: illustrative, note: what if}\n")
    budget = new.parameters["budget"]
    assert (budget.value, budget.unit, budget.status, budget.note) == (5, "kr", "illustrative", "what if")


def test_empty_file_changes_nothing(tmp_path, base):
    assert overridden(tmp_path, base, "# nothing yet\n") is base


# ---------------------------------------------------------------- errors


def test_unknown_parameter(tmp_path, base):
    err, path = failure(tmp_path, base, "budget: 5\nbudgte: 6\n")
    assert render(err) == (f"{path}:2:1: unknown parameter 'budgte'\n"
                           "    budgte: 6\n"
                           "    ^\n"
                           "  hint: did you mean 'budget'?")


def test_text_for_a_number(tmp_path, base):
    err, path = failure(tmp_path, base, "budget: en miljon\n")
    assert err.message == "parameter 'budget' is a number, not a text ('en miljon')"
    assert place(err) == (1, 9)


def test_date_for_a_number(tmp_path, base):
    err, _ = failure(tmp_path, base, "share: 2026-01-01\n")
    assert err.message == "parameter 'share' is a number, not a date (datetime.date(2026, 1, 1))"
    assert place(err) == (1, 8)


def test_number_for_a_date(tmp_path, base):
    err, _ = failure(tmp_path, base, "deadline: 20260401\n")
    assert err.message == "parameter 'deadline' is a date, not a number (20260401)"


def test_list_for_a_table(tmp_path, base):
    err, _ = failure(tmp_path, base, "seasonal: [1, 2]\n")
    assert err.message == "parameter 'seasonal' is a table by region, month: give a mapping of members"
    assert place(err) == (1, 11)


def test_unknown_member_points_at_it(tmp_path, base):
    err, path = failure(tmp_path, base, "seasonal:\n  Gotland: {2: 7}\n  Stokholm: {1: 1}\n")
    assert render(err) == (f"{path}:3:3: parameter 'seasonal': 'Stokholm' is not a member of 'region'\n"
                           "      Stokholm: {1: 1}\n"
                           "      ^\n"
                           "  hint: did you mean 'Stockholm'?")


def test_unknown_int_member(tmp_path, base):
    err, _ = failure(tmp_path, base, "seasonal: {Gotland: {13: 7}}\n")
    # "seasonal: {Gotland: {" is 21 wide
    assert (err.message, place(err)) == ("parameter 'seasonal': 13 is not a member of 'month'", (1, 22))


def test_cell_of_the_wrong_kind_points_at_the_cell(tmp_path, base):
    err, _ = failure(tmp_path, base, "seasonal:\n  Gotland: {1: 2, 2: mycket}\n")
    assert err.message == "parameter 'seasonal' is a number, not a text ('mycket')"
    assert place(err) == (2, 22)  # "  Gotland: {1: 2, 2: " is 21 wide


def test_too_shallow_table(tmp_path, base):
    err, _ = failure(tmp_path, base, "seasonal: {Gotland: 7}\n")
    assert err.message == "parameter 'seasonal': expected a mapping of month members"


def test_long_form_unit_mismatch(tmp_path, base):
    err, path = failure(tmp_path, base, "budget:\n  value: 5\n  unit: count\n")
    assert err.message == "parameter 'budget' is in kr, not count"
    assert place(err) == (2, 3)
    assert err.hint == "give the value in the parameter's own unit"


def test_unit_for_a_parameter_without_one(tmp_path, base):
    err, _ = failure(tmp_path, base, "share: {value: 0.3, unit: kr}\n")
    assert err.message == "parameter 'share' is in no unit, not kr"


def test_every_error_is_reported(tmp_path, base):
    err, _ = failure(tmp_path, base, "budget: x\nbudgte: 1\nseasonal: {Gotlnd: {1: 1}}\n", ErrorList)
    assert [(place(e), e.message) for e in err.errors] == [
        ((1, 9), "parameter 'budget' is a number, not a text ('x')"),
        ((2, 1), "unknown parameter 'budgte'"),
        ((3, 12), "parameter 'seasonal': 'Gotlnd' is not a member of 'region'"),
    ]


def test_a_file_that_is_not_a_mapping(tmp_path, base):
    err, _ = failure(tmp_path, base, "- budget: 5\n")
    assert err.message == "a parameter file maps parameter ids to values"


# ---------------------------------------------------------------- a fixture's inline params


FIXTURE = """\
policy: policies/base.yaml
params:
  budget: 5
  seasonal: {Gotland: {1: 2}, Visby: {1: 1}}
expect: {payout: {Gotland: 1}}
"""


def test_inline_values_from_a_fixture(base):
    new = apply_override_values(base, {"budget": 5, "seasonal": {"Gotland": {1: 2}}}, "case.yaml")
    assert new.parameters["budget"].value == 5
    assert new.parameters["seasonal"].value[("Gotland", 1)] == 2


def test_inline_errors_point_into_the_fixture_file(tmp_path, base):
    from evaluator.policy.loader import load_yaml
    path = str(write(tmp_path / "case.yaml", FIXTURE))
    params = load_yaml(path).tree["params"]
    with pytest.raises(PolicyError) as info:
        apply_override_values(base, params, path)
    err = info.value
    # "  seasonal: {Gotland: {1: 2}, " is 30 wide
    assert (err.location.file, place(err)) == (path, (4, 31))
    assert err.message == "parameter 'seasonal': 'Visby' is not a member of 'region'"


def test_inline_errors_without_the_file_name_it(base):
    with pytest.raises(PolicyError) as info:
        apply_override_values(base, {"budgte": 1}, "no/such/case.yaml")
    assert info.value.location.file == "no/such/case.yaml"
    assert info.value.hint == "did you mean 'budget'?"


# ---------------------------------------------------------------- every item, YAML 1.1 numbers


@pytest.mark.parametrize("text, column, message", [
    ("baseline_years: [2023, true]\n", 24, "item 2 is true/false (true)"),
    ('baseline_years: [2023, "x"]\n', 25, 'item 2 is text ("x")'),
    ("baseline_years: [2023, 2024, [2025]]\n", 30, "item 3 is list"),
])
def test_every_item_of_a_list_override_is_checked(tmp_path, text, column, message):
    params = write(tmp_path / "what_if.yaml", text)
    proc = villkor("run", ROOT / "policies" / "2026_performance.yaml", "--data", ROOT / "examples" / "2026",
                   "--params", params)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"{params}:1:{column}: parameter 'baseline_years' is a list of number values; "
                                  f"{message}")


@pytest.mark.parametrize("written, read_as", [("010000", 4096), ("1:30", 90), ("0750000000", 127926272)])
def test_yaml_1_1_numbers_are_refused_not_reinterpreted(tmp_path, written, read_as):
    params = write(tmp_path / "what_if.yaml", f"budget: {written}\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(ROOT / "policies" / "2026_performance.yaml"), "--data",
                     str(ROOT / "examples" / "2026"), "--params", str(params)])
    assert code == 1
    first = err.getvalue().splitlines()[0]
    assert first == (f"{params}:1:9: '{written}' would be read as the number {read_as} (a YAML 1.1 "
                     f"{'base-60' if ':' in written else 'octal, hexadecimal or binary'} number)")
    policy = write(tmp_path / "p.yaml", (ROOT / "policies" / "2026_performance.yaml").read_text(encoding="utf-8")
                   .replace("    value: 750000000\n", f"    value: {written}\n"))
    with pytest.raises(PolicyError) as info:
        load_policy(str(policy))
    assert f"'{written}' would be read as the number {read_as}" in info.value.message


def test_a_value_only_long_form_keeps_unit_title_source_and_status():
    policy = load_policy(str(ROOT / "policies" / "2026_capacity.yaml"))
    for text in ("recommended_max_measures: {value: 12}\n", "recommended_max_measures: 12\n"):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
            fh.write(text)
        new = apply_overrides(policy, fh.name).parameters["recommended_max_measures"]
        old = policy.parameters["recommended_max_measures"]
        assert new.value == 12
        assert (new.unit, new.title, new.source, new.status, new.note) == \
            (old.unit, old.title, old.source, "illustrative", old.note)


def test_an_override_outside_the_parameters_bounds_is_refused_at_its_place(tmp_path):
    params = write(tmp_path / "what_if.yaml", "budget: 750000000\ncap:\n  Gotland: -5000000\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(ROOT / "policies" / "2026_performance.yaml"), "--data",
                     str(ROOT / "examples" / "nonexistent"), "--params", str(params)])
    assert code == 1  # refused before the (missing) data folder is read
    assert err.getvalue().splitlines()[0] == (f"{params}:3:12: parameter 'cap' at Gotland is -5000000, "
                                              "below its minimum 0")
    params = write(tmp_path / "share.yaml", "undocumented_claim_share: 1.5\n")
    with pytest.raises(PolicyError) as info:
        apply_overrides(load_policy(str(ROOT / "policies" / "2026_capacity.yaml")), str(params))
    assert info.value.message == "parameter 'undocumented_claim_share' is 1.5, above its maximum 1"
    assert place(info.value) == (1, 27)
