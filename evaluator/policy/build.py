"""A validated YAML tree -> the typed Policy model, with `extends` resolved.

`extends: ../2026_performance.yaml` inherits every section; an entry with the same id in the
child replaces the inherited one whole; `remove: [ids]` drops inherited entries; a child's
`outputs` list replaces the parent's. The sha256 of an extended policy is the sha256 of the
concatenated hex sha256 of each file of the chain, child first (`Policy.file_sha256` keeps them),
so a change anywhere in the chain changes it; without `extends` it is the file's own sha256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..errors import EXTENDS_CYCLE, CycleError, Location, PolicyError, VillkorError, did_you_mean, raise_all
from .loader import Loaded, load_yaml
from .model import (
    Check,
    Column,
    Dimension,
    Figure,
    Input,
    Letter,
    LetterSection,
    Paragraph,
    Parameter,
    Policy,
    Rule,
    Source,
    SourceRef,
    Template,
    Validity,
)
from .params import Locator, _override, check_bounds
from .schema import validate_tree
from .titles import check_titles, fill_titles

Raw = dict[str, Any]  # an entry of the policy file as YAML reads it

SECTIONS = ("sources", "dimensions", "parameters", "inputs", "rules", "checks")
BASE_TYPES = ("int", "decimal", "money", "bool", "date", "string")


MAX_EXTENDS = 50  # files in one `extends` chain; real chains are a handful of years long


def load_policy(path: str) -> Policy:
    """Load a policy file (and the chain it extends), validate it, and build the model."""
    return _load(os.path.normpath(path))


def _load(path: str) -> Policy:
    """Read the chain child first (iteratively: a long chain cannot exhaust the stack), then
    build it from the oldest policy down, each file merged over the one it extends."""
    chain: list[Loaded] = []
    seen: list[str] = []
    current = path
    while True:
        real = os.path.realpath(current)
        if real in seen:
            cycle = " -> ".join([*seen, real])
            raise CycleError(f"policies extend each other in a circle: {cycle}", Location(file=current),
                             "a policy may extend an older one, never itself through others",
                             code=EXTENDS_CYCLE, cycle=tuple(seen[seen.index(real):]))
        loaded = load_yaml(current)
        parent_path = _parent_path(loaded)  # before the schema: a missing parent explains missing keys
        if parent_path is not None:
            loaded.bare = _bare_values_to_entries(loaded)
        raise_all(validate_tree(loaded, "policy.schema.json"))
        chain.append(loaded)
        seen.append(real)
        if parent_path is None:
            break
        if len(chain) >= MAX_EXTENDS:
            raise PolicyError(f"the chain of `extends` is longer than {MAX_EXTENDS} files "
                              f"(the {MAX_EXTENDS}th is {current})", chain[0].location(("extends",)),
                              "extend last year's policy directly, not a long line of drafts")
        current = parent_path
    policy: Policy | None = None
    for loaded in reversed(chain):
        policy = _Builder(loaded, policy).build()
        _check_semantics(policy, loaded)
    if policy is None:  # the loop ran at least once: the chain holds `path` itself
        raise LookupError(path)
    raise_all(check_titles(policy))  # the merged policy: a child may give a parent's title its parameter
    return fill_titles(policy)


def _bare_values_to_entries(loaded: Loaded) -> set[str]:
    """In a policy that extends another, `total: 5500000000` means `total: {value: 5500000000}`.
    Returns the ids so written (each must name an inherited parameter)."""
    params = loaded.tree.get("parameters")
    bare: set[str] = set()
    if not isinstance(params, dict):
        return bare
    for pid, entry in params.items():
        if not isinstance(entry, dict):
            bare.add(pid)
            params[pid] = {"value": entry}
            path = ("parameters", pid)
            for marks in (loaded.marks, loaded.key_marks):
                moved = {k[:2] + ("value",) + k[2:]: v for k, v in marks.items() if k[:2] == path and k != path}
                for k in [k for k in marks if k[:2] == path and k != path]:
                    del marks[k]
                marks.update(moved)
            loaded.marks[path + ("value",)] = loaded.marks.get(path, (1, 1))
            loaded.key_marks[path + ("value",)] = loaded.marks.get(path, (1, 1))
    return bare


def _value_only(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) == {"value"}


def _parent_path(loaded: Loaded) -> str | None:
    """The file named by `extends` (relative to this file); it must exist."""
    tree = loaded.tree
    extends = tree.get("extends") if isinstance(tree, dict) else None
    if not isinstance(extends, str) or not extends:
        return None  # absent, or not text: the schema says so
    parent_path = os.path.normpath(os.path.join(os.path.dirname(loaded.path), extends))
    if not os.path.isfile(parent_path):
        what = "is a folder, not a policy file" if os.path.isdir(parent_path) else "does not exist"
        raise PolicyError(f"the policy it extends {what}: {parent_path}",
                          loaded.location(("extends",)), "the path is relative to this file")
    return parent_path


def chain_sha256(file_sha256: dict[str, str]) -> str:
    """The sha256 of a chain of files: of their hex digests concatenated, child first."""
    if len(file_sha256) == 1:
        return next(iter(file_sha256.values()))
    return hashlib.sha256("".join(file_sha256.values()).encode()).hexdigest()


class _Builder:
    def __init__(self, loaded: Loaded, parent: Policy | None) -> None:
        self.loaded = loaded
        self.parent = parent
        self.tree = loaded.tree
        self.errors: list[VillkorError] = []

    def loc(self, *path: Any, key: bool = False) -> Location:
        return self.loaded.location(tuple(path), key=key)

    def build(self) -> Policy:
        t = self.tree
        own: dict[str, Any] = {
            "sources": {k: self.source(k, v) for k, v in (t.get("sources") or {}).items()},
            "dimensions": {k: self.dimension(k, v) for k, v in (t.get("dimensions") or {}).items()},
            "parameters": {k: self.parameter(k, v) for k, v in (t.get("parameters") or {}).items()
                           if k not in self.value_overrides()},
            "inputs": {k: self.input(k, v) for k, v in (t.get("inputs") or {}).items()},
            "rules": {k: self.rule(k, v) for k, v in (t.get("rules") or {}).items()},
            "checks": {k: self.check(k, v) for k, v in (t.get("checks") or {}).items()},
        }
        letter = self.letter(t["letter"]) if t.get("letter") else None
        raise_all(self.errors)
        valid = t["valid"]
        policy = Policy(id=t["policy"], title=t["title"], version=t["version"],
                        valid=Validity(_date(valid["from"]), _date(valid["to"])),
                        path=self.loaded.path, sha256=self.loaded.sha256,
                        outputs=tuple(t.get("outputs") or ()), extends=t.get("extends"),
                        chain=(self.loaded.path,), file_lines={self.loaded.path: self.loaded.lines},
                        file_sha256={self.loaded.path: self.loaded.sha256}, letter=letter,
                        title_template=self.template(t), **own)
        if self.parent is not None:
            policy = self.merge(policy)
        elif t.get("remove"):
            raise PolicyError("'remove' only applies to a policy that extends another",
                              self.loc("remove"), "add extends: or drop remove:")
        elif "outputs" not in t:
            policy.outputs = tuple(policy.rules)
        return policy

    def value_overrides(self) -> dict[str, Any]:
        """Inherited parameters the child gives only a new value: every other field is kept."""
        if self.parent is None:
            return {}
        return {k: v["value"] for k, v in (self.tree.get("parameters") or {}).items()
                if _value_only(v) and k in self.parent.parameters}

    def merge(self, child: Policy) -> Policy:
        parent = self.parent
        if parent is None:
            raise LookupError("only a policy that extends another is merged")
        removed = list(self.tree.get("remove") or [])
        merged: dict[str, dict[str, Any]] = {}
        for section in SECTIONS:
            entries = dict(getattr(parent, section))
            entries.update(getattr(child, section))
            merged[section] = entries
        outputs = list(child.outputs if "outputs" in self.tree else parent.outputs)
        for i, rid in enumerate(removed):
            hit = False
            for section in SECTIONS:
                if rid in merged[section] and rid not in getattr(child, section):
                    del merged[section][rid]
                    hit = True
            if rid in outputs and "outputs" not in self.tree:  # the child's own list is checked as is
                outputs.remove(rid)
                hit = True
            if not hit:
                known = [k for s in SECTIONS for k in getattr(parent, s)]
                raise PolicyError(f"cannot remove '{rid}': the extended policy has no such entry",
                                  self.loc("remove", i), did_you_mean(rid, known))
        for section in SECTIONS:
            setattr(child, section, merged[section])
        errors: list[VillkorError] = [
            PolicyError(f"parameter '{pid}' is not inherited, so a bare value cannot override it",
                        self.loc("parameters", pid, key=True),
                        did_you_mean(str(pid), parent.parameters) or
                        "a new parameter is written in full: {value: ..., unit: ..., source: ...}")
            for pid in sorted(self.loaded.bare, key=str) if pid not in parent.parameters]
        for pid, raw in self.value_overrides().items():
            try:
                child.parameters[pid] = replace(_override(
                    child, parent.parameters[pid], raw, self.loc("parameters", pid, "value"),
                    self.value_locator(pid)),
                    location=self.loc("parameters", pid, key=True))  # the value is written here now
            except VillkorError as err:
                errors.append(err)
        raise_all(errors)
        child.outputs = tuple(o for o in outputs)
        child.letter = child.letter or parent.letter
        child.chain = (self.loaded.path,) + parent.chain
        child.file_lines = {**parent.file_lines, **child.file_lines}
        child.file_sha256 = {**child.file_sha256, **parent.file_sha256}
        child.sha256 = chain_sha256(child.file_sha256)
        return child

    def value_locator(self, pid: str) -> Locator:
        """Places inside the value a child gives an inherited parameter `pid`."""
        def locate(sub: tuple[Any, ...], key: bool = True) -> Location:
            return self.loc("parameters", pid, "value", *sub, key=key)
        return locate

    # -- entries

    def ref(self, value: Raw | None, *path: Any) -> SourceRef | None:
        if not value:
            return None
        return SourceRef(value["ref"], value.get("passage"), self.loc(*path, "ref"))

    def source(self, sid: str, v: Raw) -> Source:
        return Source(sid, v["document"], v.get("title"), v.get("passage"), v.get("url"),
                      self.loc("sources", sid, key=True))

    def dimension(self, did: str, v: Raw) -> Dimension:
        members = tuple(v["members"])
        dupes = sorted({str(m) for m in members if members.count(m) > 1})
        if dupes:
            self.errors.append(PolicyError(f"dimension '{did}' lists {', '.join(dupes)} more than once",
                                           self.loc("dimensions", did, "members")))
        return Dimension(did, members, v.get("title"), dict(v.get("labels") or {}),
                         self.loc("dimensions", did, key=True),
                         title_template=self.template(v, "dimensions", did))

    def parameter(self, pid: str, v: Raw) -> Parameter:
        by = tuple(v.get("by") or ())
        value = v["value"]
        cells: dict[tuple[Any, ...], Location] = {}
        if by:
            value, cells = self.table(pid, value, by)
        elif isinstance(value, dict):
            self.errors.append(PolicyError(f"parameter '{pid}' has a table value but no 'by'",
                                           self.loc("parameters", pid, "value"),
                                           "name its dimensions, e.g. by: [region]"))
        return Parameter(pid, value, by, v.get("unit"), v.get("type"), v.get("title"),
                         self.ref(v.get("source"), "parameters", pid, "source"),
                         v.get("status", "official"), v.get("note"), v.get("complete", True),
                         self.loc("parameters", pid, key=True), cells, v.get("min"), v.get("max"),
                         title_template=self.template(v, "parameters", pid), reading=v.get("reading", False))

    def table(self, pid: str, value: Any, by: tuple[str, ...]
              ) -> tuple[dict[tuple[Any, ...], Any], dict[tuple[Any, ...], Location]]:
        """Nested mappings, one level per dimension -> {(member, ...): value}."""
        out: dict[tuple[Any, ...], Any] = {}
        cells: dict[tuple[Any, ...], Location] = {}

        def walk(node: Any, depth: int, key: tuple[Any, ...], path: tuple[Any, ...]) -> None:
            if depth == len(by):
                if isinstance(node, (dict, list)):
                    self.errors.append(PolicyError(f"parameter '{pid}': expected one value at "
                                                   f"{', '.join(map(str, key))}", self.loc(*path)))
                    return
                out[key] = node
                return
            if not isinstance(node, dict):
                self.errors.append(PolicyError(
                    f"parameter '{pid}' is by {', '.join(by)}: expected a mapping of {by[depth]} members",
                    self.loc(*path), "e.g. value: {Stockholm: 161423243, Uppsala: 28007085}"))
                return
            for member, sub in node.items():
                # where each member is written (key prefix -> the member's key), for member errors
                cells[key + (member,)] = self.loc(*path, member, key=True)
                walk(sub, depth + 1, key + (member,), path + (member,))
        walk(value, 0, (), ("parameters", pid, "value"))
        return out, cells

    def input(self, iid: str, v: Raw) -> Input:
        columns: dict[str, Column] = {}
        for cid, c in v["columns"].items():
            columns[cid] = Column(cid, c["type"], bool(c.get("nullable", False)), c.get("default"),
                                  c.get("min"), c.get("max"), tuple(c["enum"]) if c.get("enum") else None,
                                  c.get("title"), self.loc("inputs", iid, "columns", cid, key=True),
                                  bool(c.get("optional", False)), c.get("unit"),
                                  title_template=self.template(c, "inputs", iid, "columns", cid))
        return Input(iid, columns, dict(v.get("by") or {}), bool(v.get("unique", False)),
                     bool(v.get("optional", False)), v.get("title"),
                     self.ref(v.get("source"), "inputs", iid, "source"), dict(v.get("format") or {}),
                     self.loc("inputs", iid, key=True), title_template=self.template(v, "inputs", iid))

    def template(self, entry: Raw, *path: Any) -> Template | None:
        """An entry's title as written, with the place of its text (for titles.py and lint)."""
        title = entry.get("title")
        return Template(title, self.loc(*path, "title")) if isinstance(title, str) else None

    def expr_location(self, *path: Any) -> Location:
        line, col = self.loaded.marks.get(tuple(path), (1, 1))
        return Location(file=self.loaded.path, line=line, column=col)

    def rule(self, rid: str, v: Raw) -> Rule:
        return Rule(rid, v["expr"], tuple(v.get("per") or ()), v.get("unit"), v.get("type"),
                    v.get("title"), self.ref(v.get("source"), "rules", rid, "source"), v.get("explain"),
                    bool(v.get("nullable", False)), self.loc("rules", rid, key=True),
                    self.expr_location("rules", rid, "expr"), title_template=self.template(v, "rules", rid))

    def check(self, cid: str, v: Raw) -> Check:
        return Check(cid, v["expr"], tuple(v.get("per") or ()), v.get("title"),
                     self.ref(v.get("source"), "checks", cid, "source"), self.loc("checks", cid, key=True),
                     self.expr_location("checks", cid, "expr"), bool(v.get("invariant", False)),
                     title_template=self.template(v, "checks", cid))


    def letter(self, v: Raw) -> Letter:
        sections = tuple(
            LetterSection(sec["heading"], tuple(self.paragraph(p, ("letter", "sections", i, "paragraphs", j))
                                                for j, p in enumerate(sec["paragraphs"])),
                          bool(sec.get("list", False)), self.loc("letter", "sections", i))
            for i, sec in enumerate(v["sections"]))
        appendix, index = v.get("appendix") or {}, v.get("index") or {}
        date = v["date"] if re.fullmatch(r"[a-z_][a-z0-9_]*", str(v["date"])) else _date(v["date"])
        return Letter(v["per"], v["authority"], date, v["title"], sections, v.get("draft"),
                      appendix.get("heading"), self.figures(appendix.get("figures"), "appendix"),
                      index.get("title"), self.figures(index.get("figures"), "index"),
                      self.loc("letter", key=True),
                      {"title": self.loc("letter", "title"), "date": self.loc("letter", "date"),
                       "appendix": self.loc("letter", "appendix", "heading") if appendix else self.loc("letter"),
                       "index": self.loc("letter", "index", "title") if index else self.loc("letter")})

    def paragraph(self, v: str | Raw, path: tuple[str | int, ...]) -> Paragraph:
        if isinstance(v, str):
            return Paragraph(v, location=self.loc(*path))
        return Paragraph(v["text"], v.get("when"), v.get("unless"), self.loc(*path, "text"))

    def figures(self, items: list[str | Raw] | None, part: str) -> tuple[Figure, ...]:
        return tuple(Figure(f, None, self.loc("letter", part, "figures", i)) if isinstance(f, str)
                     else Figure(f["rule"], f.get("title"), self.loc("letter", part, "figures", i),
                                 self.template(f, "letter", part, "figures", i))
                     for i, f in enumerate(items or ()))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------- checks without the language


def _cell_locator(p: Parameter) -> Callable[[tuple[Any, ...]], Location]:
    """Where each cell (or the whole value) of a parameter is written."""
    def locate(key: tuple[Any, ...]) -> Location:
        return p.value_locations.get(key, p.location)
    return locate


def _check_semantics(policy: Policy, loaded: Loaded) -> None:
    errors: list[VillkorError] = []
    dims = policy.dimensions
    if policy.valid.start > policy.valid.end:
        errors.append(PolicyError(f"valid.from ({policy.valid.start}) is after valid.to ({policy.valid.end})",
                                  loaded.location(("valid",))))
    for p in policy.parameters.values():
        errors += _check_dims(p.by, dims, p.location, f"parameter '{p.id}'")
        errors += _check_twice(p.by, p.location, f"parameter '{p.id}' is by")
        errors += check_bounds(p, p.value, _cell_locator(p))
        errors += _check_declared_type(p)
        if p.by and all(d in dims for d in p.by):
            errors += _check_table(p, dims)
        errors += _check_ref(policy, p.source, f"parameter '{p.id}'")
    for inp in policy.inputs.values():
        errors += _check_input(inp, dims)
        errors += _check_ref(policy, inp.source, f"input '{inp.id}'")
    items: list[Rule | Check] = [*policy.rules.values(), *policy.checks.values()]
    for item in items:
        what = f"rule '{item.id}'" if isinstance(item, Rule) else f"check '{item.id}'"
        errors += _check_dims(item.per, dims, item.location, what)
        errors += _check_twice(item.per, item.location, f"{what} is per")
        errors += _check_ref(policy, item.source, what)
    for i, rid in enumerate(policy.outputs):
        if rid not in policy.rules:
            errors.append(PolicyError(f"output '{rid}' is not a rule", loaded.location(("outputs", i)),
                                      did_you_mean(rid, policy.rules)))
    raise_all(errors)


def _check_dims(names: Sequence[str], dims: Mapping[str, Dimension], location: Location,
                what: str) -> list[VillkorError]:
    return [PolicyError(f"{what} names an unknown dimension '{d}'", location,
                        did_you_mean(d, dims) or f"dimensions: {', '.join(dims) or 'none declared'}")
            for d in names if d not in dims]


def _check_twice(names: tuple[str, ...], location: Location, what: str) -> list[VillkorError]:
    twice = sorted({d for d in names if list(names).count(d) > 1})
    return [PolicyError(f"{what} {d} twice", location, "name each dimension once") for d in twice]


def _check_ref(policy: Policy, ref: SourceRef | None, what: str) -> list[VillkorError]:
    if ref is None or ref.ref in policy.sources:
        return []
    return [PolicyError(f"{what} cites an unknown source '{ref.ref}'", ref.location,
                        did_you_mean(ref.ref, policy.sources) or "declare it under sources:")]


def _check_table(p: Parameter, dims: Mapping[str, Dimension]) -> list[VillkorError]:
    errors: list[VillkorError] = []
    reported: set[tuple[Any, ...]] = set()
    for key in p.value:
        for depth, (d, member) in enumerate(zip(p.by, key)):
            prefix = key[:depth + 1]  # a wrong outer member is reported once, at its key
            if member not in dims[d].members and prefix not in reported:
                reported.add(prefix)
                errors.append(PolicyError(f"parameter '{p.id}': {member!r} is not a member of '{d}'",
                                          p.value_locations.get(prefix, p.location),
                                          did_you_mean(str(member), [str(m) for m in dims[d].members])))
    if p.complete and not errors:
        wanted = itertools.product(*[dims[d].members for d in p.by])
        missing = [k for k in wanted if k not in p.value]
        if missing:
            names = ", ".join("/".join(map(str, k)) for k in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            errors.append(PolicyError(f"parameter '{p.id}' has no value for {names}{more}", p.location,
                                      "add them, or declare complete: false if they may be missing"))
    kinds = {type(v) if not isinstance(v, bool) else bool for v in p.value.values()}
    if {int, Decimal} & kinds and kinds - {int, Decimal}:
        errors.append(PolicyError(f"parameter '{p.id}' mixes numbers and other values", p.location))
    return errors


KIND_OF_TYPE = {"number": "a number", "bool": "true or false", "string": "text", "date": "a date"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else "nothing"


def _check_declared_type(p: Parameter) -> list[VillkorError]:
    """A declared `type:` must fit the value (each cell of a table, each item of a list);
    the items of a list are all of one kind."""
    if isinstance(p.value, list) and p.value:
        for i, item in enumerate(p.value):
            if isinstance(item, (list, dict)) or _kind(item) != _kind(p.value[0]):
                return [PolicyError(f"parameter '{p.id}': item {i + 1} of the list is {_kind(item)} "
                                    f"({item!r}), the first is {_kind(p.value[0])}", p.location,
                                    "every item of a list has the same kind")]
    if p.type == "list":
        if p.by or isinstance(p.value, list):
            return []
        return [PolicyError(f"parameter '{p.id}' is declared a list but its value is {_kind(p.value)}",
                            p.location, "write the value as a list, e.g. value: [2023, 2024]")]
    wanted = KIND_OF_TYPE.get(p.type or "")
    if wanted is None and p.type is None and (p.unit or p.min is not None or p.max is not None):
        wanted = "a number"  # a unit or bounds make it a number
        p = replace(p, type="number (it has a unit or bounds)")
    if wanted is None:  # no type, or duration (written as a number with a unit)
        return []
    if p.by:
        cells = list(p.value.items())
    elif isinstance(p.value, list):
        cells = [((i,), v) for i, v in enumerate(p.value)]
    else:
        cells = [((), p.value)]
    for key, value in cells:
        if _kind(value) != wanted:
            at = f" at {', '.join(map(str, key))}" if key and p.by else ""
            return [PolicyError(f"parameter '{p.id}' is declared {p.type} but its value{at} is "
                                f"{_kind(value)} ({value!r})", p.location,
                                f"write the number without quotes: {value}" if wanted == "a number"
                                and isinstance(value, str) else
                                "dates are written YYYY-MM-DD, text that looks like a number is quoted")]
    return []


def _check_input(inp: Input, dims: Mapping[str, Dimension]) -> list[VillkorError]:
    errors: list[VillkorError] = []
    for col in inp.columns.values():
        if col.type not in BASE_TYPES and col.type not in dims:
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': unknown type '{col.type}'",
                                      col.location, did_you_mean(col.type, [*BASE_TYPES, *dims]) or
                                      f"types: {', '.join(BASE_TYPES)} or a dimension id"))
        elif col.unit is not None and col.type not in ("int", "decimal", "money"):
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': a unit applies to number "
                                      f"columns (int, decimal, money) only, and this one is {col.type}",
                                      col.location, "remove the unit"))
        elif col.type == "money" and col.unit not in (None, "kr"):
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': a money column is in kr, "
                                      f"not {col.unit}", col.location,
                                      "use type: decimal or int for other units"))
        elif col.enum and col.type != "string":
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': 'enum' applies to string "
                                      f"columns only, and this one is {col.type}", col.location,
                                      "use min and max for numbers; a dimension's members are its enum"))
        elif (col.min is not None or col.max is not None) and col.type not in ("int", "decimal", "money"):
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': min and max apply to number "
                                      f"columns (int, decimal, money) only, and this one is {col.type}",
                                      col.location, "remove them; a date or text column is not checked by them"))
        elif col.min is not None and col.max is not None and col.min > col.max:
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': min {col.min} is larger than "
                                      f"max {col.max}", col.location, "swap them, or correct one"))
        elif col.default is not None and not _default_fits(col, dims):
            errors.append(PolicyError(f"input '{inp.id}', column '{col.id}': default {col.default!r} "
                                      f"is not a {col.type}", col.location))
    for dim, column in inp.by.items():
        if dim not in dims:
            errors += _check_dims([dim], dims, inp.location, f"input '{inp.id}'")
        elif column not in inp.columns:
            errors.append(PolicyError(f"input '{inp.id}' is by {dim} through column '{column}', "
                                      "which it does not have", inp.location,
                                      did_you_mean(column, inp.columns) or
                                      f"its columns: {', '.join(inp.columns)}"))
        elif inp.columns[column].type != dim:
            errors.append(PolicyError(f"input '{inp.id}': column '{column}' carries {dim} but has type "
                                      f"'{inp.columns[column].type}'", inp.columns[column].location,
                                      f"declare it as type: {dim}"))
    if inp.unique and not inp.by:
        errors.append(PolicyError(f"input '{inp.id}' is unique but has no 'by' columns", inp.location,
                                  "say which columns identify a row, e.g. by: {region: region}"))
    return errors


def _default_fits(col: Column, dims: Mapping[str, Dimension]) -> bool:
    v = col.default
    if col.type in ("int",):
        return isinstance(v, int) and not isinstance(v, bool)
    if col.type in ("decimal", "money"):
        return isinstance(v, (int, Decimal)) and not isinstance(v, bool)
    if col.type == "bool":
        return isinstance(v, bool)
    if col.type == "date":
        return isinstance(v, dt.date)
    if col.type == "string":
        return isinstance(v, str) and (not col.enum or v in col.enum)
    return v in dims[col.type].members
