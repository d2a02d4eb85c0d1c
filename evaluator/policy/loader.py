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

from ..errors import LimitError, Location, PolicyError, YamlError
from .reading import read_text

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes and marks
MAX_NODES = 200_000  # values built, counting every expansion of an alias
MAX_ALIAS_NODES = 10_000  # values built again because an alias repeats them ("billion laughs")
MAX_DEPTH = 100  # nesting of mappings and lists; libyaml's composer recurses in C and would crash
STANDARD_TAG = "tag:yaml.org,2002:"
# The only tags a policy file may hold: YAML's plain types. `!!python/...`, `!!set`, `!!binary`
# and the like share the STANDARD_TAG prefix, so the prefix alone does not make a tag safe.
ALLOWED_TAGS = {STANDARD_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
Path = tuple[Any, ...]


@dataclass
class Loaded:
    """A YAML file as plain values, with positions (1-based) of every value and key."""

    path: str
    tree: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)  # value start
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)  # key start
    lines: list[str] = field(default_factory=list)
    sha256: str = ""
    bare: set[str] = field(default_factory=set)  # parameters a child policy gives as a bare value

    def location(self, path: Path, key: bool = False) -> Location:
        """The place of `path`, or of its nearest parent that has one."""
        marks = self.key_marks if key else self.marks
        probe = tuple(path)
        while probe and probe not in marks:
            probe = probe[:-1]
        line, col = marks.get(probe, (1, 1))
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Location(file=self.path, line=line, column=col, source_line=src)


def load_yaml(path: str) -> Loaded:
    """Read a YAML file into plain values with the position of every key and value."""
    text, raw = read_text(path)
    return load_yaml_text(text, path, raw)


def load_yaml_text(text: str, path: str, raw: bytes | None = None) -> Loaded:
    """`load_yaml` of a file's text already read (`raw`, its bytes, give the sha256)."""
    raw = text.encode("utf-8") if raw is None else raw
    loaded = Loaded(path=path, tree=None, lines=text.splitlines(),
                    sha256=hashlib.sha256(raw).hexdigest())
    try:
        _check_depth(text, loaded)
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        src = loaded.lines[line - 1] if 0 < line <= len(loaded.lines) else None
        problem = (exc.problem or "malformed YAML").rstrip(".")
        raise YamlError(f"malformed YAML: {problem}", Location(file=path, line=line, column=col,
                                                                 source_line=src),
                        _yaml_hint(problem, src, col)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, control)
        # libyaml counts bytes, PyYAML characters: the first such character is the one
        offset = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        offset = max(offset, 0)
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        src = loaded.lines[line - 1] if 0 < line <= len(loaded.lines) else None
        raise YamlError(f"the file holds the control character U+{exc.character:04X}, which YAML "
                        "does not allow", Location(file=path, line=line, column=col, source_line=src),
                        "delete it (it is invisible in most editors) and save the file again") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {exc}", Location(file=path)) from None
    builder = _Builder(loaded)
    loaded.tree = builder.build(node, ()) if node is not None else None
    return loaded


def _check_depth(text: str, loaded: Loaded) -> None:
    """Refuse absurd nesting before composing: libyaml's composer recurses without a limit.

    The event parser is iterative, so scanning its events is safe on any input (and cheap).
    """
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise LimitError(f"the file nests lists and mappings more than {MAX_DEPTH} levels deep",
                                 Location(file=loaded.path, line=m.line + 1, column=m.column + 1),
                                 "a policy needs only a few levels; check the brackets")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _yaml_hint(problem: str, source_line: str | None = None, column: int = 1) -> str:
    # libyaml does not say "tab" in its message; the character under the mark does.
    if "tab" in problem or (source_line is not None and "\t" in source_line[:column]):
        return "indent with spaces, not tabs"
    if "mapping values" in problem:
        return "a value containing ': ' must be quoted, e.g. expr: \"a: b\""
    if "found character" in problem or "could not find expected" in problem:
        return "check the indentation and quoting on this line and the line above"
    return "check the indentation and quoting around this place"


class _Builder:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.count = 0
        self.alias_count = 0  # nodes built a second (third, ...) time, through an alias
        self.built: set[int] = set()
        self.active: set[int] = set()  # nodes being built now: meeting one again is a loop

    def loc(self, node: yaml.Node) -> Location:
        m = node.start_mark
        return self.loaded.location(()) if m is None else Location(
            file=self.loaded.path, line=m.line + 1, column=m.column + 1,
            source_line=self.loaded.lines[m.line] if m.line < len(self.loaded.lines) else None)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LimitError(f"the file expands to more than {MAX_NODES} values (aliases?)", self.loc(node),
                             "do not use YAML anchors and aliases to repeat large structures")
        self.count_alias(node)
        self.loaded.marks.setdefault(path, self.content_start(node))
        if node.tag not in ALLOWED_TAGS:
            shown = "!!" + node.tag[len(STANDARD_TAG):] if node.tag.startswith(STANDARD_TAG) else node.tag
            raise YamlError(f"YAML tag '{shown}' is not allowed", self.loc(node),
                            "policy files hold plain values only; remove the tag")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            raise LimitError("an alias refers to the list or mapping that contains it", self.loc(node),
                             "do not use YAML anchors and aliases to repeat large structures")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def count_alias(self, node: yaml.Node) -> None:
        """An alias is the same node object again: count every node built more than once."""
        if id(node) not in self.built:
            self.built.add(id(node))
            return
        self.alias_count += 1
        if self.alias_count > MAX_ALIAS_NODES:
            raise LimitError(f"aliases in the file repeat more than {MAX_ALIAS_NODES} values",
                             self.loc(node),
                             "do not use YAML anchors and aliases to repeat large structures")

    def content_start(self, node: yaml.Node) -> tuple[int, int]:
        """Where the text of a value begins (inside quotes; on the next line for | and >).

        For a block scalar the line is the one after the `|`/`>` header (the expression's line 1,
        even if blank) and the column is the indentation of its first non-blank line.
        """
        m = node.start_mark
        line, col = m.line + 1, m.column + 1
        style = getattr(node, "style", None)
        if style in ('"', "'"):
            return line, col + 1
        if style in ("|", ">"):
            lines = self.loaded.lines
            first = next((t for t in lines[line:] if t.strip()), "")
            return line + 1, len(first) - len(first.lstrip(" ")) + 1
        return line, col

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == STANDARD_TAG + "merge":
                raise YamlError("YAML merge keys (<<) are not allowed", self.loc(key_node),
                                "write the entries out, or use `extends` between policy files")
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("a key must be a plain name", self.loc(key_node))
            key = self.scalar(key_node)
            if isinstance(key, (list, dict)):
                raise YamlError("a key must be a plain name", self.loc(key_node))
            if key in out:
                first = self.loaded.key_marks.get(path + (key,), (None, None))
                raise YamlError(f"duplicate key {key!r}", self.loc(key_node),
                                f"it is already given on line {first[0]}; keep one of them")
            self.loaded.key_marks[path + (key,)] = (key_node.start_mark.line + 1,
                                                     key_node.start_mark.column + 1)
            out[key] = self.build(value_node, path + (key,))
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
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
            if ":" in text:
                raise self.yaml11_number(node, text)
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                raise YamlError(f"{text!r} is not a number villkor can use", self.loc(node),
                                "write a finite decimal number such as 0.25") from None
            if not value.is_finite():
                raise YamlError(f"{text!r} is not a finite number", self.loc(node))
            return value
        if tag == "timestamp":
            try:
                value = yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
            except (ValueError, OverflowError):
                raise YamlError(f"{text!r} is not a valid date", self.loc(node),
                                "write an existing date as YYYY-MM-DD") from None
            if isinstance(value, dt.datetime):
                raise YamlError(f"{text!r} has a time of day; villkor works with dates",
                                self.loc(node), "write the date only: 2026-03-16")
            return value
        raise YamlError(f"unsupported YAML value type {tag!r}", self.loc(node))

    def yaml11_number(self, node: yaml.ScalarNode, text: str) -> PolicyError:
        return YamlError(f"{text!r} would be read as the number {self.yaml11_value(node)} (a YAML 1.1 "
                         f"{'base-60' if ':' in text else 'octal, hexadecimal or binary'} number)",
                         self.loc(node),
                         "write the plain decimal number without leading zeros, or quote it "
                         f"(\"{text}\") if it is text")

    def yaml11_value(self, node: yaml.ScalarNode) -> Any:
        construct = (yaml.SafeLoader.construct_yaml_int if node.tag.endswith(":int")
                     else yaml.SafeLoader.construct_yaml_float)
        try:
            return construct(yaml.SafeLoader(""), node)
        except (ValueError, yaml.YAMLError):
            return "?"

    def integer(self, node: yaml.ScalarNode, text: str) -> int:
        digits = text.replace("_", "").lstrip("+-")
        if ":" in digits or (len(digits) > 1 and digits[0] == "0"):  # 010000, 0x1F, 0b11, 1:30
            raise self.yaml11_number(node, text)
        try:
            return int(yaml.SafeLoader.construct_yaml_int(yaml.SafeLoader(""), node))
        except (ValueError, yaml.YAMLError):
            raise YamlError(f"{text!r} is not a whole number", self.loc(node)) from None
