"""numpy, imported when the first value is computed rather than when a policy is checked.

The modules the checker reads are the interpreter's too: the built-ins hold each function's type
rule beside its kernel, the value module the grain order beside the array arithmetic, the scope
the names beside the columns. Checking a policy computes no value, so `villkor validate`, `fmt`
and `lint` need no numpy, whose import is a large part of their start-up. Those modules name
numpy `np` as usual; `np` is this stand-in, which imports numpy on its first attribute and from
then on holds numpy's names itself (a plain attribute read, as fast as the module).
"""

from __future__ import annotations

from typing import Any


class _OnFirstUse:
    def __getattr__(self, name: str) -> Any:  # only for a name not (yet) copied from numpy
        import numpy

        self.__dict__.update(vars(numpy))
        return getattr(numpy, name)  # also numpy's own lazily loaded names (np.linalg, …)

    def __repr__(self) -> str:
        return "<numpy, imported on first use>"


np: Any = _OnFirstUse()
