"""mynumber watch, driven by a real observer (inotify, and the polling observer) on a temporary tree: files
created, appended, rewritten, deleted, moved in and out, logs rotated three ways, FIFOs, symbolic links and
permission changes; the assessment events; a restart with the state; SIGTERM."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.model import Confidence
from detector.pipeline import ScanOptions, scan_paths
from detector.watch import Supervised, Watcher, WatchOptions

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
OBSERVERS = [None, 0.2]  # native (inotify), polling every 0.2 s


class Running:
    """A watcher with its observer, run in a thread; events collected in order."""

    def __init__(self, root: Path, poll: float | None, state: Path | None = None, **options: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        scan = ScanOptions(key=b"watch-key", min_confidence=Confidence.MEDIUM,
                           public_paths=options.pop("public_paths", ()))
        self.watcher = Watcher([str(root)], WatchOptions(scan, poll=poll, settle=0.1, rotation_grace=0.6,
                                                         state_path=str(state) if state else None, **options),
                               self._emit)
        self.stop = threading.Event()
        self.observer = Supervised(self.watcher, [str(root)], poll)
        self.watcher.start()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop, self.observer.check), daemon=True)
        self.thread.start()

    def _emit(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.events if e["event"] == kind]

    def wait(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out; events so far: {json.dumps(self.events, ensure_ascii=False)[:2000]}")

    def quiet(self, seconds: float = 1.0) -> None:
        """Let pending work and the rotation grace period pass."""
        time.sleep(seconds)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.observer.stop()
        self.watcher.close()


@pytest.fixture(params=OBSERVERS, ids=["inotify", "polling"])
def watching(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Running, Path]]:
    root = tmp_path / "share"
    root.mkdir()
    running = Running(root, request.param)
    yield running, root
    running.close()


def findings(running: Running, name: str) -> list[tuple[int | None, str]]:
    return [(e["location"].get("line"), e["masked"][-4:]) for e in running.of("finding")
            if e["path"].endswith("/" + name)]


def test_create_append_rewrite_delete(watching: tuple[Running, Path]) -> None:
    running, root = watching
    a, b = valid_number(1), valid_number(2)
    (root / "memo.txt").write_text(f"個人番号 {a}\n", encoding="utf-8")
    running.wait(lambda: findings(running, "memo.txt") == [(1, a[-4:])])
    with (root / "app.log").open("a", encoding="utf-8") as log:
        log.write("start\n")
        log.flush()
        running.quiet(0.4)
        log.write(f"user=x my_number={b}\n")
    running.wait(lambda: findings(running, "app.log") == [(2, b[-4:])])
    with (root / "app.log").open("a", encoding="utf-8") as log:
        log.write("more\n" * 3 + f"again my_number={a}\n")
    running.wait(lambda: findings(running, "app.log") == [(2, b[-4:]), (6, a[-4:])])
    (root / "memo.txt").write_text("nothing left\n", encoding="utf-8")
    running.wait(lambda: any(e["path"].endswith("memo.txt") for e in running.of("cleared")))
    (root / "app.log").unlink()
    running.wait(lambda: any(e["path"].endswith("app.log") for e in running.of("cleared")))
    assert len(running.of("finding")) == 3  # nothing reported twice


def test_moves_in_and_out_and_folders(watching: tuple[Running, Path], tmp_path: Path) -> None:
    running, root = watching
    outside = tmp_path / "outside"
    outside.mkdir()
    number = valid_number(3)
    (outside / "in.txt").write_text(f"マイナンバー {number}\n", encoding="utf-8")
    shutil.move(str(outside / "in.txt"), str(root / "in.txt"))
    running.wait(lambda: findings(running, "in.txt") == [(1, number[-4:])])
    folder = outside / "dept"
    folder.mkdir()
    (folder / "list.txt").write_text(f"個人番号 {valid_number(4)}\n", encoding="utf-8")
    shutil.move(str(folder), str(root / "dept"))
    running.wait(lambda: len(findings(running, "list.txt")) == 1)
    shutil.move(str(root / "in.txt"), str(outside / "in.txt"))
    running.wait(lambda: any(e["path"].endswith("in.txt") for e in running.of("cleared")))
    os.rename(root / "dept" / "list.txt", root / "dept" / "renamed.txt")
    running.quiet()
    assert findings(running, "renamed.txt") == []  # a rename inside the tree is the same exposure
    assert not any(e["path"].endswith("list.txt") for e in running.of("cleared"))


def test_log_rotations_miss_nothing_and_repeat_nothing(watching: tuple[Running, Path]) -> None:
    running, root = watching
    first, second, third, fourth = (valid_number(10 + i) for i in range(4))
    log = root / "app.log"
    log.write_text(f"a my_number={first}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "app.log")) == 1)
    # rename-and-create (logrotate's default)
    os.rename(log, root / "app.log.1")
    log.write_text(f"b my_number={second}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "app.log")) == 2)
    # copytruncate
    shutil.copy(log, root / "app.log.2")
    with log.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"c my_number={third}\n")
    running.wait(lambda: len(findings(running, "app.log")) == 3)
    # compression of a rotated file: app.log.1 -> app.log.1.gz
    with (root / "app.log.1").open("rb") as raw, gzip.open(root / "app.log.1.gz", "wb") as packed:
        packed.write(raw.read())
    (root / "app.log.1").unlink()
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"d my_number={fourth}\n")
    running.wait(lambda: len(findings(running, "app.log")) == 4)
    running.quiet(1.2)
    reported = [e["masked"][-4:] for e in running.of("finding")]
    assert sorted(reported) == sorted(n[-4:] for n in (first, second, third, fourth))
    assert running.of("cleared") == []


def test_a_truncated_log_whose_copy_is_read_after_it_is_not_cleared(watching: tuple[Running, Path]) -> None:
    """copytruncate copies the log and then truncates it, but the watcher may read the emptied log before the
    copy: the numbers are still exposed in the copy, so there is no "cleared" and no new finding."""
    running, root = watching
    log = root / "app.log"
    content = f"b my_number={valid_number(30)}\n"
    log.write_text(content, encoding="utf-8")
    running.wait(lambda: len(findings(running, "app.log")) == 1)
    with log.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
    running.wait(lambda: running.watcher.tracked[str(log)].size == 0)
    (root / "app.log.2").write_text(content, encoding="utf-8")  # the copy, seen only now
    running.wait(lambda: str(root / "app.log.2") in running.watcher.tracked)
    running.quiet(1.2)  # past the rotation grace (0.6 s here)
    assert running.of("cleared") == []
    assert len(running.of("finding")) == 1


def test_a_truncated_log_with_no_copy_is_cleared(watching: tuple[Running, Path]) -> None:
    running, root = watching
    log = root / "app.log"
    log.write_text(f"b my_number={valid_number(31)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "app.log")) == 1)
    with log.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
    running.wait(lambda: [e["path"] for e in running.of("cleared")] == [str(log)])


def test_fifos_links_and_permissions_do_not_stop_it(watching: tuple[Running, Path], tmp_path: Path) -> None:
    running, root = watching
    os.mkfifo(root / "pipe")
    target = tmp_path / "secret.txt"
    target.write_text(f"個人番号 {valid_number(20)}\n", encoding="utf-8")
    os.symlink(target, root / "link.txt")
    locked = root / "locked.txt"
    locked.write_text(f"個人番号 {valid_number(21)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "locked.txt")) == 1)
    locked.chmod(0o000)
    (root / "after.txt").write_text(f"個人番号 {valid_number(22)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "after.txt")) == 1)
    assert findings(running, "link.txt") == [] and findings(running, "pipe") == []
    locked.chmod(0o600)


def test_assessment_events_when_people_cross_100_and_on_public_places(tmp_path: Path) -> None:
    root = tmp_path / "share"
    (root / "www").mkdir(parents=True)
    running = Running(root, None, public_paths=(str(root / "www"),))
    try:
        running.wait(lambda: len(running.of("assessment")) == 1)  # the initial one
        for index in range(100):
            (root / f"p{index:03d}.txt").write_text(f"個人番号 {valid_number(1000 + index)}\n", encoding="utf-8")
        running.wait(lambda: len(running.of("finding")) == 100)
        running.quiet(0.5)
        assert all(not e["summary"]["serious"] for e in running.of("assessment"))
        (root / "p100.txt").write_text(f"個人番号 {valid_number(1100)}\n", encoding="utf-8")
        running.wait(lambda: running.of("assessment")[-1]["summary"]["serious_reasons"] == ["over_100_people"])
        assert running.of("assessment")[-1]["summary"]["distinct_people"] == 101
        (root / "www" / "index.html").write_text(f"<p>マイナンバー {valid_number(1)}</p>\n", encoding="utf-8")
        running.wait(lambda: "publicly_accessible" in running.of("assessment")[-1]["summary"]["serious_reasons"])
    finally:
        running.close()


def test_an_assessment_event_when_only_the_status_changes(tmp_path: Path) -> None:
    """A number under htdocs is public by a location rule, a presumption: possibly reportable. One in a folder
    given with --public makes the same reason certain: reportable, an event though the reasons stay the same."""
    root = tmp_path / "share"
    (root / "www").mkdir(parents=True)
    (root / "htdocs").mkdir()
    running = Running(root, None, public_paths=(str(root / "www"),))
    try:
        running.wait(lambda: len(running.of("assessment")) == 1)  # the initial one
        (root / "htdocs" / "index.html").write_text(f"<p>マイナンバー {valid_number(2)}</p>\n", encoding="utf-8")
        running.wait(lambda: running.of("assessment")[-1]["summary"]["status"] == "possibly_reportable")
        assert running.of("assessment")[-1]["summary"]["serious_reasons"] == ["publicly_accessible"]
        (root / "www" / "index.html").write_text(f"<p>マイナンバー {valid_number(3)}</p>\n", encoding="utf-8")
        running.wait(lambda: running.of("assessment")[-1]["summary"]["status"] == "reportable")
        assert running.of("assessment")[-1]["summary"]["serious_reasons"] == ["publicly_accessible"]
    finally:
        running.close()


def test_a_restart_with_the_state_repeats_nothing(tmp_path: Path) -> None:
    root, state = tmp_path / "share", tmp_path / "watch.db"
    root.mkdir()
    (root / "a.txt").write_text(f"個人番号 {valid_number(30)}\n", encoding="utf-8")
    (root / "app.log").write_text(f"x my_number={valid_number(31)}\n", encoding="utf-8")
    first = Running(root, None, state)
    first.wait(lambda: len(first.of("finding")) == 2)
    first.close()
    with (root / "app.log").open("a", encoding="utf-8") as handle:
        handle.write(f"y my_number={valid_number(32)}\n")  # written while nobody watched
    (root / "a.txt").unlink()
    second = Running(root, None, state)
    try:
        second.wait(lambda: len(second.of("finding")) == 1 and len(second.of("cleared")) == 1)
        assert findings(second, "app.log") == [(2, valid_number(32)[-4:])]
        assert state.stat().st_mode & 0o777 == 0o600
    finally:
        second.close()


def test_a_burst_of_files_is_fully_processed(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    running = Running(root, None)
    try:
        for folder in range(20):
            (root / f"d{folder}").mkdir()
            for index in range(100):
                number = valid_number(5000 + folder * 100 + index) if index % 10 == 0 else None
                text = f"個人番号 {number}\n" if number else f"memo {index}\n"
                (root / f"d{folder}" / f"f{index}.txt").write_text(text, encoding="utf-8")
        running.wait(lambda: len(running.of("finding")) == 200, timeout=60)
        running.quiet(1.0)
        held = running.watcher.current()
        fresh = scan_paths([str(root)], ScanOptions(key=b"watch-key", jobs=1))
        assert held.distinct_people == fresh.distinct_people == 200
        assert held.files_scanned == fresh.files_scanned == 2000
        assert {(f.path, f.fingerprint) for f in held.findings} == {(f.path, f.fingerprint) for f in fresh.findings}
    finally:
        running.close()


def test_sigterm_stops_it_cleanly_after_saving_the_state(tmp_path: Path) -> None:
    root, state, events = tmp_path / "share", tmp_path / "w.db", tmp_path / "events.jsonl"
    root.mkdir()
    (root / "a.txt").write_text(f"個人番号 {valid_number(40)}\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "detector", "watch", str(root), "--state", str(state),
                                "-o", str(events), "--exec", f"{sys.executable} -c 'import sys; sys.stdin.read()'"],
                               cwd=ROOT, env={**os.environ, "MYNUMBER_KEY": "k"}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (events.exists() and events.read_text().count("\n") >= 2):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert b"Traceback" not in err
    lines = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in lines] == ["finding", "assessment"]
    assert events.stat().st_mode & 0o777 == 0o600
    import sqlite3

    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 1


def test_a_file_that_vanishes_before_it_is_read_is_not_an_error(watching: tuple[Running, Path],
                                                                caplog: pytest.LogCaptureFixture) -> None:
    running, root = watching
    for index in range(20):
        path = root / f"tmp{index}.txt"
        path.write_text(f"個人番号 {valid_number(60 + index)}\n", encoding="utf-8")
        path.unlink()
    (root / "stays.txt").write_text(f"個人番号 {valid_number(99)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "stays.txt")) == 1)
    running.quiet(1.0)
    assert running.thread.is_alive()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_a_dead_observer_is_restarted_and_nothing_is_missed(watching: tuple[Running, Path]) -> None:
    running, root = watching
    dead = running.observer.observer
    dead.stop()
    dead.join(timeout=10)
    (root / "while-down.txt").write_text(f"個人番号 {valid_number(70)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "while-down.txt")) == 1)
    assert running.observer.restarts == 1
    (root / "after.txt").write_text(f"個人番号 {valid_number(71)}\n", encoding="utf-8")
    running.wait(lambda: len(findings(running, "after.txt")) == 1)


def test_its_own_state_inside_the_watched_folder_is_not_watched(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    running = Running(root, None, root / "watch.db")
    try:
        for index in range(5):
            (root / f"n{index}.txt").write_text(f"個人番号 {valid_number(80 + index)}\n", encoding="utf-8")
        running.wait(lambda: len(running.of("finding")) == 5)
        running.quiet(2.5)  # the state is saved every 2 s
        assert not any("watch.db" in path for path in running.watcher.tracked)
        reads = running.watcher.stats["files_read"]
        running.quiet(2.5)
        assert running.watcher.stats["files_read"] == reads  # saving the state triggers no reading
    finally:
        running.close()
