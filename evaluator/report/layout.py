"""The readable report as blocks (headings, paragraphs, lists, tables), rendered to Markdown
or HTML by their writers, so both show the same content.

Two-dimensional outputs (region × measure) are pivoted: one row per first member, one column
per second member. Amounts and counts per region get a national total row ("Riket"), summed
exactly.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from ..lang.values import FEEL_CONTEXT
from ..result import OutputTable, RunResult
from .fmt import format_value as exact_value

DISPLAY_PLACES = 4


def format_value(value, unit=None) -> str:
    """For reading: a decimal with more than four places is shown as ≈ its value to four
    places (half even); the JSON, CSV and XLSX outputs keep every digit."""
    if isinstance(value, Decimal) and value.as_tuple().exponent < -DISPLAY_PLACES:
        return "≈ " + exact_value(value.quantize(Decimal(1).scaleb(-DISPLAY_PLACES)), unit)
    return exact_value(value, unit)

TOTAL_UNITS = ("kr", "count")


@dataclass
class Block:
    kind: str  # h1 | h2 | p | list | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)  # right-align these columns


def layout(result: RunResult) -> list[Block]:
    p = result.policy
    blocks = [Block("h1", f"{p.title}"),
              Block("p", f"Policy {p.id}, version {p.version}, giltig {p.valid_from} – {p.valid_to}. "
                         f"sha256 {p.sha256[:16]}…"),
              Block("p", "Data: " + "; ".join(f"{d.table} ({d.rows} rader"
                                              + (f", sha256 {d.sha256[:16]}…" if d.sha256 else "") + ")"
                                              for d in result.data))]
    if result.warnings:
        blocks += [Block("h2", "Varningar"), Block("list", items=list(result.warnings))]
    if result.checks:
        blocks += [Block("h2", "Kontroller"),
                   Block("list", items=[f"{'✓' if c.passed else '✗'} {c.title or c.id}: {c.detail}"
                                        for c in result.checks])]
    for table in result.outputs.values():
        blocks += output_blocks(table)
    return blocks


def output_blocks(table: OutputTable) -> list[Block]:
    head = f"{table.title or table.rule} ({table.rule})"
    meta = ", ".join(x for x in [f"per {', '.join(table.dims)}" if table.dims else "nationellt",
                                 f"enhet {table.unit}" if table.unit else "",
                                 f"källa: {table.source}" if table.source else ""] if x)
    blocks = [Block("h2", head), Block("p", meta)]
    if not table.computed:
        return blocks + [Block("p", "Inte beräknad: en valfri indata saknas.")]
    if len(table.dims) == 2:
        return blocks + [pivot(table)]
    return blocks + [flat(table)]


def label(table: OutputTable, dim: str, member) -> str:
    return table.labels.get(dim, {}).get(member, str(member))


def flat(table: OutputTable) -> Block:
    header = [d for d in table.dims] + ["värde"]
    rows = [[label(table, d, r[d]) for d in table.dims] + [format_value(r["value"], table.unit)]
            for r in table.rows]
    if len(table.dims) == 1 and table.unit in TOTAL_UNITS and table.type == "number":
        with decimal.localcontext(FEEL_CONTEXT):
            total = sum((r["value"] for r in table.rows if r["value"] is not None), Decimal(0))
        rows.append(["Riket", format_value(_whole(total), table.unit)])
    return Block("table", header=header, rows=rows, numeric=[False] * len(table.dims) + [True])


def pivot(table: OutputTable) -> Block:
    first, second = table.dims
    cols: list = []
    grid: dict = {}
    for r in table.rows:
        if r[second] not in cols:
            cols.append(r[second])
        grid.setdefault(r[first], {})[r[second]] = r["value"]
    header = [first] + [label(table, second, c) for c in cols]
    rows = [[label(table, first, k)] + [format_value(v.get(c), table.unit) for c in cols] for k, v in grid.items()]
    if table.unit in TOTAL_UNITS and table.type == "number":
        with decimal.localcontext(FEEL_CONTEXT):
            totals = [sum((v.get(c) or 0 for v in grid.values()), Decimal(0)) for c in cols]
        rows.append(["Riket"] + [format_value(_whole(t), table.unit) for t in totals])
    return Block("table", header=header, rows=rows, numeric=[False] + [True] * len(cols))


def _whole(value: Decimal):
    return int(value) if value == value.to_integral_value() else value
