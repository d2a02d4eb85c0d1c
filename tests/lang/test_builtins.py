"""Every built-in function, with hand-computed expectations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluator.errors import EvaluationError, LimitError
from evaluator.lang import evaluate
from evaluator.lang.builtins import largest_remainder as _largest_remainder


def ev(text, **env):
    return evaluate(text, env)


# ---------------------------------------------------------------- aggregates


@pytest.mark.parametrize("text, expected", [
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("min([3, 1, 2])", 1),
    ("max([3, 1, 2])", 3),
    ("min(0.5, 1)", Decimal("0.5")),
    ("max(0, -4)", 0),
    ('max(date("2026-01-01"), date("2026-03-16"))', dt.date(2026, 3, 16)),
    ('min(["b", "a"])', "a"),
    ("sum([1, 2, 3.5])", Decimal("6.5")),
    ("sum(1, 2, 3)", 6),
    ("sum([])", 0),
    ("mean([1, 2])", Decimal("1.5")),
    ("mean(1, 2, 3, 4)", Decimal("2.5")),  # 10 / 4
    ("mean([2, 4, 6])", 4),
    ("count([1, 2, 3])", 3),
    ("count([])", 0),
    ("count(xs[item > 1])", 2),
])
def test_aggregates(text, expected):
    assert ev(text, xs=[1, 2, 3]) == expected


def test_min_and_max_of_rule_values():
    assert ev("min(compensation, cap)", compensation=412_000, cap=500_000) == 412_000
    assert ev("min(compensation, cap)", compensation=612_000, cap=500_000) == 500_000


def test_aggregate_of_empty_list_without_value():
    with pytest.raises(EvaluationError):
        ev("max([])")
    with pytest.raises(EvaluationError):
        ev("mean([])")


# ---------------------------------------------------------------- abs, floor, ceiling


@pytest.mark.parametrize("text, expected", [
    ("abs(-3)", 3),
    ("abs(3)", 3),
    ("abs(-2.5)", Decimal("2.5")),
    ("abs(0)", 0),
    ('abs(duration("-P3D"))', dt.timedelta(days=3)),
    ("floor(1.5)", 1),
    ("floor(-1.5)", -2),
    ("floor(5)", 5),
    ("floor(-2.345, 2)", Decimal("-2.35")),
    ("floor(2.349, 2)", Decimal("2.34")),
    ("ceiling(1.5)", 2),
    ("ceiling(-1.5)", -1),
    ("ceiling(5)", 5),
    ("ceiling(2.341, 2)", Decimal("2.35")),
    ("ceiling(-2.349, 2)", Decimal("-2.34")),
])
def test_abs_floor_ceiling(text, expected):
    got = ev(text)
    assert got == expected and type(got) is type(expected) or (
        isinstance(expected, Decimal) and isinstance(got, Decimal) and got == expected)


def test_floor_of_whole_result_is_int():
    assert type(ev("floor(7.9)")) is int


# ---------------------------------------------------------------- round with a mode

ROUND_CASES = {
    # x:         up   down  half up  half down  half even  floor  ceiling
    "2.5":      (3,    2,    3,       2,         2,         2,     3),
    "-2.5":     (-3,   -2,   -3,      -2,        -2,        -3,    -2),
    "3.5":      (4,    3,    4,       3,         4,         3,     4),
    "-3.5":     (-4,   -3,   -4,      -3,        -4,        -4,    -3),
    "2.1":      (3,    2,    2,       2,         2,         2,     3),
    "-2.1":     (-3,   -2,   -2,      -2,        -2,        -3,    -2),
    "2.9":      (3,    2,    3,       3,         3,         2,     3),
    "-2.9":     (-3,   -2,   -3,      -3,        -3,        -3,    -2),
    "7":        (7,    7,    7,       7,         7,         7,     7),
    "-0.5":     (-1,   0,    -1,      0,         0,         -1,    0),
}
MODES = ("up", "down", "half up", "half down", "half even", "floor", "ceiling")


@pytest.mark.parametrize("x", list(ROUND_CASES))
@pytest.mark.parametrize("mode", MODES)
def test_round_each_mode_to_whole(x, mode):
    expected = ROUND_CASES[x][MODES.index(mode)]
    assert ev(f'round({x}, 0, "{mode}")') == expected


@pytest.mark.parametrize("text, expected", [
    ('round(1.2345, 2, "half up")', Decimal("1.23")),
    ('round(1.235, 2, "half up")', Decimal("1.24")),
    ('round(1.245, 2, "half even")', Decimal("1.24")),
    ('round(1.255, 2, "half even")', Decimal("1.26")),
    ('round(-1.235, 2, "half down")', Decimal("-1.23")),
    ('round(-1.235, 2, "half up")', Decimal("-1.24")),
    ('round(1.201, 2, "up")', Decimal("1.21")),
    ('round(-1.209, 2, "down")', Decimal("-1.20")),
    ('round(1250, -2, "half even")', 1200),  # to hundreds: 12.5 hundreds -> 12
    ('round(1350, -2, "half even")', 1400),
    ('round(1250, -2, "half up")', 1300),
    ('round(-1250, -2, "half down")', -1200),
    ("round(performed - baseline, 0, eligible_rounding)", 6),  # 10 - 3.5 = 6.5, floor
])
def test_round_to_a_scale(text, expected):
    assert ev(text, performed=10, baseline=Decimal("3.5"), eligible_rounding="floor") == expected


@pytest.mark.parametrize("text, expected", [
    ("round up(5.5, 0)", 6),
    ("round up(-5.5, 0)", -6),
    ("round up(1.121, 2)", Decimal("1.13")),
    ("round down(5.5, 0)", 5),
    ("round down(-5.5, 0)", -5),
    ("round half up(5.5, 0)", 6),
    ("round half up(-5.5, 0)", -6),
    ("round half up(1.125, 2)", Decimal("1.13")),
    ("round half down(5.5, 0)", 5),
    ("round half down(-5.5, 0)", -5),
    ("round half down(1.126, 2)", Decimal("1.13")),
    ("round half even(5.5, 0)", 6),
    ("round half even(4.5, 0)", 4),
    ("round  half   up(2.5, 0)", 3),  # spaces inside the name are normalised
])
def test_feel_round_functions(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("decimal(1/3, 2)", Decimal("0.33")),
    ("decimal(0.125, 2)", Decimal("0.12")),  # half even: 2 is even
    ("decimal(0.135, 2)", Decimal("0.14")),  # half even: 3 is odd, so up to 4
    ("decimal(-0.125, 2)", Decimal("-0.12")),
    ("decimal(2.5, 0)", 2),
    ("decimal(3.5, 0)", 4),
    ("decimal(1.5, 3)", Decimal("1.500")),
])
def test_decimal_rounds_half_even(text, expected):
    assert ev(text) == expected


def test_scale_bound():
    assert ev("round(1.5, 1000, \"up\")") == Decimal("1.5")
    with pytest.raises(LimitError):
        ev("round up(5.5, 1001)")


# ---------------------------------------------------------------- modulo


@pytest.mark.parametrize("a, b, expected", [
    # FEEL: modulo(a, b) = a - b * floor(a / b); the result has the sign of b
    ("12", "5", 2),
    ("-12", "5", 3),      # -12 - 5 * floor(-2.4) = -12 + 15
    ("12", "-5", -3),     # 12 - (-5) * floor(-2.4) = 12 - 15
    ("-12", "-5", -2),    # -12 - (-5) * floor(2.4) = -12 + 10
    ("10", "5", 0),
    ("10.1", "4.5", Decimal("1.1")),    # 10.1 - 4.5 * 2
    ("-10.1", "4.5", Decimal("3.4")),   # -10.1 - 4.5 * floor(-2.244…) = -10.1 + 13.5
    ("10.1", "-4.5", Decimal("-3.4")),  # 10.1 + 4.5 * floor(-2.244…) = 10.1 - 13.5
    ("-10.1", "-4.5", Decimal("-1.1")),  # -10.1 + 4.5 * 2
])
def test_modulo(a, b, expected):
    assert ev(f"modulo({a}, {b})") == expected


def test_modulo_by_zero_has_no_value():
    assert ev("modulo(5, 0) = null") is True
    with pytest.raises(EvaluationError):
        ev("modulo(5, 0)")


# ---------------------------------------------------------------- allocate (largest remainder)


@pytest.mark.parametrize("amount, weights, expected", [
    # quotas 3⅓ each: 3 + 3 + 3, one unit left; equal remainders and weights: the first member
    (10, [1, 1, 1], [4, 3, 3]),
    (100, [1, 2, 3, 4], [10, 20, 30, 40]),  # exact quotas
    (10, [1, 2, 3, 4], [1, 2, 3, 4]),
    # quotas 0.7 1.4 2.1 2.8 -> 0 1 2 2 (5), two left: remainders .8 then .7
    (7, [1, 2, 3, 4], [1, 1, 2, 3]),
    # quotas 0.5 1.5: equal remainders, the larger weight wins, wherever it stands
    (2, [1, 3], [0, 2]),
    (2, [3, 1], [2, 0]),
    (1, [1, 1, 1, 1], [1, 0, 0, 0]),
    (0, [1, 2], [0, 0]),
    (5, [0, 0, 0], [0, 0, 0]),  # all-zero weights allocate nothing
    (5, [0, 1, 0], [0, 5, 0]),
    # decimal weights: 3 × ½ = 1.5 each -> 1 + 1, the tie goes to the first
    (3, [Fraction(1, 2), Fraction(1, 2)], [2, 1]),
    # population-like key: 1000 × (2.4M, 0.4M, 0.06M) / 2.86M = 839.16…, 139.86…, 20.97…
    # -> 839 139 20 (998); remainders .97 (Gotland) then .86 (Uppsala) get the two units
    (1000, [2_400_000, 400_000, 60_000], [839, 140, 21]),
])
def test_largest_remainder(amount, weights, expected):
    got = _largest_remainder(amount, [Fraction(w) for w in weights])
    assert got == expected
    assert sum(got) == (amount if any(weights) else 0)
