"""mynumber notify: an HR roster matched against a scan by fingerprint; the people found are listed with their
contact columns and files, without the My Number column; the people the roster lacks are listed by masked
number; nothing raw is written."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
KEY = "notify-key"


@pytest.fixture(scope="module")
def scan_and_numbers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A scan of the sample share, and its people's raw numbers (from a --reveal copy, for the roster)."""
    folder = tmp_path_factory.mktemp("notify")
    env = {**os.environ, "MYNUMBER_KEY": KEY}
    scan, revealed = folder / "scan.json", folder / "revealed.json"
    subprocess.run([sys.executable, "-m", "detector", "scan", str(SHARE), "--format", "json", "-o", str(scan)],
                   env=env, cwd=ROOT, check=False)
    subprocess.run([sys.executable, "-m", "detector", "scan", str(SHARE), "--format", "json", "--reveal", "-o",
                    str(revealed)], env=env, cwd=ROOT, check=False)
    numbers = sorted({f["number"] for f in json.loads(revealed.read_text(encoding="utf-8"))["findings"]})
    revealed.unlink()
    return scan, numbers


def notify(*args: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", "notify", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "MYNUMBER_KEY": key})


def roster_rows(numbers: list[str]) -> list[list[str]]:
    """Five people of the scan (one written 4-4-4) and two who are not in it."""
    chosen = numbers[:5]
    rows = [["社員番号", "氏名", "メールアドレス", "個人番号"]]
    for index, number in enumerate(chosen):
        shown = f"{number[:4]}-{number[4:8]}-{number[8:]}" if index == 0 else number
        rows.append([f"E{index:03d}", f"社員{index}", f"user{index}@example.co.jp", shown])
    rows.append(["E900", "別人", "other@example.co.jp", valid_number(900)])
    rows.append(["E901", "番号なし", "none@example.co.jp", "未提出"])
    return rows


def test_a_cp932_csv_roster(tmp_path: Path, scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    roster = tmp_path / "名簿.csv"
    roster.write_bytes("\r\n".join(",".join(row) for row in roster_rows(numbers)).encode("cp932"))
    out = tmp_path / "notify.csv"
    done = notify(str(scan), "--roster", str(roster), "--number-column", "個人番号", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["status", "masked", "社員番号", "氏名", "メールアドレス", "files"]
    matched = [row for row in rows[1:] if row[0] == "in_roster"]
    missing = [row for row in rows[1:] if row[0] == "not_in_roster"]
    assert sorted(row[2] for row in matched) == ["E000", "E001", "E002", "E003", "E004"]
    assert len(missing) == len(numbers) - 5 and all(row[1].startswith("********") for row in missing)
    assert all(row[5] for row in rows[1:])  # every person with the files where they were found
    for number in [*numbers, valid_number(900)]:
        assert number not in text and f"{number[:4]}-{number[4:8]}-{number[8:]}" not in text
    assert f"{len(numbers)} people found: 5 in the roster, {len(numbers) - 5} not in it" in done.stderr
    assert "1 roster rows without a valid number" in done.stderr


def test_an_xlsx_roster_with_numbers_stored_as_numbers(tmp_path: Path,
                                                       scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for index, row in enumerate(roster_rows(numbers)):
        number = row[3].replace("-", "")
        sheet.append([*row[:3], int(number) if index and number.isdigit() else row[3]])
    roster = tmp_path / "roster.xlsx"
    book.save(roster)
    done = notify(str(scan), "--roster", str(roster), "--number-column", "4", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["summary"]["in_roster"] == 5
    assert {p["roster"]["社員番号"] for p in doc["people"] if p["status"] == "in_roster"} == {
        "E000", "E001", "E002", "E003", "E004"}
    assert all("個人番号" not in p.get("roster", {}) for p in doc["people"])


def test_another_key_is_refused(tmp_path: Path, scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    roster = tmp_path / "r.csv"
    roster.write_text("\n".join(",".join(row) for row in roster_rows(numbers)), encoding="utf-8")
    done = notify(str(scan), "--roster", str(roster), "--number-column", "個人番号", key="another-key")
    assert done.returncode == 2 and "another fingerprint key" in done.stderr


def test_an_unknown_column_names_the_columns(tmp_path: Path, scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    roster = tmp_path / "r.csv"
    roster.write_text("\n".join(",".join(row) for row in roster_rows(numbers)), encoding="utf-8")
    done = notify(str(scan), "--roster", str(roster), "--number-column", "マイナンバー")
    assert done.returncode == 2 and "社員番号, 氏名" in done.stderr and "Traceback" not in done.stderr
