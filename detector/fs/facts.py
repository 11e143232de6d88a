"""A file's facts as the scan read it (:class:`~detector.model.FileFacts`: size, modification and change times in
ns, sha256 up to :data:`HASH_MAX_BYTES`),
and the one sha256 of a file's bytes that the scan and ``mynumber quarantine`` both take, so the two agree.

The scanner asks only for a file that gave findings (or possible numbers OCR could not read), right after reading
it: a clean file costs nothing. The facts are of the whole file, taken where the whole file is known: the open
file the scanner read (its stat from before the reading, its bytes hashed from the start), or the bytes of a
small file read whole. A file read in parts (byte ranges on several workers) has no part that knows the whole:
its facts are taken once, where its parts are put together, by :func:`facts_of_path`, never from a part.

None of these raise: a file whose facts cannot be read keeps its findings without facts (the quarantine then
checks it as it checks a scan written before facts were kept).
"""

from __future__ import annotations

import hashlib
import os
import stat

from ..model import FileFacts

CHUNK = 1 << 20
# Files with findings up to this size are hashed; a larger one (a log of hundreds of MB) keeps its size, mtime and
# ctime only. sha256 costs about 1 CPU s per GB (docs/performance.md): on logs where every file has findings that
# was a third more CPU than the scan itself. The ctime guards what the hash would: any write moves it, and setting
# the mtime back (touch -d, utime) moves it too, so a file changed in place with its time restored still differs.
HASH_MAX_BYTES = 16 << 20


def sha256_of(fd: int) -> str:
    """The sha256 of an open file's content, read from its start (positional reads: the offset is left alone)."""
    return _sha256_and_size(fd)[0]


def read_facts(fd: int, st: os.stat_result) -> FileFacts | None:
    """The facts of the open file ``fd`` the scanner has just read: the time it had before it was read (``st``)
    and the size and hash of its bytes now. A file written while it was read thus has a time or a size the next
    look at it will not match."""
    try:
        size = os.fstat(fd).st_size
        digest = None
        if size <= HASH_MAX_BYTES:
            digest, size = _sha256_and_size(fd)
    except OSError:
        return None
    return FileFacts(size, st.st_mtime_ns, digest, st.st_ctime_ns)


def facts_of_bytes(path: str, data: bytes, follow_symlinks: bool) -> FileFacts | None:
    """The facts of a small file read whole into ``data``: its size and hash are those of the bytes read; its time
    is asked of ``path`` now (a file changed since has a size or hash that will not match)."""
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest() if len(data) <= HASH_MAX_BYTES else None
    return FileFacts(len(data), st.st_mtime_ns, digest, st.st_ctime_ns)


def facts_of_path(path: str, follow_symlinks: bool) -> FileFacts | None:
    """The facts of the file at ``path``, opened again (a file the scanner did not read itself: one that gave a
    finding only in its name, or a file read in parts). Opened as the scanner opens files: read-only, not through a
    link unless links are followed, never blocking on a FIFO, without moving its access time where allowed."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        try:
            fd = os.open(path, flags | getattr(os, "O_NOATIME", 0))
        except PermissionError:
            fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        return read_facts(fd, st) if stat.S_ISREG(st.st_mode) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _sha256_and_size(fd: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, CHUNK, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest(), offset
