"""The prefetch of an incremental scan: started by the scan command before the scan's modules load, it stats the
folders the state remembers; the scan takes what it found only for folders it finds as the prefetch found them,
and gives the same result with it as without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detector.fs import codec
from detector.fs import lister as lister_module
from detector.incremental.prefetch import StatPrefetch
from detector.pipeline import ScanOptions, scan_paths

from .conftest import recorded_calls, valid_number
from .test_state import comparable, tree

needs_c_stat = pytest.mark.skipif(lister_module._speedups is None or not lister_module.UTF8_NAMES,
                                  reason="the prefetch needs the C stat")


def scanned_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A tree scanned once with a state, its listings remembered as settled."""
    monkeypatch.setattr(codec, "SETTLED_NS", 0)
    share, state = tree(tmp_path, 60), tmp_path / "state.db"
    scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1, state_path=str(state)))
    return share, state


def counted_stats(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files the walk stats itself."""
    return recorded_calls(monkeypatch, lister_module.NativeLister, "stat",
                          lambda self, folder, first, last, skip: last - first)


@needs_c_stat
def test_folders_the_prefetch_stated_are_not_stated_again_and_the_result_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = scanned_tree(tmp_path, monkeypatch)
    options = ScanOptions(key=b"state-key", jobs=2, state_path=str(state))
    without = scan_paths([str(share)], options)
    prefetch = StatPrefetch.start(str(state), [str(share)])
    assert prefetch is not None
    with prefetch.running:  # let it finish before the walk asks
        pass
    stated = counted_stats(monkeypatch)
    with_prefetch = scan_paths([str(share)], options, prefetch=prefetch)
    assert stated == []
    assert comparable(with_prefetch) == comparable(without)


@needs_c_stat
def test_a_folder_changed_after_the_prefetch_is_stated_by_the_walk(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder whose entries changed since the prefetch is listed and stat'ed by the walk. A file rewritten in
    place in a folder that did not change is seen as the prefetch saw it, a moment before the walk would have
    (a scan sees each file as it was at some moment while it ran): the next scan reads it."""
    share, state = scanned_tree(tmp_path, monkeypatch)
    prefetch = StatPrefetch.start(str(state), [str(share)])
    assert prefetch is not None
    with prefetch.running:
        pass
    (share / "dept1" / "new.txt").write_text(f"個人番号 {valid_number(900)}\n", encoding="utf-8")
    changed = share / "dept2" / "f002.txt"
    changed.write_text(f"マイナンバー {valid_number(901)}\n", encoding="utf-8")
    os.utime(changed, ns=(1, 10**18))
    stated = counted_stats(monkeypatch)
    options = ScanOptions(key=b"state-key", jobs=1, state_path=str(state))
    result = scan_paths([str(share)], options, prefetch=prefetch)
    assert sum(stated) == 21  # dept1, listed again (a new file): the others as the prefetch found them
    assert any(finding.path.endswith("new.txt") for finding in result.findings)
    assert not any(finding.path.endswith("f002.txt") for finding in result.findings)
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(scan_paths([str(share)], options)) == comparable(fresh)


@needs_c_stat
def test_a_state_that_cannot_be_read_starts_nothing(tmp_path: Path) -> None:
    share = tree(tmp_path)
    for content in (b"", b"not a database", b"SQLite format 3\x00" + b"\x00" * 200):
        state = tmp_path / "state.db"
        state.write_bytes(content)
        assert StatPrefetch.start(str(state), [str(share)]) is None
    assert StatPrefetch.start(str(tmp_path / "missing.db"), [str(share)]) is None


@needs_c_stat
def test_the_command_with_a_prefetch_gives_what_it_gives_without(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the entry point: the first scan remembers listings made more than SETTLED_NS after the
    folders were made, so the second one prefetches."""
    share, state = tree(tmp_path, 60), tmp_path / "state.db"
    time.sleep(codec.SETTLED_NS / 1e9 + 0.1)
    env = {**os.environ, "MYNUMBER_KEY": "k"}
    command = [sys.executable, "-c", "import sys; from detector.__main__ import run; sys.argv[0] = 'mynumber'; run()",
               "scan", "--format", "json", "--state", str(state), str(share)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == second.returncode == 1, second.stderr
    assert strip_times(first.stdout) == strip_times(second.stdout)


def strip_times(document: str) -> str:
    data = json.loads(document)
    data.pop("scan")
    return json.dumps(data, sort_keys=True)


@needs_c_stat
def test_our_own_files_in_a_prefetched_folder_are_still_left_out(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The report file of a nightly scan, written each night into a scanned folder, is one of the prefetched
    files; the walk leaves it out as it does when it stats the folder itself."""
    share, state = scanned_tree(tmp_path, monkeypatch)
    own = os.stat(share / "dept0" / "f000.txt")
    prefetch = StatPrefetch.start(str(state), [str(share)])
    assert prefetch is not None
    with prefetch.running:
        pass
    options = ScanOptions(key=b"state-key", jobs=1, state_path=str(state),
                          skip_inodes=frozenset({(own.st_dev, own.st_ino)}))
    result = scan_paths([str(share)], options, prefetch=prefetch)
    assert result.files_scanned == 59
    assert not any(finding.path.endswith("f000.txt") for finding in result.findings)
