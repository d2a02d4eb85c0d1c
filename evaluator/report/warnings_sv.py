"""Warnings as people read them: Swedish, in one voice, for the Markdown, HTML, XLSX reports
and the terminal summary of `villkor run`.

The engine records a warning as an English text (the JSON `warnings` list, a contract) and,
where it knows one, a kind with fields (`result.Notice`). This is the one place that turns a
kind into Swedish; a warning without a kind is shown as written. Inputs and columns are named
by their titles in the policy (their identifiers where they have none), files and folders as
they are; a parameter's note is the policy author's own text and is quoted as it stands.
"""

from __future__ import annotations

from typing import Any

from ..present import format_value, present_list


def _quoted(names) -> str:
    """”a”, ”b” och ”c”."""
    return present_list([f"”{n}”" for n in names])


def _holder(f: dict, capital: bool = True) -> str:
    """Where the warning's data came from: the file, or the table given in memory."""
    text = f"tabellen ”{f['input']}”" if f.get("memory") else f"filen ”{f['path']}”"
    return text[0].upper() + text[1:] if capital else text


def _default(f: dict) -> str:
    """A column's default as the reports show values (`1 000 kr`); a text and ja/nej in quotes."""
    text = format_value(f["default"], f.get("unit"))
    return f"”{text}”" if isinstance(f["default"], (str, bool)) else text


def _or(names) -> str:
    """a, b eller c."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]


def _span(low: str, high: str) -> str:
    return low if low == high else f"{low} – {high}"


TEXTS = {
    "illustrative": lambda f: (f"Parametern ”{f['parameter']}” är ett illustrativt värde, inte en officiell "
                               "uppgift" + (f": {f['note']}" if f.get("note") else ".")),
    "not_computed": lambda f: (f"”{f['rule']}” beräknas inte: valfri indata saknas ("
                               + ", ".join(f"”{i}”" for i in f["inputs"]) + ")."),
    "optional_column": lambda f: (f"{_holder(f)} saknar den valfria kolumnen ”{f['column']}”. "
                                  f"Standardvärdet {_default(f)} används på alla rader."),
    "extra_columns": lambda f: (f"{_holder(f)} innehåller "
                                + ("kolumnen " if len(f["columns"]) == 1 else "kolumnerna ")
                                + f"{_quoted(f['columns'])}, som "
                                + ("regelverket inte beskriver" if f.get("memory") else f"inte ingår i ”{f['input']}”")
                                + ". "
                                + ("Kolumnen" if len(f["columns"]) == 1 else "Kolumnerna") + " har inte lästs in."),
    "no_file": lambda f: (f"Mappen ”{f['folder']}” har ingen fil med ”{f['input']}” (" + _or(f["files"]) + "). "
                          "Underlaget är valfritt; beräkningen görs utan det."),
    "outside_validity": lambda f: (f"Uppgifterna i {_holder(f, capital=False)} avser {_span(f['low'], f['high'])}, "
                                   f"utanför regelverkets giltighetstid {f['valid_from']} – {f['valid_to']}. "
                                   "Kontrollera att regelverket gäller för samma år som uppgifterna."),
}


def swedish(warning: Any, with_note: bool = True) -> str:
    """The Swedish text of one warning (its own text when it has no known kind); without the
    parameter's note when `with_note` is false (the short terminal summary)."""
    kind = getattr(warning, "kind", None)
    if kind not in TEXTS:
        return str(warning)
    fields = warning.fields if with_note else {**warning.fields, "note": ""}
    return TEXTS[kind](fields)
