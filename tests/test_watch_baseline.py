"""watch against a baseline (``watch --baseline FILE``), and the assessment a watch makes when only the people bound
changes: a finding the baseline accepts is a ``baselined`` event, never a ``finding``, runs no ``--exec`` command,
and its person is still counted in the assessment, as a scan counts it; a file that cannot be read, or a
candidate held back, moves the verdict as it moves a scan's, with no finding at all."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from detector import scan
from detector.baseline import Baseline, baseline_document
from detector.exposure import Exposure
from detector.model import Confidence, ScanOptions
from detector.result import ScanResult
from detector.rules import load_rules
from detector.scanner import FileScanner
from detector.watch import Watcher, WatchOptions
from detector.watch.bound import BoundCounts

from .conftest import valid_number
from .test_cli import run

KEY = "watch-baseline-key"
REASON = "payroll form template, checked"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # a picture: not read without OCR, so it may hold any number of people


class Driven:
    """A watcher run turn by turn on ``root`` (no observer thread); the events it emitted, in order."""

    def __init__(self, root: Path, **options: Any) -> None:
        self.events: list[dict[str, Any]] = []
        scan_options = ScanOptions(key=KEY.encode(), min_confidence=Confidence.MEDIUM, ocr=False)
        self.watcher = Watcher([str(root)], WatchOptions(scan_options, settle=0.0, rotation_grace=0.0, **options),
                               self.events.append)
        self.watcher.start()

    def changed(self, path: Path) -> None:
        """The observer saw ``path`` change (or go) and it settled: one turn reads it."""
        self.watcher.notice("modified", str(path))
        self.watcher.turn()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]

    def statuses(self) -> list[str]:
        return [event["summary"]["status"] for event in self.of("assessment")]


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MYNUMBER_KEY", KEY)
    root = tmp_path / "share"
    root.mkdir()
    (root / "template.txt").write_text(f"個人番号 {valid_number(41)}\n", encoding="utf-8")
    return root


def accepted(share: Path) -> Baseline:
    """A baseline accepting what the share holds now, as ``mynumber baseline`` writes it, read back."""
    path = share.parent / "baseline.json"
    path.write_text(json.dumps(baseline_document(scan(share), REASON)), encoding="utf-8")
    return Baseline.load(str(path))


def test_an_accepted_finding_is_a_baselined_event_and_its_person_is_still_counted(share: Path) -> None:
    driven = Driven(share, baseline=accepted(share))
    (baselined,) = driven.of("baselined")
    assert baselined["path"].endswith("/template.txt") and baselined["baseline_reason"] == REASON
    assert baselined["masked"].endswith(valid_number(41)[-4:])
    assert driven.of("finding") == []

    (share / "new.txt").write_text(f"個人番号 {valid_number(42)}\n", encoding="utf-8")
    driven.changed(share / "new.txt")
    (finding,) = driven.of("finding")
    assert finding["path"].endswith("/new.txt")
    summary = driven.watcher.current().summary()
    assert summary["distinct_people"] == 2  # the accepted person is still exposed
    assert (summary["findings"], summary["baselined"]) == (1, 1)
    assert driven.watcher.figures.people["distinct_people"] == 2


def test_without_a_baseline_the_same_finding_is_a_finding(share: Path) -> None:
    driven = Driven(share)
    assert len(driven.of("finding")) == 1 and driven.of("baselined") == []


def test_the_exec_command_runs_for_new_findings_only(share: Path) -> None:
    ran = share.parent / "ran.jsonl"
    command = f"{shlex.quote(sys.executable)} -c " + shlex.quote(
        f"import sys; open({str(ran)!r}, 'a').write(sys.stdin.read() + '\\n')")
    driven = Driven(share, baseline=accepted(share), execute=command)
    assert len(driven.of("baselined")) == 1
    (share / "new.txt").write_text(f"個人番号 {valid_number(43)}\n", encoding="utf-8")
    driven.changed(share / "new.txt")

    kinds = [json.loads(line)["event"] for line in ran.read_text(encoding="utf-8").splitlines() if line]
    assert "baselined" not in kinds and kinds.count("finding") == 1


def test_the_command_line_takes_the_baseline_and_refuses_one_of_another_key(share: Path) -> None:
    path = share.parent / "baseline.json"
    path.write_text(json.dumps(baseline_document(scan(share), REASON)), encoding="utf-8")
    done = run(["watch", "--baseline", str(path), "--key-file", str(share / "template.txt"), str(share)],
               share.parent)
    assert done.returncode == 2
    assert "baseline.json" in done.stderr and "fingerprint key" in done.stderr


def test_a_file_that_cannot_be_read_changes_the_verdict_without_a_finding(share: Path) -> None:
    driven = Driven(share)
    assert driven.statuses() == ["not_reportable_on_scan"]  # one person, nothing else unknown

    (share / "scan.png").write_bytes(PNG)
    driven.changed(share / "scan.png")
    assert len(driven.of("finding")) == 1  # no new finding ...
    assert driven.statuses()[-1] == "possibly_reportable"  # ... yet the picture may hold more than 100 people
    assert driven.of("assessment")[-1]["summary"]["upper_bound_open"] is True
    assert driven.watcher.assessment is not None
    assert driven.watcher.assessment.status == driven.watcher.current().assessment.status  # as a scan would say

    (share / "scan.png").unlink()
    driven.changed(share / "scan.png")
    assert driven.statuses()[-1] == "not_reportable_on_scan"
    assert len(driven.of("assessment")) == 3


def test_a_change_of_the_counts_alone_is_no_event(share: Path) -> None:
    (share / "scan.png").write_bytes(PNG)
    driven = Driven(share)
    assert driven.statuses() == ["possibly_reportable"]
    (share / "second.png").write_bytes(PNG)  # the bound stays open: nothing to announce
    driven.changed(share / "second.png")
    assert driven.statuses() == ["possibly_reportable"]


def test_the_watch_bounds_the_people_as_a_scan_does_as_files_come_and_go(tmp_path: Path) -> None:
    """BoundCounts, kept file by file, against a scan's result of the same files."""
    share = tmp_path / "share"
    share.mkdir()
    (share / "found.txt").write_text(f"個人番号 {valid_number(44)}\n", encoding="utf-8")
    (share / "held.txt").write_text(f"{valid_number(45)} {valid_number(44)}\n", encoding="utf-8")  # no keyword
    (share / "both.txt").write_text(f"個人番号 {valid_number(45)}\n{valid_number(46)}\n", encoding="utf-8")
    (share / "scan.png").write_bytes(PNG)
    scanner = FileScanner(ScanOptions(key=KEY.encode(), ocr=False), load_rules(()))
    results = {path.name: scanner.scan_file(str(path)) for path in sorted(share.iterdir())}
    assert any(result.held_back_people for result in results.values())

    counts, found = BoundCounts(), Exposure()
    for result in results.values():
        counts.add(result)
        for finding in result.findings:
            found.add(finding)
    for gone in [None, "scan.png", "found.txt", "both.txt"]:
        if gone is not None:
            counts.remove(results[gone])
            for finding in results.pop(gone).findings:
                found.remove(finding)
        scanned = ScanResult(key_id="k")
        for result in results.values():
            scanned.add(result)
        assert counts.bound(found) == scanned.facts().bound, gone
