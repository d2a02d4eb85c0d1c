"""The JSON document of `villkor explain` (schemas/explanation.schema.json, docs/explanations.md)."""

from __future__ import annotations

from ..present import json_value
from ..result import display_path
from .build import Explainer, Options

FORMAT_ID = "villkor-explanation/1"


def explain_document(evaluation, tables, rule_id: str, where: dict[str, str] | None = None,
                     options: Options | None = None) -> dict:
    """The trees of `rule_id` at every selected key, with what reproduces them (provenance)."""
    explainer = Explainer(evaluation, options or Options())
    keys = explainer.select(rule_id, where)
    trees = [explainer.explain(rule_id, key) for key in keys]
    return {"format": FORMAT_ID, **provenance(evaluation, tables), "rule": rule_id,
            "where": {d: json_value(explainer.resolve_member(d, w)) for d, w in (where or {}).items()},
            "warnings": list(evaluation.warnings), "explanations": trees}


def provenance(evaluation, tables) -> dict:
    """Policy id, version and hash; every input file's hash: what reproduces a decision."""
    policy = evaluation.plan.policy
    data = []
    for t in sorted(tables.tables.values(), key=lambda t: list(policy.inputs).index(t.id)):
        data.append({"table": t.id, "path": display_path(t.path), "sha256": t.sha256, "rows": int(t.rows)})
    return {"policy": {"id": policy.id, "title": policy.title, "version": policy.version,
                       "path": display_path(policy.path), "sha256": policy.sha256},
            "data": data}
