"""One long CSV table: rule, the key columns of every output, value. Exact values."""

from __future__ import annotations

import csv
import io

from ..result import RunResult
from .json_writer import value_to_json


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value_to_json(value))


def to_csv(result: RunResult) -> bytes:
    dims: list[str] = []
    for table in result.outputs.values():
        dims += [d for d in table.dims if d not in dims]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rule", *dims, "value"])
    for rid, table in result.outputs.items():
        for row in table.rows:
            writer.writerow([rid, *[_cell(row.get(d)) if d in table.dims else "" for d in dims],
                             _cell(row["value"])])
    return out.getvalue().encode("utf-8")
