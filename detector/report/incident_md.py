"""The incident report as Markdown, for pasting into a ticket: the same content as the HTML, without charts
(their figures are given as short tables instead)."""

from __future__ import annotations

from ..assess import Status
from ..incident import Incident
from ..names import readable
from ..result import UNKNOWN_HOST
from .access_words import section as access_section
from .incident_words import (
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

MAX_ROWS = 200


def _cell(text: str) -> str:
    """A table cell: the column separator escaped. Names from the scan come through :func:`_name` first."""
    return text.replace("|", "\\|").replace("\n", " ")


def _name(text: str) -> str:
    """A name as a table cell: made safe by :func:`detector.names.readable` (no control character, so no
    newline to break the table or forge a line)."""
    return _cell(readable(text))


def render(incident: Incident, lang: str = "ja") -> str:
    w = words(lang)
    f = incident.figures
    d = incident.deadlines
    joiner = "、" if lang == "ja" else ", "
    roots = ", ".join(map(readable, incident.roots)) or "-"
    hosts = ", ".join(map(readable, incident.hosts)) or UNKNOWN_HOST
    lines = [f"# {w['title']}", "", f"_{w['subtitle']}_ · {w['scan']}: {roots} · {w['host']}: {hosts}", "",
             f"## {w['figures']}", ""]
    lines += [f"- {w[key]}: **{f[key]:,}**" for key in
              ("distinct_people", "public_distinct_people", "files_with_findings", "unscanned")]
    lines += ["", f"## {w['verdict']}", "", f"**{verdict_text(incident, lang)}**", ""]
    lines += [f"- {reason_text(reason, lang)}" for reason in certain_reasons(incident)]
    if incident.possible:
        lines += ["", f"{w['possible']}:", ""] + [f"- {reason_text(reason, lang)}" for reason in incident.possible]
        lines += ["", bound_text(incident, lang), "", f"{w['to_check']}:", ""]
        lines += [f"- {text}" for text in check_texts(incident, lang)]
    if incident.articles:
        lines += ["", f"{w['articles']}: " + joiner.join(article_text(a, lang) for a in incident.articles)]
    lines += _conditions(incident, lang)
    lines += ["", f"## {w['deadlines']}", ""]
    if incident.shows_reporting_dates:  # the 速報's yardstick as a range, the 確報's deadline (deadlines.py)
        final = w["final_60"] if d.malicious else w["final_30"]
        window = d.preliminary_report
        if incident.status is Status.POSSIBLY_REPORTABLE:
            lines += [w["deadlines_if_confirmed"], ""]
        lines += ["| | |", "| --- | --- |",
                  f"| {w['discovered']} | {d.discovered.isoformat()} |",
                  f"| {w['preliminary_report']} | "
                  f"{w['date_range'].format(window.first.isoformat(), window.last.isoformat())} "
                  f"({w['preliminary_days']}) |",
                  f"| {w['final_report']} ({final}) | {d.final_report.isoformat()} |", "", w["deadline_note"]]
        if incident.discovered_assumed:
            lines += ["", f"**{w['assumed']}**"]
    else:
        lines.append(w["deadlines_none"])
    lines += ["", f"## {w['chart.folders']}", "", f"| {w['col.path']} | {w['col.people']} |", "| --- | ---: |"]
    lines += [f"| {_name(folder)} | {people:,} |" for folder, people in incident.people_by_folder]
    lines += ["", f"## {w['files']}", "",
              f"| {w['col.path']} | {w['col.people']} | {w['col.confidence']} | {w['col.public']} | "
              f"{w['col.examples']} | {w['col.items']} |", "| --- | ---: | --- | --- | --- | --- |"]
    host: object = object()
    for row in incident.files[:MAX_ROWS]:
        if incident.several_hosts and row.host != host:  # two hosts' same path are two files: grouped by host
            host = row.host
            name = _name(row.host) if row.host is not None else UNKNOWN_HOST
            lines.append(f"| **{w['host']}: {name}** | | | | | |")
        public = f"{w['yes']} ({readable(row.public_reason or '')})" if row.public else w["no"]
        examples = "; ".join(f"{loc}: `{masked}`" for loc, masked in row.examples)
        items = joiner.join(item_label(incident, i, lang) for i in row.items) or w["none"]
        lines.append(f"| {_name(row.path)} | {row.people:,} | {w['confidence.' + row.confidence]} | "
                     f"{_cell(public)} | {_cell(examples)} | {_cell(items)} |")
    if len(incident.files) > MAX_ROWS:
        lines.append(f"| … {len(incident.files) - MAX_ROWS:,} | | | | | |")
    lines += ["", f"## {w['todo']}", ""]
    if incident.unscanned:
        lines += [f"| {w['col.path']} | {w['col.reason']} |", "| --- | --- |"]
        host = object()
        for u in incident.unscanned[:MAX_ROWS]:
            if incident.several_hosts and u.host != host:  # grouped by host, as the files with findings
                host = u.host
                lines.append(f"| **{w['host']}: {_name(u.host) if u.host is not None else UNKNOWN_HOST}** | |")
            lines.append(f"| {_name(u.path)}{' » ' + _name(u.member) if u.member else ''} | "
                         f"{_cell(unscanned_reason_text(u.reason, lang))} |")
    else:
        lines.append(w["todo_none"])
    if incident.unreadable:  # possible numbers in pictures OCR could not read: to look at, not counted as people
        lines += ["", f"## {w['unreadable_candidates']}", "", f"| {w['col.path']} | {w['col.reason']} |",
                  "| --- | --- |"]
        lines += [f"| {_name(u.path)} | {_cell(unreadable_text(u, lang))} |" for u in incident.unreadable[:MAX_ROWS]]
    lines += _access(incident, lang)
    lines += ["", f"## {w['draft']}", "", w["draft_note"], ""]
    lines += [f"{entry.item}. **{entry.label}**: {_cell(entry.text)}" for entry in draft(incident, lang)]
    return "\n".join(lines) + "\n"


def _access(incident: Incident, lang: str) -> list[str]:
    """The access-log evidence (report --exposure), when given."""
    if incident.access is None:
        return []
    found = access_section(incident.access, lang)
    lines = ["", f"## {found.heading}", ""] + [f"- {sentence}" for sentence in found.sentences]
    lines += ["", "| " + " | ".join(found.header) + " |", "|" + " --- |" * len(found.header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in found.rows[:MAX_ROWS]]
    return lines


def _conditions(incident: Incident, lang: str) -> list[str]:
    """What the verdict assumes, what the tool does not judge, and below the threshold (incident_words)."""
    w = words(lang)
    texts = condition_texts(incident, lang)
    lines = ["", f"## {w['assumes']}", ""] + [f"- {text}" for text in texts["assumes"]]
    lines += ["", f"{w['not_assessed']}:", ""] + [f"- {text}" for text in texts["not_assessed"]]
    if texts["below"]:
        lines += ["", f"{w['below']}:", ""] + [f"- {text}" for text in texts["below"]]
    return lines
