"""Every error class the language raises: exact message, line, column, and the rendered form
(`str(err)` shows the source line with a caret under the culprit)."""

from __future__ import annotations

import pytest

from evaluator.errors import (
    EvaluationError,
    ExprSyntaxError,
    GrainError,
    LimitError,
    TypeCheckError,
    UnitError,
    UnknownNameError,
    VillkorError,
)
from evaluator.lang import check, evaluate, parse, types as T
from evaluator.lang.parser import MAX_DEPTH, MAX_LENGTH
from evaluator.lang.scope import Scope

ENV = {"performed": 10, "baseline": 4, "cap": 500_000, "compensation": 412_000}


def error_of(text, env=ENV):
    with pytest.raises(VillkorError) as info:
        evaluate(text, env)
    return info.value


def caret(err) -> list[str]:
    """The source and caret lines of the rendered error."""
    return str(err).split("\n")[1:3]


# ---------------------------------------------------------------- syntax


@pytest.mark.parametrize("text, message, line, column, hint", [
    ("1 +", "the expression ends too early", 1, 4, "expected '(', '-', '[', 'false', 'null', 'true', …"),
    ("1 + * 2", "unexpected '*'", 1, 5, "expected '(', '-', '[', 'false', 'null', 'true', …"),
    ("'public'", "unexpected character \"'\"", 1, 1, 'strings are written in double quotes: "public"'),
    ('@"2026-01-01"', "unexpected character '@'", 1, 1, 'write dates as date("2026-03-16")'),
    ("{a: 1}", "unexpected character '{'", 1, 1, "contexts { } are not part of the villkor language"),
    ("1,5 * cap", "unexpected ','", 1, 2, None),
    ("", "empty expression", 1, 1, "write an expression, e.g. min(compensation, cap)"),
    ("performed - 1 = 2 = 3", "unexpected '='", 1, 19, None),
    ("max(performed,\n    baseline", "the expression ends too early", 2, 13, None),
])
def test_syntax_errors(text, message, line, column, hint):
    err = error_of(text)
    assert type(err) is ExprSyntaxError
    assert err.message == message
    assert (err.location.line, err.location.column) == (line, column)
    if hint is not None:
        assert err.hint == hint
    src = text.split("\n")[line - 1]
    assert caret(err) == ["    " + src, "    " + " " * (column - 1) + "^"]


def test_syntax_error_rendering():
    assert str(error_of("1 + * 2")) == (
        "1:5: unexpected '*'\n"
        "    1 + * 2\n"
        "        ^\n"
        "  hint: expected '(', '-', '[', 'false', 'null', 'true', …")


# ---------------------------------------------------------------- unknown names


def test_unknown_name_with_did_you_mean():
    err = error_of("max(0, floor(performed - baselin))")
    assert type(err) is UnknownNameError
    assert err.message == "unknown name 'baselin'"
    assert err.hint == "did you mean 'baseline'?"
    assert (err.location.line, err.location.column, err.location.length) == (1, 26, 7)
    assert str(err) == (
        "1:26: unknown name 'baselin'\n"
        "    max(0, floor(performed - baselin))\n"
        "                             ^^^^^^^\n"
        "  hint: did you mean 'baseline'?")


def test_unknown_name_on_a_later_line():
    err = error_of("min(compensation,\n    capp)")
    assert (err.message, err.location.line, err.location.column) == ("unknown name 'capp'", 2, 5)
    assert err.hint == "did you mean 'cap'?"
    assert caret(err) == ["        capp)", "        ^^^^"]


def test_unknown_function_with_did_you_mean():
    err = error_of("maxx(1, 2)")
    assert type(err) is UnknownNameError
    assert err.message == "unknown function 'maxx'"
    assert err.hint == "did you mean 'max'?"
    assert (err.location.line, err.location.column) == (1, 1)


def test_unknown_name_without_a_close_match():
    err = error_of("zzz + 1")
    assert err.message == "unknown name 'zzz'"
    assert err.hint == "names are rules, parameters, inputs and dimensions of the policy"


# ---------------------------------------------------------------- types and arity


@pytest.mark.parametrize("text, message, column, length", [
    ("abs(1, 2)", "abs() takes 1 argument, got 2", 1, 9),
    ("round(1.5, 0)", "round() takes 3 arguments, got 2", 1, 13),
    ("modulo(1)", "modulo() takes 2 arguments, got 1", 1, 9),
    ("substring(\"abc\")", "substring() takes 2 to 3 arguments, got 1", 1, 16),
    ('"a" + 1', "cannot use '+' on a string and a number", 1, 7),
    ("true and 1", "'and' needs true/false, not a number", 10, 1),
    ("1 or false", "'or' needs true/false, not a number", 1, 1),
    ("not(1)", "not() needs true/false as argument 1, not a number", 5, 1),
    ('date("2026-02-30")', "'2026-02-30' is not a date", 6, 12),
    ('duration("P1M")', "'P1M' is not a duration villkor supports", 10, 5),
    ("if 1 then 2 else 3", "the condition of 'if' must be true/false, not a number", 4, 1),
    ('if true then 1 else "a"', "'then' and 'else' must have the same type: number vs string", 1, 23),
    ('[1, "a"]', "list items must have the same type: number vs string", 5, 3),
    ('1 < "a"', "cannot compare a number with a string", 1, 7),
    ("true < false", "'<' does not order bool values", 1, 12),
    ("1 in 2", "'in' needs a list or a range, not a number", 6, 1),
    ("null", "null can only be compared: x = null or x != null", 1, 4),
    ("1 + null", "null can only be compared: x = null or x != null", 5, 4),
    ("[1..2]", "a range can only follow 'in'", 1, 6),
    ('round(1.5, 0, "half_up")', "unknown rounding mode 'half_up'", 15, 9),
    ("decimal(1/3, 2.5)", "decimal() needs a whole number here", 14, 3),
    ("performed.year", "a number has no property 'year'", 1, 14),
    ("sum", "'sum' is a function", 1, 3),
    ('upper case(1)', "upper case() needs string as argument 1, not a number", 12, 1),
])
def test_type_errors(text, message, column, length):
    err = error_of(text)
    assert type(err) is TypeCheckError
    assert err.message == message
    assert (err.location.line, err.location.column, err.location.length) == (1, column, length)
    assert caret(err) == ["    " + text, "    " + " " * (column - 1) + "^" * length]


def test_type_error_hints():
    assert error_of('"a" + 1').hint == "numbers and text do not mix; compare or convert explicitly"
    assert error_of('date("2026-01-01") + 1').hint == \
        'add a duration to a date: date("2026-03-16") + duration("P30D")'
    assert error_of('round(1.5, 0, "half_up")').hint == "did you mean 'half up'?"


# ---------------------------------------------------------------- units


class UnitScope(Scope):
    """Names with declared units, as a policy's parameters and rules have them."""

    UNITS = {"tariff": "kr/count", "supplement": "kr/count", "eligible": "count", "cap": "kr",
             "payout": "kr", "months": "month", "ratio": None}

    def type_of(self, name):
        if name not in self.UNITS:
            return None
        return T.Type("number", unit=T.Unit.parse(self.UNITS[name]))

    def names(self):
        return self.UNITS.keys()


def checked_unit(text):
    return check(parse(text), UnitScope(), (), text).type.unit


def unit_error(text):
    with pytest.raises(UnitError) as info:
        check(parse(text), UnitScope(), (), text)
    return info.value


def test_units_that_combine():
    kr = T.Unit.parse("kr")
    assert checked_unit("eligible * (tariff + supplement)") == kr  # count × kr/count = kr
    assert checked_unit("tariff * eligible") == kr
    assert checked_unit("min(eligible * tariff, cap)") == kr
    assert checked_unit("payout / eligible") == T.Unit.parse("kr/count")
    assert checked_unit("payout / cap") == T.Unit()  # kr/kr: a plain ratio
    assert checked_unit("tariff + 4000") == T.Unit.parse("kr/count")  # a literal adapts
    assert checked_unit("ratio * cap") == kr  # undeclared adapts too
    assert checked_unit("1 + 2") is None


def test_kr_plus_count_is_refused():
    err = unit_error("cap + eligible")
    assert err.message == "'+' mixes units kr and count"
    assert (err.location.line, err.location.column, err.location.length) == (1, 1, 14)
    assert err.hint == "values must be in the same unit; check the rule's operands"
    assert caret(err) == ["    cap + eligible", "    ^^^^^^^^^^^^^^"]


@pytest.mark.parametrize("text, message", [
    ("eligible * tariff - eligible", "'-' mixes units kr and count"),
    ("tariff > cap", "'>' mixes units kr/count and kr"),
    ("min(cap, eligible)", "the arguments of min() mix units kr and count"),
    ("if true then cap else eligible", "'then' and 'else' mix units kr and count"),
    ("cap ** 2", "'**' needs plain numbers, not a number in kr"),
    ("[cap, months]", "list items mix units kr and month"),
])
def test_unit_mismatches(text, message):
    assert unit_error(text).message == message


def test_unit_parse():
    assert str(T.Unit.parse("kr/count")) == "kr/count"
    assert T.Unit.parse("kr/count") * T.Unit.parse("count") == T.Unit.parse("kr")
    with pytest.raises(UnitError) as info:
        T.Unit.parse("sek")
    assert info.value.message == "unknown unit 'sek'"


# ---------------------------------------------------------------- limits


def test_too_long():
    text = "1" + " + 1" * 1000  # 4001 characters
    assert len(text) == MAX_LENGTH + 1
    err = error_of(text)
    assert type(err) is LimitError
    assert err.message == "expression is 4001 characters long; the limit is 4000"
    assert (err.location.line, err.location.column) == (1, 1)


def test_too_deep():
    assert evaluate("-" * 59 + "1") == -1  # 60 levels: allowed
    text = "-" * MAX_DEPTH + "1"  # 61 levels
    err = error_of(text)
    assert type(err) is LimitError
    assert err.message == "expression is nested too deeply (limit 60 levels)"
    assert (err.location.line, err.location.column) == (1, 61)  # the innermost level
    assert caret(err) == ["    " + text, "    " + " " * 60 + "^"]


def test_parentheses_do_not_count_as_nesting():
    assert evaluate("(" * 100 + "1" + ")" * 100) == 1


def test_huge_power_is_refused_with_its_place():
    err = error_of("cap + 10 ** 100000")
    assert type(err) is LimitError
    assert err.message == "exponent 100000 is too large"
    assert err.hint == "exponents are limited to ±10000"
    assert (err.location.line, err.location.column, err.location.length) == (1, 7, 12)
    assert caret(err) == ["    cap + 10 ** 100000", "          ^^^^^^^^^^^^"]


def test_results_beyond_34_digits_are_refused():
    err = error_of("10 ** 34")
    assert type(err) is LimitError
    assert err.message == "number 1.000E+34 is too large: villkor computes exactly within 34 digits"
    err = error_of("round up(5.5, 6176)")
    assert type(err) is LimitError
    assert err.message == "6176 decimals is too many"
    assert (err.location.line, err.location.column) == (1, 1)


# ---------------------------------------------------------------- run time and grain


def test_division_by_zero_is_an_evaluation_error():
    err = error_of("cap / (performed - 10)")
    assert type(err) is EvaluationError
    assert err.message == ("the expression has no value (null): a division by zero, an "
                           "impossible date, or an absent value")
    assert err.hint == "guard it with if … then … else …"
    assert (err.location.line, err.location.column) == (1, 1)
    assert caret(err)[0] == "    cap / (performed - 10)"


def test_aggregating_a_single_value_is_a_grain_error():
    err = error_of("sum(cap)")
    assert type(err) is GrainError
    assert err.message == "nothing to aggregate: the value is per nothing (national) and so is this rule"
    assert (err.location.line, err.location.column) == (1, 1)


def test_every_error_is_a_villkor_error_with_a_place():
    for text in ["1 +", "baselin", "abs()", "10 ** 100000", "1/0", "x" * 5000, "-" * 70 + "1"]:
        err = error_of(text)
        assert err.location.line == 1 and err.location.column >= 1
        assert str(err).startswith(f"1:{err.location.column}: ")


# ---------------------------------------------------------------- mistakes people make


@pytest.mark.parametrize("text, message, column, hint", [
    ("performed == 10", "'==' is not an operator of villkor", 11, "write '=' to compare: a = b"),
    ("performed > 1 && baseline > 1", "'&&' is not an operator of villkor", 15, "write 'and': a and b"),
    ("performed > 1 || baseline > 1", "'||' is not an operator of villkor", 15, "write 'or': a or b"),
    ("performed > 1 och baseline > 1", "unexpected 'och'", 15, "write 'and': a and b"),
    ("performed * 0,5", "unexpected ','", 14, "decimals use a point in expressions: 0.5, not 0,5"),
    ('"caf\\u00e9" = "x"', "unknown escape '\\u' in a string", 5,
     'write the character itself ("é"); the escapes are \\" \\\\ \\n \\t'),
    ("max(1, [2, 3)", "'[' is closed by ')'", 8, "close it with ']'"),
])
def test_mistakes_are_named_in_words(text, message, column, hint):
    err = error_of(text)
    assert type(err) is ExprSyntaxError
    assert (err.message, err.location.column, err.hint) == (message, column, hint)


def test_unclosed_string_points_at_its_quote():
    err = error_of('performed = "abc')
    assert (err.message, err.location.column) == ("the string is never closed", 13)


def test_unclosed_bracket_names_the_bracket_still_open():
    err = error_of("min(compensation, (cap + 1)")
    assert err.message == "the expression ends too early"
    assert err.hint == "the '(' of 'min(' is never closed: add ')'"
    err = error_of("performed + (baseline")
    assert err.hint == "the '(' after 'performed +' is never closed: add ')'"


def test_a_date_compared_with_text_hints_at_date():
    with pytest.raises(TypeCheckError) as info:
        evaluate('d <= "2026-03-16"', {"d": __import__("datetime").date(2026, 3, 1)})
    assert info.value.hint == 'write the date as date("2026-03-16")'


def test_negative_power_of_zero_is_a_division_by_zero_not_infinity():
    err = error_of("0 ** -1")
    assert type(err) is EvaluationError
    assert "division by zero" in err.message
    assert "Infinity" not in str(err)


def test_a_long_source_line_is_cut_around_the_caret():
    text = "abs(" * 70 + "1" + ")" * 70
    err = error_of(text)
    assert type(err) is LimitError
    shown = str(err).split("\n")
    assert all(len(line) <= 110 for line in shown)
    src, mark = shown[1], shown[2]
    assert mark.index("^") < len(src) and src[mark.index("^")] == text[err.location.column - 1]
