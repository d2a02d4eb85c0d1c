"""The typed model of a policy file, after loading, schema validation and `extends` merging.

Everything downstream (planner, engine, explain, diff, lint) reads these dataclasses, never
raw YAML. Every element keeps the `Location` of its YAML node so later errors point at the
file, line and column a person edits. A `title` is the text people read, its placeholders
already filled in; `title_template` keeps it as written (for lint, diff and refilling).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import Location

Scalar = int | Decimal | bool | str | dt.date


@dataclass(frozen=True)
class Template:
    """A title as written in the policy file, with its place: it may name parameters
    (`Högst att betala ut {measurement_year}`). The element's `title` is this text filled in
    with the parameters' current values (evaluator/policy/titles.py), so readers never see it."""

    text: str
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class SourceRef:
    """A citation: which source document (id in `sources`) and which passage of it."""

    ref: str
    passage: str | None = None
    location: Location = field(default_factory=Location, compare=False)

    def cite(self, sources: dict[str, Source]) -> str:
        """`seeds/003_eaecc791a4958583.txt, bilaga 1` — what a reader looks up."""
        src = sources.get(self.ref)
        doc = src.document if src else self.ref
        passage = self.passage or (src.passage if src else None)
        return f"{doc}, {passage}" if passage else doc

    def reader_citation(self, sources: dict[str, Source]) -> str:
        """`Bilaga 1. Villkor för prestationsbaserade medel …, fjärde stycket` — the citation as
        people read it: the source's title and the passage, never the file name (only a source
        without a title is cited by its file, as `cite` does). The same for every readable output;
        the JSON outputs keep `cite`."""
        src = sources.get(self.ref)
        if src is None or not src.title:
            return self.cite(sources)
        passage = reader_passage(src.title, self.passage or src.passage)
        return f"{src.title}, {passage}" if passage else src.title


def reader_passage(title: str, passage: str | None) -> str | None:
    """The passage without what the title already says: under the title "Bilaga 1. Villkor för …"
    the passage "Bilaga 1, fjärde stycket" is "fjärde stycket", and "Bilaga 1" alone is nothing."""
    if not passage:
        return None
    head, _, rest = passage.partition(", ")
    if title.startswith(head) and title[len(head):len(head) + 1] in ("", ".", ":", " "):
        return rest or None
    return passage


@dataclass(frozen=True)
class Source:
    id: str
    document: str
    title: str | None = None
    passage: str | None = None
    url: str | None = None
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class Dimension:
    """A set of members values are broken down by (region, measure, ...). Order is canonical."""

    id: str
    members: tuple[str | int, ...]
    title: str | None = None
    labels: dict[str | int, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)
    title_template: Template | None = field(default=None, compare=False)  # the title as written

    def label(self, member: str | int) -> str:
        return self.labels.get(member, str(member))


@dataclass(frozen=True)
class Parameter:
    """A named value a policy rests on: a scalar, a list, or a table keyed by dimensions.

    `value` holds an int/Decimal/bool/str/date, a list of those, or, for tables
    (`by` non-empty), a dict from member tuple (one member per `by` dimension) to scalar.
    """

    id: str
    value: Any
    by: tuple[str, ...] = ()
    unit: str | None = None
    type: str | None = None  # number|bool|string|date|duration|list ; None = inferred from value
    title: str | None = None
    source: SourceRef | None = None
    status: str = "official"  # official | illustrative
    note: str | None = None
    complete: bool = True  # a table must have a value for every member of its dimensions
    location: Location = field(default_factory=Location, compare=False)
    value_locations: dict[Any, Location] = field(default_factory=dict, compare=False)
    min: int | Decimal | None = None  # bounds of every number of the value (items, cells)
    max: int | Decimal | None = None
    title_template: Template | None = field(default=None, compare=False)  # the title as written
    reading: bool = False  # a value the source leaves open, chosen by the policy's authors

    @property
    def is_table(self) -> bool:
        return bool(self.by)


@dataclass(frozen=True)
class Column:
    """A typed column of an input table.

    `type` is one of int, decimal, money, bool, date, string, or the id of a dimension (the
    column then holds members of that dimension).
    """

    id: str
    type: str
    nullable: bool = False
    default: Any = None  # value used for a missing cell (and, for unique tables, a missing row)
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    enum: tuple[str, ...] | None = None
    title: str | None = None
    location: Location = field(default_factory=Location, compare=False)
    optional: bool = False  # the file may leave the column out; its default then fills it (warned)
    unit: str | None = None  # kr for money; count, kr/count, year, month, day when declared
    title_template: Template | None = field(default=None, compare=False)  # the title as written


@dataclass(frozen=True)
class Input:
    """An input table. `by` maps a dimension to the column that carries it for aggregation."""

    id: str
    columns: dict[str, Column]
    by: dict[str, str] = field(default_factory=dict)
    unique: bool = False  # at most one row per combination of the `by` columns
    optional: bool = False
    title: str | None = None
    source: SourceRef | None = None
    format: dict[str, Any] = field(default_factory=dict)  # e.g. {"separator": ";", "decimal": ","}
    location: Location = field(default_factory=Location, compare=False)
    title_template: Template | None = field(default=None, compare=False)  # the title as written


@dataclass(frozen=True)
class Rule:
    """A named computation at a grain (`per`), written in the expression language."""

    id: str
    expr: str
    per: tuple[str, ...] = ()
    unit: str | None = None
    type: str | None = None  # declared result type; None = inferred
    title: str | None = None
    source: SourceRef | None = None
    explain: str | None = None  # Swedish template with {placeholders}
    nullable: bool = False  # may the value be absent at some keys
    location: Location = field(default_factory=Location, compare=False)
    expr_location: Location = field(default_factory=Location, compare=False)  # first char of expr
    title_template: Template | None = field(default=None, compare=False)  # the title as written


@dataclass(frozen=True)
class Check:
    """An invariant (e.g. Σ payout ≤ budget) evaluated after the rules; failing it is an error."""

    id: str
    expr: str
    per: tuple[str, ...] = ()
    title: str | None = None
    source: SourceRef | None = None
    location: Location = field(default_factory=Location, compare=False)
    expr_location: Location = field(default_factory=Location, compare=False)
    invariant: bool = False  # holds by construction: no data or parameters can make it fail
    title_template: Template | None = field(default=None, compare=False)  # the title as written


@dataclass(frozen=True)
class Paragraph:
    """A text of a decision letter, shown where `when` is true and `unless` is false."""

    text: str
    when: str | None = None
    unless: str | None = None
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class LetterSection:
    heading: str
    paragraphs: tuple[Paragraph, ...]
    bullets: bool = False  # `list: true`: the paragraphs as a bulleted list
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class Figure:
    """A rule shown in a letter's appendix or on the index page, with its caption."""

    rule: str
    title: str | None = None
    location: Location = field(default_factory=Location, compare=False)
    title_template: Template | None = field(default=None, compare=False)  # the title as written


@dataclass(frozen=True)
class Letter:
    """The wording of the decision letters (`letter:`): kept in the policy, not in code, so
    next year's staff can change it; every placeholder is checked when the policy is planned."""

    per: str
    authority: str
    date: dt.date | str  # a date, or the id of the date parameter that holds it
    title: str
    sections: tuple[LetterSection, ...]
    draft: str | None = None
    appendix_heading: str | None = None
    appendix: tuple[Figure, ...] = ()
    index_title: str | None = None
    index: tuple[Figure, ...] = ()
    location: Location = field(default_factory=Location, compare=False)
    places: dict[str, Location] = field(default_factory=dict, compare=False)  # title, appendix, index


@dataclass(frozen=True)
class Validity:
    start: dt.date
    end: dt.date


@dataclass
class Policy:
    """A whole policy after `extends` is resolved. Dict order is the file order."""

    id: str
    title: str
    version: str
    valid: Validity
    path: str
    sha256: str  # of the file's bytes (and, with extends, of the chain: see loader)
    sources: dict[str, Source] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    inputs: dict[str, Input] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    checks: dict[str, Check] = field(default_factory=dict)
    letter: Letter | None = None  # the decision letters' wording; with extends, the child's or else the parent's
    extends: str | None = None  # path of the parent as written
    chain: tuple[str, ...] = ()  # files read, child first
    file_lines: dict[str, list[str]] = field(default_factory=dict, compare=False)
    file_sha256: dict[str, str] = field(default_factory=dict, compare=False)  # per file of chain
    params: Any = field(default=None, compare=False)  # --params applied: evaluator.result.ParamsInfo
    title_template: Template | None = field(default=None, compare=False)  # the title as written

    def cite(self, ref: SourceRef | None) -> str | None:
        return ref.cite(self.sources) if ref else None

    def reader_cite(self, ref: SourceRef | None) -> str | None:
        """The citation people read (SourceRef.reader_citation)."""
        return ref.reader_citation(self.sources) if ref else None

    def reader_citations(self) -> dict[str, str]:
        """Every citation of the policy as the JSON outputs have it (`cite`), mapped to the one
        people read: for documents built in their JSON form (the explanation) and then rendered."""
        refs = [x.source for group in (self.parameters, self.inputs, self.rules, self.checks)
                for x in group.values()] + [SourceRef(sid) for sid in self.sources]
        out: dict[str, str] = {}
        for ref in refs:
            if ref is not None:
                out.setdefault(ref.cite(self.sources), ref.reader_citation(self.sources))
        return out
