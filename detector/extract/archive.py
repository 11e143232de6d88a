"""Archives and compressed files: zip, tar, gzip, bzip2 and xz, each member handed back as a
:class:`~detector.extract.Member` (see :mod:`detector.extract.containers` for the limits and nesting).

Members are streamed, never written to disk. A tar is read as a stream (``r|``), so a tar.gz of any size is
one pass. Zip member names without the UTF-8 flag are read as Info-ZIP (UTF-8) or Japanese Windows (CP932)
wrote them, so a finding in ``給与/2024.xlsx`` says so instead of mojibake.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tarfile
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import UnscannableFile
from . import Item, Member, Skipped, Source

_ENCRYPTED = 0x1
_UTF8_NAMES = 0x800


class ZipExtractor:
    kinds: tuple[str, ...] = ("zip",)

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("zip archive") as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = zip_member_name(info)
                if info.flag_bits & _ENCRYPTED:
                    yield Skipped(name, "encrypted (password-protected zip member)")
                    continue
                try:
                    stream = archive.open(info)
                except NotImplementedError:
                    yield Skipped(name, f"unsupported zip compression method {info.compress_type}")
                    continue
                except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                    yield Skipped(name, f"corrupt zip member ({exc})")
                    continue
                with stream:
                    yield Member(name, stream, info.file_size, info.compress_size)


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it. Without the UTF-8 flag, zipfile decodes names as CP437, but
    Info-ZIP on Linux stores UTF-8 (with a Unicode Path extra field) and Windows in Japan stores CP932."""
    if info.flag_bits & _UTF8_NAMES:
        return info.filename
    unicode_path = _unicode_path_extra(info.extra)
    if unicode_path is not None:
        return unicode_path
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unicode_path_extra(extra: bytes) -> str | None:
    """Info-ZIP's Unicode Path extra field (0x7075): version, CRC of the header name, then the UTF-8 name."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, size = int.from_bytes(extra[pos:pos + 2], "little"), int.from_bytes(extra[pos + 2:pos + 4], "little")
        if kind == 0x7075 and size > 5:
            try:
                return extra[pos + 9:pos + 4 + size].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + size
    return None


class TarExtractor:
    kinds: tuple[str, ...] = ("tar",)

    def extract(self, source: Source) -> Iterator[Item]:
        try:
            archive = tarfile.open(fileobj=source.from_start(), mode="r|")  # noqa: SIM115 (closed below)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise UnscannableFile(f"corrupt or truncated tar archive ({exc})") from None
        with archive:
            members = iter(archive)
            while True:
                try:
                    info = next(members)
                except StopIteration:
                    return
                except (tarfile.TarError, EOFError, OSError) as exc:
                    yield Skipped("", f"the rest of the tar archive is corrupt or truncated ({exc})")
                    return
                if info.isreg():
                    stream = archive.extractfile(info)
                    if stream is not None:
                        yield Member(info.name, stream, info.size, None)
                elif info.issym() or info.islnk():
                    yield Skipped(info.name, "link inside the archive, not followed")


class CompressedExtractor:
    """A single compressed stream (app.log.gz, dump.sql.xz, backup.tar.bz2): one transparent member."""

    kinds: tuple[str, ...] = ("gzip", "bzip2", "xz")

    def extract(self, source: Source) -> Iterator[Item]:
        raw = source.from_start()
        stream: BinaryIO
        suffixes: tuple[str, ...]
        if source.head.startswith(b"\x1f\x8b"):
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
            suffixes = (".gz", ".tgz", ".z")
        elif source.head.startswith(b"BZh"):
            stream = bz2.BZ2File(raw, mode="rb")  # type: ignore[assignment]
            suffixes = (".bz2", ".tbz2", ".tbz")
        else:
            stream = lzma.LZMAFile(raw, mode="rb")  # type: ignore[assignment]  # noqa: SIM115
            suffixes = (".xz", ".txz")
        name = _gzip_name(source.head) or _strip_suffix(os.path.basename(source.path), suffixes)
        with stream:
            yield Member(name, stream, None, source.size, transparent=True)


def _gzip_name(head: bytes) -> str | None:
    """The original file name stored in a gzip header (FNAME), if any."""
    if len(head) < 10 or head[:2] != b"\x1f\x8b" or not head[3] & 0x08:
        return None
    pos = 10
    if head[3] & 0x04:  # FEXTRA
        pos += 2 + int.from_bytes(head[10:12], "little")
    end = head.find(b"\x00", pos)
    if end < 0:
        return None
    return os.path.basename(head[pos:end].decode("latin-1")) or None


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    lower = name.lower()
    for suffix in suffixes:
        if lower.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem + ".tar" if suffix.startswith(".t") and suffix != ".tar" else stem
    return name
