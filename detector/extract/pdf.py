"""PDF: the text layer of each page, location {"page": n}.

Two readers: pdfium (pypdfium2, Chrome's PDF engine) by default and pdfminer.six as the fallback, for a file
pdfium cannot open or where pypdfium2 is not installed. pdfium extracts text many times faster (pages/s of
both are printed by scripts/bench.py); both read CID-keyed Japanese fonts through their ToUnicode maps.

A page without a text layer (a scanned paper form, alone or among pages with text) is rendered by pdfium at
:data:`RENDER_DPI` and read by OCR (:mod:`detector.extract.pictures`), its lines located ``{"page": n, "ocr":
true}``. Where OCR cannot run (turned off, no engine, the pdfminer fallback), such pages are listed as not read,
with the page numbers, so a person knows to look at them; a PDF whose pages hold no text at all as "no text
layer". A PDF that needs a password to open is listed as unscanned ("encrypted"). A PDF protected only by an
owner password (printing or copying restricted) opens without one and is scanned.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from ..errors import UnscannableFile
from ..model import Location
from . import Item, Skipped, Source, TextUnit

if TYPE_CHECKING:
    from PIL.Image import Image

    from .pictures import PictureReader

NO_TEXT = "no text layer (a scanned image?): a person must look at it"
ENCRYPTED = "encrypted (a password is needed to open this PDF)"
# Pages without text are rendered at this resolution for OCR: the office scanners' usual 200 dpi, at which the
# Japanese model reads 10-point print (docs/performance.md); more costs time in proportion to the pixels.
RENDER_DPI = 200

logging.getLogger("pdfminer").setLevel(logging.ERROR)

class Page(NamedTuple):
    """A page as the readers give it: its text layer, and, where the reader can render it (pdfium, not
    pdfminer), its size in points and how to render it in grey at a scale (pixels a point)."""

    text: str
    size: tuple[float, float] | None = None
    render: Callable[[float], Image] | None = None


class PdfExtractor:
    kinds: tuple[str, ...] = ("pdf",)
    reads_pictures = True

    def __init__(self, engine: str = "auto", pictures: PictureReader | None = None) -> None:
        """``pictures``: the reader of the pages without text; None reads only the text layers."""
        self.engine = engine
        self.pictures = pictures

    def extract(self, source: Source) -> Iterator[Item]:
        stream = source.from_start()
        if self.engine != "pdfminer":
            pages = _pdfium_pages(stream)
            if pages is not None:
                yield from self._units(pages)
                return
            stream.seek(0)
        yield from self._units(Page(text) for text in _pdfminer_pages(stream))

    def _units(self, pages: Iterator[Page]) -> Iterator[Item]:
        """Each page's text layer; the pages without one read by OCR, or listed with the reason they were not
        (one entry a reason, with the page numbers). A PDF of pages none of which could be read is unscanned."""
        not_read: dict[str, list[int]] = {}
        read = 0
        any_text = False
        for number, page in enumerate(pages, start=1):
            if page.text.strip():
                any_text = True
                yield TextUnit(text=page.text, first_line=None, location=Location(page=number))
                continue
            why = self._why_not_read(page, read)
            if why is not None:
                not_read.setdefault(why, []).append(number)
                continue
            read += 1
            yield from self._page_picture(page, number)
        if not_read and not any_text and read == 0 and len(not_read) == 1:
            why = next(iter(not_read))
            raise UnscannableFile(NO_TEXT + (f"; {why}" if why else ""))
        for why, numbers in not_read.items():
            yield Skipped("", f"no text layer: {_pages(numbers)} not read" + (f", {why}" if why else ""))

    def _why_not_read(self, page: Page, read: int) -> str | None:
        """Why a page without text is not read by OCR ("" when this reader reads no pictures), or None."""
        if self.pictures is None or page.render is None:
            return ""
        if read >= self.pictures.settings.max_pages:
            return f"limit picture.max_pages ({self.pictures.settings.max_pages})"
        return self.pictures.unavailable()

    def _page_picture(self, page: Page, number: int) -> Iterator[Item]:
        assert self.pictures is not None and page.render is not None and page.size is not None
        scale = RENDER_DPI / 72
        too_large = self.pictures.too_large(int(page.size[0] * scale), int(page.size[1] * scale))
        if too_large is not None:
            yield Skipped("", f"{too_large}, page {number}")
            return
        try:
            image = page.render(scale)
        except UnscannableFile as exc:
            yield Skipped("", f"{exc.reason}, page {number}")
            return
        image.info["dpi"] = (RENDER_DPI, RENDER_DPI)  # a page of a document: read whole (ocr.prepare.scanned_page)
        yield from self.pictures.units(image, number)


def _pages(numbers: list[int]) -> str:
    """Page numbers as a person writes them: "page 3", "pages 2, 5-7"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {shown}"


# pdfium keeps the objects of every page it has loaded (a scanned page's image data: 146 KB a page of a 2,000-page
# scan, 303 MB by its end) until the document is closed: the document is opened again every so many pages, which
# holds a scan of any length to the memory of that many (docs/performance.md, issue 16).
PAGES_A_DOCUMENT = 100


def _pdfium_pages(stream: BinaryIO) -> Iterator[Page] | None:
    """Pages through pdfium, or None when pdfium is missing or cannot open the file (pdfminer then tries)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    try:
        # pdfium reads the file through the stream, on demand: a large PDF is not loaded into memory.
        document = pdfium.PdfDocument(stream, autoclose=False)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnscannableFile(ENCRYPTED) from None
        return None

    def pages() -> Iterator[Page]:
        nonlocal document
        try:
            for index in range(len(document)):
                try:
                    if index and index % PAGES_A_DOCUMENT == 0:
                        document.close()  # what pdfium keeps of the pages read so far goes with it
                        document = pdfium.PdfDocument(stream, autoclose=False)
                    page = document[index]
                    textpage = page.get_textpage()
                    text = textpage.get_text_bounded()
                    textpage.close()
                except pdfium.PdfiumError as exc:
                    raise UnscannableFile(f"corrupt PDF page {index + 1} ({exc})") from None
                try:
                    yield Page(text, page.get_size(), _renderer(page, pdfium))
                finally:
                    page.close()
        finally:
            document.close()

    return pages()


def _renderer(page: Any, pdfium: Any) -> Callable[[float], Any]:
    """Renders ``page`` in grey at ``scale`` (pixels a point) as a picture, while the page is open."""
    def render(scale: float) -> Any:
        try:
            return page.render(scale=scale, grayscale=True).to_pil()
        except pdfium.PdfiumError as exc:
            raise UnscannableFile(f"the page cannot be rendered ({exc})") from None

    return render


def _pdfminer_pages(stream: BinaryIO) -> Iterator[str]:
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    try:
        for page in PDFPage.get_pages(stream, check_extractable=False):
            out = io.StringIO()
            device = TextConverter(manager, out, laparams=LAParams())
            try:
                PDFPageInterpreter(manager, device).process_page(page)
            finally:
                device.close()
            yield out.getvalue()
    except PDFPasswordIncorrect:
        raise UnscannableFile(ENCRYPTED) from None
    except UnscannableFile:
        raise
    except Exception as exc:  # pdfminer raises many kinds of error on damaged files
        if "encrypt" in type(exc).__name__.lower() or "password" in str(exc).lower():
            raise UnscannableFile(ENCRYPTED) from None
        raise UnscannableFile(f"corrupt or truncated PDF ({type(exc).__name__})") from None
