"""Benchmark: `villkor run` against hand-written pandas and hand-written DuckDB SQL.

Generates record-level register-like data in the shape of the 2026 performance input (one
row per procedure, `count` = 1, 21 regions, 6 measures, years 2022-2026 of which 2022 and
November-December fall outside every window of P-3/P-4), as Parquet and as CSV. Then, for
each size and format, runs each program as a fresh process (whole process: start-up,
reading, computing, writing):

  villkor   python -m evaluator.cli run policies/2026_performance.yaml --data DIR -o out.json
  pandas    benchmarks/peers/pandas_p1_p9.py   (categoricals, masks, groupby)
  duckdb    benchmarks/peers/duckdb_p1_p9.py   (one SQL scan with conditional sums)

checks that the three agree on every cell of P-1..P-9 (performed, baseline, eligible,
compensation, payout, the home/other-region/private split, the previous year, the monthly
and national monthly counts), and prints one table: median wall time, peak memory (max RSS
of the process) and the ratios of villkor to each peer.

    python benchmarks/bench_peers.py                      # 1.2M and 12M rows, Parquet and CSV
    python benchmarks/bench_peers.py --sizes 1.2 --runs 3
    python benchmarks/bench_peers.py --sizes 120 --formats parquet --peers pandas duckdb

Generated data is kept in benchmarks/_data/ (git-ignored) and reused. DuckDB is in the
`bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
from processes import timed as launched

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policies" / "2026_performance.yaml"
DATA_ROOT = ROOT / "benchmarks" / "_data"
PEERS = ROOT / "benchmarks" / "peers"
CHUNK = 2_000_000
YEARS, YEAR_WEIGHTS = [2022, 2023, 2024, 2025, 2026], [.05, .23, .235, .235, .25]
MEASURE_WEIGHTS = [.1, .08, .04, .5, .1, .18]


def generate(rows: int, out: Path, formats: list[str]) -> None:
    """Record-level rows in chunks (so 120M rows fit in memory), written as dictionary-encoded
    Parquet and as plain CSV; the same seed gives the same file on every machine."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import yaml

    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    regions = policy["dimensions"]["region"]["members"]
    measures = policy["dimensions"]["measure"]["members"]
    weights = np.asarray(list(policy["parameters"]["cap"]["value"].values()), dtype=np.float64)
    rng = np.random.default_rng(2026)
    writers = {}
    tmp = {fmt: out / fmt / f"procedures.{fmt}.part" for fmt in formats}
    for fmt in formats:
        (out / fmt).mkdir(parents=True, exist_ok=True)
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        home = rng.choice(len(regions), size=n, p=weights / weights.sum()).astype(np.int8)
        perform = np.where(rng.random(n) < 0.9, home, rng.integers(0, len(regions), n)).astype(np.int8)
        table = pa.table({
            "home_region": pa.DictionaryArray.from_arrays(home, regions),
            "performing_region": pa.DictionaryArray.from_arrays(perform, regions),
            "provider": pa.DictionaryArray.from_arrays((rng.random(n) < 0.2).astype(np.int8), ["public", "private"]),
            "measure": pa.DictionaryArray.from_arrays(
                rng.choice(len(measures), size=n, p=MEASURE_WEIGHTS).astype(np.int8), measures),
            "year": rng.choice(YEARS, size=n, p=YEAR_WEIGHTS).astype(np.int64),
            "month": rng.integers(1, 13, n).astype(np.int64),
            "count": np.ones(n, dtype=np.int64),
        })
        if "parquet" in formats:
            if "parquet" not in writers:
                writers["parquet"] = pq.ParquetWriter(tmp["parquet"], table.schema)
            writers["parquet"].write_table(table, row_group_size=1 << 20)
        if "csv" in formats:
            plain = pa.table({name: col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col
                              for name, col in zip(table.column_names, table.columns)})
            if "csv" not in writers:
                writers["csv"] = pacsv.CSVWriter(tmp["csv"], plain.schema,
                                                 write_options=pacsv.WriteOptions(quoting_style="none"))
            writers["csv"].write_table(plain)
        done += n
    for fmt, writer in writers.items():
        writer.close()
        tmp[fmt].rename(out / fmt / f"procedures.{fmt}")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh process (started by a small launcher)."""
    return launched(cmd, cwd=PEERS)


def measure(cmds: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """(median time, highest peak memory) per program. The programs take turns, run by run
    (villkor, pandas, DuckDB, villkor, ...), so that a machine growing slower or faster during
    the measurement (a shared host's load, its clock) weighs on every program alike."""
    results: dict[str, list] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            results[name].append(timed(cmd))
    return {name: (statistics.median(r[0] for r in rs), max(r[1] for r in rs)) for name, rs in results.items()}


def commands(program: str, folder: Path, fmt: str, out: Path) -> list[str]:
    if program == "villkor":
        return [sys.executable, "-m", "evaluator.cli", "run", str(POLICY), "--data", str(folder), "-o", str(out)]
    return [sys.executable, str(PEERS / f"{program}_p1_p9.py"), str(folder / f"procedures.{fmt}"), fmt,
            str(POLICY), str(out)]


def exact(value) -> Fraction:
    """A cell as an exact number: villkor's int or decimal text, a peer's int or 'n/d'."""
    if isinstance(value, str) and "/" in value:
        return Fraction(value)
    return Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)


def villkor_cells(path: Path, names) -> dict[str, list[Fraction]]:
    outputs = json.loads(path.read_text(encoding="utf-8"))["outputs"]
    return {name: [exact(row["value"]) for row in outputs[name]] for name in names}


def agree(name: str, ours: Fraction, theirs: Fraction) -> bool:
    """Sums agree exactly. A baseline is a fraction (sum / 3) that villkor carries as a decimal
    of 34 significant digits: it agrees when it is that fraction to within the last digit."""
    if theirs.denominator == 1:
        return ours == theirs
    return abs(ours - theirs) <= abs(theirs) * Fraction(1, 10 ** 33)


def compare(results: dict[str, Path]) -> str:
    """'ok' when every peer agrees with villkor on every cell; otherwise the first difference."""
    peers = {p: json.loads(path.read_text(encoding="utf-8")) for p, path in results.items() if p != "villkor"}
    names = next(iter(peers.values())).keys() if peers else []
    ours = villkor_cells(results["villkor"], names)
    for peer, theirs in peers.items():
        for name in names:
            mine, other = ours[name], [exact(v) for v in theirs[name]]
            if len(mine) != len(other):
                return f"{peer}: {name} has {len(other)} cells, villkor {len(mine)}"
            for i, (a, b) in enumerate(zip(mine, other)):
                if not agree(name, a, b):
                    return f"{peer}: {name}[{i}] = {b}, villkor {a}"
    return f"ok ({sum(len(v) for v in ours.values())} cells)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1.2, 12.0], help="millions of rows")
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    parser.add_argument("--peers", nargs="+", default=["pandas", "duckdb"], choices=["pandas", "duckdb"])
    parser.add_argument("--runs", type=int, default=1, help="runs per program (the median is shown)")
    args = parser.parse_args()
    programs = ["villkor", *args.peers]
    head = f"{'rows':>6} {'format':>8}" + "".join(f" {p + ' s':>10} {p + ' MiB':>11}" for p in programs)
    head += "".join(f" {'÷ ' + p + ' s':>11} {'÷ ' + p + ' MiB':>12}" for p in args.peers) + "  agree"
    print(head, flush=True)
    for size in args.sizes:
        rows = int(round(size * 1_000_000))
        out = DATA_ROOT / f"{rows}"
        missing = [f for f in args.formats if not (out / f / f"procedures.{f}").exists()]
        if missing:
            generate(rows, out, missing)
        for fmt in args.formats:
            folder = out / fmt
            results = {program: out / f"{program}_{fmt}.json" for program in programs}
            figures = measure({p: commands(p, folder, fmt, results[p]) for p in programs}, args.runs)
            v_time, v_mem = figures["villkor"]
            line = f"{size:>5g}M {fmt:>8}" + "".join(f" {t:>10.2f} {m:>11.0f}" for t, m in figures.values())
            line += "".join(f" {v_time / figures[p][0]:>11.2f} {v_mem / figures[p][1]:>12.2f}" for p in args.peers)
            print(line + "  " + compare(results), flush=True)


if __name__ == "__main__":
    main()
