"""fixtures/documents: real files made by LibreOffice, openpyxl, python-docx, python-pptx, msoffcrypto-tool,
Info-ZIP and the email package (scripts/make_documents.py), each giving exactly the findings and unscanned
parts written next to them in fixtures/documents.expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detector.model import Confidence
from detector.pipeline import ScanOptions, scan_paths
from detector.result import ScanResult

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "fixtures" / "documents"
EXPECTED: dict[str, Any] = json.loads((ROOT / "fixtures" / "documents.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan_paths([str(DOCUMENTS)], ScanOptions(key=b"fixture-key", jobs=1, min_confidence=Confidence.LOW))


def _rel(path: str) -> str:
    return str(Path(path).relative_to(DOCUMENTS))


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("rel", sorted(EXPECTED["files"]))
def test_each_file_gives_its_expected_findings(result: ScanResult, rel: str) -> None:
    found = sorted(({"location": f.location.to_json(), "masked": f.masked, "confidence": f.confidence.label}
                    for f in result.findings if _rel(f.path) == rel), key=_key)
    assert found == sorted(EXPECTED["files"][rel]["findings"], key=_key)


@pytest.mark.parametrize("rel", sorted(EXPECTED["files"]))
def test_each_file_lists_its_unscanned_parts(result: ScanResult, rel: str) -> None:
    unscanned = sorted(((u.member, u.reason) for u in result.unscanned if _rel(u.path) == rel), key=str)
    expected = sorted(((u["member"], u["reason_starts"]) for u in EXPECTED["files"][rel]["unscanned"]), key=str)
    assert [member for member, _ in unscanned] == [member for member, _ in expected]
    for (_, reason), (_, start) in zip(unscanned, expected, strict=True):
        assert start in reason


def test_every_file_is_either_scanned_or_listed(result: ScanResult) -> None:
    on_disk = {str(p.relative_to(DOCUMENTS)) for p in DOCUMENTS.rglob("*") if p.is_file()}
    assert on_disk == set(EXPECTED["files"])
    whole_files_unscanned = {_rel(u.path) for u in result.unscanned if u.member is None}
    assert result.files_scanned + len(whole_files_unscanned) == len(on_disk)


def test_distinct_people_across_all_formats(result: ScanResult) -> None:
    assert result.distinct_people == EXPECTED["distinct_people"]


def test_the_public_web_page_makes_the_incident_serious(result: ScanResult) -> None:
    public = {_rel(f.path) for f in result.findings if f.public}
    assert public == {"www/public_html/応募フォーム確認.html"}
    assert result.summary()["serious"] is True


def test_types_are_counted_for_scanned_and_unscanned_files(result: ScanResult) -> None:
    summary = result.summary()
    assert {"xlsx", "xls", "ods", "docx", "odt", "pdf", "pptx", "odp", "zip", "gzip", "email", "mbox",
                                                                                           "rtf"} <= set(
        summary["scanned_by_type"])
    assert "image" in summary["scanned_by_type"]  # read by OCR (issue 16); it was listed as unscanned before


@pytest.mark.parametrize("rel", ["word/源泉徴収票.pdf"])
def test_the_pdf_readers_agree_page_by_page(rel: str) -> None:
    """pdfium is the default reader and pdfminer.six its fallback: both find the same numbers on each page."""
    from detector.extract import Source
    from detector.extract.pdf import PdfExtractor
    from detector.match import TextScanner
    from detector.rules import load_rules

    scanner = TextScanner(load_rules())

    def pages(engine: str) -> list[tuple[int | None, str]]:
        with (DOCUMENTS / rel).open("rb") as stream:
            head = stream.read(4096)
            units = list(PdfExtractor(engine).extract(Source(rel, stream, head, None)))
        return sorted((c.location.page, c.digits[-4:]) for unit in units for c in scanner.scan_unit(unit).candidates)

    assert pages("pdfium") == pages("pdfminer") != []


def test_an_encrypted_pdf_and_an_image_only_pdf_are_told_apart_by_both_readers() -> None:
    from detector.errors import UnscannableFile
    from detector.extract import Source
    from detector.extract.pdf import PdfExtractor

    for engine in ("pdfium", "pdfminer"):
        for rel, reason in [("locked/源泉_パスワード付き.pdf", "encrypted"),
                            ("scans/申告書スキャン.pdf", "no text layer")]:
            with (DOCUMENTS / rel).open("rb") as stream, pytest.raises(UnscannableFile, match=reason):
                list(PdfExtractor(engine).extract(Source(rel, stream, stream.read(4096), None)))


# -- fixtures/legacy: 7z, RAR, LZH, Outlook .msg, Word 97-2003 .doc and PowerPoint 97-2003 .ppt ----------------
# (scripts/make_legacy_formats.py: 7-Zip, jLHA and LibreOffice made them; the RAR archives and Outlook messages
# are rar's and Outlook's own files with our text in place, see fixtures/legacy-sources/README.md)

LEGACY = ROOT / "fixtures" / "legacy"
LEGACY_EXPECTED: dict[str, Any] = json.loads((ROOT / "fixtures" / "legacy.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def legacy() -> ScanResult:
    return scan_paths([str(LEGACY)], ScanOptions(key=b"fixture-key", jobs=1, min_confidence=Confidence.LOW))


def _legacy_rel(path: str) -> str:
    return str(Path(path).relative_to(LEGACY))


@pytest.mark.parametrize("rel", sorted(LEGACY_EXPECTED["files"]))
def test_each_legacy_format_gives_its_expected_findings(legacy: ScanResult, rel: str) -> None:
    found = sorted(({"location": f.location.to_json(), "masked": f.masked, "confidence": f.confidence.label}
                    for f in legacy.findings if _legacy_rel(f.path) == rel), key=_key)
    assert found == sorted(LEGACY_EXPECTED["files"][rel]["findings"], key=_key)


@pytest.mark.parametrize("rel", sorted(LEGACY_EXPECTED["files"]))
def test_each_legacy_format_lists_its_unscanned_parts(legacy: ScanResult, rel: str) -> None:
    unscanned = sorted(((u.member, u.reason) for u in legacy.unscanned if _legacy_rel(u.path) == rel), key=str)
    expected = sorted(((u["member"], u["reason_starts"]) for u in LEGACY_EXPECTED["files"][rel]["unscanned"]),
                      key=str)
    assert [member for member, _ in unscanned] == [member for member, _ in expected]
    for (_, reason), (_, start) in zip(unscanned, expected, strict=True):
        assert reason.startswith(start)


def test_every_legacy_file_is_scanned_or_listed_and_counted_by_type(legacy: ScanResult) -> None:
    on_disk = {str(p.relative_to(LEGACY)) for p in LEGACY.rglob("*") if p.is_file()}
    assert on_disk == set(LEGACY_EXPECTED["files"])
    assert legacy.distinct_people == LEGACY_EXPECTED["distinct_people"]
    assert {"7z", "rar", "lzh", "msg", "doc", "ppt"} <= set(legacy.summary()["scanned_by_type"])


def test_the_cli_reports_legacy_formats_at_high_confidence() -> None:
    from click.testing import CliRunner

    from detector.cli import main

    run = CliRunner().invoke(main, ["scan", "--format", "json", "--min-confidence", "high", str(LEGACY)],
                             env={"MYNUMBER_KEY": "fixture-key"})
    document = json.loads(run.stdout)
    kinds = {Path(item["path"]).suffix for item in document["findings"]}
    assert kinds == {".7z", ".rar", ".lzh", ".msg", ".doc", ".ppt"}
    assert document["summary"]["distinct_people"] == LEGACY_EXPECTED["distinct_people"]


def test_an_outlook_rtf_body_is_read_where_a_message_has_no_plain_body() -> None:
    """Outlook's compressed RTF (the body of the source message, as Outlook wrote it) decompressed and read."""
    import olefile

    from detector.extract.msg import _rtf_body

    with olefile.OleFileIO(str(ROOT / "fixtures" / "legacy-sources" / "msgreader" / "Hello +CJK.msg")) as ole:
        compressed = ole.openstream("__substg1.0_10090102").read()
    text = _rtf_body(compressed)
    assert "Hello" in text and "J こんにちは" in text and "\\rtf" not in text


@pytest.mark.parametrize(("flag", "n_fib", "reason"), [
    (0x0100, None, "encrypted (password-protected Word document)"),  # fEncrypted
    (0, 0x0065, "Word 6/95 document"),
])
def test_a_word_document_that_cannot_be_read_says_why(tmp_path: Path, flag: int, n_fib: int | None,
                                                      reason: str) -> None:
    """LibreOffice writes neither, so its document's File Information Block is given the flag (or the format
    version) that Word writes, in place in the WordDocument stream."""
    import struct

    import olefile

    from detector.model import ScanOptions as FileScanOptions
    from detector.scanner import FileScanner

    path = tmp_path / "旧文書.doc"
    path.write_bytes((LEGACY / "word/源泉徴収票.doc").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        fib = bytearray(ole.openstream("WordDocument").read())
        if n_fib is not None:
            struct.pack_into("<H", fib, 2, n_fib)
        struct.pack_into("<H", fib, 10, struct.unpack_from("<H", fib, 10)[0] | flag)
        ole.write_stream("WordDocument", bytes(fib))
    result = FileScanner(FileScanOptions(key=b"k", min_confidence=Confidence.LOW)).scan_file(str(path))
    assert not result.findings
    assert len(result.unscanned) == 1 and result.unscanned[0].reason.startswith(reason)
