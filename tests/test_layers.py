"""The layers of the package, read from its source: the command line sits on top of the library
and nothing below imports it back; the module-level imports form no circle."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "evaluator"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """The evaluator modules `path` imports (relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("evaluator"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("evaluator"))
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_nothing_below_the_command_line_imports_it():
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in _modules().items()
        if not name.startswith("evaluator.cli") and name != "evaluator.console"
        for target in _imports(path, top_level_only=False)
        if target == "evaluator.cli" or target.startswith("evaluator.cli.")
    )
    assert offenders == []


def test_module_level_imports_form_no_circle():
    modules = _modules()
    graph = {name: {t for t in _imports(path, top_level_only=True) if t in modules and t != name}
             for name, path in modules.items()}
    # a package's __init__ importing its own submodules is how a package exports: not a circle
    for name in graph:
        graph[name] = {t for t in graph[name] if not (name and t.startswith(name + ".")
                                                       and modules[name].name == "__init__.py")}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the circle


def test_the_import_reader_resolves_relative_and_function_level_imports():
    """The checks above can fail: the reader sees `from ..api import` inside a function."""
    found = _imports(PACKAGE / "cli" / "run.py", top_level_only=False)
    assert {"evaluator.cli.arguments", "evaluator.api", "evaluator.cli.output"} <= found
    assert "evaluator.api" not in _imports(PACKAGE / "cli" / "run.py", top_level_only=True)


def test_no_named_unicode_escapes_in_the_package():
    """A `\\N{...}` escape makes the compiler import `unicodedata`; on a fresh install (no .pyc yet)
    a Ctrl-C during that import comes out as a SyntaxError no program can catch, with a traceback."""
    offenders = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                 if "\\N{" in p.read_text(encoding="utf-8")]
    assert offenders == []
