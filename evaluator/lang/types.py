"""Static types of expressions: kind, unit, grain (dimensions) and nullability.

A unit is a product of base units with integer exponents (kr/count = kr¹·count⁻¹). `None`
as a unit means "not declared": such a number adapts to whatever its context needs, so a
literal `4000` can be added to a tariff in kr/count. Declared units are always checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..errors import Location, UnitError

BASE_UNITS = ("kr", "count", "year", "month", "day")


@dataclass(frozen=True)
class Unit:
    powers: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def parse(text: str | None, location: Location | None = None) -> Unit | None:
        """'kr/count' -> kr·count⁻¹; None -> None (undeclared)."""
        if text is None:
            return None
        text = text.strip()
        if text in ("", "1"):
            return Unit()
        num, _, den = text.partition("/")
        powers: dict[str, int] = {}
        for part, sign in ((num, 1), (den, -1)):
            for base in filter(None, (p.strip() for p in part.split("*"))):
                if base == "1":
                    continue
                if base not in BASE_UNITS:
                    raise UnitError(f"unknown unit '{text}'", location or Location(),
                                    hint="units are kr, count, kr/count, year, month, day")
                powers[base] = powers.get(base, 0) + sign
        return Unit._of(powers)

    @staticmethod
    def _of(powers: dict[str, int]) -> Unit:
        return Unit(tuple(sorted((b, p) for b, p in powers.items() if p)))

    def __mul__(self, other: Unit) -> Unit:
        powers = dict(self.powers)
        for b, p in other.powers:
            powers[b] = powers.get(b, 0) + p
        return Unit._of(powers)

    def inverse(self) -> Unit:
        return Unit(tuple((b, -p) for b, p in self.powers))

    def __str__(self) -> str:
        num = [b if p == 1 else f"{b}^{p}" for b, p in self.powers if p > 0]
        den = [b if p == -1 else f"{b}^{-p}" for b, p in self.powers if p < 0]
        if not num and not den:
            return "1"
        text = "*".join(num) or "1"
        return text + ("/" + "*".join(den) if den else "")


def unit_text(unit: Unit | None) -> str:
    return "no declared unit" if unit is None else str(unit)


@dataclass(frozen=True)
class Type:
    """kind: number, bool, string, date, duration, list, table, null, any.

    dims: the grain of the value (named axes). rows: for values that live on the rows of an
    input table (a column, a filter condition), the table's id. member: the dimension whose
    members a string/number value holds (for checking literals like "Stokholm").
    """

    kind: str
    unit: Unit | None = None
    elem: Type | None = None
    dims: tuple[str, ...] = ()
    rows: str | None = None
    member: str | None = None
    nullable: bool = False
    table: str | None = None  # kind == "table": which input

    @property
    def element(self) -> Type:
        """The type of a list's items (`any` for the empty list `[]`)."""
        return self.elem if self.elem is not None else ANY

    def with_(self, **changes: Any) -> Type:
        return replace(self, **changes)

    def describe(self) -> str:
        if self.kind == "list":
            return f"list of {self.elem.describe() if self.elem else 'anything'}"
        if self.kind == "table":
            return f"table '{self.table}'"
        if self.kind == "number" and self.unit is not None and self.unit.powers:
            return f"number in {self.unit}"
        if self.member:
            return f"{self.member} ({self.kind})"
        return self.kind


NUMBER = Type("number")
BOOL = Type("bool")
STRING = Type("string")
DATE = Type("date")
DURATION = Type("duration")
NULL = Type("null")
ANY = Type("any")


def number(unit: Unit | None = None) -> Type:
    return Type("number", unit=unit)


def list_of(elem: Type) -> Type:
    return Type("list", elem=elem)
