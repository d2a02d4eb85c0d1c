"""Warnings as people read them: Swedish, in one voice, for the Markdown, HTML, XLSX reports
and the terminal summary of `villkor run`.

The engine records a warning as an English text (the JSON `warnings` list, a contract) and,
where it knows one, a kind with fields (`result.Notice`). This is the one place that turns a
kind into Swedish. A warning without a kind (those of the data reader) is shown as written.
A parameter's note is the policy author's own text and is quoted as it stands.
"""

from __future__ import annotations

from typing import Any

TEXTS = {
    "illustrative": lambda f: (f"Parametern ”{f['parameter']}” är ett illustrativt värde, inte en officiell "
                               "uppgift" + (f": {f['note']}" if f.get("note") else ".")),
    "not_computed": lambda f: (f"”{f['rule']}” beräknas inte: valfri indata saknas ("
                               + ", ".join(f"”{i}”" for i in f["inputs"]) + ")."),
}


def swedish(warning: Any, with_note: bool = True) -> str:
    """The Swedish text of one warning (its own text when it has no known kind); without the
    parameter's note when `with_note` is false (the short terminal summary)."""
    kind = getattr(warning, "kind", None)
    if kind not in TEXTS:
        return str(warning)
    fields = warning.fields if with_note else {**warning.fields, "note": ""}
    return TEXTS[kind](fields)
