"""A short summary of a run for a person at a terminal (`villkor run` without `--format`
when standard output is a terminal).

Swedish text: the policy's title and version; a table of the policy's per-region outputs in
kronor (one row per region, one column per output, a "Riket" row summed exactly); the
policy's national outputs in kronor; the checks; how many warnings there were, each in one
Swedish sentence (a parameter's note is left to the Markdown report); and how to get the JSON.
Values are presented by `present.format_value`, as in every other text output.
"""

from __future__ import annotations

from ..present import format_value
from ..result import RunResult
from .layout import TOTAL_LABEL, exact_sum, label
from .warnings_sv import swedish

HOW_TO_JSON = ("JSON (alla utdata, exakta värden): lägg till --format json, eller skicka utdata "
               "vidare till en fil eller ett program (-o FIL, | jq).")


def aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    return [line(header), "  ".join("-" * w for w in widths), *[line(r) for r in rows]]


def summary_lines(result: RunResult) -> list[str]:
    p = result.policy
    lines = [f"{p.title or p.id}", f"version {p.version}, giltig {p.valid_from} – {p.valid_to}"]
    if result.params:
        from ..result import WHAT_IF
        lines.append(f"{WHAT_IF} (parametrar från {result.params.path})")
    regional = [t for t in result.outputs.values()
                if t.computed and t.dims == ("region",) and t.unit == "kr" and t.type == "number"]
    national = [t for t in result.outputs.values()
                if t.computed and t.dims == () and t.unit == "kr" and t.type == "number"]
    if regional:
        regions: list = []
        values: dict = {}
        for t in regional:
            for r in t.rows:
                if r["region"] not in regions:
                    regions.append(r["region"])
                values[(t.rule, r["region"])] = r["value"]
        header = ["region", *[f"({i})" for i in range(1, len(regional) + 1)]]
        rows = [[label(regional[0], "region", reg), *[format_value(values.get((t.rule, reg)), "kr")
                                                       for t in regional]] for reg in regions]
        rows.append([TOTAL_LABEL, *[format_value(exact_sum(r["value"] for r in t.rows), "kr")
                                    for t in regional]])
        lines += ["", "Per region, i kronor:", *[f"  ({i}) {t.title or t.rule}" for i, t in enumerate(regional, 1)],
                  "", *aligned(header, rows)]
    if national:
        lines += ["", "Nationellt:", *aligned(["utdata", "värde"], [
            [t.title or t.rule, format_value(t.rows[0]["value"] if t.rows else None, "kr")] for t in national])]
    not_computed = [t.title or t.rule for t in result.outputs.values() if not t.computed]
    if not_computed:
        lines += ["", "Beräknas inte (valfri indata saknas): " + "; ".join(not_computed) + "."]
    failed = [c for c in result.checks if not c.passed]
    if result.checks:
        lines += ["", f"Kontroller: {len(result.checks) - len(failed)} av {len(result.checks)} uppfyllda."]
        lines += [f"  ✗ {c.title or c.id}: {c.detail}" for c in failed]
    n = len(result.warnings)
    lines += ["", "Inga varningar." if n == 0 else f"{n} varning{'ar' if n != 1 else ''}:"]
    lines += [f"  - {swedish(w, with_note=False)}" for w in result.warnings]
    if n:
        lines.append("  (med förklaringar: --format md)")
    lines += ["", HOW_TO_JSON]
    return lines


def to_summary(result: RunResult) -> bytes:
    return ("\n".join(summary_lines(result)) + "\n").encode("utf-8")
