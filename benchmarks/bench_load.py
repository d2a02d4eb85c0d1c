"""Self-check, run by hand (not a test): evaluator.data.load_tables against plain pandas.

Writes a `procedures.csv` of N rows (default 1.2M) in the shape of the 2026 performance input
to /tmp, then loads it, each in a fresh process, with
  hand:    pd.read_csv(engine="pyarrow", dtype=category/int64) + categories set to the members
  villkor: evaluator.data.load_tables (typing and every check included)
and prints median wall time, peak RSS and the ratios.

    PYTHONPATH=/work/main python benchmarks/bench_load.py [--rows 1200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REGIONS = ["Stockholm", "Uppsala", "Södermanland", "Östergötland", "Jönköping", "Kronoberg", "Kalmar",
           "Gotland", "Blekinge", "Skåne", "Halland", "Västra Götaland", "Värmland", "Örebro",
           "Västmanland", "Dalarna", "Gävleborg", "Västernorrland", "Jämtland Härjedalen",
           "Västerbotten", "Norrbotten"]
MEASURES = ["hip_prosthesis", "knee_prosthesis", "cataract", "hernia", "gallbladder", "tonsils"]

HAND = r"""
import sys, time, resource
import pandas as pd
from bench_load import REGIONS, MEASURES
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], engine="pyarrow", dtype={"home_region": "category", "performing_region": "category",
                 "provider": "category", "measure": "category", "year": "int64", "month": "int64", "count": "int64"})
for c in ("home_region", "performing_region"):
    df[c] = df[c].cat.set_categories(REGIONS)
df["measure"] = df["measure"].cat.set_categories(MEASURES)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(df))
"""

VILLKOR = r"""
import sys, time, resource, os
from evaluator.data import load_tables
from evaluator.policy.model import Column, Dimension, Input
from bench_load import REGIONS, MEASURES
dims = {"region": Dimension("region", tuple(REGIONS)), "measure": Dimension("measure", tuple(MEASURES))}
cols = [Column("home_region", "region"), Column("performing_region", "region"),
        Column("provider", "string", enum=("public", "private")), Column("measure", "measure"),
        Column("year", "int"), Column("month", "int", min=1, max=12), Column("count", "int", min=0, default=1)]
inp = Input("procedures", {c.id: c for c in cols}, by={"region": "home_region", "measure": "measure"})
t = time.perf_counter()
tables = load_tables({"procedures": inp}, dims, os.path.dirname(sys.argv[1]))
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, tables.tables["procedures"].rows)
"""


def generate(rows: int, path: Path) -> None:
    rng = np.random.default_rng(1)
    home = rng.integers(0, len(REGIONS), rows)
    frame = pd.DataFrame({
        "home_region": np.asarray(REGIONS, dtype=object)[home],
        "performing_region": np.asarray(REGIONS, dtype=object)[np.where(rng.random(rows) < 0.9, home,
                                                                         rng.integers(0, len(REGIONS), rows))],
        "provider": np.where(rng.random(rows) < 0.8, "public", "private"),
        "measure": np.asarray(MEASURES, dtype=object)[rng.integers(0, len(MEASURES), rows)],
        "year": rng.integers(2022, 2027, rows),
        "month": rng.integers(1, 13, rows),
        "count": np.ones(rows, dtype=np.int64),
    })
    frame.to_csv(path, index=False)


def measure(code: str, path: Path) -> tuple[float, float]:
    """Seconds spent loading and peak RSS (MB) of a fresh process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent),
                                                       str(Path(__file__).resolve().parents[2])]))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(out.stderr)
    seconds, rss, _ = out.stdout.split()
    return float(seconds), int(rss) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_200_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    folder = Path(f"/tmp/villkor_bench_load_{args.rows}")
    path = folder / "procedures.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(args.rows, path)
    results = {}
    for name, code in (("hand", HAND), ("villkor", VILLKOR)):
        runs = [measure(code, path) for _ in range(args.runs)]
        results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
        print(f"{name:8s} {results[name][0]:7.3f} s  {results[name][1]:8.1f} MB peak RSS")
    (th, mh), (tv, mv) = results["hand"], results["villkor"]
    print(f"ratio    {tv / th:7.2f} ×  {mv / mh:8.2f} × (villkor / hand), {args.rows:,} rows")


if __name__ == "__main__":
    main()
