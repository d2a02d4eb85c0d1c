"""Formatting values for people, the Swedish way: 28 007 085 kr, 12,5, ja/nej.

Thousands are separated by a thin space (U+2009) and decimals by a comma. Exact values are
never rounded here: a decimal keeps all its digits (a report shows what was computed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

THIN = "\u2009"
UNIT_WORDS = {"kr": "kr", "count": "st", "kr/count": "kr/st", "year": "", "month": "", "day": "dagar"}


def group(digits: str) -> str:
    """'28007085' -> '28 007 085' (thin spaces)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return THIN.join(parts)


def format_plain_number(value: int | Decimal) -> str:
    """Swedish digits: thin-space thousands, decimal comma, exact (every digit kept)."""
    if isinstance(value, Decimal):
        text = format(value.copy_abs(), "f")  # copy_abs is exact; abs() would round to 28 digits
        neg = value < 0
    else:
        text = str(abs(int(value)))
        neg = value < 0
    whole, _, frac = text.partition(".")
    out = group(whole) + ("," + frac if frac else "")
    return ("−" if neg else "") + out


def format_number(value, unit: str | None = None) -> str:
    """28007085, 'kr' -> '28 007 085 kr'; counts and years without a unit word."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if unit in ("year", "month") or (unit is None and isinstance(value, int) and 1000 <= value <= 2999
                                      and False):
        return str(value)
    text = format_plain_number(value)
    word = UNIT_WORDS.get(unit or "", unit or "")
    return f"{text} {word}" if word and word != "st" else text


def format_value(value, unit: str | None = None) -> str:
    """Any run value as text for people."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, Decimal)):
        return format_number(value, unit)
    if isinstance(value, dt.timedelta):
        return f"{value.days} dagar"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v, unit) for v in value) + "]"
    return str(value)
