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

Values (`present.json_value`): whole numbers (int, or a Decimal with an integral value) are JSON numbers; other
Decimals are strings with exactly the digits the engine computed ("333.333…", "1.50"), since
a JSON number would be read back as a binary float by most consumers. Dates are ISO text,
durations ISO 8601 ("P30D"), absent values null. Floats are refused: the engine never makes
one, and writing one would hide a rounding. The bytes are deterministic (fixed key order,
indent 2, UTF-8 without escapes, one trailing newline), so the same run gives the same file.
"""

from __future__ import annotations

import json
from typing import Any

from ..present import json_value as value_to_json
from ..result import OutputTable, RunResult


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
