"""The JSON document of `villkor run` (the contract of DESIGN.md).

Shape and key order:

    {"policy": {"id", "version", "sha256", "title", "path", "valid": {"from", "to"}},
     "data": [{"table", "path", "sha256", "rows"}],
     "warnings": [...],
     "outputs": {rule: [{<key columns in grain order>..., "value": v}]},
     "checks": [{"id", "passed", "detail"}],
     "not_computed": [rule, ...]}

An output that was not computed (it needs an absent optional input) is *omitted* from
`outputs` and named in `not_computed`: an empty list would read as "computed, no rows", and
every computed output has a row for every key of its grain, so absence is unambiguous.

Values: whole numbers (int, or a Decimal with an integral value) are JSON numbers; other
Decimals are strings with exactly the digits the engine computed ("333.333…", "1.50"), since
a JSON number would be read back as a binary float by most consumers. Dates are ISO text,
durations ISO 8601 ("P30D"), absent values null. Floats are refused: the engine never makes
one, and writing one would hide a rounding. The bytes are deterministic (fixed key order,
indent 2, UTF-8 without escapes, one trailing newline), so the same run gives the same file.
"""

from __future__ import annotations

import datetime as dt
import json
import numbers
from decimal import Decimal
from typing import Any

from ..result import OutputTable, RunResult


def decimal_to_json(value: Decimal) -> int | str:
    """An integral Decimal as an exact int, any other as its exact plain-notation digits."""
    if not value.is_finite():
        raise ValueError(f"no JSON form for the decimal {value}")
    if value == value.to_integral_value():
        return int(value)
    return format(value, "f")


def duration_to_json(value: dt.timedelta) -> str:
    """ISO 8601: whole days (the language's durations) as 'P30D', a finer rest as 'P0DT90S'."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    if not (value.seconds or value.microseconds):
        return f"{sign}P{value.days}D"
    seconds = Decimal(value.seconds) + Decimal(value.microseconds).scaleb(-6)
    return f"{sign}P{value.days}DT{format(seconds.normalize(), 'f')}S"


def value_to_json(value: Any) -> Any:
    """One run value as a JSON-ready Python value (exact; see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):  # int, and numpy integers should one slip through
        return int(value)
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    if isinstance(value, dt.timedelta):
        return duration_to_json(value)
    if isinstance(value, dt.date):  # datetime too: isoformat keeps the time
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [value_to_json(v) for v in value]
    raise TypeError(f"no exact JSON form for {type(value).__name__} {value!r}")


def output_rows(table: OutputTable) -> list[dict[str, Any]]:
    """The rows of one output: key columns in grain order, then `value` (whatever the row dict's order)."""
    return [{**{d: value_to_json(row[d]) for d in table.dims}, "value": value_to_json(row["value"])}
            for row in table.rows]


def to_document(result: RunResult) -> dict:
    """The contract document as ordered dicts, before serialisation."""
    p = result.policy
    return {
        "policy": {"id": p.id, "version": p.version, "sha256": p.sha256, "title": p.title,
                   "path": p.path, "valid": {"from": p.valid_from, "to": p.valid_to}},
        "data": [{"table": d.table, "path": d.path, "sha256": d.sha256, "rows": d.rows}
                 for d in result.data],
        **({"params": params_document(result.params)} if result.params else {}),
        "warnings": list(result.warnings),
        "outputs": {rid: output_rows(t) for rid, t in result.outputs.items() if t.computed},
        "checks": [{"id": c.id, "passed": c.passed, "detail": c.detail} for c in result.checks],
        "not_computed": [rid for rid, t in result.outputs.items() if not t.computed],
    }


def params_document(info) -> dict:
    """A what-if run's params file and the values it changed (present only with --params)."""
    return {"path": info.path, "sha256": info.sha256, "what_if": True,
            "changes": [{"parameter": c.parameter,
                         "key": {d: value_to_json(m) for d, m in c.key.items()} if c.key else None,
                         "old": value_to_json(c.old), "new": value_to_json(c.new)} for c in info.changes]}


def to_json(result: RunResult) -> bytes:
    """The document as UTF-8 bytes, indent 2, with a trailing newline."""
    return (json.dumps(to_document(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
