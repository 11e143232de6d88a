"""The result of a scan: per-file results merged into counts, distinct-people sets and an assessment.

One :class:`ScanResult` collects what workers send back in any order and sorts at the end, so ``--jobs 1``
and ``--jobs N`` give identical documents. The same class reads a saved json document back, which is how
``mynumber merge`` combines scans from several hosts and runs.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from . import __version__
from .assess import Assessment, Facts, PeopleBound, assess, exit_status
from .errors import UsageError
from .exposure import Exposure
from .messages import text
from .model import (
    ENTRIES_KEPT,
    Baselined,
    Confidence,
    Excluded,
    FileFacts,
    FileResult,
    Finding,
    Location,
    Sample,
    UnreadableCandidate,
    Unscanned,
)
from .names import shown, unescape
from .people import FindingKey, RevealedNumbers, finding_key
from .rules import Trigger
from .schema import SCHEMA, check_scan_document
from .times import rfc3339

UNKNOWN_HOST = "(unknown)"  # how the summary and the reports name the host of entries that carry none


class Found(NamedTuple):
    """What one file's result added to a scan as it came in, for a writer that streams it (``--format jsonl``):
    the findings kept (at or above the minimum confidence, not met before), stamped with their host, and the
    other entries. ``host``: the machine that read the file; ``scan_id``: the scan's."""

    scan_id: str
    host: str | None
    findings: list[Finding]
    samples: list[Sample]
    unscanned: list[Unscanned]
    unreadable: list[UnreadableCandidate]
    file: tuple[str, FileFacts] | None = None  # the file's path and facts as read, when it gave something


class FoundSink(Protocol):
    """Where a scan hands what it finds as it finds it (``--format jsonl``); ``flush`` after each batch merged."""

    def found(self, found: Found) -> None: ...

    def flush(self) -> None: ...


@dataclass
class ScanResult:
    """Everything a report needs; never a raw number (``--reveal``'s are given to :meth:`to_json` apart).
    Its people are an :class:`~detector.exposure.Exposure` of the findings it keeps."""

    key_id: str
    min_confidence: Confidence = Confidence.MEDIUM
    roots: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=lambda: [os.uname().nodename])
    started: float = field(default_factory=time.time)
    finished: float | None = None
    rules: list[str] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    scanned_by_type: Counter[str] = field(default_factory=Counter)
    excluded: int = 0
    excluded_entries: list[Excluded] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # the new ones, when a baseline set some aside
    baselined: list[Baselined] = field(default_factory=list)  # accepted by a baseline: counted, not new
    compared_to_baseline: bool = False  # a baseline was given (set_aside): each finding is new or baselined
    held_back: Counter[str] = field(default_factory=Counter)
    held_back_people: set[str] = field(default_factory=set)
    held_back_people_merged: int = 0  # from merged documents, which keep only the count (an upper bound)
    held_back_uncounted_merged: int = 0  # of those, the ones each document had not counted among its people
    samples: list[Sample] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)
    # Beyond ``unscanned_kept`` entries, the first in sort order are kept (the same list whatever order the workers
    # finish in) and the others counted by reason and type, then dropped: memory stays bounded on any tree. Each
    # entry still reaches ``stream`` as it comes in (``--format jsonl`` writes them all) and, with a state file, the
    # state (the result of the file that gave it).
    unscanned_kept: int = ENTRIES_KEPT
    unscanned_left_out_by_reason: Counter[str] = field(default_factory=Counter)
    unscanned_left_out_by_type: Counter[str] = field(default_factory=Counter)
    excluded_left_out: Counter[str] = field(default_factory=Counter)  # by rule: excluded entries not listed
    # Possible numbers read from pictures that no reading saves: for a person to look at, never a person.
    unreadable_candidates: list[UnreadableCandidate] = field(default_factory=list)
    # Each file with findings or unreadable candidates as it was read, by (host, path): what the quarantine checks
    # a file against (its size, time and sha256: FileFacts). A document written before they were kept has none.
    file_facts: dict[tuple[str | None, str], FileFacts] = field(default_factory=dict)
    merged_from: int = 1
    assessment: Assessment | None = None
    # With findings set aside and none new: the assessment of what is new (no one found), for the exit status.
    assessment_of_new: Assessment | None = None
    exposure: Exposure = field(default_factory=Exposure, repr=False)
    _seen: set[tuple[str | None, str, Location, str]] = field(default_factory=set, repr=False)  # host, finding key
    # The host of file results that come without one (:attr:`FileResult.host`): the scanning machine, or None
    # when merging documents (whose entries carry their own).
    host: str | None = None
    scan_id: str = field(default_factory=lambda: new_scan_id())  # in the json and each jsonl line
    files_by_host: Counter[str | None] = field(default_factory=Counter)  # files scanned
    unscanned_by_host: Counter[str | None] = field(default_factory=Counter)  # every entry, listed or left out
    stream: FoundSink | None = field(default=None, repr=False)  # told of each file's findings as they come in

    # -- collecting -----------------------------------------------------------------------------------

    def add(self, result: FileResult) -> None:
        host = result.host or self.host
        if host is not None and host not in self.hosts:
            self.hosts.append(host)
        if result.scanned:
            self.files_scanned += 1
            self.bytes_scanned += result.size
            self.scanned_by_type[result.kind] += 1
            self.files_by_host[host] += 1
        unscanned = [u if u.host is not None or host is None else u._replace(host=host) for u in result.unscanned]
        self.unscanned_by_host.update(u.host for u in unscanned)
        self.unscanned.extend(unscanned)
        if len(self.unscanned) >= 2 * self.unscanned_kept:  # trimmed in bulk: one sort per unscanned_kept entries
            self._leave_out_unscanned()
        self.unreadable_candidates.extend(result.unreadable)
        samples = [s if s.host is not None or host is None else s._replace(host=host) for s in result.samples]
        self.samples.extend(samples)
        self.held_back.update(result.held_back)
        self.held_back_people |= result.held_back_people
        kept = []
        for finding in result.findings:
            if finding.confidence < self.min_confidence:
                self.held_back[finding.confidence.label] += 1
                self.held_back_people.add(finding.fingerprint)
                continue
            if finding.host is None and host is not None:
                finding = finding._replace(host=host)
            key = (finding.host, *finding_key(finding))  # two hosts' same path are two files (one flat tuple)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.findings.append(finding)
            self.exposure.add(finding)
            kept.append(finding)
        file = self._keep_facts(result, host)
        if self.stream is not None and (kept or samples or unscanned or result.unreadable):
            self.stream.found(Found(self.scan_id, host, kept, samples, unscanned, result.unreadable, file))

    def _keep_facts(self, result: FileResult, host: str | None) -> tuple[str, FileFacts] | None:
        """The file's facts as read (kept by host and path), when it gave findings or unreadable candidates."""
        if result.facts is None or not (result.findings or result.unreadable):
            return None
        self.file_facts[(host, result.path)] = result.facts
        return result.path, result.facts

    def add_clean(self, files: int, size: int, kinds: Mapping[str, int], host: str | None = None) -> None:
        """Files scanned with nothing to report, counted without sending each one back from a worker; ``host``:
        the machine that read them (None: the result's own)."""
        self.files_scanned += files
        self.bytes_scanned += size
        self.scanned_by_type.update(kinds)
        self.files_by_host[host or self.host] += files
        if host is not None and host not in self.hosts:
            self.hosts.append(host)

    def set_aside(self, reason_for: Callable[[Finding], str | None]) -> None:
        """The findings a baseline accepts (``reason_for`` gives the baseline's reason, or None for a new finding)
        move from :attr:`findings` to :attr:`baselined`. Their people stay in the exposure: a baseline hides known
        findings from what is new, it does not change who is exposed, so the people counts and the verdict still
        include them (番号法第29条の4 and 規則第2条 count the people whose numbers leaked, accepted or not)."""
        self.compared_to_baseline = True
        new = []
        for finding in self.findings:
            reason = reason_for(finding)
            if reason is None:
                new.append(finding)
            else:
                self.baselined.append(Baselined(finding, reason))
        self.findings = new

    def finish(self, triggers: tuple[Trigger, ...], declared: Collection[str] = ()) -> ScanResult:
        """Sorted, and assessed (``declared``: the declared triggers that hold, as ``report --malicious``)."""
        self.findings.sort(key=Finding.sort_key)
        self.baselined.sort(key=lambda b: b.finding.sort_key())
        self.samples.sort(key=Sample.sort_key)
        self._leave_out_unscanned()
        self.unreadable_candidates.sort(key=UnreadableCandidate.sort_key)
        self.excluded_entries.sort()
        for entry in self.excluded_entries[ENTRIES_KEPT:]:  # merged documents' lists: each within the cap
            self.excluded_left_out[entry.rule] += 1
        del self.excluded_entries[ENTRIES_KEPT:]
        self.hosts.sort()  # as batches came in from the hosts: the same list whatever order they finished in
        self.finished = self.finished or time.time()
        facts = self.facts()
        self.assessment = assess(self.exposure.metrics(), triggers, declared, facts)
        if self.baselined and not self.findings:
            self.assessment_of_new = assess(Exposure().metrics(), triggers, declared, self._facts_of_nothing_new(facts))
        return self

    def _leave_out_unscanned(self) -> None:
        """Sort the unscanned entries and keep the first ``unscanned_kept``; the rest are counted and dropped."""
        self.unscanned.sort(key=Unscanned.sort_key)
        for entry in self.unscanned[self.unscanned_kept:]:
            self.unscanned_left_out_by_reason[_reason_category(shown(entry.reason))] += 1
            self.unscanned_left_out_by_type[entry.kind or "other"] += 1
        del self.unscanned[self.unscanned_kept:]

    @property
    def unscanned_count(self) -> int:
        """Every entry not scanned: those listed and those left out of the list."""
        return len(self.unscanned) + self.unscanned_left_out_by_reason.total()

    def _facts_of_nothing_new(self, facts: Facts) -> Facts:
        """The facts with every finding baselined, as if none had been found: what the exit status rests on then
        (held-back candidates of people not baselined and unread files may still make it possibly reportable)."""
        baselined_people = {b.finding.fingerprint for b in self.baselined}
        held_back = len(self.held_back_people - baselined_people) + self.held_back_uncounted_merged
        return Facts(facts.bound._replace(found=0, held_back_people=held_back), ())

    def facts(self) -> Facts:
        """What the verdict rests on beside the findings: the people that may be affected (found, held back and
        not among them, what could not be read) and the location rules behind presumed public findings."""
        found = self.exposure.fingerprints()
        unreadable = [u for u in self.unscanned if could_hold_numbers(u)]
        left_out = {reason: count for reason, count in self.unscanned_left_out_by_reason.items()
                    if reason not in NO_CONTENT}
        bound = PeopleBound(
            found=len(found),
            held_back_people=len(self.held_back_people - found) + self.held_back_uncounted_merged,
            held_back_candidates=sum(self.held_back.values()),
            unscanned_files=len(unreadable) + sum(left_out.values()),
            encrypted_members=sum(1 for u in unreadable if is_encrypted(u))
            + sum(count for reason, count in left_out.items() if reason.startswith("encrypted")),
            unreadable_candidates=len(self.unreadable_candidates))
        presumed = sorted({f.public_reason or "" for f in self._all_findings() if f.presumed_public})
        return Facts(bound, tuple(presumed))

    def _all_findings(self) -> list[Finding]:
        """The findings new and baselined: the people and the verdict rest on both."""
        return self.findings + [b.finding for b in self.baselined]

    # -- figures ----------------------------------------------------------------------------------------

    @property
    def distinct_people(self) -> int:
        return self.exposure.distinct_people

    @property
    def public_distinct_people(self) -> int:
        return self.exposure.public_distinct_people

    @property
    def files_with_findings(self) -> int:
        return len({(f.host, f.path) for f in self.findings})

    def by_host(self) -> dict[str, dict[str, int]]:
        """Per host (the machine that read the files; :data:`UNKNOWN_HOST` for entries of older documents that
        carry none): files scanned, files with findings, entries not scanned and distinct people (new and
        baselined findings, as :attr:`distinct_people`). A person found on two hosts counts on each."""
        hosts = set(self.files_by_host) | set(self.unscanned_by_host) | {f.host for f in self._all_findings()}
        out = {}
        for host in sorted(hosts, key=lambda h: (h is None, h or "")):
            out[shown(host) if host is not None else UNKNOWN_HOST] = {
                "files_scanned": self.files_by_host[host],
                "files_with_findings": len({f.path for f in self.findings if f.host == host}),
                "unscanned": self.unscanned_by_host[host],
                "distinct_people": len({f.fingerprint for f in self._all_findings() if f.host == host})}
        return out

    @property
    def exit_status(self) -> int:
        """The verdict's status when a finding is new (1, 3 or 5: the verdict counts baselined people too, since a
        new person may be the one that passes a threshold); with every finding baselined, the status of what is
        new, 0 unless held-back candidates or unread files make it possibly reportable (as gitleaks and
        detect-secrets exit 0 when all they find is in the baseline)."""
        assert self.assessment is not None, "finish() first"
        if self.baselined and not self.findings:
            assert self.assessment_of_new is not None
            return exit_status(0, self.assessment_of_new)
        return exit_status(len(self.findings), self.assessment)

    def summary(self) -> dict[str, Any]:
        assert self.assessment is not None, "finish() first"
        reasons_count: Counter[str] = Counter(_reason_category(shown(u.reason)) for u in self.unscanned)
        reasons_count.update(self.unscanned_left_out_by_reason)
        unscanned_types: Counter[str] = Counter(u.kind or "other" for u in self.unscanned)
        unscanned_types.update(self.unscanned_left_out_by_type)
        return {
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "files_with_findings": self.files_with_findings,
            "findings": len(self.findings),
            "distinct_people": self.distinct_people,
            "public_distinct_people": self.public_distinct_people,
            "serious": self.assessment.serious,
            "serious_reasons": self.assessment.reason_ids(),
            "unscanned": self.unscanned_count,
            "unreadable_candidates": len(self.unreadable_candidates),
            "serious_details": self.assessment.details(),
            **self.assessment.verdict_json(),
            "held_back": {"findings": sum(self.held_back.values()),
                          "distinct_people": len(self.held_back_people) + self.held_back_people_merged,
                          "by_confidence": dict(sorted(self.held_back.items())),
                          "min_confidence": self.min_confidence.label},
            "samples": len(self.samples),
            "baselined": len(self.baselined),
            "baselined_people": len({b.finding.fingerprint for b in self.baselined}),
            "excluded": self.excluded,
            "scanned_by_type": dict(sorted(self.scanned_by_type.items())),
            "unscanned_by_reason": dict(sorted(reasons_count.items())),
            "unscanned_by_type": dict(sorted(unscanned_types.items())),
            # the entries counted above but not listed (over the cap of entries kept)
            "unscanned_left_out": {"entries": self.unscanned_left_out_by_reason.total(),
                                   "by_reason": dict(sorted(self.unscanned_left_out_by_reason.items())),
                                   "by_type": dict(sorted(self.unscanned_left_out_by_type.items()))},
            "excluded_left_out": {"entries": self.excluded_left_out.total(),
                                  "by_rule": dict(sorted(self.excluded_left_out.items()))},
            "by_confidence": dict(sorted(Counter(f.confidence.label for f in self.findings).items())),
            "hosts": self.by_host(),
        }

    # -- the json document ----------------------------------------------------------------------------

    def to_json(self, revealed: RevealedNumbers | None = None, lazy: bool = False) -> dict[str, Any]:
        """The json document; with ``revealed`` (``--reveal`` only, into a 0600 file), names as they are and
        each finding's raw ``number``. ``lazy``: its findings as :class:`Entries`, each made as it is written (a
        writer that writes them one at a time need not hold them all: the json report), else a list."""
        reveal = revealed is not None

        def finding_entry(finding: Finding) -> dict[str, Any]:
            item = finding.to_json(reveal)
            number = revealed.number(finding) if revealed is not None else None
            if number is not None:
                item["number"] = number
            return item

        findings: Entries | list[dict[str, Any]] = (Entries(self.findings, finding_entry) if lazy and self.findings
                                                    else [finding_entry(finding) for finding in self.findings])
        return {
            "schema": SCHEMA,
            "tool": {"name": "mynumber", "version": __version__},
            "scan": {
                "roots": [shown(root, reveal) for root in self.roots],
                "hosts": [shown(host, reveal) for host in self.hosts],
                "scan_id": self.scan_id,
                "started": rfc3339(self.started),
                "finished": rfc3339(self.finished or self.started),
                "duration_seconds": round((self.finished or self.started) - self.started, 3),
                "key_id": self.key_id,
                "min_confidence": self.min_confidence.label,
                "rules": [shown(rules, reveal) for rules in self.rules],
                "merged_from": self.merged_from,
            },
            "summary": self.summary(),
            "findings": findings,
            "baselined": [self._baselined_json(entry, revealed) for entry in self.baselined],
            "samples": [s.to_json(reveal) for s in self.samples],
            "unscanned": [u.to_json(reveal) for u in self.unscanned],
            "unreadable_candidates": [u.to_json(reveal) for u in self.unreadable_candidates],
            "files": [facts.entry(path, host, reveal)
                      for (host, path), facts in sorted(self.file_facts.items(), key=_by_path_and_host)],
            "excluded": [e.to_json(reveal) for e in self.excluded_entries],
        }

    @staticmethod
    def _baselined_json(entry: Baselined, revealed: RevealedNumbers | None) -> dict[str, Any]:
        """A baselined finding as a finding, with the baseline's reason (written as names are: a number a person
        typed into a reason is masked, in a --reveal file too, since it is not a finding)."""
        item = entry.finding.to_json(revealed is not None)
        number = revealed.number(entry.finding) if revealed is not None else None
        if number is not None:
            item["number"] = number
        item["baseline_reason"] = shown(entry.reason)
        return item


def _by_path_and_host(item: tuple[tuple[str | None, str], FileFacts]) -> tuple[str, str]:
    (host, path), _ = item
    return path, host or ""


def new_scan_id() -> str:
    """16 random letters a-p (64 bits, hex spelt in letters): a hex id can hold 12 digits in a row, which the
    schema's check refuses as a possible raw number in the scan's own json."""
    return os.urandom(8).hex().translate(_HEX_AS_LETTERS)  # as secrets.token_hex, without importing secrets


_HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


# Unscanned entries with no content of their own: everything else not read may hold numbers (別添２ 3A).
# "no such file": a name of --files-from that does not exist (walk.LISTED_NOT_FOUND).
NO_CONTENT = frozenset({"broken symbolic link", "not a regular file", "no such file"})


class Entries:
    """A document's list of entries, each made from its item when it is read (:meth:`ScanResult.to_json` with
    ``lazy``): the json report of 200,000 findings held all their dicts at once before it wrote one."""

    def __init__(self, items: Sequence[Any], entry: Callable[[Any], dict[str, Any]]) -> None:
        self.items, self.entry = items, entry

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self.entry, self.items)

    def __len__(self) -> int:
        return len(self.items)


def could_hold_numbers(entry: Unscanned) -> bool:
    """Whether an entry not scanned may hold My Numbers: any file or member that has content (encrypted, damaged,
    an image, a scanned PDF, over a limit, unreadable, a folder not listed, a link not followed); not a broken link
    nor a FIFO, socket or device."""
    return _reason_category(entry.reason) not in NO_CONTENT


def is_encrypted(entry: Unscanned) -> bool:
    """Whether an entry was not read because it is encrypted (a file or an archive member)."""
    return _reason_category(entry.reason).startswith("encrypted")


def _reason_category(reason: str) -> str:
    """The part of an unscanned reason before any detail, for counting: "permission denied", "image"..."""
    return reason.split(":", 1)[0].split(" (", 1)[0]


def _per_host(hosts: Any) -> dict[str | None, dict[str, int]] | None:
    """A document's ``summary.hosts`` by host (:data:`UNKNOWN_HOST` read back as None), or None if it has none."""
    if hosts is None:
        return None
    return {None if label == UNKNOWN_HOST else unescape(str(label)): {key: int(value) for key, value in counts.items()}
            for label, counts in dict(hosts).items()}


def _take_facts(kept: dict[tuple[str | None, str], FileFacts], entries: list[dict[str, Any]],
                doc_host: str | None) -> None:
    """A document's ``files`` (each file as read, by host: one without a host was read by the document's one host)
    into ``kept``. A file two documents read keeps the facts of its later version (the larger mtime, then size and
    hash), whatever the order the documents are given in."""
    for entry in entries:
        host = entry.get("host")
        key = (unescape(str(host)) if host is not None else doc_host, unescape(str(entry["path"])))
        facts = FileFacts.from_json(entry)
        known = kept.get(key)
        if known is None or _later(facts, known):
            kept[key] = facts


def _later(facts: FileFacts, known: FileFacts) -> bool:
    return (facts.mtime_ns, facts.size, facts.sha256 or "") > (known.mtime_ns, known.size, known.sha256 or "")


def merge(documents: list[tuple[str, dict[str, Any]]], triggers: tuple[Trigger, ...], *,
          item_ids: Collection[str], declared: Collection[str] = (), baselined_apart: bool = True) -> ScanResult:
    """Combine saved scans (name, json document) made with the same key into one result. Each document is
    checked first (:func:`detector.schema.check_scan_document`; ``item_ids``: the items the rules know): what
    a document holds is shown again in reports, so one that does not fit is refused, never used. ``declared``:
    the declared triggers the responder says hold (``report --malicious``). Findings a baseline accepted stay
    apart (``baselined``), or with ``baselined_apart`` False are findings like the others: the incident report and
    the people to notify take every person found, accepted or not (番号法第29条の4第2項: each person is told)."""
    if not documents:
        raise UsageError(text("merge.nothing"))
    key_ids = set()
    for name, doc in documents:
        check_scan_document(name, doc, item_ids)
        key_ids.add(doc["scan"]["key_id"])
    if len(key_ids) > 1:
        raise UsageError(text("merge.other_keys"))
    first = documents[0][1]
    minimum = max(Confidence.parse(d.get("scan", {}).get("min_confidence", "medium")) for _, d in documents)
    merged = ScanResult(key_id=str(first.get("scan", {}).get("key_id")), min_confidence=minimum, hosts=[])
    merged.merged_from = 0
    baselined: dict[tuple[str | None, FindingKey], str] = {}
    for name, doc in documents:
        scan = doc.get("scan", {})
        summary = doc.get("summary", {})
        merged.merged_from += int(scan.get("merged_from", 1))
        merged.roots.extend(root for root in map(unescape, map(str, scan.get("roots", []))) if root not in merged.roots)
        hosts = [unescape(str(host)) for host in scan.get("hosts", [])]
        merged.hosts.extend(h for h in hosts if h not in merged.hosts)
        # Entries without a host (a document written before hosts were kept) were read by the document's one
        # host, which it named; a document of several hosts cannot tell, so theirs stays unknown.
        doc_host = hosts[0] if len(hosts) == 1 else None
        merged.rules = merged.rules or [unescape(str(rules)) for rules in scan.get("rules", [])]
        merged.files_scanned += int(summary.get("files_scanned", 0))
        merged.bytes_scanned += int(summary.get("bytes_scanned", 0))
        merged.excluded += int(summary.get("excluded", 0))
        merged.scanned_by_type.update(summary.get("scanned_by_type", {}))
        left_out = summary.get("unscanned_left_out", {})
        merged.unscanned_left_out_by_reason.update(left_out.get("by_reason", {}))
        merged.unscanned_left_out_by_type.update(left_out.get("by_type", {}))
        merged.excluded_left_out.update(summary.get("excluded_left_out", {}).get("by_rule", {}))
        held = summary.get("held_back", {})
        merged.held_back.update(held.get("by_confidence", {}))
        merged.held_back_people_merged += int(held.get("distinct_people", 0))
        # an older document has no held_back_people: all its held-back people may be others (an upper bound)
        merged.held_back_uncounted_merged += int(summary.get("held_back_people", held.get("distinct_people", 0)))
        try:
            file_result = FileResult(path=name, scanned=False)
            file_result.findings = [Finding.from_json(item) for item in doc.get("findings", [])]
            file_result.unscanned = [Unscanned.from_json(u) for u in doc.get("unscanned", [])]
            file_result.samples = [Sample.from_json(s) for s in doc.get("samples", [])]
            # a document of schema mynumber/1 has none: it listed them among the unscanned entries
            file_result.unreadable = [UnreadableCandidate.from_json(u) for u in doc.get("unreadable_candidates", [])]
            for item in doc.get("baselined", []):
                finding = Finding.from_json(item)
                file_result.findings.append(finding)
                baselined.setdefault((finding.host or doc_host, finding_key(finding)),
                                     unescape(str(item["baseline_reason"])))
            merged.excluded_entries.extend(Excluded.from_json(e) for e in doc.get("excluded", []))
            _take_facts(merged.file_facts, doc.get("files", []), doc_host)
            per_host = _per_host(summary.get("hosts"))
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(text("scan_document.malformed", name=name, error=f"{type(exc).__name__}: {exc}")) from None
        file_result.host = doc_host
        unscanned_before = Counter(merged.unscanned_by_host)
        merged.add(file_result)
        if per_host is None:  # an older document: its files under its host, its listed entries by theirs
            merged.files_by_host[doc_host] += int(summary.get("files_scanned", 0))
        else:  # the document's own counts, which include entries left out of its list
            merged.unscanned_by_host = unscanned_before
            for host, counts in per_host.items():
                merged.files_by_host[host] += counts.get("files_scanned", 0)
                merged.unscanned_by_host[host] += counts.get("unscanned", 0)
    if baselined_apart and baselined:  # documents scanned without a baseline were compared with none
        merged.set_aside(lambda finding: baselined.get((finding.host, finding_key(finding))))
    merged.finished = time.time()
    return merged.finish(triggers, declared)
