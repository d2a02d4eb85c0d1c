"""Which rule and which keys an explanation is about: `villkor explain RULE --where dim=member`.

Selection needs only the plan (the policy's rules, grains and dimension members), so a wrong
rule or member is refused before any (possibly large) data is read.
"""

from __future__ import annotations

import itertools
from typing import Any

from ..errors import VillkorError, did_you_mean


class SelectionError(VillkorError):
    """An `explain` selection (rule, --where) that names something the policy does not have."""

    CODE = "VK050"


def check_rule(plan, rule_id: str) -> None:
    """Refuse a name that is not a planned rule, saying what it is if the policy has it."""
    policy = plan.policy
    if rule_id in plan.rules:
        return
    if rule_id in policy.rules:
        raise SelectionError(f"rule '{rule_id}' could not be planned")
    kind = ("a parameter" if rule_id in policy.parameters else
            "an input" if rule_id in policy.inputs else
            "a check" if rule_id in policy.checks else None)
    if kind:
        raise SelectionError(f"'{rule_id}' is {kind}, not a rule", hint="explain a rule that uses it")
    raise SelectionError(f"unknown rule '{rule_id}'",
                         hint=did_you_mean(rule_id, policy.rules) or "rules: " + ", ".join(policy.rules))


def select(plan, rule_id: str, where: dict[str, str] | None = None) -> list[dict]:
    """Keys of `rule_id` matching `where` (dimension -> member id or label), in member order."""
    check_rule(plan, rule_id)
    policy = plan.policy
    per = plan.rules[rule_id].per
    chosen: dict[str, Any] = {}
    for dim, wanted in (where or {}).items():
        if dim not in policy.dimensions:
            raise SelectionError(f"--where {dim}=…: unknown dimension '{dim}'",
                                 hint=did_you_mean(dim, policy.dimensions) or
                                 "dimensions: " + ", ".join(policy.dimensions))
        if dim not in per:
            raise SelectionError(f"--where {dim}=…: rule '{rule_id}' is per "
                                 f"{', '.join(per) or 'nothing (one national value)'}, not per {dim}",
                                 hint=f"filter on {', '.join(per)}" if per else "leave out --where")
        chosen[dim] = resolve_member(policy, dim, wanted)
    members = [[chosen[d]] if d in chosen else list(policy.dimensions[d].members) for d in per]
    return [dict(zip(per, combo)) for combo in itertools.product(*members)]


def resolve_member(policy, dim: str, wanted: str):
    """The member of `dim` that `wanted` names: its id, else its label or either without case."""
    dimension = policy.dimensions[dim]
    for m in dimension.members:
        if str(m) == wanted:
            return m
    for m in dimension.members:
        if dimension.label(m) == wanted or str(m).casefold() == wanted.casefold() \
                or dimension.label(m).casefold() == wanted.casefold():
            return m
    names = [str(m) for m in dimension.members] + list(dimension.labels.values())
    raise SelectionError(f"--where {dim}={wanted}: '{wanted}' is not a member of {dim}",
                         hint=did_you_mean(wanted, names) or
                         f"members: {', '.join(str(m) for m in dimension.members)}")


def select_before_reading(planned, rule_id: str, where: dict[str, str]) -> None:
    """Refuse an unknown rule or member from the plan alone, before (possibly large) data is read."""
    select(planned, rule_id, where)
