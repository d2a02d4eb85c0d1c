"""Large Parquet files in pieces: each row group, or batches of one too large to hold."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import DataError, Location
from ..policy.model import Input
from .cells import clean_text
from .header import check_header
from .parquet_file import parquet_cells, parquet_columns
from .raw import Piece, Raw
from .rows import RowMap


def parquet_source(inp: Input, path: str, warnings: list[str], least_rows: int, batch_rows: int) -> ParquetSource | None:
    """The file's pieces once its header is checked, or None for a file to read at once: fewer
    than `least_rows` records, or not a Parquet file at all (the ordinary reader says so, located)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except (pa.ArrowException, OSError):  # not a Parquet file, or none: the ordinary reader says so, located
        return None
    if meta.num_rows < least_rows:
        return None
    header = [clean_text(str(n)).strip() for n in schema.names]
    columns = parquet_columns(inp, schema, path)
    check_header(inp, header, path, Raw(None, RowMap()), warnings)
    return ParquetSource(inp, path, columns, list(schema.names), meta.num_rows, batch_rows)


class ParquetSource:
    """The declared columns of a Parquet file, piece by piece, their cells checked."""

    def __init__(self, inp: Input, path: str, columns: list[str], header: list[str], rows: int, batch_rows: int):
        self.inp, self.path, self.columns, self.header = inp, path, columns, header
        self.rows: int | None = rows
        self.batch_rows = batch_rows

    def pieces(self) -> Iterator[Piece]:
        done = 0
        for table in self._tables():
            n = len(table)
            parquet_cells(self.inp, table, self.path, first_row=done + 2)
            piece = Piece(table, done, self._raw)
            del table
            yield piece
            del piece
            done += n

    def _raw(self, table, offset: int) -> Raw:
        return Raw(table.to_pandas(self_destruct=True, split_blocks=True), RowMap(offset=offset), header=self.header)

    def _tables(self):
        """Each row group as an Arrow table (read with threads, the fastest way), or batches of
        a row group too large to hold; a file that breaks off is a located error."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
            for i in range(pf.metadata.num_row_groups):
                if pf.metadata.row_group(i).num_rows <= 4 * self.batch_rows:
                    yield pf.read_row_group(i, columns=self.columns)
                    continue
                for batch in pf.iter_batches(batch_size=self.batch_rows, row_groups=[i], columns=self.columns):
                    yield pa.Table.from_batches([batch])
        except (pa.ArrowException, OSError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot read {self.path.rsplit('/', 1)[-1]}: {first}", Location(file=self.path),
                            "check that the file is a valid CSV, Parquet or XLSX file") from None
