"""The incident report: figures, verdict and articles, PPC deadlines, and no raw number in any format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from detector.deadlines import deadlines, is_business_day, next_business_day
from detector.incident import build_incident
from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.report.incident import render_incident
from detector.result import ScanResult
from detector.rules import load_rules

from .conftest import ocr_engine_missing

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
D = dt.date


# -- deadlines ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("discovered, final", [
    # An ordinary case: day 30 is Tuesday 30 June. (The cases around holidays, with the 速報's range: tests/
    # test_deadline_cases.py.)
    (D(2026, 6, 1), D(2026, 6, 30)),
    # Day 30 is National Foundation Day (Thursday 11 February 2027): the next day.
    (D(2027, 1, 13), D(2027, 2, 12)),
])
def test_the_final_report_counts_the_day_of_discovery_as_day_1_and_skips_non_business_days(
        discovered: dt.date, final: dt.date) -> None:
    assert deadlines(discovered).final_report == final


def test_a_malicious_leak_has_60_days_for_the_final_report() -> None:
    # Day 60 from 1 June 2026 is 30 July 2026, a Thursday.
    assert deadlines(D(2026, 6, 1), malicious=True).final_report == D(2026, 7, 30)
    # Day 60 from 21 July 2026 is 18 September (Fri); from 23 July it is 20 September (Sun), then Monday 21 is
    # Respect for the Aged Day, and 22 is the Citizens' Holiday between it and the equinox: Thursday 24.
    assert deadlines(D(2026, 7, 21), malicious=True).final_report == D(2026, 9, 18)
    assert deadlines(D(2026, 7, 23), malicious=True).final_report == D(2026, 9, 24)


def test_business_days() -> None:
    assert not is_business_day(D(2026, 12, 29)) and not is_business_day(D(2027, 1, 3))
    assert not is_business_day(D(2026, 11, 23))  # Labour Thanksgiving Day
    assert is_business_day(D(2026, 11, 24))
    assert next_business_day(D(2026, 11, 21)) == D(2026, 11, 24)  # Saturday, Sunday, holiday Monday


# -- the report of the sample share ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def revealed() -> RevealedNumbers:
    return RevealedNumbers()


@pytest.fixture(scope="module")
def share_scan(revealed: RevealedNumbers) -> ScanResult:
    return scan_paths([str(SHARE)], ScanOptions(key=b"report-key", jobs=1, reveal=True), revealed=revealed)


@pytest.fixture(scope="module")
def raw_numbers(share_scan: ScanResult, revealed: RevealedNumbers) -> set[str]:
    numbers = {revealed.number(finding) for finding in share_scan.findings}
    assert None not in numbers and len(numbers) == share_scan.distinct_people
    return {number for number in numbers if number is not None}


def report_json(result: ScanResult, **kwargs: Any) -> dict[str, Any]:
    rules = load_rules()
    incident = build_incident(result, rules.items, **kwargs)
    return json.loads(render_incident(incident, "json", "en"))  # type: ignore[no-any-return]


def test_the_report_gives_the_scans_figures_and_verdict(share_scan: ScanResult) -> None:
    doc = report_json(share_scan, discovered=D(2026, 11, 20))
    summary = share_scan.summary()
    assert doc["figures"]["distinct_people"] == summary["distinct_people"] == 15
    assert doc["figures"]["public_distinct_people"] == summary["public_distinct_people"] == 2
    assert doc["figures"]["files_with_findings"] == summary["files_with_findings"]
    assert doc["figures"]["unscanned"] == summary["unscanned"]
    assert doc["verdict"]["serious"] is True
    assert doc["verdict"]["reasons"] == ["publicly_accessible"]
    # 番号法第29条の4第2項 (本人通知) since issue 15, item 4.
    assert doc["verdict"]["articles"] == ["番号法第29条の4第1項", "番号法第29条の4第2項",
                                          "特定個人情報の漏えい等に関する報告等に関する規則 第2条第3号"]
    # 速報: day 3 (Sun 22 Nov) to day 5 (Tue 24 Nov), a yardstick; 確報: day 30 = Sat 19 Dec -> Mon 21 Dec.
    assert doc["deadlines"] == {**doc["deadlines"], "discovered": "2026-11-20",
                                "preliminary_report": {"from": "2026-11-22", "to": "2026-11-24"},
                                "final_report": "2026-12-21"}


def test_malicious_adds_item_2_and_sixty_days(share_scan: ScanResult) -> None:
    """``--malicious`` is a declared criterion of the assessment (rules/assessment.toml), as the command
    declares it when it finishes the merged scans."""
    declared = dataclasses.replace(share_scan).finish(load_rules().triggers, declared=["malicious"])
    assert declared.assessment is not None and declared.assessment.reason_ids() == ["malicious", "publicly_accessible"]
    doc = report_json(declared, discovered=D(2026, 11, 20), malicious=True)
    assert doc["verdict"]["reasons"] == ["malicious", "publicly_accessible"]
    assert "特定個人情報の漏えい等に関する報告等に関する規則 第2条第2号" in doc["verdict"]["articles"]
    assert doc["deadlines"]["final_report"] == "2027-01-18"  # day 60: Monday 18 January 2027


def test_charts_files_and_items(share_scan: ScanResult) -> None:
    doc = report_json(share_scan, discovered=D(2026, 11, 20))
    assert doc["charts"]["people_by_folder"]["hr"] == 7
    assert doc["charts"]["exposure"] == {"public": 2, "internal": 13}
    assert sum(doc["charts"]["findings_by_type"].values()) == len(share_scan.findings)
    first = doc["files"][0]
    assert first["public"] and first["path"].endswith("応募者一覧.txt")
    hr = next(f for f in doc["files"] if f["path"].endswith("扶養控除等申告書_2026.csv"))
    assert hr["people"] == 6 and set(hr["items"]) == {"name", "address", "birth_date"}
    assert {"name", "address", "birth_date", "bank_account", "phone"} <= set(doc["items"])
    # the scanned form is read by OCR (issue 16), listed as not scanned only where no engine is installed; the
    # archive cut short is never read
    unscanned = ["2019_退職者_破損.zip"] + (["申告書スキャン.png"] if ocr_engine_missing() else [])
    assert [u["path"].rsplit("/", 1)[-1] for u in doc["unscanned"]] == unscanned


def test_the_draft_marks_what_a_person_must_write(share_scan: ScanResult) -> None:
    doc = report_json(share_scan, discovered=D(2026, 11, 20))
    draft = {entry["item"]: entry for entry in doc["ppc_draft"]}  # 規則第3条第1項第1号〜第9号 (tests/test_ppc_draft.py)
    assert list(draft) == list(range(1, 10))
    assert draft[4]["to_fill"] and "[TO BE WRITTEN]" in draft[4]["text"] and "15" in draft[3]["text"]
    assert draft[2]["text"].startswith("My Number, ")


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_raw_number_in_any_report(share_scan: ScanResult, raw_numbers: set[str], fmt: str, lang: str) -> None:
    incident = build_incident(share_scan, load_rules().items, D(2026, 11, 20))
    text = render_incident(incident, fmt, lang)
    digits_only = "".join(ch for ch in text if ch.isdigit())
    for number in raw_numbers:
        assert number not in text
        assert number not in digits_only.replace(" ", "")


def test_the_html_report_is_self_contained(share_scan: ScanResult) -> None:
    html = render_incident(build_incident(share_scan, load_rules().items, D(2026, 11, 20)), "html", "ja")
    assert "default-src 'none'" in html
    assert "<script" not in html and "src=" not in html and "@import" not in html
    assert html.count("<svg") == 3
    links = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in links and "https://" not in links


def test_the_report_command_writes_a_private_file(tmp_path: Path) -> None:
    env = {**os.environ, "MYNUMBER_KEY": "cli-key"}
    scan = tmp_path / "scan.json"
    subprocess.run([sys.executable, "-m", "detector", "scan", str(SHARE), "--format", "json", "-o", str(scan)],
                   env=env, cwd=ROOT, check=False)
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "detector", "report", str(scan), "--discovered", "2026-11-20",
                           "-o", str(out)], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert "報告対象事態に該当する可能性があります" in out.read_text(encoding="utf-8")  # htdocs by a rule: to confirm
    bad = subprocess.run([sys.executable, "-m", "detector", "report", str(scan), "--discovered", "20/11/2026"],
                         env=env, cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr



def test_every_format_the_commands_offer_is_one_the_renderers_know(share_scan: ScanResult) -> None:
    """One table of format names (detector.report.formats) feeds both the command line and the renderers: a
    format offered is a format rendered, and adding one touches that table and the renderer's module."""
    from detector.cli import main
    from detector.report import render
    from detector.report.formats import INCIDENT_FORMATS, NOTIFY_FORMATS, SCAN_FORMATS, WATCH_FORMATS

    choices = {name: {p.name: getattr(p.type, "choices", None) for p in command.params}
               for name, command in main.commands.items()}  # type: ignore[attr-defined]
    assert list(choices["scan"]["fmt"]) == list(SCAN_FORMATS)
    assert list(choices["report"]["fmt"]) == list(INCIDENT_FORMATS)
    assert list(choices["notify"]["fmt"]) == list(NOTIFY_FORMATS)
    assert list(choices["watch"]["fmt"]) == list(WATCH_FORMATS)
    for fmt in SCAN_FORMATS:
        assert render(share_scan, fmt).strip(), fmt
    for fmt in INCIDENT_FORMATS:
        assert render_incident(build_incident(share_scan, load_rules().items), fmt).strip(), fmt


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv", "sarif"])
def test_a_scan_shows_raw_numbers_only_when_given_the_reveal_sink(share_scan: ScanResult, revealed: RevealedNumbers,
                                                                  raw_numbers: set[str], fmt: str) -> None:
    """The renderers take ``--reveal``'s numbers from the sink the scan filled, the result holding none."""
    from detector.report import render

    shown = render(share_scan, fmt, revealed)
    assert all(number in shown for number in raw_numbers)
    masked = render(share_scan, fmt)
    assert not any(number in masked for number in raw_numbers)
