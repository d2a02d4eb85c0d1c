"""How a value is presented, in every medium: Swedish text, exact JSON, spreadsheet and CSV cells.

One module, so a value reads the same in `run`'s reports, `explain`, decision documents,
`diff`, the follow-up report, fixture messages, decision letters and titles. Every writer asks this module; none
formats a value itself.

Swedish text (`format_value` for reading, `format_number` for a number's exact digits):
- thousands are separated by a thin space, U+2009 (it keeps digit groups together visually
  without the width of a word space; the same character everywhere, never a no-break space),
  decimals by a comma, negatives by a typographic minus (U+2212);
- a unit is a word after the number: "28 007 085 kr", "12 000 kr/st"; counts are plain numbers;
  years and months are labels ("2026", not "2 026"); days are "1 dag", "30 dagar"; a share in
  percent is "12,5 %" with a no-break space (U+00A0) before the sign;
- amounts in kronor with öre always show two öre digits ("1 234,50 kr");
- booleans are "ja"/"nej"; dates ISO ("2026-03-16", the Swedish standard form); lists are
  bracketed ("[2023, 2024, 2025]"); an absent value is the en dash "–" (`MISSING`);
- a number with more than two decimals is shown rounded to two (half even) with its exact
  value beside it. The engine keeps a quotient as a Decimal of 34 significant digits, not as
  a fraction, so the fraction is *recovered*: when p/q with q ≤ 10 000 divides, in the
  engine's own 34-digit arithmetic, to exactly this Decimal, the value is shown as
  "436,67 (1 310/3)"; a short decimal (at most six places) as "1,13 (exakt 1,125)"; anything
  else with every digit the engine computed, "0,12 (exakt 0,1234567…)". `format_number`
  never rounds: it gives every digit.

In a sentence (`present`: decision letters, titles that name parameters): a number without its
unit word (the sentence says "kronor"), a fraction to two decimals with the exact value beside it
("436,67 (1 310/3)", else "≈ 0,08"), a date by name ("16 mars 2026"), a year as written ("2026"),
a list as words ("2023, 2024 och 2025"), an absent value "uppgift saknas".

Exact JSON (`json_value`): the contract of `villkor run --format json` — whole numbers as JSON
numbers, other Decimals as strings of exactly the digits computed ("1.50", "333.333…"),
dates ISO, durations ISO 8601 ("P30D"), absent values null; floats are refused.

Spreadsheet cells (`xlsx_cell`, `xlsx_format`): whole numbers below 2**53 as numbers (exact as
Excel's doubles), any other number as the nearest float (the exact digits go in a text column
beside it, see report/xlsx_writer.py); dates as date cells; durations ISO text; lists JSON text.

CSV cells (`csv_cell`, `csv_sv_cell`): the JSON forms as text (true/false); for Swedish Excel a
decimal comma and ja/nej, no thousands separators so every number is read as a number.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import numbers
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

THIN = "\u2009"
MINUS = "\u2212"  # a typographic minus, as wide as a plus
NBSP = "\u00a0"  # between a number and a sign (%), which must not start a line
MISSING = "–"  # an absent value, in every text medium
YES, NO = "ja", "nej"
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
# Unit id -> the word shown after a number. "" = no word: counts are plain numbers, and years
# and months are labels ("2026"), not quantities to group ("2 026").
UNIT_WORDS = {"kr": "kr", "count": "", "kr/count": "kr/st", "year": "", "month": "", "day": "dagar"}
# A unit named on its own, as a table's description line says it ("enhet kronor per styck").
UNIT_NAMES = {"kr": "kronor", "count": "antal", "kr/count": "kronor per styck", "year": "år", "month": "månad",
              "day": "dagar", "percent": "procent"}
UNGROUPED_UNITS = ("year", "month")
MONEY_UNITS = ("kr", "kr/count")
DISPLAY_PLACES = 2
SHORT_PLACES = 6  # a decimal with at most this many places is shown exactly beside its rounding
MAX_DENOMINATOR = 10_000
# The engine's arithmetic (lang/values.py FEEL_CONTEXT): 34 significant digits, half even.
ENGINE = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143)
# Display rounding never runs out of digits (a 34-digit amount plus two places of öre).
DISPLAY = decimal.Context(prec=1000, rounding=decimal.ROUND_HALF_EVEN)
EXACT_LIMIT = 2 ** 53  # whole numbers below this are exact as Excel's doubles
XLSX_FORMATS = {"kr": ('#,##0 "kr"', '#,##0.00 "kr"'), "kr/count": ('#,##0 "kr/st"', '#,##0.00 "kr/st"'),
                "count": ("#,##0", "#,##0.####")}
XLSX_DATE_FORMAT = "yyyy-mm-dd"


def is_number(value) -> bool:
    """An exact number of the engine (int or Decimal; a boolean is not a number)."""
    return isinstance(value, (numbers.Integral, Decimal)) and not isinstance(value, bool)


# ---------------------------------------------------------------- Swedish text


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


def _with_unit(text: str, value, unit: str | None) -> str:
    if unit == "percent":
        return f"{text}{NBSP}%"
    if unit == "day":
        return f"{text} {'dag' if abs(value) == 1 else 'dagar'}"
    word = UNIT_WORDS.get(unit or "", unit or "")
    return f"{text} {word}" if word else text


def unit_name(unit: str) -> str:
    """A unit as a reader names it; a unit the policy made up (`kr/day`) is shown as written."""
    return UNIT_NAMES.get(unit, unit)


def _money_places(value, unit: str | None):
    """Kronor with öre show two öre digits: 1234.5 kr -> 1234.50 (exact: only a zero is added)."""
    if unit in MONEY_UNITS and isinstance(value, Decimal) and value != value.to_integral_value() \
            and value.as_tuple().exponent == -1:
        return DISPLAY.quantize(value, Decimal("0.01"))
    return value


def format_number(value, unit: str | None = None) -> str:
    """A number with its unit word and every digit: (28007085, 'kr') -> '28 007 085 kr',
    (12000, 'kr/count') -> '12 000 kr/st', (412, 'count') -> '412', (2026, 'year') -> '2026'."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return YES if value else NO
    if unit in UNGROUPED_UNITS and isinstance(value, numbers.Integral):
        return str(int(value)).replace("-", MINUS)
    return _with_unit(format_plain_number(_money_places(value, unit)), value, unit)


def places(value: Decimal) -> int:
    """How many decimal places a finite Decimal has as written (1.50 -> 2, 1E+3 -> 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def exact_beside(value: Decimal) -> str:
    """The exact value shown beside a rounded one: '1 310/3', 'exakt 1,125', 'exakt 0,1234…'."""
    if places(value.normalize(ENGINE)) <= SHORT_PLACES:
        return "exakt " + format_plain_number(value.normalize(ENGINE))
    frac = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    if ENGINE.divide(Decimal(frac.numerator), Decimal(frac.denominator)) == value:
        sign = MINUS if frac < 0 else ""
        return f"{sign}{group(str(abs(frac.numerator)))}/{group(str(frac.denominator))}"
    return "exakt " + format_plain_number(value)


def number_text(value, unit: str | None = None) -> str:
    """A number for reading: more than two decimals rounded to two, the exact value beside it."""
    if isinstance(value, Decimal) and value.is_finite() and places(value) > DISPLAY_PLACES:
        rounded = DISPLAY.quantize(value, Decimal(1).scaleb(-DISPLAY_PLACES))
        return f"{format_number(rounded, unit)} ({exact_beside(value)})"
    return format_number(value, unit)


def format_duration(value: dt.timedelta) -> str:
    """Durations in whole days, as a policy states deadlines ('1 dag', '30 dagar')."""
    if value.seconds or value.microseconds:
        return f"{format_plain_number(Decimal(str(value.total_seconds())).normalize())} s"
    return _with_unit(format_plain_number(value.days), value.days, "day")


def format_value(value: Any, unit: str | None = None) -> str:
    """Any run value as Swedish text for people (see the module docstring)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return YES if value else NO
    if is_number(value):
        return number_text(value, unit)
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, unit) for v in value) + "]"
    return str(value)


# ---------------------------------------------------------------- in a sentence (letters, titles)


def present_date(value: dt.date) -> str:
    """2026-03-16 -> '16 mars 2026'."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def present_integer(value: int) -> str:
    return (MINUS if value < 0 else "") + group(str(abs(value)))


def present_fraction(value: Decimal) -> str:
    """A non-whole number: two decimals (half even) and, when it is a simple fraction, the exact
    value beside it: 1310/3 -> '436,67 (1 310/3)'; otherwise '≈ 0,08'."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    sign = MINUS if rounded < 0 else ""
    whole, _, cents = format(abs(rounded), "f").partition(".")
    shown = f"{sign}{group(whole)},{cents}"
    if rounded == value:
        return shown
    exact = Fraction(value).limit_denominator(10 ** 6)
    if exact.denominator > 1 and _same(exact, value):
        return f"{shown} ({present_integer(exact.numerator)}/{present_integer(exact.denominator)})"
    return f"≈ {shown}"


def _same(exact: Fraction, value: Decimal) -> bool:
    """Does the fraction give back this decimal in the engine's 34-digit arithmetic?"""
    return ENGINE.divide(Decimal(exact.numerator), Decimal(exact.denominator)) == value


def present_number(value, unit: str | None) -> str:
    if unit in ("year", "month"):
        return str(value)
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return present_fraction(value)
    return present_integer(int(value))


def present_list(items: list[str]) -> str:
    """['2023', '2024', '2025'] -> '2023, 2024 och 2025'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def present(value, unit: str | None = None) -> str:
    """A value inside a sentence: of a decision letter, or of a title (`{measurement_year}`)."""
    if value is None:
        return "uppgift saknas"
    if isinstance(value, bool):
        return "ja" if value else "nej"  # never in a letter: validation refuses such placeholders
    if isinstance(value, (int, Decimal)):
        return present_number(value, unit)
    if isinstance(value, dt.timedelta):
        return f"{value.days} dagar"
    if isinstance(value, dt.date):
        return present_date(value)
    if isinstance(value, (list, tuple)):
        return present_list([present(v, unit) for v in value])
    return str(value)


# ---------------------------------------------------------------- exact JSON


def decimal_to_json(value: Decimal) -> int | str:
    """An integral Decimal as an exact int, any other as its exact plain-notation digits."""
    if not value.is_finite():
        raise ValueError(f"no JSON form for the decimal {value}")
    if value == value.to_integral_value():
        return int(value)
    return format(value, "f")


def duration_to_json(value: dt.timedelta) -> str:
    """ISO 8601: whole days (the language's durations) as 'P30D', a finer rest as 'P0DT90S'."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    if not (value.seconds or value.microseconds):
        return f"{sign}P{value.days}D"
    seconds = Decimal(value.seconds) + Decimal(value.microseconds).scaleb(-6)
    return f"{sign}P{value.days}DT{format(seconds.normalize(), 'f')}S"


def json_value(value: Any) -> Any:
    """One value as a JSON-ready Python value, exact (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):  # int, and numpy integers should one slip through
        return int(value)
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    if isinstance(value, dt.timedelta):
        return duration_to_json(value)
    if isinstance(value, dt.date):  # datetime too: isoformat keeps the time
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    raise TypeError(f"no exact JSON form for {type(value).__name__} {value!r}")


# ---------------------------------------------------------------- spreadsheet cells


def is_exact_in_xlsx(value) -> bool:
    """True for a number Excel stores exactly (a whole number below 2**53)."""
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value() and abs(value) < EXACT_LIMIT
    return isinstance(value, numbers.Integral) and abs(int(value)) < EXACT_LIMIT


def xlsx_cell(value):
    """What goes in a spreadsheet cell (openpyxl value)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (numbers.Integral, Decimal)):
        return int(value) if is_exact_in_xlsx(value) else float(value)
    if isinstance(value, dt.timedelta):
        return json_value(value)
    if isinstance(value, dt.date):
        return value
    return json.dumps(json_value(value), ensure_ascii=False)


def xlsx_format(value, unit: str | None) -> str | None:
    """The number format of a cell, or None for Excel's General.

    In a format code "," is the locale's digit-group separator, so Swedish Excel shows
    "28 007 085 kr"; a literal space would be a fixed-position character."""
    if isinstance(value, dt.date):
        return XLSX_DATE_FORMAT
    if not is_number(value) or unit not in XLSX_FORMATS:
        return None
    whole, fraction = XLSX_FORMATS[unit]
    return whole if value == int(value) else fraction


# ---------------------------------------------------------------- CSV cells


def csv_cell(value) -> str:
    """A value as CSV text: the JSON form, booleans true/false, lists JSON text, absent empty."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_sv_cell(value) -> str:
    """A value as Swedish-Excel CSV text: the exact digits with a decimal comma, ja/nej."""
    if isinstance(value, bool):
        return YES if value else NO
    text = csv_cell(value)
    if isinstance(value, Decimal) and isinstance(json_value(value), str):
        return text.replace(".", ",")
    return text
