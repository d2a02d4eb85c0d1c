"""Reading policy files: YAML safety, schema errors at file:line:col, extends, semantic checks,
and parameter overrides.

Every expected line:col below is counted by hand from the text written in the test (lines and
columns are 1-based; BASE has its line numbers in the comment beside each line).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from decimal import Decimal

import pytest

from evaluator.errors import CycleError, ErrorList, LimitError, PolicyError, render
from evaluator.policy.build import load_policy
from evaluator.policy.loader import MAX_ALIAS_NODES, load_yaml
from evaluator.policy.params import apply_override_values, apply_overrides

from support import write

BASE = """\
policy: base
title: Grundpolicy
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt}
dimensions:
  region:
    members: [Stockholm, Uppsala, Gotland]
parameters:
  budget: {value: 1000000, unit: kr, source: {ref: doc}}
  cap:
    by: [region]
    value: {Stockholm: 500000, Uppsala: 100000, Gotland: 50000}
    unit: kr
    status: official
    source: {ref: doc}
inputs:
  grants:
    by: {region: region}
    columns:
      region: {type: region}
      amount: {type: money}
rules:
  requested:
    per: [region]
    expr: sum(grants.amount)
    unit: kr
    source: {ref: doc}
  payout:
    per: [region]
    expr: min(requested, cap)
    unit: kr
    source: {ref: doc}
outputs: [requested, payout]
checks:
  within_budget:
    expr: sum(payout) <= budget
    source: {ref: doc}
"""
# Line numbers of BASE, for the hand-counted positions below:
#  1 policy   4 valid   6 doc   9 members   11 budget   12 cap   14 value   15 unit   16 status
# 17 source  19 grants  20 by   22 region   23 amount   24 rules 25 requested  30 payout
# 32 expr (payout)  35 outputs  37 within_budget


def edited(*pairs: tuple[str, str]) -> str:
    """BASE with each `old` (which must occur exactly once) replaced by `new`."""
    text = BASE
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def load_text(tmp_path, text: str, name: str = "p.yaml"):
    return load_policy(str(write(tmp_path / name, text)))


def error_of(tmp_path, text: str, kind=PolicyError, name: str = "p.yaml"):
    path = write(tmp_path / name, text)
    with pytest.raises(kind) as info:
        load_policy(str(path))
    return info.value, str(path)


def place(err) -> tuple:
    loc = err.location
    return loc.line, loc.column


def test_base_policy_loads(tmp_path):
    policy = load_text(tmp_path, BASE)
    assert policy.id == "base"
    assert list(policy.rules) == ["requested", "payout"]
    assert policy.parameters["cap"].value == {("Stockholm",): 500000, ("Uppsala",): 100000,
                                              ("Gotland",): 50000}
    assert policy.valid.start == dt.date(2026, 1, 1)
    assert policy.sha256 == hashlib.sha256(BASE.encode()).hexdigest()


# ---------------------------------------------------------------- YAML


def test_malformed_yaml_points_at_the_place_with_a_hint(tmp_path):
    path = write(tmp_path / "p.yaml", "policy: base\ntitle: a: b\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    # "title: a: b": the second ':' is the 9th character of line 2
    assert render(info.value) == (
        f"{path}:2:9: malformed YAML: mapping values are not allowed in this context\n"
        "    title: a: b\n"
        "            ^\n"
        "  hint: a value containing ': ' must be quoted, e.g. expr: \"a: b\"")


def test_unclosed_list_is_malformed_yaml(tmp_path):
    path = write(tmp_path / "p.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    # In a flow list "2" and "c" fold into one scalar; the ':' after c (line 3, col 2) is where
    # the parser gives up.
    assert place(info.value) == (3, 2)
    assert info.value.message == "malformed YAML: did not find expected ',' or ']'"
    assert info.value.hint == "check the indentation and quoting around this place"


def test_tab_indentation(tmp_path):
    path = write(tmp_path / "p.yaml", "policy: base\nvalid:\n\tfrom: 2026-01-01\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    err = info.value
    assert place(err) == (3, 1)
    assert err.message.startswith("malformed YAML: found character")
    assert err.hint == "indent with spaces, not tabs"


def test_duplicate_key_points_at_the_second_and_names_the_first(tmp_path):
    path = write(tmp_path / "p.yaml", "rules:\n  a:\n    expr: 1\n    unit: kr\n    expr: 2\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert render(info.value) == (
        f"{path}:5:5: duplicate key 'expr'\n"
        "        expr: 2\n"
        "        ^\n"
        "  hint: it is already given on line 3; keep one of them")


def test_duplicate_rule_id_in_a_policy(tmp_path):
    text = edited(("  payout:\n", "  requested:\n"))
    err, path = error_of(tmp_path, text)
    assert err.message == "duplicate key 'requested'"
    assert place(err) == (30, 3)
    assert err.hint == "it is already given on line 25; keep one of them"


def test_numbers_are_exact_decimals_and_ints(tmp_path):
    path = write(tmp_path / "v.yaml", "a: 0.1\nb: 12\nc: 1_000\nd: 2.50\ne: -0.000001\n")
    tree = load_yaml(str(path)).tree
    assert tree == {"a": Decimal("0.1"), "b": 12, "c": 1000, "d": Decimal("2.50"), "e": Decimal("-0.000001")}
    assert type(tree["a"]) is Decimal and str(tree["a"]) == "0.1"
    assert type(tree["b"]) is int
    assert not any(isinstance(v, float) for v in tree.values())


def test_infinite_number_is_refused(tmp_path):
    path = write(tmp_path / "v.yaml", "a: .inf\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert info.value.message == "'.inf' is not a number villkor can use"
    assert place(info.value) == (1, 4)
    assert info.value.hint == "write a finite decimal number such as 0.25"


def test_yaml_dates(tmp_path):
    path = write(tmp_path / "v.yaml", "deadline: 2026-03-16\nquoted: '2026-03-16'\n")
    tree = load_yaml(str(path)).tree
    assert tree == {"deadline": dt.date(2026, 3, 16), "quoted": "2026-03-16"}


def test_invalid_date(tmp_path):
    path = write(tmp_path / "v.yaml", "a: 1\ndeadline: 2026-02-30\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert render(info.value) == (
        f"{path}:2:11: '2026-02-30' is not a valid date\n"
        "    deadline: 2026-02-30\n"
        "              ^\n"
        "  hint: write an existing date as YYYY-MM-DD")


def test_date_with_time_is_refused(tmp_path):
    path = write(tmp_path / "v.yaml", "deadline: 2026-03-16 10:00:00\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert info.value.message == "'2026-03-16 10:00:00' has a time of day; villkor works with dates"


@pytest.mark.parametrize("text, tag, col", [
    ("a: !!python/object/apply:os.system ['echo hi']\n", "!!python/object/apply:os.system", 4),
    ("a: !!python/name:os.system ''\n", "!!python/name:os.system", 4),
    ("a: !!set {x: null}\n", "!!set", 4),
    ("a: !custom 1\n", "!custom", 4),
])
def test_tags_are_refused(tmp_path, text, tag, col):
    path = write(tmp_path / "v.yaml", text)
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert info.value.message == f"YAML tag '{tag}' is not allowed"
    assert place(info.value) == (1, col)
    assert info.value.hint == "policy files hold plain values only; remove the tag"


def test_merge_keys_are_refused(tmp_path):
    path = write(tmp_path / "v.yaml", "a: &x {b: 1}\nc:\n  <<: *x\n")
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert info.value.message == "YAML merge keys (<<) are not allowed"
    assert place(info.value) == (3, 3)


def test_alias_bomb_is_refused(tmp_path):
    # Nine levels of nine aliases each: 9**9 (387 million) values if expanded. The builder stops
    # after MAX_ALIAS_NODES repeated values, so this test finishing at all shows the expansion
    # is bounded.
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(LimitError) as info:
        load_yaml(str(path))
    assert info.value.message == f"aliases in the file repeat more than {MAX_ALIAS_NODES} values"
    assert info.value.hint == "do not use YAML anchors and aliases to repeat large structures"


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("policy: base\ntitle: Gävleborg\n".encode("latin-1"))
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert render(info.value) == (
        f"{path}:2: the file is not UTF-8 text\n"
        "  hint: save it as UTF-8 (most editors: 'Save with encoding')")


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufefftitle: Gävleborg\n".encode("utf-8"))
    assert load_yaml(str(path)).tree == {"title": "Gävleborg"}


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as info:
        load_policy(str(path))
    assert render(info.value) == (
        f"{path}: no such file: {path}\n"
        "  hint: check the path (relative paths are from the current folder)")


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_yaml(str(tmp_path))
    assert info.value.message == f"{tmp_path} is a folder, not a file"


# ---------------------------------------------------------------- schema


def test_unknown_key_with_did_you_mean_and_missing_expr(tmp_path):
    err, path = error_of(tmp_path, edited(("    expr: min(requested, cap)", "    exprr: min(requested, cap)")),
                         ErrorList)
    assert [(place(e), e.message, e.hint) for e in err.errors] == [
        ((30, 3), "missing required key 'expr' in rule 'payout'",
         "every rule needs an expression, e.g. expr: min(compensation, cap)"),
        ((32, 5), "unknown key 'exprr' in rule 'payout'", "did you mean 'expr'?"),
    ]
    assert render(err.errors[1]) == (
        f"{path}:32:5: unknown key 'exprr' in rule 'payout'\n"
        "        exprr: min(requested, cap)\n"
        "        ^\n"
        "  hint: did you mean 'expr'?")


def test_bad_status_enum(tmp_path):
    err, path = error_of(tmp_path, edited(("    status: official", "    status: oficial")))
    assert render(err) == (
        f"{path}:16:13: 'oficial' is not one of official, illustrative in parameter 'cap'\n"
        "        status: oficial\n"
        "                ^\n"
        "  hint: did you mean 'official'?")


def test_bad_id_pattern(tmp_path):
    err, path = error_of(tmp_path, edited(("  cap:\n", "  Cap:\n")))
    assert render(err) == (
        f"{path}:12:3: 'Cap' is not a valid id in 'parameters'\n"
        "      Cap:\n"
        "      ^\n"
        "  hint: ids are lower-case letters, digits and underscores, starting with a letter: cap_total")


def test_bad_policy_id(tmp_path):
    err, _ = error_of(tmp_path, edited(("policy: base", "policy: Base-2026")))
    assert err.message == "'Base-2026' is not a valid id in 'policy'"
    assert place(err) == (1, 9)


def test_bad_unit(tmp_path):
    err, _ = error_of(tmp_path, edited(("    unit: kr\n    status", "    unit: SEK\n    status")))
    assert err.message == "'SEK' is not one of kr, count, kr/count, year, month, day in parameter 'cap'"
    assert place(err) == (15, 11)


def test_unknown_key_in_a_flow_mapping(tmp_path):
    err, _ = error_of(tmp_path, edited(("to: 2026-12-31}", "to: 2026-12-31, too: 1}")))
    assert err.message == "unknown key 'too' in 'valid'"
    assert place(err) == (4, 43)  # "valid: {from: 2026-01-01, to: 2026-12-31, " is 42 characters
    assert err.hint == "did you mean 'to'?"


def test_wrong_type(tmp_path):
    err, _ = error_of(tmp_path, edited(('version: "1"', "version: [1]")))
    assert err.message == "expected text in 'version', found a list"
    assert place(err) == (3, 10)


def test_several_schema_errors_are_reported_together(tmp_path):
    text = edited(("    status: official", "    status: oficial"),
                  ("    unit: kr\n    status", "    unit: SEK\n    status"),
                  ("    expr: min(requested, cap)", "    exprr: min(requested, cap)"))
    err, path = error_of(tmp_path, text, ErrorList)
    assert [place(e) for e in err.errors] == [(15, 11), (16, 13), (30, 3), (32, 5)]
    assert err.message == "4 errors"
    rendered = render(err)
    assert rendered.count(f"{path}:") == 4
    assert rendered.splitlines()[0] == (f"{path}:15:11: 'SEK' is not one of kr, count, kr/count, year, "
                                        "month, day in parameter 'cap'")


def test_a_file_that_is_not_a_mapping(tmp_path):
    err, path = error_of(tmp_path, "- policy: base\n")
    assert err.message == "the file must be a mapping of keys to values"
    assert err.hint == "start with the keys of villkor policy, e.g. 'policy:'"


# ---------------------------------------------------------------- extends

CHILD = """\
extends: ../base.yaml
policy: child
title: Nästa år
version: "2"
valid: {from: 2027-01-01, to: 2027-12-31}
parameters:
  budget: {value: 2000000, unit: kr, source: {ref: doc}}
rules:
  payout_total:
    expr: sum(payout)
    unit: kr
    source: {ref: doc}
"""


def family(tmp_path, child_text: str):
    write(tmp_path / "base.yaml", BASE)
    return write(tmp_path / "next" / "child.yaml", child_text)


def test_extends_overrides_a_parameter_and_adds_a_rule(tmp_path):
    child = load_policy(str(family(tmp_path, CHILD)))
    assert child.id == "child" and child.version == "2"
    assert child.valid.start == dt.date(2027, 1, 1)
    assert child.parameters["budget"].value == 2000000
    assert child.parameters["cap"].value[("Gotland",)] == 50000  # inherited
    assert list(child.rules) == ["requested", "payout", "payout_total"]
    assert list(child.checks) == ["within_budget"]
    assert child.outputs == ("requested", "payout")  # no outputs: the parent's list
    assert child.chain == (str(tmp_path / "next" / "child.yaml"), str(tmp_path / "base.yaml"))


def test_extends_removes_a_rule_and_a_check(tmp_path):
    text = CHILD + "remove: [requested, within_budget]\n"
    child = load_policy(str(family(tmp_path, text)))
    assert list(child.rules) == ["payout", "payout_total"]
    assert child.checks == {}
    assert child.outputs == ("payout",)


def test_extends_child_outputs_replace_the_parents(tmp_path):
    child = load_policy(str(family(tmp_path, CHILD + "outputs: [payout_total]\n")))
    assert child.outputs == ("payout_total",)


def test_remove_of_an_unknown_id(tmp_path):
    path = family(tmp_path, CHILD + "remove: [payout, requestd]\n")
    with pytest.raises(PolicyError) as info:
        load_policy(str(path))
    # line 13 is "remove: [payout, requestd]"; 'requestd' starts at column 18
    assert render(info.value) == (
        f"{path}:13:18: cannot remove 'requestd': the extended policy has no such entry\n"
        "    remove: [payout, requestd]\n"
        "                     ^\n"
        "  hint: did you mean 'requested'?")


def test_remove_without_extends(tmp_path):
    err, _ = error_of(tmp_path, BASE + "remove: [payout]\n")
    assert err.message == "'remove' only applies to a policy that extends another"
    assert place(err) == (40, 9)


def test_extends_a_missing_file(tmp_path):
    path = write(tmp_path / "child.yaml", CHILD)
    with pytest.raises(PolicyError) as info:
        load_policy(str(path))
    assert info.value.message == f"the policy it extends does not exist: {tmp_path.parent / 'base.yaml'}"
    assert place(info.value) == (1, 10)
    assert info.value.hint == "the path is relative to this file"


def test_extends_cycle(tmp_path):
    head = 'policy: {id}\ntitle: T\nversion: "1"\nvalid: {{from: 2027-01-01, to: 2027-12-31}}\n'
    write(tmp_path / "a.yaml", "extends: b.yaml\n" + head.format(id="a"))
    write(tmp_path / "b.yaml", "extends: a.yaml\n" + head.format(id="b"))
    with pytest.raises(CycleError) as info:
        load_policy(str(tmp_path / "a.yaml"))
    a, b = os.path.realpath(tmp_path / "a.yaml"), os.path.realpath(tmp_path / "b.yaml")
    assert info.value.message == f"policies extend each other in a circle: {a} -> {b} -> {a}"
    assert info.value.hint == "a policy may extend an older one, never itself through others"


def test_extends_itself(tmp_path):
    path = write(tmp_path / "self.yaml", "extends: self.yaml\n" + BASE)
    with pytest.raises(CycleError):
        load_policy(str(path))


def test_sha256_of_an_extended_policy_covers_the_parent(tmp_path):
    path = family(tmp_path, CHILD)
    first = load_policy(str(path)).sha256
    child_hash = hashlib.sha256(CHILD.encode()).hexdigest()
    parent_hash = hashlib.sha256(BASE.encode()).hexdigest()
    assert first == hashlib.sha256((child_hash + parent_hash).encode()).hexdigest()
    # The child's bytes are unchanged; only the parent's budget changes.
    write(tmp_path / "base.yaml", BASE.replace("value: 1000000", "value: 1000001"))
    second = load_policy(str(path)).sha256
    assert second != first
    new_parent = hashlib.sha256(BASE.replace("value: 1000000", "value: 1000001").encode()).hexdigest()
    assert second == hashlib.sha256((child_hash + new_parent).encode()).hexdigest()


# ---------------------------------------------------------------- semantic checks


def test_unknown_dimension_in_per(tmp_path):
    err, path = error_of(tmp_path, edited(("    per: [region]\n    expr: min", "    per: [regin]\n    expr: min")))
    assert render(err) == (
        f"{path}:30:3: rule 'payout' names an unknown dimension 'regin'\n"
        "      payout:\n"
        "      ^\n"
        "  hint: did you mean 'region'?")


def test_table_member_typo(tmp_path):
    err, path = error_of(tmp_path, edited(("{Stockholm: 500000,", "{Stokholm: 500000,")))
    # line 14 "    value: {Stokholm: ...": the member starts at column 13
    assert render(err) == (
        f"{path}:14:13: parameter 'cap': 'Stokholm' is not a member of 'region'\n"
        "        value: {Stokholm: 500000, Uppsala: 100000, Gotland: 50000}\n"
        "                ^\n"
        "  hint: did you mean 'Stockholm'?")


def test_table_member_typo_in_a_two_dimensional_table(tmp_path):
    text = edited(("    members: [Stockholm, Uppsala, Gotland]\n",
                   "    members: [Stockholm, Uppsala, Gotland]\n  measure:\n    members: [hip, knee]\n"),
                  ("  budget: {value", "  rate:\n    by: [region, measure]\n    complete: false\n"
                                       "    value:\n      Stokholm: {hip: 1, knee: 2}\n      Uppsala: {hip: 3, kne: 4}\n"
                                       "  budget: {value"))
    err, path = error_of(tmp_path, text, ErrorList)
    # lines 17 and 18; the wrong outer member is reported once, not once per inner cell
    assert [(place(e), e.message, e.hint) for e in err.errors] == [
        ((17, 7), "parameter 'rate': 'Stokholm' is not a member of 'region'", "did you mean 'Stockholm'?"),
        ((18, 25), "parameter 'rate': 'kne' is not a member of 'measure'", "did you mean 'knee'?"),
    ]


def test_incomplete_table_lists_the_missing_members(tmp_path):
    err, path = error_of(tmp_path, edited(("{Stockholm: 500000, Uppsala: 100000, Gotland: 50000}",
                                           "{Uppsala: 100000}")))
    assert render(err) == (
        f"{path}:12:3: parameter 'cap' has no value for Stockholm, Gotland\n"
        "      cap:\n"
        "      ^\n"
        "  hint: add them, or declare complete: false if they may be missing")


def test_complete_false_allows_missing_members(tmp_path):
    policy = load_text(tmp_path, edited(("{Stockholm: 500000, Uppsala: 100000, Gotland: 50000}",
                                         "{Uppsala: 100000}\n    complete: false")))
    assert policy.parameters["cap"].value == {("Uppsala",): 100000}
    assert policy.parameters["cap"].complete is False


def test_input_by_column_missing(tmp_path):
    err, path = error_of(tmp_path, edited(("    by: {region: region}", "    by: {region: home}")))
    assert render(err) == (
        f"{path}:19:3: input 'grants' is by region through column 'home', which it does not have\n"
        "      grants:\n"
        "      ^\n"
        "  hint: its columns: region, amount")


def test_input_by_column_typo_suggests_the_column(tmp_path):
    err, _ = error_of(tmp_path, edited(("    by: {region: region}", "    by: {region: regon}")))
    assert err.hint == "did you mean 'region'?"


def test_input_column_of_unknown_type(tmp_path):
    err, _ = error_of(tmp_path, edited(("{type: money}", "{type: mony}")))
    assert err.message == "input 'grants', column 'amount': unknown type 'mony'"
    assert place(err) == (23, 7)
    assert err.hint == "did you mean 'money'?"


def test_output_naming_an_unknown_rule(tmp_path):
    err, path = error_of(tmp_path, edited(("outputs: [requested, payout]", "outputs: [requested, payot]")))
    assert render(err) == (
        f"{path}:35:22: output 'payot' is not a rule\n"
        "    outputs: [requested, payot]\n"
        "                         ^\n"
        "  hint: did you mean 'payout'?")


def test_unknown_source_ref(tmp_path):
    err, path = error_of(tmp_path, edited(("  budget: {value: 1000000, unit: kr, source: {ref: doc}}",
                                           "  budget: {value: 1000000, unit: kr, source: {ref: dok}}")))
    # "  budget: {value: 1000000, unit: kr, source: {ref: " is 51 characters
    assert render(err) == (
        f"{path}:11:52: parameter 'budget' cites an unknown source 'dok'\n"
        "      budget: {value: 1000000, unit: kr, source: {ref: dok}}\n"
        "                                                       ^\n"
        "  hint: did you mean 'doc'?")


def test_valid_from_after_to(tmp_path):
    err, _ = error_of(tmp_path, edited(("{from: 2026-01-01, to: 2026-12-31}", "{from: 2027-01-01, to: 2026-12-31}")))
    assert err.message == "valid.from (2027-01-01) is after valid.to (2026-12-31)"
    assert place(err) == (4, 8)


def test_semantic_errors_are_collected(tmp_path):
    text = edited(("{Stockholm: 500000,", "{Stokholm: 500000,"),
                  ("outputs: [requested, payout]", "outputs: [requested, payot]"))
    err, _ = error_of(tmp_path, text, ErrorList)
    assert [place(e) for e in err.errors] == [(14, 13), (35, 22)]


# ---------------------------------------------------------------- parameter overrides


@pytest.fixture
def base(tmp_path):
    return load_text(tmp_path, BASE)


def overrides(tmp_path, base, text):
    return apply_overrides(base, str(write(tmp_path / "params.yaml", text)))


def override_error(tmp_path, base, text, kind=PolicyError):
    path = write(tmp_path / "params.yaml", text)
    with pytest.raises(kind) as info:
        apply_overrides(base, str(path))
    return info.value, str(path)


def test_override_a_scalar(tmp_path, base):
    new = overrides(tmp_path, base, "budget: 1500000.50\n")
    assert new.parameters["budget"].value == Decimal("1500000.50")
    assert base.parameters["budget"].value == 1000000  # the loaded policy is untouched


def test_override_part_of_a_table(tmp_path, base):
    new = overrides(tmp_path, base, "cap: {Gotland: 75000}\n")
    assert new.parameters["cap"].value == {("Stockholm",): 500000, ("Uppsala",): 100000,
                                           ("Gotland",): 75000}


def test_override_long_form_with_status(tmp_path, base):
    new = overrides(tmp_path, base, "cap:\n  value: {Uppsala: 1}\n  unit: kr\n  status: illustrative\n"
                                    "  note: what if\n")
    cap = new.parameters["cap"]
    assert cap.value[("Uppsala",)] == 1 and cap.status == "illustrative" and cap.note == "what if"


def test_override_long_form_unit_mismatch(tmp_path, base):
    err, path = override_error(tmp_path, base, "budget: {value: 5, unit: count}\n")
    assert render(err) == (
        f"{path}:1:9: parameter 'budget' is in kr, not count\n"
        "    budget: {value: 5, unit: count}\n"
        "            ^\n"
        "  hint: give the value in the parameter's own unit")


def test_override_unknown_parameter(tmp_path, base):
    err, path = override_error(tmp_path, base, "# what if\nbudgte: 5\n")
    assert render(err) == (
        f"{path}:2:1: unknown parameter 'budgte'\n"
        "    budgte: 5\n"
        "    ^\n"
        "  hint: did you mean 'budget'?")


def test_override_wrong_kind(tmp_path, base):
    err, path = override_error(tmp_path, base, "budget: mycket\n")
    assert render(err) == (
        f"{path}:1:9: parameter 'budget' is a number, not a text ('mycket')\n"
        "    budget: mycket\n"
        "            ^\n"
        "  hint: give a value of the same kind as in the policy")


def test_override_table_cell_of_wrong_kind(tmp_path, base):
    err, _ = override_error(tmp_path, base, "cap: {Gotland: 2026-01-01}\n")
    assert err.message == "parameter 'cap' is a number, not a date (datetime.date(2026, 1, 1))"


def test_override_unknown_member(tmp_path, base):
    err, path = override_error(tmp_path, base, "cap: {Uppsala: 1, Gotlnd: 5}\n")
    assert render(err) == (
        f"{path}:1:19: parameter 'cap': 'Gotlnd' is not a member of 'region'\n"
        "    cap: {Uppsala: 1, Gotlnd: 5}\n"
        "                      ^\n"
        "  hint: did you mean 'Gotland'?")


def test_override_unknown_member_in_long_form(tmp_path, base):
    err, _ = override_error(tmp_path, base, "cap:\n  value:\n    Gotlnd: 5\n")
    assert place(err) == (3, 5)


def test_override_table_with_a_scalar(tmp_path, base):
    err, _ = override_error(tmp_path, base, "cap: 5\n")
    assert err.message == "parameter 'cap' is a table by region: give a mapping of members"
    assert err.hint == "e.g. cap: {Gotland: 5000000}"


def test_override_errors_are_collected(tmp_path, base):
    err, _ = override_error(tmp_path, base, "budget: mycket\nbudgte: 1\n", ErrorList)
    assert [(place(e), e.message) for e in err.errors] == [
        ((1, 9), "parameter 'budget' is a number, not a text ('mycket')"),
        ((2, 1), "unknown parameter 'budgte'")]


def test_override_file_not_a_mapping(tmp_path, base):
    err, _ = override_error(tmp_path, base, "- budget\n")
    assert err.message == "a parameter file maps parameter ids to values"


def test_empty_override_file_changes_nothing(tmp_path, base):
    assert overrides(tmp_path, base, "# nothing\n") is base


def test_inline_overrides_from_a_fixture(base):
    new = apply_override_values(base, {"cap": {"Gotland": 1}}, "fixture.yaml")
    assert new.parameters["cap"].value[("Gotland",)] == 1
    with pytest.raises(PolicyError) as info:
        apply_override_values(base, {"budgte": 1}, "fixture.yaml")
    assert info.value.location.file == "fixture.yaml"
    assert info.value.hint == "did you mean 'budget'?"
