"""Reading a scenario file: named scenarios and grids (YAML), or a table of one scenario per row
(CSV, XLSX); every override checked as `--params` is, with errors at the file's line and column."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import LimitError, Location, PolicyError
from ..policy.loader import load_yaml
from ..policy.params import LONG_FORM_KEYS, apply_override_values

MAX_SCENARIOS = 100_000
FILE_KEYS = ("scenarios", "grid")


@dataclass
class Scenario:
    name: str
    cells: dict[tuple[str, tuple], Any]  # (parameter id, member key or ()) -> new value
    shown: dict[str, Any] = field(default_factory=dict)  # override as written: path -> value



class _Here:
    """Positions for `apply_override_values`: every key at one place, every value at another."""

    def __init__(self, key: Location, value: Location):
        self.key, self.value = key, value

    def location(self, path: tuple[Any, ...], key: bool = False) -> Location:
        return self.key if key else self.value


def split_path(policy, text: str, here: Location) -> tuple[str, tuple]:
    """'tariff.cataract' -> ('tariff', ('cataract',)); members of integer dimensions as ints."""
    pid, *rest = str(text).split(".", 1)
    p = policy.parameters.get(pid)
    if p is None or not p.by or not rest:
        return pid, tuple(rest)
    parts = rest[0].split(".", len(p.by) - 1)
    key = []
    for d, part in zip(p.by, parts):
        members = policy.dimensions[d].members
        key.append(int(part) if part not in members and part.lstrip("-").isdigit()
                   and int(part) in members else part)
    return pid, tuple(key)


def _nest(p, key: tuple, raw):
    """The --params form of one cell: {pid: {m1: {m2: raw}}} (long form kept at the top)."""
    long_form = isinstance(raw, dict) and set(raw) <= LONG_FORM_KEYS and "value" in raw
    inner = raw["value"] if long_form else raw
    for member in reversed(key):
        inner = {member: inner}
    if long_form:
        return {**raw, "value": inner}
    return inner


def cells_of(base, changed, pids) -> dict[tuple[str, tuple], Any]:
    """The cells of the parameters `pids` whose value differs between two policies."""
    out = {}
    for pid in pids:
        old, new = base.parameters[pid], changed.parameters[pid]
        if new.by:
            norm_old = {(k if isinstance(k, tuple) else (k,)): v for k, v in old.value.items()}
            norm_new = {(k if isinstance(k, tuple) else (k,)): v for k, v in new.value.items()}
            for k, v in norm_new.items():
                if norm_old.get(k, object()) != v or type(norm_old.get(k)) is not type(v):
                    out[(pid, k)] = v
        elif new.value != old.value or type(new.value) is not type(old.value):
            out[(pid, ())] = new.value
    return out


def read_scenarios(policy, path: str) -> tuple[list[Scenario], str]:
    """The scenarios of a file and the file's sha256; errors name the file, line and column."""
    if path.lower().endswith((".csv", ".txt", ".xlsx")):
        return _read_table(policy, path)
    loaded = load_yaml(path)
    tree = loaded.tree
    if not isinstance(tree, dict) or not tree:
        raise PolicyError("a scenario file has 'scenarios:' (named overrides) and/or 'grid:' (values to combine)",
                          loaded.location(()),
                          "e.g.\n    grid:\n      approximate_cost_excl_supplement.cataract: [9000, 10000, 11000]")
    for key in tree:
        if key not in FILE_KEYS:
            raise PolicyError(f"unknown section '{key}' in a scenario file", loaded.location((key,), key=True),
                              "sections: scenarios, grid")
    scenarios: list[Scenario] = []
    named = tree.get("scenarios") or {}
    if not isinstance(named, dict):
        raise PolicyError("'scenarios' maps a name to parameter overrides", loaded.location(("scenarios",)),
                          "e.g.\n    scenarios:\n      billigare_starr: {approximate_cost_excl_supplement: {cataract: 9000}}")
    for name, overrides in named.items():
        here = loaded.location(("scenarios", name))
        if not isinstance(overrides, dict) or not overrides:
            raise PolicyError(f"scenario '{name}' gives no parameter overrides", here,
                              "e.g. approximate_cost_excl_supplement: {cataract: 9000}")
        changed = apply_override_values(policy, overrides, path, loaded=loaded, prefix=("scenarios", name))
        cells = cells_of(policy, changed, overrides)
        scenarios.append(Scenario(str(name), cells, {".".join(map(str, (pid, *key))): v
                                                     for (pid, key), v in cells.items()}))
    grid = tree.get("grid") or {}
    if not isinstance(grid, dict):
        raise PolicyError("'grid' maps a parameter (approximate_cost_excl_supplement.cataract) to a list of values",
                          loaded.location(("grid",)))
    axes = []
    for text, values in grid.items():
        key_loc = loaded.location(("grid", text), key=True)
        items = values if isinstance(values, list) else [values]
        if not items:
            raise PolicyError(f"grid entry '{text}' lists no values", loaded.location(("grid", text)))
        pid, key = split_path(policy, text, key_loc)
        p = policy.parameters.get(pid)
        axis = []
        for i, raw in enumerate(items):
            val_loc = loaded.location(("grid", text, i) if isinstance(values, list) else ("grid", text))
            overrides = {pid: _nest(p, key, raw) if p is not None else raw}
            if p is not None and not p.by and key:
                raise PolicyError(f"parameter '{pid}' is a single value, not a table: write '{pid}'",
                                  key_loc)
            changed = apply_override_values(policy, overrides, path, loaded=_Here(key_loc, val_loc), prefix=())
            shown = raw["value"] if isinstance(raw, dict) and "value" in raw else raw
            axis.append((cells_of(policy, changed, [pid]) or {(pid, key): shown}, str(text), shown))
        axes.append(axis)
    total = int(np.prod([len(a) for a in axes])) if axes else 0
    if total + len(scenarios) > MAX_SCENARIOS:
        raise LimitError(f"the grid makes {total} scenarios, more than {MAX_SCENARIOS}",
                         loaded.location(("grid",), key=True), "list fewer values")
    for combo in itertools.product(*axes) if axes else ():
        cells, shown = {}, {}
        for c, text, raw in combo:
            cells.update(c)
            shown[text] = raw
        name = ", ".join(f"{t}={_plain(v)}" for t, v in shown.items())
        scenarios.append(Scenario(name, cells, shown))
    if not scenarios:
        raise PolicyError("the scenario file names no scenario", loaded.location(()))
    return scenarios, loaded.sha256


def _plain(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass
class _Table:
    """A scenario table as read: header names, and per scenario its row number and cells."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    sep: str  # ';' where a decimal comma is the rule (Swedish CSV, any XLSX text cell)
    sha256: str
    place: str  # the file, and for a workbook its sheet: where errors point


def _read_csv_table(path: str) -> _Table:
    """A CSV table: ',' or ';' (Swedish Excel, with decimal commas), UTF-8."""
    try:
        raw = open(path, "rb").read()
    except OSError as exc:
        raise PolicyError(f"cannot read the scenario table: {exc.strerror}", Location(file=path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("the scenario table is not UTF-8 text", Location(file=path),
                          "save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]  # line of the record's end
    header = [h.strip() for h in rows[0][1]] if rows else []
    return _Table(header, rows[1:], sep, hashlib.sha256(raw).hexdigest(), path)


def _read_xlsx_table(policy, path: str) -> _Table:
    """The first sheet of a workbook, read by the data layer's rules (a formula without a saved
    value and merged cells are refused there, with the sheet and cell); rows keep their sheet
    row numbers."""
    from ..data import cell_text, read_xlsx, sha256
    from ..policy.model import Column, Input

    # the data layer reads an input table: the stand-in input's columns are the headers it can
    # recognise (to find a header below other text)
    names = {"scenario"} | {f"{pid}.{'.'.join(map(str, k))}" if k else pid
                            for pid, p in policy.parameters.items()
                            for k in ([()] + ([kk if isinstance(kk, tuple) else (kk,) for kk in p.value]
                                              if p.by else []))}
    raw = read_xlsx(Input("scenarios", {n: Column(n, "string") for n in sorted(names)}), path)
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True)
    try:
        title = wb.worksheets[0].title
    finally:
        wb.close()
    header = [str(c) for c in raw.frame.columns]
    rows = []
    for i, record in enumerate(raw.frame.itertuples(index=False)):
        cells = ["" if v is None else v.strip() if isinstance(v, str) else cell_text(v) for v in record]
        if any(cells):
            rows.append((raw.rows(i), cells))
    return _Table(header, rows, ";", sha256(path), f"{path}, sheet '{title}'")


def _read_table(policy, path: str) -> tuple[list[Scenario], str]:
    """A table (CSV or XLSX): a header of parameter paths (tariff.cataract), optionally a
    'scenario' column with names first, then one scenario per row."""
    table = _read_xlsx_table(policy, path) if path.lower().endswith(".xlsx") else _read_csv_table(path)
    at = table.place
    if not table.rows:
        raise PolicyError("the scenario table has a header and no scenario rows", Location(file=at, row=1),
                          "one row per scenario under a header such as: scenario,tariff.cataract")
    header = table.header
    named = header[0] == "scenario"
    columns = header[1:] if named else header
    start = 1 if named else 0
    if len(table.rows) > MAX_SCENARIOS:
        raise LimitError(f"the table has {len(table.rows)} scenarios, more than {MAX_SCENARIOS}", Location(file=at))
    for r, row in table.rows:
        if len(row) != len(header):
            raise PolicyError(f"the row has {len(row)} cells, the header {len(header)}",
                              Location(file=at, row=r), "one value per column")
    parsed: list[tuple[str, tuple, list]] = []
    first = table.rows[0][0]
    for j, col in enumerate(columns):
        here = Location(file=at, row=1, field=col)
        pid, key = split_path(policy, col, here)
        p = policy.parameters.get(pid)
        read = _cell_reader(p, table.sep)
        cells = [read(row[start + j].strip(), (at, r, col)) for r, row in table.rows]
        # names, members, kind and unit through the --params rules, on the first row's value
        if p is not None and not p.by and key:
            raise PolicyError(f"parameter '{pid}' is a single value, not a table: write '{pid}'", here)
        probe = {pid: _nest(p, key, cells[0]) if p is not None else cells[0]}
        apply_override_values(policy, probe, path,
                              loaded=_Here(here, Location(file=at, row=first, field=col)), prefix=())
        parsed.append((pid, key, cells))
    scenarios = []
    for i, (r, row) in enumerate(table.rows):
        name = row[0].strip() if named else f"rad {r}"
        chosen = {(pid, key): values[i] for pid, key, values in parsed}
        scenarios.append(Scenario(name, chosen, {col: values[i] for col, (_, _, values) in zip(columns, parsed)}))
    return scenarios, table.sha256


def _cell_reader(p, sep: str):
    """The reader of one column's cells: whole kronor (most cells) without a detour; every other
    cell, and every error with its place (file, row, column), through `_cell`."""
    sample = (next(iter(p.value.values()), None) if p.by else p.value) if p is not None else None
    whole = isinstance(sample, (int, Decimal)) and not isinstance(sample, bool)

    def read(text: str, where: tuple):
        if whole and text.isdigit() and text.isascii():
            return int(text)
        return _cell(p, text, sep, Location(file=where[0], row=where[1], field=where[2]))
    return read


def _cell(p, text: str, sep: str, here: Location):
    """One table cell as a value of the parameter's kind."""
    sample = None
    if p is not None:
        sample = next(iter(p.value.values()), None) if p.by else p.value
    if isinstance(sample, bool):
        if text.lower() in ("true", "ja", "1"):
            return True
        if text.lower() in ("false", "nej", "0"):
            return False
    elif isinstance(sample, (int, Decimal)):
        t = text.replace(" ", "").replace("\u2009", "")
        if sep == ";":
            t = t.replace(",", ".")
        if NUMBER.fullmatch(t):
            d = Decimal(t)
            return int(d) if d == d.to_integral_value() and "." not in t else d
    elif isinstance(sample, dt.date):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    elif isinstance(sample, str) or p is None:
        return text
    else:
        raise PolicyError(f"parameter '{p.id}' cannot be given in a table cell", here,
                          "vary it in a YAML scenario file")
    kind = {bool: "true/false", dt.date: "date"}.get(type(sample), "number")
    raise PolicyError(f"parameter '{p.id}' is a {kind}, not {text!r}", here,
                      "give a value of the same kind as in the policy")
