"""Titles that name parameters: `title: Högst att betala ut {measurement_year} (P-1)`.

A title people read (the policy's, and those of its dimensions, parameters, inputs and their
columns, rules, checks and letter figures) may name parameters with one value, so that next
year's policy, a policy that `extends` it or a `--params` run shows its own years and dates
instead of this year's digits. Source titles are not templates: they quote a document.

The model keeps each title as written (`title_template`) and, in `title`, the text filled in
with the parameters' current values. Filling happens here only, when the policy is loaded and
again whenever its parameter values are overridden (`--params`, a fixture's `params:`), so every
report, document and diff shows `title`, filled in. (`run --scenarios` varies values inside one
evaluation: its report shows the titles of the policy as run.) A value is shown as
a sentence shows it (`present.present`, shared with the decision letters): a year as written
("2026"), a date by name ("16 mars 2026"), a list of years as words ("2023, 2024 och 2025").

The placeholders are checked when the policy is loaded, each problem at the title in its file
with the code TITLE_PLACEHOLDER: a name that is no parameter, a table (it has no single value),
true/false (a title does not answer ja/nej), or a list other than of years.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..errors import TITLE_PLACEHOLDER, PolicyError, VillkorError, did_you_mean
from ..present import present
from .model import Input, Parameter, Policy, Template
from .templates import FORMATTER, placeholder_location, template_names

BRACES = ("{", "}")


def titled(policy: Policy) -> Iterator[tuple[str, Any]]:
    """Every element with a title people read, with what it is called in a message."""
    yield "the policy's title", policy
    for d in policy.dimensions.values():
        yield f"the title of dimension '{d.id}'", d
    for p in policy.parameters.values():
        yield f"the title of parameter '{p.id}'", p
    for inp in policy.inputs.values():
        yield f"the title of input '{inp.id}'", inp
        for c in inp.columns.values():
            yield f"the title of column '{c.id}' of input '{inp.id}'", c
    for r in policy.rules.values():
        yield f"the title of rule '{r.id}'", r
    for check in policy.checks.values():
        yield f"the title of check '{check.id}'", check
    if policy.letter is not None:
        for f in (*policy.letter.appendix, *policy.letter.index):
            yield f"the title of letter figure '{f.rule}'", f


def title_templates(policy: Policy) -> list[tuple[str, Template]]:
    """Every title as written, with what it belongs to (lint reads the digits written here)."""
    return [(what, item.title_template) for what, item in titled(policy) if item.title_template]


# ---------------------------------------------------------------- checked when loaded


def check_titles(policy: Policy) -> list[VillkorError]:
    """Every problem with the placeholders of the policy's titles, each at its place."""
    errors: list[VillkorError] = []
    for what, template in title_templates(policy):
        if not any(b in template.text for b in BRACES):
            continue
        try:
            names = template_names(template.text)
        except ValueError as exc:
            errors.append(PolicyError(f"{what}: {exc}", template.location,
                                      "write literal braces as {{ and }}", code=TITLE_PLACEHOLDER))
            continue
        for name in names:
            problem = _problem(policy, name)
            if problem is not None:
                where = placeholder_location(template.location, name)
                errors.append(PolicyError(f"{what}: {problem[0]}", where, problem[1],
                                          code=TITLE_PLACEHOLDER))
    return errors


def _fits(p: Parameter) -> bool:
    """One value a title can show: not a table, not true/false, a list only of years."""
    if p.by or isinstance(p.value, bool) or p.type == "bool":
        return False
    return not isinstance(p.value, list) or p.unit == "year"


def _problem(policy: Policy, name: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a placeholder, or None when it can be filled in."""
    usable = [pid for pid, p in policy.parameters.items() if _fits(p)]
    example = f"e.g. {{{usable[0]}}}" if usable else "e.g. {measurement_year}"
    p = policy.parameters.get(name)
    if p is None:
        if name in policy.rules:
            return (f"{{{name}}} is a rule; a title is filled in when the policy is read, before "
                    "any data, so it names parameters only", f"name a parameter with one value, {example}")
        if name in policy.dimensions:
            return (f"{{{name}}} is a dimension; a title is one text for every {name}",
                    "write the text itself, or name a parameter with one value")
        return (f"unknown placeholder {{{name}}}",
                did_you_mean(name, usable) or f"a title names a parameter with one value, {example}")
    if p.by:
        return (f"{{{name}}} is a table by {', '.join(p.by)}, so it has no single value in a title",
                f"name a parameter with one value, {example}")
    if isinstance(p.value, bool) or p.type == "bool":
        return (f"{{{name}}} is true/false; a title says what something is, it does not answer ja/nej",
                "write the text itself")
    if isinstance(p.value, list) and p.unit != "year":
        return (f"{{{name}}} is a list; a title shows a list only of years (unit: year), as "
                "'2023, 2024 och 2025'", "write the text itself (e.g. januari–oktober)")
    return None


# ---------------------------------------------------------------- filled in


def fill(text: str, policy: Policy) -> str:
    """A checked title with every placeholder replaced by its parameter's value."""
    if not any(b in text for b in BRACES):
        return text
    out = []
    for literal, name, _spec, _conv in FORMATTER.parse(text):
        out.append(literal)
        if name is not None:
            p = policy.parameters[name]
            out.append(present(p.value, p.unit))
    return "".join(out)


def _filled(item: Any, policy: Policy) -> Any:
    """The element with its title filled in (the same object when nothing changes)."""
    template = item.title_template
    if template is None:
        return item
    text = fill(template.text, policy)
    return item if text == item.title else replace(item, title=text)


def _section(entries: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """The entries with their titles filled in: the same dict when no title changes."""
    filled = {k: _filled(v, policy) for k, v in entries.items()}
    return entries if all(filled[k] is v for k, v in entries.items()) else filled


def _input(inp: Input, policy: Policy) -> Input:
    columns = _section(inp.columns, policy)
    filled: Input = _filled(inp if columns is inp.columns else replace(inp, columns=columns), policy)
    return filled


def fill_titles(policy: Policy) -> Policy:
    """The policy with every title filled in from the current parameter values (a new Policy;
    the input is untouched, and a section whose titles do not change is shared with it).
    Called when a policy is loaded and when its parameters change."""
    inputs = {k: _input(v, policy) for k, v in policy.inputs.items()}
    if all(inputs[k] is v for k, v in policy.inputs.items()):
        inputs = policy.inputs
    letter = policy.letter
    if letter is not None:
        appendix = tuple(_filled(f, policy) for f in letter.appendix)
        index = tuple(_filled(f, policy) for f in letter.index)
        if any(a is not b for a, b in zip((*appendix, *index), (*letter.appendix, *letter.index))):
            letter = replace(letter, appendix=appendix, index=index)
    title = fill(policy.title_template.text, policy) if policy.title_template else policy.title
    return replace(policy, title=title, letter=letter, inputs=inputs,
                   dimensions=_section(policy.dimensions, policy),
                   parameters=_section(policy.parameters, policy),
                   rules=_section(policy.rules, policy), checks=_section(policy.checks, policy))
