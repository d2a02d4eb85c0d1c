"""policy/schema.py: every schema violation, in plain words, at its file:line:col.

Positions are counted by hand from BAD (line numbers in the comment beside each line).
"""

from __future__ import annotations

import importlib.resources
import json

import jsonschema
import pytest

from evaluator.errors import ErrorList, render
from evaluator.policy.build import load_policy
from evaluator.policy.loader import load_yaml
from evaluator.policy.schema import load_schema, validate_tree

from support import ROOT, write

BAD = """\
policy: Small-1
title: T
version: 1
valid: {from: 2026-01-01}
rules:
  payout:
    exprr: min(a, b)
    unit: SEK
    per: region
parameters:
  cap: {value: 1, status: officiel, tilte: x, nte: y}
inputs:
  t:
    columns:
      a: {type: Int}
"""
#  1 policy   3 version   4 valid   6 payout   7 exprr   8 unit   9 per   11 cap   15 a


def errors_of(tmp_path, text: str, schema: str = "policy.schema.json"):
    loaded = load_yaml(str(write(tmp_path / "f.yaml", text)))
    return validate_tree(loaded, schema), loaded.path


def test_all_errors_in_plain_words_sorted_by_position(tmp_path):
    errors, _ = errors_of(tmp_path, BAD)
    assert [((e.location.line, e.location.column), e.message, e.hint) for e in errors] == [
        ((1, 9), "'Small-1' is not a valid id in 'policy'",
         "ids are lower-case letters, digits and underscores, starting with a letter: cap_total"),
        ((3, 10), "expected text in 'version', found the number 1", None),
        ((4, 1), "missing required key 'to' in 'valid'", None),
        ((6, 3), "missing required key 'expr' in rule 'payout'",
         "every rule needs an expression, e.g. expr: min(compensation, cap)"),
        ((7, 5), "unknown key 'exprr' in rule 'payout'", "did you mean 'expr'?"),
        ((8, 11), "'SEK' is not one of kr, count, kr/count, year, month, day in rule 'payout'", None),
        ((9, 10), "expected a list in rule 'payout', found 'region'", None),
        # "  cap: {value: 1, status: " is 26 wide; "officiel, " 10; "tilte: x, " 10
        ((11, 27), "'officiel' is not one of official, illustrative in parameter 'cap'",
         "did you mean 'official'?"),
        ((11, 37), "unknown key 'tilte' in parameter 'cap'", "did you mean 'title'?"),
        ((11, 47), "unknown key 'nte' in parameter 'cap'", "did you mean 'note'?"),
        ((15, 17), "'Int' is not a column type in input 't', column 'a'", "did you mean 'int'?"),
    ]


def test_rendered_error_shows_the_line_and_caret(tmp_path):
    errors, path = errors_of(tmp_path, BAD)
    assert render(errors[4]) == (
        f"{path}:7:5: unknown key 'exprr' in rule 'payout'\n"
        "        exprr: min(a, b)\n"
        "        ^\n"
        "  hint: did you mean 'expr'?")


def test_load_policy_raises_them_all_together(tmp_path):
    path = write(tmp_path / "f.yaml", BAD)
    with pytest.raises(ErrorList) as info:
        load_policy(str(path))
    assert len(info.value.errors) == 11
    assert render(info.value).count(f"{path}:") == 11


def test_rules_are_required_unless_the_policy_extends_another(tmp_path):
    head = 'policy: p\ntitle: T\nversion: "1"\nvalid: {from: 2026-01-01, to: 2026-12-31}\n'
    errors, _ = errors_of(tmp_path, head)
    assert [e.message for e in errors] == ["missing required key 'rules'"]
    errors, _ = errors_of(tmp_path, head + "extends: base.yaml\n")
    assert errors == []


def test_a_date_that_is_text(tmp_path):
    errors, _ = errors_of(tmp_path, 'policy: p\ntitle: T\nversion: "1"\nvalid: {from: 2026-01-01, to: "31/12"}\n'
                                    "rules: {r: {expr: '1'}}\n")
    # '    valid: {from: 2026-01-01, to: "' is 31 wide; the text starts inside the quote
    assert [(e.location.line, e.location.column, e.message) for e in errors] == [
        (4, 32, "'31/12' is not a date in 'valid'")]
    assert errors[0].hint == "write dates as YYYY-MM-DD, e.g. 2026-03-16"


def test_the_shipped_policies_are_valid():
    for name in ("2026_performance.yaml", "2026_capacity.yaml"):
        assert validate_tree(load_yaml(str(ROOT / "policies" / name)), "policy.schema.json") == []


# ---------------------------------------------------------------- fixture schema

FIXTURE = """\
policy: ../policies/base.yaml
description: a case
params: {budget: 5, seasonal: {Gotland: {1: 2}}}
data:
  grants: [{region: Gotland, month: 1, amount: 10}]
expect:
  requested: {Gotland: 10}
  total: 10
  weighted: {Gotland: {1: 4}}
  payout: [{region: Gotland, value: 1}]
expect_warnings: [illustrative]
"""


def test_a_good_fixture(tmp_path):
    assert errors_of(tmp_path, FIXTURE, "fixture.schema.json")[0] == []
    text = FIXTURE.replace("data:\n  grants: [{region: Gotland, month: 1, amount: 10}]", "data: ../data")
    assert errors_of(tmp_path, text, "fixture.schema.json")[0] == []


def test_fixture_errors(tmp_path):
    text = FIXTURE.replace("expect:", "expct:").replace("policy: ../policies/base.yaml\n", "")
    errors, _ = errors_of(tmp_path, text, "fixture.schema.json")
    assert [((e.location.line, e.location.column), e.message, e.hint) for e in errors] == [
        ((1, 1), "missing required key 'expect' or 'expect_error' or 'scenarios'", None),
        ((1, 1), "missing required key 'policy'", None),
        ((5, 1), "unknown key 'expct'", "did you mean 'expect'?"),
    ]


def test_fixture_expect_errors_is_a_string(tmp_path):
    errors, _ = errors_of(tmp_path, "policy: p.yaml\nexpect_error: [a]\n", "fixture.schema.json")
    assert [(e.location.line, e.message) for e in errors] == [
        (2, "expected text in 'expect_error', found a list")]


# ---------------------------------------------------------------- the schemas themselves


@pytest.mark.parametrize("name", ["policy.schema.json", "fixture.schema.json"])
def test_schemas_are_valid_draft_2020_12_and_shipped_in_the_package(name):
    text = importlib.resources.files("evaluator.schemas").joinpath(name).read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(name)
    assert load_schema(name) == schema


def _properties(node, path=()):
    """Every (path, schema) under a `properties` keyword, through $defs too."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield path + (key,), sub
        for key, sub in node.items():
            yield from _properties(sub, path + (key,))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, path + (i,))


@pytest.mark.parametrize("name", ["policy.schema.json", "fixture.schema.json"])
def test_every_property_has_a_title_and_a_description(name):
    missing = [".".join(map(str, p)) for p, sub in _properties(load_schema(name))
               if not (sub.get("title") and sub.get("description"))]
    assert missing == []


def test_enums_and_patterns_as_documented():
    schema = load_schema("policy.schema.json")
    defs = schema["$defs"]
    assert defs["unit"]["enum"] == ["kr", "count", "kr/count", "year", "month", "day"]
    assert defs["id"]["pattern"] == "^[a-z_][a-z0-9_]*$"
    assert schema["properties"]["policy"]["pattern"] == "^[a-z0-9_]+$"
    parameter = schema["properties"]["parameters"]["additionalProperties"]
    assert parameter["properties"]["status"]["enum"] == ["official", "illustrative"]
    assert parameter["required"] == ["value"]
    rule = schema["properties"]["rules"]["additionalProperties"]
    assert rule["required"] == ["expr"]
    assert rule["properties"]["type"]["enum"] == ["number", "bool", "string", "date", "duration", "list"]
