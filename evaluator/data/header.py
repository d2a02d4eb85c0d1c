"""The header of a table against its input's declared columns: missing, repeated and extra names."""

from __future__ import annotations

from ..errors import DataError, Location, did_you_mean
from ..policy.model import Input
from ..result import Notice
from .cells import value_text
from .raw import Raw


def check_duplicate_header(names: list[str], path: str, row: int | None) -> None:
    """A name twice in the header: which column a rule reads would depend on the reader."""
    seen, dupes = set(), []
    for name in names:
        if name in seen and name not in dupes:
            dupes.append(name)
        seen.add(name)
    if dupes:
        raise DataError(f"the header repeats column '{dupes[0]}'", Location(file=path, row=row),
                        "every column name must appear once")


def check_header(inp: Input, found: list[str], path: str, raw: Raw, warnings: list[str]) -> None:
    """All missing columns in one error; a default never fills a missing column unless the
    column is declared optional (then every run warns). Undeclared columns are a warning."""
    row = raw.header_row
    extra = [c for c in found if c not in inp.columns]
    missing = [c.id for c in inp.columns.values() if c.id not in found and not c.optional]
    if missing and not raw.inline:
        unknown = []
        for name in extra:
            near = did_you_mean(name, missing) or did_you_mean(name.lower(), missing)
            unknown.append(f"'{name}' ({near})" if near else f"'{name}'")
        holder = "the table" if raw.memory else "the file"
        hint = f"{holder} has: {', '.join(found) or 'no columns'}; input '{inp.id}' needs: {', '.join(inp.columns)}"
        if unknown:
            hint += f"; unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
        if not raw.memory:
            hint += f"; write the header line as: {raw.separator.join(inp.columns)}"
        raise DataError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                        Location(file=path, row=row), hint)
    for col in inp.columns.values():
        if col.id not in found and col.optional:
            if col.default is None:
                raise DataError(f"column '{col.id}' is optional but has no default", col.location,
                                "declare the default that fills it when a file leaves it out")
            if not raw.inline:
                warnings.append(Notice(
                    f"{path}: optional column '{col.id}' is not in the {'table' if raw.memory else 'file'}; "
                    f"its default {value_text(col.default)} is used on every row",
                    "optional_column", path=path, memory=raw.memory, input=inp.title or inp.id,
                    column=col.title or col.id, default=col.default,
                    unit=col.unit or ("kr" if col.type == "money" else None)))
    if extra:
        warnings.append(Notice(f"{path}: column{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
                               f"not declared for input '{inp.id}', ignored",
                               "extra_columns", path=path, memory=raw.memory, input=inp.title or inp.id,
                               columns=list(extra)))
