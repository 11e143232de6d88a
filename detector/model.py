"""The values that flow between pipeline stages.

Raw digits exist only in :class:`Candidate` and :class:`Counted` (between candidate finding and the people stage). From
:class:`Finding` on, no type has a field that could hold a raw My Number, so no reporter, log line or
state file can leak one by mistake (``tests/test_architecture.py``). ``--reveal`` is a separate stream, never
a field of these types (see :mod:`detector.people`).
"""

from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from .names import name_fields, readable, shown, unescape


class Confidence(enum.IntEnum):
    """How sure we are that a valid 12-digit number really is somebody's My Number."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Confidence:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown confidence {text!r} (use low, medium or high)") from None


class Location(NamedTuple):
    """Where in a file a number was found: a line, a sheet cell or a page, optionally inside an archive member."""

    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    page: int | None = None
    member: str | None = None
    column: str | None = None  # the table column header that gave context, if any
    hidden: str | None = None  # "sheet", "row", "column"...: the value was hidden from view in its document
    part: str | None = None  # a document part without a page: "header", "comment", "slide 3 notes"...
    # The number is in a name, not in the content: "file", "folder", "member" (with ``member``) or "sheet"
    # (with ``sheet``): a file, folder, archive member or sheet named with it.
    name: str | None = None
    ocr: bool | None = None  # True: read from a picture by OCR (a scan, a photo): a person should look at it

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        """Its keys that are set; the texts (names from the file: members, sheets, column headers) as every writer
        writes names (:func:`detector.names.shown`: escaped, numbers masked unless ``reveal``)."""
        out: dict[str, Any] = {}
        for key in _LOCATION_KEYS:
            value = getattr(self, key)
            if value is not None:
                out[key] = shown(value, reveal) if isinstance(value, str) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Location:
        """A location as :meth:`to_json` wrote it (texts back from their escaped form)."""
        values: dict[str, Any] = {k: unescape(data[k]) if isinstance(data[k], str) else data[k]
                                  for k in _LOCATION_KEYS if k in data}
        return cls(**values)

    def describe(self, reveal: bool = False) -> str:
        """A short human description such as ``line 12`` or ``Sheet1!B7``, its names readable and safe for a
        terminal (:func:`detector.names.readable`)."""
        parts = []
        if self.member:
            parts.append(readable(self.member, reveal) + (" (member name)" if self.name == "member" else ""))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.sheet is not None:
            sheet = readable(self.sheet, reveal)
            parts.append(f"{sheet}!{self.cell}" if self.cell else sheet)
            if self.name == "sheet":
                parts.append("(sheet name)")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.part is not None:
            parts.append(readable(self.part, reveal))
        if self.hidden:
            parts.append(f"(hidden {self.hidden})")
        if self.name in ("file", "folder"):
            parts.append(f"{self.name} name")
        if self.ocr:
            parts.append("(OCR)")
        return " ".join(parts) or "-"

    def sort_key(self) -> tuple[str, int, str, int, str, int, str, str]:
        return (self.member or "", self.page or 0, self.sheet or "", _cell_order(self.cell), self.part or "",
                self.line or 0, self.cell or "", self.name or "")


def _host(written: Any) -> str | None:
    """A host as a document wrote it, read back: one string a host, however many entries name it (a merge of
    millions of findings holds a few hosts, not a copy for each)."""
    return sys.intern(unescape(str(written))) if written is not None else None


_LOCATION_KEYS = ("line", "sheet", "cell", "page", "part", "member", "column", "hidden", "name", "ocr")


def _cell_order(cell: str | None) -> int:
    """A1-style references in reading order (row, then column), not in string order (A10 before A2)."""
    if not cell:
        return 0
    letters = cell.rstrip("0123456789")
    row = int(cell[len(letters):] or 0)
    column = 0
    for ch in letters.upper():
        column = column * 26 + ord(ch) - 64
    return row * 20000 + column


class Candidate(NamedTuple):
    """A valid-looking 12-digit number in a text, with what we need to score it. Holds raw digits."""

    digits: str  # 12 ASCII digits; kept out of repr so a log line cannot leak it
    grouped: bool  # written 4-4-4 with a separator
    location: Location
    confidence: Confidence
    reasons: tuple[str, ...]
    around: str = ""  # the text around it, for the personal items beside it; kept out of repr too
    headers: tuple[str, ...] = ()  # a table row's headers, for the same

    def __repr__(self) -> str:
        return (f"Candidate(grouped={self.grouped!r}, location={self.location!r}, confidence={self.confidence!r}, "
                f"reasons={self.reasons!r}, headers={self.headers!r})")


class Counted(NamedTuple):
    """The candidates of one unit that are only counted: contiguous, pre-checked (so exactly the finder's), with
    nothing within the scorer's reach that could raise them above its bare score, which is below
    ``--min-confidence``. They never become findings, so they carry only what the people stage counts them by:
    each one's line and digits (two lists, in the unit's order), and what they all share. In dense text they are
    most candidates: carried apart, each costs the people stage a fingerprint and a count, not a
    :class:`Candidate`. Holds raw digits; kept out of repr."""

    location: Location  # the unit's, without a line: each candidate is at its line there
    confidence: Confidence  # the scorer's bare score
    reasons: tuple[str, ...]
    lines: list[int]
    digits: list[str]

    def candidates(self) -> list[Candidate]:
        """Each as the :class:`Candidate` a scan that counts none apart makes of it (the plain form)."""
        location, confidence, reasons = self.location, self.confidence, self.reasons
        return [Candidate(digits, False, location._replace(line=line), confidence, reasons)
                for line, digits in zip(self.lines, self.digits, strict=True)]

    def among(self, candidates: list[Candidate]) -> list[Candidate]:
        """The other candidates of the same unit with these among them, as one scan that counts none apart gives
        them: in the unit's order (line, then digits), one per line and number, as the matcher keeps one (another
        found at the same place replaces the first only when more confident; these count as found first)."""
        if not self.digits:
            return candidates
        by_place = {(c.location.line, c.digits): c for c in self.candidates()}
        for candidate in candidates:
            place = (candidate.location.line, candidate.digits)
            first = by_place.get(place)
            if first is None or candidate.confidence > first.confidence:
                by_place[place] = candidate
        return [by_place[place] for place in sorted(by_place, key=lambda place: (place[0] or 0, place[1]))]

    def __repr__(self) -> str:
        return f"Counted(location={self.location!r}, confidence={self.confidence!r}, {len(self.digits)} candidates)"


T = TypeVar("T")
SHARED_MOST = 10_000  # distinct values a cache of :func:`shared` holds by default: every masked number fits


def shared(cache: dict[T, T], value: T, most: int = SHARED_MOST) -> T:
    """The one object ``cache`` holds equal to ``value`` (``value`` itself the first time): values made once a
    finding of which there are few different ones (reason codes and item ids from the rules, masked numbers: ten
    thousand at most), held once however many findings hold them. Past ``most`` distinct values, each is kept as it
    comes."""
    kept = cache.get(value)
    if kept is not None:
        return kept
    if len(cache) < most:
        cache[value] = value
    return value


@dataclass(slots=True)
class FileCandidates:
    """What the matcher found in one file, for the people stage: the candidates, and each unit's candidates only
    counted with where that unit's other candidates are among them (``start``, ``stop``), so that
    :meth:`everything` gives all of them as one list, in the order a scan that counts none apart gives."""

    candidates: list[Candidate] = field(default_factory=list)
    counted: list[tuple[int, int, Counted]] = field(default_factory=list)

    def add(self, candidates: list[Candidate], counted: Counted | None = None) -> None:
        """One unit's candidates (or a name's), and those of the unit only counted."""
        start = len(self.candidates)
        self.candidates.extend(candidates)
        if counted is not None and counted.digits:
            self.counted.append((start, len(self.candidates), counted))

    def clear(self) -> None:
        self.candidates.clear()
        self.counted.clear()

    def everything(self) -> list[Candidate]:
        """Every candidate, those only counted as candidates among their unit's others (the plain form)."""
        if not self.counted:
            return self.candidates
        out: list[Candidate] = []
        done = 0
        for start, stop, counted in self.counted:
            out += self.candidates[done:start]
            out += counted.among(self.candidates[start:stop])
            done = stop
        return out + self.candidates[done:]

    def __bool__(self) -> bool:
        return bool(self.candidates or self.counted)

    def __repr__(self) -> str:
        return f"FileCandidates({len(self.candidates)} candidates, {len(self.counted)} units with counted ones)"


# How ``public_reason`` starts when the user declared the folder public (``--public DIR``, detector/locations.py);
# any other public reason is a location rule's presumption (a web-root glob) that the responder must confirm.
DECLARED_PUBLIC = "--public "


class Finding(NamedTuple):
    """One exposed My Number at one place. Never holds the number itself."""

    path: str
    location: Location
    masked: str
    fingerprint: str
    confidence: Confidence
    reasons: tuple[str, ...] = ()
    public: bool = False
    public_reason: str | None = None
    items: tuple[str, ...] = ()
    # The machine that read the file (its name, or --host-label): two hosts' same path are two files. None: not
    # known (a scan document written before hosts were kept).
    host: str | None = None

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        """The json of scans, jsonl, watch events and the state: names as :func:`detector.names.shown` writes them
        (numbers in them masked unless ``reveal``), with ``path_display`` where the path has a readable form, and
        ``host`` where it is known."""
        out: dict[str, Any] = name_fields("path", self.path, reveal)
        out.update({
            "location": self.location.to_json(reveal),
            "masked": self.masked,
            "fingerprint": self.fingerprint,
            "confidence": self.confidence.label,
            "public": self.public,
            "reasons": list(self.reasons),
        })
        if self.public_reason:
            out["public_reason"] = shown(self.public_reason, reveal)
        if self.items:
            out["items"] = list(self.items)
        if self.host is not None:
            out["host"] = shown(self.host, reveal)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        public_reason = data.get("public_reason")
        host = data.get("host")
        return cls(
            path=unescape(str(data["path"])),
            location=Location.from_json(data.get("location", {})),
            masked=str(data["masked"]),
            fingerprint=str(data["fingerprint"]),
            confidence=Confidence.parse(str(data["confidence"])),
            reasons=tuple(data.get("reasons", ())),
            public=bool(data.get("public", False)),
            public_reason=unescape(str(public_reason)) if public_reason is not None else None,
            items=tuple(data.get("items", ())),
            host=_host(host),
        )

    @property
    def presumed_public(self) -> bool:
        """Public by a location rule's presumption (``rule:htdocs``), not in a folder the user declared public: the
        place is presumed reachable from outside, which the responder must confirm (a ``backup/htdocs`` copy on
        an internal disk is not). 規則第2条第3号 needs the fact, not the presumption."""
        return self.public and not (self.public_reason or "").startswith(DECLARED_PUBLIC)

    def sort_key(self) -> tuple[str, tuple[str, int, str, int, str, int, str, str], str, str]:
        return (self.path, self.location.sort_key(), self.fingerprint, self.host or "")


class Baselined(NamedTuple):
    """A finding a baseline accepts (``mynumber scan --baseline``), with the reason the baseline gives: not new, so
    it does not alert, but its person is counted as every other (see :meth:`detector.result.ScanResult.set_aside`).
    The reason is a person's text: writers show it as they show names, numbers in it masked."""

    finding: Finding
    reason: str


class Sample(NamedTuple):
    """A well-known sample number (documentation, tutorials) found in a file: reported, never counted as a person."""

    path: str
    location: Location
    masked: str
    sample_id: str
    host: str | None = None  # the machine that read the file, as :attr:`Finding.host`

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = name_fields("path", self.path, reveal)
        out.update({"location": self.location.to_json(reveal), "masked": self.masked, "sample": self.sample_id})
        if self.host is not None:
            out["host"] = shown(self.host, reveal)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sample:
        return cls(unescape(str(data["path"])), Location.from_json(data.get("location", {})), str(data["masked"]),
                   str(data.get("sample", "")), _host(data.get("host")))

    def sort_key(self) -> tuple[str, tuple[str, int, str, int, str, int, str, str], str]:
        return (self.path, self.location.sort_key(), self.host or "")


# Entries listed one by one in a scan's result (unscanned, excluded); beyond, they are counted by reason or rule
# and not kept. A tree of any size must fit in bounded memory: 10,000 entries are a few MB and more than a person
# reads; a --no-ocr scan of a photo archive lists millions, which are summed up by reason all the same.
ENTRIES_KEPT = 10_000


class Unscanned(NamedTuple):
    """A file (or a member inside one: an archive member, a mail attachment) that could not be scanned, and
    why. The reason never contains file content; ``kind`` is the file type when it is known."""

    path: str
    reason: str
    member: str | None = None
    kind: str | None = None
    host: str | None = None  # the machine that met it, as :attr:`Finding.host`

    def to_json(self, reveal: bool = False) -> dict[str, str]:
        """Names (and the reason, which may quote one) as :func:`detector.names.shown` writes them, with
        ``path_display`` and ``member_display`` where they have a readable form."""
        out = name_fields("path", self.path, reveal)
        out["reason"] = shown(self.reason, reveal)
        if self.member is not None:
            out.update(name_fields("member", self.member, reveal))
        if self.kind is not None:
            out["type"] = self.kind
        if self.host is not None:
            out["host"] = shown(self.host, reveal)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Unscanned:
        member, host = data.get("member"), data.get("host")
        return cls(unescape(str(data["path"])), unescape(str(data["reason"])),
                   unescape(str(member)) if member is not None else None, data.get("type"), _host(host))

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.path, self.member or "", self.reason, self.host or "")


class UnreadableCandidate(NamedTuple):
    """A possible My Number read from a picture that no reading makes pass the check digit: a 12-character group
    beside a My Number keyword that the misread repair and the digits-only second reading could not save
    (:mod:`detector.ocr.repair`). Listed for a person to look at in the picture, never counted as a person; at
    most one person more in the upper bound (:class:`detector.assess.PeopleBound`). ``masked`` is all but the
    last four characters as read (``********9221``); ``reason`` says why it stays unread."""

    path: str
    location: Location
    masked: str
    reason: str

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = name_fields("path", self.path, reveal)
        out.update({"location": self.location.to_json(reveal), "masked": self.masked, "reason": self.reason})
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnreadableCandidate:
        return cls(unescape(str(data["path"])), Location.from_json(data.get("location", {})), str(data["masked"]),
                   str(data["reason"]))

    def sort_key(self) -> tuple[str, tuple[str, int, str, int, str, int, str, str], str]:
        return (self.path, self.location.sort_key(), self.masked)


class Excluded(NamedTuple):
    """A file or folder the walk left out, and the exclude rule that did (an id of ``rules/excludes.toml``, or
    ``--exclude GLOB``): listed so that a person can see what the scan did not look at, and why."""

    path: str
    rule: str

    def to_json(self, reveal: bool = False) -> dict[str, str]:
        """The path as every writer writes names (:func:`detector.names.shown`), and the rule (which may quote a
        glob, so it is written the same way)."""
        out = name_fields("path", self.path, reveal)
        out["rule"] = shown(self.rule, reveal)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Excluded:
        return cls(unescape(str(data["path"])), unescape(str(data["rule"])))


class FileFacts(NamedTuple):
    """A file as the scan read it: its size, its modification time and the sha256 of its bytes, kept for each file
    with findings (or possible numbers OCR could not read) so that ``mynumber quarantine`` moves only the file the
    scan read: a change that keeps the size and sets the time back still changes the hash. Computed where the
    whole file is known, after it was read and only when it gave something (:mod:`detector.fs.facts`); an archive's
    are the archive file's. No text but a hex digest: nothing here can hold a number."""

    size: int
    mtime_ns: int
    sha256: str | None  # 64 hex digits, as sha256sum writes it; None for a file over fs.facts.HASH_MAX_BYTES
    ctime_ns: int | None = None  # the inode's change time: moved by any write and by setting the mtime back

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"size": self.size, "mtime_ns": self.mtime_ns}
        if self.ctime_ns is not None:
            out["ctime_ns"] = self.ctime_ns
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        sha256, ctime = data.get("sha256"), data.get("ctime_ns")
        return cls(int(data["size"]), int(data["mtime_ns"]), None if sha256 is None else str(sha256),
                   None if ctime is None else int(ctime))

    def entry(self, path: str, host: str | None, reveal: bool = False) -> dict[str, Any]:
        """The scan's record of the file ``path`` read on ``host`` (the json's ``files``, a jsonl ``file`` line):
        its names written as every writer writes names (:func:`detector.names.shown`), then the facts."""
        out: dict[str, Any] = name_fields("path", path, reveal)
        if host is not None:
            out["host"] = shown(host, reveal)
        out.update(self.to_json())
        return out


@dataclass(slots=True)
class FileResult:
    """What scanning one file produced. Picklable, so workers send it back to the parent; holds no raw number
    (``--reveal``'s numbers travel apart: see :mod:`detector.people`)."""

    path: str
    size: int = 0
    kind: str = "text"
    scanned: bool = True
    findings: list[Finding] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)
    held_back: dict[str, int] = field(default_factory=dict)  # findings below --min-confidence, by confidence
    held_back_people: set[str] = field(default_factory=set)  # their fingerprints: counted, never listed
    unreadable: list[UnreadableCandidate] = field(default_factory=list)  # possible numbers OCR could not read
    # The machine that read the file (:meth:`ScanOptions.reading_host`, asked in the process that read it), once
    # for all its findings and entries: the result stamps them as it takes them in. None: the result's own host.
    host: str | None = None
    facts: FileFacts | None = None  # the file as read, when it gave findings or unreadable candidates

    @property
    def notable(self) -> bool:
        """Anything to report or to keep (a clean file is only counted)."""
        return bool(self.findings or self.samples or self.unscanned or self.held_back or not self.scanned
                    or self.unreadable)

    def under(self, path: str) -> FileResult:
        """The same result reported under another path (a renamed file, a root given differently)."""
        return replace(self, path=path, findings=[f._replace(path=path) for f in self.findings],
                       samples=[s._replace(path=path) for s in self.samples],
                       unscanned=[u._replace(path=path) for u in self.unscanned],
                       unreadable=[u._replace(path=path) for u in self.unreadable])

    def to_state(self) -> dict[str, Any]:
        """What a state file keeps of a file's result: all of it (it holds no raw number)."""
        return {"kind": self.kind, "size": self.size, "scanned": self.scanned,
                "findings": [f.to_json() for f in self.findings], "samples": [s.to_json() for s in self.samples],
                "unscanned": [u.to_json() for u in self.unscanned], "held_back": self.held_back,
                "held_back_people": sorted(self.held_back_people),
                "unreadable_candidates": [u.to_json() for u in self.unreadable], "host": self.host,
                "facts": self.facts.to_json() if self.facts is not None else None}

    @classmethod
    def from_state(cls, path: str, data: dict[str, Any]) -> FileResult:
        """A result as :meth:`to_state` kept it, its findings and entries reported under ``path`` (as
        :meth:`under` gives them: the root may be given differently from one run to the next)."""
        return cls(path=path, size=int(data["size"]), kind=str(data["kind"]), scanned=bool(data["scanned"]),
                   findings=[Finding.from_json(f)._replace(path=path) for f in data["findings"]],
                   samples=[Sample.from_json(s)._replace(path=path) for s in data["samples"]],
                   unscanned=[Unscanned.from_json(u)._replace(path=path) for u in data["unscanned"]],
                   held_back={str(k): int(v) for k, v in data["held_back"].items()},
                   held_back_people=set(data["held_back_people"]),
                   unreadable=[UnreadableCandidate.from_json(u)._replace(path=path)
                               for u in data.get("unreadable_candidates", ())],
                   # a state written before hosts were kept has none: the scan's own host is taken
                   host=sys.intern(str(data["host"])) if data.get("host") is not None else None,
                   # a state written before facts were kept has none: the file is read again (incremental.changes)
                   facts=FileFacts.from_json(data["facts"]) if data.get("facts") is not None else None)


STDIN = "-"  # a root that means standard input


class ScanOptions(NamedTuple):
    """Everything that decides what a scan reads and reports (picklable: workers get a copy)."""

    key: bytes  # kept out of repr
    rules_dirs: tuple[str, ...] = ()
    jobs: int = 0  # 0: the number of cores
    follow_symlinks: bool = False
    excludes: tuple[str, ...] = ()
    max_file_size: int | None = None
    min_confidence: Confidence = Confidence.MEDIUM
    public_paths: tuple[str, ...] = ()
    reveal: bool = False
    engine: str = "auto"
    skip_inodes: frozenset[tuple[int, int]] = frozenset()
    state_path: str | None = None  # --state: reuse the results of unchanged files
    ocr: bool = True  # read pictures and image-only PDF pages by OCR where an engine is installed (--no-ocr)
    ocr_timeout: float | None = None  # seconds for one picture (--ocr-timeout); None: picture.max_seconds
    # What to read beyond the excludes (detector.selection): --include globs (only matching files are read),
    # --shard K/N as (K, N), --files-from (a list of names, "-" for standard input), --one-file-system.
    includes: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    files_from: str | None = None
    one_file_system: bool = False
    host_label: str | None = None  # --host-label: the name findings carry instead of the reading machine's

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True) if name != "key")
        return f"ScanOptions({shown})"

    def reading_host(self) -> str:
        """The host a file read here is reported under: ``--host-label``, else this machine's name. Asked in the
        process that reads the files (a worker on another machine answers with its own name), never carried
        over from the process that built the options."""
        return self.host_label or this_machine()


def this_machine() -> str:
    """This machine's name: the kernel's node name, what ``socket.gethostname()`` answers on POSIX systems,
    without importing the socket module into every command."""
    return os.uname().nodename


_LABELS = {confidence: confidence.name.lower() for confidence in Confidence}  # a property lookup per finding
