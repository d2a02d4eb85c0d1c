"""Re-run every command shown in docs/next-year.md and paste its real output in again.

    python examples/2027_draft/refresh_docs.py     # from anywhere; runs in the repository root

A block of command output in the page is a ```text block whose first line is `$ COMMAND`;
the rest of the block is replaced by what COMMAND prints now (stdout, then stderr), followed
by `(exit code N)` when it is not 0. Run it after changing the 2026 policy or the draft.
The `mistake.yaml` example (the draft with stale dates and a stale year in a title) is made for
the run and removed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "next-year.md"
DRAFT = ROOT / "examples" / "2027_draft" / "2027_performance.yaml"
MISTAKE = ROOT / "examples" / "2027_draft" / "mistake.yaml"
BLOCK = re.compile(r"```text\n\$ (?P<cmd>[^\n]*)\n.*?```", re.S)


def output(cmd: str) -> str:
    proc = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True)
    text = f"$ {cmd}\n{proc.stdout}{proc.stderr}".rstrip("\n")
    if proc.returncode:
        text += f"\n(exit code {proc.returncode})"
    return "```text\n" + text + "\n```"


def main() -> None:
    draft = DRAFT.read_text(encoding="utf-8")
    MISTAKE.write_text(draft.replace("value: 2027-02-28", "value: 2026-02-28")
                       .replace("[2024, 2025, 2026]", "[2025, 2026, 2027]")
                       .replace("Högst att betala ut {measurement_year}", "Högst att betala ut 2026"),
                       encoding="utf-8")
    try:
        doc = DOC.read_text(encoding="utf-8")
        DOC.write_text(BLOCK.sub(lambda m: output(m.group("cmd")), doc), encoding="utf-8")
    finally:
        MISTAKE.unlink()
    print(f"refreshed {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
