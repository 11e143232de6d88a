"""Files inside files: archive members and mail attachments, identified and extracted like any file.

:class:`Expander` runs a file's extractor and, for each :class:`~detector.extract.Member` it yields, identifies
the member by its content and runs that member's extractor in turn, so a workbook in a zip in a mail is read
like a workbook on the share. Everything found inside carries ``member``: the inner path, with ``!`` between
container levels (``backup.zip`` → ``2024/payroll.zip!payroll.xlsx``); a compression layer such as
``app.log.gz`` adds no level of its own.

The limits of :class:`~detector.rules.Limits` bound the work a hostile file can cause: nesting depth, members
and unpacked bytes per file on disk, and the unpacked/packed ratio of each member (zip bombs). What exceeds a
limit, and any member that is encrypted, corrupt or of an unreadable type, becomes a
:class:`~detector.extract.Skipped` entry; the rest of the file is still scanned.
"""

from __future__ import annotations

import csv
import functools
import io
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from ..decode import SAMPLE_SIZE
from ..errors import UnscannableFile
from ..identify import identify, refine, unsupported_reason
from ..redact import redact
from ..rules import Limits
from . import Extractor, ForwardStream, Member, PossibleNumber, Skipped, Source, TextUnit

# Kinds whose readers need the whole file with random access: a nested one is read into memory first.
WHOLE_FILE_KINDS = frozenset({"zip", "xlsx", "docx", "pptx", "ods", "odt", "odp", "ole2", "xls", "doc", "ppt",
                              "msg", "encrypted", "pdf", "7z"})
# Containers' own bytes are not counted against max_total_bytes: their members' bytes are.
CONTAINER_KINDS = frozenset({"zip", "tar", "gzip", "bzip2", "xz", "mbox", "email", "7z", "rar", "lzh", "msg"})
MEMBER_SEPARATOR = "!"
@functools.cache
def damaged_data() -> tuple[type[BaseException], ...]:
    """What readers raise on damaged data: decompressors, zipfile, tarfile, struct unpacking of binary headers.
    Built on first need (an except clause evaluates it only when an exception arrives): zipfile, tarfile and
    lzma are imported only by scans that meet an archive."""
    import lzma
    import tarfile
    import zipfile

    return (zipfile.BadZipFile, zlib.error, lzma.LZMAError, tarfile.TarError, struct.error, EOFError, OSError,
            UnicodeDecodeError)


@functools.cache
def _damaged_member() -> tuple[type[BaseException], ...]:
    return (*damaged_data(), csv.Error)


class LimitReached(UnscannableFile):
    """A container limit was reached while reading a member."""


# What the expander gives the scanner: text to match, parts not read, possible numbers OCR could not read.
Read = TextUnit | Skipped | PossibleNumber


@dataclass(slots=True)
class Budget:
    """What is left for one file on disk, shared by all its levels."""

    bytes_left: int
    members_left: int
    exhausted: bool = False


class Expander:
    """Runs extractors, descending into members. One per scanner; the budget is per file."""

    def __init__(self, extractors: Mapping[str, Extractor], limits: Limits) -> None:
        self.extractors = extractors
        self.limits = limits

    def items(self, extractor: Extractor, source: Source) -> Iterator[Read]:
        """Text units and skipped parts of one file, members included. Damaged data met by any reader
        (a bad CRC, a truncated deflate stream) becomes :class:`UnscannableFile`."""
        budget = Budget(self.limits.max_total_bytes, self.limits.max_members)
        try:
            yield from self._expand(extractor, source, "", 0, budget)
        except GeneratorExit:  # the reader stopped early: no damage, and no archive modules imported to say so
            raise
        except damaged_data() as exc:
            raise UnscannableFile(f"corrupt or truncated: {redact(_short(exc))}") from None

    def _expand(self, extractor: Extractor, source: Source, prefix: str, depth: int,
                budget: Budget) -> Iterator[Read]:
        for item in extractor.extract(source):
            if isinstance(item, (TextUnit, PossibleNumber)):
                yield _prefixed(item, prefix) if prefix else item
            elif isinstance(item, Skipped):
                yield replace(item, member=_join(prefix, item.member)) if prefix else item
            elif budget.exhausted:
                return  # one entry already says that the rest of the file was not read
            else:
                yield from self._member(item, prefix, depth + 1, budget)

    def _member(self, member: Member, prefix: str, depth: int, budget: Budget) -> Iterator[Read]:
        name = prefix if member.transparent else _join(prefix, member.name)
        shown = name or member.name
        if depth > self.limits.max_depth:
            yield Skipped(shown, f"nested deeper than {self.limits.max_depth} levels (limit max_depth)")
            return
        if budget.members_left <= 0:
            budget.exhausted = True
            yield Skipped(shown, f"more than {self.limits.max_members} members in one file: this member and the "
                                 "ones after it were not read (limit max_members)")
            return
        budget.members_left -= 1
        stream = _Limited(member, budget, self.limits)
        kind_name: str | None = None  # known once identified: a member not read is listed as that kind
        try:
            head = stream.read(SAMPLE_SIZE)
            kind = identify(head)
            stream.counted = kind.name not in CONTAINER_KINDS
            whole: BinaryIO = stream  # type: ignore[assignment]
            if kind.name in WHOLE_FILE_KINDS:
                whole = io.BytesIO(head + self._read_whole(stream, shown))
                kind = refine(kind, whole)
                whole.seek(len(head))
            kind_name = kind.name
            extractor = self.extractors.get(kind.name)
            if extractor is None:
                yield Skipped(shown, unsupported_reason(kind), kind.name)
                return
            size = len(whole.getbuffer()) if isinstance(whole, io.BytesIO) else member.size
            inner = Source(shown, whole, head, size)
            yield from self._expand(extractor, inner, name, depth, budget)
        except LimitReached as exc:
            if budget.bytes_left < 0:
                budget.exhausted = True
                yield Skipped(shown, f"{exc.reason}: this member and the ones after it were not read")
            else:
                yield Skipped(shown, exc.reason)
        except UnscannableFile as exc:
            yield Skipped(shown, redact(exc.reason), kind_name)
        except _damaged_member() as exc:
            yield Skipped(shown, f"corrupt or truncated: {redact(_short(exc))}", kind_name)

    def _read_whole(self, stream: _Limited, name: str) -> bytes:
        data = stream.read(self.limits.max_in_memory_bytes + 1)
        if len(data) > self.limits.max_in_memory_bytes:
            raise LimitReached(f"a container or document over {self.limits.max_in_memory_bytes} bytes inside "
                               "another file is not unpacked (limit max_in_memory_bytes)")
        return data


class _Limited(ForwardStream):
    """A member's stream that counts what it unpacks against the file's budget and the ratio limit."""

    def __init__(self, member: Member, budget: Budget, limits: Limits) -> None:
        self.member, self.budget, self.limits, self.read_bytes = member, budget, limits, 0
        self.counted = True

    def read(self, n: int = -1) -> bytes:
        data = self.member.stream.read(n)
        self.read_bytes += len(data)
        if self.counted:
            self.budget.bytes_left -= len(data)
            if self.budget.bytes_left < 0:
                raise LimitReached(f"more than {self.limits.max_total_bytes} bytes unpacked from one file "
                                   "(limit max_total_bytes)")
        packed = self.member.compressed
        if (packed is not None and self.read_bytes > self.limits.ratio_checked_above
                and self.read_bytes > packed * self.limits.max_ratio):
            raise LimitReached(f"compression ratio over {self.limits.max_ratio}:1 (limit max_ratio): "
                                   "a zip bomb?")
        return data


def _join(prefix: str, name: str | None) -> str:
    if not prefix:
        return name or ""
    return f"{prefix}{MEMBER_SEPARATOR}{name}" if name else prefix


def _prefixed(unit: TextUnit | PossibleNumber, prefix: str) -> TextUnit | PossibleNumber:
    return replace(unit, location=unit.location._replace(member=_join(prefix, unit.location.member)))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


__all__ = ["MEMBER_SEPARATOR", "WHOLE_FILE_KINDS", "Budget", "Expander", "LimitReached"]
