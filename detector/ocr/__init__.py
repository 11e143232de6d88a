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
    """A line of a picture in reading order: its words joined, and the box around them. Holds read text."""

    text: str
    box: Box

    def __repr__(self) -> str:
        return f"Line(box={self.box!r})"


class OcrTimeout(Exception):
    """The engine did not finish a picture within the time it was given."""


class OcrFailed(Exception):
    """The engine could not read a picture (a damaged picture, an engine error); the reason holds no text."""


class OcrEngine(Protocol):
    """Reads the words of a picture. ``timeout`` bounds one call, in seconds; over it :class:`OcrTimeout`."""

    name: str

    def read(self, image: Image, timeout: float) -> list[Word]: ...


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
