"""The scenarios as people and programs read them: JSON, Markdown, HTML and XLSX, a row per
scenario with its difference from the base and the flips (a cap that starts or stops binding)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..lang import ast, values as V
from .evaluate import ScenarioRun

FORMATS = ("json", "md", "html", "xlsx")
MAX_FLIP_LINES = 200


def _diff(data: np.ndarray) -> np.ndarray:
    base = data[0:1]
    if data.dtype == np.int64 and V._magnitude(data) < 2 ** 61:
        return data - base
    return V.add(V.as_object(data), V.as_object(np.broadcast_to(base, data.shape)), sign=-1)


def _json_list(arr: np.ndarray) -> list:
    """A whole array as JSON-ready lists (called once per output, on all scenarios at once)."""
    from ..report.json_writer import value_to_json
    if arr.dtype == np.int64 or arr.dtype == bool:
        return arr.tolist()
    if arr.dtype.kind == "M":
        return [[str(x) for x in row] for row in arr.astype(object).tolist()] if arr.ndim > 1 else \
            [str(x) for x in arr.astype(object).tolist()]
    flat = [value_to_json(V.py_value("number", x)) if isinstance(x, (int, Decimal, np.integer)) else x
            for x in arr.reshape(-1)]
    return np.asarray(flat, dtype=object).reshape(arr.shape).tolist()


@dataclass
class OutputSpec:
    rid: str
    title: str
    unit: str | None
    dims: tuple
    kind: str
    keys: list[dict]
    data: np.ndarray  # (scenarios + 1, keys)
    diff: np.ndarray | None
    flip: np.ndarray  # (scenarios + 1, keys) bool: a min/max of this rule flipped at the key


def output_specs(run: ScenarioRun, chosen: list[str]) -> list[OutputSpec]:
    """The chosen outputs as every format shows them: a row per scenario (the base first), a
    column per key, the difference from the base and where a min/max flipped."""
    from ..engine import keys_of
    ev = run.evaluation
    n = len(run.scenarios) + 1
    specs = []
    for rid in chosen:
        pr = ev.plan.rules[rid]
        if rid not in ev.values:
            continue
        dims = tuple(pr.type.dims)
        keys = [k for _, k in keys_of(ev.scope, dims)]
        val = run.values.get(rid)
        if val is None:
            base = ev.values[rid]
            data = np.broadcast_to(base.data.reshape(1, -1), (n, base.data.size))
        else:
            data = val.data.reshape(n, -1)
        if val is not None and val.categories is not None:
            data = val.decoded().reshape(n, -1)
        flip = np.zeros(data.shape, dtype=bool)
        for f in run.flips:
            if f.rule == rid:
                w = f.winners.reshape(n, -1)
                flip |= w != w[0:1]
        kind = pr.type.kind
        specs.append(OutputSpec(rid, pr.rule.title or rid, pr.rule.unit or (str(pr.type.unit) if pr.type.unit else None),
                                dims, kind, keys, data, _diff(data) if kind == "number" else None, flip))
    return specs


def arg_title(policy, node) -> str:
    from ..lang.printer import to_text
    if isinstance(node, ast.Name):
        item = policy.rules.get(node.id) or policy.parameters.get(node.id)
        if item is not None and item.title:
            return item.title
    return to_text(node)


def _flip_lines(run: ScenarioRun, limit: int = MAX_FLIP_LINES) -> tuple[list[list[str]], int]:
    """Per scenario, Swedish lines describing each flip."""
    from ..engine import keys_of
    ev = run.evaluation
    policy = ev.plan.policy
    n = len(run.scenarios) + 1
    lines: list[list[str]] = [[] for _ in range(n)]
    per = [0] * n
    count = 0
    for f in run.flips:
        pr = ev.plan.rules.get(f.rule)
        title = (pr.rule.title if pr else None) or f.rule
        dims = tuple(pr.type.dims) if pr else ()
        keys = [k for _, k in keys_of(ev.scope, dims)]
        w = f.winners.reshape(n, -1)
        word = "lägst" if f.node.func == "min" else "högst"
        for s, j in zip(*np.nonzero(w != w[0:1])):
            count += 1
            per[s] += 1
            if count > limit:
                continue
            where = ", ".join(str(member_label(policy, d, m)) for d, m in keys[j].items())
            before = arg_title(policy, f.args[int(w[0, j])])
            after = arg_title(policy, f.args[int(w[s, j])])
            lines[s].append(f"{title}{' för ' + where if where else ''}: i grundalternativet var {before} {word}, "
                            f"nu är {after} {word}")
    run.flip_counts = per
    return lines, count


def member_label(policy, dim, member):
    labels = policy.dimensions[dim].labels
    return labels.get(member, member) if labels else member


def to_document(run: ScenarioRun, specs: list[OutputSpec], source: dict) -> dict:
    from ..engine import policy_info
    from ..report.json_writer import value_to_json
    ev = run.evaluation
    info = policy_info(ev.plan.policy)
    flips, _ = _flip_lines(run, limit=10 ** 9)
    outputs = {}
    for o in specs:
        outputs[o.rid] = {"title": o.title, "unit": o.unit, "dims": list(o.dims),
                          "keys": [[value_to_json(k[d]) for d in o.dims] for k in o.keys] if o.dims else None}
    # every output's values, differences and flips as lists once, for all scenarios together
    rows = {o.rid: (_json_list(o.data), None if o.diff is None else _json_list(o.diff),
                    None if o.diff is not None else (o.data != o.data[0:1]).tolist(),
                    set(np.flatnonzero(o.flip.any(axis=1)).tolist()))  # the scenarios with a flip
            for o in specs}

    def one(o: OutputSpec, s: int) -> dict:
        vals, diffs, changed, flipped = rows[o.rid]
        entry = {"value": vals[s] if o.dims else vals[s][0]}
        if diffs is not None:
            entry["difference"] = diffs[s] if o.dims else diffs[s][0]
        elif s and changed is not None:  # without differences (not numbers): whether it changed
            entry["changed"] = changed[s] if o.dims else changed[s][0]
        if s and s in flipped:
            entry["flips"] = [[value_to_json(o.keys[j][d]) for d in o.dims] for j in np.flatnonzero(o.flip[s])]
        return entry
    base = {"outputs": {o.rid: one(o, 0)["value"] for o in specs}, "failed_checks": run.failed_checks[0]}
    scen = []
    for s, sc in enumerate(run.scenarios, start=1):
        scen.append({"name": sc.name, "overrides": {k: v if type(v) is int else value_to_json(v)
                                                    for k, v in sc.shown.items()},
                     "outputs": {o.rid: one(o, s) for o in specs},
                     "flips": flips[s], "failed_checks": run.failed_checks[s]})
    return {"policy": {"id": info.id, "version": info.version, "sha256": info.sha256, "title": info.title,
                       "path": info.path},
            "data": [{"table": t.id, "path": t.path, "sha256": t.sha256, "rows": t.rows}
                     for t in run.tables.tables.values()],
            "scenario_file": source, "warnings": list(ev.warnings),
            "varied": run.varied, "recomputed": run.dependent, "outputs": outputs, "base": base,
            "scenarios": scen}


def _signed(value, unit) -> str:
    from ..present import format_value
    if value == 0:
        return "±0"
    text = format_value(value, unit)
    return text if text.startswith(("\u2212", "≈ \u2212")) else "+" + text


def to_blocks(run: ScenarioRun, specs: list[OutputSpec], source: dict):
    from ..present import format_value
    from ..report.layout import Block
    ev = run.evaluation
    policy = ev.plan.policy
    n = len(run.scenarios) + 1
    varied = ", ".join(policy.parameters[p].title or p for p in run.varied)
    blocks = [Block("h1", f"Scenarier: {policy.title}"),
              Block("p", f"Regelverk {policy.id}, version {policy.version} (sha256 {policy.sha256[:12]}), scenariofil "
                         f"{source['path']} (sha256 {source['sha256'][:12]}): {n - 1} scenarier mot grundalternativet. "
                         f"Varierade parametrar: {varied}. Omräknade regler: {len(run.dependent)} av "
                         f"{len(policy.rules)}; övriga är beräknade en gång.")]
    if ev.warnings:
        from ..report.warnings_sv import swedish
        blocks += [Block("h2", "Varningar"), Block("list", items=[swedish(w) for w in ev.warnings])]
    national = [o for o in specs if not o.dims]
    flips, count = _flip_lines(run)
    header = ["Scenario"]
    for o in national:
        header += [o.title, "Skillnad"] if o.diff is not None else [o.title]
    header += ["Skiften", "Kontroller som inte håller"]
    rows = []
    for s in range(n):
        row = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name]
        for o in national:
            row.append(format_value(_cell_value(o, s, 0), o.unit))
            if o.diff is not None:
                row.append("" if s == 0 else _signed(_cell_value(o, s, 0, o.diff), o.unit))
        row.append("" if s == 0 else str(run.flip_counts[s]))
        row.append(", ".join(run.failed_checks[s]))
        rows.append(row)
    numeric = [False] + [True] * (len(header) - 3) + [True, False]
    blocks += [Block("h2", "Översikt"), Block("table", header=header, rows=rows, numeric=numeric)]
    for o in [o for o in specs if o.dims]:
        head = ["Scenario"] + [" ".join(str(member_label(policy, d, k[d])) for d in o.dims) for k in o.keys]
        body = []
        for s in range(n):
            cells = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name]
            for j in range(len(o.keys)):
                text = format_value(_cell_value(o, s, j), o.unit)
                if s and o.diff is not None:
                    text += f" ({_signed(_cell_value(o, s, j, o.diff), o.unit)})"
                elif s and o.data[s, j] != o.data[0, j]:
                    text += " (ändrad)"
                if s and o.flip[s, j]:
                    text += " ⚑"
                cells.append(text)
            body.append(cells)
        blocks += [Block("h2", f"{o.title} ({o.rid})"),
                   Block("table", header=head, rows=body, numeric=[False] + [True] * len(o.keys))]
    if count:
        items = [f"{run.scenarios[s - 1].name}: {line}" for s in range(1, n) for line in flips[s]]
        if count > MAX_FLIP_LINES:
            items.append(f"… och {count - MAX_FLIP_LINES} skiften till (se JSON-utdata)")
        blocks += [Block("h2", "Skiften (⚑: ett tak börjar eller slutar begränsa)"), Block("list", items=items)]
    return blocks


def _cell_value(o: OutputSpec, s: int, j: int, table: np.ndarray | None = None):
    """The cell of the output's values (or of `table`, its differences) as a plain value."""
    raw = (o.data if table is None else table)[s, j]
    if o.kind == "date":
        return np.datetime64(raw, "D").astype(object)
    if isinstance(raw, (np.bool_, bool)):
        return bool(raw)
    if isinstance(raw, np.integer):
        return int(raw)
    return raw


def to_xlsx(run: ScenarioRun, specs: list[OutputSpec], source: dict) -> bytes:
    from openpyxl import Workbook

    from ..engine import to_result
    from ..report.xlsx_writer import cell_value, fixed_stamp, fixed_zip_times, number_format, sheet_title

    _flip_lines(run)
    wb = Workbook()
    ws = wb.active
    ws.title = "Översikt"
    used = {"översikt"}
    national = [o for o in specs if not o.dims]
    paths = list(dict.fromkeys(k for sc in run.scenarios for k in sc.shown))
    header = ["scenario"] + paths
    for o in national:
        header += [o.rid] + (["skillnad"] if o.diff is not None else [])
    ws.append(header + ["skiften", "kontroller som inte håller"])
    n = len(run.scenarios) + 1
    for s in range(n):
        shown = run.scenarios[s - 1].shown if s else {}
        row = ["Grundpolicy" if s == 0 else run.scenarios[s - 1].name] + [cell_value(shown.get(p)) for p in paths]
        for o in national:
            row.append(cell_value(_cell_value(o, s, 0)))
            if o.diff is not None:
                row.append(cell_value(_cell_value(o, s, 0, o.diff)))
        row += [run.flip_counts[s], ", ".join(run.failed_checks[s])]
        ws.append(row)
    for o in [o for o in specs if o.dims]:
        sh = wb.create_sheet(sheet_title(o.rid, used))
        sh.append(["scenario", *o.dims, "värde"] + (["skillnad"] if o.diff is not None else []) + ["skifte"])
        for s in range(n):
            name = "Grundpolicy" if s == 0 else run.scenarios[s - 1].name
            for j, k in enumerate(o.keys):
                v = _cell_value(o, s, j)
                row = [name, *[cell_value(k[d]) for d in o.dims], cell_value(v)]
                if o.diff is not None:
                    row.append(cell_value(_cell_value(o, s, j, o.diff)))
                sh.append(row + [bool(o.flip[s, j])])
                fmt = number_format(v, o.unit)
                if fmt:
                    sh.cell(sh.max_row, len(o.dims) + 2).number_format = fmt
    stamp = fixed_stamp(to_result(run.evaluation, run.tables, []))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return fixed_zip_times(buffer.getvalue(), stamp)


def _json_bytes(doc: dict) -> bytes:
    """The document indented, except that each scenario is one line: with 10 000 scenarios the
    indenting encoder (pure Python) would cost more than the whole evaluation; a line per
    scenario is written by the C encoder and is as easy to read and to diff."""
    scenarios = doc.pop("scenarios")
    head = json.dumps(doc, ensure_ascii=False, indent=1)  # ends with "\n}"
    lines = ",\n".join("  " + json.dumps(sc, ensure_ascii=False) for sc in scenarios)
    body = "[\n" + lines + "\n ]" if scenarios else "[]"
    return (head[:-2] + ',\n "scenarios": ' + body + "\n}\n").encode("utf-8")


def render(run: ScenarioRun, specs, source: dict, fmt: str) -> bytes:
    if fmt == "json":
        return _json_bytes(to_document(run, specs, source))
    if fmt == "md":
        from ..report.markdown import blocks_to_markdown
        return blocks_to_markdown(to_blocks(run, specs, source)).encode("utf-8")
    if fmt == "html":
        from ..report.html import blocks_to_html
        return blocks_to_html(to_blocks(run, specs, source),
                              f"Scenarier: {run.evaluation.plan.policy.title}").encode("utf-8")
    return to_xlsx(run, specs, source)
