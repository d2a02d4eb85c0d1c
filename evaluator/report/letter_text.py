"""The wording of decision letters: the policy's `letter:` templates, checked before any data
is read and filled in for one member (one region) after a run.

A placeholder is the letter's dimension (`{region}`: the member's label, its legal name), or a
rule or parameter with one value per member (`{payout}`, `{measurement_year}`). `when:` and
`unless:` name true/false rules: a letter states facts ("Rekvisitionen inkom i tid"), it never
answers a question with ja/nej, so a true/false value is never a placeholder.

Values are shown the way a sentence writes them (`present.present`, shared with the titles of
a policy): kronor with thin-space thousands and no unit word (the template says "kronor"), a
fraction rounded to two places with the exact value beside it ("436,67 (1 310/3)"), dates and
months by name ("16 mars 2026"), years as written ("2026"). The appendix's tables add the unit
word (`present_figure`).
"""

from __future__ import annotations

import datetime as dt
import string

from ..errors import PolicyError, VillkorError, did_you_mean
from ..lang import values as V
from ..lang.values import ListVal
from ..policy.templates import template_names
from ..present import UNIT_WORDS, present

_FORMATTER = string.Formatter()


# ---------------------------------------------------------------- values as a letter writes them


def present_figure(value, unit: str | None = None) -> str:
    """A value in the appendix's tables, with its unit word: '28 007 085 kr'."""
    text = present(value, unit)
    word = UNIT_WORDS.get(unit or "", unit or "")
    return f"{text} {word}" if word and value is not None else text


# ---------------------------------------------------------------- filling in for one member


class Filler:
    """Values of one evaluation at one member of the letter's dimension."""

    def __init__(self, evaluation):
        from ..explain.reader import Reader  # the explain package computes: not for checking a letter

        self.reader = Reader(evaluation)
        self.evaluation = evaluation
        self.plan = evaluation.plan
        self.policy = evaluation.plan.policy

    def value(self, name: str, key: dict):
        """(value, unit) of a rule or parameter at `key` (value None where it is not computed)."""
        from ..explain.reader import unit_text

        if name in self.plan.rules:
            pr = self.plan.rules[name]
            unit = unit_text(pr.rule.unit) or unit_text(pr.type.unit)
            val = self.evaluation.values.get(name)
            if val is None:
                return None, unit
            one, v = self.reader.at(val, {d: key[d] for d in pr.per})
            return (v if one else None), unit
        p = self.policy.parameters[name]
        pv = self.reader.scope.value(name)
        if isinstance(pv, ListVal):
            return [V.cell(i, ()) for i in pv.items], p.unit
        one, v = self.reader.at(pv, {d: key[d] for d in p.by})
        return (v if one else None), p.unit

    def fill(self, template: str, key: dict) -> str:
        out = []
        for literal, name, _spec, _conv in _FORMATTER.parse(template):
            out.append(literal)
            if name is None:
                continue
            if name in key:
                out.append(self.reader.label(name, key[name]))
            else:
                out.append(present(*self.value(name, key)))
        return "".join(out)

    def shown(self, paragraph, key: dict) -> bool:
        """A paragraph is shown where its `when` is true and its `unless` is false (a value that
        is not computed, e.g. before the follow-up, shows neither)."""
        if paragraph.when and self.value(paragraph.when, key)[0] is not True:
            return False
        if paragraph.unless and self.value(paragraph.unless, key)[0] is not False:
            return False
        return True


# ---------------------------------------------------------------- checked before any data


def letter_date(policy) -> dt.date:
    """The decision date: the letter's own, or its date parameter's value (after --params)."""
    date = policy.letter.date
    return policy.parameters[date].value if isinstance(date, str) else date


def check_letter(policy, planned: dict) -> list[VillkorError]:
    """Every problem with the policy's `letter:`, each at its place in the file: an unknown
    placeholder (with the nearest name), one with several values per member, a true/false
    placeholder, a `when`/`unless` that is not true/false, a figure that is not a rule."""
    letter = policy.letter
    if letter is None:
        return []
    if letter.per not in policy.dimensions:
        return [PolicyError(f"letter: per names an unknown dimension '{letter.per}'", letter.location,
                            did_you_mean(letter.per, policy.dimensions))]
    check = _Checker(policy, planned, letter.per)
    if isinstance(letter.date, str):
        check.date(letter.date, letter.places.get("date", letter.location))
    place = letter.places.get
    check.text(letter.title, place("title", letter.location), "title")
    for sec in letter.sections:
        check.text(sec.heading, sec.location, "heading")
        for par in sec.paragraphs:
            check.text(par.text, par.location, "text")
            for cond in (par.when, par.unless):
                if cond is not None:
                    check.condition(cond, par.location)
    if letter.appendix_heading:
        check.text(letter.appendix_heading, place("appendix", letter.location), "appendix heading")
    for fig in letter.appendix:
        check.figure(fig, within=None)
    if letter.index_title:
        check.text(letter.index_title, place("index", letter.location), "index title", national=True)
    for fig in letter.index:
        check.figure(fig, within=(letter.per,))
    return check.errors


class _Checker:
    def __init__(self, policy, planned: dict, per: str):
        self.policy, self.planned, self.per = policy, planned, per
        self.errors: list[VillkorError] = []

    def add(self, message: str, location, hint: str | None = None) -> None:
        self.errors.append(PolicyError(f"letter: {message}", location, hint))

    def grain(self, name: str) -> tuple[str, ...] | None:
        if name in self.policy.rules:
            return tuple(self.policy.rules[name].per)
        if name in self.policy.parameters:
            return tuple(self.policy.parameters[name].by)
        return None

    def is_bool(self, name: str) -> bool:
        if name in self.planned:
            return self.planned[name].type.kind == "bool"
        p = self.policy.parameters.get(name)
        return p is not None and (p.type == "bool" or isinstance(p.value, bool))

    def known(self) -> list[str]:
        return [self.per, *self.policy.rules, *self.policy.parameters]

    def text(self, template: str, location, what: str, national: bool = False) -> None:
        try:
            names = template_names(template)
        except ValueError as exc:
            self.add(f"{what}: {exc}", location, "write literal braces as {{ and }}")
            return
        allowed = () if national else (self.per,)
        for name in names:
            if name == self.per and not national:
                continue
            grain = self.grain(name)
            if grain is None:
                self.add(f"{what}: unknown placeholder {{{name}}}", location,
                         did_you_mean(name, self.known()) or
                         f"placeholders are {{{self.per}}} and rule or parameter ids")
            elif any(d not in allowed for d in grain):
                where = "the index page (one value for the whole country)" if national else \
                    f"a letter per {self.per}"
                self.add(f"{what}: {{{name}}} is per {', '.join(grain)}, so it has no single value in {where}",
                         location, "name a rule that sums it, or show it in the appendix")
            elif self.is_bool(name):
                self.add(f"{what}: {{{name}}} is true/false; a letter states the fact instead of "
                         "answering ja/nej", location,
                         f"write one paragraph with when: {name} and one with unless: {name}")

    def date(self, name: str, location) -> None:
        p = self.policy.parameters.get(name)
        if p is None:
            self.add(f"date names an unknown parameter '{name}'", location,
                     did_you_mean(name, self.policy.parameters) or "give a date parameter's id or YYYY-MM-DD")
        elif p.by or not isinstance(p.value, dt.date):
            self.add(f"date: parameter '{name}' is not one date", location, "name a parameter with type: date")

    def condition(self, name: str, location) -> None:
        grain = self.grain(name)
        if grain is None:
            self.add(f"when/unless names an unknown rule '{name}'", location,
                     did_you_mean(name, [*self.policy.rules, *self.policy.parameters]))
        elif any(d != self.per for d in grain):
            self.add(f"when/unless: '{name}' is per {', '.join(grain)}, so it has no single value "
                     f"in a letter per {self.per}", location)
        elif not self.is_bool(name):
            self.add(f"when/unless: '{name}' is not true/false", location,
                     "name a rule whose value is true or false")

    def figure(self, fig, within: tuple[str, ...] | None) -> None:
        if fig.rule not in self.policy.rules:
            self.add(f"figure '{fig.rule}' is not a rule", fig.location,
                     did_you_mean(fig.rule, self.policy.rules))
            return
        grain = self.grain(fig.rule) or ()
        if within is not None and any(d not in within for d in grain):
            self.add(f"index figure '{fig.rule}' is per {', '.join(grain)}: the index has one row "
                     f"per {self.per}", fig.location, "show it in the appendix")
        elif self.is_bool(fig.rule):
            self.add(f"figure '{fig.rule}' is true/false; state it in a section with when:/unless:",
                     fig.location)
