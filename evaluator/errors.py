"""Error types of villkor, each carrying the place it points at and a stable code.

Every failure a user can cause (a bad expression, policy, data file, fixture or command
line) is raised as a `VillkorError` subclass. Each error is a `Diagnostic`
(evaluator/diagnostics.py) with the code of its kind (docs/diagnostics.md); the CLI catches
`VillkorError` only and prints `render()`, so every message has the same shape:

    policies/2026_performance.yaml:112:11: rule 'eligible': unknown name 'baselin'
        max(0, floor(performed - baselin))
                                 ^^^^^^^
      hint: did you mean 'baseline'?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .diagnostics import Diagnostic, Location

__all__ = ["Diagnostic", "Location"]  # Location is imported from here all over the code


@dataclass
class VillkorError(Exception):
    """Base of every error meant for a user. `hint` says how to fix it; `code` replaces the
    code of the error's kind where one kind covers several (a loop of `extends` files)."""

    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None
    code: str | None = None

    kind = "error"
    CODE = "VK000"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def kind_code(self) -> str:
        """The code of this kind of error (docs/diagnostics.md)."""
        return type(self).CODE

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code or self.kind_code(), "error", self.location, self.message, self.hint)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """This error, or each of several found together, as diagnostics."""
        return [self.diagnostic]

    def __str__(self) -> str:
        return render(self)

    def at(self, **changes) -> VillkorError:
        """A copy pointing somewhere more precise (e.g. the file and rule an expression came from)."""
        loc = replace(self.location, **{k: v for k, v in changes.items() if v is not None})
        return replace(self, location=loc)

    def within(self, file: str | None, line_offset: int, column_offset: int, rule: str | None,
               file_lines: list[str] | None = None) -> VillkorError:
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

    CODE = "VK010"


class UnknownNameError(VillkorError):
    """A name that is neither a rule, parameter, input, column, dimension nor built-in."""

    CODE = "VK011"


class TypeCheckError(VillkorError):
    """Operands of the wrong type (number vs date vs bool vs string vs list), or wrong arity."""

    CODE = "VK012"


class UnitError(VillkorError):
    """Units that do not combine: kr + date, kr + count, a rule's declared unit not matching."""

    CODE = "VK013"


class GrainError(VillkorError):
    """A finer value used in a coarser rule without an aggregate, or an aggregate with nothing to do."""

    CODE = "VK014"


class LimitError(VillkorError):
    """An expression too long, too deep, or a result too large to compute safely."""

    CODE = "VK016"


class EvaluationError(VillkorError):
    """A value that cannot be computed: division by zero, a missing value where one is required."""

    CODE = "VK030"


class PolicyError(VillkorError):
    """A policy, fixture or parameter file that is malformed or violates its schema."""

    CODE = "VK004"


class ReadError(PolicyError):
    """A policy, fixture or parameter file that does not exist or cannot be read."""

    CODE = "VK001"


class YamlError(PolicyError):
    """A file that is not valid YAML as villkor reads it (syntax, encoding, tags, duplicate keys)."""

    CODE = "VK002"


class SchemaError(PolicyError):
    """A YAML tree that does not follow its JSON Schema (a missing, unknown or wrong-typed key)."""

    CODE = "VK003"


EXTENDS_CYCLE = "VK005"
TITLE_PLACEHOLDER = "VK006"  # a title names something it cannot be filled in with (policy/titles.py)


@dataclass
class CycleError(VillkorError):
    """Rules that depend on each other in a circle, or `extends` chains that loop.

    `cycle` holds the ids (or policy files) in the circle, each naming the next and the last
    the first, so nothing needs to read them back out of the message.
    """

    cycle: tuple[str, ...] = ()

    CODE = "VK015"


class DataError(VillkorError):
    """An input table that is missing, malformed, or holds a value of the wrong kind."""

    def kind_code(self) -> str:
        """By what it points at: a row (or a value in it), a whole column, or the file."""
        if self.location.row is not None:
            return "VK022"
        return "VK021" if self.location.field else "VK020"


class CheckFailed(VillkorError):
    """An invariant of the policy (`checks`) does not hold on the data."""

    CODE = "VK031"


class FixtureError(VillkorError):
    """A fixture file that cannot be run (its expectations failing is reported, not raised)."""

    CODE = "VK040"


class UsageError(VillkorError):
    """A command line that cannot be acted on (exit code 2)."""

    CODE = "VK090"


@dataclass
class ErrorList(VillkorError):
    """Several errors found together: validation collects all of them, not just the first."""

    errors: list[VillkorError] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for e in self.errors for d in e.diagnostics]

    @classmethod
    def of(cls, errors: Iterable[VillkorError]) -> ErrorList:
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
    """The one textual form of an error (Diagnostic.text), each of several on its own lines."""
    return "\n".join(d.text() for d in error.diagnostics)
