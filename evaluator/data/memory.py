"""Input tables given in memory (pandas or pyarrow), typed and checked exactly like files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Location, did_you_mean
from .raw import Raw
from .rows import RowMap
from .tables import Table, Tables
from .typed import typed_frame
from .validity import validity_warning


def read_tables(policy, frames: dict) -> Tables:
    """A policy's inputs from in-memory tables, {input id: pandas.DataFrame or pyarrow.Table},
    typed and checked exactly like files. An error names the table and the row as the frame
    numbers it: its index label for an integer index (0 for the first row of a default
    index), else the position from 0. The frames themselves are left unchanged."""
    inputs = policy.inputs
    unknown = [t for t in frames if t not in inputs]
    if unknown:
        raise DataError(f"data for unknown input '{unknown[0]}'", Location(file="read_tables"),
                        did_you_mean(unknown[0], inputs) or f"inputs: {', '.join(inputs)}")
    result = Tables()
    for inp in inputs.values():
        if inp.id not in frames:
            if not inp.optional:
                raise DataError(f"input '{inp.id}' is not given", Location(file="read_tables"),
                                f"pass a pandas DataFrame or pyarrow Table for it: {{'{inp.id}': frame}}")
            result.missing_optional.append(inp.id)
            continue
        where = f"table '{inp.id}'"
        raw = _memory_raw(frames[inp.id], where)
        frame = typed_frame(inp, policy.dimensions, raw, where, result.warnings)
        result.tables[inp.id] = Table(inp.id, frame, None, None, len(frame))
        validity_warning(inp, frame, where, policy.valid, result.warnings, memory=True)
    return result


def _memory_raw(table, where: str) -> Raw:
    """An in-memory table as cells as stored; a shallow copy, so renaming never reaches the
    caller's frame."""
    if not isinstance(table, pd.DataFrame):
        if not hasattr(table, "to_pandas") or not hasattr(table, "schema"):
            raise DataError(f"{where} is a {type(table).__name__}, not a table", Location(file=where),
                            "pass a pandas DataFrame or a pyarrow Table")
        table = table.to_pandas()
    frame = table.copy(deep=False)
    frame.columns = [str(c) for c in frame.columns]
    index = frame.index
    numbers = index.to_numpy() if pd.api.types.is_integer_dtype(index.dtype) else np.arange(len(frame))
    frame.index = pd.RangeIndex(len(frame))
    return Raw(frame, RowMap(numbers=np.asarray(numbers, dtype=np.int64)), header_row=None, memory=True)
