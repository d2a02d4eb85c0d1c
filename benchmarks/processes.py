"""Whole programs timed as fresh processes, each with its own peak memory.

Why a launcher: the peak memory of a child (`ru_maxrss` from `wait4`) includes the memory of the
process it was started from, since Linux keeps the high-water mark across `exec` (and Python
starts children with vfork, sharing the parent's memory until then). A benchmark that has just
generated 12 million rows would add its own few hundred MiB to every program it measures. So
every program is started from a small launcher process that holds nothing but this loop.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    start = time.perf_counter()
    proc = subprocess.Popen(job["cmd"], cwd=job["cwd"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_kib": usage.ru_maxrss,
                      "code": os.waitstatus_to_exitcode(status), "stderr": err[-4000:]}), flush=True)
"""

_launcher: subprocess.Popen | None = None


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh process; a failed program ends the benchmark."""
    global _launcher
    if _launcher is None:
        _launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
    assert _launcher.stdin is not None and _launcher.stdout is not None
    _launcher.stdin.write(json.dumps({"cmd": [str(c) for c in cmd], "cwd": str(cwd) if cwd else None}) + "\n")
    _launcher.stdin.flush()
    result = json.loads(_launcher.stdout.readline())
    if result["code"] != 0:
        raise SystemExit(f"command failed: {' '.join(map(str, cmd))}\n{result['stderr']}")
    return result["seconds"], result["peak_kib"] / 1024
