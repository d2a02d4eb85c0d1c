"""What changed between two policy versions, compared as typed models, never as text.

Reordering entries or reformatting YAML is not a change; an expression that reads the same
(same syntax tree) is not a change. Each change is a `Change` a person can read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..lang import parse
from ..policy.model import Policy
from ..report.fmt import format_value


@dataclass
class Change:
    section: str  # parameters | rules | inputs | outputs | checks | dimensions | sources | policy
    id: str
    kind: str  # added | removed | changed
    details: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"section": self.section, "id": self.id, "kind": self.kind, "details": self.details}


def word_diff(old: str, new: str) -> str:
    """'sum(x[year = 2025])' vs '…2026…' -> 'sum(x[year = [-2025-]{+2026+}])'."""
    a = re.findall(r"\w+|[^\w\s]|\s+", old)
    b = re.findall(r"\w+|[^\w\s]|\s+", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)


def _same_expr(a: str, b: str) -> bool:
    try:
        return parse(a) == parse(b)
    except Exception:  # an unparsable expression compares as text
        return a.strip() == b.strip()


def _value_text(value, unit) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v, unit) for v in value) + "]"
    return format_value(value, unit)


def parameter_changes(old: Policy, new: Policy) -> list[Change]:
    changes = []
    for pid in _ids(old.parameters, new.parameters):
        a, b = old.parameters.get(pid), new.parameters.get(pid)
        if a is None:
            changes.append(Change("parameters", pid, "added", [f"= {_param_text(b)}"]))
        elif b is None:
            changes.append(Change("parameters", pid, "removed", [f"was {_param_text(a)}"]))
        else:
            details = []
            if a.by != b.by:
                details.append(f"keyed by [{', '.join(a.by)}] → [{', '.join(b.by)}]")
            if a.by and b.by and a.by == b.by:
                for key in sorted(set(a.value) | set(b.value), key=str):
                    va, vb = a.value.get(key), b.value.get(key)
                    if va != vb or type(va) is not type(vb):
                        where = "/".join(map(str, key))
                        details.append(f"{where}: {_value_text(va, a.unit) if va is not None else '—'} → "
                                       f"{_value_text(vb, b.unit) if vb is not None else '—'}")
            elif a.value != b.value:
                details.append(f"{_param_text(a)} → {_param_text(b)}")
            for attr, label in (("unit", "unit"), ("status", "status"), ("source", "source")):
                va, vb = getattr(a, attr), getattr(b, attr)
                if attr == "source":
                    va, vb = old.cite(va), new.cite(vb)
                if va != vb:
                    details.append(f"{label}: {va} → {vb}")
            if details:
                changes.append(Change("parameters", pid, "changed", details))
    return changes


def _param_text(p) -> str:
    if p.by:
        return f"table by {', '.join(p.by)} ({len(p.value)} values)"
    unit = f" {p.unit}" if p.unit and p.unit not in ("year", "month") and isinstance(p.value, list) else ""
    return _value_text(p.value, p.unit) + unit


def rule_changes(old: Policy, new: Policy, section: str = "rules") -> list[Change]:
    changes = []
    olds, news = getattr(old, section), getattr(new, section)
    for rid in _ids(olds, news):
        a, b = olds.get(rid), news.get(rid)
        if a is None:
            changes.append(Change(section, rid, "added", [f"per [{', '.join(b.per)}]: {b.expr.strip()}"]))
            continue
        if b is None:
            changes.append(Change(section, rid, "removed", [f"was: {a.expr.strip()}"]))
            continue
        details = []
        if not _same_expr(a.expr, b.expr):
            details.append("expression: " + word_diff(" ".join(a.expr.split()), " ".join(b.expr.split())))
        if a.per != b.per:
            details.append(f"grain: per [{', '.join(a.per)}] → per [{', '.join(b.per)}]")
        for attr in ("unit", "title", "explain") if section == "rules" else ("title",):
            va, vb = getattr(a, attr), getattr(b, attr)
            if va != vb:
                details.append(f"{attr}: {va!r} → {vb!r}")
        if old.cite(a.source) != new.cite(b.source):
            details.append(f"source: {old.cite(a.source)} → {new.cite(b.source)}")
        if details:
            changes.append(Change(section, rid, "changed", details))
    return changes


def input_changes(old: Policy, new: Policy) -> list[Change]:
    changes = []
    for iid in _ids(old.inputs, new.inputs):
        a, b = old.inputs.get(iid), new.inputs.get(iid)
        if a is None or b is None:
            changes.append(Change("inputs", iid, "added" if a is None else "removed"))
            continue
        details = []
        for cid in _ids(a.columns, b.columns):
            ca, cb = a.columns.get(cid), b.columns.get(cid)
            if ca is None:
                details.append(f"column {cid} added ({cb.type})")
            elif cb is None:
                details.append(f"column {cid} removed")
            elif (ca.type, ca.nullable, ca.default, ca.min, ca.max, ca.enum) != \
                    (cb.type, cb.nullable, cb.default, cb.min, cb.max, cb.enum):
                details.append(f"column {cid} changed")
        for attr in ("by", "unique", "optional"):
            if getattr(a, attr) != getattr(b, attr):
                details.append(f"{attr}: {getattr(a, attr)} → {getattr(b, attr)}")
        if details:
            changes.append(Change("inputs", iid, "changed", details))
    return changes


def other_changes(old: Policy, new: Policy) -> list[Change]:
    changes = []
    if (old.valid.start, old.valid.end) != (new.valid.start, new.valid.end):
        changes.append(Change("policy", "valid", "changed",
                              [f"{old.valid.start} – {old.valid.end} → {new.valid.start} – {new.valid.end}"]))
    for attr in ("id", "version", "title"):
        if getattr(old, attr) != getattr(new, attr):
            changes.append(Change("policy", attr, "changed", [f"{getattr(old, attr)} → {getattr(new, attr)}"]))
    for did in _ids(old.dimensions, new.dimensions):
        a, b = old.dimensions.get(did), new.dimensions.get(did)
        if a is None or b is None:
            changes.append(Change("dimensions", did, "added" if a is None else "removed"))
        elif a.members != b.members:
            added = [m for m in b.members if m not in a.members]
            gone = [m for m in a.members if m not in b.members]
            details = ([f"members added: {', '.join(map(str, added))}"] if added else []) + \
                      ([f"members removed: {', '.join(map(str, gone))}"] if gone else []) or ["member order changed"]
            changes.append(Change("dimensions", did, "changed", details))
    if old.outputs != new.outputs:
        added = [o for o in new.outputs if o not in old.outputs]
        gone = [o for o in old.outputs if o not in new.outputs]
        details = ([f"added: {', '.join(added)}"] if added else []) + ([f"removed: {', '.join(gone)}"] if gone else [])
        if details:
            changes.append(Change("outputs", "outputs", "changed", details))
    return changes


def structural_diff(old: Policy, new: Policy) -> list[Change]:
    """Every change a reviewer must know of, in a stable order."""
    return (other_changes(old, new) + parameter_changes(old, new) + input_changes(old, new)
            + rule_changes(old, new) + rule_changes(old, new, "checks"))


def _ids(a: dict, b: dict) -> list[str]:
    return list(a) + [k for k in b if k not in a]
