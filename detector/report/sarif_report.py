"""SARIF 2.1.0, for code-scanning dashboards. One rule per confidence level; the fingerprint is the
result's partialFingerprint, so a dashboard tracks the same person's number across runs.

An artifact's ``uri`` is a URI reference, as SARIF requires: the path's bytes (a number in it masked unless
--reveal) percent-encoded, which keeps names that are not UTF-8 exactly; the result's ``properties`` also give
the path in the escaped form of :mod:`detector.names` (``path``, and ``path_display`` where it has one)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from .. import __version__
from ..model import Finding
from ..names import display, mask_numbers, shown
from ..people import RevealedNumbers
from ..result import ScanResult

# Characters a URI path may hold as they are (RFC 3986 pchar and "/"); every other byte is percent-encoded.
_URI_SAFE = "/:@!$&'()*+,;=-._~"


def uri(path: str, reveal: bool = False) -> str:
    """``path`` as a URI reference: its bytes, numbers masked unless ``reveal``, percent-encoded."""
    raw = (path if reveal else mask_numbers(path)).encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe=_URI_SAFE)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


def _rules() -> list[dict[str, Any]]:
    return [
        {"id": f"mynumber/{conf}", "name": f"MyNumber{conf.capitalize()}Confidence",
         "shortDescription": {"text": f"Exposed My Number (個人番号), {conf} confidence"},
         "fullDescription": {"text": "A 12-digit number with a valid My Number check digit. Exposure of My "
                                     "Numbers may have to be reported to the Personal Information Protection "
                                     "Commission."},
         "defaultConfiguration": {"level": _LEVEL[conf]},
         "properties": {"tags": ["security", "privacy", "pii", "my-number"]}}
        for conf in ("high", "medium", "low")
    ]


def _result(finding: Finding, number: str | None, reveal: bool) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(finding.path, reveal)}}
    if location.line is not None:
        physical["region"] = {"startLine": location.line}
    loc: dict[str, Any] = {"physicalLocation": physical}
    member = location.member and shown(location.member, reveal)
    sheet = location.sheet and shown(location.sheet, reveal)
    logical = [name for name in (member, sheet and (f"{sheet}!{location.cell}" if location.cell else sheet),
                                 location.page and f"page {location.page}") if name]
    if logical:
        loc["logicalLocations"] = [{"fullyQualifiedName": name} for name in logical]
    text = f"My Number {finding.masked} ({finding.confidence.label} confidence"
    text += f"; public: {shown(finding.public_reason or '', reveal)})" if finding.public else ")"
    out: dict[str, Any] = {
        "ruleId": f"mynumber/{finding.confidence.label}",
        "level": _LEVEL[finding.confidence.label],
        "message": {"text": text},
        "locations": [loc],
        "partialFingerprints": {"myNumberFingerprint/v1": finding.fingerprint},
        "properties": {"masked": finding.masked, "public": finding.public, "reasons": list(finding.reasons),
                       "path": shown(finding.path, reveal), "location": location.to_json(reveal)},
    }
    readable_path = display(finding.path, reveal)
    if readable_path is not None:
        out["properties"]["path_display"] = readable_path
    if number is not None:
        out["properties"]["number"] = number
    return out


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    reveal = revealed is not None
    doc = result.to_json(revealed)
    numbers = [item.get("number") for item in doc["findings"]]
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mynumber", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/mynumber-dlp/mynumber", "rules": _rules()}},
            "results": [_result(f, n, reveal) for f, n in zip(result.findings, numbers, strict=True)],
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning",
                     "message": {"text": f"not scanned: {shown(u.member, reveal) + ': ' if u.member else ''}"
                                         f"{shown(u.reason, reveal)}"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(u.path, reveal)}}}]}
                    for u in result.unscanned
                ],
            }],
            "properties": {"summary": doc["summary"]},
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
