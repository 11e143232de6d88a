#!/usr/bin/env python3
"""How fast `mynumber exposure` reads access logs: a synthetic combined log (2 GB by default) with a realistic mix
of requests (pages, assets, an API with query strings, bots, 404s; a few requests for the exposed files, some in
lower-case percent-encoding), read by the library's :func:`detector.access.collect_exposure` with the fast
(hyperscan) line filter and, with ``--plain``, the plain (``re``) one too, against baselines measured in the same
run on the same file: ``cat FILE > /dev/null`` and ``grep -F -c NAME FILE``.

    python scripts/bench_exposure.py                 # 2 GB in a temporary folder, removed afterwards
    python scripts/bench_exposure.py --size 200M --plain --keep /tmp/bench-access.log

CPU seconds (user + system) decide (the machine is shared); wall seconds and MB/s are shown beside them. The
figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.access import collect_exposure  # noqa: E402
from detector.access.urls import UrlMapping  # noqa: E402
from detector.model import Confidence, Finding, Location  # noqa: E402
from detector.rules import load_rules  # noqa: E402

WEBROOT = "/srv/www/htdocs"
EXPOSED = ["files/応募者一覧.xlsx", "files/2026/list.csv", "old/名簿(旧).pdf"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.4.0", "python-requests/2.31.0",
]
PAGES = ["/", "/index.html", "/news/", "/about/company.html", "/recruit/", "/contact/form.php", "/favicon.ico",
         "/robots.txt", "/sitemap.xml"]
ASSETS = ["/css/site.css", "/js/app.min.js", "/img/logo.png", "/img/banner-2026.jpg", "/fonts/noto.woff2"]


def _line(rng: random.Random, target: str, status: int) -> str:
    client = (f"{rng.choice((203, 198, 192, 10))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")
    day = rng.randrange(1, 29)
    return (f'{client} - - [{day:02d}/Nov/2026:{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} '
            f'+0900] "GET {target} HTTP/1.1" {status} {rng.randrange(200, 300_000)} "https://example.jp/" '
            f'"{rng.choice(AGENTS)}"\n')


def _targets(rng: random.Random) -> list[tuple[str, int]]:
    """A pool of targets in a realistic mix; the exposed files are a few of thousands."""
    pool: list[tuple[str, int]] = []
    pool += [(page, 200) for page in PAGES for _ in range(40)]
    pool += [(asset, rng.choice((200, 200, 304))) for asset in ASSETS for _ in range(80)]
    pool += [(f"/api/v1/items?id={rng.randrange(10**6)}&page={rng.randrange(50)}", 200) for _ in range(600)]
    pool += [(f"/news/2026/{rng.randrange(1, 400)}.html", 200) for _ in range(600)]
    pool += [(f"/wp-login.php?redirect_to={rng.randrange(10**6)}", 404) for _ in range(50)]
    pool += [("/" + quote(path), 200) for path in EXPOSED]
    pool += [("/" + quote(EXPOSED[0]).lower(), 206)]
    return pool


def make_log(path: Path, size: int, seed: int = 20) -> int:
    """Write about ``size`` bytes of combined log to ``path``; the number of lines asking for an exposed file."""
    rng = random.Random(seed)
    pool = _targets(rng)
    lines = [_line(rng, *rng.choice(pool)) for _ in range(200_000)]
    exposed_targets = (*("/" + quote(path) for path in EXPOSED), "/" + quote(EXPOSED[0]).lower())
    exposed_lines = sum(1 for line in lines if any(t in line for t in exposed_targets))
    chunk = "".join(lines).encode()
    written = repeats = 0
    with open(path, "wb") as out:
        while written < size:
            out.write(chunk)
            written += len(chunk)
            repeats += 1
    return exposed_lines * repeats


def cpu_seconds_of(action: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds of this process and its children, wall seconds) of ``action``."""
    before, children_before, wall = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    action()
    after, children_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(after, f) - getattr(before, f) + getattr(children_after, f) - getattr(children_before, f)
              for f in ("ru_utime", "ru_stime"))
    return cpu, time.perf_counter() - wall


def findings() -> list[Finding]:
    return [Finding(path=f"{WEBROOT}/{path}", location=Location(line=index + 1), masked="********9018",
                    fingerprint=f"{index:064x}", confidence=Confidence.HIGH, public=True, reasons=("bare",))
            for index, path in enumerate(EXPOSED * 2)]


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2G", help="size of the synthetic log (default 2G)")
    parser.add_argument("--plain", action="store_true", help="also time the plain (re) line filter")
    parser.add_argument("--keep", metavar="FILE", help="write the log to FILE and keep it (reused if it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        path = Path(args.keep) if args.keep else Path(temp) / "access.log"
        if not path.exists():
            print(f"writing {args.size} of synthetic combined log to {path} ...", flush=True)
            make_log(path, parse_size(args.size))
        megabytes = os.path.getsize(path) / 1e6
        rules = load_rules()
        mapping = [UrlMapping.parse(f"{WEBROOT}=https://example.jp/")]

        def exposure(fast: bool) -> Callable[[], object]:
            return lambda: collect_exposure(findings(), [str(path)], mapping, (), rules.crawlers, fast=fast)

        runs: list[tuple[str, Callable[[], object]]] = [
            ("cat FILE > /dev/null", lambda: subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)),
            # stdout a pipe: GNU grep stops at the first match when it writes to /dev/null
            ("grep -F -c list.csv FILE", lambda: subprocess.run(["grep", "-F", "-c", "list.csv", str(path)],
                                                                 stdout=subprocess.PIPE, check=False)),
            ("mynumber exposure (fast filter)", exposure(True)),
        ]
        if args.plain:
            runs.append(("mynumber exposure (plain filter)", exposure(False)))
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        results = {name: cpu_seconds_of(run) for name, run in runs}
        evidence = collect_exposure(findings(), [str(path)], mapping, (), rules.crawlers)
        print(f"log: {megabytes:,.0f} MB, {sum(log.lines for log in evidence.logs):,} lines, "
              f"{sum(f.requests for f in evidence.files):,} requests returned an exposed file")
        print(f"{'':34} {'CPU s':>8} {'wall s':>8} {'MB/s (CPU)':>11} {'MB/s (wall)':>12}")
        for name, (cpu, wall) in results.items():
            print(f"{name:34} {cpu:8.2f} {wall:8.2f} {megabytes / max(cpu, 1e-9):11,.0f} "
                  f"{megabytes / max(wall, 1e-9):12,.0f}")
        fast_cpu = results["mynumber exposure (fast filter)"][0]
        for baseline in ("cat FILE > /dev/null", "grep -F -c list.csv FILE"):
            print(f"exposure / {baseline}: {fast_cpu / max(results[baseline][0], 1e-9):.2f}x the CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
