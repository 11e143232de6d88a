"""Incremental scans with --state: unchanged files are not read again, yet the result is as if everything had
been read; changed, new and deleted files are handled; the state is private, crash-safe, and refuses a file it
does not own."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from array import array
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.errors import UsageError
from detector.fs import codec
from detector.fs import lister as lister_module
from detector.fs.codec import changed_records, listing_stands, packed_listed
from detector.incremental.changes import _kinds
from detector.incremental.store import State
from detector.model import Confidence
from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.result import ScanResult
from detector.scanner import FileScanner

from .conftest import recorded_calls, valid_number

ROOT = Path(__file__).resolve().parent.parent


def tree(base: Path, files: int = 30) -> Path:
    share = base / "share"
    for index in range(files):
        folder = share / f"dept{index % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"個人番号 {valid_number(index)}\n" if index % 5 == 0 else f"memo {index}\n"
        (folder / f"f{index:03d}.txt").write_text(text, encoding="utf-8")
    return share


def scan(share: Path, state: Path, monkeypatch: pytest.MonkeyPatch | None = None, **options: Any) -> tuple[
        ScanResult, list[str]]:
    """A --jobs 1 scan with a state file, and the paths the scanner actually read."""
    read: list[str] = []
    if monkeypatch is not None:
        read = recorded_calls(monkeypatch, FileScanner, "_open", lambda scanner, path: path)
    result = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1, state_path=str(state), **options))
    if monkeypatch is not None:
        monkeypatch.undo()
    return result, read


def comparable(result: ScanResult) -> dict[str, Any]:
    doc = result.to_json()
    summary = {k: v for k, v in doc["summary"].items()}
    return {"summary": summary, "findings": doc["findings"], "unscanned": doc["unscanned"]}


def test_a_second_scan_reads_nothing_and_reports_everything(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, read_first = scan(share, state, monkeypatch)
    second, read_second = scan(share, state, monkeypatch)
    assert len(read_first) == 30 and read_second == []
    assert comparable(second) == comparable(first)
    assert first.distinct_people == 6
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(fresh) == comparable(second)


def test_changed_new_and_deleted_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    changed = share / "dept1" / "f001.txt"
    changed.write_text(f"マイナンバー {valid_number(500)}\n", encoding="utf-8")
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    (share / "dept0" / "f000.txt").unlink()
    (share / "dept2" / "new.txt").write_text(f"個人番号 {valid_number(501)}\n", encoding="utf-8")
    result, read = scan(share, state, monkeypatch)
    assert sorted(Path(p).name for p in read) == ["f001.txt", "new.txt"]
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(result) == comparable(fresh)
    with sqlite3.connect(state) as db:
        names = {Path(row[0]).name for row in db.execute("SELECT path FROM files")}
    assert "f000.txt" not in names and {"f001.txt", "new.txt"} <= names


def test_parallel_scans_use_and_fill_the_state_too(tmp_path: Path) -> None:
    share, state = tree(tmp_path, 300), tmp_path / "state.db"
    first = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=2, state_path=str(state)))
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 300
    second = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=2, state_path=str(state)))
    assert comparable(first) == comparable(second)


def test_other_options_mean_every_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    _, read = scan(share, state, monkeypatch, min_confidence=Confidence.LOW)
    assert len(read) == 30


def test_the_state_is_private_and_holds_no_raw_number(tmp_path: Path) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    assert state.stat().st_mode & 0o777 == 0o600
    data = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    for index in range(0, 30, 5):
        assert valid_number(index).encode() not in data


def test_reveal_reads_files_with_findings_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    revealed = RevealedNumbers()
    read = recorded_calls(monkeypatch, FileScanner, "_open", lambda scanner, path: path)
    scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1, state_path=str(state), reveal=True),
               revealed=revealed)
    assert len(read) == 6 and len(revealed) == 6


def test_a_state_inside_the_scanned_folder_is_not_scanned(tmp_path: Path) -> None:
    share = tree(tmp_path)
    first, _ = scan(share, share / "mynumber-state.db")
    second, _ = scan(share, share / "mynumber-state.db")
    assert first.files_scanned == second.files_scanned == 30


@pytest.mark.parametrize("content", [b"hello, not a database\n" * 10, b"SQLite format 3\x00" + b"\x00" * 200],
                         ids=["text", "damaged"])
def test_a_foreign_or_damaged_file_is_refused_not_reset(tmp_path: Path, content: bytes) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    state.write_bytes(content)
    with pytest.raises(UsageError, match="state"):
        scan(share, state)
    assert state.read_bytes() == content


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    share, state = tree(tmp_path), tmp_path / "other.db"
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(UsageError, match="not a mynumber state file"):
        scan(share, state)
    with sqlite3.connect(state) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_another_key_is_refused(tmp_path: Path) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    with pytest.raises(UsageError, match="another fingerprint key"):
        scan_paths([str(share)], ScanOptions(key=b"other-key", jobs=1, state_path=str(state)))


def test_the_cli_says_what_is_wrong_with_a_state_file(tmp_path: Path) -> None:
    share, state = tree(tmp_path), tmp_path / "notes.txt"
    state.write_text("my notes\n" * 100, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "detector", "scan", str(share), "--state", str(state)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "MYNUMBER_KEY": "k"})
    assert done.returncode == 2
    assert "not a mynumber state file" in done.stderr and "Traceback" not in done.stderr


def test_a_scan_killed_midway_leaves_a_state_the_next_run_uses(tmp_path: Path) -> None:
    share, state = tree(tmp_path, 6000), tmp_path / "state.db"
    code = ("import sys, detector.incremental.store as s; s.COMMIT_EVERY_FILES = 100; s.COMMIT_EVERY_SECONDS = 0.05; "
            "from detector.cli import main; sys.argv[0] = 'mynumber'; main()")
    env = {**os.environ, "MYNUMBER_KEY": "state-key"}
    process = subprocess.Popen([sys.executable, "-c", code, "scan", "--jobs", "1", "--state", str(state),
                                str(share)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
                stored = db.execute("SELECT count(*) FROM files").fetchone()[0]
        except sqlite3.Error:
            stored = 0
        if stored >= 500:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait()
    if stored < 500 or stored >= 6000:
        pytest.skip("the scan finished before it could be interrupted on this machine")
    result = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1, state_path=str(state)))
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(result) == comparable(fresh)
    assert json.loads(json.dumps(result.summary()))["files_scanned"] == 6000


def asking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the scan asks the state about one by one (State.record), from now on."""
    return recorded_calls(monkeypatch, State, "record", lambda state, path: path)


def test_an_unchanged_folder_is_taken_whole_without_asking_file_by_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, _ = scan(share, state)
    asked = asking(monkeypatch)
    second, read = scan(share, state, monkeypatch)
    assert asked == [] and read == []
    assert comparable(second) == comparable(first)


def test_a_file_changed_and_stored_by_watch_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`watch` updates a file's record but not its folder's snapshot: the scan then asks the file's record."""
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    changed = share / "dept1" / "f004.txt"
    changed.write_text(f"個人番号 {valid_number(700)}\n", encoding="utf-8")
    scanner = FileScanner(ScanOptions(key=b"state-key"))
    opened = State(str(state), scanner.fingerprint.key_id, _config_of(state))
    st = changed.stat()
    opened.put(str(changed), (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns), scanner.scan_file(str(changed)))
    opened.close()
    result, read = scan(share, state, monkeypatch)
    assert read == []
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(result) == comparable(fresh)


def _config_of(state: Path) -> str:
    with sqlite3.connect(state) as db:
        return str(db.execute("SELECT value FROM meta WHERE name = 'config'").fetchone()[0])


def test_a_damaged_folder_snapshot_means_comparing_file_by_file(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, _ = scan(share, state)
    with sqlite3.connect(state) as db:
        db.execute("UPDATE folders SET identities = x'0102', notable = 'text'")
    second, read = scan(share, state, monkeypatch)
    assert read == [] and comparable(second) == comparable(first)
    third, read = scan(share, state, monkeypatch)  # the snapshots were written again
    assert read == [] and comparable(third) == comparable(first)


def test_a_file_whose_name_is_not_utf8_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    odd = share / os.fsdecode(b"caf\xe9.txt")
    odd.write_text(f"個人番号 {valid_number(800)}\n", encoding="utf-8")
    first, _ = scan(share, state)
    second, read = scan(share, state, monkeypatch)
    assert read == [] and comparable(second) == comparable(first)
    odd.unlink()
    third, _ = scan(share, state)
    assert third.distinct_people == first.distinct_people - 1


def test_results_of_other_rules_are_never_reused_even_for_another_root(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    share, state = tree(tmp_path), tmp_path / "state.db"
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("memo\n", encoding="utf-8")
    scan(share, state)  # medium confidence
    scan_paths([str(other)], ScanOptions(key=b"state-key", jobs=1, state_path=str(state),
                                         min_confidence=Confidence.LOW))
    _, read = scan(share, state, monkeypatch, min_confidence=Confidence.LOW)
    assert len(read) == 30  # the share's results were made under other options: read again


def test_files_rewritten_in_place_are_the_only_ones_read_or_asked_about(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders with the same files as before, some rewritten: only those are compared one by one and read."""
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    later = time.time_ns() + 1_000_000_000
    rewrites = {"dept0/f000.txt": "memo, no number now\n",  # had a finding
                "dept1/f001.txt": f"マイナンバー {valid_number(800)}\n",  # had none
                "dept2/f005.txt": f"個人番号 {valid_number(801)}\n"}  # another number
    for name, text in rewrites.items():
        (share / name).write_text(text, encoding="utf-8")
        os.utime(share / name, ns=(later, later))
    asked = asking(monkeypatch)
    result, read = scan(share, state, monkeypatch)
    assert sorted(read) == sorted(str(share / name) for name in rewrites)
    assert sorted(asked) == sorted(str(share / name) for name in rewrites)
    fresh = scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1))
    assert comparable(result) == comparable(fresh)
    third, read_third = scan(share, state, monkeypatch)
    assert read_third == [] and comparable(third) == comparable(fresh)


@given(records=st.lists(st.binary(min_size=32, max_size=32), max_size=40), data=st.data())
def test_the_changed_records_of_two_listings_are_found_exactly(records: list[bytes], data: st.DataObject) -> None:
    changed = data.draw(st.sets(st.integers(0, max(0, len(records) - 1))) if records else st.just(set()))
    whole = data.draw(st.booleans())  # every byte of a changed record, or one (its first, last or any)
    new = []
    for index, record in enumerate(records):
        if index in changed:
            at = data.draw(st.sampled_from([0, 31, data.draw(st.integers(0, 31))]))
            flipped = bytes(b ^ 0xFF for b in record) if whole else bytes([record[at] ^ 1])
            record = flipped if whole else record[:at] + flipped + record[at + 1:]
        new.append(record)
    assert changed_records(b"".join(new), b"".join(records)) == sorted(changed)


# -- remembered listings -------------------------------------------------------------------------------------

@pytest.fixture(params=["C lister", "plain lister"])
def either_lister(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type[Any]:
    """Each test of remembered listings runs with the C lister (where it is built) and with its plain twin: both
    remember listings, and give the same results."""
    if request.param == "plain lister":
        monkeypatch.setattr(lister_module, "_speedups", None)
    elif lister_module._speedups is None or not lister_module.UTF8_NAMES:
        pytest.skip("the C lister is not built here")
    return type(lister_module.default_lister())


def counted_listings(monkeypatch: pytest.MonkeyPatch, lister: type[Any]) -> list[str]:
    """The folders the walk reads the entries of (by descriptor: their names are looked up)."""
    return recorded_calls(monkeypatch, lister, "list", lambda self, directory, absolute_dir, fd, skip:
                          os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))


def test_a_folder_unchanged_since_a_settled_listing_is_not_listed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         either_lister: type[Any]) -> None:
    """A folder whose device, inode, modification and change times are those it had when it was listed, that
    listing made long enough after its last change, is taken from the state: a stat instead of its entries."""
    monkeypatch.setattr(codec, "SETTLED_NS", 0)  # these folders were made a moment ago
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, _ = scan(share, state)
    listed = counted_listings(monkeypatch, either_lister)
    second, _ = scan(share, state)
    assert listed == []
    assert comparable(second) == comparable(first)
    (share / "dept1" / "new.txt").write_text(f"個人番号 {valid_number(700)}\n", encoding="utf-8")
    (share / "dept2" / "f002.txt").rename(share / "dept2" / "renamed.txt")
    third, read = scan(share, state, monkeypatch)
    assert sorted(listed) == ["dept1", "dept2"]
    assert sorted(Path(p).name for p in read) == ["new.txt", "renamed.txt"]
    assert comparable(third) == comparable(scan_paths([str(share)], ScanOptions(key=b"state-key", jobs=1)))


def test_a_listing_made_soon_after_a_change_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           either_lister: type[Any]) -> None:
    """Folder times move in clock ticks: a listing made within SETTLED_NS of the folder's last change could miss
    a change made in the same tick, so the folder is listed again, and that listing is then remembered."""
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)  # the folders were made just now: not settled
    listed = counted_listings(monkeypatch, either_lister)
    scan(share, state)
    assert sorted(listed) == ["dept0", "dept1", "dept2", "share"]
    listed.clear()
    monkeypatch.setattr(codec, "SETTLED_NS", 0)  # as if those listings were made long after the changes
    scan(share, state)
    assert listed == []


def test_listings_on_a_network_file_system_are_never_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                either_lister: type[Any]) -> None:
    monkeypatch.setattr(codec, "SETTLED_NS", 0)
    monkeypatch.setattr(either_lister, "filesystem_type", lambda self, fd: 0x6969)  # NFS
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    listed = counted_listings(monkeypatch, either_lister)
    scan(share, state)
    assert sorted(listed) == ["dept0", "dept1", "dept2", "share"]


def test_a_remembered_listing_stands_only_for_the_same_settled_folder() -> None:
    second = 1_000_000_000
    folder = (5, 77, 100 * second, 101 * second)

    def remembered_at(listed_at: int, identity: tuple[int, int, int, int] = folder) -> bytes:
        return array("q", (*identity, listed_at)).tobytes()

    settled = 101 * second + codec.SETTLED_NS + 1
    assert listing_stands(remembered_at(settled), folder)
    assert not listing_stands(remembered_at(settled - 2), folder)  # listed within SETTLED_NS of a change
    assert not listing_stands(remembered_at(settled), (5, 77, 100 * second, 102 * second))  # changed since
    assert not listing_stands(remembered_at(settled), (5, 78, 100 * second, 101 * second))  # another folder
    assert packed_listed(folder, settled) == remembered_at(settled)
    assert packed_listed((2**64, 77, 0, 0), settled) is None  # a device number beyond 64 bits: not remembered


@pytest.mark.parametrize("damage", ["DROP TABLE listings", "UPDATE listings SET listed = x'0102'"],
                         ids=["state from before listings were kept", "damaged listings"])
def test_missing_or_damaged_listings_are_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    damage: str, either_lister: type[Any]) -> None:
    """A state without the listings table (written before listings were kept) or with damaged rows is scanned as
    if it had no snapshots for those folders: each file still taken from its own record, and the listings
    written again."""
    monkeypatch.setattr(codec, "SETTLED_NS", 0)
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, _ = scan(share, state)
    with sqlite3.connect(state) as db:
        db.execute(damage)
    second, read = scan(share, state, monkeypatch)
    assert read == [] and comparable(second) == comparable(first)
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM listings WHERE length(listed) = 40").fetchone()[0] == 4


@given(kinds=st.lists(st.sampled_from(["text", "csv", "textx", "", "xlsx"]), max_size=40))
def test_a_snapshots_kinds_are_counted_as_splitting_them_counts_them(kinds: list[str]) -> None:
    from collections import Counter

    if not kinds:
        return
    counts: Counter[str] = Counter({"pdf": 2})
    assert _kinds("\0".join(kinds), len(kinds), counts) == kinds
    assert counts == Counter(kinds) + Counter({"pdf": 2})


def test_an_unchanged_tree_is_not_counted_in_the_state_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last scan leaves how many files the state holds under its root; the next one takes that count
    instead of counting, while nothing wrote files since."""
    share, state = tree(tmp_path), tmp_path / "state.db"
    first, _ = scan(share, state)
    counted = recorded_calls(monkeypatch, State, "_count", lambda state, root: root)
    second, _ = scan(share, state)
    assert counted == [] and comparable(second) == comparable(first)
    (share / "dept0" / "f000.txt").unlink()
    third, _ = scan(share, state)
    assert third.files_scanned == 29
    assert counted == [str(share)]  # after forgetting the file: the count stored again


def test_files_written_by_another_process_drop_the_stored_count(tmp_path: Path) -> None:
    """``watch`` (or any writer) storing a file the next scan does not find: the count stored by the last scan
    is dropped with that write, so the scan counts, and forgets the file."""
    share, state = tree(tmp_path), tmp_path / "state.db"
    scan(share, state)
    writer = State(str(state), *_state_identity(state))
    writer.put_clean(str(share / "dept1" / "gone.txt"), (1, 2, 3, 4), "text")
    writer.close()
    scan(share, state)
    with sqlite3.connect(state) as db:
        names = {Path(row[0]).name for row in db.execute("SELECT path FROM files")}
        counts = dict(db.execute("SELECT name, value FROM meta WHERE name LIKE 'files_under:%'").fetchall())
    assert "gone.txt" not in names and len(names) == 30
    assert counts == {f"files_under:{share}": "30"}


def _state_identity(state: Path) -> tuple[str, str]:
    with sqlite3.connect(state) as db:
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
    return meta["key_id"], meta["config"]
