"""Extractors: one small plugin per format, turning an opened file into text units with their locations.

An extractor never decides confidence or identity; it only says where text is. It yields three kinds of item:

* :class:`TextUnit`: raw bytes in a known encoding (the fast path for text files and logs: the matcher
  prefilters bytes) or decoded text (table rows, document paragraphs);
* :class:`Member`: a file inside this one (an archive member, a mail attachment), which
  :mod:`detector.extract.containers` identifies and extracts in turn, within the limits against hostile archives;
* :class:`Skipped`: a part that cannot be read (an encrypted member, a limit reached), listed as unscanned;
* :class:`PossibleNumber`: a number OCR could not read for sure, listed for a person to look at.

Extractors raise :class:`~detector.errors.UnscannableFile` for a whole file they cannot read.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, BinaryIO, NamedTuple, Protocol

from ..cuts import CONTEXT_CHARS
from ..errors import UnscannableFile
from ..model import Location

if TYPE_CHECKING:
    import zipfile

    from ..rules import Rules
    from .pictures import PictureReader


class Span(NamedTuple):
    """A table cell inside a unit's text: the header of its column gives context to the value, however far
    below the header it is; ``cell`` (A1 reference) and ``hidden`` refine the location of what is found in it."""

    start: int
    end: int
    header: str
    cell: str | None = None
    hidden: str | None = None


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A piece of text and where it is.

    ``data`` + ``encoding`` or ``text``; characters (or bytes) before ``scan_from``, and from ``scan_to`` on,
    are context only, so a unit can carry the end of the previous chunk and the start of the next one: the
    context window reaches both ways across a cut. ``first_line`` is the line number at ``scan_from`` (None: a
    unit whose findings have no line, such as a table row or a page). A unit that ``continues`` the one before it
    (the next chunk of the same text) leaves its line to the scanner instead: the previous unit's line at its
    ``scan_from`` plus the newlines from there to its ``scan_to``, which the matcher counts anyway for its
    findings' lines (in the C pass, on ASCII), so the reader need not count them again.
    ``location`` holds the rest of the location (sheet, page, part, member). ``columns`` marks table cells in
    ``text`` (see :class:`Span`).
    """

    text: str | None = None
    data: bytes | None = None
    encoding: str = "utf-8"
    first_line: int | None = 1
    scan_from: int = 0
    scan_to: int | None = None  # None: to the end
    location: Location = field(default_factory=Location)
    columns: tuple[Span, ...] = ()
    headers: tuple[str, ...] = ()  # a table row: the headers of its non-empty cells (for personal items)
    continues: bool = False  # its line follows from the unit before it (then ``first_line`` is not read)
    # Its reader found every byte of ``data`` below 0x80 (so the matcher does not ask again); False: not asked.
    known_ascii: bool = False


def paragraph_unit(text: str, previous: str, part: str) -> tuple[TextUnit | None, str]:
    """A document paragraph as a unit, with the end of the paragraph before it (``previous``) as context only,
    so 「個人番号:」 on one line and the number on the next is one finding; and the ``previous`` to carry into the
    next paragraph. A paragraph too short to hold a number gives no unit, but is still carried as context.
    The one rule of the document readers (docx/odt/pptx, RTF, legacy Word)."""
    unit = None
    if len(text.strip()) >= 10:
        context = previous + "\n" if previous else ""
        unit = TextUnit(text=context + text, first_line=None, scan_from=len(context), location=Location(part=part))
    return unit, (text[-CONTEXT_CHARS:] if text.strip() else previous)


@dataclass(slots=True)
class Member:
    """A file inside a container. ``name`` is its path inside the container; ``size`` its declared size and
    ``compressed`` its stored size, when known, for the limits; ``transparent`` for a compression layer
    (app.log.gz) whose single member adds no name to the location."""

    name: str
    stream: IO[bytes]
    size: int | None = None
    compressed: int | None = None
    transparent: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A part of a file that was not read, and why: listed as unscanned, never silently dropped."""

    member: str
    reason: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class PossibleNumber:
    """A possible My Number read from a picture that no reading saves (:class:`detector.ocr.repair.Unreadable`):
    listed for a person to look at, masked (``masked``: all but the last four characters), never a person."""

    masked: str
    reason: str
    location: Location


Item = TextUnit | Member | Skipped | PossibleNumber


@dataclass(slots=True)
class Source:
    """An opened file handed to an extractor: its first bytes (``head``, already read) and the stream
    positioned just after them. ``size`` is None for a stream (standard input)."""

    path: str
    stream: BinaryIO
    head: bytes
    size: int | None

    def from_start(self) -> BinaryIO:
        """The file from its first byte, for extractors that need a whole stream (csv, zip...)."""
        if self.stream.seekable():
            self.stream.seek(0)
            return self.stream
        return _Replay(self.head, self.stream)  # type: ignore[return-value]

    def read_whole(self, limit: int, what: str) -> bytes:
        """The whole file, for readers that need it in memory; over ``limit`` bytes it is not read."""
        data = self.from_start().read(limit + 1)
        if len(data) > limit:
            raise UnscannableFile(f"{what} over {limit} bytes")
        return data

    def open_zip(self, what: str) -> zipfile.ZipFile:
        """The file as a zip (an archive, an Office or OpenDocument file), or the reason it is not one."""
        import zipfile  # here: most scans read only text, and zipfile's imports are a cost of start-up

        try:
            return zipfile.ZipFile(self.from_start())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise UnscannableFile(f"corrupt or truncated {what} ({exc})") from None


class ForwardStream:
    """What io.TextIOWrapper and the extractors need of a forward-only binary stream; subclasses give read()."""

    def read(self, n: int = -1) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    def flush(self) -> None:
        pass


class _Replay(ForwardStream):
    """A non-seekable stream whose head was already read: gives the head again, then the rest."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream, self.pos = head, stream, 0

    def read(self, n: int = -1) -> bytes:
        if self.pos >= len(self.head):
            return self.stream.read(n)
        end = len(self.head) if n < 0 else min(len(self.head), self.pos + n)
        data = self.head[self.pos:end]
        self.pos = end
        return data + self.stream.read(-1) if n < 0 else data


class Extractor(Protocol):
    """Turns a source into text units. ``kinds`` are the :class:`~detector.identify.FileKind` names it reads."""

    kinds: tuple[str, ...]

    def extract(self, source: Source) -> Iterator[Item]: ...


# Kind -> (module, class): what the tool can read, in one place. A module is imported when a file of its
# kind is first met, so a scan of logs does not pay for importing the PDF, Office and mail readers.
EXTRACTORS: dict[str, tuple[str, str]] = {
    "text": ("text", "TextExtractor"),
    "delimited": ("delimited", "DelimitedExtractor"),
    "zip": ("archive", "ZipExtractor"),
    "tar": ("archive", "TarExtractor"),
    "gzip": ("archive", "CompressedExtractor"),
    "bzip2": ("archive", "CompressedExtractor"),
    "xz": ("archive", "CompressedExtractor"),
    "xlsx": ("xlsx", "XlsxExtractor"),
    "xls": ("xls", "XlsExtractor"),
    "ods": ("ods", "OdsExtractor"),
    "pdf": ("pdf", "PdfExtractor"),
    "docx": ("documents", "DocxExtractor"),
    "pptx": ("documents", "PptxExtractor"),
    "odt": ("documents", "OdfTextExtractor"),
    "odp": ("documents", "OdfTextExtractor"),
    "email": ("mail", "EmailExtractor"),
    "mbox": ("mail", "MboxExtractor"),
    "rtf": ("rtf", "RtfExtractor"),
    "7z": ("libarchives", "SevenZipExtractor"),
    "rar": ("libarchives", "RarExtractor"),
    "lzh": ("libarchives", "LzhExtractor"),
    "msg": ("msg", "MsgExtractor"),
    "doc": ("worddoc", "DocExtractor"),
    "ppt": ("ppt", "PptExtractor"),
    "image": ("image", "ImageExtractor"),
}


class PictureSettings(NamedTuple):
    """How pictures are read (picklable: workers get a copy with the scan's options). ``timeout`` bounds the
    reading of one picture in seconds (``--ocr-timeout``, else ``picture.max_seconds``); ``max_pixels`` and
    ``max_pages`` are the limits of ``rules/limits.toml``. ``rules`` are the scan's (its ``--rules`` included), whose
    keywords, window and separators the misread repair uses; None: the packaged rules. Defined beside the registry
    that takes them rather than with :class:`~detector.extract.pictures.PictureReader`: a scan that meets no
    picture never loads the OCR modules."""

    enabled: bool = True
    timeout: float = 60.0
    max_pixels: int = 50_000_000
    max_pages: int = 500
    engine: str = "auto"
    timeout_name: str = "picture.max_seconds"  # the limit to name when a picture runs over
    rules: Rules | None = None

    @classmethod
    def of(cls, enabled: bool, timeout: float | None, rules: Rules) -> PictureSettings:
        """The settings of a scan: its ``--no-ocr`` and ``--ocr-timeout`` over the limits and keywords of its
        rules."""
        limits = rules.pictures
        return cls(enabled=enabled, timeout=float(timeout if timeout is not None else limits.max_seconds),
                   max_pixels=limits.max_pixels, max_pages=limits.max_pages,
                   timeout_name="--ocr-timeout" if timeout is not None else "picture.max_seconds",
                   rules=rules)


class Registry(Mapping[str, Extractor]):
    """Kind name -> extractor, each made (and its module imported) on first use. An extractor class that
    ``reads_pictures`` (pictures, the image pages of PDFs) is made with the one :class:`PictureReader` of the
    registry, set up from ``pictures`` (the scan's OCR options and limits) when first needed."""

    def __init__(self, pictures: PictureSettings | None = None) -> None:
        self._made: dict[tuple[str, str], Extractor] = {}
        self._chosen: dict[str, Extractor] = {}
        self._picture_settings = pictures
        self._pictures: PictureReader | None = None

    def __setitem__(self, kind: str, extractor: Extractor) -> None:
        """Read ``kind`` with another extractor (an embedder's own, or a test's with a small chunk size)."""
        self._chosen[kind] = extractor

    def __getitem__(self, kind: str) -> Extractor:
        chosen = self._chosen.get(kind)
        if chosen is not None:
            return chosen
        where = EXTRACTORS[kind]
        extractor = self._made.get(where)
        if extractor is None:
            module = importlib.import_module(f"{__name__}.{where[0]}")
            factory = getattr(module, where[1])
            made = factory(pictures=self.pictures()) if getattr(factory, "reads_pictures", False) else factory()
            extractor = self._made[where] = made
        return extractor

    def pictures(self) -> PictureReader:
        """The reader of pictures the extractors share: one engine loaded a process."""
        if self._pictures is None:
            from .pictures import PictureReader

            self._pictures = PictureReader(self._picture_settings or PictureSettings())
        return self._pictures

    def __iter__(self) -> Iterator[str]:
        return iter(EXTRACTORS.keys() | self._chosen.keys())

    def __len__(self) -> int:
        return len(EXTRACTORS.keys() | self._chosen.keys())


def registry(pictures: PictureSettings | None = None) -> Registry:
    return Registry(pictures)
