"""The JSON document of `villkor run` (the contract of DESIGN.md).

Numbers are JSON numbers when whole, exact decimal strings otherwise ("40.333…"), never
rounded; dates are ISO text; durations ISO 8601 ("P30D"). Byte-identical for the same run.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ..result import RunResult


def value_to_json(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dt.timedelta):
        return ("-" if value.days < 0 else "") + f"P{abs(value.days)}D"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [value_to_json(v) for v in value]
    raise TypeError(f"no JSON form for {value!r}")


def to_document(result: RunResult) -> dict:
    p = result.policy
    return {
        "policy": {"id": p.id, "version": p.version, "sha256": p.sha256, "title": p.title,
                   "path": p.path, "valid": {"from": p.valid_from, "to": p.valid_to}},
        "data": [{"table": d.table, "path": d.path, "sha256": d.sha256, "rows": d.rows} for d in result.data],
        "warnings": list(result.warnings),
        "outputs": {rid: [{k: value_to_json(v) for k, v in row.items()} for row in table.rows]
                    for rid, table in result.outputs.items() if table.computed},
        "not_computed": [rid for rid, table in result.outputs.items() if not table.computed],
        "checks": [{"id": c.id, "passed": c.passed, "detail": c.detail} for c in result.checks],
    }


def to_json(result: RunResult) -> bytes:
    return (json.dumps(to_document(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
