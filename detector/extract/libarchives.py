"""7z, RAR (4 and 5) and LZH (LHA) archives, read with Debian's libarchive through libarchive-c.

Each member is handed back as a :class:`~detector.extract.Member` streamed straight out of libarchive (never
unpacked to disk), so :mod:`detector.extract.containers` identifies it, applies the limits of
``rules/limits.toml`` and reads it like any file. These formats keep no per-member packed size that a reader
can trust (a 7z or solid RAR block packs many members together), so the ratio limit is checked against the
whole archive's size: a member that unpacks to more than ``max_ratio`` times the archive holding it is a bomb
whatever its share of the archive.

Each format is read only by libarchive's reader for that format (a file identified as 7z is never handed to
the tar or zip readers). Names: 7z and RAR5 store Unicode; LZH and non-Unicode RAR 4 names are read as Japanese
Windows wrote them (CP932), whatever the locale of the scan. An encrypted member, or an archive whose headers
are encrypted, is listed as unscanned ("encrypted"); damaged data gives a reason naming libarchive's error, and
what was read before the damage is kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import locale
import logging
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple

from ..errors import UnscannableFile
from ..redact import redact
from . import ForwardStream, Item, Member, Skipped, Source

_BLOCK = 1 << 20
MAX_IN_MEMORY_BYTES = 512 * 1024 * 1024
_ENTRY_IS_DIR = 0o040000
_FILETYPE_MASK = 0o170000
_REGULAR = 0o100000
_ARCHIVE_EOF = 1

# libarchive-c logs libarchive's warnings (a name it cannot convert, a damaged header it skipped) on its
# logger; with no handler Python would print them, and they are not for the user.
logging.getLogger("libarchive").addHandler(logging.NullHandler())
logging.getLogger("libarchive").propagate = False


class _Format:
    """libarchive's readers and options for one kind; ``what`` names it in reasons."""

    def __init__(self, what: str, readers: tuple[str, ...], options: str = "", seeks: bool = False) -> None:
        self.what, self.readers, self.options, self.seeks = what, readers, options, seeks


class _Headers(NamedTuple):
    """What a format's own headers say that libarchive does not: members that are encrypted, and whether the
    archive reaches its end (libarchive takes a RAR5 cut short after a member for its end)."""

    encrypted: frozenset[str] = frozenset()
    complete: bool = True


class _LibarchiveExtractor:
    kinds: tuple[str, ...] = ()
    format: _Format

    def extract(self, source: Source) -> Iterator[Item]:
        stream = source.from_start()
        if self.format.seeks and not stream.seekable():  # a 7z from standard input: its index is at its end
            stream = io.BytesIO(source.read_whole(MAX_IN_MEMORY_BYTES, self.format.what))
        headers = self.headers(source.head, stream)
        with _Archive(stream, self.format, headers.encrypted) as archive:
            yield from archive.items(source.size)
            if not headers.complete and not archive.damaged:
                yield Skipped("", f"partly scanned: the {self.format.what} is truncated (it ends before its "
                                  "end-of-archive header)")

    def headers(self, head: bytes, stream: BinaryIO) -> _Headers:
        return _Headers()


class SevenZipExtractor(_LibarchiveExtractor):
    kinds = ("7z",)
    format = _Format("7z archive", ("7zip",), seeks=True)


class RarExtractor(_LibarchiveExtractor):
    kinds = ("rar",)
    format = _Format("RAR archive", ("rar", "rar5"), "rar:hdrcharset=CP932")

    def headers(self, head: bytes, stream: BinaryIO) -> _Headers:
        """libarchive 3.6 does not mark RAR5 members encrypted: it fails on a compressed one and returns the
        ciphertext of a stored one as its content. Their headers say so, read here first."""
        if not head.startswith(_RAR5) or not stream.seekable():
            return _Headers()
        try:
            return rar5_headers(stream)
        finally:
            stream.seek(0)


class LzhExtractor(_LibarchiveExtractor):
    kinds = ("lzh",)
    format = _Format("LZH archive", ("lha",), "lha:hdrcharset=CP932")


class _Archive:
    """One libarchive reader over a Python stream. libarchive calls back into Python for the bytes; an error
    raised there (a limit reached, an unreadable disk) cannot cross the C frames, so it is kept and raised
    again when libarchive reports the failure."""

    def __init__(self, stream: BinaryIO, fmt: _Format, encrypted: frozenset[str] = frozenset()) -> None:
        try:  # here: a scan that meets no such archive does not load libarchive
            import libarchive.ffi as ffi
        except (ImportError, OSError, AttributeError):
            raise UnscannableFile(f"{fmt.what}: not read, libarchive is not installed (Debian: apt-get install "
                                  "libarchive13)") from None

        self.ffi, self.stream, self.format, self.encrypted = ffi, stream, fmt, encrypted
        self.damaged = False
        self.pending: BaseException | None = None
        self.buffer_in = ctypes.create_string_buffer(_BLOCK)  # the archive's bytes, handed to libarchive
        self.buffer = ctypes.create_string_buffer(_BLOCK)  # a member's bytes, filled by libarchive
        self.pointer: Any = None
        self.callbacks: tuple[Any, ...] = ()

    def __enter__(self) -> _Archive:
        ffi = self.ffi
        self.pointer = ffi.read_new()
        try:
            with _utf8_ctype():  # the name conversions of the options are made here
                for reader in self.format.readers:
                    ffi.get_read_format_function(reader)(self.pointer)
                if self.format.options:
                    _lib().archive_read_set_options(self.pointer, self.format.options.encode())
                read = ffi.READ_CALLBACK(self._read)
                seek = ffi.SEEK_CALLBACK(self._seek)
                self.callbacks = (read, seek)
                if self.stream.seekable():
                    ffi.read_set_seek_callback(self.pointer, seek)
                self._call(ffi.read_open, self.pointer, None, ffi.NO_OPEN_CB, read, ffi.NO_CLOSE_CB)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.pointer is not None:
            _lib().archive_read_free(self.pointer)
            self.pointer = None

    def items(self, archive_size: int | None) -> Iterator[Item]:
        """Each regular file as a member; links and encrypted members listed; after damage, one entry for the
        rest of the archive."""
        entry = self.ffi.entry_new()
        try:
            count = 0
            while True:
                try:
                    with _utf8_ctype():  # names are converted as the header is read
                        if self._call(self.ffi.read_next_header2, self.pointer, entry) == _ARCHIVE_EOF:
                            return
                        name = _name(entry)
                except UnscannableFile as exc:
                    if count == 0:
                        raise
                    self.damaged = True
                    yield Skipped("", f"partly scanned: the rest of the {self.format.what} could not be read "
                                      f"({exc.reason})")
                    return
                count += 1
                item = self._item(entry, name, archive_size)
                if item is not None:
                    yield item
        finally:
            self.ffi.entry_free(entry)

    def _item(self, entry: Any, name: str, archive_size: int | None) -> Item | None:
        lib = _lib()
        filetype = lib.archive_entry_filetype(entry) & _FILETYPE_MASK
        if filetype == _ENTRY_IS_DIR:
            return None
        if lib.archive_entry_symlink(entry) is not None or lib.archive_entry_hardlink(entry) is not None:
            return Skipped(name, "link inside the archive, not followed")
        if filetype not in (_REGULAR, 0):
            return None
        if lib.archive_entry_is_encrypted(entry) or name in self.encrypted:
            return Skipped(name, f"encrypted (password-protected {self.format.what} member)")
        size = lib.archive_entry_size(entry) if lib.archive_entry_size_is_set(entry) else None
        return Member(name, _EntryStream(self), size, archive_size)  # type: ignore[arg-type]

    def read_data(self, size: int) -> bytes:
        """Up to ``size`` (at most one block) decompressed bytes of the current member."""
        size = min(size, _BLOCK)
        got = self._call(self.ffi.read_data, self.pointer, self.buffer, size)
        if got < 0:  # a warning, such as a checksum that does not match: the member is damaged
            raise UnscannableFile(_reason(_Message(self.ffi.error_string(self.pointer)), self.format.what))
        return ctypes.string_at(self.buffer, got)

    def _call(self, function: Callable[..., int], *args: Any) -> int:
        """A libarchive call; its failure as :class:`UnscannableFile`, or the error a callback kept."""
        from libarchive.exception import ArchiveError

        try:
            return function(*args)
        except ArchiveError as exc:
            pending, self.pending = self.pending, None
            if pending is not None:
                raise pending from None
            raise UnscannableFile(_reason(exc, self.format.what)) from None

    def _read(self, _archive: Any, _context: Any, pointer: Any) -> int:
        try:
            data = self.stream.read(_BLOCK)
        except BaseException as exc:  # kept and raised again outside the C frames
            self.pending = exc
            return -1
        ctypes.memmove(self.buffer_in, data, len(data))
        ctypes.cast(pointer, ctypes.POINTER(ctypes.c_void_p))[0] = ctypes.addressof(self.buffer_in)
        return len(data)

    def _seek(self, _archive: Any, _context: Any, offset: int, whence: int) -> int:
        try:
            self.stream.seek(offset, whence)
            return self.stream.tell()
        except BaseException as exc:  # as in _read
            self.pending = exc
            return -1


class _EntryStream(ForwardStream):
    """The current member's bytes, decompressed by libarchive as they are read."""

    def __init__(self, archive: _Archive) -> None:
        self.archive = archive
        self.done = False

    def read(self, n: int = -1) -> bytes:
        if self.done or n == 0:
            return b""
        pieces: list[bytes] = []
        left = n if n > 0 else -1
        while left != 0:
            piece = self.archive.read_data(_BLOCK if left < 0 else min(left, _BLOCK))
            if not piece:
                self.done = True
                break
            pieces.append(piece)
            if left > 0:
                left -= len(piece)
        return b"".join(pieces)


_RAR5 = b"Rar!\x1a\x07\x01\x00"
_RAR5_FILE, _RAR5_ENCRYPTION_HEADER, _RAR5_END = 2, 4, 5
_RAR5_FILE_ENCRYPTION = 1
_MAX_HEADERS = 1_000_000
_MAX_HEADER_SIZE = 2 * 1024 * 1024  # RAR5's own limit; its size field is at most 3 bytes


def rar5_headers(stream: BinaryIO) -> _Headers:
    """The RAR5 members that carry a file encryption record, and whether the end-of-archive header is there
    (RAR 5.0 format: blocks of CRC32, size, type, flags, extra and data sizes; a file header's name, then its
    extra records). Damaged headers end the walk: libarchive reports the damage itself."""
    names: set[str] = set()
    position = len(_RAR5)
    complete = False
    try:
        for _ in range(_MAX_HEADERS):
            stream.seek(position + 4)
            prefix = stream.read(3)
            if len(prefix) < 3:
                break  # cut short before the end-of-archive header
            size, used = _vint(prefix, 0)
            if not 0 < size <= _MAX_HEADER_SIZE:
                break
            stream.seek(position + 4 + used)
            header = stream.read(size)
            if len(header) < size:
                break
            kind, data_size, name, encrypted = _rar5_block(header)
            if kind in (_RAR5_ENCRYPTION_HEADER, _RAR5_END):
                complete = True  # encrypted headers: libarchive says so for the whole archive
                break
            if kind == _RAR5_FILE and encrypted:
                names.add(name)
            position += 4 + used + size + data_size
    except _BadHeader:
        complete = True  # damaged, not cut short: libarchive says so
    return _Headers(frozenset(names), complete)


class _BadHeader(ValueError):
    pass


def _rar5_block(header: bytes) -> tuple[int, int, str, bool]:
    """(type, data size, file name, has a file encryption record) of one RAR5 block header."""
    kind, pos = _vint(header, 0)
    flags, pos = _vint(header, pos)
    extra_size = data_size = 0
    if flags & 0x1:
        extra_size, pos = _vint(header, pos)
    if flags & 0x2:
        data_size, pos = _vint(header, pos)
    if kind != _RAR5_FILE:
        return kind, data_size, "", False
    file_flags, pos = _vint(header, pos)
    _unpacked, pos = _vint(header, pos)
    _attributes, pos = _vint(header, pos)
    pos += 4 * bool(file_flags & 0x2) + 4 * bool(file_flags & 0x4)  # mtime, data CRC32
    _compression, pos = _vint(header, pos)
    _host, pos = _vint(header, pos)
    length, pos = _vint(header, pos)
    name = header[pos:pos + length].decode("utf-8", "replace")
    return kind, data_size, name, _has_encryption_record(header[len(header) - extra_size:] if extra_size else b"")


def _has_encryption_record(extra: bytes) -> bool:
    pos = 0
    while pos < len(extra):
        size, start = _vint(extra, pos)
        record, _ = _vint(extra, start)
        if record == _RAR5_FILE_ENCRYPTION:
            return True
        if size <= 0:
            return False
        pos = start + size
    return False


def _vint(data: bytes, pos: int) -> tuple[int, int]:
    """RAR5's variable-length integer: 7 bits a byte, low first, high bit set on all but the last."""
    value = shift = 0
    for index in range(pos, min(len(data), pos + 10)):
        value |= (data[index] & 0x7F) << shift
        if not data[index] & 0x80:
            return value, index + 1
        shift += 7
    raise _BadHeader("truncated number")


def _name(entry: Any) -> str:
    """The member's path: libarchive's UTF-8 form where it has one, else its raw bytes read as UTF-8 or, as
    Japanese Windows wrote them, CP932."""
    lib = _lib()
    raw: bytes | None = lib.archive_entry_pathname_utf8(entry)
    if raw is None:
        raw = lib.archive_entry_pathname(entry)
    if not raw:
        return "(unnamed member)"
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


class _Message(NamedTuple):
    """libarchive's error string, where no ArchiveError carries it."""

    msg: bytes | None


def _reason(exc: Any, what: str) -> str:
    message = getattr(exc, "msg", None)
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message or "unknown error")
    text = redact(text if len(text) <= 120 else text[:117] + "...")
    lowered = text.lower()
    if "encrypt" in lowered or "passphrase" in lowered:
        return f"encrypted (password-protected {what}: {text})"
    if "unavailable" in lowered or "not supported" in lowered or "unsupported" in lowered:
        return f"unsupported {what} feature: libarchive cannot read it ({text})"
    return f"corrupt or truncated {what} ({text})"


@contextlib.contextmanager
def _utf8_ctype() -> Iterator[None]:
    """libarchive converts names to the locale's character set, and in the C locale (cron, systemd units) it
    cannot convert a Japanese name at all: while it reads a header, this thread's LC_CTYPE is C.UTF-8
    (``uselocale``, which no other thread sees). Where the locale is already UTF-8 nothing changes."""
    utf8 = _utf8_locale()
    if utf8 is None:
        yield
        return
    libc, handle = utf8
    previous = libc.uselocale(handle)
    try:
        yield
    finally:
        libc.uselocale(previous)


@functools.cache
def _utf8_locale() -> tuple[Any, int] | None:
    if locale.nl_langinfo(locale.CODESET).replace("-", "").lower() == "utf8":
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.newlocale.restype, libc.newlocale.argtypes = ctypes.c_void_p, [ctypes.c_int, ctypes.c_char_p,
                                                                             ctypes.c_void_p]
        libc.uselocale.restype, libc.uselocale.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
    except (OSError, AttributeError):
        return None
    handle = libc.newlocale(_LC_CTYPE_MASK, b"C.UTF-8", None)
    return (libc, handle) if handle else None


_LC_CTYPE_MASK = 1 << 0  # glibc's LC_CTYPE is category 0
_LIB: dict[str, Any] = {}


class _Functions:
    """libarchive's functions that libarchive-c does not wrap, with their C types."""

    def __getattr__(self, name: str) -> Any:
        return _LIB[name]


def _lib() -> _Functions:
    if not _LIB:
        from libarchive.ffi import libarchive as lib

        pointer, text = ctypes.c_void_p, ctypes.c_char_p
        for name, arguments, result in (
            ("archive_read_set_options", [pointer, text], ctypes.c_int),
            ("archive_read_free", [pointer], ctypes.c_int),
            ("archive_entry_pathname_utf8", [pointer], text),
            ("archive_entry_pathname", [pointer], text),
            ("archive_entry_symlink", [pointer], text),
            ("archive_entry_hardlink", [pointer], text),
            ("archive_entry_filetype", [pointer], ctypes.c_uint),
            ("archive_entry_size", [pointer], ctypes.c_int64),
            ("archive_entry_size_is_set", [pointer], ctypes.c_int),
            ("archive_entry_is_encrypted", [pointer], ctypes.c_int),
        ):
            function = lib[name]  # a pointer of our own: libarchive-c's, with its error checks, stay as they are
            function.argtypes, function.restype = arguments, result
            _LIB[name] = function
    return _Functions()
