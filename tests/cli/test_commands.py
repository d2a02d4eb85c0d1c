"""The real `villkor` command as a subprocess: exit codes (0 ok, 1 policy/data problem, 2 usage),
messages at file:line:col without a traceback, every output format written with -o, the shipped
policies on the example data, what-if parameters, and constant expressions.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from support import MINI_POLICY, ROOT, villkor, write

# A tiny data set for the mini policy (support.MINI_POLICY), worked out by hand:
#   Gotland hip: 2 in 2026 (months 2), baseline 3 in 2024 / 3 years = 1 -> eligible floor(2 - 1) = 1;
#     rate hip = 90 000 + 4 000 = 94 000 -> compensation 94 000 > cap 50 000 -> payout 50 000.
#   Uppsala cataract: 10 in 2026, baseline 0 -> eligible 10; rate 10 000 + 4 000 = 14 000
#     -> compensation 140 000 > cap 100 000 -> payout 100 000.
#   Stockholm: no rows -> 0.
TINY = """\
home_region,performing_region,provider,measure,year,month,count
Gotland,Gotland,public,hip,2026,2,2
Gotland,Gotland,public,hip,2024,2,3
Uppsala,Uppsala,public,cataract,2026,5,10
"""


@pytest.fixture
def tiny(tmp_path):
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    write(tmp_path / "data" / "procedures.csv", TINY)
    return policy, tmp_path / "data"


def payouts(stdout: str) -> dict:
    return {row["region"]: row["value"] for row in json.loads(stdout)["outputs"]["payout"]}


# ---------------------------------------------------------------- exit codes


def test_validate_ok(tiny):
    policy, _ = tiny
    proc = villkor("validate", policy)
    assert proc.returncode == 0
    assert proc.stderr == f"{policy}: ok — mini 1: 6 rules, 8 parameters, 1 checks\n"
    assert proc.stdout == ""


def test_validate_broken_policy_prints_file_line_col(tmp_path):
    # MINI_POLICY line 60 is "  rate:", line 62 "    expr: tariff + travel_supplement"
    text = MINI_POLICY.replace("    expr: tariff + travel_supplement", "    exprr: tariff + travel_supplement")
    policy = write(tmp_path / "broken.yaml", text)
    proc = villkor("validate", policy)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        f"{policy}:60:3: missing required key 'expr' in rule 'rate'\n"
        "      rate:\n"
        "      ^\n"
        "  hint: every rule needs an expression, e.g. expr: min(compensation, cap)\n"
        f"{policy}:62:5: unknown key 'exprr' in rule 'rate'\n"
        "        exprr: tariff + travel_supplement\n"
        "        ^\n"
        "  hint: did you mean 'expr'?\n")


def test_validate_unknown_name_in_an_expression(tmp_path):
    text = MINI_POLICY.replace("expr: min(compensation, cap)", "expr: min(compensaton, cap)")
    policy = write(tmp_path / "typo.yaml", text)
    proc = villkor("validate", policy)
    assert proc.returncode == 1
    # line 72: "    expr: min(compensaton, cap)"; the name starts at column 15
    first = proc.stderr.splitlines()[0]
    assert first == f"{policy}:72:15: rule 'payout': unknown name 'compensaton'"
    assert "hint: did you mean 'compensation'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_several_files_reports_each(tiny, tmp_path):
    policy, _ = tiny
    bad = write(tmp_path / "bad.yaml", "policy: [\n")
    proc = villkor("validate", policy, bad)
    assert proc.returncode == 1
    assert f"{policy}: ok" in proc.stderr
    assert f"{bad}:2:1: malformed YAML" in proc.stderr


def test_validate_malformed_yaml_has_no_traceback(tmp_path):
    policy = write(tmp_path / "tab.yaml", "policy: x\nvalid:\n\tfrom: 2026-01-01\n")
    proc = villkor("validate", policy)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{policy}:3:1: malformed YAML: ")
    assert proc.stderr.endswith("  hint: indent with spaces, not tabs\n")
    assert "Traceback" not in proc.stderr


def test_missing_policy_file(tmp_path):
    proc = villkor("validate", tmp_path / "nope.yaml")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{tmp_path / 'nope.yaml'}: no such file: ")


@pytest.mark.parametrize("args", [
    ("run", "mini.yaml", "--data", "data", "--format", "pdf"),  # unknown format
    ("run", "mini.yaml"),  # --data is required
    (),  # no command
    ("frobnicate",),
])
def test_usage_errors_exit_2(tiny, args):
    policy, _ = tiny
    proc = villkor(*args, cwd=policy.parent)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_unknown_format_names_the_choices(tiny):
    policy, data = tiny
    proc = villkor("run", policy, "--data", data, "--format", "pdf")
    assert proc.returncode == 2
    assert "invalid choice: 'pdf' (choose from 'json', 'csv', 'xlsx', 'md', 'html', 'csv-sv', 'summary')" in proc.stderr


def test_unknown_output_rule_is_a_usage_error(tiny):
    policy, data = tiny
    proc = villkor("run", policy, "--data", data, "--outputs", "payot")
    assert proc.returncode == 2
    assert proc.stderr == "error: --outputs names an unknown rule 'payot'\n  hint: did you mean 'payout'?\n"


def test_output_path_that_is_a_folder(tiny, tmp_path):
    policy, data = tiny
    (tmp_path / "out").mkdir()
    proc = villkor("run", policy, "--data", data, "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr == (f"error: cannot write {tmp_path / 'out'}: Is a directory\n"
                           "  hint: give -o the path of a file in a folder you can write to\n")
    assert list((tmp_path / "out").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mini.yaml", "out"]


def test_data_error_exits_1_and_writes_nothing(tiny, tmp_path):
    policy, data = tiny
    write(data / "procedures.csv", TINY + "Gotlnd,Gotland,public,hip,2026,2,1\n")
    out = tmp_path / "run.json"
    proc = villkor("run", policy, "--data", data, "-o", out)
    assert proc.returncode == 1
    assert proc.stderr == (f"{data / 'procedures.csv'}: row 5: column 'home_region': unknown region 'Gotlnd'\n"
                           "  hint: did you mean 'Gotland'?\n")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".villkor-")] == []


# ---------------------------------------------------------------- run and its formats


def test_run_json_on_the_tiny_data(tiny):
    policy, data = tiny
    proc = villkor("run", policy, "--data", data, check=True)
    assert payouts(proc.stdout) == {"Stockholm": 0, "Uppsala": 100000, "Gotland": 50000}
    doc = json.loads(proc.stdout)
    assert {"region": "Gotland", "measure": "hip", "value": 1} in doc["outputs"]["eligible"]
    assert doc["data"][0]["rows"] == 3
    assert proc.stderr.startswith("warning: parameter 'tariff' is illustrative")


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html", "xlsx"])
def test_run_writes_each_format_with_o(tiny, tmp_path, fmt):
    policy, data = tiny
    out = tmp_path / "reports" / f"run.{fmt}"
    proc = villkor("run", policy, "--data", data, "--format", fmt, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    raw = out.read_bytes()
    if fmt == "json":
        assert payouts(raw.decode())["Uppsala"] == 100000
    elif fmt == "csv":
        lines = raw.decode().splitlines()
        assert lines[0] == "rule,region,measure,value"
        assert "payout,Uppsala,,100000" in lines and "payout,Gotland,,50000" in lines
    elif fmt == "md":
        text = raw.decode()
        assert text.startswith("# Liten testpolicy\n")
        # Riket = 0 + 100 000 + 50 000
        assert "| Riket | 150\u2009000 kr |" in text
    elif fmt == "html":
        text = raw.decode()
        assert text.startswith("<!DOCTYPE html>") and "<title>Liten testpolicy</title>" in text
    else:
        wb = openpyxl.load_workbook(out)
        assert "payout" in wb.sheetnames
        rows = {r[0]: r[1] for r in wb["payout"].iter_rows(min_row=2, values_only=True)}
        assert rows["Uppsala"] == 100000 and rows["Gotland"] == 50000
    # the same command again gives the same bytes
    villkor("run", policy, "--data", data, "--format", fmt, "-o", out, check=True)
    assert out.read_bytes() == raw


def test_run_outputs_selection(tiny):
    policy, data = tiny
    doc = json.loads(villkor("run", policy, "--data", data, "--outputs", "payout,rate", check=True).stdout)
    assert list(doc["outputs"]) == ["payout", "rate"]
    assert doc["outputs"]["rate"] == [{"measure": "cataract", "value": 14000},
                                      {"measure": "hip", "value": 94000}]


def test_params_what_if_changes_a_payout(tiny, tmp_path):
    policy, data = tiny
    # travel_supplement 6 000: rate hip 96 000, cataract 16 000. Gotland: 1 x 96 000 = 96 000,
    # below its new cap 200 000 -> 96 000 (was 50 000). Uppsala: 10 x 16 000 = 160 000, still
    # above its cap 100 000 -> 100 000 (unchanged).
    params = write(tmp_path / "whatif.yaml", "travel_supplement: 6000\ncap: {Gotland: 200000}\n")
    before = payouts(villkor("run", policy, "--data", data, check=True).stdout)
    after = payouts(villkor("run", policy, "--data", data, "--params", params, check=True).stdout)
    assert before == {"Stockholm": 0, "Uppsala": 100000, "Gotland": 50000}
    assert after == {"Stockholm": 0, "Uppsala": 100000, "Gotland": 96000}


def test_params_file_with_an_error(tiny, tmp_path):
    policy, data = tiny
    params = write(tmp_path / "whatif.yaml", "cap: {Gotlnd: 200000}\n")
    proc = villkor("run", policy, "--data", data, "--params", params)
    assert proc.returncode == 1
    assert proc.stderr == (f"{params}:1:7: parameter 'cap': 'Gotlnd' is not a member of 'region'\n"
                           "    cap: {Gotlnd: 200000}\n"
                           "          ^\n"
                           "  hint: did you mean 'Gotland'?\n")


@pytest.mark.parametrize("name", ["2026_performance", "2026_capacity"])
def test_shipped_policies_on_the_example_data(name):
    policy = ROOT / "policies" / f"{name}.yaml"
    proc = villkor("run", policy, "--data", ROOT / "examples" / "2026")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["policy"]["id"] == name
    assert doc["outputs"]["payout"]
    assert all(c["passed"] for c in doc["checks"])
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings and all("is illustrative" in w for w in warnings)
    assert len(warnings) == len(doc["warnings"])


def test_shipped_policies_validate():
    proc = villkor("validate", ROOT / "policies" / "2026_performance.yaml", ROOT / "policies" / "2026_capacity.yaml")
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- expr


@pytest.mark.parametrize("text, expected", [
    ("0.1 + 0.2", {"type": "number", "value": "0.3"}),
    ("1 + 2", {"type": "number", "value": 3}),
    ('date("2026-03-16")', {"type": "date", "value": "2026-03-16"}),
    ("[1, 2] = [1, 2]", {"type": "boolean", "value": True}),
    ('"villkor"', {"type": "string", "value": "villkor"}),
])
def test_expr_json(text, expected):
    proc = villkor("expr", "--json", text)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected


def test_expr_plain():
    assert villkor("expr", "10 / 4", check=True).stdout == "2.5\n"


def test_expr_syntax_error_exits_1():
    proc = villkor("expr", "1 +")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[:3] == ["1:4: the expression ends too early", "    1 +", "       ^"]
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- docs/policy-file.md


def test_policy_file_reference_is_generated_from_the_schemas():
    """docs/policy-file.md is `python -m evaluator.policy.schemadoc` output; regenerate it with
    `python -m evaluator.policy.schemadoc > docs/policy-file.md` after changing a schema."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "evaluator.policy.schemadoc"], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    committed = (ROOT / "docs" / "policy-file.md").read_bytes()
    assert proc.stdout == committed, ("docs/policy-file.md is out of date: run "
                                      "python -m evaluator.policy.schemadoc > docs/policy-file.md")


def test_policy_file_reference_covers_every_key():
    """Every key of both schemas has a row with its title; every allowed value is listed."""
    import subprocess
    import sys

    from evaluator.policy.schema import load_schema

    text = subprocess.run([sys.executable, "-m", "evaluator.policy.schemadoc"], cwd=ROOT,
                          capture_output=True, timeout=120, check=True).stdout.decode("utf-8")

    def resolve(schema, root):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return {**resolve(target, root), **{k: v for k, v in schema.items() if k != "$ref"}}

    def keys(schema, root, seen=()):
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            if schema["$ref"] in seen:
                return
            yield from keys(resolve(schema, root), root, seen + (schema["$ref"],))
            return
        for key, sub in schema.get("properties", {}).items():
            yield key, resolve(sub, root)
            yield from keys(sub, root, seen)
        for name in ("additionalProperties", "items"):
            yield from keys(schema.get(name), root, seen)
        for option in schema.get("anyOf", []):
            yield from keys(option, root, seen)

    rows = [line for line in text.splitlines() if line.startswith("| `")]
    for name in ("policy.schema.json", "fixture.schema.json"):
        schema = load_schema(name)
        for key, sub in keys(schema, schema):
            assert any(row.startswith(f"| `{key}` |") for row in rows), (name, key)
            if "title" in sub:
                assert f"**{sub['title']}.**" in text, (name, key)
            for value in sub.get("enum", []):
                assert f"`{value}`" in text or value == "\t", (name, key, value)


def test_a_rule_that_does_not_parse_is_reported_once_without_cascading(tmp_path):
    text = (ROOT / "policies" / "2026_performance.yaml").read_text(encoding="utf-8")
    assert text.count("    expr: min(compensation, cap)\n") == 1
    line = text[:text.index("    expr: min(compensation, cap)\n")].count("\n") + 1
    text = text.replace("    expr: min(compensation, cap)\n", "    expr: min(compensation, cap\n")
    assert "expr: approximate_cost_excl_supplement + travel_supplement" in text
    text = text.replace("expr: approximate_cost_excl_supplement + travel_supplement",
                        "expr: approximate_cost + travel_supplement")
    policy = write(tmp_path / "p.yaml", text)
    proc = villkor("validate", policy)
    assert proc.returncode == 1
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    heads = [ln for ln in proc.stderr.splitlines() if ln.startswith(str(policy))]
    # both independent problems, each once; rules using payout are not reported again
    assert len(heads) == 2
    assert heads[1].startswith(f"{policy}:{line}:") and "rule 'payout'" in heads[1]
    assert "rule 'rate': unknown name 'approximate_cost'" in heads[0]


def test_expr_starting_with_a_minus_is_the_expression():
    assert villkor("expr", "-(1)").stdout == "-1\n"
    assert json.loads(villkor("expr", "--json", "-(2 + 1)").stdout) == {"type": "number", "value": -3}
