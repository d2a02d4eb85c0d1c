"""Decision documents: one per member of a policy's main dimension (one per region). A policy
with a `letter:` section gets decision letters instead (evaluator/report/letters.py); these
working documents remain for policies without one and for `--working-papers`.

Each document says, in Swedish, for one region: the outcome (every output's value there,
booleans as ja/nej), the conditions met or failed and the findings and notes (boolean
outputs), the policy's checks, the derivation tree of every output figure down to input rows
and source passages, the warnings (illustrative parameters), and the policy version and the
sha256 of the policy and of every input file, so the decision can be reproduced later.

Markdown documents embed the text tree; HTML documents are self-contained (inline CSS, no
external assets, `lang="sv"`, printable) with the tree as nested lists. Rendering is pure:
`render_decisions` returns {file name: text}; the command writes them atomically.
"""

from __future__ import annotations

import html
import re
import unicodedata

from .. import explain as X
from ..present import MISSING, format_value
from ..result import WHAT_IF
from . import explanation as R
from .html import PAGE_END, page_head
from .warnings_sv import swedish

NOTE_WORDS = re.compile(r"note|anmärkning|notering", re.IGNORECASE)
FINDING_WORDS = re.compile(r"finding|flag|iakttagelse|brist|missing|saknas", re.IGNORECASE)
SECTIONS = (("conditions", "Villkor"), ("findings", "Iakttagelser"), ("notes", "Anmärkningar"))


def main_dimension(plan) -> str | None:
    """The first declared dimension that some output is per: policies declare the one their
    decisions are about (region) first. None when every output is national."""
    used = {d for rid in plan.policy.outputs if rid in plan.rules for d in plan.rules[rid].per}
    return next((d for d in plan.policy.dimensions if d in used), None)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_") or "x"


def bool_section(rule) -> str:
    """Where a boolean output goes: a note (C-10), a finding (C-9), or else a condition."""
    text = f"{rule.id} {rule.title or ''}"
    if NOTE_WORDS.search(text):
        return "notes"
    if FINDING_WORDS.search(text):
        return "findings"
    return "conditions"


def decision_data(evaluation, tables, member, dim: str | None) -> dict:
    """Everything one document shows, as plain data (rendered to Markdown or HTML)."""
    plan = evaluation.plan
    policy = plan.policy
    explainer = X.Explainer(evaluation, X.Options())
    reader = explainer.r
    outcome, shared = [], []
    sections: dict[str, list] = {name: [] for name, _ in SECTIONS}
    for rid in policy.outputs:
        pr = plan.rules.get(rid)
        if pr is None:
            continue
        rule = pr.rule
        unit = X.unit_text(rule.unit) or X.unit_text(pr.type.unit)
        val = evaluation.values.get(rid)
        keys = _keys(explainer, rid, dim, member)
        rows = []
        for key in keys:
            if val is None:
                rows.append((key, None, "inte beräknad"))
                continue
            _, v = reader.at(val, key)
            rows.append((key, v, format_value(v, unit)))
        item = {"rule": rid, "title": rule.title or rid, "unit": unit, "kind": pr.type.kind,
                "source": policy.reader_cite(rule.source),
                "rows": [{"key": {d: m for d, m in k.items() if d != dim},
                          "labels": {d: reader.label(d, m) for d, m in k.items() if d != dim},
                          "value": v, "formatted": f} for k, v, f in rows]}
        if dim is not None and dim not in pr.per:
            shared.append(item)
            continue
        outcome.append(item)
        if pr.type.kind == "bool":
            sections[bool_section(rule)].append(item)
    trees = []
    for rid in explanation_order(plan, [i["rule"] for i in outcome]):
        for key in _keys(explainer, rid, dim, member):
            trees.append(explainer.explain(rid, key))
    trees = R.reader_sources(trees, policy.reader_citations())  # the letter cites by title
    label = reader.label(dim, member) if dim else policy.title
    return {"policy": X.provenance(evaluation, tables), "dimension": dim, "member": member,
            "label": label, "outcome": outcome, "shared": shared, **sections, "checks": list(evaluation.checks), "trees": trees,
            "warnings": list(evaluation.warnings), "what_if": policy.params,
            "dimension_title": (policy.dimensions[dim].title or dim.capitalize()) if dim else None}


def explanation_order(plan, outputs: list[str]) -> list[str]:
    """Outputs that other outputs use come after them (and are then references, "se ovan");
    otherwise the policy's `outputs` order."""
    needs = {rid: plan.graph.upstream_rules(rid) for rid in outputs}
    left = list(outputs)
    order = []
    while left:
        pick = next((r for r in left if not any(r in needs[o] for o in left if o != r)), left[0])
        order.append(pick)
        left.remove(pick)
    return order


def _keys(explainer, rid, dim, member) -> list[dict]:
    keys = explainer.select(rid, None)
    if dim and dim in explainer.plan.rules[rid].per:
        keys = [k for k in keys if k[dim] == member]
    return keys


def document_name(policy, member) -> str:
    return f"{slug(policy.id)}-{slug(member) if member is not None else 'national'}"


def render_decisions(evaluation, tables, fmt: str, per: str | None = None,
                     members: list | None = None, working_papers: bool = False) -> dict[str, str]:
    """{file name: document} for every member of `per` (default: the main dimension), or for
    `members` only. A policy with a `letter:` section gets decision letters and an index page
    (evaluator/report/letters.py); without one, or with `working_papers`, the working
    documents below (every output, its conditions and the derivation tree of every figure)."""
    plan = evaluation.plan
    policy = plan.policy
    if policy.letter is not None and not working_papers and per in (None, policy.letter.per):
        from .letters import render_letters
        return render_letters(evaluation, tables, fmt, members)
    dim = per or main_dimension(plan)
    chosen = list(members) if members is not None else \
        (list(policy.dimensions[dim].members) if dim else [None])
    ext = {"md": "md", "html": "html"}[fmt]
    out: dict[str, str] = {}
    for member in chosen:
        data = decision_data(evaluation, tables, member, dim)
        name = document_name(policy, member)
        candidate, n = f"{name}.{ext}", 2
        while candidate in out:
            candidate, n = f"{name}_{n}.{ext}", n + 1
        out[candidate] = render_markdown(data) if fmt == "md" else render_html(data)
    return out


# ---------------------------------------------------------------- Markdown


def _key_label(row: dict) -> str:
    return ", ".join(str(v) for v in row["labels"].values())


def _mark(value, finding: bool) -> str:
    if value is None:
        return MISSING
    if finding:
        return "⚠" if value is True else "✓"
    return "✓" if value is True else "✗"


def _what_if_text(info) -> str:
    from ..result import change_text
    changed = "; ".join(change_text(c) for c in info.changes) or "inga värden ändrade"
    return (f"Värdena bygger på parametrar från {info.path} (sha256 {info.sha256}) i stället för "
            f"regelverkets: {changed}. Underlaget får inte användas som beslut.")


def render_markdown(data: dict) -> str:
    e = R.md_escape
    pol = data["policy"]["policy"]
    lines = [f"# Beslutsunderlag: {e(pol['title'])}", "",
             f"**{e(data['dimension_title'] or '')}:** {e(data['label'])}  ",
             f"**Regelverk, version:** {e(pol['version'])}", ""]
    if data.get("what_if"):
        lines += [f"> **{WHAT_IF}.** {e(_what_if_text(data['what_if']))}", ""]
    if data["warnings"]:
        lines += ["## Varningar", ""] + [f"- {e(swedish(w))}" for w in data["warnings"]] + [""]
    lines += ["## Utfall", "", "| Regel | Benämning | Värde |", "|---|---|---|"]
    for item in data["outcome"]:
        for row in item["rows"]:
            key = _key_label(row)
            title = item["title"] + (f" — {key}" if key else "")
            lines.append(f"| {e(item['rule'])} | {e(title)} | {e(row['formatted'])} |")
    lines.append("")
    for section, heading in SECTIONS:
        items = data[section]
        if not items:
            continue
        lines += [f"## {heading}", ""]
        for item in items:
            for row in item["rows"]:
                key = _key_label(row)
                mark = _mark(row["value"], section != "conditions")
                lines.append(f"- {mark} {e(item['title'])}{e(' — ' + key) if key else ''}: "
                             f"**{e(row['formatted'])}** ({e(item['rule'])}; källa: {e(item['source'] or 'SAKNAS')})")
        lines.append("")
    if data["shared"]:
        lines += ["## Gemensamma värden", ""]
        for item in data["shared"]:
            for row in item["rows"]:
                key = _key_label(row)
                lines.append(f"- {e(item['title'])}{e(' — ' + key) if key else ''}: {e(row['formatted'])}")
        lines.append("")
    if data["checks"]:
        lines += ["## Kontroller", ""]
        for c in data["checks"]:
            lines.append(f"- {'✓' if c.passed else '✗'} {e(c.title or c.id)}: {e(c.detail)}")
        lines.append("")
    lines += ["## Så beräknades beloppen", "",
              "Varje rad visar regeln, nyckeln och värdet; därunder uttrycket, det som avgjorde "
              "värdet, de värden som användes och källan i regelverket. Samma regel för samma "
              "nyckel visas en gång; senare hänvisningar säger \"se ovan\".", "", "```text"]
    lines += R.render_text(data["trees"]).rstrip("\n").split("\n")
    lines += ["```", ""]
    lines += _provenance_md(data["policy"])
    return "\n".join(lines) + "\n"


def _provenance_md(prov: dict) -> list[str]:
    e = R.md_escape
    pol = prov["policy"]
    lines = ["## Underlag för omprövning", "",
             f"- Regelverk: {e(pol['path'])} (id {e(pol['id'])}, version {e(pol['version'])}), "
             f"sha256 `{pol['sha256']}`"]
    for d in prov["data"]:
        lines.append(f"- Indata {e(d['table'])}: {e(d['path'] or 'inline')}, {d['rows']} rader, "
                     f"sha256 `{d['sha256'] or '-'}`")
    return lines


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd;
vertical-align:top}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.warn{background:#fff4d6;border-left:4px solid #d99a00;padding:.5rem .75rem;margin:.5rem 0}
.ok{color:#176b2c}.fail{color:#a3161a}.meta{color:#555;font-size:.9rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;background:#f4f4f4;padding:0 .2em}
ul.tree,ul.tree ul{list-style:none;padding-left:1.2rem;border-left:1px solid #ccc;margin:.25rem 0}
ul.tree{border-left:none;padding-left:0}ul.tree li{margin:.35rem 0}
.node{font-weight:600}.detail{font-size:.92rem;color:#333}.ref{color:#555;font-style:italic}
.illustrative{color:#8a5a00;font-weight:600}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}li,tr{break-inside:avoid}
code{background:none}}
"""


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def render_html(data: dict) -> str:
    pol = data["policy"]["policy"]
    title = f"Beslutsunderlag: {pol['title']} — {data['label']}"
    parts = [*page_head(title, CSS),
             f"<h1>{_h('Beslutsunderlag: ' + pol['title'])}</h1>",
             f'<p class="meta"><strong>{_h(data["dimension_title"] or "")}:</strong> {_h(data["label"])} · '
             f"Regelverk, version {_h(pol['version'])}</p>"]
    if data.get("what_if"):
        parts.append(f'<p class="warn"><strong>{_h(WHAT_IF)}.</strong> {_h(_what_if_text(data["what_if"]))}</p>')
    for w in data["warnings"]:
        parts.append(f'<p class="warn"><strong>Varning:</strong> {_h(swedish(w))}</p>')
    parts += ["<h2>Utfall</h2>", "<table>", "<thead><tr><th>Regel</th><th>Benämning</th><th>Värde</th></tr></thead>",
              "<tbody>"]
    for item in data["outcome"]:
        for row in item["rows"]:
            key = _key_label(row)
            parts.append(f"<tr><td><code>{_h(item['rule'])}</code></td><td>{_h(item['title'])}"
                         f"{_h(' — ' + key) if key else ''}</td><td class=\"num\">{_h(row['formatted'])}</td></tr>")
    parts += ["</tbody>", "</table>"]
    for section, heading in SECTIONS:
        items = data[section]
        if not items:
            continue
        parts += [f"<h2>{_h(heading)}</h2>", "<ul>"]
        for item in items:
            for row in item["rows"]:
                key = _key_label(row)
                bad = row["value"] is not (False if section != "conditions" else True)
                cls = "fail" if bad else "ok"
                parts.append(f'<li><span class="{cls}">{_h(row["formatted"])}</span> — {_h(item["title"])}'
                             f"{_h(' — ' + key) if key else ''} <span class=\"meta\">(<code>{_h(item['rule'])}</code>; "
                             f"källa: {_h(item['source'] or 'SAKNAS')})</span></li>")
        parts.append("</ul>")
    if data["shared"]:
        parts += ["<h2>Gemensamma värden</h2>", "<ul>"]
        for item in data["shared"]:
            for row in item["rows"]:
                key = _key_label(row)
                parts.append(f"<li>{_h(item['title'])}{_h(' — ' + key) if key else ''}: {_h(row['formatted'])}</li>")
        parts.append("</ul>")
    if data["checks"]:
        parts += ["<h2>Kontroller</h2>", "<ul>"]
        for c in data["checks"]:
            cls = "ok" if c.passed else "fail"
            parts.append(f'<li><span class="{cls}">{"uppfylld" if c.passed else "inte uppfylld"}</span> — '
                         f"{_h(c.title or c.id)}: {_h(c.detail)}</li>")
        parts.append("</ul>")
    parts += ["<h2>Så beräknades beloppen</h2>",
              "<p class=\"detail\">Varje punkt visar regeln, nyckeln och värdet; därunder uttrycket, det som "
              "avgjorde värdet, de värden som användes och källan i regelverket. Samma regel för samma nyckel "
              "visas en gång; senare hänvisningar säger ”se ovan”.</p>", '<ul class="tree">']
    for node in data["trees"]:
        _html_node(node, parts)
    parts.append("</ul>")
    prov = data["policy"]
    parts += ["<h2>Underlag för omprövning</h2>", "<ul class=\"meta\">",
              f"<li>Regelverk: {_h(pol['path'])} (id {_h(pol['id'])}, version {_h(pol['version'])}), "
              f"sha256 <code>{_h(pol['sha256'])}</code></li>"]
    for d in prov["data"]:
        parts.append(f"<li>Indata {_h(d['table'])}: {_h(d['path'] or 'inline')}, {_h(d['rows'])} rader, "
                     f"sha256 <code>{_h(d['sha256'] or '-')}</code></li>")
    parts += ["</ul>", *PAGE_END]
    return "\n".join(parts) + "\n"


def _html_detail(detail: R.Detail) -> str:
    label = R.LABELS.get(detail.kind)
    if detail.kind == "expression":
        return f"{label}: <code>{_h(detail.text)}</code>"
    if detail.kind == "record":
        return f"&nbsp;&nbsp;{_h(detail.text.strip())}"
    text = f"{label}: {_h(detail.text)}" if label else _h(detail.text)
    return f'<span class="illustrative">{text}</span>' if detail.illustrative else \
        (f"<span>{text}</span>" if detail.kind == "operand" else text)


def _html_node(node: dict, parts: list[str]) -> None:
    where = R.key_text(node)
    head = f"<code>{_h(node['rule'])}</code>" + (f" · {_h(where)}" if where else "") + f" = {_h(node['formatted'])}"
    if "ref" in node:
        parts.append(f'<li><span class="node">{head}</span> <span class="ref">(se ovan)</span></li>')
        return
    parts.append(f'<li><span class="node">{head}</span> — {_h(node["headline"])}')
    parts.append('<div class="detail">')
    details = [_html_detail(d) for d in R.node_details(node)]
    parts.append("<br>\n".join(details))
    parts.append("</div>")
    if node.get("children"):
        parts.append("<ul>")
        for child in node["children"]:
            _html_node(child, parts)
        parts.append("</ul>")
    parts.append("</li>")
