"""Reading YAML safely, keeping the line and column of every value.

Policy, fixture and parameter files are read with PyYAML's safe composer, then turned into
plain values here, so that we can (1) refuse duplicate keys, which PyYAML would silently
collapse, (2) read decimal numbers as exact `Decimal`, never float, (3) bound alias expansion
("billion laughs"), and (4) remember where each value stands for file:line:col messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ..errors import LimitError, Location, PolicyError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes and marks
MAX_NODES = 200_000  # values built, counting every expansion of an alias
STANDARD_TAG = "tag:yaml.org,2002:"
Path = tuple


@dataclass
class Loaded:
    """A YAML file as plain values, with positions (1-based) of every value and key."""

    path: str
    tree: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)  # value start
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)  # key start
    lines: list[str] = field(default_factory=list)
    sha256: str = ""

    def location(self, path: Path, key: bool = False) -> Location:
        """The place of `path`, or of its nearest parent that has one."""
        marks = self.key_marks if key else self.marks
        probe = tuple(path)
        while probe and probe not in marks:
            probe = probe[:-1]
        line, col = marks.get(probe, (1, 1))
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Location(file=self.path, line=line, column=col, source_line=src)


def read_text(path: str) -> tuple[str, bytes]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise PolicyError(f"no such file: {path}", Location(file=path),
                          "check the path (relative paths are from the current folder)") from None
    except IsADirectoryError:
        raise PolicyError(f"{path} is a folder, not a file", Location(file=path)) from None
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}", Location(file=path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PolicyError("the file is not UTF-8 text", Location(file=path, line=line),
                          "save it as UTF-8 (most editors: 'Save with encoding')") from None
    return text, raw


def load_yaml(path: str) -> Loaded:
    text, raw = read_text(path)
    loaded = Loaded(path=path, tree=None, lines=text.splitlines(),
                    sha256=hashlib.sha256(raw).hexdigest())
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        src = loaded.lines[line - 1] if 0 < line <= len(loaded.lines) else None
        problem = (exc.problem or "malformed YAML").rstrip(".")
        raise PolicyError(f"malformed YAML: {problem}", Location(file=path, line=line, column=col,
                                                                   source_line=src),
                          _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"malformed YAML: {exc}", Location(file=path)) from None
    builder = _Builder(loaded)
    loaded.tree = builder.build(node, ()) if node is not None else None
    return loaded


def _yaml_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values" in problem:
        return "a value containing ': ' must be quoted, e.g. expr: \"a: b\""
    if "found character" in problem or "could not find expected" in problem:
        return "check the indentation and quoting on this line and the line above"
    return "check the indentation and quoting around this place"


class _Builder:
    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.count = 0

    def loc(self, node) -> Location:
        m = node.start_mark
        return self.loaded.location(()) if m is None else Location(
            file=self.loaded.path, line=m.line + 1, column=m.column + 1,
            source_line=self.loaded.lines[m.line] if m.line < len(self.loaded.lines) else None)

    def build(self, node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LimitError(f"the file expands to more than {MAX_NODES} values (aliases?)", self.loc(node),
                             "do not use YAML anchors and aliases to repeat large structures")
        line, col = self.content_start(node)
        if col is None:
            following = self.loaded.lines[line - 1] if line - 1 < len(self.loaded.lines) else ""
            col = len(following) - len(following.lstrip(" ")) + 1
        self.loaded.marks.setdefault(path, (line, col))
        if not node.tag.startswith(STANDARD_TAG):
            raise PolicyError(f"YAML tag {node.tag!r} is not allowed", self.loc(node),
                              "policy files hold plain values only; remove the tag")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    @staticmethod
    def content_start(node) -> tuple[int, int]:
        """Where the text of a value begins (inside quotes; on the next line for | and >)."""
        m = node.start_mark
        line, col = m.line + 1, m.column + 1
        style = getattr(node, "style", None)
        if style in ('"', "'"):
            return line, col + 1
        if style in ("|", ">"):  # the content starts on the next line, at its indentation
            return line + 1, None
        return line, col

    def mapping(self, node, path: Path) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == STANDARD_TAG + "merge":
                raise PolicyError("YAML merge keys (<<) are not allowed", self.loc(key_node),
                                  "write the entries out, or use `extends` between policy files")
            if not isinstance(key_node, yaml.ScalarNode):
                raise PolicyError("a key must be a plain name", self.loc(key_node))
            key = self.scalar(key_node)
            if isinstance(key, (list, dict)):
                raise PolicyError("a key must be a plain name", self.loc(key_node))
            if key in out:
                first = self.loaded.key_marks.get(path + (key,), (None, None))
                raise PolicyError(f"duplicate key {key!r}", self.loc(key_node),
                                  f"it is already given on line {first[0]}; keep one of them")
            self.loaded.key_marks[path + (key,)] = (key_node.start_mark.line + 1,
                                                     key_node.start_mark.column + 1)
            out[key] = self.build(value_node, path + (key,))
        return out

    def scalar(self, node) -> Any:
        tag = node.tag[len(STANDARD_TAG):]
        text = node.value
        if tag == "str":
            return text
        if tag == "null":
            return None
        if tag == "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag == "int":
            return self.integer(node, text)
        if tag == "float":
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                raise PolicyError(f"{text!r} is not a number villkor can use", self.loc(node),
                                  "write a finite decimal number such as 0.25") from None
            if not value.is_finite():
                raise PolicyError(f"{text!r} is not a finite number", self.loc(node))
            return value
        if tag == "timestamp":
            try:
                value = yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
            except (ValueError, OverflowError):
                raise PolicyError(f"{text!r} is not a valid date", self.loc(node),
                                  "write an existing date as YYYY-MM-DD") from None
            if isinstance(value, dt.datetime):
                raise PolicyError(f"{text!r} has a time of day; villkor works with dates",
                                  self.loc(node), "write the date only: 2026-03-16")
            return value
        raise PolicyError(f"unsupported YAML value type {tag!r}", self.loc(node))

    def integer(self, node, text: str) -> int:
        try:
            return yaml.SafeLoader.construct_yaml_int(yaml.SafeLoader(""), node)
        except (ValueError, yaml.YAMLError):
            raise PolicyError(f"{text!r} is not a whole number", self.loc(node)) from None
