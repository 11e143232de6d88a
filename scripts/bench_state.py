#!/usr/bin/env python3
"""Benchmark, incremental scans: a scan of a 50,000-file tree with --state, then a second scan of the same,
unchanged tree with the same state, and a third after 1% of the files changed. Target: the second takes under
a tenth of the first. Printed as ratios of the same run (these machines are noisy).

    python scripts/bench_state.py                 # 50,000 files of about 4 KB
    python scripts/bench_state.py --files 5000 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.mynumber import calc_check_digit  # noqa: E402

TARGET = 0.1


def make_tree(folder: Path, count: int, rng: random.Random, lines_per_file: int = 45) -> None:
    for index in range(count):
        sub = folder / f"dir{index // 1000:03d}"
        if index % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        lines = [f"2026-11-01 10:{i % 60:02d} INFO user={rng.randrange(10**7, 10**8)} action=login "
                 f"id={rng.randrange(10**9, 10**10)}" for i in range(lines_per_file)]
        if index % 997 == 0:
            body = "".join(rng.choice("0123456789") for _ in range(11))
            lines.append(f"個人番号 {body}{calc_check_digit(body)}")
        (sub / f"note{index:06d}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed_scan(tree: Path, state: Path) -> tuple[float, dict[str, object]]:
    mynumber = Path(sys.executable).with_name("mynumber")
    command = [str(mynumber)] if mynumber.exists() else [sys.executable, "-m", "detector"]
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    out = subprocess.run([*command, "scan", "--format", "json", "--state", str(state), str(tree)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1, 3):
        raise SystemExit(f"scan failed: {out.stderr}")
    return elapsed, json.loads(out.stdout)["summary"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench/state-tree")
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file-kb", type=int, default=4,
                        help="about how large each file is (the target is measured with the default, 4 KB)")
    args = parser.parse_args()
    lines_per_file = max(1, args.file_kb * 45 // 4)
    tree = Path(args.dir) / (f"files_{args.files}" if args.file_kb == 4 else f"files_{args.files}_{args.file_kb}kb")
    if not tree.exists():
        make_tree(tree, args.files, random.Random(20261122), lines_per_file)
    rng = random.Random(7)
    firsts, seconds, changed = [], [], []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as work:
            state = Path(work) / "state.db"
            first, summary_first = timed_scan(tree, state)
            second, summary_second = timed_scan(tree, state)
            assert summary_first == summary_second, "the incremental result differs from the full one"
            for path in rng.sample(sorted(tree.rglob("*.log")), max(1, args.files // 100)):
                with path.open("a", encoding="utf-8") as handle:
                    handle.write("2026-11-02 INFO appended\n")
            third, _ = timed_scan(tree, state)
            firsts.append(first)
            seconds.append(second)
            changed.append(third)
    first, second, third = (statistics.median(v) for v in (firsts, seconds, changed))
    ratio = second / first
    print(f"{args.files:,} files of about {args.file_kb} KB: first scan {first:.2f} s, unchanged second {second:.2f} s "
          f"(ratio {ratio:.3f}, target < {TARGET}: {'met' if ratio < TARGET else 'NOT met'}), "
          f"after 1% changed {third:.2f} s (ratio {third / first:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
