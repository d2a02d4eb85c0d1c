"""A raw table -> the declared columns, typed and checked, in declaration order."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..policy.model import Column, Dimension, Input
from .cells import clean_text
from .column import TypedColumn
from .header import check_duplicate_header, check_header
from .keys import check_keys, check_unique
from .members import column_members
from .raw import Raw


def typed_frame(inp: Input, dims: dict[str, Dimension], raw: Raw, path: str,
                 warnings: list[str]) -> pd.DataFrame:
    """The declared columns, typed and checked, in declaration order; extra columns dropped."""
    frame = raw.frame
    frame.columns = [clean_text(str(c)).strip() for c in frame.columns]
    found = list(frame.columns) if raw.header is None else [clean_text(str(c)).strip() for c in raw.header]
    check_duplicate_header(found, path, raw.header_row)
    check_header(inp, found, path, raw, warnings)
    out = {}
    for col in inp.columns.values():
        if col.id in frame.columns:
            out[col.id] = TypedColumn(col, dims, frame[col.id], path, raw).convert()
        else:
            out[col.id] = _constant_column(col, dims, len(frame))
    typed = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    check_keys(inp, typed, path, raw.rows)
    if inp.unique and inp.by:
        check_unique(inp, typed, path, raw.rows)
    return typed


def _constant_column(col: Column, dims: dict[str, Dimension], n: int) -> pd.Series:
    """A column absent from the file: its default on every row."""
    members = column_members(col, dims)
    if members is not None:
        codes = np.full(n, members.index(col.default) if col.default in members else -1, dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(codes, categories=members))
    if col.type == "int":
        return pd.Series(np.full(n, int(col.default), dtype=np.int64))
    if col.type in ("decimal", "money"):
        return pd.Series([Decimal(str(col.default))] * n, dtype=object)
    if col.type == "bool":
        return pd.Series(np.full(n, bool(col.default)))
    if col.type == "date":
        return pd.Series(np.full(n, np.datetime64(str(col.default), "s")))
    return pd.Series([str(col.default)] * n, dtype=object)
