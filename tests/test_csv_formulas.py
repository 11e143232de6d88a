"""CSV output opened in a spreadsheet never runs a formula: a cell that begins with a character a spreadsheet
reads as the start of a formula (= + - @, tab, carriage return, and their full-width forms) is written with a
leading single quote, as OWASP recommends, in `scan --format csv` and in `notify`'s CSV; `notify`'s xlsx writes
every cell as text. The names come from real files, zip members, sheets and column headers, through real scans."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from detector.formulas import FORMULA_TRIGGERS, neutralise

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
KEY = "csv-formula-key"
HALF_WIDTH = ("=", "+", "-", "@", "\t", "\r")
FULL_WIDTH = ("＝", "＋", "－", "＠")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": KEY}, timeout=120)


def csv_cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def starts_a_formula(cell: str) -> bool:
    """Begins with a trigger, and is not a plain decimal number (``-5``), which a spreadsheet reads as a number."""
    return bool(cell) and cell[0] in FORMULA_TRIGGERS and re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", cell) is None


def no_cell_starts_a_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not starts_a_formula(cell), (row, cell)


def hostile_share(folder: Path) -> list[str]:
    """Roots whose names begin with each trigger, a zip member named as a formula, a CSV and a workbook whose
    number column is headed by one, and a sheet named as one; each holds a number with its keyword."""
    roots = []
    for index, trigger in enumerate(HALF_WIDTH + FULL_WIDTH):
        name = f"{trigger}root{index}"
        (folder / name).mkdir()
        (folder / name / "memo.txt").write_text(f"個人番号 {valid_number(100 + index)}\n", encoding="utf-8")
        roots.append(name)
    share = folder / "share"
    share.mkdir()
    with zipfile.ZipFile(share / "archive.zip", "w") as archive:
        archive.writestr('=HYPERLINK("http://x","y")', f"個人番号 {valid_number(200)}\n")
    (share / "list.csv").write_text(f"氏名,@SUM(個人番号)\n山田,{valid_number(201)}\n", encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "+Sheet"
    sheet.append(["氏名", "-個人番号"])
    sheet.append(["佐藤", valid_number(202)])
    book.save(share / "book.xlsx")
    return [*roots, "share"]


def test_scan_csv_neutralises_every_trigger_in_names_members_sheets_and_headers(tmp_path: Path) -> None:
    roots = hostile_share(tmp_path)
    done = run(["scan", "--format", "csv", "--", *roots], tmp_path)
    assert done.returncode == 1, done.stderr
    rows = csv_cells(done.stdout)
    header, findings = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(findings) == len(roots) - 1 + 3
    no_cell_starts_a_formula(rows)
    paths = {row["path"] for row in findings}
    for trigger in ("=", "+", "-", "@", "＝", "＋", "－", "＠"):
        assert any(path.startswith(f"'{trigger}root") for path in paths), trigger
    by_file = {row["path"]: row for row in findings}
    assert by_file["share/archive.zip"]["member"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert by_file["share/list.csv"]["column"] == "'@SUM(個人番号)"
    assert by_file["share/book.xlsx"]["sheet"] == "'+Sheet"
    assert by_file["share/book.xlsx"]["column"] == "'-個人番号"
    assert header[0] == "path"


def test_the_json_output_keeps_the_names_as_they_are(tmp_path: Path) -> None:
    """Neutralising is for spreadsheets only: the json document still names the files exactly."""
    roots = hostile_share(tmp_path)
    done = run(["scan", "--format", "json", "--", *roots], tmp_path)
    members = {f.get("location", {}).get("member") for f in json.loads(done.stdout)["findings"]}
    assert '=HYPERLINK("http://x","y")' in members


def test_notify_csv_neutralises_roster_cells_headers_and_files(tmp_path: Path) -> None:
    share = tmp_path / "=share"
    share.mkdir()
    numbers = [valid_number(300 + index) for index in range(2)]
    (share / "a.csv").write_text("氏名,個人番号\n" + "".join(f"x,{n}\n" for n in numbers), encoding="utf-8")
    assert run(["scan", "=share", "--format", "json", "-o", "scan.json"], tmp_path).returncode == 1
    roster = tmp_path / "roster.csv"
    roster.write_text("@社員番号,=連絡先,個人番号,メモ,残日数\n"
                      f'E1,"=HYPERLINK(""http://x"",""y"")",{numbers[0]},+81-90-0000-0000,-5\n'
                      f"E2,@cmd,{numbers[1]},－,3.5\n", encoding="utf-8")
    done = run(["notify", "scan.json", "--roster", "roster.csv", "--number-column", "個人番号", "-o", "n.csv"],
               tmp_path)
    assert done.returncode == 0, done.stderr
    rows = csv_cells((tmp_path / "n.csv").read_text(encoding="utf-8"))
    no_cell_starts_a_formula(rows)
    assert rows[0] == ["status", "masked", "'@社員番号", "'=連絡先", "メモ", "残日数", "files"]
    first = rows[1]
    assert first[3] == "'=HYPERLINK(\"http://x\",\"y\")" and first[4] == "'+81-90-0000-0000"
    assert first[5] == "-5"  # a plain number is no formula: it stays a number for the spreadsheet
    assert first[6] == "'=share/a.csv"
    assert rows[2][3] == "'@cmd" and rows[2][4] == "'－" and rows[2][5] == "3.5"


def test_notify_xlsx_writes_every_cell_as_text_never_a_formula(tmp_path: Path) -> None:
    """In a workbook a cell has a type: each is a string (openpyxl would take '=...' for a formula), its text kept
    as it is, and a cell that begins like a formula carries Excel's quote prefix, so editing it keeps it text."""
    share = tmp_path / "=share"
    share.mkdir()
    numbers = [valid_number(310 + index) for index in range(2)]
    (share / "a.csv").write_text("氏名,個人番号\n" + "".join(f"x,{n}\n" for n in numbers), encoding="utf-8")
    assert run(["scan", "=share", "--format", "json", "-o", "scan.json"], tmp_path).returncode == 1
    hostile = ['=HYPERLINK("http://x","y")', "@cmd", "+81-90", "-2+3", "\t=1", "＝1"]
    roster = tmp_path / "roster.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["@社員番号", "=連絡先", "個人番号"])
    for number, text in zip(numbers, hostile[:2], strict=True):
        sheet.append([text, " ".join(hostile[2:]), number])
    for row in sheet.iter_rows():
        row[0].data_type = row[1].data_type = "s"  # stored as text, as a roster typed in Excel holds them
    book.save(roster)
    done = run(["notify", "scan.json", "--roster", "roster.xlsx", "--number-column", "個人番号", "--format", "xlsx",
                "-o", "n.xlsx"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "n.xlsx").stat().st_mode & 0o777 == 0o600
    written = openpyxl.load_workbook(tmp_path / "n.xlsx")["notify"]
    cells = [cell for row in written.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in cells), [(c.coordinate, c.data_type) for c in cells]
    values = {cell.value: cell for cell in cells}
    for text in ("@社員番号", "=連絡先", *hostile[:2], "=share/a.csv"):
        assert values[text].quotePrefix, text
    assert not values["status"].quotePrefix


def test_notify_xlsx_needs_a_file(tmp_path: Path) -> None:
    done = run(["notify", "x.json", "--roster", "r.csv", "--number-column", "1", "--format", "xlsx"], tmp_path)
    assert done.returncode == 2 and "--output" in done.stderr


@given(st.one_of(st.text(), st.from_regex(r"[-+=@\t\r＝＋－＠]?[0-9.+-]{0,6}", fullmatch=True)))
def test_neutralise_quotes_exactly_the_cells_that_would_start_a_formula(text: str) -> None:
    shown = neutralise(text)
    assert not starts_a_formula(shown)
    assert neutralise(shown) == shown
    if shown != text:
        assert shown == "'" + text and text[0] in FORMULA_TRIGGERS


def test_the_triggers_are_owasps_and_their_full_width_forms() -> None:
    assert set(FORMULA_TRIGGERS) == {*HALF_WIDTH, *FULL_WIDTH}
    for trigger in FORMULA_TRIGGERS:
        assert neutralise(f"{trigger}1+2") == f"'{trigger}1+2"
    for number in ("-5", "+3", "-0.25", "12"):
        assert neutralise(number) == number
    for not_a_number in ("-5e3", "-", "+", "-1-1", "-１"):
        assert neutralise(not_a_number) == "'" + not_a_number
