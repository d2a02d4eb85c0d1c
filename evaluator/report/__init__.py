"""Writers of a run's result: json (the contract), csv, xlsx, md, html."""

from __future__ import annotations

from ..result import RunResult


def render(result: RunResult, fmt: str) -> bytes:
    from .csv_writer import to_csv
    from .html import to_html
    from .json_writer import to_json
    from .markdown import to_markdown
    from .xlsx_writer import to_xlsx

    writers = {"json": to_json, "csv": to_csv, "xlsx": to_xlsx, "md": to_markdown, "html": to_html}
    return writers[fmt](result)
