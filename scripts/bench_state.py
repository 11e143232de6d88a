#!/usr/bin/env python3
"""Benchmark, incremental scans, as ratios measured in the same run (these machines are noisy):

1. a scan of a 50,000-file tree with --state, then a second scan of the same, unchanged tree with the same state,
   and a third after 1% of the files changed. Target: the second takes under a tenth of the first.
2. an unchanged rescan of a 100,000-file tree against ``find DIR -printf '%T@ %s %i\\n'`` on the same tree (what a
   rescan must at least do: list every folder and stat every file), timed back to back. Target: within 2x.

With ``--compare CMD`` a second mynumber (another checkout) is timed the same way, interleaved with the first:

    python scripts/bench_state.py                 # 50,000 files of about 4 KB, and the 100,000-file rescan
    python scripts/bench_state.py --files 5000 --rounds 1 --find-files 0
    python scripts/bench_state.py --compare "env PYTHONPATH=/tmp/base python -m detector"
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
FIND_TARGET = 2.0
SETTLED_S = 2.1  # a remembered listing stands once made this long after its folder's last change


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


def tree_of(base: Path, count: int, file_kb: int) -> Path:
    """The benchmark tree of ``count`` files of about ``file_kb`` KB, made once and kept between runs."""
    tree = base / (f"files_{count}" if file_kb == 4 else f"files_{count}_{file_kb}kb")
    if not tree.exists():
        make_tree(tree, count, random.Random(20261122), max(1, file_kb * 45 // 4))
    return tree


def timed_scan(mynumber: list[str], tree: Path, state: Path) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    # Run from outside the checkout: ``python -m detector`` would otherwise import the package found there.
    out = subprocess.run([*mynumber, "scan", "--format", "json", "--state", str(state), str(tree)],
                         capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1, 3):
        raise SystemExit(f"scan failed: {out.stderr}")
    return elapsed, json.loads(out.stdout)["summary"]


def timed_find(tree: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["find", str(tree), "-printf", r"%T@ %s %i\n"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def second_scan_ratios(commands: dict[str, list[str]], tree: Path, files: int, rounds: int) -> None:
    """First scan, unchanged second scan, scan after 1% changed: each command in turn, round by round."""
    rng = random.Random(7)
    times: dict[str, tuple[list[float], list[float], list[float]]] = {name: ([], [], []) for name in commands}
    for round_number in range(rounds):
        for name, mynumber in in_turn(commands, round_number):
            with tempfile.TemporaryDirectory() as work:
                state = Path(work) / "state.db"
                first, summary_first = timed_scan(mynumber, tree, state)
                second, summary_second = timed_scan(mynumber, tree, state)
                assert summary_first == summary_second, "the incremental result differs from the full one"
                for path in rng.sample(sorted(tree.rglob("*.log")), max(1, files // 100)):
                    with path.open("a", encoding="utf-8") as handle:
                        handle.write("2026-11-02 INFO appended\n")
                third, _ = timed_scan(mynumber, tree, state)
            for series, value in zip(times[name], (first, second, third), strict=True):
                series.append(value)
    for name, series in times.items():
        first, second, third = (statistics.median(values) for values in series)
        ratio = second / first
        print(f"{name}: {files:,} files: first scan {first:.2f} s, unchanged second {second:.2f} s "
              f"(ratio {ratio:.3f}, target < {TARGET}: {'met' if ratio < TARGET else 'NOT met'}), "
              f"after 1% changed {third:.2f} s (ratio {third / first:.3f})")


def find_ratios(commands: dict[str, list[str]], tree: Path, rounds: int) -> None:
    """An unchanged rescan against find -printf on the same tree, back to back in each round; the median of the
    rounds' ratios. The state is made, then made again once its listings have settled, before the rounds."""
    files = sum(1 for _ in tree.rglob("*.log"))
    with tempfile.TemporaryDirectory() as work:
        states = {name: Path(work) / f"{index}.db" for index, name in enumerate(commands)}
        for name, mynumber in commands.items():
            timed_scan(mynumber, tree, states[name])
        time.sleep(SETTLED_S)
        for name, mynumber in commands.items():
            timed_scan(mynumber, tree, states[name])  # listings now remembered as settled
        rescans: dict[str, list[float]] = {name: [] for name in commands}
        finds: dict[str, list[float]] = {name: [] for name in commands}
        for round_number in range(rounds):
            for name, mynumber in in_turn(commands, round_number):
                finds[name].append(timed_find(tree))
                rescans[name].append(timed_scan(mynumber, tree, states[name])[0])
    for name in commands:
        ratio = statistics.median(r / f for r, f in zip(rescans[name], finds[name], strict=True))
        print(f"{name}: unchanged rescan of {files:,} files {statistics.median(rescans[name]):.3f} s, "
              f"find -printf {statistics.median(finds[name]):.3f} s (ratio {ratio:.2f}, target <= {FIND_TARGET}: "
              f"{'met' if ratio <= FIND_TARGET else 'NOT met'})")


def in_turn(commands: dict[str, list[str]], round_number: int) -> list[tuple[str, list[str]]]:
    """The commands, the first one first in even rounds and last in odd ones: neither always runs on a cache the
    other warmed."""
    ordered = list(commands.items())
    return ordered if round_number % 2 == 0 else ordered[::-1]


def mynumber_command(command: str | None) -> list[str]:
    if command:
        return command.split()
    beside = Path(sys.executable).with_name("mynumber")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "detector"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench/state-tree")
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file-kb", type=int, default=4,
                        help="about how large each file is (the target is measured with the default, 4 KB)")
    parser.add_argument("--find-files", type=int, default=100_000,
                        help="files of the tree the unchanged rescan is compared with find on (0: not measured)")
    parser.add_argument("--find-rounds", type=int, default=7)
    parser.add_argument("--mynumber", help="command to run mynumber (default: the one beside this Python)")
    parser.add_argument("--compare", help="a second mynumber command (another checkout), timed the same way")
    args = parser.parse_args()
    commands = {"mynumber": mynumber_command(args.mynumber)}
    if args.compare:
        commands = {"mynumber": commands["mynumber"], "compared": mynumber_command(args.compare)}
    base = Path(args.dir)
    if args.files:
        second_scan_ratios(commands, tree_of(base, args.files, args.file_kb), args.files, args.rounds)
    if args.find_files:
        find_ratios(commands, tree_of(base, args.find_files, 1), args.find_rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
