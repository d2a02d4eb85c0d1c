"""Property tests for the readers: random and mutated CSV (both dialects), XLSX and Parquet files
read through `load_tables`. Each read gives a typed table or one located `DataError`; nothing
else may escape, and a money column is Decimal, never float.

VILLKOR_FUZZ_EXAMPLES raises the number of examples for a longer hunt.
"""

from __future__ import annotations

import io
import os
import tempfile
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evaluator.data import load_tables
from evaluator.errors import DataError
from evaluator.policy.model import Column, Dimension, Input

from support import villkor, write

EXAMPLES = int(os.environ.get("VILLKOR_FUZZ_EXAMPLES", "120"))
FUZZ = settings(deadline=3000, max_examples=EXAMPLES, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

REGIONS = ("Stockholm", "Uppsala", "Södermanland", "Gotland")
DIMS = {"region": Dimension("region", REGIONS)}
INPUT = Input("t", {
    "region": Column("region", "region"),
    "amount": Column("amount", "money", nullable=True, min=0),
    "n": Column("n", "int", default=0),
    "share": Column("share", "decimal", optional=True, default=1),
    "ok": Column("ok", "bool", default=False),
    "day": Column("day", "date", nullable=True),
    "note": Column("note", "string", nullable=True),
}, by={"region": "region"})
HEADER = list(INPUT.columns)

CELL = st.one_of(
    st.sampled_from(["", " ", "Stockholm", "Uppsala", "So\u0308dermanland", "Upp\u200bsala", "Gotlnd",
                     "1 000 000,50", "20000000.25", "20.000", "1,500", "1000.005", "9" * 29, "-3", "١٢",
                     "１２", "1e16", "ja", "nej", "true", "2026-03-16", "0000-01-01", "2026-02-30", "\"",
                     "kr", "1 234 kr", "NaN", "inf", "sep=;", "=A1", "\ufeff"]),
    st.text(max_size=8),
    st.integers(-10 ** 20, 10 ** 20).map(str),
    st.decimals(allow_nan=True, places=3).map(str),
)


def read(folder: str):
    """Typed tables or one DataError; a money column holds Decimals (or None) only."""
    try:
        tables = load_tables({"t": INPUT}, DIMS, folder)
    except DataError as err:
        assert err.message and str(err)
        return None
    amounts = tables.tables["t"].frame["amount"]
    assert all(v is None or isinstance(v, Decimal) for v in amounts)
    return tables


def read_file(name: str, content: bytes):
    with tempfile.TemporaryDirectory(prefix="villkor-fuzz") as folder:
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(content)
        return read(folder)


def csv_text(rows, sep: str, header) -> str:
    def quote(cell):
        return '"' + cell.replace('"', '""') + '"' if (sep in cell or '"' in cell or "\n" in cell) else cell
    return "\n".join(sep.join(quote(c) for c in row) for row in [header] + rows) + "\n"


ROWS = st.lists(st.lists(CELL, min_size=len(HEADER), max_size=len(HEADER)), max_size=6)


@FUZZ
@given(rows=ROWS, sep=st.sampled_from([",", ";"]), header=st.permutations(HEADER))
def test_random_csv_cells(rows, sep, header):
    read_file("t.csv", csv_text(rows, sep, header).encode("utf-8"))


@FUZZ
@given(rows=ROWS, sep=st.sampled_from([",", ";"]),
       edits=st.lists(st.tuples(st.integers(0, 10 ** 6), st.binary(max_size=3)), max_size=4))
def test_mutated_csv_bytes(rows, sep, edits):
    data = bytearray(csv_text(rows, sep, HEADER).encode("utf-8"))
    for at, new in edits:
        at %= len(data) + 1
        data[at:at + len(new)] = new
    read_file("t.csv", bytes(data))


@settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))
@given(rows=st.lists(st.lists(st.one_of(CELL, st.integers(-10 ** 18, 10 ** 18), st.floats(allow_nan=False),
                                        st.none(), st.booleans()),
                              min_size=len(HEADER), max_size=len(HEADER)), max_size=4))
def test_random_xlsx_cells(rows):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    try:
        for row in rows:
            ws.append(row)
    except IllegalCharacterError:
        return
    buffer = io.BytesIO()
    wb.save(buffer)
    read_file("t.xlsx", buffer.getvalue())


PARQUET_COLUMN = st.sampled_from(["strings", "ints", "uint64", "floats", "nulls", "lists", "decimals", "bools"])


@settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))
@given(kinds=st.lists(PARQUET_COLUMN, min_size=len(HEADER), max_size=len(HEADER)), n=st.integers(0, 4),
       seed=st.integers(0, 2 ** 32 - 1))
def test_random_parquet_columns(kinds, n, seed):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    make = {
        "strings": lambda: pa.array([str(rng.choice(["Uppsala", "", "12", "ja", "2026-01-01", "x"])) for _ in range(n)]),
        "ints": lambda: pa.array(rng.integers(-5, 5, n)),
        "uint64": lambda: pa.array(rng.integers(0, 2 ** 63, n, dtype=np.uint64) * np.uint64(2), pa.uint64()),
        "floats": lambda: pa.array(rng.choice([0.5, np.nan, 1e16, -1.0], n)),
        "nulls": lambda: pa.nulls(n),
        "lists": lambda: pa.array([[1]] * n),
        "decimals": lambda: pa.array([Decimal("1.005")] * n, pa.decimal128(10, 3)),
        "bools": lambda: pa.array(rng.choice([True, False], n)),
    }
    table = pa.table({name: make[kind]() for name, kind in zip(HEADER, kinds)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    read_file("t.parquet", buffer.getvalue())


POLICY = """\
policy: fuzz
title: Fuzz
version: "1"
valid: {from: 2026-01-01, to: 2026-12-31}
sources:
  doc: {document: seeds/example.txt}
dimensions:
  region: {members: [Stockholm, Uppsala, Södermanland, Gotland]}
inputs:
  t:
    by: {region: region}
    columns:
      region: {type: region}
      amount: {type: money, nullable: true, min: 0}
      n: {type: int, default: 0}
      share: {type: decimal, default: 1, optional: true}
      ok: {type: bool, default: false}
      day: {type: date, nullable: true}
      note: {type: string, nullable: true}
rules:
  total:
    per: [region]
    expr: sum(t.amount)
    unit: kr
    source: {ref: doc}
outputs: [total]
"""


@pytest.mark.parametrize("text", [
    "region,amount,n,ok,day,note\nUppsala,\"1,500\",1,ja,,\n",
    "region;amount;n;ok;day;note\nUppsala;20.000;1;ja;;\n",
    "region,amount,n,ok,day,note\nUppsala,1,１,ja,,\n",
    "region,amount,n,ok,day,note\nUppsala,1,1,ja,0000-01-01,\n",
    "region,amount,n,ok,day,note\nUppsala," + "9" * 29 + ",1,ja,,\n",
    "region,amount,n,ok,day,note\n\x00\xff,1,1,ja,,\n",
])
def test_hostile_cells_through_villkor_run(tmp_path, text):
    policy = write(tmp_path / "fuzz.yaml", POLICY)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "t.csv").write_text(text, encoding="utf-8")
    proc = villkor("run", policy, "--data", folder, "-o", tmp_path / "out.json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.startswith(f"{folder / 't.csv'}: row 2: column '")
    assert not (tmp_path / "out.json").exists()
