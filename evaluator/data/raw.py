"""A file's cells as read, before typing: the one shape every reader hands on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .rows import RowMap


@dataclass
class Raw:
    """A file as read: cells as text (or as stored, for Parquet/XLSX), not yet typed."""

    frame: Any  # a pandas DataFrame; None when only the header of a file to stream is checked
    rows: RowMap
    decimal: str = "."
    sha256: str | None = None
    header_row: int | None = 1  # where the header is, for header errors (None: inline rows)
    separator: str = ","  # for the header line a fix names
    header: list[str] | None = None  # every column of the file, when only some were read
    inline: bool = False  # fixture rows: every declared column is present by construction
    memory: bool = False  # an in-memory table: columns have names, not a header line


@dataclass
class Piece:
    """Some records of a large file as pyarrow read them (`table`), the first being record
    `offset` of the file: summed straight from Arrow when every cell is plainly valid
    (arrow_cube.py), otherwise handed on as cells for typing by `raw()`."""

    table: Any  # a pyarrow.Table
    offset: int
    to_raw: Callable[[Any, int], Raw]

    def raw(self) -> Raw:
        """The cells for typing; the Arrow table is let go (its memory freed as it converts)."""
        table, self.table = self.table, None
        return self.to_raw(table, self.offset)
