"""`villkor fmt --check` proves a file formatted from its structure (evaluator/style/proof.py)
before it runs the round trip: the proof must never call a file formatted that the formatter
would change, and it must recognise the repository's own policies.

The formatter (`format_text`) is the judge throughout: every text the proof accepts is formatted
here as well and must come back byte for byte.
"""

from __future__ import annotations

import random
import re

import pytest

from evaluator.errors import VillkorError
from evaluator.style.fmt import format_text
from evaluator.style.proof import proven_formatted

from support import ROOT, villkor, write

POLICIES = [*sorted(ROOT.glob("policies/*.yaml")), ROOT / "examples" / "2027_draft" / "2027_performance.yaml"]
EVERY_YAML = sorted({*POLICIES, *ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")})


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_each_policy_of_the_repository_is_proven_formatted(policy):
    """They are formatted (test_fmt.py checks it with the formatter), and the proof sees it."""
    assert proven_formatted(policy.read_text(encoding="utf-8"))


# Canonical texts written by hand, each with something the proof has to lay out as fmt does.
PROVEN = {
    "comments at their keys' columns, one blank line between entries": """\
        # Header: stays on top.
        #
        # Second paragraph of the header.

        policy: prov
        title: Prov
        version: "2026.1"
        parameters:
          # the budget
          budget:
            title: Högst att betala ut (P-1)
            value: 750000000
            source: {ref: beslut, passage: andra stycket}

          # ---------------------------------------------- P-2
          tariff:
            title: "Brist: ingen rekvisition"  # an end-of-line comment keeps its place
            value: 4000
        """,
    "blocks, lists of mappings, a comment at the end of the file": """\
        policy: 2026_prov
        rules:
          total:
            title: Summa
            expr: |-
              sum(procedures[year = measurement_year and month in period_months
                and provider = "public"].count * 2)
            explain: >-
              Summan av alla
              ingrepp.

          payout:
            title: Utbetalning
            per: [region]
            expr: min(compensation, cap)
        letter:
          sections:
            - heading: Beslut
              paragraphs:
                - text: >-
                    Socialstyrelsen beslutar att bevilja {region} {payout} kronor.
                  when: opted_in
                - Regionen uppfyller villkoren.
          figures:
            - {rule: payout, title: Beviljat}

        # The end.
        """,
}

# Texts the formatter changes (or refuses): the proof must not call them formatted.
CHANGED = {
    "single quotes": "policy: prov\ntitle: 'Prov'\n",
    "double quotes where none are needed": 'policy: prov\ntitle: "Prov"\n',
    "a key out of order": "title: Prov\npolicy: prov\n",
    "rule keys out of order": "policy: prov\nrules:\n  a:\n    expr: 1\n    title: A\n",
    "an expression in other spacing": "policy: prov\nrules:\n  a:\n    title: A\n    expr: min(b,c)+1\n",
    "a comment off its key's column": "policy: prov\nrules:\n    # the rule\n  a:\n    title: A\n",
    "two blank lines": "policy: prov\n\n\ntitle: Prov\n",
    "a blank line under its parent": "policy: prov\nrules:\n\n  a:\n    title: A\n",
    "blank lines at the end": "policy: prov\ntitle: Prov\n\n",
    "underscores in a number": "policy: prov\nparameters:\n  a:\n    value: 750_000_000\n",
    "a flow list longer than its line": "policy: prov\nrules:\n  a:\n    per: [" + ", ".join(["region"] * 20) + "]\n",
    "list items indented differently": "policy: prov\noutputs:\n- a\n- b\n",
    "a document start": "---\npolicy: prov\n",
    "a trailing space": "policy: prov \n",
    "a key longer than a simple key": "policy: prov\nparameters:\n  " + "k" * 130 + ": 1\n",
    "a folded line that starts with a no-break space": "policy: prov\ntitle: >\n  a b\n  \u00a0 c\n",
    "a line separator in quotes": 'policy: prov\ntitle: "a\u2028b"\n',
    "a next-line character in a comment at the end": "policy: prov\n# a\x85# b\n",
    "a line separator in an end-of-line comment": "policy: prov\nrules:\n  a:\n    title: A  # a\u2029# b\n",
    "a line separator before the next key": "policy: a # c\u2028title: b\n",
}


def test_a_quoted_string_that_looks_like_a_date_that_is_none_is_proven():
    """`"2026-13-01"` must stay quoted (unquoted it reads as a date, which does not exist): the
    question is asked of both YAML readers, which refuse to build it, and means "not plain"."""
    text = 'policy: prov\ntitle: "2026-13-01"\n'
    assert proven_formatted(text)
    assert format_text(text) == text


@pytest.mark.parametrize("name", PROVEN)
def test_a_canonical_text_is_proven_and_the_formatter_agrees(name):
    text = write_text(PROVEN[name])
    assert proven_formatted(text)
    assert format_text(text) == text


@pytest.mark.parametrize("name", CHANGED)
def test_a_text_the_formatter_changes_is_not_proven(name):
    text = CHANGED[name]
    try:
        assert format_text(text) != text
    except VillkorError:
        pass  # refused: not formatted either
    assert not proven_formatted(text)


def test_what_the_proof_does_not_know_it_leaves_to_the_formatter(tmp_path):
    """A comment between list items is kept by the formatter, but the proof has no rule for it:
    it cannot tell, and `fmt --check` still says formatted (the formatter decides)."""
    text = "policy: prov\noutputs:\n  - a\n  # b comes later\n  - b\n"
    assert format_text(text) == text
    assert not proven_formatted(text)
    proc = villkor("fmt", "--check", "--no-cache", write(tmp_path / "p.yaml", text))
    assert (proc.returncode, proc.stderr) == (0, "1 file already formatted\n")


def write_text(text: str) -> str:
    import textwrap

    return textwrap.dedent(text)


# ---------------------------------------------------------------- the proof against the formatter


def _formatted_corpus() -> list[str]:
    texts = []
    for path in EVERY_YAML:
        try:
            texts.append(format_text(path.read_text(encoding="utf-8")))
        except VillkorError:  # a file fmt cannot read as a policy (none today)
            continue
    return texts


COMMENTS = ["# a comment", "#", "# Brist: x", "", "   ", "x: 1", "- y", "---"]


def _mutant(text: str, rng: random.Random) -> str:
    """A formatted file with one to three small slips: what an author's edit leaves."""
    lines = text.split("\n")[:-1]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        i = rng.randrange(len(lines))
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        op = rng.randrange(15)
        if op == 0:
            lines.insert(i, "")
        elif op == 1:
            column = rng.choice([0, indent, indent + 2, max(indent - 2, 0), indent + 1])
            lines.insert(i, " " * column + rng.choice(COMMENTS[:3]))
        elif op == 2:
            lines[i] = " " + line
        elif op == 3 and line.startswith(" "):
            lines[i] = line[1:]
        elif op == 4 and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], line
        elif op == 5:
            del lines[i]
        elif op == 6:
            lines[i] = line + rng.choice([" ", "  # eol", " # eol", "  #  eol  "])
        elif op == 7:
            lines[i] = re.sub(r": ([^\"'{\[|>].*)$", lambda m: ": '" + m.group(1) + "'", line, count=1)
        elif op == 8:
            lines[i] = re.sub(r": ([^\"'{\[|>].*)$", lambda m: ': "' + m.group(1) + '"', line, count=1)
        elif op == 9:
            lines[i] = re.sub(r': "(.*)"$', r": \1", line, count=1)
        elif op == 10:
            lines[i] = line.replace(" = ", "=").replace(", ", ",", 1)
        elif op == 11:
            lines.insert(i, "  " * rng.randrange(4) + rng.choice(COMMENTS))
        elif op == 12:
            lines[i] = line.replace("|-", "|").replace(">-", ">") if "|" in line or ">" in line \
                else line.replace(": ", ":   ", 1)
        elif op == 13:
            lines.insert(rng.randrange(len(lines)), lines.pop(i))
        elif op == 14:
            lines[i] = line.replace("[", "[ ", 1) if "[" in line else line + ":"
    return "\n".join(lines) + "\n" + rng.choice(["", "", "", "\n", "# tail\n"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_proof_never_calls_formatted_what_the_formatter_would_change(seed):
    """1 200 altered files per seed, from every YAML file of the repository: each the proof
    accepts must come back from the formatter unchanged. About one in nine is accepted (a comment
    put at its key's column, a blank line between entries, …), so the property is tried on a
    hundred or more files per seed."""
    corpus = _formatted_corpus()
    rng = random.Random(seed)
    proven = 0
    for _ in range(1200):
        text = _mutant(rng.choice(corpus), rng)
        if not proven_formatted(text):
            continue
        proven += 1
        try:
            formatted = format_text(text)
        except VillkorError as err:
            formatted = f"the formatter refused it: {err}"
        assert formatted == text, text
    assert proven >= 80
