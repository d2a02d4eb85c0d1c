"""The follow-up report (P-9) of the performance policy: HTML with inline SVG charts, and XLSX.

Every figure is a value the engine evaluated from the policy's own rules — nothing here
re-implements a rule. The report reads them by rule id (the follow-up rules of
policies/2026_performance.yaml):

    monthly, monthly_previous_year, monthly_baseline     per region, measure, month
    national_monthly, national_monthly_previous_year     per measure, month
    performed, baseline, eligible, previous_year_period, change_from_previous_year,
    performed_home, performed_other_region, performed_private     per region, measure
    compensation, payout                                 per region
and the parameters measurement_year, baseline_years and cap. A policy without one of them is
refused with a message naming it. The split per month (for the measurement year and the year
before) is the policy's own split rules evaluated on the grain plus `month`
(`with_monthly_split`). What the report adds is presentation only: sums over
regions or measures for a table's total line, the national baseline per month (the sum over
regions of `monthly_baseline`), payout as a percentage of the cap, and the months shown.

An interim report (`--up-to-month N`, see `interim_policy`) evaluates the same policy with the
measurement period cut to months 1..N, so every period figure — performed, baseline, the
split, the payout — compares the same months of every year; the monthly tables and charts
stop at month N.

Charts are drawn with matplotlib (Agg, SVG) and embedded inline: no script, no file or font
fetched from anywhere. SVG bytes are deterministic (fixed hash salt, text kept as text, no
date in the metadata).
"""

from __future__ import annotations

import datetime as dt
import html
import io
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..errors import Location, PolicyError
from ..present import MISSING, format_number, format_plain_number
from .html import PAGE_END, page_head
from .warnings_sv import swedish

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
RULES = ("monthly", "monthly_previous_year", "monthly_baseline", "national_monthly",
         "national_monthly_previous_year", "performed", "baseline", "eligible", "previous_year_period",
         "change_from_previous_year", "performed_home", "performed_other_region", "performed_private",
         "compensation", "payout")
# Rules that may be left uncomputed (a payout that needs an optional input the data folder
# lacks): the report then shows "–" for them and says why, instead of refusing.
MAY_BE_ABSENT = ("eligible", "compensation", "payout")
PARAMETERS = ("measurement_year", "baseline_years", "cap")
PERIOD_PARAMETER = "period_months"
# Shown with one decimal, rounded half to even: averages over the baseline years (7,3).
ONE_DECIMAL = Decimal("0.1")
PERCENT = Decimal("0.1")
SPLIT = (("performed_home", "I hemregionen"), ("performed_other_region", "I annan region"),
         ("performed_private", "Hos privat vårdgivare"))
COLOURS = ("#1f4e79", "#c55a11", "#7f7f7f")


def month_name(m) -> str:
    return MONTHS[int(m) - 1]


def rounded(value, step: Decimal = ONE_DECIMAL) -> Decimal:
    """`value` to `step`, half to even (the rounding every shown average and percentage uses)."""
    return Decimal(value).quantize(step, rounding=ROUND_HALF_EVEN)


def count_text(value) -> str:
    """A count as people read it: 14 176; an average with one decimal: 655,7."""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return format_plain_number(rounded(value))
    return format_number(int(value), "count")


def kr_text(value) -> str:
    return format_number(value, "kr")


# ---------------------------------------------------------------- the interim policy


def interim_policy(policy, up_to_month: int | None):
    """The policy with its measurement period cut to months 1..N (None: unchanged)."""
    if up_to_month is None:
        return policy
    from ..policy.params import apply_override_values

    p = policy.parameters.get(PERIOD_PARAMETER)
    if p is None or not isinstance(p.value, (list, tuple)):
        raise PolicyError(f"--up-to-month needs a list parameter '{PERIOD_PARAMETER}' (the months of the "
                          "measurement period) and this policy has none", Location(file=policy.path),
                          "run the report without --up-to-month")
    months = [m for m in p.value if int(m) <= up_to_month]
    if not months:
        raise PolicyError(f"--up-to-month {up_to_month} is before the first month of the measurement period "
                          f"({p.value[0]})", p.location, f"give --up-to-month {p.value[0]} or later")
    return apply_override_values(policy, {PERIOD_PARAMETER: months}, "--up-to-month")


# ---------------------------------------------------------------- the split per month


def by_month_id(rid: str, previous_year: bool) -> str:
    return f"{rid}_by_month" + ("_previous_year" if previous_year else "")


def with_monthly_split(policy):
    """The policy with, for each of its split rules (performed_home, performed_other_region,
    performed_private), the same rule per month too, for the measurement year and for the year
    before: the policy's own expression, on the grain plus `month`, with `measurement_year`
    replaced by `measurement_year - 1` for the previous year. The policy defines the split; the
    report only asks the engine for it month by month. A policy that already has rules with
    these ids keeps its own; one without the split rules is returned unchanged (and refused
    by `figures`)."""
    import dataclasses

    from ..lang import ast
    from ..lang.parser import parse
    from ..lang.printer import to_text
    from ..policy.model import Rule

    if "month" not in policy.dimensions or "measurement_year" not in policy.parameters:
        return policy
    rules = dict(policy.rules)
    for rid, _ in SPLIT:
        rule = policy.rules.get(rid)
        if rule is None or "month" in rule.per:
            continue
        node = parse(rule.expr)
        for previous in (False, True):
            new_id = by_month_id(rid, previous)
            if new_id in rules:
                continue
            expr = to_text(_year_before(node, ast) if previous else node)
            rules[new_id] = Rule(id=new_id, expr=expr, per=(*rule.per, "month"), unit=rule.unit,
                                 title=rule.title, source=rule.source, location=rule.location,
                                 expr_location=rule.expr_location)
    return dataclasses.replace(policy, rules=rules)


def _year_before(node, ast):
    """`node` with every `measurement_year` read as `measurement_year - 1`."""
    import dataclasses

    if isinstance(node, ast.Name) and node.id == "measurement_year":
        return ast.Binary("-", node, ast.Number(1, "1"))
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            changes[f.name] = _year_before(value, ast)
        elif isinstance(value, tuple) and value and all(isinstance(v, ast.Node) for v in value):
            changes[f.name] = tuple(_year_before(v, ast) for v in value)
    return dataclasses.replace(node, **changes) if changes else node


# ---------------------------------------------------------------- the figures


def require(plan, computed=None) -> None:
    """Refuse a policy without the rules and parameters the report reads (before any data is
    read when `computed` is None; after evaluation, also a rule that was not computed)."""
    policy = plan.policy
    for rid in RULES:
        if rid not in plan.rules or (computed is not None and rid not in computed and rid not in MAY_BE_ABSENT):
            raise PolicyError(f"the follow-up report needs the rule '{rid}' and {policy.id} has none",
                              Location(file=policy.path),
                              "the report reads the follow-up rules (P-9) of the performance policy: "
                              + ", ".join(RULES))
    for pid in PARAMETERS:
        if pid not in policy.parameters:
            raise PolicyError(f"the follow-up report needs the parameter '{pid}' and {policy.id} has none",
                              Location(file=policy.path), "declare it in the policy's parameters")


def figures(evaluation, tables, up_to_month: int | None) -> dict:
    """Every figure of the report, read from the evaluated rules, as plain data."""
    from .. import engine

    require(evaluation.plan, evaluation.values)
    policy = evaluation.plan.policy
    split_ids = [by_month_id(rid, prev) for rid, _ in SPLIT for prev in (False, True)]
    have_split = all(rid in evaluation.values for rid in split_ids)
    present = [rid for rid in RULES if rid in evaluation.values]
    result = engine.to_result(evaluation, tables, present + (split_ids if have_split else []))

    def table(rid):
        out = result.outputs[rid]
        return {tuple(row[d] for d in out.dims): row["value"] for row in out.rows}

    values = {rid: table(rid) for rid in result.outputs}
    for rid in MAY_BE_ABSENT:
        if rid not in values:
            values[rid] = _Absent()
    regions = policy.dimensions["region"].members
    measures = policy.dimensions["measure"].members
    year = int(policy.parameters["measurement_year"].value)
    base_years = [int(y) for y in policy.parameters["baseline_years"].value]
    all_months = [int(m) for m in policy.dimensions["month"].members]
    months = [m for m in all_months if up_to_month is None or m <= up_to_month]
    period = [int(m) for m in policy.parameters[PERIOD_PARAMETER].value] if PERIOD_PARAMETER in policy.parameters else months
    cap = {r: policy.parameters["cap"].value.get((r,), policy.parameters["cap"].value.get(r)) for r in regions}
    national = {}
    for ms in measures:
        rows = []
        for m in months:
            cur = values["national_monthly"][(ms, m)]
            prev = values["national_monthly_previous_year"][(ms, m)]
            base = sum((Decimal(values["monthly_baseline"][(r, ms, m)]) for r in regions), Decimal(0))
            rows.append({"month": m, "current": cur, "previous": prev, "baseline": base})
        national[ms] = rows
    regional = {}
    for r in regions:
        regional[r] = {ms: [{"month": m, "current": values["monthly"][(r, ms, m)],
                             "previous": values["monthly_previous_year"][(r, ms, m)],
                             "baseline": values["monthly_baseline"][(r, ms, m)]} for m in months]
                       for ms in measures}
    period_rows = {(r, ms): {k: values[k][(r, ms)] for k in
                             ("performed", "baseline", "eligible", "previous_year_period",
                              "change_from_previous_year", "performed_home", "performed_other_region",
                              "performed_private")}
                   for r in regions for ms in measures}
    fulfilment = []
    for r in regions:
        pay, c = values["payout"][(r,)], cap[r]
        share = rounded(Decimal(pay) * 100 / Decimal(c), PERCENT) if c and pay is not None else None
        eligible = [period_rows[(r, ms)]["eligible"] for ms in measures]
        fulfilment.append({"region": r, "performed": sum(period_rows[(r, ms)]["performed"] for ms in measures),
                           "eligible": None if None in eligible else sum(eligible),
                           "compensation": values["compensation"][(r,)], "payout": pay, "cap": c,
                           "share": share})
    monthly_split = []
    if have_split:
        for m in [m for m in months if m in period]:
            row: dict[str, Any] = {"month": m}
            for prev in (False, True):
                row["previous" if prev else "current"] = [
                    sum(values[by_month_id(rid, prev)][(r, ms, m)] for r in regions for ms in measures)
                    for rid, _ in SPLIT]
            monthly_split.append(row)
    dim = policy.dimensions
    return {"monthly_split": monthly_split, "policy": policy, "result": result, "year": year, "previous_year": year - 1,
            "baseline_years": base_years, "months": months, "period": period, "up_to_month": up_to_month,
            "regions": regions, "measures": measures,
            "region_label": {r: dim["region"].label(r) for r in regions},
            "measure_label": {ms: dim["measure"].label(ms) for ms in measures},
            "national": national, "regional": regional, "period_rows": period_rows,
            "fulfilment": fulfilment, "warnings": list(evaluation.warnings)}


class _Absent(dict):
    """A rule that was not computed: no value at any key."""

    def __missing__(self, key):
        return None


def _sum(values):
    """The total of a column, or None when some value is absent."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def years_text(years: list[int]) -> str:
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def period_text(months: list[int]) -> str:
    if not months:
        return "–"
    if months == list(range(months[0], months[-1] + 1)):
        return month_name(months[0]) if len(months) == 1 else f"{month_name(months[0])}–{month_name(months[-1])}"
    return ", ".join(month_name(m) for m in months)


# ---------------------------------------------------------------- charts (SVG)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "villkor", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False})
    import matplotlib.pyplot as plt
    return plt


def _svg(fig, plt) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # inline: no XML declaration or DOCTYPE
    start, end = text.find(" <metadata>"), text.find("</metadata>")
    if start >= 0 and end > start:  # the RDF block names only matplotlib: nothing a reader needs
        text = text[:start] + text[end + len("</metadata>") + 1:]
    return text


def _thousands(x, _pos=None) -> str:
    return format_plain_number(int(round(x)))


def line_chart(rows: list[dict], f: dict, title: str) -> str:
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    xs = [r["month"] for r in rows]
    ax.plot(xs, [float(r["current"]) for r in rows], color=COLOURS[0], marker="o", lw=2, label=str(f["year"]))
    ax.plot(xs, [float(r["previous"]) for r in rows], color=COLOURS[1], marker="s", lw=1.5,
            label=str(f["previous_year"]))
    ax.plot(xs, [float(r["baseline"]) for r in rows], color=COLOURS[2], ls="--", lw=1.5,
            label=f"Genomsnitt {years_text(f['baseline_years'])}")
    ax.set_xticks(xs, [month_name(m)[:3] for m in xs])
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, -0.32))
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    return _svg(fig, plt)


def split_chart(labels: list[str], parts: list[list[int]], title: str) -> str:
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(labels) + 1.0))
    ys = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for i, (_, name) in enumerate(SPLIT):
        vals = [float(p[i]) for p in parts]
        ax.barh(ys, vals, left=left, color=COLOURS[i], label=name, height=0.65)
        left = [a + b for a, b in zip(left, vals)]
    ax.set_yticks(ys, labels)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(frameon=False, loc="lower right")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    return _svg(fig, plt)


def monthly_split_chart(f: dict, title: str) -> str:
    """Per month two stacked bars side by side: the measurement year and the year before."""
    plt = _pyplot()
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    rows = f["monthly_split"]
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    xs = list(range(len(rows)))
    for offset, key, hatch in ((-0.2, "current", None), (0.2, "previous", "//")):
        bottom = [0.0] * len(rows)
        for i in range(len(SPLIT)):
            vals = [float(r[key][i]) for r in rows]
            ax.bar([x + offset for x in xs], vals, width=0.38, bottom=bottom, color=COLOURS[i],
                   hatch=hatch, edgecolor="white", linewidth=0.4)
            bottom = [a + b for a, b in zip(bottom, vals)]
    ax.set_xticks(xs, [month_name(r["month"])[:3] for r in rows])
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_title(title, loc="left", fontsize=10)
    handles = [Patch(color=COLOURS[i], label=n) for i, (_, n) in enumerate(SPLIT)]
    handles += [Patch(facecolor="#ffffff", edgecolor="#555555", label=f"{f['year']}: vänster stapel"),
                Patch(facecolor="#ffffff", edgecolor="#555555", hatch="//", label=f"{f['previous_year']}: höger, streckad")]
    ax.legend(handles=handles, frameon=False, ncols=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    return _svg(fig, plt)


# ---------------------------------------------------------------- tables (shared by HTML and XLSX)


def tables_of(f: dict) -> list[dict]:
    """The report's tables: title, headers, rows of cells (raw values) and per-column kinds."""
    y, py, by = f["year"], f["previous_year"], years_text(f["baseline_years"])
    ml, rl = f["measure_label"], f["region_label"]
    out = []
    for ms in f["measures"]:
        rows = [[month_name(r["month"]), r["current"], r["previous"], r["baseline"], r["current"] - r["previous"]]
                for r in f["national"][ms]]
        rows.append(["Summa", *[sum((row[i] for row in rows), type(rows[0][i])(0)) for i in (1, 2, 3, 4)]])
        out.append({"id": f"riket_{ms}", "sheet": f"Riket {ml[ms]}", "section": "national", "measure": ms,
                    "title": f"{ml[ms]}, hela riket, per månad",
                    "headers": ["Månad", str(y), str(py), f"Genomsnitt {by}", f"Förändring mot {py}"],
                    "kinds": ["text", "count", "count", "avg", "count"], "rows": rows})
    split_rows, total = [], [0, 0, 0]
    for r in f["regions"]:
        parts = [sum(f["period_rows"][(r, ms)][k] for ms in f["measures"]) for k, _ in SPLIT]
        total = [a + b for a, b in zip(total, parts)]
        split_rows.append([rl[r], *parts, sum(parts)])
    split_rows.append(["Hela riket", *total, sum(total)])
    out.append({"id": "split_regions", "sheet": "Utförare per region", "section": "split",
                "title": f"Var åtgärderna utfördes, {period_text(f['period'])} {y}, alla åtgärder, per hemregion",
                "headers": ["Hemregion", *[n for _, n in SPLIT], "Summa"],
                "kinds": ["text", "count", "count", "count", "count"], "rows": split_rows})
    if f["monthly_split"]:
        sm = [[month_name(x["month"]), *x["current"], *x["previous"]] for x in f["monthly_split"]]
        sm.append(["Summa", *[sum(row[i] for row in sm) for i in range(1, 7)]])
        out.append({"id": "split_months", "sheet": "Utförare per månad", "section": "split",
                    "title": f"Var åtgärderna utfördes per månad, hela riket, alla åtgärder, {y} och {py}",
                    "headers": ["Månad", *[f"{n}, {y}" for _, n in SPLIT], *[f"{n}, {py}" for _, n in SPLIT]],
                    "kinds": ["text"] + ["count"] * 6, "rows": sm})
    m_rows = []
    for ms in f["measures"]:
        parts = [sum(f["period_rows"][(r, ms)][k] for r in f["regions"]) for k, _ in SPLIT]
        m_rows.append([ml[ms], *parts, sum(parts)])
    out.append({"id": "split_measures", "sheet": "Utförare per åtgärd", "section": "split",
                "title": f"Var åtgärderna utfördes, {period_text(f['period'])} {y}, hela riket, per åtgärd",
                "headers": ["Åtgärd", *[n for _, n in SPLIT], "Summa"],
                "kinds": ["text", "count", "count", "count", "count"], "rows": m_rows})
    fl = [[rl[x["region"]], x["performed"], x["eligible"], x["compensation"], x["payout"], x["cap"], x["share"]]
          for x in f["fulfilment"]]
    sums = [_sum(row[i] for row in fl) for i in (1, 2, 3, 4, 5)]
    fl.append(["Hela riket", *sums,
               rounded(Decimal(sums[3]) * 100 / Decimal(sums[4]), PERCENT) if sums[3] is not None and sums[4] else None])
    out.append({"id": "fulfilment", "sheet": "Måluppfyllelse", "section": "fulfilment",
                "title": f"Måluppfyllelse per region, {period_text(f['period'])} {y}",
                "headers": ["Region", "Utförda åtgärder", "Ökning över jämförelsetalet (ersättningsberättigade)",
                            "Beräknad ersättning", "Utbetalning", "Tak", "Utbetalning av taket (%)"],
                "kinds": ["text", "count", "count", "kr", "kr", "kr", "pct"], "rows": fl})
    reg_rows = []
    for r in f["regions"]:
        for ms in f["measures"]:
            p = f["period_rows"][(r, ms)]
            reg_rows.append([rl[r], ml[ms], p["performed"], p["previous_year_period"], p["change_from_previous_year"],
                             p["baseline"], p["eligible"]])
    out.append({"id": "regions", "sheet": "Regioner", "section": "regions",
                "title": f"Per region och åtgärd, {period_text(f['period'])}",
                "headers": ["Region", "Åtgärd", str(y), str(py), f"Förändring mot {py}", f"Jämförelsetal {by}",
                            "Ersättningsberättigade"],
                "kinds": ["text", "text", "count", "count", "count", "avg", "count"], "rows": reg_rows})
    monthly_rows = []
    for r in f["regions"]:
        for ms in f["measures"]:
            for row in f["regional"][r][ms]:
                monthly_rows.append([rl[r], ml[ms], month_name(row["month"]), row["current"], row["previous"],
                                     row["baseline"]])
    out.append({"id": "regions_monthly", "sheet": "Regioner per månad", "section": "regions_monthly",
                "title": "Per region, åtgärd och månad",
                "headers": ["Region", "Åtgärd", "Månad", str(y), str(py), f"Genomsnitt {by}"],
                "kinds": ["text", "text", "text", "count", "count", "avg"], "rows": monthly_rows})
    return out


def cell_text(value, kind: str) -> str:
    if value is None:
        return MISSING
    if kind == "kr":
        return kr_text(value)
    if kind == "pct":
        return format_number(value, "percent")
    if kind == "avg":  # an average: always one decimal, so a column reads evenly
        return format_plain_number(rounded(value))
    if kind == "count":
        return count_text(value)
    return str(value)


# ---------------------------------------------------------------- HTML


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:64rem;margin:2rem auto;
padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem 0 1rem}
th,td{text-align:left;padding:.2rem .45rem;border-bottom:1px solid #ddd;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.sum td{font-weight:600;border-top:1px solid #999}
.warn{background:#fff4d6;border-left:4px solid #d99a00;padding:.5rem .75rem;margin:.5rem 0}
.meta{color:#555;font-size:.9rem}figure{margin:.5rem 0}svg{max-width:100%;height:auto}
details{margin:.3rem 0}summary{cursor:pointer;font-weight:600}
@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}tr,figure{break-inside:avoid}
details{display:block}}
"""


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def _html_table(t: dict) -> list[str]:
    parts = ["<table>", "<thead><tr>" + "".join(
        f'<th class="{"num" if k != "text" else ""}">{_h(x)}</th>' for x, k in zip(t["headers"], t["kinds"]))
        + "</tr></thead>", "<tbody>"]
    for row in t["rows"]:
        cls = ' class="sum"' if row[0] in ("Summa", "Hela riket") else ""
        parts.append(f"<tr{cls}>" + "".join(
            f'<td class="num">{_h(cell_text(v, k))}</td>' if k != "text" else f"<td>{_h(v)}</td>"
            for v, k in zip(row, t["kinds"])) + "</tr>")
    parts += ["</tbody>", "</table>"]
    return parts


def followup_title(year: int, title: str) -> str:
    """The report's heading with the year once: `Uppföljning: Prestationsbaserade medel … 2026`
    when the policy's title names the year (`{measurement_year}`), else `Uppföljning 2026: …`."""
    return f"Uppföljning: {title}" if str(year) in title else f"Uppföljning {year}: {title}"


def render_html(f: dict, tables: list[dict]) -> str:
    pol = f["policy"]
    y = f["year"]
    upto = f["months"][-1]
    interim = f["up_to_month"] is not None
    title = followup_title(y, pol.title)
    parts = [*page_head(title, CSS),
             f"<h1>{_h(title)}</h1>",
             f'<p class="meta">Underlag till och med {_h(month_name(upto))} {y}'
             + (" (delrapport: alla jämförelser avser samma månader)" if interim else "")
             + f" · Mätperiod {_h(period_text(f['period']))} {y} · Jämförelse med {f['previous_year']} och med "
             f"genomsnittet för {_h(years_text(f['baseline_years']))} · Regelverk, version {_h(pol.version)}</p>"]
    for w in f["warnings"]:
        parts.append(f'<p class="warn"><strong>Observera:</strong> {_h(swedish(w, with_note=False))}</p>')
    parts.append('<p class="meta">Åtgärderna räknas till patientens hemregion, oavsett var de utfördes. '
                 "Genomsnitten visas med en decimal (avrundade till jämnt); andelar med en decimal.</p>")
    by_id = {t["id"]: t for t in tables}
    parts.append("<h2>Hela riket per månad</h2>")
    for ms in f["measures"]:
        t = by_id[f"riket_{ms}"]
        label = f["measure_label"][ms]
        parts += [f"<h3>{_h(label)}</h3>", "<figure>",
                  line_chart(f["national"][ms], f, f"{label}, hela riket: antal per månad"), "</figure>"]
        parts += _html_table(t)
    parts.append("<h2>Var åtgärderna utfördes</h2>")
    if "split_months" in by_id:
        t = by_id["split_months"]
        parts += ["<figure>", monthly_split_chart(f, "Hela riket, alla åtgärder, per månad"), "</figure>"]
        parts += _html_table(t)
    t = by_id["split_measures"]
    parts += ["<figure>", split_chart([r[0] for r in t["rows"]], [r[1:4] for r in t["rows"]], t["title"]),
              "</figure>"] + _html_table(t)
    t = by_id["split_regions"]
    parts += [f"<h3>{_h(t['title'])}</h3>", "<figure>",
              split_chart([r[0] for r in t["rows"][:-1]], [r[1:4] for r in t["rows"][:-1]], "Per hemregion"),
              "</figure>"] + _html_table(t)
    t = by_id["fulfilment"]
    parts += ["<h2>Måluppfyllelse</h2>",
              '<p class="meta">Ökningen över jämförelsetalet är det antal åtgärder som ger ersättning; '
              "utbetalningen är den beräknade ersättningen, högst taket.</p>"] + _html_table(t)
    parts.append("<h2>Regionerna</h2>")
    regions_table = by_id["regions"]
    for r in f["regions"]:
        rows = [row[1:] for row in regions_table["rows"] if row[0] == f["region_label"][r]]
        sub = {"headers": regions_table["headers"][1:], "kinds": regions_table["kinds"][1:], "rows": rows}
        parts += [f"<details><summary>{_h(f['region_label'][r])}</summary>"] + _html_table(sub)
        for ms in f["measures"]:
            monthly = [[month_name(x["month"]), x["current"], x["previous"], x["baseline"]]
                       for x in f["regional"][r][ms]]
            parts.append(f"<h3>{_h(f['measure_label'][ms])} per månad</h3>")
            parts += _html_table({"headers": ["Månad", str(y), str(f["previous_year"]),
                                              f"Genomsnitt {years_text(f['baseline_years'])}"],
                                  "kinds": ["text", "count", "count", "avg"], "rows": monthly})
        parts.append("</details>")
    parts += ["<h2>Underlag</h2>", '<ul class="meta">',
              f"<li>Regelverk: {_h(pol.path)} (version {_h(pol.version)}), sha256 <code>{_h(pol.sha256)}</code></li>"]
    for d in f["result"].data:
        parts.append(f"<li>Indata: {_h(d.path or 'inline')}, {_h(format_plain_number(d.rows))} rader, "
                     f"sha256 <code>{_h(d.sha256 or '-')}</code></li>")
    parts += ["</ul>", *PAGE_END]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- XLSX


XLSX_FORMATS = {"count": "#,##0", "avg": "#,##0.0", "kr": '#,##0 "kr"', "pct": '0.0 "%"'}


def render_xlsx(f: dict, tables: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .xlsx_writer import MIN_ZIP_YEAR, fixed_zip_times, sheet_title

    wb = Workbook()
    about = wb.active
    about.title = "Om rapporten"
    used = {"om rapporten"}
    pol = f["policy"]
    about.append(["Uppföljning", f"{pol.title}"])
    about.append(["Underlag till och med", f"{month_name(f['months'][-1])} {f['year']}"])
    about.append(["Mätperiod", f"{period_text(f['period'])} {f['year']}"])
    about.append(["Jämförelseår", years_text(f["baseline_years"])])
    about.append(["Regelverk", f"{pol.path} (version {pol.version})"])
    about.append(["Regelverk, sha256", pol.sha256])
    for d in f["result"].data:
        about.append([f"Indata {d.table}", f"{d.path or 'inline'}, {d.rows} rader, sha256 {d.sha256 or '-'}"])
    for w in f["warnings"]:
        about.append(["Observera", swedish(w, with_note=False)])
    about.append(["Avrundning", "Genomsnitt och andelar med en decimal visas avrundade; cellerna har fler decimaler."])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 90
    for t in tables:
        ws = wb.create_sheet(sheet_title(t["sheet"], used))
        ws.append(t["headers"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in t["rows"]:
            ws.append([_xlsx_value(v, k) for v, k in zip(row, t["kinds"])])
        for col, kind in enumerate(t["kinds"], start=1):
            ws.column_dimensions[ws.cell(1, col).column_letter].width = 16 if kind != "text" else 22
            if kind in XLSX_FORMATS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                    cell.number_format = XLSX_FORMATS[kind]
        ws.freeze_panes = "A2"
    day = max(pol.valid.start, dt.date(MIN_ZIP_YEAR, 1, 1))
    stamp = dt.datetime.combine(day, dt.time())
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return fixed_zip_times(buffer.getvalue(), stamp)


def _xlsx_value(value, kind: str):
    """Whole numbers as exact numbers; an average or percentage as the nearest float (Excel has
    no other number), shown with one decimal by the cell format."""
    if value is None or kind == "text":
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value)


# ---------------------------------------------------------------- the files


def render_followup(evaluation, tables, up_to_month: int | None) -> dict[str, bytes]:
    """{file name: bytes}: <policy>-uppfoljning.html and .xlsx."""
    f = figures(evaluation, tables, up_to_month)
    tabs = tables_of(f)
    name = f"{f['policy'].id}-uppfoljning" + (f"-tom-{up_to_month:02d}" if up_to_month else "")
    return {f"{name}.html": render_html(f, tabs).encode("utf-8"), f"{name}.xlsx": render_xlsx(f, tabs)}
