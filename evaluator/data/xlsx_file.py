"""XLSX workbooks: cells as stored, sheet row numbers kept; merged cells, unsaved formulas and
a header below other text or on another sheet are refused with the fix."""

from __future__ import annotations

import re

import numpy as np

from ..errors import DataError, Location
from ..policy.model import Input
from .cells import clean_text
from .header import check_duplicate_header
from .raw import Raw
from .rows import RowMap


def read_xlsx(inp: Input, path: str) -> Raw:
    """Cells as stored (text, numbers, dates); rows keep their sheet row numbers, blank rows skip."""
    import pandas as pd
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
    names = _named_header(header, width, records, path, header_row)
    columns = list(zip(*[tuple(r) + (None,) * (width - len(r)) for r in records])) or [()] * width
    frame = pd.DataFrame({name: pd.Series(list(col), dtype=object)
                          for name, col in zip(names, columns) if name is not None})
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
    names: list[str | None] = []
    for i, name in enumerate(header):
        if name:
            names.append(name)
        elif any(i < len(r) and r[i] is not None for r in records):
            raise DataError(f"column {i + 1} has values but no name in the header",
                            Location(file=path, row=row), "write the column's name in the header row")
        else:
            names.append(None)
    check_duplicate_header([n for n in names if n is not None], path, row)
    return names
