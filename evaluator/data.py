"""Input tables: one CSV, Parquet or XLSX file per declared input, typed and checked.

Typed frame conventions the engine relies on:
  dimension column -> pandas Categorical whose categories are the declared members, in order
  int              -> int64 (nullable: pandas Int64)
  decimal, money   -> object column of decimal.Decimal (None where empty); never float
  bool             -> bool (nullable: object True/False/None)
  date             -> datetime64[s] (NaT where empty)
  string           -> object column of str; with `enum`, a Categorical of the allowed values

Every problem names the file, the row as a spreadsheet shows it (the header is row 1), the
column, the bad value and what was expected. Checks run over whole columns; only exact decimal
parsing touches values one by one.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from .errors import DataError, Location, did_you_mean
from .policy.model import Column, Dimension, Input

EXTENSIONS = (".csv", ".parquet", ".xlsx")
TRUE_WORDS = {"true", "ja", "1", "yes", "sant"}
FALSE_WORDS = {"false", "nej", "0", "no", "falskt"}
MONEY_RE = re.compile(r"^-?\d+([.,]\d{1,2})?$")
DECIMAL_RE = re.compile(r"^-?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass
class Table:
    id: str
    frame: pd.DataFrame
    path: str | None
    sha256: str | None
    rows: int


@dataclass
class Tables:
    tables: dict[str, Table] = field(default_factory=dict)
    missing_optional: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- entry points


def load_tables(inputs: dict[str, Input], dimensions: dict[str, Dimension], data_dir: str) -> Tables:
    if not os.path.isdir(data_dir):
        raise DataError(f"no data folder {data_dir}", Location(file=data_dir),
                        "give --data a folder holding one file per input table")
    result = Tables()
    for inp in inputs.values():
        path = _find_file(inp, data_dir)
        if path is None:
            if inp.optional:
                result.missing_optional.append(inp.id)
                continue
            names = ", ".join(inp.id + ext for ext in EXTENSIONS)
            raise DataError(f"input '{inp.id}' has no file in {data_dir}", Location(file=data_dir),
                            f"add one of: {names}")
        raw, digest = _read_file(inp, path)
        frame = _typed_frame(inp, dimensions, raw, path, result.warnings,
                             first_row=2)
        result.tables[inp.id] = Table(inp.id, frame, path, digest, len(frame))
    return result


def tables_from_rows(inputs: dict[str, Input], dimensions: dict[str, Dimension],
                     rows: dict[str, list[dict]], origin: str) -> Tables:
    """Tables from inline rows (fixtures). An input without rows is empty; an optional input
    not mentioned at all is absent."""
    result = Tables()
    unknown = [t for t in rows if t not in inputs]
    if unknown:
        raise DataError(f"data for unknown input '{unknown[0]}'", Location(file=origin),
                        did_you_mean(unknown[0], inputs) or f"inputs: {', '.join(inputs)}")
    for inp in inputs.values():
        if inp.id not in rows and inp.optional:
            result.missing_optional.append(inp.id)
            continue
        records = rows.get(inp.id) or []
        raw = pd.DataFrame.from_records([{k: _text(v) for k, v in r.items()} for r in records],
                                        columns=None if records else list(inp.columns))
        raw = raw.astype(object).where(raw.notna(), None) if len(raw) else raw
        frame = _typed_frame(inp, dimensions, raw, f"{origin} (data.{inp.id})", result.warnings,
                             first_row=1)
        result.tables[inp.id] = Table(inp.id, frame, None, None, len(frame))
    return result


def _text(value) -> str | None:
    """Inline YAML values as the text a file would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- reading files


def _find_file(inp: Input, data_dir: str) -> str | None:
    found = [os.path.join(data_dir, inp.id + ext) for ext in EXTENSIONS
             if os.path.exists(os.path.join(data_dir, inp.id + ext))]
    if len(found) > 1:
        raise DataError(f"input '{inp.id}' has more than one file: {', '.join(found)}",
                        Location(file=data_dir), "keep exactly one of them")
    return found[0] if found else None


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_file(inp: Input, path: str) -> tuple[pd.DataFrame, str]:
    digest = _sha256(path)
    try:
        if path.endswith(".parquet"):
            return _read_parquet(path), digest
        if path.endswith(".xlsx"):
            return _read_xlsx(inp, path), digest
        return _read_csv(inp, path), digest
    except DataError:
        raise
    except Exception as exc:  # a file the readers cannot parse at all
        raise DataError(f"cannot read {os.path.basename(path)}: {str(exc).splitlines()[0]}",
                        Location(file=path), "check that the file is a valid CSV, Parquet or XLSX file") from None


def _csv_dialect(inp: Input, path: str) -> tuple[str, str, str]:
    """Encoding, separator and decimal mark: declared in the policy, or detected."""
    fmt = inp.format
    with open(path, "rb") as fh:
        head = fh.read(65536)
    encoding = fmt.get("encoding")
    if encoding is None:
        try:
            (head[:-4] if len(head) == 65536 else head).decode("utf-8")
            encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
        except UnicodeDecodeError as exc:
            line = head[:exc.start].count(b"\n") + 1
            raise DataError("the file is not UTF-8 text", Location(file=path, row=line),
                            "save it as UTF-8 (CSV UTF-8 in Excel), or declare format: {encoding: cp1252} "
                            "for the input") from None
    first = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0] if head else ""
    separator = fmt.get("separator") or max((";", ",", "\t"), key=first.count)
    decimal = fmt.get("decimal") or ("," if separator == ";" else ".")
    return encoding, separator, decimal


def _read_csv(inp: Input, path: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding, separator, decimal = _csv_dialect(inp, path)
    with open(path, "rb") as fh:
        header_line = fh.readline().decode(encoding, errors="replace").lstrip("\ufeff")
    header = [h.strip().strip('"') for h in header_line.rstrip("\r\n").split(separator)]
    types = {}
    for name in header:
        col = inp.columns.get(name)
        if col is not None and col.type == "int":
            types[name] = pa.int64()
        elif col is not None and (col.type not in ("decimal", "money", "bool", "date", "int", "string")
                                  or col.enum):
            types[name] = pa.dictionary(pa.int32(), pa.string())
        else:
            types[name] = pa.string()
    read = pacsv.ReadOptions(encoding="utf8" if encoding.startswith("utf-8") else encoding)
    parse = pacsv.ParseOptions(delimiter=separator)
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                   null_values=[""], quoted_strings_can_be_null=True)
    try:
        table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "conversion error" not in str(exc):
            raise DataError(f"malformed CSV: {str(exc).splitlines()[0]}", Location(file=path),
                            "check quoting and that every row has as many fields as the header") from None
        # An int column holds something else: read it as text to name the row and value.
        convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in header},
                                       strings_can_be_null=True, null_values=[""])
        table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get
                            if table.num_rows and any(table.column(n).null_count for n in table.column_names
                                                      if table.schema.field(n).type == pa.int64()) else None)
    frame.attrs["decimal"] = decimal
    return frame


def _read_parquet(path: str) -> pd.DataFrame:
    import pyarrow.parquet as pq
    return pq.read_table(path).to_pandas()


def _read_xlsx(inp: Input, path: str) -> pd.DataFrame:
    sheet = inp.format.get("sheet", 0)
    frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    return frame.astype(object).where(frame.notna(), None)


# ---------------------------------------------------------------- typing and checks


def _typed_frame(inp: Input, dims: dict[str, Dimension], raw: pd.DataFrame, path: str,
                 warnings: list[str], first_row: int) -> pd.DataFrame:
    raw.columns = [str(c).strip() for c in raw.columns]
    dupes = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if dupes:
        raise DataError(f"the header repeats column '{dupes[0]}'", Location(file=path, row=1 if first_row == 2 else None),
                        "every column name must appear once")
    missing = [c.id for c in inp.columns.values() if c.id not in raw.columns and c.default is None]
    if missing:
        raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        Location(file=path, row=1 if first_row == 2 else None),
                        f"the file has: {', '.join(raw.columns) or 'no columns'}; "
                        f"input '{inp.id}' needs: {', '.join(inp.columns)}")
    extra = [c for c in raw.columns if c not in inp.columns]
    if extra:
        warnings.append(f"{path}: column{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
                        f"not declared for input '{inp.id}', ignored")
    decimal = raw.attrs.get("decimal", ".")
    out = {}
    for col in inp.columns.values():
        if col.id not in raw.columns:
            out[col.id] = _constant_column(col, dims, len(raw))
            continue
        out[col.id] = _TypedColumn(col, dims, raw[col.id], path, first_row, decimal).convert()
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    if inp.unique:
        _check_unique(inp, frame, path, first_row)
    return frame


def _constant_column(col: Column, dims, n: int) -> pd.Series:
    if col.type in dims:
        return pd.Series(pd.Categorical([col.default] * n, categories=list(dims[col.type].members)))
    if col.type == "int":
        return pd.Series(np.full(n, int(col.default), dtype=np.int64))
    if col.type in ("decimal", "money"):
        return pd.Series([Decimal(str(col.default))] * n, dtype=object)
    if col.type == "bool":
        return pd.Series(np.full(n, bool(col.default)))
    if col.type == "date":
        return pd.Series(np.full(n, np.datetime64(col.default, "s")))
    return pd.Series([col.default] * n, dtype=object)


class _TypedColumn:
    """One raw column -> its declared type, with the first bad row located.

    Text columns are factorized first (one vectorised pass over the rows); each distinct
    value is then parsed once, so a 12-million-row file with 21 regions costs 21 lookups.
    """

    def __init__(self, col: Column, dims, series: pd.Series, path: str, first_row: int, decimal: str):
        self.col, self.dims, self.series, self.path = col, dims, series, path
        self.first_row, self.decimal = first_row, decimal
        self.codes, self.values, self.empty = self.factor()

    def fail(self, index: int, message: str, hint: str | None = None) -> DataError:
        return DataError(message, Location(file=self.path, row=int(index) + self.first_row,
                                           field=self.col.id), hint)

    def first(self, mask) -> int:
        return int(np.flatnonzero(np.asarray(mask))[0])

    def factor(self):
        """Row codes into the distinct values (stripped text); -1 and blanks are empty cells."""
        s = self.series
        if s.dtype == np.int64:
            return None, None, np.zeros(len(s), dtype=bool)
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.int64)
            uniques = list(s.cat.categories)
        else:
            codes, uniq = pd.factorize(s, use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            uniques = list(uniq)
        values = [u.strip() if isinstance(u, str) else u for u in uniques]
        blank = np.asarray([v is None or (isinstance(v, str) and v == "") or
                            (isinstance(v, float) and np.isnan(v)) for v in values] + [True], dtype=bool)
        return codes, values, blank[codes]

    def mapped(self, parse, fill):
        """Parse each distinct value once; rows get the parsed value of their code.

        `parse` returns the parsed value, or BAD. Returns (values per row, bad-row mask)."""
        parsed = [parse(v) for v in self.values]
        bad_u = np.asarray([p is BAD for p in parsed] + [False], dtype=bool)
        lookup = np.empty(len(parsed) + 1, dtype=object)
        lookup[:-1] = [fill if p is BAD else p for p in parsed]
        lookup[-1] = fill
        return lookup[self.codes], bad_u[self.codes] & ~self.empty

    def convert(self) -> pd.Series:
        col = self.col
        if col.type in self.dims:
            return self.members(list(self.dims[col.type].members), col.type)
        if col.type == "string" and col.enum:
            return self.members(list(col.enum), "value")
        return getattr(self, "to_" + col.type)()

    def require(self) -> bool:
        """True when some cells are empty and allowed to be; else an error at the first one."""
        empty = self.empty
        if empty.any() and self.col.default is None and not self.col.nullable:
            raise self.fail(self.first(empty), "empty cell",
                            "fill it in, or declare a default or nullable: true for the column")
        return bool(empty.any())

    def members(self, members: list, what: str) -> pd.Series:
        """Dimension members or enumerated strings -> a Categorical in the declared order."""
        self.require()
        index = {m: i for i, m in enumerate(members)}
        ints = all(isinstance(m, int) for m in members)

        def parse(v):
            key = v
            if ints:
                try:
                    key = int(str(v))
                except ValueError:
                    return BAD
            return index.get(key, BAD)
        if self.codes is None:  # an int64 column of int members (e.g. months)
            raw = self.series.to_numpy()
            low, high = (int(raw.min()), int(raw.max())) if len(raw) else (0, 0)
            lo, hi = min(low, min(members)), max(high, max(members))
            table = np.full(hi - lo + 1, -1, dtype=np.int64)  # value -> member code
            table[np.asarray(members) - lo] = np.arange(len(members))
            codes = table[raw - lo]
            bad = codes < 0
        else:  # an int64 lookup per distinct value: no per-row Python objects
            per = np.asarray([-1 if (r := parse(v)) is BAD else r for v in self.values] + [-1], dtype=np.int64)
            bad_u = np.asarray([parse(v) is BAD for v in self.values] + [False], dtype=bool)
            codes = per[self.codes]
            bad = bad_u[self.codes] & ~self.empty
        if bad.any():
            i = self.first(bad)
            value = self.series.iloc[i]
            hint = did_you_mean(str(value).strip(), [str(m) for m in members]) or \
                f"{what} members: {', '.join(map(str, members[:8]))}" + ("…" if len(members) > 8 else "")
            label = f"unknown {what} {str(value)!r}" if what != "value" else \
                f"{str(value)!r} is not one of {', '.join(members)}"
            raise self.fail(i, label, hint)
        if self.col.default is not None and self.empty.any():
            codes = np.where(self.empty, index[self.col.default], codes)
        return pd.Series(pd.Categorical.from_codes(codes, categories=members))

    def to_int(self) -> pd.Series:
        s = self.series
        has_empty = self.require()
        if s.dtype == np.int64:  # a clean integer column (Parquet, or CSV without gaps): no copies
            self.bounds(s)
            return s
        if isinstance(s.dtype, pd.Int64Dtype):
            values = s.astype("Int64")
        else:
            def parse(v):
                if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                    return int(v)
                text = str(v).replace("\u00a0", "").replace(" ", "")
                if isinstance(v, float) and v.is_integer():
                    return int(v)
                return int(text) if re.fullmatch(r"-?\d+", text) else BAD
            parsed, bad = self.mapped(parse, None)
            if bad.any():
                i = self.first(bad)
                raise self.fail(i, f"{s.iloc[i]!r} is not a whole number", "write digits only, e.g. 12")
            values = pd.array(parsed, dtype="Int64")
            values = pd.Series(values)
        if has_empty and self.col.default is not None:
            values = values.fillna(int(self.col.default))
        self.bounds(values)
        if not values.isna().any():
            return pd.Series(values.to_numpy(dtype=np.int64))
        return values

    def bounds(self, values: pd.Series) -> None:
        """min/max of the column; a count below 0 is named as a negative count."""
        col = self.col
        if col.min is None and col.max is None:
            return
        present = values.notna().to_numpy()
        if values.dtype == object:
            arr = values.to_numpy()
            low = np.asarray([p and col.min is not None and v < col.min for v, p in zip(arr, present)], dtype=bool)
            high = np.asarray([p and col.max is not None and v > col.max for v, p in zip(arr, present)], dtype=bool)
        else:
            arr = values.to_numpy(dtype=np.int64, na_value=0)
            low = present & (arr < col.min) if col.min is not None else np.zeros(len(arr), dtype=bool)
            high = present & (arr > col.max) if col.max is not None else np.zeros(len(arr), dtype=bool)
        hint = (f"values of '{col.id}' must be between {col.min if col.min is not None else '-∞'} "
                f"and {col.max if col.max is not None else '∞'}")
        if low.any():
            i = self.first(low)
            message = (f"negative count {values.iloc[i]}" if col.min == 0 else
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
        has_empty = self.require()
        pattern = MONEY_RE if money else DECIMAL_RE

        def parse(v):
            if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                return Decimal(v)
            if isinstance(v, float):  # a spreadsheet cell: its shortest exact decimal text
                v = repr(v)
            t = str(v)
            for space in ("\u00a0", "\u2009", "\u202f", " "):
                t = t.replace(space, "")
            t = t.removesuffix("kr").removesuffix("SEK")
            if self.decimal == "," and t.count(",") == 1:
                t = t.replace(".", "")
            if not pattern.match(t):
                return BAD
            return Decimal(t.replace(",", "."))
        default = Decimal(str(self.col.default)) if self.col.default is not None else None
        parsed, bad = self.mapped(parse, default)
        if bad.any():
            i = self.first(bad)
            raise self.fail(i, f"{self.series.iloc[i]!r} is not {'an amount' if money else 'a number'}",
                            "write an amount like 1234,50 or 1 234,50 kr (at most two decimals)" if money
                            else "write a number like 12,5 or 12.5")
        values = pd.Series(parsed, dtype=object)
        self.bounds(values)
        return values

    def to_bool(self) -> pd.Series:
        has_empty = self.require()

        def parse(v):
            if isinstance(v, (bool, np.bool_)):
                return bool(v)
            word = str(v).strip().lower()
            return True if word in TRUE_WORDS else False if word in FALSE_WORDS else BAD
        default = bool(self.col.default) if self.col.default is not None else None
        parsed, bad = self.mapped(parse, default)
        if bad.any():
            i = self.first(bad)
            raise self.fail(i, f"{self.series.iloc[i]!r} is not true or false", "write ja/nej, true/false or 1/0")
        if has_empty and default is None:
            return pd.Series(parsed, dtype=object)
        return pd.Series(parsed.astype(bool))

    def to_date(self) -> pd.Series:
        self.require()

        def parse(v):
            if hasattr(v, "date") and not isinstance(v, str):
                v = v.date().isoformat()
            elif hasattr(v, "isoformat") and not isinstance(v, str):
                v = v.isoformat()
            text = str(v)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return BAD
            try:
                return np.datetime64(text, "s")
            except ValueError:
                return BAD
        default = np.datetime64(self.col.default, "s") if self.col.default is not None else np.datetime64("NaT")
        parsed, bad = self.mapped(parse, default)
        if bad.any():
            i = self.first(bad)
            raise self.fail(i, f"{self.series.iloc[i]!r} is not a date", "write dates as YYYY-MM-DD, e.g. 2026-03-16")
        return pd.Series(parsed.astype("datetime64[s]"))

    def to_string(self) -> pd.Series:
        self.require()
        parsed, _ = self.mapped(lambda v: str(v), self.col.default)
        return pd.Series(parsed, dtype=object)


BAD = object()  # a value that does not parse as its column's type


def _check_unique(inp: Input, frame: pd.DataFrame, path: str, first_row: int) -> None:
    cols = list(inp.by.values())
    dup = frame.duplicated(subset=cols, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        first = rows[0]
        key = {c: frame[c].iloc[first] for c in cols}
        same = [r for r in rows if all(frame[c].iloc[r] == key[c] for c in cols)]
        where = ", ".join(f"{c}={v}" for c, v in key.items())
        raise DataError(f"rows {same[0] + first_row} and {same[1] + first_row} both hold {where}",
                        Location(file=path, row=int(same[1] + first_row)),
                        f"input '{inp.id}' allows one row per {', '.join(inp.by)}; merge or remove one")
