"""Reading access logs: plain, rotated and compressed files, or standard input, as blocks of whole lines.

A web server's logs run to many gigabytes, so they are streamed in large blocks (the line filter looks at a
block at a time, :mod:`detector.access.filtering`) and never held whole. Compression is told by the first bytes,
not the name, because rotation schemes name files freely (``access.log.2.gz``, ``access.log-20260101``). A
block always ends at a line end, except the last block of a log whose last line has none.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import sys
from collections.abc import Iterator
from typing import Protocol, cast

from ..errors import UsageError
from ..messages import Text, text
from ..names import shown

BLOCK_BYTES = 8 << 20
MAX_LINE_BYTES = 1 << 20
STDIN = "-"

_MAGIC = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open))


def log_name(path: str) -> str:
    """A log's name in messages and reports: as every writer writes names (numbers masked, controls escaped)."""
    return "standard input" if path == STDIN else shown(path)


def log_label(path: str) -> str | Text:
    """A log's name in an error message: :func:`log_name`'s, with standard input named in the user's language."""
    return text("access_log.stdin") if path == STDIN else shown(path)


class LogStream(Protocol):
    """A log opened for reading: a file, a decompressing reader, or standard input's bytes."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def open_log(path: str) -> LogStream:
    """The log at ``path`` (``-``: standard input) as a binary stream, decompressed when its first bytes say
    gzip, bzip2 or xz. A file that cannot be opened is a usage error naming it."""
    if path == STDIN:
        return sys.stdin.buffer
    try:
        raw = open(path, "rb", buffering=0)  # noqa: SIM115 - the caller closes it; unbuffered: blocks are large
    except OSError as exc:
        raise UsageError(text("access_log.unreadable", name=log_label(path), reason=exc.strerror)) from None
    head = raw.read(6)
    raw.seek(0)
    for magic, opener in _MAGIC:
        if head.startswith(magic):
            return cast(LogStream, opener(raw, "rb"))
    return raw


class LineBlocks:
    """A log as blocks of whole lines of about ``block_bytes``. A line longer than ``max_line_bytes`` (no web
    server writes one; a hostile or broken log may hold gigabytes without a line end) is dropped as it is read,
    never held, and counted in :attr:`overlong_lines`. A compressed log cut short or damaged ends the reading with
    an error naming it."""

    def __init__(self, stream: LogStream, path: str, block_bytes: int = BLOCK_BYTES,
                 max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.stream = stream
        self.path = path
        self.block_bytes = block_bytes
        self.max_line_bytes = max_line_bytes
        self.overlong_lines = 0

    def __iter__(self) -> Iterator[bytes]:
        carry = b""
        dropping = False  # inside an overlong line: its bytes are dropped up to its end
        while data := self._read():
            if dropping:
                cut = data.find(b"\n")
                if cut < 0:
                    continue
                data, dropping = data[cut + 1:], False
            end = data.rfind(b"\n")
            if end < 0:
                carry += data
                if len(carry) > self.max_line_bytes:
                    carry, dropping = b"", True
                    self.overlong_lines += 1
                continue
            yield carry + data[:end + 1]
            carry = data[end + 1:]
        if carry:
            yield carry

    def _read(self) -> bytes:
        try:
            return self.stream.read(self.block_bytes)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise UsageError(text("access_log.damaged", name=log_label(self.path), error=type(exc).__name__)) \
                from None


def log_size(path: str) -> int:
    """Bytes of the log as stored (compressed, for a compressed one); 0 for standard input."""
    if path == STDIN:
        return 0
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
