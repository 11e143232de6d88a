"""Which files of a saved scan a quarantine moves, and the checks that refuse one.

A file moves when the scan found a person's number in it (a finding, not a sample; an archive member's finding
moves the archive that holds it), it was read on this host, it is under one of the scan's roots, and, with
``--only-public``, a finding in it is public. A file the scan's baseline accepted is not moved.

**Changed since the scan.** A scan keeps each file with findings as it read it (the json's ``files``: size, mtime
in ns and the sha256 of its bytes, :class:`~detector.model.FileFacts`). The file now must have the same size and
mtime, then the same sha256: a change that keeps the size and sets the time back (``touch -d``) still changes the
hash. The refusal names what differs.

A scan written before the facts were kept (no ``files``), or a file the scan has no facts of, is checked as
before, from what the scan does keep (the quarantine says so):

1. the file's mtime is before the second the scan started (``scan.started``, whole seconds): a file modified at
   or after it may not be the file the scan read (a merged document's ``started`` is the merge's, later than
   its scans: the second check then decides alone);
2. the file, read again with the scan's key and minimum confidence, gives the same findings: each (fingerprint,
   location) the scan recorded for it, and no other. A number added, removed or moved to another line or cell
   makes it another file. A change that keeps the mtime and the numbers in their places is not seen.

Between the checks and the move, the file must keep its device, inode, size and mtime (:class:`.move.Facts`), and
a file checked by its facts must still have the scan's sha256 when it is moved.
"""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import UsageError
from ..fs.facts import sha256_of
from ..messages import text as words
from ..model import STDIN, Confidence, FileFacts, Finding, Location, ScanOptions
from ..names import shown, unescape
from ..people import Fingerprinter
from ..times import parse_time, rfc3339
from .move import Facts
from .paths import Refused, open_file, place_of

if TYPE_CHECKING:
    from ..scanner import FileScanner


class ScanFacts(NamedTuple):
    """What the quarantine takes from a saved scan's header."""

    name: str  # the file it was read from
    scan_id: str
    key_id: str
    started_ns: int  # the second the scan started, in ns since the epoch
    roots: tuple[str, ...]  # absolute
    min_confidence: Confidence
    hosts: tuple[str, ...]


class Exposed(NamedTuple):
    """A file the scan found numbers in: where it is and what was found in it."""

    path: str  # absolute, as the scan wrote it (a number in a name masked)
    root: str
    findings: tuple[Finding, ...]
    public: bool
    read: FileFacts | None = None  # the file as the scan read it; None: the scan kept no facts of it


class Checked(NamedTuple):
    """An exposed file that passed the checks: its real path and what it was when checked."""

    exposed: Exposed
    path: str  # the real path (a masked name resolved)
    facts: Facts


class Refusal(NamedTuple):
    path: str
    reason: str


class Plan(NamedTuple):
    scan: ScanFacts
    moves: list[Checked]
    refused: list[Refusal]
    not_selected: int  # files with findings left out by --only-public
    already: tuple[str, ...] = ()  # files an earlier run moved into the same quarantine
    facts_kept: bool = True  # the scan keeps its files' facts (a document written before it did: False)
    without_facts: int = 0  # files checked as before, without the scan's facts of them


# A file scanned again, as the scan's findings for it: (fingerprint, location) pairs; None when it is unreadable
# now (with the reason).
Rescan = Callable[[str], "tuple[set[tuple[str, Location]] | None, str]"]


def scan_facts(name: str, document: dict[str, Any]) -> ScanFacts:
    """The scan's header; a usage error naming the file when it lacks what the checks need."""
    try:
        scan = document["scan"]
        started = parse_time(str(scan["started"]))  # RFC 3339, or the +0900 form of older scans
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(words("quarantine.bad_start", name=name, error=type(exc).__name__)) from None
    roots = tuple(os.path.abspath(unescape(str(root))) for root in scan.get("roots", []) if root != STDIN)
    return ScanFacts(name, str(scan.get("scan_id", "")), str(scan["key_id"]), int(started.timestamp()) * 10**9,
                     roots, Confidence.parse(str(scan.get("min_confidence", "medium"))),
                     tuple(unescape(str(host)) for host in scan.get("hosts", [])))


def check_key(scan: ScanFacts, key: bytes) -> None:
    """The rescan needs the scan's key: its fingerprints are compared with the scan's."""
    key_id = Fingerprinter(key).key_id
    if key_id != scan.key_id:
        raise UsageError(words("quarantine.other_key", name=scan.name, scan_key=scan.key_id, key=key_id))


def exposed_files(scan: ScanFacts, document: dict[str, Any], only_public: bool
                  ) -> tuple[list[Exposed], list[Refusal], int]:
    """The files with findings, each with its root; those that cannot be moved with the reason; and how many
    --only-public left out."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for item in (*document.get("findings", []), *document.get("baselined", [])):
        finding = Finding.from_json(item)
        by_path[finding.path].append(finding)
    accepted = {Finding.from_json(item).path for item in document.get("baselined", [])}
    accepted -= {Finding.from_json(item).path for item in document.get("findings", [])}
    here = socket.gethostname()
    read = files_read(document)
    exposed, refused, not_selected = [], [], 0
    for path, findings in sorted(by_path.items()):
        if path in accepted:
            continue
        if only_public and not any(f.public for f in findings):
            not_selected += 1
            continue
        reason = _cannot_move(scan, path, findings, here)
        absolute = os.path.abspath(path) if reason is None else path
        root = _root_of(scan.roots, absolute) if reason is None else None
        if root is None:
            refused.append(Refusal(path, reason or "not under a root of the scan"))
            continue
        facts = next((read[(host, path)] for host in _hosts(findings) if (host, path) in read), None)
        exposed.append(Exposed(absolute, root, tuple(findings), any(f.public for f in findings), facts))
    return exposed, refused, not_selected


def files_read(document: dict[str, Any]) -> dict[tuple[str | None, str], FileFacts]:
    """Each file the scan kept the facts of, by (host, path) as its findings name them (an entry without a host
    was read by the document's one host)."""
    hosts = document.get("scan", {}).get("hosts", [])
    doc_host = unescape(str(hosts[0])) if len(hosts) == 1 else None
    read = {}
    for entry in document.get("files", []):
        host = entry.get("host")
        read[(unescape(str(host)) if host is not None else doc_host, unescape(str(entry["path"])))] = \
            FileFacts.from_json(entry)
    return read


def _hosts(findings: list[Finding]) -> list[str | None]:
    """The hosts a file's findings name, in a fixed order (a finding without one last)."""
    return sorted({f.host for f in findings}, key=lambda host: (host is None, host or ""))


def check(exposed: Exposed, scan: ScanFacts, rescan: Rescan) -> Checked:
    """The file as it is now, if it is the file the scan read (see the module); :class:`Refused` otherwise."""
    if exposed.read is not None:
        return check_facts(exposed, exposed.read)
    return check_findings(exposed, scan, rescan)


def check_facts(exposed: Exposed, read: FileFacts) -> Checked:
    """The file as it is now against the facts the scan kept of it: size and mtime, then its sha256 (read only
    when the first two agree). The refusal names what differs."""
    with place_of(exposed.root, exposed.path) as place:
        real = place.path
        fd = open_file(place)
        try:
            now = Facts.of(os.fstat(fd))
            differences = [_size_differs(read.size, now.size)] if now.size != read.size else []
            if now.mtime_ns != read.mtime_ns:
                differences.append(_mtime_differs(read.mtime_ns, now.mtime_ns))
            if differences:
                raise Refused(f"changed since the scan: {' and '.join(differences)}")
            if read.ctime_ns is not None and os.fstat(fd).st_ctime_ns != read.ctime_ns:
                raise Refused("changed since the scan: its change time (ctime) differs from the scan's (with the same "
                              "size and modification time: written in place or its time set back)")
            if read.sha256 is not None and sha256_of(fd) != read.sha256:
                raise Refused("changed since the scan: its sha256 differs from the scan's (with the same size and "
                              "modification time: changed in place and its time set back)")
            after = Facts.of(os.fstat(fd))
        finally:
            os.close(fd)
    if not after.same_file(now):
        raise Refused("it changed while it was being checked")
    return Checked(exposed, real, after)


def check_findings(exposed: Exposed, scan: ScanFacts, rescan: Rescan) -> Checked:
    """A file the scan kept no facts of: its mtime against the scan's start, then its findings read again (see
    the module)."""
    real, before = _facts_at(exposed.root, exposed.path)
    if before.mtime_ns >= scan.started_ns:
        raise Refused(f"modified at or after the scan started (mtime {_iso(before.mtime_ns)}, scan started "
                      f"{_iso(scan.started_ns)}): it may not be the file the scan read")
    found, unreadable = rescan(real)
    if found is None:
        raise Refused(f"cannot be read again to compare with the scan: {unreadable}")
    expected = {(f.fingerprint, f.location) for f in exposed.findings if f.location.name != "folder"}
    if found != expected:
        raise Refused(f"its findings differ from the scan's ({len(found)} now, {len(expected)} in the scan): it "
                      "changed since the scan")
    _, after = _facts_at(exposed.root, real)
    if not after.same_file(before):
        raise Refused("it changed while it was being checked")
    return Checked(exposed, real, after)


def _facts_at(root: str, path: str) -> tuple[str, Facts]:
    """The file at ``path`` below ``root`` (reached without following a link) and its facts now."""
    with place_of(root, path) as place:
        fd = open_file(place)
        try:
            return place.path, Facts.of(os.fstat(fd))
        finally:
            os.close(fd)


def make_plan(scan: ScanFacts, document: dict[str, Any], only_public: bool, rescan: Rescan) -> Plan:
    exposed, refused, not_selected = exposed_files(scan, document, only_public)
    without_facts = sum(1 for item in exposed if item.read is None)
    moves = []
    for item in exposed:
        try:
            moves.append(check(item, scan, rescan))
        except Refused as refusal:
            refused.append(Refusal(item.path, refusal.reason))
        except OSError as exc:  # its root gone, a folder we may not enter
            refused.append(Refusal(item.path, f"cannot be checked: {exc.strerror or exc}"))
    return Plan(scan, moves, refused, not_selected, facts_kept="files" in document, without_facts=without_facts)


def scanner_rescan(options: ScanOptions) -> Rescan:
    """A file read again as the scan read it (same key, rules and minimum confidence): its findings as
    (fingerprint, location) pairs, folder-name findings left out (they belong to the walk, not the file). The
    scanner is made when a first file needs it: a scan that kept its files' facts needs none."""
    scanners: list[FileScanner] = []

    def rescan(path: str) -> tuple[set[tuple[str, Location]] | None, str]:
        if not scanners:
            from ..scanner import FileScanner

            scanners.append(FileScanner(options._replace(follow_symlinks=False, state_path=None)))
        result = scanners[0].scan_file(path)
        if not result.scanned or (result.unscanned and not result.findings):
            reasons = "; ".join(entry.reason for entry in result.unscanned) or "not readable"
            return None, shown(reasons)
        return {(f.fingerprint, f.location) for f in result.findings if f.location.name != "folder"}, ""

    return rescan


def _cannot_move(scan: ScanFacts, path: str, findings: list[Finding], here: str) -> str | None:
    if path == STDIN:
        return "read from standard input: there is no file to move"
    if len(scan.hosts) > 1 and any(f.host not in (None, here) for f in findings):
        hosts = sorted({f.host or "" for f in findings})
        return f"read on another host ({', '.join(map(shown, hosts))}): run the quarantine there"
    if all(f.location.name == "folder" for f in findings):
        return "a folder named with a number: move or rename the folder itself"
    if any(part in (".", "..") for part in path.split("/")):
        return "its path has a '.' or '..' component"
    return None


def _root_of(roots: tuple[str, ...], path: str) -> str | None:
    """The longest root ``path`` is under (or is)."""
    under = [root for root in roots if path == root or path.startswith(root.rstrip("/") + "/")]
    return max(under, key=len) if under else None


def _iso(ns: int) -> str:
    return rfc3339(ns / 1e9)


def _size_differs(then: int, now: int) -> str:
    """In words with thousands separators: a size is a count, never a run of 12 digits in what is shown."""
    return f"its size differs ({then:,} bytes in the scan, {now:,} now)"


def _mtime_differs(then: int, now: int) -> str:
    return f"its modification time differs ({_iso_ns(then)} in the scan, {_iso_ns(now)} now)"


def _iso_ns(ns: int) -> str:
    """An mtime to the nanosecond, RFC 3339 with a fraction (``2026-12-03T22:46:29.123456789+09:00``): two times
    within one second differ in what is shown."""
    seconds, fraction = divmod(ns, 10**9)
    whole = rfc3339(seconds)
    return f"{whole[:-6]}.{fraction:09d}{whole[-6:]}"
