"""Walking: roots -> the files to scan, and the entries that will not be scanned, with why.

Directories are read in name order, so every run (and every ``--jobs``) sees the same files in the same
order. Symbolic links are not followed unless asked; when they are, directories already visited (by device
and inode) are not entered again, so link loops end. FIFOs, sockets and devices are never opened: a FIFO
would block the scan forever.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import signal
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple, Protocol

from .errors import ScanError
from .model import Unscanned
from .rules import PathRule, glob_name_regex, glob_to_regex


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


@dataclass(frozen=True, slots=True)
class WalkOptions:
    follow_symlinks: bool = False
    excludes: tuple[PathRule, ...] = ()
    skip_inodes: frozenset[tuple[int, int]] = frozenset()  # (device, inode) of our own output files


def exclude_rules(globs: Iterable[str]) -> tuple[PathRule, ...]:
    """``--exclude GLOB`` options as path rules."""
    return tuple(PathRule(f"--exclude {g}", g, "excluded on the command line", glob_to_regex(g)) for g in globs)


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

    def changed_files(self, directory: str, absolute_dir: str, names: list[str],
                      identities: list[int]) -> Iterable[int]:
        """The indices (in ``names``) of the files to read; the others' results the caller takes as known.
        ``identities`` is flat: device, inode, size and mtime_ns of each file in turn."""
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
        # The same names as whole lines of a text; the name patterns' wildcards must then not cross a line.
        line_names = [glob_name_regex(rule.glob).replace("[^/]", "[^/\n]").replace(".*", "[^\n]*") for rule in rules]
        self.lines = re.compile("(?m)^(?:" + "|".join(f"(?:{name})" for name in line_names) + ")$") if rules else None

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

    def among(self, absolute_dir: str, entries: list[os.DirEntry[str]], stats: WalkStats) -> set[str]:
        """The names of a folder's entries that are excluded (counted in ``stats``). The names are searched as
        one text, one per line, so a folder without a candidate costs one regex search, not one per entry."""
        if self.names is None or not entries:
            return set()
        joined = "\n".join(entry.name for entry in entries)
        if self.lines is not None and joined.count("\n") == len(entries) - 1:  # no name holds a newline
            candidates = set(self.lines.findall(joined))
        else:
            candidates = {entry.name for entry in entries if self.names.fullmatch(entry.name)}
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
         helper: StatHelper | None = None) -> Iterator[FileRef | Unscanned]:
    """Files under each root, depth first (a folder's files in name order), and Unscanned entries for what is
    skipped; see :func:`walk_folders`."""
    for entry in walk_folders(roots, options, stats, known, helper):
        if isinstance(entry, FolderFiles):
            yield from entry.refs()
        else:
            yield entry


def walk_folders(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
                 helper: StatHelper | None = None) -> Iterator[FolderFiles | FileRef | Unscanned]:
    """:func:`walk` with each folder's files as one FolderFiles entry (roots given as files stay FileRefs).
    Files that ``known`` says are unchanged are left out. A ``helper`` started on the same roots and options
    stats about half the folders' files; the walk closes it when it ends."""
    visited: set[tuple[int, int]] = set()
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
            for folder in _folders(root, options, stats, visited):
                yield from folder.skipped
                if folder.files:
                    names, identities, failed = _identities(folder, options, helper)
                    yield from failed
                    chosen = _chosen(folder.directory, folder.absolute, names, identities, known)
                    if chosen.paths:
                        yield chosen
    finally:
        if helper is not None:
            helper.close()


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
    """One folder as listed: its regular files (not yet stat'ed, in listing order; their ``stat`` works while
    the walk is at this folder), and what will not be read or is read on its own (links followed to files)."""

    directory: str  # as the walk reached it (reported paths start with the root as given)
    absolute: str
    files: list[os.DirEntry[str]]
    skipped: list[FileRef | Unscanned]


_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def _folders(top: str, options: WalkOptions, stats: WalkStats,
             visited: set[tuple[int, int]]) -> Iterator[_Folder]:
    """Folders depth first, subfolders in name order. Files keep the order the system lists them in: an
    unchanged folder lists the same way each time, so it compares equal to its snapshot without sorting.

    A folder is listed through an open descriptor, so its files are stat'ed by name relative to it: the
    kernel then resolves one name instead of the whole path (a fifth less time a file)."""
    stack = [(top, os.path.abspath(top))]
    excludes = _Excludes(options.excludes)
    while stack:
        directory, absolute_dir = stack.pop()
        try:
            fd = os.open(directory, _FOLDER_FLAGS)
        except OSError as exc:
            yield _Folder(directory, absolute_dir, [], [_unlistable(directory, exc)])
            continue
        try:
            try:
                with os.scandir(fd) as iterator:
                    entries = list(iterator)
            except OSError as exc:
                yield _Folder(directory, absolute_dir, [], [_unlistable(directory, exc)])
                continue
            excluded = excludes.among(absolute_dir, entries, stats)
            files: list[os.DirEntry[str]] = []
            others: list[os.DirEntry[str]] = []
            for entry in entries:
                (files if entry.is_file(follow_symlinks=False) else others).append(entry)
            if excluded:
                files = [entry for entry in files if entry.name not in excluded]
                others = [entry for entry in others if entry.name not in excluded]
            skipped: list[FileRef | Unscanned] = []
            subdirs = []
            for entry in sorted(others, key=_name):
                result = _classify(entry, os.path.join(directory, entry.name), options, visited)
                if isinstance(result, str):
                    subdirs.append((result, child_path(absolute_dir, entry.name)))
                elif isinstance(result, FileRef):
                    if not (options.skip_inodes and (result.dev, result.ino) in options.skip_inodes):
                        skipped.append(result)
                elif result is not None:
                    skipped.append(result)
            yield _Folder(directory, absolute_dir, files, skipped)
        finally:
            os.close(fd)
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


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


Identities = list[int]  # four numbers a file: device, inode, size, mtime_ns


def _identities(folder: _Folder, options: WalkOptions, helper: StatHelper | None) -> tuple[
        list[str], Identities, list[Unscanned]]:
    """The folder's regular files: names and (device, inode, size, mtime_ns), from the helper for the files it
    stat'ed in this folder (all, the second part of a large folder, or none), the rest here. A file that cannot
    be stat'ed is left out (the caller's listing is then short)."""
    files = folder.files
    if helper is not None:
        listed = helper.listing(folder.absolute)
        if listed is not None:
            start, names, identities = listed
            if len(names) == len(files) - start and all(
                    name == entry.name for name, entry in zip(names, files[start:], strict=True)):
                if start == 0:
                    return names, identities, []
                own_names, own_identities, failed = _stat_files(folder.directory, files[:start], options.skip_inodes)
                return own_names + names, own_identities + identities, failed
    return _stat_files(folder.directory, files, options.skip_inodes)


def _stat_files(directory: str, files: list[os.DirEntry[str]], skip_inodes: frozenset[tuple[int, int]]) -> tuple[
        list[str], Identities, list[Unscanned]]:
    names: list[str] = []
    identities: Identities = []
    failed: list[Unscanned] = []
    for entry in files:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            failed.append(_unstattable(os.path.join(directory, entry.name), exc))
            continue
        if skip_inodes and (st.st_dev, st.st_ino) in skip_inodes:
            continue  # our own output or state file
        names.append(entry.name)
        identities += (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    return names, identities, failed


def _chosen(directory: str, absolute_dir: str, names: list[str], identities: Identities,
            known: KnownFiles | None) -> FolderFiles:
    """The folder's files to read, in name order: all of them, or those ``known`` does not already know."""
    chosen = range(len(names)) if known is None else known.changed_files(directory, absolute_dir, names,
                                                                          identities)
    order = sorted(chosen, key=names.__getitem__)
    prefix = folder_prefix(directory)
    return FolderFiles([prefix + names[index] for index in order],
                       [number for index in order for number in identities[4 * index:4 * index + 4]])


def _unstattable(path: str, exc: OSError) -> Unscanned:
    if isinstance(exc, FileNotFoundError):
        return Unscanned(path, "vanished during the scan")
    return Unscanned(path, f"cannot be examined: {exc.strerror}")


class StatHelper:
    """A forked process that walks the same folders in the same order and stats the files of about half of
    them, sending each folder's names and identities back through a pipe.

    On an incremental scan of an unchanged tree, one ``stat`` per file is most of the work (listing a folder
    is cheap; threads do not help: the GIL is handed over at every call). The helper decides which folders it
    takes, by balancing file counts, and sends one record per folder, so the parent only follows: a record
    for another folder than the parent's next one (the tree changed between the two walks) ends the help and
    the parent stats the rest itself. It never reads a file, never touches the state, and exits without
    running any clean-up of the parent's (os._exit)."""

    PARENT_WEIGHT = 1.25  # the parent also compares and yields: it takes a little less
    SPLIT_AT = 2000  # a folder with this many files is shared between the two

    def __init__(self, pid: int, stream: BinaryIO) -> None:
        self.pid, self.stream = pid, stream
        self.failed = self.closed = False

    @classmethod
    def start(cls, roots: list[str], options: WalkOptions) -> StatHelper | None:
        """Fork the helper; call this before starting any thread (a forked copy of a threaded process may
        find a lock held forever). None when no process can be made: the walk then stats everything."""
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the helper
            status = 0
            try:
                os.close(read_end)
                with open(write_end, "wb", buffering=1 << 16) as out:
                    _help(roots, options, out)
            except BaseException:  # a helper never raises into the parent's code
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, open(read_end, "rb", buffering=1 << 16))

    def listing(self, absolute_dir: str) -> tuple[int, list[str], Identities] | None:
        """(from which of the folder's files, their names, their identities) when the helper stat'ed files of
        this folder, else None."""
        if self.failed:
            return None
        try:
            header = self.stream.read(8)
            size = int.from_bytes(header, "little")
            record = marshal.loads(self.stream.read(size)) if len(header) == 8 else None
        except (OSError, EOFError, ValueError, TypeError):
            record = None
        if not isinstance(record, tuple) or len(record) != 4 or record[0] != absolute_dir:
            self.failed = True  # the helper ended, or the walks parted: the parent goes on alone
            return None
        if record[1] is None:
            return None
        return record[1], record[2], record[3]

    def close(self) -> None:
        """End the helper (it may still be walking when the walk stops early) and reap it; once only, as its
        process id may be reused afterwards."""
        if self.closed:
            return
        self.closed = self.failed = True
        self.stream.close()
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)


def _help(roots: list[str], options: WalkOptions, out: BinaryIO) -> None:
    """The helper's walk: one record per folder, (absolute path, first file index, names, flat identities) for
    the files it takes, (absolute path, None, None, None) for a folder it leaves to the parent. It takes whole
    folders, balancing file counts, and the second part of every large one (a share can be one flat folder)."""
    mine = theirs = 0.0
    visited: set[tuple[int, int]] = set()
    stats = WalkStats()
    for root in roots:
        try:
            kind = _root(root, options)
        except OSError:
            continue
        if isinstance(kind, (FileRef, Unscanned)):
            continue
        visited.add(kind)
        for folder in _folders(root, options, stats, visited):
            count = len(folder.files)
            if not count:
                continue
            if count >= StatHelper.SPLIT_AT:
                start = round(count / (1 + StatHelper.PARENT_WEIGHT))
            elif mine <= theirs:
                start = 0
            else:
                start = count
            theirs += start * StatHelper.PARENT_WEIGHT
            mine += count - start
            if start < count:
                names, identities, _ = _stat_files(folder.directory, folder.files[start:], options.skip_inodes)
                record = marshal.dumps((folder.absolute, start, names, identities))
            else:
                record = marshal.dumps((folder.absolute, None, None, None))
            out.write(len(record).to_bytes(8, "little"))
            out.write(record)


def _classify(entry: os.DirEntry[str], path: str, options: WalkOptions,
              visited: set[tuple[int, int]]) -> FileRef | Unscanned | str | None:
    """For an entry that is not a regular file: a FileRef (a followed link to a file, or a file that replaced
    the entry since the folder was listed), an Unscanned, a folder path to enter (str), or None to skip."""
    try:
        if entry.is_symlink():
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
        elif entry.is_dir(follow_symlinks=False):
            if options.follow_symlinks:
                st = entry.stat(follow_symlinks=False)
                visited.add((st.st_dev, st.st_ino))
            return path
        else:
            st = entry.stat(follow_symlinks=False)
            mode = st.st_mode
    except OSError as exc:
        return _unstattable(path, exc)
    if stat.S_ISREG(mode):
        return FileRef.of(path, st)
    return Unscanned(path, special_file_reason(mode) or "not a regular file")
