"""`villkor fmt`: one canonical layout for policy files, comments kept.

Canonical means:

- the top-level sections in the documented order (`TOP`), the keys of every entry in a fixed
  order (a rule reads title, per, expr, unit, type, nullable, source, explain; see
  `ENTRY_ORDER`), the keys of a citation as `{ref, passage}` and of `valid` as `{from, to}`;
  unknown keys keep their relative order after the known ones;
- two-space indentation for mappings, list items indented two more with the dash two in;
- strings plain where a plain scalar reads back as the same string in YAML 1.1 (PyYAML, which
  villkor loads with) *and* YAML 1.2 (editors, ruamel), otherwise in double quotes; block
  scalars (`|`, `>`) stay as written;
- an expression (`expr`) on one line is printed back from its syntax tree in canonical spacing
  (`compensation>=cap` becomes `compensation >= cap`; evaluator/lang/printer.py), keeping the
  parentheses the author wrote; one longer than fits on a 100-column line becomes a literal
  block (`|-`), wrapped between tokens (never inside a string literal), continuation lines
  indented two more; an expression already in a block stays as written;
- a flow list (`[a, b]`) too long for one line becomes a block list; flow mappings stay as
  written (a citation `{ref: …, passage: …}` reads as one unit);
- integers written with underscores (`750_000_000`) are written without them. Underscores are a
  YAML 1.1 feature: PyYAML (and so villkor) reads them as digits, but YAML 1.2 (the YAML language
  server in editors, ruamel) reads `750_000_000` as a *string*, which the schema then rejects.
  The value is unchanged; the reports show amounts with thousands separators.

Comments are kept, and stay with the entry they stand above: before keys are reordered, every
full-line comment is moved onto the key that follows it, so it travels with that key. An
end-of-line comment stays on its line; comments at the end of the file stay at the end. Blank
lines above the first key and below the last line go, and a run of blank lines becomes one
(after a block scalar too). A bare `---` opening the file's one document is dropped, the
comments above it kept. Values are never changed: after formatting, the text is
read back with PyYAML and compared with the original (expressions by syntax tree); a difference
is an internal error and nothing is written. Formatting a formatted file changes nothing.
"""

from __future__ import annotations

import functools
import io
import re
from typing import NoReturn

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import CommentMark, YAMLError as RuamelYAMLError
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarint import ScalarInt
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from ..errors import Location, PolicyError, VillkorError
from ..lang.parser import parse
from ..lang.printer import to_lines, to_text

WIDTH = 100  # a line longer than this is unfolded (flow collections) or wrapped (expressions)
INDENT = 2

TOP = ("policy", "title", "version", "valid", "extends", "remove", "sources", "dimensions",
       "parameters", "inputs", "rules", "outputs", "checks")
ENTRY_ORDER = {
    "sources": ("document", "title", "passage", "url"),
    "dimensions": ("title", "members", "labels"),
    "parameters": ("title", "reading", "by", "value", "unit", "type", "status", "note", "complete", "source"),
    "inputs": ("title", "source", "by", "unique", "optional", "format", "columns"),
    "rules": ("title", "per", "expr", "unit", "type", "nullable", "source", "explain"),
    "checks": ("title", "per", "expr", "invariant", "source"),
}
COLUMN_ORDER = ("type", "title", "nullable", "default", "min", "max", "enum")
REF_ORDER = ("ref", "passage")
VALID_ORDER = ("from", "to")


class _Emitter(RoundTripEmitter):
    """Double quotes wherever the emitter would pick single quotes: one quoting style."""

    def choose_scalar_style(self, *args, **kwargs):
        style = super().choose_scalar_style(*args, **kwargs)
        return '"' if style == "'" else style


def _yaml() -> YAML:
    y = YAML()
    y.Emitter = _Emitter
    y.preserve_quotes = False  # quoting is decided here, not kept from the file
    y.width = 4096  # never fold a long line; wrapping is decided here
    y.indent(mapping=INDENT, sequence=2 * INDENT, offset=INDENT)
    return y


def format_text(text: str, path: str = "<policy>") -> str:
    """The canonical form of a policy file's text."""
    y = _yaml()
    try:
        doc = y.load(_without_document_start(text))
    except RuamelYAMLError as exc:  # ruamel's errors carry a mark; `villkor validate` gives the better message
        raise PolicyError(f"cannot format: {str(exc).splitlines()[0]}", Location(file=path),
                          "run villkor validate on the file first") from None
    except ValueError as exc:  # a value ruamel cannot build, e.g. the date 2026-13-01
        _raise_located(text, path, exc)
    if not isinstance(doc, CommentedMap):
        raise PolicyError("cannot format: a policy file must be a mapping", Location(file=path))
    trailer = _take_tail(doc)
    _comments_to_keys(doc, 0, top=True)
    _reorder_all(doc)
    _unfold_long(doc, 0)  # first: whether a value stands in a flow collection decides its quoting
    _canonical_scalars(doc, None, 0)
    _put_tail(doc, trailer)
    out = io.StringIO()
    y.dump(doc, out)
    result = out.getvalue().lstrip("\n")  # blank lines above the first key (or one moved first)
    if result != text:  # an unchanged text has the same values (the usual case of --check)
        _same_values(text, result, path)
    return result


def _raise_located(text: str, path: str, exc: ValueError) -> NoReturn:
    """The error villkor's own loader gives for the value (file, line, column and the fix), or,
    should it read the value, ruamel's words."""
    from ..policy.loader import load_yaml_text

    load_yaml_text(text, path)
    raise PolicyError(f"cannot format: a value cannot be read ({exc})", Location(file=path),
                      "run villkor validate on the file first; the file was not changed") from None


def _without_document_start(text: str) -> str:
    """The text without a bare `---` that opens its only document: the formatter writes none,
    and ruamel drops the comments above one."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            marker = re.fullmatch(r"---(?:\s+(#.*))?", line.rstrip())
            if marker:  # `--- # note` keeps its note, as a comment line of its own
                return "\n".join(lines[:i] + ([marker.group(1)] if marker.group(1) else []) + lines[i + 1:])
            break
    return text


# ---------------------------------------------------------------- comments


def _slot(ca_items, key, index):
    entry = ca_items.get(key)
    return entry[index] if entry and len(entry) > index else None


def _lines_of(text: str) -> list[str]:
    """Full-line comments and blank lines, one per item, without the newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.strip() for line in lines]


def _split_token(entry: list, index: int, block_scalar: bool) -> list[str]:
    """Cut the full-line comments off the comment token after a value (`entry[index]`); keep
    its end-of-line comment there."""
    token = entry[index]
    text = token.value
    if block_scalar:  # nothing can follow a block scalar on its last line: the token holds the
        entry[index] = None  # lines after it, one "\n" per blank line
        return _lines_of(text)
    if text.startswith("#"):
        head, _, rest = text.partition("\n")
        token.value = head + "\n"
    else:
        rest = text[1:] if text.startswith("\n") else text
        entry[index] = None
    return _lines_of(rest)


def _is_block(node) -> bool:
    return isinstance(node, (CommentedMap, CommentedSeq)) and len(node) > 0 and not node.fa.flow_style()


def _take_tail(node) -> list[str]:
    """Remove and return the full-line comments at the very end of a block collection."""
    if isinstance(node, CommentedMap) and len(node):
        last = list(node)[-1]
        value = node[last]
        if _is_block(value):
            return _take_tail(value)
        if _slot(node.ca.items, last, 2) is None:
            return []
        return _split_token(node.ca.items[last], 2, _is_block_scalar(value))
    if isinstance(node, CommentedSeq) and len(node):
        last = len(node) - 1
        value = node[last]
        if _is_block(value):
            return _take_tail(value)
        if _slot(node.ca.items, last, 0) is None:
            return []
        return _split_token(node.ca.items[last], 0, _is_block_scalar(value))
    return []


def _is_block_scalar(value) -> bool:
    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def _tokens(lines: list[str], column: int) -> list[CommentToken]:
    out, blank = [], False
    for line in lines:
        if not line:
            if not blank:  # a run of blank lines becomes one
                out.append(CommentToken("\n", CommentMark(0)))
            blank = True
            continue
        out.append(CommentToken(line + "\n", CommentMark(column)))
        blank = False
    return out


def _pre_lines(items, key) -> list[str]:
    slot = _slot(items, key, 1)
    if not slot:
        return []
    items[key][1] = None
    lines: list[str] = []
    for token in slot if isinstance(slot, list) else [slot]:
        if token is not None:
            lines += _lines_of(token.value)
    return lines


def _set_pre(mapping: CommentedMap, key, lines: list[str], column: int) -> None:
    tokens = _tokens(lines, column)
    if not tokens:
        return
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    entry[1] = tokens


def _comments_to_keys(mapping: CommentedMap, depth: int, top: bool = False) -> None:
    """Every full-line comment becomes a comment *before* the key it stands above."""
    if mapping.fa.flow_style():
        return
    keys = list(mapping)
    column = depth * INDENT
    leading: dict = {}
    for i, key in enumerate(keys):
        lines: list[str] = []
        if i == 0 and not top:  # a comment between `parent:` and the first key is stored on the map
            if mapping.ca.comment and len(mapping.ca.comment) > 1 and mapping.ca.comment[1]:
                for token in mapping.ca.comment[1]:
                    lines += _lines_of(token.value)
                mapping.ca.comment[1] = None
        if i > 0:
            lines += _take_tail_of_value(mapping, keys[i - 1])
        lines += _pre_lines(mapping.ca.items, key)
        leading[key] = lines
    for key, lines in leading.items():
        while lines and not lines[0] and key == keys[0]:
            lines = lines[1:]
        _set_pre(mapping, key, lines, column)
    for key in keys:
        value = mapping[key]
        if isinstance(value, CommentedMap) and _is_block(value):
            entry = mapping.ca.items.get(key)
            if entry and len(entry) > 3 and entry[3]:  # the same comment, seen from the parent
                entry[3] = None
            _comments_to_keys(value, depth + 1)
        elif isinstance(value, CommentedSeq):
            for item in value:
                if isinstance(item, CommentedMap):
                    _comments_to_keys(item, depth + 2)


def _take_tail_of_value(mapping: CommentedMap, key) -> list[str]:
    value = mapping[key]
    if _is_block(value):
        return _take_tail(value)
    if _slot(mapping.ca.items, key, 2) is None:
        return []
    return _split_token(mapping.ca.items[key], 2, _is_block_scalar(value))


def _put_tail(doc: CommentedMap, lines: list[str]) -> None:
    """Comments at the end of the file stay at the end of the file (after a flow collection
    ruamel keeps them in `ca.end` itself); blank lines after them go."""
    for token in doc.ca.end or []:
        lines = lines + _lines_of(token.value)
    while lines and not lines[-1]:
        lines = lines[:-1]
    tokens = _tokens(lines, 0)
    doc.ca.end = []
    if tokens:
        if doc.ca.comment is None:  # ruamel writes `ca.end` only beside a document comment slot
            doc.ca.comment = [None, None]
        doc.ca.end = tokens


# ---------------------------------------------------------------- order


def _reorder(mapping: CommentedMap, order: tuple[str, ...]) -> None:
    """Known keys in `order`, then unknown keys in their own order; comments travel with keys."""
    for key in [k for k in order if k in mapping] + [k for k in list(mapping) if k not in order]:
        mapping.move_to_end(key)


def _reorder_all(doc: CommentedMap) -> None:
    _reorder(doc, TOP)  # the file's header comment stays on top, whatever key comes first
    if isinstance(doc.get("valid"), CommentedMap):
        _reorder(doc["valid"], VALID_ORDER)
    for section, order in ENTRY_ORDER.items():
        entries = doc.get(section)
        if not isinstance(entries, CommentedMap):
            continue
        for entry in entries.values():
            if not isinstance(entry, CommentedMap):
                continue
            _reorder(entry, order)
            if isinstance(entry.get("source"), CommentedMap):
                _reorder(entry["source"], REF_ORDER)
            columns = entry.get("columns") if section == "inputs" else None
            if isinstance(columns, CommentedMap):
                for col in columns.values():
                    if isinstance(col, CommentedMap):
                        _reorder(col, COLUMN_ORDER)


# ---------------------------------------------------------------- scalars


# Text that is a string unquoted in any YAML: a letter first, then only letters, digits,
# spaces and . ( ) / – - (no `:`, `#`, `,`, quotes, brackets, nothing a resolver reads as a
# number, date or boolean), and not one of the words YAML 1.1 or 1.2 reads as a value.
PLAIN_TEXT = re.compile(r"[^\W\d_][\w .()/\-–]*")
# Outside `{…}` and `[…]` a plain scalar may also hold , ; ? ! quotes, braces and brackets after
# its first letter: only `: ` and ` #` end it there, and neither `:` nor `#` is in this set.
BLOCK_TEXT = re.compile(r"[^\W\d_][\w .()/\-–,;?!'\"{}\[\]&*+=<>%§]*")
VALUE_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


@functools.lru_cache(maxsize=4096)
def plain_is_safe(text: str, flow: bool = False) -> bool:
    """Does `text` read back as this very string when written without quotes, in YAML 1.1
    (PyYAML: `yes`, `1:30`, `1_000` are not strings there) and in YAML 1.2 (ruamel)? With
    `flow`, also inside `{…}` and `[…]`, where PyYAML refuses more (`,`, `?`, `[]{}`).

    Plain prose (PLAIN_TEXT, or BLOCK_TEXT outside a flow collection) is answered without
    parsing; anything else is read back by both parsers (one parse costs a millisecond, and a
    policy has hundreds of scalars)."""
    if not text or text != text.strip() or "\n" in text or "\t" in text:
        return False
    if (BLOCK_TEXT if not flow else PLAIN_TEXT).fullmatch(text) and text.lower() not in VALUE_WORDS:
        return True
    if never_plain(text, flow):
        return False
    return reads_back(text, flow)


def never_plain(text: str, flow: bool = False) -> bool:
    """Text that no YAML reads as one plain scalar: ': ' starts a mapping value, ' #' a comment,
    `{` or `[` a collection, a final ':' a key; inside `{…}` and `[…]` a ',' ends the value."""
    return (": " in text or " #" in text or text[0] in "{[" or text.endswith(":")
            or (flow and "," in text))


def reads_back(text: str, flow: bool = False) -> bool:
    """`text` written plain reads back as this very string in both PyYAML and ruamel."""
    docs = [f"k: {text}\n"] + ([f"{{k: {text}}}\n", f"[{text}]\n"] if flow else [])
    for doc in docs:
        try:
            value = yaml.safe_load(doc)  # pure PyYAML: libyaml accepts what PyYAML refuses in flow
        except (yaml.YAMLError, ValueError):  # ValueError: a date that is none (2026-13-01)
            return False
        got = value[0] if isinstance(value, list) else value.get("k") if isinstance(value, dict) else None
        if not isinstance(value, (list, dict)) or len(value) != 1 or got != text or not isinstance(got, str):
            return False
        try:
            rt = _safe_ruamel().load(doc)
        except (RuamelYAMLError, ValueError):
            return False
        got = rt[0] if isinstance(rt, list) else rt.get("k") if isinstance(rt, dict) else None
        if got != text:
            return False
    return True


@functools.cache
def _safe_ruamel() -> YAML:
    """One pure-Python YAML 1.2 loader for every read-back (making one costs more than a load)."""
    return YAML(typ="safe", pure=True)


def _canonical_scalar(value, key, indent: int, flow: bool = False):
    if isinstance(value, (LiteralScalarString, FoldedScalarString)):
        return value
    if isinstance(value, str):
        text = str(value)
        if key == "expr":
            text = canonical_expression(text)
            wrapped = wrap_expression(text, indent)
            if wrapped is not None:
                return LiteralScalarString(wrapped)
        return text if plain_is_safe(text, flow) else DoubleQuotedScalarString(text)
    if isinstance(value, ScalarInt) and not isinstance(value, bool) and getattr(value, "_underscore", None):
        return int(value)
    if isinstance(value, ScalarFloat) and getattr(value, "_underscore", None):
        return value  # kept: rewriting a float's digits risks its exact text
    return value


def _canonical_scalars(node, key, depth: int, flow: bool = False) -> None:
    flow = flow or (isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style()))
    if isinstance(node, CommentedMap):
        for k in list(node):
            v = node[k]
            if isinstance(v, (CommentedMap, CommentedSeq)):
                _canonical_scalars(v, k, depth + 1, flow)
            else:
                new = _canonical_scalar(v, k, depth * INDENT, flow)
                if new is not v:
                    node[k] = new
    elif isinstance(node, CommentedSeq):
        for i, v in enumerate(node):
            if isinstance(v, (CommentedMap, CommentedSeq)):
                _canonical_scalars(v, None, depth + 1, flow)
            else:
                new = _canonical_scalar(v, None, depth * INDENT, flow)
                if new is not v:
                    node[i] = new


def canonical_expression(text: str) -> str:
    """A one-line expression in canonical spacing (evaluator/lang/printer.py), the author's
    parentheses kept; as written when it does not parse (`villkor validate` reports that)."""
    if "\n" in text:
        return text
    try:
        return to_text(parse(text), keep_parens=True)
    except VillkorError:
        return text


def wrap_expression(text: str, indent: int) -> str | None:
    """A one-line expression too long for `expr: ` at this indentation, wrapped into lines for a
    literal block; None when it fits (or does not parse).

    The printer lays the canonical text out (`to_lines`): lines break between words, never
    inside a string literal or a multi-word name, at the shallowest bracket depth that fits,
    preferably before `and`/`or`/`then`/`else`, then before an arithmetic operator;
    continuation lines are indented two more."""
    if "\n" in text or indent + len("expr: ") + len(text) <= WIDTH:
        return None
    try:
        node = parse(text)
    except VillkorError:
        return None
    lines = to_lines(node, WIDTH - indent - INDENT, INDENT, keep_parens=True)
    if len(lines) == 1:
        return None
    return "\n".join([lines[0]] + [" " * INDENT + line for line in lines[1:]])


def _unfold_long(node, depth: int) -> None:
    """Flow lists longer than a line become blocks (one item per line). Flow mappings stay: a
    citation `{ref: …, passage: …}` reads as one unit however long its passage."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, CommentedSeq) and value.fa.flow_style():
                if depth * INDENT + len(str(key)) + 2 + _flow_length(value) > WIDTH:
                    value.fa.set_block_style()
            _unfold_long(value, depth + 1)
    elif isinstance(node, CommentedSeq):
        for value in node:
            _unfold_long(value, depth + 1)


def _flow_length(node) -> int:
    if isinstance(node, CommentedMap):
        return 2 + sum(len(str(k)) + 2 + _flow_length(v) + 2 for k, v in node.items())
    if isinstance(node, CommentedSeq):
        return 2 + sum(_flow_length(v) + 2 for v in node)
    text = str(node)
    return len(text) + (0 if isinstance(node, str) and plain_is_safe(text) else 2)


# ---------------------------------------------------------------- safety net


def _plain(tree, key=None):
    """A loaded tree with expressions compared by syntax tree (formatting changes their text)."""
    if isinstance(tree, dict):
        return {k: _plain(v, k) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_plain(v) for v in tree]
    if key == "expr" and isinstance(tree, str):
        try:
            return ("expr", parse(tree))
        except VillkorError:
            return ("expr", " ".join(tree.split()))
    return tree


def _same_values(before: str, after: str, path: str) -> None:
    # Read both with the loader villkor reads policies with (libyaml when present): it accepts
    # some plain scalars pure-Python PyYAML refuses (`passage: medel? (…)` inside `{…}`); such a
    # file is valid for villkor, and its formatted form (quoted by `plain_is_safe`) reads in both.
    from ..policy.loader import SAFE_LOADER

    try:
        a = yaml.load(before, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise PolicyError(f"cannot format: the file does not read as YAML ({exc})", Location(file=path),
                          "run villkor validate on the file first; the file was not changed") from None
    try:
        b = yaml.load(after, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise PolicyError(f"cannot format: the result does not read back ({exc})", Location(file=path),
                          "this is a bug in villkor fmt; the file was not changed") from None
    if _plain(a) != _plain(b):
        raise PolicyError("cannot format: formatting would change a value", Location(file=path),
                          "this is a bug in villkor fmt; the file was not changed")
