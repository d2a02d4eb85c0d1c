"""What both hand-written peers share: the policy's parameters and the result file.

The peers compute P-1..P-9 of policies/2026_performance.yaml and write, per output, the
values in the order villkor lists its rows (region, then measure, then month, as declared).
Sums are exact integers; a baseline (a sum divided by the number of years) is written as
the fraction "numerator/denominator", so nothing is rounded before it is compared.
"""

from __future__ import annotations

import json
from fractions import Fraction

import yaml


def parameters(policy_path: str) -> dict:
    p = yaml.safe_load(open(policy_path, encoding="utf-8"))
    par = {k: v["value"] for k, v in p["parameters"].items()}
    return {"regions": p["dimensions"]["region"]["members"], "measures": p["dimensions"]["measure"]["members"],
            "months": list(range(1, 13)), **par}


def write(out: str, result: dict) -> None:
    def cell(x):
        if isinstance(x, Fraction):
            return f"{x.numerator}/{x.denominator}"
        return int(x)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({name: [cell(x) for x in values] for name, values in result.items()}, fh)
