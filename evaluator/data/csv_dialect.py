"""A CSV file's dialect (encoding, separator, decimal mark, lines before the header) and its
header line, read before any record."""

from __future__ import annotations

import codecs
import csv
import re

from ..errors import DataError, Location
from ..policy.model import Input


def not_utf8(path: str, row: int | None) -> DataError:
    return DataError("the file is not UTF-8 text", Location(file=path, row=row),
                     "save it as UTF-8 (CSV UTF-8 in Excel), or declare format: {encoding: cp1252} "
                     "for the input")


def first_bad_utf8_line(path: str) -> int | None:
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


def csv_dialect(inp: Input, path: str) -> tuple[str, str, str, int]:
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
            raise not_utf8(path, head[:exc.start].count(b"\n") + 1) from None
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


def csv_header(path: str, encoding: str, separator: str, skip: int = 0) -> list[str]:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        for fields in csv.reader(fh, delimiter=separator):
            if fields:
                return [f.strip().lstrip("\ufeff") for f in fields]
    return []
