"""Pictures into text units: what the image reader and the image pages of PDFs share.

A :class:`PictureReader` prepares a picture (:mod:`detector.ocr.prepare`), has the OCR engine read it, and
gives one :class:`TextUnit` a line, in reading order (:mod:`detector.ocr.lines`), each located ``{"ocr":
true}`` (and ``{"page": n}`` on a page) so a responder knows to look at the picture. A line carries the lines
before it and the line after it as context only: the label above a number on a card (個人番号, then the 4-4-4
number in large type) is in the number's context window, as a label on the line before is in a text file.

The engine is found when the first picture is met, in the worker that meets it: a scan of logs never loads
it. Without an engine, with OCR turned off, or past a limit of ``rules/limits.toml`` ``[picture]``, pictures are
listed as unscanned with the reason, never silently dropped, and the rest of the scan goes on.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate
from typing import TYPE_CHECKING

from ..cuts import CONTEXT_CHARS
from ..errors import UnscannableFile
from ..model import Location
from ..ocr import Box, Line, OcrEngine, OcrFailed, OcrTimeout, Word, find_engine
from ..ocr.lines import reading_lines
from ..ocr.prepare import DIGIT_HEIGHTS, blank, number_region, prepared, rescale, scaled
from ..ocr.repair import MisreadRepair, Repaired, Unreadable
from ..rules import load_rules
from . import Item, Member, PictureSettings, PossibleNumber, Skipped, TextUnit

if TYPE_CHECKING:
    import zipfile

    from PIL.Image import Image

OCR_OFF = "OCR turned off (--no-ocr)"


class PictureReader:
    """Reads pictures with the engine of ``settings``, found on first use (or the one given, in tests)."""

    def __init__(self, settings: PictureSettings | None = None, engine: OcrEngine | str | None = None,
                 repair: MisreadRepair | None = None) -> None:
        self.settings = settings or PictureSettings()
        self._engine = engine
        self._repair = repair  # the misread repair; made from the settings' rules on first use when none is given

    def repair(self) -> MisreadRepair:
        if self._repair is None:
            self._repair = MisreadRepair.from_rules(self.settings.rules or load_rules())
        return self._repair

    def unavailable(self) -> str | None:
        """Why no picture can be read (OCR turned off, no engine), or None."""
        if not self.settings.enabled:
            return OCR_OFF
        engine = self.engine()
        return engine if isinstance(engine, str) else None

    def engine(self) -> OcrEngine | str:
        if self._engine is None:
            self._engine = find_engine(self.settings.engine)
        return self._engine

    def too_large(self, width: int, height: int) -> str | None:
        """The reason a picture of this size is not read (``picture.max_pixels``), or None."""
        if width * height > self.settings.max_pixels:
            return f"limit picture.max_pixels ({self.settings.max_pixels:,}): a picture of {width}x{height} pixels"
        return None

    def units(self, image: Image, page: int | None = None) -> Iterator[Item]:
        """The lines of ``image`` as text units, or a :class:`Skipped` saying why it was not read. The
        caller has checked :meth:`unavailable` and the size."""
        engine = self.engine()
        if isinstance(engine, str):
            raise UnscannableFile(engine)
        picture = prepared(image)
        if blank(picture):
            return
        started = time.monotonic()
        try:
            words, read = self._read(engine, picture)
        except (OcrTimeout, OcrFailed) as exc:
            # A picture of its own is a file not read; a page of a TIFF or a PDF, a part of one.
            reason = f"limit {self.settings.timeout_name} ({self.settings.timeout:g} s): picture not read" \
                if isinstance(exc, OcrTimeout) else f"picture not read: {exc}"
            if page is None:
                raise UnscannableFile(reason) from None
            yield Skipped("", f"{reason}, page {page}")
            return
        # Misreads repaired before the matcher sees the text (detector.ocr.repair); what no reading saves is
        # listed for a person to look at, masked, and never counted as a person.
        lines = reading_lines(words)
        repaired = self.repair()("\n".join(line.text for line in lines))
        text, unreadable = self._read_again(engine, read, lines, repaired, started)
        location = Location(page=page, ocr=True)
        yield from line_units(text.split("\n"), location)
        for entry in unreadable:
            yield PossibleNumber(entry.masked, entry.reason, location)

    def _read_again(self, engine: OcrEngine, picture: Image, lines: list[Line], repaired: Repaired,
                    started: float) -> tuple[str, list[Unreadable]]:
        """The text with the possible numbers no reading saved read again, digits only, on their region of the
        picture (the words' box, padded and enlarged: :func:`detector.ocr.prepare.number_region`) at each of
        :data:`~detector.ocr.prepare.DIGIT_HEIGHTS`, and those still unreadable. A reading stands only where two
        agree and the repair accepts it (:meth:`~detector.ocr.repair.MisreadRepair.read_again`); the readings
        share the picture's time."""
        text, left = repaired.text, []
        starts = list(accumulate((len(line.text) + 1 for line in lines), initial=0))
        for entry in repaired.unreadable:
            index = bisect_right(starts, entry.start) - 1
            box = lines[index].region(entry.start - starts[index], entry.end - starts[index])
            again = None
            if box is not None:
                readings = self._digit_readings(engine, picture, box, started)
                again = self.repair().read_again(text, entry, readings)
            if again is None:
                left.append(entry)
            else:
                text = again
        return text, left

    def _digit_readings(self, engine: OcrEngine, picture: Image, box: Box, started: float) -> Iterator[str]:
        """The digits-only readings of the region of ``box``, one a size, while the picture's time lasts."""
        for height in DIGIT_HEIGHTS:
            remaining = self.settings.timeout - (time.monotonic() - started)
            if remaining <= 0:
                return
            try:
                yield engine.read_digits(number_region(picture, box, height), remaining)
            except (OcrTimeout, OcrFailed):
                return

    def _read(self, engine: OcrEngine, picture: Image) -> tuple[list[Word], Image]:
        """The words of ``picture``, read again scaled when they came out too small (a screenshot) or too large
        (a photo of a card) for the model (:func:`detector.ocr.prepare.rescale`), all within the time of one
        picture; and the picture they were read on (their boxes are in its pixels)."""
        started = time.monotonic()
        words = engine.read(picture, self.settings.timeout)
        factor = rescale(picture, _heights(words))
        if factor is not None:
            left = self.settings.timeout - (time.monotonic() - started)
            if left <= 0:
                raise OcrTimeout()
            picture = scaled(picture, factor)
            words = engine.read(picture, left)
        return words, picture


def _heights(words: list[Word]) -> list[int]:
    """The heights that decide the scale of a second reading: of the words holding digits (the numbers are what
    must be read well), or of all the words where none does."""
    with_digits = [word.box.height for word in words if any(ch.isdigit() for ch in word.text)]
    return with_digits or [word.box.height for word in words]


# The pictures an Office document embeds (word/media/, xl/media/, ppt/media/): the formats the image reader reads.
# Vector drawings (EMF, WMF) hold text as text only when drawn so, and are not pictures of it; they are left alone.
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".heif")


def embedded_pictures(archive: zipfile.ZipFile, folder: str) -> Iterator[Member]:
    """The pictures of an Office document's media ``folder``, as members of the document: each is read by the
    image reader (by OCR, through :class:`PictureReader`, within the limits of a member) and what it finds is
    located in the member (``word/media/image1.png``, with ``ocr``). A scan of a copied My Number card pasted
    into a Word file finds it as it finds the card's photo."""
    for info in archive.infolist():
        if info.filename.startswith(folder) and info.filename.lower().endswith(PICTURE_SUFFIXES) \
                and not info.is_dir():
            with archive.open(info) as stream:
                yield Member(info.filename, stream, info.file_size, info.compress_size)


def line_units(lines: list[str], location: Location) -> Iterator[TextUnit]:
    """One unit a line, with the end of the lines before and the start of the line after as context only.
    A line too short to hold a number gives no unit, but is still context for its neighbours."""
    before = ""
    for index, line in enumerate(lines):
        if len(line.strip()) >= 10:
            after = lines[index + 1][:CONTEXT_CHARS] if index + 1 < len(lines) else ""
            text = before + line + ("\n" + after if after else "")
            yield TextUnit(text=text, first_line=None, scan_from=len(before), scan_to=len(before) + len(line),
                           location=location)
        before = (before + line + "\n")[-CONTEXT_CHARS:]
