"""watch --metrics: Prometheus metrics from the watcher's exposure (people by each metric of exposure.METRICS,
files with findings, events by kind, last scan time, observer restarts) and a health endpoint, on loopback by
default; scraped over HTTP from a running watch."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from detector import exposure
from detector.errors import UsageError
from detector.model import Confidence
from detector.pipeline import ScanOptions
from detector.watch import Watcher, WatchOptions
from detector.watch.metrics import WatchCollector, parse_address

from .conftest import valid_number

NUMBERS = [valid_number(9700 + i) for i in range(3)]


def scrape(base: str, path: str = "/metrics") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def samples(text: str) -> dict[str, float]:
    """Each sample as ``name{label="value"}`` -> value, read with the official client's parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


class WatchProcess:
    """``mynumber watch ROOT --metrics 127.0.0.1:0``, its address read from its log."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.log = tmp / "watch.err"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "detector", "watch", str(root), "--public", str(root / "www"), "--metrics",
             "127.0.0.1:0", "-v", "-o", str(tmp / "events.jsonl")],
            stderr=self.log.open("wb"), env={**os.environ, "MYNUMBER_KEY": "metrics-test"})
        self.base = self._address()

    def _address(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"serving metrics on (http://127\.0\.0\.1:\d+)/metrics", self.log.read_text())
            if found:
                return found.group(1)
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError("the metrics server did not start: " + self.log.read_text())

    def wait_for(self, name: str, value: float, timeout: float = 20) -> dict[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            values = samples(scrape(self.base)[1])
            if values.get(name) == value or time.monotonic() > deadline:
                return values
            time.sleep(0.1)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[tuple[WatchProcess, Path]]:
    root = tmp_path / "share"
    (root / "www").mkdir(parents=True)
    running = WatchProcess(root, tmp_path)
    yield running, root
    if running.process.poll() is None:
        running.stop()


def test_a_running_watch_serves_its_figures(watching: tuple[WatchProcess, Path]) -> None:
    running, root = watching
    status, body = scrape(running.base, "/healthz")
    assert (status, body) == (200, '{"status": "ok"}')
    before = samples(scrape(running.base)[1])
    assert before["mynumber_distinct_people"] == 0 and before["mynumber_files_with_findings"] == 0
    assert before['mynumber_events_total{event="assessment"}'] == 1  # the first assessment
    (root / "hr.csv").write_text(f"氏名,個人番号\n山田,{NUMBERS[0]}\n佐藤,{NUMBERS[1]}\n", encoding="utf-8")
    (root / "www" / "form.txt").write_text(f"個人番号 {NUMBERS[2]}\n", encoding="utf-8")
    (root / "clean.txt").write_text("nothing\n", encoding="utf-8")
    values = running.wait_for("mynumber_distinct_people", 3)
    assert values["mynumber_distinct_people"] == 3
    assert values["mynumber_public_distinct_people"] == 1
    assert values["mynumber_confirmed_public_distinct_people"] == 1  # --public is the admin's statement
    assert values["mynumber_files_with_findings"] == 2 and values["mynumber_files_watched"] == 3
    assert values['mynumber_events_total{event="finding"}'] == 3
    assert values['mynumber_assessment_status{mynumber_assessment_status="reportable"}'] == 1
    assert values['mynumber_assessment_status{mynumber_assessment_status="not_reportable_on_scan"}'] == 0
    assert time.time() - 60 < values["mynumber_last_scan_timestamp_seconds"] <= time.time()
    assert values["mynumber_observer_restarts_total"] == 0
    text = scrape(running.base)[1]
    assert not any(number in text or number[-4:] in text for number in NUMBERS)  # figures, never a number
    (root / "hr.csv").unlink()
    values = running.wait_for('mynumber_events_total{event="cleared"}', 1)  # after the rotation grace
    assert values["mynumber_distinct_people"] == 1 and values["mynumber_files_with_findings"] == 1
    assert running.stop() == 0


def test_a_metric_added_to_the_exposure_is_served_without_a_change_here(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(exposure.METRICS, "high_confidence_people",
                        lambda finding: finding.confidence is Confidence.HIGH)
    (tmp_path / "a.txt").write_text(f"個人番号 {NUMBERS[0]}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"{NUMBERS[1][:4]}-{NUMBERS[1][4:8]}-{NUMBERS[1][8:]}\n")  # medium
    watcher = Watcher([str(tmp_path)], WatchOptions(ScanOptions(key=b"k")), lambda event: None)
    watcher.start()
    families = {family.name: family for family in WatchCollector(lambda: watcher.figures, lambda: 0).collect()}
    assert families["mynumber_high_confidence_people"].samples[0].value == 1
    assert families["mynumber_distinct_people"].samples[0].value == 2
    watcher.close()


def test_the_address_defaults_to_loopback() -> None:
    assert parse_address("9808") == ("127.0.0.1", 9808)
    assert parse_address(":9808") == ("127.0.0.1", 9808)
    assert parse_address("0.0.0.0:9808") == ("0.0.0.0", 9808)
    assert parse_address("[::1]:0") == ("::1", 0)
    for bad in ("localhost", "127.0.0.1:http", "1:99999"):
        with pytest.raises(UsageError, match="give ADDR:PORT"):
            parse_address(bad)


def test_a_bad_address_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "detector", "watch", str(tmp_path), "--metrics", "nowhere"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "MYNUMBER_KEY": "k"})
    assert done.returncode == 2 and "--metrics 'nowhere': give ADDR:PORT" in done.stderr


def test_health_says_starting_ok_stalled_or_observer_down() -> None:
    from detector.watch.metrics import STALLED_SECONDS, MetricsServer
    from detector.watch.watcher import Figures

    state = {"started": False, "turned": time.monotonic(), "alive": True}

    def figures() -> Figures:
        return Figures({"distinct_people": 0}, "not_reportable_on_scan", 0, 0, {}, 0.0, bool(state["started"]))

    server = MetricsServer(("127.0.0.1", 0), figures, lambda: 0, lambda: float(state["turned"]),
                           lambda: bool(state["alive"]))
    base = f"http://127.0.0.1:{server.port}"
    try:
        state["turned"] = time.monotonic() - STALLED_SECONDS - 1
        assert scrape(base, "/healthz") == (200, '{"status": "starting"}')  # the first scan may take long
        state["started"] = True
        assert scrape(base, "/healthz") == (503, '{"status": "stalled"}')
        state["turned"] = time.monotonic()
        assert scrape(base, "/healthz") == (200, '{"status": "ok"}')
        state["alive"] = False
        assert scrape(base, "/healthz") == (503, '{"status": "observer down"}')
        assert scrape(base, "/")[0] == 200 and "mynumber_distinct_people 0.0" in scrape(base, "/")[1]
    finally:
        server.close()


def test_without_the_client_metrics_is_a_usage_error_saying_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from detector.watch.metrics import serve

    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # as if not installed
    with pytest.raises(UsageError, match=r"pip install 'mynumber-scan\[metrics\]'"):
        serve("127.0.0.1:0", None, None)  # type: ignore[arg-type]  # never reached: the check comes first
