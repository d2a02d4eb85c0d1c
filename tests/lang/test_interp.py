"""The expression language on constants: literals, exact decimals, precedence, operators,
conditions, lists, filters, paths, dates and durations, and null inside an expression.

Every expectation is computed by hand (the comment says how where it is not obvious).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from evaluator.errors import EvaluationError
from evaluator.lang import ast, evaluate, parse


def ev(text, **env):
    return evaluate(text, env)


# ---------------------------------------------------------------- literals and exact numbers


@pytest.mark.parametrize("text, expected", [
    ("42", 42),
    ("0", 0),
    ("2.50", Decimal("2.5")),
    (".5", Decimal("0.5")),
    ('"Gotland"', "Gotland"),
    ('"say \\"hi\\""', 'say "hi"'),
    ('"a\\nb"', "a\nb"),
    ('"Västra Götaland"', "Västra Götaland"),
    ("true", True),
    ("false", False),
    ("[1, 2, 3]", [1, 2, 3]),
    ("[]", []),
    ('date("2026-03-16")', dt.date(2026, 3, 16)),
    ('duration("P30D")', dt.timedelta(days=30)),
    ('duration("-P1D")', dt.timedelta(days=-1)),
])
def test_literals(text, expected):
    got = ev(text)
    assert got == expected
    assert type(got) is type(expected) or isinstance(expected, Decimal)


def test_whole_numbers_come_back_as_int_and_fractions_as_decimal():
    assert type(ev("1 + 2")) is int
    assert type(ev("1.5 + 1")) is Decimal
    assert not isinstance(ev("0.1 + 0.2"), float)


def test_decimal_sums_are_exact():
    assert ev("0.1 + 0.2 = 0.3") is True
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("0.1 * 3 = 0.3") is True
    assert ev("1.10 + 2.20") == Decimal("3.3")
    # 1000 öre amounts of 0.01 kr: exactly 10 kr, never 9.9999999
    assert ev("sum([0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]) * 100") == 10


def test_division_has_34_significant_digits_half_even():
    third = ev("1/3")
    assert third == Decimal("0." + "3" * 34)
    assert len(third.as_tuple().digits) == 34
    assert ev("2/3") == Decimal("0." + "6" * 33 + "7")  # the 35th digit 6 rounds the 34th up
    assert ev("10/4") == Decimal("2.5")
    assert ev("6/3") == 2


def test_integers_beyond_int64_stay_exact():
    assert ev("9223372036854775807 + 1") == 9223372036854775808
    assert ev("3037000500 * 3037000500") == 9223372037000250000  # overflows int64
    assert ev("10 ** 33") == 10 ** 33


# ---------------------------------------------------------------- precedence


@pytest.mark.parametrize("text, expected", [
    ("-3 ** 2", 9),  # FEEL: unary minus binds tighter than **
    ("2 ** 3 ** 2", 64),  # left-associative: (2 ** 3) ** 2
    ("2 ** -1", Decimal("0.5")),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("2 * 3 ** 2", 18),
    ("10 - 4 - 3", 3),
    ("100 / 10 / 5", 2),
    ("-2 - -3", 1),
    ("1 + 1 = 2 and 3 > 2", True),
    ("true or false and false", True),  # and binds tighter: true or (false and false)
    ("(true or false) and false", False),
    ("if 1 < 2 then 1 else 2 + 10", 1),
    ("if false then 1 else 2 + 10", 12),  # the else branch extends to the end
    ("2 + 3 between 4 and 6", True),
    ("1 + 2 in [3, 4]", True),
])
def test_precedence(text, expected):
    assert ev(text) == expected


def test_parse_tree_of_power_and_minus():
    tree = parse("-3 ** 2")
    assert tree == ast.Binary("**", ast.Unary("-", ast.Number(3, "3")), ast.Number(2, "2"))
    tree = parse("2 ** 3 ** 2")
    assert tree == ast.Binary("**", ast.Binary("**", ast.Number(2, "2"), ast.Number(3, "3")),
                              ast.Number(2, "2"))


def test_positions_are_one_based():
    tree = parse("1 +\n  baseline")
    assert (tree.line, tree.column) == (1, 1)
    assert (tree.right.line, tree.right.column, tree.right.end_column) == (2, 3, 11)


# ---------------------------------------------------------------- comparisons, between, in


@pytest.mark.parametrize("text, expected", [
    ("1 = 1.0", True),
    ("1 != 2", True),
    ("2 < 2", False),
    ("2 <= 2", True),
    ("3 > 2.5", True),
    ("2 >= 3", False),
    ('"a" < "b"', True),
    ('"Gotland" = "Gotland"', True),
    ('date("2026-01-01") < date("2026-03-16")', True),
    ('duration("P2D") > duration("P1D")', True),
    ("true = false", False),
    ("[1, 2] = [1, 2]", True),
    ("[1, 2] = [2, 1]", False),
])
def test_comparisons(text, expected):
    assert ev(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("5 between 1 and 10", True),
    ("1 between 1 and 10", True),  # both ends included
    ("10 between 1 and 10", True),
    ("11 between 1 and 10", False),
    ("0.5 between 1 and 10", False),
    ('date("2026-03-16") between date("2026-01-01") and date("2026-12-31")', True),
    ('"b" between "a" and "c"', True),
])
def test_between(text, expected):
    assert ev(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("1 in [1..10]", True),
    ("10 in [1..10]", True),
    ("1 in (1..10]", False),
    ("10 in [1..10)", False),
    ("9.99 in [1..10)", True),
    ("5 in (1..10)", True),
    ("1 in (1..10)", False),
    ("0 in [1..10]", False),
    ('date("2026-03-16") in [date("2026-01-01")..date("2026-12-31")]', True),
    ('date("2027-01-01") in [date("2026-01-01")..date("2026-12-31")]', False),
    ('"b" in ["a".."c"]', True),
    ("3 in [1, 2, 3]", True),
    ("4 in [1, 2, 3]", False),
    ("1 in [1.5]", False),  # never truncated to the column's type
    ("1 in [1.0]", True),
    ("0.5 in [1, 2]", False),
    ('"Gotland" in ["Gotland", "Uppsala"]', True),
    ("4 in []", False),
    ('duration("P8D") in [duration("P8D"), duration("P9D")]', True),
    ('duration("P7D") in [duration("P8D"), duration("P9D")]', False),
    ('date("2026-03-16") in [date("2026-03-16")]', True),
    ("true in [false]", False),
    ("month in period_months", True),
])
def test_in(text, expected):
    assert ev(text, month=3, period_months=list(range(1, 11))) is expected


# ---------------------------------------------------------------- logic and if


@pytest.mark.parametrize("a", [True, False])
@pytest.mark.parametrize("b", [True, False])
def test_and_or_not_truth_table(a, b):
    assert ev("a and b", a=a, b=b) is (a and b)
    assert ev("a or b", a=a, b=b) is (a or b)
    assert ev("not(a)", a=a) is (not a)


def test_if_then_else():
    assert ev('if 2 > 1 then "yes" else "no"') == "yes"
    assert ev('if performed > cap then cap else performed', performed=120, cap=100) == 100
    assert ev('if performed > cap then cap else performed', performed=80, cap=100) == 80
    assert ev("if true then if false then 1 else 2 else 3") == 2


# ---------------------------------------------------------------- lists and filters


def test_list_filters_with_item():
    assert ev("[1, 2, 3, 4][item > 2]") == [3, 4]
    assert ev("[1, 2, 3][item > 5]") == []
    assert ev("sum([1, 2, 3, 4][item > 2])") == 7  # 3 + 4
    assert ev("count([1, 2, 3, 4][item >= 2])") == 3
    assert ev("xs[item in [2..3] and item != 3]", xs=[1, 2, 3, 4]) == [2]
    assert ev("[5, 10, 15][item > limit]", limit=7) == [10, 15]


# ---------------------------------------------------------------- paths, dates, durations


def test_date_paths():
    assert ev('date("2026-03-16").year') == 2026
    assert ev('date("2026-03-16").month') == 3
    assert ev('date("2026-03-16").day') == 16
    assert ev("decided.month", decided=dt.date(2026, 12, 31)) == 12
    assert ev('year(date("2026-03-16"))') == 2026
    assert ev('month(date("2026-03-16"))') == 3
    assert ev('day(date("2026-03-16"))') == 16


def test_duration_days():
    assert ev('duration("P30D").days') == 30
    assert ev('duration("-P2D").days') == -2
    # 31 days of January + 28 of February + 15 = 74
    assert ev('(date("2026-03-16") - date("2026-01-01")).days') == 74


@pytest.mark.parametrize("text, expected", [
    ('date("2026-03-16") - date("2026-01-01")', dt.timedelta(days=74)),
    ('date("2026-01-01") - date("2025-01-01")', dt.timedelta(days=365)),
    ('date("2025-01-01") - date("2024-01-01")', dt.timedelta(days=366)),  # 2024 is a leap year
    ('date("2026-01-01") - date("2026-03-16")', dt.timedelta(days=-74)),
    ('date("2026-01-31") + duration("P30D")', dt.date(2026, 3, 2)),  # Feb 28 is +28
    ('duration("P30D") + date("2026-01-31")', dt.date(2026, 3, 2)),
    ('date("2024-02-28") + duration("P1D")', dt.date(2024, 2, 29)),
    ('date("2026-03-01") - duration("P1D")', dt.date(2026, 2, 28)),
    ('duration("P1D") + duration("P2D")', dt.timedelta(days=3)),
    ('duration("P1D") - duration("P2D")', dt.timedelta(days=-1)),
    ('-duration("P1D")', dt.timedelta(days=-1)),
    ('date(2026, 3, 16)', dt.date(2026, 3, 16)),
    ('date(2026, 3, 16) = date("2026-03-16")', True),
    ('date(date("2026-03-16"))', dt.date(2026, 3, 16)),
])
def test_date_and_duration_arithmetic(text, expected):
    assert ev(text) == expected


def test_deadline_rule():
    text = 'if submitted <= deadline + duration("P30D") then "in time" else "late"'
    assert ev(text, submitted=dt.date(2026, 4, 15), deadline=dt.date(2026, 3, 16)) == "in time"
    assert ev(text, submitted=dt.date(2026, 4, 16), deadline=dt.date(2026, 3, 16)) == "late"


def test_string_concatenation():
    assert ev('"Region " + name', name="Gotland") == "Region Gotland"


# ---------------------------------------------------------------- null inside an expression


def test_null_follows_feel_inside_an_expression():
    assert ev("1/0 = null") is True
    assert ev("n = null", n=1) is False
    assert ev("n != null", n=1) is True
    assert ev("false and 1/0 > 1") is False  # false and null = false
    assert ev("true or 1/0 > 1") is True  # true or null = true
    assert ev("if 1/0 > 1 then 1 else 2") == 2  # if null takes the else branch


def test_null_as_one_branch_of_if():
    """The literal null may be one branch of an if (FEEL): the value is absent where taken."""
    assert ev("if n > 1 then 5 else null", n=2) == 5
    assert ev("(if n > 1 then 5 else null) = null", n=1) is True
    assert ev("(if reported then null else \"saknas\") = null", reported=True) is True
    import pandas as pd
    col = ev("(if n > 1 then n * 2 else null) = null", n=pd.Series([1, 2, 3]))
    assert list(col) == [True, False, False]
    with pytest.raises(EvaluationError):
        ev("if n > 1 then 5 else null", n=1)  # a null result is still an error at the top


def test_a_null_result_is_an_error():
    with pytest.raises(EvaluationError) as info:
        ev("1/0")
    assert "no value (null)" in info.value.message
    with pytest.raises(EvaluationError):
        ev("true and 1/0 > 1")  # true and null = null
    with pytest.raises(EvaluationError):
        ev("date(2026, 2, 30)")  # no such day
