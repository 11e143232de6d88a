"""Hostile documents: XML bombs and external entities are refused with a reason, never expanded or fetched."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from detector.model import Confidence, ScanOptions
from detector.scanner import FileScanner

from .conftest import valid_number

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
          + "]>\n")
EXTERNAL = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'


def office_zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def scan(tmp_path: Path, name: str, data: bytes) -> tuple[list[str], list[str]]:
    path = tmp_path / name
    path.write_bytes(data)
    result = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW)).scan_file(str(path))
    return [f.masked for f in result.findings], [u.reason for u in result.unscanned]


@pytest.mark.parametrize("prolog", [LAUGHS, EXTERNAL], ids=["billion laughs", "external entity"])
def test_a_word_document_with_a_dtd_is_refused(tmp_path: Path, prolog: str) -> None:
    body = f'{prolog}<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    data = office_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": body})
    findings, reasons = scan(tmp_path, "bomb.docx", data)
    assert findings == []
    assert len(reasons) == 1 and reasons[0].startswith("XML with a document type declaration")


def test_a_workbook_whose_shared_strings_carry_a_dtd_is_refused(tmp_path: Path) -> None:
    number = valid_number(5)
    data = office_zip({
        "[Content_Types].xml": "<Types/>",
        "xl/workbook.xml": '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
                           "</workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
                                      "</Relationships>",
        "xl/sharedStrings.xml": f"{LAUGHS}<sst><si><t>&lol9;</t></si></sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet><sheetData><row r="1"><c r="A1"><v>{number}</v></c></row>'
                                    "</sheetData></worksheet>",
    })
    findings, reasons = scan(tmp_path, "bomb.xlsx", data)
    assert findings == []
    assert reasons == ["XML with a document type declaration or entities is refused (entity-expansion defence)"]
