"""The state file: what earlier scans learned about each file, so a scheduled scan reads only what changed.

An SQLite database (created 0600) keeps, per file, its identity (device, inode, size, modification time) and
its result: fingerprints, masked numbers and locations, never a raw number. A scan with ``--state`` reuses the
result of every file whose identity is unchanged, scans the others, forgets files that are gone, and reports
the whole as if it had read everything.

It survives a crash: results are committed in small transactions while the scan runs (SQLite's write-ahead log
makes each commit atomic), so an interrupted scan leaves a state the next run uses for what was done. A file
that is not a state file of this tool, or one made with another fingerprint key, is refused with a clear error,
never silently reset. When the rules or the options that shape results change, old results are not reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from array import array
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..errors import UsageError
from ..fs.codec import (
    IDENTITY_BYTES,
    Identity,
    identity_at,
    join_names,
    listed_is_valid,
    split_names,
    unpacked_identities,
)
from ..model import FileResult
from ..names import StateNames, may_hold_number

log = logging.getLogger(__name__)

APPLICATION = "mynumber-state"
VERSION = 1
COMMIT_EVERY_FILES = 2000
COMMIT_EVERY_SECONDS = 2.0
# The state file's first bytes read through a mapping (see the PRAGMA below), the rest with read(): a mapped page
# counts in the process's memory (RSS) once touched, and a rescan touches most of the file, so the mapping is
# bounded as memory must be on any tree (a state of 1,000,000 files is 235 MB). 64 MiB maps a state of about
# 250,000 files whole; a rescan of 1,000,000 costs the same CPU time as with 256 MiB (docs/performance.md).
MMAP_BYTES = 64 * 1024 * 1024
_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,
    result TEXT  -- json of the file's result when it has something to report; NULL for a clean file
);
"""
# How far `mynumber watch` has read each followed file (logs grow); created on demand.
_FOLLOW = "CREATE TABLE IF NOT EXISTS follow (path TEXT PRIMARY KEY, offset INTEGER NOT NULL, lines INTEGER NOT NULL)"
# A snapshot of each folder as the last scan left it (see FolderSnapshot); added to older states on first use.
_FOLDERS = """
CREATE TABLE IF NOT EXISTS folders (
    path TEXT PRIMARY KEY,
    names BLOB NOT NULL,       -- the files' names, UTF-8 (undecodable bytes kept), joined by NUL
    identities BLOB NOT NULL,  -- (device, inode, size, mtime_ns) of each file, as signed 64-bit integers
    kinds TEXT NOT NULL,       -- each file's kind, joined by NUL
    notable BLOB NOT NULL      -- one byte per file: 1 when it has a stored result (anything to report)
)"""
# The listing a folder's snapshot was made from, when the walk may take it again (see fs.codec.listing_stands);
# a table of its own, so the prefetch that starts with the command reads it fast (a ms instead of four).
_LISTINGS = """
CREATE TABLE IF NOT EXISTS listings (
    path TEXT PRIMARY KEY,
    listed BLOB NOT NULL,      -- the folder's (device, inode, mtime_ns, ctime_ns) and when it was listed
    files BLOB NOT NULL,       -- the regular files' names, UTF-8 (undecodable bytes kept), joined by NUL
    others BLOB NOT NULL       -- the other entries, each after a byte giving its kind, joined by NUL
)"""


class StateError(UsageError):
    """The state file cannot be used; the message says why and what to do."""


def config_id(rules_sources: Iterable[str], **options: Any) -> str:
    """A digest of what shapes a file's result: the rules' text and the result-shaping options."""
    digest = hashlib.sha256()
    for source in rules_sources:
        with contextlib.suppress(OSError), open(source, "rb") as handle:
            digest.update(handle.read())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def storable(path: str) -> str:
    """``path`` as SQLite can store it: a name that is not valid UTF-8 (its bytes kept by Python as surrogates)
    gets its undecodable bytes written as ``\\xNN``, so such a file is remembered instead of failing the scan."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


class FolderSnapshot(NamedTuple):
    """A folder as the state remembers it, as stored: its files as the last scan left them (names in listing
    order, identities, kinds, and which have a stored result) and, where the walk may take it again instead of
    reading the folder (:func:`~detector.fs.codec.listing_stands`), the listing they came from; all in the
    layouts of :mod:`detector.fs.codec`. A folder's files as the walk stat'ed them
    (:class:`~detector.fs.lister.FolderListing`) are packed the same way (:mod:`detector.incremental.changes`)
    and the bytes compared, so an unchanged folder costs no Python work per file; its clean files are then
    counted in bulk."""

    names: bytes  # UTF-8 (undecodable bytes kept), joined by NUL
    identities: bytes  # (device, inode, size, mtime_ns) of each file, signed 64-bit integers
    kinds: str  # joined by NUL
    notable: bytes  # one byte a file: 1 when it has a stored result
    # The folder's own listing, when the walk may take it instead of listing again (see codec.listing_stands):
    listed: bytes | None = None  # (device, inode, mtime_ns, ctime_ns, listed_at_ns), signed 64-bit integers
    listed_files: bytes | None = None  # the regular files' names as listed, joined
    listed_others: bytes | None = None  # the other entries, as codec.join_others joins them

    def holds_together(self) -> bool:
        """The columns agree on the number of files (a damaged row is treated as no snapshot)."""
        if not (isinstance(self.names, bytes) and isinstance(self.identities, bytes) and isinstance(self.kinds, str)
                and isinstance(self.notable, bytes)):
            return False
        if (self.listed, self.listed_files, self.listed_others) != (None, None, None) and not (
                listed_is_valid(self.listed) and isinstance(self.listed_files, bytes)
                and isinstance(self.listed_others, bytes)):
            return False
        count = len(self.notable)
        files_in_kinds = self.kinds.count("\0") + 1 if self.kinds else 0
        files_in_names = self.names.count(0) + 1 if self.names else 0
        return len(self.identities) == IDENTITY_BYTES * count and files_in_kinds == count == files_in_names

    def listed_files_and_others(self) -> bytes:
        """The names of the folder's remembered listing (its files and its other entries), when it has one."""
        return (self.listed_files or b"") + b"\0" + (self.listed_others or b"")

    def numbers(self) -> array[int]:
        return unpacked_identities(self.identities)

    def by_name(self) -> dict[str, tuple[Identity, str, int]]:
        """Each file's identity, kind and whether it has a result (for a folder that changed)."""
        names = split_names(self.names)
        kinds = self.kinds.split("\0") if self.kinds else []
        flat = self.numbers().tolist()
        return {name: (identity_at(flat, index), kind, flag)
                for index, (name, kind, flag) in enumerate(zip(names, kinds, self.notable, strict=True))}


class State:
    """One open state file."""

    def __init__(self, path: str, key_id: str, config: str, name_key: bytes | None = None) -> None:
        self.path = path
        # A file, folder or member name may hold a My Number: stored masked and tagged under the scan's key.
        self.names = StateNames(name_key) if name_key is not None else None
        self.files_written = False  # in this transaction: the stored counts of files were dropped in it
        self.db = self._open(path)
        self._check(key_id)
        self.db.execute(_FOLDERS)
        self.db.execute(_LISTINGS)
        stored = self._meta("config")
        self.reusable = stored == config
        self.following = False  # the follow table (watch's offsets) is known to exist
        if stored is not None and not self.reusable:
            log.info("%s: the rules or options changed since the last scan; every file is read again", path)
            self._clear()
        if not self.reusable:
            self._set_meta("config", config)
        self.db.commit()  # nothing to write (no fsync) when the state is reused as it is
        self.empty = self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM files)").fetchone()[0] == 1
        self.pending = 0
        self.last_commit = time.monotonic()

    def _clear(self) -> None:
        """Results made under other rules or options are never reused, not even by a later scan of another
        root with the new ones: they are dropped."""
        self.db.execute("DELETE FROM files")
        self._files_written()
        self.db.execute("DELETE FROM folders")
        self.db.execute("DELETE FROM listings")
        self._ensure_follow()
        self.db.execute("DELETE FROM follow")

    # -- opening ------------------------------------------------------------------------------------------

    def _open(self, path: str) -> sqlite3.Connection:
        created = False
        if os.path.islink(path) and not os.path.exists(path):
            # SQLite would follow the link and create its target (and the -wal and -shm files beside it):
            # a state is created only at a name that is not a link.
            raise StateError(f"{path}: is a symbolic link to a file that does not exist; refusing to create its "
                             "target (give the path of an existing state, or a new path)")
        if not os.path.exists(path):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                created = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise StateError(f"{path}: cannot create the state file: {exc.strerror}") from None
        elif not os.path.isfile(path):
            raise StateError(f"{path}: the state file must be a regular file")
        elif os.path.getsize(path) == 0:
            created = True  # an empty file (touch state.db) is a new state, not a damaged one
        try:
            # One thread at a time uses it, but not always the one that opened it (watch starts, then runs).
            db = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED", check_same_thread=False)
            if created:
                db.executescript(_SCHEMA)
                db.execute("INSERT INTO meta VALUES ('application', ?), ('version', ?)", (APPLICATION, str(VERSION)))
                db.commit()
            # Deleted rows are overwritten, not only unlinked: a row a state drops (a file's result, a name as an
            # older version stored it) leaves nothing behind in the file. (Debian's SQLite does so by default.)
            db.execute("PRAGMA secure_delete=ON")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # Pages read through a mapping instead of a read() each: a state of 50,000 files is about 3,000
            # pages, and a second scan of an unchanged tree reads most of them (snapshots, the count of files).
            db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path}: not a mynumber state file ({exc}); give a new path to start a new "
                             "state, or remove this file if it is a damaged state") from None
        return db

    def _check(self, key_id: str) -> None:
        try:
            application = self._meta("application")
            version = self._meta("version")
            self.db.execute("SELECT path, dev, ino, size, mtime_ns, kind, result FROM files LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            application = version = None
        if application != APPLICATION:
            raise StateError(f"{self.path}: an SQLite database that is not a mynumber state file; refusing to "
                             "change it (give another path for the state)")
        if version != str(VERSION):
            raise StateError(f"{self.path}: a state file of another version ({version}); give a new path")
        stored_key = self._meta("key_id")
        if stored_key is not None and stored_key != key_id:
            raise StateError(f"{self.path}: this state was made with another fingerprint key; use the same "
                             "--key-file or MYNUMBER_KEY, or give a new state path")
        if stored_key is None:
            self._set_meta("key_id", key_id)

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # -- files ----------------------------------------------------------------------------------------------

    def record(self, path: str) -> tuple[Identity, str, int] | None:
        """One file's identity, kind and whether it has a stored result; None when unknown or not reusable."""
        if not self.reusable or self.empty:
            return None
        row = self.db.execute("SELECT dev, ino, size, mtime_ns, kind, result IS NOT NULL FROM files WHERE path = ?",
                              (self.storable(path),)).fetchone()
        return None if row is None else (row[:4], row[4], row[5])

    def result(self, key: str, shown_path: str, identity: Identity | None = None) -> FileResult | None:
        """The stored result of the file ``key`` (its absolute path), reported under ``shown_path``; None when
        there is none, or none for that identity."""
        row = self.db.execute("SELECT kind, size, result, dev, ino, mtime_ns FROM files WHERE path = ?",
                              (self.storable(key),)).fetchone()
        if row is None or (identity is not None and (row[3], row[4], row[1], row[5]) != identity):
            return None
        return load_result(shown_path, row[0], row[1], row[2])

    def folders(self) -> dict[str, FolderSnapshot]:
        """Every folder's snapshot; empty when results cannot be reused."""
        if not self.reusable:
            return {}
        rows = self.db.execute("SELECT path, names, identities, kinds, notable, listed, files, others "
                               "FROM folders LEFT JOIN listings USING (path)")
        return {row[0]: FolderSnapshot(*row[1:]) for row in rows}

    def put_folder(self, path: str, snapshot: FolderSnapshot) -> None:
        """A folder's snapshot. Names holding a My Number are stored as :class:`~detector.names.StateNames` has
        them, and then the folder's listing is not kept (the walk would take the stored names for the files'):
        such a folder is compared file by file at the next scan, its files found by their stored paths."""
        key = self.storable(path)
        if self.names is not None and may_hold_number(
                "\0".join(split_names(snapshot.names + b"\0" + snapshot.listed_files_and_others()))):
            snapshot = snapshot._replace(names=self._stored_names(snapshot.names), listed=None, listed_files=None,
                                         listed_others=None)
        elif key != storable(path):
            snapshot = snapshot._replace(listed=None, listed_files=None, listed_others=None)
        self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?, ?, ?, ?)", (key, *snapshot[:4]))
        if snapshot.listed is None:
            self.db.execute("DELETE FROM listings WHERE path = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO listings VALUES (?, ?, ?, ?)", (key, *snapshot[4:]))

    def _stored_names(self, joined: bytes) -> bytes:
        assert self.names is not None
        return join_names(map(self.names.name, split_names(joined)))

    def storable(self, path: str) -> str:
        """``path`` as this state stores it: its names holding a My Number masked and tagged
        (:class:`~detector.names.StateNames`), then as :func:`storable` has it."""
        return storable(self.names.path(path) if self.names is not None else path)

    def drop_folder(self, path: str) -> None:
        self.db.execute("DELETE FROM folders WHERE path = ?", (self.storable(path),))
        self.db.execute("DELETE FROM listings WHERE path = ?", (self.storable(path),))

    def count_under(self, roots: Iterable[str]) -> int:
        """How many files the state holds at or under the (absolute, not nested) roots: as the last scan of
        them stored it (:meth:`remember_counts`) when no file has been written since, else counted (a visible share
        of a second scan of an unchanged tree)."""
        total = 0
        for root in roots:
            stored = self._meta(_COUNT + self.storable(root))
            total += int(stored) if stored is not None and stored.isdigit() else self._count(root)
        return total

    def remember_counts(self, roots: Iterable[str]) -> None:
        """Store how many files the state holds under each root, for the next scan of them, in a transaction of
        its own (counted again there: another process may have written since). Any later write of files drops
        the stored counts in the same transaction (:meth:`_files_written`)."""
        roots = list(roots)
        if all(self._meta(_COUNT + self.storable(root)) is not None for root in roots):
            return
        self.commit()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for root in roots:
                self._set_meta(_COUNT + self.storable(root), str(self._count(root)))
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _count(self, root: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM files WHERE {_UNDER}",
                                   _under(self.storable(root))).fetchone()[0])

    def paths_under(self, roots: Iterable[str]) -> list[str]:
        """The stored paths of the files at or under the roots."""
        return [row[0] for root in roots for row in self.db.execute(f"SELECT path FROM files WHERE {_UNDER}",
                                                                    _under(self.storable(root)))]

    def folders_under(self, roots: Iterable[str]) -> list[str]:
        """The stored paths of the folder snapshots at or under the roots."""
        return [row[0] for root in roots for row in self.db.execute(f"SELECT path FROM folders WHERE {_UNDER}",
                                                                    _under(self.storable(root)))]

    def put(self, key: str, identity: Identity, result: FileResult) -> None:
        blob = _json(result.to_state()) if result.notable else None
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (self.storable(key), *identity, result.kind, blob))
        self.empty = False
        self._files_written()
        self._maybe_commit()

    def put_clean(self, path: str, identity: Identity, kind: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, NULL)",
                        (self.storable(path), *identity, kind))
        self.empty = False
        self._files_written()
        self._maybe_commit()

    def follow_records(self) -> dict[str, tuple[Identity, str, int, int, str | None]]:
        """For ``watch``: every file's identity, kind, how far it was read (offset, lines) and its result."""
        if not self.reusable:
            return {}
        self._ensure_follow()
        rows = self.db.execute("SELECT files.path, dev, ino, size, mtime_ns, kind, coalesce(offset, size), "
                               "coalesce(lines, 0), result FROM files LEFT JOIN follow USING (path)")
        return {row[0]: (row[1:5], row[5], row[6], row[7], row[8]) for row in rows}

    def _ensure_follow(self) -> None:
        if not self.following:
            self.db.execute(_FOLLOW)
            self.following = True

    def put_followed(self, key: str, identity: Identity, result: FileResult, offset: int, lines: int) -> None:
        self._ensure_follow()
        self.put(key, identity, result)
        self.db.execute("INSERT OR REPLACE INTO follow VALUES (?, ?, ?)", (self.storable(key), offset, lines))

    def forget(self, paths: Iterable[str]) -> int:
        count = 0
        for path in map(self.storable, paths):
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))
            with contextlib.suppress(sqlite3.OperationalError):  # no follow table: never watched
                self.db.execute("DELETE FROM follow WHERE path = ?", (path,))
            count += 1
        self._files_written()
        self._maybe_commit()
        return count

    def _maybe_commit(self) -> None:
        self.pending += 1
        now = time.monotonic()
        if self.pending >= COMMIT_EVERY_FILES or now - self.last_commit >= COMMIT_EVERY_SECONDS:
            self.commit()

    def _files_written(self) -> None:
        """The first write of files in a transaction drops the counts stored for the next scan (see
        :meth:`remember_counts`) in that transaction: they no longer hold, from now on for this connection too."""
        if not self.files_written:
            self.db.execute(f"DELETE FROM meta WHERE name >= '{_COUNT}' AND name < '{_COUNT[:-1]};'")
            self.files_written = True

    def commit(self) -> None:
        self.files_written = False
        self.db.commit()
        self.pending = 0
        self.last_commit = time.monotonic()

    def close(self) -> None:
        self.commit()
        self.db.close()


def _json(value: Any) -> str:
    """JSON for SQLite: readable UTF-8, but escaped where a path holds bytes that are not UTF-8 (surrogates)."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


# meta rows holding how many files the state holds under a root (see State.remember_counts), by root
_COUNT = "files_under:"
# At or under a root: the root itself, or a path that starts with the root and a slash ('0' follows '/').
_UNDER = "(path = ? OR (path >= ? AND path < ?))"


def _under(stored_root: str) -> tuple[str, str, str]:
    base = stored_root.rstrip("/")
    return base or "/", base + "/", base + "0"


def load_result(path: str, kind: str, size: int, blob: str | None) -> FileResult:
    """A stored result as a FileResult (a clean file has no blob: only its kind and size), its findings and
    entries reported under ``path`` (the root may be given differently from one run to the next)."""
    if blob is None:
        return FileResult(path=path, size=size, kind=kind)
    return FileResult.from_state(path, json.loads(blob))


def remembered_listings(state_path: str, roots: list[str]) -> list[tuple[str, bytes, bytes]]:
    """(path, listed, files) of each folder the state file remembers a listing of at or under the (absolute)
    roots, in path order, read without opening the state for writing (for the prefetch, before the scan opens
    it); none when the file cannot be read (the scan itself then says why)."""
    uri = os.path.abspath(state_path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        db = sqlite3.connect(f"file:{uri}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT path, listed, files FROM listings ORDER BY path").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []
    prefixes = tuple(root.rstrip("/") + "/" for root in roots)
    return [(path, listed, files) for path, listed, files in rows
            if isinstance(path, str) and (path in roots or path.startswith(prefixes)) and listed_is_valid(listed)
            and isinstance(files, bytes) and files]
