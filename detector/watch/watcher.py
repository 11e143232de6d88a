"""The watcher: what each followed file gives, compared with what it gave before, becomes events.

Changes come from the observer (:mod:`.observe`), files are read by the follower (:mod:`.follow`), and events go
out through the alerts (:mod:`.alerts`). Here:

* findings are compared with what the file gave before: only new ones are events, and a file whose findings
  are all gone (deleted, moved away, rewritten) gives a ``cleared`` event. A file renamed (rename-and-create
  rotation) keeps its findings under its new name, without new events. A file that disappears while a new one
  with the same numbers on the same lines appears (a rotation that copies or compresses) gives neither
  (:class:`~detector.watch.follow.Rotations`);
* the people currently exposed are one :class:`~detector.exposure.Exposure`, the aggregate a scan counts with,
  kept as files come and go (a burst of files costs no rebuild per file), and so is what bounds them beside
  (held-back candidates, files not read: :class:`~detector.watch.bound.BoundCounts`). After each change the
  assessment is made again, and an ``assessment`` event is emitted when it changes: above all when the distinct
  people cross 100 or a first number appears in a public place, and also when only the bound changes it (a file
  that cannot be read, a candidate held back below ``--min-confidence``);
* a possible number a picture gives that no reading saved (:class:`~detector.model.UnreadableCandidate`, masked)
  is an ``unreadable_candidate`` event when it is new, as the scan's jsonl lists it; it is no finding and no
  person, and counts in the people bound (:class:`~detector.watch.bound.BoundCounts`);
* with ``--baseline`` a new finding the baseline accepts is a ``baselined`` event, not a ``finding``: it is
  reported apart, runs no ``--exec`` command, and its person is still counted in the assessment, as a scan
  counts baselined people (a baseline hides noise; it does not change who is exposed);
* with ``--state`` what each file gave, and how far each log was read, is saved (on SIGTERM/SIGINT, and as it
  goes), so a restart emits no finding twice.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..assess import Assessment, Facts, assess
from ..baseline import Baseline
from ..exposure import Exposure
from ..extract.text import CHUNK_SIZE
from ..incremental.changes import open_state, own_files
from ..incremental.store import State, load_result
from ..model import Finding, ScanOptions, UnreadableCandidate
from ..names import shown
from ..redact import redact
from ..result import ScanResult
from ..rules import load_rules
from ..scanlog import told
from ..scanner import FileScanner
from ..selection import Selection, Shard, include_rules, relative_to
from ..walk import FileRef, WalkOptions, WalkStats, exclude_rules, walk
from .alerts import Alerts, Event
from .bound import BoundCounts
from .follow import PARTIAL_LINE_SECONDS, FindingKey, Follower, Rotations, Tracked, tail_of
from .observe import Changes
from .system_log import SystemLog

log = logging.getLogger(__name__)

ROTATION_GRACE_SECONDS = 2.0
SAVE_EVERY_SECONDS = 2.0


@dataclass
class WatchOptions:
    """How ``mynumber watch`` runs: the scan's options, the observer, the state, the alerts and the waits."""

    scan: ScanOptions
    poll: float | None = None  # seconds between polls; None: the native observer
    settle: float = 0.3
    state_path: str | None = None
    execute: str | None = None
    system_log: SystemLog | None = None  # --syslog: syslog(3) or the journal (detector.watch.system_log)
    baseline: Baseline | None = None  # --baseline: the findings it accepts are events of their own
    emit_initial: bool = True
    rotation_grace: float = ROTATION_GRACE_SECONDS
    partial_line_seconds: float = PARTIAL_LINE_SECONDS
    partial_line_bytes: int = CHUNK_SIZE


class Figures(NamedTuple):
    """What the watch stands at, as ``--metrics`` serves it: taken on the watcher's thread after each change and
    read whole by the metrics server's thread (one attribute, replaced, never changed in place)."""

    people: dict[str, int]  # each metric of detector.exposure.METRICS by name
    status: str  # the verdict's status (detector.assess.Status)
    files_watched: int
    files_with_findings: int
    events: dict[str, int]  # events sent, by kind
    last_scan: float  # when files were last read (time.time()), 0 before the first
    started: bool  # the first scan of the roots is done


@dataclass
class Watcher:
    """Follows the files under ``roots`` and emits an event for each change of what they expose. Driven by
    :meth:`run` on its own thread, or turn by turn (:meth:`turn`) in tests; the observer calls :meth:`notice`."""

    roots: list[str]
    options: WatchOptions
    emit: Callable[[Event], None]
    tracked: dict[str, Tracked] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)  # changed since the state was last saved
    removed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rules = load_rules(self.options.scan.rules_dirs)
        self.scanner = FileScanner(self.options.scan, self.rules)
        self.follower = Follower(self.scanner, self.options)
        self.changes = Changes(self.options.settle)
        self.rotations = Rotations(self.options.rotation_grace)
        self.alerts = Alerts(self.emit, self.options.execute, self.options.system_log,
                             self.options.scan.reading_host())
        shard = Shard(*self.options.scan.shard) if self.options.scan.shard else None
        self.walk_options = WalkOptions(self.options.scan.follow_symlinks,
                                        self.rules.excludes + exclude_rules(self.options.scan.excludes),
                                        self.options.scan.skip_inodes,
                                        Selection(include_rules(self.options.scan.includes), shard),
                                        self.options.scan.one_file_system)
        self.assessment: Assessment | None = None
        self.own_files: frozenset[tuple[int, int]] = self.options.scan.skip_inodes
        self.root_paths = frozenset(os.path.abspath(root) for root in self.roots)
        self.root_prefixes = tuple(path.rstrip("/") + "/" for path in self.root_paths)
        # --one-file-system: each root's device, which the files heard of must share
        self.root_devices = {path: os.stat(path).st_dev for path in self.root_paths} \
            if self.options.scan.one_file_system else {}
        self.exposure = Exposure()  # the people the tracked files expose
        self.bound = BoundCounts()  # what else the tracked files say of the people that may be affected
        self.files_with_findings = 0  # of the tracked files
        self.state: State | None = None
        self.stats = {"events": 0, "files_read": 0}
        self.last_scan = 0.0
        self.last_turn = time.monotonic()  # the loop's heartbeat, for --metrics' health endpoint
        self.figures = Figures({name: 0 for name in self.exposure.metrics()}, "not_reportable_on_scan", 0, 0, {},
                               0.0, False)

    @property
    def pending(self) -> dict[str, float]:
        """The paths waiting to be read, with when each is due."""
        return self.changes.pending

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
                self.alerts.send({"event": "cleared", "path": path})
        self._reassess()
        self._save()
        self._take_figures()

    def _initial(self, ref: FileRef, before: Tracked | None) -> None:
        if before is not None and before.identity == ref.identity:
            # An unterminated last line the last run left waits again (read as it stands or not before: the
            # state does not say; its findings are known, so none is reported twice, though its held-back count
            # may be counted twice). The file is unchanged since it was read, so it is read on from the offset,
            # not whole: the bytes before the offset are those read.
            pending_line = before.size > before.offset
            record = replace(before, result=before.result.under(ref.path), since=time.monotonic(),
                             tail=tail_of(ref.path, before.offset) if pending_line else None)
            self._set(ref.path, record)
            self._wait_for_line_end(ref.path, record)
            return
        self._read(ref.path, before, emit=self.options.emit_initial or before is not None)

    # -- changes --------------------------------------------------------------------------------------------

    def notice(self, kind: str, path: str, dest: str | None = None) -> None:
        """Called by the observer's thread: queue a change."""
        self.changes.notice(kind, path, dest)

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
        self.last_turn = time.monotonic()
        for kind, path, dest in self.changes.arrived(timeout):
            self._take(kind, path, dest)
        self._process_due()

    def _next_timeout(self) -> float:
        deadlines = [*self.changes.pending.values(), *self.rotations.deadlines()]
        if not deadlines:
            return 0.5
        return max(0.0, min(min(deadlines) - time.monotonic(), 0.5))

    def _take(self, kind: str, path: str, dest: str | None) -> None:
        self.stats["events"] += 1
        if kind == "moved" and dest is not None:
            self._moved(path, dest)
        elif kind == "closed":
            self.changes.due_now(path)
        else:
            self.changes.settle_later(path)

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
                self.alerts.send({"event": "cleared", "path": old, "reason": "moved out of the watched folders"})
        self.changes.settle_later(dest)  # a folder moved in, or a file to check

    def _process_due(self) -> None:
        now = time.monotonic()
        changed = taken = False
        for path in self.changes.take_due(now):
            taken = True
            try:
                changed |= self._process(path)
            except Exception as exc:  # one bad file must not stop the watch
                log.error("%s: could not be processed (%s); the watch goes on", path, redact(repr(exc)))
        ended, cleared = self.rotations.expire(now, self.tracked)
        for gone in cleared:
            self.alerts.send({"event": "cleared", "path": gone})
        changed |= ended
        if taken or changed:  # a file read may change the bound (held back, not read) without a finding
            self._reassess()
        if taken or changed:
            self._take_figures()
        if (self.dirty or self.removed) and now - self.last_save >= SAVE_EVERY_SECONDS:
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
            # are on their way is read once, after it settles. A shard is decided under the watched root, not
            # under this folder, so the walk takes the includes alone and the shard is asked file by file.
            if self._off_file_system(path, st.st_dev):
                return False
            options = self.walk_options._replace(selection=Selection(self.walk_options.selection.includes))
            self.changes.settle_unless_pending(
                entry.path for entry in walk([path], options, WalkStats())
                if isinstance(entry, FileRef) and entry.path not in self.tracked and not self._excluded(entry.path))
            return False
        if (st.st_dev, st.st_ino) in self.own_files:
            return False  # our own event output or state file
        if not stat.S_ISREG(st.st_mode) or not self._inside_roots(path) or self._excluded(path) \
                or self._off_file_system(path, st.st_dev):
            return self._vanished(path) if path in self.tracked else False
        before = self.tracked.get(path)
        if before is not None and before.identity == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) \
                and not before.kept_back():
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
                self.rotations.went(old, record.result.findings)
                changed = True
        return changed

    # -- reading: what is new ---------------------------------------------------------------------------------

    def _read(self, path: str, before: Tracked | None, emit: bool = True) -> bool:
        """Read a new or changed file (only its new lines when it is a log that grew); emit what is new."""
        try:
            st = os.stat(path)
        except OSError:
            return self._vanished(path) if before is not None else False
        self.stats["files_read"] += 1
        self.last_scan = time.time()
        same = before is not None and (before.dev, before.ino) == (st.st_dev, st.st_ino)
        start = time.perf_counter()
        record = self.follower.read(path, before, st)
        told(record.result, time.perf_counter() - start)  # -v: what it is, what was not scanned and why
        old: dict[FindingKey, Finding] = {}
        if same and before is not None:
            record.held = before.held | {(f.location.line, f.fingerprint) for f in before.result.findings}
            old = before.finding_keys()
        new = record.finding_keys()
        added = [f for key, f in new.items() if key not in old]
        added = self.rotations.new_findings(path, added, self.tracked)
        self._set(path, record)
        self._wait_for_line_end(path, record)
        self.dirty.add(path)
        if emit:
            for finding in added:
                self._announce(finding)
            for entry in new_unreadable(before if same else None, record):
                self.alerts.send({"event": "unreadable_candidate", **entry.to_json()})
            if before is not None and before.result.findings and not record.result.findings:
                if same and st.st_size < before.size:
                    # Truncated in place: copytruncate copies the log first (its copy may not be read yet), so
                    # the numbers may still be exposed there; decided like a deleted file's, after the grace.
                    self.rotations.went(path, before.result.findings)
                else:
                    self.alerts.send({"event": "cleared", "path": path})
        return bool(added) or (before is not None and bool(before.result.findings) != bool(record.result.findings))

    def _announce(self, finding: Finding) -> None:
        """A new finding's event: ``finding``, or ``baselined`` with the reason when the baseline accepts it."""
        reason = self.options.baseline(finding) if self.options.baseline is not None else None
        if reason is None:
            self.alerts.send({"event": "finding", **finding.to_json()})
        else:
            self.alerts.send({"event": "baselined", **finding.to_json(), "baseline_reason": shown(reason)})

    def _wait_for_line_end(self, path: str, record: Tracked) -> None:
        """A kept-back last line is read as it stands when its wait is over, even if the file never changes."""
        if record.kept_back():
            self.changes.due_by(path, record.since + self.options.partial_line_seconds)

    # -- exposure, assessment, events, state ------------------------------------------------------------------

    def current(self) -> ScanResult:
        """Everything currently exposed, as a scan result (for the assessment's summary)."""
        host = self.options.scan.reading_host()
        result = ScanResult(key_id=self.scanner.fingerprint.key_id, min_confidence=self.options.scan.min_confidence,
                            roots=list(self.roots), hosts=[host], host=host)
        for record in self.tracked.values():
            result.add(record.result)
        if self.options.baseline is not None:
            result.set_aside(self.options.baseline)
        return result.finish(self.rules.triggers)

    def _set(self, path: str, record: Tracked) -> None:
        if path in self.tracked:
            self._drop(path)
        self.tracked[path] = record
        for finding in record.result.findings:
            self.exposure.add(finding)
        self.bound.add(record.result)
        self.files_with_findings += bool(record.result.findings)

    def _drop(self, path: str) -> Tracked:
        record = self.tracked.pop(path)
        for finding in record.result.findings:
            self.exposure.remove(finding)
        self.bound.remove(record.result)
        self.files_with_findings -= bool(record.result.findings)
        return record

    def _reassess(self) -> None:
        """The assessment from the people currently exposed and their bound; an event when the verdict changes
        (:func:`verdict_of`). The full summary is built only for an assessment event."""
        assessment = assess(self.exposure.metrics(), self.rules.triggers,
                            facts=Facts(self.bound.bound(self.exposure)))
        if self.assessment is None or verdict_of(assessment) != verdict_of(self.assessment):
            self.alerts.send({"event": "assessment", "summary": self.current().summary()})
        self.assessment = assessment

    def _take_figures(self) -> None:
        """The figures ``--metrics`` serves, taken now (on this thread: the tracked files change only here)."""
        self.figures = Figures(
            people=self.exposure.metrics(),
            status=self.assessment.status.value if self.assessment is not None else "not_reportable_on_scan",
            files_watched=len(self.tracked),
            files_with_findings=self.files_with_findings,
            events=dict(self.alerts.sent), last_scan=self.last_scan, started=True)

    def _load_tracked(self) -> dict[str, Tracked]:
        assert self.state is not None
        out = {}
        for path, (identity, kind, offset, lines, blob) in self.state.follow_records().items():
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
                self.state.put_followed(os.path.abspath(path), record.identity, record.result, record.offset,
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

    def _root_of(self, absolute: str) -> str | None:
        """The watched root ``absolute`` lies under (the longest, when roots nest)."""
        under = [root for root in self.root_paths if absolute == root or absolute.startswith(root.rstrip("/") + "/")]
        return max(under, key=len) if under else None

    def _excluded(self, path: str) -> bool:
        """Whether a file is left alone: excluded, not matched by an ``--include`` glob when there are some, or of
        another ``--shard`` (decided by its path under its watched root, as ``scan --shard`` decides it, so a
        scan and a watch of one tree with the same K/N take the same files)."""
        absolute = os.path.abspath(path)
        if any(rule.matches(absolute) for rule in self.walk_options.excludes):
            return True
        root = self._root_of(absolute)
        relative = relative_to(root, absolute) if root is not None and root != absolute else os.path.basename(absolute)
        return not self.walk_options.selection.reads(absolute, relative)

    def _off_file_system(self, path: str, device: int) -> bool:
        """With ``--one-file-system``: whether ``path`` (a file or folder heard of, on ``device``) is on another file
        system than its watched root (a share mounted inside the tree), which the watch leaves alone as the first
        walk did."""
        if not self.root_devices:
            return False
        root = self._root_of(os.path.abspath(path))
        return root is not None and self.root_devices[root] != device


def new_unreadable(before: Tracked | None, record: Tracked) -> list[UnreadableCandidate]:
    """The possible numbers a picture gives now that it did not give before (by place and mask): each is an
    ``unreadable_candidate`` event, the line a scan's jsonl writes for it, for a person to look at the picture.
    Never a ``finding``: it is no person (:class:`~detector.model.UnreadableCandidate`)."""
    known = {(u.location, u.masked) for u in before.result.unreadable} if before is not None else set()
    return [u for u in record.result.unreadable if (u.location, u.masked) not in known]


def verdict_of(assessment: Assessment) -> tuple[object, ...]:
    """What an ``assessment`` event announces when it changes: the status, the triggers that hold (a presumed
    public place confirmed by a --public one keeps them but makes the incident reportable), the triggers that may
    hold, whether a file not read leaves the bound open, and what to check. Counts alone are not a change, the
    people bound's no more than the people found's: a log line held back below --min-confidence is no event of its
    own unless it changes one of these (it opens the check of held-back candidates, or makes the 100-people
    trigger possible); the counts are in every event's summary and in --metrics."""
    return (assessment.status, assessment.reason_ids(), [t.trigger_id for t in assessment.possible],
            assessment.bound.open, [check.check_id for check in assessment.checks])
