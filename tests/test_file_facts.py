"""Each file a scan found something in is kept as it was read: its size, its modification time (ns) and the sha256
of its bytes (the json's ``files``, a jsonl ``file`` line, the state), by host, through ``merge``; an archive's are
the archive file's; clean files cost nothing; no raw number anywhere (issue 20: what ``quarantine`` checks)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from detector import pipeline, scan, scanner
from detector.errors import UsageError
from detector.model import Confidence, FileFacts, FileResult, Finding, Location, ScanOptions, UnreadableCandidate
from detector.pipeline import ProcessPool, scan_paths
from detector.result import ScanResult, merge
from detector.rules import load_rules
from detector.schema import check_scan_document

from .conftest import recorded_calls, valid_number
from .test_baseline import REASON, make_baseline
from .test_cli import KEY, people_csv, run

NUMBERS = [valid_number(seed) for seed in range(700, 706)]
ITEM_IDS = [item.item_id for item in load_rules().items]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYNUMBER_KEY", KEY)


def facts_of(path: Path) -> dict[str, Any]:
    """What the scan should say of ``path``: its size, mtime, ctime and sha256 as they are now."""
    data = path.read_bytes()
    st = path.stat()
    return {"size": len(data), "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns,
            "sha256": hashlib.sha256(data).hexdigest()}


def make_share(root: Path) -> dict[str, Path]:
    """A list of people (small text), a large text log, an archive holding a number, a clean file, a file whose
    only number is in its name, and a file of samples only."""
    files = {"list": root / "hr" / "staff.csv", "log": root / "logs" / "app.log", "zip": root / "old" / "backup.zip",
             "clean": root / "hr" / "notes.txt", "named": root / "hr" / f"memo_{NUMBERS[3]}.txt"}
    people_csv(files["list"], 2, seed=700)
    files["log"].parent.mkdir(parents=True)
    files["log"].write_text("INFO nothing\n" * 20000 + f"マイナンバー {NUMBERS[2]}\n", encoding="utf-8")
    files["zip"].parent.mkdir(parents=True)
    with zipfile.ZipFile(files["zip"], "w") as archive:
        archive.writestr("2024/names.csv", f"個人番号\n{NUMBERS[4]}\n")
    files["clean"].write_text("no numbers here\n", encoding="utf-8")
    files["named"].write_text("a memo\n", encoding="utf-8")
    return files


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(entry["path"]).name: entry for entry in document["files"]}


# -- the scan's json -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_file_with_findings_is_kept_as_read_and_no_clean_file_is(tmp_path: Path, jobs: int) -> None:
    files = make_share(tmp_path / "share")
    document = scan([str(tmp_path / "share")], jobs=jobs).to_json()
    kept = by_name(document)
    named = f"memo_********{NUMBERS[3][-4:]}.txt"  # written as the scan writes names: the number masked
    assert set(kept) == {"staff.csv", "app.log", "backup.zip", named}
    for key, name in (("list", "staff.csv"), ("log", "app.log"), ("zip", "backup.zip"), ("named", named)):
        entry = kept[name]
        assert {k: entry[k] for k in ("size", "mtime_ns", "ctime_ns", "sha256")} == facts_of(files[key]), key
        assert entry["host"] == document["findings"][0]["host"]
    assert {(f["path"], f["host"]) for f in document["findings"]} == {(e["path"], e["host"]) for e in document["files"]}
    check_scan_document("scan.json", document, ITEM_IDS)


def test_clean_files_cost_nothing_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(30):
        (tmp_path / "share" / f"clean{index}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / "share" / f"clean{index}.txt").write_text(f"line {index}\n" * 50, encoding="utf-8")
    (tmp_path / "share" / "big.log").write_text("INFO nothing\n" * 20000, encoding="utf-8")  # read as a stream
    people_csv(tmp_path / "share" / "staff.csv", 1)
    calls = [recorded_calls(monkeypatch, scanner, name, lambda *args: args[0])
             for name in ("read_facts", "facts_of_bytes", "facts_of_path")]
    document = scan_paths([str(tmp_path / "share")], ScanOptions(key=KEY.encode(), jobs=1)).to_json()
    assert document["summary"]["files_scanned"] == 32
    assert sum(len(made) for made in calls) == 1 and len(document["files"]) == 1


def test_a_file_read_in_parts_by_several_workers_has_the_facts_of_the_whole_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "share" / "big.log"
    log.parent.mkdir()
    lines = [f"2026-12-03T09:00:{i % 60:02} GET /a?id={i} 200" for i in range(40000)]
    lines[5000] = f"マイナンバー {NUMBERS[0]}"
    lines[35000] = f"マイナンバー {NUMBERS[1]}"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    planned = recorded_calls(monkeypatch, pipeline, "plan", lambda path, size, part_bytes: size // part_bytes)
    options = ScanOptions(key=KEY.encode(), jobs=2)
    split = scan_paths([str(tmp_path / "share")], options, runner=ProcessPool(2, split_bytes=256 * 1024)).to_json()
    whole = scan_paths([str(tmp_path / "share")], options._replace(jobs=1)).to_json()
    assert planned[0] > 1 and len(split["findings"]) == 2  # read in parts
    assert [{k: e[k] for k in ("size", "mtime_ns", "ctime_ns", "sha256")} for e in split["files"]] == [facts_of(log)]
    assert split["files"] == whole["files"]


def test_files_of_baselined_findings_keep_their_facts(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "templates.csv", 2)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    document = json.loads(run(["scan", "share", "--format", "json", "--baseline", str(baseline)], tmp_path).stdout)
    assert not document["findings"] and len(document["baselined"]) == 2
    assert [Path(entry["path"]).name for entry in document["files"]] == ["templates.csv"]


def test_a_file_with_only_unreadable_candidates_keeps_its_facts() -> None:
    facts = FileFacts(1234, 1_700_000_000_123_456_789, "ab" * 32)
    unread = UnreadableCandidate("/share/scan.png", Location(ocr=True), "********9O21", "no reading passes")
    result = ScanResult(key_id="0" * 16)
    result.add(FileResult(path="/share/scan.png", kind="image", unreadable=[unread], host="nas", facts=facts))
    result.add(FileResult(path="/share/clean.png", kind="image", host="nas", facts=facts))  # nothing found in it
    assert result.file_facts == {("nas", "/share/scan.png"): facts}


def test_the_json_holds_no_raw_number_and_a_file_named_with_one_is_written_masked(tmp_path: Path) -> None:
    make_share(tmp_path / "share")
    text = json.dumps(scan([str(tmp_path / "share")]).to_json(), ensure_ascii=False)
    assert not any(number in text for number in NUMBERS)


# -- the jsonl stream ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_stream_has_a_file_line_for_each_file_of_the_json(tmp_path: Path, jobs: str) -> None:
    make_share(tmp_path / "share")
    document = json.loads(run(["scan", "share", "--format", "json", "--jobs", jobs], tmp_path).stdout)
    streamed = run(["scan", "share", "--format", "jsonl", "--jobs", jobs], tmp_path).stdout
    lines = [json.loads(line) for line in streamed.splitlines()]
    files = [{k: v for k, v in line.items() if k not in ("event", "time", "scan_id")}
             for line in lines if line["event"] == "file"]
    assert sorted(files, key=lambda e: e["path"]) == document["files"]
    assert not any(number in streamed for number in NUMBERS)


# -- the state ------------------------------------------------------------------------------------------------------


def test_an_incremental_scan_keeps_the_facts_of_an_unchanged_file_and_takes_new_ones_of_a_changed_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = make_share(tmp_path / "share")
    state = str(tmp_path / "state.db")
    first = scan([str(tmp_path / "share")], state_path=state).to_json()
    people_csv(files["list"], 3, seed=700)  # changed: one person more
    reads = recorded_calls(monkeypatch, scanner.FileScanner, "scan_files", lambda _, paths: list(paths))
    second = scan([str(tmp_path / "share")], state_path=state).to_json()
    assert [Path(path).name for batch in reads for path in batch] == ["staff.csv"]  # the others from the state
    assert by_name(second)["staff.csv"]["sha256"] == facts_of(files["list"])["sha256"]
    assert {name: entry for name, entry in by_name(second).items() if name != "staff.csv"} == \
        {name: entry for name, entry in by_name(first).items() if name != "staff.csv"}
    stored = "".join(row[0] for row in sqlite3.connect(state).execute("SELECT result FROM files")
                     if row[0] is not None)
    assert '"sha256"' in stored and not any(number in stored for number in NUMBERS)


def test_a_state_written_before_facts_were_kept_has_its_files_with_findings_read_again(tmp_path: Path) -> None:
    files = make_share(tmp_path / "share")
    state = str(tmp_path / "state.db")
    scan([str(tmp_path / "share")], state_path=state)
    with sqlite3.connect(state) as db:  # as an older version stored them: no facts
        for path, blob in list(db.execute("SELECT path, result FROM files WHERE result IS NOT NULL")):
            data = json.loads(blob)
            data.pop("facts")
            db.execute("UPDATE files SET result = ? WHERE path = ?", (json.dumps(data), path))
    again = scan([str(tmp_path / "share")], state_path=state).to_json()
    assert by_name(again)["staff.csv"] == {**by_name(again)["staff.csv"], **facts_of(files["list"])}
    assert len(again["files"]) == 4


# -- merge ----------------------------------------------------------------------------------------------------------


def test_merge_keeps_each_hosts_facts_of_the_same_path_apart(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "staff.csv", 2)
    nas_a = scan([str(tmp_path / "share")], host_label="nas-a").to_json()
    people_csv(tmp_path / "share" / "staff.csv", 3)  # the other host's copy differs
    nas_b = scan([str(tmp_path / "share")], host_label="nas-b").to_json()
    merged = merge([("a.json", nas_a), ("b.json", nas_b)], (), item_ids=ITEM_IDS).to_json()
    assert [(entry["host"], entry["size"]) for entry in merged["files"]] == [
        ("nas-a", nas_a["files"][0]["size"]), ("nas-b", nas_b["files"][0]["size"])]
    assert merged["files"] == sorted(nas_a["files"] + nas_b["files"], key=lambda e: e["host"])


def test_merge_keeps_the_later_version_of_a_file_two_scans_of_one_host_read_whatever_their_order(
        tmp_path: Path) -> None:
    path = tmp_path / "share" / "staff.csv"
    people_csv(path, 2)
    os.utime(path, ns=(10**18, 10**18))
    earlier = scan([str(tmp_path / "share")], host_label="nas").to_json()
    people_csv(path, 3)
    os.utime(path, ns=(10**18 + 1, 10**18 + 1))
    later = scan([str(tmp_path / "share")], host_label="nas").to_json()
    for order in ([earlier, later], [later, earlier]):
        merged = merge([(f"{i}.json", doc) for i, doc in enumerate(order)], (), item_ids=ITEM_IDS).to_json()
        assert merged["files"] == later["files"]


def test_merge_reads_a_document_without_facts_and_keeps_the_others(tmp_path: Path) -> None:
    people_csv(tmp_path / "a" / "staff.csv", 2)
    people_csv(tmp_path / "b" / "staff.csv", 2, seed=50)
    new = scan([str(tmp_path / "a")]).to_json()
    old = scan([str(tmp_path / "b")]).to_json()
    del old["files"]
    merged = merge([("new.json", new), ("old.json", old)], (), item_ids=ITEM_IDS).to_json()
    assert merged["files"] == new["files"] and len(merged["findings"]) == 4


# -- the schema -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("sha256", "zz" * 32, "not a sha256"),
    ("sha256", NUMBERS[0], "not a sha256"),
    ("size", -1, "not a whole number"),
    ("mtime_ns", "yesterday", "not a whole number"),
    ("path", 7, "not text"),
])
def test_a_tampered_file_entry_is_refused_naming_the_field_never_the_value(tmp_path: Path, field: str, value: Any,
                                                                           problem: str) -> None:
    people_csv(tmp_path / "share" / "staff.csv", 1)
    document = scan([str(tmp_path / "share")]).to_json()
    document["files"][0][field] = value
    with pytest.raises(UsageError, match=f"files\\[0\\]\\.{field}: {problem}") as refused:
        check_scan_document("scan.json", document, ITEM_IDS)
    assert NUMBERS[0] not in str(refused.value)


def test_facts_round_trip_through_the_state_form() -> None:
    facts = FileFacts(12, -5, "0f" * 32)  # a time before 1970 is a time too
    finding = Finding("/a.csv", Location(line=2), "********9018", "ab" * 32, Confidence.HIGH)
    kept = FileResult("/a.csv", findings=[finding], facts=facts).to_state()
    assert FileResult.from_state("/b.csv", json.loads(json.dumps(kept))).facts == facts


def test_a_mail_box_whose_reader_closes_the_file_still_has_its_facts(tmp_path: Path) -> None:
    # the mbox extractor closes the stream it was given: the facts are taken by opening the file again, and the
    # file is scanned, never listed as an internal error
    box = tmp_path / "mail" / "inbox.mbox"
    box.parent.mkdir()
    box.write_bytes(b"From a@example.jp Mon Dec  1 10:00:00 2026\nSubject: staff\n\n"
                    + f"マイナンバー {NUMBERS[5]}\n".encode() + b"\n")
    document = scan([str(tmp_path)]).to_json()
    assert not document["unscanned"], document["unscanned"]
    assert [entry["path"] for entry in document["files"]] == [str(box)]
    assert document["files"][0] == {"path": str(box), "host": document["files"][0]["host"], **facts_of(box)}
