"""The files the tool writes for its user (reports, event logs), written so that no link can redirect them.

A root cron job that writes ``-o /srv/share/report.json`` into a folder other people can write must not be
made to overwrite (or chmod) whatever file a link planted at that name points to. So:

- A symbolic link at the name is refused with an error naming it (exit 2), never written through: the user
  may have made it on purpose, and silently replacing it would surprise them as much as following it.
- A report is written to a new temporary file in the same folder (``O_CREAT | O_EXCL``, mode 0600, as every
  output is: it names people's files, and with ``--reveal`` holds their numbers) and renamed onto the name
  with :func:`os.replace` once complete. A rename replaces the name itself, whatever it has become meanwhile:
  a symbolic link planted after the check above, or a hard link to another file, is replaced, never written
  through, and no mode is ever changed on a file we did not create. A reader of the report also never sees a
  half-written file, and a scan that fails leaves the previous report as it was. The price: the folder must
  be writable, and an existing report is replaced by a new file (ours, 0600) rather than rewritten in place.
- An event log (``watch -o``) is appended to, so it cannot be replaced: it is opened with ``O_NOFOLLOW`` (a
  symbolic link is refused even if it appears after the check) and refused when it has other hard links.
- A name that is a device or a FIFO (``-o /dev/null``), or a symbolic link to one (``-o /dev/stdout``), is no
  file to replace: it is opened as it is, and nothing else (no creation, no truncation, no chmod); should a
  regular file be there by the time it is opened, nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile

from .errors import ScanError, UsageError
from .fs.descriptors import write_all
from .messages import Text, text

_NAME_IN_TEMPORARY = 40  # characters of the output's name kept in its temporary file's name (a name has 255 bytes)


def _symlink_refused(path: str, what: str | Text) -> UsageError:
    return UsageError(text("output.symlink", path=path, what=what))


def _cannot_write(path: str, what: str | Text, exc: OSError) -> ScanError:
    return ScanError(text("output.cannot_write", path=path, what=what, reason=exc.strerror or exc))


def _existing(path: str, what: str | Text) -> os.stat_result | None:
    """What is at ``path`` now, itself (not a link's target); refuses a symbolic link, but for one to a device,
    a FIFO or a socket (``-o /dev/stdout``, a link to a pipe): what it reaches is no file to clobber."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot_write(path, what, exc) from None
    if stat.S_ISLNK(found.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            raise _symlink_refused(path, what) from None
        if stat.S_ISREG(target.st_mode) or stat.S_ISDIR(target.st_mode):
            raise _symlink_refused(path, what)
        return target
    return found


def _is_special(found: os.stat_result | None) -> bool:
    return found is not None and not stat.S_ISREG(found.st_mode) and not stat.S_ISDIR(found.st_mode)


def _open_special(path: str, what: str | Text) -> int:
    """A device, FIFO or socket (maybe through a link: see :func:`_existing`), opened to write as it is (no
    creation, no truncation, no chmod); if a regular file took its place meanwhile, nothing is written."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_write(path, what, exc) from None
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ScanError(text("output.changed", path=path))
    return fd


def _open_nofollow(path: str, flags: int, what: str | Text) -> int:
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symbolic link appeared since the check
            raise _symlink_refused(path, what) from None
        raise _cannot_write(path, what, exc) from None


class ReplacedFile:
    """A report: written whole into a temporary file beside ``path``, then renamed onto it (see the module).

    Created before a scan starts, so the walk can skip both the file being written and the one it replaces
    (:meth:`identities`)."""

    def __init__(self, path: str, what: str | Text = "the output") -> None:
        self.path = path
        self.what = what
        self.temporary: str | None = None
        self.replaced: frozenset[tuple[int, int]] = frozenset()
        self.fd: int | None = None
        found = _existing(path, what)
        if found is not None:
            if stat.S_ISDIR(found.st_mode):
                raise _cannot_write(path, what, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
            if not stat.S_ISREG(found.st_mode):
                self.fd = _open_special(path, what)
                return
            self.replaced = frozenset({(found.st_dev, found.st_ino)})
        folder, name = os.path.split(path)
        try:
            self.fd, self.temporary = tempfile.mkstemp(prefix=f".{name[:_NAME_IN_TEMPORARY]}.", suffix=".tmp",
                                                       dir=folder or ".")
        except OSError as exc:
            raise _cannot_write(path, what, exc) from None

    def identities(self) -> frozenset[tuple[int, int]]:
        """(device, inode) of the file being written and of the one it replaces, for the walk to skip."""
        if self.fd is None:
            return self.replaced
        opened = os.fstat(self.fd)
        return self.replaced | {(opened.st_dev, opened.st_ino)}

    def commit(self, data: bytes) -> None:
        """Write ``data`` and put the file in place (for a special file: write it there)."""
        assert self.fd is not None, "committed twice"
        try:
            write_all(self.fd, data)
            if self.temporary is not None:
                os.fsync(self.fd)  # the new content is on disk before the rename makes it the report
                os.replace(self.temporary, self.path)
                self.temporary = None
        except OSError as exc:
            self.abandon()
            raise _cannot_write(self.path, self.what, exc) from None
        os.close(self.fd)
        self.fd = None

    def publish(self) -> None:
        """Put the file at its name now, still empty, for a writer that streams into it (:meth:`append`, then
        :meth:`commit` with the rest): readers see each line as it comes, and a scan killed midway leaves what it
        wrote. The rename is the same as at :meth:`commit` (never through a link, the file ours and 0600); only the
        old report goes at the start rather than at the end."""
        if self.temporary is None:
            return  # a device or a FIFO: written as it is
        try:
            os.replace(self.temporary, self.path)
        except OSError as exc:
            self.abandon()
            raise _cannot_write(self.path, self.what, exc) from None
        self.temporary = None

    def append(self, data: bytes) -> None:
        """Write ``data`` into the file being streamed (:meth:`publish`)."""
        assert self.fd is not None, "already committed"
        try:
            write_all(self.fd, data)
        except OSError as exc:
            raise _cannot_write(self.path, self.what, exc) from None

    def abandon(self) -> None:
        """Nothing written: the temporary file is removed, whatever was at the name stays as it was (once
        published, the file stays with what was streamed into it)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            self.temporary = None


def open_append(path: str, what: str | Text = "the events") -> int:
    """A log appended to (created 0600, an existing one narrowed to 0600): never through a symbolic link,
    never into a file with other hard links (it would be another file under this name)."""
    if _is_special(_existing(path, what)):
        return _open_special(path, what)
    fd = _open_nofollow(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, what)
    opened = os.fstat(fd)
    if stat.S_ISREG(opened.st_mode):
        if opened.st_nlink > 1:
            os.close(fd)
            raise UsageError(text("output.hard_links", path=path, what=what))
        try:
            os.fchmod(fd, 0o600)
        except OSError as exc:
            os.close(fd)
            raise _cannot_write(path, what, exc) from None
    return fd
