#!/usr/bin/env python3
"""Benchmark, memory on a large tree: the peak RSS of a scan of 1,000,000 small files (200,000 of them pictures),
the whole process tree (the parent and its workers) together, against a baseline measured in the same run.

The tree (made once under /tmp/mynumber-bench/scale, reused when present): 1,000 folders of 1,000 files; in
each, 800 small text files (logs, CSV in UTF-8 and CP932, notes; one in 500 holds a My Number beside its
keyword) and 200 tiny pictures, PNG and JPEG, most of them plain (a blank page, a flat background, rejected
before the OCR engine is asked) and one in 100 a few shapes, one in 1,000 with a line of digits.

The peak is sampled by polling /proc for the sum of the RSS of the scan and all its descendants (what the
machine must hold at once), and the largest single process is reported too. The baseline is the RSS of a process
that only imports the pipeline: what is left over is what the tree's size costs.

    python scripts/bench_scale.py                     # build (or reuse) the tree, scan it with OCR on
    python scripts/bench_scale.py --no-ocr            # pictures listed as unscanned: 200,000 entries, capped
    python scripts/bench_scale.py --files 20000       # a smaller tree of the same kind (for a quick look)
    python scripts/bench_scale.py --build-only
    python scripts/bench_scale.py --extra "--state /tmp/scale.db"    # twice: the first scan, then a rescan
    PYTHONPATH=/tmp/base python scripts/bench_scale.py --no-ocr       # another checkout's scan, the same way
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.mynumber import calc_check_digit  # noqa: E402

TARGET_MB = 300
BASE = Path("/tmp/mynumber-bench/scale")
PER_FOLDER = 1000
PICTURES_PER_FOLDER = 200
POLL_S = 0.05


def _my_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + str(calc_check_digit(body))


def _pictures(rng: random.Random) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    """Encoded tiny pictures: plain ones, ones with shapes, ones with a line of digits (suffix, bytes)."""
    from PIL import Image, ImageDraw

    def encoded(image: Image.Image, suffix: str) -> tuple[str, bytes]:
        out = io.BytesIO()
        image.save(out, format="PNG" if suffix == ".png" else "JPEG", quality=80)
        return suffix, out.getvalue()

    plain, shapes, digits = [], [], []
    for index in range(40):
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        size = (rng.randrange(16, 96), rng.randrange(16, 96))
        plain.append(encoded(Image.new("RGB", size, colour), ".png" if index % 2 else ".jpg"))
        picture = Image.new("RGB", (96, 64), colour)
        draw = ImageDraw.Draw(picture)
        for _ in range(3):
            x, y = rng.randrange(80), rng.randrange(48)
            draw.ellipse((x, y, x + rng.randrange(8, 40), y + rng.randrange(8, 30)), fill=(0, 0, 0))
        shapes.append(encoded(picture, ".png" if index % 2 else ".jpg"))
        picture = Image.new("L", (240, 40), 255)
        ImageDraw.Draw(picture).text((4, 12), f"No. {_my_number(rng)}", fill=0)
        digits.append(encoded(picture, ".png"))
    return plain, shapes, digits


def _text_file(index: int, rng: random.Random) -> tuple[str, bytes]:
    """A small text file (name suffix, bytes): a log, a CSV (UTF-8 or CP932) or a note."""
    number = f"個人番号 {_my_number(rng)}" if index % 500 == 0 else f"社員番号 {rng.randrange(10**5, 10**6)}"
    kind = index % 4
    if kind == 0:
        lines = [f"2026-11-01 10:{i:02d}:00 INFO user={rng.randrange(10**7, 10**8)} action=login" for i in range(8)]
        return ".log", ("\n".join([*lines, number]) + "\n").encode()
    if kind == 1:
        rows = ["氏名,部署,内線", *(f"社員{i},総務部,{rng.randrange(1000, 9999)}" for i in range(5)), f"備考,{number},"]
        return ".csv", ("\n".join(rows) + "\n").encode("cp932" if index % 8 == 1 else "utf-8")
    if kind == 2:
        return ".txt", f"議事録 第{index}回\n出席者 5名\n{number}\n".encode()
    return ".json", json.dumps({"id": index, "note": number}, ensure_ascii=False).encode()


def build(tree: Path, files: int) -> None:
    """``files`` files in folders of PER_FOLDER (a fifth of each folder pictures), made in a sibling folder and
    renamed into place at the end, so a tree that exists is whole."""
    rng = random.Random(20261203)
    plain, shapes, digits = _pictures(rng)
    partial = tree.with_name(tree.name + ".partial")
    for index in range(files):
        folder = partial / f"d{index // (PER_FOLDER * 10):03d}" / f"s{index // PER_FOLDER % 10}"
        position = index % PER_FOLDER
        if position == 0:
            folder.mkdir(parents=True, exist_ok=True)
        if position < PICTURES_PER_FOLDER:
            pool = digits if index % 1000 == 0 else shapes if index % 100 == 0 else plain
            suffix, data = pool[index % len(pool)]
            name = f"IMG_{index:07d}{suffix}"
        else:
            suffix, data = _text_file(index, rng)
            name = f"{'社員名簿' if index % 50 == 0 else 'file'}_{index:07d}{suffix}"
        (folder / name).write_bytes(data)
    partial.rename(tree)


def tree_of(files: int) -> Path:
    tree = BASE if files == 1_000_000 else BASE.with_name(f"scale_{files}")
    if not tree.exists():
        started = time.perf_counter()
        print(f"building {tree} ({files:,} files)...", file=sys.stderr, flush=True)
        build(tree, files)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return tree


FIELDS = (b"Rss:", b"Pss:", b"Pss_Anon:")


def _memory_kb(pid: int) -> tuple[int, int, int]:
    """A process's RSS, PSS and the anonymous part of its PSS, in KiB (0s for a process gone). RSS counts every
    page a process maps, shared or not: summed over a parent and the workers it forked, the pages they still share
    are counted once per process, and so are the pages of a mapped file (the state's SQLite, mapped for speed),
    which the kernel may drop at any time. PSS shares each page among the processes mapping it; its anonymous
    part is the memory the scan itself holds."""
    found = dict.fromkeys(FIELDS, 0)
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                name = line.split(maxsplit=1)[0] if line.strip() else b""
                if name in found:
                    found[name] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return found[b"Rss:"], found[b"Pss:"], found[b"Pss_Anon:"]


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from each process's children list in /proc."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", "rb") as children:
                    stack.extend(int(child) for child in children.read().split())
            except (OSError, ValueError):
                continue
    return found


class Peaks(NamedTuple):
    """The peaks of a run, in KiB: of the whole tree's RSS summed, of one process's RSS, of the tree's PSS summed
    and of its anonymous part."""

    tree_rss: int
    single_rss: int
    tree_pss: int
    tree_anonymous: int


def peak_memory(command: list[str], env: dict[str, str]) -> tuple[Peaks, int, float, str]:
    """Run ``command``; (its peaks, exit status, CPU seconds of the tree, stdout), sampled every POLL_S
    seconds."""
    with tempfile.TemporaryFile() as out:
        before = os.times()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env,
                                   cwd=tempfile.gettempdir())
        peaks = [0, 0, 0, 0]
        while process.poll() is None:
            sizes = [_memory_kb(pid) for pid in _descendants(process.pid)]
            sampled = (sum(rss for rss, _, _ in sizes), max((rss for rss, _, _ in sizes), default=0),
                       sum(pss for _, pss, _ in sizes), sum(anonymous for _, _, anonymous in sizes))
            peaks = [max(peak, value) for peak, value in zip(peaks, sampled, strict=True)]
            time.sleep(POLL_S)
        after = os.times()
        out.seek(0)
        cpu = after.children_user - before.children_user + after.children_system - before.children_system
        return Peaks(*peaks), process.returncode, cpu, out.read().decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--no-ocr", action="store_true", help="scan with --no-ocr (pictures listed as unscanned)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--extra", default="", help="more scan options, space separated")
    args = parser.parse_args()
    tree = tree_of(args.files)
    if args.build_only:
        return
    python = sys.executable
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    baseline, _, _, _ = peak_memory([python, "-c", "import detector.pipeline, time; time.sleep(1)"], env)
    command = [python, "-m", "detector", "scan", "--format", "json", "--jobs", str(args.jobs), *args.extra.split()]
    if args.no_ocr:
        command.append("--no-ocr")
    started = time.perf_counter()
    peaks, status, cpu, out = peak_memory([*command, str(tree)], env)
    elapsed = time.perf_counter() - started
    summary = json.loads(out)["summary"] if out.strip().startswith("{") else {}
    print(f"tree: {args.files:,} files ({tree})")
    print(f"scan: {' '.join(command[2:])}: exit {status}, {elapsed:.0f} s wall, {cpu:.0f} s CPU")
    print(f"files scanned {summary.get('files_scanned')}, unscanned {summary.get('unscanned')}, "
          f"unscanned left out {summary.get('unscanned_left_out')}")
    print(f"baseline (import detector.pipeline): RSS {baseline.tree_rss / 1024:.0f} MB")
    print(f"peak RSS, whole tree: {peaks.tree_rss / 1024:.0f} MB; largest process: {peaks.single_rss / 1024:.0f} MB "
          f"(target: tree under {TARGET_MB} MB)")
    print(f"peak PSS, whole tree: {peaks.tree_pss / 1024:.0f} MB, "
          f"of which anonymous {peaks.tree_anonymous / 1024:.0f} MB")
    print("PASS" if peaks.tree_rss / 1024 < TARGET_MB else "FAIL")


if __name__ == "__main__":
    main()
