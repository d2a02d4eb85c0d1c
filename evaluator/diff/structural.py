"""What changed between two policy versions, compared as typed models, never as text.

Both files are loaded (with `extends` resolved) into `policy.model.Policy` and compared entry by
entry, by id. Reordering entries, reformatting the YAML, moving an entry into a parent file
or writing `1.0` for `1` is therefore not a change; an expression that parses to the same
syntax tree (positions are not part of the tree's equality) is not a change either.

Each change is a `Change`: a section, an id, a kind (added, removed, changed) and detail lines
written for a reader who is not a programmer (Swedish, like the reports): old → new values with
units, per member for tables, and an expression as a word diff, `[-2025-]{+2026+}`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import VillkorError
from ..lang import parse
from ..policy.model import Policy
from ..present import format_value

SECTION_TITLES = {"policy": "Policy", "sources": "Källor", "dimensions": "Dimensioner",
                  "parameters": "Parametrar", "inputs": "Indata", "rules": "Regler",
                  "outputs": "Utdata", "checks": "Kontroller"}
KIND_WORDS = {"added": "ny", "removed": "borttagen", "changed": "ändrad"}


@dataclass
class Change:
    section: str  # policy | sources | dimensions | parameters | inputs | rules | outputs | checks
    id: str
    kind: str  # added | removed | changed
    details: list[str] = field(default_factory=list)
    where: str | None = None  # file:line of the entry in the new version (the old one if removed)

    def to_json(self) -> dict:
        return {"section": self.section, "id": self.id, "kind": self.kind, "details": self.details,
                "where": self.where}


# ---------------------------------------------------------------- helpers


_WORD = re.compile(r"\w+|[<>=!]+|\*\*|[^\w\s]|\s+")  # `>=` and `!=` are one word


def word_diff(old: str, new: str) -> str:
    """'sum(x[year = 2025])' vs '…2026…' -> 'sum(x[year = [-2025-]{+2026+}])'."""
    a, b = _WORD.findall(old), _WORD.findall(new)
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


def _one_line(text: str | None) -> str:
    """On one line (ASCII whitespace only: the thin space inside a number stays)."""
    return " ".join(re.split(r"[ \t\r\n]+", (text or "").strip()))


def same_expr(a: str, b: str) -> bool:
    """Same syntax tree (whitespace, line breaks and block style do not count)."""
    try:
        return parse(a) == parse(b)
    except VillkorError:  # an unparsable expression compares as text
        return _one_line(a) == _one_line(b)


def same_value(a: Any, b: Any) -> bool:
    """Equal as values: 1 and 1.0 are the same number; true is not 1; lists item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def value_text(value, unit: str | None) -> str:
    """A parameter value for people: 10 000 kr/st, 2026, [2023, 2024, 2025], 2026-03-16, ja."""
    return format_value(value, unit)


def _where(entry) -> str | None:
    loc = getattr(entry, "location", None)
    if loc is None or not loc.file:
        return None
    return f"{loc.file}:{loc.line}" if loc.line else loc.file


def _ids(a: dict, b: dict) -> list[str]:
    return list(a) + [k for k in b if k not in a]


LONG_TEXT = 160  # longer texts (notes) are not word-diffed: the new text is shown, shortened


def _short(text: str | None, limit: int = 120) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _text_change(label: str, a: str | None, b: str | None, shorten: bool = True) -> str | None:
    """A changed text word by word; a long one (a note) as its new text, shortened, unless
    `shorten` is false (a citation: a long title and the changed passage at its end)."""
    if _one_line(a) == _one_line(b):
        return None
    if shorten and max(len(_one_line(a)), len(_one_line(b))) > LONG_TEXT:
        if not b:
            return f"{label}: borttagen (var: {_short(a)})"
        return f"{label}: {'ny' if not a else 'ändrad'}: {_short(b)}"
    if not a:
        return f"{label}: (ingen) → {_one_line(b)}"
    if not b:
        return f"{label}: {_one_line(a)} → (ingen)"
    return f"{label}: {word_diff(_one_line(a), _one_line(b))}"


def _written(item) -> str | None:
    """A title as written (placeholders not filled in); the shown title when none is kept."""
    template = getattr(item, "title_template", None)
    return template.text if template is not None else item.title


def _title_change(label: str, a, b) -> str | None:
    """A title the author changed, shown filled in. A title that reads differently only because
    a parameter it names changed (`{measurement_year}`) is not a change of its own: the
    parameter's new value is listed. (A title now written with a placeholder that reads as
    before is no change for a reader either.)"""
    if _one_line(_written(a)) == _one_line(_written(b)):
        return None
    return _text_change(label, a.title, b.title)


def _attr_change(label: str, a, b) -> str | None:
    if same_value(a, b):
        return None
    return f"{label}: {_attr_text(a)} → {_attr_text(b)}"


def _attr_text(v) -> str:
    if v is None or v == ():
        return "(ingen)"
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    return "ja" if v is True else "nej" if v is False else str(v)


def _cite(policy: Policy, ref) -> str | None:
    """A changed citation as people read it (the document's title, not its file name): a diff
    is read by the staff who approve next year's version, in every format."""
    return policy.reader_cite(ref) if ref else None


# ---------------------------------------------------------------- sections


def policy_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for attr in ("id", "version"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(Change("policy", attr, "changed", [f"{a} → {b}"]))
    if _one_line(_written(old)) != _one_line(_written(new)) and old.title != new.title:
        out.append(Change("policy", "title", "changed", [word_diff(old.title, new.title)]))
    if (old.valid.start, old.valid.end) != (new.valid.start, new.valid.end):
        out.append(Change("policy", "valid", "changed",
                          [f"giltig {old.valid.start} – {old.valid.end} → {new.valid.start} – {new.valid.end}"]))
    return out


def source_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for sid in _ids(old.sources, new.sources):
        a, b = old.sources.get(sid), new.sources.get(sid)
        if a is None:
            assert b is not None  # an id of _ids is in one policy or the other
            out.append(Change("sources", sid, "added", [f"{b.document}" + (f", {b.passage}" if b.passage else "")],
                              _where(b)))
        elif b is None:
            out.append(Change("sources", sid, "removed", [f"var {a.document}"], _where(a)))
        else:
            details = [d for d in (_attr_change("dokument", a.document, b.document),
                                   _text_change("titel", a.title, b.title),
                                   _text_change("ställe", a.passage, b.passage),
                                   _attr_change("url", a.url, b.url)) if d]
            if details:
                out.append(Change("sources", sid, "changed", details, _where(b)))
    return out


def dimension_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for did in _ids(old.dimensions, new.dimensions):
        a, b = old.dimensions.get(did), new.dimensions.get(did)
        if a is None:
            assert b is not None  # an id of _ids is in one policy or the other
            out.append(Change("dimensions", did, "added", [f"medlemmar: {', '.join(map(str, b.members))}"],
                              _where(b)))
            continue
        if b is None:
            out.append(Change("dimensions", did, "removed", [], _where(a)))
            continue
        details = []
        added = [m for m in b.members if m not in a.members]
        gone = [m for m in a.members if m not in b.members]
        if added:
            details.append("nya medlemmar: " + ", ".join(f"{m} ({b.label(m)})" if b.label(m) != str(m) else str(m)
                                                       for m in added))
        if gone:
            details.append("borttagna medlemmar: " + ", ".join(map(str, gone)))
        kept_a = [m for m in a.members if m in b.members]
        kept_b = [m for m in b.members if m in a.members]
        if kept_a != kept_b:
            details.append("medlemmarnas ordning ändrad")
        for m in b.members:
            if m in a.members and a.label(m) != b.label(m):
                details.append(f"etikett {m}: {a.label(m)} → {b.label(m)}")
        if d := _title_change("titel", a, b):
            details.append(d)
        if details:
            out.append(Change("dimensions", did, "changed", details, _where(b)))
    return out


def _param_summary(p) -> str:
    if p.by:
        values = "; ".join(f"{'/'.join(map(str, k))} = {value_text(v, p.unit)}" for k, v in p.value.items())
        text = f"tabell per {', '.join(p.by)}: {values}"
    else:
        text = value_text(p.value, p.unit)
    return text + (" (illustrativ)" if p.status == "illustrative" else "")


def parameter_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for pid in _ids(old.parameters, new.parameters):
        a, b = old.parameters.get(pid), new.parameters.get(pid)
        if a is None:
            out.append(Change("parameters", pid, "added", [_param_summary(b)], _where(b)))
            continue
        if b is None:
            out.append(Change("parameters", pid, "removed", [f"var {_param_summary(a)}"], _where(a)))
            continue
        details = []
        if a.by != b.by:
            details.append(f"per [{', '.join(a.by)}] → per [{', '.join(b.by)}]")
            details.append(f"{_param_summary(a)} → {_param_summary(b)}")
        elif a.by:
            keys = list(a.value) + [k for k in b.value if k not in a.value]
            for key in keys:
                va, vb = a.value.get(key), b.value.get(key)
                if not same_value(va, vb):
                    details.append(f"{'/'.join(map(str, key))}: {value_text(va, a.unit)} → {value_text(vb, b.unit)}")
        elif not same_value(a.value, b.value):
            details.append(f"{value_text(a.value, a.unit)} → {value_text(b.value, b.unit)}")
        for label, va, vb in (("enhet", a.unit, b.unit), ("typ", a.type, b.type), ("status", a.status, b.status),
                              ("komplett", a.complete, b.complete), ("tolkning", a.reading, b.reading)):
            if d := _attr_change(label, va, vb):
                details.append(d)
        if d := _title_change("titel", a, b):
            details.append(d)
        for label, va, vb in (("not", a.note, b.note), ("källa", _cite(old, a.source), _cite(new, b.source))):
            if d := _text_change(label, va, vb, shorten=label != "källa"):
                details.append(d)
        if details:
            out.append(Change("parameters", pid, "changed", details, _where(b)))
    return out


def _column_text(c) -> str:
    parts = [c.type]
    if c.nullable:
        parts.append("får saknas")
    if c.default is not None:
        parts.append(f"standard {c.default}")
    if c.min is not None:
        parts.append(f"min {c.min}")
    if c.max is not None:
        parts.append(f"max {c.max}")
    if c.enum:
        parts.append("en av " + "/".join(c.enum))
    return ", ".join(parts)


def input_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for iid in _ids(old.inputs, new.inputs):
        a, b = old.inputs.get(iid), new.inputs.get(iid)
        if a is None:
            assert b is not None  # an id of _ids is in one policy or the other
            out.append(Change("inputs", iid, "added", ["kolumner: " + ", ".join(b.columns)], _where(b)))
            continue
        if b is None:
            out.append(Change("inputs", iid, "removed", [], _where(a)))
            continue
        details = []
        for cid in _ids(a.columns, b.columns):
            ca, cb = a.columns.get(cid), b.columns.get(cid)
            if ca is None:
                details.append(f"ny kolumn {cid} ({_column_text(cb)})")
            elif cb is None:
                details.append(f"kolumn {cid} borttagen")
            elif _column_text(ca) != _column_text(cb):
                details.append(f"kolumn {cid}: {_column_text(ca)} → {_column_text(cb)}")
            elif d := _title_change(f"kolumn {cid} titel", ca, cb):
                details.append(d)
        if a.by != b.by:
            details.append(f"dimensionskolumner: {_by_text(a.by)} → {_by_text(b.by)}")
        for label, va, vb in (("unik", a.unique, b.unique), ("valfri", a.optional, b.optional),
                              ("format", a.format, b.format)):
            if d := _attr_change(label, va, vb):
                details.append(d)
        if d := _title_change("titel", a, b):
            details.append(d)
        if d := _text_change("källa", _cite(old, a.source), _cite(new, b.source), shorten=False):
            details.append(d)
        if details:
            out.append(Change("inputs", iid, "changed", details, _where(b)))
    return out


def rule_changes(old: Policy, new: Policy, section: str = "rules") -> list[Change]:
    out = []
    olds, news = getattr(old, section), getattr(new, section)
    for rid in _ids(olds, news):
        a, b = olds.get(rid), news.get(rid)
        if a is None:
            grain = f"per [{', '.join(b.per)}]: " if b.per else ""
            out.append(Change(section, rid, "added", [grain + _one_line(b.expr)], _where(b)))
            continue
        if b is None:
            out.append(Change(section, rid, "removed", [f"var: {_one_line(a.expr)}"], _where(a)))
            continue
        details = []
        if not same_expr(a.expr, b.expr):
            details.append("uttryck: " + word_diff(_one_line(a.expr), _one_line(b.expr)))
        if a.per != b.per:
            details.append(f"nivå: per [{', '.join(a.per)}] → per [{', '.join(b.per)}]")
        if section == "rules":
            for label, va, vb in (("enhet", a.unit, b.unit), ("typ", a.type, b.type),
                                  ("får saknas", a.nullable, b.nullable)):
                if d := _attr_change(label, va, vb):
                    details.append(d)
        elif d := _attr_change("invariant (kan inte brista)", a.invariant, b.invariant):
            details.append(d)
        if d := _title_change("titel", a, b):
            details.append(d)
        texts = [("källa", _cite(old, a.source), _cite(new, b.source))]
        if section == "rules":
            texts.append(("förklaring", a.explain, b.explain))
        for label, va, vb in texts:
            if d := _text_change(label, va, vb, shorten=label != "källa"):
                details.append(d)
        if details:
            out.append(Change(section, rid, "changed", details, _where(b)))
    return out


def output_changes(old: Policy, new: Policy) -> list[Change]:
    out = []
    for rid in new.outputs:
        if rid not in old.outputs:
            out.append(Change("outputs", rid, "added", [], _where(new.rules.get(rid))))
    for rid in old.outputs:
        if rid not in new.outputs:
            out.append(Change("outputs", rid, "removed", [], _where(old.rules.get(rid))))
    return out


def structural_diff(old: Policy, new: Policy) -> list[Change]:
    """Every change a reviewer must know of, in a stable order: policy, sources, dimensions,
    parameters, inputs, rules, outputs, checks; within a section in the old file's order, then
    the new entries in the new file's order."""
    return (policy_changes(old, new) + source_changes(old, new) + dimension_changes(old, new)
            + parameter_changes(old, new) + input_changes(old, new) + rule_changes(old, new)
            + output_changes(old, new) + rule_changes(old, new, "checks"))


def _by_text(by: dict) -> str:
    return ", ".join(f"{d} = {c}" for d, c in by.items()) or "(inga)"
