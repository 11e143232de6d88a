"""The walk: every file under the roots once, in a stable order, with what is skipped and why; the same with or
without the helper process that stats half the folders for incremental scans, even when that helper fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pytest

from detector import walk as walk_module
from detector.model import Unscanned
from detector.rules import load_rules
from detector.walk import FileRef, StatHelper, WalkOptions, WalkStats, exclude_rules, walk


def share(base: Path) -> Path:
    root = base / "share"
    for folder in range(6):
        sub = root / f"d{folder}" / "inner"
        sub.mkdir(parents=True)
        for index in range(40):
            (sub.parent / f"f{index:02d}.txt").write_text(f"memo {index}\n", encoding="utf-8")
        (sub / "deep.txt").write_text("deep\n", encoding="utf-8")
    (root / ".snapshot" / "hourly").mkdir(parents=True)
    (root / ".snapshot" / "hourly" / "copy.txt").write_text("copy\n", encoding="utf-8")
    (root / "d0" / "old.bak").write_text("backup\n", encoding="utf-8")
    (root / "d0" / "line\nbreak.bak").write_text("odd name\n", encoding="utf-8")
    (root / "d1" / "link.txt").symlink_to(root / "d0" / "f00.txt")
    os.mkfifo(root / "d2" / "pipe")
    os.mkdir(root / "empty")
    (root / os.fsdecode(b"latin-\xe9.txt")).write_text("not utf-8 name\n", encoding="utf-8")
    return root


def listing(root: Path, **options: object) -> tuple[list[tuple[str, tuple[int, int, int, int]]], list[tuple[str, str]],
                                                  WalkStats]:
    rules = load_rules(())
    walk_options = WalkOptions(excludes=rules.excludes + exclude_rules(["*.bak"]), **options)  # type: ignore[arg-type]
    stats = WalkStats()
    files, skipped = [], []
    for entry in walk([str(root)], walk_options, stats):
        if isinstance(entry, FileRef):
            files.append((entry.path, entry.identity))
        else:
            assert isinstance(entry, Unscanned)
            skipped.append((entry.path, entry.reason))
    return files, skipped, stats


def test_every_file_once_in_name_order_with_skips_and_exclusions(tmp_path: Path) -> None:
    root = share(tmp_path)
    files, skipped, stats = listing(root)
    paths = [Path(path).relative_to(root).as_posix() for path, _ in files]
    assert len(paths) == len(set(paths)) == 6 * 41 + 1
    in_d0 = [p for p in paths if p.startswith("d0/") and p.count("/") == 1]
    assert in_d0 == sorted(in_d0) and len(in_d0) == 40  # a folder's files in name order
    assert paths.index("d0/f39.txt") < paths.index("d0/inner/deep.txt") < paths.index("d1/f00.txt")  # depth first
    assert not any(".snapshot" in p or p.endswith(".bak") for p in paths)
    assert os.fsdecode(b"latin-\xe9.txt") in paths
    assert stats.excluded == 3 and stats.excluded_by["--exclude *.bak"] == 2
    reasons = {Path(path).name: reason for path, reason in skipped}
    assert reasons["link.txt"].startswith("symbolic link not followed")
    assert reasons["pipe"].startswith("not a regular file: FIFO")
    identity = dict(files)[str(root / "d0" / "f00.txt")]
    st = os.stat(root / "d0" / "f00.txt")
    assert identity == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def test_the_order_is_the_same_on_every_run(tmp_path: Path) -> None:
    root = share(tmp_path)
    assert listing(root)[:2] == listing(root)[:2]


class _Everything:
    """An incremental scan's side of the walk that wants every file: exercises the helper's path."""

    def changed_files(self, directory: str, absolute_dir: str, names: list[str], identities: list[int]) -> range:
        assert len(identities) == 4 * len(names)
        return range(len(names))


def with_helper(root: Path) -> tuple[list[tuple[str, tuple[int, int, int, int]]], list[tuple[str, str]]]:
    rules = load_rules(())
    walk_options = WalkOptions(excludes=rules.excludes + exclude_rules(["*.bak"]))
    files, skipped = [], []
    helper = StatHelper.start([str(root)], walk_options)
    assert helper is not None
    for entry in walk([str(root)], walk_options, WalkStats(), _Everything(), helper):
        if isinstance(entry, FileRef):
            files.append((entry.path, entry.identity))
        else:
            skipped.append((entry.path, entry.reason))
    return files, skipped


def test_the_stat_helper_changes_nothing_in_what_is_walked(tmp_path: Path) -> None:
    root = share(tmp_path)
    assert with_helper(root) == listing(root)[:2]


def test_a_helper_that_dies_or_strays_leaves_the_walk_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = share(tmp_path)
    expected = listing(root)[:2]

    def dies(roots: list[str], options: WalkOptions, out: BinaryIO) -> None:
        raise RuntimeError("the helper fails at once")

    monkeypatch.setattr(walk_module, "_help", dies)
    assert with_helper(root) == expected

    def strays(roots: list[str], options: WalkOptions, out: BinaryIO) -> None:
        import marshal

        record = marshal.dumps(("/somewhere/else", 0, ["f00.txt"], [1, 2, 3, 4]))
        out.write(len(record).to_bytes(8, "little") + record)

    monkeypatch.setattr(walk_module, "_help", strays)
    assert with_helper(root) == expected


def test_large_folders_are_shared_between_the_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = share(tmp_path)
    expected = listing(root)[:2]
    monkeypatch.setattr(StatHelper, "SPLIT_AT", 10)  # the helper (forked later) takes part of every folder
    assert with_helper(root) == expected


def test_a_root_that_cannot_be_walked_is_an_error_naming_it(tmp_path: Path) -> None:
    from detector.errors import ScanError

    with pytest.raises(ScanError, match="no such file or folder"):
        roots = [str(tmp_path / "missing")]
        list(walk(roots, WalkOptions(), WalkStats(), None, StatHelper.start(roots, WalkOptions())))
