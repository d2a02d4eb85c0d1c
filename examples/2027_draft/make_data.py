"""Make examples/2027_draft/data/procedures.csv: the 2026 example data plus a year 2027 and a
seventh measure, so that the 2026 policy and the 2027 draft can run on the same data.

    python examples/2027_draft/make_data.py     # the same bytes every time (no randomness)

- every row of examples/2026/procedures.csv (2023–2026, six measures) is kept as it is, so the
  2026 policy gives exactly its examples/2026 result on this data;
- 2027 rows: each 2026 row of the same region, measure, month, performing region and provider,
  with its count times the region's 2027 growth (GROWTH_2027, default 1.03), rounded;
- cholecystectomy (gallstensoperation) rows for 2024–2027: for each hip prosthesis row of those
  years, 0.55 × its count (2027: × 1.10 more), rounded. The 2026 policy does not know this
  measure: `villkor diff` runs it without these rows and says so.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "2026" / "procedures.csv"
OUT = HERE / "data" / "procedures.csv"
GROWTH_2027 = {"Stockholm": 1.02, "Uppsala": 0.95, "Gotland": 0.90, "Kalmar": 1.00, "Skåne": 1.10,
               "Halland": 1.12, "Dalarna": 1.08}
CHOLE_SHARE = 0.55
CHOLE_GROWTH_2027 = 1.10


def main() -> None:
    with open(SOURCE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    out = [dict(r) for r in rows]
    for r in rows:
        if r["year"] == "2026":
            count = round(int(r["count"]) * GROWTH_2027.get(r["home_region"], 1.03))
            if count > 0:
                out.append({**r, "year": "2027", "count": str(count)})
    for r in list(out):
        if r["measure"] == "hip_prosthesis" and r["year"] in ("2024", "2025", "2026", "2027"):
            factor = CHOLE_SHARE * (CHOLE_GROWTH_2027 if r["year"] == "2027" else 1.0)
            count = round(int(r["count"]) * factor)
            if count > 0:
                out.append({**r, "measure": "cholecystectomy", "count": str(count)})
    OUT.parent.mkdir(exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"wrote {OUT.relative_to(HERE.parent.parent)} ({len(out)} rows)")


if __name__ == "__main__":
    main()
