"""Writers of a run's result: json (the contract), csv, xlsx, md, html, csv-sv (Swedish
Excel), summary (the terminal summary).

Each writer is a function `RunResult -> bytes` with no side effects; writing the bytes to a
file (atomically) or stdout is `atomic.emit`'s job. The modules are light: openpyxl is only
imported when an XLSX file is actually written.
"""

from __future__ import annotations

from collections.abc import Callable

from ..result import RunResult
from .csv_writer import to_csv, to_csv_sv
from .html import to_html
from .json_writer import to_json
from .markdown import to_markdown
from .summary import to_summary
from .xlsx_writer import to_xlsx

FORMATS: dict[str, Callable[[RunResult], bytes]] = {
    "json": to_json, "csv": to_csv, "xlsx": to_xlsx, "md": to_markdown, "html": to_html,
    "csv-sv": to_csv_sv, "summary": to_summary}


def render(result: RunResult, fmt: str) -> bytes:
    """The result in one of FORMATS; an unknown format is a programming error (argparse checks choices)."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}") from None
    return writer(result)
