"""The dependency graph of one policy: which rules, parameters and inputs each rule and check uses.

Built once per plan from the names in each parsed expression. Every question about
dependencies is answered here and nowhere else: the evaluation order (dependencies first,
otherwise in file order), the cycles among rules, what a rule needs directly or through
other rules (upstream), what needs it (downstream), the input tables and the parameters it
depends on. The order and the cycles come from the standard library's `graphlib`.
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Iterable, Mapping

from .lang import ast
from .lang.parser import parse
from .policy.model import Policy


class DependencyGraph:
    """Edges from each rule and check to the rules, parameters and inputs its expression names.

    Only rules whose expression could be parsed are nodes (`used` has them); a name that is
    neither a rule, a parameter nor an input (a column, a dimension, a built-in) is no edge.
    """

    def __init__(self, policy: Policy, used: Mapping[str, Iterable[str]],
                 check_used: Mapping[str, Iterable[str]] | None = None):
        self.policy = policy
        known = set(policy.rules) | set(policy.parameters) | set(policy.inputs)
        self._position = {rid: i for i, rid in enumerate(policy.rules)}
        self._direct = {rid: frozenset(set(names) & known) for rid, names in used.items()
                        if rid in policy.rules}
        self._check_direct = {cid: frozenset(set(names) & known)
                              for cid, names in (check_used or {}).items()}
        self._users: dict[str, set[str]] = {}
        for rid, names in self._direct.items():
            for name in names:
                self._users.setdefault(name, set()).add(rid)
        self.cycles = self._find_cycles()
        in_cycle = {rid for cycle in self.cycles for rid in cycle}
        self.order = self._sorted({rid: self.rule_deps(rid) - in_cycle
                                   for rid in self._direct if rid not in in_cycle})

    @classmethod
    def of(cls, policy: Policy) -> DependencyGraph:
        """The graph of a policy not planned (e.g. for a document): every expression parsed here."""
        used = {rid: ast.names_used(parse(r.expr)) for rid, r in policy.rules.items()}
        check_used = {cid: ast.names_used(parse(c.expr)) for cid, c in policy.checks.items()}
        return cls(policy, used, check_used)

    # ------------------------------------------------------------ direct edges

    def direct(self, rid: str) -> frozenset[str]:
        """The rules, parameters and inputs a rule's expression names."""
        return self._direct.get(rid, frozenset())

    def check_direct(self, cid: str) -> frozenset[str]:
        """The rules, parameters and inputs a check's expression names."""
        return self._check_direct.get(cid, frozenset())

    def rule_deps(self, rid: str) -> frozenset[str]:
        """The rules (with a parsed expression) a rule names directly."""
        return frozenset(d for d in self.direct(rid) if d in self._direct)

    def users(self, name: str) -> frozenset[str]:
        """The rules naming a rule, parameter or input directly (checks not included)."""
        return frozenset(self._users.get(name, ()))

    def used_anywhere(self, name: str) -> bool:
        """Whether some rule or check names it."""
        return bool(self._users.get(name)) or any(name in d for d in self._check_direct.values())

    # ------------------------------------------------------------ transitive

    def upstream(self, rid: str) -> list[str]:
        """Every rule and parameter a rule depends on, directly or through other rules: nearest
        first, and within one distance by name (a stable order for reports)."""
        seen: list[str] = []
        frontier = [rid]
        while frontier:
            nxt = []
            for r in frontier:
                for name in sorted(self.direct(r)):
                    if name not in self.policy.inputs and name not in seen:
                        seen.append(name)
                        nxt.append(name)
            frontier = nxt
        return seen

    def upstream_rules(self, rid: str) -> frozenset[str]:
        """The rules a rule depends on, directly or through other rules."""
        return frozenset(n for n in self.upstream(rid) if n in self._direct)

    def downstream(self, names: Iterable[str]) -> frozenset[str]:
        """The rules depending, directly or through other rules, on any of `names`."""
        found: set[str] = set()
        todo = list(names)
        while todo:
            for user in self._users.get(todo.pop(), ()):
                if user not in found:
                    found.add(user)
                    todo.append(user)
        return frozenset(found)

    def inputs(self, rid: str) -> frozenset[str]:
        """The input tables a rule reads, directly or through other rules."""
        return frozenset(n for n in self._closure(self.direct(rid)) if n in self.policy.inputs)

    def check_inputs(self, cid: str) -> frozenset[str]:
        """The input tables a check reads, directly or through the rules it names."""
        return frozenset(n for n in self._closure(self.check_direct(cid)) if n in self.policy.inputs)

    def parameters(self, rid: str) -> frozenset[str]:
        """The parameters a rule depends on, directly or through other rules."""
        return frozenset(n for n in self.upstream(rid) if n in self.policy.parameters)

    def _closure(self, names: Iterable[str]) -> set[str]:
        found = set(names)
        todo = [n for n in found if n in self._direct]
        while todo:
            for name in self.direct(todo.pop()):
                if name not in found:
                    found.add(name)
                    if name in self._direct:
                        todo.append(name)
        return found

    # ------------------------------------------------------------ order and cycles

    def _find_cycles(self) -> list[tuple[str, ...]]:
        """Every distinct cycle graphlib finds; after each, one edge of it is set aside and the
        search repeated, so a rule in two cycles is reported in both."""
        edges = {rid: set(self.rule_deps(rid)) for rid in self._direct}
        cycles: list[tuple[str, ...]] = []
        seen: set[frozenset] = set()
        while True:
            try:
                graphlib.TopologicalSorter(edges).prepare()
                return cycles
            except graphlib.CycleError as exc:
                cycle = self._spelled(exc.args[1])
            # graphlib's path runs from a rule to the rules using it; each rule names the next
            # one in `cycle`, and the last one names the first
            edges[cycle[-1]].discard(cycle[0])
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                cycles.append(cycle)

    def _spelled(self, path: list[str]) -> tuple[str, ...]:
        """A cycle as the rules naming each other (each names the next, the last the first),
        starting at the one written first in the policy."""
        ring = list(reversed(path[:-1]))
        start = min(range(len(ring)), key=lambda i: self._position[ring[i]])
        return tuple(ring[start:] + ring[:start])

    def _sorted(self, edges: dict[str, frozenset[str]]) -> tuple[str, ...]:
        """Dependencies first; among the rules ready at the same time, the one written first."""
        sorter = graphlib.TopologicalSorter(edges)
        sorter.prepare()
        ready: list[tuple[int, str]] = []
        order = []
        while sorter.is_active():
            for rid in sorter.get_ready():
                heapq.heappush(ready, (self._position[rid], rid))
            _, rid = heapq.heappop(ready)
            order.append(rid)
            sorter.done(rid)
        return tuple(order)
