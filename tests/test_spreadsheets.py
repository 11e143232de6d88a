"""Spreadsheets: numbers in text and numeric cells, restored as Excel shows them, with sheet and cell
locations, column headers as context, and hidden sheets, rows and columns scanned and marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.extract.table import column_index, column_letters
from detector.extract.xlsx import apply_digit_format, number_as_shown
from detector.model import Confidence, FileResult, ScanOptions
from detector.mynumber import calc_check_digit
from detector.scanner import FileScanner

from .conftest import valid_number

A, B, C, D = (valid_number(seed) for seed in (21, 22, 23, 24))
LEADING_ZERO = "0" + "2345678901" + calc_check_digit("02345678901")


def scan(path: Path) -> FileResult:
    return FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW)).scan_file(str(path))


def found(result: FileResult) -> dict[str, dict[str, Any]]:
    return {f"{f.location.sheet}!{f.location.cell}": {"last4": f.masked[-4:], "confidence": f.confidence.label,
                                                     **({"hidden": f.location.hidden} if f.location.hidden else {})}
            for f in result.findings}


@pytest.fixture()
def payroll(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "社員"
    sheet.append(["2026年度 扶養控除等申告書 集計"])  # a title above the table
    sheet.append(["氏名", "個人番号", "電話番号", "備考"])
    sheet.append(["山田太郎", int(A), "03-1234-5678", ""])  # a number stored as a number
    sheet.append(["佐藤花子", B, "", ""])  # stored as text
    sheet.append(["鈴木一郎", int(LEADING_ZERO), "", ""])  # Excel hides the leading zero...
    sheet["B5"].number_format = "0000-0000-0000"  # ...and the number format shows it again
    sheet.append(["高橋美咲", float(C), "", ""])  # a float, exact
    sheet.row_dimensions[6].hidden = True
    sheet.column_dimensions["D"].hidden = True
    sheet["D7"] = f"旧番号 {D}"  # hidden column, no keyword of its own, below a neutral header
    hidden = workbook.create_sheet("退職者")
    hidden.sheet_state = "hidden"
    hidden.append(["メモ", f"マイナンバー {D}"])
    path = tmp_path / "payroll.xlsx"
    workbook.save(path)
    return path


def test_every_kind_of_cell_is_found_with_its_sheet_and_cell(payroll: Path) -> None:
    result = scan(payroll)
    assert result.kind == "xlsx" and not result.unscanned
    assert found(result) == {
        "社員!B3": {"last4": A[-4:], "confidence": "high"},
        "社員!B4": {"last4": B[-4:], "confidence": "high"},
        "社員!B5": {"last4": LEADING_ZERO[-4:], "confidence": "high"},
        "社員!B6": {"last4": C[-4:], "confidence": "high", "hidden": "row"},
        "社員!D7": {"last4": D[-4:], "confidence": "low", "hidden": "column"},
        "退職者!B1": {"last4": D[-4:], "confidence": "high", "hidden": "sheet"},
    }


def test_the_column_header_is_named_in_the_location(payroll: Path) -> None:
    columns = {f.location.cell: f.location.column for f in scan(payroll).findings if f.location.sheet == "社員"}
    assert columns["B3"] == columns["B6"] == "個人番号"


def test_a_workbook_saved_with_a_wrong_extension_is_still_read_as_a_workbook(payroll: Path) -> None:
    renamed = payroll.with_name("notes.txt")
    renamed.write_bytes(payroll.read_bytes())
    assert scan(renamed).kind == "xlsx" and len(scan(renamed).findings) == 6


def test_a_number_in_another_numbers_column_is_not_high(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["氏名", "口座番号"])
    sheet.append(["山田", int(A)])
    workbook.save(tmp_path / "bank.xlsx")
    assert [f.confidence for f in scan(tmp_path / "bank.xlsx").findings] == [Confidence.LOW]


@pytest.mark.parametrize("value, code, shown", [
    ("123456789018", None, "123456789018"),
    ("1.23456789018E+11", None, "123456789018"),
    ("1.23457E+11", None, "123457000000"),  # a rounded float stays rounded: its check digit decides
    ("12345678901", "000000000000", "012345678901"),
    ("12345678901", "0000-0000-0000", "0123-4567-8901"),
    ("12345678901", '0000"-"0000"-"0000', "0123-4567-8901"),
    ("12345678901", "0000\\ 0000\\ 0000", "0123 4567 8901"),
    ("123456789018", "General", "123456789018"),
    ("45000", "yyyy/mm/dd", "45000"),
    ("12.5", "0.0", "12.5"),
])
def test_numbers_are_shown_as_excel_shows_their_digits(value: str, code: str | None, shown: str) -> None:
    assert number_as_shown(value, code) == shown


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_a_twelve_zero_format_always_gives_twelve_digits(number: int) -> None:
    assert apply_digit_format(str(number), "000000000000") == f"{number:012d}"
    grouped = apply_digit_format(str(number), "0000-0000-0000")
    assert grouped == f"{number:012d}"[:4] + "-" + f"{number:012d}"[4:8] + "-" + f"{number:012d}"[8:]


@given(st.integers(min_value=0, max_value=18277))
def test_column_letters_round_trip(index: int) -> None:
    assert column_index(column_letters(index)) == index


def test_a_damaged_workbook_is_unscanned_with_a_reason(payroll: Path) -> None:
    data = payroll.read_bytes()
    payroll.write_bytes(data[: len(data) // 2])
    result = scan(payroll)
    assert not result.findings and len(result.unscanned) == 1
    assert "corrupt" in result.unscanned[0].reason or "truncated" in result.unscanned[0].reason


def big_workbook(path: Path, rows: int) -> None:
    """A minimal valid xlsx written part by part (openpyxl takes 45 s to write a million rows)."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxml'
                         'formats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", f'<workbook {ns} {rel_ns}><sheets><sheet name="big" sheetId="1" '
                                            'r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org'
                         '/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                         '</Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is>'
                        '</c><c r="B1" t="inlineStr"><is><t>個人番号</t></is></c></row>'.encode())
            for start in range(2, rows + 2, 10_000):
                sheet.write("".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>社員{r}</t></is></c>'
                                    f'<c r="B{r}"><v>{r}</v></c></row>'
                                    for r in range(start, min(start + 10_000, rows + 2))).encode())
            sheet.write(b"</sheetData></worksheet>")


def test_a_large_sheet_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Rows are dropped as they are read: a worker's peak memory does not grow with the sheet
    (scripts/bench.py measures a million rows; 200,000 keep this test quick)."""
    import subprocess
    import sys

    path = tmp_path / "big.xlsx"
    big_workbook(path, 200_000)
    # VmHWM, not ru_maxrss: the latter survives exec and would include the forking test runner's memory.
    code = ("import re,sys;from detector.scanner import FileScanner; from detector.model import ScanOptions;"
            "r=FileScanner(ScanOptions(key=b'k')).scan_file(sys.argv[1]);"
            "hwm=re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1);"
            "print(hwm, r.scanned, len(r.findings), r.kind)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    peak_kib, scanned, findings, kind = out.stdout.split()
    assert (scanned, findings, kind) == ("True", "0", "xlsx")
    assert int(peak_kib) < 100 * 1024, f"peak RSS {int(peak_kib) // 1024} MiB"
