"""Hosts: every finding and unscanned entry names the machine that read it (or ``--host-label``), decided where
the file is read; ``merge`` keeps two hosts' same paths apart and counts people once; the summary counts by host;
the reports group files by host when there are several (issue 18)."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector import model
from detector.model import Confidence, FileResult, Finding, Location, ScanOptions, Unscanned
from detector.pipeline import Scanned, scan_batch, scan_paths
from detector.result import merge
from detector.rules import load_rules
from detector.scanner import FileScanner
from detector.watch.alerts import Alerts

from .conftest import valid_number
from .test_cli import KEY, people_csv, run


def scan_doc(tmp_path: Path, *args: str) -> dict[str, Any]:
    done = run(["scan", "--format", "json", *args], tmp_path)
    assert done.returncode in (0, 1, 3, 5), done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def damaged_zip(path: Path) -> None:
    """A zip cut short: an entry not scanned (corrupt or truncated), met by the process that reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 20 + b"garbage" * 10)


def share(root: Path) -> None:
    """The same layout on every host: one file of people, one clean file, one zip that cannot be read."""
    people_csv(root / "hr" / "staff.csv", 5)
    (root / "hr" / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    damaged_zip(root / "hr" / "locked.zip")


# -- a scan ---------------------------------------------------------------------------------------------------------


def test_each_finding_and_unscanned_entry_names_the_machine_that_read_it(tmp_path: Path) -> None:
    share(tmp_path / "share")
    doc = scan_doc(tmp_path, "share")
    host = socket.gethostname()
    assert doc["findings"] and doc["unscanned"]
    assert {f["host"] for f in doc["findings"]} == {host}
    assert {u["host"] for u in doc["unscanned"]} == {host}
    assert doc["scan"]["hosts"] == [host]
    assert doc["summary"]["hosts"] == {host: {"files_scanned": 2, "files_with_findings": 1, "unscanned": 1,
                                              "distinct_people": 5}}


def test_host_label_names_the_host_in_every_format(tmp_path: Path) -> None:
    share(tmp_path / "share")
    doc = scan_doc(tmp_path, "share", "--host-label", "nas-tokyo-1")
    assert {f["host"] for f in doc["findings"]} == {u["host"] for u in doc["unscanned"]} == {"nas-tokyo-1"}
    assert doc["scan"]["hosts"] == ["nas-tokyo-1"] and list(doc["summary"]["hosts"]) == ["nas-tokyo-1"]
    rows = list(csv.DictReader(io.StringIO(run(["scan", "share", "--format", "csv", "--host-label", "nas-tokyo-1"],
                                               tmp_path).stdout.lstrip("\ufeff"))))
    assert rows and {row["host"] for row in rows} == {"nas-tokyo-1"}
    sarif = json.loads(run(["scan", "share", "--format", "sarif", "--host-label", "nas-tokyo-1"], tmp_path).stdout)
    assert {r["properties"]["host"] for r in sarif["runs"][0]["results"]} == {"nas-tokyo-1"}
    lines = [json.loads(line) for line in
             run(["scan", "share", "--format", "jsonl", "--host-label", "nas-tokyo-1"], tmp_path).stdout.splitlines()]
    assert {line["host"] for line in lines} == {"nas-tokyo-1"}


def test_an_empty_host_label_is_a_usage_error(tmp_path: Path) -> None:
    done = run(["scan", ".", "--host-label", " "], tmp_path)
    assert done.returncode == 2 and "host" in done.stderr


def test_a_label_holding_a_number_is_written_masked(tmp_path: Path) -> None:
    share(tmp_path / "share")
    number = valid_number(77)
    done = run(["scan", "share", "--format", "json", "--host-label", f"pc-{number}"], tmp_path)
    assert number not in done.stdout and f"pc-********{number[-4:]}" in done.stdout


class _OtherMachine:
    """A runner whose batches are scanned where the machine's name is another one (as a worker on another host
    would be): the runner port of :mod:`detector.pipeline`, every batch through :func:`scan_batch`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def may_fork(self) -> bool:
        return False

    def split_bytes(self) -> int | None:
        return None  # every file whole, as a worker on another host reads it

    def scan(self, batches: Iterator[list[str]], scanner: FileScanner, listed: bool) -> Iterator[Scanned]:
        for batch in batches:
            with self.monkeypatch.context() as there:
                there.setattr(model, "this_machine", lambda: "worker-b")
                scanned = scan_batch(scanner, batch, listed)
            yield scanned


def test_the_host_is_decided_where_the_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share(tmp_path / "share")
    os.symlink("nowhere", tmp_path / "share" / "broken")  # an entry of the walk, met by the scanning process
    result = scan_paths([str(tmp_path / "share")], ScanOptions(key=KEY.encode(), jobs=1),
                        runner=_OtherMachine(monkeypatch))
    here = socket.gethostname()
    assert {f.host for f in result.findings} == {"worker-b"}
    assert {(u.host, os.path.basename(u.path)) for u in result.unscanned} == {("worker-b", "locked.zip"),
                                                                             (here, "broken")}
    assert result.hosts == sorted([here, "worker-b"])
    by_host = result.summary()["hosts"]
    assert by_host["worker-b"]["files_scanned"] == 2 and by_host["worker-b"]["distinct_people"] == 5
    assert by_host[here] == {"files_scanned": 0, "files_with_findings": 0, "unscanned": 1, "distinct_people": 0}


def test_a_batch_names_its_host_once_and_its_results_carry_it() -> None:
    options = ScanOptions(key=KEY.encode(), host_label="h1")
    scanner = FileScanner(options, load_rules())
    batch, _ = scan_batch(scanner, [__file__], listed=False)
    assert batch.host == "h1" and all(result.host == "h1" for result in batch.notable)


# -- merge ----------------------------------------------------------------------------------------------------------


def two_hosts(tmp_path: Path) -> list[Path]:
    """Two hosts with the same layout and the same people, scanned each under its label."""
    documents = []
    for host in ("nas-a", "nas-b"):
        share(tmp_path / host / "share")
        done = run(["scan", "share", "--format", "json", "-o", f"../{host}.json", "--host-label", host],
                   tmp_path / host)
        assert done.returncode == 5, done.stderr  # possibly reportable: the damaged zip may hold people
        documents.append(tmp_path / f"{host}.json")
    return documents


def test_merge_of_two_hosts_with_the_same_layout_lists_both_hosts_files_and_counts_people_once(
        tmp_path: Path) -> None:
    a, b = two_hosts(tmp_path)
    one = json.loads(a.read_text())
    done = run(["merge", str(a), str(b), "--format", "json"], tmp_path)
    assert done.returncode == 5, done.stderr
    merged = json.loads(done.stdout)
    assert len(merged["findings"]) == 2 * len(one["findings"]) == 10
    assert {(f["host"], f["path"]) for f in merged["findings"]} == {("nas-a", "share/hr/staff.csv"),
                                                                   ("nas-b", "share/hr/staff.csv")}
    assert {(u["host"], u["path"]) for u in merged["unscanned"]} == {("nas-a", "share/hr/locked.zip"),
                                                                    ("nas-b", "share/hr/locked.zip")}
    summary = merged["summary"]
    assert summary["distinct_people"] == 5 and summary["files_with_findings"] == 2
    assert summary["hosts"] == {host: {"files_scanned": 2, "files_with_findings": 1, "unscanned": 1,
                                       "distinct_people": 5} for host in ("nas-a", "nas-b")}
    assert merged["scan"]["hosts"] == ["nas-a", "nas-b"]


def test_merging_a_merge_keeps_the_hosts_and_their_counts(tmp_path: Path) -> None:
    a, b = two_hosts(tmp_path)
    assert run(["merge", str(a), str(b), "--format", "json", "-o", "ab.json"], tmp_path).returncode == 5
    again = json.loads(run(["merge", "ab.json", str(a), "--format", "json"], tmp_path).stdout)
    assert len(again["findings"]) == 10  # nas-a's findings met twice are one each
    assert again["summary"]["hosts"]["nas-b"] == {"files_scanned": 2, "files_with_findings": 1, "unscanned": 1,
                                                  "distinct_people": 5}
    assert again["summary"]["hosts"]["nas-a"]["files_scanned"] == 4  # files are counted per document, as before


def as_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """A document as a version before hosts wrote it: no host on entries, no counts by host, no scan id."""
    old = json.loads(json.dumps(document))
    old["schema"] = "mynumber/1"
    old["scan"].pop("scan_id")
    old["summary"].pop("hosts")
    for entry in old["findings"] + old["unscanned"]:
        entry.pop("host")
    return old


def test_an_older_document_without_hosts_still_merges_under_the_one_host_it_names(tmp_path: Path) -> None:
    a, b = two_hosts(tmp_path)
    old_a, old_b = as_version_1(json.loads(a.read_text())), as_version_1(json.loads(b.read_text()))
    merged = merge([("a.json", old_a), ("b.json", old_b)], load_rules().triggers,
                   item_ids=[item.item_id for item in load_rules().items])
    assert {f.host for f in merged.findings} == {"nas-a", "nas-b"} and len(merged.findings) == 10
    assert merged.distinct_people == 5
    assert merged.summary()["hosts"]["nas-a"]["files_scanned"] == 2


def test_an_older_document_of_several_hosts_merges_with_its_host_unknown(tmp_path: Path) -> None:
    a, _ = two_hosts(tmp_path)
    old = as_version_1(json.loads(a.read_text()))
    old["scan"]["hosts"] = ["nas-a", "nas-c"]  # an old merge: which host read what is not in it
    merged = merge([("old.json", old)], load_rules().triggers, item_ids=[item.item_id for item in load_rules().items])
    assert {f.host for f in merged.findings} == {None}
    doc = merged.to_json()
    assert "host" not in doc["findings"][0] and list(doc["summary"]["hosts"]) == ["(unknown)"]
    assert doc["summary"]["hosts"]["(unknown)"]["files_scanned"] == 2


def test_a_host_that_is_not_text_is_refused_without_showing_it(tmp_path: Path) -> None:
    a, _ = two_hosts(tmp_path)
    doc = json.loads(a.read_text())
    doc["findings"][0]["host"] = 123456789018
    a.write_text(json.dumps(doc))
    done = run(["merge", str(a)], tmp_path)
    assert done.returncode == 2 and "findings[0].host" in done.stderr and "123456789018" not in done.stderr


# -- reports --------------------------------------------------------------------------------------------------------


def test_the_text_report_groups_files_by_host_when_there_are_several(tmp_path: Path) -> None:
    a, b = two_hosts(tmp_path)
    text = run(["merge", str(a), str(b)], tmp_path).stdout
    findings = text.split("Findings", 1)[1].split("\n\n", 1)[0].splitlines()
    assert findings[2].strip() == "[host nas-a]" and findings.index("  [host nas-b]") == 8
    unscanned = text.split("Not scanned", 1)[1].split("\n\n", 1)[0]
    assert unscanned.index("[host nas-a]") < unscanned.index("[host nas-b]")
    assert "host nas-a" in text.split("Summary", 1)[1]
    single = run(["scan", "nas-a/share", "--host-label", "nas-a"], tmp_path).stdout
    assert "[host " not in single and "  host                 nas-a" in single  # one host: named, no grouping


def test_the_incident_report_groups_files_by_host_when_there_are_several(tmp_path: Path) -> None:
    a, b = two_hosts(tmp_path)
    report = json.loads(run(["report", str(a), str(b), "--format", "json"], tmp_path).stdout)
    assert [(row["host"], row["path"]) for row in report["files"]] == [("nas-a", "share/hr/staff.csv"),
                                                                      ("nas-b", "share/hr/staff.csv")]
    assert report["figures"]["files_with_findings"] == 2 and report["figures"]["distinct_people"] == 5
    markdown = run(["report", str(a), str(b), "--format", "md", "--lang", "en"], tmp_path).stdout
    assert markdown.index("| **Host: nas-a** |") < markdown.index("| **Host: nas-b** |")
    todo = markdown.split("| **Host: nas-b** | | | | | |", 1)[1]  # the files not scanned, grouped the same way
    assert todo.index("| **Host: nas-a** | |") < todo.index("| **Host: nas-b** | |")
    html = run(["report", str(a), str(b), "--format", "html"], tmp_path).stdout
    assert html.index("ホスト: nas-a") < html.index("ホスト: nas-b")
    single = run(["report", str(a), "--format", "html"], tmp_path).stdout
    assert "ホスト: nas-a</p>" in single and 'class="host"' not in single  # one host: named, no grouping


# -- watch and the state --------------------------------------------------------------------------------------------


def test_watch_events_name_the_host() -> None:
    events: list[dict[str, Any]] = []
    Alerts(events.append, host="watcher-1").send({"event": "cleared", "path": "a.csv"})
    assert events[0]["host"] == "watcher-1"


def test_the_state_keeps_the_host_that_read_a_file() -> None:
    finding = Finding("a.csv", Location(line=2), "********9018", "0" * 64, Confidence.HIGH)
    kept = FileResult("a.csv", findings=[finding], unscanned=[Unscanned("a.csv", "damaged")], host="nas-a")
    again = FileResult.from_state("a.csv", kept.to_state())
    assert again.host == "nas-a" and again.findings == [finding]
    older = kept.to_state()
    del older["host"]  # a state written before hosts were kept: the scan's own host is used
    assert FileResult.from_state("a.csv", older).host is None


def test_an_incremental_scan_reports_an_unchanged_file_under_the_host_that_read_it(tmp_path: Path) -> None:
    share(tmp_path / "share")
    first = scan_doc(tmp_path, "share", "--state", "state.db", "--host-label", "reader-1")
    (tmp_path / "share" / "hr" / "new.csv").write_text(f"個人番号\n{valid_number(99)}\n", encoding="utf-8")
    again = scan_doc(tmp_path, "share", "--state", "state.db", "--host-label", "reader-2")
    hosts = {Path(f["path"]).name: f["host"] for f in again["findings"]}
    assert hosts == {"staff.csv": "reader-1", "new.csv": "reader-2"}  # staff.csv was not read again
    assert {f["host"] for f in first["findings"]} == {"reader-1"}
    assert again["scan"]["hosts"] == ["reader-1", "reader-2"]


# -- samples and the people to notify ---------------------------------------------------------------------------


def test_samples_name_their_host_and_two_hosts_samples_stay_apart_in_a_merge(tmp_path: Path) -> None:
    """A sample number (the official example, 123456789018) found in a file is reported with the host that read
    the file, as a finding is, in the json and the jsonl stream; merged, each host's copy is listed."""
    for host in ("nas-a", "nas-b"):
        (tmp_path / host / "share").mkdir(parents=True)
        (tmp_path / host / "share" / "manual.txt").write_text("例: 個人番号 123456789018\n", encoding="utf-8")
        done = run(["scan", "share", "--format", "json", "-o", f"../{host}.json", "--host-label", host],
                   tmp_path / host)
        assert done.returncode == 0, done.stderr
        samples = json.loads((tmp_path / f"{host}.json").read_text())["samples"]
        assert [(s["host"], s["path"], s["sample"]) for s in samples] == [(host, "share/manual.txt",
                                                                           "official-example")]
    lines = run(["scan", "share", "--format", "jsonl", "--host-label", "nas-a"], tmp_path / "nas-a").stdout
    sample_lines = [json.loads(line) for line in lines.splitlines() if '"event": "sample"' in line]
    assert [line["host"] for line in sample_lines] == ["nas-a"]
    merged = json.loads(run(["merge", "nas-a.json", "nas-b.json", "--format", "json"], tmp_path).stdout)
    assert [(s["host"], s["path"]) for s in merged["samples"]] == [("nas-a", "share/manual.txt"),
                                                                   ("nas-b", "share/manual.txt")]


def test_the_people_to_notify_list_each_hosts_copy_of_a_file(tmp_path: Path) -> None:
    """``notify`` of two hosts' scans with the same layout: each person is one row (counted once, by
    fingerprint) listing both hosts' files, ``host:path``; the letter lists both copies too."""
    a, b = two_hosts(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("氏名,個人番号\n" + "".join(f"person{i},{valid_number(i)}\n" for i in range(5)),
                      encoding="utf-8")
    done = run(["notify", str(a), str(b), "--roster", str(roster), "--number-column", "個人番号", "--format", "json"],
               tmp_path)
    assert done.returncode == 0, done.stderr
    people = json.loads(done.stdout)["people"]
    assert len(people) == 5 and {person["status"] for person in people} == {"in_roster"}
    assert all(person["files"] == ["nas-a:share/hr/staff.csv", "nas-b:share/hr/staff.csv"] for person in people)
    letters = run(["notify", str(a), str(b), "--roster", str(roster), "--number-column", "個人番号", "--letter",
                   "--lang", "en"], tmp_path).stdout
    assert "`nas-a:share/hr/staff.csv`" in letters and "`nas-b:share/hr/staff.csv`" in letters


def test_the_people_to_notify_of_one_host_list_paths_alone(tmp_path: Path) -> None:
    a, _ = two_hosts(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text(f"氏名,個人番号\nperson0,{valid_number(0)}\n", encoding="utf-8")
    done = run(["notify", str(a), "--roster", str(roster), "--number-column", "個人番号", "--format", "json"],
               tmp_path)
    assert json.loads(done.stdout)["people"][0]["files"] == ["share/hr/staff.csv"]
