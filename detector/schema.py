"""A saved scan read back (``report``, ``merge``, ``notify``) is checked against the shape the scan gives each of
its fields before anything is taken from it.

A scan's json is a file: it may have been edited by hand, damaged or forged, and whatever it holds is printed
again in the reports made from it. The scan never writes a raw number into it; so a field whose every value the
tool makes itself is checked for the form the tool gives it, and a document that does not fit is refused as a
whole, never repaired: ``masked`` is a mask (asterisks, then at most the last four digits), a fingerprint is 64
hex digits, ``items`` are the ids of the rules' items, confidences and reasons are the tool's words without a
12-digit run in them, counts are whole numbers, a line or page number has fewer than 12 digits. Names (paths,
members, sheets, columns) are other people's text: they are checked to be text, and shown as every output shows
names. Keys the tool does not know are ignored (later versions may add some), and so are never shown.

The error names the file and the field (``scan.json: findings[3].masked: ...``) and never the value, which is
what may hold a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from .errors import UsageError
from .messages import text
from .redact import redact

# 2: the possible numbers read from pictures that no reading saves are a field of their own,
# ``unreadable_candidates`` (version 1 listed them among the unscanned entries); a document of version 1 is still
# read, as it was written. Also new in 2: each finding and unscanned entry names its ``host`` (the machine that read
# it), ``summary.hosts`` counts by host and ``scan.scan_id`` names the scan (version 1 has neither: its entries'
# host is its one host, or unknown). Added to 2 later, as a key older readers ignore: ``files``, each file with
# findings or unreadable candidates as it was read (path, host, size, mtime_ns, sha256), which the quarantine
# checks a file against; a document without it is read as before (the quarantine then checks as it did).
SCHEMA = "mynumber/2"
READABLE_SCHEMAS = ("mynumber/1", SCHEMA)
CONFIDENCES = ("low", "medium", "high")
_MASK = re.compile(r"\*{8,12}[0-9]{0,4}")  # mynumber.mask of 12 digits: 8 asterisks and the last 4
# A possible number OCR could not read, masked as read: its last four characters may be letters read for digits.
_READ_MASK = re.compile(r"\*{8}[!-~]{4}")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")  # HMAC-SHA256, hex (people.Fingerprinter)
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_SHA256 = re.compile(r"[0-9a-f]{64}")  # a file's bytes as read (fs.facts), as sha256sum writes it
_CELL = re.compile(r"[A-Z]{1,4}[0-9]{1,10}")  # A1-style: a sheet has at most 1,048,576 rows
_MAX_POSITION = 10**11 - 1  # a line or page number of 12 digits would be a 100-billion-line file
_POSITIONS = ("line", "page")


class _Refused(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.field = field
        self.problem = problem


def check_scan_document(name: str, document: Any, item_ids: Collection[str]) -> None:
    """Refuse ``document`` (read from the file ``name``) unless it has the shape of a scan's json; ``item_ids``
    are the items the rules know. Raises :class:`UsageError` naming the file and the first field that does not
    fit."""
    try:
        _document(document, frozenset(item_ids))
    except _Refused as refused:
        raise UsageError(text("scan_document.refused", name=name, field=refused.field,
                              problem=refused.problem)) from None


# -- the document -------------------------------------------------------------------------------------------------


def _document(document: Any, item_ids: frozenset[str]) -> None:
    if not isinstance(document, dict) or document.get("schema") not in READABLE_SCHEMAS:
        raise _Refused("schema", f"not a mynumber scan document ({' or '.join(READABLE_SCHEMAS)} expected)")
    scan = _object(document.get("scan"), "scan")
    _key_id(scan.get("key_id"), "scan.key_id")
    _optional(scan, "scan", "roots", _texts)
    _optional(scan, "scan", "hosts", _texts)
    _optional(scan, "scan", "scan_id", _token)
    _optional(scan, "scan", "rules", _texts)
    _optional(scan, "scan", "min_confidence", _confidence)
    _optional(scan, "scan", "merged_from", lambda value, field: _count(value, field, minimum=1))
    _summary(_object(document.get("summary", {}), "summary"))
    for index, finding in enumerate(_list(document.get("findings", []), "findings")):
        _finding(_object(finding, f"findings[{index}]"), f"findings[{index}]", item_ids)
    for index, sample in enumerate(_list(document.get("samples", []), "samples")):
        _sample(_object(sample, f"samples[{index}]"), f"samples[{index}]")
    for index, entry in enumerate(_list(document.get("unscanned", []), "unscanned")):
        _unscanned(_object(entry, f"unscanned[{index}]"), f"unscanned[{index}]")
    for index, entry in enumerate(_list(document.get("unreadable_candidates", []), "unreadable_candidates")):
        _unreadable(_object(entry, f"unreadable_candidates[{index}]"), f"unreadable_candidates[{index}]")
    for index, finding in enumerate(_list(document.get("baselined", []), "baselined")):
        where = f"baselined[{index}]"
        _finding(_object(finding, where), where, item_ids)
        _text(finding.get("baseline_reason"), f"{where}.baseline_reason")
    for index, entry in enumerate(_list(document.get("excluded", []), "excluded")):
        _excluded(_object(entry, f"excluded[{index}]"), f"excluded[{index}]")
    for index, entry in enumerate(_list(document.get("files", []), "files")):
        _file(_object(entry, f"files[{index}]"), f"files[{index}]")


def _summary(summary: dict[str, Any]) -> None:
    for key in ("files_scanned", "bytes_scanned", "excluded", "held_back_people"):
        _optional(summary, "summary", key, _count)
    _optional(summary, "summary", "scanned_by_type", lambda value, field: _counts(value, field, _token))
    held = _object(summary.get("held_back", {}), "summary.held_back")
    _optional(held, "summary.held_back", "distinct_people", _count)
    _optional(held, "summary.held_back", "by_confidence", lambda value, field: _counts(value, field, _confidence))
    # entries over the cap of entries listed, counted (merge adds them up)
    left_out = _object(summary.get("unscanned_left_out", {}), "summary.unscanned_left_out")
    for key in ("by_reason", "by_type"):
        _optional(left_out, "summary.unscanned_left_out", key, lambda value, field: _counts(value, field, _token))
    for host, counts in _object(summary.get("hosts", {}), "summary.hosts").items():  # a host's name is never shown
        _text(host, "summary.hosts")
        _counts(counts, "summary.hosts", _token)
    excluded = _object(summary.get("excluded_left_out", {}), "summary.excluded_left_out")
    _optional(excluded, "summary.excluded_left_out", "by_rule", lambda value, field: _counts(value, field, _token))


def _finding(finding: dict[str, Any], field: str, item_ids: frozenset[str]) -> None:
    _text(finding.get("path"), f"{field}.path")
    _optional(finding, field, "location", _location)
    _mask(finding.get("masked"), f"{field}.masked")
    _fingerprint(finding.get("fingerprint"), f"{field}.fingerprint")
    _confidence(finding.get("confidence"), f"{field}.confidence")
    _optional(finding, field, "reasons", lambda value, where: _each(value, where, _token))
    _optional(finding, field, "public", _flag)
    _optional(finding, field, "public_reason", _text_or_none)
    _optional(finding, field, "items", lambda value, where: _each(value, where, _item_of(item_ids)))
    _optional(finding, field, "host", _text)


def _sample(sample: dict[str, Any], field: str) -> None:
    _text(sample.get("path"), f"{field}.path")
    _optional(sample, field, "location", _location)
    _mask(sample.get("masked"), f"{field}.masked")
    _optional(sample, field, "sample", _token)
    _optional(sample, field, "host", _text)


def _unscanned(entry: dict[str, Any], field: str) -> None:
    _text(entry.get("path"), f"{field}.path")
    _text(entry.get("reason"), f"{field}.reason")
    _optional(entry, field, "member", _text_or_none)
    _optional(entry, field, "type", lambda value, where: value is None or _token(value, where))
    _optional(entry, field, "host", _text)


def _unreadable(entry: dict[str, Any], field: str) -> None:
    _text(entry.get("path"), f"{field}.path")
    _optional(entry, field, "location", _location)
    value = entry.get("masked")
    if not isinstance(value, str) or not _READ_MASK.fullmatch(value) or value != redact(value):
        raise _Refused(f"{field}.masked", "not a number masked as read (8 asterisks, then the last 4 characters)")
    _token(entry.get("reason"), f"{field}.reason")


def _excluded(entry: dict[str, Any], field: str) -> None:
    _text(entry.get("path"), f"{field}.path")
    _text(entry.get("rule"), f"{field}.rule")


def _file(entry: dict[str, Any], field: str) -> None:
    """A file as the scan read it: its name, its host, and facts the quarantine compares, never shown as text but
    in a refusal's words (a size with thousands separators, a time)."""
    _text(entry.get("path"), f"{field}.path")
    _optional(entry, field, "host", _text)
    _count(entry.get("size"), f"{field}.size")
    mtime = entry.get("mtime_ns")
    if not isinstance(mtime, int) or isinstance(mtime, bool):
        raise _Refused(f"{field}.mtime_ns", "not a whole number (nanoseconds since 1970)")
    ctime = entry.get("ctime_ns", 0)  # absent in documents written before it was kept
    if not isinstance(ctime, int) or isinstance(ctime, bool):
        raise _Refused(f"{field}.ctime_ns", "not a whole number (nanoseconds since 1970)")
    value = entry.get("sha256", "0" * 64)  # absent for a file over the hashing limit (fs.facts.HASH_MAX_BYTES)
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise _Refused(f"{field}.sha256", "not a sha256 (64 hex digits)")


# -- a baseline (detector.baseline) -------------------------------------------------------------------------------

BASELINE_SCHEMA = "mynumber-baseline/1"


def check_baseline_document(name: str, document: Any) -> None:
    """Refuse ``document`` (read from the file ``name``) unless it has the shape of a baseline: a key id, and
    entries each with a fingerprint, a path, a location, a mask and a reason that is not empty (an accepted finding
    says why it was accepted). The error names the file and the field, never the value."""
    try:
        if not isinstance(document, dict) or document.get("schema") != BASELINE_SCHEMA:
            raise _Refused("schema", f"not a mynumber baseline ({BASELINE_SCHEMA} expected)")
        _key_id(document.get("key_id"), "key_id")
        for index, entry in enumerate(_list(document.get("entries"), "entries")):
            where = f"entries[{index}]"
            _baseline_entry(_object(entry, where), where)
    except _Refused as refused:
        raise UsageError(text("located", where=f"{name}: {refused.field}", problem=refused.problem)) from None


def _baseline_entry(entry: dict[str, Any], field: str) -> None:
    _fingerprint(entry.get("fingerprint"), f"{field}.fingerprint")
    _text(entry.get("path"), f"{field}.path")
    _optional(entry, field, "location", _location)
    _optional(entry, field, "masked", _mask)
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _Refused(f"{field}.reason", "missing: each accepted finding needs a reason (why it is accepted)")


def _location(value: Any, field: str) -> None:
    location = _object(value, field)
    for key, item in location.items():
        where = f"{field}.{key}"
        if key in _POSITIONS:
            _count(item, where, minimum=0, maximum=_MAX_POSITION)
        elif key == "cell":
            if not isinstance(item, str) or not _CELL.fullmatch(item):
                raise _Refused(where, "not a cell reference such as B7")
        elif key == "hidden":
            _token(item, where)
        elif key == "ocr":
            if item is not True:
                raise _Refused(where, "not true (a location read by OCR says so; others leave it out)")
        else:  # a name: member, sheet, column, part...
            _text(item, where)


# -- the forms of values ------------------------------------------------------------------------------------------


def _optional(container: dict[str, Any], field: str, key: str, check: Callable[[Any, str], object]) -> None:
    if key in container:
        check(container[key], f"{field}.{key}")


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Refused(field, "not a json object")
    return value


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Refused(field, "not a json list")
    return value


def _each(value: Any, field: str, check: Callable[[Any, str], object]) -> None:
    for index, item in enumerate(_list(value, field)):
        check(item, f"{field}[{index}]")


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _Refused(field, "not text")
    return value


def _text_or_none(value: Any, field: str) -> None:
    if value is not None:
        _text(value, field)


def _texts(value: Any, field: str) -> None:
    _each(value, field, _text)


def _token(value: Any, field: str) -> str:
    """A word the tool writes (a reason, a sample's id, a file type): text without a 12-digit run."""
    text = _text(value, field)
    if text != redact(text):
        raise _Refused(field, "holds a 12-digit number where the tool writes a word")
    return text


def _count(value: Any, field: str, minimum: int = 0, maximum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _Refused(field, f"not a whole number >= {minimum}")
    if maximum is not None and value > maximum:
        raise _Refused(field, f"over {maximum:,}")
    return value


def _counts(value: Any, field: str, key_check: Callable[[Any, str], object]) -> None:
    for key, count in _object(value, field).items():
        key_check(key, field)
        _count(count, field)


def _flag(value: Any, field: str) -> None:
    if not isinstance(value, bool):
        raise _Refused(field, "not true or false")


def _confidence(value: Any, field: str) -> None:
    if value not in CONFIDENCES:
        raise _Refused(field, f"not a confidence ({', '.join(CONFIDENCES)})")


def _mask(value: Any, field: str) -> None:
    if not isinstance(value, str) or len(value) != 12 or not _MASK.fullmatch(value):
        raise _Refused(field, "not a masked number (asterisks, then at most the last 4 digits, as ********9018)")


def _fingerprint(value: Any, field: str) -> None:
    if not isinstance(value, str) or not _FINGERPRINT.fullmatch(value):
        raise _Refused(field, "not a fingerprint (64 hex digits)")


def _key_id(value: Any, field: str) -> None:
    if not isinstance(value, str) or not _KEY_ID.fullmatch(value):
        raise _Refused(field, "not a key id (16 hex digits)")


def _item_of(item_ids: frozenset[str]) -> Callable[[Any, str], None]:
    def check(value: Any, field: str) -> None:
        if not isinstance(value, str) or value not in item_ids:
            raise _Refused(field, f"not an item of the rules ({', '.join(sorted(item_ids))}; a scan made with "
                                  "--rules DIR is read with the same --rules DIR)")
    return check
