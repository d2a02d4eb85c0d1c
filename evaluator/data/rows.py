"""Row numbers as a person sees them: a record's index in a table -> its row in the file."""

from __future__ import annotations

import csv
import mmap
import os
from dataclasses import dataclass

import numpy as np


@dataclass
class RowMap:
    """Record index -> the row a person sees: the header is row 1 in a file, rows of inline
    data count from 1. XLSX keeps the sheet rows of its records; a CSV is rescanned only
    when an error is reported and the file has blank lines (which the reader skips)."""

    first: int = 2
    numbers: np.ndarray | None = None
    csv: tuple[str, str, str, int] | None = None  # path, encoding, separator, lines skipped
    offset: int = 0  # records of the file before this piece of it (a file read in batches)

    def __call__(self, index: int) -> int:
        if self.numbers is not None:
            return int(self.numbers[index])
        if self.csv is not None and has_blank_lines(self.csv[0]):
            return csv_record_row(*self.csv, int(index) + self.offset)
        return int(index) + self.offset + self.first


def has_blank_lines(path: str) -> bool:
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\n\n") >= 0 or mm.find(b"\n\r\n") >= 0 or mm[:1] in (b"\n", b"\r")


def csv_records(path: str, encoding: str, separator: str, skip: int = 0):
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


def csv_record_row(path: str, encoding: str, separator: str, skip: int, index: int) -> int:
    for i, (row, _) in enumerate(csv_records(path, encoding, separator, skip)):
        if i == index:
            return row
    return index + 2 + skip
