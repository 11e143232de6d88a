"""The walk: every file under the roots once, in a stable order, with what is skipped and why; the same with or
without the thread that stats the folders ahead for incremental scans, and with the C lister or its plain twin
(os.scandir and os.stat), which give the same listings, identities, packed bytes and file system types."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector import walk as walk_module
from detector.fs import codec
from detector.fs import lister as lister_module
from detector.fs.lister import FOLDER_FLAGS, FolderListing, ListerWrapper, NativeLister, ScandirLister
from detector.fs.statahead import StatAhead
from detector.model import Unscanned
from detector.rules import load_rules
from detector.walk import FileRef, WalkOptions, WalkStats, exclude_rules, walk

needs_c_lister = pytest.mark.skipif(lister_module._speedups is None or not lister_module.UTF8_NAMES,
                                    reason="the C lister is not built here")


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

    def changed_files(self, folder: FolderListing) -> range:
        assert folder.identities is not None and len(folder.identities) == 4 * len(folder.names)
        return range(len(folder.names))


def stat_ahead() -> StatAhead:
    """The walk's lister with the stat-ahead thread, as an incremental scan uses it before workers are forked."""
    return StatAhead(lister_module.default_lister(), may_fork=lambda: True)


def in_parallel(root: Path) -> tuple[list[tuple[str, tuple[int, int, int, int]]], list[tuple[str, str]]]:
    rules = load_rules(())
    walk_options = WalkOptions(excludes=rules.excludes + exclude_rules(["*.bak"]))
    files, skipped = [], []
    for entry in walk([str(root)], walk_options, WalkStats(), _Everything(), stat_ahead()):
        if isinstance(entry, FileRef):
            files.append((entry.path, entry.identity))
        else:
            skipped.append((entry.path, entry.reason))
    return files, skipped


def test_the_stat_thread_changes_nothing_in_what_is_walked(tmp_path: Path) -> None:
    root = share(tmp_path)
    assert in_parallel(root) == listing(root)[:2]


@pytest.mark.parametrize("chunk", [1, 3, 1000])
@pytest.mark.parametrize("look_ahead", [0, 1, 8])
def test_any_chunks_and_look_ahead_give_the_same_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      chunk: int, look_ahead: int) -> None:
    root = share(tmp_path)
    expected = listing(root)[:2]
    monkeypatch.setattr(StatAhead, "CHUNK", chunk)
    monkeypatch.setattr(StatAhead, "LOOK_AHEAD", look_ahead)
    assert in_parallel(root) == expected


def test_the_stat_thread_and_the_walk_share_the_chunks_and_give_what_one_stat_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 5 files, the thread slower than the walk: both stat some (the walk cancels what the thread has
    not started, and steals the newest while it waits), and every folder comes out as one stat of it gives."""
    root = share(tmp_path)
    plain = lister_module.default_lister()
    by = {"thread": 0, "walk": 0}

    class Slow(ListerWrapper):
        def stat(self, *args: Any) -> Any:
            in_thread = threading.current_thread().name.startswith("mynumber-stat")
            by["thread" if in_thread else "walk"] += 1
            time.sleep(0.02 if in_thread else 0.005)
            return plain.stat(*args)

    monkeypatch.setattr(StatAhead, "CHUNK", 5)
    ahead = StatAhead(Slow(plain), lambda: False)
    got, expected = [], []
    try:
        listed = walk_module._folders(str(root), WalkOptions(), WalkStats(), set(), plain)
        for stated in ahead.stat_folders(listed, frozenset()):
            whole = plain.stat(stated._replace(identities=None), 0, len(stated.names), frozenset())
            got.append((stated.absolute, stated.names, stated.joined, list(stated.identities or ())))
            expected.append((stated.absolute, whole.names, whole.joined, list(whole.identities or ())))
            stated.close()
    finally:
        ahead.close()
    assert got == expected and len(got) > 10
    assert by["thread"] > 0 and by["walk"] > 0


def test_no_stat_thread_is_alive_when_files_are_handed_out(tmp_path: Path) -> None:
    """The reader may fork its workers as soon as it has files: the walk's own thread is then the only one."""
    root = share(tmp_path)
    alive = []
    for entry in walk([str(root)], WalkOptions(), WalkStats(), _Everything(), stat_ahead()):
        if isinstance(entry, FileRef):
            alive.append([t.name for t in threading.enumerate() if t.name.startswith("mynumber-stat")])
    assert alive and not any(alive)


def test_a_walk_left_early_closes_its_folders_and_its_thread(tmp_path: Path) -> None:
    root = share(tmp_path)
    before = len(os.listdir("/proc/self/fd"))
    walked = walk([str(root)], WalkOptions(), WalkStats(), _Everything(), stat_ahead())
    next(walked)
    walked.close()
    assert len(os.listdir("/proc/self/fd")) == before
    assert not [t for t in threading.enumerate() if t.name.startswith("mynumber-stat")]


@pytest.mark.parametrize("c_lister", [True, False])
def test_a_file_that_vanishes_before_its_stat_is_listed_unscanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  c_lister: bool) -> None:
    if not c_lister:
        monkeypatch.setattr(lister_module, "_speedups", None)
    elif lister_module._speedups is None:
        pytest.skip("the C lister is not built here")
    for name in ("a.txt", "c.txt"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    names = ["a.txt", "gone.txt", "c.txt"]
    lister = lister_module.default_lister()
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        folder = FolderListing(str(tmp_path), str(tmp_path), fd, names, "\0".join(names).encode())
        stated = lister.stat(folder, 0, 3, frozenset())
        own = os.stat(tmp_path / "c.txt")
        skipping = lister.stat(folder, 1, 3, frozenset({(own.st_dev, own.st_ino)}))
    finally:
        os.close(fd)
    assert stated.names == ["a.txt", "c.txt"] and stated.joined == b"a.txt\0c.txt"
    assert stated.identities is not None and len(stated.identities) == 8
    assert [(Path(u.path).name, u.reason) for u in stated.failed] == [("gone.txt", "vanished during the scan")]
    assert skipping.names == [] and skipping.joined == b"" and len(skipping.failed) == 1


@needs_c_lister
def test_the_c_lister_lists_a_large_folder_as_os_scandir_does(tmp_path: Path) -> None:
    for index in range(1500):
        name = f"{index:04d}-" + "長い名前" * (index % 20) + (".txt" if index % 3 else "")
        (tmp_path / name).write_bytes(b"x")
    os.mkdir(tmp_path / "sub")
    os.symlink("0001-", tmp_path / "link")
    (tmp_path / os.fsdecode(b"\xff\xfe-not-utf8")).write_bytes(b"x")
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        native = NativeLister().list(str(tmp_path), str(tmp_path), fd, frozenset())
        names, joined, others = native.names, native.joined, list(native.others)
        plain = ScandirLister().list(str(tmp_path), str(tmp_path), fd, frozenset())
        with os.scandir(fd) as entries:
            expected = [entry.name for entry in entries if entry.is_file(follow_symlinks=False)]
    finally:
        os.close(fd)
    assert names == expected and len(names) == 1501
    assert joined == "\0".join(expected).encode("utf-8", "surrogateescape")
    assert sorted(others) == [("link", codec.LINK), ("sub", codec.DIR)]
    assert (names, joined, others) == (plain.names, plain.joined, plain.others)
    assert codec.join_others(others) == codec.join_others(plain.others)  # the bytes a listing is remembered as


@needs_c_lister
def test_the_c_lister_and_os_scandir_walk_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = share(tmp_path)
    with_c = listing(root)
    monkeypatch.setattr(lister_module, "_speedups", None)
    assert listing(root) == with_c


@needs_c_lister
def test_the_c_stat_and_the_plain_stat_give_the_same_identities_and_bytes(tmp_path: Path) -> None:
    root = share(tmp_path)
    own = os.stat(root / "d0" / "f07.txt")
    skip = frozenset({(own.st_dev, own.st_ino)})
    fd = os.open(root / "d0", FOLDER_FLAGS)
    try:
        listed = NativeLister().list(str(root / "d0"), str(root / "d0"), fd, skip)
        native, plain = NativeLister().stat(listed, 0, len(listed.names), skip), \
            ScandirLister().stat(listed, 0, len(listed.names), skip)
    finally:
        os.close(fd)
    assert native == plain and len(native.names) == len(listed.names) - 1
    assert native.identities is not None and plain.identities is not None
    assert codec.packed_files(native.joined, native.identities) == codec.packed_files(plain.joined, plain.identities)


@needs_c_lister
def test_the_file_system_type_is_the_same_from_the_c_call_and_from_mountinfo(tmp_path: Path) -> None:
    fd = os.open(tmp_path, FOLDER_FLAGS)
    try:
        native, plain = NativeLister().filesystem_type(fd), ScandirLister().filesystem_type(fd)
    finally:
        os.close(fd)
    assert (native in lister_module.REMEMBERED_ON) == (plain in lister_module.REMEMBERED_ON)
    if plain:  # the twin knows the file system's name
        assert plain == native


def test_find_identity_finds_a_device_and_inode_with_or_without_the_c_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from array import array

    identities = array("q", [5, 10, 4096, 1, 6, 11, 10, 2, 7, 11, 1, 3]).tobytes()
    cases = [([5, 11], -1), ([6, 11], 1), ([7, 7, 7, 11], 2), ([6, 10], -1), ([4096, 1], -1), ([5, 10], 0)]
    with_c = [codec.find_identity(identities, array("q", pairs).tobytes()) for pairs, _ in cases]
    monkeypatch.setattr(codec, "_speedups", None)
    plain = [codec.find_identity(identities, array("q", pairs).tobytes()) for pairs, _ in cases]
    assert with_c == plain == [index for _, index in cases]
    assert codec.find_identity(b"", array("q", [5, 10]).tobytes()) == -1


def test_a_root_that_cannot_be_walked_is_an_error_naming_it(tmp_path: Path) -> None:
    from detector.errors import ScanError

    with pytest.raises(ScanError, match="no such file or folder"):
        roots = [str(tmp_path / "missing")]
        list(walk(roots, WalkOptions(), WalkStats(), None, stat_ahead()))


names_strategy = st.lists(st.one_of(
    st.sampled_from([".snapshot", "~snapshot", "snapshot", "proc", "sys", "dev", "run", "procs", "a.bak", "x"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), max_size=12)),
    max_size=30)


@given(names=names_strategy)
def test_plain_name_rules_exclude_the_same_entries_as_their_regex(names: list[str]) -> None:
    """The packaged excludes end in plain names, looked up in a set; the regex search over the same names
    excludes exactly the same entries."""
    rules = load_rules().excludes + exclude_rules(["/srv/{a,b}/.zfs", "cache"])
    plain = walk_module._Excludes(rules)
    assert plain.literal_names is not None
    by_regex = walk_module._Excludes(rules)
    by_regex.literal_names = None
    with_plain, with_regex = WalkStats(), WalkStats()
    assert plain.among("/srv/a", names, with_plain) == by_regex.among("/srv/a", names, with_regex)
    assert with_plain.excluded_by == with_regex.excluded_by


def test_a_rule_with_a_wildcard_in_its_name_is_searched_by_regex() -> None:
    excludes = walk_module._Excludes(load_rules().excludes + exclude_rules(["*.bak"]))
    assert excludes.literal_names is None
    assert excludes.among("/srv", ["a.bak", "b.txt", ".snapshot"], WalkStats()) == {"a.bak", ".snapshot"}
