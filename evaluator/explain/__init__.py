"""Derivation trees: why a rule has the value it has at one key, read from an evaluated run.

- `select`: which rule and keys (`--where`), checked from the plan before data is read;
- `reader`: values of the traced run at a key;
- `build`: the tree (`Explainer`), its operands and headline (the rule's `explain` template);
- `decisive`: the decisive branch of `min`/`max`, `if`, `and`/`or`;
- `rows`: the input rows behind an aggregate (`--rows`);
- `nodes`: the typed nodes and their JSON form; `document`: the `villkor explain` document.

Expressions are printed by the language's own printer (evaluator/lang/printer.py).

Rendering a tree for people is the report layer's (evaluator/report/explanation.py); checking
a policy's templates is the policy layer's (evaluator/policy/templates.py).
"""

from .build import DEFAULT_MAX_ROWS, Explainer, Options
from .decisive import name_of
from .document import FORMAT_ID, explain_document, provenance
from .nodes import Decision, KeyValue, Node, Operand, Rows, iter_nodes
from .reader import unit_text
from .select import SelectionError, resolve_member, select, select_before_reading

__all__ = ["DEFAULT_MAX_ROWS", "FORMAT_ID", "Decision", "Explainer", "KeyValue", "Node", "Operand",
           "Options", "Rows", "SelectionError", "explain_document", "iter_nodes",
           "name_of", "provenance", "resolve_member", "select", "select_before_reading", "unit_text"]
