"""Reading and writing whole through a file descriptor, where one ``os.read`` or ``os.write`` may do part of it
(a pipe, a short read at a file's growing end): the scanner's head of a file, a report written into its
temporary file, the batches and results between the scan and its forked workers."""

from __future__ import annotations

import os

# The most asked of one os.read: it allocates what it is asked for before it reads, and a pipe gives at most 64 KiB.
_READ_MOST = 1 << 20


def read_up_to(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end of the file or pipe."""
    parts = []
    while size > 0:
        part = os.read(fd, min(size, _READ_MOST))
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def write_all(fd: int, data: bytes | bytearray) -> None:
    """All of ``data``, through as many writes as a blocking descriptor takes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
