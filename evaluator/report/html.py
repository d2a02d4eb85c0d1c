"""The run as one self-contained, printable HTML page (inline CSS, no external assets)."""

from __future__ import annotations

from html import escape

from ..result import RunResult
from .layout import Block, layout

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; } th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p.meta { color: #555; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table { break-inside: avoid; } }
"""


def blocks_to_html(blocks: list[Block], title: str) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="sv">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    for b in blocks:
        if b.kind in ("h1", "h2"):
            parts.append(f"<{b.kind}>{escape(b.text)}</{b.kind}>")
        elif b.kind == "p":
            parts.append(f'<p class="meta">{escape(b.text)}</p>')
        elif b.kind == "list":
            parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "table":
            head = "".join(f"<th>{escape(h)}</th>" for h in b.header)
            body = "".join("<tr>" + "".join(
                f'<td class="num">{escape(c)}</td>' if b.numeric[i] else f"<td>{escape(c)}</td>"
                for i, c in enumerate(row)) + "</tr>" for row in b.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def to_html(result: RunResult) -> bytes:
    return blocks_to_html(layout(result), result.policy.title).encode("utf-8")
