"""Explanations as people read them: the derivation trees of `villkor explain` as indented
Swedish text or nested Markdown lists, from the document's JSON form (explain/nodes.py).

The values in a tree are already presented (`formatted`, by `present.format_value`); the few
figures shown here besides (row counts, an aggregate's sum) go through the same presenter.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal

from ..present import MISSING, NO, YES, format_number, format_value


def key_text(node: dict) -> str:
    labels = node.get("labels", {})
    return ", ".join(str(labels.get(d, m)) for d, m in node["key"].items())


def _head(node: dict) -> str:
    where = key_text(node)
    return f"{node['rule']}" + (f" · {where}" if where else "") + f" = {node['formatted']}"


def operand_line(op: dict, key: dict | None = None) -> str | None:
    """One line of text for an operand at a node's key (members of the key are not repeated)."""
    kind = op["kind"]
    if kind == "parameter":
        text = f"parameter {op['name']} = {_op_value(op, key)}"
        if op.get("title"):
            text += f" — {op['title']}"
        if op.get("status") == "illustrative":
            text += " [ILLUSTRATIVT VÄRDE, inte officiellt" + (f": {op['note']}" if op.get("note") else "") + "]"
        if op.get("source"):
            text += f" (källa: {op['source']})"
        return text
    if kind == "input":
        rows = op.get("rows") or {}
        text = f"indata {op['name']} = {op.get('formatted', MISSING)}"
        parts = []
        if rows.get("function") == "lookup":
            parts.append(f"{'en rad' if rows.get('matched') == 1 else str(rows.get('matched')) + ' rader'}"
                         f" i {rows.get('table')}")
        else:
            if rows.get("filter"):
                parts.append(f"urval: {rows['filter']}")
            if rows.get("matched") is not None:
                n = rows["matched"]
                parts.append(f"{_count(n)} matchande {'rad' if n == 1 else 'rader'} i {rows.get('table')}")
            if rows.get("sum") is not None and rows.get("column"):
                parts.append(f"summa av {rows['column']}: {format_value(_from_json(rows['sum']), op.get('unit'))}")
        if rows.get("source"):
            parts.append(f"källa: {rows['source']}")
        return text + (" (" + "; ".join(parts) + ")" if parts else "")
    if kind == "dimension":
        return f"{op['name']} = {op['formatted']}"
    if kind == "rule":
        return f"regel {op['name']} = {_op_value(op, key)}"
    return f"{op['name']} = {op.get('formatted')}"


def _op_value(op: dict, key: dict | None = None) -> str:
    if "values" in op:
        key = key or {}
        parts = []
        for v in op["values"]:
            labels = v.get("labels", {})
            where = ", ".join(str(labels.get(d, m)) for d, m in v["key"].items() if d not in key)
            parts.append(f"{where}: {v['formatted']}" if where else v["formatted"])
        return "; ".join(parts)
    return op.get("formatted", MISSING)


def _count(n: int) -> str:
    return format_number(n, "count")


def _from_json(x):
    if isinstance(x, str):
        try:
            return Decimal(x)
        except decimal.InvalidOperation:
            return x
    return x


def _cell_text(value) -> str:
    if value is None:
        return "(tom)"
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def record_lines(rows: dict) -> list[str]:
    records = rows.get("records")
    if records is None:
        return []
    if not records:
        return ["  (inga rader)"]
    cols = [c for c in records[0] if c != "row"]
    out = [f"  rad {r['row']}: " + ", ".join(f"{c}={_cell_text(r[c])}" for c in cols) for r in records]
    if rows.get("records_omitted"):
        out.append(f"  … och {_count(rows['records_omitted'])} rader till")
    return out


def in_children(op: dict, shown: set[str]) -> bool:
    """A rule operand whose every value is an expanded child node needs no line of its own."""
    if op["kind"] != "rule":
        return False
    if "values" in op:
        return bool(op["values"]) and all(v.get("ref") in shown for v in op["values"])
    return op.get("ref") in shown


def node_details(node: dict) -> list[str]:
    """The lines under a node's head, shared by the text and Markdown renderers."""
    if "ref" in node:
        return []
    lines = [] if node["headline"] == f"{node['rule']}: {node['formatted']}" else [node["headline"]]
    if node.get("title") and node["title"] not in node["headline"]:
        lines.append(f"regel: {node['title']}")
    lines.append(f"uttryck: {node['expression']}")
    for d in node.get("decisions", []):
        lines.append(f"avgörande: {d['text']}")
    shown_children = {c["id"] for c in node.get("children", [])}
    for op in node.get("operands", []):
        if in_children(op, shown_children):
            continue
        line = operand_line(op, node["key"])
        if line:
            lines.append(line)
            if op["kind"] == "input":
                lines.extend(record_lines(op.get("rows") or {}))
    if node.get("truncated"):
        lines.append("(underliggande regler visas inte: --depth)")
    lines.append(f"källa: {node['source'] or 'SAKNAS'}")
    return lines


def render_text(doc_or_nodes) -> str:
    """The derivation trees as indented Swedish text."""
    nodes = doc_or_nodes["explanations"] if isinstance(doc_or_nodes, dict) else doc_or_nodes
    out: list[str] = []
    for i, node in enumerate(nodes):
        if i:
            out.append("")
        _text_node(node, "", "", out)
    return "\n".join(out) + "\n"


def _text_node(node: dict, first: str, rest: str, out: list[str]) -> None:
    head = _head(node)
    if "ref" in node:
        out.append(first + head + " (se ovan)")
        return
    out.append(first + head)
    children = node.get("children", [])
    bar = "│  " if children else "   "
    for line in node_details(node):
        out.append(rest + bar + line)
    for i, child in enumerate(children):
        last = i == len(children) - 1
        _text_node(child, rest + ("└─ " if last else "├─ "), rest + ("   " if last else "│  "), out)


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", str(text))


def md_code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def render_markdown(doc_or_nodes, level: int = 0) -> str:
    """The derivation trees as nested Markdown lists."""
    nodes = doc_or_nodes["explanations"] if isinstance(doc_or_nodes, dict) else doc_or_nodes
    out: list[str] = []
    for node in nodes:
        _md_node(node, level, out)
    return "\n".join(out) + "\n"


def _md_node(node: dict, level: int, out: list[str]) -> None:
    pad = "  " * level
    where = key_text(node)
    head = f"**{md_escape(node['rule'])}**" + (f" · {md_escape(where)}" if where else "") + \
        f" = **{md_escape(node['formatted'])}**"
    if "ref" in node:
        out.append(f"{pad}- {head} (se ovan)")
        return
    out.append(f"{pad}- {head} — {md_escape(node['headline'])}")
    sub = pad + "  "
    if node.get("title") and node["title"] not in node["headline"]:
        out.append(f"{sub}- Regel: {md_escape(node['title'])}")
    out.append(f"{sub}- Uttryck: {md_code(node['expression'])}")
    for d in node.get("decisions", []):
        out.append(f"{sub}- Avgörande: {md_escape(d['text'])}")
    shown = {c["id"] for c in node.get("children", [])}
    for op in node.get("operands", []):
        if in_children(op, shown):
            continue
        line = operand_line(op, node["key"])
        if line:
            out.append(f"{sub}- {md_escape(line)}")
            for rec in record_lines(op.get("rows") or {}):
                out.append(f"{sub}  - {md_escape(rec.strip())}")
    if node.get("truncated"):
        out.append(f"{sub}- (underliggande regler visas inte: --depth)")
    out.append(f"{sub}- Källa: {md_escape(node['source'] or 'SAKNAS')}")
    for child in node.get("children", []):
        _md_node(child, level + 1, out)


def markdown_document(doc: dict) -> str:
    """The whole explanation as a Markdown document: heading, policy, warnings, the tree."""
    pol = doc["policy"]
    head = [f"# Förklaring: {md_escape(doc['rule'])}", "",
            f"{md_escape(pol['title'])}, version {md_escape(pol['version'])} "
            f"(policy sha256 {pol['sha256']})", ""]
    warn = [f"> **Varning:** {md_escape(w)}" for w in doc["warnings"]]
    return "\n".join(head + warn + ([""] if warn else [])) + render_markdown(doc)
