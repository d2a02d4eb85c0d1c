"""Reading input tables: one CSV, Parquet or XLSX file per declared input (or tables given in
memory, or rows written inline), typed and checked; large files streamed, summed tables cubed.

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
column, the bad value and what was expected.

Modules, in the order a file passes through them: load.py (the data folder), files.py (one
input's file, its fingerprint, its format's reader), csv_dialect.py and csv_file.py,
parquet_file.py, xlsx_file.py (the readers), raw.py and rows.py (cells as read, row numbers as
a person sees them), typed.py (the declared columns) with header.py, column.py, cells.py,
members.py and keys.py, validity.py (dates against the policy's validity), tables.py (the
result); memory.py and inline.py read tables given in memory or inline; streaming.py reads a
large file when the evaluation knows what it needs, in pieces (parquet_stream.py,
csv_stream.py); cube.py sums a table into the cube its rules read (numpy columns, member codes
as `Coded`, not a pandas frame) and arrow_cube.py sums a clean piece of a file straight from
Arrow. pandas is imported only where a frame is built: a run whose large files are all summed
from Arrow never imports it.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as mypy sees them; at run time each comes from its module when asked for
    from .cells import cell_text
    from .files import sha256
    from .inline import tables_from_rows
    from .load import load_tables, read_inputs
    from .memory import read_tables
    from .tables import Table, Tables
    from .xlsx_file import read_xlsx

_HOMES = {"cell_text": "cells", "sha256": "files", "tables_from_rows": "inline", "load_tables": "load",
          "read_inputs": "load", "read_tables": "memory", "Table": "tables", "Tables": "tables",
          "read_xlsx": "xlsx_file"}

__all__ = ["Table", "Tables", "cell_text", "load_tables", "read_inputs", "read_tables",
           "read_xlsx", "sha256", "tables_from_rows"]


def __getattr__(name: str):
    """Each name from its module when first asked for: a run that streams its files never
    imports the modules that build pandas tables (inline rows, tables in memory, typing)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
