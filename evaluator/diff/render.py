"""The diff of two policy versions as people and programs read it.

Formats: text (default; a word diff is coloured when printing to a terminal), md, json (every
row of every output), xlsx (a sheet of changes, a sheet per changed output). Amounts in text
and md are presented by `present.format_value`, as in every other text output.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from ..present import format_value, json_value as value_to_json

if TYPE_CHECKING:  # .impact imports the engine (numpy, pandas): only where used
    from .impact import Impact, KeyImpact, OutputImpact
    from .structural import Change

MARK = {"added": "+", "removed": "-", "changed": "~"}
MAX_ROWS = 40  # changed keys of a multi-dimensional output listed in text/md before "--all"


class Head:
    def __init__(self, old, new, old_path, new_path, data, params):
        self.old, self.new = old, new
        self.old_path, self.new_path, self.data, self.params = old_path, new_path, data, params

    @property
    def title(self) -> str:
        return f"{self.old.id} {self.old.version} → {self.new.id} {self.new.version}"


# ---------------------------------------------------------------- text pieces


def colourize(text: str) -> str:
    """[-removed-] in red, {+added+} in green (a terminal only)."""
    text = re.sub(r"\[-(.*?)-\]", lambda m: f"\x1b[31m{m.group(1)}\x1b[0m", text)
    return re.sub(r"\{\+(.*?)\+\}", lambda m: f"\x1b[32m{m.group(1)}\x1b[0m", text)


def shown(v):
    """A value to the two decimals text shows (whether a driver alone explains a difference)."""
    if isinstance(v, Decimal):
        v = v.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        return int(v) if v == v.to_integral_value() else v
    return v


def _num(v, unit) -> str:
    return format_value(v, unit)


def _diff(v, unit) -> str:
    if v is None:
        return ""
    if v == 0:
        return "0"
    text = format_value(v.copy_abs() if isinstance(v, Decimal) else abs(v), unit)  # abs() rounds to 28 digits
    return ("+" if v > 0 else "−") + text


def _key_text(key: dict) -> str:
    return ", ".join(str(v) for v in key.values()) or "(hela riket)"


def _driver(row: KeyImpact, unit) -> str:
    if not row.driver:
        return ""
    if row.driver_effect is not None and shown(row.driver_effect) != shown(row.diff):
        return f"{row.driver} (ensam {_diff(row.driver_effect, unit)})"
    return row.driver


def impact_rows(imp: OutputImpact, rows: list[KeyImpact]) -> tuple[list[str], list[list[str]]]:
    header = [", ".join(imp.dims) or "", "gammal", "ny", "skillnad", "främsta orsak", "vändning"]
    out = []
    for r in rows:
        out.append([_key_text(r.key), _num(r.old, imp.unit), _num(r.new, imp.unit), _diff(r.diff, imp.unit),
                    _driver(r, imp.unit), r.flip or ""])
    if imp.total_old is not None:
        if imp.kind == "bool":
            out.append(["Riket (antal ja)", str(imp.total_old), str(imp.total_new),
                        _diff(imp.total_new - imp.total_old, None), "", ""])
        else:
            out.append(["Riket", _num(imp.total_old, imp.unit), _num(imp.total_new, imp.unit),
                        _diff(imp.total_new - imp.total_old, imp.unit), "", ""])
    return header, out


def _name(imp: OutputImpact) -> str:
    unit = {"count": "antal", "kr/count": "kr/st", "day": "dagar"}.get(imp.unit or "", imp.unit)
    return imp.rule + (f" — {imp.title}" if imp.title else "") + (f" ({unit})" if unit else "")


def _tables(imp: OutputImpact, show_all: bool) -> list[tuple[str, OutputImpact | None, list[KeyImpact], str | None]]:
    """What text/md show of one changed output: (heading, impact, rows, remark); without an
    impact, the heading and remark alone (the changed keys are too many to list)."""
    if len(imp.dims) <= 1:
        return [(_name(imp), imp, imp.rows, None)]
    changed = imp.changed_rows
    grain = " × ".join(imp.dims)
    remark = f"{len(changed)} av {len(imp.rows)} nycklar ({grain}) ändras"
    listed = show_all or len(changed) <= MAX_ROWS
    if not listed:
        remark += "; --all listar dem"
    out: list[tuple[str, OutputImpact | None, list[KeyImpact], str | None]] = []
    if imp.by_first is not None:
        out.append((_name(imp.by_first), imp.by_first, imp.by_first.rows, remark))
    if listed:
        from .impact import OutputImpact
        listing = OutputImpact(imp.rule, imp.title, imp.dims, imp.unit, imp.kind)
        first = imp.by_first is None  # the remark goes with the first table only
        out.append((_name(imp) + ", ändrade nycklar", listing, changed, remark if first else None))
    elif imp.by_first is None:
        out.append((_name(imp), None, [], remark))
    return out


def change_lines(changes: list[Change]) -> list[str]:
    from .structural import KIND_WORDS, SECTION_TITLES
    lines: list[str] = []
    section = None
    for c in changes:
        if c.section != section:
            section = c.section
            lines += ["", SECTION_TITLES.get(section, section)]
        head = f"  {MARK[c.kind]} {c.id}" + (f" ({KIND_WORDS[c.kind]})" if c.kind != "changed" else "")
        if len(c.details) == 1 and len(head) + len(c.details[0]) < 110:
            lines.append(f"{head}: {c.details[0]}")
        else:
            lines.append(head)
            lines += [f"      {d}" for d in c.details]
    return lines or ["", "Inga ändringar."]


def _aligned(header, rows) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(row):
        cells = [str(c).ljust(w) if i == 0 or i >= 4 else str(c).rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        return ("  " + "  ".join(cells)).rstrip()
    return [line(header)] + [line(r) for r in rows]


def _intro(head: Head) -> list[str]:
    lines = [f"{head.old_path} → {head.new_path}"]
    if head.params:
        lines.append(f"Parametrar från {head.params} gäller båda versionerna.")
    return lines


def _check_line(c) -> str:
    word = {True: "håller", False: "håller inte", None: "finns inte"}
    return f"  {c.id}: {word[c.old]} → {word[c.new]}" + (f" ({c.detail})" if c.new is False else "")


def to_text(head: Head, changes: list[Change], result: Impact | None, show_all: bool) -> bytes:
    out = [f"Ändringar {head.title}"] + _intro(head) + change_lines(changes)
    if result is not None:
        out += ["", f"Effekt på data i {head.data} (båda versionerna på samma data)"]
        out += [f"  obs: {n}" for n in result.notes]
        changed = [i for i in result.outputs if i.changed]
        if not changed:
            out.append("  Inget utfall ändras för någon nyckel.")
        for imp in changed:
            for name, shown, rows, remark in _tables(imp, show_all):
                out += ["", name]
                if remark:
                    out.append(f"  {remark}")
                if shown is not None:
                    out += _aligned(*impact_rows(shown, rows))
        same = [i.rule for i in result.outputs if not i.changed]
        if same:
            out += ["", "Oförändrade utdata: " + ", ".join(same)]
        if result.checks:
            out += ["", "Kontroller"] + [_check_line(c) for c in result.checks]
    return ("\n".join(out) + "\n").encode("utf-8")


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def to_markdown(head: Head, changes: list[Change], result: Impact | None, show_all: bool) -> bytes:
    from .structural import KIND_WORDS, SECTION_TITLES
    out = [f"# Ändringar {head.title}", "", f"`{head.old_path}` → `{head.new_path}`", ""]
    if head.params:
        out += [f"Parametrar från `{head.params}` gäller båda versionerna.", ""]
    section = None
    for c in changes:
        if c.section != section:
            section = c.section
            out += ["", f"## {SECTION_TITLES.get(section, section)}", ""]
        kind = "" if c.kind == "changed" else f" ({KIND_WORDS[c.kind]})"
        out.append(f"- **`{c.id}`**{kind}")
        out += [f"  - {_md_cell(d)}" for d in c.details]
    if not changes:
        out.append("Inga ändringar.")
    if result is not None:
        out += ["", f"## Effekt på data i `{head.data}`", ""]
        out += [f"- obs: {n}" for n in result.notes] + ([""] if result.notes else [])
        for imp in [i for i in result.outputs if i.changed]:
            for name, shown, rows, remark in _tables(imp, show_all):
                out += [f"### {name}", ""]
                if remark:
                    out += [remark, ""]
                if shown is not None:
                    header, body = impact_rows(shown, rows)
                    out += ["| " + " | ".join(_md_cell(h) for h in header) + " |", "|---|---:|---:|---:|---|---|"]
                    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in body] + [""]
        same = [i.rule for i in result.outputs if not i.changed]
        if same:
            out += ["Oförändrade utdata: " + ", ".join(f"`{s}`" for s in same), ""]
        if result.checks:
            out += ["### Kontroller", ""] + [f"-{_check_line(c)[1:]}" for c in result.checks] + [""]
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


def _row_json(r: KeyImpact) -> dict:
    return {**{k: value_to_json(v) for k, v in r.key.items()}, "old": value_to_json(r.old),
            "new": value_to_json(r.new), "difference": value_to_json(r.diff), "driver": r.driver,
            "driver_effect": value_to_json(r.driver_effect), "flip": r.flip}


def to_json(head: Head, changes: list[Change], result: Impact | None, show_all: bool) -> bytes:
    doc = {"old": {"id": head.old.id, "version": head.old.version, "path": head.old_path, "sha256": head.old.sha256},
           "new": {"id": head.new.id, "version": head.new.version, "path": head.new_path, "sha256": head.new.sha256},
           "params": head.params, "changes": [c.to_json() for c in changes]}
    if result is not None:
        doc["data"] = head.data
        doc["notes"] = result.notes
        doc["impact"] = [{"rule": i.rule, "title": i.title, "dims": list(i.dims), "unit": i.unit,
                          "changed": i.changed,
                          "total": {"old": value_to_json(i.total_old), "new": value_to_json(i.total_new)}
                          if i.total_old is not None else None,
                          "rows": [_row_json(r) for r in i.rows]} for i in result.outputs]
        doc["checks"] = [{"id": c.id, "old": c.old, "new": c.new, "detail": c.detail} for c in result.checks]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_xlsx(head: Head, changes: list[Change], result: Impact | None, show_all: bool) -> bytes:
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..report.xlsx_writer import sheet_title, style_table
    from .structural import KIND_WORDS, SECTION_TITLES

    wb = Workbook()
    ws = wb.active
    ws.title = "Ändringar"
    ws.append([f"Ändringar {head.title}"])
    ws["A1"].font = Font(bold=True)
    ws.append(["avsnitt", "id", "ändring", "detalj", "plats"])
    for c in changes:
        for d in c.details or [""]:
            ws.append([SECTION_TITLES.get(c.section, c.section), c.id, KIND_WORDS[c.kind], d, c.where or ""])
    style_table(ws, {}, header_row=2)
    if result is not None:
        used = {"ändringar"}
        for imp in [i for i in result.outputs if i.changed]:
            sheet = wb.create_sheet(sheet_title(imp.rule, used))
            sheet.append([*imp.dims, "gammal", "ny", "skillnad", "främsta orsak", "ensam effekt", "vändning"])
            for r in imp.rows:
                sheet.append([*[str(v) for v in r.key.values()],
                              *[_cell(x) for x in (r.old, r.new, r.diff)],
                              r.driver or "", _cell(r.driver_effect), r.flip or ""])
            if imp.total_old is not None:
                sheet.append(["Riket", *[""] * (len(imp.dims) - 1), _cell(imp.total_old), _cell(imp.total_new),
                              _cell(imp.total_new - imp.total_old)])
            n = len(imp.dims)
            style_table(sheet, {n + 1: imp.unit, n + 2: imp.unit, n + 3: imp.unit, n + 5: imp.unit})
    from ..report.xlsx_writer import MIN_ZIP_YEAR, save_fixed
    start = max(head.new.valid.start, dt.date(MIN_ZIP_YEAR, 1, 1))  # the new version's validity start
    return save_fixed(wb, dt.datetime.combine(start, dt.time()))


def _cell(v):
    """Numbers stay numbers in the sheet (exact decimals as text, never rounded)."""
    if isinstance(v, bool) or v is None:
        return "ja" if v is True else "nej" if v is False else None
    if isinstance(v, int):
        return v
    if hasattr(v, "as_tuple"):
        return int(v) if v == v.to_integral_value() else str(v)
    return str(v)
