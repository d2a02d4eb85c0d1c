"""Command-line arguments several commands share, written once so they read the same in every
command's --help (and stay light: argparse only, no numpy or pandas)."""

from __future__ import annotations

import argparse


def policy_data_args(p: argparse.ArgumentParser, data_required: bool = True) -> None:
    """POLICY, --data DIR and --params FILE: what every command that evaluates a policy takes."""
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--data", metavar="DIR", required=data_required,
                   help="folder with one CSV/Parquet/XLSX file per input table")
    p.add_argument("--params", metavar="FILE", help="YAML file overriding parameter values (what-if)")
