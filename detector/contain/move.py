"""One file moved from one folder to another, keeping its content, owner, mode, times and extended attributes.

On one file system a move is a rename: atomic, the inode and everything about it kept. Across file systems it is
a copy under a temporary name (``O_EXCL``, never through a link), fsync'ed, read back and its sha256 compared
with the source's, given the source's owner, mode, times and extended attributes, then linked to its final name
(a link fails where a name exists: nothing is overwritten); only then is the source removed, and only if it is
still the same file (device, inode, size and mtime). A crash at any point leaves the file in at least one place.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import NamedTuple

from ..fs.descriptors import write_all
from ..fs.facts import sha256_of  # the scan's: a file's hash here is the one its scan kept (model.FileFacts)
from .paths import FILE_FLAGS, Place, Refused, exists, fsync_folder, open_quietly

CHUNK = 1 << 20
_PARTIAL = ".mynumber-partial-"
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class Facts(NamedTuple):
    """What a file is and what must be kept of it, from its stat."""

    dev: int
    ino: int
    size: int
    mode: int  # permission bits (and setuid, setgid, sticky), without the type
    uid: int
    gid: int
    atime_ns: int
    mtime_ns: int
    nlink: int

    @classmethod
    def of(cls, st: os.stat_result) -> Facts:
        return cls(st.st_dev, st.st_ino, st.st_size, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                   st.st_atime_ns, st.st_mtime_ns, st.st_nlink)

    def same_file(self, other: Facts) -> bool:
        """The same file with the same content as far as its stat tells (device, inode, size, mtime)."""
        return (self.dev, self.ino, self.size, self.mtime_ns) == (other.dev, other.ino, other.size, other.mtime_ns)


def same_device(source: Place, target: Place) -> bool:
    return os.fstat(source.folder).st_dev == os.fstat(target.folder).st_dev


def rename(source: Place, target: Place) -> None:
    """Same file system: the file renamed into place, refused when the target name is taken (a link and an
    unlink: unlike rename, a link never replaces a name; plain rename where the file system has no links)."""
    try:
        os.link(source.name, target.name, src_dir_fd=source.folder, dst_dir_fd=target.folder, follow_symlinks=False)
    except FileExistsError:
        raise Refused("the name it would take is taken") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOTSUP):
            raise
        if exists(target):
            raise Refused("the name it would take is taken") from None
        os.rename(source.name, target.name, src_dir_fd=source.folder, dst_dir_fd=target.folder)
    else:
        os.unlink(source.name, dir_fd=source.folder)
    fsync_folder(target.folder)
    fsync_folder(source.folder)


def copy(source_fd: int, facts: Facts, expected_sha256: str, target: Place) -> list[str]:
    """Across file systems: ``source_fd``'s content copied to ``target`` (created, never replacing a name),
    synced, its sha256 checked against ``expected_sha256``, its metadata set as ``facts`` and the source's
    extended attributes say. Returns what could not be kept (an owner we may not give, attributes the target file
    system refuses), as sentences for the record."""
    partial = Place(target.folder, _PARTIAL + target.name)
    fd = os.open(partial.name, _CREATE_FLAGS, 0o600,
                 dir_fd=partial.folder)
    try:
        _copy_content(source_fd, fd)
        os.fsync(fd)
        if sha256_of_name(partial) != expected_sha256:
            raise Refused("the copy's sha256 differs from the original's: the original was left in place")
        not_kept = keep_metadata(fd, facts, read_xattrs(source_fd))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(partial.name, dir_fd=partial.folder)
        raise
    os.close(fd)
    try:
        os.link(partial.name, target.name, src_dir_fd=partial.folder, dst_dir_fd=target.folder,
                follow_symlinks=False)
    except FileExistsError:
        os.unlink(partial.name, dir_fd=partial.folder)
        raise Refused("the name it would take is taken") from None
    os.unlink(partial.name, dir_fd=partial.folder)
    fsync_folder(target.folder)
    return not_kept


def sha256_of_name(place: Place) -> str:
    """The sha256 of the file at ``place``, read again from the disk's copy (a new descriptor)."""
    fd = open_quietly(place.name, FILE_FLAGS, place.folder)
    try:
        return sha256_of(fd)
    finally:
        os.close(fd)


def remove_if_same(place: Place, facts: Facts) -> None:
    """Remove the file at ``place`` if it is still the file ``facts`` describe; refused (and kept) otherwise."""
    fd = open_quietly(place.name, FILE_FLAGS, place.folder)
    try:
        now = Facts.of(os.fstat(fd))
    finally:
        os.close(fd)
    if not now.same_file(facts):
        raise Refused("it changed while it was copied: the original was left in place, and the copy kept")
    os.unlink(place.name, dir_fd=place.folder)
    fsync_folder(place.folder)


def keep_metadata(fd: int, facts: Facts, xattrs: dict[str, bytes]) -> list[str]:
    """Owner, then mode (a chown clears setuid bits), extended attributes, then times (last: the others would
    not move them, but writing would). Returns what could not be kept."""
    not_kept = []
    try:
        os.fchown(fd, facts.uid, facts.gid)
    except PermissionError:
        not_kept.append(f"owner {facts.uid}:{facts.gid} not kept (only root may give a file away)")
    os.fchmod(fd, facts.mode)
    for name, value in xattrs.items():
        try:
            os.setxattr(fd, name, value)
        except OSError as exc:
            not_kept.append(f"extended attribute {name} not kept: {exc.strerror}")
    os.utime(fd, ns=(facts.atime_ns, facts.mtime_ns))
    return not_kept


def read_xattrs(fd: int) -> dict[str, bytes]:
    """An open file's extended attributes (ACLs among them), or none where the file system has none."""
    try:
        names = os.listxattr(fd)
    except OSError:
        return {}
    values = {}
    for name in names:
        try:
            values[name] = os.getxattr(fd, name)
        except OSError:
            continue
    return values


def _copy_content(source_fd: int, target_fd: int) -> None:
    offset = 0
    while chunk := os.pread(source_fd, CHUNK, offset):
        write_all(target_fd, chunk)
        offset += len(chunk)

