"""The pipeline: walk -> identify -> extract -> match -> fingerprint, over a pool of worker processes.

The parent walks and batches files; workers open, identify, extract and match, and send back only what
matters (findings, samples, unscanned entries; clean files as counts). Processes, not threads: Python's re
holds the GIL, and two processes give twice the speed where two threads lose. Results are merged and sorted
in :class:`~detector.result.ScanResult`, so the output does not depend on ``--jobs``.
"""

from __future__ import annotations

import concurrent.futures as futures
import csv
import errno
import io
import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .decode import SAMPLE_SIZE
from .errors import UnscannableFile
from .extract import Extractor, ForwardStream, Skipped, Source, TextUnit, registry
from .extract.containers import Expander
from .extract.text import TextExtractor
from .identify import DELIMITED, REFINED_KINDS, TEXT, FileKind, identify, refine, unsupported_reason
from .locations import PublicLocator
from .matcher import TextScanner
from .model import Candidate, Confidence, FileResult, Finding, Location, Sample, Unscanned
from .mynumber import mask
from .people import Fingerprinter
from .redact import redact
from .result import ScanResult
from .rules import Rules, load_rules
from .state import State, config_id
from .walk import FileRef, WalkOptions, WalkStats, exclude_rules, walk

log = logging.getLogger(__name__)

BATCH_FILES = 256
BATCH_BYTES = 16 * 1024 * 1024
STDIN = "-"


@dataclass(frozen=True)
class ScanOptions:
    """Everything that decides what a scan reads and reports (picklable: workers get a copy)."""

    key: bytes = field(repr=False)
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


class FileScanner:
    """Scans one file (or stream) into a FileResult. One per process; holds the compiled rules."""

    def __init__(self, options: ScanOptions, rules: Rules | None = None) -> None:
        self.options = options
        self.rules = rules or load_rules(options.rules_dirs)
        self.text_scanner = TextScanner(self.rules, options.engine)
        self.extractors = registry()
        self.expander = Expander(self.extractors, self.rules.limits)
        self.fingerprint = Fingerprinter(options.key)
        self.locator = PublicLocator(self.rules.public, options.public_paths)
        self._open_flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
        if not options.follow_symlinks:
            self._open_flags |= getattr(os, "O_NOFOLLOW", 0)
        self._noatime = getattr(os, "O_NOATIME", 0)

    # -- files ----------------------------------------------------------------------------------------

    def scan_file(self, path: str) -> FileResult:
        """Never raises for a bad file: every problem becomes an unscanned entry with its reason."""
        try:
            fd = self._open(path)
        except OSError as exc:
            return _unscanned(path, _os_reason(exc))
        try:
            with io.FileIO(fd, "rb", closefd=True) as stream:
                return self._scan_open(path, stream, os.fstat(fd))
        except UnscannableFile as exc:
            return _unscanned(path, redact(exc.reason))
        except OSError as exc:
            return _unscanned(path, _os_reason(exc))
        except MemoryError:
            return _unscanned(path, "not enough memory to scan this file")
        except Exception as exc:
            log.debug("internal error on %s: %s", path, redact(repr(exc)))
            return _unscanned(path, f"internal error ({type(exc).__name__}); please report this file type")

    def _open(self, path: str) -> int:
        """Read-only, non-blocking (a FIFO swapped in after the walk cannot hang us), without updating the
        access time where the kernel allows it: the scan must not change what it scans."""
        if self._noatime:
            try:
                return os.open(path, self._open_flags | self._noatime)
            except PermissionError:
                self._noatime = 0  # only the owner (or root) may ask for O_NOATIME
        return os.open(path, self._open_flags)

    def _scan_open(self, path: str, stream: io.FileIO, st: os.stat_result) -> FileResult:
        """Unbuffered: the extractors read big chunks, and a small file is read once, for its head."""
        if not stat.S_ISREG(st.st_mode):
            from .walk import special_file_reason

            return _unscanned(path, special_file_reason(st.st_mode) or "not a regular file")
        limit = self.options.max_file_size
        if limit is not None and st.st_size > limit:
            return _unscanned(path, f"too large: {st.st_size} bytes, over --max-file-size {limit}")
        head = stream.read(SAMPLE_SIZE)
        kind = identify(head)
        if kind.name in REFINED_KINDS:  # a zip or OLE2 file: its members say what it is
            kind = refine(kind, stream)
            stream.seek(len(head))
        extractor = self.extractors.get(kind.name)
        if extractor is None:
            return _unscanned(path, unsupported_reason(kind), kind=kind.name)
        result = self._run(path, extractor, Source(path, stream, head, st.st_size), kind)
        result.size = st.st_size
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

    # -- the stages after identify --------------------------------------------------------------------------

    def _run(self, path: str, extractor: Extractor, source: Source, kind: FileKind) -> FileResult:
        found: list[Candidate] = []
        skipped: list[Unscanned] = []
        try:
            self._collect(self.expander.items(extractor, source), path, kind, found, skipped)
        except csv.Error:
            # A table the csv module rejects is still text worth scanning, without column context.
            found.clear()
            source.stream = source.from_start()
            source.stream.read(len(source.head))
            kind = FileKind(TEXT, "text (malformed table)")
            self._collect(self.expander.items(TextExtractor(), source), path, kind, found, skipped)
        except UnscannableFile as exc:
            if not found and not skipped:
                raise
            # What was read before the damage is kept: a truncated copy of an archive still exposes people.
            skipped.append(Unscanned(path, f"partly scanned: {redact(exc.reason)}", kind=kind.name))
        result = self.findings_of(path, found, kind.name)
        result.unscanned = skipped
        return result

    def _collect(self, items: Iterable[TextUnit | Skipped], path: str, kind: FileKind, found: list[Candidate],
                 skipped: list[Unscanned]) -> None:
        for item in items:
            if isinstance(item, TextUnit):
                found.extend(self.text_scanner.scan_unit(item))
            else:
                skipped.append(Unscanned(path, redact(item.reason), item.member or None, item.kind))

    def findings_of(self, path: str, candidates: list[Candidate], kind: str) -> FileResult:
        """Candidates become findings (fingerprinted, masked) or samples; raw digits end here."""
        result = FileResult(path=path, kind=kind)
        if not candidates:
            return result
        public_reason = self.locator.reason(path)
        minimum = self.options.min_confidence
        best: dict[tuple[Location, str], tuple[Finding, str]] = {}
        held_back: dict[tuple[Location, str], Confidence] = {}
        for candidate in candidates:
            sample_id = self.rules.samples.get(candidate.digits)
            if sample_id is not None:
                result.samples.append(Sample(path, candidate.location, mask(candidate.digits), sample_id))
                continue
            fingerprint = self.fingerprint(candidate.digits)
            key = (candidate.location, fingerprint)
            if candidate.confidence < minimum:
                # Below the bar: only counted (findings and distinct people), so workers send back no more.
                if candidate.confidence > held_back.get(key, 0):
                    held_back[key] = candidate.confidence
                continue
            if key in best and best[key][0].confidence >= candidate.confidence:
                continue
            best[key] = (Finding(
                path=path, location=candidate.location, masked=mask(candidate.digits), fingerprint=fingerprint,
                confidence=candidate.confidence, reasons=candidate.reasons, public=public_reason is not None,
                public_reason=public_reason,
                items=self.text_scanner.items.near(candidate.around, candidate.headers),
            ), candidate.digits)
        for key, confidence in held_back.items():
            if key not in best:
                result.held_back[confidence.label] = result.held_back.get(confidence.label, 0) + 1
                result.held_back_people.add(key[1])
        result.findings = [finding for finding, _ in best.values()]
        if self.options.reveal:
            result.revealed = {i: digits for i, (_, digits) in enumerate(best.values())}
        return result


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


# -- many files ----------------------------------------------------------------------------------------

_worker: FileScanner | None = None  # in a worker: the parent's scanner, inherited through fork


Batch = tuple[list[FileResult], list[tuple[str, int, str]]]  # notable results; clean files (path, size, kind)


def _scan_batch(paths: list[str]) -> Batch:
    """Scan a batch in a worker; files with nothing to report come back as (path, size, kind) only."""
    assert _worker is not None
    return _scan_batch_with(_worker, paths)


def _scan_batch_with(scanner: FileScanner, paths: list[str]) -> Batch:
    notable: list[FileResult] = []
    clean: list[tuple[str, int, str]] = []
    for path in paths:
        result = scanner.scan_file(path)
        if result.notable:
            notable.append(result)
        else:
            clean.append((path, result.size, result.kind))
    return notable, clean


ProgressCallback = Callable[[int, int, int], None]  # files, bytes, findings so far


def scan_paths(paths: Iterable[str], options: ScanOptions, progress: ProgressCallback | None = None,
               stdin: BinaryIO | None = None) -> ScanResult:
    """Scan files and folders (``-`` is standard input) and return the finished result."""
    rules = load_rules(options.rules_dirs)
    roots = list(paths)
    key_id = Fingerprinter(options.key).key_id
    result = ScanResult(key_id=key_id, min_confidence=options.min_confidence, roots=roots,
                        rules=list(rules.sources))
    state = open_state(options, rules, key_id)
    walk_options = WalkOptions(options.follow_symlinks, rules.excludes + exclude_rules(options.excludes),
                               options.skip_inodes | own_files(options.state_path))
    stats = WalkStats()
    file_roots = [root for root in roots if root != STDIN]
    jobs = options.jobs or os.cpu_count() or 1
    local = FileScanner(options, rules)
    if STDIN in roots:
        result.add(local.scan_stream(stdin or _stdin()))

    def report() -> None:
        if progress is not None:
            progress(result.files_scanned, result.bytes_scanned, len(result.findings))

    incremental = _Incremental(state, result, options.reveal) if state is not None else None
    entries: Iterable[FileRef | Unscanned] = walk(file_roots, walk_options, stats, incremental)
    try:
        if incremental is not None:
            entries = incremental.changed(entries)
        if jobs <= 1:
            for entry in entries:
                if isinstance(entry, FileRef):
                    file_result = local.scan_file(entry.path)
                    result.add(file_result)
                    if incremental is not None:
                        incremental.scanned(entry.path, file_result)
                else:
                    result.add(_as_result(entry))
                report()
        else:
            local.text_scanner.warm()
            _scan_parallel(entries, local, jobs, result, report, incremental)
        if incremental is not None:
            incremental.forget_unseen(file_roots)
    finally:
        if state is not None:
            state.close()
    result.excluded = stats.excluded
    return result.finish(rules.triggers)


def own_files(state_path: str | None) -> frozenset[tuple[int, int]]:
    """(device, inode) of the state file and its SQLite companions, so a walk over their folder skips them."""
    if state_path is None:
        return frozenset()
    found = set()
    for path in (state_path, state_path + "-wal", state_path + "-shm", state_path + "-journal"):
        try:
            st = os.stat(path)
        except OSError:
            continue
        found.add((st.st_dev, st.st_ino))
    return frozenset(found)


def open_state(options: ScanOptions, rules: Rules, key_id: str) -> State | None:
    if options.state_path is None:
        return None
    config = config_id(rules.sources, min_confidence=options.min_confidence.label,
                       public=sorted(options.public_paths), max_file_size=options.max_file_size,
                       follow_symlinks=options.follow_symlinks)
    return State(options.state_path, key_id, config)


class _Incremental:
    """With a state file: unchanged files' results come from the state; the rest are scanned and stored."""

    def __init__(self, state: State, result: ScanResult, reveal: bool) -> None:
        self.state, self.result, self.reveal = state, result, reveal
        self.known = state.known()
        self.refs: dict[str, FileRef] = {}  # files being scanned, for their identity when the result comes
        self.seen: set[str] = set()
        self.clean_files = self.clean_bytes = 0
        self.clean_kinds: Counter[str] = Counter()

    def unchanged(self, absolute: str, path: str, st: os.stat_result) -> bool:
        """Asked by the walk for each regular file: True when the state's result stands (it is added to the
        result here, clean files as counts), False when the file must be read."""
        return self._reuse(absolute, path, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))

    def _reuse(self, absolute: str, path: str, identity: tuple[int, int, int, int]) -> bool:
        self.seen.add(absolute)
        known = self.known.get(absolute)
        if known is None or known[0] != identity:
            return False
        if not known[2]:
            self.clean_files += 1
            self.clean_bytes += identity[2]
            self.clean_kinds[known[1]] += 1
            return True
        if self.reveal:
            return False  # files with findings are read again: the state never holds raw numbers
        stored = self.state.result(absolute, path)
        if stored is None:
            return False
        self.result.add(stored)
        return True

    def changed(self, entries: Iterable[FileRef | Unscanned]) -> Iterator[FileRef | Unscanned]:
        """The entries to scan (the walk already left out unchanged files, except roots given as files)."""
        for entry in entries:
            if isinstance(entry, FileRef):
                key = entry.path if entry.path.startswith("/") else os.path.abspath(entry.path)
                if key not in self.seen and self._reuse(key, entry.path, entry.identity):
                    continue
                self.seen.add(key)
                self.refs[entry.path] = entry
            yield entry
        self.result.add_clean(self.clean_files, self.clean_bytes, self.clean_kinds)

    def scanned(self, path: str, file_result: FileResult) -> None:
        ref = self.refs.pop(path, None)
        if ref is not None:
            self.state.put(os.path.abspath(path), ref.identity, file_result)

    def scanned_clean(self, path: str, kind: str) -> None:
        ref = self.refs.pop(path, None)
        if ref is not None:
            self.state.put_clean(os.path.abspath(path), ref.identity, kind)

    def forget_unseen(self, roots: list[str]) -> None:
        """Files under this run's roots that were not seen are gone (or now excluded): forget them. Files
        under other roots sharing the state file are kept."""
        prefixes = tuple(os.path.abspath(root).rstrip("/") + "/" for root in roots)
        absolute_roots = {os.path.abspath(root) for root in roots}
        every = self.known.keys() if self.known else self.state.every_path()
        gone = [path for path in every if path not in self.seen
                and (path in absolute_roots or path.startswith(prefixes))]
        if gone:
            log.info("state: %d files are gone since the last scan", len(gone))
            self.state.forget(gone)


def _stdin() -> BinaryIO:
    import sys

    return sys.stdin.buffer


def _as_result(entry: Unscanned) -> FileResult:
    return FileResult(path=entry.path, kind="unscanned", scanned=False, unscanned=[entry])


def _batches(entries: Iterable[FileRef | Unscanned], result: ScanResult) -> Iterator[list[str]]:
    """Batches of paths, small enough to balance two workers on a few big files."""
    batch: list[str] = []
    size = 0
    for entry in entries:
        if isinstance(entry, Unscanned):
            result.add(_as_result(entry))
            continue
        batch.append(entry.path)
        size += entry.size
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _scan_parallel(entries: Iterable[FileRef | Unscanned], scanner: FileScanner, jobs: int, result: ScanResult,
                   report: Callable[[], None], incremental: _Incremental | None = None) -> None:
    """Workers are forked from this process after ``scanner`` compiled its rules and prefilters, so each
    starts ready (compiling in every worker cost more than scanning 10,000 small files)."""
    import multiprocessing  # only here: 7 ms of start-up that --jobs 1 does not need

    global _worker
    _worker = scanner
    context = multiprocessing.get_context("fork")
    with futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending: set[futures.Future[Batch]] = set()

        def collect(done: Iterable[futures.Future[Batch]]) -> None:
            for future in done:
                notable, clean = future.result()
                for file_result in notable:
                    result.add(file_result)
                    if incremental is not None:
                        incremental.scanned(file_result.path, file_result)
                result.add_clean(len(clean), sum(size for _, size, _ in clean),
                                 Counter(kind for _, _, kind in clean))
                if incremental is not None:
                    for path, _, kind in clean:
                        incremental.scanned_clean(path, kind)
            report()

        for batch in _batches(entries, result):
            pending.add(pool.submit(_scan_batch, batch))
            if len(pending) >= jobs * 4:
                done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                collect(done)
        while pending:
            done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
            collect(done)
