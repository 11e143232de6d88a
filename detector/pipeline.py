"""The pipeline: walk -> scan each file (:mod:`detector.scanner`) -> merge, over a pool of worker processes.

The parent walks and batches files; workers open, identify, extract and match, and send back only what
matters (findings, samples, unscanned entries; clean files as counts). Processes, not threads: Python's re
holds the GIL, and two processes give twice the speed where two threads lose. Results are merged and sorted
in :class:`~detector.result.ScanResult`, so the output does not depend on ``--jobs``. With a state file,
:mod:`detector.incremental` decides which files need reading at all; the scanner is loaded only when one does.

``--reveal``'s raw numbers never ride on a result: a worker sends the people stage's stream of them
(:class:`~detector.people.Revealed`) beside its batch, and the parent puts them into the caller's
:class:`~detector.people.RevealedNumbers`, the sink only the 0600 ``--reveal`` output reads.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import os
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, Protocol

from .errors import ScanError, UsageError
from .fs.lister import Lister, default_lister
from .locations import check_public_paths
from .messages import text
from .model import STDIN, Excluded, FileResult, Finding, ScanOptions, Unscanned
from .parts import SPLIT_BYTES, FilePart, Joined, PartJoiner, PartResult, plan
from .people import Fingerprinter, Revealed, RevealedNumbers
from .result import FoundSink, ScanResult
from .rules import Rules, load_rules
from .scanlog import scan_traced, skipped, told, told_clean, tracing
from .selection import Selection, Shard, include_rules, listed_names
from .walk import FileRef, FolderListing, WalkOptions, WalkStats, exclude_rules, walk_folders

if TYPE_CHECKING:
    import concurrent.futures as futures

    from .incremental.changes import Incremental
    from .incremental.prefetch import StatPrefetch
    from .incremental.store import State
    from .scanner import FileScanner

__all__ = ["ScanOptions", "scan_batch", "scan_paths"]

log = logging.getLogger(__name__)

Walked = FolderListing | FileRef | Unscanned
Work = list[str] | FilePart  # a batch: the paths of files read whole, or a part of a large file

BATCH_FILES = 256
# Small enough that a folder of scanned pages (100-200 KB each, a second of OCR each) is cut into batches of a
# few pages, which the workers share: at 16 MiB a folder of 64 pages was one batch, read by one worker. Text
# files reach BATCH_FILES first, and logs are a batch each either way (docs/performance.md: no change on them).
BATCH_BYTES = 1024 * 1024


# -- many files ----------------------------------------------------------------------------------------

_worker: FileScanner | None = None  # in a worker: the parent's scanner, inherited through fork


class Batch(NamedTuple):
    """What a worker sends back for a batch: the results with something to report, clean files as counts, and
    each clean file's (path, kind) only when a state file must record it (pickling 100,000 tuples back to the
    parent cost more than the counts)."""

    notable: list[FileResult]
    clean_files: int
    clean_bytes: int
    clean_kinds: dict[str, int]
    clean: list[tuple[str, str]]
    host: str | None = None  # the machine that read the batch (each notable result names it too)
    part: PartResult | None = None  # a part of a large file (detector.parts), joined in the parent


def _scan_batch(paths: Work, listed: bool) -> tuple[Batch, list[Revealed]]:
    """Scan a batch in a worker: the batch, and apart from it the ``--reveal`` stream of its findings."""
    assert _worker is not None
    return scan_batch(_worker, paths, listed)


def scan_batch(scanner: FileScanner, paths: Work, listed: bool) -> tuple[Batch, list[Revealed]]:
    """Scan a batch where it runs, and say which host read it: asked here, in the process reading the files. A
    part of a large file comes back as it is, to be joined with the file's other parts (:func:`_joined`)."""
    if isinstance(paths, FilePart):
        part = scanner.scan_part(paths)
        host = scanner.options.reading_host()
        if part.result is not None:
            part.result.host = host
        return Batch([], 0, 0, {}, [], host, part), scanner.people.take_revealed()
    notable, clean = scan_traced(scanner, paths) if tracing() else scanner.scan_files(paths)
    host = scanner.options.reading_host()
    for file_result in notable:
        file_result.host = host
    batch = Batch(notable, len(clean), sum(size for _, size, _ in clean), Counter(kind for _, _, kind in clean),
                  [(path, kind) for path, _, kind in clean] if listed else [], host)
    return batch, scanner.people.take_revealed()


ProgressCallback = Callable[[int, int, int], None]  # files, bytes, findings so far


def scan_paths(paths: Iterable[str], options: ScanOptions, progress: ProgressCallback | None = None,
               stdin: BinaryIO | None = None, prefetch: StatPrefetch | None = None,
               revealed: RevealedNumbers | None = None,
               baseline: Callable[[Finding], str | None] | None = None,
               runner: BatchRunner | None = None, stream: FoundSink | None = None) -> ScanResult:
    """Scan files and folders (``-`` is standard input) and return the finished result. ``prefetch``, started
    with the same state file and roots, has stat'ed some folders already (it is stopped here). With
    ``options.reveal``, the raw numbers of the findings go into ``revealed``, never into the result. ``baseline``
    gives the reason a finding is accepted (:class:`detector.baseline.Baseline`), or None for a new one: accepted
    findings are set aside, their people still counted (:meth:`~detector.result.ScanResult.set_aside`).
    ``runner`` scans the batches of files (:class:`BatchRunner`); by default this machine's processes
    (:class:`ProcessPool`, ``options.jobs`` of them). ``stream`` is told of each file's findings as they are
    merged, and flushed after each batch (``--format jsonl``); the result is the same with or without it."""
    roots = list(paths)
    # a mistyped --public would change the verdict unnoticed; the names of a --files-from list may be anywhere
    check_public_paths(options.public_paths, roots if options.files_from is None else [*roots, "/"])
    rules = load_rules(options.rules_dirs)
    excludes = rules.excludes + exclude_rules(options.excludes)  # a bad --exclude stops the scan before the state
    selection = Selection(include_rules(options.includes), Shard(*options.shard) if options.shard else None)
    names_list = _open_names_list(options.files_from, roots, stdin) if options.files_from is not None else None
    key_id = Fingerprinter(options.key).key_id
    host = options.reading_host()  # of what this process reads: the walk's entries, standard input, folder names
    result = ScanResult(key_id=key_id, min_confidence=options.min_confidence, roots=roots, hosts=[host],
                        rules=list(rules.sources), host=host, stream=stream)
    state: State | None = None
    state_files: frozenset[tuple[int, int]] = frozenset()
    if options.state_path is not None:
        from .incremental.changes import open_state, own_files  # only here: a scan without --state needs no SQLite

        state = open_state(options, rules, key_id)  # first: the walk must know the state's files, to skip them
        state_files = own_files(options.state_path)
    jobs = options.jobs or os.cpu_count() or 1
    walk_options = WalkOptions(options.follow_symlinks, excludes, options.skip_inodes | state_files, selection,
                               options.one_file_system)
    stats = WalkStats()
    file_roots = [root for root in roots if root != STDIN]
    runner = runner or ProcessPool(jobs, prefetch)

    def report() -> None:
        if stream is not None:
            stream.flush()
        if progress is not None:
            progress(result.files_scanned, result.bytes_scanned, len(result.findings))

    entries: Iterator[Walked] | None = None
    try:
        incremental = _incremental(state, result, options.reveal, file_roots) if state is not None else None
        lister = _lister(incremental, jobs, runner, prefetch)
        entries = walk_folders(file_roots, walk_options, stats, incremental, lister,
                               listed_names(names_list) if names_list is not None else ())
        if incremental is not None:
            entries = incremental.changed(entries)
        first = _first_file(entries, result)
        local: FileScanner | None = None
        if first is not None or STDIN in roots:
            # Only now: the matchers and extractors take longer to load than an unchanged tree takes to check.
            from .scanner import FileScanner

            local = FileScanner(options, rules)
            if STDIN in roots:
                from_stdin = local.scan_stream(stdin or _stdin())
                _put_revealed(local.people.take_revealed(), revealed)  # before any fork: workers start with none
                result.add(from_stdin)  # after its numbers: a stream writing it may reveal them
            if first is not None:
                _scan_files(itertools.chain([first], entries), local, runner, result, report, incremental, revealed)
        _scan_folder_names(stats.named_folders, local, options, rules, result, revealed)
        if incremental is not None:
            incremental.forget_unseen(file_roots)
        report()  # what was added since the last batch (the walk's last entries, folder names) reaches the stream
    finally:
        if prefetch is not None:
            prefetch.stop()
        if isinstance(entries, Generator):
            entries.close()  # a walk left early: its descriptors and its stat thread
        if state is not None:
            state.close()
        if names_list is not None and options.files_from != STDIN:
            names_list.close()
    result.excluded = stats.excluded
    result.excluded_entries = [Excluded(path, rule) for path, rule in stats.excluded_entries]
    result.excluded_left_out.update(stats.excluded_left_out)
    if baseline is not None:
        result.set_aside(baseline)
    return result.finish(rules.triggers)


def _open_names_list(name: str, roots: list[str], stdin: BinaryIO | None) -> BinaryIO:
    """The ``--files-from`` list, open for reading as bytes (``-``: standard input, which then cannot also be a
    root); one that cannot be opened stops the scan before anything is read."""
    if name == STDIN:
        if STDIN in roots:
            raise UsageError(text("files_from.stdin_twice"))
        return stdin or _stdin()
    try:
        return open(name, "rb")  # closed by scan_paths when the walk ends
    except OSError as exc:
        raise UsageError(text("files_from.unreadable", name=name, reason=exc.strerror)) from None


def _incremental(state: State, result: ScanResult, reveal: bool, roots: list[str]) -> Incremental:
    from .incremental.changes import Incremental  # only here: a scan without --state needs no SQLite

    return Incremental(state, result, reveal, roots)


def _lister(incremental: Incremental | None, jobs: int, runner: BatchRunner,
            prefetch: StatPrefetch | None) -> Lister:
    """How the walk lists folders: for an incremental scan, through the listings the state remembers and what the
    prefetch stat'ed, and, with more than one process, with a second thread that stats ahead (a mostly unchanged
    tree is one stat per file), ended whenever files are handed out before the workers are forked."""
    lister = default_lister()
    if incremental is None:
        return lister
    from .fs.statahead import StatAhead  # only here, as the state: a plain scan lists each folder once
    from .incremental.listing import RememberingLister

    if jobs > 1:
        lister = StatAhead(lister, may_fork=runner.may_fork)
    return RememberingLister(lister, incremental, prefetch)


def _scan_folder_names(folders: list[str], scanner: FileScanner | None, options: ScanOptions, rules: Rules,
                       result: ScanResult, revealed: RevealedNumbers | None) -> None:
    """The numbers in the names of the folders walked (a folder named ``NNNNNNNNNNNN_山田``), one result a folder:
    found again at every scan, never stored (the walk sees every folder, an incremental one too), and only the
    folders whose name passed the walk's cheap test (:func:`~detector.names.may_hold_number`) are looked at."""
    if not folders:
        return
    if scanner is None:
        from .scanner import FileScanner

        scanner = FileScanner(options, rules)
    for folder in folders:
        named = scanner.scan_name(folder, "folder")
        _put_revealed(scanner.people.take_revealed(), revealed)  # before the result: a stream may reveal them
        result.add(named)


def _put_revealed(records: list[Revealed], revealed: RevealedNumbers | None) -> None:
    """The people stage's ``--reveal`` stream into the sink (taken even without one: it must not pile up)."""
    if revealed is not None:
        revealed.put(records)


def _first_file(entries: Iterator[Walked], result: ScanResult) -> FileRef | FolderListing | None:
    """The first file (or folder of files) to read; the entries before it (not read, with why) go straight into
    the result."""
    for entry in entries:
        if not isinstance(entry, Unscanned):
            return entry
        result.add(_as_result(entry))
    return None


def _scan_files(entries: Iterable[Walked], scanner: FileScanner, runner: BatchRunner, result: ScanResult,
                report: Callable[[], None], incremental: Incremental | None,
                revealed: RevealedNumbers | None = None) -> None:
    """The files scanned by the runner, merged into the result as they come back. Parts of split files are
    joined; the parts to read again in their file's encoding (:meth:`PartJoiner.take_again`) are given to the
    runner after the rest, shared between the workers as the first parts were."""
    joiner = PartJoiner()
    listed = incremental is not None
    work: Iterator[Work] = _batches(entries, result, runner.split_bytes())
    while True:
        for scanned in runner.scan(work, scanner, listed):
            if scanned[0].part is not None:
                whole = _joined(joiner.add(scanned[0].part, scanned[1]), scanner, listed)
                if whole is None:
                    continue  # parts of the file are still out
                scanned = whole
            _merge(scanned, result, incremental, revealed)
            report()
        again = joiner.take_again()
        if not again:
            return
        work = iter(again)


def _joined(joined: Joined | None, scanner: FileScanner, listed: bool) -> Scanned | None:
    """A split file's parts joined (:mod:`detector.parts`) as the batch of that one file, or the file read whole
    here when a part could not be read or its parts cannot be read in the encoding the whole-file read decides
    (:func:`~detector.parts.read_again`); None while parts of it are still out."""
    if joined is None:
        return None
    if joined.result is None:
        return scan_batch(scanner, [joined.path], listed)
    file_result = scanner.with_facts(joined.result)  # its facts are the whole file's: taken here (fs.facts)
    if file_result.notable:
        if tracing():
            told(file_result)  # -v: told once, joined, as a file read whole is
        return Batch([file_result], 0, 0, {}, [], file_result.host), joined.records
    if tracing():
        told_clean((file_result.path, file_result.size, file_result.kind))
    clean = [(file_result.path, file_result.kind)] if listed else []
    return Batch([], 1, file_result.size, {file_result.kind: 1}, clean, file_result.host), joined.records


def _merge(scanned: tuple[Batch, list[Revealed]], result: ScanResult, incremental: Incremental | None,
           revealed: RevealedNumbers | None) -> None:
    """A scanned batch into the result (clean files as counts), and into the state; its ``--reveal`` stream
    into the sink."""
    batch, records = scanned
    _put_revealed(records, revealed)
    for file_result in batch.notable:
        result.add(file_result)
        if incremental is not None:
            incremental.scanned(file_result.path, file_result)
    result.add_clean(batch.clean_files, batch.clean_bytes, batch.clean_kinds, batch.host)
    if incremental is not None:
        for path, kind in batch.clean:
            incremental.scanned_clean(path, kind)


def _stdin() -> BinaryIO:
    import sys

    return sys.stdin.buffer


def _as_result(entry: Unscanned) -> FileResult:
    skipped(entry)
    return FileResult(path=entry.path, kind="unscanned", scanned=False, unscanned=[entry])


def _batches(entries: Iterable[Walked], result: ScanResult, split: int | None = None,
             split_paths: set[str] | None = None) -> Iterator[Work]:
    """Batches of paths, small enough to balance two workers on a few big files: closed at BATCH_FILES files or
    once BATCH_BYTES are reached. A folder's files are cut into batches by slices. A plain-text file of ``split``
    bytes or more is read as parts, each a batch of its own (:mod:`detector.parts`)."""
    batch: list[str] = []
    size = 0
    # parts are joined by path: a path given twice (the same root twice) is read whole the second time
    split_paths = set() if split_paths is None else split_paths
    for entry in entries:
        if isinstance(entry, Unscanned):
            result.add(_as_result(entry))
            continue
        if split is not None and isinstance(entry, FolderListing) and max(entry.sizes, default=0) >= split:
            yield from _batches(entry.refs(), result, split, split_paths)
            continue
        if split is not None and isinstance(entry, FileRef) and entry.size >= split and entry.path not in split_paths:
            planned = plan(entry.path, entry.size, split // 2)
            if planned is not None:
                split_paths.add(entry.path)
                yield from planned
                continue
        if isinstance(entry, FileRef):
            batch.append(entry.path)
            size += entry.size
            if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
                yield batch
                batch, size = [], 0
            continue
        paths, sizes = entry.paths(), entry.sizes
        start = 0
        while start < len(paths):
            take = min(BATCH_FILES - len(batch), len(paths) - start)
            totals = list(itertools.accumulate(sizes[start:start + take], initial=size))[1:]
            reached = bisect.bisect_left(totals, BATCH_BYTES)  # the file that brings the batch to BATCH_BYTES
            take = min(take, reached + 1)
            batch.extend(paths[start:start + take])
            size = totals[take - 1]
            start += take
            if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
                yield batch
                batch, size = [], 0
    if batch:
        yield batch


# -- how batches are run ----------------------------------------------------------------------------

Scanned = tuple[Batch, list[Revealed]]  # a scanned batch, and apart from it the --reveal stream of its findings


class BatchRunner(Protocol):
    """The port batches of files are scanned through. Every runner scans a batch with the same per-file scanner
    (:func:`scan_batch` on a :class:`~detector.scanner.FileScanner` built from the scan's options and
    rules), wherever that runs, and hands the scanned batches back in any order: they are merged here, and the
    result is sorted, so it never depends on the runner. :class:`ProcessPool` (this machine's cores) is the
    default; :class:`detector.dask_scan.DaskRunner` runs the batches on a Dask cluster."""

    def may_fork(self) -> bool:
        """Whether this process may still fork its workers: until then the walk ends its stat thread whenever it
        hands out files (a fork copies only the forking thread)."""
        ...

    def split_bytes(self) -> int | None:
        """From which size a plain-text file is read as parts by several workers (:mod:`detector.parts`), or None:
        every file is one batch."""
        ...

    def scan(self, batches: Iterator[Work], scanner: FileScanner, listed: bool) -> Iterator[Scanned]:
        """Each batch scanned, as batches finish. ``scanner`` is this process's, ready; ``listed``: each clean
        file's (path, kind) is wanted (a state file records it)."""
        ...


class ProcessPool:
    """The default runner: this machine's processes. Workers are forked from this process after ``scanner``
    compiled its rules and prefilters, so each starts ready (compiling in every worker cost more than scanning
    10,000 small files); with one job, or fewer than two batches, the batches are scanned here (starting workers
    costs more than scanning a few files). The workers are :mod:`detector.forked`'s: a worker that stops (a file
    that crashes a reader) costs its batch's files a second reading, one by one, and a file that stops one on its
    own (or a part of a large file that does) is listed unscanned with how it stopped; the others are scanned."""

    def __init__(self, jobs: int, prefetch: StatPrefetch | None = None, split_bytes: int = SPLIT_BYTES) -> None:
        self.jobs = jobs
        self.split = split_bytes  # a plain-text file this large is read as parts (detector.parts)
        self.prefetch = prefetch  # stopped before the fork: the fork must copy a process with one thread
        self.started = False  # whether the workers have been forked

    def may_fork(self) -> bool:
        return not self.started

    def split_bytes(self) -> int | None:
        return self.split if self.jobs > 1 else None  # one process reads a file fastest whole

    def scan(self, batches: Iterator[Work], scanner: FileScanner, listed: bool) -> Iterator[Scanned]:
        if self.jobs > 1:
            head = list(itertools.islice(batches, 2))
            if len(head) == 2:
                if self.prefetch is not None:
                    self.prefetch.stop()
                scanner.text_scanner.warm()
                global _worker
                _worker = scanner
                yield from self._parallel(itertools.chain(head, batches), listed)
                return
            batches = iter(head)
        for batch in batches:
            yield scan_batch(scanner, batch, listed)

    def _parallel(self, batches: Iterator[Work], listed: bool) -> Iterator[Scanned]:
        from .forked import NoWorkerLeft, WorkerPool, WorkerStopped  # only here: --jobs 1 forks nothing

        again: deque[Work] = deque()  # the files of a batch whose worker stopped, one a batch
        last_stop = ""
        pool = WorkerPool(self.jobs, lambda batch: _scan_batch(batch, listed), _many_small)
        self.started = True
        try:
            for answer in pool.results(batches, again):
                if not isinstance(answer, WorkerStopped):
                    yield answer
                    continue
                last_stop = answer.how()
                stopped: Work = answer.batch
                if isinstance(stopped, list) and len(stopped) > 1:
                    again.extend([path] for path in stopped)
                    continue
                path = stopped.path if isinstance(stopped, FilePart) else stopped[0]
                yield Batch([_as_result(Unscanned(path, last_stop))], 0, 0, {}, []), []
        except NoWorkerLeft:
            raise ScanError(text("workers.none_left", how=last_stop)) from None
        finally:
            pool.close()


def _many_small(batch: Work) -> bool:
    """Whether a batch may wait behind another in a worker: one of several files (a batch of one is a large file,
    a part of one is long too)."""
    return isinstance(batch, list) and len(batch) > 1


class ExecutorPool(ProcessPool):
    """:class:`ProcessPool` on :class:`concurrent.futures.ProcessPoolExecutor`: the plain twin of its forked
    workers (the tests hold the two to the same results). A worker that stops breaks the pool, and the scan."""

    def _parallel(self, batches: Iterator[Work], listed: bool) -> Iterator[Scanned]:
        import concurrent.futures as futures
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with futures.ProcessPoolExecutor(self.jobs, mp_context=context) as pool:
            pending: set[futures.Future[Scanned]] = set()
            for batch in batches:
                pending.add(pool.submit(_scan_batch, batch, listed))
                # With "fork", the first submit starts every worker; at most one a submit in any case.
                if len(pending) >= self.jobs:
                    self.started = True
                if len(pending) >= self.jobs * 4:
                    done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                    yield from (future.result() for future in done)
            while pending:
                done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                yield from (future.result() for future in done)
