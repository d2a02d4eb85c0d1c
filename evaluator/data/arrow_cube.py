"""A piece of a large file summed straight from its Arrow columns, when every cell is plainly valid.

The typed way (typed.py, then cube.aggregate) converts a piece to pandas, types every column
and then sums. For a register extract of millions of records that is most of a run, and almost
always every cell is a known member or a present whole number within its bounds. This module
checks exactly that on the Arrow columns (a dictionary's few distinct values, a whole-number
column's null count, lowest and highest value) and sums from the dictionary indices: no pandas
conversion, no text per record.

It vouches only for what it checks. Anything else (an empty cell, a value that is not a member
or is out of bounds, a decimal, date, flag or free-text column, a column the file lacks) and it
answers None: the piece then goes the typed way, which gives the same sums and, for a bad cell,
the error that names its row. Both ways meet in cube.summed_cells, so they give the same cells
in the same order (tests/data/test_arrow_cube.py).
"""

from __future__ import annotations

import numpy as np

from ..policy.model import Column, Dimension, Input
from .cells import clean_text
from .cube import code_part, int_part, summed_cells
from .members import code_type, column_members, int_member_codes


def arrow_cube(inp: Input, dims: dict[str, Dimension], table, group: list[str], summed: list[str]):
    """(cube, the `year` column or None) of the piece, or None when some cell is not plainly
    valid, a date column is declared (the validity check reads dates), or a grouped column is
    too wide to group on."""
    n = len(table)
    if n == 0 or any(col.type == "date" for col in inp.columns.values()):
        return None
    columns = {clean_text(name).strip(): table.column(i) for i, name in enumerate(table.column_names)}
    checked: dict[str, np.ndarray] = {}
    for col in inp.columns.values():
        data = columns.get(col.id)
        if data is None or data.null_count:
            return None
        values = _checked(col, dims, data)
        if values is None:
            return None
        checked[col.id] = values
    parts = {}
    for c in group:
        part = _part(inp.columns[c], dims, checked[c])
        if part is None:
            return None
        parts[c] = part
    sums = {}
    for c in summed:
        if inp.columns[c].type != "int":
            return None
        sums[c] = checked[c]
    cube = summed_cells(parts, sums, n, shrink=1)
    if cube is None:
        return None
    year = inp.columns.get("year")
    return cube, (checked["year"] if year is not None and year.type == "int" else None)


def _checked(col: Column, dims: dict[str, Dimension], data) -> np.ndarray | None:
    """Member codes (a dimension or an enum) or int64 values (a whole-number column) of a
    column without empty cells, or None when some cell is not plainly valid."""
    import pyarrow as pa

    members = column_members(col, dims)
    if members is not None:
        if members and all(isinstance(m, int) and not isinstance(m, bool) for m in members):
            if not pa.types.is_integer(data.type):
                return None
            codes = int_member_codes(_whole_numbers(data).astype(np.int64, copy=False), members)
            return None if codes.min(initial=0) < 0 else codes
        return _text_codes(members, data)
    if col.type == "int":
        if not pa.types.is_integer(data.type):
            return None
        values = _whole_numbers(data).astype(np.int64, copy=False)
        if (col.min is not None and values.min() < col.min) or (col.max is not None and values.max() > col.max):
            return None
        return values
    return None


def _text_codes(members: list, data) -> np.ndarray | None:
    """Member codes of a text column, each chunk's distinct values looked up once."""
    import pyarrow as pa

    index = {m: i for i, m in enumerate(members) if isinstance(m, str)}
    dtype = code_type(len(members))
    out = []
    for chunk in data.chunks:
        if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
            chunk = chunk.dictionary_encode()
        if not (pa.types.is_dictionary(chunk.type) and
                (pa.types.is_string(chunk.type.value_type) or pa.types.is_large_string(chunk.type.value_type))):
            return None
        per = np.asarray([index.get(clean_text(v).strip(), -1) if isinstance(v, str) else -1
                          for v in chunk.dictionary.to_pylist()], dtype=dtype)
        if (per < 0).any():  # a value that is not a member, or one no row holds: the typed way tells
            return None
        indices = _numbers(chunk.indices)
        # a dictionary in the members' order (a file written from villkor's or pandas' codes)
        # needs no lookup per record: its indices are the codes
        same = bool((per == np.arange(len(per))).all())
        out.append(indices if same else per[indices])
    return np.concatenate(out) if len(out) != 1 else out[0]


def _part(col: Column, dims: dict[str, Dimension], values: np.ndarray):
    members = column_members(col, dims)
    if members is not None:
        return code_part(values, tuple(members))
    return int_part(values)


def _whole_numbers(data) -> np.ndarray:
    """A column of whole numbers without empty cells, as one numpy array."""
    chunks = [_numbers(chunk) for chunk in data.chunks]
    return np.concatenate(chunks) if len(chunks) != 1 else chunks[0]


def _numbers(array) -> np.ndarray:
    """An Arrow integer array without empty cells as numpy, read-only, sharing its memory.
    pyarrow's own to_numpy imports pandas, which takes longer than summing a million records."""
    import pyarrow as pa

    kind = "i" if pa.types.is_signed_integer(array.type) else "u"
    dtype = np.dtype(f"{kind}{array.type.bit_width // 8}")
    if len(array) == 0:
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
