"""Walking: roots -> the files to scan, and the entries that will not be scanned, with why.

Directories are read in name order, so every run (and every ``--jobs``) sees the same files in the same
order. Symbolic links are not followed unless asked; when they are, directories already visited (by device
and inode) are not entered again, so link loops end. FIFOs, sockets and devices are never opened: a FIFO
would block the scan forever.

How a folder is listed and its files stat'ed is the :class:`~detector.fs.lister.Lister` the walk is given (by
default the C lister where it is built, else its plain twin); what an incremental scan already knows is asked
through :class:`KnownFiles`. The walk knows nothing of state files nor of prefetching.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from .errors import ScanError, UsageError
from .fs.codec import DIR, LINK, join_names
from .fs.lister import FOLDER_FLAGS, FileRef, FolderListing, Lister, default_lister, folder_prefix, unstattable
from .globs import GlobError, glob_name_literals, glob_name_regex, glob_to_regex
from .model import Unscanned
from .names import may_hold_number
from .rules import PathRule

log = logging.getLogger(__name__)  # -v: the folders entered and the paths excluded (never a number)

__all__ = ["FileRef", "FolderListing", "KnownFiles", "WalkOptions", "WalkStats", "child_path",
           "exclude_rules", "folder_prefix", "special_file_reason", "walk", "walk_folders"]


@dataclass(slots=True)
class WalkStats:
    excluded: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    # Each entry excluded (its absolute path) and the id of the rule that excluded it: a folder is one entry, for
    # everything below it; so the list is as long as the entries the rules cut off, not the files under them.
    excluded_entries: list[tuple[str, str]] = field(default_factory=list)
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
                log.info("excluded %s (rule %s)", absolute, rule.rule_id)
                stats.excluded += 1
                stats.excluded_by[rule.rule_id] = stats.excluded_by.get(rule.rule_id, 0) + 1
                stats.excluded_entries.append((absolute, rule.rule_id))
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
         lister: Lister | None = None) -> Iterator[FileRef | Unscanned]:
    """Files under each root, depth first (a folder's files in name order), and Unscanned entries for what is
    skipped; see :func:`walk_folders`."""
    for entry in walk_folders(roots, options, stats, known, lister):
        if isinstance(entry, FolderListing):
            yield from entry.refs()
        else:
            yield entry


def walk_folders(roots: Iterable[str], options: WalkOptions, stats: WalkStats, known: KnownFiles | None = None,
                 lister: Lister | None = None) -> Iterator[FolderListing | FileRef | Unscanned]:
    """:func:`walk` with each folder's files to read as one FolderListing entry, in name order and without a
    descriptor (roots given as files stay FileRefs). Files that ``known`` says are unchanged are left out.
    Folders are listed and stat'ed by ``lister`` (:func:`~detector.fs.lister.default_lister` when none is
    given), which hears before files are handed out and when the walk ends."""
    lister = lister or default_lister()
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
            listed = _folders(root, options, stats, visited, lister)
            for folder in lister.stat_folders(listed, options.skip_inodes):
                try:
                    yield from _folder_entries(folder, known, lister)
                finally:
                    folder.close()
    finally:
        lister.close()


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
             lister: Lister) -> Iterator[FolderListing]:
    """Folders depth first, subfolders in name order. Files keep the order the system lists them in: an
    unchanged folder lists the same way each time, so it compares equal to its snapshot without sorting.

    A folder is listed through an open descriptor, so its files are stat'ed by name relative to it: the
    kernel then resolves one name instead of the whole path (a fifth less time a file). The descriptor goes
    with the folder: whoever takes the folder closes it (:meth:`~detector.fs.lister.FolderListing.close`)."""
    stack = [(top, os.path.abspath(top))]
    excludes = _Excludes(options.excludes)
    while stack:
        directory, absolute_dir = stack.pop()
        log.info("folder %s", directory)
        if may_hold_number(directory.rstrip("/").rpartition("/")[2]):  # once a folder, whatever it holds
            stats.named_folders.append(directory)
        try:
            fd = os.open(directory, FOLDER_FLAGS)
        except OSError as exc:
            yield FolderListing(directory, absolute_dir, -1, [], b"", skipped=[_unlistable(directory, exc)])
            continue
        try:
            folder = lister.list(directory, absolute_dir, fd, options.skip_inodes)
        except OSError as exc:
            os.close(fd)
            yield FolderListing(directory, absolute_dir, -1, [], b"", skipped=[_unlistable(directory, exc)])
            continue
        try:
            excluded = excludes.among(absolute_dir, [*folder.names, *(name for name, _ in folder.others)], stats)
            if excluded:
                names = [name for name in folder.names if name not in excluded]
                # Identities a wrapper had cover every file listed: the walk stats the files left.
                folder = folder._replace(names=names, joined=join_names(names), identities=None, others=[
                    (name, kind) for name, kind in folder.others if name not in excluded])
            skipped: list[FileRef | Unscanned] = []
            subdirs = []
            for name, kind in sorted(folder.others):
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


def _classify(name: str, kind: int, fd: int, path: str, options: WalkOptions,
              visited: set[tuple[int, int]]) -> FileRef | Unscanned | str | None:
    """For an entry that is not a regular file (by its ``kind`` in the listing): a FileRef (a followed link to a
    file, or a file that replaced the entry since the folder was listed), an Unscanned, a folder path to enter
    (str), or None to skip."""
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
                return path
            mode = st.st_mode
        elif kind == DIR:
            if options.follow_symlinks:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                visited.add((st.st_dev, st.st_ino))
            return path
        else:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            mode = st.st_mode
    except OSError as exc:
        return unstattable(path, exc)
    if stat.S_ISREG(mode):
        return FileRef.of(path, st)
    return Unscanned(path, special_file_reason(mode) or "not a regular file")
