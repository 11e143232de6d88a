"""text: what a person at a terminal wants first: the verdict, the figures, then where the numbers are.

Every name and reason is written as :func:`detector.names.readable` gives it: controls, ESC sequences and bidi
overrides escaped (a name cannot rewrite the terminal or forge a line), numbers in names masked, Shift_JIS
names decoded."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from ..assess import Assessment, Status
from ..names import readable
from ..people import RevealedNumbers
from ..result import UNKNOWN_HOST, ScanResult
from ..rules import Trigger

MAX_ROWS = 200
MAX_UNSCANNED_ROWS = 50
_Row = TypeVar("_Row")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    if _width(text) > width:
        while _width("…" + text) > width and text:
            text = text[1:]
        text = "…" + text
    return text + " " * (width - _width(text))


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


def render(result: ScanResult, revealed: RevealedNumbers | None = None, list_excluded: bool = False) -> str:
    """The report; ``list_excluded`` (``--list-excluded``) adds the files and folders the exclude rules left out,
    each with its rule (the json always lists them)."""
    reveal = revealed is not None
    summary = result.summary()
    lines: list[str] = []
    # The findings' entries are made lazily: only the rows shown read one (a scan of 200,000 findings made them all).
    document = result.to_json(revealed, lazy=True)
    if result.findings:
        lines.append("Findings")
        header = f"  {_pad('PATH', 48)} {_pad('LOCATION', 18)} {_pad('NUMBER', 14)} {_pad('CONFIDENCE', 10)} PUBLIC"
        lines.append(header)
        for heading, finding in _by_host(result.findings, lambda finding: finding.host, reveal)[:MAX_ROWS]:
            lines.extend(heading)
            number = revealed.number(finding) if revealed is not None else None
            shown = number if number is not None else finding.masked
            public = (finding.public_reason or "yes") if finding.public else "-"
            lines.append(f"  {_pad(readable(finding.path, reveal), 48)} {_pad(finding.location.describe(reveal), 18)} "
                         f"{_pad(shown, 14)} {_pad(finding.confidence.label, 10)} {readable(public)}")
        if len(result.findings) > MAX_ROWS:
            lines.append(f"  ... and {len(result.findings) - MAX_ROWS} more (use --format json or csv for all)")
        lines.append("")
    lines.extend(_baselined(result, document["baselined"], reveal))
    if list_excluded:
        lines.extend(_excluded(result, reveal))
    if result.unscanned:
        lines.append("Not scanned (a person may need to look at these)")
        for heading, entry in _by_host(result.unscanned, lambda entry: entry.host, reveal)[:MAX_UNSCANNED_ROWS]:
            lines.extend(heading)
            path = readable(entry.path, reveal)
            where = f"{path} » {readable(entry.member, reveal)}" if entry.member else path
            lines.append(f"  {_pad(where, 60)} {readable(entry.reason)}")
        if result.unscanned_count > MAX_UNSCANNED_ROWS:  # entries over the kept list's cap counted too
            lines.append(f"  ... and {result.unscanned_count - MAX_UNSCANNED_ROWS:,} more (see --format json)")
        lines.append("")
    lines.extend(_unreadable(result, reveal))
    held = summary["held_back"]
    lines.append("Summary")
    rows = [
        ("files scanned", f"{summary['files_scanned']:,} ({_size(summary['bytes_scanned'])})"),
        ("files with findings", f"{summary['files_with_findings']:,}"),
        ("findings", f"{summary['findings']:,}" + _by_conf(summary["by_confidence"])),
        ("distinct people", f"{summary['distinct_people']:,} (in public locations: "
                            f"{summary['public_distinct_people']:,})"),
    ]
    if held["findings"]:
        rows.append(("held back", f"{held['findings']:,} findings of {held['distinct_people']:,} people below "
                                  f"{held['min_confidence']} confidence (see --min-confidence low)"))
    if summary["baselined"]:
        rows.append(("baselined", f"{summary['baselined']:,} findings of {summary['baselined_people']:,} people "
                                  "accepted by the baseline (not new; counted in the people and the verdict)"))
    if summary["samples"]:
        rows.append(("samples", f"{summary['samples']:,} well-known sample numbers (not counted as people)"))
    unscanned = summary["unscanned"]
    detail = ", ".join(f"{readable(k)}: {v}" for k, v in summary["unscanned_by_reason"].items())
    rows.append(("not scanned", f"{unscanned:,}" + (f" ({detail})" if detail else "")))
    if summary["unreadable_candidates"]:
        rows.append(("unreadable", f"{summary['unreadable_candidates']:,} possible numbers in pictures (not counted "
                                   "as people: look at them)"))
    if summary["excluded"]:
        rows.append(("excluded", f"{summary['excluded']:,} (by --exclude and rules"
                                 + ("" if list_excluded else "; listed with --list-excluded") + ")"))
    if len(summary["hosts"]) > 1:
        rows.extend((f"host {readable(host)}", f"{counts['files_scanned']:,} files scanned, "
                     f"{counts['files_with_findings']:,} with findings, {counts['unscanned']:,} not scanned, "
                     f"{counts['distinct_people']:,} people") for host, counts in summary["hosts"].items())
    elif summary["hosts"]:
        rows.append(("host", readable(next(iter(summary["hosts"])))))  # the machine that read the files
    for name, value in rows:
        lines.append(f"  {name:<20} {value}")
    lines.append("")
    assert result.assessment is not None
    lines.extend(_verdict(result.assessment, summary))
    return "\n".join(lines) + "\n"


def _by_host(rows: list[_Row], host_of: Callable[[_Row], str | None], reveal: bool) -> list[tuple[list[str], _Row]]:
    """The rows of a table, grouped by the host that read them when there are several (two hosts' same path are
    two files), each row with the lines to write before it: its host's heading before a group's first row, none
    elsewhere nor with one host. Within a group the rows keep their order."""
    if len({host_of(row) for row in rows}) < 2:
        return [([], row) for row in rows]
    rows = sorted(rows, key=lambda row: (host_of(row) is None, host_of(row) or ""))  # stable
    out: list[tuple[list[str], _Row]] = []
    previous: object = object()
    for row in rows:
        host = host_of(row)
        name = readable(host, reveal) if host is not None else UNKNOWN_HOST
        out.append(([f"  [host {name}]"] if host != previous else [], row))
        previous = host
    return out


def _unreadable(result: ScanResult, reveal: bool) -> list[str]:
    """The possible numbers read from pictures that no reading saves, masked, each where to look."""
    entries = result.unreadable_candidates
    if not entries:
        return []
    lines = ["Possible numbers, unreadable (read from pictures: a person should look at each; not counted as people)"]
    for entry in entries[:MAX_UNSCANNED_ROWS]:
        lines.append(f"  {_pad(readable(entry.path, reveal), 48)} {_pad(entry.location.describe(reveal), 18)} "
                     f"{_pad(entry.masked, 14)} {entry.reason}")
    if len(entries) > MAX_UNSCANNED_ROWS:
        lines.append(f"  ... and {len(entries) - MAX_UNSCANNED_ROWS} more (see --format json)")
    return [*lines, ""]


# The three outcomes (detector.assess.Status). 別添２ 3A ⑷ (個人情報保護委員会「特定個人情報の適正な取扱いに関する
# ガイドライン（事業者編）」): where the number of people cannot be fixed, the maximum that may be affected decides
# 規則第2条第4号; so "not reportable" is said of what was scanned, never as certain. Encryption: 規則第2条第1号括弧書
# and Q&A Q17-14; a public place: 規則第2条第3号 and Q&A Q17-10 (detector.report.legal_sources).
CHECKS = {
    "held_back_candidates": "{:,} people among the held-back candidates: look at them (--min-confidence low)",
    "unscanned_files": "{:,} files or members not scanned that may hold numbers: look at them by hand",
    "unreadable_candidates": "{:,} possible numbers in pictures that could not be read for sure: look at the "
                             "pictures",
    "encrypted_members": "{:,} encrypted files or members: open them with the password and scan again, or confirm "
                         "they are strongly encrypted with managed keys",
    "confirm_public_location": "{:,} people in places public only by a location rule ({rules}): confirm they are "
                               "reachable from outside the organisation (a backup copy on an internal disk is not)",
}


def render_listing_excluded(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    """The report with the files and folders excluded listed (``--list-excluded``), as the format table
    (:mod:`detector.report.formats`) names it."""
    return render(result, revealed, list_excluded=True)


def _verdict(assessment: Assessment, summary: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    certain = [t for t in assessment.reasons if t not in assessment.possible]
    if assessment.status is Status.REPORTABLE:
        # 番号法第29条の4第1項 (report) and 第2項 (notice) for a situation of 規則第2条 (別添２ 3A, 4A).
        lines.append("Assessment: SERIOUS - a reportable incident under 番号法 Art. 29-4 and the PPC rule "
                     "(on what was found, if the numbers leaked or may have leaked)")
        lines += [_trigger_line(t, assessment) for t in certain]
        lines.extend(_when_to_report(assessment))
    elif assessment.status is Status.POSSIBLY_REPORTABLE:
        lines.append("Assessment: POSSIBLY REPORTABLE - no reporting trigger holds for certain on what was found,")
        lines.append("  but what could not be read, was held back or is presumed public could make it one")
    elif summary["findings"] or summary["baselined"]:
        # 規則第2条第4号 (more than 100 people) and 第3号 (viewable by many unspecified persons) do not hold.
        lines.append("Assessment: not a reportable incident on what was scanned (not over 100 people, none in a "
                     "public location)")
    else:
        lines.append(f"Assessment: no My Numbers found at or above {summary['held_back']['min_confidence']} "
                     "confidence; not a reportable incident on what was scanned")
    lines.extend(_conditions(assessment, summary))
    if assessment.possible:
        lines.append("  May hold (to decide):")
        lines += [_trigger_line(t, assessment) for t in assessment.possible]
        bound = assessment.bound
        upper = "open (files not read may hold any number)" if bound.open else f"{bound.upper:,}"
        lines.append(f"  people that may be affected: {bound.found:,} found; upper bound: {upper}")
        for check in assessment.checks:
            lines.append("  - check: " + CHECKS[check.check_id].format(
                check.how_many, rules=", ".join(readable(rule) for rule in check.rules)))
    return lines


def _conditions(assessment: Assessment, summary: dict[str, Any]) -> list[str]:
    """The verdict's conditions in short (the incident report words them in full: incident_words.conditions)."""
    if not summary["findings"] and not summary["baselined"]:
        return []
    # PPC rule Art. 2, item 4 (a): numbers that leaked or may have leaked; numbers kept where they belong are not
    # (別添２ 1A: a leak is 外部に流出すること).
    lines = ["  Assumes the numbers found leaked or may have leaked (stored where they belong is no leak)."]
    if any(check.check_id == "confirm_public_location" for check in assessment.checks):
        # PPC rule Art. 2, item 3 is a fact; a location rule only presumes it (Q&A Q17-10).
        lines.append("  Public by a location rule is a presumption: confirm it is reachable from outside.")
    # PPC rule Art. 2 items 1 and 2, the entrustee exemption (番号法第29条の4第1項ただし書, 規則第4条, 別添２ 3F),
    # strong encryption (規則第2条第1号括弧書; Q&A Q17-14) and the APPI's own rule (個人情報保護法施行規則第7条)
    # cannot be seen in files. Sources and their copies: detector.report.legal_sources.
    lines.append("  Not judged: item 1 (information systems), item 2 (without --malicious), the entrustee "
                 "exemption, strong encryption, the APPI rule (Enforcement Rules Art. 7).")
    if assessment.status is Status.NOT_REPORTABLE_ON_SCAN:
        # 別添２ 3B: a leak below the triggers is still to be reported as an effort duty.
        lines.append("  Below the threshold a report to the PPC is still expected as an effort duty (別添２ 3B).")
    return lines


def _trigger_line(trigger: Trigger, assessment: Assessment) -> str:
    value = assessment.value(trigger)
    measured = f"{trigger.metric} = {value}; " if trigger.metric is not None else ""
    return f"  - {trigger.trigger_id}: {trigger.description} ({measured}{trigger.article})"


def _when_to_report(assessment: Assessment) -> list[str]:
    """The two reports in a sentence. 速報: 規則第3条第1項 「速やかに」, 別添２ 3D's yardstick 「概ね３日～５日以内」
    (not a deadline). 確報: 規則第3条第2項 (別添２ 3E), 30 days, 60 for 第2条第2号, which a scan cannot know (intent is
    declared with ``report --malicious``): it says 60 when the item is among the reasons, else both."""
    preliminary = "  Report to the PPC promptly (速報; the guideline's yardstick: about 3 to 5 days from discovery)"
    if any(trigger.rule_item == 2 for trigger in assessment.reasons):
        final = ["  and in full within 60 days (確報; PPC rule Art. 3(2), an incident of Art. 2, item 2);"]
    else:
        final = ["  and in full within 30 days (確報; PPC rule Art. 3(2)), or within 60 days if the leak may have",
                 "  been caused with a wrongful purpose (Art. 2, item 2; declare it with report --malicious);"]
    return [preliminary, *final,
            "  notify the people concerned. The dates: mynumber report SCAN.json --discovered YYYY-MM-DD."]


def _baselined(result: ScanResult, items: list[dict[str, Any]], reveal: bool) -> list[str]:
    """The findings a baseline accepted, apart from the new ones, each with the baseline's reason."""
    if not result.baselined:
        return []
    lines = ["Baselined (accepted by --baseline: not new; their people are counted in the summary and the verdict)",
             f"  {_pad('PATH', 48)} {_pad('LOCATION', 18)} {_pad('NUMBER', 14)} REASON"]
    for entry, item in list(zip(result.baselined, items, strict=True))[:MAX_ROWS]:
        finding = entry.finding
        number = item.get("number", finding.masked) if reveal else finding.masked
        lines.append(f"  {_pad(readable(finding.path, reveal), 48)} {_pad(finding.location.describe(reveal), 18)} "
                     f"{_pad(number, 14)} {readable(entry.reason)}")
    if len(items) > MAX_ROWS:
        lines.append(f"  ... and {len(items) - MAX_ROWS} more (use --format json for all)")
    return [*lines, ""]


def _excluded(result: ScanResult, reveal: bool) -> list[str]:
    """The files and folders the exclude rules left out (a folder stands for everything below it), and the rule."""
    if not result.excluded_entries:
        return []
    lines = ["Excluded (not looked at; a folder stands for everything in it)"]
    for entry in result.excluded_entries:
        path = readable(entry.path, reveal)  # whole: the path is what to look at (never cut to fit a column)
        lines.append(f"  {path}{' ' * max(60 - _width(path), 0)} {readable(entry.rule)}")
    return [*lines, ""]


def _by_conf(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{name}: {counts[name]:,}" for name in ("high", "medium", "low") if name in counts) + ")"
