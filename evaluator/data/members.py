"""Dimension members and enumerated strings as small integer codes in declared order."""

from __future__ import annotations

import numpy as np

from ..policy.model import Column, Dimension
from .cells import INT_RE, cell_text


def members_hint(what: str, members: list) -> str:
    """The allowed members, short: a run of whole numbers as a range (months: 1..12)."""
    if members and all(isinstance(m, int) for m in members) and \
            list(members) == list(range(members[0], members[0] + len(members))):
        return f"{what} members: {members[0]}..{members[-1]}"
    names = [str(m) for m in members]
    return f"{what} members: {', '.join(names[:8])}" + ("…" if len(names) > 8 else "")


def member_key(value, ints: bool):
    """The member a cell names: int members accept 3, 3.0 and ' 3'; text members are text."""
    if ints:
        text = cell_text(value) if not isinstance(value, str) else value
        return int(text) if INT_RE.fullmatch(text) else None
    return value if isinstance(value, str) else cell_text(value)


def code_type(size: int):
    """The smallest signed integer type holding codes -1..size-1 (int8 for 21 regions)."""
    return np.int8 if size < 127 else np.int16 if size < 32767 else np.int32 if size < 2 ** 31 - 1 else np.int64


def int_member_codes(raw: np.ndarray, members: list[int]) -> np.ndarray:
    """Member index per row of an int64 column (-1 if not a member), without sorting."""
    if len(raw) == 0:
        return np.zeros(0, dtype=code_type(len(members)))
    lo = min(int(raw.min()), min(members))
    hi = max(int(raw.max()), max(members))
    if hi - lo > 1 << 16:  # a stray huge value: hash lookup instead of a giant table
        import pandas as pd

        return pd.Index(members).get_indexer(raw).astype(np.int64)
    table = np.full(hi - lo + 1, -1, dtype=code_type(len(members)))
    table[np.asarray(members) - lo] = np.arange(len(members))
    return table[raw - lo] if lo else table[raw]


def whole_members(dim: Dimension | None) -> bool:
    return dim is not None and bool(dim.members) and \
        all(isinstance(m, int) and not isinstance(m, bool) for m in dim.members)


def column_members(col: Column, dims: dict[str, Dimension]) -> list | None:
    """The codes a column is stored as: a dimension's members, or a string column's enum."""
    if col.type in dims:
        return list(dims[col.type].members)
    if col.type == "string" and col.enum:
        return list(col.enum)
    return None
