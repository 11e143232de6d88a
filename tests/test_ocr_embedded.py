"""Pictures inside documents and mail are read by OCR as pictures on their own are: the media of docx, pptx and
xlsx (``word/media/``, ``ppt/media/``, ``xl/media/``) and a mail's image attachment, each located in its container
by the member (``{"member": "word/media/image1.png", "ocr": true}``).

The pictures are cards drawn with Debian's Noto CJK font, read by the installed OCR engine; skipped, with the
reason, where none is installed (never under scripts/test.sh).
"""

from __future__ import annotations

import io
import os
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from detector.pipeline import ScanOptions, scan_paths
from detector.result import ScanResult

from .conftest import valid_number
from .test_ocr_pictures import MISSING, card

KEY = b"ocr-embedded-test-key"
pytestmark = pytest.mark.skipif(MISSING is not None and not os.environ.get("MYNUMBER_REQUIRE_OCR"),
                                reason=f"{MISSING} (scripts/setup.sh --browser installs what OCR needs)")

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  '2006/content-types"><Default Extension="png" ContentType="image/png"/></Types>')
_WORD = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
         'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>本人確認書類の写し(下の画像)</w:t></w:r></w:p></w:body>'
         '</w:document>')
_SLIDE = ('<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/'
          '2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp>'
          '<p:txBody><a:p><a:r><a:t>研修資料 本人確認の例</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld>'
          '</p:sld>')


def png(number: str) -> bytes:
    out = io.BytesIO()
    card(number).save(out, "PNG")
    return out.getvalue()


def scan(path: Path) -> ScanResult:
    return scan_paths([str(path)], ScanOptions(key=KEY, jobs=1))


def word_document(path: Path, media: dict[str, bytes]) -> Path:
    """A Word document at ``path`` with one paragraph and the pictures ``media`` (member name -> bytes)."""
    with zipfile.ZipFile(path, "w") as document:
        document.writestr("[Content_Types].xml", _CONTENT_TYPES)
        document.writestr("word/document.xml", _WORD)
        for name, data in media.items():
            document.writestr(name, data)
    return path


def located(result: ScanResult) -> list[tuple[str, dict[str, object], str]]:
    return [(Path(f.path).name, f.location.to_json(), f.confidence.label) for f in result.findings]


def test_a_card_pasted_into_a_word_document_is_found_in_its_media(tmp_path: Path) -> None:
    path = word_document(tmp_path / "本人確認.docx", {"word/media/image1.png": png(valid_number(1801)),
                                                   "word/media/image2.emf": b"\x01\x00\x00\x00 not a picture of text"})
    result = scan(path)
    assert located(result) == [("本人確認.docx", {"member": "word/media/image1.png", "ocr": True}, "high")]
    assert result.findings[0].masked.endswith(valid_number(1801)[-4:])
    assert result.unscanned == []  # the vector drawing is left alone, not listed


def test_a_card_on_a_slide_is_found_in_the_presentations_media(tmp_path: Path) -> None:
    path = tmp_path / "研修.pptx"
    with zipfile.ZipFile(path, "w") as presentation:
        presentation.writestr("[Content_Types].xml", _CONTENT_TYPES)
        presentation.writestr("ppt/presentation.xml", '<?xml version="1.0"?><p:presentation xmlns:p="x"/>')
        presentation.writestr("ppt/slides/slide1.xml", _SLIDE)
        presentation.writestr("ppt/media/image3.png", png(valid_number(1802)))
    assert located(scan(path)) == [("研修.pptx", {"member": "ppt/media/image3.png", "ocr": True}, "high")]


def test_a_scan_pasted_into_a_workbook_is_found_in_its_media(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.drawing.image import Image as SheetImage

    picture = tmp_path / "card.png"
    picture.write_bytes(png(valid_number(1803)))
    workbook = openpyxl.Workbook()
    workbook.active.title = "控え"
    workbook.active["A1"] = "提出書類"
    workbook.active.add_image(SheetImage(str(picture)), "B2")
    workbook.save(tmp_path / "控え.xlsx")
    picture.unlink()
    found = located(scan(tmp_path / "控え.xlsx"))
    assert [(name, location.get("ocr"), str(location.get("member", "")).startswith("xl/media/"), confidence)
            for name, location, confidence in found] == [("控え.xlsx", True, True, "high")]


def test_a_card_attached_to_a_mail_is_found_in_the_attachment(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "マイナンバーカードの写し"
    message["From"] = "staff@example.jp"
    message.set_content("添付のとおり提出します。")
    message.add_attachment(png(valid_number(1804)), maintype="image", subtype="png", filename="card.png")
    (tmp_path / "提出.eml").write_bytes(bytes(message))
    assert located(scan(tmp_path / "提出.eml")) == [("提出.eml", {"member": "card.png", "ocr": True}, "high")]


def test_without_ocr_the_embedded_pictures_are_listed_as_not_read(tmp_path: Path) -> None:
    path = word_document(tmp_path / "本人確認.docx", {"word/media/image1.png": png(valid_number(1805))})
    result = scan_paths([str(path)], ScanOptions(key=KEY, jobs=1, ocr=False))
    assert result.findings == []
    assert [(u.member, u.reason, u.kind) for u in result.unscanned] == \
        [("word/media/image1.png", "OCR turned off (--no-ocr)", "image")]
