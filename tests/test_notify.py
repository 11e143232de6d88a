"""mynumber notify: an HR roster matched against a scan by fingerprint; the people found are listed with their
contact columns and files, without the My Number column; the people the roster lacks are listed by masked
number; nothing raw is written."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import string
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


# --letter: a draft notice per person found in the roster (番号法第29条の4第2項; 規則第5条 with 第3条第1項 1, 2, 4, 5
# and 9号), a cover page on timing, contents and substitute measures (代替措置), no raw number, 0600.

# 規則第3条第1項 names item 2 「特定個人情報の項目」 (as 別添２ 3D quotes it), the same names as the PPC draft's.
HEADINGS = {
    "ja": ["概要", "特定個人情報の項目", "原因", "二次被害又はそのおそれの有無及びその内容", "その他参考となる事項"],
    "en": ["Summary", "Items of the specific personal information", "Cause",
           "Secondary damage or its risk, and what it is", "Other matters for reference"],
}
PAGE_BREAK = '<div style="break-after: page; page-break-after: always"></div>'


def people_of_scan(scan: Path, numbers: list[str], *masked: str) -> list[tuple[str, list[str], set[str]]]:
    """For each masked number: the raw number, the files and the items the scan holds for that person."""
    findings = json.loads(scan.read_text(encoding="utf-8"))["findings"]
    out = []
    for mask in masked:
        (number,) = [n for n in numbers if n.endswith(mask[-4:])]
        mine = [f for f in findings if f["masked"] == mask]
        out.append((number, sorted({f["path"] for f in mine}), {i for f in mine for i in f.get("items", [])}))
    return out


def unescaped_punctuation(markdown: str) -> str:
    """The ASCII punctuation characters of a line of Markdown that are not backslash-escaped."""
    found, escaped = [], False
    for char in markdown:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in string.punctuation:
            found.append(char)
    return "".join(found)


def all_forms(number: str) -> list[str]:
    return [number, f"{number[:4]}-{number[4:8]}-{number[8:]}", f"{number[:4]} {number[4:8]} {number[8:]}"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_letters_hold_each_item_of_the_notice_for_each_person_in_the_roster(
        tmp_path: Path, scan_and_numbers: tuple[Path, list[str]], lang: str) -> None:
    scan, numbers = scan_and_numbers
    # Two people of the scan: one in two payroll files with name, address, birth date and bank account; one in a
    # web root (public) and a payroll file.
    people = people_of_scan(scan, numbers, "********0268", "********3840")
    roster = tmp_path / "roster.csv"
    roster.write_text("社員番号,姓,名,個人番号\n" + "".join(f"E{i},山田,太郎{i},{number}\n"
                                                     for i, (number, _, _) in enumerate(people)), encoding="utf-8")
    out = tmp_path / "letters.md"
    done = notify(str(scan), "--roster", str(roster), "--number-column", "個人番号", "--letter", "--lang", lang,
                  "--name-column", "姓", "--name-column", "名", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    text = out.read_text(encoding="utf-8")
    cover, *pages = text.split(PAGE_BREAK)
    letters, substitute = pages[:2], pages[2:]
    assert len(substitute) == 1  # the others found, not in this roster: a public notice to draft
    assert "第29条の4第2項" in cover if lang == "ja" else "Article 29-4, paragraph 2" in cover
    assert "規則第5条" in cover if lang == "ja" else "the rule's Article 5" in cover
    for letter, (number, files, items) in zip(letters, people, strict=True):
        positions = [letter.index(f". {heading}\n") for heading in HEADINGS[lang]]
        assert positions == sorted(positions)  # items 1, 2, 4, 5 and 9 of 規則第3条第1項, in the rule's order
        assert f"`********{number[-4:]}`" in letter
        assert all(f"`{path}`" in letter for path in files)
        labels = {"name": ("氏名", "name"), "address": ("住所", "address"), "birth_date": ("生年月日", "date of birth"),
                  "bank_account": ("口座情報", "bank account"), "phone": ("電話番号", "phone number")}
        assert all(labels[item][lang == "en"] in letter for item in items)
        assert "【要記入】" in letter if lang == "ja" else "[TO BE WRITTEN]" in letter
    assert "山田 太郎0 様" in letters[0] if lang == "ja" else "Dear 山田 太郎0," in letters[0]
    public_mark = "(外部公開用の場所)" if lang == "ja" else "(a place published outside the organisation)"
    assert public_mark in letters[1] and public_mark not in letters[0]
    for number in numbers:
        assert all(form not in text and form not in done.stderr for form in all_forms(number))


def test_people_not_in_the_roster_call_for_substitute_measures(tmp_path: Path,
                                                               scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    some = tmp_path / "some.csv"
    some.write_text("個人番号\n" + "\n".join(numbers[:2]) + "\n", encoding="utf-8")
    missing = len(numbers) - 2
    letters = notify(str(scan), "--roster", str(some), "--number-column", "1", "--letter")
    assert letters.returncode == 0, letters.stderr
    assert f"{missing}人は名簿にいない" in letters.stdout and "代替措置" in letters.stdout
    assert "問合せ窓口" in letters.stdout and "第29条の4第2項ただし書" in letters.stdout
    substitute = letters.stdout.split(PAGE_BREAK)[-1]  # the last page: a public notice with an inquiry desk
    assert "代替措置の下書き" in substitute and "お問い合わせ窓口" in substitute
    assert all(f". {heading}\n" in substitute for heading in HEADINGS["ja"])
    assert "********" not in substitute  # it names nobody
    assert f"{missing} people found are not in the roster" in letters.stderr and "代替措置" in letters.stderr
    table = notify(str(scan), "--roster", str(some), "--number-column", "1", "--format", "json")
    notice = json.loads(table.stdout)["summary"]["notice"]
    assert notice["not_in_roster"] == missing and "第29条の4第2項ただし書" in notice["substitute_measures"]
    assert [item["rule_item"] for item in notice["items"]] == [1, 2, 4, 5, 9]
    assert "状況に応じて速やかに" in notice["timing"] and "規則第5条" in table.stderr

    everyone = tmp_path / "everyone.csv"
    everyone.write_text("個人番号\n" + "\n".join(numbers) + "\n", encoding="utf-8")
    complete = notify(str(scan), "--roster", str(everyone), "--number-column", "1", "--format", "json")
    assert json.loads(complete.stdout)["summary"]["notice"]["substitute_measures"] is None
    assert "代替措置" not in complete.stderr
    all_letters = notify(str(scan), "--roster", str(everyone), "--number-column", "1", "--letter", "--lang", "en")
    assert "Substitute measure" not in all_letters.stdout
    assert all_letters.stdout.count(PAGE_BREAK) == len(numbers)  # the cover, then a page a person


def test_roster_cells_cannot_make_markup_or_links_in_the_letters(tmp_path: Path,
                                                                 scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    names = ['[安全](https://evil.example/login) <script>alert(1)</script>', '=HYPERLINK("http://evil")',
             f"# 見出し **太字** www.evil.example user@evil.example ![x](y) &amp; {numbers[2]}"]
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["氏名", "個人番号"])
        writer.writerows([name, number] for name, number in zip(names, numbers, strict=False))
    done = notify(str(scan), "--roster", str(roster), "--number-column", "個人番号", "--letter",
                  "--name-column", "氏名")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    addressed = [page.strip().splitlines()[0].removesuffix(" 様") for page in text.split(PAGE_BREAK)[1:4]]
    assert len(addressed) == 3 and all(unescaped_punctuation(line) == "" for line in addressed)
    for markup in (r"\]\(", r"<(?!div style|/div>)", r":/", r"www\.", r"@evil", r"\*\*太字", r"&amp;", r"\n#\s*見出し"):
        assert re.search(r"(?<!\\)" + markup, text) is None, markup
    assert "\\[安全\\]\\(https\\:\\/\\/evil\\.example\\/login\\) \\<script\\>" in text
    assert "\\=HYPERLINK\\(\\\"http\\:\\/\\/evil\\\"\\) 様" in text
    assert all(form not in text for form in all_forms(numbers[2]))  # a number in a name cell is masked


def test_markdown_text_escapes_every_ascii_punctuation_and_code_spans_outlast_backticks() -> None:
    from detector.report.notice import markdown_code, markdown_text

    assert all(markdown_text(c) == "\\" + c for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    assert markdown_text("山田 太郎\n# x") == "山田 太郎 \\# x"
    assert markdown_code("a`b``c") == "```a`b``c```"
    assert markdown_code("`x") == "`` `x ``"


def test_letter_options_that_do_not_go_together(tmp_path: Path, scan_and_numbers: tuple[Path, list[str]]) -> None:
    scan, numbers = scan_and_numbers
    roster = tmp_path / "r.csv"
    roster.write_text("\n".join(",".join(row) for row in roster_rows(numbers)), encoding="utf-8")
    base = (str(scan), "--roster", str(roster), "--number-column", "個人番号")
    with_format = notify(*base, "--letter", "--format", "json")
    assert with_format.returncode == 2 and "--letter" in with_format.stderr
    without_letter = notify(*base, "--name-column", "氏名")
    assert without_letter.returncode == 2 and "--name-column" in without_letter.stderr
    the_number = notify(*base, "--letter", "--name-column", "4")
    assert the_number.returncode == 2 and "My Number column" in the_number.stderr
    unknown = notify(*base, "--letter", "--name-column", "名前")
    assert unknown.returncode == 2 and "社員番号, 氏名" in unknown.stderr and "Traceback" not in unknown.stderr
