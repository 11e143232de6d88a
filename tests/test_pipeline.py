"""Batching: a folder's files are cut into batches by slices exactly as they would be file by file; worker
processes are forked while no other thread runs."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector import pipeline
from detector.model import ScanOptions, Unscanned
from detector.people import RevealedNumbers
from detector.result import ScanResult
from detector.walk import FileRef, FolderListing

from .conftest import recorded_calls, valid_number

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
    entries: list[FolderListing | FileRef | Unscanned] = [
        FolderListing(f"d{number}", f"/d{number}", -1, [f"f{index}" for index in range(len(sizes))], b"",
                      identities=[n for size in sizes for n in (1, 2, size, 3)])
        for number, sizes in enumerate(folders) if sizes]
    result = ScanResult(key_id="k")
    assert list(pipeline._batches(entries, result)) == one_by_one(folders)


def test_a_folder_of_files_is_also_a_list_of_file_refs() -> None:
    files = FolderListing("a", "/a", -1, ["x", "y"], b"x\0y", identities=[1, 2, 30, 4, 5, 6, 70, 8])
    assert files.paths() == ["a/x", "a/y"]
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


def _numbered_share(root: Path, files: int) -> dict[str, str]:
    """Files each holding one person's number with a keyword, a folder named with one; path -> number."""
    expected = {}
    for index in range(files):
        path = root / f"f{index:02}.txt"
        expected[str(path)] = valid_number(index)
        path.write_text(f"個人番号 {valid_number(index)}\n", encoding="utf-8")
    named = root / valid_number(99)
    named.mkdir()
    expected[str(named)] = valid_number(99)
    return expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_revealed_numbers_travel_beside_the_results_never_in_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   jobs: int) -> None:
    """With ``--reveal`` each finding's raw number reaches the sink, from the workers (beside their batches) and
    from the parent (folder names), while no result the parent receives carries one."""
    expected = _numbered_share(tmp_path, 12)
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)  # six batches: workers are forked with --jobs 2
    added = recorded_calls(monkeypatch, ScanResult, "add", lambda result, file_result: pickle.dumps(file_result))
    revealed = RevealedNumbers()
    result = pipeline.scan_paths([str(tmp_path)], ScanOptions(key=b"k", jobs=jobs, reveal=True), revealed=revealed)
    assert {finding.path: revealed.number(finding) for finding in result.findings} == expected
    assert len(added) == len(expected)
    in_contents = [number for path, number in expected.items() if path.endswith(".txt")]  # not in a name
    for pickled in added:
        assert not any(number.encode() in pickled for number in in_contents)


def test_without_reveal_no_number_is_kept_anywhere(tmp_path: Path) -> None:
    _numbered_share(tmp_path, 3)
    options = ScanOptions(key=b"k", jobs=1)
    revealed = RevealedNumbers()
    result = pipeline.scan_paths([str(tmp_path)], options, revealed=revealed)
    assert len(result.findings) == 4 and len(revealed) == 0
