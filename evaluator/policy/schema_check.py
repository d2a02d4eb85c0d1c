"""Is a file valid against a shipped schema? A yes/no answer, compiled once per schema.

Nearly every file villkor loads is valid, and for a valid file jsonschema's full validator only
confirms that there is nothing to report: importing it and walking the file with it cost more
than the rest of `villkor validate`. So the schema is compiled here into one plain Python test
per keyword, which answers whether the file is valid at all; only a file that is not is
validated by jsonschema (evaluator/policy/schema.py), which then finds every error and its
place, exactly as before. The test follows JSON Schema draft 2020-12 for the keywords the
shipped schemas use; a schema with any other keyword does not compile (`Unsupported`), and
jsonschema then validates every file against it. tests/policy/test_schema_check.py holds this
test to jsonschema's answer on valid and invalid files.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

Test = Callable[[Any], bool]

# keywords that state something about a schema but require nothing of a value
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples",
                         "deprecated", "readOnly", "writeOnly", "$defs"})
KEYWORDS = frozenset({"$ref", "type", "enum", "pattern", "format", "minLength", "minItems", "minProperties",
                      "required", "properties", "additionalProperties", "propertyNames", "items", "anyOf",
                      "oneOf", "not", "if"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this module does not test."""


@functools.cache
def validity_test(schema_name: str) -> Test | None:
    """The compiled test of a shipped schema, or None when it does not compile."""
    from .schema import load_schema

    try:
        return _Compiler(load_schema(schema_name)).compile(load_schema(schema_name))
    except Unsupported:
        return None


def _is_type(name: str, value: Any) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "integer":  # 2020-12: a float without a fraction is an integer too
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float))
    raise Unsupported(f"type {name!r}")


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return not isinstance(value, str)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _equal(a: Any, b: Any) -> bool:
    """JSON equality of scalars: true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


class _Compiler:
    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.refs: dict[str, Test] = {}

    def compile(self, schema: Any) -> Test:
        """One test for a (sub)schema: every keyword's test must pass."""
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        made = [self._keyword(key, schema[key], schema) for key in schema if key not in ANNOTATIONS]
        tests = [t for t in made if t is not None]
        if len(tests) == 1:
            return tests[0]
        return lambda value: all(t(value) for t in tests)

    def _resolve(self, ref: str) -> Test:
        """A `#/…` pointer into the same schema, compiled once (so a schema may refer to itself)."""
        if ref not in self.refs:
            if not ref.startswith("#/"):
                raise Unsupported(f"$ref {ref!r}")
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            self.refs[ref] = lambda value: compiled(value)  # until compiled: for a recursive $ref
            compiled = self.compile(target)
            self.refs[ref] = compiled
        return self.refs[ref]

    def _keyword(self, key: str, arg: Any, schema: dict[str, Any]) -> Test | None:
        if key in ("then", "else"):
            return None  # compiled with `if` (and without an `if` they require nothing)
        if key not in KEYWORDS:
            raise Unsupported(f"keyword {key!r}")
        method: Callable[[Any, dict[str, Any]], Test] = getattr(self, "_" + key.lstrip("$"))
        return method(arg, schema)

    # -- the keywords, each a test of one value

    def _ref(self, arg: str, schema: dict[str, Any]) -> Test:
        return self._resolve(arg)

    def _type(self, arg: Any, schema: dict[str, Any]) -> Test:
        names = [arg] if isinstance(arg, str) else list(arg)
        for name in names:
            _is_type(name, None)  # an unknown type name does not compile
        return lambda value: any(_is_type(n, value) for n in names)

    def _enum(self, arg: list[Any], schema: dict[str, Any]) -> Test:
        if any(isinstance(x, (dict, list)) for x in arg):
            raise Unsupported("enum of collections")
        return lambda value: not isinstance(value, (dict, list)) and any(_equal(value, x) for x in arg)

    def _pattern(self, arg: str, schema: dict[str, Any]) -> Test:
        rx = re.compile(arg)
        return lambda value: not isinstance(value, str) or rx.search(value) is not None

    def _format(self, arg: str, schema: dict[str, Any]) -> Test:
        if arg != "date":
            raise Unsupported(f"format {arg!r}")
        return _is_date

    def _minLength(self, arg: int, schema: dict[str, Any]) -> Test:
        return lambda value: not isinstance(value, str) or len(value) >= arg

    def _minItems(self, arg: int, schema: dict[str, Any]) -> Test:
        return lambda value: not isinstance(value, list) or len(value) >= arg

    def _minProperties(self, arg: int, schema: dict[str, Any]) -> Test:
        return lambda value: not isinstance(value, dict) or len(value) >= arg

    def _required(self, arg: list[str], schema: dict[str, Any]) -> Test:
        return lambda value: not isinstance(value, dict) or all(k in value for k in arg)

    def _properties(self, arg: dict[str, Any], schema: dict[str, Any]) -> Test:
        tests = {k: self.compile(s) for k, s in arg.items()}
        return lambda value: not isinstance(value, dict) or \
            all(tests[k](v) for k, v in value.items() if k in tests)

    def _additionalProperties(self, arg: Any, schema: dict[str, Any]) -> Test:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = set(schema.get("properties", {}))
        test = self.compile(arg)
        return lambda value: not isinstance(value, dict) or \
            all(test(v) for k, v in value.items() if k not in known)

    def _propertyNames(self, arg: Any, schema: dict[str, Any]) -> Test:
        test = self.compile(arg)
        return lambda value: not isinstance(value, dict) or all(test(k) for k in value)

    def _items(self, arg: Any, schema: dict[str, Any]) -> Test:
        if isinstance(arg, list) or "prefixItems" in schema:
            raise Unsupported("items as a list")
        test = self.compile(arg)
        return lambda value: not isinstance(value, list) or all(test(v) for v in value)

    def _anyOf(self, arg: list[Any], schema: dict[str, Any]) -> Test:
        tests = [self.compile(s) for s in arg]
        return lambda value: any(t(value) for t in tests)

    def _oneOf(self, arg: list[Any], schema: dict[str, Any]) -> Test:
        tests = [self.compile(s) for s in arg]
        return lambda value: sum(1 for t in tests if t(value)) == 1

    def _not(self, arg: Any, schema: dict[str, Any]) -> Test:
        test = self.compile(arg)
        return lambda value: not test(value)

    def _if(self, arg: Any, schema: dict[str, Any]) -> Test:
        condition = self.compile(arg)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda value: then(value) if condition(value) else otherwise(value)
