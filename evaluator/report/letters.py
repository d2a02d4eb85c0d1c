"""Decision letters (`villkor decisions` for a policy with a `letter:` section): one letter per
member of the letter's dimension (one per region) and an index page listing them all.

A letter is what a finance director reads: the authority, the date, the recipient's legal
name, the decision and its reasons in the policy's own words (evaluator/report/letter_text.py
fills them in), then, after a page break, an appendix with the figures behind the decision,
the sources cited once in a numbered list, and the hashes of policy and data so the decision
can be reproduced. A letter built on illustrative parameters, or on --params, carries the
draft mark on its first lines.

Markdown and HTML carry the same content; the HTML is self-contained and prints on A4 (the
appendix starts a new page). Rendering is pure: `render_letters` returns {file name: text}.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

from ..explain import provenance
from ..policy.model import reader_passage
from ..present import present_date, present_integer
from ..result import WHAT_IF
from .explanation import md_escape
from .html import PAGE_END, page_head
from .layout import exact_sum
from .letter_text import Filler, letter_date, present_figure

DRAFT = "UTKAST – bygger på illustrativa värden"  # when the policy names no draft mark of its own


def render_letters(evaluation, tables, fmt: str, members: list | None = None) -> dict[str, str]:
    """{file name: text}: one letter per member (all, or `members`), then the index page."""
    from .decisions import document_name

    policy = evaluation.plan.policy
    letter = policy.letter
    filler = Filler(evaluation)
    chosen = list(policy.dimensions[letter.per].members) if members is None else list(members)
    render = render_markdown if fmt == "md" else render_html
    out: dict[str, str] = {}
    rows = []
    for member in chosen:
        data = letter_data(evaluation, tables, filler, member)
        name = f"{document_name(policy, member)}.{fmt}"
        out[name] = render(data)
        rows.append((name, member))
    index = index_data(evaluation, filler, rows)
    out[f"{document_name(policy, 'index')}.{fmt}"] = (index_markdown if fmt == "md" else index_html)(index)
    return out


# ---------------------------------------------------------------- content, as plain data


def draft_mark(policy) -> str | None:
    """The draft mark when a figure is a stand-in (an illustrative parameter) or a what-if."""
    illustrative = any(p.status == "illustrative" for p in policy.parameters.values())
    if illustrative or policy.params:
        return policy.letter.draft or DRAFT
    return None


def letter_data(evaluation, tables, filler: Filler, member) -> dict:
    policy = evaluation.plan.policy
    letter = policy.letter
    key = {letter.per: member}
    sections = []
    for sec in letter.sections:
        texts = [filler.fill(p.text, key) for p in sec.paragraphs if filler.shown(p, key)]
        if texts:
            sections.append({"heading": filler.fill(sec.heading, key), "bullets": sec.bullets,
                             "paragraphs": texts})
    sources = Sources(policy)
    return {"authority": letter.authority, "date": present_date(letter_date(policy)),
            "recipient": filler.reader.label(letter.per, member), "title": filler.fill(letter.title, key),
            "draft": draft_mark(policy), "what_if": _what_if_text(policy.params) if policy.params else None,
            "sections": sections,
            "appendix_heading": filler.fill(letter.appendix_heading, key) if letter.appendix_heading else None,
            "appendix": appendix_blocks(filler, letter.appendix, key, sources),
            "sources": sources.groups(), "provenance": provenance(evaluation, tables)}


def _what_if_text(info) -> str:
    from ..result import change_text
    changed = "; ".join(change_text(c) for c in info.changes) or "inga värden ändrade"
    return (f"{WHAT_IF}: värdena bygger på parametrar från {info.path} i stället för regelverkets "
            f"({changed}). Brevet får inte skickas som beslut.")


class Sources:
    """The passages the appendix rests on, numbered in order of first use, each listed once;
    `groups()` lists them under their document's title, named once."""

    def __init__(self, policy):
        self.policy = policy
        self.listed: list[tuple[str, str]] = []  # (document title, passage)

    def number(self, ref) -> int | None:
        if ref is None:
            return None
        src = self.policy.sources.get(ref.ref)
        title = (src.title or src.document) if src else ref.ref
        passage = ref.passage or (src.passage if src else None)
        entry = (title, (reader_passage(title, passage) or passage) or "")  # not "Bilaga 1" twice
        if entry not in self.listed:
            self.listed.append(entry)
        return self.listed.index(entry) + 1

    def groups(self) -> list[dict]:
        """[{title, items: [(number, passage)]}], documents in order of first use."""
        out: dict[str, list] = {}
        for n, (title, passage) in enumerate(self.listed, 1):
            out.setdefault(title, []).append((n, passage))
        return [{"title": t, "items": items} for t, items in out.items()]


def appendix_blocks(filler: Filler, figures, key: dict, sources: Sources) -> list[dict]:
    """The figures grouped by the dimensions they have beyond the letter's: one list of the
    member's own figures, one table per finer breakdown (e.g. a row per measure)."""
    plan = filler.plan
    groups: dict[tuple, list] = {}
    for fig in figures:
        pr = plan.rules.get(fig.rule)
        if pr is None:
            continue
        extra = tuple(d for d in pr.per if d not in key)
        groups.setdefault(extra, []).append(fig)
    blocks: list[dict] = []
    for extra, figs in groups.items():
        cols = [{"caption": f.title or plan.rules[f.rule].rule.title or f.rule,
                 "source": sources.number(plan.rules[f.rule].rule.source)} for f in figs]
        if not extra:
            pairs = [[c, present_figure(*filler.value(f.rule, key))] for c, f in zip(cols, figs)]
            blocks.append({"kind": "list", "rows": pairs})
            continue
        dims = filler.policy.dimensions
        combos = _combos(dims, extra)
        rows = [{"labels": [filler.reader.label(d, combo[d]) for d in extra],
                 "values": [present_figure(*filler.value(f.rule, {**key, **combo})) for f in figs]}
                for combo in combos]
        blocks.append({"kind": "table", "dims": [dims[d].title or d for d in extra], "columns": cols,
                       "rows": rows})
    return blocks


def _combos(dims, extra) -> list[dict]:
    import itertools
    return [dict(zip(extra, combo)) for combo in itertools.product(*[dims[d].members for d in extra])]


def index_data(evaluation, filler: Filler, rows: list[tuple[str, object]]) -> dict:
    policy = evaluation.plan.policy
    letter = policy.letter
    figs = [f for f in letter.index if f.rule in filler.plan.rules]
    columns = [f.title or filler.plan.rules[f.rule].rule.title or f.rule for f in figs]
    body: list[dict] = []
    totals: list[list[tuple]] = [[] for _ in figs]
    for name, member in rows:
        key = {letter.per: member}
        cells = []
        for i, f in enumerate(figs):
            value, unit = filler.value(f.rule, key)
            totals[i].append((value, unit))
            cells.append(present_figure(value, unit))
        body.append({"file": name, "label": filler.reader.label(letter.per, member), "values": cells})
    sums = []
    for col in totals:
        numbers = [v for v, _ in col if isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
        unit = col[0][1] if col else None
        sums.append(present_figure(exact_sum(numbers), unit) if numbers and len(numbers) == len(col) else "")
    title = filler.fill(letter.index_title, {}) if letter.index_title else filler.fill(letter.title, {})
    return {"title": title, "authority": letter.authority, "date": present_date(letter_date(policy)),
            "draft": draft_mark(policy), "dimension": policy.dimensions[letter.per].title or letter.per,
            "columns": columns, "rows": body, "sums": sums}


# ---------------------------------------------------------------- Markdown


def render_markdown(data: dict) -> str:
    e = md_escape
    lines: list[str] = []
    if data["draft"]:
        lines += [f"> **{e(data['draft'])}**", ""]
    if data["what_if"]:
        lines += [f"> {e(data['what_if'])}", ""]
    lines += [f"**{e(data['authority'])}**  ", f"Beslut {e(data['date'])}  ", f"Till {e(data['recipient'])}", "",
              f"# {e(data['title'])}", ""]
    for sec in data["sections"]:
        lines += [f"## {e(sec['heading'])}", ""]
        if sec["bullets"]:
            lines += [f"- {e(t)}" for t in sec["paragraphs"]] + [""]
        else:
            for t in sec["paragraphs"]:
                lines += [e(t), ""]
    lines += [f"{e(data['authority'])}", "", "---", ""]
    if data["appendix_heading"]:
        lines += [f"## {e(data['appendix_heading'])}", ""]
    for block in data["appendix"]:
        lines += _md_block(block) + [""]
    lines += ["### Källor", ""]
    for group in data["sources"]:
        lines += [f"*{e(group['title'])}*", ""] + [f"{n}. {e(p)}" for n, p in group["items"]] + [""]
    lines += _md_provenance(data["provenance"])
    return "\n".join(lines) + "\n"


def _ref(n) -> str:
    return f" [{n}]" if n else ""


def _md_block(block: dict) -> list[str]:
    e = md_escape
    if block["kind"] == "list":
        out = ["| Uppgift | Belopp eller antal |", "|---|---:|"]
        return out + [f"| {e(c['caption'])}{_ref(c['source'])} | {e(v)} |" for c, v in block["rows"]]
    head = [*block["dims"], *[c["caption"] + _ref(c["source"]) for c in block["columns"]]]
    out = ["| " + " | ".join(e(h) for h in head) + " |",
           "|" + "---|" * len(block["dims"]) + "---:|" * len(block["columns"])]
    for row in block["rows"]:
        out.append("| " + " | ".join(e(c) for c in [*row["labels"], *row["values"]]) + " |")
    return out


def _md_provenance(prov: dict) -> list[str]:
    e = md_escape
    pol = prov["policy"]
    lines = ["### Underlag för omprövning", "",
             f"- Regelverk: {e(pol['path'])}, version {e(pol['version'])}, sha256 `{pol['sha256']}`"]
    for d in prov["data"]:
        lines.append(f"- Indata: {e(d['path'] or '–')}, {present_integer(d['rows'])} rader, sha256 `{d['sha256'] or '–'}`")
    return lines


def index_markdown(data: dict) -> str:
    e = md_escape
    lines = [f"> **{e(data['draft'])}**", ""] if data["draft"] else []
    lines += [f"**{e(data['authority'])}**  ", f"Beslut {e(data['date'])}", "", f"# {e(data['title'])}", "",
              "| " + " | ".join([e(data["dimension"]), *map(e, data["columns"])]) + " |",
              "|---|" + "---:|" * len(data["columns"])]
    for row in data["rows"]:
        lines.append(f"| [{e(row['label'])}]({row['file']}) | " + " | ".join(e(v) for v in row["values"]) + " |")
    if any(data["sums"]):
        lines.append("| **Summa** | " + " | ".join(f"**{e(s)}**" if s else "" for s in data["sums"]) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML

CSS = """
@page{size:A4;margin:20mm 20mm 22mm 22mm}
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;color:#111;line-height:1.45;font-size:11pt;
margin:0;background:#e8e8e8}
.page{background:#fff;width:210mm;min-height:297mm;box-sizing:border-box;padding:20mm 20mm 22mm 22mm;
margin:1rem auto;box-shadow:0 1px 4px rgba(0,0,0,.25)}
.head{display:flex;justify-content:space-between;align-items:flex-start;margin-bottom:14mm}
.authority{font-size:15pt;font-weight:700;letter-spacing:.02em}
.meta{text-align:right;font-size:10pt;color:#333}
.recipient{margin-bottom:10mm}
h1{font-size:15pt;margin:0 0 6mm}h2{font-size:12pt;margin:7mm 0 2mm}h3{font-size:11pt;margin:6mm 0 2mm}
p{margin:0 0 3mm}ul{margin:0 0 3mm;padding-left:6mm}li{margin:0 0 1.5mm}
.draft{border:2px solid #a3161a;color:#a3161a;font-weight:700;font-size:12pt;padding:2mm 4mm;margin-bottom:8mm;
text-align:center;letter-spacing:.03em}
.whatif{border-left:4px solid #d99a00;background:#fff4d6;padding:2mm 4mm;margin-bottom:6mm}
.sign{margin-top:10mm}
table{border-collapse:collapse;width:100%;font-size:10pt;margin-bottom:4mm}
th,td{text-align:left;padding:1.2mm 2mm;border-bottom:1px solid #ccc;vertical-align:top}
th{border-bottom:1.5px solid #555}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}
.n{white-space:nowrap}tr.sum td{font-weight:700;border-top:1.5px solid #555}
ol.sources,ul.prov{font-size:9.5pt;color:#333}p.source{font-size:9.5pt;font-style:italic;margin:2mm 0 1mm}
ul.prov code{font-size:8.5pt;word-break:break-all}
a{color:#0b4f8a}
@media print{body{background:none}.page{width:auto;min-height:0;padding:0;margin:0;box-shadow:none}
.page+.page{break-before:page}tr,li{break-inside:avoid}h2,h3{break-after:avoid}}
"""

_NUMBER = re.compile(r"\d(?:[\d\u2009,]*\d)?")


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def _t(text) -> str:
    """Escaped text with every number kept on one line (its thin spaces do not break)."""
    text, out, at = str(text), [], 0
    for m in _NUMBER.finditer(text):
        out += [_h(text[at:m.start()]), f'<span class="n">{m.group(0)}</span>']
        at = m.end()
    return "".join(out) + _h(text[at:])


def _page_head(data: dict, recipient: str | None) -> list[str]:
    parts = []
    if data["draft"]:
        parts.append(f'<div class="draft">{_h(data["draft"])}</div>')
    if data.get("what_if"):
        parts.append(f'<p class="whatif">{_t(data["what_if"])}</p>')
    parts.append(f'<div class="head"><div class="authority">{_h(data["authority"])}</div>'
                 f'<div class="meta">Beslut<br>{_t(data["date"])}</div></div>')
    if recipient:
        parts.append(f'<div class="recipient">{_h(recipient)}</div>')
    return parts


def _document(title: str, body: list[str]) -> str:
    return "\n".join([*page_head(title, CSS), *body, *PAGE_END]) + "\n"


def render_html(data: dict) -> str:
    parts = ['<article class="page letter">', *_page_head(data, data["recipient"]),
             f"<h1>{_t(data['title'])}</h1>"]
    for sec in data["sections"]:
        parts.append(f"<h2>{_t(sec['heading'])}</h2>")
        if sec["bullets"]:
            parts += ["<ul>", *[f"<li>{_t(t)}</li>" for t in sec["paragraphs"]], "</ul>"]
        else:
            parts += [f"<p>{_t(t)}</p>" for t in sec["paragraphs"]]
    parts += [f'<p class="sign">{_h(data["authority"])}</p>', "</article>", '<section class="page appendix">']
    if data["draft"]:
        parts.append(f'<div class="draft">{_h(data["draft"])}</div>')
    if data["appendix_heading"]:
        parts.append(f"<h2>{_t(data['appendix_heading'])}</h2>")
    for block in data["appendix"]:
        parts += _html_block(block)
    parts.append("<h3>Källor</h3>")
    for group in data["sources"]:
        parts += [f'<p class="source">{_t(group["title"])}</p>', f'<ol class="sources" start="{group["items"][0][0]}">',
                  *[f'<li value="{n}">{_t(p)}</li>' for n, p in group["items"]], "</ol>"]
    parts += _html_provenance(data["provenance"]) + ["</section>"]
    return _document(f"{data['title']} – {data['recipient']}", parts)


def _sup(n) -> str:
    return f" <sup>[{n}]</sup>" if n else ""


def _html_block(block: dict) -> list[str]:
    if block["kind"] == "list":
        rows = [f'<tr><td>{_t(c["caption"])}{_sup(c["source"])}</td><td class="num">{_t(v)}</td></tr>'
                for c, v in block["rows"]]
        return ["<table>", '<thead><tr><th>Uppgift</th><th class="num">Belopp eller antal</th></tr></thead>',
                "<tbody>", *rows, "</tbody>", "</table>"]
    head = [f"<th>{_h(d)}</th>" for d in block["dims"]] + \
        [f'<th class="num">{_t(c["caption"])}{_sup(c["source"])}</th>' for c in block["columns"]]
    out = ["<table>", f"<thead><tr>{''.join(head)}</tr></thead>", "<tbody>"]
    for row in block["rows"]:
        cells = [f"<td>{_h(v)}</td>" for v in row["labels"]] + [f'<td class="num">{_t(v)}</td>' for v in row["values"]]
        out.append(f"<tr>{''.join(cells)}</tr>")
    return out + ["</tbody>", "</table>"]


def _html_provenance(prov: dict) -> list[str]:
    pol = prov["policy"]
    out = ["<h3>Underlag för omprövning</h3>", '<ul class="prov">',
           f"<li>Regelverk: {_h(pol['path'])}, version {_h(pol['version'])}, sha256 <code>{_h(pol['sha256'])}</code></li>"]
    for d in prov["data"]:
        out.append(f"<li>Indata: {_h(d['path'] or '–')}, {_t(present_integer(d['rows']))} rader, "
                   f"sha256 <code>{_h(d['sha256'] or '–')}</code></li>")
    return out + ["</ul>"]


def index_html(data: dict) -> str:
    parts = ['<article class="page index">', *_page_head(data, None), f"<h1>{_t(data['title'])}</h1>",
             "<table>", "<thead><tr>" + f"<th>{_h(data['dimension'])}</th>" +
             "".join(f'<th class="num">{_h(c)}</th>' for c in data["columns"]) + "</tr></thead>", "<tbody>"]
    for row in data["rows"]:
        parts.append(f'<tr><td><a href="{_h(row["file"])}">{_h(row["label"])}</a></td>' +
                     "".join(f'<td class="num">{_t(v)}</td>' for v in row["values"]) + "</tr>")
    if any(data["sums"]):
        sums = "".join(f'<td class="num">{_t(s)}</td>' for s in data["sums"])
        parts.append(f'<tr class="sum"><td>Summa</td>{sums}</tr>')
    parts += ["</tbody>", "</table>", "</article>"]
    return _document(data["title"], parts)
