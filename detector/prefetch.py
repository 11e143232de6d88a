"""Folders as an incremental scan last listed them, and a thread that stats their files while the command starts.

A scan with a state file of a tree that did not change is one ``stat`` a file: 60 ms of CPU for 50,000 files
here, while Python spends 50 to 80 ms loading the command's modules on one core and the other core waits. So
``mynumber scan --state FILE`` reads its command line before anything else is loaded (:func:`start_early`,
called by the entry point), reads the listings the state file remembers under the roots, and starts
:class:`StatPrefetch`: a thread that, for each folder whose listing still stands (:func:`listing_stands`), stats
that listing's files in one C call without the GIL. The walk takes those identities when it reaches the folder
and finds it as the thread found it (:meth:`StatPrefetch.take`); it stats any other folder itself. The thread
only reads: the folders the state names and their files' attributes, never a file's content.

This module is imported first, so it imports next to nothing (no typing, no threading: 15 ms before the thread
could start).
"""

from __future__ import annotations

import _thread
import os
import struct

from .native import speedups as _speedups

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: see above
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SETTLED_NS = 2_000_000_000
# statfs f_type of the file systems whose folders' times are set by this machine's clock: ext2/3/4, XFS,
# Btrfs, tmpfs, ZFS, F2FS.
REMEMBERED_ON = frozenset({0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x2FC12FC1, 0xF2F52010})
FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)

FolderIdentity = tuple[int, int, int, int]  # device, inode, mtime_ns, ctime_ns
_LISTED = struct.Struct("=5q")  # a folder's identity and when it was listed, as walk.RememberedListing keeps it


def folder_identity(st: os.stat_result) -> FolderIdentity:
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def listing_stands(listed: bytes, folder: FolderIdentity) -> bool:
    """Whether a listing remembered with ``listed`` (the folder's device, inode, mtime_ns and ctime_ns then,
    and when it was listed, as five signed 64-bit integers) is the folder's listing now: the folder is the same
    and unchanged, and the listing was made SETTLED_NS or more after its last change (see
    :class:`~detector.walk.RememberedListing`)."""
    dev, ino, mtime_ns, ctime_ns, listed_at = _unpacked(listed)
    settled = listed_at - SETTLED_NS
    return (dev, ino, mtime_ns, ctime_ns) == folder and mtime_ns < settled and ctime_ns < settled


def packed_listing(folder: FolderIdentity, listed_at: int) -> bytes | None:
    """A folder's identity and when it was listed, as a remembered listing keeps them; None when a number does
    not fit in 64 bits."""
    try:
        return _LISTED.pack(*folder, listed_at)
    except struct.error:
        return None


def worth_it(jobs: int) -> bool:
    """Whether a prefetch thread can help a scan of ``jobs`` processes (0: one a core): not on one core."""
    return jobs != 1 and (os.cpu_count() or 1) > 1


def _unpacked(listed: bytes) -> tuple[int, int, int, int, int]:
    dev, ino, mtime_ns, ctime_ns, listed_at = _LISTED.unpack(listed)
    return dev, ino, mtime_ns, ctime_ns, listed_at


class StatPrefetch:
    """A thread that stats, before the walk starts, the files of the folders a state file remembers under the
    roots (see the module's docstring): one C call over all of them (``_speedups.stat_folders``), which holds
    the GIL only to start and to end, so the command's imports on the other core do not hold it back. It takes
    the folders from the last in path order (close to the walk's order) back; when the walk asks for its first
    folder, the thread finishes the folder it is on and stops, and the walk stats the rest itself (with its own
    second thread), from the first folder on: the two meet where the thread stopped."""

    def __init__(self, remembered: list[tuple[str, bytes, bytes]]) -> None:
        self.remembered = remembered  # (path, listed, files) of each folder, in path order
        self.stop_byte = bytearray(1)  # read by the C loop before each folder
        self.stated: dict[str, tuple[FolderIdentity, bytes, bytes]] = {}  # path -> (folder, files, identities)
        self.running = _thread.allocate_lock()  # held by the thread while it runs
        self.running.acquire()

    @classmethod
    def start(cls, state_path: str | None, roots: Iterable[str]) -> StatPrefetch | None:
        """A running prefetch, or None where it cannot help: no state file yet, nothing remembered under the
        roots, or no C stat. The remembered listings are read here, before the thread starts: a thread doing
        Python work while the command imports its modules waits for the GIL most of the time."""
        if state_path is None or _speedups is None or not os.path.isfile(state_path):
            return None
        remembered = _remembered(state_path, [os.path.abspath(root) for root in roots if root != "-"])
        if not remembered:
            return None
        prefetch = cls(remembered)
        try:
            _thread.start_new_thread(prefetch._run, ())
        except RuntimeError:  # no thread to be had: the walk stats everything
            return None
        return prefetch

    def take(self, absolute_dir: str, folder: FolderIdentity, files: bytes) -> bytes | None:
        """The identities of the folder's files (``files``, NUL-joined, in that order) if the thread stat'ed them
        with the folder as it is now and none failed; None otherwise, and the walk stats them. The first call
        stops the thread."""
        self.stop()
        stated = self.stated.pop(absolute_dir, None)
        if stated is None or stated[0] != folder or stated[1] != files:
            return None
        return stated[2]

    def stop(self) -> None:
        """End the thread: it finishes the folder it is on. Before worker processes are forked, and when the
        scan ends."""
        self.stop_byte[0] = 1
        with self.running:
            pass

    def _run(self) -> None:
        try:
            assert _speedups is not None
            folders = self.remembered[::-1]
            found = _speedups.stat_folders([(os.fsencode(path), listed, files) for path, listed, files in folders],
                                           SETTLED_NS, self.stop_byte)
            for (path, listed, files), identities in zip(folders, found, strict=True):
                if identities is not None:
                    dev, ino, mtime_ns, ctime_ns, _ = _unpacked(listed)
                    self.stated[path] = ((dev, ino, mtime_ns, ctime_ns), files, identities)
        except Exception:  # a helper thread: whatever went wrong, the walk stats every folder itself
            self.stated.clear()
        finally:
            self.running.release()


def _remembered(state_path: str, roots: list[str]) -> list[tuple[str, bytes, bytes]]:
    """(path, listed, files) of each folder the state remembers a listing of under the roots, in path order;
    none when the state file cannot be read (the scan itself says why)."""
    import sqlite3

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
            if isinstance(path, str) and (path in roots or path.startswith(prefixes)) and isinstance(listed, bytes)
            and len(listed) == 40 and isinstance(files, bytes) and files]


# How `mynumber scan` reads its command line, for start_early: the options that take a value, and the flags
# (tests/test_prefetch.py checks both against the click command).
SCAN_VALUE_OPTIONS = frozenset({"--format", "--output", "-o", "--rules", "--min-confidence", "--jobs", "-j",
                                "--exclude", "--max-file-size", "--public", "--key-file", "--engine", "--state"})
SCAN_FLAGS = frozenset({"--quiet", "-q", "--verbose", "-v", "--follow-symlinks", "--reveal", "--progress",
                        "--no-progress"})
_early: tuple[tuple[str, tuple[str, ...]], StatPrefetch] | None = None


def read_scan_line(arguments: Sequence[str]) -> tuple[str | None, list[str], str | None] | None:
    """(state file, paths, --jobs) of a ``mynumber scan`` command line (the arguments after the program's
    name), read as click will read them; None for another command, a request for help, or anything this reading
    is not sure of (then nothing is started early)."""
    if not arguments or arguments[0] != "scan":
        return None
    state = jobs = None
    paths: list[str] = []
    rest = list(arguments[1:])
    while rest:
        argument = rest.pop(0)
        if argument == "--":
            paths.extend(rest)
            break
        if argument.startswith("--"):
            name, equals, value = argument.partition("=")
            if name in SCAN_FLAGS and not equals:
                continue
            if name not in SCAN_VALUE_OPTIONS or not (equals or rest):
                return None
            value = value if equals else rest.pop(0)
        elif argument.startswith("-") and argument != "-":
            short, value = _short_option(argument, rest)
            if short is None:
                return None
            if short == "":
                continue  # flags only
            name = short
        else:
            paths.append(argument)
            continue
        if name == "--state":
            state = value
        elif name in ("--jobs", "-j"):
            jobs = value
    return state, paths, jobs


def _short_option(argument: str, rest: list[str]) -> tuple[str | None, str]:
    """One argument of short options (``-qv``, ``-j2``, ``-o`` FILE): the option that takes a value and its
    value, ("", "") for flags only, (None, "") for one not known."""
    for at, letter in enumerate(argument[1:], start=1):
        option = "-" + letter
        if option in SCAN_VALUE_OPTIONS:
            value = argument[at + 1:]
            if not value:
                if not rest:
                    return None, ""
                value = rest.pop(0)
            return option, value
        if option not in SCAN_FLAGS:
            return None, ""
    return "", ""


def start_early(arguments: Sequence[str]) -> None:
    """Start the prefetch of an incremental scan from its command line, before the command's modules load (the
    entry point calls this first). The scan adopts it if click reads the same state file and roots
    (:func:`adopt`)."""
    global _early
    line = read_scan_line(arguments)
    if line is None:
        return
    state, paths, jobs = line
    if state is None or not paths or not worth_it(int(jobs) if jobs is not None and jobs.strip().isdigit() else 0):
        return
    prefetch = StatPrefetch.start(state, paths)
    if prefetch is not None:
        _early = (_key(state, paths), prefetch)


def adopt(state_path: str, paths: Iterable[str]) -> StatPrefetch | None:
    """The prefetch :func:`start_early` started for this state file and these roots, if any; one started for
    another reading of the command line is stopped."""
    global _early
    early, _early = _early, None
    if early is None:
        return None
    key, prefetch = early
    if key == _key(state_path, paths):
        return prefetch
    prefetch.stop()
    return None


def _key(state_path: str, paths: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    return os.path.abspath(state_path), tuple(os.path.abspath(path) for path in paths if path != "-")
