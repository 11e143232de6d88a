"""A column's header gives context to every value below it, whatever the table's width and whatever the other
headers say: a list of numbers under a 個人番号 header is the most common table of all, and a one-column list
must be read like the same list with other columns beside it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.extract.table import Cell, SheetUnits, column_letters
from detector.model import Confidence, FileResult, ScanOptions
from detector.scanner import FileScanner

from .conftest import valid_number

# 30 rows, most far beyond any keyword window; no leading zero, so that each can be stored as a number too.
NUMBERS = [number for number in map(valid_number, range(800, 840)) if number[0] != "0"][:30]
KEY = "test-key"


@pytest.fixture(scope="module")
def scanner() -> FileScanner:
    return FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW))


def in_column(result: FileResult, header: str = "個人番号") -> list[tuple[str, Confidence]]:
    """(last four digits, confidence) of each finding, in file order; every one must name the column."""
    assert [f.location.column for f in result.findings] == [header] * len(result.findings), result.findings
    return [(f.masked[-4:], f.confidence) for f in result.findings]


ALL_HIGH = [(number[-4:], Confidence.HIGH) for number in NUMBERS]
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def table(header: list[str], column: int, delimiter: str = ",") -> str:
    """A table whose ``column`` holds the numbers under ``header``; the other cells hold plain values."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row, number in enumerate(NUMBERS):
        cells = [f"value{row}" for _ in header]
        cells[column] = number
        writer.writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize(("name", "text", "encoding"), [
    ("one column.csv", "個人番号\n" + "\n".join(NUMBERS) + "\n", "utf-8"),
    ("one column, UTF-8 with BOM.csv", "個人番号\n" + "\n".join(NUMBERS) + "\n", "utf-8-sig"),
    ("one column, Excel's CP932.csv", "個人番号\r\n" + "\r\n".join(NUMBERS) + "\r\n", "cp932"),
    ("one column, quoted.csv", '"個人番号"\n' + "\n".join(f'"{n}"' for n in NUMBERS) + "\n", "utf-8"),
    ("one column.tsv", "個人番号\n" + "\n".join(NUMBERS) + "\n", "utf-8"),
    *((f"one column, full-width, {encoding}.csv", "個人番号\n" + "\n".join(n.translate(FW) for n in NUMBERS) + "\n",
       encoding) for encoding in ("utf-8", "cp932", "euc-jp")),
    ("one column, grouped full-width.csv",
     "個人番号\n" + "\n".join("－".join((n[:4], n[4:8], n[8:])).translate(FW) for n in NUMBERS) + "\n", "cp932"),
    ("a formula in the header.csv", table(["名前", "=1+2", "個人番号"], 2), "utf-8"),
    ("a formula in the header, CP932.csv", table(["名前", "=1+2", "個人番号"], 2).replace("\n", "\r\n"), "cp932"),
    ("a formula in the header.tsv", table(["名前", "=1+2", "個人番号"], 2, "\t"), "utf-8"),
    ("an empty header cell.csv", table(["名前", "", "個人番号"], 2), "utf-8"),
    ("numbers in the other headers.csv", table(["No.1", "住所2", "個人番号"], 2), "utf-8"),
    ("the first column.csv", table(["個人番号", "=SUM(A1:A9)", "備考"], 0), "utf-8"),
    ("the last column.csv", table(["2024年度", "=1+2", "個人番号"], 2), "utf-8"),
    ("the first of two.tsv", table(["個人番号", "@2"], 0, "\t"), "utf-8"),
])
def test_a_delimited_column_headed_by_a_keyword_is_high_on_every_row(
        tmp_path: Path, scanner: FileScanner, name: str, text: str, encoding: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    result = scanner.scan_file(str(path))
    assert result.kind == "delimited"
    assert in_column(result) == ALL_HIGH


def one_column_workbook(path: Path, above: list[str] | None = None) -> Path:
    """openpyxl's xlsx: A1 is 個人番号 (after the ``above`` cells), the numbers below it, as numbers and text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "名簿"
    for text in above or []:
        sheet.append([text])
    sheet.append(["個人番号"])
    for row, number in enumerate(NUMBERS):
        sheet.append([int(number) if row % 2 else number])  # stored as a number, then as text
    workbook.save(path)
    return path


@pytest.mark.parametrize(("above", "header"), [
    ([], "個人番号"),
    (["社員一覧"], "社員一覧 / 個人番号"),  # labels stacked above a column all head it
    (["2026年度 扶養控除等申告書"], "個人番号"),  # a title with digits is no label
], ids=["header in A1", "a title above", "a title with digits above"])
def test_a_one_column_workbook_gives_its_header_to_every_number(
        tmp_path: Path, scanner: FileScanner, above: list[str], header: str) -> None:
    result = scanner.scan_file(str(one_column_workbook(tmp_path / "list.xlsx", above)))
    assert result.kind == "xlsx"
    assert in_column(result, header) == ALL_HIGH
    assert result.findings[-1].location.cell == f"A{len(above) + 1 + len(NUMBERS)}"


def test_a_note_under_a_one_column_header_does_not_hide_it(tmp_path: Path, scanner: FileScanner) -> None:
    """A placeholder such as 未提出 under the header, before the first number, is one more label above the
    numbers, not a header in place of 個人番号."""
    workbook = openpyxl.load_workbook(one_column_workbook(tmp_path / "list.xlsx"))
    sheet = workbook.active
    assert sheet is not None
    sheet.insert_rows(2)
    sheet["A2"] = "未提出"
    workbook.save(tmp_path / "with a note.xlsx")
    result = scanner.scan_file(str(tmp_path / "with a note.xlsx"))
    assert in_column(result, "個人番号 / 未提出") == ALL_HIGH


def one_column_xls(path: Path) -> Path:
    """xlwt's legacy workbook (BIFF8, as Excel 97-2003 saves it): 個人番号 in A1, the numbers below."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名簿")
    sheet.write(0, 0, "個人番号")
    as_digits = xlwt.easyxf(num_format_str="000000000000")
    for row, number in enumerate(NUMBERS, start=1):
        if row % 2:
            sheet.write(row, 0, number)
        else:
            sheet.write(row, 0, int(number), as_digits)
    book.save(str(path))
    return path


def one_column_ods(path: Path) -> Path:
    """odfpy's OpenDocument spreadsheet: 個人番号 in A1, the numbers below as text and as float cells."""
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
    from odf.table import Table, TableCell, TableRow  # type: ignore[import-untyped]
    from odf.text import P  # type: ignore[import-untyped]

    document = OpenDocumentSpreadsheet()
    sheet = Table(name="名簿")
    for row, text in enumerate(["個人番号", *NUMBERS]):
        cell = TableCell(valuetype="float", value=text) if row % 2 == 0 and row else TableCell(valuetype="string")
        cell.addElement(P(text=text))
        line = TableRow()
        line.addElement(cell)
        sheet.addElement(line)
    document.spreadsheet.addElement(sheet)
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def legacy_and_opendocument(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The one-column list in the legacy xls (xlwt) and in ods (odfpy)."""
    folder = tmp_path_factory.mktemp("sheets")
    return {"xls": one_column_xls(folder / "list.xls"), "ods": one_column_ods(folder / "list.ods")}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_one_column_legacy_or_opendocument_sheet_is_read_the_same(
        legacy_and_opendocument: dict[str, Path], scanner: FileScanner, fmt: str) -> None:
    result = scanner.scan_file(str(legacy_and_opendocument[fmt]))
    assert result.kind == fmt
    assert in_column(result) == ALL_HIGH


# -- the property: other columns never change what the 個人番号 column's header says -------------------------

OTHER_HEADERS = st.sampled_from(["氏名", "", "=1+2", "住所1", "2026年度", "-", "口座番号", "電話番号", "@SUM(A1)",
                                 "備考", "No."])
OTHER_VALUES = st.sampled_from(["", "山田", "1001", "03-1234-5678", "なし", "=A2*2", "東京都1-1"])


@st.composite
def other_columns(draw: st.DrawFn) -> list[list[str]]:
    """Columns (top to bottom: a title cell, the header, one value per number) to put beside the numbers."""
    count = draw(st.integers(min_value=0, max_value=4))
    return [[draw(st.sampled_from(["", "社員一覧", "作成日 2026/04/01"])), draw(OTHER_HEADERS),
             *(draw(OTHER_VALUES) for _ in range(5))] for _ in range(count)]


def rows_with(number_column: list[str], others: list[list[str]], position: int) -> list[list[str]]:
    columns = [*others[:position], number_column, *others[position:]]
    return [list(cells) for cells in zip(*columns, strict=True)]


def number_column(title: str) -> list[str]:
    return [title, "個人番号", *NUMBERS[:5]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.sampled_from(["", "社員一覧"]), others=other_columns(), data=st.data())
def test_other_columns_never_change_the_header_of_a_column(title: str, others: list[list[str]],
                                                          data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(others)))
    alone = _headers_of_numbers(rows_with(number_column(title), [], 0), 0)
    beside = _headers_of_numbers(rows_with(number_column(title), others, position), position)
    assert alone == beside
    assert all("個人番号" in header for header in alone)


def _headers_of_numbers(rows: list[list[str]], column: int) -> list[str]:
    """The header each number of ``column`` gets from the table reader that every spreadsheet reader shares."""
    units = SheetUnits("sheet")
    cell_of_number = {f"{column_letters(column)}{row}" for row in range(3, len(rows) + 1)}
    headers = []
    for row, cells in enumerate(rows, start=1):
        unit = units.row([Cell(index, row, text) for index, text in enumerate(cells) if text])
        if unit is not None:
            headers += [span.header for span in unit.columns if span.cell in cell_of_number]
    return headers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(others=other_columns(), data=st.data())
def test_other_csv_columns_never_change_a_numbers_confidence(tmp_path_factory: pytest.TempPathFactory,
                                                            scanner: FileScanner, others: list[list[str]],
                                                            data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(others)))
    folder = tmp_path_factory.mktemp("csv")
    found = []
    for name, columns, at in (("alone.csv", [], 0), ("beside.csv", others, position)):
        rows = rows_with(number_column("")[1:], [column[1:] for column in columns], at)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / name).write_text(out.getvalue(), encoding="utf-8")
        result = scanner.scan_file(str(folder / name))
        found.append([(f.masked, f.confidence) for f in result.findings
                      if f.location.column is not None and "個人番号" in f.location.column])
    assert found[0] == found[1] == [("********" + n[-4:], Confidence.HIGH) for n in NUMBERS[:5]]


# -- end to end ------------------------------------------------------------------------------------------------

def scan(path: Path) -> tuple[int, dict[str, object]]:
    env = {**os.environ, "MYNUMBER_KEY": KEY}
    done = subprocess.run([sys.executable, "-m", "detector", "scan", "--format", "json", str(path)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture()
def one_column_files(tmp_path: Path) -> Iterator[list[Path]]:
    csv_path = tmp_path / "マイナンバー一覧.csv"
    csv_path.write_bytes(("個人番号\r\n" + "\r\n".join(NUMBERS) + "\r\n").encode("cp932"))
    formula = tmp_path / "formula.csv"
    formula.write_text(table(["名前", "=1+2", "個人番号"], 2), encoding="utf-8")
    yield [one_column_workbook(tmp_path / "list.xlsx"), csv_path, formula]


def test_mynumber_scan_reports_a_one_column_list_at_high(one_column_files: list[Path]) -> None:
    for path in one_column_files:
        status, doc = scan(path)
        summary = doc["summary"]
        assert isinstance(summary, dict)
        assert (path.name, status, summary["findings"], summary["by_confidence"]) == \
            (path.name, 1, len(NUMBERS), {"high": len(NUMBERS)})
