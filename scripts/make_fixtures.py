#!/usr/bin/env python3
"""Regenerate fixtures/share, the bundled sample file share, and its expected findings.

Every number in it is synthetic: random 11-digit bodies (seeded, so the output is the same on every run) with
their check digit computed. The share holds what a real one does: an HR export in CP932 with a 個人番号 column,
a payroll TSV in UTF-8 with a BOM and full-width 4-4-4 numbers, a file in a web root (htdocs), application logs
with numbers percent-encoded in query strings and JSON-escaped, decoys (card numbers, corporate numbers,
timestamps, order numbers), the official sample number in a manual, notes in EUC-JP and UTF-16, an old memo in
ISO-2022-JP (JIS), a scanned 扶養控除等申告書 (a picture, read by OCR), an archive, an archive cut short that cannot
be read, and a snapshot folder that the rules exclude.

The scanned form is a picture of fixtures/ocr (scripts/make_ocr_fixtures.py renders it with LibreOffice and
pdfium, holding the number of the HR person :data:`SCANNED_PERSON`), copied here: this script needs no renderer.

The expected findings are written to fixtures/share.expected.json; tests/test_fixtures.py checks them.

    python scripts/make_fixtures.py          # rewrite fixtures/share and the expectations
    python scripts/make_fixtures.py OUT_DIR  # write them elsewhere (the test suite checks determinism so)
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.mynumber import calc_check_digit  # noqa: E402

SHARE = ROOT / "fixtures" / "share"
OCR_FIXTURES = ROOT / "fixtures" / "ocr"
SHARE_SCAN = "共有_申告書スキャン.png"  # made by scripts/make_ocr_fixtures.py
SEED = 20261122
STAFF = [("山田太郎", "ヤマダタロウ"), ("佐藤花子", "サトウハナコ"), ("鈴木一郎", "スズキイチロウ"),
         ("高橋美咲", "タカハシミサキ"), ("田中健", "タナカケン"), ("伊藤由美", "イトウユミ")]
SCANNED_PERSON = 3  # 高橋美咲's 申告書 was scanned too: one more finding, no new person
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


class Numbers:
    """Deterministic valid My Numbers, and numbers whose check digit is wrong."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def valid(self) -> str:
        body = "".join(self.rng.choice("0123456789") for _ in range(11))
        return body + calc_check_digit(body)

    def invalid(self) -> str:
        number = self.valid()
        return number[:11] + str((int(number[11]) + 1) % 10)


def grouped(number: str, sep: str = "-") -> str:
    return sep.join((number[:4], number[4:8], number[8:]))


def masked(number: str) -> str:
    return "********" + number[-4:]


class Share:
    """Writes files and records what a scan must find in them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, dict[str, Any]] = {}
        self.unscanned: dict[str, str] = {}
        self.excluded: list[str] = []

    def write(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def expect(self, rel: str, line: int, number: str, confidence: str, public: bool = False,
               column: str | None = None, member: str | None = None) -> None:
        entry = self.files.setdefault(rel, {"findings": [], "samples": []})
        location: dict[str, Any] = {"line": line}
        if column:
            location["column"] = column
        if member:
            location["member"] = member
        entry["findings"].append({"location": location, "masked": masked(number), "confidence": confidence,
                                  "public": public, "person": number_id(number)})

    def expect_picture(self, rel: str, number: str, confidence: str) -> None:
        """A number read from a picture by OCR: located ``{"ocr": true}``; the file is marked ``"ocr"`` so that a
        test where no OCR engine is installed expects it as not scanned instead."""
        entry = self.files.setdefault(rel, {"findings": [], "samples": []})
        entry["ocr"] = True
        entry["findings"].append({"location": {"ocr": True}, "masked": masked(number), "confidence": confidence,
                                  "public": False, "person": number_id(number)})

    def expect_sample(self, rel: str, line: int, number: str) -> None:
        self.files.setdefault(rel, {"findings": [], "samples": []})["samples"].append(
            {"location": {"line": line}, "masked": masked(number)})


_IDS: dict[str, str] = {}


def number_id(number: str) -> str:
    """A stable label for a person in the expectations (never the number itself)."""
    return _IDS.setdefault(number, f"person-{len(_IDS) + 1:02d}")


def hr_csv(share: Share, people: list[tuple[str, str, str]]) -> None:
    rel = "hr/扶養控除等申告書_2026.csv"
    rows = ["社員番号,氏名,フリガナ,個人番号,生年月日,住所"]
    for index, (name, kana, number) in enumerate(people, start=1):
        rows.append(f"E{index:04d},{name},{kana},{number},1985/04/{index:02d},東京都千代田区霞が関1-{index}")
        share.expect(rel, index + 1, number, "high", column="個人番号")
    share.write(rel, ("\r\n".join(rows) + "\r\n").encode("cp932"))


def payroll_tsv(share: Share, people: list[tuple[str, str]]) -> None:
    rel = "hr/給与支払_2026-10.tsv"
    rows = ["氏名\tマイナンバー\t口座番号\t支給額"]
    for index, (name, number) in enumerate(people, start=1):
        rows.append(f"{name}\t{grouped(number).translate(FULLWIDTH)}\t{1234560 + index}\t{300000 + index * 1000}")
        share.expect(rel, index + 1, number, "high", column="マイナンバー")
    share.write(rel, b"\xef\xbb\xbf" + ("\n".join(rows) + "\n").encode("utf-8"))


def public_list(share: Share, people: list[tuple[str, str]]) -> None:
    rel = "www/htdocs/files/応募者一覧.txt"
    lines = ["2026年度 採用応募者一覧(社外秘)", ""]
    for name, number in people:
        lines.append(f"{name} マイナンバー {grouped(number, ' ')}")
        share.expect(rel, len(lines), number, "high", public=True)
    share.write(rel, ("\n".join(lines) + "\n").encode("utf-8"))


def app_log(share: Share, numbers: Numbers, leaked: list[str]) -> list[str]:
    """Logs with two leaked numbers and many decoys; returns the held-back (low-confidence) numbers."""
    rel = "logs/app-2026-11-01.log"
    rng = random.Random(7)
    lines: list[str] = []
    held_back: list[str] = []

    def stamp(i: int) -> str:
        return f"2026-11-01T09:{i // 60 % 60:02d}:{i % 60:02d}.{rng.randrange(1000):03d}+09:00"

    for i in range(240):
        request_id = "".join(rng.choice("0123456789") for _ in range(rng.choice((10, 13, 14, 16))))
        lines.append(f"{stamp(i)} INFO  http GET /api/v1/items/{rng.randrange(10**6)} status=200 "
                     f"req={request_id} took={rng.randrange(5, 400)}ms")
        if i == 40:
            percent = "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in leaked[0])
            lines.append(f"{stamp(i)} WARN  http GET /members/register?name=%E5%B1%B1%E7%94%B0&my_number={percent}"
                         " status=400")
            share.expect(rel, len(lines), leaked[0], "high")
        if i == 90:
            escaped = "".join(f"\\uff1{d}" for d in leaked[1])
            lines.append(f'{stamp(i)} ERROR {{"event":"validation_failed","field":"individual_number",'
                         f'"value":"{escaped}"}}')
            share.expect(rel, len(lines), leaked[1], "high")
        if i == 120:
            card = numbers.valid()
            lines.append(f"{stamp(i)} INFO  payment card={grouped(card)}-{rng.randrange(1000, 9999)} approved")
            lines.append(f"{stamp(i)} INFO  法人番号 {rng.randrange(1, 9)}{numbers.valid()} registered")
            lines.append(f"{stamp(i)} INFO  batch finished at {20261101093000 + i}")
        if i == 150:
            order = numbers.valid()
            lines.append(f"{stamp(i)} INFO  注文番号 {order} shipped")
            held_back.append(order)
        if i == 200:
            bare = numbers.valid()
            lines.append(f"{stamp(i)} DEBUG cache key {bare} refreshed")
            held_back.append(bare)
    share.write(rel, ("\n".join(lines) + "\n").encode("utf-8"))
    return held_back


def manual(share: Share) -> None:
    rel = "docs/マイナンバー入力マニュアル.txt"
    sample = "123456789018"
    lines = ["マイナンバー入力マニュアル", "", "入力例: マイナンバー欄に 1234-5678-9018 のように入力します。"]
    share.expect_sample(rel, 3, sample)
    lines.append("誤った例: 1234-5678-9012 (チェックデジットが正しくありません)")
    share.write(rel, ("\n".join(lines) + "\n").encode("utf-8"))


def notes(share: Share, euc_number: str, utf16_number: str) -> None:
    share.write("notes/引継ぎメモ_euc.txt",
                f"引継ぎメモ\n山本さんの個人番号：{euc_number}\n確認済み\n".encode("euc-jp"))
    share.expect("notes/引継ぎメモ_euc.txt", 2, euc_number, "high")
    share.write("notes/電話メモ_utf16.txt",
                "\ufeff電話メモ\r\n通知カードの番号 {} を控えました\r\n".format(grouped(utf16_number, "ー")
                                                                   .translate(FULLWIDTH)).encode("utf-16-le"))
    share.expect("notes/電話メモ_utf16.txt", 2, utf16_number, "high")


def jis_memo(share: Share, fullwidth: str, halfwidth: str) -> None:
    """A memo saved as ISO-2022-JP (JIS), as old Japanese editors and mailers wrote text, by Python's codec: all
    7-bit bytes, the Japanese (the keywords, the full-width digits) between escape sequences."""
    rel = "notes/旧システム移行メモ_jis.txt"
    lines = ["旧システム移行メモ", f"経理 山田さんの個人番号：{fullwidth.translate(FULLWIDTH)}",
             f"人事 佐藤さんのマイナンバー {grouped(halfwidth)}", "以上"]
    share.write(rel, ("\r\n".join(lines) + "\r\n").encode("iso2022_jp"))
    share.expect(rel, 2, fullwidth, "high")
    share.expect(rel, 3, halfwidth, "high")


def binaries(share: Share, archived: str, scanned: str) -> None:
    share.write("scans/申告書スキャン.png", (OCR_FIXTURES / SHARE_SCAN).read_bytes())
    share.expect_picture("scans/申告書スキャン.png", scanned, "high")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("old/list.csv", date_time=(2020, 1, 1, 0, 0, 0))
        archive.writestr(info, f"氏名,個人番号\n鈴木,{archived}\n")
    share.write("archive/2020_退職者.zip", buffer.getvalue())
    share.expect("archive/2020_退職者.zip", 2, archived, "high", column="個人番号", member="old/list.csv")


def damaged_archive(share: Share, numbers: Numbers) -> None:
    """An archive cut short by a failed copy: listed as not scanned (it may hold people nobody can count, so the
    most people exposed stays open), the rest of the share still scanned."""
    rel = "archive/2019_退職者_破損.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("2019/退職者一覧.csv", date_time=(2019, 4, 1, 0, 0, 0))
        archive.writestr(info, "氏名,個人番号\n" + "".join(f"退職者{i},{numbers.valid()}\n" for i in range(40)))
    data = buffer.getvalue()
    share.write(rel, data[:len(data) // 2])
    share.unscanned[rel] = "corrupt or truncated"


def snapshot(share: Share, number: str) -> None:
    rel = ".snapshot/hourly.0/hr/copy.csv"
    share.write(rel, f"氏名,個人番号\n複製,{number}\n".encode())
    share.excluded.append(".snapshot")


def hr_staff(numbers: Numbers) -> list[tuple[str, str, str]]:
    """The people of the HR export (name, kana, number): the first numbers of the share's sequence."""
    return [(name, kana, numbers.valid()) for name, kana in STAFF]


def build(share_dir: Path = SHARE) -> dict[str, Any]:
    numbers = Numbers(SEED)
    hr_people = hr_staff(numbers)
    if share_dir.exists():
        shutil.rmtree(share_dir)
    share = Share(share_dir)
    hr_csv(share, hr_people)
    payroll_tsv(share, [(hr_people[0][0], hr_people[0][2]), (hr_people[1][0], hr_people[1][2]),
                        ("渡辺剛", numbers.valid())])
    public_list(share, [("小林誠", numbers.valid()), (hr_people[2][0], hr_people[2][2])])
    held_back = app_log(share, numbers, [numbers.valid(), numbers.valid()])
    manual(share)
    notes(share, numbers.valid(), numbers.valid())
    binaries(share, numbers.valid(), hr_people[SCANNED_PERSON][2])
    jis_memo(share, numbers.valid(), numbers.valid())
    snapshot(share, hr_people[0][2])
    damaged_archive(share, Numbers(SEED + 1))  # a sequence of its own: the numbers above stay as they were
    people = {f["person"] for entry in share.files.values() for f in entry["findings"]}
    public_people = {f["person"] for entry in share.files.values() for f in entry["findings"] if f["public"]}
    return {
        "about": "Expected result of `mynumber scan fixtures/share` (default --min-confidence medium). "
                 "Regenerate with scripts/make_fixtures.py.",
        "files": dict(sorted(share.files.items())),
        "unscanned": share.unscanned,
        "excluded": len(share.excluded),
        "findings": sum(len(entry["findings"]) for entry in share.files.values()),
        "distinct_people": len(people),
        "public_distinct_people": len(public_people),
        "held_back_findings": len(held_back),
        "serious_reasons": ["publicly_accessible"],
    }


def main(argv: list[str]) -> None:
    """``make_fixtures.py [OUT_DIR]``: OUT_DIR (default fixtures/) receives share/ and share.expected.json."""
    out = Path(argv[0]) if argv else SHARE.parent
    share_dir, expected_path = out / "share", out / "share.expected.json"
    expected = build(share_dir)
    expected_path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {share_dir} and {expected_path}: {expected['findings']} findings, "
          f"{expected['distinct_people']} people")


if __name__ == "__main__":
    main(sys.argv[1:])
