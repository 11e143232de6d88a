"""The incident report as one self-contained HTML file: inline CSS and SVG charts, no script, no fetch.

A Content-Security-Policy forbids every network load, so the file opens offline and cannot leak when opened.
Every value from the scan (paths, reasons) is HTML-escaped, after :func:`detector.names.readable` (controls and
bidi overrides escaped, numbers in names masked, Shift_JIS names decoded); numbers are masked.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .. import __version__
from ..assess import Status
from ..incident import Incident
from ..names import readable
from ..result import UNKNOWN_HOST
from .access_words import section as access_section
from .incident_words import (
    TODO,
    article_text,
    bound_text,
    certain_reasons,
    check_texts,
    condition_texts,
    draft,
    item_label,
    reason_text,
    unreadable_text,
    unscanned_reason_text,
    verdict_text,
    words,
)

MAX_BARS = 12
CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",Meiryo,sans-serif;margin:2rem auto;max-width:70rem;
color:#1d2733;line-height:1.55;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #d5dbe3;padding-bottom:.2rem;
margin-top:2rem}.sub{color:#5a6675;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #d5dbe3;border-radius:.5rem;padding:.8rem 1.2rem;
min-width:12rem}.card .n{font-size:2rem;font-weight:700}.card .l{color:#5a6675}
.verdict{border-radius:.5rem;padding:1rem 1.2rem;font-weight:700}.serious{background:#fde8e8;border:2px solid #c81e1e}
.calm{background:#e8f5ec;border:2px solid #2f7d46}.possible{background:#fff4cc;border:2px solid #b7791f}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #d5dbe3;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f1f4f8}td.num{text-align:right}
.todo{background:#fff4cc;font-weight:700}.pub{color:#c81e1e;font-weight:700}.charts{display:flex;flex-wrap:wrap;
gap:1.5rem}figure{margin:0}figcaption{font-weight:700;margin-bottom:.3rem}code{font-size:.85rem}
footer{margin-top:2rem;color:#5a6675;font-size:.85rem}
"""


def render(incident: Incident, lang: str = "ja") -> str:
    w = words(lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(w['title'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(w['title'])}</h1>",
        f'<p class="sub">{escape(w["subtitle"])} · {escape(w["scan"])}: '
        f'{escape(", ".join(map(readable, incident.roots)) or "-")} · {escape(w["host"])}: '
        f'{escape(", ".join(map(readable, incident.hosts)) or UNKNOWN_HOST)}</p>',
        _figures(incident, w),
        _verdict(incident, w, lang),
        _conditions(incident, w, lang),
        _deadlines(incident, w, lang),
        _charts(incident, w),
        _files(incident, w, lang),
        _unscanned(incident, w, lang),
        _unreadable(incident, w, lang),
        _access(incident, lang),
        _draft(incident, w, lang),
        f"<footer>mynumber {escape(__version__)} · {dt.date.today().isoformat()} · key {escape(incident.key_id)}"
        "</footer></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _figures(incident: Incident, w: dict[str, str]) -> str:
    f = incident.figures
    cards = "".join(
        f'<div class="card" data-figure="{key}"><div class="n">{f[key]:,}</div><div class="l">{escape(w[key])}</div>'
        "</div>" for key in ("distinct_people", "public_distinct_people", "files_with_findings", "unscanned"))
    return f'<h2>{escape(w["figures"])}</h2><div class="cards">{cards}</div>'


def _verdict(incident: Incident, w: dict[str, str], lang: str) -> str:
    klass = {Status.REPORTABLE: "serious", Status.POSSIBLY_REPORTABLE: "possible"}.get(incident.status, "calm")
    reasons = "".join(f"<li>{escape(reason_text(r, lang))}</li>" for r in certain_reasons(incident))
    articles = "".join(f"<li>{escape(article_text(a, lang))}</li>" for a in incident.articles)
    out = (f'<h2>{escape(w["verdict"])}</h2><div class="verdict {klass}" id="verdict" '
           f'data-status="{incident.status.value}">{escape(verdict_text(incident, lang))}</div>')
    if reasons:
        out += f"<ul>{reasons}</ul>"
    if incident.possible:
        possible = "".join(f"<li>{escape(reason_text(r, lang))}</li>" for r in incident.possible)
        checks = "".join(f'<li class="todo">{escape(text)}</li>' for text in check_texts(incident, lang))
        out += (f'<p><b>{escape(w["possible"])}</b></p><ul id="possible">{possible}</ul>'
                f"<p>{escape(bound_text(incident, lang))}</p>"
                f'<p><b>{escape(w["to_check"])}</b></p><ul id="to-check">{checks}</ul>')
    if articles:
        out += f"<p><b>{escape(w['articles'])}</b></p><ul>{articles}</ul>"
    return out


def _deadlines(incident: Incident, w: dict[str, str], lang: str) -> str:
    """When to report: the 速報's yardstick as a range of dates, the 確報's deadline; no table when the incident
    is not reportable."""
    if not incident.shows_reporting_dates:
        return f'<h2>{escape(w["deadlines"])}</h2><p id="no-deadlines">{escape(w["deadlines_none"])}</p>'
    d = incident.deadlines
    window = d.preliminary_report
    final_label = f"{w['final_report']} ({w['final_60'] if d.malicious else w['final_30']})"
    rows = [(w["discovered"], _day(d.discovered, lang)),
            (w["preliminary_report"], w["date_range"].format(_day(window.first, lang), _day(window.last, lang))
             + f" ({w['preliminary_days']})"),
            (final_label, _day(d.final_report, lang))]
    body = "".join(f"<tr><th>{escape(label)}</th><td>{escape(when)}</td></tr>" for label, when in rows)
    lead = (f'<p id="deadlines-if-confirmed">{escape(w["deadlines_if_confirmed"])}</p>'
            if incident.status is Status.POSSIBLY_REPORTABLE else "")
    note = f"<p>{escape(w['deadline_note'])}</p>"
    if incident.discovered_assumed:
        note += f'<p class="todo">{escape(w["assumed"])}</p>'
    return f'<h2>{escape(w["deadlines"])}</h2>{lead}<table id="deadlines">{body}</table>{note}'


def _day(day: dt.date, lang: str) -> str:
    return f"{day.isoformat()} ({_weekday(day, lang)})"


def _weekday(day: dt.date, lang: str) -> str:
    names = "月火水木金土日" if lang == "ja" else ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return names[day.weekday()]


def _charts(incident: Incident, w: dict[str, str]) -> str:
    exposure = [(w["public"], incident.public_people), (w["internal"], incident.internal_people)]
    charts = [
        ("chart-folders", w["chart.folders"], [(readable(folder), people) for folder, people
                                               in incident.people_by_folder[:MAX_BARS]], "#2f5d8a"),
        ("chart-types", w["chart.types"], incident.findings_by_type[:MAX_BARS], "#6a4c93"),
        ("chart-exposure", w["chart.exposure"], exposure, "#c81e1e"),
    ]
    figures = "".join(f'<figure><figcaption>{escape(title)}</figcaption>{bar_chart(chart_id, data, colour)}</figure>'
                      for chart_id, title, data, colour in charts)
    return f'<h2>{escape(w["charts"])}</h2><div class="charts">{figures}</div>'


def bar_chart(chart_id: str, data: list[tuple[str, int]], colour: str) -> str:
    """A horizontal bar chart as inline SVG: a label, a bar and its value per row."""
    rows = data or [("-", 0)]
    width, label_width, row_height = 420, 150, 26
    top = max(value for _, value in rows) or 1
    height = row_height * len(rows) + 8
    bars = []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        length = int((width - label_width - 60) * value / top)
        shown = label if len(label) <= 18 else label[:17] + "…"
        bars.append(f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" font-size="12">{escape(shown)}'
                    f"<title>{escape(label)}</title></text>"
                    f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1)}" height="{row_height - 8}" '
                    f'fill="{colour}" rx="2"/>'
                    f'<text x="{label_width + length + 6}" y="{y + 17}" font-size="12">{value:,}</text>')
    return (f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img">{"".join(bars)}</svg>')


def _files(incident: Incident, w: dict[str, str], lang: str) -> str:
    head = "".join(f"<th>{escape(w[key])}</th>" for key in
                   ("col.path", "col.people", "col.confidence", "col.public", "col.examples", "col.items"))
    rows = []
    host: object = object()
    for row in incident.files:
        if incident.several_hosts and row.host != host:  # two hosts' same path are two files: grouped by host
            host = row.host
            name = readable(row.host) if row.host is not None else UNKNOWN_HOST
            rows.append(f'<tr class="host"><th colspan="6">{escape(w["host"])}: {escape(name)}</th></tr>')
        public = (f'<span class="pub">{escape(w["yes"])}</span><br><small>{escape(readable(row.public_reason or ""))}'
                  "</small>" if row.public else escape(w["no"]))
        examples = "<br>".join(f"{escape(loc)}: <code>{escape(masked)}</code>" for loc, masked in row.examples)
        if row.findings > len(row.examples):
            examples += f"<br>… ({row.findings:,})"
        items = "、".join(item_label(incident, i, lang) for i in row.items) if lang == "ja" else \
            ", ".join(item_label(incident, i, lang) for i in row.items)
        rows.append(f"<tr><td>{escape(readable(row.path))}</td><td class='num'>{row.people:,}</td>"
                    f"<td>{escape(w['confidence.' + row.confidence])}</td><td>{public}</td><td>{examples}</td>"
                    f"<td>{escape(items or w['none'])}</td></tr>")
    return (f'<h2>{escape(w["files"])}</h2><table id="files"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _conditions(incident: Incident, w: dict[str, str], lang: str) -> str:
    """What the verdict assumes, what the tool does not judge, and below the threshold (incident_words)."""
    texts = condition_texts(incident, lang)

    def items(key: str) -> str:
        return "".join(f"<li>{escape(text)}</li>" for text in texts[key])

    out = (f'<h2>{escape(w["assumes"])}</h2><ul id="assumes">{items("assumes")}</ul>'
           f'<p><b>{escape(w["not_assessed"])}</b></p><ul id="not-assessed">{items("not_assessed")}</ul>')
    if texts["below"]:
        out += f'<p><b>{escape(w["below"])}</b></p><ul id="below-threshold">{items("below")}</ul>'
    return out


def _unscanned(incident: Incident, w: dict[str, str], lang: str) -> str:
    if not incident.unscanned:
        return f'<h2>{escape(w["todo"])}</h2><p>{escape(w["todo_none"])}</p>'
    lines = []
    host: object = object()
    for u in incident.unscanned:
        if incident.several_hosts and u.host != host:  # grouped by host, as the files with findings
            host = u.host
            name = readable(u.host) if u.host is not None else UNKNOWN_HOST
            lines.append(f'<tr class="host"><th colspan="2">{escape(w["host"])}: {escape(name)}</th></tr>')
        lines.append(f"<tr><td>{escape(readable(u.path))}{(' » ' + escape(readable(u.member))) if u.member else ''}"
                     f"</td><td>{escape(unscanned_reason_text(u.reason, lang))}</td></tr>")
    rows = "".join(lines)
    return (f'<h2>{escape(w["todo"])}</h2><table id="unscanned"><thead><tr><th>{escape(w["col.path"])}</th>'
            f'<th>{escape(w["col.reason"])}</th></tr></thead><tbody>{rows}</tbody></table>')


def _unreadable(incident: Incident, w: dict[str, str], lang: str) -> str:
    """The possible numbers in pictures OCR could not read: each for a person to look at (not counted as people)."""
    if not incident.unreadable:
        return ""
    rows = "".join(f"<tr><td>{escape(readable(u.path))}</td><td>{escape(unreadable_text(u, lang))}</td></tr>"
                   for u in incident.unreadable)
    return (f'<h2>{escape(w["unreadable_candidates"])}</h2><table id="unreadable"><thead><tr>'
            f'<th>{escape(w["col.path"])}</th><th>{escape(w["col.reason"])}</th></tr></thead><tbody>{rows}</tbody>'
            "</table>")


def _access(incident: Incident, lang: str) -> str:
    """The access-log evidence (report --exposure), when given."""
    if incident.access is None:
        return ""
    found = access_section(incident.access, lang)
    sentences = "".join(f"<li>{escape(sentence)}</li>" for sentence in found.sentences)
    head = "".join(f"<th>{escape(cell)}</th>" for cell in found.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in found.rows)
    return (f'<h2>{escape(found.heading)}</h2><ul id="access-summary">{sentences}</ul><table id="access">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _draft(incident: Incident, w: dict[str, str], lang: str) -> str:
    rows = []
    for entry in draft(incident, lang):
        text = escape(entry.text).replace(escape(TODO[lang]), f'<span class="todo">{escape(TODO[lang])}</span>')
        rows.append(f"<tr><th>{entry.item}. {escape(entry.label)}</th><td>{text}</td></tr>")
    return (f'<h2>{escape(w["draft"])}</h2><p>{escape(w["draft_note"])}</p><table id="draft">{"".join(rows)}'
            "</table>")

