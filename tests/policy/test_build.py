"""policy/build.py: the typed model with locations, `extends`, and the checks that need no
expression language.

tests/policies/base.yaml is the reference file; its line numbers are written beside the
expected positions (see `cat -n tests/policies/base.yaml`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from decimal import Decimal
from pathlib import Path

import pytest

from evaluator.errors import CycleError, ErrorList, PolicyError, VillkorError, render
from evaluator.policy.build import load_policy
from evaluator.policy.model import Check, Column, Input, Parameter, Policy, Rule, SourceRef

from support import write

HERE = Path(__file__).resolve().parents[1] / "policies"
BASE = HERE / "base.yaml"
BASE_TEXT = BASE.read_text(encoding="utf-8")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def variant(tmp_path, *pairs: tuple[str, str]) -> str:
    """base.yaml with each `old` (which must occur exactly once) replaced by `new`, as a file."""
    text = BASE_TEXT
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return str(write(tmp_path / "p.yaml", text))


def failure(path: str, kind=PolicyError):
    with pytest.raises(kind) as info:
        load_policy(path)
    return info.value


def place(item) -> tuple:
    """(line, column) of a Location, or of an error or model element that has one."""
    loc = getattr(item, "location", item)
    return loc.line, loc.column


@pytest.fixture(scope="module")
def base() -> Policy:
    return load_policy(str(BASE))


# ---------------------------------------------------------------- the model


def test_header(base):
    assert (base.id, base.title, base.version) == ("small", "Liten policy", "1")
    assert (base.valid.start, base.valid.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert base.sha256 == sha(BASE)
    assert base.chain == (str(BASE),) and base.extends is None
    assert base.file_lines[str(BASE)][0] == "policy: small"
    assert base.file_sha256 == {str(BASE): sha(BASE)}


def test_dimensions_keep_member_order_and_int_members(base):
    assert base.dimensions["region"].members == ("Stockholm", "Uppsala", "Gotland")
    assert base.dimensions["month"].members == (1, 2, 3)
    assert place(base.dimensions["month"]) == (10, 3)


def test_scalar_parameters(base):
    budget, share, deadline = (base.parameters[k] for k in ("budget", "share", "deadline"))
    assert budget == Parameter("budget", 1000000, unit="kr", source=SourceRef("doc"))
    assert type(share.value) is Decimal and share.value == Decimal("0.1")
    assert deadline.value == dt.date(2026, 3, 16) and deadline.type == "date"
    assert budget.status == "official" and budget.complete is True
    assert place(budget) == (13, 3)
    assert place(budget.source) == (13, 52)  # "  budget: {value: 1000000, unit: kr, source: {ref: " is 51


def test_table_parameter_with_int_members_and_cell_locations(base):
    seasonal = base.parameters["seasonal"]
    assert seasonal.by == ("region", "month") and seasonal.is_table
    assert seasonal.value[("Stockholm", 2)] == 20
    assert seasonal.value[("Gotland", 2)] == Decimal("0.25")
    assert len(seasonal.value) == 9
    assert seasonal.source == SourceRef("doc", "Tabell 2")
    assert place(seasonal.value_locations[("Uppsala",)]) == (20, 7)
    # "      Gotland: {1: 0.5, " is 24 wide: the member 2 is at column 25
    assert place(seasonal.value_locations[("Gotland", 2)]) == (21, 25)


def test_input(base):
    grants = base.inputs["grants"]
    assert grants.by == {"region": "region", "month": "month"}
    assert grants.columns["amount"] == Column("amount", "money", default=0, min=0)
    assert grants.columns["month"].type == "month"
    assert (grants.unique, grants.optional) == (False, False)
    assert place(grants) == (24, 3)
    assert place(grants.columns["amount"]) == (29, 7)
    assert isinstance(grants, Input)


def test_rules_and_the_first_character_of_each_expression(base):
    requested, payout, weighted = base.rules.values()
    assert requested == Rule("requested", "sum(grants.amount)", ("region",), "kr", source=SourceRef("doc"))
    assert place(requested) == (31, 3)
    assert place(requested.expr_location) == (33, 11)  # plain scalar: where it stands
    assert payout.expr == "min(requested,\n    budget * share)\n"
    assert place(payout.expr_location) == (40, 7)  # `expr: |` on 39: the text starts on 40
    assert weighted.expr == "seasonal * 2" and weighted.unit is None
    assert place(weighted.expr_location) == (46, 12)  # inside the double quote
    assert requested.expr_location.file == str(BASE)


def test_outputs_and_checks(base):
    assert base.outputs == ("requested", "payout")
    check = base.checks["within_budget"]
    assert isinstance(check, Check) and check.expr == "sum(payout) <= budget"
    assert place(check.expr_location) == (50, 11)


def test_outputs_default_to_every_rule(tmp_path):
    policy = load_policy(variant(tmp_path, ("outputs: [requested, payout]\n", "")))
    assert policy.outputs == ("requested", "payout", "weighted")


# ---------------------------------------------------------------- extends


def test_extends_overrides_removes_and_replaces_outputs():
    child = load_policy(str(HERE / "child.yaml"))
    assert (child.id, child.version, child.extends) == ("small_2027", "2027.1", "base.yaml")
    assert child.valid.start == dt.date(2027, 1, 1)
    assert list(child.parameters) == ["budget", "share", "deadline"]  # seasonal removed
    assert child.parameters["budget"].value == 2000000
    assert list(child.rules) == ["requested", "payout"]  # weighted removed
    assert child.rules["payout"].expr == "min(requested, budget)"  # the whole entry replaced
    assert child.rules["payout"].source is None and child.rules["payout"].title is None
    assert place(child.rules["payout"].expr_location) == (12, 11)
    assert child.rules["payout"].expr_location.file == str(HERE / "child.yaml")
    assert child.rules["requested"].location.file == str(BASE)  # inherited: points at the parent
    assert child.outputs == ("payout",)
    assert list(child.checks) == ["within_budget"] and list(child.sources) == ["doc"]
    assert child.chain == (str(HERE / "child.yaml"), str(BASE))
    assert set(child.file_lines) == {str(HERE / "child.yaml"), str(BASE)}


def test_sha256_of_a_chain_covers_every_file_child_first():
    grand = load_policy(str(HERE / "grandchild.yaml"))
    files = [HERE / "grandchild.yaml", HERE / "child.yaml", BASE]
    assert grand.chain == tuple(map(str, files))
    assert list(grand.file_sha256.values()) == [sha(f) for f in files]
    assert grand.sha256 == hashlib.sha256("".join(sha(f) for f in files).encode()).hexdigest()


def test_a_change_in_the_parent_changes_the_childs_sha256(tmp_path):
    write(tmp_path / "base.yaml", BASE_TEXT)
    child = write(tmp_path / "child.yaml", (HERE / "child.yaml").read_text(encoding="utf-8"))
    before = load_policy(str(child)).sha256
    write(tmp_path / "base.yaml", BASE_TEXT.replace("title: Utbetalning", "title: Utbetalning 2026"))
    assert load_policy(str(child)).sha256 != before


def test_extends_cycle_prints_the_chain():
    err = failure(str(HERE / "cycle_a.yaml"), CycleError)
    a, b = (os.path.realpath(HERE / f) for f in ("cycle_a.yaml", "cycle_b.yaml"))
    assert err.message == f"policies extend each other in a circle: {a} -> {b} -> {a}"
    assert err.hint == "a policy may extend an older one, never itself through others"


def test_remove_of_an_id_the_parent_does_not_have(tmp_path):
    write(tmp_path / "base.yaml", BASE_TEXT)
    text = (HERE / "child.yaml").read_text(encoding="utf-8").replace("remove: [weighted, seasonal]",
                                                                     "remove: [weighted, seasonl]")
    path = str(write(tmp_path / "child.yaml", text))
    err = failure(path)
    assert render(err) == (
        f"{path}:6:20: cannot remove 'seasonl': the extended policy has no such entry\n"
        "    remove: [weighted, seasonl]\n"
        "                       ^\n"
        "  hint: did you mean 'seasonal'?")


def test_child_outputs_naming_a_removed_rule(tmp_path):
    write(tmp_path / "base.yaml", BASE_TEXT)
    text = (HERE / "child.yaml").read_text(encoding="utf-8").replace("outputs: [payout]",
                                                                     "outputs: [payout, weighted]")
    err = failure(str(write(tmp_path / "child.yaml", text)))
    assert (err.message, place(err)) == ("output 'weighted' is not a rule", (14, 19))


# ---------------------------------------------------------------- checks without the language


def test_unknown_dimension_in_per_and_by(tmp_path):
    path = variant(tmp_path, ("    per: [region, month]\n    expr: \"seasonal", "    per: [region, monht]\n    expr: \"seasonal"),
                   ("    by: [region, month]", "    by: [regio, month]"))
    err = failure(path, ErrorList)
    assert [(place(e), e.message, e.hint) for e in err.errors] == [
        ((16, 3), "parameter 'seasonal' names an unknown dimension 'regio'", "did you mean 'region'?"),
        ((44, 3), "rule 'weighted' names an unknown dimension 'monht'", "did you mean 'month'?"),
    ]


def test_table_key_that_is_not_a_member(tmp_path):
    path = variant(tmp_path, ("      Stockholm: {1: 10", "      Stokholm: {1: 10"))
    err = failure(path)
    assert render(err) == (
        f"{path}:19:7: parameter 'seasonal': 'Stokholm' is not a member of 'region'\n"
        "          Stokholm: {1: 10, 2: 20, 3: 30}\n"
        "          ^\n"
        "  hint: did you mean 'Stockholm'?")


def test_int_member_that_is_not_declared(tmp_path):
    path = variant(tmp_path, ("Uppsala: {1: 1, 2: 2, 3: 3}", "Uppsala: {1: 1, 2: 2, 4: 3}"))
    err = failure(path)
    # "      Uppsala: {1: 1, 2: 2, " is 28 wide
    assert (err.message, place(err)) == ("parameter 'seasonal': 4 is not a member of 'month'", (20, 29))


def test_incomplete_table_lists_what_is_missing(tmp_path):
    path = variant(tmp_path, ("Gotland: {1: 0.5, 2: 0.25, 3: 0}", "Gotland: {1: 0.5}"),
                   ("      Uppsala: {1: 1, 2: 2, 3: 3}\n", ""))
    err = failure(path)
    assert err.message == "parameter 'seasonal' has no value for Uppsala/1, Uppsala/2, Uppsala/3, Gotland/2, Gotland/3"
    assert place(err) == (16, 3)
    assert err.hint == "add them, or declare complete: false if they may be missing"


def test_complete_false_allows_gaps(tmp_path):
    path = variant(tmp_path, ("Gotland: {1: 0.5, 2: 0.25, 3: 0}", "Gotland: {1: 0.5}"),
                   ("    by: [region, month]", "    by: [region, month]\n    complete: false"))
    assert len(load_policy(path).parameters["seasonal"].value) == 7


def test_input_by_column_problems(tmp_path):
    path = variant(tmp_path, ("    by: {region: region, month: month}", "    by: {region: regin, month: amount}"))
    err = failure(path, ErrorList)
    assert [(place(e), e.message, e.hint) for e in err.errors] == [
        ((24, 3), "input 'grants' is by region through column 'regin', which it does not have",
         "did you mean 'region'?"),
        ((29, 7), "input 'grants': column 'amount' carries month but has type 'money'", "declare it as type: month"),
    ]


def test_unknown_source_and_unknown_output(tmp_path):
    path = variant(tmp_path, ("    source: {ref: doc, passage: Tabell 2}", "    source: {ref: dok, passage: Tabell 2}"),
                   ("outputs: [requested, payout]", "outputs: [requested, payot]"))
    err = failure(path, ErrorList)
    assert [(place(e), e.message, e.hint) for e in err.errors] == [
        ((22, 19), "parameter 'seasonal' cites an unknown source 'dok'", "did you mean 'doc'?"),
        ((47, 22), "output 'payot' is not a rule", "did you mean 'payout'?"),
    ]


def test_valid_from_after_to(tmp_path):
    err = failure(variant(tmp_path, ("{from: 2026-01-01, to: 2026-12-31}", "{from: 2026-01-01, to: 2025-12-31}")))
    assert (err.message, place(err)) == ("valid.from (2026-01-01) is after valid.to (2025-12-31)", (4, 8))


def test_default_of_the_wrong_type(tmp_path):
    err = failure(variant(tmp_path, ("{type: money, min: 0, default: 0}", "{type: money, min: 0, default: noll}")))
    assert (err.message, place(err)) == ("input 'grants', column 'amount': default 'noll' is not a money", (29, 7))


def test_declared_parameter_type_must_fit_the_value(tmp_path):
    err = failure(variant(tmp_path, ("{value: 2026-03-16, type: date", "{value: 16 mars, type: date")))
    assert err.message == "parameter 'deadline' is declared date but its value is text ('16 mars')"
    assert place(err) == (15, 3)


def test_semantic_errors_are_collected(tmp_path):
    path = variant(tmp_path, ("      Stockholm: {1: 10", "      Stokholm: {1: 10"),
                   ("outputs: [requested, payout]", "outputs: [requested, payot]"),
                   ("{from: 2026-01-01, to: 2026-12-31}", "{from: 2026-01-01, to: 2025-12-31}"))
    err = failure(path, ErrorList)
    assert sorted(place(e) for e in err.errors) == [(4, 8), (19, 7), (47, 22)]


# ---------------------------------------------------------------- extends: missing parent, long chains


def test_extends_naming_a_missing_file_says_so_before_anything_else(tmp_path):
    path = str(write(tmp_path / "child.yaml", """\
        policy: child
        title: Barn
        version: "2"
        valid: {from: 2027-01-01, to: 2027-12-31}
        extends: ../2026/base.yaml
        parameters:
          budget: {unit: kr}
        """))
    err = failure(path)
    missing = os.path.normpath(os.path.join(tmp_path, "../2026/base.yaml"))
    assert not isinstance(err, ErrorList)
    assert err.message == f"the policy it extends does not exist: {missing}"
    assert place(err) == (5, 10) and err.location.file == path


def test_a_very_long_extends_chain_is_refused_with_a_message(tmp_path):
    write(tmp_path / "p0.yaml", BASE_TEXT)
    for i in range(1, 1201):
        write(tmp_path / f"p{i}.yaml", f'policy: p{i}\ntitle: t\nversion: "1"\n'
              f"valid: {{from: 2026-01-01, to: 2026-12-31}}\nextends: p{i - 1}.yaml\n")
    err = failure(str(tmp_path / "p1200.yaml"))
    assert "chain of `extends` is longer than 50 files" in err.message
    assert err.location.file == str(tmp_path / "p1200.yaml") and place(err) == (5, 10)
    # a chain within the limit loads, every level merged
    assert load_policy(str(tmp_path / "p40.yaml")).chain[-1] == str(tmp_path / "p0.yaml")


# ---------------------------------------------------------------- value-only overrides in a child

ROOT = Path(__file__).resolve().parents[2]


def test_a_value_only_override_keeps_every_other_field_of_the_parent(tmp_path):
    capacity = ROOT / "policies" / "2026_capacity.yaml"
    path = str(write(tmp_path / "child.yaml", f"""\
        policy: capacity_2027
        title: Kapacitet 2027
        version: "2027.0"
        valid: {{from: 2027-01-01, to: 2028-12-31}}
        extends: {capacity}
        parameters:
          total: 5500000000
          allocation_key: {{value: {{Gotland: 62000}}}}
          recommended_max_measures: {{value: 12}}
        """))
    child = load_policy(path)
    parent = load_policy(str(capacity))
    total = child.parameters["total"]
    assert total.value == 5500000000
    assert (total.unit, total.title, total.status, total.source) == ("kr", "Statsbidraget totalt (C-1)",
                                                                    "official", parent.parameters["total"].source)
    assert place(total) == (7, 3) and total.location.file == path
    key = child.parameters["allocation_key"]
    assert key.status == "illustrative"  # an illustrative figure does not become official by a new value
    assert key.value[("Gotland",)] == 62000
    assert key.value[("Stockholm",)] == 2454000  # the other cells are kept
    assert child.parameters["recommended_max_measures"].status == "illustrative"
    assert child.parameters["recommended_max_measures"].note == parent.parameters["recommended_max_measures"].note


def test_a_value_only_override_of_the_wrong_kind_points_into_the_child(tmp_path):
    path = str(write(tmp_path / "child.yaml", f"""\
        policy: capacity_2027
        title: Kapacitet 2027
        version: "2027.0"
        valid: {{from: 2027-01-01, to: 2028-12-31}}
        extends: {ROOT / "policies" / "2026_capacity.yaml"}
        parameters:
          min_measures: "one"
          allocation_key: {{value: {{Gotlnd: 62000}}}}
        """))
    err = failure(path, ErrorList)
    assert [(e.location.file, place(e)) for e in err.errors] == [(path, (7, 18)), (path, (8, 28))]
    assert "'Gotlnd' is not a member of 'region'" in err.errors[1].message


# ---------------------------------------------------------------- refused before anything is run

PERFORMANCE = (ROOT / "policies" / "2026_performance.yaml").read_text(encoding="utf-8")
CAPACITY = (ROOT / "policies" / "2026_capacity.yaml").read_text(encoding="utf-8")


def real_variant(tmp_path, text, old, new):
    assert text.count(old) == 1, old
    line = text[:text.index(old)].count("\n") + 1
    return str(write(tmp_path / "p.yaml", text.replace(old, new))), line


@pytest.mark.parametrize("text, old, new, message", [
    (PERFORMANCE, "      Gotland: 4795726\n", "      Gotland: -4795726\n",
     "parameter 'cap' at Gotland is -4795726, below its minimum 0"),
    (PERFORMANCE, "    value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", "    value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]\n",
     "parameter 'period_months' (item 10) is 13, above its maximum 12"),
    (CAPACITY, "    value: 5042500200\n", "    value: -1\n", "parameter 'total' is -1, below its minimum 0"),
    (CAPACITY, "    max: 1\n", "    max: -1\n", "parameter 'undocumented_claim_share': min 0 is larger than max -1"),
    (PERFORMANCE, "year: {type: int, title: År, min: 2000, max: 2100,",
     "year: {type: int, title: År, min: 2100, max: 2000,",
     "input 'procedures', column 'year': min 2100 is larger than max 2000"),
    (PERFORMANCE, "year: {type: int, title: År,", "year: {type: int, enum: [a], title: År,",
     "input 'procedures', column 'year': 'enum' applies to string columns only, and this one is int"),
    (CAPACITY, "received_on: {type: date,", "received_on: {type: date, min: 0,",
     "input 'requisitions', column 'received_on': min and max apply to number columns (int, decimal, money) "
     "only, and this one is date"),
    (PERFORMANCE, "    per: [region, measure]\n    expr: sum(procedures[year = measurement_year and month",
     "    per: [region, region]\n    expr: sum(procedures[year = measurement_year and month",
     "rule 'performed' is per region twice"),
    (CAPACITY, "measures_listed: {type: int,", "measures_listed: {type: date,",
     "input 'requisitions', column 'measures_listed': a unit applies to number columns (int, decimal, money) "
     "only, and this one is date"),
])
def test_what_would_fail_or_be_ignored_later_is_refused(tmp_path, text, old, new, message):
    path, line = real_variant(tmp_path, text, old, new)
    with pytest.raises(VillkorError) as info:
        load_policy(path)
    errors = info.value.errors if isinstance(info.value, ErrorList) else [info.value]
    assert [e.message for e in errors] == [message]
    assert errors[0].location.file == path and errors[0].location.line is not None


def test_a_bare_value_for_a_parameter_the_parent_does_not_have_is_refused(tmp_path):
    path = str(write(tmp_path / "child.yaml", f"""\
        policy: capacity_2027
        title: Kapacitet 2027
        version: "2027.0"
        valid: {{from: 2027-01-01, to: 2028-12-31}}
        extends: {ROOT / "policies" / "2026_capacity.yaml"}
        parameters:
          totl: 5500000000
        """))
    err = failure(path)
    assert err.message == "parameter 'totl' is not inherited, so a bare value cannot override it"
    assert place(err) == (7, 3) and err.hint == "did you mean 'total'?"
