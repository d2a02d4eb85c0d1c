"""`villkor fmt`: one canonical layout for policy files, comments kept.

Canonical means: the top-level sections in the documented order, the keys of every entry in
a fixed order (a rule reads title, per, expr, unit, …), two-space indentation, no line
wrapping, and the original quoting and comments. Values are never changed. Formatting a
formatted file changes nothing. YAML 1.2 has no thousands separators in numbers, so large
amounts stay plain digits (the reports show them with separators).
"""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

MAX_FLOW = 100  # a flow list longer than this is written one item per line

from ..errors import Location, PolicyError

TOP = ("policy", "title", "version", "valid", "extends", "remove", "sources", "dimensions",
       "parameters", "inputs", "rules", "outputs", "checks")
ENTRY_ORDER = {
    "sources": ("document", "title", "passage", "url"),
    "dimensions": ("title", "members", "labels"),
    "parameters": ("title", "by", "value", "unit", "type", "status", "note", "complete", "source"),
    "inputs": ("title", "source", "by", "unique", "optional", "format", "columns"),
    "rules": ("title", "per", "expr", "unit", "type", "nullable", "source", "explain"),
    "checks": ("title", "per", "expr", "source"),
}
COLUMN_ORDER = ("type", "title", "nullable", "default", "min", "max", "enum")


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _reorder(mapping: CommentedMap, order: tuple[str, ...]) -> None:
    """Move known keys into `order` (unknown keys keep their place after them); comments follow keys."""
    for key in [k for k in order if k in mapping] + [k for k in list(mapping) if k not in order]:
        mapping.move_to_end(key)


def format_text(text: str, path: str = "<policy>") -> str:
    y = _yaml()
    try:
        doc = y.load(text)
    except Exception as exc:  # ruamel's errors carry a mark; the loader gives the better message
        raise PolicyError(f"cannot format: {str(exc).splitlines()[0]}", Location(file=path),
                          "run villkor validate on the file first") from None
    if not isinstance(doc, CommentedMap):
        raise PolicyError("a policy file must be a mapping", Location(file=path))
    _reorder(doc, TOP)
    for section, order in ENTRY_ORDER.items():
        entries = doc.get(section)
        if isinstance(entries, CommentedMap):
            for entry in entries.values():
                if isinstance(entry, CommentedMap):
                    _reorder(entry, order)
                    columns = entry.get("columns") if section == "inputs" else None
                    if isinstance(columns, CommentedMap):
                        for col in columns.values():
                            if isinstance(col, CommentedMap):
                                _reorder(col, COLUMN_ORDER)
    _unfold_long_lists(doc)
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def _unfold_long_lists(node) -> None:
    """Long [a, b, c, …] lists (regions, outputs) become one item per line."""
    if isinstance(node, CommentedMap):
        for value in node.values():
            _unfold_long_lists(value)
    elif isinstance(node, CommentedSeq):
        if node.fa.flow_style() and len(", ".join(map(str, node))) + 2 > MAX_FLOW:
            node.fa.set_block_style()
        for value in node:
            _unfold_long_lists(value)
