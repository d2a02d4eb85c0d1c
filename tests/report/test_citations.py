"""Citations: readable outputs cite a source by its title and passage, the JSON outputs by the
source's file and passage (docs/outputs.md, "Citations")."""

from __future__ import annotations

import json

import pytest

from evaluator.policy.model import Source, SourceRef, reader_passage

from support import ROOT, villkor

PERF = "policies/2026_performance.yaml"
DATA = "examples/2026"
BILAGA1 = "Bilaga 1. Villkor för prestationsbaserade medel i syfte att korta vårdköerna"
BILAGA2 = "Bilaga 2. Utbetalning av medel till regionerna"
SOURCES = {
    "bilaga1": Source("bilaga1", "seeds/003.txt", title=BILAGA1, passage="Bilaga 1"),
    "bilaga2": Source("bilaga2", "seeds/003.txt", title=BILAGA2, passage="Bilaga 2, tabell Maxtak (kr)"),
    "beslut": Source("beslut", "seeds/003.txt", title="Uppdrag till Socialstyrelsen (regeringsbeslut)"),
    "bare": Source("bare", "seeds/000.txt", passage="Anvisningar"),
}


def test_reader_citation_names_the_title_and_the_passage_without_repeating_the_title():
    ref = SourceRef("bilaga1", "Bilaga 1, fjärde stycket (ökningen mäts för hela perioden)")
    assert ref.reader_citation(SOURCES) == f"{BILAGA1}, fjärde stycket (ökningen mäts för hela perioden)"
    assert ref.cite(SOURCES) == "seeds/003.txt, Bilaga 1, fjärde stycket (ökningen mäts för hela perioden)"
    # the source's own passage when the citation names none; "Bilaga 1" alone is the title
    assert SourceRef("bilaga1").reader_citation(SOURCES) == BILAGA1
    assert SourceRef("bilaga2").reader_citation(SOURCES) == f"{BILAGA2}, tabell Maxtak (kr)"
    assert SourceRef("beslut", "andra stycket").reader_citation(SOURCES) == \
        "Uppdrag till Socialstyrelsen (regeringsbeslut), andra stycket"
    # without a title the file is all a reader has to go by
    assert SourceRef("bare").reader_citation(SOURCES) == "seeds/000.txt, Anvisningar"


def test_reader_passage_drops_only_a_whole_label_the_title_begins_with():
    assert reader_passage("Bilaga 10. Annat", "Bilaga 1, första stycket") == "Bilaga 1, första stycket"
    assert reader_passage("Anvisningar för att rekvirera", "Anvisningar") is None
    assert reader_passage("Anvisningar för att rekvirera", "Bidragets storlek") == "Bidragets storlek"
    assert reader_passage("Bilaga 1. Villkor", None) is None


@pytest.fixture(scope="module")
def run_md(tmp_path_factory):
    out = tmp_path_factory.mktemp("md") / "run.md"
    villkor("run", PERF, "--data", DATA, "--format", "md", "-o", out, cwd=ROOT, check=True)
    return out.read_text(encoding="utf-8")


def test_run_report_cites_by_title_and_never_by_file(run_md):
    assert "seeds/" not in run_md
    assert (", källa: " + BILAGA1 + ", fjärde stycket (det genomsnittliga antalet utförda åtgärder under "
            "motsvarande period åren 2023–2025)\n") in run_md
    assert ("källa: Uppdrag till Socialstyrelsen att fördela, betala ut och följa upp medel för att korta "
            "vårdköerna (regeringsbeslut), andra stycket (högst 750 000 000 kronor)\n") in run_md


@pytest.fixture(scope="module")
def explained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    args = ("explain", PERF, "--data", DATA, "--rule", "payout", "--where", "region=Uppsala")
    villkor(*args, "-o", folder / "payout.txt", cwd=ROOT, check=True)
    villkor(*args, "--format", "json", "-o", folder / "payout.json", cwd=ROOT, check=True)
    return (folder / "payout.txt").read_text(encoding="utf-8"), \
        json.loads((folder / "payout.json").read_text(encoding="utf-8"))


def test_explain_text_cites_by_title_and_warns_in_swedish(explained):
    text, _ = explained
    assert "seeds/" not in text
    assert (f"parameter cap = 28\u2009007\u2009085 kr — Maxtak per region (P-11, bilaga 2) "
            f"(källa: {BILAGA2}, tabell Maxtak (kr))") in text
    assert f"källa: {BILAGA1}, sista stycket (ersättning utgår upp till ett tak, i enlighet med bilaga 2)" in text
    assert "varning: Parametern ”Sista dag för rekvisition (P-10)” är ett illustrativt värde, inte en " \
           "officiell uppgift: " in text
    assert "is illustrative" not in text


def test_explain_json_keeps_the_file_and_passage(explained):
    _, doc = explained
    (node,) = doc["explanations"]
    assert node["source"] == ("seeds/003_eaecc791a4958583.txt, Bilaga 1, sista stycket (ersättning utgår upp "
                              "till ett tak, i enlighet med bilaga 2)")
    cap = next(op for op in node["operands"] if op["name"] == "cap")
    assert cap["source"] == "seeds/003_eaecc791a4958583.txt, Bilaga 2, tabell Maxtak (kr)"
    # the warnings keep the engine's English form (the contract); only the note is the policy's text
    assert any(w.startswith("parameter 'requisition_deadline' is illustrative, not an official figure: ")
               for w in doc["warnings"])


def test_policy_document_names_the_files_only_in_its_list_of_sources(tmp_path):
    out = tmp_path / "policy.md"
    villkor("document", PERF, "-o", out, cwd=ROOT, check=True)
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if "seeds/" in line]
    assert lines == [
        "| `beslut` | seeds/003_eaecc791a4958583.txt | Uppdrag till Socialstyrelsen att fördela, betala ut och "
        "följa upp medel för att korta vårdköerna (regeringsbeslut) | Regeringens beslut |",
        f"| `bilaga1` | seeds/003_eaecc791a4958583.txt | {BILAGA1} | Bilaga 1 |",
        f"| `bilaga2` | seeds/003_eaecc791a4958583.txt | {BILAGA2} | Bilaga 2, tabell Maxtak (kr) |",
    ]


def test_a_table_citing_one_source_names_its_title_once(tmp_path):
    # every rule of the capacity policy cites the same Anvisningar: the title once, the passage per row
    out = tmp_path / "capacity.md"
    villkor("document", "policies/2026_capacity.yaml", "-o", out, cwd=ROOT, check=True)
    text = out.read_text(encoding="utf-8")
    overview = text.split("## Reglerna i översikt\n\n", 1)[1].split("\n## ", 1)[0]
    title = ("Anvisningar för att rekvirera statsbidrag för 2026 stärkt tillgänglighet och ökad vårdkapacitet "
             "inom den specialiserade hälso- och sjukvården")
    assert overview.startswith(f"Alla hänvisningar i tabellen avser {title}.\n\n"
                               "| Villkor | Regel | Id | Uttryck | Avsnitt | Tolkning | Fixturer |\n")
    assert overview.count(title) == 1
    # a table citing several sources (the performance policy's rules) keeps the whole citation per row
    perf = tmp_path / "performance.md"
    villkor("document", PERF, "-o", perf, cwd=ROOT, check=True)
    rules = perf.read_text(encoding="utf-8").split("## Reglerna i översikt\n\n", 1)[1].split("\n## ", 1)[0]
    assert rules.startswith("| Villkor | Regel | Id | Uttryck | Källa | Tolkning | Fixturer |\n")
    assert f"| {BILAGA1}, fjärde stycket (det genomsnittliga antalet utförda åtgärder under motsvarande " \
           "period åren 2023–2025) |" in rules


def test_the_run_report_names_dimensions_and_units_as_people_read_them(tmp_path):
    md = villkor("run", PERF, "--data", DATA, "--format", "md", cwd=ROOT).stdout
    # the dimensions by their titles in the policy (Region (patientens hemregion), Åtgärd), not region, measure
    assert ("## Ersättningsberättigade åtgärder, ökningen (P-5) (eligible)\n\n"
            "per region (patientens hemregion), åtgärd, enhet antal, källa: ") in md
    assert "| Region (patientens hemregion) | Höftledsprotes | Knäledsprotes |" in md
    assert "per åtgärd, enhet kronor per styck, källa: " in md
    assert "| Åtgärd | värde |" in md
    assert "per region, measure" not in md and "kr/count" not in md
