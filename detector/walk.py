"""Walking: roots -> the files to scan, and the entries that will not be scanned, with why.

Directories are read in name order, so every run (and every ``--jobs``) sees the same files in the same
order. Symbolic links are not followed unless asked; when they are, directories already visited (by device
and inode) are not entered again, so link loops end. FIFOs, sockets and devices are never opened: a FIFO
would block the scan forever.

How a folder is listed and its files stat'ed is the :class:`~detector.fs.lister.Lister` the walk is given (by
default the C lister where it is built, else its plain twin); what an incremental scan already knows is asked
through :class:`KnownFiles`. The walk knows nothing of state files nor of prefetching.

What it selects beyond the rules (``--include``, ``--shard``, the names of ``--files-from``) is a
:class:`~detector.selection.Selection`; with ``one_file_system`` it does not enter a folder on another file system
than its root's (a mount point, as ``find -xdev`` and ``rsync -x``), which it lists as excluded by that rule.
Excluded entries are listed up to ``WalkStats.excluded_kept`` (the rest counted by rule): a glob that excludes a
million files must not cost a million entries of memory.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from .errors import ScanError
from .fs.codec import DIR, LINK, join_names
from .fs.lister import FOLDER_FLAGS, FileRef, FolderListing, Lister, default_lister, folder_prefix, unstattable
from .globs import glob_name_literals, glob_name_regex
from .messages import text
from .model import ENTRIES_KEPT, Unscanned
from .names import may_hold_number
from .rules import PathRule
from .selection import Selection, first_listings, option_rules, relative_to

log = logging.getLogger(__name__)  # -v: the folders entered and the paths excluded (never a number)

__all__ = ["ONE_FILE_SYSTEM", "FileRef", "FolderListing", "KnownFiles", "WalkOptions", "WalkStats", "child_path",
           "exclude_rules", "folder_prefix", "special_file_reason", "walk", "walk_folders"]


@dataclass(slots=True)
class WalkStats:
    excluded: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    # Each entry excluded (its absolute path) and the id of the rule that excluded it: a folder is one entry, for
    # everything below it; so the list is as long as the entries the rules cut off, not the files under them.
    # The first ``excluded_kept`` in walk order (the same at every run) are listed; the others counted by rule.
    excluded_entries: list[tuple[str, str]] = field(default_factory=list)
    excluded_left_out: dict[str, int] = field(default_factory=dict)
    excluded_kept: int = ENTRIES_KEPT
    # Folders walked whose name may hold a My Number (names.may_hold_number): the scan looks at their names.
    named_folders: list[str] = field(default_factory=list)

    def exclude(self, absolute: str, rule_id: str) -> None:
        """Count an entry excluded by a rule, and list it while fewer than ``excluded_kept`` are."""
        log.info("excluded %s (rule %s)", absolute, rule_id)
        self.excluded += 1
        self.excluded_by[rule_id] = self.excluded_by.get(rule_id, 0) + 1
        if len(self.excluded_entries) < self.excluded_kept:
            self.excluded_entries.append((absolute, rule_id))
        else:
            self.excluded_left_out[rule_id] = self.excluded_left_out.get(rule_id, 0) + 1


class WalkOptions(NamedTuple):
    follow_symlinks: bool = False
    excludes: tuple[PathRule, ...] = ()
    skip_inodes: frozenset[tuple[int, int]] = frozenset()  # (device, inode) of our own output files
    selection: Selection = Selection()  # --include, --shard
    one_file_system: bool = False  # --one-file-system: stay on each root's file system


# The rule a folder on another file system is excluded by, with --one-file-system.
ONE_FILE_SYSTEM = "--one-file-system"


def exclude_rules(globs: Iterable[str]) -> tuple[PathRule, ...]:
    """``--exclude GLOB`` options as path rules; a glob that cannot mean anything is a usage error naming it."""
    return option_rules("--exclude", globs, "excluded on the command line", "exclude.bad_glob")


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
    """What an incremental scan already knows (see :mod:`detector.incremental`): asked about each folder's files as
    the walk lists them, so an unchanged folder costs its listing, one comparison, and yields nothing."""

    def changed_files(self, folder: FolderListing) -> Sequence[int]:
        """The indices (in ``folder.names``, the folder's regular files as stat'ed, in listing order) of the files
        to read; the others' results the caller takes as known. ``folder.listed`` and its companions are the
        folder's listing, to keep for the next walk when set (see :func:`~detector.fs.codec.listing_stands`)."""
        ...


class _Excludes:
    """Exclude rules, tested entry by entry as the walk descends. A rule matches a folder or file and all below
    it, and every level is tested on the way down, so an entry is excluded only when a rule's glob ends at it:
    the entry's *name* must match the glob's last component. That test, one ``fullmatch`` of all rules' last
    components on a short name, rules out almost every entry; the full path is built and tested only for the
    rare name that passes (a search of every full path cost much more per entry)."""

    def __init__(self, rules: tuple[PathRule, ...], root: str = "/", selection: Selection | None = None) -> None:
        self.rules = rules
        self.root, self.selection = root, selection or Selection()  # an entry is listed by the shard that owns it
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
                if self.selection.owns(relative_to(self.root, absolute)):
                    stats.exclude(absolute, rule.rule_id)
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


def walk(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
         lister: Lister | None = None, listed: Iterable[str] = ()) -> Iterator[FileRef | Unscanned]:
    """Files under each root, depth first (a folder's files in name order), and Unscanned entries for what is
    skipped; see :func:`walk_folders`."""
    for entry in walk_folders(roots, options, stats, known, lister, listed):
        if isinstance(entry, FolderListing):
            yield from entry.refs()
        else:
            yield entry


def walk_folders(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
                 lister: Lister | None = None,
                 listed: Iterable[str] = ()) -> Iterator[FolderListing | FileRef | Unscanned]:
    """:func:`walk` with each folder's files to read as one FolderListing entry, in name order and without a
    descriptor (roots given as files stay FileRefs). Files that ``known`` says are unchanged are left out.
    Folders are listed and stat'ed by ``lister`` (:func:`~detector.fs.lister.default_lister` when none is
    given), which hears before files are handed out and when the walk ends. After the roots, the names
    ``listed`` (``--files-from``), each on its own: see :func:`listed_entry`."""
    lister = lister or default_lister()
    visited: set[tuple[int, int]] = set()
    try:
        for root in roots:
            try:
                kind = _root(root, options)
            except OSError as exc:
                if isinstance(exc, FileNotFoundError):
                    raise ScanError(text("root.missing", root=root)) from None
                raise ScanError(text("root.unreadable", root=root, reason=exc.strerror)) from None
            if isinstance(kind, (FileRef, Unscanned)):
                # a file given as a root: its name is its path under itself, for a shard (--include applies too)
                if options.selection.reads(os.path.abspath(root), os.path.basename(root)):
                    yield kind
                continue
            visited.add(kind)
            folders = _folders(root, options, stats, visited, lister, kind[0])
            for folder in lister.stat_folders(folders, options.skip_inodes):
                try:
                    yield from _folder_entries(folder, known, lister)
                finally:
                    folder.close()
        for name in first_listings(listed):  # a name listed twice is read once
            entry = listed_entry(name, options, stats)
            if entry is not None:
                yield entry
    finally:
        lister.close()


def listed_entry(name: str, options: WalkOptions, stats: WalkStats) -> FileRef | Unscanned | None:
    """A name of a ``--files-from`` list: the file to read, the entry not read (a name not found is listed, with
    why, and the scan goes on), or None for what this run leaves alone (a folder: the list names the files to
    read, as ``find DIR -type f`` lists them, and is not descended into, as cpio and rsync's ``--files-from`` do
    not; a name excluded, not included or of another shard). Excludes and includes apply as in a folder; a
    shard hashes the name as listed."""
    absolute = os.path.abspath(name)
    for rule in options.excludes:
        if rule.matches(absolute):
            if options.selection.owns(_listed_relative(name)):
                stats.exclude(absolute, rule.rule_id)
            return None
    try:
        st = os.stat(name) if options.follow_symlinks else os.lstat(name)
    except OSError as exc:
        if not options.selection.owns(_listed_relative(name)):
            return None
        if isinstance(exc, FileNotFoundError | NotADirectoryError):
            return Unscanned(name, f"{LISTED_NOT_FOUND} (listed in --files-from)")
        return Unscanned(name, f"cannot be read: {exc.strerror} (listed in --files-from)")
    if stat.S_ISDIR(st.st_mode) or not options.selection.reads(absolute, _listed_relative(name)):
        return None
    if stat.S_ISLNK(st.st_mode):
        return Unscanned(name, "symbolic link not followed (use --follow-symlinks)")
    if not stat.S_ISREG(st.st_mode):
        return Unscanned(name, special_file_reason(st.st_mode) or "not a regular file")
    if (st.st_dev, st.st_ino) in options.skip_inodes:
        return None
    return FileRef.of(name, st)


# Why a name of --files-from is not read when it does not exist: nothing to read, so nothing that may hold a number.
LISTED_NOT_FOUND = "no such file"


def _listed_relative(name: str) -> str:
    """A listed name as a shard hashes it: as listed, without a leading ``./``."""
    while name.startswith("./"):
        name = name[2:]
    return name


def _folder_entries(folder: FolderListing, known: KnownFiles | None,
                    lister: Lister) -> Iterator[FolderListing | FileRef | Unscanned]:
    """What the walk yields for one stat'ed folder: what it skips, the files that cannot be stat'ed, the files
    to read."""
    if folder.skipped:
        if any(isinstance(entry, FileRef) for entry in folder.skipped):
            lister.handing_out()
        yield from folder.skipped
    yield from folder.failed
    if not folder.names and not folder.failed and folder.listed is None:
        return  # nothing to read, nor a listing to keep (a folder of folders has one, for the next walk)
    chosen = _chosen(folder, known)
    if chosen is not None:
        lister.handing_out()  # files to read: the reader may fork its workers now, from one thread
        yield chosen


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


def _folders(top: str, options: WalkOptions, stats: WalkStats, visited: set[tuple[int, int]],
             lister: Lister, device: int | None = None) -> Iterator[FolderListing]:
    """Folders depth first, subfolders in name order. Files keep the order the system lists them in: an
    unchanged folder lists the same way each time, so it compares equal to its snapshot without sorting.

    A folder is listed through an open descriptor, so its files are stat'ed by name relative to it: the
    kernel then resolves one name instead of the whole path (a fifth less time a file). The descriptor goes
    with the folder: whoever takes the folder closes it (:meth:`~detector.fs.lister.FolderListing.close`).

    With ``options.one_file_system`` a subfolder whose device is not ``device`` (the root's) is excluded."""
    if device is None and options.one_file_system:
        device = os.stat(top).st_dev
    root = os.path.abspath(top)
    stack = [(top, root)]
    selection = options.selection
    excludes = _Excludes(options.excludes, root, selection)
    while stack:
        directory, absolute_dir = stack.pop()
        log.info("folder %s", directory)
        relative_dir = relative_to(root, absolute_dir)
        if may_hold_number(directory.rstrip("/").rpartition("/")[2]) and selection.owns(relative_dir):
            stats.named_folders.append(directory)  # once a folder, whatever it holds
        try:
            fd = os.open(directory, FOLDER_FLAGS)
        except OSError as exc:
            yield FolderListing(directory, absolute_dir, -1, [], b"",
                                skipped=[_unlistable(directory, exc)] if selection.owns(relative_dir) else [])
            continue
        try:
            folder = lister.list(directory, absolute_dir, fd, options.skip_inodes)
        except OSError as exc:
            os.close(fd)
            yield FolderListing(directory, absolute_dir, -1, [], b"",
                                skipped=[_unlistable(directory, exc)] if selection.owns(relative_dir) else [])
            continue
        try:
            excluded = excludes.among(absolute_dir, [*folder.names, *(name for name, _ in folder.others)], stats)
            names = folder.names if not excluded else [name for name in folder.names if name not in excluded]
            names = selection.chosen(absolute_dir, relative_dir, names)
            if excluded or len(names) != len(folder.names):
                # Identities a wrapper had cover every file listed: the walk stats the files left.
                folder = folder._replace(names=names, joined=join_names(names), identities=None, others=[
                    (name, kind) for name, kind in folder.others if name not in excluded])
            skipped: list[FileRef | Unscanned] = []
            subdirs = []
            for name, kind in sorted(folder.others):
                result = _classify(name, kind, fd, os.path.join(directory, name), options, visited)
                absolute = child_path(absolute_dir, name)
                if isinstance(result, _Folder):
                    if not options.one_file_system or result.device == device:
                        subdirs.append((result.path, absolute))
                    elif selection.owns(relative_to(root, absolute)):
                        stats.exclude(absolute, ONE_FILE_SYSTEM)  # a mount point: another file system
                elif result is None or not selection.reads(absolute, relative_to(root, absolute)):
                    continue
                elif not (isinstance(result, FileRef) and (result.dev, result.ino) in options.skip_inodes):
                    skipped.append(result)
        except BaseException:
            os.close(fd)
            raise
        yield folder._replace(skipped=skipped) if skipped else folder
        stack.extend(reversed(subdirs))


def child_path(absolute_dir: str, name: str) -> str:
    """The absolute path of ``name`` in the folder ``absolute_dir``."""
    return f"{absolute_dir}/{name}" if absolute_dir != "/" else f"/{name}"


def _unlistable(directory: str, exc: OSError) -> Unscanned:
    if isinstance(exc, FileNotFoundError):
        return Unscanned(directory, "folder vanished during the scan")
    if isinstance(exc, PermissionError):
        return Unscanned(directory, "permission denied (folder not readable)")
    return Unscanned(directory, f"folder cannot be read: {exc.strerror}")


def _chosen(folder: FolderListing, known: KnownFiles | None) -> FolderListing | None:
    """The folder's files to read, in name order: all of them, or those ``known`` does not already know; None
    when there are none."""
    names, identities = folder.names, folder.identities
    assert identities is not None  # the folder is stat'ed
    chosen = range(len(names)) if known is None else known.changed_files(folder)
    if not chosen:
        return None
    order = sorted(chosen, key=names.__getitem__)
    to_read = [names[index] for index in order]
    return FolderListing(folder.directory, folder.absolute, -1, to_read, join_names(to_read),
                         identities=[number for index in order for number in identities[4 * index:4 * index + 4]])


class _Folder(NamedTuple):
    """A subfolder to enter: its path, and its device when it was stat'ed (-1 when it was not needed)."""

    path: str
    device: int


def _classify(name: str, kind: int, fd: int, path: str, options: WalkOptions,
              visited: set[tuple[int, int]]) -> FileRef | Unscanned | _Folder | None:
    """For an entry that is not a regular file (by its ``kind`` in the listing): a FileRef (a followed link to a
    file, or a file that replaced the entry since the folder was listed), an Unscanned, a folder to enter (with
    its device when following links or staying on one file system: one stat a folder), or None to skip."""
    try:
        if kind == LINK:
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
                return _Folder(path, st.st_dev)
            mode = st.st_mode
        elif kind == DIR:
            if not (options.follow_symlinks or options.one_file_system):
                return _Folder(path, -1)
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if options.follow_symlinks:
                visited.add((st.st_dev, st.st_ino))
            return _Folder(path, st.st_dev)
        else:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            mode = st.st_mode
    except OSError as exc:
        return unstattable(path, exc)
    if stat.S_ISREG(mode):
        return FileRef.of(path, st)
    return Unscanned(path, special_file_reason(mode) or "not a regular file")
