#!/usr/bin/env python3
"""Benchmark, watch: latency from a file's close to its finding event, and a burst of files created at once.

  latency  median and 95th percentile, native observer (target < 0.5 s) and polling observer
           (target < the poll interval + 0.5 s), over files written in one go while the watcher runs
  burst    10,000 files created at once: seconds until every one is processed, files/s, and a check that the
           watcher then holds exactly what a fresh scan of the same tree finds; peak memory (VmHWM)

    python scripts/bench_watch.py
    python scripts/bench_watch.py --samples 20 --burst 2000
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.mynumber import calc_check_digit  # noqa: E402
from detector.pipeline import ScanOptions, scan_paths  # noqa: E402
from detector.watch import Supervised, Watcher, WatchOptions  # noqa: E402

KEY = b"bench-watch"


def number(seed: int) -> str:
    body = f"{seed:011d}"[-11:]
    body = str(1 + seed % 9) + body[1:]
    return body + calc_check_digit(body)


class Session:
    def __init__(self, root: Path, poll: float | None) -> None:
        self.seen: dict[str, float] = {}
        self.lock = threading.Lock()
        options = WatchOptions(ScanOptions(key=KEY), poll=poll, settle=0.3)
        self.watcher = Watcher([str(root)], options, self._emit)
        self.supervised = Supervised(self.watcher, [str(root)], poll)
        self.watcher.start()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop, self.supervised.check),
                                       daemon=True)
        self.thread.start()

    def _emit(self, event: dict[str, Any]) -> None:
        if event["event"] == "finding":
            with self.lock:
                self.seen.setdefault(event["path"], time.monotonic())

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        self.supervised.stop()
        self.watcher.close()


def latency(poll: float | None, samples: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        session = Session(root, poll)
        delays = []
        try:
            for index in range(samples):
                path = root / f"l{index:04d}.txt"
                with path.open("w", encoding="utf-8") as handle:
                    handle.write(f"個人番号 {number(index + 1)}\n")
                closed = time.monotonic()
                deadline = closed + (poll or 0) + 10
                while time.monotonic() < deadline:
                    with session.lock:
                        if str(path) in session.seen:
                            delays.append(session.seen[str(path)] - closed)
                            break
                    time.sleep(0.001)
                time.sleep(0.05)
        finally:
            session.close()
    delays.sort()
    return statistics.median(delays), delays[max(0, int(len(delays) * 0.95) - 1)]


def burst(count: int) -> tuple[float, bool, int]:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        session = Session(root, None)
        try:
            started = time.monotonic()
            for index in range(count):
                folder = root / f"d{index // 500:03d}"
                if index % 500 == 0:
                    folder.mkdir()
                text = f"個人番号 {number(10_000 + index)}\n" if index % 10 == 0 else f"memo {index}\n"
                (folder / f"f{index:05d}.txt").write_text(text, encoding="utf-8")
            expected = count // 10 + (1 if count % 10 else 0)
            while time.monotonic() - started < 600:
                with session.lock:
                    if len(session.seen) >= expected and not session.watcher.pending:
                        break
                time.sleep(0.01)
            elapsed = time.monotonic() - started
            time.sleep(1)
            held = session.watcher.current()
        finally:
            session.close()
        fresh = scan_paths([str(root)], ScanOptions(key=KEY, jobs=1))
        same = ({(f.path, f.fingerprint) for f in held.findings} == {(f.path, f.fingerprint) for f in fresh.findings}
                and held.files_scanned == fresh.files_scanned == count)
    peak = int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))  # type: ignore[union-attr]
    return elapsed, same, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args()
    median, p95 = latency(None, args.samples)
    print(f"latency, native observer: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
          f"(target < 500 ms: {'met' if p95 < 0.5 else 'NOT met'})")
    median, p95 = latency(args.poll, max(5, args.samples // 5))
    limit = args.poll + 0.5
    print(f"latency, polling every {args.poll:g} s: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
          f"(target < {limit * 1000:.0f} ms: {'met' if p95 < limit else 'NOT met'})")
    elapsed, same, peak = burst(args.burst)
    print(f"burst of {args.burst:,} files: all processed in {elapsed:.1f} s ({args.burst / elapsed:,.0f} files/s); "
          f"same as a fresh scan: {'yes' if same else 'NO'}; peak memory {peak // 1024} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
