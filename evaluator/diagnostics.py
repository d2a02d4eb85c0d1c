"""The one diagnostic type: a code, a severity, a place, a message and how to fix it.

Errors (every `VillkorError`), lint findings and failed fixture expectations are all a
`Diagnostic`, and are printed by the renderers here only:

- `Diagnostic.text()`, the block form of an error, with the source line and a caret:

      policies/2026_performance.yaml:112:11: rule 'eligible': unknown name 'baselin'
          max(0, floor(performed - baselin))
                                   ^^^^^^^
        hint: did you mean 'baseline'?

- `Diagnostic.line()`, the one-line form of a listing (`villkor lint`):

      policies/2026_performance.yaml:40:3: VK102 warning: parameter 'x' is never used ...

- `to_json()`, the stable machine-readable shape (docs/diagnostics.md lists every code), and
  `listing_json()`, the JSON document of a listing of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Location:
    """Where a diagnostic points: a file, a line and column in it (1-based), and/or a rule id.

    For an expression inside a policy file, `line`/`column` are already translated to the
    position in the file; `source_line` is the text of that line (for the caret) and
    `length` the width of the underlined span.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    rule: str | None = None
    source_line: str | None = None
    length: int = 1
    row: int | None = None  # a data row as the user sees it in a spreadsheet (header = row 1)
    field: str | None = None  # a data column, or a YAML key path like parameters.cap.values

    def prefix(self) -> str:
        parts = []
        if self.file:
            place = self.file
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            parts.append(place)
        elif self.line is not None:
            parts.append(f"{self.line}:{self.column or 1}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"column '{self.field}'" if self.row is not None else self.field)
        return ": ".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    """One problem or remark. `code` is stable (VK0xx errors, VK1xx lint, VK2xx fixtures)."""

    code: str
    severity: str  # error | warning | info
    location: Location
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")

    def text(self) -> str:
        """`place: [rule 'id': ]message`, the source line with a caret, the hint. An error has no
        severity word (the form every error has always had); a warning or note says so."""
        loc = self.location
        head = loc.prefix()
        text = self.message
        if loc.rule:
            text = f"rule '{loc.rule}': {text}"
        if self.severity != "error":
            text = f"{self.severity}: {text}"
        lines = [f"{head}: {text}" if head else (text if self.severity != "error" else f"error: {text}")]
        if loc.source_line is not None and loc.column is not None:
            src, column, length = _shown_source(loc.source_line.rstrip("\n"), loc.column, loc.length)
            lines.append("    " + src)
            lines.append("    " + " " * max(column - 1, 0) + "^" * max(length, 1))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def line(self) -> str:
        """`place: CODE severity: message[ (hint: …)]` on one line, for listings of many."""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.location.prefix()}: {self.code} {self.severity}: {self.message}{hint}"

    def to_json(self) -> dict:
        """The stable shape: code, severity, file, line, column, rule, row, field, message, hint
        (absent parts are null)."""
        loc = self.location
        return {"code": self.code, "severity": self.severity, "file": loc.file, "line": loc.line,
                "column": loc.column, "rule": loc.rule, "row": loc.row, "field": loc.field,
                "message": self.message, "hint": self.hint}


def to_json(diagnostics: Iterable[Diagnostic]) -> list[dict]:
    """The JSON form of several diagnostics, in the order given."""
    return [d.to_json() for d in diagnostics]


def count(diagnostics: Iterable[Diagnostic], severity: str) -> int:
    return sum(d.severity == severity for d in diagnostics)


def listing_json(diagnostics: Sequence[Diagnostic]) -> str:
    """The one JSON document of a listing (`validate` and `lint --format json`): the diagnostics
    under `diagnostics`, and how many are errors and warnings."""
    import json

    return json.dumps({"diagnostics": to_json(diagnostics), "errors": count(diagnostics, "error"),
                       "warnings": count(diagnostics, "warning")}, ensure_ascii=False, indent=2)


MAX_SHOWN = 100  # characters of a source line shown under a message


def _shown_source(src: str, column: int, length: int) -> tuple[str, int, int]:
    """The source line as shown: control characters made visible, a long line cut around the column."""
    src = "".join(c if c == "\t" or c.isprintable() else "\ufffd" for c in src)
    if len(src) <= MAX_SHOWN:
        return src, column, length
    start = max(0, min(column - 1 - MAX_SHOWN // 3, len(src) - MAX_SHOWN))
    end = start + MAX_SHOWN
    shown = ("…" if start else "") + src[start:end] + ("…" if end < len(src) else "")
    column = column - start + (1 if start else 0)
    return shown, column, max(1, min(length, MAX_SHOWN - (column - 1)))
