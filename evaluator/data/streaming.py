"""Large inputs, read when the evaluation knows what it needs from them.

`read_inputs` checks a large Parquet or CSV file's header at once (missing columns, types that
hold no single values) and leaves its rows for later. When the evaluation only sums the
table (cube.py), the file is read in pieces (parquet_stream.py: row groups, csv_stream.py:
the whole file or record batches), each piece summed into a partial cube, so the rows are never
all in memory: 120 million rows need a few hundred MiB. A piece whose cells are plainly valid
is summed straight from its Arrow columns (arrow_cube.py); any other is typed and checked like a
whole file (errors name the row in the file) and summed the same way. Any other use of the
table reads the whole file the ordinary way (`Table.frame`), with the same checks and messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ..policy.model import Dimension, Input
from .csv_stream import csv_source
from .cube import Cube, stacked
from .files import read_file, sha256
from .parquet_stream import parquet_source
from .raw import Piece
from .tables import Table
from .validity import date_span, span_warning, validity_warning

STREAM_ROWS = 100_000  # smaller Parquet files are read at once: summing them from Arrow gains little
STREAM_BYTES = 4 << 20  # the same for CSV files, by size (about 80 000 short records)
BLOCKS_BYTES = 64 << 20  # a CSV file this large (a million short records) is read in blocks, not at once
BATCH_ROWS = 1 << 20  # records per piece: of a Parquet row group too large to hold, of a CSV file
BLOCK_BYTES = 4 << 20  # CSV text pyarrow parses at a time (its memory grows with it: it reads ahead)
MERGE_EVERY = 16  # partial cubes are merged once this many have accumulated


class Source(Protocol):
    """A large file's records in pieces, each numbered by its rows in the file."""

    rows: int | None  # the number of records, when the file says so before it is read

    def pieces(self) -> Iterator[Piece]: ...


def deferred(inp: Input, dimensions: dict[str, Dimension], path: str, valid, warnings: list[str]) -> Table | None:
    """A Table whose rows are read later, or None for a file read now: a small one, a table
    with one row per key (duplicates are found across the whole file), or an XLSX file."""
    if inp.unique:
        return None
    source: Source | None = None
    if path.endswith(".parquet"):
        source = parquet_source(inp, path, warnings, STREAM_ROWS, BATCH_ROWS)
    elif path.endswith(".csv"):
        source = csv_source(inp, dimensions, path, warnings, STREAM_BYTES, BLOCK_BYTES, BATCH_ROWS,
                            blocks_from=BLOCKS_BYTES)
    if source is None:
        return None
    stream = Stream(inp, dimensions, path, valid, warnings, source)
    return Table(inp.id, None, path, sha256(path), source.rows, stream=stream)


class Stream:
    """How to read one deferred file: whole (`read`) or summed while read (`cube`)."""

    def __init__(self, inp: Input, dimensions: dict[str, Dimension], path: str, valid, warnings: list[str],
                 source: Source):
        self.inp, self.dimensions, self.path, self.valid = inp, dimensions, path, valid
        self.warnings, self.source = warnings, source
        self.rows = source.rows  # counted while read when the file does not say

    def read(self):
        """Every row, typed: what load_tables gives for the file (header warnings were given)."""
        from .typed import typed_frame

        raw = read_file(self.inp, self.path, self.dimensions)
        frame = typed_frame(self.inp, self.dimensions, raw, self.path, [])
        if self.valid is not None:
            validity_warning(self.inp, frame, self.path, self.valid, self.warnings)
        return frame

    def cube(self, group: list[str], summed: list[str]) -> Cube | None:
        """The file summed per combination of `group`, batch by batch; None when a batch
        cannot be summed so (a wide column): the caller then reads the rows."""
        parts: list[Cube] = []
        span, rows = None, 0
        for piece in self.source.pieces():
            rows += len(piece.table)
            part, span = self._summed(piece, group, summed, span)
            del piece  # one piece's cells at a time: the next is read only once these are gone
            if part is None:
                return None
            parts.append(part)
            if len(parts) >= MERGE_EVERY:
                parts = [_merge(parts, group, summed)]
        self.rows = rows
        if self.valid is not None:
            span_warning(self.inp, span, self.path, self.valid, self.warnings)
        return _merge(parts, group, summed) if parts else None


    def _summed(self, piece: Piece, group: list[str], summed: list[str], span):
        """(the piece's cube or None, the dates' span so far): from Arrow when every cell is
        plainly valid (arrow_cube.py), else typed and checked like a whole file."""
        from .arrow_cube import arrow_cube

        fast = arrow_cube(self.inp, self.dimensions, piece.table, group, summed)
        if fast is not None:
            cube, year = fast
            if self.valid is not None and year is not None:
                span = date_span(self.inp, {"year": year}, self.valid, span)
            return cube, span
        from .cube import aggregate
        from .typed import typed_frame  # pandas: imported only when some piece is not plainly valid

        typed = typed_frame(self.inp, self.dimensions, piece.raw(), self.path, [])
        if self.valid is not None:
            span = date_span(self.inp, typed, self.valid, span)
        return aggregate(typed, group, summed, shrink=1), span


def _merge(parts: list[Cube], group: list[str], summed: list[str]) -> Cube:
    """Partial cubes as one: summed again, or simply stacked when their columns together
    span too wide a range to sum densely (stacked partial sums still sum to the same)."""
    from .cube import aggregate

    whole = stacked(parts)
    merged = aggregate(whole, group, summed, shrink=1)
    return whole if merged is None else merged
