"""The default runner's workers (:mod:`detector.forked`): forked processes fed one batch at a time through pipes.
They give the scan :class:`~detector.pipeline.ExecutorPool` (``concurrent.futures``) gives, and a file that
stops its worker (a reader crashing on its bytes) is listed unscanned, with how the worker stopped, while every
other file is scanned: the scan goes on."""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from detector import pipeline
from detector.forked import WorkerPool, WorkerStopped
from detector.model import Confidence, ScanOptions
from detector.pipeline import ExecutorPool, ProcessPool, scan_paths
from detector.scanner import FileScanner

from .conftest import valid_number

OPTIONS = ScanOptions(key=b"k" * 32, min_confidence=Confidence.LOW, jobs=2)


def share(root: Path, files: int = 40) -> Path:
    """Text files with numbers (keywords on some), a table, a large log cut into parts, and clean files."""
    root.mkdir()
    for index in range(files):
        keyword = "個人番号" if index % 3 == 0 else "id"
        (root / f"note{index:02}.txt").write_text(f"{keyword} {valid_number(index)}\nline two\n", encoding="utf-8")
    (root / "table.csv").write_text("名前,個人番号\n" + "".join(f"山田,{valid_number(100 + i)}\n" for i in range(30)),
                                    encoding="utf-8")
    (root / "big.log").write_text("".join(f"GET /a?id={i} 200 my number {valid_number(i % 7)}\n"
                                          for i in range(3_000)), encoding="ascii")
    (root / "clean.txt").write_text("nothing here\n", encoding="ascii")
    return root


def document(result: Any) -> tuple[Any, ...]:
    doc = result.to_json()
    return tuple(doc[key] for key in ("summary", "findings", "samples", "unscanned"))


def test_the_forked_workers_give_what_the_executor_gives(tmp_path: Path) -> None:
    root = share(tmp_path / "share")
    forked = scan_paths([str(root)], OPTIONS, runner=ProcessPool(2, split_bytes=64 * 1024))
    executor = scan_paths([str(root)], OPTIONS, runner=ExecutorPool(2, split_bytes=64 * 1024))
    one = scan_paths([str(root)], OPTIONS._replace(jobs=1), runner=ProcessPool(1))
    assert document(forked) == document(executor) == document(one)
    assert forked.findings and forked.files_scanned == 43


@pytest.mark.parametrize("stop, how", [
    (lambda: os.kill(os.getpid(), signal.SIGKILL), "killed by signal 9 (SIGKILL)"),
    (lambda: os._exit(70), "exit status 70"),
], ids=["killed", "exited"])
def test_a_file_that_stops_its_worker_is_listed_unscanned_and_the_scan_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: Callable[[], None], how: str) -> None:
    """The batch holding it is read again file by file (by the worker left and one forked in place of the one
    that stopped); only the file that stops a worker on its own is unscanned."""
    root = share(tmp_path / "share")
    (root / "crash.txt").write_text(f"個人番号 {valid_number(999)}\n", encoding="utf-8")
    expected = scan_paths([str(root)], OPTIONS._replace(excludes=("crash.txt",)), runner=ProcessPool(2))
    real = FileScanner.scan_files

    def crashing(self: FileScanner, paths: Any) -> Any:
        if any(str(path).endswith("crash.txt") for path in paths) and os.getpid() != parent:
            stop()
        return real(self, paths)

    parent = os.getpid()
    monkeypatch.setattr(pipeline, "BATCH_FILES", 8)  # several batches, the crashing one among them
    monkeypatch.setattr(FileScanner, "scan_files", crashing)
    done = threading.Event()
    waiting = threading.Thread(target=done.wait, daemon=True)  # another thread runs, as watchdog's do in watch
    waiting.start()
    try:
        result = scan_paths([str(root)], OPTIONS, runner=ProcessPool(2))
    finally:
        done.set()
    assert [(Path(entry.path).name, entry.reason) for entry in result.unscanned] == \
        [("crash.txt", f"the process reading it stopped: {how}")]
    assert result.to_json()["findings"] == expected.to_json()["findings"]
    assert result.files_scanned == expected.files_scanned


def test_an_error_in_a_worker_is_raised_in_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is not a file's fault: it ends the scan, as a pool's future raises it."""
    root = share(tmp_path / "share", files=4)

    def failing(self: FileScanner, paths: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(FileScanner, "scan_files", failing)
    with pytest.raises(ValueError, match="a bug"):
        scan_paths([str(root)], OPTIONS, runner=ProcessPool(2))


def _square(batch: int) -> int:
    return batch * batch


def test_batches_come_back_as_they_finish_and_close_leaves_no_process() -> None:
    pool = WorkerPool(2, _square)
    pids = [worker.pid for worker in pool.workers]
    try:
        answers = pool.results(iter(range(50)), deque())
        assert sorted(answer for answer in answers if not isinstance(answer, WorkerStopped)) == \
            [n * n for n in range(50)]
    finally:
        pool.close()
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_scan_left_early_kills_the_workers_still_reading() -> None:
    """The consumer stops after the first result (an error elsewhere, Ctrl-C): the busy workers are killed and
    reaped, none is left behind."""
    def slow(batch: int) -> int:
        if batch:
            signal.pause()  # never returns by itself
        return batch

    pool = WorkerPool(2, slow)
    pids = [worker.pid for worker in pool.workers]
    results = pool.results(iter(range(4)), deque())
    assert next(results) == 0
    results.close()
    pool.close()
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_worker_that_stopped_while_idle_is_replaced_and_the_batch_it_was_given_is_told() -> None:
    pool = WorkerPool(2, _square)
    try:
        os.kill(pool.workers[0].pid, signal.SIGKILL)
        answers = list(pool.results(iter(range(10)), deque()))
        stopped = [answer.batch for answer in answers if isinstance(answer, WorkerStopped)]
        done = [answer for answer in answers if not isinstance(answer, WorkerStopped)]
        assert len(stopped) <= 1 and sorted(done + [batch * batch for batch in stopped]) == [n * n for n in range(10)]
        assert len(pool.workers) == 2
    finally:
        pool.close()


def _echo_doubled(batch: list[str]) -> list[str]:
    return batch + batch


def test_batches_and_results_larger_than_a_pipe_pass_both_ways_without_waiting() -> None:
    """Two batches a worker in flight, each and each result several times a pipe's 64 KiB: the parent writes what
    a pipe takes and reads what comes, and neither side waits on the other."""
    batches = [[f"{index:06}" * 20] * 2_000 for index in range(12)]  # about 250 KB pickled
    pool = WorkerPool(2, _echo_doubled)
    try:
        answers = [answer for answer in pool.results(iter(batches), deque()) if not isinstance(answer, WorkerStopped)]
    finally:
        pool.close()
    assert sorted(answer[0] for answer in answers) == sorted(batch[0] for batch in batches)
    assert all(len(answer) == 4_000 for answer in answers)
