"""One raw column -> its declared type, with the first bad row located by a mask.

Text columns are factorized once and only their distinct values are parsed, so 12 million
rows with 21 regions cost 21 lookups; the first bad row is found with a mask."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..errors import DataError, Location, did_you_mean
from ..policy.model import Column
from .cells import BAD, Refusal, cell_text, clean_text, is_blank, parse_bool, parse_date, parse_decimal, parse_int
from .members import code_type, int_member_codes, member_key, members_hint
from .raw import Raw


class TypedColumn:
    """One raw column -> its declared type, with the first bad row located by a mask.

    Text columns are factorized (one vectorised pass); each distinct value is parsed once and
    rows take the parsed value of their code."""

    def __init__(self, col: Column, dims, series: pd.Series, path: str, raw: Raw):
        self.col, self.dims, self.series, self.path = col, dims, series, path
        self.rows, self.decimal = raw.rows, raw.decimal
        members = dims[col.type].members if col.type in dims else ()
        whole = col.type == "int" or (bool(members) and all(isinstance(m, int) for m in members))
        self.codes, self.values, self.blank = self.factor(whole)
        self._empty: np.ndarray | None = None

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
        blank = np.asarray([is_blank(v) for v in values] + [True], dtype=bool)
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
            codes = int_member_codes(self.series.to_numpy(), members)
            if codes.min(initial=0) < 0:
                raise self.unknown_member(self.first(codes < 0), members, what)
        else:
            index = {m: i for i, m in enumerate(members)}
            per = np.asarray([index.get(member_key(v, ints), -1) for v in self.values] + [-1],
                             dtype=code_type(len(members)))
            unknown = (per < 0) & ~self.blank  # per distinct value: no row-level pass unless one is bad
            if unknown.any():  # a Parquet dictionary may hold values no row uses: only a row's value is bad
                used = unknown[self.codes]
                if used.any():
                    raise self.unknown_member(self.first(used), members, what)
            codes = per[self.codes]
        if self.col.default is not None and self.empty.any():
            codes = np.where(self.empty, self.default_code(members), codes).astype(codes.dtype)
        # the codes are valid by construction: pandas need not scan them again
        return pd.Series(pd.Categorical.from_codes(codes, categories=members, validate=False))

    def default_code(self, members: list) -> int:
        ints = all(isinstance(m, int) for m in members)
        key = member_key(self.col.default, ints)
        if key not in members:
            raise DataError(f"the default {self.col.default!r} is not a member", Location(
                file=self.path, field=self.col.id), members_hint(self.col.type, members))
        return members.index(key)

    def unknown_member(self, i: int, members: list, what: str) -> DataError:
        value = str(self.series.iloc[i]).strip()
        names = [str(m) for m in members]
        ints = all(isinstance(m, int) for m in members)
        hint = (None if ints else did_you_mean(value, names)) or members_hint(what, members)
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
            parsed, bad = self.mapped(parse_int, None)
            if bad.any():
                i = self.first(bad)
                why = self.refusal(i, parse_int)
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
            return parse_decimal(v, self.decimal, money)
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
        parsed, bad = self.mapped(parse_bool, default)
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
        parsed, bad = self.mapped(parse_date, default)
        if bad.any():
            i = self.first(bad)
            why = self.refusal(i, parse_date)
            if why is not None:
                raise self.fail(i, f"{self.shown(i)}: {why.message}", why.hint)
            raise self.fail(i, f"{self.shown(i)} is not a date", "write dates as YYYY-MM-DD, e.g. 2026-03-16")
        return pd.Series(parsed.astype("datetime64[s]"))

    def to_string(self) -> pd.Series:
        """Text as object str, stripped; no per-value work beyond the distinct values."""
        self.require()
        fill = str(self.col.default) if self.col.default is not None else None
        parsed, _ = self.mapped(lambda v: v if isinstance(v, str) else cell_text(v), fill)
        return pd.Series(parsed, dtype=object)


def _bounds_hint(col: Column) -> str:
    if col.max is None:
        return f"values of '{col.id}' must be {col.min} or more"
    if col.min is None:
        return f"values of '{col.id}' must be {col.max} or less"
    return f"values of '{col.id}' must be between {col.min} and {col.max}"
