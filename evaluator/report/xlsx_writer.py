"""The run as an Excel workbook: a sheet about the run, an overview, then one sheet per output.

Sheet names are Swedish: an output's sheet is named by its title, cut at a word to fit Excel's
31 characters and made unique with "_2", "_3" in the policy's output order (so the names are the
same on every run); an output without a title is named by its rule id. "Om körningen" says which
sheet holds which output. "Översikt" (present when some output is per region alone) has one row
per region, one column per such output (headed by its title) and a last row "Riket" with the
exact sum of the amounts and counts. The look of every table sheet (bold frozen filterable
header, number formats by unit, column widths) comes from `style_table`, which `villkor diff
--format xlsx` uses too.

"Om körningen" holds the policy (id, title, version, validity, file, sha256), every input file
with its sha256 and row count, the warnings (one per row), the check results, which sheet
holds which output (with unit and source), and the outputs that were not computed.

Each output sheet is a plain table a spreadsheet or `pandas.read_excel` can use directly:
a bold, frozen, filterable header row; the key columns (member ids as in the JSON, each
followed by a "(benämning)" column when the dimension has labels); then `värde`.

Numbers. Excel stores every number as a binary float (15 significant digits), so:
- whole numbers (int, integral Decimal) below 2**53 are written as numbers and are exact;
- any other number (a non-integral Decimal, or a whole one too large) is written as the float
  nearest to it (no further rounding: the format decides what is shown), AND its exact digits
  go into a text column `värde (exakt)`, present only on sheets that need it. So the sheet
  sums and sorts like numbers, and nothing the engine computed is lost.
Cell values and formats come from `present` (`xlsx_cell`, `xlsx_format`).
Formats: kr amounts `#,##0 "kr"` (whole) / `#,##0.00 "kr"`; kr/count `#,##0 "kr/st"`; counts
`#,##0`. In a format code "," is the locale's digit-group separator, so Swedish Excel and
LibreOffice show "28 007 085 kr"; a literal space (`# ##0`) would be a fixed-position
character and show "28007 085 kr". Dates are date cells (yyyy-mm-dd), durations ISO text
("P30D"), booleans Excel booleans, lists JSON text.

Determinism: the document properties and every zip entry are dated at the policy's
validity start (not the clock), so the same run gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import re
import zipfile
from decimal import Decimal

from ..present import (
    format_value,
    is_exact_in_xlsx as is_exact_number,
    json_value as value_to_json,
    unit_name,
    xlsx_cell as cell_value,
    xlsx_format as number_format,
)
from ..result import OutputTable, RunResult
from .warnings_sv import swedish

ABOUT = "Om körningen"
OVERVIEW = "Översikt"
NOT_COMPUTED = "inte beräknad: en valfri indata saknas"
MIN_ZIP_YEAR = 1980
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
# docProps/app.xml as we write it: openpyxl's own names its version, which would make the
# bytes depend on the installed openpyxl.
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           b'<Application>villkor</Application></Properties>')


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: ≤ 31 chars, none of []:*?/\\, no edge apostrophes."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "utdata"
    title, n = base, 2
    while title.lower() in used or title.lower() == "history":  # "History" is reserved by Excel
        suffix = f"_{n}"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def output_header(table: OutputTable, exact_column: bool) -> list[str]:
    header: list[str] = []
    for d in table.dims:
        header += [d, f"{d} (benämning)"] if table.labels.get(d) else [d]
    return header + ["värde"] + (["värde (exakt)"] if exact_column else [])


def output_row(table: OutputTable, row: dict, exact_column: bool) -> list:
    cells: list = []
    for d in table.dims:
        member = row[d]
        cells.append(cell_value(member))
        if table.labels.get(d):
            cells.append(table.labels[d].get(member, str(member)))
    value = row["value"]
    cells.append(cell_value(value))
    if exact_column:
        is_num = isinstance(value, (numbers.Integral, Decimal)) and not isinstance(value, bool)
        cells.append(None if not is_num or is_exact_number(value) else str(value_to_json(value)))
    return cells


def needs_exact_column(table: OutputTable) -> bool:
    return any(isinstance(r["value"], (numbers.Integral, Decimal)) and not isinstance(r["value"], bool)
               and not is_exact_number(r["value"]) for r in table.rows)


def write_output_sheet(ws, table: OutputTable) -> None:
    """One output as a table: header, one row per key, value formats by unit."""
    exact = table.computed and needs_exact_column(table)
    header = output_header(table, exact)
    ws.append(header)
    if not table.computed:
        ws.append([NOT_COMPUTED])
    for row in table.rows if table.computed else []:
        ws.append(output_row(table, row, exact))
    style_table(ws, {header.index("värde") + 1: table.unit} if table.computed else {})


def sheet_name_for(table: OutputTable) -> str:
    """The words a sheet is named by: the output's title (":" written " –", "/" as "-", which
    Excel forbids) cut at a word to fit 31 characters, an unclosed parenthesis dropped; or its
    rule id when it has no title."""
    text = " ".join((table.title or table.rule).replace(":", " –").replace("/", "-").split())
    if len(text) > 31:
        text = text[:32].rsplit(" ", 1)[0] if " " in text[:32] else text[:31]
        if text.count("(") > text.count(")"):
            text = text[:text.rindex("(")]
        text = text.rstrip(" ,;:–-")
    return text or table.rule


def overview_tables(result: RunResult) -> list[OutputTable]:
    """The computed outputs per region alone: the columns of the sheet "Översikt"."""
    return [t for t in result.outputs.values() if t.computed and t.dims == ("region",)]


def write_overview_sheet(ws, tables: list[OutputTable]) -> None:
    """One row per region, one column per per-region output, and a total row "Riket" (exact
    sums of the amounts and counts; blank for other outputs)."""
    from .layout import TOTAL_LABEL, exact_sum, label, totals_wanted

    regions: list = []
    values: dict = {}
    for t in tables:
        for r in t.rows:
            if r["region"] not in regions:
                regions.append(r["region"])
            values[(t.rule, r["region"])] = r["value"]
    ws.append(["region", *[t.title or t.rule for t in tables]])
    for reg in regions:
        ws.append([label(tables[0], "region", reg), *[cell_value(values.get((t.rule, reg))) for t in tables]])
    ws.append([TOTAL_LABEL, *[cell_value(exact_sum(r["value"] for r in t.rows)) if totals_wanted(t) else None
                              for t in tables]])
    bold(ws, [ws.max_row])
    style_table(ws, {i: t.unit for i, t in enumerate(tables, start=2)})


def write_about_sheet(ws, result: RunResult, titles: dict[str, str]) -> None:
    """What was run on what, and how it went: enough to reproduce and to trust the numbers."""
    p = result.policy
    bold_rows: list[int] = []

    def section(title: str, *header: str) -> None:
        ws.append([])
        ws.append([title, *header])
        bold_rows.append(ws.max_row)

    for key, value in [("Regelverk", p.id), ("Titel", p.title), ("Version", p.version),
                       ("Giltig från", p.valid_from), ("Giltig till", p.valid_to), ("sha256", p.sha256),
                       ("Fil", p.path)]:
        ws.append([key, value])
        bold_rows.append(ws.max_row)  # the label column of the key/value block
    if result.params:
        from ..result import WHAT_IF, change_text
        section(WHAT_IF, "Fil", "sha256")
        ws.append(["Parametrar", result.params.path, result.params.sha256])
        for c in result.params.changes:
            ws.append([None, change_text(c)])
    section("Indata", "Fil", "Rader", "sha256")
    for d in result.data:
        ws.append([d.table, d.path or "(rader i fixturen)", d.rows, d.sha256 or ""])
    section("Varningar")
    for w in result.warnings:
        ws.append([None, swedish(w)])
    section("Kontroller", "Titel", "Resultat", "Detalj")
    for check in result.checks:
        ws.append([check.id, check.title or "", "✓ uppfylld" if check.passed else "✗ bruten", check.detail])
    section("Utdata", "Blad", "Titel", "Per", "Enhet", "Källa")
    for rid, t in result.outputs.items():
        ws.append([rid, titles[rid], t.title or "", ", ".join(t.dim_titles.get(d, d) for d in t.dims) or "nationellt",
                   unit_name(t.unit) if t.unit else "",
                   t.source or ""] + ([NOT_COMPUTED] if not t.computed else []))
    section("Om talen")
    ws.append([None, "Hela tal skrivs exakt. Övriga tal skrivs som närmaste flyttal (Excel har inga "
                     "exakta decimaltal); deras exakta värde står i kolumnen 'värde (exakt)'."])
    bold(ws, bold_rows)
    finish_widths(ws, max_width=80)


def bold(ws, rows: list[int]) -> None:
    from openpyxl.styles import Font

    for r in rows:
        for cell in ws[r]:
            cell.font = Font(bold=True)


def finish_table(ws, header_row: int = 1) -> None:
    """Bold, frozen, filterable header; columns wide enough for their contents."""
    bold(ws, [header_row])
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{ws.dimensions.split(':')[-1]}"
    finish_widths(ws)


def style_table(ws, units: dict[int, str | None], header_row: int = 1) -> None:
    """The look of every table sheet, for `run` and `diff` alike: each number in the columns of
    `units` (1-based column -> unit) gets its unit's format (dates theirs), then `finish_table`."""
    for col, unit in units.items():
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
            value = cell.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            fmt = number_format(Decimal(str(value)) if isinstance(value, float) else value, unit)
            if fmt:
                cell.number_format = fmt
    finish_table(ws, header_row)


def display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 14
    return len(format_value(value) if not isinstance(value, str) else value)


def finish_widths(ws, max_width: int = 50) -> None:
    from openpyxl.utils import get_column_letter

    for i, column in enumerate(ws.iter_cols(values_only=True), start=1):
        width = max((display_width(v) for v in column), default=0)
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), max_width)


def fixed_stamp(result: RunResult) -> dt.datetime:
    """The time every timestamp in the file gets: the policy's validity start (zip dates start in 1980)."""
    day = dt.date.fromisoformat(result.policy.valid_from)
    return dt.datetime.combine(max(day, dt.date(MIN_ZIP_YEAR, 1, 1)), dt.time())


def to_xlsx(result: RunResult) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    about = wb.active
    about.title = ABOUT
    used = {ABOUT.lower(), OVERVIEW.lower()}
    titles = {rid: sheet_title(sheet_name_for(t), used) for rid, t in result.outputs.items()}
    overview = overview_tables(result)
    if overview:
        write_overview_sheet(wb.create_sheet(OVERVIEW), overview)
    for rid, table in result.outputs.items():
        write_output_sheet(wb.create_sheet(titles[rid]), table)
    write_about_sheet(about, result, titles)
    stamp = fixed_stamp(result)
    return save_fixed(wb, stamp)


def save_fixed(wb, stamp: dt.datetime) -> bytes:
    """The workbook's bytes, the same on every machine: fixed properties, times and app.xml."""
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "villkor"
    wb.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    wb.save(buffer)
    return fixed_zip_times(buffer.getvalue(), stamp)


def fixed_zip_times(data: bytes, stamp: dt.datetime) -> bytes:
    """The same zip with every entry dated `stamp`, and the document's `modified` property too:
    openpyxl dates zip entries with the clock and sets `modified` to now while saving."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = MODIFIED.sub(rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                                       content)
            elif info.filename == "docProps/app.xml":
                content = APP_XML
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()
