"""A path under a root, opened one component at a time and never through a symbolic link.

A quarantine moves files a scan found under its roots. Between the scan and the move someone may have replaced
a folder by a link to ``/etc``: following it would move (or, on restore, overwrite) a file outside every root.
So the root, which the responder named, is opened as it is, and each component below it with ``O_NOFOLLOW``
relative to the folder opened before it (``openat``): a link anywhere on the way is refused, never followed.

A name may have been written masked by the scan (``********9018.csv``: a number in a name is masked in every
output). Such a component is found by listing its folder for the one name that masks to it; two such names in
one folder are refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import NamedTuple

from ..names import mask_numbers, shown

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NOATIME = getattr(os, "O_NOATIME", 0)
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | _NOFOLLOW | _CLOEXEC
_LINK_ERRORS = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)


class Refused(Exception):
    """A file the quarantine will not touch, and why (a sentence naming no number): listed, never fatal."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Place(NamedTuple):
    """A name in an open folder: where a file is, or will be. The folder descriptor belongs to the caller;
    ``path`` is the whole real path (a masked name resolved), for messages and a second look."""

    folder: int
    name: str
    path: str = ""


def open_quietly(name: str, flags: int, folder: int | None = None) -> int:
    """``os.open`` with ``O_NOATIME`` where the kernel allows it (the owner, or root): checking a file must not
    change what it checks, its access time included."""
    if NOATIME:
        try:
            return os.open(name, flags | NOATIME, dir_fd=folder)
        except PermissionError:
            pass
    return os.open(name, flags, dir_fd=folder)


def parts_under(root: str, path: str) -> list[str]:
    """The components of ``path`` below ``root`` (both absolute); refused when it is not under it, or names
    ``.`` or ``..`` (a saved scan's path is taken literally, never normalised into another place)."""
    if path == root:
        return []
    prefix = root.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise Refused("not under a root of the scan")
    parts = path[len(prefix):].split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Refused("its path has an empty, '.' or '..' component")
    return parts


def real_name(folder: int, name: str) -> str:
    """``name`` as it is in ``folder``: itself when it exists, else the one entry whose masked form it is (a
    scan writes a number in a name masked); refused when none or several are."""
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
        return name
    except FileNotFoundError:
        if "*" not in name:
            raise Refused(f"no longer there ({_quoted(name)} is missing)") from None
    fd = open_quietly(".", _FOLDER_FLAGS, folder)
    try:
        matches = [entry.name for entry in os.scandir(fd) if mask_numbers(entry.name) == name]
    finally:
        os.close(fd)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise Refused(f"no longer there (no name masks to {_quoted(name)})")
    raise Refused(f"{len(matches)} names in its folder mask to {_quoted(name)}: cannot tell which one was found")


def open_folder(base: str, parts: list[str], create: bool = False, real: list[str] | None = None) -> int:
    """``base`` opened as named (links followed: the root is the responder's choice), then each of ``parts``
    below it without following a link, created 0700 where missing when ``create``. The caller closes it.
    ``real`` receives the names as they are (masked ones resolved)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for part in parts:
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o700, dir_fd=fd)
            name = part if create else real_name(fd, part)
            try:
                child = open_quietly(name, _FOLDER_FLAGS, fd)
            except OSError as exc:
                if exc.errno in _LINK_ERRORS:
                    raise Refused(f"{_quoted(name)} on its path is a symbolic link or not a folder") from None
                raise Refused(f"cannot open the folder {_quoted(name)} on its path: {exc.strerror}") from None
            os.close(fd)
            fd = child
            if real is not None:
                real.append(name)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def place_of(root: str, path: str, resolve: bool = True) -> Iterator[Place]:
    """The folder holding ``path`` (opened below ``root`` without following a link) and its real name (with
    ``resolve`` False, the name as given: a place where a file will be put); a root that is a file is opened from
    its own folder. The folder is closed on leaving."""
    parts = parts_under(root, path)
    base = root if parts else os.path.dirname(root) or "/"
    if not parts:
        parts = [os.path.basename(root)]
    real: list[str] = []
    folder = open_folder(base, parts[:-1], real=real)
    try:
        name = real_name(folder, parts[-1]) if resolve else parts[-1]
        yield Place(folder, name, os.path.join(base, *real, name))
    finally:
        os.close(folder)


def open_file(place: Place) -> int:
    """The regular file at ``place``, read-only, not through a link, without touching its access time."""
    try:
        fd = open_quietly(place.name, FILE_FLAGS, place.folder)
    except OSError as exc:
        if exc.errno in _LINK_ERRORS:
            raise Refused("it is a symbolic link") from None
        if exc.errno == errno.ENOENT:
            raise Refused("no longer there") from None
        raise Refused(f"cannot open it: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("not a regular file")
    return fd


def exists(place: Place) -> bool:
    """Whether anything (a file, a link, a folder) has ``place``'s name."""
    try:
        os.stat(place.name, dir_fd=place.folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def fsync_folder(folder: int) -> None:
    """Make a rename, a new name or a removal in ``folder`` durable."""
    with suppress(OSError):  # some file systems do not sync folders; the data itself was synced
        os.fsync(folder)


def _quoted(name: str) -> str:
    return repr(shown(name))
