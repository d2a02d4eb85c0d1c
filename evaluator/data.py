"""Input tables: one CSV, Parquet or XLSX file per declared input, typed and checked.

Typed frame conventions the engine relies on:
  dimension column -> pandas Categorical whose categories are the declared members, in order
                      (members may be str or int); an empty cell of a nullable column is NaN (code -1)
  int              -> int64 (nullable column with empty cells: pandas Int64)
  decimal, money   -> object column of decimal.Decimal (None where empty); never float
  bool             -> bool (nullable column with empty cells: object True/False/None)
  date             -> datetime64[s] (NaT where empty)
  string           -> object column of str (None where empty); with `enum`, a Categorical of
                      the allowed values in declared order (compact; the engine reads its codes)

Every problem names the file, the row as a spreadsheet shows it (the header is row 1), the
column, the bad value and what was expected. Checks run over whole columns: text columns are
factorized once and only their distinct values are parsed, so 12 million rows with 21 regions
cost 21 lookups; the first bad row is found with a mask.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import mmap
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .errors import DataError, Location, did_you_mean
from .policy.model import Column, Dimension, Input

EXTENSIONS = (".csv", ".parquet", ".xlsx")
TRUE_WORDS = {"true", "ja", "1", "yes"}
FALSE_WORDS = {"false", "nej", "0", "no"}
SPACES = ("\u00a0", "\u2009", "\u202f", "\u2007", " ", "\t")
NUMBER_RE = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
INT_RE = re.compile(r"[-+]?[0-9]+")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INT64 = 2 ** 63
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
MONEY_LIMIT = Decimal(10) ** 15  # kr: a thousand times the state budget; beyond is a typing error
DIGITS_LIMIT = 28  # significant digits a decimal keeps exactly (the decimal context's precision)
FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates outside are typing errors (0000-01-01, 20260-01-01)


def clean_text(text: str) -> str:
    """Text as compared with the policy: NFC (composed å, ä, ö), zero-width characters removed."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(ZERO_WIDTH))


@dataclass(frozen=True)
class Refusal:
    """Why a cell that looks like a value is refused anyway, and how to write it."""

    message: str
    hint: str


class Table:
    """One typed input table. A large Parquet file's rows are read only when first needed
    (`stream`, see streaming.py): an evaluation that only sums them aggregates while reading."""

    def __init__(self, id: str, frame: pd.DataFrame | None, path: str | None, sha256: str | None,
                 rows: int, stream=None):
        self.id, self._frame, self.path, self.sha256, self.rows = id, frame, path, sha256, rows
        self.stream = stream

    @property
    def frame(self) -> pd.DataFrame:
        return self.load()._frame

    def load(self) -> "Table":
        """Read deferred rows now (evaluation does so before any rule, so that an error in
        them is the file's, not a rule's)."""
        if self._frame is None:
            self._frame = self.stream.read()
            self.stream = None
        return self

    def __repr__(self) -> str:
        return f"Table({self.id!r}, rows={self.rows}, path={self.path!r})"


@dataclass
class Tables:
    tables: dict[str, Table] = field(default_factory=dict)
    missing_optional: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- entry points


def read_inputs(policy, data_dir: str) -> Tables:
    """A policy's inputs from `data_dir`: the one way every command reads data, so each of them
    checks the data against the policy's validity window too. A Parquet file of more than
    STREAM_ROWS rows has its header checked here and its rows read when evaluation needs them."""
    return load_tables(policy.inputs, policy.dimensions, data_dir, valid=policy.valid, defer=True)


def load_tables(inputs: dict[str, Input], dimensions: dict[str, Dimension], data_dir: str,
                valid=None, defer: bool = False) -> Tables:
    """Every declared input from its file in `data_dir`, typed; optional inputs may be absent.

    With `valid` (the policy's validity), a table whose dates and years all fall outside it is
    warned about: the data is probably from another year than the policy. With `defer`, large
    Parquet files are read later, streamed (streaming.py); their errors are the same."""
    if not os.path.isdir(data_dir):
        raise DataError(f"no data folder {data_dir}", Location(file=data_dir),
                        "give --data a folder holding one file per input table")
    try:
        os.listdir(data_dir)
    except PermissionError:
        raise DataError(f"permission denied: cannot list the data folder {data_dir}", Location(file=data_dir),
                        "make the folder readable (chmod +rx) for the user running villkor") from None
    result = Tables()
    for inp in inputs.values():
        path = _find_file(inp, data_dir)
        if path is None:
            _missing(inp, data_dir, result)
            continue
        if defer and path.endswith(".parquet"):
            from .streaming import deferred_parquet
            table = deferred_parquet(inp, dimensions, path, valid, result.warnings)
            if table is not None:
                result.tables[inp.id] = table
                continue
        raw = _read_file(inp, path, dimensions)
        frame = _typed_frame(inp, dimensions, raw, path, result.warnings)
        result.tables[inp.id] = Table(inp.id, frame, path, raw.sha256, len(frame))
        if valid is not None:
            _validity_warning(inp, frame, path, valid, result.warnings)
    return result


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
        frame = _typed_frame(inp, policy.dimensions, raw, where, result.warnings)
        result.tables[inp.id] = Table(inp.id, frame, None, None, len(frame))
        _validity_warning(inp, frame, where, policy.valid, result.warnings)
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


def _validity_warning(inp: Input, frame: pd.DataFrame, path: str, valid, warnings: list[str]) -> None:
    """Warn when no date (or `year`) of the table falls inside the policy's validity."""
    span_warning(date_span(inp, frame, valid), path, valid, warnings)


def date_span(inp: Input, frame: pd.DataFrame, valid, span=None):
    """(lowest, highest, any inside the validity) of the table's dates and `year`, merged
    with `span` (a table read in pieces); None while there is no date at all."""
    start, end = np.datetime64(valid.start, "s"), np.datetime64(valid.end, "s")
    low, high, inside = span if span is not None else (None, None, False)
    for col in inp.columns.values():
        values = frame[col.id]
        if col.type == "date":
            arr = values.to_numpy(dtype="datetime64[s]")
            arr = arr[~np.isnat(arr)]
            if not len(arr):
                continue
            lo, hi = arr.min(), arr.max()
            inside = inside or bool(((arr >= start) & (arr <= end)).any())
            lo, hi = str(lo)[:10], str(hi)[:10]
        elif col.type == "int" and col.id == "year":
            arr = values.dropna().to_numpy(dtype=np.int64)
            if not len(arr):
                continue
            inside = inside or bool(((arr >= valid.start.year) & (arr <= valid.end.year)).any())
            lo, hi = str(arr.min()), str(arr.max())
        else:
            continue
        low = lo if low is None else min(low, lo)
        high = hi if high is None else max(high, hi)
    return (low, high, inside) if low is not None else None


def span_warning(span, path: str, valid, warnings: list[str]) -> None:
    if span is not None and not span[2]:
        warnings.append(f"{path}: the data's dates run from {span[0]} to {span[1]}, outside the policy's validity "
                        f"{valid.start.isoformat()} to {valid.end.isoformat()}; is this the policy for the data's year?")


def _missing(inp: Input, data_dir: str, result: Tables) -> None:
    names = ", ".join(inp.id + ext for ext in EXTENSIONS)
    if not inp.optional:
        raise DataError(f"input '{inp.id}' has no file in {data_dir}", Location(file=data_dir),
                        f"add one of: {names}")
    result.missing_optional.append(inp.id)
    result.warnings.append(f"{data_dir}: optional input '{inp.id}' has no file ({names}); "
                           "rules see it as absent")


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
        frame = _typed_frame(inp, dimensions, raw, where, result.warnings)
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
    frame = pd.DataFrame.from_records([{str(k): _text(v) for k, v in r.items()} for r in records])
    frame = frame.astype(object).where(frame.notna(), None)
    for name in inp.columns:  # a key left out of every row is an empty cell, as in any one row
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=object)
    return frame


def _text(value) -> str | None:
    """An inline YAML value as the text a file would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- row numbers


@dataclass
class RowMap:
    """Record index -> the row a person sees: the header is row 1 in a file, rows of inline
    data count from 1. XLSX keeps the sheet rows of its records; a CSV is rescanned only
    when an error is reported and the file has blank lines (which the reader skips)."""

    first: int = 2
    numbers: np.ndarray | None = None
    csv: tuple[str, str, str, int] | None = None  # path, encoding, separator, lines skipped

    def __call__(self, index: int) -> int:
        if self.numbers is not None:
            return int(self.numbers[index])
        if self.csv is not None and _has_blank_lines(self.csv[0]):
            return _csv_record_row(*self.csv, index)
        return int(index) + self.first


def _has_blank_lines(path: str) -> bool:
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\n\n") >= 0 or mm.find(b"\n\r\n") >= 0 or mm[:1] in (b"\n", b"\r")


def _csv_records(path: str, encoding: str, separator: str, skip: int = 0):
    """(row as a spreadsheet shows it, fields) of every non-blank record after the header."""
    with open(path, encoding=encoding, newline="") as fh:
        header = False
        for _ in range(skip):
            fh.readline()
        for row, fields in enumerate(csv.reader(fh, delimiter=separator), start=1 + skip):
            if not fields:
                continue
            if header:
                yield row, fields
            header = True


def _csv_record_row(path: str, encoding: str, separator: str, skip: int, index: int) -> int:
    for i, (row, _) in enumerate(_csv_records(path, encoding, separator, skip)):
        if i == index:
            return row
    return index + 2 + skip


# ---------------------------------------------------------------- reading files


@dataclass
class Raw:
    """A file as read: cells as text (or as stored, for Parquet/XLSX), not yet typed."""

    frame: pd.DataFrame
    rows: RowMap
    decimal: str = "."
    sha256: str | None = None
    header_row: int | None = 1  # where the header is, for header errors (None: inline rows)
    separator: str = ","  # for the header line a fix names
    header: list[str] | None = None  # every column of the file, when only some were read
    inline: bool = False  # fixture rows: every declared column is present by construction
    memory: bool = False  # an in-memory table: columns have names, not a header line


def _find_file(inp: Input, data_dir: str) -> str | None:
    found = [os.path.join(data_dir, inp.id + ext) for ext in EXTENSIONS
             if os.path.lexists(os.path.join(data_dir, inp.id + ext))]
    if len(found) > 1:
        raise DataError(f"input '{inp.id}' has more than one file: {', '.join(found)}",
                        Location(file=data_dir), "keep exactly one of them")
    if not found:
        return None
    path = found[0]
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DataError(f"{os.path.basename(path)} is a link to {os.readlink(path)}, which does not exist",
                        Location(file=path), "point the link at the data file, or copy the file here") from None
    except PermissionError:
        raise DataError("permission denied: cannot reach the file", Location(file=path),
                        "make the file and its folder readable for the user running villkor") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "not a regular file"
        raise DataError(f"{os.path.basename(path)} is {kind}, not a data file", Location(file=path),
                        "give a plain CSV, Parquet or XLSX file")
    return path


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_file(inp: Input, path: str, dimensions: dict[str, Dimension]) -> Raw:
    """The file's cells and its sha256; any reader failure becomes a located DataError."""
    try:
        if path.endswith(".parquet"):
            raw = _read_parquet(inp, path)
        elif path.endswith(".xlsx"):
            raw = _read_xlsx(inp, path)
        else:
            raw = _read_csv(inp, path, dimensions)
    except DataError:
        raise
    except PermissionError:
        raise DataError("permission denied: the file cannot be read", Location(file=path),
                        "make the file readable (chmod +r) for the user running villkor") from None
    except Exception as exc:  # a file the readers cannot parse at all
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {os.path.basename(path)}: {first}", Location(file=path),
                        "check that the file is a valid CSV, Parquet or XLSX file") from None
    raw.sha256 = _sha256(path)
    return raw


def _not_utf8(path: str, row: int | None) -> DataError:
    return DataError("the file is not UTF-8 text", Location(file=path, row=row),
                     "save it as UTF-8 (CSV UTF-8 in Excel), or declare format: {encoding: cp1252} "
                     "for the input")


def _first_bad_utf8_line(path: str) -> int | None:
    """Line of the first byte that is not UTF-8 (only called once reading has failed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[:max(exc.start, 0)].count(b"\n")
            line += block.count(b"\n")
    return None


def _csv_dialect(inp: Input, path: str) -> tuple[str, str, str, int]:
    """Encoding, separator, decimal mark and lines to skip: declared in the policy's `format`,
    or detected from the first non-blank line; Excel's `sep=;` first line names the separator."""
    fmt = inp.format or {}
    with open(path, "rb") as fh:
        head = fh.read(65536)
    encoding = fmt.get("encoding")
    if encoding is None:
        try:
            (head[:-4] if len(head) == 65536 else head).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, head[:exc.start].count(b"\n") + 1) from None
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"unknown encoding '{encoding}' declared for input '{inp.id}'",
                            Location(file=path), "use utf-8, cp1252 or latin-1") from None
    lines = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    skip = 0
    if lines and re.fullmatch(r"sep=.", lines[0].strip()):
        skip, excel = 1, lines[0].strip()[4]
        lines = lines[1:]
    else:
        excel = None
    first = next((line for line in lines if line.strip()), "")
    separator = fmt.get("separator") or excel or max((";", ",", "\t"), key=first.count)
    decimal = fmt.get("decimal") or ("," if separator == ";" else ".")
    return encoding, separator, decimal, skip


def _csv_header(path: str, encoding: str, separator: str, skip: int = 0) -> list[str]:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        for fields in csv.reader(fh, delimiter=separator):
            if fields:
                return [f.strip().lstrip("\ufeff") for f in fields]
    return []


def _csv_types(inp: Input, header: list[str], dimensions: dict[str, Dimension]):
    """pyarrow column types: int64 for ints and for dimensions of whole numbers (months),
    dictionaries for few-valued text, else strings.

    Dictionary columns become pandas Categoricals, so 12M region cells are 12M small codes; a
    month column parsed as numbers is twice as fast to read as a dictionary of texts."""
    import pyarrow as pa

    types = {}
    for name in header:
        col = inp.columns.get(clean_text(name))
        kind = col.type if col is not None else "string"
        if kind == "int" or _whole_members(dimensions.get(kind)):
            types[name] = pa.int64()
        elif kind not in ("decimal", "money", "string") or (col is not None and col.enum):
            types[name] = pa.dictionary(pa.int32(), pa.string())
        else:
            types[name] = pa.string()
    return types


def _whole_members(dim: Dimension | None) -> bool:
    return dim is not None and bool(dim.members) and \
        all(isinstance(m, int) and not isinstance(m, bool) for m in dim.members)


def _read_csv(inp: Input, path: str, dimensions: dict[str, Dimension]) -> Raw:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding, separator, decimal, skip = _csv_dialect(inp, path)
    header = _csv_header(path, encoding, separator, skip)
    if not header:
        raise DataError("the file is empty", Location(file=path),
                        f"write a header row naming the columns: {', '.join(inp.columns)}")
    _check_duplicate_header([clean_text(h) for h in header], path, 1 + skip)
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
            table = attempt(_csv_types(inp, header, dimensions))
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc) or "UTF8" in str(exc):
                raise
            # An int column holds something else: read it as text to name the row and value.
            table = attempt({n: pa.string() for n in header})
    except pa.ArrowInvalid as exc:
        raise _csv_failure(exc, path, encoding, separator, len(header), skip) from None
    frame = table.to_pandas(types_mapper=_nullable_ints(table), self_destruct=True, split_blocks=True)
    del table
    return Raw(frame, RowMap(first=2 + skip, csv=(path, encoding, separator, skip)), decimal,
               header_row=1 + skip, separator=separator)


def _nullable_ints(table):
    """int64 columns with empty cells become pandas Int64, not float64."""
    import pyarrow as pa

    has_null = any(table.schema.field(n).type == pa.int64() and table.column(n).null_count
                   for n in table.column_names)
    return {pa.int64(): pd.Int64Dtype()}.get if has_null else None


def _csv_failure(exc, path: str, encoding: str, separator: str, width: int, skip: int = 0) -> DataError:
    """pyarrow's complaint as a located message: bad encoding, or a row of the wrong width."""
    text = str(exc)
    if "UTF8" in text:
        return _not_utf8(path, _first_bad_utf8_line(path))
    row = None
    if "columns" in text:
        row = next((r for r, fields in _csv_records(path, encoding, separator, skip) if len(fields) != width), None)
    return DataError(f"malformed CSV: {text.splitlines()[0].removeprefix('CSV parse error: ')}",
                     Location(file=path, row=row),
                     "check quoting and that every row has as many fields as the header")


def _read_parquet(inp: Input, path: str) -> Raw:
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

    _check_duplicate_header([clean_text(n).strip() for n in schema.names], path, None)
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


def _read_xlsx(inp: Input, path: str) -> Raw:
    """Cells as stored (text, numbers, dates); rows keep their sheet row numbers, blank rows skip."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = _sheet(wb, inp.format.get("sheet", 0) if inp.format else 0, path)
        xml = _sheet_xml(wb, ws)
        _check_merged(ws, xml, path)
        header, header_row, numbers, records = None, 0, [], []
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if header is None:
                header, header_row = ["" if c is None else str(c).strip() for c in cells], number
                continue
            numbers.append(number)
            records.append(cells)
        if header is not None and not any(c in inp.columns for c in map(clean_text, header)):
            _header_elsewhere(inp, wb, ws, header_row, path)
    finally:
        wb.close()
    if b"<f" in xml:
        _check_formulas(path, ws.title, numbers, records)
    header = header or []
    width = max([len(header)] + [len(r) for r in records])
    header = _named_header(header, width, records, path, header_row)
    columns = list(zip(*[tuple(r) + (None,) * (width - len(r)) for r in records])) or [()] * width
    frame = pd.DataFrame({name: pd.Series(list(col), dtype=object)
                          for name, col in zip(header, columns) if name is not None})
    return Raw(frame, RowMap(numbers=np.asarray(numbers, dtype=np.int64)), header_row=header_row or 1)


def _sheet_xml(wb, ws) -> bytes:
    """The sheet's XML as stored (to see merged cells and formulas, which read-only mode hides)."""
    import zipfile

    where = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not where or not isinstance(archive, zipfile.ZipFile):
        return b""
    return archive.read(where)


def _check_merged(ws, xml: bytes, path: str) -> None:
    """Merged cells: only the first cell holds the value, the rest would read as empty."""
    found = re.search(rb'<mergeCell ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"', xml)
    if found:
        first, last = found.group(1).decode(), found.group(2).decode()
        raise DataError(f"sheet '{ws.title}', cells {first}:{last} are merged: the cells after {first} "
                        "read as empty", Location(file=path, row=int(re.sub("[A-Z]", "", first))),
                        "unmerge the cells and write the value in each of them")


def _check_formulas(path: str, title: str, numbers: list[int], records: list) -> None:
    """A formula without a saved result reads as empty: refuse it (the file was never recalculated)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    empty_at = {(n, j) for n, cells in zip(numbers, records) for j, c in enumerate(cells) if c is None}
    if not empty_at:
        return
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        for number, cells in enumerate(wb[title].iter_rows(values_only=True), start=1):
            for j, c in enumerate(cells):
                if isinstance(c, str) and c.startswith("=") and (number, j) in empty_at:
                    raise DataError(f"sheet '{title}', cell {get_column_letter(j + 1)}{number}: the formula {c} "
                                    "has no saved value", Location(file=path, row=number),
                                    "open the file in Excel and save it again (so the result is stored), "
                                    "or write the value instead of the formula")
    finally:
        wb.close()


def _header_elsewhere(inp: Input, wb, ws, header_row: int, path: str) -> None:
    """The header is not the first row with text: find it lower down or on another sheet."""
    wanted = set(inp.columns)
    for sheet in [ws] + [w for w in wb.worksheets if w.title != ws.title]:
        for number, cells in enumerate(sheet.iter_rows(values_only=True, max_row=30), start=1):
            names = {clean_text(str(c)).strip() for c in cells if c is not None}
            if len(names & wanted) >= max(1, len(wanted) // 2) and (sheet is not ws or number != header_row):
                if sheet is ws:
                    raise DataError(f"sheet '{ws.title}': the header is on row {number}, below other text on "
                                    f"row {header_row}", Location(file=path, row=header_row),
                                    f"delete the rows above row {number} so the column names come first")
                raise DataError(f"sheet '{ws.title}' has no columns of input '{inp.id}'; they are on sheet "
                                f"'{sheet.title}' (row {number})", Location(file=path, row=header_row),
                                f"move the data to the first sheet, or declare format: {{sheet: {sheet.title}}} "
                                f"for the input")


def _sheet(wb, sheet, path: str):
    if isinstance(sheet, int) and 0 <= sheet < len(wb.worksheets):
        return wb.worksheets[sheet]
    if isinstance(sheet, str) and sheet in wb.sheetnames:
        return wb[sheet]
    raise DataError(f"no sheet {sheet!r} in the workbook", Location(file=path),
                    f"sheets: {', '.join(wb.sheetnames)}")


def _named_header(header: list[str], width: int, records, path: str, row: int) -> list[str | None]:
    """Header names; an unnamed column is dropped when empty, and an error when it holds data."""
    header = header + [""] * (width - len(header))
    names = []
    for i, name in enumerate(header):
        if name:
            names.append(name)
        elif any(i < len(r) and r[i] is not None for r in records):
            raise DataError(f"column {i + 1} has values but no name in the header",
                            Location(file=path, row=row), "write the column's name in the header row")
        else:
            names.append(None)
    _check_duplicate_header([n for n in names if n], path, row)
    return names


def _check_duplicate_header(names: list[str], path: str, row: int | None) -> None:
    seen, dupes = set(), []
    for name in names:
        if name in seen and name not in dupes:
            dupes.append(name)
        seen.add(name)
    if dupes:
        raise DataError(f"the header repeats column '{dupes[0]}'", Location(file=path, row=row),
                        "every column name must appear once")


# ---------------------------------------------------------------- typing and checks


def _typed_frame(inp: Input, dims: dict[str, Dimension], raw: Raw, path: str,
                 warnings: list[str]) -> pd.DataFrame:
    """The declared columns, typed and checked, in declaration order; extra columns dropped."""
    frame = raw.frame
    frame.columns = [clean_text(str(c)).strip() for c in frame.columns]
    found = list(frame.columns) if raw.header is None else [clean_text(str(c)).strip() for c in raw.header]
    _check_duplicate_header(found, path, raw.header_row)
    _check_header(inp, found, path, raw, warnings)
    out = {}
    for col in inp.columns.values():
        if col.id in frame.columns:
            out[col.id] = _TypedColumn(col, dims, frame[col.id], path, raw).convert()
        else:
            out[col.id] = _constant_column(col, dims, len(frame))
    typed = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    for name in inp.by.values():  # an empty key cell would count for no region, or the wrong one
        values = typed.get(name)
        if values is not None and isinstance(values.dtype, pd.CategoricalDtype):
            empty = values.cat.codes.to_numpy() < 0
            if empty.any():
                i = int(np.flatnonzero(empty)[0])
                raise DataError(f"empty cell in the key column '{name}'",
                                Location(file=path, row=raw.rows(i), field=name),
                                f"every row of input '{inp.id}' must name its {inp.columns[name].type}; "
                                "fill it in or remove the row")
    if inp.unique and inp.by:
        _check_unique(inp, typed, path, raw.rows)
    return typed


def _check_header(inp: Input, found: list[str], path: str, raw: Raw, warnings: list[str]) -> None:
    """All missing columns in one error; a default never fills a missing column unless the
    column is declared optional (then every run warns). Undeclared columns are a warning."""
    row = raw.header_row
    extra = [c for c in found if c not in inp.columns]
    missing = [c.id for c in inp.columns.values() if c.id not in found and not c.optional]
    if missing and not raw.inline:
        unknown = []
        for name in extra:
            near = did_you_mean(name, missing) or did_you_mean(name.lower(), missing)
            unknown.append(f"'{name}' ({near})" if near else f"'{name}'")
        holder = "the table" if raw.memory else "the file"
        hint = f"{holder} has: {', '.join(found) or 'no columns'}; input '{inp.id}' needs: {', '.join(inp.columns)}"
        if unknown:
            hint += f"; unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
        if not raw.memory:
            hint += f"; write the header line as: {raw.separator.join(inp.columns)}"
        raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        Location(file=path, row=row), hint)
    for col in inp.columns.values():
        if col.id not in found and col.optional:
            if col.default is None:
                raise DataError(f"column '{col.id}' is optional but has no default", col.location,
                                "declare the default that fills it when a file leaves it out")
            if not raw.inline:
                warnings.append(f"{path}: optional column '{col.id}' is not in the {'table' if raw.memory else 'file'}; "
                                f"its default {_text(col.default)} is used on every row")
    if extra:
        warnings.append(f"{path}: column{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
                        f"not declared for input '{inp.id}', ignored")


def _constant_column(col: Column, dims, n: int) -> pd.Series:
    """A column absent from the file: its default on every row."""
    if col.type in dims or (col.type == "string" and col.enum):
        members = list(dims[col.type].members) if col.type in dims else list(col.enum)
        codes = np.full(n, members.index(col.default) if col.default in members else -1, dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(codes, categories=members))
    if col.type == "int":
        return pd.Series(np.full(n, int(col.default), dtype=np.int64))
    if col.type in ("decimal", "money"):
        return pd.Series([Decimal(str(col.default))] * n, dtype=object)
    if col.type == "bool":
        return pd.Series(np.full(n, bool(col.default)))
    if col.type == "date":
        return pd.Series(np.full(n, np.datetime64(str(col.default), "s")))
    return pd.Series([str(col.default)] * n, dtype=object)


BAD = object()  # a value that does not parse as its column's type


class _TypedColumn:
    """One raw column -> its declared type, with the first bad row located by a mask.

    Text columns are factorized (one vectorised pass); each distinct value is parsed once and
    rows take the parsed value of their code."""

    def __init__(self, col: Column, dims, series: pd.Series, path: str, raw: Raw):
        self.col, self.dims, self.series, self.path = col, dims, series, path
        self.rows, self.decimal = raw.rows, raw.decimal
        members = dims[col.type].members if col.type in dims else ()
        whole = col.type == "int" or (members and all(isinstance(m, int) for m in members))
        self.codes, self.values, self.blank = self.factor(whole)
        self._empty = None

    @property
    def empty(self) -> np.ndarray:
        """Per row: the cell is empty. Computed once, and only as a comparison when no
        distinct value is blank (the usual case: only missing cells are)."""
        if self._empty is None:
            if self.codes is None:
                self._empty = np.zeros(len(self.series), dtype=bool)
            elif self.blank[:-1].any():
                self._empty = self.blank[self.codes]
            else:
                self._empty = self.codes < 0
        return self._empty

    def fail(self, index: int, message: str, hint: str | None = None) -> DataError:
        return DataError(message, Location(file=self.path, row=self.rows(int(index)), field=self.col.id), hint)

    @staticmethod
    def first(mask) -> int:
        return int(np.flatnonzero(np.asarray(mask))[0])

    def refusal(self, index: int, parse):
        """The Refusal for the bad cell at `index` (a reason beyond 'not a number'), or None."""
        value = self.series.iloc[index]
        result = parse(clean_text(value).strip() if isinstance(value, str) else value)
        return result if isinstance(result, Refusal) else None

    def shown(self, index: int) -> str:
        value = self.series.iloc[index]
        return repr(value if isinstance(value, str) else str(value))

    def factor(self, whole: bool):
        """Row codes into the distinct values (stripped text); code -1 and blanks are empty.

        A clean integer column read for a whole-number type needs no codes (None)."""
        s = self.series
        if whole and isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
            return None, None, None
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, uniques = s.cat.codes.to_numpy(), list(s.cat.categories)
        else:
            codes, uniq = pd.factorize(s, use_na_sentinel=True)
            uniques = list(uniq)
        values = [clean_text(u).strip() if isinstance(u, str) else u for u in uniques]
        blank = np.asarray([_is_blank(v) for v in values] + [True], dtype=bool)
        return codes, values, blank

    def mapped(self, parse, fill):
        """Parse each distinct value once. Returns (object value per row, bad-row mask)."""
        parsed = [parse(v) for v in self.values]
        bad_u = np.asarray([p is BAD or isinstance(p, Refusal) for p in parsed] + [False], dtype=bool)
        lookup = np.empty(len(parsed) + 1, dtype=object)
        lookup[:-1] = [fill if p is BAD or isinstance(p, Refusal) else p for p in parsed]
        lookup[-1] = fill
        return lookup[self.codes], bad_u[self.codes] & ~self.empty

    def convert(self) -> pd.Series:
        col = self.col
        if col.type in self.dims:
            return self.members(list(self.dims[col.type].members), col.type)
        if col.type == "string" and col.enum:
            return self.members(list(col.enum), "value")
        convert = getattr(self, "to_" + col.type, None)
        if convert is None:
            raise DataError(f"column type '{col.type}' is neither a value type nor a dimension",
                            Location(file=self.path, field=col.id),
                            "use int, decimal, money, bool, date, string or a dimension id")
        return convert()

    def require(self) -> bool:
        """True when some cells are empty and may be; an error at the first one otherwise."""
        empty = self.empty
        if empty.any() and self.col.default is None and not self.col.nullable:
            raise self.fail(self.first(empty), "empty cell",
                            "fill it in, or declare a default or nullable: true for the column")
        return bool(empty.any())

    # -- dimension members and enums

    def members(self, members: list, what: str) -> pd.Series:
        """Members or enumerated strings -> a Categorical in the declared order."""
        self.require()
        ints = bool(members) and all(isinstance(m, int) and not isinstance(m, bool) for m in members)
        if self.codes is None and ints:  # an int64 column of int members (e.g. months)
            codes = _int_member_codes(self.series.to_numpy(), members)
            if codes.min(initial=0) < 0:
                raise self.unknown_member(self.first(codes < 0), members, what)
        else:
            index = {m: i for i, m in enumerate(members)}
            per = np.asarray([index.get(_member_key(v, ints), -1) for v in self.values] + [-1],
                             dtype=_code_type(len(members)))
            unknown = (per < 0) & ~self.blank  # per distinct value: no row-level pass unless one is bad
            if unknown.any():
                raise self.unknown_member(self.first(unknown[self.codes]), members, what)
            codes = per[self.codes]
        if self.col.default is not None and self.empty.any():
            codes = np.where(self.empty, self.default_code(members), codes).astype(codes.dtype)
        # the codes are valid by construction: pandas need not scan them again
        return pd.Series(pd.Categorical.from_codes(codes, categories=members, validate=False))

    def default_code(self, members: list) -> int:
        ints = all(isinstance(m, int) for m in members)
        key = _member_key(self.col.default, ints)
        if key not in members:
            raise DataError(f"the default {self.col.default!r} is not a member", Location(
                file=self.path, field=self.col.id), _members_hint(self.col.type, members))
        return members.index(key)

    def unknown_member(self, i: int, members: list, what: str) -> DataError:
        value = str(self.series.iloc[i]).strip()
        names = [str(m) for m in members]
        ints = all(isinstance(m, int) for m in members)
        hint = (None if ints else did_you_mean(value, names)) or _members_hint(what, members)
        label = f"unknown {what} {value!r}" if what != "value" else \
            f"{value!r} is not one of {', '.join(names)}"
        return self.fail(i, label, hint)

    # -- numbers

    def to_int(self) -> pd.Series:
        s = self.series
        has_empty = self.require()
        if self.codes is None:  # a clean integer column (CSV via pyarrow, Parquet)
            values = s if s.dtype == np.int64 else s.astype(np.int64)
            self.bounds(values)
            return values
        if isinstance(s.dtype, pd.Int64Dtype):
            values = s.copy()
        else:
            parsed, bad = self.mapped(_parse_int, None)
            if bad.any():
                i = self.first(bad)
                why = self.refusal(i, _parse_int)
                if why is not None:
                    raise self.fail(i, f"{self.shown(i)}: {why.message}", why.hint)
                raise self.fail(i, f"{self.shown(i)} is not a whole number", "write digits only, e.g. 12")
            values = pd.Series(pd.array(parsed, dtype="Int64"))
        if has_empty and self.col.default is not None:
            values = values.fillna(int(self.col.default))
        self.bounds(values)
        if not values.isna().any():
            return pd.Series(values.to_numpy(dtype=np.int64))
        return values

    def bounds(self, values: pd.Series) -> None:
        """min/max over the whole column; below 0 in a count is named a negative count."""
        col = self.col
        if col.min is None and col.max is None:
            return
        present = values.notna().to_numpy()
        if values.dtype == object:  # Decimal
            low = np.asarray([p and col.min is not None and v < col.min for v, p in zip(values, present)], bool)
            high = np.asarray([p and col.max is not None and v > col.max for v, p in zip(values, present)], bool)
        else:
            arr = values.to_numpy(dtype=np.int64, na_value=0)
            none = np.zeros(len(arr), dtype=bool)
            low = present & (arr < col.min) if col.min is not None else none
            high = present & (arr > col.max) if col.max is not None else none
        hint = _bounds_hint(col)
        if low.any():
            i = self.first(low)
            what = {"int": "count", "money": "amount"}.get(col.type, "number")
            message = (f"negative {what} {values.iloc[i]}" if col.min == 0 and values.iloc[i] < 0 else
                       f"{values.iloc[i]} is below the minimum {col.min}")
            raise self.fail(i, message, hint)
        if high.any():
            i = self.first(high)
            raise self.fail(i, f"{values.iloc[i]} is above the maximum {col.max}", hint)

    def to_decimal(self) -> pd.Series:
        return self.numbers(money=False)

    def to_money(self) -> pd.Series:
        return self.numbers(money=True)

    def numbers(self, money: bool) -> pd.Series:
        """Exact Decimals parsed from the cell text; money has at most two decimals."""
        self.require()
        default = Decimal(str(self.col.default)) if self.col.default is not None else None
        if money and default is not None and default != default.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
            raise DataError(f"the default {self.col.default} of money column '{self.col.id}' is finer than one öre",
                            self.col.location if self.col.location.file else Location(file=self.path, field=self.col.id),
                            "amounts in kr have at most two decimals; write e.g. 0 or 0.01")

        def parse(v):
            return _parse_decimal(v, self.decimal, money)
        parsed, bad = self.mapped(parse, default)
        if bad.any():
            i = self.first(bad)
            why = self.refusal(i, parse)
            if why is not None:
                raise self.fail(i, f"{self.shown(i)}: {why.message}", why.hint)
            raise self.fail(i, f"{self.shown(i)} is not {'an amount' if money else 'a number'}",
                            "write an amount like 1234,50 or 1 234,50 kr (at most two decimals)" if money
                            else "write a number like 12,5 or 12.5")
        values = pd.Series(parsed, dtype=object)
        self.bounds(values)
        return values

    # -- bool, date, string

    def to_bool(self) -> pd.Series:
        has_empty = self.require()
        default = bool(self.col.default) if self.col.default is not None else None
        parsed, bad = self.mapped(_parse_bool, default)
        if bad.any():
            i = self.first(bad)
            raise self.fail(i, f"{self.shown(i)} is not true or false", "write ja/nej, true/false or 1/0")
        if has_empty and default is None:
            return pd.Series(parsed, dtype=object)
        return pd.Series(parsed.astype(bool))

    def to_date(self) -> pd.Series:
        self.require()
        default = np.datetime64(str(self.col.default), "s") if self.col.default is not None \
            else np.datetime64("NaT", "s")
        parsed, bad = self.mapped(_parse_date, default)
        if bad.any():
            i = self.first(bad)
            why = self.refusal(i, _parse_date)
            if why is not None:
                raise self.fail(i, f"{self.shown(i)}: {why.message}", why.hint)
            raise self.fail(i, f"{self.shown(i)} is not a date", "write dates as YYYY-MM-DD, e.g. 2026-03-16")
        return pd.Series(parsed.astype("datetime64[s]"))

    def to_string(self) -> pd.Series:
        """Text as object str, stripped; no per-value work beyond the distinct values."""
        self.require()
        fill = str(self.col.default) if self.col.default is not None else None
        parsed, _ = self.mapped(lambda v: v if isinstance(v, str) else _cell_text(v), fill)
        return pd.Series(parsed, dtype=object)


def _members_hint(what: str, members: list) -> str:
    """The allowed members, short: a run of whole numbers as a range (months: 1..12)."""
    if members and all(isinstance(m, int) for m in members) and \
            list(members) == list(range(members[0], members[0] + len(members))):
        return f"{what} members: {members[0]}..{members[-1]}"
    names = [str(m) for m in members]
    return f"{what} members: {', '.join(names[:8])}" + ("…" if len(names) > 8 else "")


def _is_blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value == ""
    return isinstance(value, float) and np.isnan(value)


def _cell_text(value) -> str:
    """A non-text cell (XLSX number, date) as text: 12.0 -> '12', a datetime at midnight -> date."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "hour") and hasattr(value, "date") and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _member_key(value, ints: bool):
    """The member a cell names: int members accept 3, 3.0 and ' 3'; text members are text."""
    if ints:
        text = _cell_text(value) if not isinstance(value, str) else value
        return int(text) if INT_RE.fullmatch(text) else None
    return value if isinstance(value, str) else _cell_text(value)


def _code_type(size: int):
    """The smallest signed integer type holding codes -1..size-1 (int8 for 21 regions)."""
    return np.int8 if size < 127 else np.int16 if size < 32767 else np.int32 if size < 2 ** 31 - 1 else np.int64


def _int_member_codes(raw: np.ndarray, members: list[int]) -> np.ndarray:
    """Member index per row of an int64 column (-1 if not a member), without sorting."""
    if len(raw) == 0:
        return np.zeros(0, dtype=_code_type(len(members)))
    lo = min(int(raw.min()), min(members))
    hi = max(int(raw.max()), max(members))
    if hi - lo > 1 << 16:  # a stray huge value: hash lookup instead of a giant table
        return pd.Index(members).get_indexer(raw).astype(np.int64)
    table = np.full(hi - lo + 1, -1, dtype=_code_type(len(members)))
    table[np.asarray(members) - lo] = np.arange(len(members))
    return table[raw - lo] if lo else table[raw]


def _parse_int(value):
    if isinstance(value, (bool, np.bool_)):
        return BAD
    if isinstance(value, (int, np.integer)):
        return int(value) if abs(int(value)) < INT64 else _out_of_range(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= INT64:
            return _out_of_range(value)
        return int(value) if value.is_integer() else BAD
    text = str(value)
    for space in SPACES:
        text = text.replace(space, "")
    if _foreign_digits(text):
        return _foreign_digits(text)
    if not INT_RE.fullmatch(text):
        return BAD
    return int(text) if abs(int(text)) < INT64 else _out_of_range(text)


def _out_of_range(value) -> Refusal:
    return Refusal("out of range", f"whole numbers must be below {INT64:,} in size; check the cell".replace(",", " "))


def _foreign_digits(text: str) -> Refusal | None:
    """Digits other than 0-9 (Arabic-Indic ١٢٣, fullwidth １２３): refused, never read silently."""
    if text.isascii() or not any(ch.isdigit() and not ch.isascii() for ch in text):
        return None
    return Refusal("holds digits other than 0-9",
                   "retype the number with the digits 0-9 (the cell has e.g. Arabic-Indic or fullwidth digits)")


def _parse_decimal(value, decimal_mark: str, money: bool):
    """Exact decimal from a cell: '1 234,50', '1234.50', '1.234,5', '1 234 kr'; never via float
    for text; an XLSX float is read as its shortest repr (0.1, not 0.1000000000000000055)."""
    if isinstance(value, (bool, np.bool_)):
        return BAD
    if isinstance(value, (int, np.integer, Decimal)):
        number = Decimal(int(value)) if isinstance(value, np.integer) else Decimal(value)
    else:
        text = repr(float(value)) if isinstance(value, (float, np.floating)) else _number_text(str(value), decimal_mark)
        if text is None or isinstance(text, Refusal):
            return text if text is not None else BAD
        if "e" in text and isinstance(value, (float, np.floating)) and np.isfinite(value):
            return Refusal("a number too large or small to be a plain amount",
                           "format the cell as a number with all its digits (not scientific notation)")
        if not NUMBER_RE.fullmatch(text):
            return BAD
        try:
            number = Decimal(text)
        except InvalidOperation:
            return BAD
    if not number.is_finite():
        return BAD
    if len(number.as_tuple().digits) > DIGITS_LIMIT or (money and abs(number) >= MONEY_LIMIT):
        limit = "1 000 000 000 000 000 kr" if money else f"{DIGITS_LIMIT} digits"
        return Refusal("out of range", f"{'amounts' if money else 'numbers'} must be below {limit}; check the cell")
    if money and number != number.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        return BAD
    return number


def _number_text(text: str, decimal_mark: str) -> str | Refusal | None:
    """Normalise a written number to `-1234.5`: spaces and ' kr' dropped, one decimal mark.

    With both '.' and ',' the last one is the decimal mark; a mark repeated is a thousands
    separator only when it is not the file's decimal mark."""
    text = text.strip().replace("\u2212", "-")
    low = text.lower()
    for unit in ("kr", "sek", ":-"):
        if low.endswith(unit):
            text = text[: -len(unit)]
            break
    for space in SPACES:
        text = text.replace(space, "")
    if _foreign_digits(text):
        return _foreign_digits(text)
    other = "." if decimal_mark == "," else ","
    if text.count(other) == 1 and decimal_mark not in text and re.fullmatch(r"-?[1-9][0-9]{0,2}[.,][0-9]{3}", text):
        whole, part = text.lstrip("-").split(other)
        sign = "-" if text.startswith("-") else ""
        small = sign + f"{whole}.{part}".rstrip("0").rstrip(".")
        big = sign + whole + part
        return Refusal(f"could be {small} or {big}",
                       f"'{other}' is not this file's decimal mark ('{decimal_mark}'): write {big} for {big}, "
                       f"or {sign}{whole}{decimal_mark}{part} for {small}")
    if "," in text and "." in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        other = "." if mark == "," else ","
        if text.rfind(other) > text.find(mark):
            return None
        text = text.replace(other, "")
    else:
        for mark in (",", "."):
            if text.count(mark) > 1:
                if mark == decimal_mark:
                    return None
                text = text.replace(mark, "")
    return text.replace(",", ".")


def _parse_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else BAD


def _parse_date(value):
    """ISO dates only (2026-03-16); XLSX date cells; 2026-02-30 and 16/03/2026 are refused."""
    if not isinstance(value, str):
        if hasattr(value, "hour") and (value.hour or value.minute or value.second):
            return BAD  # a time of day where a date is expected
        value = _cell_text(value)
    if not DATE_RE.fullmatch(value):
        return BAD
    try:
        day = np.datetime64(value, "s")
    except ValueError:
        return BAD
    if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        return Refusal(f"the year is outside {FIRST_YEAR}-{LAST_YEAR}", "check the date; write it as YYYY-MM-DD, e.g. 2026-03-16")
    return day


def _check_unique(inp: Input, frame: pd.DataFrame, path: str, rows: RowMap) -> None:
    """At most one row per `by` key; a duplicate names both rows."""
    cols = [c for c in inp.by.values() if c in frame.columns]
    if not cols:
        return
    dup = frame.duplicated(subset=cols, keep=False).to_numpy()
    if not dup.any():
        return
    candidates = np.flatnonzero(dup)
    first = candidates[0]
    hashes = pd.util.hash_pandas_object(frame[cols].iloc[candidates], index=False).to_numpy()
    same = candidates[hashes == hashes[0]]
    where = ", ".join(f"{c}={'(empty)' if pd.isna(v) else v}" for c in cols for v in [frame[c].iloc[first]])
    a, b = rows(int(same[0])), rows(int(same[1]))
    raise DataError(f"rows {a} and {b} both hold {where}", Location(file=path, row=b),
                    f"input '{inp.id}' allows one row per {', '.join(inp.by)}; merge or remove one")


def _bounds_hint(col: Column) -> str:
    if col.max is None:
        return f"values of '{col.id}' must be {col.min} or more"
    if col.min is None:
        return f"values of '{col.id}' must be {col.max} or less"
    return f"values of '{col.id}' must be between {col.min} and {col.max}"
