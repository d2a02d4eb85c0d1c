"""policy/schema_check.py: the compiled validity test says valid exactly when jsonschema does.

A file the compiled test calls valid is never shown to jsonschema, so a wrong "valid" would hide
every error of the file: the test is held to jsonschema's own answer on every YAML file of the
repository, valid or not, and on many small changes to the shipped policies and a fixture.
"""

from __future__ import annotations

import copy
import random

import jsonschema
import pytest

from evaluator.errors import VillkorError
from evaluator.policy.loader import load_yaml
from evaluator.policy.schema import _jsonable, load_schema
from evaluator.policy.schema_check import Unsupported, _Compiler, validity_test

from support import ROOT

SCHEMAS = ["policy.schema.json", "fixture.schema.json"]
REPLACEMENTS = [None, 0, 1, 2.5, True, "", "x", "Not-an-id", "2026-13-01", "2026-02-28", [], ["x"], {},
                {"zz_unknown": 1}]


def _jsonschema_says(schema_name: str, instance) -> bool:
    validator = jsonschema.Draft202012Validator(load_schema(schema_name), format_checker=jsonschema.FormatChecker())
    return validator.is_valid(instance)


def _yaml_files():
    for folder in ("policies", "examples", "tests"):
        yield from sorted((ROOT / folder).rglob("*.yaml"))


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_shipped_schemas_compile(name):
    assert validity_test(name) is not None


@pytest.mark.parametrize("name", SCHEMAS)
def test_agrees_with_jsonschema_on_every_yaml_file_of_the_repository(name):
    test = validity_test(name)
    checked, valid = 0, 0
    for path in _yaml_files():
        try:
            tree = load_yaml(str(path)).tree
        except VillkorError:  # not YAML at all (a test of the loader): no tree to validate
            continue
        instance = _jsonable(tree)
        expected = _jsonschema_says(name, instance)
        assert test(instance) == expected, path
        checked += 1
        valid += expected
    assert checked > 50 and 0 < valid < checked  # both answers were put to the test


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _mutants(tree, seed: int, count: int):
    """`count` copies of the tree, each with one value replaced, one key dropped or one added."""
    rng = random.Random(seed)
    paths = [p for p in _paths(tree) if p]
    for _ in range(count):
        path = rng.choice(paths)
        out = copy.deepcopy(tree)
        parent = out
        for part in path[:-1]:
            parent = parent[part]
        what = rng.randrange(3)
        if what == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif what == 1 and isinstance(parent, dict):
            parent["zz_unknown"] = "x"
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
        yield path, out


@pytest.mark.parametrize("name, file", [
    ("policy.schema.json", "policies/2026_performance.yaml"),
    ("policy.schema.json", "policies/2026_capacity.yaml"),
    ("fixture.schema.json", "tests/fixtures/2026_capacity/c04_request_above_allotment.yaml"),
    ("fixture.schema.json", "tests/fixtures/2026_performance/scenarios_tariffs.yaml"),
])
def test_agrees_with_jsonschema_on_changed_files(name, file):
    test = validity_test(name)
    tree = _jsonable(load_yaml(str(ROOT / file)).tree)
    invalid = 0
    for path, mutant in _mutants(tree, seed=len(file), count=150):
        expected = _jsonschema_says(name, mutant)
        assert test(mutant) == expected, path
        invalid += not expected
    assert invalid >= 15  # (a fixture's rows and expectations are free-form: many changes stay valid)


def test_json_schema_meanings_of_types_and_enums():
    test = _Compiler({}).compile({"type": "array", "items": {"anyOf": [{"type": "integer"}, {"enum": ["a", 1]}]}})
    assert test([3, 3.0, "a", 1]) is True  # 3.0 is an integer in draft 2020-12
    assert test([True]) is False  # true is neither an integer nor the 1 of an enum
    assert test([2.5]) is False
    assert test("not a list") is False


def test_a_keyword_it_does_not_know_does_not_compile():
    with pytest.raises(Unsupported):
        _Compiler({}).compile({"type": "array", "uniqueItems": True})
