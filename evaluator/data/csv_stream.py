"""Large CSV files in record batches: the declared columns only, typed by pyarrow as the whole
file would be (csv_file.py), each batch numbered by its rows in the file."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..errors import DataError, Location
from ..policy.model import Dimension, Input
from .cells import clean_text
from .csv_dialect import csv_dialect, csv_header
from .csv_file import csv_failure, csv_types, nullable_ints
from .header import check_duplicate_header, check_header
from .raw import Piece, Raw
from .rows import RowMap


def csv_source(inp: Input, dimensions: dict[str, Dimension], path: str, warnings: list[str],
               least_bytes: int, block_bytes: int, piece_rows: int, blocks_from: int = 0) -> CsvSource | None:
    """The file's record batches once its header is checked, or None for a file to read at once:
    smaller than `least_bytes`, or without a header (the ordinary reader says so, located).
    A file smaller than `blocks_from` is one piece, read by pyarrow's reader of whole files
    (parsing on every core: faster than the streaming reader while the file fits in memory)."""
    size = os.path.getsize(path)
    if size < least_bytes:
        return None
    encoding, separator, decimal, skip = csv_dialect(inp, path)
    header = csv_header(path, encoding, separator, skip)
    if not header:
        return None
    check_duplicate_header([clean_text(h) for h in header], path, 1 + skip)
    found = [clean_text(h).strip() for h in header]
    check_header(inp, found, path, Raw(None, RowMap(), header_row=1 + skip, separator=separator),
                 warnings)
    block = max(block_bytes, 2 * _header_bytes(path, skip))  # pyarrow's first block holds the header
    return CsvSource(inp, dimensions, path, (encoding, separator, decimal, skip), header, block, piece_rows,
                     one_piece=size < blocks_from)


def _header_bytes(path: str, skip: int) -> int:
    """Bytes from the start of the file to the end of its header line."""
    size = 0
    with open(path, "rb") as fh:
        for number, line in enumerate(fh):
            size += len(line)
            if number >= skip and line.strip():
                break
    return size


class CsvSource:
    """The declared columns of a CSV file, piece by piece. pyarrow parses blocks of
    `block_bytes` (its memory grows with the block: a few blocks are read ahead); their record
    batches are typed and checked in pieces of at least `piece_rows` records (each piece costs
    a fixed amount of work). The number of records is known once the file has been read."""

    def __init__(self, inp: Input, dimensions: dict[str, Dimension], path: str,
                 dialect: tuple[str, str, str, int], header: list[str], block_bytes: int, piece_rows: int,
                 one_piece: bool = False):
        self.inp, self.dimensions, self.path, self.header = inp, dimensions, path, header
        self.encoding, self.separator, self.decimal, self.skip = dialect
        self.block_bytes, self.piece_rows = block_bytes, piece_rows
        self.one_piece = one_piece  # read at once by the reader of whole files
        self.rows: int | None = None
        self.encode: list[str] = []  # columns read as text, to be dictionary-encoded piece by piece

    def pieces(self) -> Iterator[Piece]:
        """Each piece numbered by its rows in the file. A cell pyarrow cannot read as
        its column's type (an int column holding '1 000' or 'x') has the rest of the file read
        as text from the first record not yet handed on, so that typing names the row and the
        value, or reads the cell as the whole file's reading would."""
        import pyarrow as pa

        done = 0
        try:
            try:
                for piece in self._grouped(self._batches(text=False), done):
                    n = len(piece.table)
                    yield piece
                    del piece
                    done += n
            except pa.ArrowInvalid as exc:
                if "conversion error" not in str(exc) or "UTF8" in str(exc):
                    raise
                for piece in self._grouped(self._text_from(done), done):
                    n = len(piece.table)
                    yield piece
                    del piece
                    done += n
        except pa.ArrowInvalid as exc:
            raise csv_failure(exc, self.path, self.encoding, self.separator, len(self.header), self.skip) from None
        except (pa.ArrowException, OSError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise DataError(f"cannot read {os.path.basename(self.path)}: {first}", Location(file=self.path),
                            "check that the file is a valid CSV, Parquet or XLSX file") from None

    def _grouped(self, batches, done: int) -> Iterator[Piece]:
        """Record batches gathered into pieces of at least `piece_rows` records; the first
        piece's first record is record `done` of the file."""
        group: list = []
        rows = 0
        for batch in batches:
            group.append(batch)
            rows += batch.num_rows
            if rows >= self.piece_rows and not self.one_piece:
                piece = Piece(self._table(group), done, self._raw)
                group, done, rows = [], done + rows, 0
                yield piece
                del piece
        if group:
            yield Piece(self._table(group), done, self._raw)

    def _table(self, batches: list):
        """The batches as one table, the columns read as text dictionary-encoded (_batches)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        table = pa.Table.from_batches(batches)
        batches.clear()
        for name in self.encode:
            if name in table.column_names:
                at = table.column_names.index(name)
                table = table.set_column(at, name, pc.dictionary_encode(table.column(at)))
        return table

    def _raw(self, table, done: int) -> Raw:
        frame = table.to_pandas(types_mapper=nullable_ints(table), self_destruct=True, split_blocks=True)
        rows = RowMap(first=2 + self.skip, csv=(self.path, self.encoding, self.separator, self.skip), offset=done)
        return Raw(frame, rows, self.decimal, header_row=1 + self.skip, separator=self.separator, header=self.header)

    def _text_from(self, done: int):
        """The batches of the file read as text, from record `done` on."""
        seen = 0
        for batch in self._batches(text=True):
            start = max(done - seen, 0)
            seen += batch.num_rows
            if start < batch.num_rows:
                yield batch.slice(start)

    def _batches(self, text: bool):
        """pyarrow's record batches of the declared columns, typed as csv_file.py types them."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        encoding = "utf8" if self.encoding.startswith("utf-8") else self.encoding
        read = pacsv.ReadOptions(encoding=encoding, skip_rows=self.skip, block_size=self.block_bytes)
        parse = pacsv.ParseOptions(delimiter=self.separator)
        names = self._names(read, parse)
        types = {n: pa.string() for n in names} if text else csv_types(self.inp, names, self.dimensions)
        # pyarrow's streaming reader builds dictionaries slowly (5.0 s against 3.1 s for text on
        # 12M records): read those columns as text and encode each piece at once in _table (4.1 s).
        # The reader of whole files builds them on every core: there they stay dictionaries.
        self.encode = [n for n, t in types.items() if pa.types.is_dictionary(t)] if not self.one_piece else []
        types = {n: (pa.string() if n in self.encode else t) for n, t in types.items()}
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True, null_values=[""],
                                       quoted_strings_can_be_null=True,
                                       include_columns=[n for n in names if clean_text(n).strip() in self.inp.columns])
        if self.one_piece:
            read = pacsv.ReadOptions(encoding=encoding, skip_rows=self.skip)
            yield from pacsv.read_csv(self.path, read_options=read, parse_options=parse,
                                      convert_options=convert).to_batches()
            return
        yield from pacsv.open_csv(self.path, read_options=read, parse_options=parse, convert_options=convert)

    def _names(self, read, parse) -> list[str]:
        """The column names as pyarrow reads them (not stripped): what its options name."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in self.header})
        with pacsv.open_csv(self.path, read_options=read, parse_options=parse, convert_options=convert) as reader:
            return list(reader.schema.names)
