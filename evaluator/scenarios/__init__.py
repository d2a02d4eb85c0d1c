"""Scenarios: many what-ifs of one policy in one run (`villkor run POLICY --data DIR --scenarios FILE`).

A scenario is a partial parameter override in the `--params` format. The scenario file is YAML
with named scenarios and/or a grid (every combination of the listed values), or a CSV table with
one scenario per row. Every override is checked by `policy.params` (unknown parameter, member,
kind, unit) and errors point into the scenario file.

Evaluation: the base policy is run once as usual. Scenarios are then one more dimension of the
evaluation, the axis `#scenario` (index 0 = the base, 1.. = the scenarios), put in front of every
value that depends on a varied parameter. Rules that do not depend on any varied parameter (found
through the names each rule uses, transitively) keep their base value, computed once. Each
dependent rule is evaluated once, as whole arrays with the scenario axis leading. Only a rule that
would need the scenario axis on the rows of an input table (a varied parameter inside a row filter)
or a varied text or list parameter is evaluated once per scenario on the slices of its inputs.

A flip is where the argument of a `min`/`max` that decides the value (the lowest of `min`, ties to
the first argument) differs from the base: a cap that starts or stops binding.
"""

from .evaluate import ScenarioRun, evaluate_scenarios
from .read import Scenario, read_scenarios
from .render import FORMATS, output_specs, render

__all__ = ["FORMATS", "Scenario", "ScenarioRun", "evaluate_scenarios", "output_specs", "read_scenarios",
           "render"]
