"""docs/policy-file.md, generated from the shipped JSON Schemas so the reference cannot drift.

    python -m evaluator.policy.schemadoc > docs/policy-file.md

The schema descriptions are the one place a key is documented: editors show them while typing
(YAML language server) and this module turns them into the reference. A test compares the
committed file with the generated text.
"""

from __future__ import annotations

import sys
from typing import Any

from .schema import load_schema

Schema = dict[str, Any]  # a JSON Schema node

HEADER = """\
<!-- Generated from schemas/policy.schema.json and schemas/fixture.schema.json by
     `python -m evaluator.policy.schemadoc > docs/policy-file.md`. Do not edit by hand:
     change the schema's descriptions (or the intro in evaluator/policy/schemadoc.py). -->

# The policy file

A policy is one YAML file holding the conditions of a grant: the documents it rests on
(`sources`), what values are broken down by (`dimensions`), the figures it uses
(`parameters`), the data it reads (`inputs`), the computations (`rules`, in the expression
language of [language.md](language.md)), what a run reports (`outputs`) and what must hold
afterwards (`checks`). `villkor validate POLICY` checks a file and reports every problem as
`file:line:col: message` with a hint.

**Editor support.** The file follows `schemas/policy.schema.json` (JSON Schema draft 2020-12).
With a YAML language server (e.g. the VS Code YAML extension) put this first line in a policy
to get completion, these descriptions on hover, and errors while typing:

```yaml
# yaml-language-server: $schema=../schemas/policy.schema.json
```

**How values are read.**

- Ids (of rules, parameters, inputs, columns, dimensions, sources) are ASCII `snake_case`;
  titles and explanations may be Swedish.
- Numbers are exact: `0.1` is the decimal 0.1, never a binary float. `750_000_000` is allowed.
- Dates are written `YYYY-MM-DD` (unquoted); a date with a time of day is refused.
- A key given twice in the same mapping is an error (YAML would silently keep the last one).
- YAML tags (`!!python/...`) and merge keys (`<<`) are refused; anchors and aliases are
  allowed but may repeat at most 10 000 values, and nesting is limited to 100 levels.
- The file must be UTF-8.

**Sections keyed by id.** `sources`, `dimensions`, `parameters`, `inputs`, `rules` and
`checks` are mappings from id to entry, so an id is unique and `extends` can override it.

**Extending a policy.** `extends: ../2026_performance.yaml` (relative to this file) inherits
every section of that policy. An entry with the same id in this file replaces the inherited
one whole; `remove: [id, ...]` drops inherited entries (naming an id the parent does not have
is an error); an `outputs` list here replaces the parent's. `policy`, `title`, `version` and
`valid` are always this file's own. Policies may not extend each other in a circle.

**Fingerprint.** Every run reports the policy's sha256: the sha256 of the file's bytes, or,
for a policy that extends others, the sha256 of the text formed by the hex sha256 of each
file of the chain, the extending file first (so a change in any file of the chain changes it).

**Parameter overrides.** `villkor run --params FILE.yaml` (and a fixture's `params:`) maps
parameter ids to new values of the same kind: a scalar, a list, or for a table a mapping of
members, nested per dimension. A partial table replaces only the cells it names; the other
cells keep the policy's values. The long form `{value: ..., unit: kr}` also states the unit,
which must match the parameter's; it may set `status` and `note` too.

**Checked beyond the schema** (all reported together): dimensions named in `per` and `by`
exist; table keys are members of their dimensions and a `complete` table (the default) has
every member; an input's `by` columns exist and have the dimension as their type; outputs name
rules; citations name sources; `valid.from` is not after `valid.to`; defaults and declared
parameter types fit their values.

## Titles that name parameters

A title people read (the policy's own, and that of a dimension, parameter, input, input
column, rule, check or letter figure) may name parameters in braces, so that it follows their
values instead of repeating this year's digits. From `policies/2026_performance.yaml`:

```yaml
title: Prestationsbaserade medel för att korta vårdköerna {measurement_year}
parameters:
  budget:
    title: Högst att betala ut {measurement_year} (P-1)
rules:
  baseline:
    title: Jämförelsetal, genomsnitt januari–oktober {baseline_years} (P-4)
```

Every report, explanation, decision letter, diff and policy document shows the text filled
in: "Prestationsbaserade medel för att korta vårdköerna 2026", "Jämförelsetal, genomsnitt
januari–oktober 2023, 2024 och 2025 (P-4)". The 2027 draft (`examples/2027_draft/`), which
extends this file with `measurement_year: 2027` and `baseline_years: [2024, 2025, 2026]`,
inherits the same titles and shows 2027 and "2024, 2025 och 2026"; so does a run whose
`--params` changes those values.

- A placeholder names a parameter with one value, shown as a sentence of a decision letter
  shows it: a year as written (`2026`), a date by name (`16 mars 2026`), a number in digits
  with thin spaces and without its unit word (`750 000 000`), a text as written, a list of
  years (`unit: year`) as words (`2023, 2024 och 2025`).
- It may not name a rule (a title is filled in when the policy is read, before any data), a
  dimension, a table (`by`), a true/false parameter, or a list of anything but years.
  `villkor validate` reports such a placeholder, and an unknown name, at its place in the
  file with the code VK006 and a hint; no format (`{x:>4}`) is allowed; `{{` and `}}` are
  literal braces. A title that starts with `{` is quoted: `title: "{measurement_year}: …"`.
- A source's `title` is a document's title and a citation's `passage` quotes the document:
  both are shown as written.
- `villkor lint` reports a year written as digits in a title that lies outside the validity
  window (VK108) and names the parameter that holds this year: `use {measurement_year} (2027)`.
- `villkor diff` compares titles as written: a title that reads differently only because a
  parameter it names changed is not listed as a change; the parameter is.

## A complete example

```yaml
"""

EXAMPLE = """\
policy: 2026_performance                # id: lower-case letters, digits, underscores
title: Prestationsbaserade medel för att korta vårdköerna {measurement_year}
version: "2026.1"
valid: {from: 2026-01-01, to: 2027-03-31}

sources:                                # citable documents; rules cite them by id
  bilaga1:
    document: seeds/003_eaecc791a4958583.txt
    title: Uppdrag ... bilaga 1
    passage: Bilaga 1                   # default passage when a citation names none
  beslut:
    document: seeds/001_beslut.txt

dimensions:
  region:
    title: Region
    members: [Stockholm, Uppsala, Gotland]
  measure:
    members: [hip_prosthesis, cataract]
    labels: {hip_prosthesis: Höftledsprotes, cataract: Grå starr}
  month:
    members: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]

parameters:
  budget:
    title: Högsta belopp att betala ut {measurement_year}   # filled in: ... 2026
    value: 750000000
    unit: kr
    source: {ref: beslut, passage: andra stycket}
    status: official                    # official | illustrative
  tariff:                               # a table: `by` names its dimensions
    by: [measure]
    value: {hip_prosthesis: 85000, cataract: 9000}   # two dims: nested mappings
    unit: kr/count
    status: illustrative
    note: Socialstyrelsen's approximate costs are not in the source documents.
  measurement_year: {value: 2026, unit: year, source: {ref: bilaga1}}
  period_months: {value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], unit: month, source: {ref: bilaga1}}
  requisition_deadline: {value: 2026-03-16, type: date, source: {ref: bilaga1, passage: Villkor}}

inputs:
  procedures:
    title: Utförda ingrepp
    by: {region: home_region, measure: measure}   # which column carries which dimension
    unique: false                                 # true: at most one row per `by` key
    optional: false
    columns:
      home_region: {type: region}       # a dimension id: values must be its members
      performing_region: {type: region}
      provider: {type: string, enum: [public, private]}
      measure: {type: measure}
      year: {type: int}
      month: {type: int, min: 1, max: 12}
      count: {type: int, min: 0, default: 1}

rules:
  performed:
    title: Utförda ingrepp under mätperioden
    per: [region, measure]
    expr: sum(procedures[year = measurement_year and month in period_months].count)
    unit: count
    source: {ref: bilaga1, passage: Mätperiod}
    explain: "{region} utförde {value} ingrepp ({measure}) januari–oktober {measurement_year}."
  compensation:
    per: [region, measure]
    expr: performed * tariff
    unit: kr
    source: {ref: bilaga1}
  payout:
    per: [region]
    expr: sum(compensation)
    unit: kr
    source: {ref: bilaga1}

outputs: [performed, compensation, payout]

checks:
  within_budget:
    title: Utbetalningarna ryms i budgeten
    expr: sum(payout) <= budget
    source: {ref: beslut, passage: andra stycket}
"""

FIXTURE_INTRO = """\
# The fixture file

A fixture states by hand what a policy must produce on a small data set; `villkor test` and
plain `pytest` run every fixture under `tests/fixtures/`. It follows
`schemas/fixture.schema.json`:

```yaml
policy: ../../policies/2026_performance.yaml
description: cap binds for Gotland
data:                      # inline rows, or a path to a data directory
  procedures: [{home_region: Gotland, performing_region: Gotland, provider: public,
                measure: cataract, year: 2026, month: 3, count: 900}]
expect:
  payout: {Gotland: 4795726}
  eligible: [{region: Gotland, measure: cataract, value: 600}]
```

"""

TYPE_WORDS = {"string": "text", "number": "number", "integer": "whole number", "boolean": "true/false",
              "object": "mapping", "array": "list", "null": "null"}


class _Doc:
    """Walks a schema, resolving local `$ref`s, and writes one table per mapping it meets."""

    def __init__(self, schema: Schema):
        self.root = schema
        self.out: list[str] = []
        self.expanding: set[str] = set()  # $refs being described: a recursive one is named, not expanded
        self.documented: set[str] = set()  # shared definitions ($refs) get one section, where first met

    def resolve(self, node: Schema) -> Schema:
        """`{"$ref": ..., title, description}`: the target, with the referring node's own texts."""
        if "$ref" not in node:
            return node
        target = self.root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        merged = {**self.resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}
        return merged

    def kind(self, node: Schema) -> str:
        """A short plain description of the values a node allows."""
        ref = node.get("$ref")
        if ref in self.expanding:
            return str(self.resolve(node).get("title", "the same")).lower()
        target = self.resolve({"$ref": ref}) if ref else {}
        if target.get("properties") and target.get("title"):
            return f"{target['title'].lower()} (mapping)"
        if ref:
            self.expanding.add(ref)
            try:
                return self.kind_of(self.resolve(node))
            finally:
                self.expanding.discard(ref)
        return self.kind_of(node)

    def kind_of(self, node: Schema) -> str:
        if "enum" in node:
            return "one of " + ", ".join(f"`{_show(v)}`" for v in node["enum"])
        if "anyOf" in node:
            return " or ".join(self.kind(alt) for alt in node["anyOf"])
        types = node.get("type")
        if types is None:
            return "any value"
        if isinstance(types, list):
            return " or ".join(TYPE_WORDS[t] for t in types)
        if types == "string":
            if node.get("format") == "date":
                return "date (YYYY-MM-DD)"
            if node.get("pattern") == "^[a-z_][a-z0-9_]*$":
                return "id"
            if node.get("pattern"):
                return f"text matching `{node['pattern']}`"
        if types == "array" and "items" in node:
            return f"list of {self.kind(node['items'])}"
        if types == "object" and "additionalProperties" in node and not node.get("properties"):
            inner = node["additionalProperties"]
            if isinstance(inner, dict) and self.resolve(inner).get("properties"):
                return f"mapping of id to {self.resolve(inner).get('title', 'entry').lower()}"
            if isinstance(inner, dict) and "$ref" in inner:
                return f"mapping to {self.resolve(inner).get('title', 'value').lower()}"
            if isinstance(inner, dict) and inner:
                return f"mapping to {self.kind(inner)}"
        return TYPE_WORDS.get(types, str(types))

    def table(self, heading: str, node: Schema) -> list[tuple[str, Schema]]:
        """A heading, the node's description, and a row per property; then nested mappings."""
        node = self.resolve(node)
        self.out += [heading, ""]
        if node.get("description"):
            self.out += [node["description"], ""]
        required = set(node.get("required", ()))
        conditional = set(node.get("then", {}).get("required", ())) if "if" in node else set()
        self.out += ["| Key | Value | Required | Description |", "|---|---|---|---|"]
        nested: list[tuple[str, Schema]] = []
        for key, sub in node.get("properties", {}).items():
            full = self.resolve(sub)
            needed = "yes" if key in required else "unless `extends` is given" if key in conditional else ""
            text = f"**{full['title']}.** " if full.get("title") else ""
            text += full.get("description", "") + _limits(full)
            self.out.append(f"| `{key}` | {_cell(self.kind(sub))} | {needed} | {_cell(text)} |")
            nested.append((key, sub))
        self.out.append("")
        if node.get("additionalProperties") is False:
            self.out += ["No other keys are allowed.", ""]
        return nested

    def section(self, level: int, name: str, node: Schema) -> None:
        """Document `node` at `name`, then every mapping below it (entries keyed by id as `<id>`)."""
        node = self.resolve(node)
        title = node.get("title")
        heading = "#" * level + f" `{name}`" + (f" — {title}" if title else "")
        for key, sub in self.table(heading, node):
            self.below(level + 1, f"{name}.{key}" if name else key, sub)

    def below(self, level: int, name: str, node: Schema) -> None:
        ref = node.get("$ref")
        if ref in self.documented:
            return
        if ref:
            self.documented.add(ref)
        node = self.resolve(node)
        if node.get("properties"):
            self.section(level, name, node)
            return
        entry = node.get("additionalProperties")
        if isinstance(entry, dict) and self.resolve(entry).get("properties"):
            self.section(level, f"{name}.<id>", entry)
            return
        items = node.get("items")
        if isinstance(items, dict) and self.resolve(items).get("properties"):
            self.section(level, f"{name}[]", items)


def _limits(node: Schema) -> str:
    """Constraints the type column does not show."""
    if node.get("minLength") or node.get("minItems") or node.get("minProperties"):
        return " Must not be empty."
    return ""


def _show(value: Any) -> str:
    return {"\t": "tab"}.get(value, str(value)) if isinstance(value, str) else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole of docs/policy-file.md."""
    policy = load_schema("policy.schema.json")
    doc = _Doc(policy)
    doc.out.append(HEADER + EXAMPLE + "```\n")
    doc.out.append("## Reference\n")
    top = doc.table("### Top-level keys", policy)
    for key, sub in top:
        doc.below(3, key, sub)
    fixture = load_schema("fixture.schema.json")
    fdoc = _Doc(fixture)
    fdoc.out.append(FIXTURE_INTRO.rstrip("\n") + "\n")
    fdoc.table("## Fixture keys", fixture)
    fdoc.table("## Keys of a case (`cases:`)", fixture["properties"]["cases"]["items"])
    expected = fixture["$defs"]["expected"]
    fdoc.out += [f"### `expect.<rule>` — {expected['title']}", "", expected["description"], ""]
    text = "\n".join(doc.out + fdoc.out)
    return text.rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
