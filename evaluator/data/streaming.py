"""Large Parquet inputs, read when the evaluation knows what it needs from them.

`read_inputs` checks a large Parquet file's header at once (missing columns, types that
hold no single values) and leaves its rows for later. When the evaluation only sums the
table (cube.py), the file is read one record batch at a time, each batch typed and checked
like a whole file (errors name the row in the file) and summed into a partial cube, so the
rows are never all in memory: 120 million rows need a few hundred MiB. Any other use reads
the whole file the ordinary way (`Table.frame`), with the same checks and messages.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError, Location
from .cells import clean_text
from .files import read_file, sha256
from .header import check_header
from .parquet_file import parquet_cells, parquet_columns
from .raw import Raw
from .rows import RowMap
from .tables import Table
from .typed import typed_frame
from .validity import date_span, span_warning, validity_warning

STREAM_ROWS = 2_000_000  # smaller files are read at once: streaming would gain nothing
BATCH_ROWS = 1 << 20
MERGE_EVERY = 16  # partial cubes are merged once this many have accumulated


def deferred_parquet(inp, dimensions, path: str, valid, warnings: list[str]) -> Table | None:
    """A Table whose rows are read later, or None for a file read now: a small one, a table
    with one row per key (duplicates are found across the whole file), or no Parquet file."""
    import pyarrow.parquet as pq

    if inp.unique:
        return None
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except Exception:  # not a Parquet file at all: the ordinary reader says so, located
        return None
    if meta.num_rows < STREAM_ROWS:
        return None
    header = [clean_text(str(n)).strip() for n in schema.names]
    columns = parquet_columns(inp, schema, path)
    check_header(inp, header, path, Raw(pd.DataFrame(), RowMap()), warnings)
    stream = Stream(inp, dimensions, path, valid, warnings, columns, list(schema.names))
    return Table(inp.id, None, path, sha256(path), meta.num_rows, stream=stream)


class Stream:
    """How to read one deferred file: whole (`read`) or summed while read (`cube`)."""

    def __init__(self, inp, dimensions, path, valid, warnings, columns, header):
        self.inp, self.dimensions, self.path, self.valid = inp, dimensions, path, valid
        self.warnings, self.columns, self.header = warnings, columns, header

    def read(self) -> pd.DataFrame:
        """Every row, typed: what load_tables gives for the file (header warnings were given)."""
        raw = read_file(self.inp, self.path, self.dimensions)
        frame = typed_frame(self.inp, self.dimensions, raw, self.path, [])
        if self.valid is not None:
            validity_warning(self.inp, frame, self.path, self.valid, self.warnings)
        return frame

    def cube(self, group: list[str], summed: list[str]) -> pd.DataFrame | None:
        """The file summed per combination of `group`, batch by batch; None when a batch
        cannot be summed so (a wide column): the caller then reads the rows."""
        from .cube import aggregate

        parts, span, first = [], None, 2
        for table in _batches(self.path, self.columns):
            parquet_cells(self.inp, table, self.path, first_row=first)
            raw = Raw(table.to_pandas(self_destruct=True, split_blocks=True), RowMap(first=first),
                      header=self.header)
            del table
            typed = typed_frame(self.inp, self.dimensions, raw, self.path, [])
            if self.valid is not None:
                span = date_span(self.inp, typed, self.valid, span)
            part = aggregate(typed, group, summed, shrink=1)
            if part is None:
                return None
            parts.append(part)
            first += len(typed)
            if len(parts) >= MERGE_EVERY:
                parts = [_merge(parts, group, summed)]
        if self.valid is not None:
            span_warning(span, self.path, self.valid, self.warnings)
        return _merge(parts, group, summed) if parts else None


def _batches(path: str, columns: list[str]):
    """The file's pieces as Arrow tables: each row group (read with threads, the fastest way),
    or batches of a row group too large to hold; a file that breaks off is a located error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        for i in range(pf.metadata.num_row_groups):
            if pf.metadata.row_group(i).num_rows <= 4 * BATCH_ROWS:
                yield pf.read_row_group(i, columns=columns)
                continue
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=[i], columns=columns):
                yield pa.Table.from_batches([batch])
    except (pa.ArrowException, OSError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {path.rsplit('/', 1)[-1]}: {first}", Location(file=path),
                        "check that the file is a valid CSV, Parquet or XLSX file") from None


def _merge(parts: list[pd.DataFrame], group: list[str], summed: list[str]) -> pd.DataFrame:
    """Partial cubes as one: summed again, or simply stacked when their columns together
    span too wide a range to sum densely (stacked partial sums still sum to the same)."""
    from .cube import aggregate

    stacked = pd.concat(parts, ignore_index=True)
    merged = aggregate(stacked, group, summed, shrink=1)
    return stacked if merged is None else merged
