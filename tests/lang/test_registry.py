"""The registry of built-in functions (evaluator/lang/builtins.py) is the one place a function
is declared: registering one there is all the checker and the interpreter need, every entry is
documented in docs/language.md, and the grammar spells exactly its multi-word names."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from evaluator.errors import TypeCheckError, UnknownNameError
from evaluator.lang import evaluate, values as V
from evaluator.lang.builtins import REGISTRY, Builtin
from evaluator.lang.parser import grammar_text

ROOT = Path(__file__).resolve().parents[2]


def _check_twice(checker, node, args):
    """The toy's type rule: a number in, the same number type (unit, grain) out."""
    checker.expect(node, 0, args[0], ("number",))
    return args[0]


def _twice(interp, node, args):
    """The toy's kernel: the whole array doubled, exactly."""
    v = interp.plain(args[0])
    return v.with_(data=V.add(v.data, v.data, 1, interp.magnitudes(v.data, v.data)))


@pytest.fixture
def twice(monkeypatch):
    """A built-in `twice(x)` that exists only inside the test using this fixture."""
    monkeypatch.setitem(REGISTRY, "twice", Builtin("twice", (1, 1), _check_twice, _twice))


def test_an_unregistered_function_is_unknown():
    with pytest.raises(UnknownNameError, match="unknown function 'twice'"):
        evaluate("twice(21)")


def test_a_registered_function_is_checked_and_evaluated(twice):
    assert evaluate("twice(21)") == 42
    assert evaluate("twice(0.35) + 1") == Decimal("1.70")
    column = evaluate("twice(x)", {"x": pd.Series([1, -4, 10 ** 15])})
    assert column.tolist() == [2, -8, 2 * 10 ** 15]


def test_a_registered_function_gets_the_common_arity_and_type_messages(twice):
    with pytest.raises(TypeCheckError, match=r"twice\(\) takes 1 argument, got 2"):
        evaluate("twice(1, 2)")
    with pytest.raises(TypeCheckError, match=r"twice\(\) needs number as argument 1, not a string"):
        evaluate('twice("a")')
    with pytest.raises(TypeCheckError, match="'twice' is a function"):
        evaluate("twice + 1")


def test_a_function_needs_a_type_rule_and_a_kernel():
    with pytest.raises(ValueError, match="needs a type rule and a kernel"):
        Builtin("half_done", (1, 1), _check_twice)


def _documented_functions() -> set[str]:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text.split("## Built-in functions", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z][a-z ]*)\(", section))


def test_every_builtin_is_documented_in_the_language_guide():
    missing = sorted(set(REGISTRY) - _documented_functions())
    assert missing == []


def test_the_guide_documents_no_function_that_does_not_exist():
    extra = sorted(_documented_functions() - set(REGISTRY))
    assert extra == []


def test_the_grammar_spells_exactly_the_multi_word_builtins():
    pattern = re.search(r"^FUNC_NAME\.\d+: /(.*)/$", grammar_text(), re.MULTILINE).group(1)
    spelled = {alt.replace(r"\s+", " ") for alt in pattern.split("|")}
    assert spelled == {name for name in REGISTRY if " " in name}


def test_min_and_max_say_which_argument_decides():
    assert {name: b.decides for name, b in REGISTRY.items() if b.decides} == \
        {"min": "lägre", "max": "högre"}

