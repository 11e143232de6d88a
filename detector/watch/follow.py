"""Following a file as ``tail -F`` does: what a file gave and how far it was read, and reading on from there.

A followed file is known by its identity (device, inode), its size and what it gave (:class:`Tracked`). A text
file that only grew (a log) is read from where the last read stopped, with the line numbers going on; one that
was rewritten is read whole again. Only whole lines are consumed: a writer that flushes half a line
(``GET /verify?mynumber=1234567``) and the rest later must not have its number cut in two, so the last,
unterminated line is kept for the next read. It waits at most ``partial_line_seconds`` for its end, and at most
``partial_line_bytes`` (the read chunk): then it is read as it stands, and read again when its end arrives, its
numbers matched to those already reported (a finding is its line and number). A line longer than the chunk is
consumed as it grows, but for its last KiBs, so that a writer streaming one endless line costs each read only
its new bytes.

The new bytes go to the scanner with the context before them, through the entry a scan's text chunks take
(:meth:`~detector.scanner.FileScanner.scan_text`): a log's lines give what a scan of the finished log gives.
Logs rotated by copy or compression are recognised by their names (:func:`rotation_origin`) and by the
numbers they hold (:class:`Rotations`).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from typing import Protocol

from ..cuts import CONTEXT_BYTES, last_cut  # the context read before new bytes: as much as a scan carries across a cut
from ..decode import bom_of, detect_encoding, utf16_without_bom
from ..extract import TextUnit
from ..identify import TEXT
from ..model import FileResult, Finding
from ..scanner import FileScanner

TAIL_BYTES = 64
# How long an unterminated last line waits for its end before it is read as it stands (a buffered writer
# flushes mid-line and ends the line within moments; a number on a line that never ends is still reported).
PARTIAL_LINE_SECONDS = 5.0
# Of a line longer than the read chunk, the last bytes kept back (read again with what follows): the widest
# number (escaped forms included) plus its context, so a number cut there is read whole next time, and a number
# before the cut has its whole context after it, as a scan's chunk has.
LONG_LINE_KEEP = CONTEXT_BYTES
LONG_LINE_WINDOW = 2 * CONTEXT_BYTES  # the cut is looked for this far back from the end (a character boundary)
FindingKey = tuple[str, str]  # (location as json, fingerprint)
# Bytes after which a line may be cut in any of ASCII, UTF-8, CP932 or EUC-JP: none of them is a trail byte
# there (in UTF-8 and ASCII, any byte that is not a continuation byte starts a character).
_ROTATION_WORDS = frozenset({"gz", "bz2", "xz", "zst", "old", "bak"})


@dataclass
class Tracked:
    """What a file gave, and how far it was read (for logs that grow)."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    kind: str
    offset: int  # bytes consumed: whole lines (a log's unterminated last line starts here), all of other files
    lines: int  # newlines in those bytes
    result: FileResult
    tail: bytes | None = None  # the bytes before offset: if they change, the file was rewritten, not appended to
    held: frozenset[tuple[int | None, str]] = frozenset()  # (line, fingerprint) it ever held: rotated copies
    # What the bytes from offset to size (an unterminated last line) added to the result when they were read as
    # they stand; None while they are kept back unread. Taken out again before those bytes are read again.
    partial: FileResult | None = None
    since: float = 0.0  # when that unterminated line was first seen (time.monotonic())

    def finding_keys(self) -> dict[FindingKey, Finding]:
        return {finding_key(f): f for f in self.result.findings}

    def kept_back(self) -> bool:
        """An unterminated last line waits, unread, for its end (or for its time to be read as it stands)."""
        return self.size > self.offset and self.partial is None

    @property
    def identity(self) -> tuple[int, int, int, int]:
        """(device, inode, size, modification time) as read: another one means the file changed since."""
        return self.dev, self.ino, self.size, self.mtime_ns


class LineWaits(Protocol):
    """How long an unterminated last line is kept back (the watch options: a test changes them as it goes)."""

    partial_line_seconds: float
    partial_line_bytes: int


class Follower:
    """Reads followed files: whole when new or rewritten, else only the whole lines a log gained."""

    def __init__(self, scanner: FileScanner, waits: LineWaits) -> None:
        self.scanner = scanner
        self.waits = waits

    def read(self, path: str, before: Tracked | None, st: os.stat_result) -> Tracked:
        """``path`` (``st``) read on from ``before``: its new lines when it is a log that grew (the same file,
        larger or as large, the bytes before the offset unchanged), else all of it."""
        grew = (before is not None and (before.dev, before.ino) == (st.st_dev, st.st_ino) and before.kind == TEXT
                and before.offset > 0 and st.st_size >= before.size
                and tail_of(path, before.offset) in (before.tail, None))
        return self._read_appended(path, before, st) if grew and before is not None else self._read_whole(path, st)

    def _read_whole(self, path: str, st: os.stat_result) -> Tracked:
        """A new or rewritten file, read whole. A text file is then followed from its last whole line: its
        unterminated last line (read as it stands here) is read again when it ends."""
        result = self.scanner.scan_file(path)
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if result.kind != TEXT:
            return Tracked(*identity, result.kind, st.st_size, 0, result)
        lines, offset = _whole_lines(path, st.st_size)
        partial = None
        if offset < st.st_size:
            if st.st_size - offset >= self.waits.partial_line_bytes:
                offset = _long_line_cut(path, offset, st.st_size)
            data, context = _read_with_context(path, offset, st.st_size)
            encoding = detect_encoding(data[context:])
            partial = _contribution(result, self._scan(path, data, encoding, lines + 1, context))
        return Tracked(*identity, TEXT, offset, lines, result, tail_of(path, offset), partial=partial,
                       since=time.monotonic())

    def _read_appended(self, path: str, before: Tracked, st: os.stat_result) -> Tracked:
        """The lines added to a log since the last read, with the context of the lines before them. Only whole
        lines are consumed; the unterminated last line waits for its end (see the module's docstring)."""
        data, context = _read_with_context(path, before.offset, st.st_size)
        fresh = data[context:]
        encoding = detect_encoding(fresh)
        now = time.monotonic()
        cut = fresh.rfind(b"\n") + 1  # the end of the last whole line
        since = before.since if cut == 0 and before.size > before.offset else now
        rest = len(fresh) - cut
        long_line = rest >= self.waits.partial_line_bytes
        if long_line:
            cut = _long_line_cut(path, before.offset + cut, st.st_size) - before.offset
        # Once read as it stands (its numbers reported), a line that goes on unterminated is read so again.
        read_before = cut == 0 and before.partial is not None
        as_it_stands = long_line or (rest > 0 and (read_before or now - since >= self.waits.partial_line_seconds))
        consumed = (self._scan(path, data[:context + cut], encoding, before.lines + 1, context) if cut
                    else FileResult(path=path, kind=TEXT))
        lines = before.lines + fresh.count(b"\n", 0, cut)
        result, _ = _merged(_without(before.result, before.partial), consumed)
        result.size = st.st_size
        partial = None
        if as_it_stands and cut < len(fresh):
            start = _context_start(data, context + cut)
            unterminated = self._scan(path, data[start:], encoding, lines + 1, context + cut - start)
            result, partial = _merged(result, unterminated)
        offset = before.offset + cut
        end = context + cut  # the new offset in data: the bytes before it are what tail_of will read there
        tail = data[end - TAIL_BYTES:end] if end >= TAIL_BYTES else tail_of(path, offset)
        return Tracked(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, TEXT, offset, lines, result, tail,
                       partial=partial, since=since)

    def _scan(self, path: str, data: bytes, encoding: str, first_line: int, scan_from: int) -> FileResult:
        """The findings of ``data`` from ``scan_from`` on (the line ``first_line``); the bytes before are context."""
        return self.scanner.scan_text(path, TextUnit(data=data, encoding=encoding, first_line=first_line,
                                                     scan_from=scan_from))


class Rotations:
    """Files whose findings went (deleted, moved away, truncated in place), each waiting out a grace period
    before it is reported cleared. Log rotation by copy or compression (copytruncate, app.log.1 -> app.log.1.gz)
    shows the same numbers on the same lines in a new file meanwhile: then the copy's findings are not new and
    the original is not cleared, for the numbers are still there."""

    def __init__(self, grace_seconds: float) -> None:
        self.grace_seconds = grace_seconds
        self.gone: list[_Gone] = []

    def went(self, path: str, findings: list[Finding]) -> None:
        """``path`` lost these findings: cleared after the grace unless a rotated copy shows them."""
        self.gone.append(_Gone(path, {(f.location.line, f.fingerprint): f for f in findings},
                               time.monotonic() + self.grace_seconds))

    def deadlines(self) -> list[float]:
        return [gone.deadline for gone in self.gone]

    def expire(self, now: float, tracked: dict[str, Tracked]) -> tuple[bool, list[str]]:
        """Whether any grace ended by ``now``, and the files among those whose numbers are gone for good: no
        rotated copy holds them, and the file (a truncated log) holds none again."""
        expired = [g for g in self.gone if g.deadline <= now]
        self.gone = [g for g in self.gone if g.deadline > now]
        cleared = []
        for entry in expired:
            now_held = tracked.get(entry.path)  # a truncated log may hold numbers again by now
            if not _kept_by_rotation(entry, tracked) and (now_held is None or not now_held.result.findings):
                cleared.append(entry.path)
        return bool(expired), cleared

    def new_findings(self, path: str, added: list[Finding], tracked: dict[str, Tracked]) -> list[Finding]:
        """Of the findings ``path`` did not hold before, those that are new: not those of a rotated copy."""
        return self._not_rotated(_not_a_rotated_copy(path, added, tracked))

    def _not_rotated(self, added: list[Finding]) -> list[Finding]:
        """Findings of a new file that a file which just disappeared had on the same lines (a copy or a
        compressed copy made by log rotation) are not new: the gone file is not reported as cleared either."""
        if not self.gone or not added:
            return added
        for gone in self.gone:
            matches = [f for f in added if (f.location.line, f.fingerprint) in gone.findings]
            if matches and len(matches) >= len(gone.findings) // 2:
                self.gone.remove(gone)
                matched = {(f.location.line, f.fingerprint) for f in matches}
                return [f for f in added if (f.location.line, f.fingerprint) not in matched]
        return added


@dataclass
class _Gone:
    """A file with findings that disappeared or was truncated, and when its grace ends."""

    path: str
    findings: dict[tuple[int | None, str], Finding]
    deadline: float


def _not_a_rotated_copy(path: str, added: list[Finding], tracked: dict[str, Tracked]) -> list[Finding]:
    """A new file named like a rotation of a followed file (app.log -> app.log.1, app.log-20261122,
    app.log.1.gz) holding the same numbers on the same lines is that log's copy, made by copytruncate
    or compression: its findings are not new."""
    origin = rotation_origin(path, tracked)
    if origin is None or not added:
        return added
    source = tracked[origin]
    known = source.held | {(f.location.line, f.fingerprint) for f in source.result.findings}
    return [f for f in added if (f.location.line, f.fingerprint) not in known]


def _kept_by_rotation(gone: _Gone, tracked: dict[str, Tracked]) -> bool:
    """A file that went while its rotated copy (app.log.1 -> app.log.1.gz) holds its numbers is not cleared:
    the numbers are still there."""
    for path, record in tracked.items():
        if rotation_origin(path, {gone.path: record}) == gone.path:
            kept = {(f.location.line, f.fingerprint) for f in record.result.findings}
            if set(gone.findings) <= kept:
                return True
    return False


def finding_key(finding: Finding) -> FindingKey:
    """A finding as the watcher compares them from one read to the next: its location and its person."""
    return (json.dumps(finding.location.to_json(), sort_keys=True, ensure_ascii=False), finding.fingerprint)


def rotation_origin(path: str, tracked: dict[str, Tracked]) -> str | None:
    """The followed file ``path`` is a rotation of, by name: ``app.log.1``, ``app.log-20261122``,
    ``app.log.1.gz`` are rotations of ``app.log`` (the longest such name wins). Looks up each shorter name
    cut at a separator, so it costs the length of the name, not the number of files followed."""
    start = path.rfind("/") + 1
    for cut in range(len(path) - 1, start, -1):
        if path[cut] not in ".-_":
            continue
        origin, suffix = path[:cut], path[cut + 1:]
        if origin in tracked and (suffix[:1].isdigit() or suffix.split(".")[0] in _ROTATION_WORDS):
            return origin
    return None


def tail_of(path: str, offset: int) -> bytes | None:
    """The ``TAIL_BYTES`` before ``offset`` (None when they cannot be read): a log truncated and written
    again (copytruncate) to the same length or longer has other bytes there."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, offset - TAIL_BYTES))
            return handle.read(min(offset, TAIL_BYTES))
    except OSError:
        return None


def _whole_lines(path: str, size: int) -> tuple[int, int]:
    """The newlines in the first ``size`` bytes and the end of the last one, in one pass. UTF-16 text (its
    newline byte is half a character) is not followed by lines: all of it counts as read, as does a file that
    cannot be read again."""
    count, end, done, utf16 = 0, 0, 0, False
    try:
        with open(path, "rb") as handle:
            while done < size:
                block = handle.read(min(1 << 20, size - done))
                if not block:
                    break
                utf16 = utf16 or (done == 0 and _utf16(block))
                last = block.rfind(b"\n")
                if last >= 0:
                    count += block.count(b"\n")
                    end = done + last + 1
                done += len(block)
    except OSError:
        return count, size
    return count, size if utf16 else end


def _utf16(head: bytes) -> bool:
    """Whether a file starting with ``head`` is UTF-16 (with a BOM or without)."""
    bom = bom_of(head)
    return (bom is not None and bom[0].startswith("utf-16")) or utf16_without_bom(head[:4096]) is not None


def _read_with_context(path: str, offset: int, size: int) -> tuple[bytes, int]:
    """The bytes from ``offset`` to ``size`` with up to ``CONTEXT_BYTES`` before them (from a line start when
    there is one), and where ``offset`` falls in them."""
    start = max(0, offset - CONTEXT_BYTES)
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(size - start)
    first = _context_start(data, offset - start)
    return data[first:], offset - start - first


def _context_start(data: bytes, at: int) -> int:
    """Where the context before byte ``at`` starts: ``CONTEXT_BYTES`` back, moved to a line start if one is
    there."""
    start = max(0, at - CONTEXT_BYTES)
    if start == 0:
        return 0
    newline = data.find(b"\n", start, at)
    return newline + 1 if newline >= 0 else start


def _long_line_cut(path: str, line_start: int, size: int) -> int:
    """Where to stop consuming a line longer than the read chunk: ``LONG_LINE_KEEP`` to ``LONG_LINE_WINDOW``
    bytes before its end, where the text reader would cut it too (:func:`detector.cuts.last_cut`: never inside
    a number, an escaped one or a character); ``line_start`` when there is no such place (the line is read
    whole again)."""
    low = max(line_start, size - LONG_LINE_WINDOW)
    high = size - LONG_LINE_KEEP
    if high <= low:
        return line_start
    with open(path, "rb") as handle:
        handle.seek(low)
        window = handle.read(high - low)
    if b"\x1b" in window:
        return line_start  # ISO-2022-JP: a byte's meaning depends on the escapes before it
    cut = last_cut(window, 0, len(window))
    return line_start if cut is None else low + cut


def _merged(base: FileResult, extra: FileResult) -> tuple[FileResult, FileResult]:
    """``base`` with what ``extra`` adds (findings and samples it does not hold, its held-back counts), and
    what was added (to take it out again with :func:`_without`)."""
    keys = {finding_key(f) for f in base.findings}
    findings = [f for f in extra.findings if finding_key(f) not in keys]
    samples = [s for s in extra.samples if s not in base.samples]
    people = extra.held_back_people - base.held_back_people
    held = {k: base.held_back.get(k, 0) + extra.held_back.get(k, 0) for k in set(base.held_back) | set(extra.held_back)}
    merged = replace(base, findings=base.findings + findings, samples=base.samples + samples, held_back=held,
                     held_back_people=base.held_back_people | people)
    return merged, replace(extra, findings=findings, samples=samples, held_back_people=people)


def _contribution(result: FileResult, part: FileResult) -> FileResult:
    """What ``part`` (a file's unterminated last line, scanned alone) gave to ``result`` (the whole file's): its
    findings as ``result`` holds them, its samples and held-back counts (a person held back both there and on
    an earlier line is taken out with it, and back when the line is read again)."""
    keys = {finding_key(f) for f in part.findings}
    return replace(part, findings=[f for f in result.findings if finding_key(f) in keys], samples=list(part.samples))


def _without(result: FileResult, part: FileResult | None) -> FileResult:
    """``result`` without what ``part`` added to it (see :func:`_merged`)."""
    if part is None:
        return result
    keys = {finding_key(f) for f in part.findings}
    held = {k: n - part.held_back.get(k, 0) for k, n in result.held_back.items() if n > part.held_back.get(k, 0)}
    return replace(result, findings=[f for f in result.findings if finding_key(f) not in keys],
                   samples=[s for s in result.samples if s not in part.samples], held_back=held,
                   held_back_people=result.held_back_people - part.held_back_people)
