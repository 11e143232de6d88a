"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and other consumers). One rule per confidence
level; the fingerprint is the result's partialFingerprint, so a dashboard tracks the same person's number across
runs. The output is valid against the SARIF 2.1.0 JSON schema (tests/test_sarif_schema.py checks it).

Locations, as consumers want them:

* an artifact's ``uri`` is an RFC 3986 URI reference: the path's bytes (a number in it masked unless --reveal)
  percent-encoded, which keeps names that are not UTF-8 exactly, relative to a base named by ``uriBaseId``: a
  relative path to ``%SRCROOT%`` (the folder the scan was run from: a checkout, for code scanning), an absolute one
  to ``ROOT`` (``file:///``), both declared in the run's ``originalUriBaseIds``;
* every result has a region: the line where the finding has one in the file itself, else line 1 (code scanning
  refuses a result without one), and a logical location says where in the file it is: ``page 3``, ``申告書!D7``,
  ``body, paragraph 4``, the file's name, or, inside an archive or a mail, the member and the place in it
  (``2024/payroll.zip!list.xlsx!申告書!D7``, ``logs.zip!app.log!line 12``); a line inside a member is a line of the
  member, not of the file, so it is given there and not as the region.

The result's ``properties`` also give the path in the escaped form of :mod:`detector.names` (``path``, and
``path_display`` where it has one), and the location as the json output gives it.

With ``--baseline`` every result says how it stands against the baseline (SARIF 3.27.24, ``baselineState``): a
finding the baseline accepts is ``unchanged`` and carries the baseline's reason as an accepted external
suppression (3.27.23, 3.35: a dashboard shows it as dismissed, with the reason), every other one is ``new`` (a
possible number OCR could not read too: a baseline accepts findings only). Without a baseline the property is
absent, as the standard has it for a result compared with none. Entries of the
baseline that the scan no longer finds (``absent``) are not given: the baseline keeps no more than a masked
number for them, and a result needs a location that was scanned."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

from .. import __version__
from ..model import Baselined, Finding, Location, UnreadableCandidate
from ..names import display, mask_numbers, shown
from ..people import RevealedNumbers
from ..result import ScanResult
from . import in_chunks

# Characters a URI path may hold as they are (RFC 3986 pchar and "/"); every other byte is percent-encoded.
_URI_SAFE = "/:@!$&'()*+,;=-._~"


# The bases of the artifacts' relative URIs (SARIF 3.14.14, originalUriBaseIds).
SRCROOT = "%SRCROOT%"
FS_ROOT = "ROOT"
_BASES = {
    SRCROOT: {"description": {"text": "The folder mynumber scan was run from (paths given relative to it)."}},
    FS_ROOT: {"uri": "file:///", "description": {"text": "The root of the file system (absolute paths)."}},
}


def uri(path: str, reveal: bool = False) -> str:
    """``path`` as a URI reference: its bytes, numbers masked unless ``reveal``, percent-encoded."""
    raw = (path if reveal else mask_numbers(path)).encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe=_URI_SAFE)


def artifact_location(path: str, reveal: bool = False) -> dict[str, str]:
    """``path`` as an artifactLocation: a relative URI reference and the base it is relative to."""
    if path.startswith("/"):
        return {"uri": uri(path.lstrip("/"), reveal), "uriBaseId": FS_ROOT}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": uri(path or ".", reveal), "uriBaseId": SRCROOT}


def logical_name(location: Location, reveal: bool = False) -> tuple[str, str] | None:
    """Where in the file a finding is, beyond a line of the file itself: (fully qualified name, kind), or None."""
    inner = []
    if location.sheet is not None:
        sheet = shown(location.sheet, reveal)
        inner.append(f"{sheet}!{location.cell}" if location.cell else sheet)
    if location.page is not None:
        inner.append(f"page {location.page}")
    if location.part is not None:
        inner.append(shown(location.part, reveal) + (f" {location.cell}" if location.cell and not location.sheet
                                                      else ""))
    if location.name is not None:
        inner.append(f"{location.name} name")
    if location.member is not None and location.line is not None:
        inner.append(f"line {location.line}")
    if location.member is not None:
        return "!".join([shown(location.member, reveal), *inner]), "resource"
    return (", ".join(inner), "element") if inner else None


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
    ] + [
        {"id": UNREADABLE_RULE, "name": "MyNumberUnreadable",
         "shortDescription": {"text": "Possible My Number (個人番号) in a picture, unreadable"},
         "fullDescription": {"text": "A 12-character group beside a My Number keyword, read from a picture by OCR, "
                                     "that no reading makes pass the check digit: most likely a misread My Number. "
                                     "Not counted as a person; look at the picture."},
         "defaultConfiguration": {"level": "note"},
         "properties": {"tags": ["security", "privacy", "pii", "my-number", "ocr"]}},
    ]


# The rule of the possible numbers OCR could not read: note-level results, with no fingerprint (not a person).
UNREADABLE_RULE = "mynumber/unreadable"


def _location(path: str, location: Location, reveal: bool) -> dict[str, Any]:
    line = location.line if location.line is not None and location.member is None else 1
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact_location(path, reveal),
                                                "region": {"startLine": line}}}
    logical = logical_name(location, reveal)
    if logical is not None:
        name, kind = logical
        loc["logicalLocations"] = [{"name": name.rpartition("!")[2] or name, "fullyQualifiedName": name,
                                    "kind": kind}]
    return loc


def _unreadable_result(entry: UnreadableCandidate, reveal: bool) -> dict[str, Any]:
    """A possible number OCR could not read: a note for a person to look at the picture, never a person (no
    fingerprint to track)."""
    return {
        "ruleId": UNREADABLE_RULE,
        "level": "note",
        "message": {"text": f"Possible My Number {entry.masked}, unreadable ({entry.reason}); read from a picture "
                            "by OCR: look at the picture"},
        "locations": [_location(entry.path, entry.location, reveal)],
        "properties": {"masked": entry.masked, "reason": entry.reason, "path": shown(entry.path, reveal),
                       "location": entry.location.to_json(reveal)},
    }


def _result(finding: Finding, number: str | None, reveal: bool) -> dict[str, Any]:
    location = finding.location
    loc = _location(finding.path, location, reveal)
    text = f"My Number {finding.masked} ({finding.confidence.label} confidence"
    text += "; read from a picture by OCR: look at the picture" if location.ocr else ""
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
    if finding.host is not None:
        out["properties"]["host"] = shown(finding.host, reveal)  # the machine that read the file
    if number is not None:
        out["properties"]["number"] = number
    return out


def _baselined_result(entry: Baselined, number: str | None, reveal: bool) -> dict[str, Any]:
    """A finding the baseline accepts: ``unchanged``, suppressed with the baseline's reason (names masked in it as
    in the json's ``baseline_reason``)."""
    out = _result(entry.finding, number, reveal)
    out["baselineState"] = "unchanged"
    out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": shown(entry.reason)}]
    return out


def _results(result: ScanResult, revealed: RevealedNumbers | None) -> Iterator[dict[str, Any]]:
    """The findings, the possible numbers OCR could not read, then (with a baseline) the findings it accepts; each
    made as it is written."""
    reveal = revealed is not None
    state = {"baselineState": "new"} if result.compared_to_baseline else {}
    for finding in result.findings:
        yield _result(finding, revealed.number(finding) if revealed is not None else None, reveal) | state
    for entry in result.unreadable_candidates:
        yield _unreadable_result(entry, reveal) | state
    for baselined in result.baselined if result.compared_to_baseline else ():
        yield _baselined_result(baselined, revealed.number(baselined.finding) if revealed is not None else None,
                                reveal)


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    return "".join(pieces(result, revealed))


# Where the results go in the log's layout: the rest of the log is laid out around this string.
_RESULTS_HERE = "\0mynumber: the results\0"
RESULTS_A_PIECE = 1_000


def document(result: ScanResult, revealed: RevealedNumbers | None = None) -> dict[str, Any]:
    """The SARIF log as one document, every result made: the plain form of :func:`pieces`, which the tests hold
    it to."""
    return _log(result, revealed, list(_results(result, revealed)))


def _log(result: ScanResult, revealed: RevealedNumbers | None, results: object) -> dict[str, Any]:
    reveal = revealed is not None
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            # No informationUri: optional in SARIF 2.1.0, and the project has no public address yet to name.
            "tool": {"driver": {"name": "mynumber", "version": __version__, "semanticVersion": __version__,
                                "rules": _rules()}},
            "originalUriBaseIds": _BASES,
            "results": results,
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning",
                     "message": {"text": f"not scanned: {shown(u.member, reveal) + ': ' if u.member else ''}"
                                         f"{shown(u.reason, reveal)}"},
                     "locations": [{"physicalLocation": {"artifactLocation": artifact_location(u.path, reveal)}}]}
                    for u in result.unscanned
                ],
            }],
            "properties": {"summary": result.summary()},
        }],
    }


def pieces(result: ScanResult, revealed: RevealedNumbers | None = None) -> Iterator[str]:
    """The SARIF log in pieces: indented as ``json.dumps(..., indent=2)`` lays it out, but for its results, each on
    a line of its own and a thousand a piece, made as they are written (a log of 200,000 results took minutes and
    gigabytes laid out by the pure-Python encoder ``indent`` needs, all held at once)."""
    sarif = _log(result, revealed, _RESULTS_HERE)
    layout = json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
    marker = json.dumps(_RESULTS_HERE)
    before, after = layout.split(marker)
    key_line = before[before.rfind("\n") + 1:]
    indent = "\n" + " " * (len(key_line) - len(key_line.lstrip()) + 2)  # the results one level in from their key
    entry_text = json.JSONEncoder(ensure_ascii=False).encode
    yield before + "["
    written = False
    for chunk in in_chunks(_results(result, revealed), RESULTS_A_PIECE):
        yield ("," if written else "") + indent + ("," + indent).join(map(entry_text, chunk))
        written = True
    yield (indent[:-2] + "]" if written else "]") + after
