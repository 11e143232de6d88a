"""PDF: the text layer of each page, location {"page": n}.

Two readers: pdfium (pypdfium2, Chrome's PDF engine) by default and pdfminer.six as the fallback, for a file
pdfium cannot open or where pypdfium2 is not installed. pdfium extracts text many times faster (pages/s of
both are printed by scripts/bench.py); both read CID-keyed Japanese fonts through their ToUnicode maps.

A PDF that needs a password to open is listed as unscanned ("encrypted"); one whose pages hold no text at all
(a scan of a paper form) as "no text layer", so a person knows to look at it. A PDF protected only by an
owner password (printing or copying restricted) opens without one and is scanned.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import UnscannableFile
from ..model import Location
from . import Item, Source, TextUnit

NO_TEXT = "no text layer (a scanned image?): a person must look at it"
ENCRYPTED = "encrypted (a password is needed to open this PDF)"

logging.getLogger("pdfminer").setLevel(logging.ERROR)


class PdfExtractor:
    kinds: tuple[str, ...] = ("pdf",)

    def __init__(self, engine: str = "auto") -> None:
        self.engine = engine

    def extract(self, source: Source) -> Iterator[Item]:
        stream = source.from_start()
        if self.engine != "pdfminer":
            pages = _pdfium_pages(stream)
            if pages is not None:
                yield from _units(pages)
                return
            stream.seek(0)
        yield from _units(_pdfminer_pages(stream))


def _units(pages: Iterator[str]) -> Iterator[TextUnit]:
    any_text = False
    for number, text in enumerate(pages, start=1):
        if text.strip():
            any_text = True
            yield TextUnit(text=text, first_line=None, location=Location(page=number))
    if not any_text:
        raise UnscannableFile(NO_TEXT)


def _pdfium_pages(stream: BinaryIO) -> Iterator[str] | None:
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

    def pages() -> Iterator[str]:
        try:
            for index in range(len(document)):
                try:
                    page = document[index]
                    textpage = page.get_textpage()
                    text = textpage.get_text_bounded()
                    textpage.close()
                    page.close()
                except pdfium.PdfiumError as exc:
                    raise UnscannableFile(f"corrupt PDF page {index + 1} ({exc})") from None
                yield text
        finally:
            document.close()

    return pages()


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
