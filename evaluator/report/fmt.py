"""Formatting values for people, the Swedish way: 28 007 085 kr, 1 234,50 kr, ja/nej.

Shared by the Markdown/HTML reports, explanations, diffs and fixture messages, so a number
reads the same everywhere. Thousands are separated by a thin space (U+2009: it keeps digit
groups together visually without the width of a word space) and decimals by a comma.
Nothing here rounds: a decimal keeps every digit it has (the reports decide, and say, when
they show fewer).
"""

from __future__ import annotations

import datetime as dt
import numbers
from decimal import Decimal

THIN = "\u2009"
MINUS = "\u2212"  # a typographic minus, as wide as a plus
# Unit id -> the word shown after a number. "" = no word: counts are plain numbers, and years
# and months are labels ("2026"), not quantities to group ("2 026").
UNIT_WORDS = {"kr": "kr", "count": "", "kr/count": "kr/st", "year": "", "month": "", "day": "dagar"}
UNGROUPED_UNITS = ("year", "month")


def group(digits: str) -> str:
    """'28007085' -> '28 007 085' (thin spaces between groups of three)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return THIN.join(parts)


def format_plain_number(value: int | Decimal) -> str:
    """Swedish digits without a unit: thin-space thousands, decimal comma, every digit kept."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        text = format(value.copy_abs(), "f")  # copy_abs is exact; abs() would round to the context
    else:
        text = str(abs(int(value)))
    whole, _, frac = text.partition(".")
    out = group(whole) + ("," + frac if frac else "")
    return (MINUS if value < 0 else "") + out


def format_number(value, unit: str | None = None) -> str:
    """A number with its unit word: (28007085, 'kr') -> '28 007 085 kr', (12000, 'kr/count') ->
    '12 000 kr/st', (412, 'count') -> '412', (2026, 'year') -> '2026'; None -> '–'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if unit in UNGROUPED_UNITS and isinstance(value, numbers.Integral):
        return str(int(value)).replace("-", MINUS)
    text = format_plain_number(value)
    word = UNIT_WORDS.get(unit or "", unit or "")
    return f"{text} {word}" if word else text


def format_duration(value: dt.timedelta) -> str:
    """Durations in whole days, as a policy states deadlines ('30 dagar')."""
    if value.seconds or value.microseconds:
        return f"{value.total_seconds():g} s"
    return f"{value.days} dag" if abs(value.days) == 1 else f"{value.days} dagar"


def format_value(value, unit: str | None = None) -> str:
    """Any run value as text for people: numbers via `format_number`, dates ISO, lists bracketed."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (numbers.Integral, Decimal)):
        return format_number(value, unit)
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, unit) for v in value) + "]"
    return str(value)
