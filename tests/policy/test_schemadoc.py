"""docs/policy-file.md is generated from the schemas; the committed file must be current."""

from __future__ import annotations

import subprocess
import sys

from evaluator.policy.build import load_policy
from evaluator.policy.schema import load_schema
from evaluator.policy.schemadoc import EXAMPLE, render

from support import ROOT, write


def test_committed_reference_is_the_generated_one():
    committed = (ROOT / "docs" / "policy-file.md").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m evaluator.policy.schemadoc > docs/policy-file.md"


def test_the_module_prints_it():
    out = subprocess.run([sys.executable, "-m", "evaluator.policy.schemadoc"], cwd=ROOT, capture_output=True,
                         text=True, encoding="utf-8", check=True).stdout
    assert out == render()


def test_the_example_is_a_valid_policy(tmp_path):
    policy = load_policy(str(write(tmp_path / "example.yaml", EXAMPLE)))
    assert policy.id == "2026_performance"
    assert policy.parameters["tariff"].status == "illustrative"
    assert render().count(EXAMPLE) == 1


def test_every_key_of_the_schema_is_documented():
    text = render()
    schema = load_schema("policy.schema.json")
    for section in ("parameters", "inputs", "rules", "checks", "sources", "dimensions"):
        entry = schema["properties"][section]["additionalProperties"]
        assert f"### `{section}.<id>` — {entry['title']}" in text
        for key in entry["properties"]:
            assert f"| `{key}` |" in text
    assert "one of `kr`, `count`, `kr/count`, `year`, `month`, `day`" in text  # allowed values are listed
    for key in load_schema("fixture.schema.json")["properties"]:
        assert f"| `{key}` |" in text
