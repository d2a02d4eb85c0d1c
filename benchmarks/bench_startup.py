"""Benchmark: how long the everyday commands take from a cold start, as a user types them.

Each command runs as a fresh process (`python -m evaluator.cli ...`, what the `villkor` script
runs) N times from the repository root; the median wall time is compared with the target of
the issues "The house" and "Speed and scale" (--version ≤ 0.15 s, validate ≤ 0.5 s,
fmt --check ≤ 0.4 s, `villkor test` over every fixture of the repository ≤ 3 s) and printed as a
ratio (≤ 1.00 meets the target). The CPU time (user + system) of the process is printed
beside it: on a machine shared with other work the wall time includes waiting for a core, the
CPU time does not. The commands are those of examples/run.sh and the fixture run of CI. A
column says whether the process imported pandas (read from `-X importtime`, one extra run).
`fmt --check` is timed as a user meets it the second time: the uncounted first run fills fmt's
cache (a temporary VILLKOR_CACHE_DIR, not the user's), so every counted run finds both files
there. `fmt --check --no-cache` is the first run on a machine (CI on a fresh clone): nothing is
cached, and each file is proven formatted from its structure (evaluator/style/proof.py). The
last fmt line is the check after an edit that left a file out of form (a copy of the
performance policy with its version in single quotes): that file takes the ruamel round trip.
The processes run as an installed package does: with bytecode (pip compiles it on install;
here it goes to a temporary PYTHONPYCACHEPREFIX, written by the first, uncounted run), even
where PYTHONDONTWRITEBYTECODE is set.

    python benchmarks/bench_startup.py            # 7 runs each
    python benchmarks/bench_startup.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["policies/2026_performance.yaml", "policies/2026_capacity.yaml"]
FIXTURES = ["tests/fixtures", "examples/2027_draft/fixtures"]
PYCACHE = tempfile.mkdtemp(prefix="villkor-bench-pycache-")
CACHE = tempfile.mkdtemp(prefix="villkor-bench-cache-")  # fmt's cache, filled by the first run
EDITED = Path(tempfile.mkdtemp(prefix="villkor-bench-edited-")) / "2026_performance.yaml"
EDITED.write_text((ROOT / POLICIES[0]).read_text(encoding="utf-8").replace('version: "2026.1"', "version: '2026.1'", 1),
                  encoding="utf-8")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(PYTHONIOENCODING="utf-8", PYTHONPYCACHEPREFIX=PYCACHE, VILLKOR_CACHE_DIR=CACHE)

COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("villkor --version", ["--version"], 0.15),
    ("villkor --help", ["--help"], None),
    ("villkor validate policies/*.yaml", ["validate", *POLICIES], 0.5),
    ("villkor fmt --check policies/*.yaml", ["fmt", "--check", *POLICIES], 0.4),
    ("villkor fmt --check --no-cache policies/*.yaml", ["fmt", "--check", "--no-cache", *POLICIES], 0.4),
    ("  the same, one of them edited out of form", ["fmt", "--check", "--no-cache", str(EDITED), POLICIES[1]],
     None),
    ("villkor run performance --data examples/2026", ["run", POLICIES[0], "--data", "examples/2026",
                                                      "--format", "json"], None),
    ("villkor test -q (every fixture)", ["test", "-q", *FIXTURES], 3.0),
]


def _run(args: list[str], extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *extra, "-m", "evaluator.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, env=ENV)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh process."""
    cpu, start = _cpu(), time.perf_counter()
    proc = _run(args)
    elapsed = time.perf_counter() - start
    if proc.returncode != (1 if str(EDITED) in args else 0):  # the edited copy: "would reformat"
        raise SystemExit(f"villkor {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed, _cpu() - cpu


def _imports_pandas(args: list[str]) -> bool:
    proc = _run(args, ("-X", "importtime"))
    return any(line.rsplit("|", 1)[-1].strip() == "pandas" for line in proc.stderr.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    opts = parser.parse_args()
    bare = statistics.median(_timed_python() for _ in range(opts.runs))
    print(f"python -c pass (the interpreter alone): {bare:.3f} s wall, median of {opts.runs}\n")
    print(f"{'command':<48} {'wall s':>7} {'cpu s':>7} {'target s':>9} {'ratio':>6}  pandas")
    for label, args, target in COMMANDS:
        _time(args)  # warm the file cache (and the bytecode) once; not counted
        times = [_time(args) for _ in range(opts.runs)]
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        ratio = f"{wall / target:.2f}" if target else "-"
        shown_target = f"{target:.2f}" if target else "-"
        print(f"{label:<48} {wall:>7.3f} {cpu:>7.3f} {shown_target:>9} {ratio:>6}  "
              f"{'yes' if _imports_pandas(args) else 'no'}")


def _timed_python() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=ENV)
    return time.perf_counter() - start


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)
        shutil.rmtree(EDITED.parent, ignore_errors=True)
