"""Parquet files: only the declared columns are read; cells no column type can hold are refused."""

from __future__ import annotations

import numpy as np

from ..errors import DataError, Location
from ..policy.model import Input
from .cells import INT64, clean_text
from .header import check_duplicate_header
from .raw import Raw
from .rows import RowMap


def read_parquet(inp: Input, path: str) -> Raw:
    """Columns as stored; nested, null-typed, NaN and too large unsigned columns are refused."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    wanted = parquet_columns(inp, schema, path)
    table = pq.read_table(path, columns=wanted)  # only the declared columns are read at all
    parquet_cells(inp, table, path, first_row=2)
    return Raw(table.to_pandas(self_destruct=True, split_blocks=True), RowMap(), header=list(schema.names))


def parquet_columns(inp: Input, schema, path: str) -> list[str]:
    """The declared columns of a Parquet file, refusing types that hold no single values."""
    import pyarrow as pa

    check_duplicate_header([clean_text(n).strip() for n in schema.names], path, None)
    for name, typ in zip(schema.names, schema.types):
        col = inp.columns.get(clean_text(name).strip())
        if col is not None and pa.types.is_nested(typ):
            kind = "maps" if pa.types.is_map(typ) else "structs" if pa.types.is_struct(typ) else "lists"
            raise DataError(f"the Parquet column holds {kind} ({typ}), not single values",
                            Location(file=path, field=col.id), f"write one {col.type} value per cell")
    return [n for n in schema.names if clean_text(n).strip() in inp.columns]


def parquet_cells(inp: Input, table, path: str, first_row: int) -> None:
    """Null-typed, NaN and too large unsigned cells of (a piece of) a Parquet file, located:
    the piece's first record is row `first_row`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, typ in zip(table.column_names, table.schema.types):
        col = inp.columns.get(clean_text(name).strip())
        if col is None:
            continue
        where = Location(file=path, field=col.id)
        if pa.types.is_null(typ) and len(table) and not col.nullable:
            raise DataError("the Parquet column has type null: every cell is empty", where,
                            f"write the column's values as {col.type}; a default does not fill a column without values")
        column = table.column(name)
        if pa.types.is_floating(typ) and len(table):
            nan = pc.is_nan(column).to_numpy(zero_copy_only=False)
            if nan.any():
                raise DataError("NaN is not a value", Location(file=path, row=int(np.flatnonzero(nan)[0]) + first_row,
                                                               field=col.id),
                                "write the value, or leave the cell empty (null)")
        if pa.types.is_uint64(typ) and len(table) and column.null_count < len(table):
            big = pc.greater_equal(column, pa.scalar(INT64, pa.uint64())).to_numpy(zero_copy_only=False)
            if big.any():
                i = int(np.flatnonzero(big)[0])
                raise DataError(f"{column[i].as_py()}: out of range", Location(file=path, row=i + first_row, field=col.id),
                                f"whole numbers must be below {INT64:,}".replace(",", " "))
