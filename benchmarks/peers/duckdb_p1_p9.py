"""P-1..P-9 of the performance policy, hand-written as one DuckDB SQL query.

DuckDB scans the file once and sums every filter as a conditional aggregate per
(home region, measure, month); the few thousand result rows are put on the full grid here.

    python benchmarks/peers/duckdb_p1_p9.py DATA_FILE parquet|csv POLICY OUT.json
"""

import sys
from fractions import Fraction

import duckdb
import numpy as np
from common import parameters, write

path, fmt, policy, out = sys.argv[1:5]
par = parameters(policy)
regions, measures, months = par["regions"], par["measures"], par["months"]
year, base_years, period = par["measurement_year"], par["baseline_years"], par["period_months"]
n = len(base_years)
source = f"read_parquet('{path}')" if fmt == "parquet" else f"read_csv('{path}', header = true)"
years = ", ".join(map(str, base_years))
rows = duckdb.sql(f"""
    SELECT home_region, measure, month,
      sum(CASE WHEN year = {year} THEN count ELSE 0 END)::BIGINT,
      sum(CASE WHEN year = {year - 1} THEN count ELSE 0 END)::BIGINT,
      sum(CASE WHEN year IN ({years}) THEN count ELSE 0 END)::BIGINT,
      sum(CASE WHEN year = {year} AND provider = 'public' AND performing_region = home_region
          THEN count ELSE 0 END)::BIGINT,
      sum(CASE WHEN year = {year} AND provider = 'public' AND performing_region <> home_region
          THEN count ELSE 0 END)::BIGINT,
      sum(CASE WHEN year = {year} AND provider = 'private' THEN count ELSE 0 END)::BIGINT
    FROM {source}
    GROUP BY ALL
""").fetchall()
ri, mi = {r: i for i, r in enumerate(regions)}, {m: i for i, m in enumerate(measures)}
cube = np.zeros((6, len(regions), len(measures), len(months)), dtype=np.int64)
for region, measure, month, *sums in rows:
    cube[:, ri[region], mi[measure], int(month) - 1] = sums
this, last, base, home, other, private = cube
p = np.asarray([m in period for m in months])
performed, base_sum = this[..., p].sum(-1).ravel(), base[..., p].sum(-1).ravel()
eligible = np.maximum(0, (performed * n - base_sum) // n)
rate = np.asarray([par["approximate_cost_excl_supplement"][m] + par["travel_supplement"] for m in measures])
compensation = (eligible.reshape(len(regions), len(measures)) * rate).sum(axis=1)
payout = np.minimum(compensation, np.asarray([par["cap"][r] for r in regions]))
assert payout.sum() <= par["budget"]
write(out, {
    "performed": performed, "baseline": [Fraction(int(s), n) for s in base_sum], "eligible": eligible,
    "compensation": compensation, "payout": payout, "payout_total": [payout.sum()],
    "previous_year_period": last[..., p].sum(-1).ravel(),
    "performed_home": home[..., p].sum(-1).ravel(), "performed_other_region": other[..., p].sum(-1).ravel(),
    "performed_private": private[..., p].sum(-1).ravel(),
    "monthly": this.ravel(), "monthly_previous_year": last.ravel(),
    "monthly_baseline": [Fraction(int(s), n) for s in base.ravel()],
    "national_monthly": this.sum(0).ravel(), "national_monthly_previous_year": last.sum(0).ravel(),
})
