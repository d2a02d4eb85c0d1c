"""Command-line arguments several commands share, written once so they read the same in every
command's --help (and stay light: argparse only, no numpy or pandas)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import UsageError, VillkorError

if TYPE_CHECKING:
    from ..api import Policy
    from ..diagnostics import Diagnostic


def policy_data_args(p: argparse.ArgumentParser, data_required: bool = True) -> None:
    """POLICY, --data DIR and --params FILE: what every command that evaluates a policy takes."""
    p.add_argument("policy", metavar="POLICY")
    p.add_argument("--data", metavar="DIR", required=data_required,
                   help="folder with one CSV/Parquet/XLSX file per input table")
    p.add_argument("--params", metavar="FILE", help="YAML file overriding parameter values (what-if)")


def where_arg(p: argparse.ArgumentParser, what: str) -> None:
    """--where DIM=MEMBER (repeatable), read by `parse_where`."""
    p.add_argument("--where", action="append", default=[], metavar="DIM=MEMBER",
                   help=f"{what} (repeatable), e.g. --where region=Uppsala")


def parse_where(items: list[str]) -> dict[str, str]:
    where: dict[str, str] = {}
    for item in items:
        dim, sep, member = item.partition("=")
        dim, member = dim.strip(), member.strip()
        if not sep or not dim or not member:
            raise UsageError(f"--where {item}: expected DIMENSION=MEMBER",
                             hint="e.g. --where region=Uppsala --where measure=cataract")
        if dim in where and where[dim] != member:
            raise UsageError(f"--where names {dim} twice ({where[dim]}, {member})",
                             hint="explain one member per dimension, or leave the dimension out for all")
        where[dim] = member
    return where


def resolve_where(evaluation, where: dict[str, str]) -> dict:
    """--where names (dimension ids; members by id or label) as members of the policy."""
    from ..errors import did_you_mean
    from ..explain import Explainer

    dims = evaluation.plan.policy.dimensions
    for dim in where:
        if dim not in dims:
            raise UsageError(f"--where {dim}=…: unknown dimension '{dim}'",
                             hint=did_you_mean(dim, dims) or "dimensions: " + ", ".join(dims))
    explainer = Explainer(evaluation)
    return {dim: explainer.resolve_member(dim, member) for dim, member in where.items()}


def non_negative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def check_output(output: str | None, policy, data_dir: str | None, params_path: str | None) -> None:
    """Refuse an -o that names one of the run's own inputs: the policy (and the files it
    extends), the params file, or a file in the data folder. Checked before anything is read."""
    from ..report.atomic import same_file

    if output is None:
        return
    inputs = [policy.path, *policy.chain, params_path]
    if data_dir and os.path.isdir(data_dir):
        inputs += [os.path.join(data_dir, name) for name in sorted(os.listdir(data_dir))]
    clash = same_file(output, inputs)
    if clash is not None:
        raise UsageError(f"-o {output} is an input of this run ({clash}); it would be overwritten",
                         hint="write the output to another file")


def chosen_outputs(text: str | None, rules) -> list[str] | None:
    """--outputs RULE,...: the rules to report (None: the policy's outputs); an unknown one is
    refused with the nearest names."""
    if not text:
        return None
    chosen = [o.strip() for o in text.split(",") if o.strip()]
    unknown = [o for o in chosen if o not in rules]
    if unknown:
        from ..errors import did_you_mean
        raise UsageError(f"--outputs names an unknown rule '{unknown[0]}'", hint=did_you_mean(unknown[0], rules))
    return chosen


def load_each(paths: list[str]) -> Iterator[tuple[str, Policy | None, list[Diagnostic]]]:
    """Each policy file loaded and checked (`validate`, `lint`): the policy, or None and why it
    does not load, as the diagnostics of its error (one without a file names the policy file), so
    one bad file does not stop the others from being checked."""
    from .. import api

    for path in paths:
        try:
            policy = api.load(path)
        except VillkorError as err:
            yield path, None, [d if d.location.file else
                               dataclasses.replace(d, location=dataclasses.replace(d.location, file=path))
                               for d in err.diagnostics]
            continue
        yield path, policy, []
