"""P-1..P-9 of the performance policy, hand-written in pandas (categoricals, groupby).

    python benchmarks/peers/pandas_p1_p9.py DATA_FILE parquet|csv POLICY OUT.json
"""

import sys
from fractions import Fraction

import numpy as np
import pandas as pd
from common import parameters, write

path, fmt, policy, out = sys.argv[1:5]
par = parameters(policy)
regions, measures, months = par["regions"], par["measures"], par["months"]
if fmt == "parquet":
    df = pd.read_parquet(path)
else:
    df = pd.read_csv(path, engine="pyarrow", dtype={
        "home_region": "category", "performing_region": "category", "provider": "category",
        "measure": "category", "year": "int64", "month": "int64", "count": "int64"})
for c in ("home_region", "performing_region"):
    df[c] = pd.Categorical(df[c], categories=regions)
df["measure"] = pd.Categorical(df["measure"], categories=measures)
df["month"] = pd.Categorical(df["month"], categories=months)
year, base_years = par["measurement_year"], par["baseline_years"]
n = len(base_years)
KEYS = ["home_region", "measure"]


def by(mask, extra=()):
    """Sum of count per key on the full grid (0 where no rows), in policy order."""
    return df[mask].groupby(KEYS + list(extra), observed=False)["count"].sum().to_numpy(dtype=np.int64)


in_period = df["month"].isin(par["period_months"]).to_numpy()
this_year = (df["year"] == year).to_numpy()
last_year = (df["year"] == year - 1).to_numpy()
in_base = df["year"].isin(base_years).to_numpy()
performed = by(this_year & in_period)
base_sum = by(in_base & in_period)
eligible = np.maximum(0, (performed * n - base_sum) // n)  # floor(performed - base_sum / n), exact
rate = np.asarray([par["approximate_cost_excl_supplement"][m] + par["travel_supplement"] for m in measures])
compensation = (eligible.reshape(len(regions), len(measures)) * rate).sum(axis=1)
cap = np.asarray([par["cap"][r] for r in regions])
payout = np.minimum(compensation, cap)
assert payout.sum() <= par["budget"]
public = (df["provider"] == "public").to_numpy()
same = (df["performing_region"] == df["home_region"]).to_numpy()
monthly = by(this_year, ["month"])
monthly_prev = by(last_year, ["month"])
grid = (len(regions), len(measures), len(months))
write(out, {
    "performed": performed, "baseline": [Fraction(int(s), n) for s in base_sum], "eligible": eligible,
    "compensation": compensation, "payout": payout, "payout_total": [payout.sum()],
    "previous_year_period": by(last_year & in_period),
    "performed_home": by(this_year & in_period & public & same),
    "performed_other_region": by(this_year & in_period & public & ~same),
    "performed_private": by(this_year & in_period & ~public),
    "monthly": monthly, "monthly_previous_year": monthly_prev,
    "monthly_baseline": [Fraction(int(s), n) for s in by(in_base, ["month"])],
    "national_monthly": monthly.reshape(grid).sum(axis=0).ravel(),
    "national_monthly_previous_year": monthly_prev.reshape(grid).sum(axis=0).ravel(),
})
