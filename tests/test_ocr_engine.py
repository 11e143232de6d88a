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
