"""Selecting work as administrators do: ``--files-from``, ``--one-file-system``, ``--include``, ``--shard``; and
memory bounded on any tree: unscanned and excluded entries beyond a cap are counted, not kept."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector import pipeline, selection
from detector.errors import UsageError
from detector.model import FileResult, ScanOptions, Unscanned
from detector.result import Found, ScanResult, merge
from detector.rules import load_rules
from detector.selection import Selection, Shard, include_rules, listed_names
from detector.walk import ONE_FILE_SYSTEM, FileRef, WalkOptions, WalkStats, exclude_rules, walk

from .conftest import recorded_calls, valid_number
from .test_cli import KEY, people_csv, run

ITEM_IDS = frozenset(item.item_id for item in load_rules().items)
SJIS_NAME = "給与.csv".encode("cp932")  # not UTF-8: a name from a Windows share mounted as it is


def scan(roots: list[Path], **options: Any) -> ScanResult:
    return pipeline.scan_paths([str(root) for root in roots], ScanOptions(key=b"k", jobs=1, **options))


def read_paths(roots: list[Path], options: WalkOptions, stats: WalkStats | None = None,
               listed: list[str] | None = None) -> list[str]:
    """The paths a walk hands out to be read."""
    entries = walk([str(root) for root in roots], options, stats or WalkStats(), listed=listed or [])
    return [entry.path for entry in entries if isinstance(entry, FileRef)]


# -- --files-from ------------------------------------------------------------------------------------------------

def test_a_list_is_read_by_lines_or_by_nul_whichever_it_holds() -> None:
    assert list(listed_names(io.BytesIO(b"a.txt\n\nb c.txt\nlast"))) == ["a.txt", "b c.txt", "last"]
    # NUL-separated, as find -print0 writes: a name may then hold a newline
    assert list(listed_names(io.BytesIO(b"a\nb.txt\0c.txt\0"))) == ["a\nb.txt", "c.txt"]


def test_names_are_bytes_so_a_shift_jis_name_comes_back_as_the_system_gave_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selection, "CHUNK", 3)  # names cut across chunks are joined again
    names = list(listed_names(io.BytesIO(b"dir/" + SJIS_NAME + b"\0x.txt\0")))
    assert [os.fsencode(name) for name in names] == [b"dir/" + SJIS_NAME, b"x.txt"]


def test_files_from_stdin_reads_odd_names_and_lists_missing_ones_as_unscanned(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    with open(os.fsencode(share) + b"/" + SJIS_NAME, "w", encoding="utf-8") as odd:
        odd.write(f"個人番号,{valid_number(1)}\n")
    people_csv(share / "line\nbreak.csv", 1, seed=2)
    people_csv(share / "not listed.csv", 1, seed=3)
    listing = b"\0".join([b"share/" + SJIS_NAME, b"share/line\nbreak.csv", b"share/gone.csv", b""])
    done = subprocess.run([sys.executable, "-m", "detector", "scan", "--format", "json", "--files-from", "-"],
                          cwd=tmp_path, input=listing, capture_output=True, env={**os.environ, "MYNUMBER_KEY": KEY},
                          timeout=60, check=False)
    doc = json.loads(done.stdout)
    assert doc["summary"]["files_scanned"] == 2 and doc["summary"]["distinct_people"] == 2
    assert [(u["path"], u["reason"]) for u in doc["unscanned"]] == [
        ("share/gone.csv", "no such file (listed in --files-from)")]
    # a name that does not exist holds nothing: it does not make the verdict "possibly reportable"
    assert doc["summary"]["status"] == "not_reportable_on_scan", doc["summary"]


def test_excludes_includes_and_shards_apply_to_listed_names_and_folders_are_not_entered(tmp_path: Path) -> None:
    for name in ("a.csv", "b.txt", "old.bak", "sub/c.csv"):
        people_csv(tmp_path / name, 1)
    listed = [str(tmp_path / name) for name in ("a.csv", "b.txt", "old.bak", "sub")]
    options = WalkOptions(excludes=exclude_rules(["*.bak"]), selection=Selection(include_rules(["*.csv"])))
    stats = WalkStats()
    assert read_paths([], options, stats, listed) == [str(tmp_path / "a.csv")]
    assert stats.excluded_entries == [(str(tmp_path / "old.bak"), "--exclude *.bak")]


def test_a_file_listed_twice_is_read_once_under_its_first_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    """Lists joined from several runs of find name a file more than once, in one spelling or another: it is read
    once, so its findings and the files scanned are counted once, as a walk of its folder counts them."""
    people_csv(tmp_path / "a.csv", 1)
    people_csv(tmp_path / "b.csv", 1, seed=2)
    monkeypatch.chdir(tmp_path)
    listed = ["a.csv", "b.csv", "./a.csv", str(tmp_path / "a.csv"), "a.csv", "b.csv"]
    assert read_paths([], WalkOptions(), listed=listed) == ["a.csv", "b.csv"]
    (tmp_path / "list.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    result = scan([], files_from=str(tmp_path / "list.txt"))
    assert result.files_scanned == 2 and sorted({finding.path for finding in result.findings}) == ["a.csv", "b.csv"]


def test_a_list_that_cannot_be_read_stops_the_scan_before_it_starts(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--files-from .*missing.txt: cannot be read"):
        scan([], files_from=str(tmp_path / "missing.txt"))
    done = run(["scan", "--files-from", "-", "-"], tmp_path, stdin="")
    assert done.returncode == 2 and "both read standard input" in done.stderr
    done = run(["scan"], tmp_path)
    assert done.returncode == 2 and "--files-from" in done.stderr


# -- --one-file-system -------------------------------------------------------------------------------------------

@contextlib.contextmanager
def mounted_tmpfs(folder: Path) -> Iterator[None]:
    """A tmpfs mounted at ``folder`` for the test (root only; skipped where mounting is not allowed)."""
    folder.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True,
                             check=False) if os.geteuid() == 0 else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and the mount syscall)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_one_file_system_does_not_enter_a_mount_and_lists_it_as_excluded(tmp_path: Path) -> None:
    share = tmp_path / "share"
    people_csv(share / "local.csv", 1)
    with mounted_tmpfs(share / "mnt"):
        people_csv(share / "mnt" / "other.csv", 1, seed=5)
        everything = scan([share])
        staying = scan([share], one_file_system=True)
    assert everything.files_scanned == 2
    assert staying.files_scanned == 1 and [f.path for f in staying.findings] == [f"{share}/local.csv"]
    assert [(e.path, e.rule) for e in staying.excluded_entries] == [(str(share / "mnt"), ONE_FILE_SYSTEM)]


def test_one_file_system_stays_on_each_roots_own_file_system(tmp_path: Path) -> None:
    """A root on a mounted file system is walked (its own device is the one to stay on)."""
    with mounted_tmpfs(tmp_path / "mnt"):
        people_csv(tmp_path / "mnt" / "sub" / "a.csv", 1)
        assert read_paths([tmp_path / "mnt"], WalkOptions(one_file_system=True)) == [f"{tmp_path}/mnt/sub/a.csv"]


# -- --include -------------------------------------------------------------------------------------------------

def test_include_reads_only_matching_files_walks_every_folder_and_excludes_win(tmp_path: Path) -> None:
    for name in ("a.csv", "notes.txt", "deep/er/b.csv", "deep/secret.csv", "payroll/2026.txt"):
        people_csv(tmp_path / name, 1)
    options = WalkOptions(excludes=exclude_rules(["secret*"]),
                          selection=Selection(include_rules(["*.csv", "payroll"])))
    stats = WalkStats()
    assert sorted(read_paths([tmp_path], options, stats)) == [
        f"{tmp_path}/a.csv", f"{tmp_path}/deep/er/b.csv", f"{tmp_path}/payroll/2026.txt"]  # a folder: all below it
    assert stats.excluded_entries == [(f"{tmp_path}/deep/secret.csv", "--exclude secret*")]


def test_a_bad_include_glob_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match=r"--include '\[z-a\]'"):
        include_rules(["[z-a]"])


# -- --shard -----------------------------------------------------------------------------------------------------

def test_a_shard_is_k_of_n() -> None:
    assert Shard.parse("2/3") == (2, 3) and str(Shard.parse(" 1 / 1 ")) == "1/1"
    for bad in ("0/3", "4/3", "3", "a/b", "-1/2"):
        with pytest.raises(UsageError, match="--shard"):
            Shard.parse(bad)


tree_names = st.lists(st.lists(st.sampled_from(["a", "b", "日本", "x y", "c.csv", "d.txt", "e"]), min_size=1,
                               max_size=4).map("/".join), min_size=1, max_size=25, unique=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=tree_names, shards=st.integers(min_value=1, max_value=5))
def test_n_shards_of_a_tree_read_each_file_exactly_once_wherever_it_is_mounted(names: list[str],
                                                                                shards: int) -> None:
    with tempfile.TemporaryDirectory() as base:
        here, there = Path(base) / "mnt" / "share", Path(base) / "srv" / "nas"
        files = _make_tree(here, names)
        _make_tree(there, names)
        (here / "link").symlink_to("nowhere")  # entries not read are listed by exactly one shard too
        (here / "old.bak").write_text("x\n")
        read: Counter[str] = Counter()
        listed: Counter[str] = Counter()
        for k in range(1, shards + 1):
            options = WalkOptions(excludes=exclude_rules(["*.bak"]), selection=Selection(shard=Shard(k, shards)))
            stats = WalkStats()
            entries = list(walk([str(here)], options, stats))
            mine = [os.path.relpath(e.path, here) for e in entries if isinstance(e, FileRef)]
            read.update(mine)
            listed.update(os.path.relpath(e.path, here) for e in entries if isinstance(e, Unscanned))
            listed.update(os.path.relpath(path, here) for path, _ in stats.excluded_entries)
            # the same shard of the same share mounted elsewhere: the same files
            assert mine == read_relative(there, options)
        assert read == Counter(files) and listed == Counter(["link", "old.bak"])


def read_relative(root: Path, options: WalkOptions) -> list[str]:
    return [os.path.relpath(path, root) for path in read_paths([root], options)]


def _make_tree(root: Path, names: list[str]) -> list[str]:
    """Files at ``names`` (a name that is also a folder's is left a folder); the files made, relative."""
    made = []
    for name in sorted(names, key=lambda n: -n.count("/")):
        path = root / name
        if path.exists():
            continue
        with contextlib.suppress(OSError):  # a folder where a file would go, or the reverse
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x\n")
            made.append(name)
    return made


def test_shards_with_a_state_read_nothing_again_and_their_merge_is_the_whole_tree(tmp_path: Path) -> None:
    share = tmp_path / "share"
    for index in range(12):
        people_csv(share / f"d{index % 3}" / f"f{index}.csv", 1, seed=index)
    whole = scan([share])
    documents = []
    for k in (1, 2, 3):
        state = str(tmp_path / f"state{k}.db")
        first = scan([share], shard=(k, 3), state_path=state)
        again = scan([share], shard=(k, 3), state_path=state)
        assert again.to_json()["findings"] == first.to_json()["findings"]
        assert again.files_scanned == first.files_scanned
        documents.append((f"shard{k}", first.to_json()))
    merged = merge(documents, load_rules().triggers, item_ids=ITEM_IDS)
    assert merged.files_scanned == whole.files_scanned == 12
    assert merged.distinct_people == whole.distinct_people == 12


def test_an_include_with_a_state_gives_the_same_result_on_the_second_run(tmp_path: Path) -> None:
    share = tmp_path / "share"
    people_csv(share / "a.csv", 2)
    people_csv(share / "b.txt", 1, seed=9)
    state = str(tmp_path / "state.db")
    first = scan([share], includes=("*.csv",), state_path=state)
    again = scan([share], includes=("*.csv",), state_path=state)
    assert first.files_scanned == again.files_scanned == 1 and again.distinct_people == 2
    assert scan([share], state_path=state).files_scanned == 2  # without it, the other file is read too


def test_the_options_are_keys_of_a_configuration_file(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    people_csv(tmp_path / "share" / "b.txt", 1, seed=4)
    (tmp_path / "mynumber.toml").write_text('[scan]\ninclude = ["*.csv"]\nshard = "1/1"\none-file-system = true\n')
    done = run(["scan", "--format", "json", "share"], tmp_path)
    assert json.loads(done.stdout)["summary"]["files_scanned"] == 1, done.stderr
    (tmp_path / "mynumber.toml").write_text('[scan]\nshard = "3/2"\n')
    done = run(["scan", "share"], tmp_path)
    assert done.returncode == 2 and "--shard '3/2'" in done.stderr


# -- bounded memory ----------------------------------------------------------------------------------------------

def unscanned(count: int, seed: int) -> list[Unscanned]:
    entries = [Unscanned(f"/share/p{index:03d}.png", "image: no OCR (--no-ocr)", kind="image")
               for index in range(count)]
    entries += [Unscanned(f"/share/s{index:03d}", "not a regular file: FIFO (named pipe), never opened")
                for index in range(3)]
    random.Random(seed).shuffle(entries)
    return entries


@pytest.mark.parametrize("seed", [1, 2])
def test_unscanned_entries_beyond_the_cap_are_counted_by_reason_and_not_kept(seed: int) -> None:
    result = ScanResult(key_id="k", unscanned_kept=4)
    for entry in unscanned(20, seed):  # in any order: the same entries are kept
        result.add(FileResult(path=entry.path, scanned=False, unscanned=[entry]))
        assert len(result.unscanned) < 2 * 4
    result.finish(load_rules().triggers)
    summary = result.summary()
    assert [u.path for u in result.unscanned] == [f"/share/p{index:03d}.png" for index in range(4)]
    assert summary["unscanned"] == 23
    assert summary["unscanned_by_reason"] == {"image": 20, "not a regular file": 3}
    assert summary["unscanned_left_out"] == {"entries": 19, "by_reason": {"image": 16, "not a regular file": 3},
                                             "by_type": {"image": 16, "other": 3}}
    # the verdict still counts every picture not read among what may hold numbers, not the FIFOs
    assert result.facts().bound.unscanned_files == 20


def test_merge_adds_up_the_entries_each_scan_left_out(tmp_path: Path) -> None:
    documents = []
    for seed in (1, 2):
        result = ScanResult(key_id="0123456789abcdef", unscanned_kept=4)
        for entry in unscanned(10, seed):
            moved = entry._replace(path=f"/host{seed}{entry.path}")
            result.add(FileResult(path=moved.path, scanned=False, unscanned=[moved]))
        documents.append((f"scan{seed}", result.finish(load_rules().triggers).to_json()))
    merged = merge(documents, load_rules().triggers, item_ids=ITEM_IDS)
    summary = merged.summary()
    assert summary["unscanned"] == 26 and summary["unscanned_by_reason"] == {"image": 20, "not a regular file": 6}
    assert len(merged.unscanned) == 8 and summary["unscanned_left_out"]["entries"] == 18


def test_excluded_entries_beyond_the_cap_are_counted_by_rule(tmp_path: Path) -> None:
    for index in range(5):
        people_csv(tmp_path / f"f{index}.bak", 1)
    stats = WalkStats(excluded_kept=2)
    read_paths([tmp_path], WalkOptions(excludes=exclude_rules(["*.bak"])), stats)
    assert stats.excluded == 5 and len(stats.excluded_entries) == 2
    assert stats.excluded_left_out == {"--exclude *.bak": 3}


def test_a_scan_that_leaves_entries_out_says_so_in_its_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScanResult, "__init__", _capped(ScanResult.__init__))
    for index in range(6):
        (tmp_path / f"p{index}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    doc = scan([tmp_path], ocr=False).to_json()
    assert doc["summary"]["unscanned"] == 6 and len(doc["unscanned"]) == 2
    assert doc["summary"]["unscanned_left_out"]["entries"] == 4


def test_entries_left_out_of_the_list_still_reach_a_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--format jsonl`` is told of every entry as it comes in: the cap bounds the list kept, not the stream."""
    monkeypatch.setattr(ScanResult, "__init__", _capped(ScanResult.__init__))
    for index in range(6):
        (tmp_path / f"p{index}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    streamed: list[Unscanned] = []

    class Sink:
        def found(self, found: Found) -> None:
            streamed.extend(found.unscanned)

        def flush(self) -> None:
            pass

    result = pipeline.scan_paths([str(tmp_path)], ScanOptions(key=b"k", jobs=1, ocr=False), stream=Sink())
    assert len(result.unscanned) == 2 and len(streamed) == 6


def _capped(init: Any) -> Any:
    def capped(self: ScanResult, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.unscanned_kept = 2
    return capped


def test_the_library_takes_the_same_selection(tmp_path: Path) -> None:
    from detector import scan as library_scan

    people_csv(tmp_path / "a.csv", 1)
    people_csv(tmp_path / "b.txt", 1, seed=3)
    result = library_scan(tmp_path, key_file=None, includes=["*.csv"], shard="1/1", one_file_system=True)
    assert result.files_scanned == 1
    with pytest.raises(UsageError, match="--shard"):
        library_scan(tmp_path, shard="2/1")


def test_watch_follows_only_the_included_files(tmp_path: Path) -> None:
    from detector.watch import Watcher, WatchOptions

    people_csv(tmp_path / "a.csv", 1)
    people_csv(tmp_path / "b.txt", 1, seed=3)
    events: list[dict[str, Any]] = []
    watcher = Watcher([str(tmp_path)], WatchOptions(ScanOptions(key=b"k", includes=("*.csv",))), events.append)
    watcher.start()
    people_csv(tmp_path / "c.txt", 1, seed=5)
    people_csv(tmp_path / "d.csv", 1, seed=6)
    assert not watcher._process(str(tmp_path / "c.txt"))  # a file's news, as the observer gives it
    assert watcher._process(str(tmp_path / "d.csv"))
    watcher.close()
    assert sorted(e["path"] for e in events if e["event"] == "finding") == [f"{tmp_path}/a.csv", f"{tmp_path}/d.csv"]


def test_a_file_given_as_a_root_is_read_by_one_shard_and_only_when_included(tmp_path: Path) -> None:
    people_csv(tmp_path / "a.csv", 1)
    read = [read_paths([tmp_path / "a.csv"], WalkOptions(selection=Selection(shard=Shard(k, 3)))) for k in (1, 2, 3)]
    assert sorted(map(len, read)) == [0, 0, 1]
    assert read_paths([tmp_path / "a.csv"], WalkOptions(selection=Selection(include_rules(["*.txt"])))) == []


def test_merge_keeps_as_many_excluded_entries_as_a_scan_and_counts_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    from detector import result as result_module
    from detector.model import Excluded

    monkeypatch.setattr(result_module, "ENTRIES_KEPT", 3)
    documents = []
    for host in ("a", "b"):
        scanned = ScanResult(key_id="0123456789abcdef")
        scanned.excluded = 2
        scanned.excluded_entries = [Excluded(f"/{host}/{name}", "--exclude *.bak") for name in ("x.bak", "y.bak")]
        documents.append((host, scanned.finish(load_rules().triggers).to_json()))
    merged = merge(documents, load_rules().triggers, item_ids=ITEM_IDS)
    assert [e.path for e in merged.excluded_entries] == ["/a/x.bak", "/a/y.bak", "/b/x.bak"]
    assert merged.summary()["excluded"] == 4
    assert merged.summary()["excluded_left_out"] == {"entries": 1, "by_rule": {"--exclude *.bak": 1}}


def test_listed_names_with_a_state_are_read_once_and_kept_when_the_list_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "share"
    people_csv(share / "a.csv", 1, seed=1)
    people_csv(share / "b.csv", 1, seed=2)
    listing = tmp_path / "list"

    def scan_list(*names: str) -> ScanResult:
        listing.write_text("".join(f"{share / name}\n" for name in names))
        options = ScanOptions(key=b"k", jobs=1, state_path=str(tmp_path / "state.db"), files_from=str(listing))
        return pipeline.scan_paths([], options)

    read = recorded_calls(monkeypatch, pipeline, "scan_batch", lambda scanner, paths, listed: paths)
    first = scan_list("a.csv", "b.csv")
    assert read == [[str(share / "a.csv"), str(share / "b.csv")]]
    again = scan_list("a.csv", "b.csv")
    shorter = scan_list("b.csv")  # a shorter list says what to read now, not what is gone
    back = scan_list("a.csv", "b.csv")
    assert len(read) == 1  # nothing read again
    assert first.distinct_people == again.distinct_people == back.distinct_people == 2
    assert shorter.distinct_people == 1


def watch_findings(root: Path, options: ScanOptions, news: list[Path],
                   arrive: Callable[[], None] = lambda: None) -> set[str]:
    """The files a watch of ``root`` reports findings in: those there at its start, then, once ``arrive`` has
    made them, ``news``, told to the watch as its observer tells it (a file's or a folder's path; a folder's
    files are queued to settle, taken here at once)."""
    from detector.watch import Watcher, WatchOptions

    events: list[dict[str, Any]] = []
    watcher = Watcher([str(root)], WatchOptions(options), events.append)
    watcher.start()
    arrive()
    for path in news:
        watcher._process(str(path))
    for queued in list(watcher.changes.take_due(float("inf"))):
        watcher._process(queued)
    watcher.close()
    return {str(event["path"]) for event in events if event["event"] == "finding"}


def test_a_watch_with_a_shard_takes_the_files_a_scan_with_that_shard_reads(tmp_path: Path) -> None:
    """``watch --shard K/N`` decides a file's share by its path under the watched root, as ``scan --shard``: so
    the N hosts polling one share take each file once, files there at the start, new ones and those of a folder
    moved in alike (whose paths under the root, not under the folder, decide)."""
    share, away = tmp_path / "share", tmp_path / "away"
    for folder in ("old", "new", "moved_in"):
        for index in range(12):
            people_csv(share / folder / f"f{index}.csv", 1, seed=len(folder) * 20 + index)
    news = [share / "new" / f"f{index}.csv" for index in range(12)] + [share / "moved_in"]

    def arrive() -> None:  # after the watch started: new files, and a folder moved in
        for folder in ("new", "moved_in"):
            (away / folder).rename(share / folder)

    taken: list[set[str]] = []
    for k in (1, 2, 3):
        scanned = {finding.path for finding in scan([share], shard=(k, 3)).findings}
        away.mkdir()
        for folder in ("new", "moved_in"):
            (share / folder).rename(away / folder)
        watched = watch_findings(share, ScanOptions(key=b"k", shard=(k, 3)), news, arrive)
        away.rmdir()
        assert watched == scanned, k
        taken.append(watched)
    assert sum(map(len, taken)) == 36 and set.union(*taken) == {str(path) for path in share.rglob("*.csv")}


def test_a_watch_on_one_file_system_leaves_a_mounted_share_alone(tmp_path: Path) -> None:
    """``watch --one-file-system``: neither the first walk nor the news of files and folders heard of later enter
    a file system mounted inside the tree (inotify and polling both hear of it, as the walk would enter it)."""
    share = tmp_path / "share"
    people_csv(share / "local.csv", 1)
    with mounted_tmpfs(share / "mnt"):
        people_csv(share / "mnt" / "there.csv", 1, seed=5)

        def arrive() -> None:
            people_csv(share / "mnt" / "sub" / "later.csv", 1, seed=6)
            people_csv(share / "later.csv", 1, seed=7)

        news = [share / "mnt" / "sub", share / "mnt" / "sub" / "later.csv", share / "later.csv"]
        staying = watch_findings(share, ScanOptions(key=b"k", one_file_system=True), news, arrive)
        (share / "mnt" / "sub" / "later.csv").unlink()
        (share / "later.csv").unlink()
        everything = watch_findings(share, ScanOptions(key=b"k"), news, arrive)
    assert staying == {f"{share}/local.csv", f"{share}/later.csv"}
    assert everything == staying | {f"{share}/mnt/there.csv", f"{share}/mnt/sub/later.csv"}


def test_entries_left_out_of_the_list_are_kept_in_the_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--state``, each file's entries not scanned are stored with the file whatever the cap of the list in
    memory: the state holds all of them, and the next scan, which reads none of the unchanged files again, reports
    the same counts and the same list as the first."""
    from detector.incremental.changes import open_state

    monkeypatch.setattr(ScanResult, "__init__", _capped(ScanResult.__init__))
    for index in range(6):
        (tmp_path / "share" / f"p{index}.png").parent.mkdir(exist_ok=True)
        (tmp_path / "share" / f"p{index}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "share" / "gone").symlink_to(tmp_path / "nowhere")  # the walk's own entry: a broken link
    options = ScanOptions(key=b"k", jobs=1, ocr=False, state_path=str(tmp_path / "state.db"))
    first = pipeline.scan_paths([str(tmp_path / "share")], options)
    assert len(first.unscanned) == 2 and first.summary()["unscanned"] == 7
    state = open_state(options, load_rules(), first.key_id)
    assert state is not None
    try:
        pictures = [str(tmp_path / "share" / f"p{index}.png") for index in range(6)]
        stored = [state.result(path, path) for path in pictures]
    finally:
        state.close()
    # each picture's entry, the 4 left out of the list in memory too
    assert [[u.path for u in result.unscanned] if result else None for result in stored] == [[p] for p in pictures]
    again = pipeline.scan_paths([str(tmp_path / "share")], options)
    assert again.summary()["unscanned"] == 7 and again.summary()["unscanned_left_out"] == \
        first.summary()["unscanned_left_out"]
    assert [(u.path, u.reason) for u in again.unscanned] == [(u.path, u.reason) for u in first.unscanned]
