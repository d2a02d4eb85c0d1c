"""The Python API of villkor: load a policy, read its data, evaluate, explain, compare.

    import evaluator as villkor

    policy = villkor.load("policies/2026_performance.yaml")     # loaded, validated, checked
    data = policy.read("examples/2026")                          # or policy.read_tables({...})
    result = policy.evaluate(data)
    result.value("payout", region="Uppsala")                     # Decimal or int, never float
    result.to_json()                                             # as `villkor run --format json`
    result.explain("payout", region="Uppsala")                   # as `villkor explain --format json`
    villkor.compare(old, new, data="examples/2026").to_json()    # as `villkor diff --format json`

This module is the one place where the pipeline is wired (load → params → validate → check →
plan → read → evaluate): every command of the command line, the fixture runner, scenarios, the
diff and the follow-up report go through it. Like OPA's `rego.New(...).PrepareForEval()` and
cel-python's `compile → program`, checking is separate from evaluating: a `Policy` is checked
once and evaluates any number of data sets. Problems are `VillkorError`s that carry a location
(file, line and column, or table, row and column). numpy and pandas are imported only by the
methods that read or evaluate: importing this module stays cheap (docs/api.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .result import display_path

__all__ = ["Data", "Policy", "PolicyDiff", "Result", "compare", "load", "load_model"]


def load_model(path: str, params: str | None = None):
    """The policy model of a policy file (with `extends`), a params file applied, not yet
    checked: for callers that change the model before checking it (the follow-up report)."""
    from .policy.build import load_policy
    from .policy.params import apply_overrides

    model = load_policy(path)
    if params:
        model = with_params_info(model, apply_overrides(model, params), params)
    return model


def load(path: str, params: str | None = None) -> Policy:
    """A policy file loaded, its params file (a what-if) applied, and every rule checked."""
    return Policy.from_model(load_model(path, params), path=path, params=params)


def with_params_info(original, changed, params_path: str):
    """`changed` recording the params file (path, sha256) and every value it changed."""
    import dataclasses
    import hashlib

    from .result import ParamChange, ParamsInfo

    changes = []
    for pid, new in changed.parameters.items():
        old = original.parameters[pid]
        if new.by:
            for key, value in new.value.items():
                if old.value.get(key) != value:
                    changes.append(ParamChange(pid, new.title, dict(zip(new.by, key)), old.value.get(key),
                                               value, new.unit))
        elif old.value != new.value:
            changes.append(ParamChange(pid, new.title, None, old.value, new.value, new.unit))
    with open(params_path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    return dataclasses.replace(changed, params=ParamsInfo(display_path(params_path), digest, tuple(changes)))


class Policy:
    """A checked policy: every rule type-checked and ordered (the plan). It evaluates any
    number of data sets; it is not changed by doing so."""

    def __init__(self, plan, path: str | None = None, params: str | None = None):
        self.plan = plan
        self.path = path if path is not None else plan.policy.path  # as given (diff headings)
        self.params = params

    @classmethod
    def from_model(cls, model, path: str | None = None, params: str | None = None) -> Policy:
        """Check a policy model (evaluator.policy.model.Policy): the errors of all rules at once."""
        from .plan import plan

        return cls(plan(model), path, params)

    @property
    def model(self):
        """The policy as loaded (evaluator.policy.model.Policy): dimensions, parameters, rules, inputs."""
        return self.plan.policy

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def title(self) -> str:
        return self.model.title

    @property
    def outputs(self) -> list[str]:
        """The rules a run reports by default, in the policy's order."""
        return list(self.model.outputs)

    @property
    def rules(self) -> list[str]:
        """Every rule id, in evaluation order."""
        return [pr.id for pr in self.plan.order]

    def __repr__(self) -> str:
        return f"<Policy {self.id} {self.version}: {len(self.plan.rules)} rules>"

    # -- data

    def read(self, folder: str) -> Data:
        """The policy's inputs from a folder of CSV, Parquet or XLSX files, typed and checked
        (docs/data-files.md): a problem names the file, row and column."""
        from .data import read_inputs

        return Data(read_inputs(self.model, folder), folder)

    def read_tables(self, frames: dict[str, Any]) -> Data:
        """The policy's inputs from pandas DataFrames or pyarrow Tables, `{input id: frame}`,
        checked like files: a problem names the table (`table 'procedures'`), the row as the
        frame's index numbers it, and the column. An optional input left out is absent."""
        from .data import read_tables

        return Data(read_tables(self.model, frames))

    def read_rows(self, rows: dict[str, list[dict]], origin: str = "rows") -> Data:
        """The policy's inputs from plain rows, `{input id: [{column: value}, ...]}` (as a
        fixture file writes them); cells are read like the text of a CSV file."""
        from .data import tables_from_rows

        return Data(tables_from_rows(self.model.inputs, self.model.dimensions, rows, origin))

    # -- evaluation

    def evaluate(self, data: Data, trace: bool = False, stop_on_failed_check: bool = True,
                 rows: bool = False) -> Result:
        """Every rule, vectorised, then the checks. A failed check raises CheckFailed unless
        `stop_on_failed_check` is False; `trace` keeps what explanations are read from; `rows`
        evaluates every table row by row instead of on its cube, which an explanation that
        lists the input rows behind a sum needs (`explain(..., rows=True)`)."""
        from . import engine

        evaluation = engine.evaluate(self.plan, data.tables, trace=trace, stop_on_failed_check=stop_on_failed_check,
                                     rows=rows)
        return Result(self, data, evaluation, traced=trace and not stop_on_failed_check, rows=rows)


@dataclass(frozen=True)
class Data:
    """Input tables read for one policy (`tables`: evaluator.data.Tables), and the folder they
    came from (None for in-memory tables)."""

    tables: Any
    folder: str | None = None

    @property
    def rows(self) -> dict[str, int]:
        """Rows per input table read (absent optional inputs are not listed)."""
        return {tid: t.rows for tid, t in self.tables.tables.items()}


class Result:
    """One evaluation: the value of every rule as plain Python, the checks and the warnings."""

    def __init__(self, policy: Policy, data: Data, evaluation, traced: bool = False, rows: bool = False):
        self.policy, self.data, self.evaluation = policy, data, evaluation
        self._traced = traced  # traces kept, and the checks did not stop the run: explainable
        self._rows = rows  # evaluated on the rows, not on cubes: the rows behind a sum can be listed

    @property
    def tables(self):
        return self.data.tables

    @property
    def warnings(self) -> list[str]:
        """What the run warns about, in English as `villkor run --format json` lists them."""
        return list(self.evaluation.warnings)

    @property
    def checks(self) -> list:
        """Every check evaluated (evaluator.result.CheckResult: id, title, passed, detail)."""
        return list(self.evaluation.checks)

    def __contains__(self, rule: str) -> bool:
        return rule in self.evaluation.values

    def value(self, rule: str, **where: Any) -> Any:
        """The value of `rule` at one key: `value("payout", region="Uppsala")`; a national
        rule takes no key. Numbers are int or Decimal, dates datetime.date; None if absent."""
        from .errors import UsageError, did_you_mean
        from .lang.values import cell

        pr = self._rule(rule)
        dims = tuple(pr.type.dims)
        if set(where) != set(dims):
            raise UsageError(f"rule '{rule}' is per {', '.join(dims) or 'no dimension (one national value)'}; "
                             f"the key names {', '.join(where) or 'no dimension'}",
                             hint=f"give one member of each, e.g. {dims[0]}=..." if dims else "give no key")
        scope = self.evaluation.scope
        index = []
        for dim in dims:
            members = list(scope.members(dim))
            if where[dim] not in members:
                raise UsageError(f"{where[dim]!r} is not a member of {dim}",
                                 hint=did_you_mean(str(where[dim]), [str(m) for m in members]))
            index.append(members.index(where[dim]))
        return cell(self.evaluation.values[rule], tuple(index))

    def values(self, rule: str) -> Any:
        """Every value of `rule`: one value for a national rule; else a dict from the key (the
        member for one dimension, a tuple of members for several) to the value, in member order."""
        from .engine import keys_of
        from .lang.values import cell

        pr = self._rule(rule)
        dims = tuple(pr.type.dims)
        val = self.evaluation.values[rule]
        if not dims:
            return cell(val, ())
        return {(key[dims[0]] if len(dims) == 1 else tuple(key.values())): cell(val, idx)
                for idx, key in keys_of(self.evaluation.scope, dims)}

    def _rule(self, rule: str):
        from .errors import UsageError, did_you_mean

        pr = self.policy.plan.rules.get(rule)
        if pr is None:
            raise UsageError(f"unknown rule '{rule}'", hint=did_you_mean(rule, self.policy.plan.rules))
        if rule not in self.evaluation.values:
            absent = ", ".join(self.evaluation.skipped.get(rule, []))
            raise UsageError(f"rule '{rule}' was not computed: it needs the absent optional input {absent}",
                             hint=f"read data that has {absent}")
        return pr

    def run_result(self, outputs: list[str] | None = None):
        """The report contract (evaluator.result.RunResult) of these outputs (default: the
        policy's), with file paths as outputs record them: what every report writer takes."""
        import dataclasses

        from . import engine
        from .errors import UsageError, did_you_mean

        unknown = [rid for rid in outputs or () if rid not in self.policy.plan.rules]
        if unknown:
            raise UsageError(f"unknown rule '{unknown[0]}'", hint=did_you_mean(unknown[0], self.policy.plan.rules))
        result = engine.to_result(self.evaluation, self.tables, outputs)
        result.params = self.policy.model.params
        result.policy = dataclasses.replace(result.policy, path=display_path(result.policy.path))
        result.data = [dataclasses.replace(d, path=display_path(d.path)) for d in result.data]
        return result

    def render(self, fmt: str = "json", outputs: list[str] | None = None) -> bytes:
        """The result as `villkor run --format FMT` writes it: json, csv, xlsx, md, html,
        csv-sv or summary."""
        from .report import render

        return render(self.run_result(outputs), fmt)

    def to_json(self, outputs: list[str] | None = None) -> str:
        """The JSON document of `villkor run --format json` (docs/outputs.md), byte for byte."""
        return self.render("json", outputs).decode("utf-8")

    def explain(self, rule: str, where: dict[str, Any] | None = None, *, depth: int | None = None,
                rows: bool = False, max_rows: int | None = None, **members: Any) -> dict:
        """The explanation document of `villkor explain --format json` for `rule` at the keys
        matching `where` (or keyword members: `explain("payout", region="Uppsala")`).

        Explanations are read from traces: a result evaluated without `trace=True` (or one that
        stops on a failed check, or, for `rows`, without `rows=True`) is evaluated again on the
        same tables, with tracing on."""
        from . import explain as X

        evaluation = self.evaluation
        if not self._traced or (rows and not self._rows):
            evaluation = self.policy.evaluate(self.data, trace=True, stop_on_failed_check=False, rows=rows).evaluation
        options = X.Options(depth=depth, rows=rows, max_rows=max_rows if max_rows is not None else X.DEFAULT_MAX_ROWS)
        return X.explain_document(evaluation, self.tables, rule, {**(where or {}), **members}, options)


class PolicyDiff:
    """Two versions of a policy compared: the structural `changes` and, with data, the
    `impact` on every key of every output both versions have."""

    def __init__(self, old: Policy, new: Policy, changes: list, impact, data: str | None):
        self.old, self.new, self.changes, self.impact, self.data = old, new, changes, impact, data

    @property
    def changed(self) -> bool:
        return bool(self.changes) or (self.impact is not None and self.impact.changed)

    def render(self, fmt: str = "json", show_all: bool = False) -> bytes:
        """As `villkor diff --format FMT` writes it: text, md, json or xlsx."""
        from .diff.render import Head, to_json, to_markdown, to_text, to_xlsx

        head = Head(self.old.model, self.new.model, self.old.path, self.new.path, self.data, self.old.params)
        writer = {"text": to_text, "md": to_markdown, "json": to_json, "xlsx": to_xlsx}[fmt]
        return writer(head, self.changes, self.impact, show_all)

    def to_json(self) -> str:
        """The JSON document of `villkor diff --format json`."""
        return self.render("json").decode("utf-8")


def compare(old: Policy | str, new: Policy | str, data: str | None = None) -> PolicyDiff:
    """What changed from `old` to `new` (Policy objects or policy files) and, with a data
    folder, what it does to every key: both versions run on the same data (docs/next-year.md)."""
    from .diff.impact import impact
    from .diff.structural import structural_diff

    old = load(old) if isinstance(old, str) else old
    new = load(new) if isinstance(new, str) else new
    changes = structural_diff(old.model, new.model)
    effect = None
    if data:
        def read(planned):  # each version reads the data its way (a new member, a new column)
            return Policy(planned).read(data).tables
        effect = impact(old.plan, new.plan, read, changes)
    return PolicyDiff(old, new, changes, effect, data)
