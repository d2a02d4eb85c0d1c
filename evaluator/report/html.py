"""The run as one self-contained, printable HTML page.

Inline CSS and nothing fetched (no fonts, scripts or images), so the file can be archived or
mailed with a decision and still look the same years later, and prints cleanly (`@media
print`). Same content as the Markdown report (both come from `layout`). Every text from the
policy or data goes through `html.escape`: titles and warnings are user-written.
"""

from __future__ import annotations

from html import escape

from ..result import RunResult
from .layout import Block, layout

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; padding: 0 1rem;
       color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; } th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p { color: #444; font-size: .9rem; overflow-wrap: anywhere; }
li.ok { color: #1a6b2a; } li.fail { color: #a11; font-weight: bold; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; } tr { break-inside: avoid; }
  th { background: none; }
}
""".strip()


PAGE_END = ["</body>", "</html>"]


def page_head(title: str, css: str) -> list[str]:
    """The opening lines of every page villkor writes (run report, decision documents and
    letters, follow-up report, policy document): Swedish, UTF-8, its own inline CSS."""
    return ["<!DOCTYPE html>", '<html lang="sv">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>", f"<style>{css}</style>", "</head>", "<body>"]


def table_html(block: Block) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
    body = "\n".join("<tr>" + "".join(
        f'<td class="num">{escape(c)}</td>' if block.numeric[i] else f"<td>{escape(c)}</td>"
        for i, c in enumerate(row)) + "</tr>" for row in block.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def list_html(block: Block) -> str:
    marks = block.marks or [""] * len(block.items)
    items = "".join(f'<li class="{m}">{escape(i)}</li>' if m else f"<li>{escape(i)}</li>"
                    for i, m in zip(block.items, marks))
    return f"<ul>{items}</ul>"


def block_html(block: Block) -> str:
    if block.kind in ("h1", "h2"):
        return f"<{block.kind}>{escape(block.text)}</{block.kind}>"
    if block.kind == "p":
        return f"<p>{escape(block.text)}</p>"
    if block.kind == "list":
        return list_html(block)
    if block.kind == "table":
        return table_html(block)
    raise ValueError(f"unknown block kind {block.kind!r}")


def blocks_to_html(blocks: list[Block], title: str) -> str:
    return "\n".join(page_head(title, f"\n{STYLE}\n") + [block_html(b) for b in blocks] + [*PAGE_END, ""])


def to_html(result: RunResult) -> bytes:
    return blocks_to_html(layout(result), result.policy.title or result.policy.id).encode("utf-8")
