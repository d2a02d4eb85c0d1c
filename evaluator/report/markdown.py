"""The run as Markdown: readable in a terminal, a merge request or a wiki."""

from __future__ import annotations

from ..result import RunResult
from .layout import Block, layout


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def blocks_to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "h1":
            out += [f"# {b.text}", ""]
        elif b.kind == "h2":
            out += [f"## {b.text}", ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind == "list":
            out += [f"- {item}" for item in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_escape(h) for h in b.header) + " |")
            out.append("|" + "|".join("---:" if n else "---" for n in b.numeric) + "|")
            out += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in b.rows]
            out.append("")
    return "\n".join(out)


def to_markdown(result: RunResult) -> bytes:
    return blocks_to_markdown(layout(result)).encode("utf-8")
