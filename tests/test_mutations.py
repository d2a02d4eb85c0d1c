"""Typical authoring mistakes, applied one at a time to every rule and check of the real policies.

For each of the two shipped policies and the 2027 draft, every rule and check written in the
file (the draft inherits all of its) gets each mistake below; every number parameter gets text for its value; the file gets an
`extends` naming a file that is not there. Each mutated file is validated through the command
line's own entry point, in-process (a subprocess per mutation would take minutes), and what the
user would read on stderr must be: exit 1, the file and a line of the mutated entry, its id,
and no "internal error" and no traceback.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from evaluator.cli import main
from evaluator.policy.build import load_policy

ROOT = Path(__file__).resolve().parents[1]
POLICIES = [ROOT / "policies" / "2026_performance.yaml", ROOT / "policies" / "2026_capacity.yaml",
            ROOT / "examples" / "2027_draft" / "2027_performance.yaml"]


def _first(pattern: str, text: str):
    return re.search(pattern, text)


def delete_bracket(expr: str) -> str | None:
    """Drop the last closing bracket (or, without one, the first opening one)."""
    for i in range(len(expr) - 1, -1, -1):
        if expr[i] in ")]":
            return expr[:i] + expr[i + 1:]
    return None


def misspell(expr: str, known: set[str]) -> str | None:
    """The first name of the policy used in the expression, with a letter doubled."""
    for m in re.finditer(r"(?<![\w.\"])([a-z_][a-z0-9_]*)\b(?!\s*\()", expr):
        if m.group(1) in known:
            return expr[:m.end() - 1] + m.group(1)[-1] * 2 + expr[m.end():]
    return None


def wrong_operator(expr: str) -> str:
    """`and` -> `&&`, `or` -> `||`, `=` -> `==`, else an `&&` appended."""
    for old, new in ((" and ", " && "), (" or ", " || "), (" = ", " == ")):
        if old in expr:
            return expr.replace(old, new, 1)
    return f"({expr}) && true"


MUTATIONS = {
    "delete a bracket": lambda expr, known: delete_bracket(expr),
    "misspell a name": misspell,
    "unknown operator": lambda expr, known: wrong_operator(expr),
    "unknown function": lambda expr, known: f"summa({expr})",
    "empty expression": lambda expr, known: "",
    "text where a number belongs": lambda expr, known: f'({expr}) * "1"',
}
ENTRY_MUTATIONS = {  # on the entry's other keys: (key, new YAML value)
    "wrong unit": ("unit", "kronor"),
    "wrong grain": ("per", "[region, regoin]"),
}


def entries(path: Path):
    """(section, id, first line, last line) of every rule and check written in the file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    section = None
    found = []
    for i, line in enumerate(lines, 1):
        top = re.match(r"^([a-z_]+):", line)
        if top:
            section = top.group(1)
            continue
        key = re.match(r"^  ([a-z_][a-z0-9_]*):\s*$", line)
        if key and section in ("rules", "checks", "parameters"):
            found.append([section, key.group(1), i, i])
        elif found and (line.startswith("    ") or not line.strip() or line.startswith("  #")):
            if line.startswith("    "):
                found[-1][3] = i
    return found


def expr_span(lines: list[str], first: int, last: int) -> tuple[int, int, str]:
    """The line range of an entry's `expr:` and its text (plain or block scalar)."""
    for i in range(first, last):
        m = re.match(r"^    expr: (.*)$", lines[i])
        if not m:
            continue
        if m.group(1) in ("|-", ">-", "|", ">"):
            j = i + 1
            while j < last and lines[j].startswith("      "):
                j += 1
            return i, j, "\n".join(t[6:] for t in lines[i + 1:j])
        return i, i + 1, m.group(1)
    raise AssertionError(f"no expr in lines {first}..{last}")


def quoted(expr: str) -> list[str]:
    return ["    expr: |-", *("      " + t for t in expr.split("\n"))] if expr else ['    expr: ""']


def cases():
    out = []
    for path in POLICIES:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        policy = load_policy(str(path))
        known = {*policy.rules, *policy.parameters, *policy.inputs}
        for section, eid, first, last in entries(path):
            label = (f"{path.name}:{eid}", section, eid, first, last)
            if section == "parameters":
                p = policy.parameters[eid]
                if p.type is None and not p.by and isinstance(p.value, int) and not isinstance(p.value, bool):
                    new = [re.sub(r"^    value: (\d+)$", r'    value: "\1"', t) if first <= n < last + 1 else t
                           for n, t in enumerate(lines, 1)]
                    out.append(pytest.param(path, "\n".join(new), label, id=f"{path.name}-{eid}-text for a number"))
                continue
            start, end, expr = expr_span(lines, first, last)
            for name, mutate in MUTATIONS.items():
                new_expr = mutate(expr, known)
                if new_expr is None or new_expr == expr:
                    continue
                new = lines[:start] + quoted(new_expr) + lines[end:]
                out.append(pytest.param(path, "\n".join(new), label, id=f"{path.name}-{eid}-{name}"))
            for name, (key, value) in ENTRY_MUTATIONS.items():
                if section == "checks" and key == "unit":
                    continue
                body = [t for t in lines[first:last] if not t.startswith(f"    {key}:")]
                new = lines[:first] + [f"    {key}: {value}"] + body + lines[last:]
                out.append(pytest.param(path, "\n".join(new), label, id=f"{path.name}-{eid}-{name}"))
        new = re.sub(r"^(valid: .*)$", r"\1\nextends: no_such_policy.yaml", text, count=1, flags=re.M) \
            if not re.search(r"^extends:", text, flags=re.M) else re.sub(r"^extends: .*$", "extends: no_such_policy.yaml", text,
                                                  flags=re.M)
        out.append(pytest.param(path, new, (path.name, "extends", "extends", None, None),
                                id=f"{path.name}-dangling extends"))
    return out


CASES = cases()


def test_the_mutations_cover_every_rule_and_check():
    ids = {c.values[2][0] for c in CASES}
    for path in POLICIES:
        policy = load_policy(str(path))
        own = [k for k in (*policy.rules, *policy.checks)
               if (policy.rules.get(k) or policy.checks.get(k)).location.file == str(path)]
        # the 2027 draft writes no rule or check of its own (its titles follow its parameters)
        assert own or path.name == "2027_performance.yaml"
        assert all(f"{path.name}:{k}" in ids for k in own)
    assert len(CASES) > 500


@pytest.mark.parametrize("original, text, label", CASES)
def test_a_mistake_ends_in_one_located_message(tmp_path, original, text, label):
    _, section, eid, first, last = label
    parent = (ROOT / "policies" / "2026_performance.yaml").as_posix()
    text = text.replace("extends: ../../policies/2026_performance.yaml", f"extends: {parent}")
    path = tmp_path / original.name
    path.write_text(text, encoding="utf-8")
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["validate", str(path)])
    shown = err.getvalue()
    assert code == 1, shown
    assert out.getvalue() == ""
    assert "internal error" not in shown and "Traceback" not in shown
    heads = [ln for ln in shown.split("\n") if ln.startswith(f"{path}:")]
    assert heads, shown
    if section == "extends":
        assert heads[0].startswith(f"{path}:") and "no_such_policy.yaml" in heads[0]
        assert "does not exist" in heads[0]
        return
    mine = [h for h in heads if first <= int(h.split(":")[1]) <= last]
    assert mine, f"no message at lines {first}..{last}:\n{shown}"
    assert any(eid in h for h in mine), shown
