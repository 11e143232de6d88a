"""A picture made ready for the engine: grey, white behind transparency, small text enlarged, a scanned page
turned level and cleared of specks, a photo on dim paper evened; and the cheap test that tells a picture with no
text at all (a blank page, a plain background) before the engine is asked.

Tesseract binarises the picture itself (Otsu); what each step here buys is in docs/performance.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import accumulate, pairwise
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
_DARK = 128  # a sample whose median grey level is under this stands on a dark background
MIN_CHARACTERS = 3
# Marks a row of blobs reads as (a rule of dashes, a long-vowel mark repeated): not characters of text.
_NOT_CHARACTERS = frozenset("ー－-—―=＝_＿|｜~～.。、・,，'\"`")


# A page of a document is read whole, without the no-text test, whose layout analysis and sample line cost a tenth
# of reading a page (docs/performance.md): a picture that says it was made at SCANNED_DPI or more (a scanner's
# TIFF, PNG or JPEG; a PDF page rendered for reading, detector.extract.pdf; a camera writes 72 dpi or nothing, a
# screenshot 72-144), or one with a sheet's proportions (A series, US Letter), PAGE_SIDE pixels or more across
# (A4 at 150 dpi), on a plain background: paper. A photo is 4:3, 3:2 or 16:9.
SCANNED_DPI = 150
PAGE_SIDE = 1240
_SHEETS = (2 ** 0.5, 11 / 8.5)
_SHEET_TOLERANCE = 0.02


def scanned_page(image: Image) -> bool:
    """Whether the picture is a page of a document: its stored resolution (Pillow's ``info["dpi"]``) is
    SCANNED_DPI or more both ways, or it is a sheet of paper by its shape, size and background."""
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2:
        try:
            if min(float(dpi[0]), float(dpi[1])) >= SCANNED_DPI:
                return True
        except (TypeError, ValueError):
            pass
    short, long = sorted(image.size)
    return short >= PAGE_SIDE and any(abs(long / short - sheet) <= sheet * _SHEET_TOLERANCE for sheet in _SHEETS) \
        and has_background(image)


def layout_copies(image: Image) -> Iterator[tuple[Image, int]]:
    """The pictures the layout is analysed on, in turn until one shows lines, each with how many of the picture's
    pixels a side of one of its pixels spans: a reduced copy of a large or busy picture, then the picture itself
    where it is small or has a plain background."""
    pixels = image.width * image.height
    if pixels <= BUSY_PIXELS:
        yield image, 1
        return
    plain = has_background(image)
    # A busy picture (no plain background for small type to stand on) is reduced to about BUSY_PIXELS: its
    # blobs make the analysis slow, and type on it is large enough to stand a reduction (a card on a desk).
    scale = min(_MOST_REDUCED, math.ceil(math.sqrt(pixels / (LAYOUT_PIXELS if plain else BUSY_PIXELS))))
    if scale > 1:
        yield image.reduce(scale), scale  # each pixel the mean of a scale x scale block
    if plain:  # the picture itself, asked only when the reduced copy showed no line
        yield image, 1


def has_background(image: Image) -> bool:
    """Whether BACKGROUND of the picture's pixels are within BACKGROUND_SPREAD grey levels of its commonest one,
    counted on every n-th pixel of every n-th row (about BUSY_PIXELS of them: the same shares, at a tenth of the
    time of an A4 page's histogram)."""
    from PIL import Image as PIL

    step = max(1, math.isqrt(image.width * image.height // BUSY_PIXELS))
    if step > 1:
        image = image.resize((image.width // step, image.height // step), PIL.Resampling.NEAREST)
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
    """The start of a line (at most SAMPLE_WIDTH heights of it), padded, scaled to SAMPLE_HEIGHT: what is read
    to tell text from shapes. Dark ink on light: a line on a dark background (a screenshot in dark mode) is given
    inverted, since the sample is read without the engine's second, inverted try (which doubles the cost of
    every shape it is asked about)."""
    from PIL import ImageOps, ImageStat

    pad = max(2, box.height // 3)
    right = min(box.right, box.left + SAMPLE_WIDTH * box.height)
    region = image.crop((max(0, box.left - pad), max(0, box.top - pad), min(image.width, right + pad),
                         min(image.height, box.bottom + pad)))
    if float(ImageStat.Stat(region).median[0]) < _DARK:
        region = ImageOps.invert(region)
    factor = min(3.0, SAMPLE_HEIGHT / max(box.height, 1))
    return scaled(region, factor) if not 0.8 <= factor <= 1.25 else region  # a tall line reduced: cost is pixels


def reads_as_text(text: str, confidence: float) -> bool:
    """Whether a sample line read as text: MIN_CHARACTERS different characters (not a mark repeated), read with
    the engine's confidence of text."""
    characters = set(text) - _NOT_CHARACTERS - set(" \t\n")
    return len(characters) >= MIN_CHARACTERS and confidence >= TEXT_CONFIDENCE


def blank(image: Image) -> bool:
    """Nothing to read: the grey levels of a small copy hardly vary (a blank page, a plain background). Costs
    a few milliseconds however large the picture."""
    from PIL import ImageStat

    small = image.reduce(max(1, max(image.size) // 256))  # box-averaged, without a copy of the whole picture
    return float(ImageStat.Stat(small).stddev[0]) < _FLAT


# What is done to a picture before it is read, each step only on the pictures where it paid on the measured
# scans (docs/performance.md, "Pictures, fourth step"): a scanner's 1-bit page loses its specks of dust, a scanned
# page its skew, and a photo of a form on dim paper its uneven light (:func:`evened`, once the engine has found
# that it holds text: the test costs a photo without text nothing). Tesseract binarises with one threshold for
# the whole picture (Otsu): light falling off across a photo puts half the sheet under it; and a line of digits
# fed askew through a scanner is cut across several of its lines.
def prepared(image: Image) -> Image:
    """The picture as the engine is given it: grey (:func:`grey`); when it is a page of a document
    (:func:`scanned_page`), :func:`despeckled` if stored in 1 bit, and :func:`deskewed`."""
    picture = grey(image)
    if not scanned_page(picture):
        return picture
    return deskewed(despeckled(picture) if image.mode == "1" else picture)


def evened(picture: Image) -> Image:
    """What the engine reads of a picture it found holds text: :func:`flattened` when the picture is on dim
    paper (:func:`dim_paper`), else the picture itself (the same size either way: the words' boxes stand)."""
    return flattened(picture) if dim_paper(picture) else picture


# A 3x3 median changes about a sixth as many pixels as a clean 1-bit page has black ones (the corners of its
# strokes), and 0.37-0.52 of them on a page with dust: over SPECKLED the page is taken cleaned, else as it came (the
# median of a clean page merged a word with a rule into a box tall enough to have the page read twice: measured).
SPECKLED = 0.3


def despeckled(picture: Image) -> Image:
    """The page with its specks of dust and toner (one or two pixels, read as dots and strokes between the
    digits of a fax-like 1-bit scan) gone by a 3x3 median, when it has them (SPECKLED); else the page itself.
    Not done on grey pictures, whose anti-aliased strokes it thins, nor on a 1-bit picture that is no scanned
    page (small type drawn in 1 bit loses its keyword): both measured, fewer numbers read."""
    from PIL import ImageChops, ImageFilter

    cleaned = picture.filter(ImageFilter.MedianFilter(3))
    changed = sum(ImageChops.difference(picture, cleaned).histogram()[1:])
    return cleaned if changed > SPECKLED * max(1, picture.histogram()[0]) else picture


# A picture of at least FLATTENED_PIXELS whose paper (the PAPER_SHARE brightest of its pixels, counted on a
# subsample) is darker than WHITE_PAPER is a photo of a sheet under uneven light. Its paper is estimated on a copy
# reduced to about PAPER_SIDE pixels (the brightest level around each place, blurred), and taken away.
FLATTENED_PIXELS = 1_000_000
WHITE_PAPER = 200
PAPER_SHARE = 0.05
PAPER_SIDE = 400
_PAPER_AROUND = 9  # pixels of the reduced copy: the brightest level within them is the paper


def dim_paper(picture: Image) -> bool:
    """Whether the picture is large and its paper is not white: a phone photo of a form, not a scan."""
    from PIL import Image as PIL

    if picture.width * picture.height < FLATTENED_PIXELS:
        return False
    step = max(1, math.isqrt(picture.width * picture.height // BUSY_PIXELS))
    counts = picture.resize((picture.width // step, picture.height // step), PIL.Resampling.NEAREST).histogram()
    brightest, seen = 255, 0
    while brightest > 0 and seen + counts[brightest] < PAPER_SHARE * sum(counts):
        seen += counts[brightest]
        brightest -= 1
    return brightest < WHITE_PAPER


def flattened(picture: Image) -> Image:
    """The picture with its paper made white and even: each pixel's distance below the paper around it,
    subtracted from white, then stretched (background subtraction, a cheap kin of CLAHE with Pillow alone)."""
    from PIL import Image as PIL
    from PIL import ImageChops, ImageFilter, ImageOps

    small = picture.reduce(max(1, max(picture.size) // PAPER_SIDE))
    paper = small.filter(ImageFilter.MaxFilter(_PAPER_AROUND)).filter(ImageFilter.BoxBlur(_PAPER_AROUND // 2 + 1)) \
        .resize(picture.size, PIL.Resampling.BILINEAR)
    return ImageOps.autocontrast(ImageOps.invert(ImageChops.subtract(paper, picture)), cutoff=0.5)


# The skew of a page is found on a copy about SKEW_WIDTH pixels across, cut to ink and paper: of the angles
# tried (every degree up to MOST_SKEW either way, then quarter degrees around the best), the one whose rows of
# ink are sharpest (largest sum of squared differences between neighbouring rows: level lines of text give
# full rows beside empty ones). A page is turned only when it is more than LEAST_SKEW off.
SKEW_WIDTH = 400
MOST_SKEW = 5
LEAST_SKEW = 0.5


def skew(picture: Image) -> float:
    """The angle, in degrees counter-clockwise, that sets the picture's lines level (0 when it has no ink)."""
    from PIL import Image as PIL

    factor = max(1, picture.width // SKEW_WIDTH)
    small = picture.reduce(factor) if factor > 1 else picture
    counts = small.histogram()
    paper = max(range(256), key=counts.__getitem__)
    darkest = next(level for level, darker in enumerate(accumulate(counts)) if darker >= sum(counts) // 100)
    if paper - darkest < 2 * BACKGROUND_SPREAD:
        return 0.0
    cut = (darkest + paper) // 2
    ink = small.point([255 if level < cut else 0 for level in range(256)])

    def sharpness(angle: float) -> int:
        rows = ink.rotate(angle, resample=PIL.Resampling.NEAREST, fillcolor=0) \
            .resize((1, ink.height), PIL.Resampling.BOX).tobytes()  # each row's share of ink, 0-255
        return sum((below - above) ** 2 for above, below in pairwise(rows))

    best = max(range(-MOST_SKEW, MOST_SKEW + 1), key=sharpness)
    return max((best + quarter / 4 for quarter in range(-3, 4)), key=sharpness)


def deskewed(picture: Image) -> Image:
    """The page turned level (bilinear, the corners filled with its paper) when its :func:`skew` is over
    LEAST_SKEW; else the picture itself."""
    from PIL import Image as PIL

    angle = skew(picture)
    if abs(angle) <= LEAST_SKEW:
        return picture
    counts = picture.histogram()
    return picture.rotate(angle, resample=PIL.Resampling.BILINEAR, expand=True,
                          fillcolor=max(range(256), key=counts.__getitem__))
