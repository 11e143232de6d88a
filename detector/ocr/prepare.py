"""A picture made ready for the engine: grey, white behind transparency, small text enlarged, and the cheap
test that tells a picture with no text at all (a blank page, a plain background) before the engine is asked.

Tesseract binarises the picture itself (Otsu); what each step here buys is in docs/performance.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

# Tesseract's Japanese model reads words best some 25-60 pixels high. After a first read at the picture's own
# size, a picture whose words came out much smaller or larger is read again scaled: a screenshot's small
# anti-aliased UI text (words mostly under SMALL_TEXT, enlarged towards WORD_HEIGHT), a phone photo of a card or
# a card enlarged onto an A4 page, whose 4-4-4 number stands 100 pixels high (a word over LARGE_TEXT, reduced to
# TALL_WORD, which keeps the small label above it readable), where a group of four digits was read as three and
# one and an 8 as a 6 on the tests' pictures.
SMALL_TEXT = 16
LARGE_TEXT = 72
WORD_HEIGHT = 40
TALL_WORD = 56
_MOST_ENLARGED = 2.0
_MOST_PIXELS_ENLARGED = 4_000_000  # an enlarged picture stays under this many pixels (time is in pixels)
MIN_LINE = 6  # pixels: a line of text lower than this cannot be read, even enlarged
# A picture whose grey levels spread less than this (standard deviation, 0-255) holds nothing to read.
_FLAT = 6.0


def grey(image: Image) -> Image:
    """The picture as 8-bit grey, transparency laid on white (a PNG screenshot with an alpha channel, a GIF
    with a transparent colour) so that dark text on a clear background stays dark on white."""
    from PIL import Image as PIL

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = PIL.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        image = background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256)
    return image.convert("L") if image.mode != "L" else image


def rescale(image: Image, heights: list[int]) -> float | None:
    """How much to scale a picture read with words of these heights (in pixels) before reading it again, or
    None when the first reading stands: no word over LARGE_TEXT and most over SMALL_TEXT, or no word at all."""
    if not heights:
        return None
    if max(heights) > LARGE_TEXT:
        return TALL_WORD / max(heights)
    middle = sorted(heights)[len(heights) // 2]
    if middle < SMALL_TEXT:
        room = (_MOST_PIXELS_ENLARGED / (image.width * image.height)) ** 0.5
        factor = min(_MOST_ENLARGED, WORD_HEIGHT / max(middle, 1), room)
        return factor if factor >= 1.25 else None
    return None


def scaled(image: Image, factor: float) -> Image:
    """The picture scaled by ``factor`` (Lanczos)."""
    from PIL import Image as PIL

    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, PIL.Resampling.LANCZOS)


def could_hold_a_number(lines: list[tuple[int, int]], picture_height: int) -> bool:
    """Whether any of the text lines a layout analysis found (width, height in pixels) could hold a 12-digit
    number: high enough to be read (MIN_LINE pixels), low enough to be a line of text rather than a shape of a
    photo (a sixth of the picture: the number on a photo of a card filling the frame is a thirteenth), and at
    least three times as wide as high (twelve digits are six times)."""
    return any(MIN_LINE <= height <= picture_height / 6 and width >= 3 * height for width, height in lines)


def blank(image: Image) -> bool:
    """Nothing to read: the grey levels of a small copy hardly vary (a blank page, a plain background). Costs
    a few milliseconds however large the picture."""
    from PIL import ImageStat

    thumbnail = image.copy()
    thumbnail.thumbnail((256, 256))
    return float(ImageStat.Stat(thumbnail).stddev[0]) < _FLAT
