"""Benchmark: `villkor run` against hand-written pandas on the same procedure records.

Generates record-level rows in the shape of the 2026 performance input (1.2M rows, about
national scale for four years, and 12M rows), as Parquet and as CSV, then times, each as a
fresh process and several times: `villkor run policies/2026_performance.yaml`, and a
hand-written pandas script (categorical dtypes, groupby) computing the same outputs
(P-1..P-9: payout, eligible, the home/other-region/private split, monthly counts).
Prints median wall time, peak memory (max RSS of the process) and their ratios.

    python benchmarks/bench_run.py                 # both sizes, 3 runs each
    python benchmarks/bench_run.py --sizes 1.2 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from processes import timed as launched

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "2026_performance.yaml"
DATA_ROOT = ROOT / "benchmarks" / "_data"

HAND_WRITTEN = r'''
# The same outputs as policies/2026_performance.yaml (P-1..P-9), hand-written in pandas.
import sys, json
import numpy as np, pandas as pd, yaml
path, fmt, policy, out = sys.argv[1:5]
p = yaml.safe_load(open(policy, encoding="utf-8"))
regions = p["dimensions"]["region"]["members"]; measures = p["dimensions"]["measure"]["members"]
par = p["parameters"]
if fmt == "parquet":
    df = pd.read_parquet(path)
else:
    df = pd.read_csv(path, engine="pyarrow", dtype={"home_region": "category", "performing_region": "category",
                     "provider": "category", "measure": "category", "year": "int64", "month": "int64", "count": "int64"})
for c in ("home_region", "performing_region"):
    df[c] = pd.Categorical(df[c], categories=regions)
df["measure"] = pd.Categorical(df["measure"], categories=measures)
months = par["period_months"]["value"]; year = par["measurement_year"]["value"]
base_years = par["baseline_years"]["value"]; n = len(base_years)
keys = ["home_region", "measure"]
def by(mask, extra=()):
    return df[mask].groupby(keys + list(extra), observed=False)["count"].sum()
in_period = df["month"].isin(months)
this_year = (df["year"] == year) & in_period
performed = by(this_year)
base_sum = by(df["year"].isin(base_years) & in_period)
eligible = np.maximum(0, (performed * n - base_sum) // n)  # floor(performed - base_sum / n), exact
rate = pd.Series({m: par["approximate_cost_excl_supplement"]["value"][m] + par["travel_supplement"]["value"] for m in measures})
comp = (eligible * rate.reindex(eligible.index.get_level_values("measure")).to_numpy()).groupby(level=0, observed=False).sum()
cap = pd.Series(par["cap"]["value"]).reindex(regions)
payout = np.minimum(comp.reindex(regions).to_numpy(), cap.to_numpy())
assert payout.sum() <= par["budget"]["value"]
public = df["provider"] == "public"
home = by(this_year & public & (df["performing_region"] == df["home_region"]))
other = by(this_year & public & (df["performing_region"] != df["home_region"]))
private = by(this_year & ~public)
previous = by((df["year"] == year - 1) & in_period)
monthly = by(df["year"] == year, ["month"])
monthly_prev = by(df["year"] == year - 1, ["month"])
national = monthly.groupby(level=["measure", "month"], observed=False).sum()
result = {"payout": dict(zip(regions, map(int, payout))), "eligible": [int(x) for x in eligible],
          "home": [int(x) for x in home], "other": [int(x) for x in other], "private": [int(x) for x in private],
          "previous": [int(x) for x in previous], "monthly": [int(x) for x in monthly],
          "monthly_prev": [int(x) for x in monthly_prev], "national": [int(x) for x in national]}
open(out, "w").write(json.dumps(result))
'''


def generate(rows: int, out: Path) -> None:
    """Record-level rows (count = 1 each) with plausible regional and measure weights."""
    import yaml
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    regions = policy["dimensions"]["region"]["members"]
    measures = policy["dimensions"]["measure"]["members"]
    rng = np.random.default_rng(2026)
    weights = np.asarray(list(policy["parameters"]["cap"]["value"].values()), dtype=np.int64)
    home = rng.choice(len(regions), size=rows, p=weights / weights.sum())
    perform = np.where(rng.random(rows) < 0.9, home, rng.integers(0, len(regions), rows))
    frame = pd.DataFrame({
        "home_region": pd.Categorical.from_codes(home, categories=regions),
        "performing_region": pd.Categorical.from_codes(perform, categories=regions),
        "provider": pd.Categorical.from_codes((rng.random(rows) < 0.2).astype(int), categories=["public", "private"]),
        "measure": pd.Categorical.from_codes(rng.choice(len(measures), size=rows, p=[.1, .08, .04, .5, .1, .18]),
                                             categories=measures),
        "year": rng.choice([2023, 2024, 2025, 2026], size=rows, p=[.24, .245, .25, .265]).astype(np.int64),
        "month": rng.integers(1, 13, rows).astype(np.int64),
        "count": np.ones(rows, dtype=np.int64),
    })
    (out / "parquet").mkdir(parents=True, exist_ok=True)
    (out / "csv").mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out / "parquet" / "procedures.parquet", index=False)
    frame.to_csv(out / "csv" / "procedures.csv", index=False)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of one fresh process (started by a small launcher)."""
    seconds, mib = launched(cmd)
    return seconds, mib / 1024


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    results = [timed(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1.2, 12.0], help="millions of rows")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    script = Path(tempfile.mkdtemp()) / "hand.py"
    script.write_text(HAND_WRITTEN, encoding="utf-8")
    villkor = [sys.executable, "-m", "evaluator.cli"]
    print(f"{'rows':>6} {'format':>8} {'villkor s':>10} {'pandas s':>9} {'time ×':>7} "
          f"{'villkor GiB':>11} {'pandas GiB':>10} {'mem ×':>6}")
    for size in args.sizes:
        rows = int(size * 1_000_000)
        out = DATA_ROOT / f"{rows}"
        if not (out / "csv" / "procedures.csv").exists():
            generate(rows, out)
        for fmt in ("parquet", "csv"):
            folder = out / fmt
            run = ["run", str(POLICY), "--data", str(folder), "-o", str(out / "villkor_result.json")]
            v_time, v_mem = measure(villkor + run, args.runs)
            h_time, h_mem = measure([sys.executable, str(script), str(folder / f"procedures.{fmt}"), fmt, str(POLICY),
                                     str(out / "hand_result.json")], args.runs)
            print(f"{size:>5}M {fmt:>8} {v_time:>10.2f} {h_time:>9.2f} {v_time / h_time:>7.2f} "
                  f"{v_mem:>11.2f} {h_mem:>10.2f} {v_mem / h_mem:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
