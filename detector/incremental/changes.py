"""Incremental scans: what a state file already knows, taken folder by folder as the walk lists them.

A folder whose listing (names and identities) equals its snapshot is taken whole; one that differs is compared
file by file; files read are stored as their results come back, and a folder's snapshot is written again once
all of its are back. Files under the roots that were not seen are forgotten.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, TypeVar

from ..fs.codec import Identity, changed_records, identity_at, packed_files, split_names
from ..fs.lister import FileRef, FolderListing, folder_prefix
from ..model import FileResult, ScanOptions
from ..ocr import installed as ocr_installed
from ..result import ScanResult
from ..rules import Rules
from ..walk import child_path
from .store import FolderSnapshot, State, config_id

log = logging.getLogger(__name__)
_Entry = TypeVar("_Entry")  # what the walk yields: files of folders, files given as roots, unscanned entries


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
                       follow_symlinks=options.follow_symlinks, results=RESULTS,
                       ocr=options.ocr and ocr_installed())
    return State(options.state_path, key_id, config, name_key=options.key)


# What a stored result holds, in the config digest: results of an earlier form are not reused (dropped, and the
# files read again). 2: numbers in file, member and sheet names are findings, and names with a number are stored
# masked; a state of form 1 says such a file is clean, and holds its name as it is. 3: pictures and image-only
# PDF pages are read by OCR (a state of form 2 lists them as not read). Whether OCR reads pictures (--no-ocr, an
# engine installed since) is in the digest too: a picture listed as not read is read once OCR can read it. 4: the
# possible numbers OCR could not read are kept apart (``unreadable_candidates``), no longer as unscanned entries.
RESULTS = 4


class _Reading(NamedTuple):
    """A file an incremental scan is reading: where its result goes in the state and in its folder's snapshot."""

    absolute: str
    identity: Identity
    folder: str | None  # its folder's absolute path; None for a file given as a root
    position: int  # in the folder's listing


_ListingColumns = tuple[bytes | None, bytes | None, bytes | None]  # a folder snapshot's last three columns


class _PendingSnapshot:
    """A folder's new snapshot, written once the results of the files being read in it are back: the files'
    kinds and whether each has a result are filled in as they come (a snapshot itself is stored, immutable)."""

    __slots__ = ("files", "kinds", "listed", "notable", "outstanding")

    def __init__(self, files: tuple[bytes, bytes] | None, count: int, listed: _ListingColumns) -> None:
        self.files = files  # names and identities, packed; None when an identity does not fit (no snapshot)
        self.listed = listed
        self.kinds = [""] * count
        self.notable = bytearray(count)
        self.outstanding = 0

    def snapshot(self) -> FolderSnapshot | None:
        if self.files is None:
            return None
        return FolderSnapshot(*self.files, "\0".join(self.kinds), bytes(self.notable), *self.listed)


class Incremental:
    """With a state file: unchanged files' results come from the state; the rest are scanned and stored.

    The walk hands over each folder's listing (see :class:`~detector.walk.KnownFiles`). A listing equal to the
    folder's snapshot is taken whole: its clean files counted in bulk, the few with findings loaded. A folder
    that differs is compared file by file, and its snapshot written again once the files read are back. The
    listings the snapshots remember are given to the walk's lister
    (:class:`~detector.incremental.listing.RememberingLister`) by :meth:`snapshot`."""

    def __init__(self, state: State, result: ScanResult, reveal: bool, roots: Iterable[str] = ()) -> None:
        self.state, self.result, self.reveal = state, result, reveal
        # The roots walked (absolute, outermost): only the files given one by one at or under them are remembered
        # in ``loose``, for forget_unseen; a --files-from list's other names (any number of them) are not held.
        self.under = _outermost(os.path.abspath(root) for root in roots)
        # A damaged row is as no snapshot: its folder is compared file by file, and its snapshot written again.
        self.stored = {path: snapshot for path, snapshot in state.folders().items() if snapshot.holds_together()}
        # Each folder walked: its files' names as joined bytes and how many (a tenth of the memory of the names as
        # strings, held until the end of the scan: 1,000,000 files cost 20 MB, not 75 MB).
        self.listed: dict[str, tuple[bytes, int]] = {}
        self.loose: set[str] = set()  # files given one by one (roots), at or under the roots
        self.building: dict[str, _PendingSnapshot] = {}
        self.reading: dict[str, _Reading] = {}  # by the path the file is read (and reported) under
        self.clean_files = self.clean_bytes = 0
        self.clean_kinds: Counter[str] = Counter()

    def changed_files(self, folder: FolderListing) -> list[int]:
        directory, absolute_dir, names, identities = folder.directory, folder.absolute, folder.names, folder.identities
        assert identities is not None  # the walk asks once the folder is stat'ed
        self.listed[absolute_dir] = (folder.joined, len(names))
        snapshot = self.stored.get(absolute_dir)
        # The files packed as a snapshot stores them: an unchanged folder is two pairs of bytes found equal.
        packed = packed_files(folder.joined, identities)
        unchanged = snapshot is not None and packed == (snapshot.names, snapshot.identities)
        listed = (folder.listed, folder.listed_files, folder.listed_others)
        build = _PendingSnapshot(packed, len(names), listed)
        if snapshot is not None and packed is not None and packed[0] == snapshot.names:
            # The same files in the same order: only those whose identity differs are looked at one by one.
            changed = changed_records(packed[1], snapshot.identities) if not unchanged else []
            todo = self._take_unchanged(directory, absolute_dir, names, identities, snapshot, build, changed)
        else:
            todo = self._compare_files(directory, absolute_dir, names, identities, snapshot, build)
        if todo:
            if snapshot is not None:
                self.state.drop_folder(absolute_dir)  # until the files read are back (a crash must not trust it)
            build.outstanding = len(todo)
            self.building[absolute_dir] = build
            for index in todo:
                self.reading[folder_prefix(directory) + names[index]] = _Reading(
                    child_path(absolute_dir, names[index]), identity_at(identities, index), absolute_dir, index)
        elif not unchanged:
            self._put_folder(absolute_dir, build)
        elif snapshot is not None and folder.listed is not None and snapshot[4:] != listed:
            # The same files, listed again (the folder's times moved, or its listing had not settled): the
            # listing is remembered as now made.
            self.state.put_folder(absolute_dir, FolderSnapshot(*snapshot[:4], *listed))
        return todo

    def snapshot(self, absolute_dir: str) -> FolderSnapshot | None:
        """The folder as the state remembers it, if it does (with the listing the last walk made of it, if
        kept)."""
        return self.stored.get(absolute_dir)

    def _put_folder(self, absolute_dir: str, build: _PendingSnapshot) -> None:
        snapshot = build.snapshot()
        if snapshot is None:
            self.state.drop_folder(absolute_dir)
        else:
            self.state.put_folder(absolute_dir, snapshot)

    def _take_unchanged(self, directory: str, absolute_dir: str, names: list[str], identities: Sequence[int],
                        snapshot: FolderSnapshot, build: _PendingSnapshot, changed: list[int]) -> list[int]:
        """A folder as the snapshot has it, but for the files at ``changed`` (same names, other identities):
        clean files counted in bulk, files with results loaded (or, with --reveal, read again), changed files
        taken from their own record when it knows them as they are (``watch`` wrote it), else read; the indices
        of files to read."""
        kinds = _kinds(snapshot.kinds, len(snapshot.notable), self.clean_kinds)
        build.kinds, build.notable = kinds, bytearray(snapshot.notable)
        numbers = snapshot.numbers()
        self.clean_files += len(kinds)
        self.clean_bytes += sum(numbers[2::4])
        todo = []
        notable = []
        index = snapshot.notable.find(1)
        while index >= 0:
            notable.append(index)
            index = snapshot.notable.find(1, index + 1)
        is_changed = set(changed)
        prefix = folder_prefix(directory)
        for index in sorted(is_changed.union(notable)):
            self.clean_files -= 1  # counted in bulk above, taken one by one here
            self.clean_bytes -= numbers[4 * index + 2]
            self.clean_kinds[kinds[index]] -= 1
            absolute, path = child_path(absolute_dir, names[index]), prefix + names[index]
            if index in is_changed:
                if not self._take_recorded(absolute, path, identity_at(identities, index), None, build, index):
                    todo.append(index)
            elif not self._take_result(absolute, path, identity_at(numbers, index)):
                todo.append(index)
        return todo

    def _compare_files(self, directory: str, absolute_dir: str, names: list[str], identities: Sequence[int],
                       snapshot: FolderSnapshot | None, build: _PendingSnapshot) -> list[int]:
        """A folder that differs from its snapshot (or has none): file by file, against the snapshot, or the
        file's own record when the snapshot does not know it as it is (written by ``watch``, or left by an
        interrupted scan)."""
        before = snapshot.by_name() if snapshot is not None else {}
        todo = []
        for index, name in enumerate(names):
            if not self._take_recorded(child_path(absolute_dir, name), folder_prefix(directory) + name,
                                       identity_at(identities, index), before.get(name), build, index):
                todo.append(index)
        return todo

    def _take_recorded(self, absolute: str, path: str, identity: Identity, known: tuple[Identity, str, int] | None,
                       build: _PendingSnapshot, index: int) -> bool:
        """True when a file whose folder changed is known as it is: by ``known`` (its folder's snapshot), else
        by its own record (written by ``watch``, or left by an interrupted scan); its result is then taken and
        its kind noted in the folder's new snapshot. False when it must be read."""
        record = known if known is not None and known[0] == identity else self.state.record(absolute)
        if record is None or record[0] != identity or not self._take(absolute, path, record):
            return False
        build.kinds[index], build.notable[index] = record[1], record[2]
        return True

    def _take(self, absolute: str, path: str, record: tuple[Identity, str, int]) -> bool:
        """True when the state's result of one unchanged file stands (it is added to the result here, a
        clean file as counts), False when the file must be read."""
        identity, kind, notable = record
        if notable:
            return self._take_result(absolute, path, identity)
        self.clean_files += 1
        self.clean_bytes += identity[2]
        self.clean_kinds[kind] += 1
        return True

    def _take_result(self, absolute: str, path: str, identity: Identity) -> bool:
        if self.reveal:
            return False  # files with findings are read again: the state never holds raw numbers
        stored = self.state.result(absolute, path, identity)
        if stored is None or (stored.facts is None and (stored.findings or stored.unreadable)):
            return False  # a file with findings stored without its facts (an older state, watch) is read again
        self.result.add(stored)
        return True

    def changed(self, entries: Iterable[_Entry]) -> Iterator[_Entry]:
        """The entries to scan: the walk already left out unchanged files of folders; a file given one by one (a
        root, a name of ``--files-from``) is looked up here."""
        for entry in entries:
            if isinstance(entry, FileRef) and entry.path not in self.reading:
                absolute = os.path.abspath(entry.path)
                first = absolute not in self.loose
                if self._under_roots(absolute):
                    self.loose.add(absolute)
                record = self.state.record(absolute)
                if first and record is not None and record[0] == entry.identity and self._take(absolute, entry.path,
                                                                                                record):
                    continue
                self.reading[entry.path] = _Reading(absolute, entry.identity, None, 0)
            yield entry
        self.result.add_clean(self.clean_files, self.clean_bytes, +self.clean_kinds)

    def _under_roots(self, absolute: str) -> bool:
        return any(absolute == top or absolute.startswith(top.rstrip("/") + "/") for top in self.under)

    def scanned(self, path: str, file_result: FileResult) -> None:
        reading = self.reading.pop(path, None)
        if reading is not None:
            self.state.put(reading.absolute, reading.identity, file_result)
            self._done(reading, file_result.kind, file_result.notable)

    def scanned_clean(self, path: str, kind: str) -> None:
        reading = self.reading.pop(path, None)
        if reading is not None:
            self.state.put_clean(reading.absolute, reading.identity, kind)
            self._done(reading, kind, False)

    def _done(self, reading: _Reading, kind: str, notable: bool) -> None:
        if reading.folder is None or (build := self.building.get(reading.folder)) is None:
            return
        build.kinds[reading.position] = kind
        build.notable[reading.position] = notable
        build.outstanding -= 1
        if build.outstanding == 0:
            del self.building[reading.folder]
            self._put_folder(reading.folder, build)

    def forget_unseen(self, roots: list[str]) -> None:
        """Files under this run's roots that were not seen are gone (or now excluded): forget them, and the
        snapshots of folders that were not walked. Files under other roots sharing the state file are kept.
        Every file seen is in the state by now, so equal counts mean nothing is gone."""
        under = _outermost(os.path.abspath(root) for root in roots)
        seen = sum(count for _, count in self.listed.values()) + len(self.loose)
        if self.state.count_under(under) != seen:
            stored = self.state.storable
            paths = {stored(child_path(folder, name)) for folder, (joined, _) in self.listed.items()
                     for name in split_names(joined)}
            paths.update(map(stored, self.loose))
            gone = [path for path in self.state.paths_under(under) if path not in paths]
            if gone:
                log.info("state: %d files are gone since the last scan", len(gone))
                self.state.forget(gone)
        walked = set(map(self.state.storable, self.listed))
        for folder in self.state.folders_under(under):
            if folder not in walked:
                self.state.drop_folder(folder)
        self.state.remember_counts(under)


def _kinds(joined: str, count: int, counts: Counter[str]) -> list[str]:
    """The ``count`` files' kinds of a snapshot (joined by NUL), each counted into ``counts``. Most folders hold
    files of one kind: such a folder is recognised by its length and one comparison, and counted at once
    (splitting and counting the kinds one by one was a visible share of an unchanged rescan)."""
    if not count:
        return []
    first = joined[:joined.find("\0")] if count > 1 else joined
    if len(joined) == count * (len(first) + 1) - 1 and joined == "\0".join((first,) * count):
        counts[first] += count
        return [first] * count
    kinds = joined.split("\0")
    counts.update(kinds)
    return kinds


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths that are not under another one of them (a file is counted once when roots nest)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path == top or path.startswith(top.rstrip("/") + "/") for top in kept):
            kept.append(path)
    return kept
