"""Scanning one file or stream: identify -> extract -> match -> the people stage, into a FileResult.

One :class:`FileScanner` per process holds the compiled rules and prefilters. Kept apart from the pipeline
(which walks, batches and merges) so that a scan with nothing to read, such as an incremental scan of an
unchanged tree, does not load the matchers and extractors at all.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import replace
from typing import BinaryIO

from .decode import SAMPLE_SIZE, multibyte_encoding
from .errors import UnscannableFile
from .extract import Extractor, ForwardStream, PictureSettings, PossibleNumber, Skipped, Source, TextUnit, registry
from .extract.containers import Expander
from .extract.text import PartReading, TextExtractor
from .fs.descriptors import read_up_to
from .fs.facts import facts_of_bytes, facts_of_path, read_facts
from .identify import (
    DELIMITED,
    REFINED_KINDS,
    TEXT,
    ByteFacts,
    FileKind,
    byte_facts,
    identify,
    identify_raw,
    refine,
    unsupported_reason,
)
from .locations import PublicLocator
from .match import TextScanner, UnitScan
from .model import (
    STDIN,
    Candidate,
    Confidence,
    FileCandidates,
    FileResult,
    Location,
    ScanOptions,
    UnreadableCandidate,
    Unscanned,
)
from .names import may_hold_number
from .parts import FilePart, PartResult
from .people import People
from .redact import redact
from .rules import Rules, load_rules

log = logging.getLogger(__name__)


class FileScanner:
    """Scans one file (or stream) into a FileResult. One per process; holds the compiled rules."""

    def __init__(self, options: ScanOptions, rules: Rules | None = None) -> None:
        self.options = options
        self.rules = rules or load_rules(options.rules_dirs)
        self.text_scanner = TextScanner(self.rules, options.engine, options.min_confidence)
        self.extractors = registry(PictureSettings.of(options.ocr, options.ocr_timeout, self.rules))
        self.expander = Expander(self.extractors, self.rules.limits)
        self.locator = PublicLocator(self.rules.public, options.public_paths)
        self.people = People(options, self.rules, self.locator, self.text_scanner.items)
        self.fingerprint = self.people.fingerprint  # the key's id names a state and a watch's results
        self._open_flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
        if not options.follow_symlinks:
            self._open_flags |= getattr(os, "O_NOFOLLOW", 0)
        self._noatime = getattr(os, "O_NOATIME", 0)

    # -- files ----------------------------------------------------------------------------------------

    def scan_file(self, path: str) -> FileResult:
        """Never raises for a bad file: every problem becomes an unscanned entry with its reason."""
        return self.with_facts(self.with_name(self._scan_file(path)))

    def _scan_file(self, path: str) -> FileResult:
        try:
            fd = self._open(path)
        except OSError as exc:
            return _unscanned(path, _os_reason(exc))
        try:
            with io.FileIO(fd, "rb", closefd=True) as stream:
                return self._scan_open(path, stream, os.fstat(fd))
        except Exception as exc:
            return _failed(path, exc)

    def scan_files(self, paths: Iterable[str]) -> tuple[list[FileResult], list[tuple[str, int, str]]]:
        """Scan many files: (the results with something to report, the clean files as (path, size, kind)).

        Small plain-text files, most of a share, are not scanned one by one: each is read and identified,
        then those of one encoding are prefiltered together (see :meth:`TextScanner.texts_to_read`), and only
        the few that could hold a number are scanned on their own. The results are the same as
        :meth:`scan_file`'s, file by file."""
        notable: list[FileResult] = []
        clean: list[tuple[str, int, str]] = []

        def keep(result: FileResult) -> None:
            result = self.with_facts(self.with_name(result))
            if result.notable:
                notable.append(result)
            else:
                clean.append((result.path, result.size, result.kind))

        waiting: dict[str, list[tuple[str, bytes, FileKind]]] = {}
        for path in paths:
            small = self._small_text(path)
            if isinstance(small, FileResult):
                keep(small)
            else:
                encoding, data, kind = small
                waiting.setdefault(encoding, []).append((path, data, kind))
        for encoding, files in waiting.items():
            chosen = set(self.text_scanner.texts_to_read([data for _, data, _ in files], encoding))
            for index, (path, data, kind) in enumerate(files):
                if index in chosen:
                    keep(self._scan_read(path, data, kind))
                elif may_hold_number(path.rpartition("/")[2]):  # the cheap test: most names end there
                    keep(FileResult(path=path, size=len(data), kind=TEXT))
                else:
                    clean.append((path, len(data), TEXT))
        return notable, clean

    def _small_text(self, path: str) -> FileResult | tuple[str, bytes, FileKind]:
        """A small plain-text file as (its encoding, its bytes, its kind), read whole; any other file scanned here. The
        descriptor is read directly: a file object (with its own fstat) is made only for the other files."""
        try:
            fd = self._open(path)
        except OSError as exc:
            return _unscanned(path, _os_reason(exc))
        owned = True
        try:
            st = os.fstat(fd)
            head = kind = None
            if stat.S_ISREG(st.st_mode) and st.st_size < SAMPLE_SIZE and self._within_limit(st.st_size):
                # Asking for the size (and one byte more, to notice growth) rather than SAMPLE_SIZE: a 64 KB
                # buffer allocated and shrunk for each 4 KB file cost more than the read itself.
                head = os.read(fd, st.st_size + 1)
                if len(head) == st.st_size:
                    facts = byte_facts(head)
                    kind, raw = identify_raw(head, facts)
                    encoding = _plain_text_encoding(head, kind, facts) if raw else None
                    if encoding is not None:
                        return encoding, head, kind
                else:  # it changed since fstat: the usual head, and the usual way
                    head += read_up_to(fd, SAMPLE_SIZE - len(head))
                    kind = None
            owned = False  # the file object closes it
            with io.FileIO(fd, "rb", closefd=True) as stream:  # positioned after the head already read
                return self._scan_open(path, stream, st, head, kind)
        except Exception as exc:
            return _failed(path, exc)
        finally:
            if owned:
                os.close(fd)

    def _within_limit(self, size: int) -> bool:
        return self.options.max_file_size is None or size <= self.options.max_file_size

    def _scan_read(self, path: str, data: bytes, kind: FileKind) -> FileResult:
        """A small plain-text file already read whole and identified, scanned on its own."""
        try:
            result = self._run(path, self.extractors[TEXT], Source(path, io.BytesIO(data), data, len(data)), kind)
        except Exception as exc:
            return _failed(path, exc, TEXT)
        result.size = len(data)
        if result.findings or result.unreadable:  # the file as read (fs.facts): only a file that gave something
            result.facts = facts_of_bytes(path, data, self.options.follow_symlinks)
        return result

    def _open(self, path: str) -> int:
        """Read-only, non-blocking (a FIFO swapped in after the walk cannot hang us), without updating the
        access time where the kernel allows it: the scan must not change what it scans."""
        if self._noatime:
            try:
                return os.open(path, self._open_flags | self._noatime)
            except PermissionError:
                self._noatime = 0  # only the owner (or root) may ask for O_NOATIME
        return os.open(path, self._open_flags)

    def _scan_open(self, path: str, stream: io.FileIO, st: os.stat_result, head: bytes | None = None,
                   kind: FileKind | None = None) -> FileResult:
        """Unbuffered: the extractors read big chunks, and a small file is read once, for its head (which the
        caller may have read and identified already)."""
        if not stat.S_ISREG(st.st_mode):
            from .walk import special_file_reason

            return _unscanned(path, special_file_reason(st.st_mode) or "not a regular file")
        limit = self.options.max_file_size
        if limit is not None and st.st_size > limit:
            return _unscanned(path, f"too large: {st.st_size} bytes, over --max-file-size {limit}")
        if head is None:
            head = _head(stream, st.st_size)
        if kind is None:
            kind = identify(head)
        if kind.name in REFINED_KINDS:  # a zip or OLE2 file: its members say what it is
            kind = refine(kind, stream)
            stream.seek(len(head))
        extractor = self.extractors.get(kind.name)
        if extractor is None:
            return _unscanned(path, unsupported_reason(kind), kind=kind.name)
        try:
            result = self._run(path, extractor, Source(path, stream, head, st.st_size), kind)
        except Exception as exc:  # listed as the kind it was identified as (a picture counts among images)
            return _failed(path, exc, kind.name)
        result.size = st.st_size
        # The file as read (fs.facts), only for a file that gave something; an extractor that closed the stream
        # (mbox) leaves it to with_facts, which opens the file again.
        if (result.findings or result.unreadable) and not stream.closed:
            result.facts = read_facts(stream.fileno(), st)
        return result

    # -- streams ----------------------------------------------------------------------------------------

    def scan_stream(self, stream: BinaryIO, path: str = STDIN) -> FileResult:
        """Standard input (``journalctl -o cat | mynumber scan -``): always read as text, with line locations."""
        head = stream.read(SAMPLE_SIZE)
        kind = identify(head)
        if kind.name not in (TEXT, DELIMITED):
            kind = FileKind(TEXT, f"text (stream identified as {kind.description})")
        counted = _CountingStream(head, stream)
        result = self._run(path, self.extractors[kind.name], Source(path, counted, head, None), kind)  # type: ignore[arg-type]
        result.size = counted.size
        return result

    def scan_text(self, path: str, unit: TextUnit) -> FileResult:
        """One piece of the text file ``path`` (``unit``: its bytes, the line number at ``unit.scan_from`` and
        the bytes before that as context only), taken through the matcher and the people stage as a scan takes
        each chunk of a text file: ``mynumber watch`` reads the lines a log gained so, and they give what a scan
        of the whole log gives for them."""
        scan = self.text_scanner.scan_unit(unit)
        found = FileCandidates()
        found.add(scan.candidates, scan.counted)
        return self.people.findings_of(path, found, TEXT)

    def scan_part(self, part: FilePart) -> PartResult:
        """One part of a large plain-text file (:mod:`detector.parts`), its lines counted from 1: the parent
        joins the parts. The last part adds the numbers in the file's name, as a whole-file scan adds them last."""
        if not self._within_limit(part.size):
            return PartResult(part, None)  # read whole, the file is reported too large
        lines = UnitLines(self.text_scanner)
        reading = PartReading(part.start, part.end, part.encoding, part.ordinal == 0)
        found = FileCandidates()
        try:
            with io.FileIO(self._open(part.path), "rb", closefd=True) as stream:
                for unit in TextExtractor().extract_part(stream, reading):
                    lines.scan_into(unit, found)
        except Exception:  # the file is read whole instead, which says why it cannot be
            return PartResult(part, None)
        result = self.people.findings_of(part.path, found, TEXT)
        return PartResult(part, self.with_name(result) if part.last else result, (lines.next_line or 1) - 1,
                          reading.left_ascii, reading.switched, reading.jis, reading.edges_ascii)

    # -- the stages after identify --------------------------------------------------------------------------

    def _run(self, path: str, extractor: Extractor, source: Source, kind: FileKind) -> FileResult:
        found = FileCandidates()
        skipped: list[Unscanned] = []
        unreadable: list[UnreadableCandidate] = []
        try:
            self._collect(self.expander.items(extractor, source), path, kind, found, skipped, unreadable)
        except csv.Error:
            # A table the csv module rejects is still text worth scanning, without column context.
            found.clear()
            source.stream = source.from_start()
            source.stream.read(len(source.head))
            kind = FileKind(TEXT, "text (malformed table)")
            self._collect(self.expander.items(TextExtractor(), source), path, kind, found, skipped, unreadable)
        except UnscannableFile as exc:
            if not found and not skipped and not unreadable:  # nothing read: unscanned, of the kind identified
                return _unscanned(path, redact(exc.reason), kind=kind.name)
            # What was read before the damage is kept: a truncated copy of an archive still exposes people.
            skipped.append(Unscanned(path, f"partly scanned: {redact(exc.reason)}", kind=kind.name))
        result = self.people.findings_of(path, found, kind.name)
        result.unscanned = skipped
        result.unreadable = unreadable
        return result

    def _collect(self, items: Iterable[TextUnit | Skipped | PossibleNumber], path: str, kind: FileKind,
                 found: FileCandidates, skipped: list[Unscanned], unreadable: list[UnreadableCandidate]) -> None:
        named: set[tuple[str | None, str | None]] = set()  # the (member, sheet) names looked at
        last: tuple[str | None, str | None] = (None, None)
        lines = UnitLines(self.text_scanner)
        for item in items:
            if isinstance(item, TextUnit):
                where = (item.location.member, item.location.sheet)
                if where != last:  # units come member by member, sheet by sheet: one comparison a unit
                    last = where
                    found.add(self._names_in(*where, named))
                lines.scan_into(item, found)
            elif isinstance(item, PossibleNumber):
                unreadable.append(UnreadableCandidate(path, item.location, item.masked, item.reason))
            else:
                if item.member:
                    found.add(self._names_in(item.member, None, named))
                skipped.append(Unscanned(path, redact(item.reason), item.member or None, item.kind))

    # -- names ------------------------------------------------------------------------------------------------

    def with_name(self, result: FileResult) -> FileResult:
        """``result`` with the numbers in its file's own name: a file named ``給与_NNNNNNNNNNNN.csv`` exposes
        the number whatever it holds, and so does one that cannot be read. The cheap test first
        (:func:`~detector.names.may_hold_number`): most names end there."""
        name = result.path.rpartition("/")[2]
        if result.path == STDIN or not may_hold_number(name):
            return result
        found = self.name_candidates(name, Location(name="file"))
        if found:
            _absorb(result, self.people.findings_of(result.path, found, result.kind))
        return result

    def with_facts(self, result: FileResult) -> FileResult:
        """``result`` with its file's facts (:mod:`detector.fs.facts`) when it gave something and the reading did
        not take them already: a file whose only finding is in its name, one that could not be read as a
        document (an encrypted archive named with a number). Its whole file is opened again here."""
        if result.facts is None and (result.findings or result.unreadable) and result.path != STDIN:
            result.facts = facts_of_path(result.path, self.options.follow_symlinks)
        return result

    def scan_name(self, path: str, what: str = "folder") -> FileResult:
        """The numbers in the name of the folder ``path`` (its last component), as findings located in that
        name; nothing is read. One result a folder, however many files it holds."""
        name = path.rstrip("/").rpartition("/")[2]
        found = self.name_candidates(name, Location(name=what)) if may_hold_number(name) else []
        result = self.people.findings_of(path, found, what)
        result.scanned = False
        return result

    def _names_in(self, member: str | None, sheet: str | None,
                  named: set[tuple[str | None, str | None]]) -> list[Candidate]:
        """The numbers in a member's name and a sheet's name, each looked at once in a file."""
        out: list[Candidate] = []
        if member is not None and (member, None) not in named:
            named.add((member, None))
            if may_hold_number(member):
                out += self.name_candidates(member, Location(member=member, name="member"))
        if sheet is not None and (member, sheet) not in named:
            named.add((member, sheet))
            if may_hold_number(sheet):
                out += self.name_candidates(sheet, Location(member=member, sheet=sheet, name="sheet"))
        return out

    def name_candidates(self, name: str, location: Location) -> list[Candidate]:
        """The numbers in a name, scored as the text's are: the name is a text unit of its own, run through the
        same matcher and context scorer (a keyword such as マイナンバー in the name makes it high, another
        number's such as 電話 low), then the rules of names (:func:`_scored_as_name`)."""
        found = self.text_scanner.scan_unit(TextUnit(text=name, first_line=None, location=location)).candidates
        if not found:
            return []
        spans = self.text_scanner.candidate_spans(name)
        return [_scored_as_name(candidate, name, spans.get(candidate.digits)) for candidate in found]


class UnitLines:
    """The matcher driven over the units of a file, each given its line: a unit that continues the one before it
    (the next chunk of a text, :attr:`TextUnit.continues`) starts where that one's lines end. The readers do not
    count lines; the matcher counts them anyway for its candidates' lines (on ASCII in the C pass, in the same
    sweep that finds them) and says how many a unit held, and the count is carried on here. A unit of a member
    starts its lines afresh: the first unit of a text never continues."""

    def __init__(self, matcher: TextScanner) -> None:
        self.matcher = matcher
        self.next_line: int | None = 1  # None after a unit without lines (a table row, a page)

    def scan_unit(self, unit: TextUnit) -> UnitScan:
        if unit.continues:
            unit = replace(unit, first_line=self.next_line, continues=False)
        scan = self.matcher.scan_unit(unit)
        self.next_line = None if unit.first_line is None else unit.first_line + scan.newlines
        return scan

    def scan(self, unit: TextUnit) -> list[Candidate]:
        """The unit's candidates, those only counted among the others (the plain form)."""
        return self.scan_unit(unit).all_candidates()

    def scan_into(self, unit: TextUnit, found: FileCandidates) -> None:
        """The unit's candidates added to its file's, those only counted apart."""
        scan = self.scan_unit(unit)
        found.add(scan.candidates, scan.counted)


def _scored_as_name(candidate: Candidate, name: str, span: tuple[int, int] | None) -> Candidate:
    """A number in a name, where a person put it to say whose the file is: scans saved as
    ``NNNNNNNNNNNN_山田.pdf``, ``給与_NNNNNNNNNNNN.csv``. A name holds no keyword as a document does, so the
    context scorer alone would give such a number low and hold it back; but a valid number standing apart in a
    name (not glued to ASCII letters) is a label, not noise:

    - the whole name (the stem of a file name, or a whole folder or sheet name): high (``name:whole``);
    - a token of it, set apart by a separator, a non-ASCII character or the name's ends: at least medium
      (``name:token``), as the 4-4-4 grouped form with no keyword is;
    - glued to ASCII letters (``IMG123456789018``), near another number's keyword (``電話``), or a time stamp
      (``YYYYMMDDhhmm``, ``YYMMDDhhmmss``: backups and logs are named so; about one in ten passes the check digit
      by chance): as the scorer gave it.
    """
    if span is None or any(reason.startswith("negative:") for reason in candidate.reasons):
        return candidate
    start, end = span
    if _looks_like_a_time(candidate.digits):
        return candidate
    component_start = max(name.rfind("/", 0, start), name.rfind("!", 0, start)) + 1
    ends = [i for i in (name.find("/", end), name.find("!", end)) if i >= 0]
    component_end = min(ends) if ends else len(name)
    dot = name.find(".", end, component_end)
    stem_end = dot if dot >= 0 else component_end
    if start == component_start and end == stem_end:
        return candidate._replace(confidence=Confidence.HIGH, reasons=(*candidate.reasons, "name:whole"))
    before = name[start - 1] if start > component_start else ""
    after = name[end] if end < component_end else ""
    if _ascii_letter(before) or _ascii_letter(after):
        return candidate
    return candidate._replace(confidence=max(candidate.confidence, Confidence.MEDIUM),
                              reasons=(*candidate.reasons, "name:token"))


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _looks_like_a_time(digits: str) -> bool:
    """12 digits that read as a date and time: YYYYMMDDhhmm (1970-2099) or YYMMDDhhmmss."""
    def valid(month: int, day: int, hour: int, minute: int, second: int = 0) -> bool:
        return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 59

    n = [int(digits[i:i + 2]) for i in range(0, 12, 2)]
    return (1970 <= int(digits[:4]) <= 2099 and valid(n[2], n[3], n[4], n[5])) or valid(n[1], n[2], n[3], n[4], n[5])


def _absorb(result: FileResult, extra: FileResult) -> None:
    """The findings, samples and held-back counts of ``extra`` (a name's) added to ``result`` (its file's)."""
    result.findings.extend(extra.findings)
    result.samples.extend(extra.samples)
    for label, count in extra.held_back.items():
        result.held_back[label] = result.held_back.get(label, 0) + count
    result.held_back_people |= extra.held_back_people


class _CountingStream(ForwardStream):
    """Standard input after its head: counts the bytes read, so the summary can say how much was scanned."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.stream, self.size = stream, len(head)

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.size += len(data)
        return data


def _unscanned(path: str, reason: str, kind: str = "unscanned") -> FileResult:
    return FileResult(path=path, kind=kind, scanned=False,
                      unscanned=[Unscanned(path, reason, kind=None if kind == "unscanned" else kind)])


def _head(stream: io.FileIO, size: int) -> bytes:
    """The first SAMPLE_SIZE bytes (the whole of a smaller file). A small file is asked for its size and one
    byte more (growth since fstat then shows, and the head is completed): a 64 KB buffer allocated and shrunk
    for a 4 KB file cost more than the read."""
    if size >= SAMPLE_SIZE:
        return stream.read(SAMPLE_SIZE) or b""
    head = stream.read(size + 1) or b""
    if len(head) > size:
        head += read_up_to(stream.fileno(), SAMPLE_SIZE - len(head))
    return head


def _failed(path: str, exc: Exception, kind: str = "unscanned") -> FileResult:
    """A file that could not be scanned, with the reason (never the content, never a traceback), listed as the
    ``kind`` it was identified as when it was (an image that could not be read counts among images)."""
    if isinstance(exc, UnscannableFile):
        return _unscanned(path, redact(exc.reason), kind)
    if isinstance(exc, OSError):
        return _unscanned(path, _os_reason(exc), kind)
    if isinstance(exc, MemoryError):
        return _unscanned(path, "not enough memory to scan this file", kind)
    log.debug("internal error on %s: %s", path, redact(repr(exc)))
    return _unscanned(path, f"internal error ({type(exc).__name__}); please report this file type", kind)


def _plain_text_encoding(data: bytes, kind: FileKind, facts: ByteFacts) -> str | None:
    """The encoding of a whole small file read as raw text (see :func:`identify_raw`: no ISO-2022-JP, so ASCII,
    UTF-8, CP932 or EUC-JP, as :func:`detector.decode.detect_encoding` tells them) that is plain text (not a table
    or a mail), else None. ``facts`` are ``data``'s: a file shorter than SAMPLE_SIZE is all of the sample
    :func:`multibyte_encoding` checks for UTF-8 first (its ASCII start aside), so their answer is that test's."""
    if kind.name != TEXT:
        return None
    if facts.ascii:
        return "ascii"
    return "utf-8" if facts.utf8 else multibyte_encoding(data)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symbolic link not followed (use --follow-symlinks)"
    if exc.errno == errno.EISDIR:
        return "is a folder"
    return f"cannot be read: {exc.strerror or type(exc).__name__}"
