"""Golden explanations of the 2026 policies on examples/2026.

The expected figures are computed here from the raw CSV files with the standard library
(csv, fractions), following the rules as RULES_2026.md states them, not read from villkor's
output; the caps are the ones printed in bilaga 2 (P-11).

Performance (P-3..P-8): per home region and measure, performed = Σ count of 2026 Jan–Oct
rows; baseline = Σ count of 2023–2025 Jan–Oct rows / 3; eligible = max(0, floor(performed −
baseline)); compensation = Σ eligible × (approximate_cost_excl_supplement + 4 000); payout = min(compensation, cap).
  - Uppsala: compensation above its cap 28 007 085 kr -> capped (the cap decides);
  - Södermanland: compensation below its cap 22 493 727 kr -> paid in full;
  - Värmland grå starr: fewer than the baseline -> eligible 0 (0 decides).
Capacity (C-1, C-3, C-7, C-8):
  - Gotland received 2026-03-17, a day after the deadline -> C-3 (a) fails, payout 0;
  - Kronoberg lists no measures -> C-3 (b) fails; Blekinge has no production plan -> C-3 (c);
  - Östergötland asks for its whole allotment (amount empty), does not want remaining funds,
    used 225 133 000 kr and documented 224 333 000 kr -> undocumented = min(used, payout) −
    documented = 800 000 kr, unused = payout − used, repayment = unused + undocumented (C-8);
  - Norrbotten was paid but has no follow-up row -> repayment not determined (null, C-9).
"""

from __future__ import annotations

import csv
from fractions import Fraction

import pytest
import yaml

from support import ROOT
from test_explain import THIN, assert_all_outputs_cited, child, cli, explain_json, kr, operand

POLICIES = ROOT / "policies"
DATA = ROOT / "examples" / "2026"
PERF = POLICIES / "2026_performance.yaml"
CAPACITY = POLICIES / "2026_capacity.yaml"

pytestmark = pytest.mark.skipif(not (PERF.exists() and CAPACITY.exists() and (DATA / "procedures.csv").exists()),
                                reason="the 2026 policies or examples/2026 are not present")

CAPS = {"Uppsala": 28007085, "Södermanland": 22493727, "Värmland": 21621044}  # bilaga 2
TARIFF = {"hip_prosthesis": 90000, "knee_prosthesis": 95000, "prolapse": 40000, "cataract": 10000,
          "inguinal_hernia": 25000, "colonoscopy": 6000}  # the policy's illustrative stand-ins
SUPPLEMENT = 4000  # P-6


def by_hand_performance(region: str) -> dict:
    performed: dict[str, int] = dict.fromkeys(TARIFF, 0)
    base: dict[str, int] = dict.fromkeys(TARIFF, 0)
    with open(DATA / "procedures.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["home_region"] != region or not 1 <= int(row["month"]) <= 10:
                continue
            if int(row["year"]) == 2026:
                performed[row["measure"]] += int(row["count"])
            elif int(row["year"]) in (2023, 2024, 2025):
                base[row["measure"]] += int(row["count"])
    eligible = {}
    for m in TARIFF:
        increase = Fraction(performed[m]) - Fraction(base[m], 3)
        eligible[m] = max(0, increase.numerator // increase.denominator)  # floor
    compensation = sum(eligible[m] * (TARIFF[m] + SUPPLEMENT) for m in TARIFF)
    return {"performed": performed, "base_sum": base, "eligible": eligible, "compensation": compensation}


def test_tariffs_in_the_test_are_the_policys():
    policy = yaml.safe_load(PERF.read_text(encoding="utf-8"))
    assert policy["parameters"]["approximate_cost_excl_supplement"]["value"] == TARIFF
    assert policy["parameters"]["travel_supplement"]["value"] == SUPPLEMENT
    for region, cap in CAPS.items():
        assert policy["parameters"]["cap"]["value"][region] == cap


def test_capped_region_uppsala(capsys):
    hand = by_hand_performance("Uppsala")
    assert hand["compensation"] > CAPS["Uppsala"]
    doc = explain_json(capsys, PERF, DATA, "payout", "region=Uppsala")
    (tree,) = doc["explanations"]
    assert tree["value"] == 28007085 and tree["formatted"] == f"28{THIN}007{THIN}085 kr"
    assert tree["source"].startswith("seeds/003_eaecc791a4958583.txt, ")
    (d,) = tree["decisions"]
    assert d["kind"] == "min" and d["chosen"] == ["cap"]
    assert d["text"] == f"cap = {kr(28007085)} bestämmer värdet (lägre än compensation = {kr(hand['compensation'])})"
    cap = operand(tree, "cap")
    assert cap["source"] == "seeds/003_eaecc791a4958583.txt, Bilaga 2, tabell Maxtak (kr)"
    comp = child(tree, "compensation")
    assert comp["value"] == hand["compensation"]
    for measure, eligible in hand["eligible"].items():
        node = child(comp, "eligible", measure=measure)
        assert node["value"] == eligible, measure
        performed = child(node, "performed")
        assert performed["value"] == hand["performed"][measure]
        agg = performed["operands"][0]
        assert agg["kind"] == "input" and agg["rows"]["sum"] == hand["performed"][measure]
        assert agg["rows"]["matched"] > 0
        baseline = child(node, "baseline")
        assert baseline["operands"][0]["rows"]["sum"] == hand["base_sum"][measure]
    rate = child(comp, "rate", measure="cataract")
    assert rate["value"] == 14000
    assert operand(rate, "approximate_cost_excl_supplement")["status"] == "illustrative"


def test_uncapped_region_sodermanland(capsys):
    hand = by_hand_performance("Södermanland")
    assert 0 < hand["compensation"] < CAPS["Södermanland"]
    doc = explain_json(capsys, PERF, DATA, "payout", "region=Södermanland")
    (tree,) = doc["explanations"]
    assert tree["value"] == hand["compensation"] and tree["formatted"] == kr(hand["compensation"])
    (d,) = tree["decisions"]
    assert d["chosen"] == ["compensation"]
    assert d["text"] == f"compensation = {kr(hand['compensation'])} bestämmer värdet (lägre än cap = {kr(CAPS['Södermanland'])})"


def test_falling_measure_varmland_cataract(capsys):
    hand = by_hand_performance("Värmland")
    assert hand["eligible"]["cataract"] == 0
    doc = explain_json(capsys, PERF, DATA, "eligible", "region=Värmland", "measure=Grå starr")
    (tree,) = doc["explanations"]
    assert tree["key"] == {"region": "Värmland", "measure": "cataract"}
    assert tree["labels"] == {"region": "Region Värmland", "measure": "Grå starr"}  # legal name, measure name
    assert tree["value"] == 0
    (d,) = tree["decisions"]
    assert d["kind"] == "max" and d["chosen"] == ["0"]
    assert d["text"].startswith("0 bestämmer värdet (högre än round(performed - baseline, 0, eligible_rounding) = −")


# ---------------------------------------------------------------- capacity


def requisitions() -> dict[str, dict]:
    with open(DATA / "requisitions.csv", encoding="utf-8", newline="") as fh:
        return {r["region"]: r for r in csv.DictReader(fh, delimiter=";")}


def allotments() -> dict[str, int]:
    """C-1 by hand: total × key share, floors, the remainder one krona each to the largest
    remainders (ties to the larger weight, then the region listed first)."""
    policy = yaml.safe_load(CAPACITY.read_text(encoding="utf-8"))
    total = policy["parameters"]["total"]["value"]
    key = policy["parameters"]["allocation_key"]["value"]
    weights = sum(key.values())
    quotas = {r: Fraction(total * w, weights) for r, w in key.items()}
    out = {r: q.numerator // q.denominator for r, q in quotas.items()}
    regions = list(key)
    order = sorted(regions, key=lambda r: (-(quotas[r] - out[r]), -key[r], regions.index(r)))
    for r in order[:total - sum(out.values())]:
        out[r] += 1
    return out


def test_late_requisition_gotland(capsys):
    assert requisitions()["Gotland"]["received_on"] == "2026-03-17"
    doc = explain_json(capsys, CAPACITY, DATA, "payout", "region=Gotland")
    (tree,) = doc["explanations"]
    assert tree["value"] == 0 and tree["formatted"] == "0 kr"
    requisitioned = child(tree, "requisitioned")
    (d,) = requisitioned["decisions"]
    assert d["kind"] == "if" and d["condition"] == "qualifies" and d["branch"] == "else"
    qualifies = child(requisitioned, "qualifies")
    assert qualifies["value"] is False and qualifies["formatted"] == "nej"
    (d,) = qualifies["decisions"]
    assert d["kind"] == "and" and d["chosen"] == ["on_time"]
    on_time = child(qualifies, "on_time")
    (d,) = on_time["decisions"]
    assert "requisitions.received_on = 2026-03-17, requisition_deadline = 2026-03-16" in d["text"]
    assert child(tree, "redistributed")["value"] == 0  # opted in, but does not qualify


@pytest.mark.parametrize("region, failed", [("Kronoberg", ["measures_ok"]), ("Blekinge", ["plan_ok"])])
def test_other_c3_failures(region, failed, capsys):
    doc = explain_json(capsys, CAPACITY, DATA, "qualifies", f"region={region}")
    (tree,) = doc["explanations"]
    assert tree["value"] is False
    assert tree["decisions"][0]["chosen"] == failed


def followup() -> dict[str, dict]:
    with open(DATA / "followup.csv", encoding="utf-8", newline="") as fh:
        return {r["region"]: r for r in csv.DictReader(fh)}


def test_repayment_ostergotland(capsys):
    row = requisitions()["Östergötland"]
    assert row["amount_requested"] == "" and row["wants_remaining"] == "nej"
    allotment = allotments()["Östergötland"]  # the payout: whole allotment, no redistribution
    used, documented = int(followup()["Östergötland"]["used"]), int(followup()["Östergötland"]["documented"])
    unused = max(0, allotment - used)
    undocumented = max(0, min(used, allotment) - documented)  # C-8: only use of the grant
    repayment = unused + undocumented
    assert undocumented == 800000
    doc = explain_json(capsys, CAPACITY, DATA, "repayment", "region=Östergötland")
    (tree,) = doc["explanations"]
    assert tree["value"] == repayment and tree["formatted"] == kr(repayment)
    assert tree["expression"] == "unused + undocumented"
    assert child(tree, "undocumented")["value"] == undocumented
    assert child(tree, "unused")["value"] == unused
    assert child(child(tree, "unused"), "payout")["value"] == allotment
    assert kr(repayment) in tree["headline"]


def test_region_without_followup_is_not_determined(capsys):
    """C-9: Norrbotten was paid (it requisitioned in time) but has no follow-up row: its
    repayment is null, with the reason in Swedish, not its whole payout."""
    assert "Norrbotten" in requisitions() and "Norrbotten" not in followup()
    doc = explain_json(capsys, CAPACITY, DATA, "repayment", "region=Norrbotten")
    (tree,) = doc["explanations"]
    assert tree["value"] is None
    assert "ingen återrapportering har kommit in" in tree["headline"]
    assert child(tree, "unused")["value"] is None
    code, out, err = cli(capsys, "run", CAPACITY, "--data", DATA, "--format", "json",
                         "--outputs", "repayment,missing_followup")
    assert code == 0, err
    import json
    result = json.loads(out)["outputs"]
    assert {"region": "Norrbotten", "value": None} in result["repayment"]
    assert {"region": "Norrbotten", "value": True} in result["missing_followup"]


@pytest.mark.parametrize("policy", [PERF, CAPACITY], ids=["performance", "capacity"])
def test_every_node_of_every_output_is_cited(policy, capsys):
    assert assert_all_outputs_cited(capsys, policy, DATA) > 0


@pytest.mark.parametrize("policy", [PERF, CAPACITY], ids=["performance", "capacity"])
def test_templates_of_the_2026_policies_check(policy):
    from evaluator.policy.build import load_policy
    from evaluator.policy.templates import check_templates
    assert check_templates(load_policy(str(policy))) == []


def test_decision_documents_for_every_region(capsys, tmp_path):
    # the 2026 policies have letters (tests/report/test_letters.py); --working-papers gives the
    # working documents with the derivation of every figure
    for policy, fmt in ((PERF, "html"), (CAPACITY, "md")):
        out = tmp_path / fmt
        code, _, err = cli(capsys, "decisions", policy, "--data", DATA, "--format", fmt, "-o", out,
                           "--working-papers")
        assert code == 0, err
        assert len(list(out.iterdir())) == 21
    uppsala = (tmp_path / "html" / "2026_performance-Uppsala.html").read_text(encoding="utf-8")
    assert f"28{THIN}007{THIN}085 kr" in uppsala and "bestämmer värdet" in uppsala
    gotland = (tmp_path / "md" / "2026_capacity-Gotland.md").read_text(encoding="utf-8")
    assert "- ✗ Uppfyller villkoren för utbetalning: **nej**" in gotland
    # the finding's title names {requisition_deadline}, shown as a sentence writes a date
    assert "- ⚠ Brist: rekvisitionen kom in efter den 16 mars 2026: **ja**" in gotland
