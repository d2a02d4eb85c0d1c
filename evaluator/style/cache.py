"""What `villkor fmt` remembers between runs: which file contents it found already formatted.

Formatting a policy means a ruamel round trip (pure Python, comments kept); proving it already
formatted (proof.py) means reading it through libyaml and the expression parser. A file that was
found formatted last time, and has not changed since, need not be read through either. So when
a file's text is found already in canonical form, an empty file named by a key is created in the
cache folder; the next run that sees a file with that key counts it as formatted without
reading it as YAML.

The key is a sha256 over the file's bytes and everything the formatter's answer depends on:
the villkor version, the Python version, villkor's own code (every module of the package and
the grammar: the formatter, the expression printer it writes expressions with, the layout
options, line width and indentation, which are constants in evaluator/style/fmt.py), and the
versions of ruamel.yaml, PyYAML and Lark (their package's `__init__.py`, which holds the
version). An edited formatter, an upgraded dependency or a source checkout installed in place
(whose version number stays) therefore gives other keys, and a file whose content changed by
one byte is formatted again. Only "already formatted" is remembered, never "would reformat".

The folder is VILLKOR_CACHE_DIR, otherwise the platform's cache folder (~/.cache/villkor, or
$XDG_CACHE_HOME/villkor, on Linux; ~/Library/Caches/villkor on macOS; %LOCALAPPDATA%\\villkor\\Cache
on Windows), made when first needed. A folder that cannot be made or written means no cache,
never a failure; it may be deleted at any time. This module imports neither ruamel nor the
expression language: a run where every file is found here imports neither.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from .. import __version__

SUBFOLDER = "fmt"  # the entries of `villkor fmt`, one empty file each, under the cache folder
DEPENDENCIES = ("ruamel.yaml", "yaml", "lark")  # what formats, reads back and parses


def cache_dir() -> Path | None:
    """The cache folder: VILLKOR_CACHE_DIR, else the platform's; None when there is no home."""
    configured = os.environ.get("VILLKOR_CACHE_DIR")
    if configured:
        return Path(configured)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "villkor" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if sys.platform not in ("win32", "darwin") and os.path.isabs(xdg):
        return Path(xdg) / "villkor"
    home = os.path.expanduser("~")
    if home == "~":  # no HOME and no user entry: nowhere to keep a cache
        return None
    if sys.platform == "darwin":
        return Path(home) / "Library" / "Caches" / "villkor"
    if sys.platform == "win32":
        return Path(home) / "AppData" / "Local" / "villkor" / "Cache"
    return Path(home) / ".cache" / "villkor"


def _sources() -> list[Path] | None:
    """The files whose content decides the formatter's answer (see the module's docstring);
    None when a dependency is not installed (the formatter itself then says so)."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py"))
    grammar = importlib.util.find_spec("evaluator.grammar")
    if grammar is None or not grammar.submodule_search_locations:
        return None
    files += sorted(Path(grammar.submodule_search_locations[0]).glob("*.lark"))
    for name in DEPENDENCIES:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # `ruamel` itself missing
            return None
        if spec is None or spec.origin is None:
            return None
        files.append(Path(spec.origin))
    return files


class FormattedCache:
    """The contents found already formatted, by key; `FormattedCache(None)` remembers nothing."""

    def __init__(self, directory: Path | None):
        self.folder = directory / SUBFOLDER if directory is not None else None
        self._base: hashlib._Hash | None = None
        if self.folder is None:
            return
        base = hashlib.sha256(f"villkor {__version__}\npython {sys.version_info[0]}.{sys.version_info[1]}\n"
                              .encode())
        sources = _sources()
        if sources is None:
            self.folder = None
            return
        try:
            for path in sources:
                content = path.read_bytes()
                base.update(f"{path.name} {len(content)}\n".encode())
                base.update(content)
        except OSError:  # the formatter's code cannot be read: its answer cannot be keyed
            self.folder = None
            return
        self._base = base

    def key(self, raw: bytes) -> str | None:
        if self._base is None:
            return None
        h = self._base.copy()
        h.update(b"\0file\0")
        h.update(raw)
        return h.hexdigest()

    def known(self, raw: bytes) -> bool:
        """Was this exact content found already formatted by this formatter?"""
        key = self.key(raw)
        # os.path.isfile answers False for any error (a folder that may not be searched, too)
        return key is not None and self.folder is not None and os.path.isfile(self.folder / key)

    def remember(self, raw: bytes) -> None:
        """Note that this exact content is formatted; quietly nothing when the folder cannot be
        made or written (a read-only home, a path through a file, a full disk)."""
        key = self.key(raw)
        if key is None or self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / key, os.O_WRONLY | os.O_CREAT, 0o644)
            os.close(fd)
        except OSError:
            self.folder = None  # not writable: no more tries this run
