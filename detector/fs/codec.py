"""How folder listings and file identities are packed into bytes: the one definition the walk, the prefetch and
the state file all read and write.

An unchanged folder is recognised by comparing two pairs of bytes (its names and its files' identities) with
its snapshot, and a folder's listing is remembered as three byte strings, so nothing is done per file in Python
on a tree that did not change. Those layouts are defined here and nowhere else:

- names: a folder's regular files' names, UTF-8 with undecodable bytes kept (``surrogateescape``), joined by NUL;
- identities: (device, inode, size, mtime_ns) of each file in turn, as signed 64-bit integers (IDENTITY_BYTES a
  file);
- others: the entries that are not regular files, each after a byte giving its kind, joined by NUL;
- listed: a folder's (device, inode, mtime_ns, ctime_ns) and when it was listed, as five signed 64-bit integers.
"""

from __future__ import annotations

import os
import re
import struct
from array import array
from collections.abc import Iterable, Sequence

from ..native import speedups as _speedups

IDENTITY_BYTES = 32  # device, inode, size and mtime_ns of one file
LISTED_BYTES = 40  # a remembered listing's folder identity and time
SETTLED_NS = 2_000_000_000
DIR, LINK, OTHER = 1, 2, 3  # the kinds of entries that are not regular files (as _speedups.list_names has them)

Identity = tuple[int, int, int, int]  # device, inode, size, mtime_ns
Identities = Sequence[int]  # four numbers a file, flat: array('q') when every number fits in 64 bits, else a list
FolderIdentity = tuple[int, int, int, int]  # device, inode, mtime_ns, ctime_ns
_LISTED = struct.Struct("=5q")


# -- names ------------------------------------------------------------------------------------------------

def join_names(names: Iterable[str]) -> bytes:
    """Names as a folder snapshot stores them: UTF-8 (undecodable bytes kept), joined by NUL."""
    return "\0".join(names).encode("utf-8", "surrogateescape")


def split_names(joined: bytes) -> list[str]:
    """The names :func:`join_names` joined."""
    return joined.decode("utf-8", "surrogateescape").split("\0") if joined else []


def join_others(others: Iterable[tuple[str, int]]) -> bytes:
    """The entries that are not regular files, each (name, kind), as a remembered listing keeps them."""
    return b"\0".join(bytes((kind,)) + name.encode("utf-8", "surrogateescape") for name, kind in others)


def split_others(joined: bytes) -> list[tuple[str, int]]:
    """The (name, kind) entries :func:`join_others` joined."""
    return [(raw[1:].decode("utf-8", "surrogateescape"), raw[0]) for raw in joined.split(b"\0")] if joined else []


# -- identities -------------------------------------------------------------------------------------------

def identity_of(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def packed_identities(numbers: list[int]) -> Identities:
    """Flat identities as an array of 64-bit integers (whose bytes are the stored form), or the list itself when
    a number does not fit (such a folder is then never taken whole)."""
    try:
        return array("q", numbers)
    except OverflowError:
        return numbers


def unpacked_identities(raw: bytes) -> array[int]:
    """Stored identities as flat numbers."""
    numbers = array("q")
    numbers.frombytes(raw)
    return numbers


def identity_at(flat: Identities, index: int) -> Identity:
    """The (device, inode, size, mtime_ns) of the index-th file of flat identities."""
    start = 4 * index
    return flat[start], flat[start + 1], flat[start + 2], flat[start + 3]


def packed_pairs(pairs: Iterable[tuple[int, int]]) -> bytes | None:
    """(device, inode) pairs packed for :func:`find_identity`; None when a number does not fit in 64 bits."""
    try:
        return array("q", [number for pair in pairs for number in pair]).tobytes()
    except OverflowError:
        return None


def find_identity(identities: bytes, pairs: bytes) -> int:
    """The index of the first packed identity whose device and inode are one of the packed ``pairs``, else -1:
    one C call where the speed-ups are built (``_speedups.find_identity``), else this Python twin."""
    if _speedups is not None:
        return int(_speedups.find_identity(identities, pairs))
    wanted = unpacked_identities(pairs)
    keys = set(zip(wanted[0::2], wanted[1::2], strict=True))
    flat = unpacked_identities(identities)
    for index in range(len(flat) // 4):
        if (flat[4 * index], flat[4 * index + 1]) in keys:
            return index
    return -1


_NONZERO_RUN = re.compile(rb"[^\x00]+")


def changed_records(new: bytes, old: bytes) -> list[int]:
    """The indices of the identity records that differ between two packed listings of the same files, found at
    C speed: the two XORed as big integers, and the runs of bytes that are not zero."""
    if len(new) != len(old):
        return list(range(len(new) // IDENTITY_BYTES))
    difference = (int.from_bytes(new, "little") ^ int.from_bytes(old, "little")).to_bytes(len(new), "little")
    changed: set[int] = set()
    for run in _NONZERO_RUN.finditer(difference):
        changed.update(range(run.start() // IDENTITY_BYTES, (run.end() - 1) // IDENTITY_BYTES + 1))
    return sorted(changed)


# -- a folder's listing -----------------------------------------------------------------------------------

def folder_identity(st: os.stat_result) -> FolderIdentity:
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def packed_listed(folder: FolderIdentity, listed_at: int) -> bytes | None:
    """A folder's identity and when it was listed, as a remembered listing keeps them; None when a number does
    not fit in 64 bits."""
    try:
        return _LISTED.pack(*folder, listed_at)
    except struct.error:
        return None


def unpacked_listed(listed: bytes) -> tuple[FolderIdentity, int]:
    """The folder identity and listing time :func:`packed_listed` packed."""
    dev, ino, mtime_ns, ctime_ns, listed_at = _LISTED.unpack(listed)
    return (dev, ino, mtime_ns, ctime_ns), listed_at


def listing_stands(listed: bytes, folder: FolderIdentity) -> bool:
    """Whether a listing remembered with ``listed`` is the folder's listing now, so the walk may take it instead
    of reading the folder's entries again (a fstat a folder instead of a listing): the folder's device, inode,
    modification and change times are the same (adding, removing or renaming an entry moves both times), and
    the listing was made SETTLED_NS or more after the folder's last change. Times are kept at the granularity of
    a clock tick, so a change in the same tick as the last one before the listing would leave them as they were;
    one made later cannot. (Listings are remembered only on local file systems,
    :data:`~detector.fs.lister.REMEMBERED_ON`: on a network share the times come from the server's clock, and
    some clients cache them.) The C twin is the check inside ``_speedups.stat_folders``."""
    then, listed_at = unpacked_listed(listed)
    settled = listed_at - SETTLED_NS
    return then == folder and then[2] < settled and then[3] < settled


def listed_is_valid(listed: object) -> bool:
    """Whether a stored value can be a remembered listing's ``listed`` column."""
    return isinstance(listed, bytes) and len(listed) == LISTED_BYTES


def packed_files(joined: bytes, identities: Identities) -> tuple[bytes, bytes] | None:
    """A folder's files (joined names, flat identities) as a snapshot stores them; None when an identity does not
    fit in 64 bits."""
    return (joined, identities.tobytes()) if isinstance(identities, array) else None
