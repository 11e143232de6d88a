"""Baselines: findings a person has looked at and accepted, so that the next scans say what is new.

``mynumber baseline SCAN.json -o mynumber-baseline.json --reason TEXT`` writes one entry a finding of the scan:
its fingerprint, its path, its location, its masked number and a reason (why it is accepted: "form template",
"test data"), never the number. ``mynumber scan --baseline FILE`` then sets aside the findings the file accepts
(:meth:`detector.result.ScanResult.set_aside`): they are listed apart as ``baselined``, they do not make the exit
status, and their people are still counted in the people and the verdict, because a baseline hides noise from the
person who reads the scan, it does not change who is exposed.

A finding is accepted when an entry has its fingerprint, its path and its archive member (the same person's number
in the same file or member, wherever in it the number moves: a line added above it does not make it new). Paths are
compared as scans write them (:func:`detector.names.shown`: escaped, numbers in names masked), so a baseline made
from a saved scan matches a live one; a root must be given the same way in both (absolute paths are best).

Fingerprints are keyed (HMAC-SHA256 under the scan's key, :mod:`detector.people`): a baseline names its key id, and
a scan under another key is refused, since none of its fingerprints could match.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from . import __version__
from .errors import UsageError
from .messages import text
from .model import Baselined, Finding, Location
from .names import shown
from .result import ScanResult
from .schema import BASELINE_SCHEMA, check_baseline_document
from .times import rfc3339

__all__ = ["Baseline", "BaselineEntry", "baseline_document"]

# What tells an accepted finding from a new one: fingerprint, path and member, as scans write them.
EntryKey = tuple[str, str, str]


def entry_key(fingerprint: str, path: str, location: Location) -> EntryKey:
    """The key of a finding's fingerprint, path and location (its member), in the written form of names."""
    return (fingerprint, shown(path), shown(location.member) if location.member is not None else "")


class BaselineEntry(NamedTuple):
    """One accepted finding. ``path`` is kept as scans write it (escaped, numbers in names masked: it is compared
    in that form), ``reason`` as a person wrote it (numbers in it masked when it is written)."""

    fingerprint: str
    path: str
    location: Location
    masked: str
    reason: str

    @property
    def key(self) -> EntryKey:
        return (self.fingerprint, self.path, shown(self.location.member) if self.location.member is not None else "")

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "path": self.path, "location": self.location.to_json(),
                "masked": self.masked, "reason": shown(self.reason)}


class Baseline:
    """A baseline read from its file: which findings it accepts, and why. Called with a finding, it gives the
    reason the finding is accepted, or None when the finding is new (the form
    :meth:`~detector.result.ScanResult.set_aside` takes)."""

    def __init__(self, name: str, key_id: str, entries: Iterable[BaselineEntry]) -> None:
        self.name = name
        self.key_id = key_id
        self.entries = list(entries)
        self.reasons = {entry.key: entry.reason for entry in self.entries}

    @classmethod
    def load(cls, name: str) -> Baseline:
        """The baseline in the file ``name``, checked (:func:`detector.schema.check_baseline_document`): an entry
        without a reason, or one that is not the tool's form, is refused naming the file and the entry."""
        try:
            with open(name, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as exc:
            raise UsageError(text("baseline.unreadable", name=name, reason=exc.strerror)) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(text("not_json", name=name, error=type(exc).__name__)) from None
        check_baseline_document(name, document)
        entries = [BaselineEntry(str(e["fingerprint"]), str(e["path"]), Location.from_json(e.get("location", {})),
                                 str(e.get("masked", "")), str(e["reason"]).strip())
                   for e in document["entries"]]
        return cls(name, str(document["key_id"]), entries)

    @classmethod
    def for_scan(cls, name: str, key: bytes) -> Baseline:
        """The baseline in the file ``name`` for a scan under ``key``, refused when made under another key (see
        :meth:`check_key`): what the command line and the library both ask before a scan."""
        from .people import Fingerprinter

        baseline = cls.load(name)
        baseline.check_key(Fingerprinter(key).key_id)
        return baseline

    def check_key(self, key_id: str) -> None:
        """Refuse a scan under another key than the baseline's: none of its fingerprints could match, and every
        accepted finding would come back as new."""
        if key_id != self.key_id:
            raise UsageError(text("baseline.other_key", name=self.name, baseline_key=self.key_id, key=key_id))

    def __call__(self, finding: Finding) -> str | None:
        return self.reasons.get(entry_key(finding.fingerprint, finding.path, finding.location))


def baseline_document(result: ScanResult, reason: str | None) -> dict[str, Any]:
    """The baseline of a scan's findings (``result``: a saved scan read back, see :func:`detector.result.merge`).
    A finding the scan had already set aside keeps its baseline's reason; every other finding takes ``reason``.
    Without ``reason``, a scan with new findings is refused: each accepted finding needs a reason, which the
    person may then edit entry by entry in the file."""
    new = [Baselined(finding, reason) for finding in result.findings] if reason is not None else []
    if reason is None and result.findings:
        raise UsageError(text("baseline.needs_reason", count=len(result.findings)))
    if reason is not None and not reason.strip():
        raise UsageError(text("baseline.empty_reason"))
    entries: dict[EntryKey, BaselineEntry] = {}
    for accepted in sorted([*result.baselined, *new], key=lambda b: b.finding.sort_key()):
        finding = accepted.finding
        entry = BaselineEntry(finding.fingerprint, shown(finding.path), finding.location, finding.masked,
                              accepted.reason.strip())
        entries.setdefault(entry.key, entry)
    return {"schema": BASELINE_SCHEMA, "tool": {"name": "mynumber", "version": __version__},
            "key_id": result.key_id, "created": rfc3339(),
            "entries": [entry.to_json() for entry in entries.values()]}
