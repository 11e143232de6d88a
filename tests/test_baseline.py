"""Baselines: accepted findings are set aside as ``baselined``, not new; their people stay in every count and
verdict (a baseline hides noise, it does not change the law); the exit status speaks of what is new; every entry
has a reason; the file never holds a number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detector.baseline import Baseline, baseline_document
from detector.errors import UsageError
from detector.model import Confidence, FileResult, Finding, Location
from detector.result import ScanResult

from .conftest import valid_number
from .test_cli import people_csv, run

REASON = "payroll templates, checked 2026-12-01"


def scan(cwd: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run(["scan", "--format", "json", "--jobs", "1", *args], cwd)
    assert done.returncode in (0, 1, 3, 5), done.stderr
    return done.returncode, json.loads(done.stdout)


def make_baseline(cwd: Path, *args: str, scan_args: tuple[str, ...] = ("share",)) -> Path:
    """The baseline of a scan of ``scan_args``, written by ``mynumber baseline``."""
    done = run(["scan", "--format", "json", "--jobs", "1", "-o", "accepted-scan.json", *scan_args], cwd)
    assert done.returncode in (0, 1, 3, 5), done.stderr
    made = run(["baseline", "accepted-scan.json", "-o", "mynumber-baseline.json", *args], cwd)
    assert made.returncode == 0, made.stderr
    return cwd / "mynumber-baseline.json"


def test_a_baselined_finding_is_not_new_and_its_person_is_still_counted(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "templates.csv", 2)
    make_baseline(tmp_path, "--reason", REASON)

    status, doc = scan(tmp_path, "--baseline", "mynumber-baseline.json", "share")
    assert status == 0  # nothing new
    assert doc["summary"]["findings"] == 0 and doc["findings"] == []
    assert doc["summary"]["baselined"] == 2 and doc["summary"]["baselined_people"] == 2
    assert doc["summary"]["distinct_people"] == 2  # the people are still exposed
    assert [item["baseline_reason"] for item in doc["baselined"]] == [REASON, REASON]
    assert {item["fingerprint"] for item in doc["baselined"]} == {f["fingerprint"] for f in
                                                                 scan(tmp_path, "share")[1]["findings"]}

    people_csv(tmp_path / "share" / "new.csv", 1, seed=100)  # a new person
    status, doc = scan(tmp_path, "--baseline", "mynumber-baseline.json", "share")
    assert status == 1
    assert [f["path"] for f in doc["findings"]] == ["share/new.csv"]
    assert doc["summary"]["findings"] == 1 and doc["summary"]["baselined"] == 2
    assert doc["summary"]["distinct_people"] == 3


def test_the_verdict_counts_baselined_people_and_a_new_one_can_pass_100(tmp_path: Path) -> None:
    """100 accepted people and one new: 101 people, reportable (規則第2条第4号 counts them all), exit 3."""
    people_csv(tmp_path / "share" / "accepted.csv", 100)
    make_baseline(tmp_path, "--reason", REASON)
    people_csv(tmp_path / "share" / "new.csv", 1, seed=500)
    status, doc = scan(tmp_path, "--baseline", "mynumber-baseline.json", "share")
    assert status == 3
    assert doc["summary"]["distinct_people"] == 101 and doc["summary"]["serious_reasons"] == ["over_100_people"]
    assert doc["summary"]["status"] == "reportable" and doc["summary"]["findings"] == 1


def test_with_everything_baselined_the_verdict_stands_and_the_status_is_0(tmp_path: Path) -> None:
    """As gitleaks and detect-secrets exit 0 when all they find is in the baseline: the verdict in the document
    still says reportable, the exit status says nothing is new."""
    people_csv(tmp_path / "share" / "accepted.csv", 101)
    make_baseline(tmp_path, "--reason", REASON)
    status, doc = scan(tmp_path, "--baseline", "mynumber-baseline.json", "share")
    assert status == 0
    assert doc["summary"]["status"] == "reportable" and doc["summary"]["serious"] is True
    assert doc["summary"]["distinct_people"] == 101 and doc["summary"]["baselined"] == 101


def test_a_finding_that_moves_within_its_file_stays_accepted_and_the_same_person_elsewhere_is_new(
        tmp_path: Path) -> None:
    number = valid_number(7)
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "form.txt").write_text(f"個人番号: {number}\n")
    make_baseline(tmp_path, "--reason", REASON)
    (tmp_path / "share" / "form.txt").write_text(f"見出し\n\n個人番号: {number}\n")
    (tmp_path / "share" / "copy.txt").write_text(f"個人番号: {number}\n")
    status, doc = scan(tmp_path, "--baseline", "mynumber-baseline.json", "share")
    assert status == 1
    assert [(f["path"], f["location"]) for f in doc["baselined"]] == [("share/form.txt", {"line": 3})]
    assert [f["path"] for f in doc["findings"]] == ["share/copy.txt"]
    assert doc["summary"]["distinct_people"] == 1


def test_a_baseline_needs_a_reason(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    run(["scan", "--format", "json", "-o", "scan.json", "share"], tmp_path)
    done = run(["baseline", "scan.json", "-o", "mynumber-baseline.json"], tmp_path)
    assert done.returncode == 2 and "--reason" in done.stderr
    assert not (tmp_path / "mynumber-baseline.json").exists()
    assert run(["baseline", "scan.json", "--reason", " ", "-o", "b.json"], tmp_path).returncode == 2


def test_an_entry_whose_reason_was_removed_is_refused_naming_the_file_and_the_entry(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 2)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    document = json.loads(baseline.read_text())
    document["entries"][1]["reason"] = ""
    baseline.write_text(json.dumps(document))
    done = run(["scan", "--baseline", str(baseline), "share"], tmp_path)
    assert done.returncode == 2
    assert "mynumber-baseline.json: entries[1].reason" in done.stderr


def test_each_entry_s_reason_can_be_edited_and_is_kept_when_the_baseline_is_made_again(tmp_path: Path) -> None:
    """The admin edits one entry's reason; a scan with the baseline, made into a baseline again, keeps it, and new
    findings take the new --reason."""
    people_csv(tmp_path / "share" / "a.csv", 2)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    document = json.loads(baseline.read_text())
    document["entries"][0]["reason"] = "HR's own copy, stored where it belongs"
    baseline.write_text(json.dumps(document))
    people_csv(tmp_path / "share" / "b.csv", 1, seed=40)
    run(["scan", "--format", "json", "--baseline", str(baseline), "-o", "again.json", "share"], tmp_path)
    assert run(["baseline", "again.json", "-o", "mynumber-baseline.json"], tmp_path).returncode == 2  # b.csv: why?
    assert run(["baseline", "again.json", "--reason", "test data", "-o", "mynumber-baseline.json"],
               tmp_path).returncode == 0
    reasons = {(e["path"], e["reason"]) for e in json.loads(baseline.read_text())["entries"]}
    assert reasons == {("share/a.csv", "HR's own copy, stored where it belongs"), ("share/a.csv", REASON),
                       ("share/b.csv", "test data")}


def test_the_baseline_file_holds_no_number(tmp_path: Path) -> None:
    numbers = [valid_number(seed) for seed in range(3)]
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / f"給与_{numbers[0]}.txt").write_text(f"個人番号: {numbers[1]}\nマイナンバー {numbers[2]}\n")
    baseline = make_baseline(tmp_path, "--reason", f"test data, e.g. {numbers[1]}")
    text = baseline.read_text()
    assert not any(number in text for number in numbers)
    assert baseline.stat().st_mode & 0o777 == 0o600
    document = json.loads(text)
    assert {"fingerprint", "path", "location", "masked", "reason"} <= set(document["entries"][0])
    assert document["entries"][0]["reason"] == "test data, e.g. ********" + numbers[1][-4:]
    # the name holding a number is compared as scans write it (masked), so it matches the live scan
    status, doc = scan(tmp_path, "--baseline", str(baseline), "share")
    assert status == 0 and doc["summary"]["baselined"] == 3


def test_a_baseline_made_under_another_key_is_refused(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    done = run(["scan", "--baseline", str(baseline), "share"], tmp_path, env={"MYNUMBER_KEY": "another key"})
    assert done.returncode == 2 and "fingerprint key" in done.stderr


def test_text_output_lists_baselined_findings_apart_with_their_reason(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    make_baseline(tmp_path, "--reason", REASON)
    people_csv(tmp_path / "share" / "b.csv", 1, seed=30)
    done = run(["scan", "--baseline", "mynumber-baseline.json", "share"], tmp_path)
    assert done.returncode == 1
    findings, baselined = done.stdout.split("Baselined (", 1)
    assert "share/b.csv" in findings and "share/a.csv" not in findings
    assert "share/a.csv" in baselined.split("Summary")[0] and REASON in baselined
    assert "baselined            1 findings of 1 people" in done.stdout


def test_merge_and_report_keep_baselined_findings_apart_and_their_people_counted(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 2)
    make_baseline(tmp_path, "--reason", REASON)
    people_csv(tmp_path / "share" / "b.csv", 1, seed=30)
    run(["scan", "--format", "json", "--baseline", "mynumber-baseline.json", "-o", "s.json", "share"], tmp_path)
    done = run(["merge", "--format", "json", "s.json"], tmp_path)
    merged = json.loads(done.stdout)
    assert done.returncode == 1
    assert merged["summary"]["findings"] == 1 and merged["summary"]["baselined"] == 2
    assert merged["summary"]["distinct_people"] == 3
    assert {item["baseline_reason"] for item in merged["baselined"]} == {REASON}


# -- the library ---------------------------------------------------------------------------------------------------


def finding(path: str, line: int, fingerprint: str, member: str | None = None) -> Finding:
    return Finding(path, Location(line=line, member=member), "********9018", fingerprint, Confidence.HIGH)


def written(tmp_path: Path, findings: list[Finding]) -> Baseline:
    """The baseline of a scan with ``findings``, written and read back."""
    result = ScanResult(key_id="1" * 16, findings=list(findings)).finish(())
    path = tmp_path / "b.json"
    path.write_text(json.dumps(baseline_document(result, REASON)))
    return Baseline.load(str(path))


def test_a_finding_is_accepted_by_fingerprint_path_and_member_wherever_it_is_in_the_member(tmp_path: Path) -> None:
    accepted = finding("share/a.zip", 1, "a" * 64, member="list.csv")
    baseline = written(tmp_path, [accepted])
    assert baseline(accepted._replace(location=Location(line=9, member="list.csv"))) == REASON
    assert baseline(accepted._replace(location=Location(line=1, member="other.csv"))) is None
    assert baseline(accepted._replace(path="share/b.zip")) is None
    assert baseline(accepted._replace(fingerprint="b" * 64)) is None


def test_the_written_baseline_reads_back_as_the_same_entries(tmp_path: Path) -> None:
    findings = [finding("share/a.csv", 2, "a" * 64), finding("share/x.zip", 1, "b" * 64, member="in/名簿.csv")]
    loaded = written(tmp_path, findings)
    assert loaded.key_id == "1" * 16
    assert [(e.path, e.location, e.reason) for e in loaded.entries] == [
        ("share/a.csv", Location(line=2), REASON), ("share/x.zip", Location(line=1, member="in/名簿.csv"), REASON)]
    assert [loaded(f) for f in findings] == [REASON, REASON]


def test_set_aside_keeps_the_people_and_the_exit_status_speaks_of_what_is_new() -> None:
    result = ScanResult(key_id="0" * 16)
    result.add(FileResult(path="share/a.csv", findings=[finding("share/a.csv", 1, "a" * 64),
                                                        finding("share/a.csv", 2, "b" * 64)]))
    result.set_aside(lambda f: REASON if f.fingerprint == "a" * 64 else None)
    result.finish(())
    assert [f.fingerprint for f in result.findings] == ["b" * 64]
    assert [b.finding.fingerprint for b in result.baselined] == ["a" * 64]
    assert result.distinct_people == 2 and result.exit_status == 1


def test_loading_a_file_that_is_not_a_baseline_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    path.write_text(json.dumps({"schema": "mynumber/1"}))
    with pytest.raises(UsageError, match="not a mynumber baseline"):
        Baseline.load(str(path))
    with pytest.raises(UsageError, match="cannot read"):
        Baseline.load(str(tmp_path / "missing.json"))


def test_the_baseline_names_the_key_of_its_scan(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "a.csv", 1)
    baseline = make_baseline(tmp_path, "--reason", REASON)
    _, doc = scan(tmp_path, "share")
    assert json.loads(baseline.read_text())["key_id"] == doc["scan"]["key_id"]


def test_the_incident_report_and_the_people_to_notify_take_baselined_people_as_found(tmp_path: Path) -> None:
    """A baseline quiets the nightly scan; the incident report and the notices still cover every person."""
    people_csv(tmp_path / "share" / "a.csv", 2)
    make_baseline(tmp_path, "--reason", REASON)
    run(["scan", "--format", "json", "--baseline", "mynumber-baseline.json", "-o", "s.json", "share"], tmp_path)
    report = json.loads(run(["report", "--format", "json", "s.json"], tmp_path).stdout)
    assert report["figures"]["findings"] == 2 and [row["path"] for row in report["files"]] == ["share/a.csv"]
    people_csv(tmp_path / "roster.csv", 2)
    done = run(["notify", "s.json", "--roster", "roster.csv", "--number-column", "個人番号", "--format", "json"],
               tmp_path)
    assert json.loads(done.stdout)["summary"]["in_roster"] == 2, done.stderr


def test_with_everything_baselined_what_was_not_read_can_still_make_it_possibly_reportable() -> None:
    """Nothing new, but a held-back candidate of someone not baselined and a file that could not be read: the
    bound is open on a person nobody accepted, so the status is 5, as the same scan without findings gives."""
    from detector.model import Unscanned
    from detector.rules import load_rules

    triggers = load_rules().triggers
    result = ScanResult(key_id="0" * 16)
    result.add(FileResult(path="share/a.csv", findings=[finding("share/a.csv", 1, "a" * 64)],
                          held_back={"low": 1}, held_back_people={"c" * 64}))
    result.add(FileResult(path="share/scan.pdf", scanned=False,
                          unscanned=[Unscanned("share/scan.pdf", "image: no text layer (PNG image)")]))
    result.set_aside(lambda f: REASON)
    assert result.finish(triggers).exit_status == 5
    accepted_only = ScanResult(key_id="0" * 16)
    accepted_only.add(FileResult(path="share/a.csv", findings=[finding("share/a.csv", 1, "a" * 64)]))
    accepted_only.set_aside(lambda f: REASON)
    assert accepted_only.finish(triggers).exit_status == 0
