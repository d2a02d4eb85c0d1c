"""Error types of villkor, each carrying the place it points at, and their one rendering.

Every failure a user can cause (a bad expression, policy, data file, fixture or command
line) is raised as a `VillkorError` subclass. The CLI catches `VillkorError` only and prints
`render()`; nothing else formats errors, so every message has the same shape:

    policies/2026_performance.yaml:112:11: rule 'eligible': unknown name 'baselin'
        max(0, floor(performed - baselin))
                                 ^^^^^^^
      hint: did you mean 'baseline'?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Iterable


@dataclass(frozen=True)
class Location:
    """Where an error points: a file, a line and column in it (1-based), and/or a rule id.

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


@dataclass
class VillkorError(Exception):
    """Base of every error meant for a user. `hint` says how to fix it."""

    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None

    kind = "error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return render(self)

    def at(self, **changes) -> "VillkorError":
        """A copy pointing somewhere more precise (e.g. the file and rule an expression came from)."""
        loc = replace(self.location, **{k: v for k, v in changes.items() if v is not None})
        return replace(self, location=loc)

    def within(self, file: str | None, line_offset: int, column_offset: int, rule: str | None,
               file_lines: list[str] | None = None) -> "VillkorError":
        """Translate a position inside an expression to the position in the policy file.

        `line_offset`/`column_offset` are the file position (1-based) of the expression's first
        character. Every line is shifted by the column offset: only block scalars (| and >)
        keep an expression's line breaks, and YAML strips the same indentation from each line.
        """
        loc = self.location
        line = (loc.line or 1)
        col = (loc.column or 1)
        file_line = line_offset + line - 1
        file_col = col + column_offset - 1
        src = loc.source_line
        if file_lines is not None and 0 < file_line <= len(file_lines):
            src = file_lines[file_line - 1]
        new = replace(loc, file=file, line=file_line, column=file_col, rule=rule or loc.rule,
                      source_line=src)
        return replace(self, location=new)


class ExprSyntaxError(VillkorError):
    """The expression text does not follow the grammar."""


class UnknownNameError(VillkorError):
    """A name that is neither a rule, parameter, input, column, dimension nor built-in."""


class TypeCheckError(VillkorError):
    """Operands of the wrong type (number vs date vs bool vs string vs list), or wrong arity."""


class UnitError(VillkorError):
    """Units that do not combine: kr + date, kr + count, a rule's declared unit not matching."""


class GrainError(VillkorError):
    """A finer value used in a coarser rule without an aggregate, or an aggregate with nothing to do."""


class LimitError(VillkorError):
    """An expression too long, too deep, or a result too large to compute safely."""


class EvaluationError(VillkorError):
    """A value that cannot be computed: division by zero, a missing value where one is required."""


class PolicyError(VillkorError):
    """A policy, fixture or parameter file that is malformed or violates its schema."""


@dataclass
class CycleError(VillkorError):
    """Rules that depend on each other in a circle, or `extends` chains that loop.

    `cycle` holds the ids (or policy files) in the circle, each naming the next and the last
    the first, so nothing needs to read them back out of the message.
    """

    cycle: tuple[str, ...] = ()


class DataError(VillkorError):
    """An input table that is missing, malformed, or holds a value of the wrong kind."""


class CheckFailed(VillkorError):
    """An invariant of the policy (`checks`) does not hold on the data."""


class FixtureError(VillkorError):
    """A fixture file that cannot be run (its expectations failing is reported, not raised)."""


class UsageError(VillkorError):
    """A command line that cannot be acted on (exit code 2)."""


@dataclass
class ErrorList(VillkorError):
    """Several errors found together: validation collects all of them, not just the first."""

    errors: list[VillkorError] = field(default_factory=list)

    @classmethod
    def of(cls, errors: Iterable[VillkorError]) -> "ErrorList":
        errs = list(errors)
        return cls(message=f"{len(errs)} errors", errors=errs)


def raise_all(errors: list[VillkorError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorList.of(errors)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known names, for typos like 'baselin' or 'Stokholm'."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not matches:
        return None
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"


def render(error: VillkorError) -> str:
    """The one textual form of an error: `place: [rule 'id': ]message`, source with caret, hint."""
    if isinstance(error, ErrorList):
        return "\n".join(render(e) for e in error.errors)
    loc = error.location
    head = loc.prefix()
    text = error.message
    if loc.rule:
        text = f"rule '{loc.rule}': {text}"
    lines = [f"{head}: {text}" if head else f"error: {text}"]
    if loc.source_line is not None and loc.column is not None:
        src, column, length = _shown_source(loc.source_line.rstrip("\n"), loc.column, loc.length)
        lines.append("    " + src)
        lines.append("    " + " " * max(column - 1, 0) + "^" * max(length, 1))
    if error.hint:
        lines.append(f"  hint: {error.hint}")
    return "\n".join(lines)


MAX_SHOWN = 100  # characters of a source line shown under a message


def _shown_source(src: str, column: int, length: int) -> tuple[str, int, int]:
    """The source line as shown: control characters made visible, a long line cut around the column."""
    src = "".join(c if c == "\t" or c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in src)
    if len(src) <= MAX_SHOWN:
        return src, column, length
    start = max(0, min(column - 1 - MAX_SHOWN // 3, len(src) - MAX_SHOWN))
    end = start + MAX_SHOWN
    shown = ("…" if start else "") + src[start:end] + ("…" if end < len(src) else "")
    column = column - start + (1 if start else 0)
    return shown, column, max(1, min(length, MAX_SHOWN - (column - 1)))
