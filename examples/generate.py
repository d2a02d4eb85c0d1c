"""Generate the synthetic 2026 example data set in examples/2026/ (standard library only).

    python examples/generate.py            # rewrites examples/2026/*.csv, byte for byte the same

performance_requisitions.csv is the 2026_performance policy's requisitions (P-12), named so
that it does not collide with the capacity grant's requisitions.csv in the same folder.

The numbers are invented but plausible: national yearly volumes close to Swedish ones, split
by population, a small yearly trend, a July dip, some care bought from other regions and
private providers. 2026 grows strongly in a few regions (their payout hits the cap of
bilaga 2) and falls for some measures (eligible 0). See examples/2026/README.md.
"""

from __future__ import annotations

import csv
import random
from fractions import Fraction
from pathlib import Path

OUT = Path(__file__).resolve().parent / "2026"

REGIONS = {  # approximate population 2024, thousands
    "Stockholm": 2454, "Uppsala": 404, "Södermanland": 300, "Östergötland": 470, "Jönköping": 370,
    "Kronoberg": 203, "Kalmar": 246, "Gotland": 61, "Blekinge": 157, "Skåne": 1421, "Halland": 340,
    "Västra Götaland": 1757, "Värmland": 283, "Örebro": 307, "Västmanland": 280, "Dalarna": 288,
    "Gävleborg": 287, "Västernorrland": 243, "Jämtland": 132, "Västerbotten": 275, "Norrbotten": 249,
}
NATIONAL_PER_YEAR = {"hip_prosthesis": 20000, "knee_prosthesis": 14000, "prolapse": 6000,
                     "cataract": 140000, "inguinal_hernia": 17000, "colonoscopy": 90000}
YEAR_TREND = {2023: 1.00, 2024: 1.02, 2025: 1.03}
SEASON = {1: 1.0, 2: 1.05, 3: 1.1, 4: 1.0, 5: 1.05, 6: 0.9, 7: 0.45, 8: 0.8, 9: 1.1, 10: 1.1, 11: 1.05, 12: 0.8}
# 2026 growth against 2025: strong in a few regions (payout capped), falling for some measures.
GROWTH_2026 = {"Gotland": 1.35, "Uppsala": 1.30, "Kalmar": 1.28, "Stockholm": 1.12, "Skåne": 1.08}
FALLING = {("Värmland", "cataract"): 0.88, ("Norrbotten", "prolapse"): 0.80,
           ("Örebro", "knee_prosthesis"): 0.90, ("Jämtland", "colonoscopy"): 0.92}
TOTAL = 5_042_500_200
# Regions asking for less than their allotment (C-4): allotment -> amount asked for.
PARTIAL = {"Uppsala": lambda allotment: 20_000_000, "Halland": lambda allotment: allotment - 1_500_000}


def swedish_money(amount: int) -> str:
    """20000000 -> '20 000 000,00' (spaces as thousands separators, decimal comma)."""
    return f"{amount:,}".replace(",", " ") + ",00"


def procedures(rng: random.Random) -> list[list]:
    names = list(REGIONS)
    people = sum(REGIONS.values())
    rows = []
    for region in names:
        share = REGIONS[region] / people
        neighbour = names[(names.index(region) + 1) % len(names)]
        for measure, per_year in NATIONAL_PER_YEAR.items():
            for year in (2023, 2024, 2025, 2026):
                trend = YEAR_TREND.get(year) or 1.03 * GROWTH_2026.get(region, 1.04) * FALLING.get((region, measure), 1.0)
                private = 0.10 if year < 2026 else 0.14
                for month in range(1, 13):
                    expected = per_year / 12 * share * trend * SEASON[month] * rng.uniform(0.97, 1.03)
                    total = round(expected)
                    bought = round(total * private)
                    elsewhere = round(total * 0.07)
                    home = total - bought - elsewhere
                    for performing, provider, count in ((region, "public", home),
                                                        (neighbour, "public", elsewhere),
                                                        (region, "private", bought)):
                        if count > 0:
                            rows.append([region, performing, provider, measure, year, month, count])
    return rows


def allotments() -> dict[str, int]:
    """The largest-remainder allotments of C-1, to pick requested amounts below them."""
    weights = {r: p * 1000 for r, p in REGIONS.items()}
    total_w = sum(weights.values())
    quotas = {r: Fraction(TOTAL * w, total_w) for r, w in weights.items()}
    base = {r: q.numerator // q.denominator for r, q in quotas.items()}
    left = TOTAL - sum(base.values())
    order = sorted(REGIONS, key=lambda r: (-(quotas[r] - base[r]), -weights[r], list(REGIONS).index(r)))
    for r in order[:left]:
        base[r] += 1
    return base


def requisitions(rng: random.Random) -> list[list]:
    """Swedish Excel export: `;` separators, ja/nej, amounts with decimal comma."""
    allot = allotments()
    rows = []
    for i, region in enumerate(REGIONS):
        if region == "Jämtland":
            continue  # never requisitioned
        day = 16 if region == "Värmland" else 17 if region == "Gotland" else 2 + i % 14
        received = f"2026-03-{day:02d}" if region in ("Värmland", "Gotland") or i % 3 else f"2026-02-{10 + i:02d}"
        amount = ""
        if region in PARTIAL:  # asks for less than its allotment (C-4)
            amount = swedish_money(PARTIAL[region](allot[region]))
        rows.append([region, received, amount,
                     "ja" if region in ("Stockholm", "Skåne", "Västra Götaland", "Örebro", "Dalarna", "Gotland") else "nej",
                     0 if region == "Kronoberg" else 14 if region == "Halland" else 3 + i % 5,
                     "nej" if region == "Blekinge" else "ja",
                     "nej" if region in ("Gävleborg", "Kalmar") else "ja"])
    return rows


def followup(rng: random.Random) -> list[list]:
    allot = allotments()
    rows = []
    for region in REGIONS:
        if region in ("Jämtland", "Norrbotten"):
            continue  # Jämtland got nothing; Norrbotten has not reported
        # Regions use what they asked for (the allotment, or the smaller amount asked for) but
        # none of what they received by redistribution: that part comes back (C-7).
        used = PARTIAL[region](allot[region]) if region in PARTIAL else allot[region]
        if region == "Stockholm":
            used = allot[region] - 12_500_000  # unused funds
        if region in ("Kronoberg", "Blekinge", "Gotland"):
            used = 0  # received nothing
        documented = used
        if region == "Skåne":
            documented = used - 3_250_000  # use without documentation
        if region == "Östergötland":
            documented = used - 800_000
        rows.append([region, used, documented, "ja", "nej" if region == "Kalmar" else "ja",
                     "nej" if region == "Dalarna" else "ja"])
    return rows


def performance_requisitions() -> list[list]:
    """P-12: requisitions of the performance funds (no random draws: the other files stay the
    same). Gotland on the deadline 2026-11-30 (inclusive), Västernorrland a day late, Jämtland
    none at all; the others in early November."""
    rows = []
    for i, region in enumerate(REGIONS):
        if region == "Jämtland":
            continue  # never requisitioned
        received = ("2026-11-30" if region == "Gotland" else "2026-12-01" if region == "Västernorrland"
                    else f"2026-11-{2 + i % 20:02d}")
        rows.append([region, received])
    return rows


def write(name: str, header: list[str], rows: list[list], separator: str = ",") -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=separator, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = random.Random(2026)
    write("procedures.csv", ["home_region", "performing_region", "provider", "measure", "year", "month", "count"],
          procedures(rng))
    write("requisitions.csv", ["region", "received_on", "amount_requested", "wants_remaining", "measures_listed",
                               "production_plan", "separate_account"], requisitions(rng), separator=";")
    write("followup.csv", ["region", "used", "documented", "financial_report", "results_report",
                           "production_plan_submitted"], followup(rng))
    write("performance_requisitions.csv", ["region", "received_on"], performance_requisitions())


if __name__ == "__main__":
    main()
