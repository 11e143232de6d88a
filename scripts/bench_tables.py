#!/usr/bin/env python3
"""Benchmark: large tables, the files a leak is most often made of, in time and memory.

Each round times, back to back on the same file, Python's csv module reading every row of it in a fresh process
(the floor any table reader in Python pays: decoding and parsing) and `mynumber scan FILE --jobs 2` in each
format asked for; the ratio is mynumber's wall over the csv module's, per round, then the median. The peak
resident memory of mynumber's process tree is taken each round, and its findings are checked against the
numbers planted.

Parts (generated once into --dir, seeded, reused while their size is unchanged):
  payroll.csv    a payroll export, 200,000 rows: 社員番号, 氏名, 個人番号, 支給額, a valid My Number on every row
                 (each one a finding at high confidence, by its column): what the reports and the people stage
                 cost a finding.
  customers.csv  a customer table of about 100 MB: id, name, kana, birth date, phone, mynumber, address; the
                 mynumber column filled on one row in 50, a phone number and a date on every row: what reading a
                 table dense with digits costs where few rows hold a number.

    python scripts/bench_tables.py                         # full size, json, csv and sarif of the payroll
    python scripts/bench_tables.py --scale 0.1 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import my_number, mynumber_command, timed_with_peak

PAYROLL_ROWS = 200_000
CUSTOMER_BYTES = 100 * 1024 * 1024
CSV_READ = ("import csv, sys\n"
            "with open(sys.argv[1], encoding='utf-8', newline='') as f:\n"
            "    sum(1 for _ in csv.reader(f))\n")


def make_payroll(path: Path, rows: int) -> int:
    rng = random.Random(17)
    lines = ["社員番号,氏名,個人番号,支給額\n"]
    lines += [f"{i},山田 太郎{i},{my_number(rng)},{rng.randrange(200_000, 900_000)}\n" for i in range(rows)]
    path.write_text("".join(lines), encoding="utf-8")
    return rows


def make_customers(path: Path, size: int) -> int:
    rng = random.Random(18)
    lines = ["id,name,kana,birth,phone,mynumber,address\n"]
    written, planted, i = 0, 0, 0
    while written < size:
        i += 1
        number = ""
        if rng.random() < 0.02:
            number, planted = my_number(rng), planted + 1
        line = (f"{i},山田 太郎{i},ヤマダ タロウ,19{rng.randrange(40, 99)}-{rng.randrange(1, 13):02d}-"
                f"{rng.randrange(1, 29):02d},0{rng.randrange(3, 9)}-{rng.randrange(1000, 9999)}-"
                f"{rng.randrange(1000, 9999)},{number},東京都千代田区{i % 9 + 1}丁目\n")
        lines.append(line)
        written += len(line.encode("utf-8"))
    path.write_text("".join(lines), encoding="utf-8")
    return planted


def corpus(base: Path, scale: float) -> dict[str, tuple[Path, int]]:
    """The two tables, made unless they are there at this scale; each with the number of findings expected."""
    base.mkdir(parents=True, exist_ok=True)
    marker = base / "corpus.json"
    made = json.loads(marker.read_text()) if marker.exists() else {}
    if made.get("scale") != scale:
        print("bench_tables: generating the tables", file=sys.stderr)
        for name in ("payroll", "customers"):
            (base / name).mkdir(exist_ok=True)
        made = {"scale": scale,
                "payroll": make_payroll(base / "payroll" / "payroll.csv", int(PAYROLL_ROWS * scale)),
                "customers": make_customers(base / "customers" / "customers.csv", int(CUSTOMER_BYTES * scale))}
        marker.write_text(json.dumps(made))
    return {"payroll": (base / "payroll", made["payroll"]), "customers": (base / "customers", made["customers"])}


def csv_module_time(folder: Path) -> float:
    (table,) = folder.glob("*.csv")
    starter = "import subprocess, sys, time; s = time.perf_counter(); subprocess.run(sys.argv[1:]); " \
              "print(time.perf_counter() - s)"
    done = subprocess.run([sys.executable, "-c", starter, sys.executable, "-c", CSV_READ, str(table)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench/tables")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mynumber", help="the command to run (default: the one beside this Python)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    parts = corpus(Path(args.dir), args.scale)
    mynumber = mynumber_command(args)
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    runs = [("payroll", "json"), ("payroll", "csv"), ("payroll", "sarif"), ("customers", "json")]
    figures: dict[str, Figures] = {}
    for rnd in range(args.rounds):
        for part, fmt in runs:
            folder, expected = parts[part]
            floor = csv_module_time(folder)
            elapsed, stdout, peak_kb = timed_with_peak([*mynumber, "scan", str(folder), "--jobs", "2", "--format",
                                                        fmt], env=env, ok=(0, 1, 3))
            entry = figures.setdefault(f"{part} {fmt}", Figures(expected=expected))
            entry.csv_module_s.append(floor)
            entry.mynumber_s.append(elapsed)
            entry.peak_mb.append(peak_kb / 1024)
            entry.findings = _findings(stdout, fmt)
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    print(f"\n{'part':<18} {'csv module':>11} {'mynumber':>10} {'ratio':>7} {'peak RSS':>10}  findings")
    for name, entry in figures.items():
        verdict = "all found" if entry.findings == entry.expected else f"EXPECTED {entry.expected}"
        floor, wall = statistics.median(entry.csv_module_s), statistics.median(entry.mynumber_s)
        print(f"{name:<18} {floor:>9.2f} s {wall:>8.2f} s {entry.ratio():>7.1f} {max(entry.peak_mb):>7.0f} MB  "
              f"{entry.findings:,} ({verdict})")
    if args.json:
        Path(args.json).write_text(json.dumps({name: {**asdict(entry), "ratio_mynumber_over_csv_module": entry.ratio(),
                                                      "per_round_ratios": entry.ratios()}
                                               for name, entry in figures.items()}, indent=2))


@dataclass
class Figures:
    """One part in one format, over the rounds."""

    expected: int
    findings: int = 0
    csv_module_s: list[float] = field(default_factory=list)
    mynumber_s: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [wall / floor for wall, floor in zip(self.mynumber_s, self.csv_module_s, strict=True)]

    def ratio(self) -> float:
        return statistics.median(self.ratios())


def _findings(output: bytes, fmt: str) -> int:
    text = output.decode("utf-8-sig")
    if fmt == "json":
        return int(json.loads(text)["summary"]["findings"])
    if fmt == "sarif":
        return len(json.loads(text)["runs"][0]["results"])
    return max(0, len(text.splitlines()) - 1)  # the csv report: a header row, then a row a finding


if __name__ == "__main__":
    main()
