"""The pipeline as one library: load → validate → check → plan → read → evaluate.

Every command of the command line (evaluator/cli/) and the fixture runner go through these
functions, so a policy is loaded, its parameters overridden and its data read the same way
wherever it is used. Heavy modules (numpy, pandas) are imported inside the functions that need
them: importing this module stays cheap.
"""

from __future__ import annotations

from .result import display_path


def load_and_plan(policy_path: str, params_path: str | None = None):
    """Load a policy file (with `extends`), apply a params file, and check every rule: the
    returned Plan is a policy that evaluates. Errors are VillkorErrors with locations."""
    from .plan import plan
    from .policy.build import load_policy
    from .policy.params import apply_overrides

    policy = load_policy(policy_path)
    if params_path:
        policy = with_params_info(policy, apply_overrides(policy, params_path), params_path)
    return plan(policy)


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


def run_policy(policy_path: str, data_dir: str, params_path: str | None = None, trace: bool = False):
    """Load, plan, read data, evaluate: the whole pipeline in one call."""
    from . import engine
    from .data import read_inputs

    planned = load_and_plan(policy_path, params_path)
    tables = read_inputs(planned.policy, data_dir)
    evaluation = engine.evaluate(planned, tables, trace=trace)
    return evaluation, tables


def evaluate_traced(planned, data_dir: str):
    """Read the data and evaluate with traces, going on past a failed check: what explanations
    and decision documents are read from (a failed check is one of the things they explain)."""
    from . import engine
    from .data import read_inputs

    tables = read_inputs(planned.policy, data_dir)
    return engine.evaluate(planned, tables, trace=True, stop_on_failed_check=False), tables
