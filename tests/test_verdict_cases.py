"""The verdict's three outcomes, case by case, through the real command (issue 15, item 1).

別添２ 3A of the PPC's business guideline (個人情報保護委員会「特定個人情報の適正な取扱いに関するガイドライン
（事業者編）」): where the number of people cannot be fixed, the most that may be affected decides 規則第2条第4号. So
the count found is a lower bound: the people held back below --min-confidence and the files that could not be read
may raise it. Each case builds a share of real files, runs ``mynumber scan`` (status, exit, the summary's keys,
the text's words) and ``mynumber report`` on its json (the incident's ``verdict`` and the report's words), and
checks they agree.

Conventions pinned here (documented in detector/assess.py):
- a file that could not be read may hold any number of people: the upper bound is open (``people_upper_bound``
  null, ``upper_bound_open`` true), and with a person found or held back that is "possibly reportable";
- with nothing found and nothing held back, an unreadable file is a file to check by hand, not a verdict;
- a web root matched by a location rule (``**/htdocs/**``) is a presumption to confirm: possibly reportable (5),
  ``serious`` kept true as before; a folder given with ``--public`` is the user's statement: reportable (3);
- ``--malicious`` (規則第2条第2号) needs some person's number: with nothing found it is not serious.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from detector.report.incident_words import WORDS

from .conftest import valid_number

KEY = "verdict-key"
HTDOCS_RULE = "rule:htdocs (**/htdocs/**)"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYNUMBER_KEY": KEY}
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


# -- building shares ------------------------------------------------------------------------------------------------


def people_csv(path: Path, count: int, seed: int = 0) -> None:
    """``count`` people under a 個人番号 header: high confidence, counted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["氏名,個人番号"] + [f"person{i},{valid_number(seed + i)}" for i in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def bare_numbers(path: Path, count: int, seed: int) -> None:
    """``count`` valid numbers with no context: low confidence, held back by the default --min-confidence."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"ref {valid_number(seed + i)} ok\n" for i in range(count)), encoding="utf-8")


def encrypted_zip(path: Path) -> None:
    """A zip whose one member carries the encryption flag (general purpose bit 0) in its local and central
    headers, as a password-protected zip does: nobody can read it without the password."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("社員名簿.csv", b"\x00" * 64)
    data = bytearray(buffer.getvalue())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        data[at + flag_offset] |= 0x01
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))


def image(path: Path) -> None:
    """A PNG (a scanned form, for all the tool can tell): not read, may hold numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


# -- the cases ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], None]
    status: str
    exit: int
    serious: bool
    upper_bound: int | None  # None: open
    checks: tuple[str, ...] = ()  # the ids of to_check, in order
    scan_args: tuple[str, ...] = ()
    report_args: tuple[str, ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)  # more summary keys and their values


def _hundred_and_held_back(share: Path) -> None:
    people_csv(share / "hr" / "list.csv", 100)
    bare_numbers(share / "logs" / "app.txt", 10, seed=500)


def _held_back_people_already_found(share: Path) -> None:
    """The 100 people found again, bare, in a log: held back, but nobody new (the bound stays 100)."""
    people_csv(share / "hr" / "list.csv", 100)
    bare_numbers(share / "logs" / "app.txt", 10, seed=0)


CASES: dict[str, Case] = {
    "100 people": Case(lambda s: people_csv(s / "hr" / "list.csv", 100), "not_reportable_on_scan", 1, False, 100),
    "101 people": Case(lambda s: people_csv(s / "hr" / "list.csv", 101), "reportable", 3, True, 101),
    "100 people and an encrypted zip member": Case(
        lambda s: (people_csv(s / "hr" / "list.csv", 100), encrypted_zip(s / "hr" / "old.zip")),
        "possibly_reportable", 5, False, None, ("encrypted_members",),
        expect={"encrypted_members": 1, "unscanned_files": 1}),
    "100 people and held-back candidates": Case(
        _hundred_and_held_back, "possibly_reportable", 5, False, 110, ("held_back_candidates",),
        expect={"held_back_people": 10, "held_back_candidates": 10}),
    "100 people held back again are not counted twice": Case(
        _held_back_people_already_found, "not_reportable_on_scan", 1, False, 100,
        expect={"held_back_people": 0, "held_back_candidates": 10}),
    "1 person and an image": Case(
        lambda s: (people_csv(s / "hr" / "list.csv", 1), image(s / "scans" / "申告書.png")),
        "possibly_reportable", 5, False, None, ("unscanned_files",), expect={"unscanned_files": 1}),
    "1 person and a broken link: nothing to read, the bound stays closed": Case(
        lambda s: (people_csv(s / "hr" / "list.csv", 1), (s / "hr" / "gone.csv").symlink_to("nowhere.csv")),
        "not_reportable_on_scan", 1, False, 1, scan_args=("--follow-symlinks",), expect={"unscanned_files": 0}),
    "1 person and a link not followed: its target was not read": Case(
        lambda s: (people_csv(s / "hr" / "list.csv", 1), (s / "hr" / "other.csv").symlink_to("/nonexistent/x.csv")),
        "possibly_reportable", 5, False, None, ("unscanned_files",)),
    "nothing found but an encrypted zip": Case(
        lambda s: encrypted_zip(s / "old.zip"), "not_reportable_on_scan", 0, False, None,
        expect={"encrypted_members": 1}),
    "1 person in a --public folder": Case(
        lambda s: people_csv(s / "published" / "a.csv", 1), "reportable", 3, True, 1,
        scan_args=("--public", "share/published")),
    "1 person in a web root by the htdocs rule": Case(
        lambda s: people_csv(s / "www" / "htdocs" / "export.csv", 1), "possibly_reportable", 5, True, 1,
        ("confirm_public_location",)),
    "a backup/htdocs copy is presumed public too": Case(
        lambda s: people_csv(s / "backup" / "htdocs" / "export.csv", 1), "possibly_reportable", 5, True, 1,
        ("confirm_public_location",)),
    "1 person in an internal share": Case(
        lambda s: people_csv(s / "internal" / "hr.csv", 1), "not_reportable_on_scan", 1, False, 1),
    "nothing found": Case(
        lambda s: (s / "a.txt").write_text("no numbers here 12345\n"), "not_reportable_on_scan", 0, False, 0),
    "--malicious with nothing found": Case(
        lambda s: (s / "a.txt").write_text("no numbers here 12345\n"), "not_reportable_on_scan", 0, False, 0,
        report_args=("--malicious",)),
    "--malicious, nothing found, an encrypted zip": Case(
        lambda s: encrypted_zip(s / "old.zip"), "possibly_reportable", 0, False, None, ("encrypted_members",),
        report_args=("--malicious",)),
    "--malicious with one person found": Case(
        lambda s: people_csv(s / "internal" / "hr.csv", 1), "reportable", 1, True, 1, report_args=("--malicious",)),
    "--malicious and a web root": Case(
        lambda s: people_csv(s / "www" / "htdocs" / "export.csv", 1), "reportable", 5, True, 1,
        ("confirm_public_location",), report_args=("--malicious",)),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One case: its share built, scanned (text and json) and reported (json; Markdown in ja and en)."""
    name: str = request.param
    case = CASES[name]
    root = tmp_path_factory.mktemp("verdict")
    (root / "share").mkdir()
    case.build(root / "share")
    scan = ["scan", "share", "--jobs", "1", *case.scan_args]
    text = run(scan, root)
    as_json = run([*scan, "--format", "json", "-o", "scan.json"], root)
    assert text.returncode == as_json.returncode, (text.stderr, as_json.stderr)
    reports = {fmt_lang: run(["report", "scan.json", "--discovered", "2026-11-20", "--format", fmt_lang[0],
                              "--lang", fmt_lang[1], *case.report_args], root)
               for fmt_lang in (("json", "en"), ("md", "ja"), ("md", "en"))}
    for done in reports.values():
        assert done.returncode == 0, done.stderr
    return {"case": case, "exit": as_json.returncode, "text": text.stdout,
            "summary": json.loads((root / "scan.json").read_text(encoding="utf-8"))["summary"],
            "verdict": json.loads(reports["json", "en"].stdout)["verdict"],
            "md": {"ja": reports["md", "ja"].stdout, "en": reports["md", "en"].stdout}}


def test_the_scan_says_the_status_and_exits_with_its_code(outcome: dict[str, Any]) -> None:
    case: Case = outcome["case"]
    summary = outcome["summary"]
    assert outcome["exit"] == case.exit
    if not case.report_args:  # --malicious is declared to the report, never to the scan
        assert summary["status"] == case.status
        assert summary["serious"] is case.serious


def test_the_upper_bound_and_what_it_rests_on(outcome: dict[str, Any]) -> None:
    case: Case = outcome["case"]
    for document in (outcome["summary"], outcome["verdict"]):
        assert document["people_upper_bound"] == case.upper_bound
        assert document["upper_bound_open"] is (case.upper_bound is None)
        assert {"unscanned_files", "encrypted_members", "held_back_candidates", "held_back_people",
                "possible_reasons", "to_check"} <= set(document)
        for key, value in case.expect.items():
            assert document[key] == value, key


def test_the_incident_verdict_agrees_with_the_scan_and_lists_what_to_check(outcome: dict[str, Any]) -> None:
    case: Case = outcome["case"]
    verdict = outcome["verdict"]
    assert verdict["status"] == case.status
    assert verdict["serious"] is case.serious
    assert [check["id"] for check in verdict["to_check"]] == list(case.checks)
    assert all(check["count"] >= 1 for check in verdict["to_check"])
    presumed = [check for check in verdict["to_check"] if check["id"] == "confirm_public_location"]
    assert all(check["rules"] == [HTDOCS_RULE] for check in presumed)
    if not case.report_args:
        assert verdict["to_check"] == outcome["summary"]["to_check"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_report_words_the_status_and_never_says_not_reportable_as_certain(outcome: dict[str, Any],
                                                                              lang: str) -> None:
    case: Case = outcome["case"]
    words = WORDS[lang]
    report = outcome["md"][lang]
    sentence = words["serious"] if case.status == "reportable" else words[f"status.{case.status}"]
    assert sentence in report
    for check in outcome["verdict"]["to_check"]:
        assert words["check." + check["id"]].split("{")[0] in report
    if lang == "ja":
        assert "報告対象事態の要件には該当しません" not in report  # the old, unqualified sentence
        if case.status == "not_reportable_on_scan":
            assert "スキャンした範囲では報告対象事態の要件に該当しません" in report
        if case.status == "possibly_reportable":
            assert "報告対象事態に該当する可能性があります" in report


def test_the_text_output_says_the_outcome(outcome: dict[str, Any]) -> None:
    case: Case = outcome["case"]
    if case.report_args:
        return
    text = outcome["text"]
    heading = {"reportable": "Assessment: SERIOUS", "possibly_reportable": "Assessment: POSSIBLY REPORTABLE",
               "not_reportable_on_scan": "not a reportable incident on what was scanned"}[case.status]
    assert heading in text
    assert ("  - check: " in text) is bool(case.checks)


def test_nobody_is_to_be_notified_when_nobody_was_found(outcome: dict[str, Any]) -> None:
    """Issue 15, item 6: ``--malicious`` with nothing found is not serious, and the draft names nobody."""
    if outcome["summary"]["distinct_people"]:
        return
    assert "0人に通知予定" not in outcome["md"]["ja"]
    assert "0 people to notify" not in outcome["md"]["en"]
