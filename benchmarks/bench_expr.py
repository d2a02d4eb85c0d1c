"""Benchmark: one expression over 1,000,000 rows, villkor against hand-written numpy/pandas.

    python benchmarks/bench_expr.py                # 1,000,000 rows, 21 repetitions (3 decimal)
    python benchmarks/bench_expr.py --rows 200000 --runs 5

Evaluates `max(0, floor(performed - baseline)) * (tariff + 4000)` with
`evaluator.lang.evaluate` (parse + check + evaluate, every repetition) and the same formula
written by hand, and prints the median times and their ratio (target for int64: at most 2x).

Two variants:
- int64: performed, baseline and tariff (by measure) are int64 columns, the common case.
- decimal: baseline is fractional (a three-year mean, exact Decimal in an object column), the
  cost of exactness; the hand-written reference uses the same Decimal objects, and a float64
  version is printed too, to show what inexact arithmetic would cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.lang import evaluate  # noqa: E402

FORMULA = "max(0, floor(performed - baseline)) * (tariff + 4000)"
TARIFFS = np.array([10_000, 90_000, 35_000, 52_000, 8_000], dtype=np.int64)  # one per measure


def make_data(rows: int, seed: int = 2026) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    measure = rng.integers(0, len(TARIFFS), rows)
    return {"performed": pd.Series(rng.integers(0, 5_000, rows), dtype="int64"),
            "baseline": pd.Series(rng.integers(0, 5_000, rows), dtype="int64"),
            "tariff": pd.Series(TARIFFS[measure], dtype="int64")}


def with_decimal_baseline(env: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """baseline = sum of three years / 3 as an exact Decimal (most are fractional)."""
    b = env["baseline"].to_numpy()
    thirds = (b * 3 + np.arange(len(b)) % 3).tolist()
    dec = np.empty(len(b), dtype=object)
    dec[:] = [Decimal(t) / 3 for t in thirds]
    return {**env, "baseline": pd.Series(dec, dtype=object)}


def hand_int64(env):
    p, b, t = (env[k].to_numpy() for k in ("performed", "baseline", "tariff"))
    return pd.Series(np.maximum(0, p - b) * (t + 4000))


def hand_decimal(env):
    p, b, t = env["performed"], env["baseline"], env["tariff"]
    diff = (p.astype(object) - b).map(lambda d: int(d.__floor__()) if isinstance(d, Decimal) else d)
    return pd.Series(np.maximum(0, diff.astype(np.int64).to_numpy()) * (t.to_numpy() + 4000))


def hand_float(env):
    p, b, t = env["performed"].to_numpy(), env["baseline"].astype(float).to_numpy(), env["tariff"].to_numpy()
    return pd.Series(np.maximum(0, np.floor(p - b)).astype(np.int64) * (t + 4000))


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def timed_pair(fa, fb, runs: int):
    """Median times of two functions run alternately (a busy machine slows both alike)."""
    ta, tb, ra, rb = [], [], None, None
    for _ in range(runs):
        t, ra = timed(fa, 1)
        ta.append(t)
        t, rb = timed(fb, 1)
        tb.append(t)
    return statistics.median(ta), ra, statistics.median(tb), rb


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--decimal-runs", type=int, default=3)
    args = ap.parse_args(argv)

    env = make_data(args.rows)
    evaluate(FORMULA, {k: v.head(10) for k, v in env.items()})  # warm up: grammar, imports
    t_v, r_v, t_h, r_h = timed_pair(lambda: evaluate(FORMULA, env), lambda: hand_int64(env), args.runs)
    assert r_v.dtype == np.int64 and np.array_equal(r_v.to_numpy(), r_h.to_numpy()), "results differ"
    print(f"{args.rows:,} rows, {FORMULA}")
    print(f"int64    villkor {t_v * 1000:8.1f} ms   hand-written numpy {t_h * 1000:8.1f} ms   "
          f"ratio {t_v / t_h:5.2f}x  (target <= 2x)")

    denv = with_decimal_baseline(env)
    t_dv, r_dv, t_dh, r_dh = timed_pair(lambda: evaluate(FORMULA, denv), lambda: hand_decimal(denv),
                                       args.decimal_runs)
    t_df, r_df = timed(lambda: hand_float(denv), args.runs)
    assert [int(x) for x in r_dv.to_numpy()] == r_dh.tolist(), "decimal results differ"
    wrong = int((r_df.to_numpy() != r_dh.to_numpy()).sum())
    print(f"decimal  villkor {t_dv * 1000:8.1f} ms   hand-written Decimal {t_dh * 1000:6.1f} ms   "
          f"ratio {t_dv / t_dh:5.2f}x")
    print(f"         (float64 by hand {t_df * 1000:.1f} ms, {t_dv / t_df:.0f}x faster than villkor "
          f"and wrong on {wrong:,} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
