"""Whether a table's dates fall inside the policy's validity: data from another year than the
policy is warned about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..policy.model import Input
from ..result import Notice

if TYPE_CHECKING:
    import pandas as pd


def validity_warning(inp: Input, frame: pd.DataFrame, path: str, valid, warnings: list[str],
                     memory: bool = False) -> None:
    """Warn when no date (or `year`) of the table falls inside the policy's validity (`memory`:
    the table was given in memory, `path` names it)."""
    span_warning(inp, date_span(inp, frame, valid), path, valid, warnings, memory)


def date_span(inp: Input, frame, valid, span=None):
    """(lowest, highest, any inside the validity) of the table's dates and `year`, merged
    with `span` (a table read in pieces); None while there is no date at all. `frame` is a
    table or a mapping of numpy arrays holding at least those columns (a piece summed from Arrow)."""
    start, end = np.datetime64(valid.start, "s"), np.datetime64(valid.end, "s")
    low, high, inside = span if span is not None else (None, None, False)
    for col in inp.columns.values():
        if col.type == "date":
            arr = frame[col.id].to_numpy(dtype="datetime64[s]")
            arr = arr[~np.isnat(arr)]
            if not len(arr):
                continue
            lo, hi = arr.min(), arr.max()
            inside = inside or bool(((arr >= start) & (arr <= end)).any())
            lo, hi = str(lo)[:10], str(hi)[:10]
        elif col.type == "int" and col.id == "year":
            column = frame[col.id]
            arr = column if isinstance(column, np.ndarray) else column.dropna().to_numpy(dtype=np.int64)
            if not len(arr):
                continue
            inside = inside or bool(((arr >= valid.start.year) & (arr <= valid.end.year)).any())
            lo, hi = str(arr.min()), str(arr.max())
        else:
            continue
        low = lo if low is None else min(low, lo)
        high = hi if high is None else max(high, hi)
    return (low, high, inside) if low is not None else None


def span_warning(inp: Input, span, path: str, valid, warnings: list[str], memory: bool = False) -> None:
    if span is not None and not span[2]:
        start, end = valid.start.isoformat(), valid.end.isoformat()
        warnings.append(Notice(f"{path}: the data's dates run from {span[0]} to {span[1]}, outside the policy's "
                               f"validity {start} to {end}; is this the policy for the data's year?",
                               "outside_validity", path=path, memory=memory, input=inp.title or inp.id,
                               low=span[0], high=span[1], valid_from=start, valid_to=end))
