"""How a folder is listed and its files stat'ed: the :class:`Lister` port the walk is given.

Two twins give the same results: :class:`ScandirLister` (os.scandir and os.stat) and :class:`NativeLister` (one C
call a folder to list it, ``_speedups.list_names``, and one to stat its files, ``_speedups.stat_names``: no object
per file, no GIL held). Wrappers add to either: :class:`~detector.fs.statahead.StatAhead` stats the folders ahead
of the walk on a second thread, and an incremental scan's
:class:`~detector.incremental.listing.RememberingLister` takes listings it remembered instead of reading folders
again. The walk knows only this protocol, and every step gives a :class:`FolderListing`.

Folders are listed through an open descriptor, so files are stat'ed by name relative to it: the kernel then
resolves one name instead of the whole path.
"""

from __future__ import annotations

import codecs
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

from ..model import Unscanned
from ..native import speedups as _speedups
from .codec import (
    DIR,
    LINK,
    OTHER,
    Identities,
    Identity,
    join_names,
    packed_identities,
    packed_pairs,
    split_names,
    split_others,
    unpacked_identities,
)

FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
# statfs f_type of the file systems whose folders' times are set by this machine's clock: ext2/3/4, XFS,
# Btrfs, tmpfs, ZFS, F2FS (where a remembered listing may stand, see codec.listing_stands).
REMEMBERED_ON = frozenset({0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x2FC12FC1, 0xF2F52010})
_TYPE_BY_NAME = {"ext2": 0xEF53, "ext3": 0xEF53, "ext4": 0xEF53, "xfs": 0x58465342, "btrfs": 0x9123683E,
                 "tmpfs": 0x01021994, "zfs": 0x2FC12FC1, "f2fs": 0xF2F52010}
# The file names as the C lister gives them (bytes) are the stored form only where names are UTF-8 to Python.
UTF8_NAMES = codecs.lookup(sys.getfilesystemencoding()).name == "utf-8" and (
    sys.getfilesystemencodeerrors() == "surrogateescape")

Skip = frozenset[tuple[int, int]]  # (device, inode) of our own output and state files, never handed out


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
    def identity(self) -> Identity:
        return (self.dev, self.ino, self.size, self.mtime_ns)


class FolderListing(NamedTuple):
    """A folder's regular files with their stat facts, as the walk takes them step by step: as listed (by
    os.scandir, the C lister, or from a listing the state remembered), then stat'ed (``identities`` set: the
    files that could not be are in ``failed``, our own output and state files left out), and last as the walk
    hands them out to be read (the files an incremental scan did not know, in name order, without a descriptor).
    One type for every step, so a wrapper that already knows a step's answer (a remembered listing, the files'
    identities from the prefetch) gives it in the form the walk takes, and a step is a ``_replace``.

    Also what the walk learned of the folder's other entries (``others``, then ``skipped``: what will not be read
    or is read on its own, such as links followed to files), and the listing as an incremental scan remembers it
    for the next walk (``listed``, ``listed_files``, ``listed_others``, in the layouts of :mod:`.codec`): the
    folder's entries as listed, before any were excluded. The descriptor goes with the folder: whoever takes the
    folder closes it (:meth:`close`). A named tuple: one a folder, built and read on the hot path of a rescan."""

    directory: str  # as the walk reached it (reported paths start with the root as given)
    absolute: str
    fd: int  # the open folder while the walk is at it, else -1
    names: list[str]  # the regular files, in listing order (in name order once handed out)
    joined: bytes  # the names as codec.join_names joins them
    others: Sequence[tuple[str, int]] = ()  # the other entries with their kinds (codec.DIR, LINK, OTHER)
    skipped: Sequence[FileRef | Unscanned] = ()
    identities: Identities | None = None  # four numbers a file of ``names``, once stat'ed
    failed: Sequence[Unscanned] = ()  # the files that could not be stat'ed
    listed: bytes | None = None  # codec.packed_listed: the folder's identity and listing time; None: not kept
    listed_files: bytes | None = None  # the regular files' names as listed, joined
    listed_others: bytes | None = None  # the other entries as listed, as codec.join_others joins them

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)

    def paths(self) -> list[str]:
        """The files' paths, as they are read and reported."""
        prefix = folder_prefix(self.directory)
        return [prefix + name for name in self.names]

    @property
    def sizes(self) -> Sequence[int]:
        """The files' sizes at walk time (used to balance work between processes)."""
        return (self.identities or ())[2::4]

    def refs(self) -> Iterator[FileRef]:
        """The stat'ed files one by one."""
        ids = self.identities or ()
        for index, path in enumerate(self.paths()):
            at = 4 * index
            yield FileRef(path, ids[at + 2], ids[at], ids[at + 1], ids[at + 3])


def folder_prefix(directory: str) -> str:
    """What a file's name is appended to for the path it is read and reported under (as os.path.join would
    give it, without a call per file). The walk and an incremental scan's bookkeeping must agree on it."""
    return directory + "/" if directory and not directory.endswith("/") else directory


class Lister(Protocol):
    """Lists folders and stats their files for the walk."""

    def list(self, directory: str, absolute_dir: str, fd: int, skip: Skip) -> FolderListing:
        """The entries of the open folder ``fd`` (reached as ``directory``). Raises OSError."""
        ...

    def stat(self, folder: FolderListing, first: int, last: int, skip: Skip) -> FolderListing:
        """The folder with its files ``first`` to ``last`` (excluded) stat'ed by name: ``names`` those that could
        be (files in ``skip`` left out), ``failed`` the others."""
        ...

    def stat_folders(self, folders: Iterator[FolderListing], skip: Skip) -> Iterator[FolderListing]:
        """The folders in the order given, each with all its files stat'ed."""
        ...

    def handing_out(self) -> None:
        """The walk is about to hand out files to read (the reader may fork its workers then)."""
        ...

    def close(self) -> None:
        """The walk is over (or left early)."""
        ...

    def filesystem_type(self, fd: int) -> int:
        """The statfs ``f_type`` of the file system holding the open folder ``fd`` (0 when not known)."""
        ...


def nothing_to_stat(folder: FolderListing) -> FolderListing:
    """A folder without regular files, as stat'ed."""
    return folder._replace(identities=unpacked_identities(b""))


class _OneAtATime(ABC):
    """Folders stat'ed in turn on the walk's thread."""

    @abstractmethod
    def stat(self, folder: FolderListing, first: int, last: int, skip: Skip) -> FolderListing:
        """See :meth:`Lister.stat`."""

    def stat_folders(self, folders: Iterator[FolderListing], skip: Skip) -> Iterator[FolderListing]:
        for folder in folders:
            if folder.identities is not None:
                yield folder
            else:
                yield self.stat(folder, 0, len(folder.names), skip) if folder.names else nothing_to_stat(folder)

    def handing_out(self) -> None:
        return None

    def close(self) -> None:
        return None


class ScandirLister(_OneAtATime):
    """The plain twin: os.scandir and os.stat, and the file system's type from /proc/self/mountinfo."""

    def list(self, directory: str, absolute_dir: str, fd: int, skip: Skip) -> FolderListing:
        names = []
        others = []
        with os.scandir(fd) as iterator:
            for entry in iterator:
                if entry.is_file(follow_symlinks=False):
                    names.append(entry.name)
                else:
                    others.append((entry.name, LINK if entry.is_symlink() else
                                   DIR if entry.is_dir(follow_symlinks=False) else OTHER))
        return FolderListing(directory, absolute_dir, fd, names, join_names(names), others)

    def stat(self, folder: FolderListing, first: int, last: int, skip: Skip) -> FolderListing:
        kept = []
        numbers: list[int] = []
        failed = []
        for name in folder.names[first:last]:
            try:
                st = os.stat(name, dir_fd=folder.fd, follow_symlinks=False)
            except OSError as exc:
                failed.append(unstattable(os.path.join(folder.directory, name), exc))
                continue
            if skip and (st.st_dev, st.st_ino) in skip:
                continue  # our own output or state file
            kept.append(name)
            numbers += (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        joined = folder.joined if len(kept) == len(folder.names) else join_names(kept)
        return folder._replace(names=kept, joined=joined, identities=packed_identities(numbers), failed=failed)

    def filesystem_type(self, fd: int) -> int:
        dev = os.fstat(fd).st_dev
        wanted = f"{os.major(dev)}:{os.minor(dev)}"
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as mounts:
                for line in mounts:
                    fields, _, after = line.partition(" - ")
                    numbers = fields.split()
                    if len(numbers) > 2 and numbers[2] == wanted and after:
                        return _TYPE_BY_NAME.get(after.split()[0], 0)
        except OSError:
            pass
        return 0


class NativeLister(_OneAtATime):
    """The C twin: one call a folder to list it, one to stat its files, without the GIL (so a second thread
    stats at the same time, see :class:`~detector.fs.statahead.StatAhead`). Only where the C module is built
    and names are UTF-8 to Python (the C lister gives their bytes, which must be the stored form)."""

    def __init__(self) -> None:
        assert _speedups is not None
        self.plain = ScandirLister()  # for a skip list beyond 64 bits

    def list(self, directory: str, absolute_dir: str, fd: int, skip: Skip) -> FolderListing:
        assert _speedups is not None
        files, others = _speedups.list_names(fd)
        return FolderListing(directory, absolute_dir, fd, split_names(files), files, split_others(others))

    def stat(self, folder: FolderListing, first: int, last: int, skip: Skip) -> FolderListing:
        assert _speedups is not None
        pairs = packed_pairs(skip) if skip else b""
        if pairs is None:
            return self.plain.stat(folder, first, last, skip)  # a device or inode number beyond 64 bits
        packed, problems = _speedups.stat_names(folder.fd, folder.joined, first, last, pairs)
        identities = unpacked_identities(packed)
        names = folder.names[first:last]
        if not problems:
            joined = folder.joined if first == 0 and last == len(folder.names) else join_names(names)
            return folder._replace(names=names, joined=joined, identities=identities, failed=[])
        left_out = {index - first for index, _ in problems}
        kept = [name for index, name in enumerate(names) if index not in left_out]
        # OSError(errno, text) is the errno's subclass (FileNotFoundError for a file that vanished).
        failed = [unstattable(os.path.join(folder.directory, names[index - first]), OSError(error, os.strerror(error)))
                  for index, error in problems if error]
        return folder._replace(names=kept, joined=join_names(kept), identities=identities, failed=failed)

    def filesystem_type(self, fd: int) -> int:
        assert _speedups is not None
        return int(_speedups.filesystem_type(fd))


def default_lister() -> Lister:
    """The C lister where it can be used, else its plain twin."""
    return NativeLister() if _speedups is not None and UTF8_NAMES else ScandirLister()


class ListerWrapper:
    """A lister that adds to another one: everything it does not change is the inner lister's."""

    def __init__(self, inner: Lister) -> None:
        self.inner = inner

    def list(self, directory: str, absolute_dir: str, fd: int, skip: Skip) -> FolderListing:
        return self.inner.list(directory, absolute_dir, fd, skip)

    def stat(self, folder: FolderListing, first: int, last: int, skip: Skip) -> FolderListing:
        return self.inner.stat(folder, first, last, skip)

    def stat_folders(self, folders: Iterator[FolderListing], skip: Skip) -> Iterator[FolderListing]:
        return self.inner.stat_folders(folders, skip)

    def handing_out(self) -> None:
        self.inner.handing_out()

    def close(self) -> None:
        self.inner.close()

    def filesystem_type(self, fd: int) -> int:
        return self.inner.filesystem_type(fd)


def unstattable(path: str, exc: OSError) -> Unscanned:
    if isinstance(exc, FileNotFoundError):
        return Unscanned(path, "vanished during the scan")
    return Unscanned(path, f"cannot be examined: {exc.strerror}")
