"""What is done to a picture before it is read (detector.ocr.prepare): a scanned page fed askew is turned level, a
1-bit scan loses its specks of dust, a photo of a form on dim paper is evened, and what did not pay is not done
(a grey picture is not median-filtered, a photo is not turned, a picture on white paper is left as it is).
The measurements behind each choice are in docs/performance.md ("Pictures, fourth step")."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageStat

from detector.extract.pdf import PdfExtractor
from detector.ocr.prepare import LEAST_SKEW, deskewed, despeckled, dim_paper, evened, flattened, prepared, skew
from detector.pipeline import ScanOptions, scan_paths

from .conftest import ocr_engine_missing

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def lines_of_ink(size: tuple[int, int] = (1654, 2339), paper: int = 255, ink: int = 0,
                 stroke: int | None = None, rows: int = 30) -> Image.Image:
    """A page of 30 lines of text-like ink (bars of words), as a form at 200 dpi lays them out; with ``stroke``,
    each word drawn as an outline of that width, inked as thinly as type."""
    page = Image.new("L", size, paper)
    draw = ImageDraw.Draw(page)
    rng = random.Random(16)
    for row in range(rows):
        x, top = 120, 150 + row * 68
        while x < size[0] - 200:
            width = rng.randrange(40, 160)
            draw.rectangle((x, top, x + width, top + 26), fill=ink if stroke is None else paper,
                           outline=ink, width=stroke or 1)
            x += width + rng.randrange(15, 30)
    return page


def turned(page: Image.Image, degrees: float) -> Image.Image:
    return page.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


@pytest.mark.parametrize("degrees", [-4, -2, 3])
def test_the_skew_of_a_page_is_found_to_a_quarter_degree(degrees: float) -> None:
    assert skew(turned(lines_of_ink(), degrees)) == pytest.approx(-degrees, abs=0.25)


def test_a_level_page_and_a_page_without_ink_are_not_turned() -> None:
    level = lines_of_ink()
    assert abs(skew(level)) <= LEAST_SKEW
    assert deskewed(level) is level
    blank = Image.new("L", (1654, 2339), 255)
    assert skew(blank) == 0.0 and deskewed(blank) is blank


def test_a_page_stored_at_scanner_resolution_is_turned_level_and_a_photo_is_not() -> None:
    page = turned(lines_of_ink(), 3)
    page.info["dpi"] = (200, 200)
    assert abs(skew(prepared(page))) <= LEAST_SKEW
    photo = turned(lines_of_ink((1200, 900)), 3)  # 4:3, no resolution stored: a camera's
    assert prepared(photo).size == photo.size


def speckled_scan(dpi: int | None, size: tuple[int, int] = (1654, 2339)) -> Image.Image:
    """A 1-bit scan of ten lines of thin ink with black specks of one pixel, as dust on a fax gives them."""
    page = lines_of_ink(size, stroke=2, rows=10).point(lambda v: 255 if v > 128 else 0)
    pixels = page.load()
    assert pixels is not None
    rng = random.Random(2)
    for _ in range(page.width * page.height // 100):  # 1% of the page
        pixels[rng.randrange(page.width), rng.randrange(page.height)] = 0
    scan = page.convert("1", dither=Image.Dither.NONE)
    if dpi is not None:
        scan.info["dpi"] = (dpi, dpi)
    return scan


def specks(picture: Image.Image) -> int:
    """The black pixels in the margin above the first line of ink: specks."""
    return picture.convert("L").crop((0, 60, picture.width, 120)).histogram()[0]


def test_specks_of_a_one_bit_scan_are_removed_and_its_lines_kept() -> None:
    speckled = speckled_scan(200)
    assert specks(speckled) > 300
    cleaned = despeckled(speckled.convert("L"))
    assert specks(cleaned) < 10  # two specks side by side by chance may stay
    assert ImageStat.Stat(cleaned.crop((120, 150, 1400, 152))).mean[0] < 160  # the top strokes of a line kept


def test_a_clean_one_bit_page_is_given_back_as_it_came() -> None:
    """Its median would only round the corners of its strokes (and, on a measured form, merge a word with a
    rule into a box that had the page read twice)."""
    clean = lines_of_ink(stroke=2, rows=10).point(lambda v: 255 if v > 128 else 0)
    assert despeckled(clean) is clean


def test_only_a_one_bit_page_is_despeckled() -> None:
    """A 1-bit picture that is no page (no scanner's resolution, not a sheet's shape: a card drawn in 1 bit) keeps
    its specks: the median thinned the keyword of the tests' 1-bit card until it was no longer read (measured)."""
    assert specks(prepared(speckled_scan(200))) < 10
    assert specks(prepared(speckled_scan(None, (1000, 700)))) > 150


def dim_photo() -> Image.Image:
    """The ink page photographed on grey paper under light falling off from left to right (ink 40, paper
    190 on the left and 120 on the right)."""
    page = lines_of_ink(paper=190, ink=40)
    shade = Image.linear_gradient("L").rotate(90).resize(page.size).point(lambda v: 255 - v * 95 // 255)
    from PIL import ImageChops

    return ImageChops.multiply(page, shade)


def test_a_photo_on_dim_uneven_paper_is_evened_to_white_paper_and_dark_ink() -> None:
    photo = dim_photo()
    assert dim_paper(photo)
    flat = flattened(photo)
    assert flat.size == photo.size
    left, right = (ImageStat.Stat(flat.crop((x, 40, x + 200, 120))).mean[0] for x in (100, 1300))
    assert left > 240 and right > 240  # the paper white on both sides of the sheet
    assert ImageStat.Stat(flat.crop((1300, 150, 1400, 176))).mean[0] < 128  # ink still dark where the light fell


def test_white_paper_and_small_pictures_are_not_evened() -> None:
    page = lines_of_ink()
    assert not dim_paper(page) and evened(page) is page
    small = dim_photo().resize((800, 1131))
    assert not dim_paper(small) and evened(small) is small


def test_a_grey_picture_is_not_median_filtered() -> None:
    grey_page = lines_of_ink(paper=250, ink=20)
    grey_page.info["dpi"] = (200, 200)
    assert prepared(grey_page).tobytes() == grey_page.tobytes()


needs_ocr = pytest.mark.skipif((ocr_engine_missing() or (None if FONT.exists() else "no Noto CJK font")) is not None
                               and not os.environ.get("MYNUMBER_REQUIRE_OCR"), reason="no OCR engine or font here")


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_people(name: str, page: int | None = None) -> set[str]:
    """The fingerprints of the people planted on a page of a picture of fixtures/ocr (under the manifest's key)."""
    manifest = json.loads((FIXTURES / "ocr.expected.json").read_text(encoding="utf-8"))
    return {person["fingerprint"] for person in manifest["files"][name]["people"] if person["page"] == page}


def photographed(page: Image.Image) -> Image.Image:
    """A phone photo of the page (scripts/make_ocr_fixtures.py's degraded_photo, harder): grey paper and ink at
    105-165, light falling off by a quarter across the sheet, turned 1 degree, noise, blur."""
    from PIL import ImageChops, ImageFilter

    low = page.point(lambda v: 105 + v * 60 // 255)
    light = Image.linear_gradient("L").rotate(90).resize(low.size).point(lambda v: 255 - v * 70 // 255)
    lit = ImageChops.multiply(low, light).rotate(1.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    return Image.blend(lit, Image.effect_noise(lit.size, 12), 0.05).filter(ImageFilter.GaussianBlur(1.0))


def faxed(page: Image.Image, seed: int) -> Image.Image:
    """A 1-bit page with dust: black specks of one or two pixels on 0.4% of it."""
    rng = random.Random(seed)
    bw = page.convert("L").point(lambda v: 255 if v > 160 else 0)
    pixels = bw.load()
    assert pixels is not None
    for _ in range(bw.width * bw.height * 4 // 1000):
        x, y = rng.randrange(bw.width - 1), rng.randrange(bw.height - 1)
        pixels[x, y] = 0
        if rng.random() < 0.4:
            pixels[x + 1, y] = 0
        if rng.random() < 0.3:
            pixels[x, y + 1] = 0
    return bw.convert("1", dither=Image.Dither.NONE)


@needs_ocr
def test_a_form_fed_askew_a_photo_under_uneven_light_and_a_speckled_fax_are_read(tmp_path: Path) -> None:
    """Three of the measured harder pictures, made from fixtures/ocr: each lost people when read as it came
    (0 of 2, 0 of 2, 2 of 3) and is read whole once prepared."""
    gensen = Image.open(FIXTURES / "ocr" / "源泉徴収票_150dpi.png").convert("L")
    gensen.rotate(4, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255) \
        .save(tmp_path / "askew.png", dpi=(150, 150))
    photographed(gensen).convert("RGB").save(tmp_path / "photo.jpg", quality=70)
    with Image.open(FIXTURES / "ocr" / "複合機スキャン.tif") as scan:
        scan.seek(1)
        faxed(scan, 5).save(tmp_path / "fax.tif", compression="group4", dpi=(200, 200))
    key = json.loads((FIXTURES / "ocr.expected.json").read_text(encoding="utf-8"))["key"].encode()
    result = scan_paths([str(tmp_path)], ScanOptions(key=key, jobs=1))
    found: dict[str, set[str]] = {}
    for finding in result.findings:
        found.setdefault(Path(finding.path).name, set()).add(finding.fingerprint)
    assert found == {"askew.png": fixture_people("源泉徴収票_150dpi.png"),
                     "photo.jpg": fixture_people("源泉徴収票_150dpi.png"),
                     "fax.tif": fixture_people("複合機スキャン.tif", 2)}


def test_a_long_pdf_is_read_alike_when_pdfium_is_opened_again_every_few_pages(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The document is opened again every PAGES_A_DOCUMENT pages to hold pdfium's memory: the pages, their
    text and their numbers are those read in one go."""
    from reportlab.pdfgen import canvas

    from detector.extract import Source, TextUnit, pdf

    pdf_path = tmp_path / "long.pdf"
    document = canvas.Canvas(str(pdf_path), pagesize=(595, 842))
    for number in range(1, 8):
        document.drawString(72, 760, f"page {number} of seven")
        document.showPage()
    document.save()

    def texts() -> list[str]:
        with pdf_path.open("rb") as stream:
            source = Source(str(pdf_path), stream, stream.read(64), pdf_path.stat().st_size)
            return [unit.text.strip() for unit in PdfExtractor().extract(source) if isinstance(unit, TextUnit)]

    in_one_go = texts()
    monkeypatch.setattr(pdf, "PAGES_A_DOCUMENT", 2)
    assert texts() == in_one_go == [f"page {number} of seven" for number in range(1, 8)]
