"""Proving a policy file already formatted, without the round trip.

`villkor fmt --check` is mostly asked about files that are already formatted, and the ruamel
round trip that formats them (pure Python, comments kept; evaluator/style/fmt.py) costs about
a tenth of a second per policy. Here the file's structure is read from libyaml's event stream
(C, a few milliseconds), the canonical text of that structure is laid out again by the rules of
fmt.py (the same constants and scalar rules, imported from there), with the comments and blank
lines taken from the file where fmt.py would put them, and the result is compared with the file.
Equal means the formatter would give the file back unchanged.

The proof knows one layout only, the one the formatter writes. Whatever it does not know, or
where the formatter would change something (an anchor or tag, a single-quoted string, a
comment between list items, a key out of order, an expression in other spacing, a long flow
list, a float, a trailing comment at the end of the file, ...) ends the proof without an
answer, and the formatter decides. So it never calls a file formatted that the formatter would
change; tests/style/test_proof.py holds it against the formatter on thousands of altered
policies.
"""

from __future__ import annotations

import datetime
import re

import yaml

from .fmt import (
    COLUMN_ORDER,
    ENTRY_ORDER,
    INDENT,
    REF_ORDER,
    TOP,
    VALID_ORDER,
    WIDTH,
    canonical_expression,
    plain_is_safe,
    wrap_expression,
)

INTEGER = re.compile(r"0|-?[1-9][0-9]*")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
END_COMMENT = re.compile(r" +#.*")
BLOCK_HEADERS = ("|", "|-", ">", ">-")
LONGEST_KEY = 100  # ruamel's simple keys are shorter than 128 characters
LONGEST_LINE = 4000  # the emitter's own width is 4096 (fmt._yaml): far from any line here


class _CannotTell(Exception):
    """The text is outside the layout this proof knows: the formatter decides."""


def proven_formatted(text: str) -> bool:
    """True when `text` is provably what `fmt.format_text` would return for it; False when the
    proof cannot tell (the formatter must then be asked)."""
    if (not text.endswith("\n") or any(ch in text for ch in "\r\t\x85\u2028\u2029")
            or text.startswith("\ufeff") or not hasattr(yaml, "CSafeLoader")):
        return False  # (YAML also breaks lines at U+0085, U+2028 and U+2029: the line numbers differ)
    try:
        events = list(yaml.parse(text, Loader=yaml.CSafeLoader))
    except (yaml.YAMLError, UnicodeEncodeError):  # (a lone surrogate, which no UTF-8 file holds)
        return False
    try:
        layout = _Layout(text, events).document()
    except _CannotTell:
        return False
    return layout == text


def _order_for(path: tuple) -> tuple[str, ...] | None:
    """The key order `fmt._reorder_all` gives the mapping at `path` (a tuple of keys)."""
    if path == ():
        return TOP
    if path == ("valid",):
        return VALID_ORDER
    if len(path) == 2 and path[0] in ENTRY_ORDER:
        return ENTRY_ORDER[path[0]]
    if len(path) == 3 and path[0] in ENTRY_ORDER and path[2] == "source":
        return REF_ORDER
    if len(path) == 4 and path[0] == "inputs" and path[2] == "columns":
        return COLUMN_ORDER
    return None


def _check_order(keys: list, order: tuple[str, ...] | None) -> None:
    if len(set(map(str, keys))) != len(keys):
        raise _CannotTell  # a repeated key: ruamel refuses the file
    if order is not None:
        known = [k for k in order if k in keys]
        if keys != known + [k for k in keys if k not in order]:
            raise _CannotTell


class _Layout:
    """The canonical text of one file's structure, built line by line from its events."""

    def __init__(self, text: str, events: list):
        self.src = text.split("\n")
        self.events = events
        self.at = 0
        self.out: list[str] = []
        self.last = -1  # the last source line the structure has used so far

    # ------------------------------------------------------------ events

    def next(self):
        event = self.events[self.at]
        self.at += 1
        if getattr(event, "anchor", None) or isinstance(event, yaml.AliasEvent):
            raise _CannotTell
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.tag is not None:
            raise _CannotTell
        return event

    def peek(self):
        return self.events[self.at]

    def document(self) -> str:
        self.expect(yaml.StreamStartEvent)
        start = self.expect(yaml.DocumentStartEvent)
        if start.explicit or start.version or start.tags:
            raise _CannotTell
        root = self.next()
        if not isinstance(root, yaml.MappingStartEvent) or root.flow_style:
            raise _CannotTell
        self.header(root.start_mark.line)
        self.block_mapping(depth=0, column=0, path=(), first_prefix=None)
        if self.expect(yaml.DocumentEndEvent).explicit:
            raise _CannotTell
        self.expect(yaml.StreamEndEvent)
        self.trailer()
        if any(len(line) > LONGEST_LINE for line in self.src):
            raise _CannotTell
        return "\n".join(self.out) + "\n"

    def expect(self, kind):
        event = self.next()
        if not isinstance(event, kind):
            raise _CannotTell
        return event

    # ------------------------------------------------------------ comments

    def header(self, first_key_line: int) -> None:
        """The file's opening comment stays as written: comment lines, single blank lines."""
        lines = self.src[:first_key_line]
        if lines and lines[0] == "":
            raise _CannotTell
        for i, line in enumerate(lines):
            if line == "" and i > 0 and lines[i - 1] == "":
                raise _CannotTell
            if line and (not line.startswith("#") or line != line.rstrip()):
                raise _CannotTell
        self.out += lines
        self.last = first_key_line - 1

    def trailer(self) -> None:
        """Comments at the end of the file stay there, at column 0 (fmt._put_tail)."""
        lines = self.src[self.last + 1:]
        if lines[-1] != "":
            raise _CannotTell  # (cannot happen: the text ends with a newline)
        if len(lines) > 1 and not lines[-2].strip():
            raise _CannotTell  # blank lines at the very end
        self.comments_before(len(self.src) - 1, 0, first=False)

    def comments_before(self, line: int, column: int, first: bool) -> None:
        """The full-line comments and blank lines above a key, as fmt.py leaves them: each comment
        at the key's column, a run of blank lines as one, none between `parent:` and its first
        key."""
        out: list[str] = []
        for text in self.src[self.last + 1:line]:
            stripped = text.strip()
            if not stripped:
                if out and out[-1] == "" or (first and not out):
                    continue
                out.append("")
            elif stripped.startswith("#"):
                out.append(" " * column + stripped)
            else:
                raise _CannotTell
        self.out += out

    def no_comments_before(self, line: int) -> None:
        if any(self.src[self.last + 1:line]):
            raise _CannotTell
        if line != self.last + 1:
            raise _CannotTell  # blank lines between list items

    # ------------------------------------------------------------ collections

    def block_mapping(self, depth: int, column: int, path: tuple, first_prefix: str | None) -> None:
        keys: list = []
        while not isinstance(self.peek(), yaml.MappingEndEvent):
            key = self.next()
            if not isinstance(key, yaml.ScalarEvent):
                raise _CannotTell
            line = key.start_mark.line
            if first_prefix is None:
                self.comments_before(line, column, first=not keys and depth > 0)
                prefix = " " * column
            elif keys:
                self.comments_before(line, column, first=False)
                prefix = " " * column
            else:
                prefix = first_prefix  # `- key: …`, on the line of the dash
            name = self.key_text(key)
            keys.append(_key_value(key))
            self.last = line
            self.mapping_value(f"{prefix}{name}:", str(keys[-1]), depth, column, path + (keys[-1],))
        self.next()
        _check_order(keys, _order_for(path))

    def mapping_value(self, head: str, key: str, depth: int, column: int, path: tuple) -> None:
        event = self.next()
        if isinstance(event, yaml.ScalarEvent):
            if event.style in ("|", ">"):
                self.block_scalar(head, event, column)
                return
            text = self.scalar(event, flow=False, key=key, depth=depth)
            self.out.append(f"{head} {text}{self.end_comment(event)}")
            return
        if event.flow_style:
            text = self.flow(event, depth + 1, path, flow_list_key=key, key_depth=depth)
            self.one_line(event)
            self.out.append(f"{head} {text}")
            return
        self.out.append(head)
        if isinstance(event, yaml.MappingStartEvent):
            self.block_mapping(depth + 1, column + INDENT, path, first_prefix=None)
        else:
            self.block_sequence(depth + 1, column + INDENT, path)

    def block_sequence(self, depth: int, dash: int, path: tuple) -> None:
        """Items two in from the parent key, `- ` then the item (fmt._yaml: sequence=4, offset=2)."""
        prefix = " " * dash + "- "
        index = 0
        while not isinstance(self.peek(), yaml.SequenceEndEvent):
            event = self.next()
            line = event.start_mark.line
            self.no_comments_before(line)
            self.last = line
            if isinstance(event, yaml.ScalarEvent):
                if event.style in ("|", ">"):
                    self.block_scalar(prefix.rstrip(), event, dash)
                else:
                    text = self.scalar(event, flow=False, key=None, depth=depth)
                    if self.end_comment(event):
                        raise _CannotTell
                    self.out.append(prefix + text)
            elif event.flow_style:
                text = self.flow(event, depth + 1, path + (index,), flow_list_key=None, key_depth=depth)
                self.one_line(event)
                self.out.append(prefix + text)
            elif isinstance(event, yaml.MappingStartEvent):
                self.block_mapping(depth + 1, dash + INDENT, path + (index,), first_prefix=prefix)
            else:
                raise _CannotTell  # a list in a list
            index += 1
        self.next()

    def flow(self, start, depth: int, path: tuple, flow_list_key, key_depth: int) -> str:
        """`{k: v, …}` or `[a, …]` on one line; a flow list too long for its line would become a
        block list (fmt._unfold_long)."""
        parts: list[str] = []
        if isinstance(start, yaml.MappingStartEvent):
            keys: list = []
            while not isinstance(self.peek(), yaml.MappingEndEvent):
                key = self.next()
                if not isinstance(key, yaml.ScalarEvent):
                    raise _CannotTell
                name = self.key_text(key, flow=True)
                keys.append(_key_value(key))
                value = self.next()
                if isinstance(value, yaml.ScalarEvent):
                    text = self.scalar(value, flow=True, key=str(keys[-1]), depth=depth)
                elif value.flow_style:
                    text = self.flow(value, depth + 1, path + (keys[-1],), flow_list_key=str(keys[-1]),
                                     key_depth=depth)
                else:
                    raise _CannotTell
                parts.append(f"{name}: {text}")
            self.next()
            _check_order(keys, _order_for(path))
            if not parts:
                raise _CannotTell
            return "{" + ", ".join(parts) + "}"
        length = 2
        while not isinstance(self.peek(), yaml.SequenceEndEvent):
            item = self.next()
            if not isinstance(item, yaml.ScalarEvent):
                raise _CannotTell
            parts.append(self.scalar(item, flow=True, key=None, depth=depth))
            length += _item_length(item) + 2
        self.next()
        if not parts:
            raise _CannotTell
        if flow_list_key is not None and key_depth * INDENT + len(flow_list_key) + 2 + length > WIDTH:
            raise _CannotTell
        return "[" + ", ".join(parts) + "]"

    def one_line(self, event) -> None:
        """A flow collection stands on the line it starts on, with nothing after it."""
        end = self.events[self.at - 1].end_mark
        if end.line != event.start_mark.line or self.src[end.line][end.column:]:
            raise _CannotTell

    # ------------------------------------------------------------ scalars

    def key_text(self, event, flow: bool = False) -> str:
        if event.style or event.start_mark.line != event.end_mark.line:
            raise _CannotTell
        value = event.value
        if len(value) > LONGEST_KEY:
            raise _CannotTell  # ruamel writes a long key as `? key`
        if INTEGER.fullmatch(value) or _plain_string(value, flow):
            return value
        raise _CannotTell

    def scalar(self, event, flow: bool, key, depth: int) -> str:
        """The scalar as the formatter writes it; _CannotTell when the file has it otherwise."""
        if event.start_mark.line != event.end_mark.line:
            raise _CannotTell
        value = event.value
        if event.style == "":
            if INTEGER.fullmatch(value) or value in ("true", "false") or _is_date(value):
                return value
            if not _plain_string(value, flow):
                raise _CannotTell
        elif event.style != '"':
            raise _CannotTell
        if key == "expr" and (canonical_expression(value) != value
                              or wrap_expression(value, depth * INDENT) is not None):
            raise _CannotTell
        if event.style == "":
            return value
        if any(not _double_quotable(ch) for ch in value) or plain_is_safe(value, flow):
            raise _CannotTell
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def end_comment(self, event) -> str:
        """An end-of-line comment after a one-line value stays where it is."""
        rest = self.src[event.end_mark.line][event.end_mark.column:]
        if rest and (not END_COMMENT.fullmatch(rest) or rest != rest.rstrip()):
            raise _CannotTell
        return rest

    def block_scalar(self, head: str, event, column: int) -> None:
        """`|`, `|-`, `>`, `>-` as written, the text two in from `column`, no blank line in it."""
        line = event.start_mark.line
        header = self.src[line][event.start_mark.column:]
        if header not in BLOCK_HEADERS or header[0] != event.style:
            raise _CannotTell
        indent = " " * (column + INDENT)
        body: list[str] = []
        for text in self.src[line + 1:]:
            if not text.startswith(indent) or not text.strip():
                break
            body.append(text)
        if not body or body[0][len(indent)].isspace() or any(t != t.rstrip() for t in body):
            raise _CannotTell
        if event.style == ">" and any(t[len(indent)].isspace() for t in body):
            raise _CannotTell  # a more-indented line folds otherwise
        if not all(map(_double_quotable, event.value.rstrip("\n").replace("\n", ""))):
            raise _CannotTell  # ruamel writes such text in double quotes
        joiner = "\n" if event.style == "|" else " "
        value = joiner.join(t[len(indent):] for t in body) + ("" if header.endswith("-") else "\n")
        if value != event.value:
            raise _CannotTell
        self.out.append(f"{head} {header}")
        self.out += body
        self.last = line + len(body)


def _key_value(event):
    return int(event.value) if INTEGER.fullmatch(event.value) else event.value


def _plain_string(value: str, flow: bool) -> bool:
    """Text the formatter writes unquoted: fmt.plain_is_safe says so (it reads back as this very
    string in both YAMLs), and ruamel's emitter (Emitter.analyze_scalar) takes plain for it."""
    return _emitter_writes_plain(value, flow) and plain_is_safe(value, flow)


def _emitter_writes_plain(value: str, flow: bool) -> bool:
    """A narrower test than ruamel's own: no indicator first, no `: ` or ` #`, no space at
    either end, nothing it escapes; inside `{…}` or `[…]` none of `,?[]{}`."""
    if not value or value != value.strip() or value.startswith(("---", "...")):
        return False
    if value[0] in "#,[]{}&*!|>'\"%@`?:-" or value.endswith(":") or ": " in value or " #" in value:
        return False
    if flow and any(ch in value for ch in ",?[]{}"):
        return False
    return all(map(_double_quotable, value))


def _is_date(value: str) -> bool:
    if not DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _double_quotable(ch: str) -> bool:
    """Characters ruamel writes as they are between double quotes (the rest it escapes)."""
    return ("\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd") \
        and ch not in "\u2028\u2029\ufeff"


def _item_length(event) -> int:
    """fmt._flow_length of one item: its text, plus 2 unless it is a string safe unquoted."""
    value = event.value  # (a number, true/false or a date is as long as its text: str(True) too)
    if event.style == "" and (INTEGER.fullmatch(value) or value in ("true", "false") or _is_date(value)):
        return len(value) + 2
    return len(value) + (0 if plain_is_safe(value) else 2)
