"""The `by` key of a table: no empty key cell, and at most one row per key where it is unique."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Location
from ..policy.model import Input
from .rows import RowMap


def check_keys(inp: Input, frame: pd.DataFrame, path: str, rows: RowMap) -> None:
    """No empty cell in a key column: the row would count for no region, or the wrong one."""
    for name in inp.by.values():
        values = frame.get(name)
        if values is not None and isinstance(values.dtype, pd.CategoricalDtype):
            empty = values.cat.codes.to_numpy() < 0
            if empty.any():
                i = int(np.flatnonzero(empty)[0])
                raise DataError(f"empty cell in the key column '{name}'",
                                Location(file=path, row=rows(i), field=name),
                                f"every row of input '{inp.id}' must name its {inp.columns[name].type}; "
                                "fill it in or remove the row")


def check_unique(inp: Input, frame: pd.DataFrame, path: str, rows: RowMap) -> None:
    """At most one row per `by` key; a duplicate names both rows."""
    cols = [c for c in inp.by.values() if c in frame.columns]
    if not cols:
        return
    dup = frame.duplicated(subset=cols, keep=False).to_numpy()
    if not dup.any():
        return
    candidates = np.flatnonzero(dup)
    first = candidates[0]
    hashes = pd.util.hash_pandas_object(frame[cols].iloc[candidates], index=False).to_numpy()
    same = candidates[hashes == hashes[0]]
    where = ", ".join(f"{c}={'(empty)' if pd.isna(v) else v}" for c in cols for v in [frame[c].iloc[first]])
    a, b = rows(int(same[0])), rows(int(same[1]))
    raise DataError(f"rows {a} and {b} both hold {where}", Location(file=path, row=b),
                    f"input '{inp.id}' allows one row per {', '.join(inp.by)}; merge or remove one")
