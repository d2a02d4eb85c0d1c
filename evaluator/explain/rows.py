"""The input rows behind an aggregate at a key (`villkor explain --rows`).

The one place an explanation goes back to the data: an aggregate's filter is re-applied as
one whole-column mask and the matched rows are listed with their line numbers in the file
(a file's header is line 1), at most `max_rows` of them.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

import numpy as np

from ..errors import VillkorError
from ..lang import ast, values as V
from ..lang.values import TableView, Val
from ..present import json_value
from .nodes import Rows


class RowReader:
    """Rows of the run's input tables at keys, for one policy."""

    def __init__(self, reader, max_rows: int):
        self.reader = reader
        self.policy = reader.policy
        self.max_rows = max_rows

    def key_mask(self, table: str | None, key: dict) -> np.ndarray | None:
        if table is None or table not in self.policy.inputs:
            return None
        scope = self.reader.scope
        try:
            n = scope.nrows(table)
        except (VillkorError, KeyError):
            return None
        mask = np.ones(n, dtype=bool)
        for d, m in key.items():
            if d not in self.policy.inputs[table].by:
                continue
            mask &= scope.codes(table, d) == self.reader.index[d][m]
        return mask

    def add_records(self, rows: Rows, pr, arg: ast.Node, table: str, key: dict, column) -> None:
        """The input rows an aggregate used at `key`: its filter re-applied as one mask."""
        from ..lang.interp import Ctx, Interp
        interp = Interp(self.reader.scope, pr.checked, pr.per, None)
        with decimal.localcontext(V.FEEL_CONTEXT):
            got = interp.eval(arg, Ctx())
        mask = self.key_mask(table, {d: key[d] for d in pr.per if d in key})
        if mask is None:
            return
        if isinstance(got, TableView):
            if got.mask is not None:
                mask &= got.mask
        elif isinstance(got, Val):
            if got.mask is not None:
                mask &= got.mask
            if got.null is not None and got.null.shape == mask.shape:
                mask &= ~got.null
        self.records(rows, table, np.flatnonzero(mask))

    def records(self, rows: Rows, table: str, positions: np.ndarray) -> None:
        source = self.reader.scope.tables.tables[table]
        frame = source.frame
        first = 2 if getattr(source, "path", None) else 1  # a file's header is row 1; inline rows count from 1
        limit = self.max_rows
        shown = positions[:limit]
        cols = list(self.policy.inputs[table].columns)
        cols = [c for c in cols if c in frame.columns]
        records = []
        sub = frame.iloc[shown][cols]
        for pos, (_, rec) in zip(shown, sub.iterrows()):
            item = {"row": int(pos) + first}
            for c in cols:
                x = rec[c]
                item[c] = json_value(plain_cell(x))
            records.append(item)
        rows.records = records
        rows.records_omitted = int(len(positions) - len(shown))


def plain_cell(x):
    """A pandas cell as a plain exact value."""
    if x is None:
        return None
    try:
        import pandas as pd
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return Decimal(str(x))
    if hasattr(x, "date") and callable(x.date) and not isinstance(x, dt.date):
        return x.date()
    if isinstance(x, dt.datetime):
        return x.date()
    return x
