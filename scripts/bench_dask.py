#!/usr/bin/env python3
"""Benchmark, distributed scans: the same tree scanned locally and on a Dask ``LocalCluster`` of 1 and 2 worker
processes (one thread each), with wall time, files and MB per second, and CPU seconds (user+sys) of the client and
of the workers; each Dask result is checked against the local one (the same document but for times and id).

    python scripts/bench_dask.py                                   # 20,000 files of the bench's small-file tree
    python scripts/bench_dask.py /tmp/mynumber-bench/logs          # a few large logs
    python scripts/bench_dask.py --workers 1 2 4 --rounds 3 TREE

On a shared machine wall time says little: compare CPU seconds, and read files per second with the load beside it
(printed). docs/scale.md has the figures and what limits throughput on real hosts.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.dask_scan import DaskRunner  # noqa: E402
from detector.model import ScanOptions  # noqa: E402
from detector.pipeline import scan_paths  # noqa: E402

KEY = "bench-dask-key"
SMALL_FILES = Path("/tmp/mynumber-bench/files")


def default_roots() -> list[str]:
    if not SMALL_FILES.is_dir():
        sys.exit(f"{SMALL_FILES} is missing: give a tree to scan (scripts/bench.py builds the bench's corpora)")
    return [str(folder) for folder in sorted(SMALL_FILES.iterdir())[:20]]


def own_cpu() -> float:
    """CPU seconds of this process and the children it waited for (a local pool's workers)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(part.ru_utime + part.ru_stime for part in usage)


def worker_cpu() -> float:
    """Run on a worker: its process's CPU seconds so far."""
    times = os.times()
    return times.user + times.system


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    scan = {name: value for name, value in document["scan"].items()
            if name not in {"started", "finished", "duration_seconds", "scan_id"}}
    return {**document, "scan": scan}


def line(label: str, seconds: float, client: float, workers: float, files: int, size: int) -> str:
    return (f"{label:<22} {seconds:7.2f} s wall  {files / seconds:8.0f} files/s  {size / seconds / 2**20:6.1f} MB/s  "
            f"CPU client {client:6.2f} s  workers {workers:6.2f} s  total {client + workers:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="*")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    roots = args.roots or default_roots()
    os.environ["MYNUMBER_KEY"] = KEY  # the workers' key, as docs/scale.md sets it on worker hosts
    options = ScanOptions(key=KEY.encode(), jobs=1)
    import distributed  # after the key: LocalCluster's workers inherit the environment

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; roots: {len(roots)}")
    for _ in range(args.rounds):
        for jobs in (1, 2):
            cpu, start = own_cpu(), time.perf_counter()
            local = scan_paths(roots, options._replace(jobs=jobs))
            print(line(f"local --jobs {jobs}", time.perf_counter() - start, own_cpu() - cpu, 0.0,
                       local.files_scanned, local.bytes_scanned))
        expected = comparable(local.to_json())
        for count in args.workers:
            with distributed.LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                          dashboard_address=":0") as cluster, \
                    DaskRunner(cluster.scheduler_address) as runner:
                before = runner.client.run(worker_cpu)
                cpu, start = own_cpu(), time.perf_counter()
                result = scan_paths(roots, options, runner=runner)
                seconds = time.perf_counter() - start
                spent = sum(runner.client.run(worker_cpu).values()) - sum(before.values())
                same = "same result" if comparable(result.to_json()) == expected else "RESULT DIFFERS"
                print(line(f"dask {count} worker(s)", seconds, own_cpu() - cpu, spent, result.files_scanned,
                           result.bytes_scanned), same)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
