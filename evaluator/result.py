"""What a run produces: the contract between the engine and the report writers.

Values are plain Python: int or Decimal for numbers (never float), bool, str, datetime.date,
datetime.timedelta for durations, or None where a value is absent or not computed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, overload


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    title: str
    version: str
    path: str
    sha256: str
    valid_from: str
    valid_to: str


@dataclass(frozen=True)
class DataInfo:
    table: str
    path: str | None  # None for inline fixture rows
    sha256: str | None
    rows: int


@dataclass(frozen=True)
class ParamChange:
    """One value a --params file changed: a scalar parameter (key None) or one cell of a table."""

    parameter: str
    title: str | None
    key: dict[str, Any] | None  # {"measure": "cataract"} for a table cell
    old: Any
    new: Any
    unit: str | None = None


@dataclass(frozen=True)
class ParamsInfo:
    """The --params file of a what-if run, and every value it changed."""

    path: str
    sha256: str
    changes: tuple[ParamChange, ...]


WHAT_IF = "Beräkning med ändrade parametrar – inte ett beslut"


def change_text(c: ParamChange) -> str:
    """One changed value for people: "Ungefärlig kostnad (cataract): 10 000 → 11 000 kr/count"."""
    from .present import format_value

    where = f" ({', '.join(str(m) for m in c.key.values())})" if c.key else ""
    unit = f" {c.unit}" if c.unit else ""
    return f"{c.title or c.parameter}{where}: {format_value(c.old)} → {format_value(c.new)}{unit}"


class Notice(str):
    """A warning that is also its kind and fields: the text (English, as the JSON `warnings`
    list has it) is the string itself; `report.warnings_sv` renders the Swedish text people
    read from `kind` and `fields`. A plain str warning has no kind and is shown as it is."""

    kind: str
    fields: dict[str, Any]

    def __new__(cls, text: str, kind: str, **fields: Any):
        self = super().__new__(cls, text)
        self.kind, self.fields = kind, fields
        return self

    def __getnewargs_ex__(self):  # so copy, deepcopy and pickle rebuild it with its kind
        return (str(self), self.kind), dict(self.fields)


@dataclass
class OutputTable:
    """One output rule: a row per key of its grain, with the key columns then `value`."""

    rule: str
    title: str | None
    dims: tuple[str, ...]
    unit: str | None
    type: str  # number | bool | string | date | duration | list
    rows: list[dict[str, Any]]  # {"region": "Gotland", "measure": "cataract", "value": 600}
    computed: bool = True  # False when it needs an absent optional input
    source: str | None = None  # citation text
    labels: dict[str, dict[Any, str]] = field(default_factory=dict)  # dim -> member -> label
    dim_titles: dict[str, str] = field(default_factory=dict)  # dim -> its title ("Åtgärd")


@dataclass
class CheckResult:
    id: str
    title: str | None
    passed: bool
    detail: str  # the values that decided it, e.g. "Σ payout = 749 999 000 kr ≤ budget = 750 000 000 kr"


@dataclass
class RunResult:
    policy: PolicyInfo
    data: list[DataInfo]
    warnings: list[str]
    outputs: dict[str, OutputTable]  # in the policy's `outputs` order
    checks: list[CheckResult] = field(default_factory=list)
    params: ParamsInfo | None = None  # set for a run with --params (a what-if, not a decision)


def only_members(result: RunResult, where: dict[str, Any]) -> RunResult:
    """The same result with only the rows at these members (`--where region=Uppsala`): every
    output keeps its place and columns; an output without the dimension (a national total)
    keeps its rows."""
    import dataclasses

    outputs = {}
    for rid, table in result.outputs.items():
        rows = [r for r in table.rows if all(r[d] == m for d, m in where.items() if d in table.dims)]
        outputs[rid] = dataclasses.replace(table, rows=rows)
    return dataclasses.replace(result, outputs=outputs)


@overload
def display_path(path: str) -> str: ...
@overload
def display_path(path: None) -> None: ...


def display_path(path: str | None) -> str | None:
    """A file's path as outputs record it: relative to the current folder (with /) when the file
    is inside it, however it was typed; else absolute. So the same run from the same folder
    writes the same bytes on any machine (docs/outputs.md)."""
    if path is None:
        return None
    full = os.path.abspath(path)
    here = os.getcwd()
    if os.path.commonpath([full, here]) == here:
        return os.path.relpath(full, here).replace(os.sep, "/")
    return full
