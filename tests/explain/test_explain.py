"""`villkor explain` and `villkor decisions` on small policies written here.

Two policies: the shape of the performance grant (support.MINI_POLICY, with data of our own)
and a small capacity-grant policy (C-1, C-3, C-6, C-7, C-8, C-9 in miniature). Expected
values are worked out by hand from the rows below, not copied from the output:

Performance (EXPLAIN_DATA), rate = tariff + 4 000: cataract 14 000, hip 94 000 kr/count.
  Stockholm cataract: 2026 Jan–Oct 100 + 5 = 105 rows' count (file rows 2 and 3; the November
    row 6 is outside the period); baseline (60 + 61 + 0) / 3 = 40.33…; eligible
    floor(64.67) = 64; hip nothing. compensation 64 × 14 000 = 896 000 > cap 500 000
    -> payout 500 000 (capped: the cap decides).
  Uppsala cataract: 7 performed, baseline 0 -> 7; hip: 0 performed, baseline 9 / 3 = 3 ->
    max(0, -3) = 0 (0 decides). compensation 7 × 14 000 = 98 000 < cap 100 000 -> payout 98 000
    (uncapped: compensation decides).
  Gotland hip: 3 × 94 000 = 282 000 > cap 50 000 -> 50 000.

Capacity (CAP_*): allotment = allocate(1 000, population 2 400 000 / 400 000 / 60 000):
  quotas 839.16…, 139.86…, 20.97… -> floors 839, 139, 20 (998), the 2 left go to the largest
  remainders Gotland (.979) and Uppsala (.860) -> 839, 140, 21.
  Stockholm: received 03-10 <= 03-16, 3 measures, plan -> qualifies; payout = requested 600;
    used 450, documented 400 -> unused 150, undocumented 50 -> repayment min(600, 200) = 200.
  Uppsala: received 03-17 (late) and 0 measures -> fails C-3 (a) and (b), payout 0.
  Gotland: no requisition row -> every condition false, payout 0; no follow-up row -> the
    financial report counts as missing -> finding.
"""

from __future__ import annotations

import json
import re

import pytest

from evaluator import explain as X
from evaluator.cli import main
from evaluator.policy import templates as T

from support import MINI_POLICY, ROOT, write

THIN = "\u2009"

EXPLAIN_DATA = """\
home_region,performing_region,provider,measure,year,month,count
Stockholm,Stockholm,public,cataract,2026,3,100
Stockholm,Uppsala,private,cataract,2026,4,5
Stockholm,Stockholm,public,cataract,2023,3,60
Stockholm,Stockholm,public,cataract,2024,3,61
Stockholm,Stockholm,public,cataract,2026,11,999
Uppsala,Uppsala,public,cataract,2026,2,7
Uppsala,Uppsala,public,hip,2025,1,9
Gotland,Gotland,public,hip,2026,1,3
"""

CAP_POLICY = """\
policy: mini_capacity
title: Liten kapacitetspolicy
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  anv:
    document: seeds/capacity.txt
    passage: Villkor
dimensions:
  region:
    title: Region
    members: [Stockholm, Uppsala, Gotland]
parameters:
  total: {title: Totalt belopp, value: 1000, unit: kr, source: {ref: anv, passage: Bidragets storlek}}
  population:
    title: Fördelningsnyckel
    by: [region]
    value: {Stockholm: 2400000, Uppsala: 400000, Gotland: 60000}
    status: illustrative
    note: Befolkning, inte regeringens nyckel.
    source: {ref: anv, passage: Bidragets storlek}
  deadline: {title: Sista dag för rekvisition, value: 2026-03-16, type: date, source: {ref: anv}}
inputs:
  requisitions:
    by: {region: region}
    unique: true
    columns:
      region: {type: region}
      received_on: {type: date}
      requested: {type: money}
      measures_listed: {type: int, min: 0}
      production_plan: {type: bool}
  followup:
    by: {region: region}
    unique: true
    columns:
      region: {type: region}
      used: {type: money, default: 0}
      documented: {type: money, default: 0}
      financial_report: {type: bool, default: false}
rules:
  allotment:
    title: Tilldelning enligt fördelningsnyckeln
    per: [region]
    expr: allocate(total, population)
    unit: kr
    source: {ref: anv, passage: Bidragets storlek}
    explain: "{region} tilldelas {value} av {total}."
  received_in_time:
    title: Rekvisitionen kom in i tid
    per: [region]
    expr: count(requisitions) > 0 and requisitions.received_on <= deadline
    source: {ref: anv, passage: Villkor}
  has_measures:
    title: Rekvisitionen anger minst en insats
    per: [region]
    expr: count(requisitions) > 0 and requisitions.measures_listed >= 1
    source: {ref: anv, passage: Villkor}
  has_plan:
    title: Regionen kan lämna en produktionsplan
    per: [region]
    expr: count(requisitions) > 0 and requisitions.production_plan
    source: {ref: anv, passage: Produktionsplan}
  qualifies:
    title: Villkoren för utbetalning är uppfyllda
    per: [region]
    expr: received_in_time and has_measures and has_plan
    source: {ref: anv, passage: Villkor}
    explain: "{region} uppfyller villkoren: {value}."
  payout:
    title: Utbetalning
    per: [region]
    expr: if qualifies then requisitions.requested else 0
    unit: kr
    source: {ref: anv, passage: Hur får ni del av medlen}
    explain: "{region} får {value}."
  unused:
    title: Ej använda medel
    per: [region]
    expr: max(0, payout - followup.used)
    unit: kr
    source: {ref: anv, passage: Återbetalning}
  undocumented:
    title: Användning som inte kan styrkas
    per: [region]
    expr: max(0, followup.used - followup.documented)
    unit: kr
    source: {ref: anv, passage: Ni ska kunna visa}
  repayment:
    title: Återbetalning
    per: [region]
    expr: min(payout, unused + undocumented)
    unit: kr
    source: {ref: anv, passage: Återbetalning}
    explain: "{region} ska betala tillbaka {value} av {payout}."
  finding_financial_report:
    title: "Iakttagelse: ekonomisk redovisning saknas"
    per: [region]
    expr: not(followup.financial_report)
    source: {ref: anv, passage: Återrapportering}
outputs: [allotment, qualifies, payout, repayment, finding_financial_report]
checks:
  within_total:
    title: Utbetalningarna ryms i totalbeloppet
    expr: sum(payout) <= total
    source: {ref: anv, passage: Bidragets storlek}
"""

CAP_REQUISITIONS = """\
region,received_on,requested,measures_listed,production_plan
Stockholm,2026-03-10,600,3,true
Uppsala,2026-03-17,140,0,true
"""

CAP_FOLLOWUP = """\
region,used,documented,financial_report
Stockholm,450,400,true
Uppsala,0,0,true
"""


@pytest.fixture
def perf(tmp_path):
    policy = write(tmp_path / "perf.yaml", MINI_POLICY)
    write(tmp_path / "perf_data" / "procedures.csv", EXPLAIN_DATA)
    return policy, tmp_path / "perf_data"


@pytest.fixture
def cap(tmp_path):
    policy = write(tmp_path / "cap.yaml", CAP_POLICY)
    write(tmp_path / "cap_data" / "requisitions.csv", CAP_REQUISITIONS)
    write(tmp_path / "cap_data" / "followup.csv", CAP_FOLLOWUP)
    return policy, tmp_path / "cap_data"


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def explain_json(capsys, policy, data, rule, *where, extra=()) -> dict:
    args = ["explain", policy, "--data", data, "--rule", rule, "--format", "json", *extra]
    for w in where:
        args += ["--where", w]
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    doc = json.loads(out)
    validate(doc)
    return doc


def validate(doc: dict) -> None:
    import jsonschema
    schema = json.loads((ROOT / "schemas" / "explanation.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def child(node: dict, rule: str, **key) -> dict:
    for c in node["children"]:
        if c["rule"] == rule and all(c["key"].get(d) == m for d, m in key.items()):
            return c
    raise AssertionError(f"no child {rule} {key} under {node['id']}: {[c['id'] for c in node['children']]}")


def operand(node: dict, name: str) -> dict:
    for op in node["operands"]:
        if op["name"] == name:
            return op
    raise AssertionError(f"no operand {name} in {[o['name'] for o in node['operands']]}")


def kr(n: int) -> str:
    return f"{n:,}".replace(",", THIN) + " kr"


# ---------------------------------------------------------------- performance: the cap


def test_capped_region_cap_decides(perf, capsys):
    doc = explain_json(capsys, *perf, "payout", "region=Stockholm")
    (tree,) = doc["explanations"]
    assert tree["key"] == {"region": "Stockholm"}
    assert tree["value"] == 500000 and tree["formatted"] == kr(500000) == "500\u2009000 kr"
    assert tree["expression"] == "min(compensation, cap)"
    assert tree["source"] == "seeds/example.txt, Bilaga 1"
    (d,) = tree["decisions"]
    assert d["kind"] == "min" and d["chosen"] == ["cap"]
    assert d["text"] == f"cap = {kr(500000)} bestämmer värdet (lägre än compensation = {kr(896000)})"
    assert tree["decisive"] == d["text"]
    cap_op = operand(tree, "cap")
    assert cap_op["kind"] == "parameter" and cap_op["value"] == 500000 and cap_op["status"] == "official"
    comp = child(tree, "compensation")
    assert comp["value"] == 896000
    eligible = child(comp, "eligible", measure="cataract")
    assert eligible["value"] == 64
    performed = child(eligible, "performed")
    assert performed["value"] == 105
    agg = operand(performed, "sum(procedures[year = measurement_year and month in period_months].count)")
    assert agg["kind"] == "input"
    assert agg["rows"] == {"table": "procedures", "column": "count", "function": "sum",
                           "filter": "year = measurement_year and month in period_months",
                           "matched": 2, "sum": 105}
    baseline = child(eligible, "baseline")
    assert baseline["value"] == "40.33333333333333333333333333333333"  # 121 / 3, exact to 34 digits
    rate = child(comp, "rate", measure="hip")
    tariff = operand(rate, "tariff")
    assert tariff["status"] == "illustrative" and tariff["value"] == 90000
    assert any("'tariff' is illustrative" in w for w in doc["warnings"])


def test_uncapped_region_compensation_decides(perf, capsys):
    doc = explain_json(capsys, *perf, "payout", "region=Uppsala")
    (tree,) = doc["explanations"]
    assert tree["value"] == 98000 and tree["formatted"] == "98\u2009000 kr"
    (d,) = tree["decisions"]
    assert d["chosen"] == ["compensation"]
    assert d["text"] == f"compensation = {kr(98000)} bestämmer värdet (lägre än cap = {kr(100000)})"
    comp = child(tree, "compensation")
    hip = child(comp, "eligible", measure="hip")
    assert hip["value"] == 0
    (d,) = hip["decisions"]
    assert d["kind"] == "max" and d["chosen"] == ["0"]
    assert "högre än round(performed - baseline, 0, eligible_rounding) = −3" in d["text"]  # U+2212 minus
    assert child(hip, "baseline")["value"] == 3


def test_text_output_is_swedish_with_sources(perf, capsys):
    code, out, err = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "payout",
                         "--where", "region=Stockholm")
    assert code == 0, err
    first = out.splitlines()[0]
    assert first == "payout · Stockholm = 500\u2009000 kr"
    assert f"avgörande: cap = {kr(500000)} bestämmer värdet (lägre än compensation = {kr(896000)})" in out
    assert "källa: seeds/example.txt, Bilaga 1" in out
    assert "ILLUSTRATIVT" in out
    assert "2 matchande rader i procedures; summa av count: 105" in out
    assert "varning: Parametern ”tariff” är ett illustrativt värde, inte en officiell uppgift: Not an official figure.\n" in out


def test_rows_lists_the_matched_input_rows(perf, capsys):
    doc = explain_json(capsys, *perf, "performed", "region=Stockholm", "measure=cataract", extra=["--rows"])
    (tree,) = doc["explanations"]
    rows = tree["operands"][0]["rows"]
    assert [r["row"] for r in rows["records"]] == [2, 3]  # the November row (6) is outside the period
    assert [r["count"] for r in rows["records"]] == [100, 5]
    assert rows["records"][1]["performing_region"] == "Uppsala"  # P-7: counted for the home region
    assert rows["records_omitted"] == 0
    code, out, _ = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "performed", "--where",
                       "region=Stockholm", "--where", "measure=cataract", "--rows", "--max-rows", "1")
    assert "rad 2: home_region=Stockholm" in out and "rad 3:" not in out and "… och 1 rader till" in out


def test_repeated_subtrees_are_shown_once(perf, capsys):
    doc = explain_json(capsys, *perf, "payout")  # every region: rate per measure is shared
    assert [t["key"]["region"] for t in doc["explanations"]] == ["Stockholm", "Uppsala", "Gotland"]
    nodes = list(X.iter_nodes(doc["explanations"]))
    full = [n["id"] for n in nodes if "ref" not in n]
    assert len(full) == len(set(full)), "a node was expanded twice"
    refs = [n for n in nodes if "ref" in n]
    op_refs = {r for n in nodes for op in n.get("operands", []) for r in
               [op.get("ref")] + [v.get("ref") for v in op.get("values", [])] if r}
    assert op_refs <= set(full), "an operand refers to a node that is not in the document"
    assert {n["ref"] for n in refs} >= {"rate[measure=cataract]", "rate[measure=hip]"}
    assert all(r["ref"] in full for r in refs)
    code, out, _ = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "payout")
    assert "rate · hip = " in out and "(se ovan)" in out


def test_depth_limits_the_tree(perf, capsys):
    doc = explain_json(capsys, *perf, "payout", "region=Gotland", extra=["--depth", "0"])
    (tree,) = doc["explanations"]
    assert tree["children"] == [] and tree["truncated"] is True
    assert operand(tree, "compensation")["value"] == 282000
    assert "ref" not in operand(tree, "compensation")  # no reference to a node left out
    doc = explain_json(capsys, *perf, "payout", "region=Gotland", extra=["--depth", "1"])
    comp = child(doc["explanations"][0], "compensation")
    assert comp["children"] == [] and comp["truncated"] is True


def test_where_selects_keys_and_accepts_labels(perf, capsys):
    doc = explain_json(capsys, *perf, "eligible", "region=Uppsala")
    assert [t["key"] for t in doc["explanations"]] == [{"region": "Uppsala", "measure": "cataract"},
                                                       {"region": "Uppsala", "measure": "hip"}]
    assert [t["value"] for t in doc["explanations"]] == [7, 0]
    doc = explain_json(capsys, *perf, "rate")  # a rule per measure, all keys
    assert [t["value"] for t in doc["explanations"]] == [14000, 94000]


@pytest.mark.parametrize("args, message, hint", [
    (["--rule", "payuot"], "unknown rule 'payuot'", "did you mean 'payout'?"),
    (["--rule", "payout", "--where", "regoin=Uppsala"], "unknown dimension 'regoin'", "did you mean 'region'?"),
    (["--rule", "payout", "--where", "region=Upsala"], "'Upsala' is not a member of region",
     "did you mean 'Uppsala'?"),
    (["--rule", "payout", "--where", "measure=hip"], "rule 'payout' is per region, not per measure", None),
    (["--rule", "cap"], "'cap' is a parameter, not a rule", None),
])
def test_bad_selection_is_a_clear_error(perf, capsys, args, message, hint):
    code, out, err = cli(capsys, "explain", perf[0], "--data", perf[1], *args)
    assert code == 1 and out == ""
    assert message in err
    if hint:
        assert hint in err
    assert "Traceback" not in err


def test_malformed_where_is_a_usage_error(perf, capsys):
    code, out, err = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "payout", "--where", "Uppsala")
    assert code == 2 and "expected DIMENSION=MEMBER" in err


def test_explanation_values_match_the_run(perf, capsys):
    """Every node's value is the run's value for that rule at that key."""
    code, out, err = cli(capsys, "run", perf[0], "--data", perf[1], "--format", "json")
    assert code == 0, err
    run = json.loads(out)["outputs"]
    for rule in ("payout", "eligible"):
        doc = explain_json(capsys, *perf, rule)
        for node in X.iter_nodes(doc["explanations"]):
            if node["rule"] in run:
                expected = [r["value"] for r in run[node["rule"]]
                            if all(r[d] == m for d, m in node["key"].items())]
                assert expected == [node["value"]] or str(expected[0]) == str(node["value"])


def test_markdown_output(perf, capsys):
    code, out, err = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "payout",
                         "--where", "region=Stockholm", "--format", "md")
    assert code == 0, err
    assert out.startswith("# Förklaring: payout")
    assert "- **payout** · Stockholm = **500\u2009000 kr**" in out
    assert "Uttryck: `min(compensation, cap)`" in out


def test_output_file_is_written(perf, capsys, tmp_path):
    target = tmp_path / "out" / "payout.json"
    target.parent.mkdir()
    code, out, err = cli(capsys, "explain", perf[0], "--data", perf[1], "--rule", "payout",
                         "--format", "json", "-o", target)
    assert code == 0 and out == ""
    validate(json.loads(target.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- capacity: conditions and repayment


def test_failed_conjunction_names_the_false_conditions(cap, capsys):
    doc = explain_json(capsys, *cap, "payout", "region=Uppsala")
    (tree,) = doc["explanations"]
    assert tree["value"] == 0 and tree["headline"] == "Uppsala får 0 kr."
    (d,) = tree["decisions"]
    assert d["kind"] == "if" and d["condition"] == "qualifies" and d["condition_value"] is False
    assert d["branch"] == "else"
    assert d["text"] == "villkoret qualifies är falskt, så värdet blir 0"
    qualifies = child(tree, "qualifies")
    assert qualifies["value"] is False and qualifies["formatted"] == "nej"
    (d,) = qualifies["decisions"]
    assert d["kind"] == "and" and d["chosen"] == ["received_in_time", "has_measures"]
    assert d["text"] == ("inte uppfyllt: received_in_time (Rekvisitionen kom in i tid) är nej, "
                         "has_measures (Rekvisitionen anger minst en insats) är nej")
    late = child(qualifies, "received_in_time")
    (d,) = late["decisions"]
    assert d["chosen"] == ["requisitions.received_on <= deadline"]
    assert "requisitions.received_on = 2026-03-17, deadline = 2026-03-16" in d["text"]
    received = operand(late, "requisitions.received_on")
    assert received["value"] == "2026-03-17" and received["rows"]["matched"] == 1
    assert child(qualifies, "has_plan")["value"] is True


def test_region_without_requisition(cap, capsys):
    doc = explain_json(capsys, *cap, "qualifies", "region=Gotland", extra=["--rows"])
    (tree,) = doc["explanations"]
    assert tree["decisions"][0]["chosen"] == ["received_in_time", "has_measures", "has_plan"]
    late = child(tree, "received_in_time")
    assert late["decisions"][0]["chosen"] == ["count(requisitions) > 0"]
    count = operand(late, "count(requisitions)")
    assert count["value"] == 0 and count["rows"]["matched"] == 0 and count["rows"]["records"] == []


def test_repayment_and_template(cap, capsys):
    doc = explain_json(capsys, *cap, "repayment", "region=Stockholm")
    (tree,) = doc["explanations"]
    assert tree["value"] == 200
    assert tree["headline"] == "Stockholm ska betala tillbaka 200 kr av 600 kr."
    (d,) = tree["decisions"]
    assert d["kind"] == "min" and d["chosen"] == ["unused + undocumented"]
    assert d["text"] == "unused + undocumented = 200 kr bestämmer värdet (lägre än payout = 600 kr)"
    payout = child(tree, "payout")
    assert payout["value"] == 600 and payout["decisions"][0]["branch"] == "then"
    assert child(tree, "unused")["value"] == 150
    assert child(tree, "undocumented")["value"] == 50
    # payout is used by repayment and by unused: expanded once, then a reference
    unused = child(tree, "unused")
    assert unused["children"][0]["ref"] == "payout[region=Stockholm]"
    assert "expression" not in unused["children"][0]


def test_allotment_template_and_illustrative_key(cap, capsys):
    doc = explain_json(capsys, *cap, "allotment")
    assert [t["value"] for t in doc["explanations"]] == [839, 140, 21]
    assert doc["explanations"][0]["headline"] == f"Stockholm tilldelas 839 kr av {kr(1000)}."
    pop = operand(doc["explanations"][2], "population")
    assert pop["status"] == "illustrative" and pop["value"] == 60000
    assert pop["note"] == "Befolkning, inte regeringens nyckel."


# ---------------------------------------------------------------- templates


def test_template_names():
    assert T.template_names("{region} får {value} av {cap}; {value}.") == ["region", "value", "cap"]
    assert T.template_names("{{literal}} {value}") == ["value"]
    for bad in ("{value", "{value:,}", "{a.b}", "{}"):
        with pytest.raises(ValueError):
            T.template_names(bad)


def test_check_templates_reports_unknown_placeholders(tmp_path):
    from evaluator.policy.build import load_policy

    text = CAP_POLICY.replace('explain: "{region} får {value}."', 'explain: "{regoin} får {valeu}."') \
        .replace('explain: "{region} tilldelas {value} av {total}."', 'explain: "{allotment_x} {qualifies}"')
    policy = load_policy(str(write(tmp_path / "bad.yaml", text)))
    errors = T.check_templates(policy)
    messages = [(e.location.rule, e.message, e.hint) for e in errors]
    assert ("payout", "explain template: unknown placeholder {regoin}", "did you mean 'region'?") in messages
    assert any(m[0] == "payout" and "{valeu}" in m[1] and "'value'" in (m[2] or "") for m in messages)
    assert any(m[0] == "allotment" and "{allotment_x}" in m[1] and "'allotment'" in (m[2] or "") for m in messages)
    assert len(errors) == 3  # {qualifies} is per region like allotment: fine
    assert T.check_templates(load_policy(str(write(tmp_path / "ok.yaml", CAP_POLICY)))) == []


def test_check_templates_refuses_finer_values(tmp_path):
    from evaluator.policy.build import load_policy

    text = MINI_POLICY.replace("    expr: min(compensation, cap)\n",
                               '    expr: min(compensation, cap)\n    explain: "{region} {measure} {eligible} {tariff} {cap}"\n')
    errors = T.check_templates(load_policy(str(write(tmp_path / "p.yaml", text))))
    text_of = " | ".join(e.message for e in errors)
    assert "{measure} is not a dimension of this rule" in text_of
    assert "rule 'eligible' is per region, measure" in text_of
    assert "parameter 'tariff' is by measure" in text_of
    assert len(errors) == 3


# ---------------------------------------------------------------- every node cites its source


@pytest.mark.parametrize("which", ["perf", "cap"])
def test_every_node_of_every_output_has_a_source(which, request, capsys):
    policy, data = request.getfixturevalue(which)
    assert_all_outputs_cited(capsys, policy, data)


def assert_all_outputs_cited(capsys, policy, data) -> int:
    from evaluator import api
    outputs = api.load(str(policy)).outputs
    seen = 0
    for rule in outputs:
        doc = explain_json(capsys, policy, data, rule)
        for node in X.iter_nodes(doc["explanations"]):
            seen += 1
            if "ref" in node:
                continue
            assert node["source"], f"{node['id']} has no source citation"
            for op in node["operands"]:
                if op["kind"] in ("parameter", "rule"):
                    assert op.get("source"), f"{node['id']}: operand {op['name']} has no source citation"
    return seen


# ---------------------------------------------------------------- decision documents


def test_decision_documents_markdown(cap, capsys, tmp_path):
    out_dir = tmp_path / "beslut"
    code, out, err = cli(capsys, "decisions", cap[0], "--data", cap[1], "--format", "md", "-o", out_dir)
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["mini_capacity-Gotland.md", "mini_capacity-Stockholm.md", "mini_capacity-Uppsala.md"]
    doc = (out_dir / "mini_capacity-Uppsala.md").read_text(encoding="utf-8")
    assert "**Region:** Uppsala" in doc
    assert "| payout | Utbetalning | 0 kr |" in doc
    assert "| allotment | Tilldelning enligt fördelningsnyckeln | 140 kr |" in doc
    assert "- ✗ Villkoren för utbetalning är uppfyllda: **nej**" in doc
    assert "## Iakttagelser" in doc
    assert "Iakttagelse: ekonomisk redovisning saknas: **nej**" in doc
    assert "inte uppfyllt: received_in_time (Rekvisitionen kom in i tid) är nej" in doc
    assert ("## Varningar\n\n- Parametern ”Fördelningsnyckel” är ett illustrativt värde, inte en officiell "
            "uppgift: Befolkning, inte regeringens nyckel.\n") in doc
    assert re.search(r"sha256 `[0-9a-f]{64}`", doc)
    assert "Indata requisitions" in doc and "Indata followup" in doc
    gotland = (out_dir / "mini_capacity-Gotland.md").read_text(encoding="utf-8")
    assert "Iakttagelse: ekonomisk redovisning saknas: **ja**" in gotland  # no follow-up row
    stockholm = (out_dir / "mini_capacity-Stockholm.md").read_text(encoding="utf-8")
    assert "| repayment | Återbetalning | 200 kr |" in stockholm
    assert "Stockholm ska betala tillbaka 200 kr av 600 kr." in stockholm
    # same inputs, same bytes
    again = tmp_path / "again"
    assert cli(capsys, "decisions", cap[0], "--data", cap[1], "--format", "md", "-o", again)[0] == 0
    assert all((again / n).read_bytes() == (out_dir / n).read_bytes() for n in names)


def test_decision_documents_html_are_self_contained(perf, capsys, tmp_path):
    out_dir = tmp_path / "html"
    code, out, err = cli(capsys, "decisions", perf[0], "--data", perf[1], "--format", "html", "-o", out_dir)
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["mini-Gotland.html", "mini-Stockholm.html", "mini-Uppsala.html"]
    doc = (out_dir / "mini-Stockholm.html").read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and '<html lang="sv">' in doc
    assert "<style>" in doc and "@media print" in doc
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", doc), "external assets"
    assert "500\u2009000 kr" in doc
    assert "cap = 500\u2009000 kr bestämmer värdet" in doc
    assert "(se ovan)" in doc  # outputs explained once, then referenced
    assert doc.count("<li>") + doc.count("<li ") == doc.count("</li>")


def test_html_escapes_policy_text(perf, capsys, tmp_path):
    policy = write(tmp_path / "evil.yaml", MINI_POLICY.replace("title: Liten testpolicy",
                                                              'title: "Liten <script>alert(1)</script> & co"'))
    out_dir = tmp_path / "evil"
    assert cli(capsys, "decisions", policy, "--data", perf[1], "--format", "html", "-o", out_dir)[0] == 0
    doc = (out_dir / "mini-Gotland.html").read_text(encoding="utf-8")
    assert "<script>" not in doc and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in doc


def test_decisions_write_nothing_on_error(perf, capsys, tmp_path):
    bad = tmp_path / "bad_data"
    write(bad / "procedures.csv", EXPLAIN_DATA.replace("Gotland,Gotland", "Gotlnd,Gotland"))
    out_dir = tmp_path / "none"
    code, out, err = cli(capsys, "decisions", perf[0], "--data", bad, "--format", "md", "-o", out_dir)
    assert code == 1 and err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_national_rule_fans_out_to_every_region(perf, capsys, tmp_path):
    text = MINI_POLICY.replace("outputs: [", """  total_payout:
    title: Utbetalt totalt
    per: []
    expr: sum(payout)
    unit: kr
    source: {ref: doc, passage: andra stycket}
    explain: "Totalt betalas {value} ut, budgeten är {budget}."
outputs: [total_payout, """)
    policy = write(tmp_path / "national.yaml", text)
    doc = explain_json(capsys, policy, perf[1], "total_payout")
    (tree,) = doc["explanations"]
    assert tree["key"] == {} and tree["id"] == "total_payout"
    assert tree["value"] == 500000 + 98000 + 50000
    assert tree["headline"] == f"Totalt betalas {kr(648000)} ut, budgeten är {kr(1000000)}."
    assert [c["key"]["region"] for c in tree["children"]] == ["Stockholm", "Uppsala", "Gotland"]
    payout = operand(tree, "payout")
    assert [v["value"] for v in payout["values"]] == [500000, 98000, 50000]
    code, out, _ = cli(capsys, "explain", policy, "--data", perf[1], "--rule", "total_payout", "--depth", "1")
    assert out.splitlines()[0] == f"total_payout = {kr(648000)}"
    assert "├─ payout · Stockholm = 500\u2009000 kr" in out


def test_a_list_parameter_in_an_explanation_reads_as_a_sentence(capsys):
    # the performance policy's baseline template names {baseline_years}: in a sentence, not "[2023, 2024, 2025]"
    code, out, err = cli(capsys, "explain", str(ROOT / "policies/2026_performance.yaml"), "--data",
                         str(ROOT / "examples/2026"), "--rule", "baseline", "--where", "region=Uppsala",
                         "--where", "measure=hip_prosthesis", "--depth", "0")
    assert code == 0, err
    assert ("Jämförelsetalet för Region Uppsala (Höftledsprotes) är 619: summan för januari–oktober "
            "2023, 2024 och 2025 delad med antalet år") in out
