"""One cell's text as a value of its column's type: exact numbers, ISO dates, yes/no words.

Each parser takes one distinct value and returns the value, BAD (it does not parse) or a
Refusal (it looks like a value but is refused, with the reason and how to write it); the
column typing (column.py) calls each parser once per distinct value, never per row."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

TRUE_WORDS = {"true", "ja", "1", "yes"}
FALSE_WORDS = {"false", "nej", "0", "no"}
SPACES = ("\u00a0", "\u2009", "\u202f", "\u2007", " ", "\t")
NUMBER_RE = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
INT_RE = re.compile(r"[-+]?[0-9]+")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INT64 = 2 ** 63
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
MONEY_LIMIT = Decimal(10) ** 15  # kr: a thousand times the state budget; beyond is a typing error
DIGITS_LIMIT = 28  # significant digits a decimal keeps exactly (the decimal context's precision)
FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates outside are typing errors (0000-01-01, 20260-01-01)


def clean_text(text: str) -> str:
    """Text as compared with the policy: NFC (composed å, ä, ö), zero-width characters removed."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(ZERO_WIDTH))


@dataclass(frozen=True)
class Refusal:
    """Why a cell that looks like a value is refused anyway, and how to write it."""

    message: str
    hint: str


BAD = object()  # a value that does not parse as its column's type


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, float):
        return bool(np.isnan(value))
    import pandas as pd  # pandas' own markers of an empty cell: only a table pandas made holds them

    return value is pd.NA or value is pd.NaT


def cell_text(value) -> str:
    """A non-text cell (XLSX number, date) as text: 12.0 -> '12', a datetime at midnight -> date."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "hour") and hasattr(value, "date") and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def parse_int(value):
    if isinstance(value, (bool, np.bool_)):
        return BAD
    if isinstance(value, (int, np.integer)):
        return int(value) if abs(int(value)) < INT64 else _out_of_range(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= INT64:
            return _out_of_range(value)
        return int(value) if value.is_integer() else BAD
    text = str(value)
    for space in SPACES:
        text = text.replace(space, "")
    if _foreign_digits(text):
        return _foreign_digits(text)
    if not INT_RE.fullmatch(text):
        return BAD
    return int(text) if abs(int(text)) < INT64 else _out_of_range(text)


def _out_of_range(value) -> Refusal:
    return Refusal("out of range", f"whole numbers must be below {INT64:,} in size; check the cell".replace(",", " "))


def _foreign_digits(text: str) -> Refusal | None:
    """Digits other than 0-9 (Arabic-Indic ١٢٣, fullwidth １２３): refused, never read silently."""
    if text.isascii() or not any(ch.isdigit() and not ch.isascii() for ch in text):
        return None
    return Refusal("holds digits other than 0-9",
                   "retype the number with the digits 0-9 (the cell has e.g. Arabic-Indic or fullwidth digits)")


def parse_decimal(value, decimal_mark: str, money: bool):
    """Exact decimal from a cell: '1 234,50', '1234.50', '1.234,5', '1 234 kr'; never via float
    for text; an XLSX float is read as its shortest repr (0.1, not 0.1000000000000000055)."""
    if isinstance(value, (bool, np.bool_)):
        return BAD
    if isinstance(value, (int, np.integer, Decimal)):
        number = Decimal(int(value)) if isinstance(value, np.integer) else Decimal(value)
    else:
        text = repr(float(value)) if isinstance(value, (float, np.floating)) else _number_text(str(value), decimal_mark)
        if text is None or isinstance(text, Refusal):
            return text if text is not None else BAD
        if "e" in text and isinstance(value, (float, np.floating)) and np.isfinite(value):
            return Refusal("a number too large or small to be a plain amount",
                           "format the cell as a number with all its digits (not scientific notation)")
        if not NUMBER_RE.fullmatch(text):
            return BAD
        try:
            number = Decimal(text)
        except InvalidOperation:
            return BAD
    if not number.is_finite():
        return BAD
    if len(number.as_tuple().digits) > DIGITS_LIMIT or (money and abs(number) >= MONEY_LIMIT):
        limit = "1 000 000 000 000 000 kr" if money else f"{DIGITS_LIMIT} digits"
        return Refusal("out of range", f"{'amounts' if money else 'numbers'} must be below {limit}; check the cell")
    if money and number != number.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        return BAD
    return number


def _number_text(text: str, decimal_mark: str) -> str | Refusal | None:
    """Normalise a written number to `-1234.5`: spaces and ' kr' dropped, one decimal mark.

    With both '.' and ',' the last one is the decimal mark; a mark repeated is a thousands
    separator only when it is not the file's decimal mark."""
    text = text.strip().replace("\u2212", "-")
    low = text.lower()
    for unit in ("kr", "sek", ":-"):
        if low.endswith(unit):
            text = text[: -len(unit)]
            break
    for space in SPACES:
        text = text.replace(space, "")
    if _foreign_digits(text):
        return _foreign_digits(text)
    other = "." if decimal_mark == "," else ","
    if text.count(other) == 1 and decimal_mark not in text and re.fullmatch(r"-?[1-9][0-9]{0,2}[.,][0-9]{3}", text):
        whole, part = text.lstrip("-").split(other)
        sign = "-" if text.startswith("-") else ""
        small = sign + f"{whole}.{part}".rstrip("0").rstrip(".")
        big = sign + whole + part
        return Refusal(f"could be {small} or {big}",
                       f"'{other}' is not this file's decimal mark ('{decimal_mark}'): write {big} for {big}, "
                       f"or {sign}{whole}{decimal_mark}{part} for {small}")
    if "," in text and "." in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        other = "." if mark == "," else ","
        if text.rfind(other) > text.find(mark):
            return None
        text = text.replace(other, "")
    else:
        for mark in (",", "."):
            if text.count(mark) > 1:
                if mark == decimal_mark:
                    return None
                text = text.replace(mark, "")
    return text.replace(",", ".")


def parse_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else BAD


def parse_date(value):
    """ISO dates only (2026-03-16); XLSX date cells; 2026-02-30 and 16/03/2026 are refused."""
    if not isinstance(value, str):
        if hasattr(value, "hour") and (value.hour or value.minute or value.second):
            return BAD  # a time of day where a date is expected
        value = cell_text(value)
    if not DATE_RE.fullmatch(value):
        return BAD
    try:
        day = np.datetime64(value, "s")
    except ValueError:
        return BAD
    if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        return Refusal(f"the year is outside {FIRST_YEAR}-{LAST_YEAR}", "check the date; write it as YYYY-MM-DD, e.g. 2026-03-16")
    return day


def value_text(value) -> str | None:
    """An inline YAML value as the text a file would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
