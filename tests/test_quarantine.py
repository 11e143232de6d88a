"""``mynumber quarantine``: the exposed files of a saved scan moved into a private folder and put back.

A dry run changes nothing; apply then restore gives back the same tree (content, mode, owner, times to the
nanosecond); a file changed since the scan, or reached through a symbolic link, is refused; a move across file
systems is verified; an interrupted move loses nothing; no raw number is written in the manifest or the log.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from detector import scan
from detector.access.urls import UrlMapping
from detector.cli import main
from detector.contain import QuarantineOptions, quarantine, restore
from detector.contain.manifest import COPIED, MOVING, Manifest
from detector.contain.placeholder import apache_line, nginx_line, url_of
from detector.errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError

from .conftest import recorded_calls, valid_number

KEY = b"quarantine-test-key"
quarantine_module = importlib.import_module("detector.contain.quarantine")  # the module, not the function
HOUR_AGO_NS = time.time_ns() - 3600 * 10**9
NUMBERS = [valid_number(seed) for seed in range(400, 410)]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYNUMBER_KEY", KEY.decode())


def write(path: Path | bytes, content: str | bytes, mode: int = 0o644) -> None:
    """A file with an mtime and atime an hour old (before any scan), and its own mode."""
    name = os.fsencode(path)
    os.makedirs(os.path.dirname(name), exist_ok=True)
    with open(name, "wb") as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)
    os.chmod(name, mode)
    os.utime(name, ns=(HOUR_AGO_NS, HOUR_AGO_NS))


def age_folders(root: Path) -> None:
    """Folders an hour old too, so a folder time put back is told from one never changed."""
    for folder, _, _ in os.walk(os.fsencode(root)):
        os.utime(folder, ns=(HOUR_AGO_NS, HOUR_AGO_NS))


def tree_digest(root: Path) -> dict[bytes, tuple[Any, ...]]:
    """Every entry under ``root``: kind, mode, owner and times (ns), and a file's sha256, read without touching
    its access time (a folder's access time is left out: listing a folder to digest it moves it)."""
    digest: dict[bytes, tuple[Any, ...]] = {}
    base = os.fsencode(root)
    for folder, folders, files in os.walk(base):
        for name in folders + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            entry: tuple[Any, ...] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                                      st.st_mtime_ns)
            if stat.S_ISREG(st.st_mode):
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
                with os.fdopen(fd, "rb") as handle:
                    entry += (st.st_atime_ns, hashlib.sha256(handle.read()).hexdigest())
            digest[os.path.relpath(path, base)] = entry
    return digest


def make_share(tmp_path: Path) -> Path:
    """A web root with a public list, a memo named with a number, a clean file and an archive member finding."""
    root = tmp_path / "www"
    write(root / "staff" / "list.csv", f"name,個人番号\nA,{NUMBERS[0]}\nB,{NUMBERS[1]}\n", 0o640)
    write(root / f"memo {NUMBERS[2]}.txt", f"マイナンバー {NUMBERS[2]}\n")
    write(root / "index.html", "<p>hello</p>\n")
    (root / "old").mkdir()
    with zipfile.ZipFile(root / "old" / "backup.zip", "w") as zf:
        zf.writestr("2024/names.csv", f"個人番号\n{NUMBERS[3]}\n")
    os.utime(root / "old" / "backup.zip", ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    age_folders(root)
    return root


def scan_document(root: Path, tmp_path: Path, public: bool = True) -> tuple[str, dict[str, Any]]:
    document = scan([str(root)], public_paths=[str(root)] if public else []).to_json()
    name = str(tmp_path / "scan.json")
    Path(name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return name, document


def run(document: tuple[str, dict[str, Any]], target: Path, **options: Any) -> Any:
    return quarantine(document[0], document[1], QuarantineOptions(str(target), **options), KEY)


def moved_paths(lines: list[str]) -> list[str]:
    return sorted(line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in lines if line.startswith("moved: "))


# -- the dry run ------------------------------------------------------------------------------------------------


def test_a_dry_run_lists_what_would_move_and_changes_nothing(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    before = tree_digest(tmp_path)
    outcome = run(document, tmp_path / "box")
    assert tree_digest(tmp_path) == before
    assert not (tmp_path / "box").exists()
    would = [line for line in outcome.lines if line.startswith("would move: ")]
    assert len(would) == 3  # the list, the memo named with a number, the archive holding a member's number
    assert any("backup.zip" in line for line in would)
    assert outcome.status == EXIT_CLEAN
    assert "nothing was changed" in outcome.lines[-1]
    with_placeholder = run(document, tmp_path / "box", placeholders=("apache",), url_maps=(f"{root}=/",))
    assert "would answer 410 Gone: /staff/list.csv (apache)" in with_placeholder.lines
    assert tree_digest(tmp_path) == before


# -- apply and restore -----------------------------------------------------------------------------------------


def test_apply_moves_the_exposed_files_keeping_their_path_mode_owner_and_times(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    list_before = os.stat(root / "staff" / "list.csv")
    outcome = run(document, tmp_path / "box", apply=True)
    assert outcome.status == EXIT_CLEAN
    assert not (root / "staff" / "list.csv").exists() and (root / "index.html").exists()
    kept = tmp_path / "box" / "files" / str(root / "staff" / "list.csv").lstrip("/")
    st = os.stat(kept)
    assert (st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_atime_ns) == (
        list_before.st_mode, list_before.st_uid, list_before.st_gid, list_before.st_mtime_ns, list_before.st_atime_ns)
    assert stat.S_IMODE(os.stat(tmp_path / "box").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "box" / "manifest.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "box" / "actions.jsonl").st_mode) == 0o600


def test_apply_then_restore_gives_back_an_identical_tree(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    before = tree_digest(root)
    run(document, tmp_path / "box", apply=True, placeholders=("apache", "nginx"), url_maps=(f"{root}=https://x.jp/",))
    assert tree_digest(root) != before
    outcome = restore(str(tmp_path / "box" / "manifest.json"))
    assert outcome.status == EXIT_CLEAN, outcome.lines
    assert tree_digest(root) == before


def test_the_manifest_records_each_file_with_its_hash_and_masked_findings(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_share(tmp_path)
    saves = recorded_calls(monkeypatch, Manifest, "save")
    run(scan_document(root, tmp_path), tmp_path / "box", apply=True)
    assert len(saves) == 2  # whole at the start and the end; each step in between is a line of the journal
    assert not (tmp_path / "box" / "manifest.journal").exists()
    manifest = json.loads((tmp_path / "box" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["entries"] if e["path"].endswith("list.csv"))
    content = (tmp_path / "box" / "files" / str(root / "staff" / "list.csv").lstrip("/")).read_bytes()
    assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert entry["size"] == len(content) and entry["mode"] == "0640" and entry["state"] == "moved"
    assert {f["masked"] for f in entry["findings"]} == {"********" + NUMBERS[0][-4:], "********" + NUMBERS[1][-4:]}
    assert all(len(f["fingerprint"]) == 64 and f["location"]["column"] == "個人番号" for f in entry["findings"])


def test_neither_the_manifest_nor_the_log_nor_the_output_holds_a_raw_number(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    outcome = run(scan_document(root, tmp_path), tmp_path / "box", apply=True, placeholders=("apache", "nginx"),
                  url_maps=(f"{root}=/",))
    outcome_restored = restore(str(tmp_path / "box" / "manifest.json"))
    written = b"".join((tmp_path / "box" / name).read_bytes()
                       for name in ("manifest.json", "actions.jsonl", "apache-410.conf", "nginx-410.conf"))
    said = "\n".join(outcome.lines + outcome_restored.lines)
    for number in NUMBERS[:4]:
        assert number.encode() not in written and number not in said
    assert f"memo ********{NUMBERS[2][-4:]}.txt".encode() in written


# -- what is refused ---------------------------------------------------------------------------------------------


def test_a_file_modified_after_the_scan_is_refused_and_left_in_place(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    (root / "staff" / "list.csv").write_text(f"name,個人番号\nA,{NUMBERS[0]}\n", encoding="utf-8")
    outcome = run(document, tmp_path / "box", apply=True)
    refused = [line for line in outcome.lines if line.startswith("refused: ")]
    assert len(refused) == 1 and "list.csv" in refused[0]
    assert "changed since the scan: its size differs" in refused[0] and "its modification time differs" in refused[0]
    assert (root / "staff" / "list.csv").exists()
    assert outcome.status == EXIT_FINDINGS


def test_a_file_whose_numbers_changed_is_refused_though_its_mtime_was_put_back(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    write(root / "staff" / "list.csv", f"name,個人番号\nA,{NUMBERS[0]}\nB,{NUMBERS[1]}\nC,{NUMBERS[5]}\n")
    outcome = run(document, tmp_path / "box")
    refused = [line for line in outcome.lines if line.startswith("refused: ") and "list.csv" in line]
    assert len(refused) == 1 and refused[0].split(".csv: ", 1)[1].startswith("changed since the scan: its size "
                                                                             "differs (")
    assert "modification time" not in refused[0]


def test_a_file_changed_in_place_with_its_size_kept_and_its_mtime_put_back_is_refused_by_its_ctime_and_hash(
        tmp_path: Path) -> None:
    # the same numbers in the same cells, one name changed, the time set back: the change time (which setting the
    # mtime back moves too) tells first; a document without ctimes (or a scan of another host) falls to the hash
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    list_csv = root / "staff" / "list.csv"
    before = list_csv.stat()
    write(list_csv, f"name,個人番号\nZ,{NUMBERS[0]}\nB,{NUMBERS[1]}\n", 0o640)
    os.utime(list_csv, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (list_csv.stat().st_size, list_csv.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    def refusal(doc: tuple[str, dict[str, Any]], box: str) -> str:
        outcome = run(doc, tmp_path / box, apply=False)
        refused = [line for line in outcome.lines if line.startswith("refused: ")]
        assert len(refused) == 1 and "list.csv" in refused[0] and outcome.status == EXIT_FINDINGS
        return refused[0].split(".csv: ", 1)[1]

    assert refusal(document, "box").startswith("changed since the scan: its change time (ctime) differs")
    name, scanned = document
    without_ctimes = (name, {**scanned, "files": [{k: v for k, v in entry.items() if k != "ctime_ns"}
                                                  for entry in scanned["files"]]})
    assert refusal(without_ctimes, "box2").startswith("changed since the scan: its sha256 differs from the scan's")
    assert list_csv.exists()


def test_a_file_over_the_hashing_limit_keeps_size_and_times_and_a_change_in_place_is_refused_by_its_ctime(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a log of hundreds of MB is not hashed (about 1 CPU s a GB): its ctime guards what the hash would
    from detector.fs import facts

    monkeypatch.setattr(facts, "HASH_MAX_BYTES", 16)
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    files = document[1]["files"]
    assert files and all("sha256" not in entry and "ctime_ns" in entry for entry in files)
    list_csv = root / "staff" / "list.csv"
    before = list_csv.stat()
    write(list_csv, f"name,個人番号\nZ,{NUMBERS[0]}\nB,{NUMBERS[1]}\n", 0o640)
    os.utime(list_csv, ns=(before.st_atime_ns, before.st_mtime_ns))
    outcome = run(document, tmp_path / "box", apply=True)
    refused = [line for line in outcome.lines if line.startswith("refused: ")]
    assert len(refused) == 1 and "change time (ctime)" in refused[0] and list_csv.exists()
    assert len(moved_paths(outcome.lines)) == 2 and outcome.status == EXIT_FINDINGS


def test_a_file_touched_after_the_scan_is_refused_naming_its_modification_time(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    os.utime(root / "staff" / "list.csv", ns=(HOUR_AGO_NS, HOUR_AGO_NS + 1))  # one nanosecond later
    refused = [line for line in run(document, tmp_path / "box").lines if line.startswith("refused: ")]
    reason = refused[0].split(".csv: ", 1)[1]
    assert len(refused) == 1 and reason.startswith("changed since the scan: its modification time differs (")
    then, now = (f"{HOUR_AGO_NS % 10**9:09d}", f"{(HOUR_AGO_NS + 1) % 10**9:09d}")
    assert f".{then}" in refused[0] and f".{now}" in refused[0]  # shown to the nanosecond


def test_an_unchanged_file_is_checked_by_its_facts_without_being_scanned_again(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    assert len(document[1]["files"]) == 3  # the list, the memo, the archive (its facts: the archive file's)
    scanner = importlib.import_module("detector.scanner")

    def no_rescan(*_: object) -> None:
        raise AssertionError("a file the scan kept the facts of was scanned again")

    monkeypatch.setattr(scanner.FileScanner, "__init__", no_rescan)
    outcome = run(document, tmp_path / "box", apply=True)
    assert outcome.status == EXIT_CLEAN and len(moved_paths(outcome.lines)) == 3
    assert not any(line.startswith("note: ") for line in outcome.lines)


def test_a_file_changed_between_the_check_and_the_move_is_refused_by_its_hash(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    list_csv = root / "staff" / "list.csv"
    planned = quarantine_module.make_plan

    def plan_then_change(*args: Any) -> Any:
        plan = planned(*args)
        before = list_csv.stat()
        with open(list_csv, "r+b") as handle:  # in place: the same inode, size and (set back) time
            handle.write(b"N")
        os.utime(list_csv, ns=(before.st_atime_ns, before.st_mtime_ns))
        return plan

    monkeypatch.setattr(quarantine_module, "make_plan", plan_then_change)
    outcome = run(document, tmp_path / "box", apply=True)
    assert any(line.startswith("refused: ") and "list.csv" in line and "sha256 differs" in line
               for line in outcome.lines)
    assert list_csv.exists() and outcome.status == EXIT_FINDINGS


def test_a_scan_without_facts_is_checked_as_before_and_the_output_says_so(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    name, document = scan_document(root, tmp_path)
    older = {key: value for key, value in document.items() if key != "files"}  # as a scan before facts were kept
    write(root / "staff" / "list.csv", f"name,個人番号\nA,{NUMBERS[0]}\nB,{NUMBERS[1]}\nC,{NUMBERS[5]}\n")
    outcome = run((name, older), tmp_path / "box")
    assert outcome.lines[0].startswith("note: ") and "keeps no size, time or hash of its files" in outcome.lines[0]
    assert "checked as before" in outcome.lines[0]
    assert any("list.csv" in line and "its findings differ from the scan's (3 now, 2 in the scan)" in line
               for line in outcome.lines)
    assert sum(line.startswith("would move: ") for line in outcome.lines) == 2


def test_a_file_the_scan_kept_no_facts_of_is_checked_as_before_and_marked(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    name, document = scan_document(root, tmp_path)
    document["files"] = [entry for entry in document["files"] if not entry["path"].endswith("list.csv")]
    outcome = run((name, document), tmp_path / "box")
    assert outcome.lines[0].startswith("note: 1 file with no size, time or hash in the scan")
    marked = [line for line in outcome.lines if "checked without the scan's facts" in line]
    assert len(marked) == 1 and "list.csv" in marked[0] and marked[0].startswith("would move: ")


def test_a_folder_replaced_by_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    outside = tmp_path / "outside"
    shutil.move(root / "staff", outside)
    (root / "staff").symlink_to(outside)
    outcome = run(document, tmp_path / "box", apply=True)
    assert any("list.csv" in line and "symbolic link" in line for line in outcome.lines if line.startswith("refused"))
    assert (outside / "list.csv").exists()


def test_only_public_leaves_the_files_found_elsewhere(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    write(tmp_path / "share" / "hr.csv", f"個人番号\n{NUMBERS[6]}\n")
    age_folders(tmp_path / "share")
    document = scan([str(root), str(tmp_path / "share")], public_paths=[str(root)]).to_json()
    outcome = quarantine("scan.json", document, QuarantineOptions(str(tmp_path / "box"), only_public=True), KEY)
    assert not any("hr.csv" in line for line in outcome.lines)
    assert "1 not public left" in outcome.lines[-1]


def test_a_second_run_into_the_same_folder_adds_to_its_manifest_and_one_restore_undoes_both(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    write(tmp_path / "share" / "hr.csv", f"個人番号\n{NUMBERS[6]}\n")
    age_folders(tmp_path / "share")
    document = scan([str(root), str(tmp_path / "share")], public_paths=[str(root)]).to_json()
    before = tree_digest(tmp_path)
    first = quarantine("scan.json", document, QuarantineOptions(str(tmp_path / "box"), True, True), KEY)
    second = quarantine("scan.json", document, QuarantineOptions(str(tmp_path / "box"), True), KEY)
    assert len(moved_paths(first.lines)) == 3 and moved_paths(second.lines) == [str(tmp_path / "share" / "hr.csv")]
    assert sum(line.startswith("already in the quarantine: ") for line in second.lines) == 3
    assert second.status == EXIT_CLEAN
    manifest = Manifest.load(str(tmp_path / "box" / "manifest.json"))
    assert len(manifest.runs) == 2 and len(manifest.entries) == 4
    restore(str(tmp_path / "box" / "manifest.json"))
    after = {path: entry for path, entry in tree_digest(tmp_path).items() if not path.startswith(b"box")}
    assert after == {path: entry for path, entry in before.items() if not path.startswith(b"box")}


def test_the_quarantine_folder_may_not_be_inside_a_root_nor_writable_by_others(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    with pytest.raises(UsageError, match="inside the scanned root"):
        run(document, root / "quarantine")
    (tmp_path / "open").mkdir(mode=0o777)
    os.chmod(tmp_path / "open", 0o777)
    with pytest.raises(UsageError, match="others may write to it"):
        run(document, tmp_path / "open")


def test_another_key_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    name, document = scan_document(root, tmp_path)
    with pytest.raises(UsageError, match="the scan was made with key"):
        quarantine(name, document, QuarantineOptions(str(tmp_path / "box")), b"another key")


# -- restore ---------------------------------------------------------------------------------------------------


def test_restore_never_overwrites_a_file_that_reappeared(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    run(scan_document(root, tmp_path), tmp_path / "box", apply=True)
    (root / "staff" / "list.csv").write_text("a new file\n", encoding="utf-8")
    outcome = restore(str(tmp_path / "box" / "manifest.json"))
    assert outcome.status == EXIT_FINDINGS
    assert any("list.csv" in line and "reappeared" in line for line in outcome.lines)
    assert (root / "staff" / "list.csv").read_text(encoding="utf-8") == "a new file\n"
    assert (tmp_path / "box" / "files" / str(root / "staff" / "list.csv").lstrip("/")).exists()


def test_restore_refuses_a_file_whose_folder_is_gone_and_keeps_it_in_the_quarantine(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    run(scan_document(root, tmp_path), tmp_path / "box", apply=True)
    (root / "staff").rmdir()
    outcome = restore(str(tmp_path / "box" / "manifest.json"))
    assert any(line.startswith("refused: ") and "list.csv" in line and "'staff' is missing" in line
               for line in outcome.lines), outcome.lines
    assert (tmp_path / "box" / "files" / str(root / "staff" / "list.csv").lstrip("/")).exists()


def test_restore_refuses_a_quarantined_file_whose_hash_changed(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    run(scan_document(root, tmp_path), tmp_path / "box", apply=True)
    kept = tmp_path / "box" / "files" / str(root / "staff" / "list.csv").lstrip("/")
    kept.write_text("tampered\n", encoding="utf-8")
    outcome = restore(str(tmp_path / "box" / "manifest.json"))
    assert any("list.csv" in line and "sha256" in line for line in outcome.lines if line.startswith("refused"))
    assert not (root / "staff" / "list.csv").exists()


# -- across file systems, and interrupted ------------------------------------------------------------------------


@pytest.fixture
def other_file_system(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than ``tmp_path`` (tmpfs /dev/shm), removed after the test, or the test is
    skipped saying why."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system here (/dev/shm missing or on the same device as the tests' tmp)")
    folder = shm / f"mynumber-quarantine-test-{os.getpid()}-{tmp_path.name}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_move_across_file_systems_is_a_verified_copy_and_restores_identically(tmp_path: Path,
                                                                                other_file_system: Path) -> None:
    root = make_share(tmp_path)
    os.setxattr(root / "staff" / "list.csv", "user.mynumber-test", b"kept")
    document = scan_document(root, tmp_path)
    target = other_file_system  # the quarantine folder, on tmpfs
    before = tree_digest(root)
    outcome = run(document, target, apply=True)
    assert os.stat(target).st_dev != os.stat(root).st_dev
    assert all(line.endswith(", copy)") for line in outcome.lines if line.startswith("moved: "))
    kept = target / "files" / str(root / "staff" / "list.csv").lstrip("/")
    assert os.getxattr(kept, "user.mynumber-test") == b"kept"
    log = [json.loads(line) for line in (target / "actions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [entry["verified"] for entry in log if entry["action"] == "copy"] == [True, True, True]
    assert restore(str(target / "manifest.json")).status == EXIT_CLEAN
    assert tree_digest(root) == before
    assert os.getxattr(root / "staff" / "list.csv", "user.mynumber-test") == b"kept"


def test_a_crash_after_the_copy_and_before_the_removal_loses_nothing(tmp_path: Path, other_file_system: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    target = other_file_system  # the quarantine folder, on tmpfs
    before = tree_digest(root)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(quarantine_module, "remove_if_same", crash)
    with pytest.raises(KeyboardInterrupt):
        run(document, target, apply=True)
    manifest = Manifest.load(str(target / "manifest.json"))
    assert [entry.state for entry in manifest.entries] == [COPIED]
    assert tree_digest(root) == before  # the original is still in place
    outcome = restore(str(target / "manifest.json"))
    assert outcome.status == EXIT_CLEAN and "never left" in outcome.lines[-2]
    assert tree_digest(root) == before
    assert not any(files for _, _, files in os.walk(target / "files"))


def test_a_crash_before_a_rename_leaves_an_entry_the_restore_understands(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_share(tmp_path)
    document = scan_document(root, tmp_path)
    before = tree_digest(root)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(quarantine_module, "rename", crash)
    with pytest.raises(KeyboardInterrupt):
        run(document, tmp_path / "box", apply=True)
    assert json.loads((tmp_path / "box" / "manifest.json").read_text(encoding="utf-8"))["entries"] == []
    assert (tmp_path / "box" / "manifest.journal").exists()  # the step, recorded before it was taken
    assert [entry.state for entry in Manifest.load(str(tmp_path / "box" / "manifest.json")).entries] == [MOVING]
    outcome = restore(str(tmp_path / "box" / "manifest.json"))
    assert outcome.status == EXIT_CLEAN and "never left its place" in outcome.lines[-2]
    assert tree_digest(root) == before


# -- hostile names ----------------------------------------------------------------------------------------------


def test_hostile_names_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "share"
    names = [b"line\nbreak.csv", b"not-utf8-\xff\xfe.csv", "個人番号一覧.csv".encode("cp932"),
             b"quote\"back\\slash.csv"]
    for index, name in enumerate(names):
        write(os.path.join(os.fsencode(root), name), f"個人番号\n{NUMBERS[index]}\n")
    age_folders(root)
    document = scan_document(root, tmp_path, public=False)
    before = tree_digest(root)
    outcome = run(document, tmp_path / "box", apply=True)
    assert len(moved_paths(outcome.lines)) == 4, outcome.lines
    assert os.listdir(os.fsencode(root)) == []
    assert restore(str(tmp_path / "box" / "manifest.json")).status == EXIT_CLEAN
    assert tree_digest(root) == before


# -- placeholders -----------------------------------------------------------------------------------------------


def test_the_url_map_gives_each_file_its_url_path() -> None:
    mapping = UrlMapping.parse("/var/www/html=https://example.jp/docs/")
    assert url_of(mapping, "/var/www/html/a/b c.csv") == b"/docs/a/b c.csv"
    assert url_of(mapping, "/srv/other.csv") is None
    assert url_of(UrlMapping.parse("/var/www=/"), "/var/www/x.pdf") == b"/x.pdf"
    with pytest.raises(UsageError, match="LOCAL_ROOT=URL_PREFIX"):
        UrlMapping.parse("/var/www")


def test_placeholder_rules_match_exactly_their_url_whatever_its_bytes() -> None:
    assert apache_line(b"/a b/\x8c\xc2.csv") == b'RedirectMatch gone "^/a\\x20b/\\x8c\\xc2\\x2ecsv$"\n'
    assert nginx_line(b'/q"uote.csv') == b'location = "/q\\"uote.csv" { return 410; }\n'
    assert nginx_line(b"/line\nbreak.csv").startswith(b"#")


def test_restore_removes_the_block_it_added_to_an_existing_htaccess(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    write(root / ".htaccess", "Options -Indexes")  # no final newline
    age_folders(root)
    document = scan_document(root, tmp_path)
    before = tree_digest(root)
    run(document, tmp_path / "box", apply=True, placeholders=("apache",), url_maps=(f"{root}=/",))
    htaccess = (root / ".htaccess").read_text(encoding="utf-8")
    assert htaccess.startswith("Options -Indexes\n# BEGIN mynumber quarantine")
    assert 'RedirectMatch gone "^/staff/list\\x2ecsv$"' in htaccess
    restore(str(tmp_path / "box" / "manifest.json"))
    assert tree_digest(root) == before
    assert (root / ".htaccess").read_text(encoding="utf-8") == "Options -Indexes"


APACHE = shutil.which("apache2") or "/usr/sbin/apache2"


@pytest.mark.skipif(not os.access(APACHE, os.X_OK) or os.geteuid() != 0,
                    reason="Apache (Debian's apache2) is not installed, or the tests do not run as root")
def test_apache_answers_410_for_a_quarantined_url_until_it_is_restored(tmp_path: Path,
                                                                      request: pytest.FixtureRequest) -> None:
    import http.client
    import socket
    import subprocess

    served = Path(tempfile.mkdtemp(prefix="mynumber-apache-", dir="/tmp"))  # the server's user must reach it
    os.chmod(served, 0o755)
    request.addfinalizer(lambda: shutil.rmtree(served, ignore_errors=True))
    root = make_share(served)
    os.chmod(root / "staff" / "list.csv", 0o644)
    document = scan_document(root, tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    modules = "/usr/lib/apache2/modules"
    conf = tmp_path / "httpd.conf"
    conf.write_text(f"""ServerRoot {tmp_path}
Listen 127.0.0.1:{port}
ServerName localhost
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule alias_module {modules}/mod_alias.so
User www-data
Group www-data
PidFile {tmp_path}/httpd.pid
ErrorLog {tmp_path}/error.log
DocumentRoot {root}
<Directory {root}>
    AllowOverride FileInfo
    Require all granted
</Directory>
""", encoding="utf-8")

    def status(url: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", url)
        code = connection.getresponse().status
        connection.close()
        return code

    server = subprocess.Popen([APACHE, "-f", str(conf), "-DFOREGROUND"])
    try:
        for _ in range(100):
            try:
                assert status("/index.html") == 200
                break
            except (ConnectionRefusedError, OSError):
                time.sleep(0.05)
        assert status("/staff/list.csv") == 200
        run(document, tmp_path / "box", apply=True, placeholders=("apache",), url_maps=(f"{root}=http://x/",))
        assert status("/staff/list.csv") == 410
        assert status("/staff/list.csv.bak") == 404 and status("/index.html") == 200
        restore(str(tmp_path / "box" / "manifest.json"))
        assert status("/staff/list.csv") == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- the command line ----------------------------------------------------------------------------------------------


def test_the_command_line_runs_dry_by_default_and_restores(tmp_path: Path) -> None:
    root = make_share(tmp_path)
    name, _ = scan_document(root, tmp_path)
    runner = CliRunner()
    dry = runner.invoke(main, ["quarantine", name, "--to", str(tmp_path / "box")])
    assert dry.exit_code == 0 and "would move:" in dry.output and not (tmp_path / "box").exists()
    applied = runner.invoke(main, ["quarantine", name, "--to", str(tmp_path / "box"), "--apply"])
    assert applied.exit_code == 0 and applied.output.count("moved: ") == 3
    back = runner.invoke(main, ["quarantine", "--restore", str(tmp_path / "box" / "manifest.json")])
    assert back.exit_code == 0 and "3 files restored, 0 refused" in back.output


def test_the_command_line_names_the_file_and_the_reason_never_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["quarantine", str(tmp_path / "none.json"), "--to", str(tmp_path / "box")])
    assert missing.exit_code == 2 and "none.json" in missing.output and "Traceback" not in missing.output
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    bad = runner.invoke(main, ["quarantine", "--restore", str(tmp_path / "bad.json")])
    assert bad.exit_code == 2 and "not a quarantine manifest" in bad.output
    both = runner.invoke(main, ["quarantine", "--restore", str(tmp_path / "bad.json"), "--apply"])
    assert both.exit_code == 2
    placeholder = runner.invoke(main, ["quarantine", str(tmp_path / "bad.json"), "--to", str(tmp_path / "box"),
                                       "--placeholder", "apache"])
    assert placeholder.exit_code == 2
