"""Every output as one long CSV table: `rule, <dimension columns>, value`.

One table rather than one file per output, so `-o out.csv` stays a single atomic file and the
result loads into pandas/R/Excel with one call and filters by `rule`. The dimension columns
are those of all reported outputs (computed or not, so the header depends only on the policy)
in first-seen order; a rule without a dimension leaves it blank. Values are exact and
machine-readable, as in the JSON: integers, Decimals with all their digits and a decimal
point ("333.333…"), true/false, ISO dates, ISO durations, lists as JSON text; an absent value
is an empty cell. UTF-8 without BOM, `\\n` line ends, so the bytes are deterministic.
An output that was not computed has no rows here (the JSON names it in `not_computed`).

`csv-sv` (`to_csv_sv`) is the same table for Swedish Excel, which opens it with a double
click: `;` between fields, a decimal comma ("333,333…", every digit kept, never rounded),
booleans ja/nej, header `regel, <dimensions>, värde`, UTF-8 with a BOM (so Excel reads it as
UTF-8) and `\r\n` line ends. No thousands separators, so every number is read as a number.
"""

from __future__ import annotations

import csv
import io

from ..present import csv_cell as cell, csv_sv_cell as cell_sv
from ..result import RunResult


def dimension_columns(result: RunResult) -> list[str]:
    """The dimension columns of all outputs, in first-seen order."""
    dims: list[str] = []
    for table in result.outputs.values():
        dims += [d for d in table.dims if d not in dims]
    return dims


def to_csv(result: RunResult) -> bytes:
    dims = dimension_columns(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rule", *dims, "value"])
    for rid, table in result.outputs.items():
        for row in table.rows if table.computed else []:
            keys = [cell(row[d]) if d in table.dims else "" for d in dims]
            writer.writerow([rid, *keys, cell(row["value"])])
    return out.getvalue().encode("utf-8")


def to_csv_sv(result: RunResult) -> bytes:
    dims = dimension_columns(result)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["regel", *dims, "värde"])
    for rid, table in result.outputs.items():
        for row in table.rows if table.computed else []:
            keys = [cell_sv(row[d]) if d in table.dims else "" for d in dims]
            writer.writerow([rid, *keys, cell_sv(row["value"])])
    return out.getvalue().encode("utf-8-sig")
