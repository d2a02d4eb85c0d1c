"""Shared helpers of the tests: a small policy and its data, writing files, and the real `villkor`
command (in this process, or as a process where only a process shows it)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A small policy in the shape of the performance grant: three regions, two measures.
MINI_POLICY = """\
policy: mini
title: Liten testpolicy
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc:
    document: seeds/example.txt
    passage: Bilaga 1
dimensions:
  region:
    members: [Stockholm, Uppsala, Gotland]
  measure:
    members: [cataract, hip]
parameters:
  budget: {value: 1000000, unit: kr, source: {ref: doc}}
  travel_supplement: {value: 4000, unit: kr/count, source: {ref: doc}}
  tariff:
    by: [measure]
    value: {cataract: 10000, hip: 90000}
    unit: kr/count
    status: illustrative
    note: Not an official figure.
    source: {ref: doc}
  cap:
    by: [region]
    value: {Stockholm: 500000, Uppsala: 100000, Gotland: 50000}
    unit: kr
    source: {ref: doc}
  measurement_year: {value: 2026, source: {ref: doc}}
  period_months: {value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], source: {ref: doc}}
  baseline_years: {value: [2023, 2024, 2025], source: {ref: doc}}
  eligible_rounding: {value: floor, source: {ref: doc}}
inputs:
  procedures:
    by: {region: home_region, measure: measure}
    columns:
      home_region: {type: region}
      performing_region: {type: region}
      provider: {type: string, enum: [public, private]}
      measure: {type: measure}
      year: {type: int}
      month: {type: int, min: 1, max: 12}
      count: {type: int, min: 0, default: 1}
rules:
  performed:
    per: [region, measure]
    expr: sum(procedures[year = measurement_year and month in period_months].count)
    unit: count
    source: {ref: doc}
  baseline:
    per: [region, measure]
    expr: sum(procedures[year in baseline_years and month in period_months].count) / count(baseline_years)
    unit: count
    source: {ref: doc}
  eligible:
    per: [region, measure]
    expr: max(0, round(performed - baseline, 0, eligible_rounding))
    unit: count
    source: {ref: doc}
  rate:
    per: [measure]
    expr: tariff + travel_supplement
    unit: kr/count
    source: {ref: doc}
  compensation:
    per: [region]
    expr: sum(eligible * rate)
    unit: kr
    source: {ref: doc}
  payout:
    per: [region]
    expr: min(compensation, cap)
    unit: kr
    source: {ref: doc}
outputs: [performed, baseline, eligible, rate, compensation, payout]
checks:
  within_budget:
    expr: sum(payout) <= budget
    source: {ref: doc}
"""

MINI_DATA = """\
home_region,performing_region,provider,measure,year,month,count
Stockholm,Stockholm,public,cataract,2026,3,100
Stockholm,Uppsala,private,cataract,2026,4,5
Stockholm,Stockholm,public,cataract,2023,3,60
Stockholm,Stockholm,public,cataract,2024,3,61
Stockholm,Stockholm,public,cataract,2026,11,999
Gotland,Gotland,public,hip,2026,1,3
Uppsala,Uppsala,public,hip,2025,1,9
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path




def villkor(*args, cwd=None, check=False):
    """Run the real command line in this process (what a subprocess would add is proven by the
    tests that spawn one: signals, closed streams, start-up imports, the installed script).

    Returns what `subprocess.run(..., text=True)` would: returncode, stdout and stderr as text
    (newlines as text mode reads them), warnings included in stderr."""
    from evaluator.cli import main

    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", newline="")
    argv = [str(a) for a in args]
    saved = sys.stdout, sys.stderr, os.getcwd(), signal.getsignal(signal.SIGTERM)
    sys.stdout, sys.stderr = stdout, err
    try:
        if cwd is not None:
            os.chdir(cwd)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse: --help, --version, a usage error
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        for w in caught:
            err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
        stdout.flush()
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        os.chdir(saved[2])
        signal.signal(signal.SIGTERM, saved[3])
    text = out.getvalue().decode("utf-8")
    proc = subprocess.CompletedProcess(["villkor", *argv], code,
                                       text.replace("\r\n", "\n").replace("\r", "\n"), err.getvalue())
    if check and proc.returncode != 0:
        raise AssertionError(f"villkor {' '.join(argv)} failed:\n{proc.stderr}")
    return proc


def villkor_process(*args, cwd=None, check=False):
    """Run the real command line as a subprocess, for what only a process shows."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "evaluator.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"villkor {' '.join(map(str, args))} failed:\n{proc.stderr}")
    return proc
