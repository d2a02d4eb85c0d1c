"""Benchmark: 10 000 tariff scenarios of the performance policy against one plain run.

Uses the 1.2M-row procedure data of bench_run.py (generated there if missing), writes a CSV of
10 000 scenarios (every tariff drawn at random, whole kronor), and times in fresh processes:
`villkor run` alone, `villkor run --scenarios` with the payout per region and nationally, and a
goal seek (`--seek`: the factor on every tariff that makes the national payout 700 000 000 kr).
Prints the median wall times, the difference (the cost of the scenarios) and the ratio.

    python benchmarks/bench_scenarios.py            # 3 runs each
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from bench_run import DATA_ROOT, POLICY, generate, measure

MEASURES = ["hip_prosthesis", "knee_prosthesis", "prolapse", "cataract", "inguinal_hernia", "colonoscopy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenarios", type=int, default=10_000)
    args = parser.parse_args()
    out = DATA_ROOT / "1200000"
    if not (out / "parquet" / "procedures.parquet").exists():
        generate(1_200_000, out)
    rng = np.random.default_rng(2027)
    base = np.array([90000, 95000, 40000, 10000, 25000, 6000])
    table = out / f"scenarios_{args.scenarios}.csv"
    rows = ["scenario," + ",".join(f"approximate_cost_excl_supplement.{m}" for m in MEASURES)]
    for i in range(args.scenarios):
        t = (base * rng.uniform(0.8, 1.3, len(base))).astype(np.int64)
        rows.append(f"s{i + 1}," + ",".join(map(str, t)))
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    villkor = [sys.executable, "-m", "evaluator.cli", "run", str(POLICY), "--data", str(out / "parquet")]
    single, single_mem = measure(villkor + ["-o", str(out / "single.json")], args.runs)
    many, many_mem = measure(villkor + ["--scenarios", str(table), "--outputs", "payout_total,payout",
                                        "-o", str(out / "scenarios.json")], args.runs)
    print(f"{'':>24} {'wall s':>8} {'GiB':>6}")
    print(f"{'single run':>24} {single:>8.2f} {single_mem:>6.2f}")
    print(f"{f'{args.scenarios} scenarios':>24} {many:>8.2f} {many_mem:>6.2f}")
    print(f"{'beyond a single run':>24} {many - single:>8.2f}")
    print(f"{'ratio':>24} {many / single:>8.2f}")
    seek, seek_mem = measure(villkor + ["--seek", "approximate_cost_excl_supplement * x: payout_total = 700000000",
                                        "-o", str(out / "seek.json")], args.runs)
    print(f"{'goal seek':>24} {seek:>8.2f} {seek_mem:>6.2f}")
    print(f"{'beyond a single run':>24} {seek - single:>8.2f}")


if __name__ == "__main__":
    main()
