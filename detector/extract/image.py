"""Pictures: PNG, JPEG, TIFF (multi-page, 1-bit group 4 from office scanners), BMP, GIF, WebP, and HEIF where
pillow-heif is installed, read by OCR (:mod:`detector.extract.pictures`).

Pillow decodes them. A phone photo stored sideways is turned upright by its EXIF orientation before it is read.
Each page of a multi-page TIFF is located ``{"page": n}``; an animated GIF or WebP is read on its first frame.
The size is checked from the header before anything is decoded (``picture.max_pixels``; Pillow's own
decompression-bomb check stands behind it), pages past ``picture.max_pages`` are listed as not read, and a
truncated or damaged picture is listed with the reason.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from ..errors import UnscannableFile
from . import Item, Skipped, Source
from .pictures import PictureReader

if TYPE_CHECKING:
    from PIL.Image import Image

# A picture inside an archive or a mail arrives as a stream that may not seek; it is then read into memory up
# to this size (the same bound as a member held in memory, rules/limits.toml archive.max_in_memory_bytes).
_IN_MEMORY = 512 << 20
_MULTI_PAGE_FORMATS = ("TIFF", "MPO")  # formats whose frames are pages; other frames are an animation's


class ImageExtractor:
    kinds: tuple[str, ...] = ("image",)
    reads_pictures = True

    def __init__(self, pictures: PictureReader | None = None) -> None:
        self.pictures = pictures or PictureReader()

    def extract(self, source: Source) -> Iterator[Item]:
        reason = self.pictures.unavailable()
        if reason is not None:
            raise UnscannableFile(reason)
        image = _opened(_seekable(source))
        with image:
            pages = getattr(image, "n_frames", 1) if image.format in _MULTI_PAGE_FORMATS else 1
            if pages == 1:
                yield from self._page(image, None)
                return
            limit = self.pictures.settings.max_pages
            for index in range(min(pages, limit)):
                try:
                    image.seek(index)
                except (OSError, EOFError, ValueError) as exc:
                    yield Skipped("", f"damaged picture ({_why(exc)}), page {index + 1} and after")
                    return
                try:
                    yield from self._page(image, index + 1)
                except UnscannableFile as exc:
                    yield Skipped("", f"{exc.reason}, page {index + 1}")
            if pages > limit:
                yield Skipped("", f"limit picture.max_pages ({limit}): pages {limit + 1}-{pages} not read")

    def _page(self, image: Image, page: int | None) -> Iterator[Item]:
        too_large = self.pictures.too_large(image.width, image.height)
        if too_large is not None:
            raise UnscannableFile(too_large)
        yield from self.pictures.units(_upright(image), page)


def _seekable(source: Source) -> BinaryIO:
    stream = source.from_start()
    if stream.seekable():
        return stream
    return io.BytesIO(source.read_whole(_IN_MEMORY, "picture"))


def _opened(stream: BinaryIO) -> Image:
    """The picture, its header read (nothing decoded yet), or the reason it cannot be read."""
    from PIL import Image as PIL
    from PIL import UnidentifiedImageError

    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PIL.DecompressionBombWarning)
            return PIL.open(stream)
    except (PIL.DecompressionBombError, PIL.DecompressionBombWarning):
        raise UnscannableFile("limit picture.max_pixels: a picture Pillow refuses as a decompression bomb") from None
    except UnidentifiedImageError:
        raise UnscannableFile("picture in a format Pillow cannot read (HEIF needs pillow-heif), or damaged") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnscannableFile(f"damaged picture ({_why(exc)})") from None


def _upright(image: Image) -> Image:
    """The picture decoded and turned as its EXIF orientation says (a phone photo stored sideways), or the reason
    it cannot be decoded (a truncated JPEG)."""
    from PIL import ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EXIF oddities are not worth a line on stderr
            if image.format == "JPEG":
                # Only grey is read (detector.ocr.prepare.grey): libjpeg gives the luma plane it stores, without
                # upsampling and converting the colour (the same grey levels, at a quarter of the time of a
                # 2000x1500 photo: docs/performance.md). A CMYK JPEG is left as it is.
                image.draft("L", None)
            image.load()
            return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise UnscannableFile(f"damaged or truncated picture ({_why(exc)})") from None


def _why(exc: BaseException) -> str:
    """Pillow's message (it names the problem, never the content), kept short."""
    return str(exc)[:120] or type(exc).__name__


def _register_heif() -> None:
    """HEIF/HEIC photos (iPhones) through pillow-heif where it is installed; without it they are listed as not
    read, with the package to install."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()
