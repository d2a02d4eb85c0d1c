"""`villkor run --seek` and a scenario file's `seek:`: factors solved by hand on hand-made data.

The data of test_scenarios: 7 eligible cataract procedures in Uppsala (cap 28 007 085 kr) and
400 in Gotland (cap 4 795 726 kr); every other region and measure has none. Scaling only the
cataract tariff (10 000 kr, plus the 4 000 kr travel supplement) by x:

    payout_total(x) = 7 (10 000 x + 4 000) + min(400 (10 000 x + 4 000), 4 795 726)

Gotland's cap binds from x = 0.79893150 (400 × 13 989.3150 = 4 795 726), Uppsala's from
x = 400.1012 (7 × 4 005 012.14 ≈ 28 007 085); with both capped the total is 32 802 811 kr.
"""

import json
from decimal import Decimal

from support import villkor
from test_scenarios import POLICY, data

CATARACT = "approximate_cost_excl_supplement.cataract"


def seek(tmp_path, question, fmt="json"):
    return villkor("run", POLICY, "--data", data(tmp_path), "--seek", question, "--format", fmt)


def test_exact_factor_where_a_cap_binds(tmp_path):
    # Gotland capped: 70 000 x + 28 000 + 4 795 726 = 5 000 000  ->  x = 176 274 / 70 000 = 2.5182
    proc = seek(tmp_path, f"{CATARACT} * x: payout_total = 5 000 000")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["reachable"] is True and doc["exact"] is True
    assert doc["factor"] == "2.5182"
    assert doc["reached"] == 5000000
    assert doc["values"] == {"cataract": {"policy": 10000, "scaled": 25182}}
    assert doc["binding"] == ["Belopp som regionen kan rekvirera, högst taket i bilaga 2 (P-8, P-12): "
                              "Maxtak per region (P-11, bilaga 2) är lägst för Region Gotland (1 av 21)"]


def test_to_the_krona_and_equal_to_a_separate_params_run(tmp_path):
    # both uncapped: 4 070 000 x + 1 628 000 = 4 000 000  ->  x = 1186 / 2035 = 0.58280098..., not a
    # finite decimal: the answer falls short by less than one krona
    proc = seek(tmp_path, f"{CATARACT} × x: payout_total = 4000000 kr")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    x = Decimal(doc["factor"])
    assert Decimal("0.5828009") < x < Decimal("0.5828010")
    reached = Decimal(doc["reached"])
    assert reached == 4070000 * x + 1628000
    assert 0 <= 4000000 - reached < 1 and doc["exact"] is False
    tariff = Decimal(doc["values"]["cataract"]["scaled"])
    assert tariff == 10000 * x
    p = tmp_path / "p.yaml"
    p.write_text(f"approximate_cost_excl_supplement: {{cataract: {tariff}}}\n", encoding="utf-8")
    alone = villkor("run", POLICY, "--data", tmp_path / "data", "--params", p, check=True)
    assert Decimal(str(json.loads(alone.stdout)["outputs"]["payout_total"][0]["value"])) == reached
    assert doc["binding"] == ["Belopp som regionen kan rekvirera, högst taket i bilaga 2 (P-8, P-12): "
                              "Beräknad ersättning före tak (P-8) är lägst överallt"]


def test_unreachable_above_says_the_maximum_in_swedish(tmp_path):
    proc = seek(tmp_path, f"{CATARACT} * x: payout_total = 40000000", fmt="md")
    assert proc.returncode == 0, proc.stderr
    assert ("Målet 40\u2009000\u2009000 kr kan inte nås: Belopp som regionerna kan rekvirera, totalt (P-1, P-12) "
            "blir högst 32\u2009802\u2009811 kr, hur mycket") in proc.stdout
    assert "är lägst för Region Uppsala och Region Gotland (2 av 21)" in proc.stdout


def test_unreachable_below_even_at_factor_zero(tmp_path):
    # x = 0: 7 × 4 000 + 400 × 4 000 = 1 628 000 kr of travel supplement alone
    proc = seek(tmp_path, f"{CATARACT} * x: payout_total = 1000000")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["reachable"] is False and doc["factor"] == 0 and doc["reached"] == 1628000
    assert "blir 1\u2009628\u2009000 kr redan när" in doc["answer"][0]


def test_seek_section_of_a_scenario_file_and_its_errors(tmp_path):
    f = tmp_path / "seek.yaml"
    f.write_text(f"seek:\n  scale: {CATARACT}\n  target: {{rule: payout_total, value: 5000000}}\n", encoding="utf-8")
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f, "--format", "md")
    assert proc.returncode == 0, proc.stderr
    assert "Med faktorn x = 2,5182 blir Belopp som regionerna kan rekvirera, totalt (P-1, P-12) exakt " \
           "5\u2009000\u2009000 kr." in proc.stdout
    assert "| Grå starr | 10\u2009000 kr/st | 25\u2009182 kr/st |" in proc.stdout
    assert "## Varningar\n\n- " in proc.stdout
    assert "\n- Parametern ”Ungefärlig kostnad per åtgärd, exklusive resetillägget" in proc.stdout
    f.write_text("seek:\n  scale: tarif\n  target: {rule: payout_total, value: 5000000}\n", encoding="utf-8")
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f, "--format", "md")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "seek.yaml:2:10: unknown parameter 'tarif'" in proc.stderr
    f.write_text(f"seek:\n  scale: {CATARACT}\n  target: {{rule: payout, value: 5000000, unit: kr}}\n",
                 encoding="utf-8")
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "rule 'payout' is not one national number" in proc.stderr
    f.write_text(f"seek:\n  scale: {CATARACT}\n  target: {{rule: payout_total, value: 5000000, unit: st}}\n",
                 encoding="utf-8")
    proc = villkor("run", POLICY, "--data", data(tmp_path), "--scenarios", f)
    assert proc.returncode == 1
    assert "seek.yaml:3:54: rule 'payout_total' is in kr, not st" in proc.stderr


def test_malformed_cli_question_is_refused_with_the_form(tmp_path):
    proc = seek(tmp_path, "tariff: payout_total = 5")
    assert proc.returncode == 2 and proc.stdout == ""  # a usage error, as every malformed option
    assert "is not of the form 'PARAMETER * x: RULE = VALUE'" in proc.stderr


def test_a_total_not_computed_on_the_data_is_refused(tmp_path):
    # the hand-made data has no requisitions file: paid_total (after requisition) is not computed
    proc = seek(tmp_path, "approximate_cost_excl_supplement * x: paid_total = 5000000")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "--seek: rule 'paid_total' is not computed on this data: an optional input it uses is absent" in proc.stderr
