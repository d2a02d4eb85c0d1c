"""Input tables written inline as rows (fixtures), typed and checked like files."""

from __future__ import annotations

import pandas as pd

from ..errors import DataError, Location, did_you_mean
from ..policy.model import Dimension, Input
from .cells import value_text
from .raw import Raw
from .rows import RowMap
from .tables import Table, Tables
from .typed import typed_frame


def tables_from_rows(inputs: dict[str, Input], dimensions: dict[str, Dimension],
                     rows: dict[str, list[dict]], origin: str) -> Tables:
    """Tables from inline rows (fixtures), typed and checked like files; rows count from 1.

    An input given an empty list is an empty table; an optional input not mentioned is absent."""
    result = Tables()
    unknown = [t for t in rows if t not in inputs]
    if unknown:
        raise DataError(f"data for unknown input '{unknown[0]}'", Location(file=origin),
                        did_you_mean(unknown[0], inputs) or f"inputs: {', '.join(inputs)}")
    for inp in inputs.values():
        if inp.id not in rows and inp.optional:
            result.missing_optional.append(inp.id)
            continue
        where = f"{origin} (data.{inp.id})"
        raw = Raw(_inline_frame(inp, rows.get(inp.id) or [], where), RowMap(first=1), header_row=None,
                  inline=True)
        frame = typed_frame(inp, dimensions, raw, where, result.warnings)
        result.tables[inp.id] = Table(inp.id, frame, None, None, len(frame))
    return result


def _inline_frame(inp: Input, records, where: str) -> pd.DataFrame:
    """Inline rows as a frame of text cells, the way a file would hold them; every declared
    column is present, so a left-out key reads as an empty cell (default, null, or an error)."""
    if not isinstance(records, list):
        raise DataError("rows must be a list of mappings", Location(file=where),
                        "write rows as [{column: value, ...}, ...]")
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(f"row is {type(record).__name__}, not a mapping of column to value",
                            Location(file=where, row=i + 1), "write each row as {column: value, ...}")
    if not records:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in inp.columns})
    frame = pd.DataFrame.from_records([{str(k): value_text(v) for k, v in r.items()} for r in records])
    frame = frame.astype(object).where(frame.notna(), None)
    for name in inp.columns:  # a key left out of every row is an empty cell, as in any one row
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=object)
    return frame
