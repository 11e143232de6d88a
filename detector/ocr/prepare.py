"""A picture made ready for the engine: grey, white behind transparency, small text enlarged, and the cheap
test that tells a picture with no text at all (a blank page, a plain background) before the engine is asked.

Tesseract binarises the picture itself (Otsu); what each step here buys is in docs/performance.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import Box

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


# The region of a number read again digits only: its words' box padded by this share of its height on every side
# (Tesseract reads a line badly when the ink touches the edge), and enlarged so the digits stand so many pixels
# high, once a height: the readings at two heights must agree (detector.ocr.repair.MisreadRepair.read_again), a
# third settles a disagreement. On the degraded 申告書 rows measured, one height read a digit wrong where another
# read them all (docs/performance.md).
_REGION_PADDING = 0.35
DIGIT_HEIGHTS = (48, 64, 32)
_MOST_REGION_ENLARGED = 4.0


def number_region(image: Image, box: Box, height: int) -> Image:
    """The part of ``image`` around ``box`` (a number the first reading got wrong), padded and enlarged so its
    digits stand ``height`` pixels high, for a second, digits-only reading of that one line."""
    pad = max(4, round(box.height * _REGION_PADDING))
    region = image.crop((max(0, box.left - pad), max(0, box.top - pad), min(image.width, box.right + pad),
                         min(image.height, box.bottom + pad)))
    factor = min(_MOST_REGION_ENLARGED, height / max(box.height, 1))
    return scaled(region, factor) if abs(factor - 1) > 0.1 else region


# The test that tells a picture without text before it is read (a photo, a texture, a logo), in two steps, each
# cheap. First the engine's layout analysis finds the lines and keeps those shaped like a line that could hold a
# number (:func:`number_lines`). A picture over LAYOUT_PIXELS, or a busy one (no plain background) over BUSY_PIXELS,
# is analysed first on a copy reduced to about that size (2 or 3 times smaller: a quarter of the cost or less, where
# a noisy photo's blobs make the analysis slow), and again at its own size only when the reduced copy shows no such
# line and the picture has a plain background (BACKGROUND of its pixels within BACKGROUND_SPREAD grey levels of the
# commonest: paper, a screen) on which small type may stand that the reduced copy lost (12-pixel screenshot text).
# Rows of blobs in a photo (gravel, leaves, bricks, a check pattern) pass for lines: so the SAMPLED_LINES lines most
# like a line of text are read, each cut to at most SAMPLE_WIDTH heights and enlarged to SAMPLE_HEIGHT, and the
# picture is read whole only when one of them reads as text (TEXT_CONFIDENCE and MIN_CHARACTERS). On the measured
# pictures text lines read at 69-94 and shapes at 0-59 (docs/performance.md).
LAYOUT_PIXELS = 300_000
BUSY_PIXELS = 100_000
_MOST_REDUCED = 3
BACKGROUND = 0.5
BACKGROUND_SPREAD = 4
SAMPLED_LINES = 2
SAMPLE_WIDTH = 8
SAMPLE_HEIGHT = 32
TEXT_CONFIDENCE = 65.0
MIN_CHARACTERS = 3
# Marks a row of blobs reads as (a rule of dashes, a long-vowel mark repeated): not characters of text.
_NOT_CHARACTERS = frozenset("ー－-—―=＝_＿|｜~～.。、・,，'\"`")


def layout_copies(image: Image) -> Iterator[tuple[Image, int]]:
    """The pictures the layout is analysed on, in turn until one shows lines, each with how many of the picture's
    pixels a side of one of its pixels spans: a reduced copy of a large or busy picture, then the picture itself
    where it is small or has a plain background."""
    from PIL import Image as PIL

    pixels = image.width * image.height
    scale = min(_MOST_REDUCED, math.ceil(math.sqrt(pixels / LAYOUT_PIXELS)))
    if scale <= 1:
        if pixels <= BUSY_PIXELS or has_background(image):
            yield image, 1
            return
        scale = 2  # a busy picture (no plain background for small type to stand on): its blobs make it slow
        yield image.resize((image.width // scale, image.height // scale), PIL.Resampling.BOX), scale
        return
    yield image.resize((image.width // scale, image.height // scale), PIL.Resampling.BOX), scale
    if has_background(image):  # asked only when the reduced copy showed no line
        yield image, 1


def has_background(image: Image) -> bool:
    """Whether BACKGROUND of the picture's pixels are within BACKGROUND_SPREAD grey levels of its commonest one."""
    counts = image.histogram()
    peak = max(range(256), key=counts.__getitem__)
    near = sum(counts[max(0, peak - BACKGROUND_SPREAD):peak + BACKGROUND_SPREAD + 1])
    return near >= BACKGROUND * image.width * image.height


def number_lines(lines: list[Box], picture_height: int, scale: int = 1) -> list[Box]:
    """The lines a layout analysis found (on a copy ``scale`` times smaller than the picture) that could hold a
    12-digit number, in the picture's pixels: high enough to be read (MIN_LINE pixels in the picture), low enough
    to be a line of text rather than a shape of a photo (a sixth of the picture: the number on a photo of a card
    filling the frame is a thirteenth), and at least three times as wide as high (twelve digits are six times)."""
    return [Box(box.left * scale, box.top * scale, box.right * scale, box.bottom * scale) for box in lines
            if MIN_LINE <= box.height * scale <= picture_height * scale / 6
            and box.right - box.left >= 3 * box.height]


def sampled(lines: list[Box]) -> list[Box]:
    """The lines most like a line of text, to read as a sample: of the common height (the lines of a document share
    a size of type; a rule of a table or a shape of a photo rarely has it), the widest for their height first."""
    if not lines:
        return []
    common = sorted(box.height for box in lines)[len(lines) // 2]
    return sorted(lines, key=lambda box: (abs(box.height - common) > common / 4,
                                          (box.left - box.right) / box.height))[:SAMPLED_LINES]


def line_sample(image: Image, box: Box) -> Image:
    """The start of a line (at most SAMPLE_WIDTH heights of it), padded, enlarged to SAMPLE_HEIGHT: what is read
    to tell text from shapes."""
    pad = max(2, box.height // 3)
    right = min(box.right, box.left + SAMPLE_WIDTH * box.height)
    region = image.crop((max(0, box.left - pad), max(0, box.top - pad), min(image.width, right + pad),
                         min(image.height, box.bottom + pad)))
    factor = min(3.0, SAMPLE_HEIGHT / max(box.height, 1))
    return scaled(region, factor) if factor > 1.25 else region


def reads_as_text(text: str, confidence: float) -> bool:
    """Whether a sample line read as text: MIN_CHARACTERS different characters (not a mark repeated), read with
    the engine's confidence of text."""
    characters = set(text) - _NOT_CHARACTERS - set(" \t\n")
    return len(characters) >= MIN_CHARACTERS and confidence >= TEXT_CONFIDENCE


def blank(image: Image) -> bool:
    """Nothing to read: the grey levels of a small copy hardly vary (a blank page, a plain background). Costs
    a few milliseconds however large the picture."""
    from PIL import ImageStat

    thumbnail = image.copy()
    thumbnail.thumbnail((256, 256))
    return float(ImageStat.Stat(thumbnail).stddev[0]) < _FLAT
