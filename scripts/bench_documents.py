#!/usr/bin/env python3
"""Benchmark, documents part: PDF pages/s, spreadsheet rows/s, Word files/s and memory on huge inputs.

Each figure is printed with the alternative it was chosen over, measured in the same run on the same file
(these machines are noisy, so ratios, not absolute numbers, are what to compare across runs):

  pdf    a 100-page Japanese PDF (made by LibreOffice): pdfium (the default) against pdfminer.six (the fallback)
  xlsx   a 100,000-row x 10-column workbook (made by openpyxl): the streaming expat reader (the default)
         against openpyxl's read-only mode (the fallback)
  docx   1,000 Word files (one made by LibreOffice, the others the same document with other numbers): files/s
         of `mynumber scan`, against the same number of text files of the same text
  memory peak resident memory (VmHWM) of scanning a 1,000,000-row sheet and a 1 GB file of a single line

    python scripts/bench_documents.py                     # full size; the corpus is kept in --dir
    python scripts/bench_documents.py --scale 0.1 --rounds 1
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.extract import Source  # noqa: E402
from detector.extract.pdf import PdfExtractor  # noqa: E402
from detector.extract.xlsx import XlsxExtractor, _with_openpyxl  # noqa: E402
from detector.mynumber import calc_check_digit  # noqa: E402

PY = sys.executable


def my_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + calc_check_digit(body)


# -- corpus ----------------------------------------------------------------------------------------------

def make_pdf(folder: Path, pages: int, rng: random.Random) -> Path | None:
    target = folder / f"report_{pages}p.pdf"
    if target.exists():
        return target
    if shutil.which("soffice") is None:
        print("pdf: LibreOffice (soffice) is not installed; skipping the PDF part")
        return None
    body = []
    for page in range(pages):
        lines = [f"<h2>第{page + 1}章 給与支払報告</h2>"]
        for row in range(25):
            lines.append(f"<p>社員 {page * 25 + row:05d} 山田太郎 支給額 {rng.randrange(200000, 900000):,}円 "
                         f"電話 03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)} "
                         f"個人番号 {my_number(rng)}</p>")
        body.append("".join(lines) + '<p style="page-break-after: always"></p>')
    html = folder / f"report_{pages}p.html"
    html.write_text('<html><head><meta charset="utf-8"></head><body>' + "".join(body) + "</body></html>",
                    encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        "pdf:writer_web_pdf_Export", "--outdir", str(folder), str(html)], check=True,
                       capture_output=True, timeout=600)
    html.unlink()
    return target


def make_xlsx(folder: Path, rows: int, rng: random.Random) -> Path:
    target = folder / f"payroll_{rows}rows.xlsx"
    if target.exists():
        return target
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("給与")
    sheet.append(["社員番号", "氏名", "フリガナ", "個人番号", "生年月日", "住所", "電話", "口座番号", "支給額", "備考"])
    for row in range(rows):
        sheet.append([f"E{row:06d}", "山田太郎", "ヤマダタロウ", int(my_number(rng)), "1985/04/01",
                      "東京都千代田区霞が関1-1", f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                      str(rng.randrange(1000000, 9999999)), rng.randrange(200000, 900000), ""])
    book.save(target)
    return target


def big_sheet(path: Path, rows: int) -> None:
    """A minimal xlsx of ``rows`` rows written part by part (fast, for the memory figure)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="r"><sheets><sheet name="big" sheetId="1" '
                                            'r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" '
                         'Target="worksheets/sheet1.xml"/></Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f"<worksheet {ns}><sheetData>".encode())
            for start in range(1, rows + 1, 10_000):
                sheet.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is>'
                                    f"<t>社員{r}</t></is></c></row>"
                                    for r in range(start, min(start + 10_000, rows + 1))).encode())
            sheet.write(b"</sheetData></worksheet>")


def make_docx_files(folder: Path, count: int, rng: random.Random) -> tuple[Path, Path] | None:
    docx_dir, text_dir = folder / f"docx_{count}", folder / f"text_{count}"
    if docx_dir.exists() and text_dir.exists():
        return docx_dir, text_dir
    if shutil.which("soffice") is None:
        print("docx: LibreOffice (soffice) is not installed; skipping the docx part")
        return None
    with tempfile.TemporaryDirectory() as work:
        paragraphs = "".join(f"<text:p>第{i}項 お知らせ 社内規程の改定について ご確認ください。</text:p>"
                             for i in range(40))
        fodt = Path(work) / "template.fodt"
        fodt.write_text('<?xml version="1.0" encoding="UTF-8"?><office:document '
                        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" '
                        'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
                        f"{paragraphs}<text:p>個人番号 NUMBERHERE</text:p></office:text></office:body>"
                        "</office:document>", encoding="utf-8")
        subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
                        "docx", "--outdir", work, str(fodt)], check=True, capture_output=True, timeout=300)
        template = zipfile.ZipFile(Path(work) / "template.docx")
        parts = {name: template.read(name) for name in template.namelist()}
    docx_dir.mkdir(parents=True, exist_ok=True)
    text_dir.mkdir(parents=True, exist_ok=True)
    document = parts["word/document.xml"]
    text = re.sub(rb"<[^>]+>", b" ", document)
    for index in range(count):
        number = my_number(rng).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data.replace(b"NUMBERHERE", number) if name == "word/document.xml" else data)
        (docx_dir / f"notice_{index:04d}.docx").write_bytes(buffer.getvalue())
        (text_dir / f"notice_{index:04d}.txt").write_bytes(text.replace(b"NUMBERHERE", number))
    return docx_dir, text_dir


# -- measuring -------------------------------------------------------------------------------------------

def best_of(rounds: int, work: Callable[[], int]) -> tuple[float, int]:
    """(median seconds, items) over rounds."""
    times, items = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        items = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), items


def source(path: Path) -> Source:
    stream = path.open("rb")
    return Source(str(path), stream, stream.read(8192), path.stat().st_size)


def pdf_pages(path: Path, engine: str) -> int:
    return len(list(PdfExtractor(engine).extract(source(path))))


def xlsx_rows(path: Path, reader: str) -> int:
    src = source(path)
    units = XlsxExtractor().extract(src) if reader == "streaming" else _with_openpyxl(src, "bench")
    return sum(1 for _ in units)


def scan_folder(folder: Path) -> int:
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([PY, "-m", "detector", "scan", "--format", "json", str(folder)], capture_output=True,
                         env=env, text=True, cwd=ROOT)
    import json

    return int(json.loads(out.stdout)["summary"]["files_scanned"])


def peak_memory_kib(path: Path) -> int:
    code = ("import re,sys;from detector.scanner import FileScanner; from detector.model import ScanOptions;"
            "r=FileScanner(ScanOptions(key=b'k')).scan_file(sys.argv[1]);"
            "assert r.scanned, r.unscanned;"
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    out = subprocess.run([PY, "-c", code, str(path)], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench/documents")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="pdf,xlsx,docx,memory")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261122)
    only = set(args.only.split(","))
    rows = []

    if "pdf" in only:
        pdf = make_pdf(folder, max(2, int(100 * args.scale)), rng)
        if pdf is not None:
            fast, pages = best_of(args.rounds, lambda: pdf_pages(pdf, "pdfium"))
            slow, _ = best_of(args.rounds, lambda: pdf_pages(pdf, "pdfminer"))
            rows.append(("pdf pages/s", pages / fast, "pdfminer.six", pages / slow))
    if "xlsx" in only:
        xlsx = make_xlsx(folder, max(100, int(100_000 * args.scale)), rng)
        fast, _ = best_of(args.rounds, lambda: xlsx_rows(xlsx, "streaming"))
        slow, _ = best_of(max(1, args.rounds // 2), lambda: xlsx_rows(xlsx, "openpyxl"))
        count = max(100, int(100_000 * args.scale))
        rows.append(("xlsx rows/s (10 columns)", count / fast, "openpyxl read-only", count / slow))
    if "docx" in only:
        made = make_docx_files(folder, max(10, int(1000 * args.scale)), rng)
        if made is not None:
            docx_dir, text_dir = made
            fast, files = best_of(args.rounds, lambda: scan_folder(docx_dir))
            base, _ = best_of(args.rounds, lambda: scan_folder(text_dir))
            rows.append(("docx files/s (mynumber scan)", files / fast, "same text as .txt", files / base))

    print(f"{'figure':34} {'value':>12}   {'against':22} {'value':>12} {'ratio':>7}")
    for name, value, other, other_value in rows:
        print(f"{name:34} {value:12,.0f}   {other:22} {other_value:12,.0f} {value / other_value:7.2f}")

    if "memory" in only:
        with tempfile.TemporaryDirectory(dir=folder) as work:
            sheet = Path(work) / "million.xlsx"
            big_sheet(sheet, max(1000, int(1_000_000 * args.scale)))
            print(f"peak memory, {max(1000, int(1_000_000 * args.scale)):,}-row sheet: "
                  f"{peak_memory_kib(sheet) // 1024} MiB")
            line = Path(work) / "one_line.txt"
            size = max(1 << 20, int((1 << 30) * args.scale))
            with line.open("wb") as out:
                block = (b"id=0123456789 " * 4681)[: 1 << 16]
                for _ in range(size // len(block)):
                    out.write(block)
            print(f"peak memory, {size / (1 << 30):.2f} GB single-line file: {peak_memory_kib(line) // 1024} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
