"""Reading an evaluated run at one key: members by index, traced value arrays by key.

Explaining never evaluates row by row: the run was evaluated once with tracing on, and every
value an explanation shows is read here from those arrays at the key.
"""

from __future__ import annotations

import itertools
from typing import Any

from ..lang import values as V
from ..lang.values import Val
from ..policy.model import Policy


def unit_text(unit) -> str | None:
    """A unit as the presenter takes it (None for a plain number)."""
    if unit is None:
        return None
    text = str(unit)
    return None if text in ("", "1") else text


class Reader:
    """Values of an evaluation at keys: members by index, trace arrays by key."""

    def __init__(self, evaluation):
        self.ev = evaluation
        self.scope = evaluation.scope
        self.policy: Policy = evaluation.plan.policy
        self.index = {d: {m: i for i, m in enumerate(dim.members)}
                      for d, dim in self.policy.dimensions.items()}

    def members(self, dim: str) -> tuple:
        return self.policy.dimensions[dim].members

    def label(self, dim: str, member) -> str:
        dimension = self.policy.dimensions.get(dim)
        return dimension.label(member) if dimension else str(member)

    def at(self, val: Val, key: dict) -> tuple[bool, Any]:
        """(True, value) when `val` has one value at `key`; (False, [(subkey, value)...]) when
        it is finer than the key (one value per member of its other dimensions)."""
        index: list = []
        free: list[str] = []
        for axis, d in enumerate(val.dims):
            size = val.data.shape[axis]
            if d in key:
                i = self.index[d][key[d]]
                index.append(i if size > 1 else 0)
            elif d in self.index:
                free.append(d)
                index.append(slice(None))
            else:  # rows of an input table: not a value per key
                return False, []
        if not free:
            return True, V.cell(val, tuple(index))
        out = []
        for combo in itertools.product(*[range(len(self.members(d))) for d in free]):
            idx = list(index)
            it = iter(combo)
            for pos, d in enumerate(val.dims):
                if d in free:
                    j = next(it)
                    idx[pos] = j if val.data.shape[pos] > 1 else 0
            sub = {d: self.members(d)[j] for d, j in zip(free, combo)}
            out.append(({**key, **sub}, V.cell(val, tuple(idx))))
        return False, out
