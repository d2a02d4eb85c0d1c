"""Explanations as people read them: the derivation trees of `villkor explain` as indented
Swedish text or nested Markdown lists, from the document's JSON form (explain/nodes.py).

The values in a tree are already presented (`formatted`, by `present.format_value`); the few
figures shown here besides (row counts, an aggregate's sum) go through the same presenter.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal

from ..present import MISSING, NO, YES, format_number, format_value
from .warnings_sv import swedish


def reader_sources(doc_or_nodes, citations: dict[str, str]):
    """A copy of the document (or its nodes) with every `source` as people read it: the JSON
    form cites the file (`SourceRef.cite`), the text and Markdown cite the source's title
    (`Policy.reader_citations()` maps one to the other). Other texts are kept as they are."""
    if isinstance(doc_or_nodes, list):
        return [reader_sources(x, citations) for x in doc_or_nodes]
    if isinstance(doc_or_nodes, dict):
        return {k: citations.get(v, v) if k == "source" and isinstance(v, str) else reader_sources(v, citations)
                for k, v in doc_or_nodes.items()}
    return doc_or_nodes


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


@dataclass(frozen=True)
class Detail:
    """One line under a node's head. The walk that picks them is the same for every medium (text,
    Markdown, HTML); each renders a kind its own way (a label, code, a marked illustrative value)."""

    kind: str  # title, expression, decision, operand, record, truncated, source
    text: str
    illustrative: bool = False


LABELS = {"title": "Regel", "expression": "Uttryck", "decision": "Avgörande", "source": "Källa"}
TRUNCATED = "(underliggande regler visas inte: --depth)"


def node_details(node: dict) -> list[Detail]:
    """The lines under a node's head: its rule title, expression, decisive branches, the operands
    not expanded as children (with the input rows behind them), and its source."""
    if "ref" in node:
        return []
    details = []
    if node.get("title") and node["title"] not in node["headline"]:
        details.append(Detail("title", node["title"]))
    details.append(Detail("expression", node["expression"]))
    details += [Detail("decision", d["text"]) for d in node.get("decisions", [])]
    shown_children = {c["id"] for c in node.get("children", [])}
    for op in node.get("operands", []):
        if in_children(op, shown_children):
            continue
        line = operand_line(op, node["key"])
        if line:
            details.append(Detail("operand", line, op.get("status") == "illustrative"))
            details += [Detail("record", rec) for rec in record_lines(op.get("rows") or {})]
    if node.get("truncated"):
        details.append(Detail("truncated", TRUNCATED))
    details.append(Detail("source", node["source"] or "SAKNAS"))
    return details


def _text_detail(detail: Detail) -> str:
    label = LABELS.get(detail.kind)
    return f"{label.lower()}: {detail.text}" if label else detail.text


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
    if node["headline"] != f"{node['rule']}: {node['formatted']}":
        out.append(rest + bar + node["headline"])
    for detail in node_details(node):
        out.append(rest + bar + _text_detail(detail))
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
    for detail in node_details(node):
        out.append(f"{sub}{'  ' if detail.kind == 'record' else ''}- {_md_detail(detail)}")
    for child in node.get("children", []):
        _md_node(child, level + 1, out)


def _md_detail(detail: Detail) -> str:
    label = LABELS.get(detail.kind)
    if detail.kind == "expression":
        return f"{label}: {md_code(detail.text)}"
    text = md_escape(detail.text.strip())
    return f"{label}: {text}" if label else text


def markdown_document(doc: dict) -> str:
    """The whole explanation as a Markdown document: heading, policy, warnings, the tree."""
    pol = doc["policy"]
    head = [f"# Förklaring: {md_escape(doc['rule'])}", "",
            f"{md_escape(pol['title'])}, version {md_escape(pol['version'])} "
            f"(regelverkets sha256 {pol['sha256']})", ""]
    # a blank line after each: lines of one quote would be read as one paragraph
    warn = [line for w in doc["warnings"] for line in (f"> **Varning:** {md_escape(swedish(w))}", "")]
    return "\n".join(head + warn) + render_markdown(doc)
