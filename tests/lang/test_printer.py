"""The expression printer (evaluator/lang/printer.py): canonical text that parses back to the
same tree, for every expression villkor ships and for random trees."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given

from evaluator.lang import parse
from evaluator.lang.printer import to_lines, to_text

from test_fuzz import FUZZ, trees

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("policies/*.yaml"), *ROOT.glob("examples/**/*.yaml")])


def _expressions(tree, key=None):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _expressions(v, k)
    elif isinstance(tree, list):
        for v in tree:
            yield from _expressions(v, key)
    elif key == "expr" and isinstance(tree, str):
        yield tree


SHIPPED = [(path.relative_to(ROOT).as_posix(), text) for path in FILES
           for text in _expressions(yaml.safe_load(path.read_text(encoding="utf-8")))]


def test_the_shipped_files_hold_expressions():
    assert len(SHIPPED) > 50  # the round trips below are not vacuous
    assert {p for p, _ in SHIPPED} >= {"policies/2026_performance.yaml", "policies/2026_capacity.yaml"}


@pytest.mark.parametrize("keep", [False, True], ids=["minimal", "kept"])
def test_every_shipped_expression_round_trips(keep):
    for path, text in SHIPPED:
        node = parse(text)
        printed = to_text(node, keep_parens=keep)
        assert parse(printed) == node, (path, text)
        assert to_text(parse(printed), keep_parens=keep) == printed, (path, text)  # a fixed point


def test_shipped_one_line_expressions_are_already_canonical():
    """`villkor fmt` keeps the shipped policies byte for byte: their one-line expressions are
    written exactly as the printer writes them."""
    for path, text in SHIPPED:
        if "\n" not in text:
            assert to_text(parse(text), keep_parens=True) == text, path


@FUZZ
@given(trees)
def test_random_trees_round_trip(tree):
    assert parse(to_text(tree)) == tree


@pytest.mark.parametrize("text, minimal, kept", [
    ("compensation>=cap", "compensation >= cap", "compensation >= cap"),
    ("sum( procedures[ year = 2026 ].count )", "sum(procedures[year = 2026].count)",
     "sum(procedures[year = 2026].count)"),
    ("(a + b) * c", "(a + b) * c", "(a + b) * c"),
    ("((a * b)) + c", "a * b + c", "(a * b) + c"),
    ("(a and b) or c", "a and b or c", "(a and b) or c"),
    ("a - (b - c)", "a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c", "(a - b) - c"),
    ("2 ** (3 ** 2)", "2 ** (3 ** 2)", "2 ** (3 ** 2)"),
    ("-3 ** 2", "-3 ** 2", "-3 ** 2"),
    ("-(3 ** 2)", "-(3 ** 2)", "-(3 ** 2)"),
    ("x in (1..10]", "x in (1..10]", "x in (1..10]"),
    ("(if a then 1 else 2) + 3", "(if a then 1 else 2) + 3", "(if a then 1 else 2) + 3"),
    ('round  half   up(x,0)', "round half up(x, 0)", "round half up(x, 0)"),
    ('"say \\"hi\\"\\n\\t\\\\"', '"say \\"hi\\"\\n\\t\\\\"', '"say \\"hi\\"\\n\\t\\\\"'),
    ("(date(\"2026-03-16\") - d).days", '(date("2026-03-16") - d).days', '(date("2026-03-16") - d).days'),
    ("[1,2 , 3][item>1]", "[1, 2, 3][item > 1]", "[1, 2, 3][item > 1]"),
])
def test_canonical_text(text, minimal, kept):
    assert to_text(parse(text)) == minimal
    assert to_text(parse(text), keep_parens=True) == kept


def test_lines_break_at_the_shallowest_depth_before_and():
    node = parse('sum(procedures[year = y and month in months and provider = "public"].count) + extra')
    # inside the filter (depth 2) `and` wins over `=` and names; at the end `+` (depth 0) wins
    assert to_lines(node, 40, 2) == [
        "sum(procedures[year = y",
        "and month in months",
        'and provider = "public"].count)',
        "+ extra",
    ]


def test_lines_never_split_a_string_or_a_multi_word_name():
    node = parse('if string length(s) > 3 then "a long, long text" else "b"')
    lines = to_lines(node, 12, 2)
    assert lines == ["if", "string length(s)", "> 3", "then", '"a long, long text"', 'else "b"']
    assert parse("\n".join(lines)) == node
