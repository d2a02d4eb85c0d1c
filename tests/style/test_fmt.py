"""`villkor fmt`: canonical layout, idempotent, comments kept, values never changed.

Every policy of the repository is copied to tmp_path first: the tests never rewrite them.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from evaluator.lang import parse
from evaluator.style.fmt import BLOCK_TEXT, VALUE_WORDS, format_text, never_plain, plain_is_safe, reads_back, wrap_expression

from support import ROOT, villkor, write

# every YAML file of policies/ and examples/ (policies, fixtures, parameter files): fmt handles any
REPO_POLICIES = sorted([*ROOT.glob("policies/*.yaml"), *ROOT.glob("examples/**/*.yaml")])
POLICY_FILES = [p for p in REPO_POLICIES if "fixtures" not in p.parts
                and any(line.startswith("valid:") for line in p.read_text(encoding="utf-8").splitlines())]


def comments(text: str) -> list[str]:
    """Every comment in the file, whole-line or end-of-line, as written (outside strings)."""
    out = []
    for line in text.splitlines():
        m = re.search(r'(^|\s)(#.*)$', line)
        if m and line.count('"') % 2 == 0:
            out.append(m.group(2).strip())
    return out


def normalised(tree):
    if isinstance(tree, dict):
        return {k: (" ".join(v.split()) if k == "expr" and isinstance(v, str) else normalised(v))
                for k, v in tree.items()}
    if isinstance(tree, list):
        return [normalised(v) for v in tree]
    return tree


@pytest.mark.parametrize("policy", REPO_POLICIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repo_policy_idempotent_and_comments_kept(policy, tmp_path):
    copy = tmp_path / policy.name
    shutil.copy(policy, copy)
    before = copy.read_text(encoding="utf-8")
    proc = villkor("fmt", copy)
    assert proc.returncode == 0, proc.stderr
    once = copy.read_text(encoding="utf-8")
    assert villkor("fmt", "--check", copy).returncode == 0  # formatting twice changes nothing
    assert format_text(once) == once
    assert sorted(comments(once)) == sorted(comments(before))  # nothing lost, nothing added
    assert normalised(yaml.safe_load(once)) == normalised(yaml.safe_load(before))  # values unchanged
    for line in once.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, line


@pytest.mark.parametrize("policy", POLICY_FILES, ids=lambda p: p.name)
def test_formatted_repo_policy_still_validates_to_the_same_outcomes(policy, tmp_path):
    """The formatted copy is the same policy: `villkor diff` finds no change."""
    target = tmp_path / policy.relative_to(ROOT)
    target.parent.mkdir(parents=True)
    shutil.copy(policy, target)
    if policy.parent.name == "2027_draft":  # it extends ../../policies/2026_performance.yaml
        (tmp_path / "policies").mkdir(exist_ok=True)
        shutil.copy(ROOT / "policies" / "2026_performance.yaml", tmp_path / "policies")
    assert villkor("fmt", target).returncode == 0
    proc = villkor("diff", policy, target, "--fail-on-change")
    assert proc.returncode == 0, proc.stdout + proc.stderr


MESSY = """\
# Header comment: stays on top.
rules:
  # the payout rule
  payout:
    source: {passage: Bilaga 1, ref: doc}   # cited
    expr: min(compensation, cap)
    per: [region]
    title: 'Utbetalning'
  compensation:
    expr: sum(procedures[year = measurement_year and month in period_months and provider = "public"].count * 2)
    per:   [region]
    title: Ersättning
version: "1"
title: "Prov"
policy: prov
valid: {to: 2026-12-31, from: 2026-01-01}
parameters:
  budget:
    value: 750_000_000     # kr, bilaga 2 (an end-of-line comment keeps its column)
    unit: kr
    title: "yes"
    note: "1:30"
  flag:
    value: 'on'
outputs: [payout]
# Trailer comment: stays at the end.
"""

CANONICAL = """\
# Header comment: stays on top.
policy: prov
title: Prov
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
parameters:
  budget:
    title: "yes"
    value: 750000000       # kr, bilaga 2 (an end-of-line comment keeps its column)
    unit: kr
    note: "1:30"
  flag:
    value: "on"
rules:
  # the payout rule
  payout:
    title: Utbetalning
    per: [region]
    expr: min(compensation, cap)
    source: {ref: doc, passage: Bilaga 1}   # cited
  compensation:
    title: Ersättning
    per: [region]
    expr: |-
      sum(procedures[year = measurement_year and month in period_months
        and provider = "public"].count * 2)
outputs: [payout]
# Trailer comment: stays at the end.
"""


def test_canonical_layout_exactly(tmp_path):
    path = write(tmp_path / "messy.yaml", MESSY)
    proc = villkor("fmt", "--check", path)
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"would reformat {path}"
    assert path.read_text(encoding="utf-8") == MESSY  # --check writes nothing
    assert villkor("fmt", path).returncode == 0
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert villkor("fmt", "--check", path).returncode == 0


def test_values_read_the_same_in_yaml_1_1_after_formatting():
    """`yes`, `on` and `1:30` are booleans / a sexagesimal int to PyYAML (YAML 1.1): they keep
    their quotes; 750_000_000 is an int there but a string in YAML 1.2: written without `_`."""
    before, after = yaml.safe_load(MESSY), yaml.safe_load(CANONICAL)
    assert after["parameters"]["budget"]["title"] == "yes"
    assert after["parameters"]["budget"]["note"] == "1:30"
    assert after["parameters"]["flag"]["value"] == "on"
    assert before["parameters"]["budget"]["value"] == after["parameters"]["budget"]["value"] == 750000000
    from ruamel.yaml import YAML
    assert YAML(typ="safe", pure=True).load("v: 750_000_000")["v"] in ("750_000_000", 750000000)


def test_comment_moves_with_its_entry(tmp_path):
    text = """\
policy: p
parameters:
  # about b
  b: {value: 2}
  # about a
  a:
    value: 1
    # about a's title
    title: A
"""
    out = format_text(text)
    assert out == """\
policy: p
parameters:
  # about b
  b: {value: 2}
  # about a
  a:
    # about a's title
    title: A
    value: 1
"""


def test_plain_is_safe():
    assert plain_is_safe("Bilaga 1, tredje stycket")
    for text in ("yes", "on", "1:30", "2026.1", "1_000", "a: b", "{x}", "# no", "", " pad", "null", "2026-03-16"):
        assert not plain_is_safe(text), text


def test_plain_is_safe_in_a_block_holds_punctuation_after_a_letter():
    assert plain_is_safe("Brister i återrapporteringen, delar (C-9)")
    assert plain_is_safe("Vad gäller för medel? (uppföljning sker under 2027)")
    assert plain_is_safe("Totalt betalas {value} ut av {total}.")
    assert not plain_is_safe("Brister, delar (C-9)", flow=True)  # a comma ends a value in [a, b]
    assert not plain_is_safe("Återrapporteringen från {region}: {value}")  # ': ' starts a mapping


def test_what_is_answered_without_parsing_reads_back_as_itself():
    """BLOCK_TEXT answers without parsing: every text it lets through must read back in both
    parsers. Random texts of its characters (and others), seeded, and the words YAML reads."""
    rng = random.Random(7)
    chars = "abcXYZåäöÅé019 .()/-–,;?!'\"{}[]&*+=<>%§_:#"
    texts = [w.capitalize() for w in VALUE_WORDS] + [
        rng.choice("aåXé") + "".join(rng.choice(chars) for _ in range(rng.randrange(12))) for _ in range(3000)]
    answered = [t for t in texts if BLOCK_TEXT.fullmatch(t) and t.lower() not in VALUE_WORDS and t == t.strip()]
    assert len(answered) > 1000
    assert [t for t in answered if not reads_back(t)] == []
    assert all(plain_is_safe(t) == reads_back(t) for t in texts if t not in answered)


def test_what_is_refused_without_parsing_does_not_read_back_as_itself():
    rng = random.Random(8)
    chars = "ab åX09 .()-,;?'\"{}[]:#"
    texts = [rng.choice("aX{[(") + "".join(rng.choice(chars) for _ in range(rng.randrange(10))) for _ in range(2000)]
    for flow in (False, True):
        refused = [t for t in texts if never_plain(t, flow)]
        assert len(refused) > 300
        assert [t for t in refused if reads_back(t, flow)] == []


def test_wrap_keeps_the_syntax_tree_and_strings():
    expr = ('if followup_remark_parts = "" then "Inga, inte alls." else substring(followup_remark_parts, 1, '
            'string length(followup_remark_parts) - 2) + "."')
    wrapped = wrap_expression(expr, 4)
    assert wrapped is not None and "\n" in wrapped
    assert parse(wrapped) == parse(expr)
    assert '"Inga, inte alls."' in wrapped and "string length" in wrapped
    assert all(len(line) + 6 <= 100 for line in wrapped.splitlines())
    assert wrap_expression("a + b", 4) is None


def test_wrapped_expression_errors_point_into_the_block(tmp_path):
    from support import MINI_POLICY
    text = MINI_POLICY.replace(
        "expr: sum(procedures[year = measurement_year and month in period_months].count)",
        "expr: sum(procedures[year = measurement_year and month in period_months and provider = \"public\" "
        "and performing_region = home_region].count) + nonexistent_name")
    path = write(tmp_path / "p.yaml", text)
    assert villkor("fmt", path).returncode == 0
    formatted = path.read_text(encoding="utf-8")
    assert "expr: |-" in formatted
    proc = villkor("validate", path)
    assert proc.returncode == 1
    line_no = next(i for i, line in enumerate(formatted.splitlines(), 1) if "nonexistent_name" in line)
    col = formatted.splitlines()[line_no - 1].index("nonexistent_name") + 1
    assert f"p.yaml:{line_no}:{col}:" in proc.stderr


def test_unreadable_file_is_reported_and_left_alone(tmp_path):
    bad = write(tmp_path / "bad.yaml", "policy: [unclosed\n")
    good = write(tmp_path / "good.yaml", "title: 'x'\npolicy: p\n")
    proc = villkor("fmt", bad, good)
    assert proc.returncode == 1
    assert "bad.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_text(encoding="utf-8") == "policy: [unclosed\n"
    assert good.read_text(encoding="utf-8") == "policy: p\ntitle: x\n"
    assert not list(tmp_path.glob(".villkor-*"))  # no temporary file left behind


# ---------------------------------------------------------------- key order, long lists, values


def test_rule_keys_come_out_title_per_expr(tmp_path):
    path = write(tmp_path / "p.yaml", """\
        policy: p
        rules:
          payout:
            expr: min(compensation, cap)
            title: Utbetalning
            per: [region]
        """)
    proc = villkor("fmt", "--check", path)
    assert proc.returncode == 1 and proc.stdout.strip() == f"would reformat {path}"
    assert villkor("fmt", path).returncode == 0
    assert path.read_text(encoding="utf-8") == """\
policy: p
rules:
  payout:
    title: Utbetalning
    per: [region]
    expr: min(compensation, cap)
"""
    proc = villkor("fmt", "--check", path)
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.strip() == "1 file already formatted"


def test_long_flow_list_is_unfolded_and_short_one_kept(tmp_path):
    members = ", ".join(f"region_number_{i:02d}" for i in range(1, 9))  # > 100 columns as a flow list
    path = write(tmp_path / "p.yaml", f"policy: p\ndimensions:\n  region:\n    members: [{members}]\n"
                                      "  measure:\n    members: [x, y]\n")
    assert villkor("fmt", path).returncode == 0
    out = path.read_text(encoding="utf-8")
    assert out == ("policy: p\ndimensions:\n  region:\n    members:\n"
                   + "".join(f"      - region_number_{i:02d}\n" for i in range(1, 9))
                   + "  measure:\n    members: [x, y]\n")
    assert yaml.safe_load(out)["dimensions"]["region"]["members"] == [f"region_number_{i:02d}" for i in range(1, 9)]
    assert format_text(out) == out


def test_committed_policies_are_already_formatted():
    proc = villkor("fmt", "--check", *sorted(ROOT.glob("policies/*.yaml")),
                   ROOT / "examples" / "2027_draft" / "2027_performance.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip() == "3 files already formatted"


def _loaded(path: Path):
    from evaluator.policy.build import load_policy
    p = load_policy(str(path))
    rules = {rid: (parse(r.expr), r.per, r.unit, r.type, r.title, r.source, r.explain, r.nullable)
             for rid, r in p.rules.items()}
    checks = {cid: (parse(c.expr), c.per, c.title, c.source) for cid, c in p.checks.items()}
    return p.parameters, rules, checks, p.dimensions, p.inputs, p.outputs, p.sources, (p.valid.start, p.valid.end)


@pytest.mark.parametrize("policy", POLICY_FILES, ids=lambda p: p.name)
def test_load_policy_reads_the_same_values_after_formatting(policy, tmp_path):
    """Take an unformatted copy of each repo policy (keys of every entry reversed, so fmt has
    work to do), format it, and compare what `load_policy` builds: parameters, dimensions,
    inputs, outputs, sources and validity equal, rule and check expressions the same syntax tree."""
    target = tmp_path / policy.relative_to(ROOT)
    target.parent.mkdir(parents=True)
    if policy.parent.name == "2027_draft":
        (tmp_path / "policies").mkdir(exist_ok=True)
        shutil.copy(ROOT / "policies" / "2026_performance.yaml", tmp_path / "policies")
    from ruamel.yaml import YAML
    y = YAML()
    y.width = 4096
    doc = y.load(policy.read_text(encoding="utf-8"))
    for section in ("parameters", "rules", "checks"):
        for entry in (doc.get(section) or {}).values():
            if hasattr(entry, "keys"):
                for key in list(entry.keys())[::-1]:
                    entry.move_to_end(key)
    with target.open("w", encoding="utf-8") as fh:
        y.dump(doc, fh)
    before = _loaded(target)
    proc = villkor("fmt", target)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"reformatted {target}"
    assert _loaded(target) == before


def test_plain_question_mark_in_a_flow_mapping_is_quoted(tmp_path):
    """libyaml (and so villkor) reads `passage: medel? (…)` inside `{…}`; pure-Python PyYAML
    does not. fmt used to refuse such a file as "a bug in villkor fmt"; it now quotes the text."""
    path = write(tmp_path / "p.yaml", """\
        policy: p
        parameters:
          start:
            source: {ref: anvisning, passage: Vad gäller medel? (bidragsåret 2026)}
            status: official
        """)
    proc = villkor("fmt", path)
    assert proc.returncode == 0, proc.stderr
    out = path.read_text(encoding="utf-8")
    assert out == ("policy: p\nparameters:\n  start:\n    status: official\n"
                   "    source: {ref: anvisning, passage: \"Vad gäller medel? (bidragsåret 2026)\"}\n")
    assert yaml.safe_load(out)["parameters"]["start"]["source"]["passage"] == "Vad gäller medel? (bidragsåret 2026)"


def test_unreadable_yaml_is_not_blamed_on_fmt(tmp_path):
    path = write(tmp_path / "p.yaml", "policy: p\ntitle: {unclosed: x\n")
    proc = villkor("fmt", path)
    assert proc.returncode == 1
    assert "p.yaml" in proc.stderr and "bug in villkor fmt" not in proc.stderr and "Traceback" not in proc.stderr


# Found by holding the formatter against altered policies (tests/style/test_proof.py): before,
# a blank line after a block text went one per run, a comment at the end of the file after a
# plain value was lost, and so were comments above a `---`.
AROUND_BLOCKS_AND_ENDS = [
    ("policy: p\ntitle: >-\n  Lång\n  text\n\nversion: \"1\"\n",
     "policy: p\ntitle: >-\n  Lång\n  text\n\nversion: \"1\"\n"),
    ("policy: p\nrules:\n  a:\n    expr: |-\n      b\n\n\n    # why c\n    unit: kr\n",
     "policy: p\nrules:\n  a:\n    expr: |-\n      b\n\n    # why c\n    unit: kr\n"),
    ("policy: p\ntitle: T\n# the end\n", "policy: p\ntitle: T\n# the end\n"),
    ("policy: p\nrules:\n  a:\n    title: A\n\n  # the end\n\n\n", "policy: p\nrules:\n  a:\n    title: A\n\n# the end\n"),
    ("policy: p\noutputs:\n  - a\n\n\n", "policy: p\noutputs:\n  - a\n"),
    ("policy: p\noutputs: [a]\n\n", "policy: p\noutputs: [a]\n"),
    ("# Header\n---\npolicy: p\n", "# Header\npolicy: p\n"),
    ("--- # note\npolicy: p\n", "# note\npolicy: p\n"),
    ("\n\npolicy: p\n", "policy: p\n"),
    ("title: T\n\npolicy: p\n", "policy: p\ntitle: T\n"),
]


@pytest.mark.parametrize("before,after", AROUND_BLOCKS_AND_ENDS)
def test_blank_lines_and_comments_around_blocks_and_at_the_ends_of_the_file(before, after):
    assert format_text(before) == after
    assert format_text(after) == after


@pytest.mark.parametrize("value,column", [("{from: 2026-13-01}", 15), ("{from: 2026-02-30}", 15)])
def test_a_date_that_does_not_exist_is_reported_where_it_stands(tmp_path, value, column):
    """ruamel cannot build such a date; fmt reports it as `validate` does, with line and column,
    and leaves the file alone (it said "internal error" before)."""
    text = f"policy: p\nvalid: {value}\n"
    path = write(tmp_path / "p.yaml", text)
    proc = villkor("fmt", path)
    assert proc.returncode == 1
    assert f"p.yaml:2:{column}: " in proc.stderr and value[7:17] in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_text(encoding="utf-8") == text
