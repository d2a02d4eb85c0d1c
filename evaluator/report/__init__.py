"""Writers of a run's result: json (the contract), csv, xlsx, md, html."""

from __future__ import annotations

import importlib

from ..result import RunResult

WRITERS = {"json": ("json_writer", "to_json"), "csv": ("csv_writer", "to_csv"),
           "xlsx": ("xlsx_writer", "to_xlsx"), "md": ("markdown", "to_markdown"),
           "html": ("html", "to_html")}


def render(result: RunResult, fmt: str) -> bytes:
    """The result in one format; only that writer (and its library) is imported."""
    module, function = WRITERS[fmt]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)(result)
