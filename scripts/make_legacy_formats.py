#!/usr/bin/env python3
"""Make fixtures/legacy: 7z, RAR and LZH archives, Outlook messages, Word and PowerPoint 97-2003 files, and
what each must give.

The files are made by real software, not written by hand:

* 7-Zip (``7z``, Debian's p7zip-full or 7zip) makes the 7z archives, one with encrypted data and one with
  encrypted headers;
* jLHA (Debian's jlha-utils, a Java port of LHa), run in a Japanese locale, makes the LZH archive with its
  names in Shift_JIS as LHa on Japanese Windows writes them;
* LibreOffice (``soffice --headless --convert-to``) writes the Word 97-2003 document and the PowerPoint
  97-2003 presentation from flat ODF files;
* RAR archives and Outlook messages cannot be made with free software: the archives made by rar and messages
  made by Outlook in fixtures/legacy-sources (see its README.md for where they come from) get our text in
  place of a stored member, a body or an attachment, at the same size, so everything else stays as the
  original program wrote it.

Run it in an environment with those tools (none of them is needed to run the tests):

    apt-get install p7zip-full jlha-utils libreoffice-writer-nogui libreoffice-impress-nogui
    .venv/bin/python scripts/make_legacy_formats.py

It writes fixtures/legacy/ and fixtures/legacy.expected.json (per file, the findings and unscanned parts a scan
at --min-confidence low must report, as scripts/make_documents.py does). The numbers are synthetic.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_documents import FULLWIDTH, Expect, Numbers, grouped, soffice

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "legacy"
SOURCES = ROOT / "fixtures" / "legacy-sources"
EXPECTED = ROOT / "fixtures" / "legacy.expected.json"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=300,
                   env={**os.environ, **(env or {})})


# -- 7z and LZH ----------------------------------------------------------------------------------------------

def seven_zip(expect: Expect, n: dict[str, str], work: Path) -> None:
    folder = work / "7z"
    (folder / "2026").mkdir(parents=True)
    (folder / "2026" / "社員名簿.csv").write_text(
        f"社員番号,氏名,個人番号\nE001,山田太郎,{n['7z_csv']}\nE002,佐藤花子,{n['7z_csv_2']}\n", encoding="utf-8")
    (folder / "引継ぎメモ.txt").write_bytes(
        f"引継ぎメモ\r\n鈴木さんの個人番号は {n['7z_memo'].translate(FULLWIDTH)} です。\r\n".encode("cp932"))
    rel = "archive/給与データ.7z"
    run(["7z", "a", "-t7z", "-mx=9", "-bd", "-y", str(OUT / rel), "2026", "引継ぎメモ.txt"], folder)
    expect.finding(rel, n["7z_csv"], "high", member="2026/社員名簿.csv", line=2, column="個人番号")
    expect.finding(rel, n["7z_csv_2"], "high", member="2026/社員名簿.csv", line=3, column="個人番号")
    expect.finding(rel, n["7z_memo"], "high", member="引継ぎメモ.txt", line=2)

    locked = "locked/給与_パスワード付き.7z"
    run(["7z", "a", "-t7z", "-psecret", "-bd", "-y", str(OUT / locked), "引継ぎメモ.txt"], folder)
    expect.unscanned(locked, "encrypted", member="引継ぎメモ.txt")
    hidden = "locked/給与_ファイル名も暗号化.7z"
    run(["7z", "a", "-t7z", "-psecret", "-mhe=on", "-bd", "-y", str(OUT / hidden), "引継ぎメモ.txt"], folder)
    expect.unscanned(hidden, "encrypted")


def lzh(expect: Expect, n: dict[str, str], work: Path) -> None:
    folder = work / "lzh"
    folder.mkdir()
    (folder / "扶養親族.txt").write_bytes(
        f"扶養親族の一覧\r\n山田一郎 子 マイナンバー {grouped(n['lzh_text'])}\r\n".encode("cp932"))
    log = "".join(f"2026-11-16T10:{i // 60:02d}:{i % 60:02d} INFO request id={i:05d} status=200\n"
                  for i in range(1, 200))
    log += f"2026-11-16T10:03:20 DEBUG update my_number={n['lzh_log']} status=200\n"
    (folder / "app.log").write_text(log, encoding="ascii")
    rel = "archive/源泉徴収_2026.lzh"
    # jLHA names files in Shift_JIS in a Japanese locale (lha.encoding=ShiftJISAuto), as LHa for Windows does.
    run(["java", "-Duser.language=ja", "-Duser.country=JP", "-jar", "/usr/share/java/jlhafrontend.jar",
         "a", str(OUT / rel), "扶養親族.txt", "app.log"], folder, {"LC_ALL": "C.UTF-8"})
    if b"-lh5-" not in (OUT / rel).read_bytes():  # app.log compressed (the short text is stored, -lh0-)
        raise SystemExit("jLHA did not compress with -lh5-")
    expect.finding(rel, n["lzh_text"], "high", member="扶養親族.txt", line=2)
    expect.finding(rel, n["lzh_log"], "high", member="app.log", line=200)


# -- RAR: a stored member replaced in archives made by rar ---------------------------------------------------

def stored_text(number: str, size: int) -> bytes:
    text = f"給与データ 2026年11月分\n個人番号 {number}\n".encode()
    return text + b" " * (size - len(text) - 1) + b"\n"


def rar4_replace(data: bytes, name: bytes, content: bytes) -> bytes:
    """RAR 2.9/4: blocks of HEAD_CRC, HEAD_TYPE, HEAD_FLAGS, HEAD_SIZE (+ ADD_SIZE); a file header (0x74) has
    PACK_SIZE, UNP_SIZE, HOST_OS, FILE_CRC, FTIME, UNP_VER, METHOD, NAME_SIZE, ATTR, then the name. HEAD_CRC is
    the low 16 bits of the CRC32 of the header after it."""
    out = bytearray(data)
    pos = 7  # the marker block
    while pos + 7 <= len(out):
        _crc, kind, flags, size = struct.unpack_from("<HBHH", out, pos)
        add = struct.unpack_from("<I", out, pos + 7)[0] if flags & 0x8000 else 0
        if kind == 0x74:
            pack, unpacked = struct.unpack_from("<II", out, pos + 7)
            method, name_size = out[pos + 25], struct.unpack_from("<H", out, pos + 26)[0]
            if out[pos + 32:pos + 32 + name_size] == name:
                if method != 0x30 or pack != unpacked or len(content) != pack:
                    raise SystemExit("the RAR member is not stored at the content's size")
                out[pos + size:pos + size + pack] = content
                struct.pack_into("<I", out, pos + 16, zlib.crc32(content))
                struct.pack_into("<H", out, pos, zlib.crc32(bytes(out[pos + 2:pos + size])) & 0xFFFF)
                return bytes(out)
        pos += size + add
    raise SystemExit(f"no member {name!r}")


def _vint(data: bytes | bytearray, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        value |= (data[pos] & 0x7F) << shift
        pos += 1
        if not data[pos - 1] & 0x80:
            return value, pos
        shift += 7


def rar5_replace(data: bytes, name: bytes, content: bytes) -> bytes:
    """RAR 5: blocks of CRC32, header size, then the header (type, flags, extra and data sizes, for a file:
    file flags, unpacked size, attributes, mtime, data CRC32, compression, host, name); the CRC32 covers the
    header size and the header."""
    out = bytearray(data)
    pos = 8
    while pos < len(out):
        size, start = _vint(out, pos + 4)
        kind, p = _vint(out, start)
        flags, p = _vint(out, p)
        data_size = 0
        if flags & 1:
            _extra, p = _vint(out, p)
        if flags & 2:
            data_size, p = _vint(out, p)
        if kind == 2:
            file_flags, p = _vint(out, p)
            unpacked, p = _vint(out, p)
            _attributes, p = _vint(out, p)
            if file_flags & 2:
                p += 4
            crc_at = p
            p += 4 if file_flags & 4 else 0
            compression, p = _vint(out, p)
            _host, p = _vint(out, p)
            length, p = _vint(out, p)
            if out[p:p + length] == name:
                if (compression >> 7) & 7 or data_size != unpacked or len(content) != unpacked or not file_flags & 4:
                    raise SystemExit("the RAR5 member is not stored at the content's size with a CRC32")
                end = start + size
                out[end:end + data_size] = content
                struct.pack_into("<I", out, crc_at, zlib.crc32(content))
                struct.pack_into("<I", out, pos, zlib.crc32(bytes(out[pos + 4:end])))
                return bytes(out)
        pos = start + size + data_size
    raise SystemExit(f"no member {name!r}")


def rar(expect: Expect, n: dict[str, str]) -> None:
    sources = SOURCES / "rarfile"
    for key, source, rel, replace in (("rar4", "seektest.rar", "archive/給与_rar4.rar", rar4_replace),
                                      ("rar5", "rar5-crc.rar", "archive/給与_rar5.rar", rar5_replace)):
        (OUT / rel).write_bytes(replace((sources / source).read_bytes(), b"stest2.txt", stored_text(n[key], 2048)))
        expect.finding(rel, n[key], "high", member="stest2.txt", line=2)
    shutil.copy(sources / "rar5-psw.rar", OUT / "locked" / "rar5_パスワード付き.rar")
    for member in ("stest1.txt", "stest2.txt"):
        expect.unscanned("locked/rar5_パスワード付き.rar", "encrypted", member=member)
    shutil.copy(sources / "rar5-hpsw.rar", OUT / "locked" / "rar5_ファイル名も暗号化.rar")
    expect.unscanned("locked/rar5_ファイル名も暗号化.rar", "encrypted")


# -- Outlook messages: our text in messages made by Outlook --------------------------------------------------

def padded(text: str, encoding: str, size: int) -> bytes:
    """``text`` encoded, padded with spaces before its last line end to exactly ``size`` bytes."""
    body = text.encode(encoding)
    space = " ".encode(encoding)
    end = "\r\n".encode(encoding)
    missing = size - len(body)
    if missing < 0 or missing % len(space):
        raise SystemExit(f"{text!r} does not fit in {size} bytes")
    return body[: len(body) - len(end)] + space * (missing // len(space)) + end


def workbook_of_size(rows: list[list[str]], size: int) -> bytes:
    """An openpyxl workbook padded to ``size`` bytes by its zip comment (readers ignore it)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名簿"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if len(data) > size or size - len(data) > 65535:
        raise SystemExit(f"a workbook of {len(data)} bytes cannot be padded to {size}")
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = b" " * (size - len(data))
    out = buffer.getvalue()
    assert len(out) == size, (len(out), size)
    return out


def rewrite(path: Path, streams: dict[str, bytes]) -> None:
    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        for name, data in streams.items():
            ole.write_stream(name, data)


def outlook(expect: Expect, n: dict[str, str]) -> None:
    sources = SOURCES / "msgreader"

    rel = "mail/申告書の件.msg"  # Unicode: the plain body, full-width digits
    shutil.copy(sources / "Hello +CJK.msg", OUT / rel)
    rewrite(OUT / rel, {"__substg1.0_1000001F": padded(
        f"個人番号：{n['msg_body'].translate(FULLWIDTH)}\r\n", "utf-16-le", 62)})
    expect.finding(rel, n["msg_body"], "high", part="body", line=1)

    rel = "mail/日本語_ANSI.msg"  # ANSI from Japanese Outlook: CP932 strings
    shutil.copy(sources / "nonUnicodeCP932.msg", OUT / rel)
    rewrite(OUT / rel, {"__substg1.0_1000001E": padded(f"個人番号 {n['msg_ansi']}\r\n", "cp932", 25)})
    expect.finding(rel, n["msg_ansi"], "high", part="body", line=1)

    rel = "mail/新しいOutlook_HTML.msg"  # no plain body: the HTML body is read
    shutil.copy(sources / "newOutlook Microsoft Outlook test.msg", OUT / rel)
    html = ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n'
            f"<p>マイナンバー: {grouped(n['msg_html'])}</p>\r\n")
    rewrite(OUT / rel, {"__substg1.0_10130102": padded(html, "utf-8", 217)})
    expect.finding(rel, n["msg_html"], "high", part="body", line=2)

    rel = "mail/転送_添付あり.msg"  # a workbook attached, and a message attached with a text file attached
    shutil.copy(sources / "Outer mail.msg", OUT / rel)
    inner = "__attach_version1.0_#00000002/__substg1.0_3701000D/__attach_version1.0_#00000000/"
    rewrite(OUT / rel, {
        "__attach_version1.0_#00000000/__substg1.0_37010102": workbook_of_size(
            [["氏名", "個人番号"], ["山田太郎", n["msg_xlsx"]]], 15832),
        "__attach_version1.0_#00000000/__substg1.0_3707001F": "名簿2026.xlsx".encode("utf-16-le"),
        "__attach_version1.0_#00000000/__substg1.0_3704001F": "MEIBO2~1.XLS".encode("utf-16-le"),
        inner + "__substg1.0_37010102": padded(f"引継ぎ\r\nマイナンバー {n['msg_inner']}\r\n", "cp932", 15541),
        inner + "__substg1.0_3707001F": "引継ぎメモ01.txt".encode("utf-16-le"),
        inner + "__substg1.0_3704001F": "HIKITU~1.TXT".encode("utf-16-le"),
    })
    expect.finding(rel, n["msg_xlsx"], "high", member="名簿2026.xlsx", sheet="名簿", cell="B2", column="個人番号")
    expect.finding(rel, n["msg_inner"], "high", member="Inner mail/引継ぎメモ01.txt", line=2)


# -- Word 97-2003 and PowerPoint 97-2003, written by LibreOffice -------------------------------------------

_ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"')


def word_text(path: Path, n: dict[str, str]) -> None:
    cells = [("氏名", "続柄", "個人番号"), ("山田花子", "配偶者", n["doc_table_1"]),
             ("山田一郎", "子", n["doc_table_2"].translate(FULLWIDTH))]
    rows = "".join("<table:table-row>" + "".join(f"<table:table-cell><text:p>{value}</text:p></table:table-cell>"
                                                 for value in row) + "</table:table-row>" for row in cells)
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_ODF} '
        'office:mimetype="application/vnd.oasis.opendocument.text">'
        '<office:automatic-styles><style:page-layout style:name="pm1"/></office:automatic-styles>'
        '<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">'
        f"<style:footer><text:p>作成者 総務部 個人番号 {n['doc_footer']}</text:p></style:footer>"
        "</style:master-page></office:master-styles><office:body><office:text>"
        "<text:h text:outline-level=\"1\">給与所得の源泉徴収票</text:h>"
        "<text:p>支払を受ける者 山田太郎<office:annotation><dc:creator>総務部</dc:creator>"
        f"<text:p>確認済み マイナンバー {n['doc_comment']}</text:p></office:annotation></text:p>"
        "<text:p>個人番号</text:p>"
        f"<text:p>{n['doc_next']}</text:p>"
        f"<text:p>控除対象配偶者 山田花子 マイナンバー {grouped(n['doc_inline'])}</text:p>"
        '<table:table table:name="表1"><table:table-column table:number-columns-repeated="3"/>'
        f"{rows}</table:table>"
        f"<text:p>通知カード {grouped(n['doc_fullwidth'].translate(FULLWIDTH), '－')}</text:p>"
        "</office:text></office:body></office:document>\n", encoding="utf-8")


def slides_text(path: Path, n: dict[str, str]) -> None:
    def frame(y: str, text: str, kind: str = "") -> str:
        cls = f' presentation:class="{kind}"' if kind else ""
        return (f'<draw:frame{cls} svg:x="2cm" svg:y="{y}" svg:width="20cm" svg:height="3cm"><draw:text-box>'
                f"<text:p>{text}</text:p></draw:text-box></draw:frame>")

    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_ODF} '
        'office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>'
        '<draw:page draw:name="page1">' + frame("1cm", "マイナンバー収集のお願い", "title")
        + frame("5cm", f"記入例: 個人番号 {n['ppt_slide_1']}", "outline") + "</draw:page>"
        '<draw:page draw:name="page2">' + frame("1cm", "提出状況", "title")
        + frame("5cm", f"山田太郎 通知カード {n['ppt_slide_2'].translate(FULLWIDTH)}")
        + "<presentation:notes><draw:page-thumbnail/>"
        + frame("10cm", f"講師メモ: 佐藤さんのマイナンバーは {n['ppt_notes']}", "notes")
        + "</presentation:notes></draw:page></office:presentation></office:body></office:document>\n",
        encoding="utf-8")


def office(expect: Expect, n: dict[str, str], work: Path) -> None:
    word_text(work / "源泉徴収票.fodt", n)
    soffice(work / "源泉徴収票.fodt", "doc", OUT / "word")
    rel = "word/源泉徴収票.doc"
    expect.finding(rel, n["doc_next"], "high", part="body, paragraph 4")
    expect.finding(rel, n["doc_inline"], "high", part="body, paragraph 5")
    expect.finding(rel, n["doc_table_1"], "high", part="body, table 1", cell="C2", column="個人番号")
    expect.finding(rel, n["doc_table_2"], "high", part="body, table 1", cell="C3", column="個人番号")
    expect.finding(rel, n["doc_fullwidth"], "high", part="body, paragraph 6")
    expect.finding(rel, n["doc_footer"], "high", part="headers and footers, paragraph 1")
    expect.finding(rel, n["doc_comment"], "high", part="comments, paragraph 1")

    slides_text(work / "説明会.fodp", n)
    soffice(work / "説明会.fodp", "ppt", OUT / "slides")
    rel = "slides/説明会.ppt"
    expect.finding(rel, n["ppt_slide_1"], "high", part="slide 1, paragraph 2")
    expect.finding(rel, n["ppt_slide_2"], "high", part="slide 2, paragraph 2")
    expect.finding(rel, n["ppt_notes"], "high", part="slide 2 notes, paragraph 1")


# -- everything ----------------------------------------------------------------------------------------------

def build() -> dict[str, Any]:
    numbers = Numbers(20261203_6)
    keys = ["7z_csv", "7z_csv_2", "7z_memo", "lzh_text", "lzh_log", "rar4", "rar5", "msg_body", "msg_ansi",
            "msg_html", "msg_xlsx", "msg_inner", "doc_next", "doc_inline", "doc_table_1", "doc_table_2",
            "doc_fullwidth", "doc_footer", "doc_comment", "ppt_slide_1", "ppt_slide_2", "ppt_notes"]
    n = {key: numbers.valid() for key in keys}
    if OUT.exists():
        shutil.rmtree(OUT)
    for folder in ("archive", "locked", "mail", "word", "slides"):
        (OUT / folder).mkdir(parents=True)
    expect = Expect()
    work = Path(tempfile.mkdtemp())
    try:
        seven_zip(expect, n, work)
        lzh(expect, n, work)
        rar(expect, n)
        outlook(expect, n)
        office(expect, n, work)
    finally:
        shutil.rmtree(work)
    files = {rel: entry for rel, entry in sorted(expect.files.items())}
    for entry in files.values():
        entry["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True, ensure_ascii=False))
    return {
        "about": "What `mynumber scan --min-confidence low fixtures/legacy` must report for each file. Made "
                 "with the files by scripts/make_legacy_formats.py (RAR and .msg sources: "
                 "fixtures/legacy-sources/README.md).",
        "files": files,
        "distinct_people": len(expect.people),
    }


def main() -> int:
    expected = build()
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    count = sum(len(entry["findings"]) for entry in expected["files"].values())
    print(f"wrote {OUT} and {EXPECTED}: {len(expected['files'])} files, {count} findings, "
          f"{expected['distinct_people']} people")
    return 0


if __name__ == "__main__":
    sys.exit(main())
