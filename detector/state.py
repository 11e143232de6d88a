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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import UsageError
from .model import FileResult

log = logging.getLogger(__name__)

APPLICATION = "mynumber-state"
VERSION = 1
COMMIT_EVERY_FILES = 2000
COMMIT_EVERY_SECONDS = 2.0
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


class StateError(UsageError):
    """The state file cannot be used; the message says why and what to do."""


def config_id(rules_sources: Iterable[str], **options: Any) -> str:
    """A digest of what shapes a file's result: the rules' text and the result-shaping options."""
    digest = hashlib.sha256()
    for source in rules_sources:
        with contextlib.suppress(OSError):
            digest.update(Path(source).read_bytes())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


class State:
    """One open state file."""

    def __init__(self, path: str, key_id: str, config: str) -> None:
        self.path = path
        self.db = self._open(path)
        self._check(key_id)
        stored = self._meta("config")
        self.reusable = stored == config
        if stored is not None and not self.reusable:
            log.info("%s: the rules or options changed since the last scan; every file is read again", path)
        self._set_meta("config", config)
        self.db.commit()
        self.pending = 0
        self.last_commit = time.monotonic()
        self.following = False  # the follow table (watch's offsets) is known to exist

    # -- opening ------------------------------------------------------------------------------------------

    def _open(self, path: str) -> sqlite3.Connection:
        created = False
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
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
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
        self._set_meta("key_id", key_id)

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # -- files ----------------------------------------------------------------------------------------------

    def known(self) -> dict[str, tuple[tuple[int, int, int, int], str, int]]:
        """Every known file: its identity, kind, and whether it has a stored result (anything to report), in
        one query (a lookup per file would cost more than the walk). Empty when results cannot be reused."""
        if not self.reusable:
            return {}
        rows = self.db.execute("SELECT path, dev, ino, size, mtime_ns, kind, result IS NOT NULL FROM files")
        return {row[0]: (row[1:5], row[5], row[6]) for row in rows}

    def every_path(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT path FROM files")]

    def result(self, key: str, shown_path: str) -> FileResult | None:
        """The stored result of the file ``key`` (its absolute path), reported under ``shown_path``."""
        row = self.db.execute("SELECT kind, size, result FROM files WHERE path = ?", (key,)).fetchone()
        if row is None:
            return None
        return load_result(shown_path, row[0], row[1], row[2])

    def put(self, key: str, identity: tuple[int, int, int, int], result: FileResult) -> None:
        blob = json.dumps(result.to_state(), ensure_ascii=False) if result.notable else None
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (key, *identity, result.kind, blob))
        self._maybe_commit()

    def put_clean(self, path: str, identity: tuple[int, int, int, int], kind: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, NULL)", (path, *identity, kind))
        self._maybe_commit()

    def follow_records(self) -> dict[str, tuple[tuple[int, int, int, int], str, int, int, str | None]]:
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

    def put_followed(self, key: str, identity: tuple[int, int, int, int], result: FileResult, offset: int,
                     lines: int) -> None:
        self._ensure_follow()
        self.put(key, identity, result)
        self.db.execute("INSERT OR REPLACE INTO follow VALUES (?, ?, ?)", (key, offset, lines))

    def forget(self, paths: Iterable[str]) -> int:
        count = 0
        for path in paths:
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))
            with contextlib.suppress(sqlite3.OperationalError):  # no follow table: never watched
                self.db.execute("DELETE FROM follow WHERE path = ?", (path,))
            count += 1
        self._maybe_commit()
        return count

    def _maybe_commit(self) -> None:
        self.pending += 1
        now = time.monotonic()
        if self.pending >= COMMIT_EVERY_FILES or now - self.last_commit >= COMMIT_EVERY_SECONDS:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self.pending = 0
        self.last_commit = time.monotonic()

    def close(self) -> None:
        self.commit()
        self.db.close()


def load_result(path: str, kind: str, size: int, blob: str | None) -> FileResult:
    """A stored result as a FileResult (a clean file has no blob: only its kind and size), its findings and
    entries reported under ``path`` (the root may be given differently from one run to the next)."""
    if blob is None:
        return FileResult(path=path, size=size, kind=kind)
    return FileResult.from_state(path, json.loads(blob)).under(path)
