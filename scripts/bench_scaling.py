#!/usr/bin/env python3
"""Benchmark: how a scan scales from one process to two, on many large files and on one huge file.

These machines are noisy, so each round times `--jobs 1` and `--jobs 2` back to back on the same folder and the
speed-up (wall at `--jobs 1` over wall at `--jobs 2`) is taken per round, then the median. On a 2-core machine
a part that uses both cores reaches about 1.5-1.9 (the parent's start and the joining are not shared); one that
does not stays near 1.0. Each round also checks that both give the same findings and summary.

Parts (generated once into --dir, seeded):
  many-large/    the ASCII logs of scripts/bench.py (8 files of about 62 MB): one file a batch.
  huge-ascii/    one ASCII log of 512 MB: read as parts by both workers.
  huge-late-jp/  the same log with Japanese lines (UTF-8, some with numbers and keywords) from 60% of the file on,
                 one in 2,000 lines: its first block is ASCII, so the parts meeting Japanese are read again in
                 its encoding (detector/parts.py), by both workers.
  huge-cp932/    512 MB of dense Japanese office text in CP932 (scripts/bench.py's generator).

    python scripts/bench_scaling.py                   # full size (about 2 GB of corpus)
    python scripts/bench_scaling.py --scale 0.1 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import japanese_dense_text, make_logs, my_number, mynumber_command

PARTS = ("many-large", "huge-ascii", "huge-late-jp", "huge-cp932")


def ascii_log_lines(rng: random.Random, count: int) -> list[str]:
    """Application log lines with long ids, as scripts/bench.py's logs, without planted numbers."""
    lines = []
    for second in range(count):
        stamp = f"2026-12-03T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        lines.append(f"{stamp} INFO [req-{rng.randrange(10**13, 10**14)}] GET /api/v1/items/{rng.randrange(99999)} "
                     f"status=200 session={rng.randrange(10**15, 10**16)} took={rng.randrange(900)}ms\n")
    return lines


def japanese_line(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"2026-12-03T09:00:00 WARN 顧客メモ: 個人番号 {my_number(rng)} の登録を確認 担当=山田\n"
    return "2026-12-03T09:00:00 INFO 東京都千代田区の支店から申請書を受け付けました\n"


def make_huge_log(path: Path, size: int, seed: int, japanese_from: float | None) -> None:
    """An ASCII log of about ``size`` bytes written in slices; from ``japanese_from`` of it on (None: never), one
    line in 2,000 Japanese."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            lines = ascii_log_lines(rng, 20_000)
            if japanese_from is not None and written >= size * japanese_from:
                for index in range(0, len(lines), 2_000):
                    lines[index + rng.randrange(2_000)] = japanese_line(rng)
            text = "".join(lines)
            out.write(text)
            written += len(text.encode("utf-8"))


def make_huge_cp932(path: Path, size: int) -> None:
    rng = random.Random(17)
    path.parent.mkdir(parents=True, exist_ok=True)
    planted: list[str] = []
    with path.open("wb") as out:
        written = 0
        while written < size:
            data = japanese_dense_text(rng, 8_000_000, planted).encode("cp932", errors="replace")
            out.write(data)
            written += len(data)


def corpus(base: Path, scale: float) -> dict[str, Path]:
    """The parts' folders, each generated once for its scale (a marker file holds it)."""
    folders = {name: base / name for name in PARTS}
    marker = base / "scale.json"
    if marker.exists() and json.loads(marker.read_text()) == {"scale": scale}:
        return folders
    size = int(512e6 * scale)
    make_logs(folders["many-large"], 500 * scale, random.Random(1))
    make_huge_log(folders["huge-ascii"] / "app.log", size, 2, None)
    make_huge_log(folders["huge-late-jp"] / "app.log", size, 2, 0.6)
    make_huge_cp932(folders["huge-cp932"] / "台帳.txt", size)
    marker.write_text(json.dumps({"scale": scale}))
    return folders


def scan(mynumber: list[str], folder: Path, jobs: int, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    done = subprocess.run([*mynumber, "scan", str(folder), "--jobs", str(jobs), "--format", "json",
                           "--min-confidence", "low"], env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1, 3, 5):
        raise RuntimeError(f"scan failed ({done.returncode}): {done.stderr[-500:].decode(errors='replace')}")
    return elapsed, json.loads(done.stdout)


def same(one: dict[str, object], two: dict[str, object]) -> bool:
    """Findings and the summary's counts (not its times) of two scans."""
    def counts(doc: dict[str, object]) -> dict[str, object]:
        summary = doc["summary"]
        assert isinstance(summary, dict)
        return {key: value for key, value in summary.items() if "time" not in key and "second" not in key}
    return one["findings"] == two["findings"] and counts(one) == counts(two)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench/scaling", help="corpus folder (kept between runs)")
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size factor (1.0: full size)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--mynumber", help="command to run mynumber (default: the one beside this Python)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    folders = corpus(Path(args.dir), args.scale)
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real installation has its bytecode compiled
    mynumber = mynumber_command(args)
    results = {}
    print(f"{'part':<14} {'MB':>7} {'jobs 1 s':>9} {'jobs 2 s':>9} {'speed-up':>9}  same findings")
    for name in args.only.split(","):
        folder = folders[name]
        megabytes = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6
        subprocess.run(["cat", *map(str, folder.rglob("*"))], stdout=subprocess.DEVNULL, check=False)  # cached
        walls: dict[int, list[float]] = {1: [], 2: []}
        agree = True
        for _ in range(args.rounds):
            documents = {}
            for jobs in (1, 2):
                elapsed, documents[jobs] = scan(mynumber, folder, jobs, env)
                walls[jobs].append(elapsed)
            agree = agree and same(documents[1], documents[2])
        speedups = [one / two for one, two in zip(walls[1], walls[2], strict=True)]
        speedup = statistics.median(speedups)
        print(f"{name:<14} {megabytes:>7,.0f} {statistics.median(walls[1]):>9.2f} {statistics.median(walls[2]):>9.2f} "
              f"{speedup:>9.2f}  {'yes' if agree else 'NO'}")
        results[name] = {"megabytes": megabytes, "wall_jobs_1": walls[1], "wall_jobs_2": walls[2],
                         "speedup_median": speedup, "same_findings": agree}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if not all(result["same_findings"] for result in results.values()):
        sys.exit("bench_scaling: --jobs 1 and --jobs 2 gave different findings")


if __name__ == "__main__":
    main()
