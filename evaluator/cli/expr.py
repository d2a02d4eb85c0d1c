"""`villkor expr TEXT [--json]`: evaluate one constant expression of the policy language, e.g.
`villkor expr 'round half up(1310/3, 2)'` — a quick way to try the language."""

from __future__ import annotations

import json


def attach(sub) -> None:
    p = sub.add_parser("expr", help="evaluate one constant expression")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true", help='print {"type": ..., "value": ...}')
    p.set_defaults(handler=cmd_expr)


def cmd_expr(args) -> int:
    from ..lang import evaluate

    value = evaluate(args.text)
    if args.json:
        from ..present import json_value as value_to_json
        print(json.dumps({"type": _type_name(value), "value": value_to_json(value)}, ensure_ascii=False))
    else:
        print(_plain(value))
    return 0


def _type_name(value) -> str:
    import datetime as dt
    from decimal import Decimal
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.timedelta):
        return "duration"
    if isinstance(value, list):
        return "list"
    return "null"


def _plain(value) -> str:
    import datetime as dt
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.timedelta):
        return ("-" if value.days < 0 else "") + f"P{abs(value.days)}D"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) if not isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                               for v in value) + "]"
    return str(value)


