"""Batching: a folder's files are cut into batches by slices exactly as they would be file by file; worker
processes are forked while no other thread runs."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector import pipeline
from detector.model import ScanOptions, Unscanned
from detector.result import ScanResult
from detector.walk import FileRef, FolderFiles

SIZES = st.lists(st.lists(st.integers(min_value=0, max_value=6 * 1024 * 1024), max_size=700), max_size=5)


def one_by_one(folders: list[list[int]]) -> list[list[str]]:
    """The rule, file by file: a batch is closed at BATCH_FILES files or once BATCH_BYTES are reached."""
    batches: list[list[str]] = []
    batch: list[str] = []
    size = 0
    for number, sizes in enumerate(folders):
        for index, file_size in enumerate(sizes):
            batch.append(f"d{number}/f{index}")
            size += file_size
            if len(batch) >= pipeline.BATCH_FILES or size >= pipeline.BATCH_BYTES:
                batches.append(batch)
                batch, size = [], 0
    return [*batches, batch] if batch else batches


@given(folders=SIZES)
def test_folders_are_batched_as_their_files_one_by_one(folders: list[list[int]]) -> None:
    entries: list[FolderFiles | FileRef | Unscanned] = [
        FolderFiles([f"d{number}/f{index}" for index in range(len(sizes))],
                    [n for size in sizes for n in (1, 2, size, 3)])
        for number, sizes in enumerate(folders) if sizes]
    result = ScanResult(key_id="k")
    assert list(pipeline._batches(entries, result)) == one_by_one(folders)


def test_a_folder_of_files_is_also_a_list_of_file_refs() -> None:
    files = FolderFiles(["a/x", "a/y"], [1, 2, 30, 4, 5, 6, 70, 8])
    assert list(files.refs()) == [FileRef("a/x", 30, 1, 2, 4), FileRef("a/y", 70, 5, 6, 8)]
    assert files.sizes == [30, 70]


def test_workers_are_forked_from_a_process_with_no_stat_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --state and two jobs the walk stats ahead on a thread; the worker processes must be forked while
    it is not running (a fork copies only the forking thread, whatever locks the others hold)."""
    for folder in range(40):
        (tmp_path / "share" / f"d{folder:02d}").mkdir(parents=True)
        for index in range(60):
            (tmp_path / "share" / f"d{folder:02d}" / f"f{index}.txt").write_text(f"memo {index}\n", encoding="utf-8")
    fork = os.fork
    threads_at_fork: list[list[str]] = []

    def recording_fork() -> int:
        threads_at_fork.append([thread.name for thread in threading.enumerate()])
        return fork()

    monkeypatch.setattr(os, "fork", recording_fork)
    monkeypatch.setattr(pipeline, "BATCH_FILES", 100)
    options = ScanOptions(key=b"k", jobs=2, state_path=str(tmp_path / "state.db"))
    result = pipeline.scan_paths([str(tmp_path / "share")], options)
    assert result.files_scanned == 2400
    assert threads_at_fork and not any(name.startswith("mynumber-stat") for names in threads_at_fork
                                       for name in names)
