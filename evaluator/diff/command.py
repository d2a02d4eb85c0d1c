"""`villkor diff OLD NEW [--data DIR]`: what changed, and what it does to every key."""

from __future__ import annotations

import json
import sys

from ..report.fmt import format_value
from ..report.json_writer import value_to_json
from .impact import OutputImpact, impact
from .structural import Change, structural_diff

MARK = {"added": "+", "removed": "-", "changed": "~"}


def attach(sub) -> None:
    p = sub.add_parser("diff", help="compare two policy versions, and their outcomes on the same data")
    p.add_argument("old", metavar="OLD_POLICY")
    p.add_argument("new", metavar="NEW_POLICY")
    p.add_argument("--data", metavar="DIR", help="run both versions on this data and show the impact per key")
    p.add_argument("--params", metavar="FILE", help="parameter overrides applied to both versions")
    p.add_argument("--format", choices=("text", "md", "json", "xlsx"), default="text")
    p.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of stdout")
    p.add_argument("--all", action="store_true", help="list unchanged keys of multi-dimensional outputs too")
    p.add_argument("--fail-on-change", action="store_true", help="exit 1 when anything differs")
    p.set_defaults(handler=cmd_diff)


def cmd_diff(args) -> int:
    from ..cli import load_and_plan, run_policy
    from ..report.atomic import emit

    old_plan = load_and_plan(args.old, args.params)
    new_plan = load_and_plan(args.new, args.params)
    changes = structural_diff(old_plan.policy, new_plan.policy)
    impacts: list[OutputImpact] = []
    if args.data:
        old_ev, _ = run_policy(args.old, args.data, args.params)
        new_ev, _ = run_policy(args.new, args.data, args.params)
        impacts = impact(old_ev, new_ev, changes)
    title = (f"{old_plan.policy.id} {old_plan.policy.version} → {new_plan.policy.id} {new_plan.policy.version}")
    render = {"text": to_text, "md": to_markdown, "json": to_json, "xlsx": to_xlsx}[args.format]
    emit(render(title, changes, impacts, args.all, args.data), args.output)
    differs = bool(changes) or any(i.changed for i in impacts)
    return 1 if args.fail_on_change and differs else 0


# ---------------------------------------------------------------- renderers


def _rows_shown(imp: OutputImpact, show_all: bool):
    if len(imp.dims) <= 1 or show_all:
        return imp.rows
    return [r for r in imp.rows if r.changed or r.flip]


def _key_text(key: dict) -> str:
    return ", ".join(str(v) for v in key.values()) or "(nationellt)"


def _num(v, unit) -> str:
    return format_value(v, unit) if v is not None else "–"


def _diff(v, unit) -> str:
    if v is None:
        return ""
    text = format_value(v, unit)
    return ("+" + text) if v > 0 else text if v < 0 else "0"


def impact_table(imp: OutputImpact, show_all: bool) -> tuple[list[str], list[list[str]]]:
    header = [", ".join(imp.dims) or "", "gammal", "ny", "skillnad", "drivs av", "vändning"]
    rows = []
    for r in _rows_shown(imp, show_all):
        rows.append([_key_text(r.key), _num(r.old, imp.unit), _num(r.new, imp.unit), _diff(r.diff, imp.unit),
                     r.driver or "", r.flip or ""])
    if imp.total_old is not None and len(imp.dims) >= 1:
        rows.append(["Riket", _num(imp.total_old, imp.unit), _num(imp.total_new, imp.unit),
                     _diff(imp.total_new - imp.total_old, imp.unit), "", ""])
    return header, rows


def change_lines(changes: list[Change]) -> list[str]:
    lines: list[str] = []
    section = None
    for c in changes:
        if c.section != section:
            section = c.section
            lines.append(f"{section}:")
        head = f"  {MARK[c.kind]} {c.id}" + (f" ({c.kind})" if c.kind != "changed" else "")
        if len(c.details) == 1 and len(head) + len(c.details[0]) < 100:
            lines.append(f"{head}: {c.details[0]}")
        else:
            lines.append(head)
            lines += [f"      {d}" for d in c.details]
    return lines or ["no changes"]


def to_text(title, changes, impacts, show_all, data) -> bytes:
    out = [f"Changes {title}", ""] + change_lines(changes)
    if data:
        out += ["", f"Impact on the data in {data}:"]
        changed = [i for i in impacts if i.changed]
        if not changed:
            out.append("  no output changes for any key")
        for imp in changed:
            name = f"{imp.rule}" + (f" — {imp.title}" if imp.title else "") + (f" ({imp.unit})" if imp.unit else "")
            if len(imp.dims) > 1 and not show_all:
                moved = sum(1 for r in imp.rows if r.changed or r.flip)
                out += ["", f"{name}: {moved} of {len(imp.rows)} keys "
                            f"({' × '.join(imp.dims)}) change; --all lists them"]
                continue
            header, rows = impact_table(imp, show_all)
            out += ["", name]
            out += _aligned(header, rows)
    return ("\n".join(out) + "\n").encode("utf-8")


def _aligned(header, rows) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = lambda row: "  " + "  ".join(str(c).ljust(w) if i == 0 or i >= 4 else str(c).rjust(w)
                                        for i, (c, w) in enumerate(zip(row, widths))).rstrip()
    return [fmt(header)] + [fmt(r) for r in rows]


def to_markdown(title, changes, impacts, show_all, data) -> bytes:
    out = [f"# Changes {title}", ""]
    for c in changes:
        out.append(f"- **{c.section} {MARK[c.kind]} `{c.id}`**" + ("" if c.kind == "changed" else f" ({c.kind})"))
        out += [f"  - {d}" for d in c.details]
    if not changes:
        out.append("No changes.")
    if data:
        out += ["", f"## Impact on `{data}`", ""]
        for imp in [i for i in impacts if i.changed]:
            header, rows = impact_table(imp, show_all)
            out += [f"### {imp.rule}" + (f" — {imp.title}" if imp.title else ""), "",
                    "| " + " | ".join(header) + " |", "|---|---:|---:|---:|---|---|"]
            out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return ("\n".join(out) + "\n").encode("utf-8")


def to_json(title, changes, impacts, show_all, data) -> bytes:
    doc = {"title": title, "changes": [c.to_json() for c in changes],
           "impact": [{"rule": i.rule, "dims": list(i.dims), "unit": i.unit,
                       "total": {"old": value_to_json(i.total_old), "new": value_to_json(i.total_new)}
                       if i.total_old is not None else None,
                       "rows": [{**{k: value_to_json(v) for k, v in r.key.items()},
                                 "old": value_to_json(r.old), "new": value_to_json(r.new),
                                 "difference": value_to_json(r.diff), "driver": r.driver, "flip": r.flip}
                                for r in _rows_shown(i, show_all)]}
                      for i in impacts]}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_xlsx(title, changes, impacts, show_all, data) -> bytes:
    import io
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Ändringar"
    ws.append([title])
    ws.append(["avsnitt", "id", "ändring", "detalj"])
    for c in changes:
        for d in c.details or [""]:
            ws.append([c.section, c.id, c.kind, d])
    for imp in [i for i in impacts if i.changed]:
        sheet = wb.create_sheet(imp.rule[:31])
        sheet.append([*imp.dims, "gammal", "ny", "skillnad", "drivs av", "vändning"])
        for r in _rows_shown(imp, show_all):
            sheet.append([*[str(v) for v in r.key.values()], *[value_to_json(x) for x in (r.old, r.new, r.diff)],
                          r.driver or "", r.flip or ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
