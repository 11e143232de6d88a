"""mynumber watch: follow shares and logs live, and say the moment My Numbers appear, go, or make the exposure
reportable.

watchdog's native observer (inotify on Linux) or its polling observer (for SMB/CIFS and NFS mounts, where the
kernel sees no remote changes) feeds paths into a queue. A path is processed when it settles: at once after a
close-after-write, else after ``settle`` seconds without news (a file saved in many writes is read once). Each
file is known by its identity (device, inode), its size and what it gave:

* a text file that only grew (a log) is read from where the last read stopped, with the line numbers going on;
  one that shrank (copytruncate) is read again from the start; one renamed (rename-and-create rotation) keeps
  its findings under its new name, without new events;
* a log is followed as ``tail -F`` follows it: only whole lines are consumed. A writer that flushes half a line
  (``GET /verify?mynumber=1234567``) and the rest later must not have its number cut in two, so the last,
  unterminated line is kept for the next read. It waits at most ``partial_line_seconds`` (5 s) for its end, and
  at most ``partial_line_bytes`` (the read chunk, 1 MiB): then it is read as it stands, and read again when its
  end arrives, its numbers matched to those already reported (a finding is its line and number). A line longer
  than the chunk is consumed as it grows, but for its last KiBs, so that a writer streaming one endless line
  costs each read only its new bytes;
* findings are compared with what the file gave before: only new ones are events, and a file whose findings
  are all gone (deleted, moved away, rewritten) gives a ``cleared`` event. A file that disappears while a new
  one with the same numbers on the same lines appears (a rotation that copies or compresses) gives neither;
* after each change the assessment is made again over everything currently exposed, and an ``assessment``
  event is emitted when it changes: above all when the distinct people cross 100 or a first number appears in a
  public place.

With ``--state`` what each file gave, and how far each log was read, is saved (on SIGTERM/SIGINT, and as it
goes), so a restart emits no finding twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shlex
import stat
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .assess import Assessment, assess
from .decode import bom_of, detect_encoding, utf16_without_bom
from .extract.text import CHUNK_SIZE
from .identify import TEXT
from .incremental import open_state, own_files
from .model import FileResult, Finding, ScanOptions
from .names import shown
from .redact import redact
from .result import ScanResult
from .rules import load_rules
from .scanner import FileScanner
from .state import State
from .walk import FileRef, WalkOptions, WalkStats, exclude_rules, walk

log = logging.getLogger(__name__)

CONTEXT_BYTES = 512
TAIL_BYTES = 64
ROTATION_GRACE_SECONDS = 2.0
# How long an unterminated last line waits for its end before it is read as it stands (a buffered writer
# flushes mid-line and ends the line within moments; a number on a line that never ends is still reported).
PARTIAL_LINE_SECONDS = 5.0
# Of a line longer than the read chunk, the last bytes kept back (read again with what follows): more than the
# widest number (escaped forms included) plus its context, so a number cut there is read whole next time.
LONG_LINE_KEEP = 1024
LONG_LINE_WINDOW = 4096  # the cut is looked for this far back from the end (a character boundary)
Event = dict[str, Any]
FindingKey = tuple[str, str]  # (location as json, fingerprint)


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
        return {_key(f): f for f in self.result.findings}

    def kept_back(self) -> bool:
        """An unterminated last line waits, unread, for its end (or for its time to be read as it stands)."""
        return self.size > self.offset and self.partial is None


@dataclass
class _Gone:
    """A file with findings that disappeared or was truncated: reported as cleared after the grace period,
    unless a new file with the same numbers on the same lines (a rotated copy, a compressed rotation) shows up
    first, or the file holds numbers again by then."""

    path: str
    findings: dict[tuple[int | None, str], Finding]
    deadline: float


@dataclass
class WatchOptions:
    scan: ScanOptions
    poll: float | None = None  # seconds between polls; None: the native observer
    settle: float = 0.3
    state_path: str | None = None
    execute: str | None = None
    syslog: bool = False
    emit_initial: bool = True
    rotation_grace: float = ROTATION_GRACE_SECONDS
    partial_line_seconds: float = PARTIAL_LINE_SECONDS
    partial_line_bytes: int = CHUNK_SIZE


@dataclass
class Watcher:
    roots: list[str]
    options: WatchOptions
    emit: Callable[[Event], None]
    tracked: dict[str, Tracked] = field(default_factory=dict)
    pending: dict[str, float] = field(default_factory=dict)
    gone: list[_Gone] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)  # changed since the state was last saved
    removed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rules = load_rules(self.options.scan.rules_dirs)
        self.scanner = FileScanner(self.options.scan, self.rules)
        self.walk_options = WalkOptions(self.options.scan.follow_symlinks,
                                        self.rules.excludes + exclude_rules(self.options.scan.excludes),
                                        self.options.scan.skip_inodes)
        self.events: queue.Queue[tuple[str, str, str | None]] = queue.Queue()
        self.assessment: Assessment | None = None
        self.own_files: frozenset[tuple[int, int]] = self.options.scan.skip_inodes
        self.root_paths = frozenset(os.path.abspath(root) for root in self.roots)
        self.root_prefixes = tuple(path.rstrip("/") + "/" for path in self.root_paths)
        self.people: Counter[str] = Counter()  # fingerprint -> files holding it
        self.public_people: Counter[str] = Counter()
        self.state: State | None = None
        self.stats = {"events": 0, "files_read": 0}

    # -- start ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Scan what is there (reusing the state's results), emitting what is new since the last run."""
        previous: dict[str, Tracked] = {}
        if self.options.state_path is not None:
            self.state = open_state(self.options.scan._replace(state_path=self.options.state_path), self.rules,
                                    self.scanner.fingerprint.key_id)
            previous = self._load_tracked()
            self.own_files = self.own_files | own_files(self.options.state_path)
            self.walk_options = self.walk_options._replace(skip_inodes=self.walk_options.skip_inodes | self.own_files)
        self.last_save = time.monotonic()
        for entry in walk(self.roots, self.walk_options, WalkStats()):
            if isinstance(entry, FileRef):
                absolute = os.path.abspath(entry.path)  # as the state keys it (a number in a name masked)
                self._initial(entry, previous.pop(self.state.storable(absolute) if self.state else absolute, None))
        for path, before in previous.items():  # gone while we were not watching
            self.removed.add(path)
            if before.result.findings:
                self.emit_event({"event": "cleared", "path": path})
        self._reassess()
        self._save()

    def _initial(self, ref: FileRef, before: Tracked | None) -> None:
        if before is not None and (before.dev, before.ino, before.size, before.mtime_ns) == ref.identity:
            # An unterminated last line the last run left waits again (read as it stands or not before: the
            # state does not say; its findings are known, so none is reported twice, though its held-back count
            # may be counted twice). The file is unchanged since it was read, so it is read on from the offset,
            # not whole: the bytes before the offset are those read.
            pending_line = before.size > before.offset
            record = replace(before, result=before.result.under(ref.path), since=time.monotonic(),
                             tail=_tail(ref.path, before.offset) if pending_line else None)
            self._set(ref.path, record)
            self._wait_for_line_end(ref.path, record)
            return
        self._read(ref.path, before, emit=self.options.emit_initial or before is not None)

    # -- events ---------------------------------------------------------------------------------------------

    def notice(self, kind: str, path: str, dest: str | None = None) -> None:
        """Called by the observer's thread: queue a change."""
        self.events.put((kind, path, dest))

    def run(self, stop: threading.Event, health: Callable[[], None] | None = None) -> None:
        """Process changes until ``stop`` is set; ``health`` is called on each turn (it restarts a dead
        observer)."""
        while not stop.is_set():
            if health is not None:
                health()
            self.turn(self._next_timeout())

    def turn(self, timeout: float = 0.0) -> None:
        """One turn of the loop: wait up to ``timeout`` seconds for changes, take all that arrived together and
        process what is due (tests drive the watcher with it, without an observer thread)."""
        try:
            kind, path, dest = self.events.get(timeout=timeout)
        except queue.Empty:
            pass
        else:
            self._take(kind, path, dest)
            while True:  # drain what arrived together
                try:
                    kind, path, dest = self.events.get_nowait()
                except queue.Empty:
                    break
                self._take(kind, path, dest)
        self._process_due()

    def _next_timeout(self) -> float:
        deadlines = list(self.pending.values()) + [g.deadline for g in self.gone]
        if not deadlines:
            return 0.5
        return max(0.0, min(min(deadlines) - time.monotonic(), 0.5))

    def _take(self, kind: str, path: str, dest: str | None) -> None:
        self.stats["events"] += 1
        now = time.monotonic()
        if kind == "moved" and dest is not None:
            self._moved(path, dest)
            return
        if kind == "closed":
            self.pending[path] = now  # written in one go and closed: no need to wait
        else:
            self.pending[path] = now + self.options.settle

    def _moved(self, src: str, dest: str) -> None:
        """A rename: a tracked file keeps its findings under its new name (rename-and-create rotation)."""
        for old in self._tracked_under(src):
            new = dest + old[len(src):]
            record = self._drop(old)
            self.removed.add(old)
            if self._inside_roots(new):
                self._set(new, replace(record, result=record.result.under(new)))
                self.dirty.add(new)
            elif record.result.findings:
                self.emit_event({"event": "cleared", "path": old, "reason": "moved out of the watched folders"})
        self.pending[dest] = time.monotonic() + self.options.settle  # a folder moved in, or a file to check

    def _process_due(self) -> None:
        now = time.monotonic()
        due = sorted(path for path, deadline in self.pending.items() if deadline <= now)
        changed = False
        for path in due:
            del self.pending[path]
            try:
                changed |= self._process(path)
            except Exception as exc:  # one bad file must not stop the watch
                log.error("%s: could not be processed (%s); the watch goes on", path, redact(repr(exc)))
        changed |= self._expire_gone(now)
        if changed:
            self._reassess()
        if (self.dirty or self.removed) and now - self.last_save >= 2.0:
            self._save()

    def _process(self, path: str) -> bool:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return self._vanished(path)
        except OSError:
            return False
        if stat.S_ISDIR(st.st_mode):
            # A folder created or moved in: its files are queued, not read here, so a file whose own events
            # are on their way is read once, after it settles.
            due = time.monotonic() + self.options.settle
            for entry in walk([path], self.walk_options, WalkStats()):
                if isinstance(entry, FileRef) and entry.path not in self.tracked:
                    self.pending.setdefault(entry.path, due)
            return False
        if (st.st_dev, st.st_ino) in self.own_files:
            return False  # our own event output or state file
        if not stat.S_ISREG(st.st_mode) or not self._inside_roots(path) or self._excluded(path):
            return self._vanished(path) if path in self.tracked else False
        before = self.tracked.get(path)
        if before is not None and (before.dev, before.ino, before.size, before.mtime_ns) == (
                st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) and not before.kept_back():
            return False
        return self._read(path, before)

    def _tracked_under(self, path: str) -> list[str]:
        """The followed files that are ``path`` or lie below it (a folder moved or deleted)."""
        prefix = path.rstrip("/") + "/"
        return [p for p in self.tracked if p == path or p.startswith(prefix)]

    def _vanished(self, path: str) -> bool:
        changed = False
        for old in self._tracked_under(path):
            record = self._drop(old)
            self.removed.add(old)
            if record.result.findings:
                self._mark_gone(old, record.result.findings)
                changed = True
        return changed

    def _mark_gone(self, path: str, findings: list[Finding]) -> None:
        """``path`` lost these findings (deleted, moved away, truncated): cleared after the rotation grace unless
        a rotated copy shows them (see :class:`_Gone`)."""
        self.gone.append(_Gone(path, {(f.location.line, f.fingerprint): f for f in findings},
                               time.monotonic() + self.options.rotation_grace))

    def _expire_gone(self, now: float) -> bool:
        expired = [g for g in self.gone if g.deadline <= now]
        self.gone = [g for g in self.gone if g.deadline > now]
        for entry in expired:
            now_held = self.tracked.get(entry.path)  # a truncated log may hold numbers again by now
            if not self._kept_by_rotation(entry) and (now_held is None or not now_held.result.findings):
                self.emit_event({"event": "cleared", "path": entry.path})
        return bool(expired)

    # -- reading --------------------------------------------------------------------------------------------

    def _read(self, path: str, before: Tracked | None, emit: bool = True) -> bool:
        """Read a new or changed file (only its new lines when it is a log that grew); emit what is new."""
        try:
            st = os.stat(path)
        except OSError:
            return self._vanished(path) if before is not None else False
        self.stats["files_read"] += 1
        same = before is not None and (before.dev, before.ino) == (st.st_dev, st.st_ino)
        grew = (same and before is not None and before.kind == TEXT and before.offset > 0
                and st.st_size >= before.size and _tail(path, before.offset) in (before.tail, None))
        record = self._read_appended(path, before, st) if grew and before is not None else self._read_whole(path, st)
        old: dict[FindingKey, Finding] = {}
        if same and before is not None:
            record.held = before.held | {(f.location.line, f.fingerprint) for f in before.result.findings}
            old = before.finding_keys()
        new = record.finding_keys()
        added = [f for key, f in new.items() if key not in old]
        added = self._not_rotated(self._not_a_rotated_copy(path, added))
        self._set(path, record)
        self._wait_for_line_end(path, record)
        self.dirty.add(path)
        if emit:
            for finding in added:
                self.emit_event({"event": "finding", **finding.to_json()})
            if before is not None and before.result.findings and not record.result.findings:
                if same and st.st_size < before.size:
                    # Truncated in place: copytruncate copies the log first (its copy may not be read yet), so
                    # the numbers may still be exposed there; decided like a deleted file's, after the grace.
                    self._mark_gone(path, before.result.findings)
                else:
                    self.emit_event({"event": "cleared", "path": path})
        for entry in record.result.unscanned:
            log.info("%s: not scanned: %s", entry.path, entry.reason)
        return bool(added) or (before is not None and bool(before.result.findings) != bool(record.result.findings))

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
            if st.st_size - offset >= self.options.partial_line_bytes:
                offset = self._long_line_cut(path, offset, st.st_size)
            data, context = _read_with_context(path, offset, st.st_size)
            encoding = detect_encoding(data[context:])
            partial = _contribution(result, self._scan(path, data, encoding, lines + 1, context))
        return Tracked(*identity, TEXT, offset, lines, result, _tail(path, offset), partial=partial,
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
        long_line = rest >= self.options.partial_line_bytes
        if long_line:
            cut = self._long_line_cut(path, before.offset + cut, st.st_size) - before.offset
        # Once read as it stands (its numbers reported), a line that goes on unterminated is read so again.
        read_before = cut == 0 and before.partial is not None
        as_it_stands = long_line or (rest > 0 and (read_before or now - since >= self.options.partial_line_seconds))
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
        end = context + cut  # the new offset in data: the bytes before it are what _tail will read there
        tail = data[end - TAIL_BYTES:end] if end >= TAIL_BYTES else _tail(path, offset)
        return Tracked(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, TEXT, offset, lines, result, tail,
                       partial=partial, since=since)

    def _scan(self, path: str, data: bytes, encoding: str, first_line: int, scan_from: int) -> FileResult:
        """The findings of ``data`` from ``scan_from`` on (the line ``first_line``); the bytes before are context."""
        candidates = self.scanner.text_scanner.scan_bytes(data, encoding, first_line, scan_from)
        return self.scanner.findings_of(path, candidates, TEXT)

    def _long_line_cut(self, path: str, line_start: int, size: int) -> int:
        """Where to stop consuming a line longer than the read chunk: a character boundary ``LONG_LINE_KEEP``
        to ``LONG_LINE_WINDOW`` bytes before its end, not between two digits (``line_start`` when there is
        none: the line is read whole again)."""
        low = max(line_start, size - LONG_LINE_WINDOW)
        high = size - LONG_LINE_KEEP
        if high <= low:
            return line_start
        with open(path, "rb") as handle:
            handle.seek(low)
            window = handle.read(high - low + 1)
        if b"\x1b" in window:
            return line_start  # ISO-2022-JP: a byte's meaning depends on the escapes before it
        utf8 = detect_encoding(window) in ("ascii", "utf-8")
        for index in range(min(len(window) - 1, high - low), 0, -1):
            before, after = window[index - 1], window[index]
            if before in _DIGITS or after in _DIGITS:
                continue
            if before in _CUT_AFTER or (utf8 and not 0x80 <= after <= 0xBF):
                return low + index
        return line_start

    def _wait_for_line_end(self, path: str, record: Tracked) -> None:
        """A kept-back last line is read as it stands when its wait is over, even if the file never changes."""
        if record.kept_back():
            due = record.since + self.options.partial_line_seconds
            self.pending[path] = min(self.pending.get(path, due), due)

    def _kept_by_rotation(self, gone: _Gone) -> bool:
        """A file that went while its rotated copy (app.log.1 -> app.log.1.gz) holds its numbers is not cleared:
        the numbers are still there."""
        for path, record in self.tracked.items():
            if _rotation_origin(path, {gone.path: record}) == gone.path:
                kept = {(f.location.line, f.fingerprint) for f in record.result.findings}
                if set(gone.findings) <= kept:
                    return True
        return False

    def _not_a_rotated_copy(self, path: str, added: list[Finding]) -> list[Finding]:
        """A new file named like a rotation of a followed file (app.log -> app.log.1, app.log-20261122,
        app.log.1.gz) holding the same numbers on the same lines is that log's copy, made by copytruncate
        or compression: its findings are not new."""
        origin = _rotation_origin(path, self.tracked)
        if origin is None or not added:
            return added
        source = self.tracked[origin]
        known = source.held | {(f.location.line, f.fingerprint) for f in source.result.findings}
        return [f for f in added if (f.location.line, f.fingerprint) not in known]

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

    # -- assessment, output, state ------------------------------------------------------------------------

    def current(self) -> ScanResult:
        """Everything currently exposed, as a scan result (for the assessment's summary)."""
        result = ScanResult(key_id=self.scanner.fingerprint.key_id, min_confidence=self.options.scan.min_confidence,
                            roots=list(self.roots))
        for record in self.tracked.values():
            result.add(record.result)
        return result.finish(self.rules.triggers)

    def _set(self, path: str, record: Tracked) -> None:
        if path in self.tracked:
            self._drop(path)
        self.tracked[path] = record
        for fingerprint in {f.fingerprint for f in record.result.findings}:
            self.people[fingerprint] += 1
        for fingerprint in {f.fingerprint for f in record.result.findings if f.public}:
            self.public_people[fingerprint] += 1

    def _drop(self, path: str) -> Tracked:
        record = self.tracked.pop(path)
        for counter, public_only in ((self.people, False), (self.public_people, True)):
            for fingerprint in {f.fingerprint for f in record.result.findings if f.public or not public_only}:
                counter[fingerprint] -= 1
                if counter[fingerprint] <= 0:
                    del counter[fingerprint]
        return record

    def _reassess(self) -> None:
        """The assessment from the people currently exposed (kept as counts as files change, so a burst of
        files costs no rebuild per file); the full summary is built only for an assessment event."""
        assessment = assess(len(self.people), len(self.public_people), self.rules.triggers)
        if self.assessment is None or assessment.reason_ids() != self.assessment.reason_ids():
            self.emit_event({"event": "assessment", "summary": self.current().summary()})
        self.assessment = assessment

    def emit_event(self, event: Event) -> None:
        event = {**event, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        if event["event"] == "cleared":  # a finding's names are shown by Finding.to_json; this one's here
            event["path"] = shown(event["path"])
        self.emit(event)
        if self.options.execute:
            _run_alert(self.options.execute, event)
        if self.options.syslog:
            _syslog(event)

    def _load_tracked(self) -> dict[str, Tracked]:
        assert self.state is not None
        out = {}
        for path, (identity, kind, offset, lines, blob) in self.state.follow_records().items():
            from .state import load_result

            dev, ino, size, mtime = identity
            out[path] = Tracked(dev, ino, size, mtime, kind, offset, lines, load_result(path, kind, size, blob))
        return out

    def _save(self) -> None:
        """Write what changed since the last save (the state is committed as it goes, so a crash loses little)."""
        self.last_save = time.monotonic()
        if self.state is None:
            self.dirty.clear()
            self.removed.clear()
            return
        for path in self.removed - set(self.tracked):
            self.state.forget([os.path.abspath(path)])
        for path in self.dirty:
            record = self.tracked.get(path)
            if record is not None:
                self.state.put_followed(os.path.abspath(path), (record.dev, record.ino, record.size,
                                                                record.mtime_ns), record.result, record.offset,
                                        record.lines)
        self.state.commit()
        self.dirty.clear()
        self.removed.clear()

    def close(self) -> None:
        self._save()
        if self.state is not None:
            self.state.close()

    def _inside_roots(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        return absolute in self.root_paths or absolute.startswith(self.root_prefixes)

    def _excluded(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        return any(rule.matches(absolute) for rule in self.walk_options.excludes)


def _rotation_origin(path: str, tracked: dict[str, Any]) -> str | None:
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


_ROTATION_WORDS = frozenset({"gz", "bz2", "xz", "zst", "old", "bak"})


def _key(finding: Finding) -> FindingKey:
    return (json.dumps(finding.location.to_json(), sort_keys=True, ensure_ascii=False), finding.fingerprint)


def _tail(path: str, offset: int) -> bytes | None:
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


def _merged(base: FileResult, extra: FileResult) -> tuple[FileResult, FileResult]:
    """``base`` with what ``extra`` adds (findings and samples it does not hold, its held-back counts), and
    what was added (to take it out again with :func:`_without`)."""
    keys = {_key(f) for f in base.findings}
    findings = [f for f in extra.findings if _key(f) not in keys]
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
    keys = {_key(f) for f in part.findings}
    return replace(part, findings=[f for f in result.findings if _key(f) in keys], samples=list(part.samples))


def _without(result: FileResult, part: FileResult | None) -> FileResult:
    """``result`` without what ``part`` added to it (see :func:`_merged`)."""
    if part is None:
        return result
    keys = {_key(f) for f in part.findings}
    held = {k: n - part.held_back.get(k, 0) for k, n in result.held_back.items() if n > part.held_back.get(k, 0)}
    return replace(result, findings=[f for f in result.findings if _key(f) not in keys],
                   samples=[s for s in result.samples if s not in part.samples], held_back=held,
                   held_back_people=result.held_back_people - part.held_back_people)


# Bytes after which a line may be cut in any of ASCII, UTF-8, CP932 or EUC-JP: none of them is a trail byte
# there (in UTF-8 and ASCII, any byte that is not a continuation byte starts a character).
_CUT_AFTER = frozenset(range(0x00, 0x40))
_DIGITS = frozenset(range(0x30, 0x3A))


def _run_alert(command: str, event: Event) -> None:
    """Run the user's command with the event's json on its standard input; file names are never put into a
    shell command line."""
    try:
        subprocess.run(shlex.split(command), input=json.dumps(event, ensure_ascii=False).encode(), timeout=60,
                       check=False, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("--exec %s failed: %s", command, exc)


def _syslog(event: Event) -> None:
    import syslog

    syslog.openlog("mynumber", syslog.LOG_PID, syslog.LOG_AUTH)
    priority = syslog.LOG_WARNING if event["event"] != "cleared" else syslog.LOG_NOTICE
    syslog.syslog(priority, describe(event))


def describe(event: Event) -> str:
    """One readable line per event (masked numbers only)."""
    kind = event["event"]
    if kind == "finding":
        where = " ".join(f"{k}={v}" for k, v in event["location"].items())
        public = f" PUBLIC ({event.get('public_reason', '')})" if event.get("public") else ""
        return f"finding {event['path']} {where} {event['masked']} {event['confidence']}{public}"
    if kind == "cleared":
        return f"cleared {event['path']}"
    summary = event["summary"]
    verdict = "SERIOUS " + ",".join(summary["serious_reasons"]) if summary["serious"] else "not serious"
    return (f"assessment {verdict}: {summary['distinct_people']} people "
            f"({summary['public_distinct_people']} public) in {summary['files_with_findings']} files")


class Supervised:
    """The observer, restarted when one of its threads has died (watchdog's emitters can fail on a race with a
    folder that vanishes while it is listed); after a restart every root is read again, so nothing is missed."""

    def __init__(self, watcher: Watcher, roots: list[str], poll: float | None) -> None:
        self.watcher, self.roots, self.poll = watcher, roots, poll
        self.restarts = 0
        self.observer = observe(watcher, roots, poll)

    def check(self) -> None:
        threads = [self.observer, *getattr(self.observer, "emitters", ())]
        if all(thread.is_alive() for thread in threads):
            return
        self.restarts += 1
        log.warning("the file system observer stopped; restarting it and reading the watched folders again")
        with contextlib.suppress(Exception):
            self.observer.stop()
        self.observer = observe(self.watcher, self.roots, self.poll)
        for root in self.roots:
            self.watcher.notice("modified", root)

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=10)


def observe(watcher: Watcher, roots: Iterable[str], poll: float | None) -> Any:
    """Start a watchdog observer feeding ``watcher``; returns it (call stop() and join())."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            kind = event.event_type
            src = os.fsdecode(event.src_path)
            if kind in ("opened", "closed_no_write"):
                return
            if kind == "moved":
                watcher.notice("moved", src, os.fsdecode(event.dest_path))
            elif kind == "closed":
                watcher.notice("closed", src)
            elif not (event.is_directory and kind == "modified"):
                watcher.notice(kind, src)

    observer = PollingObserver(timeout=poll) if poll else Observer()
    handler = Handler()
    for root in roots:
        observer.schedule(handler, root, recursive=True)
    observer.start()
    return observer

