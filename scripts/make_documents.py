#!/usr/bin/env python3
"""Make fixtures/documents: small real files of every format the scanner reads, and what each must give.

The files are made by real software, not written by hand:

* openpyxl writes the Excel workbook; python-docx the Word document; python-pptx the presentation;
* LibreOffice (``soffice --headless --convert-to``) converts them to xls, ods, odt, odp and PDF, exports a
  password-protected PDF, and turns a PNG into an image-only PDF (a "scan" with no text layer);
* msoffcrypto-tool encrypts a copy of the workbook as Excel does ("Encrypt with password");
* Info-ZIP's ``zip -P`` makes a password-protected zip; the standard library makes the other archives, the
  mails (ISO-2022-JP, Shift_JIS, UTF-8; base64 and quoted-printable) and the mbox.

Run it in an environment with those tools (none of them is needed to run the tests):

    python3 -m venv /tmp/fixvenv && /tmp/fixvenv/bin/pip install python-docx python-pptx openpyxl msoffcrypto-tool
    apt-get install libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui zip
    /tmp/fixvenv/bin/python scripts/make_documents.py

It writes fixtures/documents/ and fixtures/documents.expected.json: per file, the findings (location,
masked number, confidence) and the unscanned parts a scan at --min-confidence low must report, and the
number of distinct people. The numbers are synthetic (random bodies with a computed check digit).
"""

from __future__ import annotations

import email.policy
import gzip
import io
import json
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "documents"
EXPECTED = ROOT / "fixtures" / "documents.expected.json"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def check_digit(body: str) -> str:
    total = sum(int(body[10 - i]) * (i + 2 if i < 6 else i - 4) for i in range(11))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


class Numbers:
    """Synthetic valid numbers, the same on every run; ``zero=True`` gives one with a leading zero."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def valid(self, zero: bool = False) -> str:
        while True:
            body = ("0" if zero else str(self.rng.randint(1, 9))) + "".join(
                self.rng.choice("0123456789") for _ in range(10))
            number = body + check_digit(body)
            if len(set(number)) > 3:
                return number


def grouped(number: str, sep: str = "-") -> str:
    return sep.join((number[:4], number[4:8], number[8:]))


def masked(number: str) -> str:
    return "********" + number[-4:]


class Expect:
    def __init__(self) -> None:
        self.files: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.people: set[str] = set()

    def finding(self, rel: str, number: str, confidence: str, **location: Any) -> None:
        entry = self.files.setdefault(rel, {"findings": [], "unscanned": []})
        entry["findings"].append({"location": location, "masked": masked(number), "confidence": confidence})
        self.people.add(number)

    def unscanned(self, rel: str, reason: str, member: str | None = None) -> None:
        entry = self.files.setdefault(rel, {"findings": [], "unscanned": []})
        entry["unscanned"].append({"member": member, "reason_starts": reason})

    def clean(self, rel: str) -> None:
        self.files.setdefault(rel, {"findings": [], "unscanned": []})


def soffice(source: Path, target_format: str, out_dir: Path) -> Path:
    """Convert with LibreOffice; returns the converted file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        target_format, "--outdir", str(out_dir), str(source)],
                       check=True, capture_output=True, timeout=180)
    produced = out_dir / (source.stem + "." + target_format.split(":")[0])
    if not produced.exists():
        raise SystemExit(f"LibreOffice did not produce {produced}")
    return produced


# -- spreadsheets ------------------------------------------------------------------------------------------

def workbook(path: Path, n: dict[str, str]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "申告書"
    sheet.append(["令和8年分 給与所得者の扶養控除等(異動)申告書"])
    sheet.append(["社員番号", "氏名", "フリガナ", "個人番号", "生年月日", "住所", "旧番号"])
    sheet.append(["E0001", "山田太郎", "ヤマダタロウ", int(n["numeric"]), "1985/04/01", "東京都千代田区霞が関1-1",
                  grouped(n["hidden_column"])])
    sheet.append(["E0002", "佐藤花子", "サトウハナコ", n["fullwidth"].translate(FULLWIDTH), "1990/10/10",
                  "大阪府大阪市北区1-2"])
    sheet.append(["E0003", "鈴木一郎", "スズキイチロウ", int(n["zero_plain"]), "1978/01/31", "福岡県福岡市中央区3-4"])
    sheet["D5"].number_format = "000000000000"
    sheet.append(["E0004", "高橋美咲", "タカハシミサキ", int(n["zero_grouped"]), "2001/12/24", "北海道札幌市中央区5-6"])
    sheet["D6"].number_format = "0000-0000-0000"
    sheet.append(["E0005", "田中健", "タナカケン", float(n["float"]), "1969/07/07", "愛知県名古屋市中区7-8"])
    sheet.row_dimensions[7].hidden = True
    sheet.column_dimensions["G"].hidden = True
    retired = book.create_sheet("退職者")
    retired.sheet_state = "hidden"
    retired.append(["氏名", "マイナンバー", "退職日"])
    retired.append(["伊藤由美", int(n["hidden_sheet"]), "2025/03/31"])
    bank = book.create_sheet("口座")
    bank.append(["氏名", "銀行", "口座番号"])
    bank.append(["山田太郎", "みずほ", n["bank_decoy"]])
    book.save(path)


def expect_workbook(expect: Expect, rel: str, n: dict[str, str]) -> None:
    column = "個人番号"
    expect.finding(rel, n["numeric"], "high", sheet="申告書", cell="D3", column=column)
    expect.finding(rel, n["hidden_column"], "medium", sheet="申告書", cell="G3", column="旧番号", hidden="column")
    expect.finding(rel, n["fullwidth"], "high", sheet="申告書", cell="D4", column=column)
    expect.finding(rel, n["zero_plain"], "high", sheet="申告書", cell="D5", column=column)
    expect.finding(rel, n["zero_grouped"], "high", sheet="申告書", cell="D6", column=column)
    expect.finding(rel, n["float"], "high", sheet="申告書", cell="D7", column=column, hidden="row")
    expect.finding(rel, n["hidden_sheet"], "high", sheet="退職者", cell="B2", column="マイナンバー", hidden="sheet")
    expect.finding(rel, n["bank_decoy"], "low", sheet="口座", cell="C2", column="口座番号")


# -- documents ---------------------------------------------------------------------------------------------

def word_document(path: Path, n: dict[str, str]) -> None:
    import docx

    document = docx.Document()
    document.add_heading("給与所得の源泉徴収票", level=1)  # paragraph 1
    receiver = document.add_paragraph("支払を受ける者 山田太郎")  # 2
    document.add_paragraph("個人番号")  # 3: the label...
    document.add_paragraph(n["next_paragraph"])  # 4: ...and the number on the next line
    document.add_paragraph(f"控除対象配偶者 山田花子 マイナンバー {grouped(n['inline'])}")  # 5
    table = document.add_table(rows=3, cols=3)
    for row, values in enumerate([("氏名", "続柄", "個人番号"), ("山田花子", "配偶者", n["table_1"]),
                                  ("山田一郎", "子", n["table_2"])]):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    document.add_page_break()  # 6
    document.add_paragraph(f"2ページ目 通知カード {grouped(n['page_2'].translate(FULLWIDTH), '－')}")  # 7
    document.sections[0].footer.paragraphs[0].text = f"作成者 総務部 個人番号 {n['footer']}"
    document.add_comment(receiver.runs, text=f"確認済み マイナンバー {n['comment']}", author="総務部")
    document.save(path)


def expect_word(expect: Expect, rel: str, n: dict[str, str], fmt: str) -> None:
    if fmt == "rtf":  # LibreOffice writes the footer first and the comment inside its paragraph
        expect.finding(rel, n["footer"], "high", part="paragraph 1")
        expect.finding(rel, n["comment"], "high", part="paragraph 3")
        expect.finding(rel, n["next_paragraph"], "high", part="paragraph 5")
        expect.finding(rel, n["inline"], "high", part="paragraph 6")
        expect.finding(rel, n["table_1"], "high", part="table 1", cell="C2", column="個人番号")
        expect.finding(rel, n["table_2"], "high", part="table 1", cell="C3", column="個人番号")
        expect.finding(rel, n["page_2"], "high", part="paragraph 8")
        return
    if fmt == "pdf":
        for key in ("next_paragraph", "inline", "table_1", "table_2"):
            expect.finding(rel, n[key], "high", page=1)
        expect.finding(rel, n["page_2"], "high", page=2)
        expect.finding(rel, n["footer"], "high", page=1)
        expect.finding(rel, n["footer"], "high", page=2)
        return
    expect.finding(rel, n["next_paragraph"], "high", part="body, paragraph 4")
    expect.finding(rel, n["inline"], "high", part="body, paragraph 5")
    expect.finding(rel, n["table_1"], "high", part="body, table 1", cell="C2", column="個人番号")
    expect.finding(rel, n["table_2"], "high", part="body, table 1", cell="C3", column="個人番号")
    expect.finding(rel, n["page_2"], "high", part="body, paragraph 7")  # the page break's own paragraph is 6
    if fmt == "docx":
        expect.finding(rel, n["footer"], "high", part="footer 1, paragraph 1")
        expect.finding(rel, n["comment"], "high", part="comments, paragraph 1")
    else:
        expect.finding(rel, n["footer"], "high", part="headers and footers, paragraph 1")
        expect.finding(rel, n["comment"], "high", part="body comments, paragraph 1")


def text_box_document(path: Path, n: dict[str, str]) -> None:
    """A flat ODF text with a text box (python-docx cannot draw one); LibreOffice turns it into docx and odt,
    writing the box twice in the docx (DrawingML and a VML fallback), as Word does."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" '
        'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
        "<text:p>社内報 11月号</text:p><text:p>"
        '<draw:frame draw:name="box1" text:anchor-type="paragraph" svg:width="8cm" svg:height="3cm">'
        f"<draw:text-box><text:p>お知らせ: マイナンバー {n['text_box']}</text:p></draw:text-box></draw:frame>"
        "年末調整の案内です。</text:p></office:text></office:body></office:document>\n", encoding="utf-8")


def commented_slides(path: Path, n: dict[str, str]) -> None:
    """A flat ODF presentation with a comment on its slide (python-pptx cannot write comments); LibreOffice
    turns it into pptx (ppt/comments/comment1.xml, related to the slide) and odp."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:officeooo="http://openoffice.org/2009/office" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.presentation">'
        '<office:body><office:presentation><draw:page draw:name="page1">'
        '<draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box>'
        "<text:p>年末調整 説明会資料</text:p></draw:text-box></draw:frame>"
        '<officeooo:annotation svg:x="1cm" svg:y="1cm" svg:width="1cm" svg:height="1cm"><dc:creator>総務部</dc:creator>'
        f"<dc:date>2026-11-01T10:00:00</dc:date><text:p>確認用 マイナンバー {n['slide_comment']}</text:p>"
        "</officeooo:annotation></draw:page></office:presentation></office:body></office:document>\n",
        encoding="utf-8")


def presentation(path: Path, n: dict[str, str]) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "マイナンバー収集のお願い"
    first.placeholders[1].text = f"記入例: 個人番号 {n['slide_1']}"
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "提出状況"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for column, (head, value) in enumerate([("氏名", "山田太郎"), ("個人番号", n["slide_2_table"])]):
        table.cell(0, column).text = head
        table.cell(1, column).text = value
    second.notes_slide.notes_text_frame.text = f"講師メモ: 佐藤さんのマイナンバーは {n['notes']}"
    deck.save(path)


def expect_presentation(expect: Expect, rel: str, n: dict[str, str], fmt: str) -> None:
    expect.finding(rel, n["slide_1"], "high", part="slide 1, paragraph 2")
    expect.finding(rel, n["slide_2_table"], "high", part="slide 2, table 1", cell="B2", column="個人番号")
    expect.finding(rel, n["notes"], "high", part="slide 2 notes, paragraph 1")


# -- mail --------------------------------------------------------------------------------------------------

def japanese_mail(n: dict[str, str], attachment: bytes) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "総務部 <soumu@example.co.jp>"
    message["To"] = "経理部 <keiri@example.co.jp>"
    message["Subject"] = f"扶養控除等申告書の送付 (個人番号 {n['subject']})"  # RFC 2047 encoded words
    message["Date"] = "Mon, 16 Nov 2026 10:00:00 +0900"
    body = f"経理部 御中\n\n山田太郎さんのマイナンバーは {n['mail_body']} です。\n添付をご確認ください。\n"
    message.set_content(body.encode("iso-2022-jp"), maintype="text", subtype="plain", cte="7bit",
                        params={"charset": "iso-2022-jp"})
    message.add_attachment(attachment, maintype="text", subtype="csv", filename="扶養親族.csv")
    return message.as_bytes()


def mailbox(n: dict[str, str], docx_bytes: bytes) -> bytes:
    first = EmailMessage(policy=email.policy.SMTP)
    first["From"] = "jinji@example.co.jp"
    first["To"] = "all@example.co.jp"
    first["Subject"] = "年末調整"
    first.set_content(f"年末調整の書類です。\n個人番号: {grouped(n['mbox_qp'], ' ')}\n", charset="utf-8",
                      cte="quoted-printable")
    second = EmailMessage(policy=email.policy.SMTP)
    second["From"] = "keiri@example.co.jp"
    second["To"] = "jinji@example.co.jp"
    second["Subject"] = "源泉徴収票"
    second.set_content(f"源泉徴収票を添付します。\n担当者のマイナンバー: {n['mbox_sjis']}\n".encode("cp932"),
                       maintype="text", subtype="plain",
                       cte="base64", params={"charset": "shift_jis"})
    second.add_attachment(docx_bytes, maintype="application",
                          subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                          filename="源泉徴収票.docx")
    out = b""
    for message in (first, second):
        out += b"From MAILER-DAEMON Mon Nov 16 10:00:00 2026\n" + message.as_bytes().replace(b"\r\n", b"\n") + b"\n"
    return out


# -- everything --------------------------------------------------------------------------------------------

def build() -> dict[str, Any]:
    numbers = Numbers(20261122_3)
    keys = ["numeric", "hidden_column", "fullwidth", "float", "hidden_sheet", "bank_decoy", "next_paragraph",
            "inline", "table_1", "table_2", "page_2", "footer", "comment", "slide_1", "slide_2_table", "notes",
            "inner_zip", "tar_log", "gz_log", "mail_body", "mbox_qp", "html", "encrypted_zip", "text_box",
            "subject", "mbox_sjis", "slide_comment"]
    n = {key: numbers.valid() for key in keys}
    n["zero_plain"], n["zero_grouped"] = numbers.valid(zero=True), numbers.valid(zero=True)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    expect = Expect()
    work = Path(tempfile.mkdtemp())

    # Spreadsheets: openpyxl writes the xlsx, LibreOffice converts it.
    xlsx = OUT / "excel" / "扶養控除等申告書.xlsx"
    xlsx.parent.mkdir(parents=True)
    workbook(xlsx, n)
    for fmt in ("xls", "ods"):
        soffice(xlsx, fmt, xlsx.parent)
    for fmt in ("xlsx", "xls", "ods"):
        expect_workbook(expect, f"excel/扶養控除等申告書.{fmt}", n)

    # Word documents: python-docx writes the docx; LibreOffice converts it to odt and PDF.
    docx_path = OUT / "word" / "源泉徴収票.docx"
    docx_path.parent.mkdir(parents=True)
    word_document(docx_path, n)
    for fmt in ("odt", "pdf", "rtf"):
        soffice(docx_path, fmt, docx_path.parent)
    for fmt in ("docx", "odt", "pdf", "rtf"):
        expect_word(expect, f"word/源泉徴収票.{fmt}", n, fmt)

    # A text box: the anchor paragraph's finding, once (the docx's VML fallback copy is not counted twice).
    text_box_document(work / "社内報_テキストボックス.fodt", n)
    for fmt in ("docx", "odt"):
        soffice(work / "社内報_テキストボックス.fodt", fmt, docx_path.parent)
        expect.finding(f"word/社内報_テキストボックス.{fmt}", n["text_box"], "high", part="body, paragraph 2")

    # Presentations.
    pptx = OUT / "slides" / "説明会.pptx"
    pptx.parent.mkdir(parents=True)
    presentation(pptx, n)
    soffice(pptx, "odp", pptx.parent)
    for fmt in ("pptx", "odp"):
        expect_presentation(expect, f"slides/説明会.{fmt}", n, fmt)
    commented_slides(work / "コメント付き.fodp", n)
    for fmt in ("pptx", "odp"):
        soffice(work / "コメント付き.fodp", fmt, pptx.parent)
        expect.finding(f"slides/コメント付き.{fmt}", n["slide_comment"], "high", part="slide 1 comments, paragraph 1")

    # Password-protected files: listed as unscanned, never silently skipped.
    locked = OUT / "locked"
    locked.mkdir()
    subprocess.run([sys.executable, "-m", "msoffcrypto", "-e", "-p", "secret", str(xlsx),
                    str(locked / "給与_パスワード付き.xlsx")], check=True)
    expect.unscanned("locked/給与_パスワード付き.xlsx", "encrypted")
    shutil.copy(docx_path.with_suffix(".pdf"), work / "源泉_パスワード付き.pdf")
    soffice(work / "源泉_パスワード付き.pdf", 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
            '"DocumentOpenPassword":{"type":"string","value":"secret"}}', work / "enc")
    shutil.copy(work / "enc" / "源泉_パスワード付き.pdf", locked / "源泉_パスワード付き.pdf")
    expect.unscanned("locked/源泉_パスワード付き.pdf", "encrypted")
    (work / "名簿.txt").write_text(f"個人番号 {n['encrypted_zip']}\n", encoding="utf-8")
    (work / "readme.txt").write_text(f"パスワードは別送します。確認用 マイナンバー {n['encrypted_zip']}\n",
                                     encoding="utf-8")
    subprocess.run(["zip", "-q", "-P", "secret", str(locked / "社員名簿.zip"), "名簿.txt"], cwd=work, check=True)
    subprocess.run(["zip", "-q", str(locked / "社員名簿.zip"), "readme.txt"], cwd=work, check=True)
    expect.unscanned("locked/社員名簿.zip", "encrypted", member="名簿.txt")
    expect.finding("locked/社員名簿.zip", n["encrypted_zip"], "high", member="readme.txt", line=1)

    # Archives: a zip holding the workbook and a zip inside the zip; a tar.gz of logs; a rotated .gz log.
    archive_dir = OUT / "archive"
    archive_dir.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("memo.txt", f"引継ぎメモ\n個人番号 {n['inner_zip']}\n".encode("cp932"))
    with zipfile.ZipFile(archive_dir / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(xlsx, "2026/扶養控除等申告書.xlsx")
        archive.writestr("2026/old.zip", inner.getvalue())
    for item in expect.files["excel/扶養控除等申告書.xlsx"]["findings"]:
        number = next(v for v in n.values() if masked(v) == item["masked"])
        expect.finding("archive/bundle.zip", number, item["confidence"], member="2026/扶養控除等申告書.xlsx",
                       **item["location"])
    expect.finding("archive/bundle.zip", n["inner_zip"], "high", member="2026/old.zip!memo.txt", line=2)
    log = (f"2026-11-16T10:00:00 INFO start\n2026-11-16T10:00:01 INFO login user=yamada\n"
           f"2026-11-16T10:00:02 DEBUG request my_number={n['tar_log']} status=200\n").encode()
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("var/log/app/app.log")
        info.size, info.mtime = len(log), 1_794_000_000
        tar.addfile(info, io.BytesIO(log))
    (archive_dir / "logs.tar.gz").write_bytes(tar_buffer.getvalue())
    expect.finding("archive/logs.tar.gz", n["tar_log"], "high", member="var/log/app/app.log", line=3)
    rotated = f"2026-11-15T09:00:00 INFO ok\n2026-11-15T09:00:01 WARN マイナンバー={n['gz_log']}\n".encode()
    (archive_dir / "app.log.1.gz").write_bytes(gzip.compress(rotated, mtime=0))
    expect.finding("archive/app.log.1.gz", n["gz_log"], "high", line=2)

    # Mail: an ISO-2022-JP message with a Shift_JIS CSV attached; an mbox with a quoted-printable body and a
    # Word document attached.
    mail_dir = OUT / "mail"
    mail_dir.mkdir()
    csv_bytes = f"氏名,続柄,個人番号\r\n山田花子,配偶者,{n['table_1']}\r\n".encode("cp932")
    (mail_dir / "申告書送付.eml").write_bytes(japanese_mail(n, csv_bytes))
    expect.finding("mail/申告書送付.eml", n["mail_body"], "high", part="body", line=3)
    expect.finding("mail/申告書送付.eml", n["table_1"], "high", member="扶養親族.csv", line=2, column="個人番号")
    (mail_dir / "inbox.mbox").write_bytes(mailbox(n, docx_path.read_bytes()))
    expect.finding("mail/申告書送付.eml", n["subject"], "high", part="headers")
    expect.finding("mail/inbox.mbox", n["mbox_qp"], "high", part="message 1 body", line=2)
    expect.finding("mail/inbox.mbox", n["mbox_sjis"], "high", part="message 2 body", line=2)
    for item in expect.files["word/源泉徴収票.docx"]["findings"]:
        number = next(v for v in n.values() if masked(v) == item["masked"])
        expect.finding("mail/inbox.mbox", number, item["confidence"], member="message 2/源泉徴収票.docx",
                       **item["location"])

    # A public web page with the digits written as character references.
    web = OUT / "www" / "public_html"
    web.mkdir(parents=True)
    digits = "".join(f"&#{0xFF10 + int(d)};" for d in n["html"])
    (web / "応募フォーム確認.html").write_text(
        f"<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>確認</title></head>\n"
        f"<body><p>マイナンバー: {digits}</p></body></html>\n", encoding="utf-8")
    expect.finding("www/public_html/応募フォーム確認.html", n["html"], "high", line=3)

    # Scans: an image, and the same image as a PDF with no text layer: read by OCR, no text in them.
    scans = OUT / "scans"
    scans.mkdir()
    png = scans / "申告書スキャン.png"
    _png(png)
    expect.clean("scans/申告書スキャン.png")
    shutil.copy(png, work / "scan.png")
    soffice(work / "scan.png", "pdf", work)
    shutil.copy(work / "scan.pdf", scans / "申告書スキャン.pdf")
    expect.clean("scans/申告書スキャン.pdf")
    shutil.rmtree(work)

    files = {rel: entry for rel, entry in sorted(expect.files.items())}
    for entry in files.values():
        entry["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True, ensure_ascii=False))
    return {
        "about": "What `mynumber scan --min-confidence low fixtures/documents` must report for each file. "
                 "Made with the files by scripts/make_documents.py.",
        "files": files,
        "distinct_people": len(expect.people),
    }


def _png(path: Path) -> None:
    """A small PNG of a form (grey, with a darker box), written by zlib as the PNG specification says."""
    import struct
    import zlib

    width, height = 64, 32
    rows = []
    for y in range(height):
        rows.append(b"\x00" + bytes(60 if 8 <= y < 24 and 8 <= x < 56 else 200 for x in range(width)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
                     + chunk(b"IEND", b""))


def main() -> int:
    expected = build()
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    count = sum(len(entry["findings"]) for entry in expected["files"].values())
    print(f"wrote {OUT} and {EXPECTED}: {len(expected['files'])} files, {count} findings, "
          f"{expected['distinct_people']} people")
    return 0


if __name__ == "__main__":
    sys.exit(main())


