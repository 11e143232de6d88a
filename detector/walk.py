"""Walking: roots -> the files to scan, and the entries that will not be scanned, with why.

Directories are read in name order, so every run (and every ``--jobs``) sees the same files in the same
order. Symbolic links are not followed unless asked; when they are, directories already visited (by device
and inode) are not entered again, so link loops end. FIFOs, sockets and devices are never opened: a FIFO
would block the scan forever.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

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
    """What an incremental scan already knows (see :mod:`detector.state`): asked about each regular file as the
    walk meets it, so an unchanged file costs one stat and one lookup, and is not yielded at all."""

    def unchanged(self, absolute: str, path: str, st: os.stat_result) -> bool: ...


def walk(roots: Iterable[str], options: WalkOptions, stats: WalkStats,
         known: KnownFiles | None = None) -> Iterator[FileRef | Unscanned]:
    """Files under each root, depth first in name order, and Unscanned entries for what is skipped; files that
    ``known`` says are unchanged are left out."""
    visited: set[tuple[int, int]] = set()
    for root in roots:
        try:
            st = os.stat(root) if options.follow_symlinks else os.lstat(root)
        except FileNotFoundError:
            raise ScanError(f"{root}: no such file or folder; the scan cannot run") from None
        except OSError as exc:
            raise ScanError(f"{root}: cannot be read ({exc.strerror}); the scan cannot run") from None
        if stat.S_ISLNK(st.st_mode):
            # A root given explicitly is the user's choice: follow that one link.
            try:
                st = os.stat(root)
            except OSError:
                yield Unscanned(root, "broken symbolic link")
                continue
        if stat.S_ISDIR(st.st_mode):
            visited.add((st.st_dev, st.st_ino))
            yield from _walk_dir(root, options, stats, visited, known)
        elif stat.S_ISREG(st.st_mode):
            yield FileRef.of(root, st)
        else:
            yield Unscanned(root, special_file_reason(st.st_mode) or "not a regular file")


class _Excludes:
    """Exclude rules, tested entry by entry as the walk descends. A rule matches a folder or file and all below
    it, and every level is tested on the way down, so an entry is excluded only when a rule's glob ends at it:
    the entry's *name* must match the glob's last component. That test, one ``fullmatch`` of all rules' last
    components on a short name, rules out almost every entry; the full path is built and tested only for the
    rare name that passes (the path search cost 8 µs an entry)."""

    def __init__(self, rules: tuple[PathRule, ...]) -> None:
        self.rules = rules
        self.names = re.compile("|".join(f"(?:{glob_name_regex(rule.glob)})" for rule in rules)) if rules else None

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


def _walk_dir(top: str, options: WalkOptions, stats: WalkStats, visited: set[tuple[int, int]],
              known: KnownFiles | None = None) -> Iterator[FileRef | Unscanned]:
    stack = [(top, os.path.abspath(top))]
    excludes = _Excludes(options.excludes)
    while stack:
        directory, absolute_dir = stack.pop()
        try:
            with os.scandir(directory) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except FileNotFoundError:
            yield Unscanned(directory, "folder vanished during the scan")
            continue
        except PermissionError:
            yield Unscanned(directory, "permission denied (folder not readable)")
            continue
        except OSError as exc:
            yield Unscanned(directory, f"folder cannot be read: {exc.strerror}")
            continue
        subdirs = []
        prefix = absolute_dir if absolute_dir != "/" else ""
        for entry in entries:
            if excludes.names is not None and excludes.excluded(absolute_dir, entry.name, stats):
                continue
            if known is not None and entry.is_file(follow_symlinks=False) and known.unchanged(
                    f"{prefix}/{entry.name}", entry.path, entry.stat(follow_symlinks=False)):
                continue
            result = _classify(entry, options, visited)
            if result is None:
                continue
            if isinstance(result, str):
                subdirs.append((result, f"{absolute_dir}/{entry.name}" if absolute_dir != "/" else f"/{entry.name}"))
            else:
                yield result
        stack.extend(reversed(subdirs))


def _classify(entry: os.DirEntry[str], options: WalkOptions,
              visited: set[tuple[int, int]]) -> FileRef | Unscanned | str | None:
    """A FileRef, an Unscanned, a folder path to enter (str), or None to skip silently."""
    path = entry.path
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
        elif entry.is_file(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            if options.skip_inodes and (st.st_dev, st.st_ino) in options.skip_inodes:
                return None  # our own output or state file
            return FileRef.of(path, st)
        else:
            st = entry.stat(follow_symlinks=False)
            mode = st.st_mode
    except FileNotFoundError:
        return Unscanned(path, "vanished during the scan")
    except OSError as exc:
        return Unscanned(path, f"cannot be examined: {exc.strerror}")
    if stat.S_ISREG(mode):
        return FileRef.of(path, st)
    return Unscanned(path, special_file_reason(mode) or "not a regular file")
