"""Every example of docs/api.md runs, in order, from the repository root, and prints what the
page says it prints: a ```python block followed by a line "Output:" and a ```text block must
print exactly that text."""

from __future__ import annotations

import contextlib
import io
import re

from support import ROOT

DOC = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\nOutput:\n\n```text\n(.*?)```\n)?", re.S)


def examples() -> list[tuple[int, str, str | None]]:
    """(line, code, expected output or None) of every python block, in the page's order."""
    text = DOC.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def test_every_python_block_of_the_api_page_runs_and_prints_what_it_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    blocks = examples()
    assert len(blocks) >= 8 and sum(expected is not None for _, _, expected in blocks) >= 6
    namespace: dict = {"__name__": "__api_doc__"}  # one session: later blocks use earlier names
    for line, code, expected in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{DOC}:{line}", "exec"), namespace)
        if expected is not None:
            assert out.getvalue() == expected, f"docs/api.md:{line}: the example prints something else"


def test_the_block_reader_sees_outputs_only_where_the_page_shows_them():
    """The check above can fail: a block followed by prose has no expected output."""
    text = "```python\nprint(1)\n```\n\nOutput:\n\n```text\n1\n```\n\n```python\nx = 2\n```\n\nProse.\n"
    found = [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]
    assert found == [("print(1)\n", "1\n"), ("x = 2\n", None)]


def test_the_readme_example_gives_the_value_its_comment_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    *body, last = code.rstrip("\n").split("\n")
    expression, shown = (part.strip() for part in last.split("#", 1))
    namespace: dict = {}
    exec("\n".join(body), namespace)
    assert repr(eval(expression, namespace)) == shown == "28007085"
