"""The run as an Excel workbook: a sheet about the run, then one sheet per output.

Amounts in kr are shown with Swedish thousands (`# ##0 "kr"`). Whole numbers are written as
Excel integers (exact); a non-whole decimal is written as text with all its digits, so the
workbook never shows a value that was rounded through binary floating point. The file's
timestamps are fixed to the policy's validity start, so the same run gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from ..result import RunResult
from .json_writer import value_to_json

KR_FORMAT = '# ##0 "kr"'


def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    title, n = base, 2
    while title.lower() in used:
        suffix = f"_{n}"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _cell_value(value):
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dt.date):
        return value
    return str(value_to_json(value))


def to_xlsx(result: RunResult) -> bytes:
    wb = Workbook()
    about = wb.active
    about.title = "Om körningen"
    used = {about.title.lower()}
    bold = Font(bold=True)
    p = result.policy
    rows = [("Policy", p.id), ("Titel", p.title), ("Version", p.version),
            ("Giltig", f"{p.valid_from} – {p.valid_to}"), ("Fil", p.path), ("sha256", p.sha256), ()]
    rows += [("Data", "Fil", "Rader", "sha256")] + [(d.table, d.path or "", d.rows, d.sha256 or "") for d in result.data]
    rows += [(), ("Varningar",)] + [("", w) for w in result.warnings]
    rows += [(), ("Kontroller",)] + [(c.id, "uppfylld" if c.passed else "BRUTEN", c.detail) for c in result.checks]
    for row in rows:
        about.append(list(row))
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 60
    for rid, table in result.outputs.items():
        ws = wb.create_sheet(_sheet_title(rid, used))
        ws.append([*table.dims, "värde"])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        if not table.computed:
            ws.append(["inte beräknad: en valfri indata saknas"])
            continue
        for r in table.rows:
            ws.append([table.labels.get(d, {}).get(r[d], r[d]) for d in table.dims] + [_cell_value(r["value"])])
            if table.unit == "kr" and isinstance(ws.cell(ws.max_row, len(table.dims) + 1).value, int):
                ws.cell(ws.max_row, len(table.dims) + 1).number_format = KR_FORMAT
        for i in range(len(table.dims) + 1):
            ws.column_dimensions[chr(ord("A") + i)].width = 18
    stamp = dt.datetime.combine(dt.date.fromisoformat(p.valid_from), dt.time())
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip_times(buffer.getvalue(), stamp)


def _fixed_zip_times(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite the zip with every entry dated `stamp` and the modified date fixed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                                 b'<dcterms:modified xsi:type="dcterms:W3CDTF">'
                                 + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + b"</dcterms:modified>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()
