"""CSV files read by pyarrow with column types chosen from the policy, and its failures located."""

from __future__ import annotations

from ..errors import DataError, Location
from ..policy.model import Dimension, Input
from .cells import clean_text
from .csv_dialect import csv_dialect, csv_header, first_bad_utf8_line, not_utf8
from .header import check_duplicate_header
from .members import whole_members
from .raw import Raw
from .rows import RowMap, csv_records


def csv_types(inp: Input, header: list[str], dimensions: dict[str, Dimension]):
    """pyarrow column types: int64 for ints and for dimensions of whole numbers (months),
    dictionaries for few-valued text, else strings.

    Dictionary columns become pandas Categoricals, so 12M region cells are 12M small codes; a
    month column parsed as numbers is twice as fast to read as a dictionary of texts."""
    import pyarrow as pa

    types = {}
    for name in header:
        col = inp.columns.get(clean_text(name))
        kind = col.type if col is not None else "string"
        if kind == "int" or whole_members(dimensions.get(kind)):
            types[name] = pa.int64()
        elif kind not in ("decimal", "money", "string") or (col is not None and col.enum):
            types[name] = pa.dictionary(pa.int32(), pa.string())
        else:
            types[name] = pa.string()
    return types


def read_csv(inp: Input, path: str, dimensions: dict[str, Dimension]) -> Raw:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding, separator, decimal, skip = csv_dialect(inp, path)
    header = csv_header(path, encoding, separator, skip)
    if not header:
        raise DataError("the file is empty", Location(file=path),
                        f"write a header row naming the columns: {', '.join(inp.columns)}")
    check_duplicate_header([clean_text(h) for h in header], path, 1 + skip)
    read = pacsv.ReadOptions(encoding="utf8" if encoding.startswith("utf-8") else encoding, skip_rows=skip)
    parse = pacsv.ParseOptions(delimiter=separator)

    def attempt(types):
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True, null_values=[""],
                                       quoted_strings_can_be_null=True)
        try:
            return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" not in str(exc):
                raise
            # a header without a final newline and no rows: pyarrow sees no block
            return pa.table({n: pa.array([], type=types.get(n, pa.string())) for n in header})
    try:
        try:
            table = attempt(csv_types(inp, header, dimensions))
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc) or "UTF8" in str(exc):
                raise
            # An int column holds something else: read it as text to name the row and value.
            table = attempt({n: pa.string() for n in header})
    except pa.ArrowInvalid as exc:
        raise csv_failure(exc, path, encoding, separator, len(header), skip) from None
    frame = table.to_pandas(types_mapper=nullable_ints(table), self_destruct=True, split_blocks=True)
    del table
    return Raw(frame, RowMap(first=2 + skip, csv=(path, encoding, separator, skip)), decimal,
               header_row=1 + skip, separator=separator)


def nullable_ints(table):
    """int64 columns with empty cells become pandas Int64, not float64."""
    import pandas as pd
    import pyarrow as pa

    has_null = any(table.schema.field(n).type == pa.int64() and table.column(n).null_count
                   for n in table.column_names)
    return {pa.int64(): pd.Int64Dtype()}.get if has_null else None


def csv_failure(exc, path: str, encoding: str, separator: str, width: int, skip: int = 0) -> DataError:
    """pyarrow's complaint as a located message: bad encoding, or a row of the wrong width."""
    text = str(exc)
    if "UTF8" in text:
        return not_utf8(path, first_bad_utf8_line(path))
    row = None
    if "columns" in text:
        row = next((r for r, fields in csv_records(path, encoding, separator, skip) if len(fields) != width), None)
    return DataError(f"malformed CSV: {text.splitlines()[0].removeprefix('CSV parse error: ')}",
                     Location(file=path, row=row),
                     "check quoting and that every row has as many fields as the header")
