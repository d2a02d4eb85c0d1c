"""The run as Markdown (GitHub-flavoured tables): readable in a terminal, a merge request or a
wiki. Content and number formatting come from `layout`, shared with the HTML report."""

from __future__ import annotations

from ..result import RunResult
from .layout import Block, layout


def inline(text: str) -> str:
    """Text safe inside one Markdown line or table cell: no line breaks, no bare pipes."""
    return " ".join(text.split("\n")).replace("\\", "\\\\").replace("|", "\\|")


def table_lines(block: Block) -> list[str]:
    """A pipe table; numeric columns right-aligned."""
    lines = ["| " + " | ".join(inline(h) for h in block.header) + " |",
             "|" + "|".join("---:" if n else "---" for n in block.numeric) + "|"]
    lines += ["| " + " | ".join(inline(c) for c in row) + " |" for row in block.rows]
    return lines


def block_lines(block: Block) -> list[str]:
    if block.kind == "h1":
        return [f"# {inline(block.text)}"]
    if block.kind == "h2":
        return [f"## {inline(block.text)}"]
    if block.kind == "p":
        return [inline(block.text)]
    if block.kind == "list":
        return [f"- {inline(item)}" for item in block.items]
    if block.kind == "table":
        return table_lines(block)
    raise ValueError(f"unknown block kind {block.kind!r}")


def blocks_to_markdown(blocks: list[Block]) -> str:
    """Blocks separated by blank lines, ending in exactly one newline."""
    return "\n\n".join("\n".join(block_lines(b)) for b in blocks) + "\n"


def to_markdown(result: RunResult) -> bytes:
    return blocks_to_markdown(layout(result)).encode("utf-8")
