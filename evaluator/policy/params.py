"""Parameter overrides: `villkor run --params FILE.yaml`, and a fixture's `params:`.

The file maps parameter ids to new values: a scalar, a list, or for a table a mapping of
members (nested per dimension). A partial table mapping replaces only the cells it names;
the other cells keep the policy's values. The long form `{value: ..., unit: kr}` also states
the unit, which must then match the parameter's. An overridden illustrative parameter stays
marked illustrative unless the long form says `status: official`.

Errors are collected (one per parameter) and point at the override's file:line:col; a fixture's
inline `params:` errors point into the fixture file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from ..errors import Location, PolicyError, VillkorError, did_you_mean, raise_all
from .loader import Loaded, load_yaml
from .model import Parameter, Policy
from .titles import fill_titles

LONG_FORM_KEYS = {"value", "unit", "status", "note"}
Locator = Callable[[tuple[Any, ...], bool], Location]  # (path inside the value, key?) -> place


class Places(Protocol):
    """Where the parts of the overrides are: a loaded file, or one place for every key and
    one for every value (a scenario table's column)."""

    def location(self, path: tuple[Any, ...], key: bool = False) -> Location: ...


@dataclass
class _View:
    """Positions of a mapping nested in a loaded file (a fixture's `params:`)."""

    loaded: Places
    prefix: tuple[Any, ...]

    def location(self, path: tuple[Any, ...], key: bool = False) -> Location:
        return self.loaded.location(self.prefix + tuple(path), key=key)


def apply_overrides(policy: Policy, path: str) -> Policy:
    """The policy with the parameter values of a --params YAML file (a new Policy; input untouched)."""
    loaded = load_yaml(path)
    if loaded.tree is None:
        return policy
    if not isinstance(loaded.tree, dict):
        raise PolicyError("a parameter file maps parameter ids to values", loaded.location(()),
                          "e.g.\n    budget: 800000000\n    cap: {Gotland: 5000000}")
    return _apply(policy, loaded.tree, loaded)


def apply_override_values(policy: Policy, values: dict[str, Any], origin: str,
                          loaded: Places | None = None, prefix: tuple[Any, ...] = ("params",)) -> Policy:
    """Inline overrides (a fixture's `params:`); errors name the fixture file `origin`.

    Positions come from `loaded` (the fixture as loaded) at `prefix`; without it the file is
    read again when it holds these very values under `prefix`, else errors name the file only.
    """
    if loaded is None:
        loaded = _reload(origin, values, prefix)
    view = _View(loaded, prefix) if loaded is not None else Loaded(path=origin, tree=values)
    return _apply(policy, values, view)


def _reload(origin: str, values: dict[str, Any], prefix: tuple[Any, ...]) -> Loaded | None:
    if not os.path.isfile(origin):
        return None
    try:
        loaded = load_yaml(origin)
    except VillkorError:
        return None
    node = loaded.tree
    for part in prefix:
        node = node.get(part) if isinstance(node, dict) else None
    return loaded if node == values else None


def _apply(policy: Policy, values: dict[str, Any], loaded: Loaded | _View) -> Policy:
    errors: list[VillkorError] = []
    params = dict(policy.parameters)
    for pid, raw in values.items():
        here = loaded.location((pid,), key=True)
        if pid not in params:
            errors.append(PolicyError(f"unknown parameter '{pid}'", here,
                                      did_you_mean(str(pid), params) or
                                      f"parameters: {', '.join(params)}"))
            continue
        try:
            params[pid] = _override(policy, params[pid], raw, loaded.location((pid,)), _locator(loaded, pid))
        except VillkorError as err:
            errors.append(err)
    raise_all(errors)
    return fill_titles(replace(policy, parameters=params))  # a title names the new values


def _locator(loaded: Loaded | _View, pid: str) -> Locator:
    """Places inside the override of parameter `pid`."""
    def locate(sub: tuple[Any, ...], key: bool = True) -> Location:
        return loaded.location((pid, *sub), key=key)
    return locate


def _override(policy: Policy, p: Parameter, raw: Any, here: Location,
              member_location: Locator | None = None) -> Parameter:
    """The parameter with `raw` as its value; `member_location(path, key)` locates a part of it."""
    status, note = p.status, p.note
    long_form = isinstance(raw, dict) and set(raw) <= LONG_FORM_KEYS and "value" in raw
    if long_form:
        if "unit" in raw and raw["unit"] != p.unit:
            raise PolicyError(f"parameter '{p.id}' is in {p.unit or 'no unit'}, not {raw['unit']}", here,
                              "give the value in the parameter's own unit")
        status = raw.get("status", status)
        note = raw.get("note", note)
        raw = raw["value"]
    if p.by:
        value = dict(p.value)
        inner = ("value",) if long_form else ()

        def at(sub: tuple[Any, ...], key: bool) -> Location:
            return member_location(inner + sub, key) if member_location is not None else here
        for key, cell in _cells(p, raw, here):
            for depth, (d, member) in enumerate(zip(p.by, key)):
                members = policy.dimensions[d].members
                if member not in members:
                    raise PolicyError(f"parameter '{p.id}': {member!r} is not a member of '{d}'",
                                      at(key[:depth + 1], True),
                                      did_you_mean(str(member), [str(m) for m in members]))
            _same_kind(p, next(iter(p.value.values()), None), cell, at(key, False))
            value[key] = cell
            raise_all(check_bounds(p, {key: cell}, lambda k: at(k, False)))
        return replace(p, value=value, status=status, note=note)
    _same_kind(p, p.value, raw, here)
    if isinstance(p.value, list) and p.value and isinstance(raw, list):
        inner = ("value",) if long_form else ()
        for i, item in enumerate(raw):  # every item, not just the first
            item_at = member_location(inner + (i,), False) if member_location is not None else here
            if isinstance(item, (list, dict)) or _kind(item) != _kind(p.value[0]):
                raise PolicyError(f"parameter '{p.id}' is a list of {_kind(p.value[0])} values; item "
                                  f"{i + 1} is {_kind(item)} ({_shown(item)})", item_at,
                                  "give every item as the policy does")
    inner = ("value",) if long_form else ()
    raise_all(check_bounds(p, raw, lambda key: member_location(inner + key, False)
                           if key and member_location is not None else here))
    return replace(p, value=raw, status=status, note=note)


def _cells(p: Parameter, raw: Any, here: Location) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if not isinstance(raw, dict):
        raise PolicyError(f"parameter '{p.id}' is a table by {', '.join(p.by)}: give a mapping of members",
                          here, "e.g. cap: {Gotland: 5000000}")

    def walk(node: Any, depth: int, key: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        if depth == len(p.by):
            yield key, node
            return
        if not isinstance(node, dict):
            raise PolicyError(f"parameter '{p.id}': expected a mapping of {p.by[depth]} members", here)
        for member, sub in node.items():
            yield from walk(sub, depth + 1, key + (member,))
    yield from walk(raw, 0, ())


def _shown(value: Any) -> str:
    """A value as it is written in YAML: true, "x", 2026-03-16."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "nothing" if value is None else type(value).__name__


def _same_kind(p: Parameter, old: Any, new: Any, here: Location) -> None:
    if old is None or _kind(old) == _kind(new):
        return
    raise PolicyError(f"parameter '{p.id}' is a {_kind(old)}, not a {_kind(new)} ({new!r})", here,
                      "give a value of the same kind as in the policy")


def _number(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def check_bounds(p: Parameter, value: Any, locate: Callable[[tuple[Any, ...]], Location]) -> list[VillkorError]:
    """Every number of a parameter value (a scalar, each item, each cell) within `min`..`max`.

    `locate(key)` gives the place of a table cell (key = member tuple) or list item ((i,));
    () for the value as a whole.
    """
    errors: list[VillkorError] = []
    if p.min is not None and p.max is not None and p.min > p.max:
        return [PolicyError(f"parameter '{p.id}': min {p.min} is larger than max {p.max}", p.location,
                            "swap them, or correct one")]
    if p.min is None and p.max is None:
        return []
    if isinstance(value, dict):
        cells = list(value.items())
    elif isinstance(value, list):
        cells = [((i,), v) for i, v in enumerate(value)]
    else:
        cells = [((), value)]
    for key, v in cells:
        if not _number(v):
            continue
        low = p.min is not None and v < p.min
        if low or (p.max is not None and v > p.max):
            at = f" at {', '.join(map(str, key))}" if key and isinstance(value, dict) else \
                f" (item {key[0] + 1})" if key else ""
            bound = f"below its minimum {p.min}" if low else f"above its maximum {p.max}"
            errors.append(PolicyError(f"parameter '{p.id}'{at} is {v}, {bound}", locate(key),
                                      f"the policy allows {_range_text(p)}"))
    return errors


def _range_text(p: Parameter) -> str:
    if p.min is not None and p.max is not None:
        return f"{p.min} to {p.max}"
    return f"at least {p.min}" if p.min is not None else f"at most {p.max}"
