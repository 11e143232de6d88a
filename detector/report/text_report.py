"""text: what a person at a terminal wants first: the verdict, the figures, then where the numbers are.

Every name and reason is written as :func:`detector.names.readable` gives it: controls, ESC sequences and bidi
overrides escaped (a name cannot rewrite the terminal or forge a line), numbers in names masked, Shift_JIS
names decoded."""

from __future__ import annotations

import unicodedata

from ..names import readable
from ..people import RevealedNumbers
from ..result import ScanResult

MAX_ROWS = 200
MAX_UNSCANNED_ROWS = 50


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


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    reveal = revealed is not None
    summary = result.summary()
    lines: list[str] = []
    doc_findings = result.to_json(revealed)["findings"]
    if doc_findings:
        lines.append("Findings")
        header = f"  {_pad('PATH', 48)} {_pad('LOCATION', 18)} {_pad('NUMBER', 14)} {_pad('CONFIDENCE', 10)} PUBLIC"
        lines.append(header)
        for finding, item in list(zip(result.findings, doc_findings, strict=True))[:MAX_ROWS]:
            shown = item.get("number", finding.masked) if reveal else finding.masked
            public = (finding.public_reason or "yes") if finding.public else "-"
            lines.append(f"  {_pad(readable(finding.path, reveal), 48)} {_pad(finding.location.describe(reveal), 18)} "
                         f"{_pad(shown, 14)} {_pad(finding.confidence.label, 10)} {readable(public)}")
        if len(doc_findings) > MAX_ROWS:
            lines.append(f"  ... and {len(doc_findings) - MAX_ROWS} more (use --format json or csv for all)")
        lines.append("")
    if result.unscanned:
        lines.append("Not scanned (a person may need to look at these)")
        for entry in result.unscanned[:MAX_UNSCANNED_ROWS]:
            path = readable(entry.path, reveal)
            where = f"{path} » {readable(entry.member, reveal)}" if entry.member else path
            lines.append(f"  {_pad(where, 60)} {readable(entry.reason)}")
        if len(result.unscanned) > MAX_UNSCANNED_ROWS:
            lines.append(f"  ... and {len(result.unscanned) - MAX_UNSCANNED_ROWS} more (see --format json)")
        lines.append("")
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
    if summary["samples"]:
        rows.append(("samples", f"{summary['samples']:,} well-known sample numbers (not counted as people)"))
    unscanned = summary["unscanned"]
    detail = ", ".join(f"{readable(k)}: {v}" for k, v in summary["unscanned_by_reason"].items())
    rows.append(("not scanned", f"{unscanned:,}" + (f" ({detail})" if detail else "")))
    if summary["excluded"]:
        rows.append(("excluded", f"{summary['excluded']:,} (by --exclude and rules)"))
    for name, value in rows:
        lines.append(f"  {name:<20} {value}")
    lines.append("")
    assert result.assessment is not None
    if result.assessment.serious:
        lines.append("Assessment: SERIOUS - a reportable incident under 番号法 Art. 29-4 and the PPC rule")
        for detail_item in result.assessment.details():
            lines.append(f"  - {detail_item['id']}: {detail_item['description']} "
                         f"({detail_item['metric']} = {detail_item['value']}; {detail_item['article']})")
        lines.append("  Report to the PPC promptly (速報, within about 3-5 days) and in full within 30 days (確報);")
        lines.append("  notify the people concerned.")
    elif summary["findings"]:
        lines.append("Assessment: findings, but no reporting trigger met "
                     "(not over 100 people, none in a public location)")
    else:
        lines.append("Assessment: no My Numbers found at or above "
                     f"{held['min_confidence']} confidence")
    return "\n".join(lines) + "\n"


def _by_conf(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{name}: {counts[name]:,}" for name in ("high", "medium", "low") if name in counts) + ")"
