"""Pictures read by OCR in a scan: every picture format, EXIF orientation, pages of TIFFs and PDFs, the options
(--no-ocr, --ocr-timeout), the limits of rules/limits.toml [picture], a missing engine, damaged pictures, the
state, and no raw number anywhere.

The pictures are drawn here, small, with Debian's Noto CJK font (scripts/setup.sh --browser installs it, and
scripts/test.sh runs with it); skipped, with the reason, only where no OCR engine or no font is installed.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from detector.cli import main
from detector.extract.pictures import OCR_OFF
from detector.ocr import ENGINE_MISSING, OcrEngine, Word
from detector.pipeline import ScanOptions, scan_paths
from detector.report import render
from detector.result import ScanResult

from .conftest import ocr_engine_missing, valid_number

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
KEY = b"ocr-pictures-test-key"

MISSING = ocr_engine_missing() or (None if FONT.exists() else "no Noto CJK font")
# Skipped where OCR is not set up, but never under scripts/test.sh (MYNUMBER_REQUIRE_OCR), which sets it up.
pytestmark = pytest.mark.skipif(MISSING is not None and not os.environ.get("MYNUMBER_REQUIRE_OCR"),
                                reason=f"{MISSING} (scripts/setup.sh --browser installs what OCR needs)")


def grouped(number: str) -> str:
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def card(number: str | None, label: str = "個人番号") -> Image.Image:
    """A card-like picture: a small label, the number large below it (4-4-4), a name and a birth date."""
    image = Image.new("RGB", (720, 330), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.text((30, 24), label, font=ImageFont.truetype(str(FONT), 28), fill=(40, 40, 40))
    if number is not None:
        draw.text((30, 70), grouped(number), font=ImageFont.truetype(str(FONT), 60), fill=(0, 0, 0))
    draw.text((30, 180), "氏名 山田 花子", font=ImageFont.truetype(str(FONT), 32), fill=(0, 0, 0))
    draw.text((30, 240), "生年月日 平成2年 4月 1日", font=ImageFont.truetype(str(FONT), 28), fill=(0, 0, 0))
    return image


def scan(*paths: Path, **options: Any) -> ScanResult:
    return scan_paths([str(path) for path in paths], ScanOptions(key=KEY, jobs=1, **options))


def cli_json(*args: str) -> dict[str, Any]:
    run = CliRunner().invoke(main, ["scan", "--format", "json", "--jobs", "1", *args],
                             env={"MYNUMBER_KEY": KEY.decode()})
    assert run.exception is None or isinstance(run.exception, SystemExit), run.output
    return dict(json.loads(run.stdout))


def locations(result: ScanResult) -> list[tuple[str, dict[str, Any], str]]:
    found = [(Path(f.path).name, f.location.to_json(), f.confidence.label) for f in result.findings]
    return sorted(found, key=lambda item: (item[0], item[1].get("page", 0), item[1].get("line", 0)))


def reasons(result: ScanResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in result.unscanned:
        out.setdefault(Path(entry.path).name, []).append(entry.reason)
    return out


def test_a_card_in_a_png_is_found_high_and_marked_as_read_by_ocr(tmp_path: Path) -> None:
    number = valid_number(1601)
    card(number).save(tmp_path / "card.png")
    result = scan(tmp_path / "card.png")
    assert locations(result) == [("card.png", {"ocr": True}, "high")]
    assert result.findings[0].masked.endswith(number[-4:])
    assert "keyword:kojin-bango" in result.findings[0].reasons  # the label on the line above counts
    assert result.unscanned == []


@pytest.mark.parametrize("fmt", ["BMP", "GIF", "WEBP", "JPEG"])
def test_every_picture_format_is_read(tmp_path: Path, fmt: str) -> None:
    number = valid_number(1602)
    path = tmp_path / f"card.{fmt.lower()}"
    picture = card(number)
    picture.save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    assert locations(scan(path)) == [(path.name, {"ocr": True}, "high")]


def test_an_iphone_heic_photo_is_read_where_pillow_heif_is_installed(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif", reason="HEIF is read only with pillow-heif (the heif extra)")
    pillow_heif.register_heif_opener()
    card(valid_number(1640)).save(tmp_path / "IMG_0001.HEIC", "HEIF", quality=90)
    assert locations(scan(tmp_path / "IMG_0001.HEIC")) == [("IMG_0001.HEIC", {"ocr": True}, "high")]


def test_a_phone_photo_stored_sideways_is_read_upright_by_its_exif_orientation(tmp_path: Path) -> None:
    number = valid_number(1603)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the stored pixels must be turned 90 degrees clockwise to stand upright
    card(number).transpose(Image.Transpose.ROTATE_90).save(tmp_path / "photo.jpg", quality=92, exif=exif)
    assert locations(scan(tmp_path / "photo.jpg")) == [("photo.jpg", {"ocr": True}, "high")]


def test_the_pages_of_a_one_bit_group_4_tiff_are_located(tmp_path: Path) -> None:
    first, second = valid_number(1604), valid_number(1605)
    pages = [card(first).convert("L").point(lambda v: 255 if v > 128 else 0).convert("1"),
             card(None, "通知カード").convert("1"),
             card(second).convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")]
    pages[0].save(tmp_path / "scan.tif", compression="group4", save_all=True, append_images=pages[1:])
    assert locations(scan(tmp_path / "scan.tif")) == [("scan.tif", {"page": 1, "ocr": True}, "high"),
                                                      ("scan.tif", {"page": 3, "ocr": True}, "high")]


def mixed_pdf(path: Path, on_text_page: str, on_image_page: str) -> None:
    """A PDF whose first page has a text layer and whose second page is only a scanned picture."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.drawString(72, 760, f"My Number: {on_text_page}")
    pdf.showPage()
    scanned = io.BytesIO()
    card(on_image_page).save(scanned, "PNG")
    pdf.drawImage(ImageReader(io.BytesIO(scanned.getvalue())), 36, 500, width=523, height=240)
    pdf.showPage()
    pdf.save()


def test_a_scanned_page_in_a_pdf_with_text_pages_is_read(tmp_path: Path) -> None:
    on_text, on_image = valid_number(1606), valid_number(1607)
    mixed_pdf(tmp_path / "mixed.pdf", on_text, on_image)
    result = scan(tmp_path / "mixed.pdf")
    found = sorted(((f.location.to_json(), f.masked[-4:]) for f in result.findings), key=lambda item: item[1])
    assert found == sorted([({"page": 1}, on_text[-4:]), ({"page": 2, "ocr": True}, on_image[-4:])],
                           key=lambda item: item[1])
    assert result.unscanned == []


def test_no_ocr_lists_pictures_and_image_pages_as_not_scanned(tmp_path: Path) -> None:
    on_text, on_image = valid_number(1608), valid_number(1609)
    card(on_image).save(tmp_path / "card.png")
    mixed_pdf(tmp_path / "mixed.pdf", on_text, on_image)
    doc = cli_json("--no-ocr", str(tmp_path))
    assert [(Path(f["path"]).name, f["location"]) for f in doc["findings"]] == [("mixed.pdf", {"page": 1})]
    listed = {Path(u["path"]).name: u["reason"] for u in doc["unscanned"]}
    assert listed == {"card.png": OCR_OFF, "mixed.pdf": f"no text layer: page 2 not read, {OCR_OFF}"}


class _Missing:
    """Where the port finds no engine."""

    def __call__(self, preferred: str = "auto") -> str:
        return f"{ENGINE_MISSING} (apt-get install tesseract-ocr tesseract-ocr-jpn)"


def test_without_an_engine_pictures_are_listed_and_the_scan_goes_on(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("detector.extract.pictures.find_engine", _Missing())
    number = valid_number(1610)
    card(number).save(tmp_path / "card.png")
    (tmp_path / "notes.txt").write_text(f"個人番号: {number}\n", encoding="utf-8")
    result = scan(tmp_path)
    assert locations(result) == [("notes.txt", {"line": 1}, "high")]
    assert [reason.split(" (")[0] for reason in reasons(result)["card.png"]] == [ENGINE_MISSING]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (a decompression bomb's header) with almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def test_a_bomb_and_a_truncated_jpeg_are_listed_with_reasons_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_header_only(100_000, 100_000))
    whole = io.BytesIO()
    card(valid_number(1611)).save(whole, "JPEG", quality=90)
    (tmp_path / "cut.jpg").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    card(valid_number(1612)).save(tmp_path / "card.png")
    result = scan(tmp_path)
    assert locations(result) == [("card.png", {"ocr": True}, "high")]
    listed = reasons(result)
    assert listed["bomb.png"] == ["limit picture.max_pixels: a picture Pillow refuses as a decompression bomb"]
    assert listed["cut.jpg"][0].startswith("damaged or truncated picture (image file is truncated")
    # Each is listed as the picture it was identified as, so unscanned_by_type counts it among images.
    assert {u.path.rpartition("/")[2]: u.kind for u in result.unscanned} == {"bomb.png": "image", "cut.jpg": "image"}


def limits(tmp_path: Path, **picture: int) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "limits.toml").write_text("schema = 1\n[picture]\n" + "".join(f"{k} = {v}\n" for k, v in
                                                                           picture.items()), encoding="utf-8")
    return folder


def test_pictures_and_pages_over_the_limits_are_listed_with_the_limits_name(tmp_path: Path) -> None:
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    card(valid_number(1613)).save(pictures / "card.png")
    pages = [card(valid_number(1614 + page)).convert("L") for page in range(3)]
    pages[0].save(pictures / "three.tif", save_all=True, append_images=pages[1:])
    doc = cli_json("--rules", str(limits(tmp_path, max_pages=2)), str(pictures))
    assert sorted((Path(f["path"]).name, f["location"].get("page")) for f in doc["findings"]) == \
        [("card.png", None), ("three.tif", 1), ("three.tif", 2)]
    assert [u["reason"] for u in doc["unscanned"]] == ["limit picture.max_pages (2): pages 3-3 not read"]
    (tmp_path / "small").mkdir()
    doc = cli_json("--rules", str(limits(tmp_path / "small", max_pixels=100_000)), str(pictures / "card.png"))
    assert doc["findings"] == []
    assert doc["unscanned"][0]["reason"] == "limit picture.max_pixels (100,000): a picture of 720x330 pixels"


def test_the_scanned_pages_of_a_pdf_past_the_page_limit_are_listed(tmp_path: Path) -> None:
    pages = [card(valid_number(1650 + page)).convert("L") for page in range(3)]
    pages[0].save(tmp_path / "scans.pdf", save_all=True, append_images=pages[1:], resolution=100)
    doc = cli_json("--rules", str(limits(tmp_path, max_pages=2)), str(tmp_path / "scans.pdf"))
    assert [f["location"] for f in doc["findings"]] == [{"page": 1, "ocr": True}, {"page": 2, "ocr": True}]
    assert [u["reason"] for u in doc["unscanned"]] == ["no text layer: page 3 not read, limit picture.max_pages (2)"]


def test_ocr_timeout_bounds_one_picture(tmp_path: Path) -> None:
    page = Image.new("L", (1400, 1400), 255)
    draw = ImageDraw.Draw(page)
    for row in range(30):
        draw.text((40, 30 + row * 44), f"第{row}行 扶養控除等申告書 個人番号 {grouped(valid_number(row))} 住所",
                  font=ImageFont.truetype(str(FONT), 28), fill=0)
    page.save(tmp_path / "page.png")
    doc = cli_json("--ocr-timeout", "0.1", str(tmp_path / "page.png"))
    assert doc["findings"] == []
    assert [u["reason"] for u in doc["unscanned"]] == ["limit --ocr-timeout (0.1 s): picture not read"]


class _Counting:
    """The engine the port finds, counting the pictures it is asked to read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine, self.reads, self.name = engine, 0, engine.name

    def read(self, image: Image.Image, timeout: float) -> list[Word]:
        self.reads += 1
        return self.engine.read(image, timeout)


def counting_engine(monkeypatch: pytest.MonkeyPatch) -> _Counting:
    from detector.ocr import find_engine

    found = find_engine()
    assert not isinstance(found, str)
    counting = _Counting(found)
    monkeypatch.setattr("detector.extract.pictures.find_engine", lambda preferred="auto": counting)
    return counting


def test_with_a_state_an_unchanged_picture_is_not_read_again(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    counting = counting_engine(monkeypatch)
    share = tmp_path / "share"
    share.mkdir()
    card(valid_number(1620)).save(share / "card.png")
    state = str(tmp_path / "state.db")
    first = scan(share, state_path=state)
    assert counting.reads == 1
    second = scan(share, state_path=state)
    assert counting.reads == 1
    assert locations(second) == locations(first) == [("card.png", {"ocr": True}, "high")]


def test_with_jobs_the_workers_read_pictures_as_one_process_does(tmp_path: Path) -> None:
    """--jobs: each worker finds the engine itself and reads the pictures of its batches, for the same findings."""
    for n in range(2):
        card(valid_number(1643 + n)).save(tmp_path / f"card{n}.png")
    found = locations(scan(tmp_path))
    assert locations(scan_paths([str(tmp_path)], ScanOptions(key=KEY, jobs=2))) == found
    assert found == [("card0.png", {"ocr": True}, "high"), ("card1.png", {"ocr": True}, "high")]


def test_with_a_state_a_picture_not_read_with_no_ocr_is_read_once_ocr_is_on(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    card(valid_number(1621)).save(share / "card.png")
    state = str(tmp_path / "state.db")
    assert reasons(scan(share, state_path=state, ocr=False)) == {"card.png": [OCR_OFF]}
    assert locations(scan(share, state_path=state)) == [("card.png", {"ocr": True}, "high")]


def test_a_picture_without_text_is_not_handed_to_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = counting_engine(monkeypatch)
    Image.new("RGB", (1600, 1200), (128, 160, 200)).save(tmp_path / "sky.png")
    result = scan(tmp_path / "sky.png")
    assert (result.findings, result.unscanned, counting.reads) == ([], [], 0)


def test_a_jpeg_decoded_to_grey_alone_gives_the_grey_of_its_colours(tmp_path: Path) -> None:
    """The image reader asks libjpeg for the luma plane only (the fast path); the plain way decodes the colours
    and converts them to grey. Both give the same picture to read."""
    from detector.extract.image import _opened, _upright
    from detector.ocr.prepare import grey

    photo = card(valid_number(1640)).rotate(2, fillcolor=(200, 190, 170))
    photo.save(tmp_path / "card.jpg", quality=80)
    fast = grey(_upright(_opened((tmp_path / "card.jpg").open("rb"))))
    plain = grey(Image.open(tmp_path / "card.jpg").convert("RGB"))
    assert fast.size == plain.size
    differences = [abs(a - b) for a, b in zip(fast.tobytes(), plain.tobytes(), strict=True)]
    assert max(differences) <= 1


def test_a_page_at_a_scanners_resolution_is_read_without_the_no_text_test(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A picture stored at 150 dpi or more (a scanner's page, a PDF page rendered to be read), or a sheet of paper
    by its shape (A4 proportions, 1240 pixels across or more, a plain background), is a document: the engine reads
    it whole; a picture of a photo's proportions without a resolution is tested for text first. All find the
    card."""
    pytest.importorskip("tesserocr")
    from detector.ocr import tesseract

    tested: list[int] = []

    def layout_copies(image: Image.Image) -> Iterator[tuple[Image.Image, int]]:
        tested.append(image.width)
        yield from real(image)

    real = tesseract.layout_copies
    monkeypatch.setattr(tesseract, "layout_copies", layout_copies)
    page = Image.new("RGB", (1600, 1200), (250, 250, 250))
    page.paste(card(valid_number(1641)), (200, 300))
    page.save(tmp_path / "scanned.png", dpi=(200, 200))
    a4 = Image.new("RGB", (1240, 1754), (250, 250, 250))
    a4.paste(card(valid_number(1641)), (200, 300))
    a4.save(tmp_path / "a4.png")
    assert locations(scan(tmp_path / "scanned.png")) == [("scanned.png", {"ocr": True}, "high")]
    assert locations(scan(tmp_path / "a4.png")) == [("a4.png", {"ocr": True}, "high")]
    assert tested == []
    page.save(tmp_path / "photo.png")
    assert locations(scan(tmp_path / "photo.png")) == [("photo.png", {"ocr": True}, "high")]
    assert tested == [1600]


def test_a_screenshot_in_dark_mode_is_read(tmp_path: Path) -> None:
    """Light text on a dark background: the no-text test reads its sample lines inverted (dark on light)."""
    from PIL import ImageOps

    ImageOps.invert(card(valid_number(1642))).save(tmp_path / "dark.png")
    assert locations(scan(tmp_path / "dark.png")) == [("dark.png", {"ocr": True}, "high")]


def every_output(result: ScanResult) -> Iterator[str]:
    for fmt in ("text", "json", "jsonl", "csv", "sarif"):
        yield render(result, fmt)


def test_no_raw_number_in_any_output_and_the_outputs_say_ocr(tmp_path: Path) -> None:
    numbers = [valid_number(1630 + n) for n in range(3)]
    card(numbers[0]).save(tmp_path / "card.png")
    mixed_pdf(tmp_path / "mixed.pdf", numbers[1], numbers[2])
    result = scan(tmp_path)
    assert len(result.findings) == 3
    outputs: dict[str, Callable[[str], bool]] = {
        "text": lambda out: "(OCR)" in out,
        "json": lambda out: '"ocr": true' in out,
        "jsonl": lambda out: '"ocr": true' in out,
        "csv": lambda out: "ocr" in out.splitlines()[0].rstrip().split(",") and ",yes" in out,
        "sarif": lambda out: "read from a picture by OCR" in out,
    }
    for fmt, out in zip(outputs, every_output(result), strict=True):
        assert outputs[fmt](out), fmt
        for number in numbers:
            assert number not in out and grouped(number) not in out, fmt


def test_a_picture_that_fails_in_an_unexpected_way_is_listed_as_an_image(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever stops the reading of a whole file (here an error no reader expects), its entry keeps the kind it
    was identified as, so unscanned_by_type counts it among images and a report says a picture was not read."""
    def broken(self: object, image: object, page: int | None = None) -> Iterator[object]:
        raise ValueError("a reader's bug")

    card(valid_number(1650)).save(tmp_path / "card.png")
    monkeypatch.setattr("detector.extract.pictures.PictureReader.units", broken)
    result = scan(tmp_path / "card.png")
    assert [(Path(u.path).name, u.reason, u.kind) for u in result.unscanned] == \
        [("card.png", "internal error (ValueError); please report this file type", "image")]
    assert result.summary()["unscanned_by_type"] == {"image": 1}
