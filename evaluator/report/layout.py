"""The readable report as blocks (headings, paragraphs, lists, tables), rendered to Markdown
or HTML by their writers, so both show the same content from one place.

Content: the policy's title; a line with its id, version, validity and sha256; the data files;
warnings (illustrative parameters!) as a list; checks with ✓/✗; then per output a heading
(title and rule id), a line with grain, unit and source, and a table.

Tables: an output on [A, B] (region × measure) is pivoted, one row per A member and one column
per B member, which reads far better than A×B long rows. Amounts (kr) and counts whose first
dimension is `region` get a national total row, "Riket", summed exactly.

Values are presented by `present.format_value`: a Decimal with more than two places is shown
rounded to two with its exact value beside it ("333,33 (1 000/3)"); the JSON, CSV and XLSX
outputs keep every digit computed.

Warnings are shown in Swedish (`warnings_sv`).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from ..present import format_number, format_value, unit_name
from ..result import OutputTable, RunResult
from .warnings_sv import swedish

TOTAL_UNITS = ("kr", "count")
TOTAL_LABEL = "Riket"
# Enough digits to add any realistic column of Decimals exactly; Inexact is trapped, so a sum
# that would need more raises instead of silently rounding.
EXACT = decimal.Context(prec=1000, traps=[decimal.Inexact, decimal.InvalidOperation])


@dataclass
class Block:
    kind: str  # h1 | h2 | p | list | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    marks: list[str] = field(default_factory=list)  # per list item: "ok" | "fail" | ""


def exact_sum(values) -> int | Decimal | None:
    """The exact sum of ints and Decimals (None skipped); an int when the sum is whole; None
    when no value is present (a total of absent values is absent, not 0)."""
    whole, decimals, present = 0, [], False
    for v in values:
        present = present or v is not None
        if isinstance(v, Decimal):
            decimals.append(v)
        elif v is not None:
            whole += int(v)
    if not present:
        return None
    total = Decimal(whole)  # exact whatever its size
    for v in decimals:
        total = EXACT.add(total, v)
    return int(total) if total == total.to_integral_value() else total


def layout(result: RunResult) -> list[Block]:
    """The whole report, top to bottom."""
    blocks = header_blocks(result)
    if result.warnings:
        blocks += [Block("h2", "Varningar"), Block("list", items=[swedish(w) for w in result.warnings])]
    if result.checks:
        blocks += [Block("h2", "Kontroller"),
                   Block("list", items=[f"{'✓' if c.passed else '✗'} {c.title or c.id}: {c.detail}"
                                        for c in result.checks],
                         marks=["ok" if c.passed else "fail" for c in result.checks])]
    for table in result.outputs.values():
        blocks += output_blocks(table)
    return blocks


def header_blocks(result: RunResult) -> list[Block]:
    """Title, what policy (version, validity, full sha256) and what data this run used."""
    p = result.policy
    blocks = [Block("h1", p.title or p.id),
              Block("p", f"Regelverk {p.id}, version {p.version}, giltig {p.valid_from} – {p.valid_to}, "
                         f"fil {p.path}, sha256 {p.sha256}")]
    if result.params:
        from ..result import WHAT_IF, change_text
        blocks.append(Block("p", f"{WHAT_IF}. Parametrar från {result.params.path}, "
                                 f"sha256 {result.params.sha256}. Ändrade värden:"))
        blocks.append(Block("list", items=[change_text(c) for c in result.params.changes]
                            or ["inga (filen ger samma värden som regelverket)"]))
    if result.data:
        blocks.append(Block("p", "Indata:"))
        blocks.append(Block("list", items=[
            f"{d.table}: {d.path or 'rader i fixturen'}, {format_number(d.rows)} rader"
            + (f", sha256 {d.sha256}" if d.sha256 else "") for d in result.data]))
    return blocks


def output_blocks(table: OutputTable) -> list[Block]:
    """Heading, grain/unit/source line, and the table (or why there is none)."""
    meta = ", ".join(x for x in [f"per {', '.join(dim_title(table, d).lower() for d in table.dims)}"
                                 if table.dims else "nationellt",
                                 f"enhet {unit_name(table.unit)}" if table.unit else "",
                                 f"källa: {table.source}" if table.source else ""] if x)
    blocks = [Block("h2", f"{table.title or table.rule} ({table.rule})"), Block("p", meta)]
    if not table.computed:
        return blocks + [Block("p", "Inte beräknad: en valfri indata saknas.")]
    if len(table.dims) == 2:
        return blocks + [pivot(table)]
    return blocks + [flat(table)]


def label(table: OutputTable, dim: str, member) -> str:
    """A member as people know it: its label if the dimension has one."""
    text = member if isinstance(member, str) else format_value(member)
    return table.labels.get(dim, {}).get(member, text)


def totals_wanted(table: OutputTable) -> bool:
    """A national total makes sense for amounts and counts per region, not for rates or flags."""
    return (table.unit in TOTAL_UNITS and table.type == "number" and bool(table.dims)
            and table.dims[0] == "region")


def dim_title(table: OutputTable, dim: str) -> str:
    """A dimension as the policy titles it ("Åtgärd"), its name where it has no title."""
    return table.dim_titles.get(dim, dim)


def flat(table: OutputTable) -> Block:
    """One row per key (or the single national value)."""
    header = [dim_title(table, d) for d in table.dims] + ["värde"]
    rows = [[label(table, d, r[d]) for d in table.dims] + [format_value(r["value"], table.unit)]
            for r in table.rows]
    if totals_wanted(table) and len(table.dims) == 1:
        rows.append([TOTAL_LABEL, format_value(exact_sum(r["value"] for r in table.rows), table.unit)])
    numeric = [False] * len(table.dims) + [table.type == "number"]
    return Block("table", header=header, rows=rows, numeric=numeric)


def pivot(table: OutputTable) -> Block:
    """Rows = members of the first dimension, columns = members of the second."""
    first, second = table.dims
    cols: list = []
    grid: dict = {}
    for r in table.rows:
        if r[second] not in cols:
            cols.append(r[second])
        grid.setdefault(r[first], {})[r[second]] = r["value"]
    header = [dim_title(table, first)] + [label(table, second, c) for c in cols]
    rows = [[label(table, first, k)] + [format_value(v.get(c), table.unit) for c in cols]
            for k, v in grid.items()]
    if totals_wanted(table):
        rows.append([TOTAL_LABEL] + [format_value(exact_sum(v.get(c) for v in grid.values()), table.unit)
                                     for c in cols])
    return Block("table", header=header, rows=rows, numeric=[False] + [table.type == "number"] * len(cols))

