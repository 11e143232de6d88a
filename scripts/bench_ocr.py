#!/usr/bin/env python3
"""Measure reading pictures: 100 scanned A4 pages at 200 dpi and 200 small pictures, as issue 16 asks.

The pages are the forms of scripts/make_ocr_fixtures.py (申告書, 源泉徴収票, employee lists, order slips) laid out
by LibreOffice with a different person on each, rasterised by pdfium at 200 dpi: 60 grey PNG files and 4
image-only PDFs of 10 pages (what a multifunction printer's "scan to folder" leaves). The small pictures are 100
with text (My Number cards photographed on a desk, at phone-crop sizes) and 100 without (landscapes, logos).
They are made once into a folder (default /tmp/mynumber-bench/ocr) and reused.

It prints:

* the whole scan, ``mynumber scan DIR --jobs N`` in a child process: wall time, pages (pictures) a second, CPU
  seconds and the peak memory of the children (``resource.getrusage(RUSAGE_CHILDREN)``), and the people found
  against those planted;
* the time per stage on one core, over a sample of the pages, by calling the stages themselves: render (pdfium,
  a PDF page to pixels), decode (Pillow, a PNG page), preprocess (:mod:`detector.ocr.prepare`: grey, the blank
  test), OCR (the engine port, one reading),
  matching (reading order, misread repair, matcher and people stage through ``FileScanner.scan_text``);
* what a picture without text costs, scanned alone through ``FileScanner.scan_file``, in CPU time (target < 50
  ms): 120 pictures of every kind of ``make_ocr_fixtures.photo_like`` (photos, noise, gradients, textures, a
  large landscape, logos), made once into the folder's ``no-text``.

    .venv/bin/python scripts/bench_ocr.py                 # --jobs 2, the folder made if missing
    .venv/bin/python scripts/bench_ocr.py --sample 5      # fewer pages timed per stage
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_ocr_fixtures as forms  # noqa: E402

KEY = forms.KEY
DPI = 200


def make_corpus(folder: Path, pages: int, pictures: int) -> dict[str, Any]:
    """The pages and pictures, and the fingerprints of the people planted on them (written to truth.json)."""
    from PIL import Image as PIL

    numbers = forms.Numbers(16_100)
    rng = random.Random(16)
    names = [f"{a} {b}" for a in ("山田", "佐藤", "鈴木", "高橋", "田中")
             for b in ("太郎", "花子", "一郎", "美咲", "健")]
    planted: list[str] = []
    documents: list[str] = []
    for index in range(pages):
        kind = index % 4
        if kind == 0:
            person = (rng.choice(names), "ヤマダ タロウ", numbers.valid())
            dependents = [("一般", rng.choice(names), numbers.valid(), "平成10年2月5日") for _ in range(2)]
            documents.append(forms.fuyou_form(person, dependents))
            planted += [person[2]] + [d[2] for d in dependents]
        elif kind == 1:
            person, dependent = (rng.choice(names), "", numbers.valid()), (rng.choice(names), numbers.valid())
            documents.append(forms.gensen_form(person, dependent, "1" + numbers.valid()))
            planted += [person[2], dependent[1]]
        elif kind == 2:
            listed = [(rng.choice(names), forms.DEPARTMENTS[i % 8], numbers.valid()) for i in range(8)]
            documents.append(forms.employee_list(listed))
            planted += [number for _, _, number in listed]
        else:
            documents.append(forms.order_slip(numbers.valid()))
    cards = [(rng.choice(names), numbers.valid()) for _ in range(pictures // 4)]
    planted_pictures = [number for _, number in cards]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    (folder / "pictures").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        body = "".join(forms._page(document, index == 0) for index, document in enumerate(documents))
        card_body = "".join(forms._page(forms.card_back(name, "昭和60年4月1日生", forms.grouped(number)), i == 0)
                            for i, (name, number) in enumerate(cards))
        pdfs = forms.render_pages({"pages": body, "cards": card_body}, Path(tmp))
        rendered = forms.rasterise(pdfs["pages"], DPI)
        if len(rendered) != pages:
            raise SystemExit(f"LibreOffice laid the {pages} forms out on {len(rendered)} pages")
        card_images = [forms.on_table(forms.ink_box(image, 30)) for image in forms.rasterise(pdfs["cards"], 150)]
    in_pdfs = 40 if pages >= 60 else 0
    for index, page in enumerate(rendered[:pages - in_pdfs]):
        (folder / "pages" / f"scan_{index + 1:03d}.png").write_bytes(forms.png(page))
    for start in range(pages - in_pdfs, pages, 10):
        (folder / "pages" / f"scan_{start + 1:03d}-{start + 10:03d}.pdf").write_bytes(
            forms.image_pdf(rendered[start:start + 10], DPI))
    for index, image in enumerate(card_images):
        for variant, scale in enumerate((1.0, 0.7)):
            small = image.resize((int(image.width * scale), int(image.height * scale)), PIL.Resampling.LANCZOS)
            name = f"card_{index:03d}_{variant}"
            if variant:
                (folder / "pictures" / f"{name}.jpg").write_bytes(forms.jpeg(small.convert("RGB"), 80))
            else:
                (folder / "pictures" / f"{name}.png").write_bytes(forms.png(small))
    for index in range(pictures - 2 * len(card_images)):
        if index % 5 == 4:
            (folder / "pictures" / f"logo_{index:03d}.png").write_bytes(forms.png(forms.logo()))
        else:
            (folder / "pictures" / f"photo_{index:03d}.jpg").write_bytes(forms.jpeg(forms.landscape(index), 85))
    truth = {"pages": sorted(forms.fingerprint(n) for n in planted),
             "pictures": sorted(forms.fingerprint(n) for n in planted_pictures)}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


def scan_folder(folder: Path, jobs: int) -> dict[str, Any]:
    """``mynumber scan folder --jobs N`` in a child: wall, CPU and peak memory of the children, the json."""
    with tempfile.TemporaryDirectory() as tmp:
        key_file = Path(tmp) / "key"
        key_file.write_bytes(KEY)
        key_file.chmod(0o600)
        out = Path(tmp) / "scan.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "detector", "scan", str(folder), "--jobs", str(jobs), "--quiet",
                        "--key-file", str(key_file), "--format", "json", "--output", str(out)],
                       check=False, cwd=ROOT)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        document = json.loads(out.read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
            "peak_mib": after.ru_maxrss / 1024, "document": document}


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def stage_times(folder: Path, sample: int) -> dict[str, float]:
    """Seconds per page of each stage, on one core, over ``sample`` PNG pages and as many PDF pages."""
    import pypdfium2
    from PIL import Image as PIL

    from detector.extract import TextUnit
    from detector.model import ScanOptions
    from detector.ocr import find_engine
    from detector.ocr.lines import reading_lines
    from detector.ocr.prepare import blank, grey
    from detector.ocr.repair import MisreadRepair
    from detector.scanner import FileScanner

    engine = find_engine()
    if isinstance(engine, str):
        raise SystemExit(f"no OCR engine: {engine}")
    scanner = FileScanner(ScanOptions(key=KEY, jobs=1))
    repair = MisreadRepair.from_rules(scanner.rules)
    totals = dict.fromkeys(("render", "decode", "preprocess", "ocr", "matching"), 0.0)
    pngs = sorted((folder / "pages").glob("*.png"))[:sample]
    pdf = next(iter(sorted((folder / "pages").glob("*.pdf"))), None)
    images = []
    for path in pngs:
        seconds, image = _timed(lambda path=path: PIL.open(path).convert("L"))  # type: ignore[misc]
        totals["decode"] += seconds
        images.append(image)
    if pdf is not None:
        document = pypdfium2.PdfDocument(str(pdf))
        for index in range(min(sample, len(document))):
            seconds, _ = _timed(lambda index=index: document[index].render(scale=DPI / 72).to_pil())  # type: ignore[misc]
            totals["render"] += seconds
        document.close()
    for image in images:
        seconds, picture = _timed(lambda image=image: grey(image))  # type: ignore[misc]
        seconds_blank, _ = _timed(lambda picture=picture: blank(picture))  # type: ignore[misc]
        totals["preprocess"] += seconds + seconds_blank
        seconds, words = _timed(lambda picture=picture: engine.read(picture, 120))  # type: ignore[misc]
        totals["ocr"] += seconds
        started = time.perf_counter()
        text = repair("\n".join(line.text for line in reading_lines(words))).text
        scanner.scan_text("bench", TextUnit(text=text, first_line=None))
        totals["matching"] += time.perf_counter() - started
    count = max(1, len(images))
    return {stage: total / count for stage, total in totals.items()} | {"pages_timed": count}


NO_TEXT_PICTURES = 120


def make_no_text(folder: Path, count: int = NO_TEXT_PICTURES) -> None:
    """Pictures without text of every kind of scripts/make_ocr_fixtures.py's photo_like (photos, noise, gradients,
    textures, a large landscape, a logo), made once into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        image = forms.photo_like(seed)
        name = f"{seed:03d}_{forms.PHOTO_KINDS[seed % len(forms.PHOTO_KINDS)].replace(' ', '_')}"
        if image.mode == "RGBA":
            (folder / f"{name}.png").write_bytes(forms.png(image))
        else:
            (folder / f"{name}.jpg").write_bytes(forms.jpeg(image.convert("RGB"), 85))


def no_text_costs(folder: Path) -> list[float]:
    """CPU seconds (user and system, of this process: the machine is shared) to scan each picture without text
    alone, after one warm-up scan that loads the engine."""
    from detector.model import ScanOptions
    from detector.scanner import FileScanner

    scanner = FileScanner(ScanOptions(key=KEY, jobs=1))
    scanner.scan_file(str(next(iter(sorted((folder / "pictures").glob("card_*"))))))  # loads the engine
    plain = folder / "no-text"
    if len(list(plain.glob("*"))) < NO_TEXT_PICTURES:
        make_no_text(plain)
    costs = []
    for path in sorted(plain.iterdir()):
        started = time.process_time()
        scanner.scan_file(str(path))
        costs.append(time.process_time() - started)
    return costs


def _recall(document: dict[str, Any], planted: list[str]) -> str:
    found = {finding["fingerprint"] for finding in document.get("findings", [])}
    hit = len(found & set(planted))
    return f"{hit}/{len(planted)} planted people found ({hit / max(1, len(planted)):.1%}), " \
           f"{len(found - set(planted))} false"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/mynumber-bench/ocr"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--pictures", type=int, default=200)
    parser.add_argument("--sample", type=int, default=10, help="pages timed stage by stage")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    truth_file = args.dir / "truth.json"
    if args.regenerate or not truth_file.exists():
        started = time.perf_counter()
        truth = make_corpus(args.dir, args.pages, args.pictures)
        print(f"made {args.dir} in {time.perf_counter() - started:.0f} s")
    else:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    os.environ.setdefault("MYNUMBER_KEY", KEY.decode())

    print(f"cores: {os.cpu_count()}, --jobs {args.jobs}")
    pages = scan_folder(args.dir / "pages", args.jobs)
    print(f"pages: {args.pages} A4 at {DPI} dpi in {pages['wall']:.1f} s = {args.pages / pages['wall']:.2f} pages/s "
          f"(target >= 3); CPU {pages['cpu']:.1f} s ({pages['cpu'] / args.pages:.2f} s a page); peak memory of a "
          f"child {pages['peak_mib']:.0f} MiB; {_recall(pages['document'], truth['pages'])}")
    pictures = scan_folder(args.dir / "pictures", args.jobs)
    print(f"small pictures: {args.pictures} in {pictures['wall']:.1f} s = {args.pictures / pictures['wall']:.1f}/s; "
          f"CPU {pictures['cpu']:.1f} s; peak memory of a child {pictures['peak_mib']:.0f} MiB; "
          f"{_recall(pictures['document'], truth['pictures'])}")
    stages = stage_times(args.dir, args.sample)
    per_page = sum(value for stage, value in stages.items() if stage not in ("pages_timed", "render"))
    print(f"per page, one core, {stages['pages_timed']:.0f} pages: " + ", ".join(
        f"{stage} {value * 1000:.0f} ms" for stage, value in stages.items() if stage != "pages_timed")
        + f"; OCR is {stages['ocr'] / per_page:.0%} of a PNG page's time")
    costs = no_text_costs(args.dir)
    if costs:
        ranked = sorted(costs)
        p95 = ranked[min(len(ranked) - 1, round(0.95 * (len(ranked) - 1)))]
        print(f"a picture without text ({len(costs)} of {len(forms.PHOTO_KINDS)} kinds), scanned alone, CPU: median "
              f"{statistics.median(costs) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {max(costs) * 1000:.1f} ms, "
              f"{sum(cost >= 0.05 for cost in costs)} at 50 ms or more (target < 50 ms)")


if __name__ == "__main__":
    main()
