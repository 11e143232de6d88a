"""mynumber watch follows logs as ``tail -F`` does: only whole lines are consumed, an unterminated last line is
kept for the next read, and a line read as it stands (it stayed unterminated too long, or grew past the read
chunk) is read again when its end arrives, without reporting its numbers twice.

Most tests drive the watcher turn by turn (no observer thread, no waiting for settle): a change is noticed as
the observer would notice it, then one turn processes it."""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.jp import in_

from detector.extract.text import CHUNK_SIZE
from detector.model import Confidence
from detector.pipeline import ScanOptions, scan_paths
from detector.rules import Rules
from detector.scanner import FileScanner
from detector.watch import Watcher, WatchOptions, follow

from .conftest import recorded_calls, valid_number
from .test_watch import OBSERVERS, Running, findings

SPLIT = "123456798769"  # valid (check digit 9); the issue's own 123456789018 is a listed sample number
HEAD, REST = SPLIT[:7], SPLIT[7:]
REQUEST = '127.0.0.1 - - [22/Nov/2026:10:00:00 +0900] "GET /verify?mynumber='
TAIL = ' HTTP/1.1" 200 12\n'
KEY = b"watch-key"


class Driven:
    """A watcher run turn by turn on ``root``; the events it emitted, in order."""

    def __init__(self, root: Path, state: Path | None = None, **options: Any) -> None:
        self.events: list[dict[str, Any]] = []
        scan = ScanOptions(key=KEY, min_confidence=Confidence.MEDIUM)
        self.watcher = Watcher([str(root)], WatchOptions(scan, settle=0.0, rotation_grace=0.0,
                                                         state_path=str(state) if state else None, **options),
                               self.events.append)
        self.watcher.start()

    def changed(self, path: Path) -> None:
        """The observer saw ``path`` modified and it settled: one turn reads it."""
        self.watcher.notice("modified", str(path))
        self.watcher.turn()

    def found(self) -> list[tuple[int | None, str]]:
        """(line, last four digits) of every finding event, in order: a number reported twice shows twice."""
        return [(e["location"].get("line"), e["masked"][-4:]) for e in self.events if e["event"] == "finding"]

    def close(self) -> None:
        self.watcher.close()


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """A followed log of three whole lines, already read once (its growth is read as appended lines)."""
    root = tmp_path / "logs"
    root.mkdir()
    path = root / "access.log"
    path.write_text("".join(f'127.0.0.1 - - "GET /index.html?page={i} HTTP/1.1" 200 5\n' for i in range(3)),
                    encoding="utf-8")
    return path


def test_the_split_number_is_valid_and_not_a_listed_sample(rules: Rules) -> None:
    assert in_.is_valid(SPLIT) and SPLIT not in rules.samples


def test_a_number_split_across_two_writes_of_one_line_is_found_once_on_its_line(log: Path) -> None:
    driven = Driven(log.parent)
    append(log, REQUEST + HEAD)  # flushed without a newline; read after it settled
    driven.changed(log)
    assert driven.watcher.tracked[str(log)].size == log.stat().st_size  # the partial write was processed
    append(log, REST + TAIL)
    driven.changed(log)
    assert driven.found() == [(4, SPLIT[-4:])]
    later = valid_number(7)
    append(log, "plain line\n" * 2 + REQUEST + later + TAIL)
    driven.changed(log)
    assert driven.found() == [(4, SPLIT[-4:]), (7, later[-4:])]  # the line numbers after it stay right
    driven.close()


@pytest.mark.parametrize("before", [0, 3, 20_000])
def test_an_appended_line_is_as_sure_as_in_a_scan_of_the_finished_log(log: Path, before: int) -> None:
    """The lines a log gains take the scanner's entry a scan's text takes: a number with its keyword on its own
    line (``{"項目": "マイナンバー", "値": ...}``) is reported on that line with the confidence a scan of the
    finished log gives it, however many lines came before it and whatever of them the watcher read as context."""
    append(log, "".join(f'{{"level": "info", "request": {i}}}\n' for i in range(before)))
    driven = Driven(log.parent)
    number = valid_number(5)
    append(log, f'{{"項目": "マイナンバー", "値": "{number}"}}\n')
    driven.changed(log)
    reported = [(e["location"]["line"], e["confidence"]) for e in driven.events if e["event"] == "finding"]
    scanned = scan_paths([str(log.parent)], ScanOptions(key=KEY, min_confidence=Confidence.MEDIUM))
    assert reported == [(f.location.line, f.confidence.label) for f in scanned.findings]
    assert reported == [(before + 4, "high")]
    driven.close()


@pytest.mark.parametrize("poll", OBSERVERS, ids=["inotify", "polling"])
def test_the_split_write_with_a_real_observer(tmp_path: Path, poll: float | None) -> None:
    """The issue's writer: a partial line, a pause longer than --settle, the rest of the line."""
    root = tmp_path / "share"
    root.mkdir()
    path = root / "access.log"
    path.write_text("start\n", encoding="utf-8")
    running = Running(root, poll)
    try:
        running.wait(lambda: str(path) in running.watcher.tracked)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(REQUEST + HEAD)
            handle.flush()
            size = path.stat().st_size
            running.wait(lambda: running.watcher.tracked[str(path)].size == size)  # settled and read
            handle.write(REST + TAIL)
        running.wait(lambda: findings(running, "access.log") != [])
        running.quiet(0.5)
        assert findings(running, "access.log") == [(2, SPLIT[-4:])]
    finally:
        running.close()


def test_an_unterminated_line_waits_for_its_end_then_is_read_as_it_stands(log: Path) -> None:
    number = valid_number(1)
    driven = Driven(log.parent, partial_line_seconds=0.3)
    whole = log.stat().st_size
    append(log, REQUEST + number)
    driven.changed(log)
    assert driven.found() == []  # kept for the next read: its end may still come
    assert driven.watcher.tracked[str(log)].offset == whole
    time.sleep(0.35)
    driven.watcher.turn()  # no new event: the wait is over, so the line is read as it stands
    assert driven.found() == [(4, number[-4:])]
    append(log, TAIL)  # its end arrives: the whole line is read again, the number is not new
    driven.changed(log)
    assert driven.found() == [(4, number[-4:])]
    other = valid_number(2)
    append(log, REQUEST + other + TAIL)
    driven.changed(log)
    assert driven.found() == [(4, number[-4:]), (5, other[-4:])]
    driven.close()


def test_a_partial_line_longer_than_the_read_chunk_is_read_as_it_stands_and_its_numbers_once(log: Path) -> None:
    whole_number = valid_number(3)
    driven = Driven(log.parent)  # the default bounds: 5 s, one read chunk
    append(log, REQUEST + whole_number + "&pad=" + "a" * (CHUNK_SIZE + 10) + "&mynumber=" + HEAD)
    driven.changed(log)
    assert driven.found() == [(4, whole_number[-4:])]  # beyond the chunk: read now, not kept back
    append(log, REST + TAIL)
    driven.changed(log)
    assert sorted(driven.found()) == sorted([(4, whole_number[-4:]), (4, SPLIT[-4:])])
    append(log, "x\n" + REQUEST + valid_number(4) + TAIL)
    driven.changed(log)
    assert driven.found()[-1] == (6, valid_number(4)[-4:])
    assert len(driven.found()) == 3
    driven.close()


def test_a_very_long_line_growing_in_many_writes_is_not_read_again_whole_each_time(
        log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the read chunk a line is consumed as it grows (but for its last KiBs, where a number may be cut),
    so a writer streaming one endless line costs a read at most a chunk, not the whole line again."""
    driven = Driven(log.parent, partial_line_seconds=0.0)  # every piece is read as it stands, at once
    append(log, "a" * (CHUNK_SIZE + 10))
    driven.changed(log)
    scanned = recorded_calls(monkeypatch, driven.watcher.scanner, "scan_text", lambda path, unit: len(unit.data))
    for _ in range(5):
        append(log, "b" * 1000)
        driven.changed(log)
    append(log, " mynumber=" + HEAD)
    driven.changed(log)
    append(log, REST + TAIL)
    driven.changed(log)
    assert driven.found() == [(4, SPLIT[-4:])]
    assert len(scanned) == 7 and max(scanned) < 16 * 1024
    driven.close()


def test_a_number_read_as_it_stands_that_its_line_end_makes_longer_is_cleared(log: Path) -> None:
    """Read as it stands, ``mynumber=<12 digits>`` is a finding; when the line goes on with a 13th digit it
    was not a My Number: the file no longer holds it."""
    number = valid_number(11)
    driven = Driven(log.parent, partial_line_seconds=0.0)
    append(log, REQUEST + number)
    driven.changed(log)
    assert driven.found() == [(4, number[-4:])]
    append(log, "7" + TAIL)
    driven.changed(log)
    assert driven.watcher.tracked[str(log)].result.findings == []
    assert [e["path"] for e in driven.events if e["event"] == "cleared"] == [str(log)]
    driven.close()


def test_the_state_keeps_the_offset_at_the_last_newline_across_a_restart(log: Path, tmp_path: Path) -> None:
    state = tmp_path / "watch.db"
    whole = log.stat().st_size
    first = Driven(log.parent, state)
    append(log, REQUEST + HEAD)
    first.changed(log)
    first.close()
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT offset, lines FROM follow").fetchall() == [(whole, 3)]
    append(log, REST + TAIL)  # its end arrives while nobody watches
    second = Driven(log.parent, state)
    assert second.found() == [(4, SPLIT[-4:])]
    second.close()


def test_a_line_left_unterminated_at_a_restart_is_still_read_and_not_the_whole_log_again(
        log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "watch.db"
    number = valid_number(12)
    first = Driven(log.parent, state, partial_line_seconds=60.0)
    append(log, REQUEST + number)
    first.changed(log)
    assert first.found() == []  # kept back, then the watcher stops
    first.close()
    whole_reads = recorded_calls(monkeypatch, FileScanner, "scan_file")
    second = Driven(log.parent, state, partial_line_seconds=0.0)
    second.watcher.turn()  # the file never changes again: its last line is read as it stands all the same
    assert second.found() == [(4, number[-4:])]
    assert whole_reads == []  # unchanged since the state was saved: followed on from the stored offset
    second.close()


def test_a_number_read_as_it_stands_before_a_restart_is_not_reported_again_after_it(log: Path,
                                                                                  tmp_path: Path) -> None:
    state = tmp_path / "watch.db"
    number = valid_number(5)
    first = Driven(log.parent, state, partial_line_seconds=0.0)
    append(log, REQUEST + number)
    first.changed(log)
    assert first.found() == [(4, number[-4:])]
    first.close()
    second = Driven(log.parent, state, partial_line_seconds=0.0)
    append(log, TAIL + REQUEST + valid_number(6) + TAIL)
    second.changed(log)
    assert second.found() == [(5, valid_number(6)[-4:])]
    second.close()


def test_a_log_truncated_under_its_partial_line_is_read_again_from_the_start(log: Path) -> None:
    driven = Driven(log.parent)
    append(log, REQUEST + HEAD)
    driven.changed(log)
    with log.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
    number = valid_number(8)
    append(log, REQUEST + number + TAIL)
    driven.changed(log)
    assert driven.found() == [(1, number[-4:])]
    assert driven.watcher.tracked[str(log)].offset == log.stat().st_size
    driven.close()


def test_a_rotated_log_with_a_partial_line_goes_on_in_the_new_file(log: Path) -> None:
    driven = Driven(log.parent)
    append(log, REQUEST + HEAD)
    driven.changed(log)
    rotated = log.with_name("access.log.1")
    log.rename(rotated)
    driven.watcher.notice("moved", str(log), str(rotated))
    driven.watcher.turn()
    append(rotated, REST + TAIL)  # the writer still holds the rotated file open and ends its line there
    driven.changed(rotated)
    number = valid_number(9)
    log.write_text(REQUEST + number + TAIL, encoding="utf-8")
    driven.changed(log)
    assert sorted(driven.found()) == sorted([(4, SPLIT[-4:]), (1, number[-4:])])
    driven.close()


NUMBERS = st.integers(0, 50).map(valid_number)
LINES = st.lists(st.one_of(
    st.just("GET /index.html HTTP/1.1 200"),
    st.tuples(st.integers(0, 300), NUMBERS).map(lambda t: f"GET /verify?pad={'a' * t[0]}&mynumber={t[1]} x"),
    NUMBERS.map(lambda number: f"従業員の個人番号を {number} に変更しました"),
), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=LINES, cuts=st.lists(st.integers(0, 10_000), max_size=12), waits=st.lists(st.booleans(), min_size=1),
       chunk=st.sampled_from([80, 150, CHUNK_SIZE]))
def test_a_log_written_in_any_pieces_reports_each_number_once_where_a_scan_finds_it(
        lines: list[str], cuts: list[int], waits: list[bool], chunk: int) -> None:
    """Whatever the pieces a log is written in (cut anywhere, inside a character too), whether each partial line
    is kept back or read as it stands, and however long lines are cut, every (line, number) a scan of the
    finished log finds is reported exactly once, and nothing else. The long-line bounds are scaled down so that
    lines of a few hundred bytes exercise them."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    with tempfile.TemporaryDirectory() as folder, mock.patch.multiple(follow, LONG_LINE_KEEP=48, LONG_LINE_WINDOW=96):
        root = Path(folder) / "logs"
        root.mkdir()
        path = root / "app.log"
        path.write_bytes(b"")
        driven = Driven(root, partial_line_bytes=chunk)
        for index, (start, end) in enumerate(itertools.pairwise(points)):
            driven.watcher.options.partial_line_seconds = 0.0 if waits[index % len(waits)] else 60.0
            with path.open("ab") as handle:
                handle.write(data[start:end])
            driven.changed(path)
        reported = [(e["location"]["line"], e["fingerprint"]) for e in driven.events if e["event"] == "finding"]
        scanned = scan_paths([str(root)], ScanOptions(key=KEY, min_confidence=Confidence.MEDIUM))
        expected = {(f.location.line, f.fingerprint) for f in scanned.findings}
        assert sorted(reported) == sorted(expected), json.dumps(driven.events)[:2000]
        held = {(f.location.line, f.fingerprint) for f in driven.watcher.tracked[str(path)].result.findings}
        assert held == expected
        driven.close()


FW = str.maketrans("0123456789", "０１２３４５６７８９")
_N = valid_number(77)


@pytest.mark.parametrize("written", [
    _N.translate(FW), " ".join((_N[:4], _N[4:8], _N[8:])), "-".join((_N[:4], _N[4:8], _N[8:])),
    "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in _N), "　".join((_N[:4], _N[4:8], _N[8:])).translate(FW),
], ids=["full-width", "spaces", "hyphens", "percent-escaped", "full-width, ideographic spaces"])
def test_a_long_line_is_consumed_up_to_where_the_text_reader_would_cut_it(tmp_path: Path, written: str) -> None:
    """Of a line longer than the read chunk, the watcher keeps its last bytes back to read again with what
    follows; where it stops is where the text reader would cut (detector.cuts.last_cut): never inside a number,
    however it is written, so no number is read in two halves."""
    number = written.encode()
    for slack in range(0, 48, 5):  # the number ends at, or just before, the last byte the watcher may consume
        path = tmp_path / f"line-{slack}.log"
        head = b"ts=1,msg=" + b"x" * 5000 + b" " + b"y" * 10
        data = head + number + b"z" * slack + b"w" * follow.LONG_LINE_KEEP
        path.write_bytes(data)
        cut = follow._long_line_cut(str(path), 0, len(data))
        start, end = len(head), len(head) + len(number)
        assert not start < cut < end, (slack, cut, start, end)
