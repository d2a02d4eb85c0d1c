"""Decision letters (`villkor decisions` on a policy with a `letter:` section).

Four regions are pinned word for word by golden files (tests/golden/letters/), chosen by hand
from the rules and the example data (examples/2026):

- capped, 2026_performance Uppsala: eligible hip 202, knee 137 (574 − 1 310/3 = 137,33, rounded
  down), prolapse 59, cataract 1 379, hernia 164, colonoscopy 898; times the rates 94 000,
  99 000, 44 000, 14 000, 29 000, 10 000 kr: 18 988 000 + 13 563 000 + 2 596 000 + 19 306 000
  + 4 756 000 + 8 980 000 = 68 189 000 kr, above the cap of bilaga 2, 28 007 085 kr; the
  requisition came 2026-11-03, before the deadline 2026-11-30: granted 28 007 085 kr.
- uncapped, 2026_performance Södermanland: eligible 19, 16, 7, 138, 16, 112: 1 786 000 +
  1 584 000 + 308 000 + 1 932 000 + 464 000 + 1 120 000 = 7 194 000 kr, below its cap
  22 493 727 kr; requisitioned 2026-11-04: granted 7 194 000 kr.
- late, 2026_capacity Gotland: its requisition came 2026-03-17, a day after the deadline
  2026-03-16, so it does not meet the conditions and is granted nothing.
- repaying, 2026_capacity Östergötland: the whole allotment, 225 133 000 kr, requisitioned on
  time with measures and a production plan, no redistribution asked for; the follow-up says
  225 133 000 kr used, of which 224 333 000 kr documented: 0 kr unused, 800 000 kr used
  without documentation, so it must repay 800 000 kr.

Set VILLKOR_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change of wording,
then read the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from evaluator import api
from evaluator.present import present, present_date, present_fraction
from evaluator.report.decisions import render_decisions

from support import ROOT, villkor

DATA = str(ROOT / "examples" / "2026")
PERF = str(ROOT / "policies" / "2026_performance.yaml")
CAP = str(ROOT / "policies" / "2026_capacity.yaml")
GOLDEN = ROOT / "tests" / "golden" / "letters"
THIN = "\u2009"
PROVENANCE = "### Underlag för omprövning"


def kr(text: str) -> str:
    """'28 007 085' written with the letters' thin spaces."""
    return text.replace(" ", THIN)


def render(policy: str, fmt: str = "md") -> dict[str, str]:
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the letters are relative to where the command runs
    try:
        loaded = api.load(policy)
        result = loaded.evaluate(loaded.read(DATA), trace=True, stop_on_failed_check=False)
        return render_decisions(result.evaluation, result.tables, fmt)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def perf() -> dict[str, str]:
    return render(PERF)


@pytest.fixture(scope="module")
def cap() -> dict[str, str]:
    return render(CAP)


def letter_text(doc: str) -> str:
    """The letter and its appendix, without the hashes (which change with every edit)."""
    return doc.split(PROVENANCE)[0]


@pytest.mark.parametrize("policy,name", [
    ("perf", "2026_performance-Uppsala.md"),       # capped
    ("perf", "2026_performance-Sodermanland.md"),  # uncapped
    ("cap", "2026_capacity-Gotland.md"),           # late
    ("cap", "2026_capacity-Ostergotland.md"),      # repaying
])
def test_golden_wording(policy, name, request):
    doc = request.getfixturevalue(policy)[name]
    golden = GOLDEN / name
    if os.environ.get("VILLKOR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(letter_text(doc), encoding="utf-8")
    assert letter_text(doc) == golden.read_text(encoding="utf-8")


def test_capped_region_is_granted_its_cap(perf):
    doc = perf["2026_performance-Uppsala.md"]
    assert "Till Region Uppsala" in doc
    assert f"beslutar att bevilja Region Uppsala {kr('28 007 085')} kronor" in doc
    assert f"beräknats till {kr('68 189 000')} kronor" in doc
    assert "Den beräknade ersättningen når taket." in doc
    assert "| Knäledsprotes | 574 | 436,67 (1" + THIN + "310/3) | 137 |" in doc


def test_uncapped_region_is_granted_its_compensation(perf):
    doc = perf["2026_performance-Sodermanland.md"]
    assert "Till Region Sörmland" in doc
    assert f"beslutar att bevilja Region Sörmland {kr('7 194 000')} kronor" in doc
    assert f"ligger under taket, och regionen kan rekvirera hela beloppet, {kr('7 194 000')} kronor" in doc


def test_late_region_is_refused_with_the_reason(cap, perf):
    doc = cap["2026_capacity-Gotland.md"]
    assert "beslutar att inte bevilja Region Gotland statsbidrag" in doc
    assert "inkom till Socialstyrelsen efter den 16 mars 2026 och kom därmed in för sent" in doc
    assert "Något bidrag betalas inte ut till Region Gotland." in doc
    late = perf["2026_performance-Vasternorrland.md"]  # 2026-12-01, a day after 30 November
    assert "eftersom rekvisitionen inkom efter sista dag för rekvisition" in late


def test_repaying_region_is_told_the_amount_claimed_back(cap):
    doc = cap["2026_capacity-Ostergotland.md"]
    assert f"Region Östergötland är återbetalningsskyldig för {kr('800 000')} kronor" in doc
    assert f"varav 0 kronor som inte har använts under bidragsåret och {kr('800 000')} kronor" in doc
    assert "Socialstyrelsen återkräver beloppet" in doc
    assert "förordningen (2024:1252)" in doc


def test_letters_speak_swedish_without_identifiers_or_yes_no(perf, cap):
    for policy_path, docs in ((PERF, perf), (CAP, cap)):
        planned = api.load(policy_path).plan
        ids = {*planned.policy.rules, *planned.policy.parameters, *planned.policy.inputs}
        letters = {n: letter_text(d) for n, d in docs.items() if not n.endswith("-index.md")}
        assert len(letters) == 21
        for name, text in letters.items():
            words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
            assert not words & ids, (name, words & ids)
            assert not re.search(r"\b(ja|nej|Varning|Varningar|holds|note|true|false|None)\b", text), name
            assert "?" not in text.split("### Källor")[0], name  # (cited headings may ask)
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text), name  # dates by name
            assert not re.search(r"\d\.\d{5,}|\d,\d{3,}", text), name  # no long decimals
            assert not re.search(r"månad \d|\bi år\b", text), name  # months by name, years absolute


def test_draft_mark_only_with_illustrative_values(tmp_path, cap):
    assert cap["2026_capacity-Uppsala.md"].startswith("> **UTKAST – bygger på illustrativa värden**")
    text = Path(CAP).read_text(encoding="utf-8").replace("status: illustrative", "status: official")
    official = tmp_path / "official.yaml"
    official.write_text(text, encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    out = tmp_path / "out"
    proc = villkor("decisions", official, "--data", DATA, "-o", out, "--where", "region=Uppsala", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    doc = (out / "2026_capacity-Uppsala.md").read_text(encoding="utf-8")
    assert "UTKAST" not in doc
    assert doc.startswith("**Socialstyrelsen**")


def test_index_lists_every_region_with_exact_totals(perf):
    index = perf["2026_performance-index.md"]
    assert index.count("](2026_performance-") == 21
    assert "[Västra Götalandsregionen](2026_performance-Vastra_Gotaland.md)" in index
    # the README's totals: 527 593 000 before the caps, 447 162 267 that may be requisitioned;
    # paid: less Västernorrland (late, 6 934 000) and Jämtland (none, 2 885 000)
    assert f"| **Summa** | **{kr('527 593 000')} kr** | **{kr('447 162 267')} kr** | **{kr('437 343 267')} kr** |" in index


def test_where_writes_one_letter_and_its_index(tmp_path):
    out = tmp_path / "out"
    proc = villkor("decisions", PERF, "--data", DATA, "-o", out, "--where", "region=Region Uppsala",
                   "--date", "2026-12-18", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["2026_performance-Uppsala.md", "2026_performance-index.md"]
    assert "Beslut 18 december 2026" in (out / "2026_performance-Uppsala.md").read_text(encoding="utf-8")
    bad = villkor("decisions", PERF, "--data", DATA, "-o", tmp_path / "x", "--where", "region=Upsala", cwd=ROOT)
    assert bad.returncode != 0 and "did you mean 'Uppsala'" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x").exists()


def test_where_on_national_outputs_says_there_is_one_document(tmp_path):
    """Every output national: the documents are one in all, so --where has nothing to choose."""
    policy = tmp_path / "nat.yaml"
    policy.write_text('policy: nat\ntitle: Riket\nversion: "1"\nvalid: {from: 2026-01-01, to: 2026-12-31}\n'
                      "parameters:\n  rate: {value: 3}\nrules:\n  total:\n    expr: rate + 1\noutputs: [total]\n",
                      encoding="utf-8")
    (tmp_path / "data").mkdir()
    proc = villkor("decisions", policy, "--data", tmp_path / "data", "-o", tmp_path / "out", "--where", "region=Uppsala")
    assert proc.returncode == 2
    assert proc.stderr == ("error: --where region=…: the policy's outputs are national, one document in all\n"
                           "  hint: leave out --where\n")
    assert not (tmp_path / "out").exists()


def test_run_where_keeps_the_json_shape_with_fewer_rows():
    full = json.loads(villkor("run", PERF, "--data", DATA, "--format", "json", cwd=ROOT, check=True).stdout)
    one = json.loads(villkor("run", PERF, "--data", DATA, "--format", "json", "--where", "region=Uppsala",
                             cwd=ROOT, check=True).stdout)
    assert one.keys() == full.keys() and one["outputs"].keys() == full["outputs"].keys()
    assert one["outputs"]["payout"] == [{"region": "Uppsala", "value": 28007085}]
    assert len(one["outputs"]["eligible"]) == 6  # Uppsala's six measures
    assert one["outputs"]["payout_total"] == full["outputs"]["payout_total"]  # national: kept
    assert one["outputs"]["rate"] == full["outputs"]["rate"]  # per measure only: kept


# ---------------------------------------------------------------- validation of the wording


def _policy_with(tmp_path, old: str, new: str) -> Path:
    text = Path(CAP).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "capacity.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_unknown_placeholder_is_located_with_a_suggestion(tmp_path):
    path = _policy_with(tmp_path, "Bidraget på {payout} kronor", "Bidraget på {payuot} kronor")
    proc = villkor("validate", path, cwd=ROOT)
    assert proc.returncode == 1
    assert f"{path}:{_line_of(path, 'Bidraget på {payuot}')}:" in proc.stderr
    assert "unknown placeholder {payuot}" in proc.stderr and "did you mean 'payout'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_true_false_placeholder_and_bad_condition_are_refused(tmp_path):
    path = _policy_with(tmp_path, "Bidraget på {payout} kronor", "Bidraget på {qualifies} kronor")
    proc = villkor("validate", path, cwd=ROOT)
    assert proc.returncode == 1 and "{qualifies} is true/false" in proc.stderr
    path = _policy_with(tmp_path, "          when: must_repay", "          when: repayment")
    proc = villkor("validate", path, cwd=ROOT)
    assert proc.returncode == 1 and "'repayment' is not true/false" in proc.stderr


def test_lint_flags_a_hard_coded_year_outside_the_window(tmp_path):
    path = _policy_with(tmp_path, "{grant_year}\n  draft:", "2025\n  draft:")
    proc = villkor("lint", path, cwd=ROOT)
    assert f"{path}:{_line_of(path, 'hälso- och sjukvården 2025')}:" in proc.stdout
    assert "VK108" in proc.stdout and "names the year 2025" in proc.stdout
    clean = villkor("lint", CAP, cwd=ROOT)
    assert "VK108" not in clean.stdout  # "(2024:1252)" is a statute number, not a year


# ---------------------------------------------------------------- numbers as people read them


def test_numbers_dates_and_years_as_a_letter_writes_them():
    import datetime as dt
    from decimal import localcontext

    from evaluator.lang.values import FEEL_CONTEXT
    with localcontext(FEEL_CONTEXT):
        third = Decimal(1310) / Decimal(3)
    assert present_fraction(third) == "436,67 (1" + THIN + "310/3)"
    assert present(Decimal("0.5")) == "0,50"
    assert present(28007085) == kr("28 007 085")
    assert present(2026, "year") == "2026"
    assert present([2023, 2024, 2025], "year") == "2023, 2024 och 2025"
    assert present_date(dt.date(2026, 3, 16)) == "16 mars 2026"


# ---------------------------------------------------------------- in a real browser


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_html_letter_loads_in_chromium_and_shows_the_figures(tmp_path):
    out = tmp_path / "out"
    villkor("decisions", PERF, "--data", DATA, "-o", out, "--format", "html", "--where", "region=Uppsala",
            cwd=ROOT, check=True)
    page = out / "2026_performance-Uppsala.html"
    proc = subprocess.run(["chromium", "--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "Uncaught" not in proc.stderr and "Failed to load resource" not in proc.stderr
    dom = proc.stdout
    shown = re.sub(r"<[^>]+>", "", dom)  # the text a reader sees
    assert "UTKAST – bygger på illustrativa värden" in dom
    assert "Region Uppsala" in dom
    assert '<span class="n">' + kr("28 007 085") + "</span> kronor" in dom
    assert "436,67 (1" + THIN + "310/3)" in shown
    # printed on A4: the decision and its reasons on one or two pages, the appendix after them
    # on pages of its own
    whole = _pages(tmp_path / "whole.pdf", page)
    text = page.read_text(encoding="utf-8")
    cut = text[:text.index('<section class="page appendix">')] + "</body></html>"
    letter_only = tmp_path / "letter.html"
    letter_only.write_text(cut, encoding="utf-8")
    letter = _pages(tmp_path / "letter.pdf", letter_only)
    assert 1 <= letter <= 2 and whole > letter


def _pages(pdf: Path, page: Path) -> int:
    """Chromium prints `page` to `pdf`; the number of pages printed."""
    proc = subprocess.run(["chromium", "--headless", "--disable-gpu", "--no-sandbox", "--no-pdf-header-footer",
                           f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def test_next_years_draft_dates_its_letters_from_its_own_parameter(tmp_path):
    # examples/2027_draft moves `decision_date` to 2027-12-15 with a bare value; the wording
    # is inherited and takes the year from measurement_year (2027)
    out = tmp_path / "out"
    villkor("decisions", ROOT / "examples" / "2027_draft" / "2027_performance.yaml", "--data",
            ROOT / "examples" / "2027_draft" / "data", "-o", out, "--where", "region=Gotland", cwd=ROOT, check=True)
    doc = (out / "2027_performance-Gotland.md").read_text(encoding="utf-8")
    assert "Beslut 15 december 2027" in doc
    assert "# Beslut om prestationsbaserade medel för att korta vårdköerna 2027" in doc
    assert "2026" not in letter_text(doc).split("### Källor")[0].replace("2024, 2025 och 2026", "")
