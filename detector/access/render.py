"""``mynumber exposure``'s output: the json document (:meth:`ExposureEvidence.to_json`) or text for a person.

Client addresses appear only when the evidence holds them (``--show-clients``); otherwise counts only. Paths are
the scan's (numbers masked), written as every writer writes names.
"""

from __future__ import annotations

import json

from ..names import readable
from .evidence import ExposureEvidence, FileEvidence, rfc3339
from .urls import shown_url

FORMATS = ("text", "json")


def render(evidence: ExposureEvidence, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(evidence.to_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "text":
        return render_text(evidence)
    raise ValueError(f"unknown exposure format {fmt!r}")


def render_text(evidence: ExposureEvidence) -> str:
    fetched = evidence.fetched
    lines = [
        f"Public files with My Numbers: {len(evidence.files):,} mapped to URLs"
        + (f", {len(evidence.unmapped):,} under no --url-map" if evidence.unmapped else ""),
        f"Fetched from outside: {len(fetched):,} files, {evidence.people_in_fetched_files:,} people in them, "
        f"{evidence.external_clients:,} distinct external clients",
    ]
    if evidence.first_external_fetch is not None:
        lines.append(f"First external fetch: {rfc3339(evidence.first_external_fetch)}; last: "
                     f"{rfc3339(evidence.last_external_fetch)}")
    for crawler in evidence.crawlers:
        note = " (a search engine's: the files may be in its index)" if crawler.search_index else ""
        lines.append(f"Crawler (by user agent): {crawler.name}: {crawler.requests:,} requests, "
                     f"{crawler.files:,} files{note}")
    lines.append("")
    for file in evidence.files:
        lines.extend(_file_lines(file))
    if evidence.unmapped:
        lines.append("Not mapped to a URL (give --url-map LOCAL_ROOT=URL_PREFIX):")
        lines.extend(f"  {readable(path)}" for path in evidence.unmapped)
        lines.append("")
    if evidence.not_public_ignored:
        lines.append(f"Files with findings that are not public, not looked for: {evidence.not_public_ignored:,}")
    for log in evidence.logs:
        lines.append(f"Log {readable(log.log)}: {log.format}, {log.lines:,} lines, {log.parsed:,} parsed, "
                     f"{log.malformed:,} malformed lines skipped")
    return "\n".join(lines) + "\n"


def _file_lines(file: FileEvidence) -> list[str]:
    state = "FETCHED FROM OUTSIDE" if file.fetched_externally else "no external fetch in the logs"
    out = [f"{readable(file.path)}", f"  URL: {shown_url(file.url)}", f"  {state}; people: {file.people:,}; "
           f"requests that returned it: {file.requests:,} ({file.external_requests:,} external, "
           f"{file.external_clients:,} external clients); bytes sent: {file.bytes_sent:,}"]
    if file.first_external_fetch is not None:
        out.append(f"  first external fetch: {rfc3339(file.first_external_fetch)}; last: "
                   f"{rfc3339(file.last_external_fetch)}")
    if file.crawlers:
        out.append("  crawlers (by user agent): " + ", ".join(f"{c.name} ({c.requests:,})" for c in file.crawlers))
    if file.clients is not None:
        out.append("  external clients: " + (", ".join(file.clients) or "none"))
    out.append("")
    return out
