"""The typed tables a policy is evaluated over: one Table per input, its file and fingerprint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd


class Deferred(Protocol):
    """Rows of a large file not read yet (streaming.py): read whole, or summed while read."""

    rows: int | None  # the number of records, once known

    def read(self) -> pd.DataFrame: ...

    def cube(self, group: list[str], summed: list[str]) -> pd.DataFrame | None: ...


class Table:
    """One typed input table. A large file's rows are read only when first needed
    (`stream`, see streaming.py): an evaluation that only sums them aggregates while reading."""

    def __init__(self, id: str, frame: pd.DataFrame | None, path: str | None, sha256: str | None,
                 rows: int | None, stream: Deferred | None = None):
        self.id, self._frame, self.path, self.sha256, self._rows = id, frame, path, sha256, rows
        self.stream = stream

    @property
    def rows(self) -> int:
        """The number of records. A CSV file streamed has it counted while it is summed; asked
        before that, the file is read."""
        if self._rows is None:
            counted = self.stream.rows if self.stream is not None else None
            self._rows = counted if counted is not None else len(self.frame)
        return self._rows

    @property
    def frame(self) -> pd.DataFrame:
        frame = self.load()._frame
        if frame is None:  # built with neither rows nor a stream of them
            raise ValueError(f"table '{self.id}' has no rows and nothing to read them from")
        return frame

    def load(self) -> Table:
        """Read deferred rows now (evaluation does so before any rule, so that an error in
        them is the file's, not a rule's)."""
        if self._frame is None and self.stream is not None:
            self._frame = self.stream.read()
            self.stream = None
        return self

    def __repr__(self) -> str:
        return f"Table({self.id!r}, rows={self.rows}, path={self.path!r})"


@dataclass
class Tables:
    """The tables of one read: by input id, the optional inputs left out, and warnings to show."""

    tables: dict[str, Table] = field(default_factory=dict)
    missing_optional: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
