"""Pre-aggregation: an input table summed once into the small cube its rules can see.

Most rules over a record-level table are filtered sums, `sum(procedures[year = 2026 and
month in period_months].count)`, grouped to a grain by the table's `by` columns. Such a sum
is the same whether it runs over 12 million procedure rows or over the few thousand rows
that remain after summing the summed columns per distinct combination of every column a
filter or a grain reads: a filter keeps or drops all the rows of one combination together.
So a table whose every use is such a sum is replaced, for evaluation, by that cube and every
rule runs unchanged over it.

Whenever a rule reads the table in any other way (counts its rows, takes a minimum, reads
the one row of a unique table, filters on a date, a free-text or a wide-ranging column), or
a summed column is not a plain whole number, the table keeps its rows: the cube is an
optimisation that never changes a result (tests/data/test_cube.py compares both on random
policies and data). Each cell also keeps how many input rows it sums (`Cube.records`), so
that an explanation reports the rows a sum matched as the rows themselves would; only an
explanation that lists those rows (`explain --rows`) and the fixtures evaluate the rows.

A cube is a `Cube` of numpy columns, not a pandas table: a run whose large files are summed
from Arrow (arrow_cube.py) never imports pandas, which alone takes longer than summing a
million records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..lang import ast
from .tables import Table, Tables

AGGREGATED = 8  # the cube is used only when it has at most 1/8 of the table's rows
MAX_CELLS = 1 << 24  # the dense key space a cube may address (the product of the radices)
INT_RANGE = 1 << 12  # an int column spanning more values than this is not grouped on
SUM_LIMIT = 1 << 62  # sums must stay far from int64 overflow


@dataclass(frozen=True)
class Coded:
    """A grouped member column of a cube: each cell's member code (-1: an empty cell) and the
    members the codes stand for, as a typed table's Categorical holds them."""

    codes: np.ndarray
    members: tuple


Column = Coded | np.ndarray  # member codes, or an int64 / bool column


class Cube:
    """A table summed into its cells, one row per combination present: the grouped columns and
    the summed ones, by name, and `records`, the number of input rows each cell sums (int64).
    The engine reads its columns as it reads a typed table's."""

    def __init__(self, columns: dict[str, Column], records: np.ndarray):
        self.columns, self.records = columns, records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def to_pandas(self):
        """The cube as the typed pandas table it stands for (member columns as Categoricals):
        to look at it, or to compare it with a table summed another way."""
        import pandas as pd

        return pd.DataFrame({name: pd.Categorical.from_codes(col.codes, categories=list(col.members))
                             if isinstance(col, Coded) else col for name, col in self.columns.items()},
                            index=pd.RangeIndex(len(self)))


def stacked(cubes: list[Cube]) -> Cube:
    """Cubes of the same columns one after the other: partial sums that still sum to the whole."""
    first = cubes[0]
    columns: dict[str, Column] = {}
    for name, col in first.columns.items():
        if isinstance(col, Coded):
            columns[name] = Coded(np.concatenate([_codes(c[name]) for c in cubes]), col.members)
        else:
            columns[name] = np.concatenate([c[name] for c in cubes])
    return Cube(columns, np.concatenate([c.records for c in cubes]))


def _codes(column: Column) -> np.ndarray:
    assert isinstance(column, Coded), "cubes of one table group the same columns"
    return column.codes


@dataclass
class Uses:
    """How the rules use one table: the columns summed and the columns filters read."""

    summed: set[str]
    filtered: set[str]
    other: bool = False  # some use that is not a filtered sum: the table keeps its rows


def cube_tables(plan, tables: Tables, shrink: int = AGGREGATED) -> Tables:
    """`tables` with every table that only feeds filtered sums replaced by its cube, where
    the cube has at most 1/`shrink` of the table's rows."""
    uses = table_uses(plan)
    out = dict(tables.tables)
    for tid, use in uses.items():
        table = tables.tables.get(tid)
        if table is None or use.other or not use.summed or use.summed & use.filtered:
            continue  # a filter on a summed column would read sums instead of values
        inp = plan.policy.inputs[tid]
        group, summed = sorted(use.filtered | set(inp.by.values())), sorted(use.summed)
        if table.stream is not None:  # a large file not read yet: summed while it is read
            frame = table.stream.cube(group, summed)
        else:
            frame = aggregate(table.frame, group, summed, shrink)
        if frame is not None:
            out[tid] = Table(tid, frame, table.path, table.sha256, table.rows)
    return replace(tables, tables=out)


def table_uses(plan) -> dict[str, Uses]:
    """For each input table, the columns its filtered sums read, and whether anything else does."""
    policy = plan.policy
    uses = {tid: Uses(set(), set()) for tid in policy.inputs}
    for pr in plan.order + plan.checks:
        _scan(pr.checked, pr.checked.node, policy, uses, handled=set())
    return uses


def _scan(checked, node, policy, uses: dict[str, Uses], handled: set[int]) -> None:
    summed = _filtered_sum(node, policy)
    if summed is not None:
        table, column, cond = summed
        use = uses[table]
        use.summed.add(column)
        if cond is not None:
            columns = _filter_columns(checked, cond, policy.inputs[table])
            if columns is None:
                use.other = True
            else:
                use.filtered |= columns
        source = node.args[0].source
        handled.add(id(source.source if isinstance(source, ast.Filter) else source))
    if isinstance(node, ast.Name) and node.id in policy.inputs and id(node) not in handled:
        if checked.types.get(id(node)) is not None and checked.types[id(node)].kind == "table":
            uses[node.id].other = True
    for child in node.children():
        _scan(checked, child, policy, uses, handled)


def _filtered_sum(node, policy):
    """(table, column, filter or None) for `sum(T.c)` or `sum(T[cond].c)`, else None."""
    if not (isinstance(node, ast.Call) and node.func == "sum" and len(node.args) == 1):
        return None
    arg = node.args[0]
    if not isinstance(arg, ast.Path):
        return None
    source, cond = arg.source, None
    if isinstance(source, ast.Filter):
        source, cond = source.source, source.cond
    if not (isinstance(source, ast.Name) and source.id in policy.inputs):
        return None
    col = policy.inputs[source.id].columns.get(arg.name)
    if col is None or col.type != "int":
        return None
    return source.id, arg.name, cond


def _filter_columns(checked, cond, inp) -> set[str] | None:
    """The table's columns a filter reads, or None when the filter holds something a cube
    cannot answer (an aggregate, a nested filter, a path into another table)."""
    columns = set()
    for node in ast.walk(cond):
        if isinstance(node, (ast.Call, ast.Filter, ast.Path)) and not _plain_call(node):
            return None
        if isinstance(node, ast.Name) and node.id in inp.columns:
            t = checked.types.get(id(node))
            if t is not None and t.rows == inp.id:
                columns.add(node.id)
    return columns


def _plain_call(node) -> bool:
    """Calls on values of a row (abs, round, ...) are fine; aggregates and filters are not."""
    return isinstance(node, ast.Call) and node.func not in ("sum", "min", "max", "mean", "count")


def aggregate(frame, group: list[str], summed: list[str], shrink: int = AGGREGATED):
    """The table's rows summed per distinct combination of `group`, or None when a column
    cannot be grouped (not a code, a flag or a narrow whole number) or the cube would not be
    much smaller than the table."""
    n = len(frame)
    if n == 0:
        return None
    parts = [_radix(frame[c]) for c in group]
    if any(p is None for p in parts):
        return None
    values = []
    for c in summed:
        column = frame[c]
        if column.dtype != np.int64:
            return None
        values.append(column if isinstance(column, np.ndarray) else column.to_numpy())
    records = frame.records if isinstance(frame, Cube) else None  # a cube summed again: its cells' rows
    return summed_cells(dict(zip(group, parts)), dict(zip(summed, values)), n, shrink, records)


def summed_cells(parts: dict, summed: dict[str, np.ndarray], n: int, shrink: int = AGGREGATED,
                 records: np.ndarray | None = None):
    """The cube of `n` rows: `parts` are the grouped columns as radix parts (`code_part`,
    `int_part`), `summed` the int64 columns to sum. None when the key space is too large, a
    sum could overflow, or the cube would not have at most 1/`shrink` of the rows. `records`:
    how many input rows each of the `n` rows already sums (partial cubes), else one each.

    Both ways into a cube end here (aggregate: a typed pandas table; arrow_cube.py: a piece of
    a file as Arrow read it), so that they give the same cells in the same order."""
    cells = int(np.prod([size for _, _, size, _ in parts.values()], dtype=object)) if parts else 1
    if cells > MAX_CELLS:
        return None
    sums = []
    for arr in summed.values():
        low, high = (int(arr.min()), int(arr.max()))
        if max(abs(low), abs(high)) * n >= SUM_LIMIT:
            return None
        sums.append((arr, low if low == high else None))
    key = _key(list(parts.values()), n)
    rows = np.bincount(key, minlength=cells)
    present = np.flatnonzero(rows)
    if len(present) * shrink > n:
        return None
    out: dict[str, Column] = {}
    rest = present.copy()
    decoded = []
    for _, _, size, _ in reversed(list(parts.values())):
        decoded.append(rest % size)
        rest //= size
    for c, (_, _, _, rebuild), codes in zip(parts, parts.values(), reversed(decoded)):
        out[c] = rebuild(codes)
    for c, (arr, constant) in zip(summed, sums):
        total = rows[present] * constant if constant is not None else _sum_by(key, arr, cells)[present]
        out[c] = np.asarray(total, dtype=np.int64)
    counted = rows[present] if records is None else _sum_by(key, records, cells)[present]
    return Cube(out, np.asarray(counted, dtype=np.int64))


def _sum_by(key: np.ndarray, values: np.ndarray, cells: int) -> np.ndarray:
    """Exact int64 sums per key. bincount adds in float64, which is exact while every partial
    sum stays below 2**53; longer or larger columns are summed in pieces that do."""
    exact = 1 << 53
    peak = max(int(np.abs(values).max()), 1)
    step = max(1, (exact - 1) // peak)
    out = np.zeros(cells, dtype=np.int64)
    for start in range(0, len(key), step):
        out += np.bincount(key[start:start + step], weights=values[start:start + step],
                           minlength=cells).astype(np.int64)
    return out


def _key(parts, n: int) -> np.ndarray:
    """Each row's cell in the cube, row-major, built in place: no temporary per column. int32
    holds every cell (MAX_CELLS < 2**31) in half the memory int64 takes to pass over."""
    key = np.zeros(n, dtype=np.int32)
    for values, offset, size, _ in parts:
        key *= size
        key += values
        if offset:
            key += offset
    return key


def _radix(column):
    """The radix part of a column a cube can group on (of a typed pandas table or of a cube),
    else None."""
    if isinstance(column, Coded):
        return code_part(column.codes, column.members)
    if not isinstance(column, np.ndarray):  # a typed table's column
        import pandas as pd

        if isinstance(column.dtype, pd.CategoricalDtype):
            return code_part(column.cat.codes.to_numpy(), tuple(column.dtype.categories))
        if column.dtype not in (np.bool_, np.int64):
            return None
        column = column.to_numpy()
    if column.dtype == np.bool_:
        return column, 0, 2, lambda c: c.astype(bool)
    if column.dtype == np.int64:
        return int_part(column)
    return None


def code_part(codes: np.ndarray, members: tuple):
    """(values, offset, size, codes -> column like the original) for member codes 0..k-1
    (-1 empty): values + offset run over 0..size-1, 0 being an empty cell."""
    from .members import code_type

    def rebuild(c):
        return Coded((c - 1).astype(code_type(len(members))), members)
    return codes, 1, len(members) + 1, rebuild


def int_part(arr: np.ndarray):
    """The radix part of an int64 column, or None when it spans too many values to group on."""
    low, high = int(arr.min()), int(arr.max())
    if high - low >= INT_RANGE:
        return None
    return arr, -low, high - low + 1, lambda c: c + low
