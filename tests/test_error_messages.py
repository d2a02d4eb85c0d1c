"""The rendered error messages are part of the product: golden files pin what a user sees for
each kind of slip (file, line:column or row, what is wrong, the fix), so a change of wording is
a deliberate, reviewed change.

Each case makes one slip in the small policy or its data (tests/support.py), runs the real
command from the folder holding them (so the paths in the message are the relative ones a user
types) and compares standard error with tests/golden/errors/<case>.txt. Every case must end
with exit code 1, name where the slip is, and print no traceback.

Set VILLKOR_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change of wording,
then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import MINI_DATA, MINI_POLICY, villkor, write

GOLDEN = Path(__file__).parent / "golden" / "errors"
HEADER = MINI_DATA.splitlines()[0]


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, old  # the slip must apply: a case that changes nothing proves nothing
    return text.replace(old, new, 1)


# case -> (change to the policy text, change to the data text, the command, where the message points)
CASES = {
    "missing_bracket": (("expr: min(compensation, cap)", "expr: min(compensation, cap"), None, "validate",
                        "mini.yaml:72:32:"),  # just after `cap`: 4 + 6 + 21 characters on line 72
    "unknown_name": (("expr: min(compensation, cap)", "expr: min(compensation, capp)"), None, "validate",
                     "mini.yaml:72:"),
    "unit_mismatch": (("expr: min(compensation, cap)", "expr: min(compensation, eligible)"), None, "validate",
                      "mini.yaml:72:"),
    "cycle": (("expr: min(compensation, cap)", "expr: min(compensation, payout)"), None, "validate",
              "mini.yaml:70:3:"),  # the rule `payout:` itself
    "malformed_yaml": (("valid: {from: 2026-01-01, to: 2026-12-31}", "valid: {from: 2026-01-01, to: 2026-12-31"),
                       None, "validate", "mini.yaml:"),
    "impossible_date": (("to: 2026-12-31}", "to: 2026-02-30}"), None, "validate", "mini.yaml:4:"),
    "schema_violation": (("    unit: kr\n    source: {ref: doc}\noutputs",
                          "    unit: kr\n    sorce: {ref: doc}\noutputs"), None, "validate", "mini.yaml:"),
    "column_bounds_reversed": (("count: {type: int, min: 0, default: 1}", "count: {type: int, min: 0, max: -1}"),
                               None, "validate", "mini.yaml:43:7:"),
    "parameter_out_of_bounds": (("budget: {value: 1000000, unit: kr, source: {ref: doc}}",
                                 "budget: {value: -5, min: 0, unit: kr, source: {ref: doc}}"),
                                None, "validate", "mini.yaml:15:"),
    "unknown_region_in_data": (None, ("Gotland,Gotland,public,hip", "Gotlnad,Gotland,public,hip"), "run",
                               "procedures.csv"),
    "negative_count": (None, ("cataract,2026,3,100", "cataract,2026,3,-100"), "run", "procedures.csv"),
    "missing_column": (None, (HEADER, HEADER.replace(",provider", ",leverantor")), "run", "procedures.csv"),
    "bad_month": (None, ("cataract,2026,4,5", "cataract,2026,13,5"), "run", "procedures.csv"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_error_message(case, tmp_path):
    policy_slip, data_slip, command, place = CASES[case]
    write(tmp_path / "mini.yaml", _swap(MINI_POLICY, *policy_slip) if policy_slip else MINI_POLICY)
    write(tmp_path / "data" / "procedures.csv", _swap(MINI_DATA, *data_slip) if data_slip else MINI_DATA)
    args = ["validate", "mini.yaml"] if command == "validate" else ["run", "mini.yaml", "--data", "data",
                                                                     "--format", "json", "-o", "out.json"]
    proc = villkor(*args, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert place in proc.stderr
    assert not (tmp_path / "out.json").exists()
    golden = GOLDEN / f"{case}.txt"
    if os.environ.get("VILLKOR_UPDATE_GOLDEN"):
        golden.write_text(proc.stderr, encoding="utf-8")
    assert proc.stderr == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_case():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(CASES)
