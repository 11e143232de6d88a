"""The OCR port: the two Tesseract engines (in process and the program) read the same lines, the lines come in
reading order whatever the engine's layout, an engine that is missing is told without a crash, and nothing is
written to disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from detector.extract.pictures import line_units
from detector.model import Location
from detector.ocr import ENGINE_MISSING, Box, Word
from detector.ocr import tesseract as tesseract_engines
from detector.ocr.lines import reading_lines
from detector.ocr.prepare import blank, grey, rescale

from .conftest import ocr_engine_missing, valid_number

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_engine = pytest.mark.skipif((ocr_engine_missing() is not None or not FONT.exists())
                                  and not os.environ.get("MYNUMBER_REQUIRE_OCR"),
                                  reason="needs Tesseract with its Japanese model and the Noto CJK font "
                                         "(scripts/setup.sh --browser)")


def word(text: str, left: int, top: int, right: int, bottom: int, line: int) -> Word:
    return Word(text, Box(left, top, right, bottom), 90.0, line)


# -- lines in reading order ----------------------------------------------------------------------------------------


def test_cells_of_one_row_read_as_columns_are_joined_into_one_line() -> None:
    """A form's label and value in two cells: the engine may give them as lines of two columns."""
    words = [word("個人番号", 10, 100, 90, 120, 0), word("氏名", 10, 140, 50, 160, 1),
             word("1234", 300, 102, 360, 122, 2), word("5678", 370, 102, 430, 122, 2),
             word("山田", 300, 141, 340, 161, 3)]
    assert [line.text for line in reading_lines(words)] == ["個人番号 1234 5678", "氏名 山田"]


def test_a_space_the_writer_put_between_japanese_words_is_kept() -> None:
    words = [word("氏名", 10, 10, 50, 30, 0), word("山田", 80, 10, 120, 30, 0)]
    assert [line.text for line in reading_lines(words)] == ["氏名 山田"]


def test_a_label_above_a_large_number_stays_on_the_line_before() -> None:
    words = [word("1234", 10, 60, 120, 130, 1), word("個人番号", 10, 10, 90, 30, 0)]
    assert [line.text for line in reading_lines(words)] == ["個人番号", "1234"]


def test_japanese_words_are_joined_without_spaces_and_others_with_one() -> None:
    words = [word("個人", 10, 10, 40, 30, 0), word("番号", 42, 10, 72, 30, 0), word("1234", 80, 10, 120, 30, 0)]
    assert [line.text for line in reading_lines(words)] == ["個人番号 1234"]


def test_the_engines_lines_are_kept_whole_on_a_slightly_rotated_page() -> None:
    """On a rotated page the end of one line stands as low as the start of the next: the engine's lines decide."""
    words = [word("first", 10, 100, 60, 120, 0), word("line", 600, 118, 650, 138, 0),
             word("second", 10, 122, 70, 142, 1), word("line", 600, 140, 650, 160, 1)]
    assert [line.text for line in reading_lines(words)] == ["first line", "second line"]


def test_each_line_is_a_unit_with_its_neighbours_as_context_only() -> None:
    units = list(line_units(["個人番号", "1234 5678 9012", "氏名 山田 花子さん"], Location(ocr=True)))
    assert [unit.text[unit.scan_from:unit.scan_to] for unit in units if unit.text] == \
        ["1234 5678 9012", "氏名 山田 花子さん"]
    first = units[0]
    assert first.text is not None and first.text[:first.scan_from] == "個人番号\n"
    assert first.text[first.scan_to:] == "\n氏名 山田 花子さん"
    assert all(unit.location == Location(ocr=True) for unit in units)


# -- preparing pictures --------------------------------------------------------------------------------------------


def test_transparency_is_laid_on_white_and_flat_pictures_are_blank() -> None:
    clear = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    assert grey(clear).getpixel((0, 0)) == 255
    assert blank(grey(clear))
    stripes = Image.new("L", (40, 40), 255)
    ImageDraw.Draw(stripes).rectangle((0, 10, 40, 20), fill=0)
    assert not blank(stripes)


def test_only_pictures_whose_numbers_came_out_too_small_or_too_large_are_read_again_scaled() -> None:
    small_picture = Image.new("L", (600, 300))
    assert rescale(small_picture, [30, 32, 35]) is None
    assert rescale(small_picture, [11, 12, 12]) == 2.0
    assert rescale(small_picture, [30, 130, 35]) == pytest.approx(56 / 130)  # a card's number, its label smaller
    assert rescale(Image.new("L", (3000, 3000)), [11, 12, 12]) is None  # enlarged, it would cost too much
    assert rescale(small_picture, []) is None


# -- the engines ---------------------------------------------------------------------------------------------------


def test_a_missing_model_is_told_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setattr(tesseract_engines, "_TESSDATA_FOLDERS", ())
    found = tesseract_engines.find()
    assert isinstance(found, str) and found.startswith(ENGINE_MISSING)


def test_a_missing_program_is_told_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    if tesseract_engines.tessdata_folder() is None:
        pytest.skip("no Tesseract model here")
    monkeypatch.setattr(tesseract_engines.shutil, "which", lambda name: None)
    found = tesseract_engines.find("tesseract")
    assert isinstance(found, str) and found.startswith(ENGINE_MISSING)


def test_tesseract_tsv_gives_the_words_with_their_lines() -> None:
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "4\t1\t1\t1\t1\t0\t10\t10\t100\t20\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t96.5\t個人番号\n"
           "5\t1\t1\t1\t1\t2\t60\t10\t50\t20\t91\t1234\n"
           "5\t1\t1\t1\t2\t1\t10\t40\t40\t20\t90\t \n"
           "5\t1\t2\t1\t1\t1\t10\t70\t40\t20\t88\t氏名\n")
    assert tesseract_engines.words_of_tsv(tsv) == [word("個人番号", 10, 10, 50, 30, 0)._replace(confidence=96.5),
                                                   word("1234", 60, 10, 110, 30, 0)._replace(confidence=91.0),
                                                   word("氏名", 10, 70, 50, 90, 1)._replace(confidence=88.0)]


def card(number: str) -> Image.Image:
    image = Image.new("L", (640, 260), 238)
    draw = ImageDraw.Draw(image)
    draw.text((24, 20), "個人番号", font=ImageFont.truetype(str(FONT), 26), fill=30)
    draw.text((24, 64), f"{number[:4]} {number[4:8]} {number[8:]}", font=ImageFont.truetype(str(FONT), 56), fill=0)
    draw.text((24, 170), "氏名 山田 花子", font=ImageFont.truetype(str(FONT), 28), fill=0)
    return image


@needs_engine
def test_the_in_process_engine_and_the_program_read_the_same_lines(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed-up (tesserocr) and its plain twin (the tesseract program) agree, and neither writes a file."""
    folder = tesseract_engines.tessdata_folder()
    assert folder is not None
    picture = card(valid_number(1690))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    read = {}
    for engine in (tesseract_engines.InProcessTesseract(folder),
                   tesseract_engines.TesseractCommand(str(tesseract_engines.shutil.which("tesseract")), folder)):
        read[engine.name] = [line.text for line in reading_lines(engine.read(picture, 30))]
    assert read["tesserocr"] == read["tesseract"]
    assert read["tesserocr"][0] == "個人番号"
    assert os.listdir(tmp_path) == []


@needs_engine
def test_both_engines_read_a_numbers_region_digits_only_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second, digits-only reading (one line, nothing but digits allowed) through the port: the speed-up and
    its plain twin give the same digits, the letters a first reading puts for digits cannot come out, and the
    in-process engine reads whole pages as before afterwards (its page mode and whitelist are put back)."""
    folder = tesseract_engines.tessdata_folder()
    assert folder is not None
    number = valid_number(1691)
    line = Image.new("L", (520, 70), 245)
    ImageDraw.Draw(line).text((12, 8), f"{number[:4]} {number[4:8]} {number[8:]}",
                              font=ImageFont.truetype(str(FONT), 40), fill=20)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    in_process = tesseract_engines.InProcessTesseract(folder)
    program = tesseract_engines.TesseractCommand(str(tesseract_engines.shutil.which("tesseract")), folder)
    read = {engine.name: engine.read_digits(line, 30) for engine in (in_process, program)}
    assert read["tesserocr"] == read["tesseract"]
    assert read["tesserocr"].replace(" ", "") == number
    assert reading_lines(in_process.read(card(valid_number(1690)), 30))[0].text == "個人番号"
    assert os.listdir(tmp_path) == []


def test_a_numbers_region_is_padded_and_enlarged_to_the_height_asked() -> None:
    from detector.ocr.prepare import number_region

    picture = Image.new("L", (400, 100), 255)
    region = number_region(picture, Box(100, 40, 220, 60), 48)  # 20 pixels high: padded by 7, then x 2.4
    assert region.size == (round(134 * 2.4), round(34 * 2.4))
    assert number_region(picture, Box(0, 0, 50, 20), 48).size[1] == round(27 * 2.4)  # clipped at the edge


def test_the_lines_most_like_text_are_sampled_and_only_text_reads_as_text() -> None:
    """The no-text test reads a sample of the lines: those of the common height first (a rule of a table or a
    shape of a photo rarely has it), and a sample is text only with a few different characters read with
    confidence (a row of blobs reads as a dash repeated)."""
    from detector.ocr.prepare import number_lines, reads_as_text, sampled

    lines = [Box(0, 0, 300, 30), Box(0, 40, 800, 48), Box(0, 60, 200, 90), Box(0, 100, 250, 129)]
    assert sampled(number_lines(lines, 1000)) == [Box(0, 0, 300, 30), Box(0, 100, 250, 129)]
    assert number_lines([Box(10, 10, 40, 14)], 1000) == []  # 4 pixels high: too low to read
    assert number_lines([Box(5, 5, 45, 8)], 1000, scale=2) == [Box(10, 10, 90, 16)]  # found on a half-size copy
    assert reads_as_text("個人番号の記載", 91.0)
    assert not reads_as_text("ーーーーーーーーー", 73.0)
    assert not reads_as_text("まこを5", 33.0)


def _texture(kind: str, seed: int) -> Image.Image:
    """Rows of shapes a layout analysis takes for lines of text: a check pattern, bricks, gravel, wood grain."""
    import random

    rng = random.Random(seed)
    image = Image.new("L", (800, 600), 150)
    draw = ImageDraw.Draw(image)
    if kind == "checks":
        for y in range(0, 600, 32):
            for x in range((y // 32 % 2) * 16, 800, 32):
                draw.rectangle((x, y, x + 15, y + 15), fill=30)
    elif kind == "bricks":
        for row, y in enumerate(range(0, 600, 20)):
            for x in range(-(row % 2) * 30, 800, 60):
                draw.rectangle((x + 2, y + 2, x + 58, y + 18), fill=rng.randrange(60, 110))
    elif kind == "gravel":
        for _ in range(1200):
            x, y, r = rng.randrange(800), rng.randrange(600), rng.randrange(3, 9)
            draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=rng.randrange(20, 120))
    else:
        for _ in range(300):
            y = rng.randrange(600)
            draw.line([(0, y), (800, y + rng.randrange(-20, 20))], fill=rng.randrange(80, 160),
                      width=rng.randrange(1, 4))
    return image


@needs_engine
@pytest.mark.parametrize("kind", ["checks", "bricks", "gravel", "grain"])
def test_a_texture_without_text_is_not_read_past_the_no_text_test(kind: str) -> None:
    """The in-process engine reads a picture only when a sample of its likeliest lines reads as text: a texture
    whose rows of shapes pass for lines gives no words (and costs the layout and two short lines, not a whole
    reading: the figures are in docs/performance.md)."""
    folder = tesseract_engines.tessdata_folder()
    assert folder is not None
    engine = tesseract_engines.InProcessTesseract(folder)
    assert engine.read(_texture(kind, 7), 30) == []
    assert reading_lines(engine.read(card(valid_number(1692)), 30))[0].text == "個人番号"


def test_a_large_picture_is_analysed_reduced_and_at_its_size_only_on_a_plain_background() -> None:
    """The layout of a large or busy picture is analysed on a reduced copy (a noisy photo's blobs make it slow at
    full size; a busy one is reduced to about BUSY_PIXELS, at most 3 times); a page or a screen, whose plain
    background may carry type the reduced copy lost, at its size too."""
    from detector.ocr.prepare import layout_copies

    page = Image.new("L", (1200, 800), 250)
    for top in range(20, 780, 24):  # rows of small dark marks on paper
        ImageDraw.Draw(page).rectangle((20, top, 900, top + 9), fill=20)
    noise = Image.effect_noise((1200, 800), 60).convert("L")
    assert [(copy.size, scale) for copy, scale in layout_copies(page)] == [((600, 400), 2), ((1200, 800), 1)]
    assert [(copy.size, scale) for copy, scale in layout_copies(noise)] == [((400, 267), 3)]
    assert [scale for _, scale in layout_copies(Image.new("L", (400, 300), 250))] == [1]
    small_noise = Image.effect_noise((640, 360), 60).convert("L")  # busy, under LAYOUT_PIXELS: reduced all the same
    assert [scale for _, scale in layout_copies(small_noise)] == [2]
