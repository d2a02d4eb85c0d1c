"""The `explain` templates of a policy's rules, checked when the policy is planned.

A template is Swedish text with placeholders (`{value}`, a dimension of the rule, a rule or
parameter id); this module reads the placeholder names and reports every problem with its
location, before any data is read. Rendering a template at a key is the explanation's work
(evaluator/explain/build.py).
"""

from __future__ import annotations

import re
import string

from ..errors import Location, PolicyError, VillkorError, did_you_mean
from .model import Policy, Rule

FORMATTER = string.Formatter()


def template_names(text: str) -> list[str]:
    """The placeholder names of an `explain` template, in order, each once.

    `{{` and `}}` are literal braces. Raises ValueError for a malformed template (an unmatched
    brace, a format spec or attribute access, which templates do not support).
    """
    names: list[str] = []
    for _literal, name, spec, conv in FORMATTER.parse(text):
        if name is None:
            continue
        if spec or conv:
            raise ValueError(f"'{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}': "
                             "placeholders take no format; amounts are formatted by their unit")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"'{{{name}}}' is not a placeholder name" if name else
                             "'{}' needs a name, e.g. {value}")
        if name not in names:
            names.append(name)
    return names


def check_templates(policy: Policy) -> list[VillkorError]:
    """Every problem with the `explain` templates of a policy's rules, found before any data.

    A placeholder may be `value`, a dimension of the rule's grain, or the id of a rule or
    parameter whose grain is within the rule's grain (so it has one value at each key).
    """
    errors: list[VillkorError] = []
    for rule in policy.rules.values():
        if not rule.explain:
            continue
        base = _explain_location(policy, rule)
        try:
            names = template_names(rule.explain)
        except ValueError as exc:
            errors.append(PolicyError(f"explain template: {exc}", base,
                                      "write literal braces as {{ and }}"))
            continue
        known = ["value", *rule.per, *policy.rules, *policy.parameters]
        for name in names:
            where = placeholder_location(base, name)
            if name == "value" or name in rule.per:
                continue
            if name in policy.dimensions:
                errors.append(PolicyError(
                    f"explain template: {{{name}}} is not a dimension of this rule (per: "
                    f"{', '.join(rule.per) or 'nothing'})", where,
                    f"add {name} to the rule's per, or remove the placeholder"))
            elif name in policy.rules:
                other = policy.rules[name].per
                extra = [d for d in other if d not in rule.per]
                if extra:
                    errors.append(PolicyError(
                        f"explain template: rule '{name}' is per {', '.join(other)}, so it has no "
                        f"single value at a key of this rule (per: {', '.join(rule.per) or 'nothing'})",
                        where, "name a rule that aggregates it instead"))
            elif name in policy.parameters:
                extra = [d for d in policy.parameters[name].by if d not in rule.per]
                if extra:
                    errors.append(PolicyError(
                        f"explain template: parameter '{name}' is by {', '.join(policy.parameters[name].by)}, "
                        f"so it has no single value at a key of this rule", where))
            else:
                hint = did_you_mean(name, known) or \
                    "placeholders are {value}, the rule's dimensions, and rule or parameter ids"
                errors.append(PolicyError(f"explain template: unknown placeholder {{{name}}}", where, hint))
    return errors


def _explain_location(policy: Policy, rule: Rule) -> Location:
    """The `explain:` line of a rule in its file (the rule's own line if it cannot be found)."""
    loc = rule.location
    lines = policy.file_lines.get(loc.file or "") if loc.file else None
    if lines and loc.line:
        indent = None
        for i in range(loc.line, len(lines)):  # lines after the rule's key (0-based index = line)
            text = lines[i]
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            here = len(text) - len(text.lstrip())
            if indent is None:
                indent = here
            if here < indent:
                break
            if here == indent and re.match(r"\s*explain\s*:", text):
                return Location(file=loc.file, line=i + 1, column=here + 1, rule=rule.id,
                                source_line=text, length=len("explain"))
    return Location(file=loc.file, line=loc.line, column=loc.column, rule=rule.id, field="explain")


def placeholder_location(base: Location, name: str) -> Location:
    """Underline `{name}` when it is on the `explain:` line itself."""
    if base.source_line is not None:
        col = base.source_line.find("{" + name + "}")
        if col >= 0:
            return Location(file=base.file, line=base.line, column=col + 1, rule=base.rule,
                            source_line=base.source_line, length=len(name) + 2)
    return base
