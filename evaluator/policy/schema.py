"""JSON Schema validation of policy and fixture files, every error at its file:line:col.

The schemas (schemas/*.schema.json, shipped in the package) are what editors with a YAML
language server use too, so a person sees the same rules while typing as `villkor validate`
reports. A file is first tested by the schema compiled to plain Python (schema_check.py: valid
or not); jsonschema, imported only then, finds the errors of a file that is not valid.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import PolicyError, SchemaError, VillkorError, did_you_mean
from .loader import Loaded
from .schema_check import validity_test

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, read through importlib.resources (works from a wheel)."""
    text = importlib.resources.files("evaluator.schemas").joinpath(name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _jsonable(value: Any) -> Any:
    """YAML values as JSON for validation only: dates as ISO text, decimals as numbers."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (int, bool)) else k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@functools.cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """jsonschema's validator of a shipped schema, made once per process."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


def validate_tree(loaded: Loaded, schema_name: str) -> list[VillkorError]:
    """All schema violations of a loaded file, sorted by position."""
    schema = load_schema(schema_name)
    if not isinstance(loaded.tree, dict):
        return [SchemaError("the file must be a mapping of keys to values", loaded.location(()),
                            f"start with the keys of {schema.get('title', 'the file')}, e.g. 'policy:'")]
    instance = _jsonable(loaded.tree)
    valid = validity_test(schema_name)
    if valid is not None and valid(instance):
        return []
    errors: list[VillkorError] = []
    seen: set[tuple[int | None, int | None, str]] = set()
    for err in _validator(schema_name).iter_errors(instance):
        for leaf in _leaves(err):
            for made in _to_policy_errors(loaded, leaf):
                key = (made.location.line, made.location.column, made.message)
                if key not in seen:
                    seen.add(key)
                    errors.append(made)
    errors.sort(key=lambda e: (e.location.line or 0, e.location.column or 0, e.message))
    return errors


def _leaves(err: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf failures, the most relevant sub-errors (jsonschema's own heuristic)."""
    if _is_column_type(err) or _is_required_choice(err):
        return [err]
    if err.validator in ("anyOf", "oneOf") and err.context:
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        return [best] if best is not None else [err]
    return [err]


def _is_column_type(err: ValidationError) -> bool:
    path = tuple(err.absolute_path)
    return (err.validator == "anyOf" and len(path) == 5 and path[0] == "inputs" and path[2] == "columns"
            and path[4] == "type")


def _is_required_choice(err: ValidationError) -> bool:
    """`anyOf: [{required: [a]}, {required: [b]}]`: one of several keys must be given."""
    return err.validator == "anyOf" and bool(err.context) and all(e.validator == "required" for e in err.context)


def _to_policy_errors(loaded: Loaded, err: ValidationError) -> list[PolicyError]:
    """One jsonschema error in the words of the file; an object with several unknown keys gives one each."""
    if err.validator == "additionalProperties":
        path = tuple(err.absolute_path)
        allowed = list(err.schema.get("properties", {}))
        hint_all = f"allowed keys: {', '.join(allowed)}" if allowed else None
        return [SchemaError(f"unknown key '{key}'{_describe(path)}", loaded.location(path + (key,), key=True),
                            did_you_mean(str(key), allowed) or hint_all)
                for key in _extra_keys(err) or ["?"]]
    return [_to_policy_error(loaded, err)]


def _to_policy_error(loaded: Loaded, err: ValidationError) -> PolicyError:
    path = tuple(err.absolute_path)
    where = _describe(path)
    validator = err.validator
    if _is_required_choice(err):
        keys = " or ".join(f"'{k}'" for alt in err.validator_value for k in alt["required"])
        return SchemaError(f"missing required key {keys}{where}", loaded.location(path, key=True))
    if _is_column_type(err):
        types = ("int", "decimal", "money", "bool", "date", "string")
        return SchemaError(f"{err.instance!r} is not a column type{where}", loaded.location(path),
                           did_you_mean(str(err.instance), types) or
                           f"use {', '.join(types)} or a dimension id (lower-case)")
    if validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return SchemaError(f"missing required key '{missing}'{where}", loaded.location(path, key=True),
                           _required_hint(missing))
    if validator == "enum":
        options = ", ".join(map(str, err.validator_value))
        return SchemaError(f"{err.instance!r} is not one of {options}{where}", loaded.location(path),
                           did_you_mean(str(err.instance), map(str, err.validator_value)))
    if "propertyNames" in err.schema_path:  # an id (a mapping key) of the wrong shape
        return SchemaError(f"{err.instance!r} is not a valid id{where}", loaded.location(path + (err.instance,), key=True),
                           "ids are lower-case letters, digits and underscores, starting with a letter: cap_total")
    if validator == "pattern":
        return SchemaError(f"{err.instance!r} is not a valid id{where}", loaded.location(path),
                           "ids are lower-case letters, digits and underscores, starting with a letter: cap_total")
    if validator == "type":
        wanted = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return SchemaError(f"expected {_kind(wanted)}{where}, found {_kind_of(err.instance)}", loaded.location(path))
    if validator == "format":
        return SchemaError(f"{err.instance!r} is not a date{where}", loaded.location(path),
                           "write dates as YYYY-MM-DD, e.g. 2026-03-16")
    if validator in ("minLength", "minItems", "minProperties"):
        return SchemaError(f"must not be empty{where}", loaded.location(path))
    return SchemaError(f"{err.message}{where}", loaded.location(path))


def _extra_keys(err: ValidationError) -> list[str]:
    allowed = set(err.schema.get("properties", {}))
    instance = err.instance if isinstance(err.instance, dict) else {}
    return [k for k in instance if k not in allowed]


def _required_hint(key: str) -> str | None:
    return {"expr": "every rule needs an expression, e.g. expr: min(compensation, cap)",
            "value": "every parameter needs a value",
            "members": "list the dimension's members, e.g. members: [Stockholm, Uppsala]",
            "document": "name the document, e.g. document: seeds/003_eaecc791a4958583.txt",
            "type": "give the column's type: int, decimal, money, bool, date, string or a dimension id",
            "columns": "declare the table's columns and their types"}.get(key)


def _describe(path: tuple[Any, ...]) -> str:
    """' in rule 'payout'' — where in the file, in the words of the file."""
    if not path:
        return ""
    sections = {"rules": "rule", "parameters": "parameter", "inputs": "input", "checks": "check",
                "sources": "source", "dimensions": "dimension"}
    if len(path) >= 2 and path[0] in sections:
        text = f" in {sections[path[0]]} '{path[1]}'"
        if path[0] == "inputs" and len(path) >= 4 and path[2] == "columns":
            text += f", column '{path[3]}'"
        return text
    return f" in '{path[0]}'"


def _kind(name: str) -> str:
    return {"object": "a mapping", "array": "a list", "string": "text", "number": "a number",
            "integer": "a whole number", "boolean": "true or false"}.get(name, name)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "nothing"
    return f"{value!r}"
