"""policy/loader.py: YAML read safely into plain values, with the position of every value.

Positions are 1-based and counted by hand from the text in each test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from evaluator.errors import LimitError, PolicyError, VillkorError, render
from evaluator.policy.loader import MAX_ALIAS_NODES, MAX_DEPTH, load_yaml

from support import villkor, write


def load(tmp_path, text: str, name: str = "f.yaml"):
    return load_yaml(str(write(tmp_path / name, text)))


def fails(tmp_path, text: str, kind=PolicyError):
    path = write(tmp_path / "f.yaml", text)
    with pytest.raises(kind) as info:
        load_yaml(str(path))
    return info.value, str(path)


def place(err) -> tuple:
    return err.location.line, err.location.column


# ---------------------------------------------------------------- values


def test_decimals_are_read_from_the_literal_text_never_float(tmp_path):
    tree = load(tmp_path, "a: 0.1\nb: 0.2\nc: 2.50\nd: -0.000001\ne: 1.5e+3\nf: 12\ng: 1_000\n").tree
    assert tree == {"a": Decimal("0.1"), "b": Decimal("0.2"), "c": Decimal("2.50"),
                    "d": Decimal("-0.000001"), "e": Decimal("1.5e+3"), "f": 12, "g": 1000}
    assert tree["a"] + tree["b"] == Decimal("0.3")
    assert str(tree["c"]) == "2.50"  # the written digits are kept
    assert type(tree["f"]) is int and type(tree["g"]) is int
    assert not any(isinstance(v, float) for v in tree.values())


def test_dates_bools_nulls_and_strings(tmp_path):
    tree = load(tmp_path, "d: 2026-03-16\nq: '2026-03-16'\nt: true\nn: null\ne:\ns: Gävle\n").tree
    assert tree == {"d": dt.date(2026, 3, 16), "q": "2026-03-16", "t": True, "n": None, "e": None,
                    "s": "Gävle"}
    assert type(tree["d"]) is dt.date


def test_nested_lists_and_int_keys(tmp_path):
    tree = load(tmp_path, "m:\n  1: [a, b]\n  2: {x: 0.5}\n").tree
    assert tree == {"m": {1: ["a", "b"], 2: {"x": Decimal("0.5")}}}


def test_empty_file_is_none(tmp_path):
    assert load(tmp_path, "# only a comment\n").tree is None


def test_sha256_and_lines(tmp_path):
    text = "a: 1\nb: Åre\n"
    loaded = load(tmp_path, text)
    assert loaded.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert loaded.lines == ["a: 1", "b: Åre"]


# ---------------------------------------------------------------- positions


MARKED = """\
rules:
  payout:
    expr: min(a, b)
    single: 'x + 1'
    double: "y + 2"
    block: |
      max(0,
          z)
    folded: >-

        q + 1
    list: [first, second]
"""


def test_value_and_key_positions(tmp_path):
    loaded = load(tmp_path, MARKED)
    m, k = loaded.marks, loaded.key_marks
    assert m[("rules",)] == (2, 3)
    assert k[("rules",)] == (1, 1)
    assert k[("rules", "payout")] == (2, 3)
    assert m[("rules", "payout", "expr")] == (3, 11)      # plain: where it stands
    assert k[("rules", "payout", "expr")] == (3, 5)
    assert m[("rules", "payout", "single")] == (4, 14)    # quoted: one past the quote
    assert m[("rules", "payout", "double")] == (5, 14)
    assert m[("rules", "payout", "block")] == (7, 7)      # block: next line, its indentation
    assert m[("rules", "payout", "folded")] == (10, 9)    # the first line of it is blank
    assert m[("rules", "payout", "list", 1)] == (12, 19)  # "    list: [first, " is 18 wide


def test_block_scalar_text_and_its_first_character(tmp_path):
    loaded = load(tmp_path, MARKED)
    assert loaded.tree["rules"]["payout"]["block"] == "max(0,\n    z)\n"
    line, col = loaded.marks[("rules", "payout", "block")]
    assert loaded.lines[line - 1][col - 1:] == "max(0,"


def test_location_falls_back_to_the_nearest_parent(tmp_path):
    loaded = load(tmp_path, MARKED)
    loc = loaded.location(("rules", "payout", "nope", 3))
    assert (loc.line, loc.column) == (3, 5)  # 'payout': its mapping starts at its first key
    assert loc.file == loaded.path
    assert loc.source_line == "    expr: min(a, b)"


# ---------------------------------------------------------------- malformed files


def test_malformed_yaml_has_the_mark_and_a_hint(tmp_path):
    err, path = fails(tmp_path, "rules:\n  a:\n    expr: x: y\n")
    assert render(err) == (
        f"{path}:3:12: malformed YAML: mapping values are not allowed in this context\n"
        "        expr: x: y\n"
        "               ^\n"
        "  hint: a value containing ': ' must be quoted, e.g. expr: \"a: b\"")


def test_unclosed_quote(tmp_path):
    err, _ = fails(tmp_path, 'a: "open\nb: 1\n')
    assert err.message.startswith("malformed YAML: found unexpected end of stream")
    assert place(err) == (3, 1)


def test_bad_indentation(tmp_path):
    err, _ = fails(tmp_path, "a:\n    b: 1\n  c: 2\n")
    assert err.message == "malformed YAML: did not find expected key"
    assert place(err) == (3, 3)
    assert err.hint == "check the indentation and quoting around this place"


def test_duplicate_key_names_both_lines(tmp_path):
    err, path = fails(tmp_path, "parameters:\n  cap: {value: 1, unit: kr, value: 2}\n")
    assert render(err) == (
        f"{path}:2:29: duplicate key 'value'\n"
        "      cap: {value: 1, unit: kr, value: 2}\n"
        "                                ^\n"
        "  hint: it is already given on line 2; keep one of them")


def test_duplicate_top_level_section(tmp_path):
    err, _ = fails(tmp_path, "rules: {}\ntitle: x\nrules: {}\n")
    assert (err.message, place(err)) == ("duplicate key 'rules'", (3, 1))
    assert err.hint == "it is already given on line 1; keep one of them"


def test_python_tags_are_refused(tmp_path):
    err, _ = fails(tmp_path, "a: 1\nb: !!python/object/apply:os.system [ls]\n")
    assert err.message == "YAML tag '!!python/object/apply:os.system' is not allowed"
    assert place(err) == (2, 4)


def test_missing_file(tmp_path):
    path = tmp_path / "missing.yaml"
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert info.value.message == f"no such file: {path}"
    assert info.value.location.file == str(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "cp1252.yaml"
    path.write_bytes("a: 1\n\ntitle: Malmö\n".encode("cp1252"))
    with pytest.raises(PolicyError) as info:
        load_yaml(str(path))
    assert render(info.value) == (f"{path}:3: the file is not UTF-8 text\n"
                                  "  hint: save it as UTF-8 (most editors: 'Save with encoding')")


# ---------------------------------------------------------------- limits


def test_alias_bomb_is_refused(tmp_path):
    # Nine levels of nine aliases: 9**9 (387 million) strings if expanded. Finishing at all
    # shows that expansion stops at MAX_ALIAS_NODES.
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    err, path = fails(tmp_path, "\n".join(lines) + "\n", LimitError)
    assert err.message == "aliases in the file repeat more than 10000 values"
    assert MAX_ALIAS_NODES == 10_000
    assert err.hint == "do not use YAML anchors and aliases to repeat large structures"
    assert err.location.file == path


def test_modest_aliases_are_allowed(tmp_path):
    tree = load(tmp_path, "base: &b {unit: kr, status: official}\na: *b\nc: *b\n").tree
    assert tree["a"] == tree["c"] == {"unit": "kr", "status": "official"}
    assert tree["a"] is not tree["c"]  # built separately: editing one never changes the other


def test_alias_into_itself_is_refused(tmp_path):
    err, _ = fails(tmp_path, "a: &x [1, *x]\n", LimitError)
    assert err.message == "an alias refers to the list or mapping that contains it"
    assert place(err) == (1, 4)


def test_deep_nesting_is_refused_with_our_own_message(tmp_path):
    depth = 150  # past MAX_DEPTH, well below any limit of the YAML library's own
    err, _ = fails(tmp_path, "a: " + "[" * depth + "]" * depth + "\n", LimitError)
    assert err.message == f"the file nests lists and mappings more than {MAX_DEPTH} levels deep"
    # the root mapping is level 1, so the 100th '[' (column 3 + 100) is level 101
    assert place(err) == (1, 103)


def test_absurd_nesting_is_one_located_message_without_crashing(tmp_path):
    """100 000 levels would overflow libyaml's C stack. Whichever limit stops it first (ours, or
    the library's own in newer releases), the user sees one located message on line 1, exit 1."""
    depth = 100_000
    path = write(tmp_path / "deep.yaml", "a: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(VillkorError) as info:
        load_yaml(str(path))
    assert info.value.location.file == str(path) and info.value.location.line == 1
    proc = villkor("validate", path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{path}:1:")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_a_nul_byte_is_located(tmp_path):
    err, _ = fails(tmp_path, 'policy: x\ntitle: "åä\x00b"\n')
    assert (err.location.line, err.location.column) == (2, 11)
    assert "control character U+0000" in err.message
    assert "\x00" not in render(err)


@pytest.mark.parametrize("written", ["010000", "1:30", "0750000000", "0x1F", "-012"])
def test_yaml_1_1_number_forms_are_refused_in_any_file(tmp_path, written):
    # fixtures and parameter files are read by the same loader as policies
    err, path = fails(tmp_path, f"data:\n  requisitions:\n    - {{region: Gotland, measures_listed: {written}}}\n")
    assert place(err) == (3, 42)
    assert "YAML 1.1" in err.message and f'quote it ("{written}")' in err.hint


def test_plain_numbers_and_quoted_text_stay_as_written(tmp_path):
    assert load(tmp_path, 'a: 0\nb: 10\nc: "010000"\nd: 0.5\n').tree == {"a": 0, "b": 10, "c": "010000",
                                                                        "d": Decimal("0.5")}
