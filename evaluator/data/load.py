"""Reading a policy's inputs from a data folder: the one way every command reads files."""

from __future__ import annotations

import os

from ..errors import DataError, Location
from ..policy.model import Dimension, Input
from ..result import Notice
from .files import EXTENSIONS, find_file, read_file
from .tables import Table, Tables


def read_inputs(policy, data_dir: str) -> Tables:
    """A policy's inputs from `data_dir`: the one way every command reads data, so each of them
    checks the data against the policy's validity window too. A large Parquet or CSV file
    (streaming.py) has its header checked here and its rows read when evaluation needs them."""
    return load_tables(policy.inputs, policy.dimensions, data_dir, valid=policy.valid, defer=True)


def load_tables(inputs: dict[str, Input], dimensions: dict[str, Dimension], data_dir: str,
                valid=None, defer: bool = False) -> Tables:
    """Every declared input from its file in `data_dir`, typed; optional inputs may be absent.

    With `valid` (the policy's validity), a table whose dates and years all fall outside it is
    warned about: the data is probably from another year than the policy. With `defer`, large
    Parquet and CSV files are read later, streamed (streaming.py); their errors are the same."""
    if not os.path.isdir(data_dir):
        raise DataError(f"no data folder {data_dir}", Location(file=data_dir),
                        "give --data a folder holding one file per input table")
    try:
        os.listdir(data_dir)
    except PermissionError:
        raise DataError(f"permission denied: cannot list the data folder {data_dir}", Location(file=data_dir),
                        "make the folder readable (chmod +rx) for the user running villkor") from None
    result = Tables()
    for inp in inputs.values():
        path = find_file(inp, data_dir)
        if path is None:
            _missing(inp, data_dir, result)
            continue
        if defer:
            from .streaming import deferred
            table = deferred(inp, dimensions, path, valid, result.warnings)
            if table is not None:
                result.tables[inp.id] = table
                continue
        from .typed import typed_frame  # pandas: only a file read at once is typed here
        from .validity import validity_warning

        raw = read_file(inp, path, dimensions)
        frame = typed_frame(inp, dimensions, raw, path, result.warnings)
        result.tables[inp.id] = Table(inp.id, frame, path, raw.sha256, len(frame))
        if valid is not None:
            validity_warning(inp, frame, path, valid, result.warnings)
    return result


def _missing(inp: Input, data_dir: str, result: Tables) -> None:
    files = [inp.id + ext for ext in EXTENSIONS]
    names = ", ".join(files)
    if not inp.optional:
        raise DataError(f"input '{inp.id}' has no file in {data_dir}", Location(file=data_dir),
                        f"add one of: {names}")
    result.missing_optional.append(inp.id)
    result.warnings.append(Notice(f"{data_dir}: optional input '{inp.id}' has no file ({names}); "
                                  "rules see it as absent",
                                  "no_file", folder=data_dir, input=inp.title or inp.id, files=files))
