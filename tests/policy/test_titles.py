"""Titles that name parameters (`{grant_year}`): filled in wherever they are shown, checked when
the policy is loaded, refilled when parameters change (`--params`, a policy that extends it).

The small policy below names a year, a list of years, a date and a count in its titles; every
expectation is the title written by hand with the value as a sentence writes it.
"""

from __future__ import annotations

import json

import pytest

from support import villkor, villkor_process, write

THIN = "\u2009"

POLICY = """\
policy: bidrag
title: Bidrag för vårdköer {grant_year}
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt, passage: Bilaga 1}
dimensions:
  region: {title: Region, members: [North, South]}
parameters:
  grant_year: {title: Bidragsår, value: 2026, unit: year, source: {ref: doc}}
  baseline_years: {title: "Jämförelseår före {grant_year}", value: [2023, 2024, 2025], unit: year, source: {ref: doc}}
  deadline: {title: Sista dag för rekvisition, value: 2026-03-16, type: date, source: {ref: doc}}
  max_visits: {title: "Högst {max_visits} besök under {grant_year}", value: 1500, unit: count, source: {ref: doc}}
inputs:
  visits:
    title: Besök, en rad per region och år
    by: {region: region}
    columns:
      region: {type: region, title: Region}
      year: {type: int, title: "År ({grant_year} räknas)"}
      count: {type: int, min: 0, default: 1}
rules:
  performed:
    title: "Utförda besök {grant_year}"
    per: [region]
    expr: sum(visits[year = grant_year].count)
    unit: count
    source: {ref: doc}
  baseline:
    title: "Jämförelsetal {baseline_years}"
    per: [region]
    expr: sum(visits[year in baseline_years].count) / count(baseline_years)
    unit: count
    source: {ref: doc}
  on_time:
    title: "Villkoren meddelas senast den {deadline}"
    expr: deadline <= date("2027-06-30")
    source: {ref: doc}
outputs: [performed, baseline, on_time]
checks:
  within_budget:
    title: "Ryms inom taket för {grant_year} ({{avrundat}})"
    expr: sum(performed) <= max_visits
    source: {ref: doc}
letter:
  per: region
  authority: Socialstyrelsen
  date: 2026-04-15
  title: Beslut om bidrag {grant_year}
  sections:
    - heading: Beslut
      paragraphs:
        - "{region} får bidrag för {grant_year}."
  appendix:
    heading: Bilaga. Beräkningen för {region}
    figures:
      - {rule: performed, title: "Utförda besök under {grant_year}"}
      - baseline
"""

# The next year, derived: only the values change, every title follows them.
NEXT_YEAR = """\
policy: bidrag_2027
title: Bidrag för vårdköer {grant_year} (utkast)
version: "2"
valid: {from: 2027-01-01, to: 2027-12-31}
extends: p.yaml
parameters:
  grant_year: 2027
  baseline_years: [2024, 2025, 2026]
  deadline: 2027-03-15
"""


@pytest.fixture
def folder(tmp_path):
    """The policy, its 2027 successor and a data folder: North 5 visits in 2026 and 3 in 2024,
    South 2 in 2026; in 2027 North 4, and 2026 becomes a baseline year."""
    write(tmp_path / "p.yaml", POLICY)
    write(tmp_path / "next.yaml", NEXT_YEAR)
    (tmp_path / "data").mkdir()
    write(tmp_path / "data" / "visits.csv",
          "region,year,count\nNorth,2026,5\nNorth,2024,3\nSouth,2026,2\nNorth,2027,4\n")
    return tmp_path


def run(folder, policy, *args) -> str:
    proc = villkor("run", folder / policy, "--data", folder / "data", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_run_md_shows_every_title_filled_in(folder):
    md = run(folder, "p.yaml", "--format", "md").splitlines()
    assert md[0] == "# Bidrag för vårdköer 2026"
    assert "## Utförda besök 2026 (performed)" in md
    assert "## Jämförelsetal 2023, 2024 och 2025 (baseline)" in md  # a list of years, as words
    assert "## Villkoren meddelas senast den 16 mars 2026 (on_time)" in md  # a date by name
    # {{ }} are literal braces; the check holds: 5 + 2 = 7 <= 1 500
    assert any(line.startswith("- ✓ Ryms inom taket för 2026 ({avrundat}): ") for line in md)
    assert not any("{grant_year}" in line or "{deadline}" in line for line in md)


def test_document_shows_titles_filled_in(folder):
    proc = villkor("document", folder / "p.yaml")
    assert proc.returncode == 0, proc.stderr
    doc = proc.stdout.splitlines()
    assert doc[0] == "# Bidrag för vårdköer 2026"
    assert "### Utförda besök 2026 (`performed`)" in doc
    assert "### Jämförelsetal 2023, 2024 och 2025 (`baseline`)" in doc
    # parameter titles: a year and a count (thin space between thousands, no unit word)
    assert any(line.startswith("| Jämförelseår före 2026 | `baseline_years` |") for line in doc)
    assert any(line.startswith(f"| Högst 1{THIN}500 besök under 2026 | `max_visits` |") for line in doc)
    assert any(line.startswith("| `year` | År (2026 räknas) |") for line in doc)  # a column's title


def test_json_has_the_filled_in_policy_title(folder):
    doc = json.loads(run(folder, "p.yaml", "--format", "json"))
    assert doc["policy"]["title"] == "Bidrag för vårdköer 2026"


def test_explain_heads_with_the_filled_in_title(folder):
    proc = villkor("explain", folder / "p.yaml", "--rule", "performed", "--data", folder / "data",
                   "--where", "region=North")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == ["performed · North = 5", "   Utförda besök 2026: 5"]


def test_letters_show_the_figures_titles_filled_in(folder):
    """A figure's own title, and a rule's title as the default caption."""
    out = folder / "letters"
    proc = villkor("decisions", folder / "p.yaml", "--data", folder / "data", "-o", out)
    assert proc.returncode == 0, proc.stderr
    letter = (out / "bidrag-North.md").read_text(encoding="utf-8").splitlines()
    assert "# Beslut om bidrag 2026" in letter
    assert "| Utförda besök under 2026 [1] | 5 |" in letter
    assert "| Jämförelsetal 2023, 2024 och 2025 [1] | 1 |" in letter


def test_a_derived_policy_shows_its_own_years(folder):
    md = run(folder, "next.yaml", "--format", "md").splitlines()
    assert md[0] == "# Bidrag för vårdköer 2027 (utkast)"
    assert "## Utförda besök 2027 (performed)" in md
    assert "## Jämförelsetal 2024, 2025 och 2026 (baseline)" in md
    assert "## Villkoren meddelas senast den 15 mars 2027 (on_time)" in md
    # the values moved with the titles: North 4 in 2027; baseline (3 + 5) / 3 = 8/3
    assert "| North | 4 |" in md and "| North | 2,67 (8/3) |" in md


def test_params_change_the_titles_too(folder):
    write(folder / "what_if.yaml", "grant_year: 2024\n")
    md = run(folder, "p.yaml", "--params", folder / "what_if.yaml", "--format", "md").splitlines()
    assert md[0] == "# Bidrag för vårdköer 2024"
    assert "## Utförda besök 2024 (performed)" in md
    assert "| North | 3 |" in md  # the 2024 row


def test_diff_does_not_list_a_title_that_follows_its_parameter(folder):
    proc = villkor("diff", folder / "p.yaml", folder / "next.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    changes = {(c["section"], c["id"]): c["details"] for c in json.loads(proc.stdout)["changes"]}
    assert changes[("parameters", "grant_year")] == ["2026 → 2027"]
    assert ("rules", "performed") not in changes and ("rules", "baseline") not in changes
    # the policy's own title was edited: shown filled in, as a word diff
    assert changes[("policy", "title")] == ["Bidrag för vårdköer [-2026-]{+2027 (utkast)+}"]


def validate(folder, text):
    path = write(folder / "bad.yaml", text)
    return path, villkor("validate", path)


def test_an_unknown_placeholder_is_a_located_error(folder):
    path = write(folder / "bad.yaml", POLICY.replace("title: Bidrag för vårdköer {grant_year}",
                                                     "title: Bidrag för vårdköer {grant_yaer}"))
    proc = villkor_process("validate", path)  # a real process: what it prints, and its exit code
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"{path}:2:28: the policy's title: unknown placeholder {{grant_yaer}}",
        "    title: Bidrag för vårdköer {grant_yaer}",
        "                               ^^^^^^^^^^^^",
        "  hint: did you mean 'grant_year'?"]


@pytest.mark.parametrize("title,message", [
    ("Utförda besök {baseline}",
     "{baseline} is a rule; a title is filled in when the policy is read, before any data, so it "
     "names parameters only"),
    ("Utförda besök per {region}", "{region} is a dimension; a title is one text for every region"),
    ("Utförda besök {grant_year:>6}",
     "'{grant_year:>6}': placeholders take no format; amounts are formatted by their unit"),
])
def test_a_placeholder_a_title_cannot_show_is_refused(folder, title, message):
    path, proc = validate(folder, POLICY.replace('title: "Utförda besök {grant_year}"', f'title: "{title}"'))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = POLICY.splitlines().index('    title: "Utförda besök {grant_year}"') + 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}:") and first.endswith(f": the title of rule 'performed': {message}")


def test_a_table_or_a_list_of_months_is_refused_with_its_code(folder):
    text = POLICY.replace("parameters:\n", "parameters:\n"
                          "  cap: {title: Tak, by: [region], value: {North: 1, South: 2}, unit: count, source: {ref: doc}}\n"
                          "  months: {title: Månader, value: [1, 2, 3], source: {ref: doc}}\n")
    text = text.replace("title: Besök, en rad per region och år", 'title: "Besök {months} upp till {cap}"')
    path = write(folder / "bad.yaml", text)
    proc = villkor("validate", path, "--format", "json")
    assert proc.returncode == 1
    found = [(d["code"], d["line"], d["column"], d["message"]) for d in json.loads(proc.stdout)["diagnostics"]]
    line = text.splitlines().index('    title: "Besök {months} upp till {cap}"') + 1
    assert found == [
        ("VK006", line, 19, "the title of input 'visits': {months} is a list; a title shows a list only of "
                            "years (unit: year), as '2023, 2024 och 2025'"),
        ("VK006", line, 37, "the title of input 'visits': {cap} is a table by region, so it has no single "
                            "value in a title")]
