"""``scan --format jsonl`` is written as the scan goes: each file's findings once the parent has merged its batch,
each line with its time (RFC 3339 with an offset), host and scan id, the summary line last; a reader sees findings
before the scan ends, and a scan killed midway has written what it found, never a raw number (issue 18)."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from detector import pipeline
from detector.model import ScanOptions
from detector.pipeline import scan_paths
from detector.report.json_report import LineStream
from detector.result import Found

from .conftest import valid_number
from .test_baseline import REASON, make_baseline
from .test_cli import KEY, people_csv, run

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def lines_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def without_stamps(entry: dict[str, Any]) -> str:
    """An entry as the json document writes it: the line's event, time and scan id left out."""
    return json.dumps({k: v for k, v in entry.items() if k not in ("event", "time", "scan_id")}, sort_keys=True)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_stream_holds_the_json_documents_entries_each_with_time_host_and_scan_id(tmp_path: Path,
                                                                                     jobs: str) -> None:
    for folder in range(6):
        people_csv(tmp_path / "share" / f"d{folder}" / "staff.csv", 3, seed=folder * 10)
    (tmp_path / "share" / "d0" / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    document = json.loads(run(["scan", "share", "--format", "json", "--jobs", jobs], tmp_path).stdout)
    lines = lines_of(run(["scan", "share", "--format", "jsonl", "--jobs", jobs], tmp_path).stdout)
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["summary"] == {**document["summary"]}
    scan_id = summary["scan"]["scan_id"]
    assert all(line["scan_id"] == scan_id and RFC3339.fullmatch(line["time"]) and line["host"] for line in lines)
    for event, key in (("finding", "findings"), ("unscanned", "unscanned")):
        streamed = sorted(without_stamps(line) for line in lines if line["event"] == event)
        assert streamed == sorted(json.dumps(entry, sort_keys=True) for entry in document[key])
    assert len([line for line in lines if line["event"] == "finding"]) == 18


def without_digests(line: dict[str, Any]) -> dict[str, Any]:
    """A line without its hex digests (a fingerprint, a file's sha256): 64 hex digits hold 12 decimal digits in a
    row about once in 35 by chance, which is no number of the share; every other value must hold none."""
    return {key: value for key, value in line.items() if key not in ("fingerprint", "sha256")}


def test_the_stream_is_written_once_a_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH_FILES", 4)
    for index in range(20):
        people_csv(tmp_path / f"f{index:02}.csv", 1, seed=index)
    writes: list[bytes] = []
    stream = LineStream(writes.append)
    result = scan_paths([str(tmp_path)], ScanOptions(key=KEY.encode(), jobs=1), stream=stream)
    assert len(writes) == 5  # 20 files, 4 a batch
    assert all(write.endswith(b"\n") for write in writes)  # whole lines only
    streamed = [json.loads(line) for write in writes for line in write.splitlines()]
    assert [line["event"] for line in streamed].count("finding") == len(result.findings) == 20
    assert [line["event"] for line in streamed].count("file") == 20  # each file as read, after its findings
    closing = lines_of(stream.rest(result))
    assert [line["event"] for line in closing] == ["summary"]


def test_flush_writes_what_was_found_since_the_last_flush_and_nothing_when_nothing_was() -> None:
    writes: list[bytes] = []
    stream = LineStream(writes.append)
    stream.flush()
    stream.found(Found("id", "h", [], [], [], []))
    stream.flush()
    assert writes == []


def test_baselined_findings_are_streamed_as_baselined(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "templates.csv", 2)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    people_csv(tmp_path / "share" / "new.csv", 1, seed=50)
    lines = lines_of(run(["scan", "share", "--format", "jsonl", "--baseline", str(baseline)], tmp_path).stdout)
    events = sorted((line["event"], Path(line["path"]).name) for line in lines
                    if "path" in line and line["event"] != "file")
    assert events == [("baselined", "templates.csv"), ("baselined", "templates.csv"), ("finding", "new.csv")]
    assert lines[-1]["summary"]["baselined"] == 2


def test_with_reveal_the_stream_holds_numbers_only_in_its_0600_file(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "staff.csv", 3)
    done = run(["scan", "share", "--format", "jsonl", "--reveal", "-o", "revealed.jsonl"], tmp_path)
    assert done.returncode == 1 and not TWELVE_DIGITS.search(done.stdout + done.stderr)
    out = tmp_path / "revealed.jsonl"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    numbers = {line["number"] for line in lines_of(out.read_text()) if line["event"] == "finding"}
    assert numbers == {valid_number(seed) for seed in range(3)}


def big_share(root: Path, folders: int, files: int) -> set[str]:
    """Many small files (a number in one of every ten) in many folders: a scan of several seconds; the numbers."""
    numbers = set()
    for folder in range(folders):
        path = root / f"dept{folder:03}"
        path.mkdir(parents=True)
        for index in range(files):
            if index % 10 == 0:
                number = valid_number(folder * files + index)
                numbers.add(number)
                text = f"氏名,個人番号\nperson,{number}\n"
            else:
                text = f"memo {folder} {index}: nothing to see\n" * 20
            (path / f"f{index:04}.csv").write_text(text, encoding="utf-8")
    return numbers


def test_a_reader_sees_findings_before_the_scan_ends_and_a_killed_scan_has_written_what_it_found(
        tmp_path: Path) -> None:
    numbers = big_share(tmp_path / "share", folders=60, files=400)
    out = tmp_path / "found.jsonl"
    scan = subprocess.Popen([sys.executable, "-m", "detector", "scan", "share", "--format", "jsonl", "--jobs", "1",
                             "-o", str(out)], cwd=tmp_path, env={**os.environ, "MYNUMBER_KEY": KEY},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # a reader tailing the output
            if out.exists() and b'"event": "finding"' in out.read_bytes():
                break
            assert scan.poll() is None, "the scan ended before a reader saw a finding"
            time.sleep(0.01)
        else:
            pytest.fail("no finding was written within a minute")
        scan.send_signal(signal.SIGKILL)
    finally:
        scan.kill()
        scan.wait()
    data = out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    complete = data[:data.rfind("\n") + 1]  # a line being written when the scan was killed has no newline yet
    lines = lines_of(complete)
    findings = [line for line in lines if line["event"] == "finding"]
    assert findings and "summary" not in {line["event"] for line in lines}
    assert len(findings) < len(numbers)  # killed midway
    assert all(number not in data for number in numbers)
    assert not any(TWELVE_DIGITS.search(json.dumps(without_digests(line))) for line in lines)
    assert len({line["scan_id"] for line in lines}) == 1


def test_a_scan_id_never_holds_a_digit() -> None:
    # A hex id could hold 12 digits in a row, and the schema refuses a document holding what may be a raw number:
    # one scan in about 500 could not have been merged or reported.
    from detector.result import new_scan_id

    ids = {new_scan_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(scan_id) == 16 and scan_id.isalpha() and scan_id.islower() for scan_id in ids)
