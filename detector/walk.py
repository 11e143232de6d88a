"""Walking: roots -> the files to scan, and the entries that will not be scanned, with why.

Directories are read in name order, so every run (and every ``--jobs``) sees the same files in the same
order. Symbolic links are not followed unless asked; when they are, directories already visited (by device
and inode) are not entered again, so link loops end. FIFOs, sockets and devices are never opened: a FIFO
would block the scan forever.

A folder is listed, and its files stat'ed, through a descriptor: by one C call each where the speed-ups are
built (``_speedups.list_names`` and ``stat_names``: no object per file, no GIL held), else by os.scandir and
os.stat, with the same results.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .errors import ScanError, UsageError
from .globs import GlobError, glob_name_literals, glob_name_regex, glob_to_regex
from .model import Unscanned
from .names import may_hold_number
from .native import speedups as _speedups  # the C lister, or None: os.scandir and os.stat then
from .prefetch import FOLDER_FLAGS, REMEMBERED_ON, StatPrefetch, folder_identity, listing_stands, packed_listing
from .rules import PathRule

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor



class FileRef(NamedTuple):
    """A regular file (or a symbolic link to one, when following links) to scan, with its size at walk time
    (used to balance work between processes) and its identity (for incremental scans with a state file).
    A named tuple: one is made for every file of a share, and a frozen dataclass costs three times as much."""

    path: str
    size: int = 0
    dev: int = 0
    ino: int = 0
    mtime_ns: int = 0

    @classmethod
    def of(cls, path: str, st: os.stat_result) -> FileRef:
        return cls(path, st.st_size, st.st_dev, st.st_ino, st.st_mtime_ns)

    @property
    def identity(self) -> tuple[int, int, int, int]:
        return (self.dev, self.ino, self.size, self.mtime_ns)


@dataclass(slots=True)
class WalkStats:
    excluded: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    # Folders walked whose name may hold a My Number (names.may_hold_number): the scan looks at their names.
    named_folders: list[str] = field(default_factory=list)


class WalkOptions(NamedTuple):
    follow_symlinks: bool = False
    excludes: tuple[PathRule, ...] = ()
    skip_inodes: frozenset[tuple[int, int]] = frozenset()  # (device, inode) of our own output files


def exclude_rules(globs: Iterable[str]) -> tuple[PathRule, ...]:
    """``--exclude GLOB`` options as path rules; a glob that cannot mean anything is a usage error naming it."""
    rules = []
    for glob in globs:
        try:
            regex = glob_to_regex(glob)
        except GlobError as exc:
            raise UsageError(f"--exclude {glob!r}: bad glob: {exc}") from None
        rules.append(PathRule(f"--exclude {glob}", glob, "excluded on the command line", regex))
    return tuple(rules)


_SPECIAL = (
    (stat.S_ISFIFO, "FIFO (named pipe)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def special_file_reason(mode: int) -> str | None:
    """The reason a non-regular, non-directory file is not opened."""
    for test, name in _SPECIAL:
        if test(mode):
            return f"not a regular file: {name}, never opened"
    return None


class KnownFiles(Protocol):
    """What an incremental scan already knows (see :mod:`detector.state`): asked about each folder's files as the
    walk lists them, so an unchanged folder costs its listing, one comparison, and yields nothing."""

    def changed_files(self, directory: str, absolute_dir: str, listing: Listing) -> Iterable[int]:
        """The indices (in ``listing.names``) of the files to read; the others' results the caller takes as
        known. ``listing.identities`` is flat: device, inode, size and mtime_ns of each file in turn."""
        ...

    def remembered_listing(self, absolute_dir: str) -> RememberedListing | None:
        """The folder's listing as the last walk made it (``listing.remembered`` of an earlier call), if kept."""
        ...


class _Excludes:
    """Exclude rules, tested entry by entry as the walk descends. A rule matches a folder or file and all below
    it, and every level is tested on the way down, so an entry is excluded only when a rule's glob ends at it:
    the entry's *name* must match the glob's last component. That test, one ``fullmatch`` of all rules' last
    components on a short name, rules out almost every entry; the full path is built and tested only for the
    rare name that passes (the path search cost 8 µs an entry)."""

    def __init__(self, rules: tuple[PathRule, ...]) -> None:
        self.rules = rules
        self.names = re.compile("|".join(f"(?:{glob_name_regex(rule.glob)})" for rule in rules)) if rules else None
        # The same names as whole lines of a text: the wildcards then match no newline (and no rule may hold one).
        line_names = [glob_name_regex(rule.glob, lines=True) for rule in rules]
        self.lines = re.compile("(?m)^(?:" + "|".join(f"(?:{name})" for name in line_names) + ")$") \
            if rules and not any("\n" in rule.glob for rule in rules) else None
        # When every rule ends in plain names (the packaged rules do), a folder's names are looked up in a set
        # of them: a twentieth of the regex search's time on a folder of 1,000 files.
        literals = [glob_name_literals(rule.glob) for rule in rules]
        self.literal_names = None if None in literals else frozenset(
            name for names in literals if names is not None for name in names)

    def excluded(self, absolute_dir: str, name: str, stats: WalkStats) -> str | None:
        """The entry's absolute path when it is excluded (counted in ``stats``), else None."""
        if self.names is None or self.names.fullmatch(name) is None:
            return None
        absolute = f"{absolute_dir}/{name}" if absolute_dir != "/" else f"/{name}"
        for rule in self.rules:
            if rule.matches(absolute):
                stats.excluded += 1
                stats.excluded_by[rule.rule_id] = stats.excluded_by.get(rule.rule_id, 0) + 1
                return absolute
        return None

    def among(self, absolute_dir: str, names: list[str], stats: WalkStats) -> set[str]:
        """The names of a folder's entries that are excluded (counted in ``stats``). Plain names are looked up;
        patterns are searched in the names as one text, one per line, so a folder without a candidate costs one
        regex search, not one per entry."""
        if self.names is None or not names:
            return set()
        if self.literal_names is not None:
            return {name for name in self.literal_names.intersection(names)
                    if self.excluded(absolute_dir, name, stats)}
        joined = "\n".join(names)
        if self.lines is not None and joined.count("\n") == len(names) - 1:  # no name holds a newline
            candidates = set(self.lines.findall(joined))
        else:
            candidates = {name for name in names if self.names.fullmatch(name)}
        return {name for name in candidates if self.excluded(absolute_dir, name, stats)}


class FolderFiles(NamedTuple):
    """Files of one folder to read, in name order, as one entry: a tree of small files is mostly these, and
    handling them a folder at a time (batching by slices) spares the walk's consumer a step per file."""

    paths: list[str]
    identities: list[int]  # device, inode, size, mtime_ns of each file in turn

    @property
    def sizes(self) -> list[int]:
        return self.identities[2::4]

    def refs(self) -> Iterator[FileRef]:
        ids = self.identities
        for index, path in enumerate(self.paths):
            at = 4 * index
            yield FileRef(path, ids[at + 2], ids[at], ids[at + 1], ids[at + 3])


def walk(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
         parallel: bool = False) -> Iterator[FileRef | Unscanned]:
    """Files under each root, depth first (a folder's files in name order), and Unscanned entries for what is
    skipped; see :func:`walk_folders`."""
    for entry in walk_folders(roots, options, stats, known, parallel):
        if isinstance(entry, FolderFiles):
            yield from entry.refs()
        else:
            yield entry


def walk_folders(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
                 parallel: bool = False, may_fork: Callable[[], bool] = lambda: True,
                 prefetch: StatPrefetch | None = None) -> Iterator[FolderFiles | FileRef | Unscanned]:
    """:func:`walk` with each folder's files as one FolderFiles entry (roots given as files stay FileRefs).
    Files that ``known`` says are unchanged are left out. With ``parallel``, a second thread stats the files
    of the folders ahead of the walk (see :class:`_StatAhead`): for an incremental scan of a mostly unchanged
    tree, where one ``stat`` a file is most of the work. While ``may_fork()`` says the consumer may still fork,
    that thread is ended before files are handed out. Folders ``prefetch`` already stat'ed are not stat'ed
    again."""
    visited: set[tuple[int, int]] = set()
    ahead = _StatAhead(options.skip_inodes, may_fork) if parallel else None
    try:
        for root in roots:
            try:
                kind = _root(root, options)
            except OSError as exc:
                if isinstance(exc, FileNotFoundError):
                    raise ScanError(f"{root}: no such file or folder; the scan cannot run") from None
                raise ScanError(f"{root}: cannot be read ({exc.strerror}); the scan cannot run") from None
            if isinstance(kind, (FileRef, Unscanned)):
                yield kind
                continue
            visited.add(kind)
            listed = _folders(root, options, stats, visited, known, prefetch)
            folders: Iterator[tuple[_Folder, _Stated | None]] = (
                ahead.stat_ahead(listed) if ahead is not None else ((folder, None) for folder in listed))
            for folder, stated in folders:
                try:
                    yield from _folder_entries(folder, stated, options, known, ahead)
                finally:
                    _close(folder)
    finally:
        if ahead is not None:
            ahead.close()


def _folder_entries(folder: _Folder, stated: _Stated | None, options: WalkOptions, known: KnownFiles | None,
                    ahead: _StatAhead | None) -> Iterator[FolderFiles | FileRef | Unscanned]:
    """What the walk yields for one folder: what it skips, the files that cannot be stat'ed, the files to read."""
    if folder.skipped:
        if ahead is not None and any(isinstance(entry, FileRef) for entry in folder.skipped):
            ahead.pause()
        yield from folder.skipped
    if not folder.names and folder.remembered is None:
        return  # nothing to read, nor a listing to keep (a folder of folders has one, for the next walk)
    if stated is None:
        stated = _prestated(folder, options.skip_inodes) or _stat_names(folder, 0, len(folder.names),
                                                                        options.skip_inodes)
    yield from stated.failed
    packed = (stated.joined, stated.identities.tobytes()) if isinstance(stated.identities, array) else None
    chosen = _chosen(folder.directory, folder.absolute, Listing(stated.names, stated.identities, packed,
                                                                             folder.remembered), known)
    if chosen.paths:
        if ahead is not None:
            ahead.pause()  # files to read: the reader may fork its workers now, from one thread
        yield chosen


def _close(folder: _Folder) -> None:
    if folder.fd >= 0:
        os.close(folder.fd)


def _root(root: str, options: WalkOptions) -> FileRef | Unscanned | tuple[int, int]:
    """A root given as a file (FileRef), one that will not be read (Unscanned), or a folder's (device,
    inode). Raises OSError when the root cannot be examined at all."""
    st = os.stat(root) if options.follow_symlinks else os.lstat(root)
    if stat.S_ISLNK(st.st_mode):
        # A root given explicitly is the user's choice: follow that one link.
        try:
            st = os.stat(root)
        except OSError:
            return Unscanned(root, "broken symbolic link")
    if stat.S_ISDIR(st.st_mode):
        return (st.st_dev, st.st_ino)
    if stat.S_ISREG(st.st_mode):
        return FileRef.of(root, st)
    return Unscanned(root, special_file_reason(st.st_mode) or "not a regular file")


class _Folder(NamedTuple):
    """One folder as listed: its regular files' names (not yet stat'ed, in listing order; they are stat'ed
    through ``fd`` while the walk is at this folder), and what will not be read or is read on its own (links
    followed to files)."""

    directory: str  # as the walk reached it (reported paths start with the root as given)
    absolute: str
    fd: int
    names: list[str]
    joined: bytes  # the names joined by NUL, as a folder snapshot stores them
    skipped: list[FileRef | Unscanned]
    remembered: RememberedListing | None = None  # the listing, for the next incremental walk
    prestated: bytes | None = None  # the files' identities as the prefetch stat'ed them (see _prestated)


class RememberedListing(NamedTuple):
    """A folder's listing as an incremental walk made it, kept with the folder's snapshot: the next walk takes it
    instead of reading the folder's entries again when the folder's device, inode, modification and change
    times are the same (adding, removing or renaming an entry moves both times). On a tree that did not change,
    a fstat a folder instead of reading 1,000 entries (17 ms of 50,000 files, a tenth of such a scan).

    Only on local file systems (:data:`~detector.prefetch.REMEMBERED_ON`): on a network share the times come from
    the server's clock, and some clients cache them. And only a listing made SETTLED_NS or more after the
    folder's last change (:func:`~detector.prefetch.listing_stands`): times are kept at the granularity of a
    clock tick, so a change in the same tick as the last one before the listing would leave them as they were;
    one made later cannot."""

    folder: bytes  # (device, inode, mtime_ns, ctime_ns, listed_at_ns), signed 64-bit integers
    files: bytes  # the regular files' names joined by NUL, as _speedups.list_names gives them
    others: bytes  # the other entries, each after a byte giving its kind, joined by NUL


class _Listed(NamedTuple):
    names: list[str]
    joined: bytes
    others: list[tuple[str, int]]
    remembered: RememberedListing | None = None
    prestated: bytes | None = None


class _Lister:
    """Lists folders for the walk; for an incremental scan, through the listings it remembered where they stand
    (see :class:`RememberedListing`), with the files' identities when the prefetch already
    stat'ed them."""

    def __init__(self, known: KnownFiles | None, prefetch: StatPrefetch | None) -> None:
        self.known = known if _speedups is not None and _UTF8_NAMES else None
        self.prefetch = prefetch
        self.remembering: dict[int, bool] = {}  # by device: on a file system where listings are remembered

    def list(self, fd: int, absolute_dir: str) -> _Listed:
        """A folder's entries (as :func:`_list` gives them), its listing to remember, and what the prefetch
        found. Raises OSError."""
        if self.known is None:
            return _Listed(*_list(fd))
        st = os.fstat(fd)
        if not self._remembers(st.st_dev, fd):
            return _Listed(*_list(fd))
        folder = folder_identity(st)
        remembered = self.known.remembered_listing(absolute_dir)
        if remembered is not None and listing_stands(remembered.folder, folder):
            prestated = self.prefetch.take(absolute_dir, folder, remembered.files) if self.prefetch else None
            return _Listed(*_decoded(remembered.files, remembered.others), remembered, prestated)
        listed = packed_listing(folder, time.time_ns())  # the time before the listing: it only settles later
        assert _speedups is not None
        files, others = _speedups.list_names(fd)
        return _Listed(*_decoded(files, others), None if listed is None else RememberedListing(listed, files, others))

    def _remembers(self, dev: int, fd: int) -> bool:
        remembers = self.remembering.get(dev)
        if remembers is None:
            assert _speedups is not None
            remembers = self.remembering[dev] = _speedups.filesystem_type(fd) in REMEMBERED_ON
        return remembers


def _prestated(folder: _Folder, skip_inodes: frozenset[tuple[int, int]]) -> _Stated | None:
    """The folder's files as the prefetch stat'ed them, when that covers them all (no name was excluded) and none
    is one of our own files (``skip_inodes``, left out as :func:`_stat_names` leaves them out)."""
    raw = folder.prestated
    if raw is None or len(raw) != 32 * len(folder.names):
        return None
    if skip_inodes:
        assert _speedups is not None  # the prefetch stats only where it is built
        try:
            pairs = array("q", [number for pair in skip_inodes for number in pair]).tobytes()
        except OverflowError:
            return None
        if _speedups.find_identity(raw, pairs) >= 0:
            return None
    identities = array("q")
    identities.frombytes(raw)
    return _Stated(folder.names, folder.joined, identities, [])


_DIR, _LINK, _OTHER = 1, 2, 3  # the kinds of entries that are not regular files (as _speedups.list_names has them)
# The file names as the C lister gives them (bytes) are the stored form only where names are UTF-8 to Python.
_UTF8_NAMES = codecs.lookup(sys.getfilesystemencoding()).name == "utf-8" and (
    sys.getfilesystemencodeerrors() == "surrogateescape")


def _joined_names(names: list[str]) -> bytes:
    """Names as a folder snapshot stores them: UTF-8 (undecodable bytes kept), joined by NUL."""
    return "\0".join(names).encode("utf-8", "surrogateescape")


def _list(fd: int) -> tuple[list[str], bytes, list[tuple[str, int]]]:
    """A folder's entries in the order the system lists them: the regular files' names (and joined as stored),
    and the other entries with their kinds. Raises OSError. The C lister (one call a folder) where it is built,
    else os.scandir."""
    if _speedups is not None and _UTF8_NAMES:
        files, others = _speedups.list_names(fd)
        return _decoded(files, others)
    names = []
    rest = []
    with os.scandir(fd) as iterator:
        for entry in iterator:
            if entry.is_file(follow_symlinks=False):
                names.append(entry.name)
            else:
                rest.append((entry.name, _LINK if entry.is_symlink() else
                             _DIR if entry.is_dir(follow_symlinks=False) else _OTHER))
    return names, _joined_names(names), rest


def _decoded(files: bytes, others: bytes) -> tuple[list[str], bytes, list[tuple[str, int]]]:
    """What the C lister gives, as :func:`_list` returns it."""
    names = files.decode("utf-8", "surrogateescape").split("\0") if files else []
    return names, files, [(os.fsdecode(raw[1:]), raw[0]) for raw in others.split(b"\0")] if others else []


def _folders(top: str, options: WalkOptions, stats: WalkStats, visited: set[tuple[int, int]],
             known: KnownFiles | None = None, prefetch: StatPrefetch | None = None) -> Iterator[_Folder]:
    """Folders depth first, subfolders in name order. Files keep the order the system lists them in: an
    unchanged folder lists the same way each time, so it compares equal to its snapshot without sorting.

    A folder is listed through an open descriptor, so its files are stat'ed by name relative to it: the
    kernel then resolves one name instead of the whole path (a fifth less time a file). The descriptor goes
    with the folder: whoever takes the folder closes it (see :func:`_close`)."""
    stack = [(top, os.path.abspath(top))]
    excludes = _Excludes(options.excludes)
    lister = _Lister(known, prefetch)
    while stack:
        directory, absolute_dir = stack.pop()
        if may_hold_number(directory.rstrip("/").rpartition("/")[2]):  # once a folder, whatever it holds
            stats.named_folders.append(directory)
        try:
            fd = os.open(directory, FOLDER_FLAGS)
        except OSError as exc:
            yield _Folder(directory, absolute_dir, -1, [], b"", [_unlistable(directory, exc)])
            continue
        try:
            names, joined, others, remembered, prestated = lister.list(fd, absolute_dir)
        except OSError as exc:
            os.close(fd)
            yield _Folder(directory, absolute_dir, -1, [], b"", [_unlistable(directory, exc)])
            continue
        try:
            excluded = excludes.among(absolute_dir, [*names, *(name for name, _ in others)], stats)
            if excluded:
                names = [name for name in names if name not in excluded]
                joined = _joined_names(names)
                others = [(name, kind) for name, kind in others if name not in excluded]
                prestated = None  # it covers every file listed
            skipped: list[FileRef | Unscanned] = []
            subdirs = []
            for name, kind in sorted(others):
                result = _classify(name, kind, fd, os.path.join(directory, name), options, visited)
                if isinstance(result, str):
                    subdirs.append((result, child_path(absolute_dir, name)))
                elif isinstance(result, FileRef):
                    if not (options.skip_inodes and (result.dev, result.ino) in options.skip_inodes):
                        skipped.append(result)
                elif result is not None:
                    skipped.append(result)
        except BaseException:
            os.close(fd)
            raise
        yield _Folder(directory, absolute_dir, fd, names, joined, skipped, remembered, prestated)
        stack.extend(reversed(subdirs))


def folder_prefix(directory: str) -> str:
    """What a file's name is appended to for the path it is read and reported under (as os.path.join would
    give it, without a call per file). The walk and an incremental scan's bookkeeping must agree on it."""
    return directory + "/" if directory and not directory.endswith("/") else directory


def child_path(absolute_dir: str, name: str) -> str:
    """The absolute path of ``name`` in the folder ``absolute_dir``."""
    return f"{absolute_dir}/{name}" if absolute_dir != "/" else f"/{name}"


def _unlistable(directory: str, exc: OSError) -> Unscanned:
    if isinstance(exc, FileNotFoundError):
        return Unscanned(directory, "folder vanished during the scan")
    if isinstance(exc, PermissionError):
        return Unscanned(directory, "permission denied (folder not readable)")
    return Unscanned(directory, f"folder cannot be read: {exc.strerror}")


Identities = Sequence[int]  # four numbers a file: device, inode, size, mtime_ns


class Listing(NamedTuple):
    """A folder's regular files as the walk stat'ed them, in listing order: names and identities, and the two
    packed as a folder snapshot stores them (None when a number does not fit in 64 bits), so an unchanged
    folder is recognised by comparing two pairs of bytes."""

    names: list[str]
    identities: Identities
    packed: tuple[bytes, bytes] | None
    remembered: RememberedListing | None = None  # the folder's listing, to keep for the next walk


class _Stated(NamedTuple):
    names: list[str]
    joined: bytes
    identities: Identities  # array('q') when every number fits in 64 bits, else a list
    failed: list[Unscanned]


def _slice_joined(folder: _Folder, first: int, last: int) -> bytes:
    if first == 0 and last == len(folder.names):
        return folder.joined
    return _joined_names(folder.names[first:last])


def _concatenated(folder: _Folder, parts: list[_Stated]) -> _Stated:
    """The chunks of one folder as one, in order (each copied once). When every file was stat'ed, the names are
    the folder's own list and joined bytes."""
    if len(parts) == 1:
        return parts[0]
    identities: Identities
    if all(isinstance(part.identities, array) for part in parts):
        identities = array("q")
        for part in parts:
            identities.extend(part.identities)
    else:
        identities = [number for part in parts for number in part.identities]
    if sum(len(part.names) for part in parts) == len(folder.names):  # none left out
        return _Stated(folder.names, folder.joined, identities, [])
    return _Stated([name for part in parts for name in part.names],
                   b"\0".join(part.joined for part in parts if part.names), identities,
                   [entry for part in parts for entry in part.failed])


def _stat_names(folder: _Folder, first: int, last: int, skip_inodes: frozenset[tuple[int, int]]) -> _Stated:
    """Stat the folder's files ``first`` to ``last`` (excluded) by name, in one C call where it is built. Files
    that cannot be stat'ed are left out and reported; our own output and state files are left out."""
    names = folder.names[first:last]
    if _speedups is not None and _UTF8_NAMES:
        skip = array("q", [number for pair in skip_inodes for number in pair]) if skip_inodes else array("q")
        try:
            out = _speedups.stat_names(folder.fd, folder.joined, first, last, skip.tobytes())
        except OverflowError:
            out = None  # a device or inode number of our own files beyond 64 bits: the Python path
        if out is not None:
            packed, problems = out
            stated = array("q")
            stated.frombytes(packed)
            if not problems:
                return _Stated(names, _slice_joined(folder, first, last), stated, [])
            left_out = {index - first for index, _ in problems}
            kept = [name for index, name in enumerate(names) if index not in left_out]
            # OSError(errno, text) is the errno's subclass (FileNotFoundError for a file that vanished).
            failed = [_unstattable(os.path.join(folder.directory, names[index - first]),
                                   OSError(error, os.strerror(error))) for index, error in problems if error]
            return _Stated(kept, _joined_names(kept), stated, failed)
    kept = []
    numbers: list[int] = []
    failed = []
    for name in names:
        try:
            st = os.stat(name, dir_fd=folder.fd, follow_symlinks=False)
        except OSError as exc:
            failed.append(_unstattable(os.path.join(folder.directory, name), exc))
            continue
        if skip_inodes and (st.st_dev, st.st_ino) in skip_inodes:
            continue  # our own output or state file
        kept.append(name)
        numbers += (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    try:
        identities: Identities = array("q", numbers)
    except OverflowError:
        identities = numbers
    return _Stated(kept, _joined_names(kept), identities, failed)


def _chosen(directory: str, absolute_dir: str, listing: Listing, known: KnownFiles | None) -> FolderFiles:
    """The folder's files to read, in name order: all of them, or those ``known`` does not already know."""
    names, identities = listing.names, listing.identities
    chosen = range(len(names)) if known is None else known.changed_files(directory, absolute_dir, listing)
    order = sorted(chosen, key=names.__getitem__)
    prefix = folder_prefix(directory)
    return FolderFiles([prefix + names[index] for index in order],
                       [number for index in order for number in identities[4 * index:4 * index + 4]])


def _unstattable(path: str, exc: OSError) -> Unscanned:
    if isinstance(exc, FileNotFoundError):
        return Unscanned(path, "vanished during the scan")
    return Unscanned(path, f"cannot be examined: {exc.strerror}")


class _StatAhead:
    """A second thread that stats the files of the folders ahead of the walk while the walk's own thread
    stats, compares and yields the current one: on an incremental scan of an unchanged tree, one ``stat`` a
    file is most of the work, and the C stat (``_speedups.stat_names``) runs without the GIL, so the two
    threads stat at the same time (the pure-Python stat holds the GIL between calls and gains little).

    Work goes in chunks of up to CHUNK files. The walk takes each chunk's result in order; a chunk the thread
    has not started yet the walk cancels and stats itself, and while the thread is on a chunk the walk needs,
    the walk stats the newest queued chunks (the thread takes the oldest), so neither waits while work is left.
    Until the reader has forked its worker processes, the walk pauses before it hands out files to read: the
    thread finishes its chunk and ends, so the fork copies a process with one thread."""

    LOOK_AHEAD = 8  # folders listed and queued ahead of the one the walk is at
    CHUNK = 512

    def __init__(self, skip_inodes: frozenset[tuple[int, int]], may_fork: Callable[[], bool]) -> None:
        self.skip_inodes = skip_inodes
        self.may_fork = may_fork
        self.pool: ThreadPoolExecutor | None = None  # started on first use, ended by every pause
        self.queued: list[Future[_Stated]] = []
        self.work: dict[Future[_Stated], tuple[_Folder, int, int]] = {}
        self.stolen: dict[Future[_Stated], _Stated] = {}  # chunks the walk stat'ed while it waited

    def stat_ahead(self, folders: Iterator[_Folder]) -> Iterator[tuple[_Folder, _Stated | None]]:
        """The folders with their files stat'ed, in the order given, listing and queueing a few ahead."""
        pending: deque[tuple[_Folder, _Stated | None, list[tuple[int, int, Future[_Stated]]]]] = deque()
        try:
            for folder in folders:
                prestated = _prestated(folder, self.skip_inodes)
                pending.append((folder, prestated, self._queue(folder) if prestated is None else []))
                if len(pending) > self.LOOK_AHEAD:
                    yield self._take(*pending.popleft())
            while pending:
                yield self._take(*pending.popleft())
        finally:
            if pending:  # the walk stopped early
                self.stop()
                for folder, _, _ in pending:
                    _close(folder)

    def _queue(self, folder: _Folder) -> list[tuple[int, int, Future[_Stated]]]:
        count = len(folder.names)
        chunks = []
        for first in range(0, count, self.CHUNK):
            last = min(count, first + self.CHUNK)
            if self.pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self.pool = ThreadPoolExecutor(1, thread_name_prefix="mynumber-stat")
            future = self.pool.submit(_stat_names, folder, first, last, self.skip_inodes)
            self.queued.append(future)
            self.work[future] = (folder, first, last)
            chunks.append((first, last, future))
        return chunks

    def _take(self, folder: _Folder, prestated: _Stated | None,
              chunks: list[tuple[int, int, Future[_Stated]]]) -> tuple[_Folder, _Stated]:
        if prestated is not None:
            return folder, prestated
        parts = []
        for first, last, future in chunks:
            stolen = self.stolen.pop(future, None)
            if stolen is not None:
                parts.append(stolen)
            elif future.cancel():
                parts.append(_stat_names(folder, first, last, self.skip_inodes))
            else:
                self._help_until_done(future)
                parts.append(future.result())
            self.work.pop(future, None)
        if len(self.queued) > 4 * self.LOOK_AHEAD:
            self.queued = [future for future in self.queued if not future.done()]
        return folder, _concatenated(folder, parts) if parts else _Stated([], b"", array("q"), [])

    def _help_until_done(self, running: Future[_Stated]) -> None:
        """While the thread stats a chunk the walk needs, the walk stats the newest chunks the thread has not
        started (the thread takes the oldest first), so the two meet in the middle instead of one waiting."""
        for future in reversed(self.queued):
            if running.done():
                return
            work = self.work.get(future)  # None once the walk took it
            if work is not None and future is not running and future not in self.stolen and future.cancel():
                self.stolen[future] = _stat_names(*work, self.skip_inodes)

    def pause(self) -> None:
        """Before files are handed out, while the reader may still fork its workers: end the thread. Chunks not
        started are cancelled (the walk stats them itself when it gets there), the one being stat'ed is waited
        for, and the thread is joined, so the fork copies a process with one thread (Python 3.12 and later warn
        about forking with more). The next chunk queued starts a new thread. Once the workers are forked, or on
        an unchanged tree, which hands out nothing to read, the thread runs on."""
        if self.may_fork():
            self.stop()

    def stop(self) -> None:
        """End the thread now (see :meth:`pause`)."""
        for future in self.queued:
            if future not in self.stolen and not future.cancel():
                future.exception()  # waits; an error stays the chunk's result, for the walk to meet
        self.queued = []
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _classify(name: str, kind: int, fd: int, path: str, options: WalkOptions,
              visited: set[tuple[int, int]]) -> FileRef | Unscanned | str | None:
    """For an entry that is not a regular file (by its ``kind`` in the listing): a FileRef (a followed link to a
    file, or a file that replaced the entry since the folder was listed), an Unscanned, a folder path to enter
    (str), or None to skip."""
    try:
        if kind == _LINK:
            if not options.follow_symlinks:
                return Unscanned(path, "symbolic link not followed (use --follow-symlinks)")
            try:
                st = os.stat(path)
            except OSError:
                return Unscanned(path, "broken symbolic link")
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    return None  # a loop or a second way to a folder already scanned
                visited.add(key)
                return path
            mode = st.st_mode
        elif kind == _DIR:
            if options.follow_symlinks:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                visited.add((st.st_dev, st.st_ino))
            return path
        else:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            mode = st.st_mode
    except OSError as exc:
        return _unstattable(path, exc)
    if stat.S_ISREG(mode):
        return FileRef.of(path, st)
    return Unscanned(path, special_file_reason(mode) or "not a regular file")
