"""Whole-column evaluation: pandas Series in, pandas Series out, no loop over rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from evaluator.errors import EvaluationError
from evaluator.lang import evaluate

FORMULA = "max(0, floor(performed - baseline)) * (tariff + 4000)"


def test_formula_on_columns():
    env = {"performed": pd.Series([10, 5, 7, 120]), "baseline": pd.Series([4, 9, 7, 20]),
           "tariff": pd.Series([1000, 2000, 3000, 90000])}
    got = evaluate(FORMULA, env)
    # 6 × 5000; max(0, -4) = 0; 0; 100 × 94000
    assert got.tolist() == [30_000, 0, 0, 9_400_000]
    assert got.dtype == np.int64


def test_formula_with_a_fractional_baseline_is_exact():
    env = {"performed": pd.Series([10, 5, 7]),
           "baseline": pd.Series([Decimal("3.5"), Decimal("4.9"), Decimal("7.1")], dtype=object),
           "tariff": pd.Series([1000, 2000, 3000])}
    got = evaluate(FORMULA, env)
    # floor(6.5) = 6 → 30000; floor(0.1) = 0 → 0; floor(-0.1) = -1 → max 0
    assert [int(x) for x in got] == [30_000, 0, 0]


def test_scalars_broadcast_over_columns():
    env = {"x": pd.Series([1, 2, 3]), "cap": 2}
    assert evaluate("min(x, cap)", env).tolist() == [1, 2, 2]
    assert evaluate("x * 10 + cap", env).tolist() == [12, 22, 32]
    assert evaluate("if x > cap then \"over\" else \"ok\"", env).tolist() == ["ok", "ok", "over"]
    assert evaluate("x in [1, 3]", env).tolist() == [True, False, True]
    assert evaluate("x between 2 and 3", env).tolist() == [False, True, True]
    assert evaluate("x in (1..3]", env).tolist() == [False, True, True]


def test_decimal_columns_stay_exact():
    env = {"a": pd.Series([Decimal("0.1"), Decimal("1.1")], dtype=object)}
    assert evaluate("a + 0.2", env).tolist() == [Decimal("0.3"), Decimal("1.3")]
    # 34 significant digits: 0.0333…3 (34 threes) and 0.3666…67 (3, 32 sixes, 7)
    assert evaluate("a / 3", env).tolist() == [Decimal("0.0" + "3" * 34),
                                               Decimal("0.3" + "6" * 32 + "7")]
    assert evaluate('round(a * 10, 0, "half even")', env).tolist() == [1, 11]


def test_date_columns():
    env = {"d": pd.Series(np.array(["2026-01-31", "2024-02-28"], dtype="datetime64[D]"))}
    got = evaluate('d + duration("P30D")', env).tolist()
    assert [pd.Timestamp(x).date() for x in got] == [dt.date(2026, 3, 2), dt.date(2024, 3, 29)]
    assert evaluate("d.year", env).tolist() == [2026, 2024]
    assert evaluate("d.month", env).tolist() == [1, 2]


def test_null_in_a_column_names_the_row():
    env = {"a": pd.Series([1, 2, 3]), "b": pd.Series([1, 0, 1])}
    with pytest.raises(EvaluationError) as info:
        evaluate("a / b", env)
    assert info.value.message == "the expression has no value (null) at row 1"
    assert evaluate("if b = 0 then 0 else a / b", env).tolist() == [1, 0, 3]


def test_binary_floats_are_refused():
    with pytest.raises(EvaluationError) as info:
        evaluate("x + 1", {"x": pd.Series([0.1, 0.2])})
    assert info.value.message == "'x' holds binary floating-point numbers"
    with pytest.raises(EvaluationError):
        evaluate("x + 1", {"x": 0.1})


def test_int64_columns_stay_int64_on_a_million_rows():
    """No per-row Python loop: a loop would produce an object column of Python ints."""
    n = 1_000_000
    rng = np.random.default_rng(2026)
    performed = rng.integers(0, 5000, n)
    baseline = rng.integers(0, 5000, n)
    tariff = rng.integers(5000, 100_000, n)
    env = {"performed": pd.Series(performed), "baseline": pd.Series(baseline),
           "tariff": pd.Series(tariff)}
    got = evaluate(FORMULA, env)
    assert got.dtype == np.int64
    assert len(got) == n
    expected = np.maximum(0, performed - baseline) * (tariff + 4000)
    assert np.array_equal(got.to_numpy(), expected)


def test_overflowing_int64_switches_to_exact_integers():
    big = 2 ** 40
    got = evaluate("x * x", {"x": pd.Series([big, 3])})
    assert got.tolist() == [2 ** 80, 9]  # 2**80 does not fit int64; never wrapped around
