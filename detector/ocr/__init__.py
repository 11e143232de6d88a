"""Optical character recognition behind one port: a picture in, its words with their boxes out.

The extractors (:mod:`detector.extract.image`, the image pages of :mod:`detector.extract.pdf`) ask an
:class:`OcrEngine` to read a prepared picture and never see which engine did it, so another engine can plug in
as a class of this port. Two engines are provided, both over Debian's Tesseract with its Japanese model
(``tesseract-ocr-jpn``): :class:`~detector.ocr.tesseract.InProcessTesseract` (the tesserocr binding: the model
is loaded once a process and the picture handed over in memory) and its plain twin
:class:`~detector.ocr.tesseract.TesseractCommand` (the ``tesseract`` program, one process a picture), which
``tests/test_ocr_engine.py`` holds to the same text. What the engine reads is turned into lines in reading
order once, by :func:`detector.ocr.lines.reading_lines`, whichever engine read it.

Nothing here writes what was read anywhere: the words live in memory until the matcher has seen them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from PIL.Image import Image

# The reason a picture is listed as unscanned when no engine can be loaded (the words the issue and the
# README use, so a responder can search for them).
ENGINE_MISSING = "OCR engine not installed"


class Box(NamedTuple):
    """A rectangle on the picture, in pixels: left, top, right, bottom (right and bottom excluded)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


class Word(NamedTuple):
    """A word the engine read (for Japanese often a run of characters), where it stands, how sure the engine
    is (0-100), and which of the engine's lines it is on (numbered in the order the engine met them: the
    engine follows a line across a slightly rotated page, where boxes alone would not). Holds read text: kept
    out of repr, like a candidate's digits."""

    text: str
    box: Box
    confidence: float
    line: int

    def __repr__(self) -> str:
        return f"Word(box={self.box!r}, confidence={self.confidence!r})"


class Line(NamedTuple):
    """A line of a picture in reading order: its words joined, the box around them, and where each word stands in
    the text (start, end, its box), which tells the region of a number to read again. Holds read text."""

    text: str
    box: Box
    spans: tuple[tuple[int, int, Box], ...] = ()

    def region(self, start: int, end: int) -> Box | None:
        """The box around the words of characters ``start`` to ``end`` of the line, or None."""
        boxes = [box for first, last, box in self.spans if first < end and last > start]
        if not boxes:
            return None
        return Box(min(b.left for b in boxes), min(b.top for b in boxes), max(b.right for b in boxes),
                   max(b.bottom for b in boxes))

    def __repr__(self) -> str:
        return f"Line(box={self.box!r})"


class OcrTimeout(Exception):
    """The engine did not finish a picture within the time it was given."""


class OcrFailed(Exception):
    """The engine could not read a picture (a damaged picture, an engine error); the reason holds no text."""


# The characters of the digits-only reading (:meth:`OcrEngine.read_digits`). ASCII digits only: the whitelist
# restricts the decoder to these codes, so a digit the model would give in its full-width form comes out as the
# same digit in ASCII (allowing both forms would only split each digit between two codes that mean the same).
DIGITS = "0123456789"


class OcrEngine(Protocol):
    """Reads the words of a picture. ``timeout`` bounds one call, in seconds; over it :class:`OcrTimeout`."""

    name: str

    def read(self, image: Image, timeout: float) -> list[Word]: ...

    def read_digits(self, image: Image, timeout: float) -> str:
        """The digits of a picture holding one line of a number (the region of a number the first reading got
        wrong, cut out and enlarged), read as a single line with nothing but :data:`DIGITS` allowed: the
        second reading of :mod:`detector.extract.pictures`. Spaces may separate groups."""
        ...


def installed() -> bool:
    """Whether an engine can be found, told cheaply (no model loaded): for what a state remembers."""
    from . import tesseract

    return tesseract.installed()


def find_engine(preferred: str = "auto") -> OcrEngine | str:
    """The engine to read pictures with, or why there is none (:data:`ENGINE_MISSING` and what is missing).
    ``auto`` takes the in-process binding where it is installed, else the ``tesseract`` program; a scan never
    fails for the lack of an engine, its pictures are listed as unscanned."""
    from . import tesseract

    return tesseract.find(preferred)
