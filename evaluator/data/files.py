"""Finding an input's file in the data folder, fingerprinting it, and handing it to the reader
of its format; any reader failure becomes a located DataError."""

from __future__ import annotations

import hashlib
import os
import stat

from ..errors import DataError, Location
from ..policy.model import Dimension, Input
from .csv_file import read_csv
from .parquet_file import read_parquet
from .raw import Raw
from .xlsx_file import read_xlsx

EXTENSIONS = (".csv", ".parquet", ".xlsx")


def find_file(inp: Input, data_dir: str) -> str | None:
    found = [os.path.join(data_dir, inp.id + ext) for ext in EXTENSIONS
             if os.path.lexists(os.path.join(data_dir, inp.id + ext))]
    if len(found) > 1:
        raise DataError(f"input '{inp.id}' has more than one file: {', '.join(found)}",
                        Location(file=data_dir), "keep exactly one of them")
    if not found:
        return None
    path = found[0]
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DataError(f"{os.path.basename(path)} is a link to {os.readlink(path)}, which does not exist",
                        Location(file=path), "point the link at the data file, or copy the file here") from None
    except PermissionError:
        raise DataError("permission denied: cannot reach the file", Location(file=path),
                        "make the file and its folder readable for the user running villkor") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "not a regular file"
        raise DataError(f"{os.path.basename(path)} is {kind}, not a data file", Location(file=path),
                        "give a plain CSV, Parquet or XLSX file")
    return path


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(inp: Input, path: str, dimensions: dict[str, Dimension]) -> Raw:
    """The file's cells and its sha256; any reader failure becomes a located DataError."""
    try:
        if path.endswith(".parquet"):
            raw = read_parquet(inp, path)
        elif path.endswith(".xlsx"):
            raw = read_xlsx(inp, path)
        else:
            raw = read_csv(inp, path, dimensions)
    except DataError:
        raise
    except PermissionError:
        raise DataError("permission denied: the file cannot be read", Location(file=path),
                        "make the file readable (chmod +r) for the user running villkor") from None
    except Exception as exc:  # a file the readers cannot parse at all
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot read {os.path.basename(path)}: {first}", Location(file=path),
                        "check that the file is a valid CSV, Parquet or XLSX file") from None
    raw.sha256 = sha256(path)
    return raw
