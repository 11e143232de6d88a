"""Extractors: one small plugin per format, turning an opened file into text units with their locations.

An extractor never decides confidence or identity; it only says where text is. A unit is either raw bytes in
a known encoding (the fast path for text files and logs: the matcher prefilters bytes) or decoded text (table
cells, document parts). Extractors raise :class:`~detector.errors.UnscannableFile` for files they cannot read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from ..model import Location


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A piece of text and where it is.

    ``data`` + ``encoding`` or ``text``; characters (or bytes) before ``scan_from`` are context only, so a unit
    can carry the end of the previous chunk for keywords. ``first_line`` is the line number at ``scan_from``.
    ``location`` holds the rest of the location (sheet, cell, page, member). ``columns`` marks table cells in
    ``text`` as (start, end, header): the header of its column gives context to every row below it.
    """

    text: str | None = None
    data: bytes | None = None
    encoding: str = "utf-8"
    first_line: int | None = 1
    scan_from: int = 0
    location: Location = field(default_factory=Location)
    columns: tuple[tuple[int, int, str], ...] = ()


@dataclass(slots=True)
class Source:
    """An opened file handed to an extractor: its stream, its first bytes, and what it was identified as."""

    path: str
    stream: BinaryIO
    head: bytes
    size: int | None


class Extractor(Protocol):
    """Turns a source into text units. ``kinds`` are the :class:`~detector.identify.FileKind` names it reads."""

    kinds: tuple[str, ...]

    def extract(self, source: Source) -> Iterator[TextUnit]: ...


def registry() -> dict[str, Extractor]:
    """Kind name -> extractor. Explicit, so what the tool can read is visible in one place."""
    from .delimited import DelimitedExtractor
    from .text import TextExtractor

    extractors: list[Extractor] = [TextExtractor(), DelimitedExtractor()]
    return {kind: extractor for extractor in extractors for kind in extractor.kinds}
