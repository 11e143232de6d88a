"""SARIF 2.1.0, for code-scanning dashboards. One rule per confidence level; the fingerprint is the
result's partialFingerprint, so a dashboard tracks the same person's number across runs."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import Finding
from ..result import ScanResult

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


def _result(finding: Finding, number: str | None) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": finding.path}}
    if location.line is not None:
        physical["region"] = {"startLine": location.line}
    loc: dict[str, Any] = {"physicalLocation": physical}
    logical = [name for name in (location.member, location.sheet and f"{location.sheet}!{location.cell}",
                                 location.page and f"page {location.page}") if name]
    if logical:
        loc["logicalLocations"] = [{"fullyQualifiedName": name} for name in logical]
    text = f"My Number {finding.masked} ({finding.confidence.label} confidence"
    text += f"; public: {finding.public_reason})" if finding.public else ")"
    out: dict[str, Any] = {
        "ruleId": f"mynumber/{finding.confidence.label}",
        "level": _LEVEL[finding.confidence.label],
        "message": {"text": text},
        "locations": [loc],
        "partialFingerprints": {"myNumberFingerprint/v1": finding.fingerprint},
        "properties": {"masked": finding.masked, "public": finding.public, "reasons": list(finding.reasons)},
    }
    if number is not None:
        out["properties"]["number"] = number
    return out


def render(result: ScanResult, reveal: bool = False) -> str:
    doc = result.to_json(reveal)
    numbers = [item.get("number") for item in doc["findings"]]
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mynumber", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/mynumber-dlp/mynumber", "rules": _rules()}},
            "results": [_result(f, n) for f, n in zip(result.findings, numbers, strict=True)],
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning",
                     "message": {"text": f"not scanned: {u.member + ': ' if u.member else ''}{u.reason}"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": u.path}}}]}
                    for u in result.unscanned
                ],
            }],
            "properties": {"summary": doc["summary"]},
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
