"""When to report: the 速報 is a yardstick given as a range, the 確報 is the one deadline.

規則第3条第1項 (特定個人情報の漏えい等に関する報告等に関する規則, 平成27年特定個人情報保護委員会規則第5号) asks for the
preliminary report (速報) 「速やかに」; the guideline (別添２ 3D) reads that as 「概ね３日～５日以内」 of learning
of the incident: a range, day 3 to day 5 with the day of learning as day 1, in calendar days and never moved past a
holiday. 規則第3条第2項 asks for the final report (確報) within 30 days, or 60 for an incident of 第2条第2号: day 1
is the day of learning, and a last day on a weekend, a holiday or 12/29-1/3 moves to the next business day.
A report shows those dates for a reportable incident, as the dates that apply if it is confirmed for one that may
be reportable, and not at all for one not reportable on what was scanned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from detector.assess import Status
from detector.deadlines import deadlines, is_business_day
from detector.incident import Incident, build_incident
from detector.pipeline import ScanOptions, scan_paths
from detector.report import render
from detector.report.incident import render_incident
from detector.result import ScanResult
from detector.rules import load_rules

from .conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
D = dt.date

# Each case counted by hand: day n is discovered + (n - 1) days; only the 確報 moves to a business day.
CASES = [
    # discovered, --malicious, 速報 from (day 3), 速報 to (day 5), 確報 deadline
    pytest.param(D(2026, 12, 25), False, D(2026, 12, 27), D(2026, 12, 29), D(2027, 1, 25), id="2026-12-25"),
    # Fri 25 Dec = day 1; day 3 Sun 27 Dec, day 5 Tue 29 Dec (in the year-end break: a yardstick, not moved).
    # Day 30 = Sat 23 Jan 2027 (25-31 Dec are days 1-7, 23 Jan is day 7 + 23) -> Mon 25 Jan.
    # The old report said 速報 Mon 4 Jan 2027 "day 5": 1-4 Jan are days 8-11, so it was day 11.
    pytest.param(D(2026, 11, 30), False, D(2026, 12, 2), D(2026, 12, 4), D(2027, 1, 4), id="2026-11-30"),
    # Mon 30 Nov = day 1, 1 Dec = day 2, so day n = n-1 December: day 3 Wed 2 Dec, day 5 Fri 4 Dec.
    # Day 30 = Tue 29 Dec, the year-end break (29 Dec-3 Jan) -> Mon 4 Jan 2027.
    pytest.param(D(2027, 1, 13), False, D(2027, 1, 15), D(2027, 1, 17), D(2027, 2, 12), id="2027-01-13"),
    # Wed 13 Jan = day 1: day 3 Fri 15 Jan, day 5 Sun 17 Jan (the old report moved it to Mon 18 Jan).
    # Day 30 = 13 + 29 = "42 Jan" = Thu 11 Feb, National Foundation Day -> Fri 12 Feb.
    pytest.param(D(2027, 4, 28), False, D(2027, 4, 30), D(2027, 5, 2), D(2027, 5, 27), id="2027-04-28-golden-week"),
    # Wed 28 Apr = day 1 (Thu 29 Apr, Shōwa Day, is day 2): day 3 Fri 30 Apr, day 5 Sun 2 May. The old report
    # moved it past the weekend and Golden Week (Mon 3-Wed 5 May) to Thu 6 May, day 9.
    # 1 May is day 4, so day n = n-3 May: day 30 = Thu 27 May, a business day.
    pytest.param(D(2026, 12, 28), False, D(2026, 12, 30), D(2027, 1, 1), D(2027, 1, 26), id="2026-12-28"),
    # Mon 28 Dec = day 1: day 3 Wed 30 Dec, day 5 Fri 1 Jan 2027, the whole range inside the year-end break.
    # 1 Jan is day 5, so day n = n-4 January: day 30 = Tue 26 Jan, a business day.
    pytest.param(D(2026, 7, 23), True, D(2026, 7, 25), D(2026, 7, 27), D(2026, 9, 24), id="2026-07-23-60-days"),
    # Thu 23 Jul = day 1: day 3 Sat 25 Jul, day 5 Mon 27 Jul. 31 Jul is day 9, 31 Aug day 40, so day 60 =
    # Sun 20 Sep; Mon 21 Respect for the Aged Day, Tue 22 Citizens' Holiday, Wed 23 Autumn Equinox -> Thu 24 Sep.
    pytest.param(D(2026, 11, 1), True, D(2026, 11, 3), D(2026, 11, 5), D(2027, 1, 4), id="2026-11-01-60-days"),
    # Sun 1 Nov = day 1 (any part of the organisation may learn on a Sunday): day 3 Tue 3 Nov (Culture Day,
    # not moved), day 5 Thu 5 Nov. 30 Nov is day 30, so day 60 = Wed 30 Dec, the year-end break -> Mon 4 Jan.
]


@pytest.mark.parametrize("discovered, malicious, first, last, final", CASES)
def test_the_preliminary_report_is_day_3_to_day_5_and_only_the_final_report_moves_past_holidays(
        discovered: dt.date, malicious: bool, first: dt.date, last: dt.date, final: dt.date) -> None:
    dates = deadlines(discovered, malicious)
    assert (dates.preliminary_report.first, dates.preliminary_report.last) == (first, last)
    assert dates.final_report == final
    assert dates.final_day == (60 if malicious else 30)


def test_over_two_years_the_range_is_never_moved_and_the_deadline_is_the_first_business_day_from_its_day() -> None:
    day = D(2026, 1, 1)
    while day < D(2028, 1, 1):
        for malicious, period in ((False, 30), (True, 60)):
            dates = deadlines(day, malicious)
            assert dates.preliminary_report.first == day + dt.timedelta(days=2)
            assert dates.preliminary_report.last == day + dt.timedelta(days=4)
            last_day = day + dt.timedelta(days=period - 1)
            assert dates.final_report >= last_day and is_business_day(dates.final_report)
            assert not any(is_business_day(last_day + dt.timedelta(days=n))
                           for n in range((dates.final_report - last_day).days))
        day += dt.timedelta(days=1)


# -- the reports ---------------------------------------------------------------------------------------------

def _scan(folder: Path, public: bool) -> ScanResult:
    return scan_paths([str(folder)], ScanOptions(key=b"deadline-key", jobs=1,
                                                 public_paths=(str(folder),) if public else ()))


@pytest.fixture(scope="module")
def public_scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """One person's number in a folder declared public (``--public``): reportable, 規則第2条第3号."""
    folder = tmp_path_factory.mktemp("www")
    (folder / "応募者.csv").write_text(f"氏名,個人番号\n山田太郎,{valid_number(16)}\n", encoding="utf-8")
    return _scan(folder, public=True)


@pytest.fixture(scope="module")
def internal_scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """One person's number in an internal HR file: not reportable on what was scanned."""
    folder = tmp_path_factory.mktemp("internal")
    (folder / "扶養控除.csv").write_text(f"氏名,個人番号\n山田太郎,{valid_number(15)}\n", encoding="utf-8")
    return _scan(folder, public=False)


@pytest.fixture(scope="module")
def share_scan() -> ScanResult:
    """The sample share: two people in a web root public only by a location rule (``**/htdocs/**``), held-back
    candidates and a file not scanned: may be reportable."""
    return scan_paths([str(SHARE)], ScanOptions(key=b"deadline-key", jobs=1))


def test_the_three_scans_have_the_three_outcomes(public_scan: ScanResult, share_scan: ScanResult,
                                                 internal_scan: ScanResult) -> None:
    outcomes = [scan.assessment.status for scan in (public_scan, share_scan, internal_scan) if scan.assessment]
    assert outcomes == [Status.REPORTABLE, Status.POSSIBLY_REPORTABLE, Status.NOT_REPORTABLE_ON_SCAN]


def malicious(result: ScanResult) -> ScanResult:
    """``result`` with 第2条第2号 declared, as ``report --malicious`` declares it."""
    return dataclasses.replace(result).finish(load_rules().triggers, declared=["malicious"])


def incident(result: ScanResult, discovered: dt.date, is_malicious: bool = False) -> Incident:
    return build_incident(result, load_rules().items, discovered, is_malicious)


def test_the_json_gives_the_preliminary_report_as_a_range_and_keeps_the_final_report(public_scan: ScanResult) -> None:
    doc = json.loads(render_incident(incident(public_scan, D(2026, 12, 25)), "json", "en"))
    assert doc["deadlines"]["discovered"] == "2026-12-25"
    assert doc["deadlines"]["preliminary_report"] == {"from": "2026-12-27", "to": "2026-12-29"}
    assert doc["deadlines"]["final_report"] == "2027-01-25"
    assert "not a deadline" in doc["deadlines"]["preliminary_basis"]
    assert "day 30" in doc["deadlines"]["final_basis"]
    sixty = json.loads(render_incident(incident(malicious(public_scan), D(2026, 7, 23), True), "json", "en"))
    assert sixty["deadlines"]["final_report"] == "2026-09-24" and "day 60" in sixty["deadlines"]["final_basis"]


def _rows(html: str) -> list[str]:
    table = re.search(r'<table id="deadlines">(.*?)</table>', html)
    assert table is not None
    return re.findall(r"<tr>.*?</tr>", table.group(1))


def _heading_before(html: str, anchor: str) -> str:
    return re.findall(r"<h2>([^<]*)</h2>", html[:html.index(anchor)])[-1]


def test_the_html_shows_the_range_and_calls_only_the_final_report_a_deadline(public_scan: ScanResult) -> None:
    html = render_incident(incident(public_scan, D(2026, 12, 25)), "html", "ja")
    assert "期限" not in _heading_before(html, '<table id="deadlines">')
    discovered, preliminary, final = _rows(html)
    assert "2026-12-25 (金)" in discovered
    assert "速報" in preliminary and "期限" not in preliminary
    assert "2026-12-27 (日) 〜 2026-12-29 (火)" in preliminary and "3日目〜5日目" in preliminary
    assert "確報の期限" in final and "30日目" in final and "2027-01-25 (月)" in final
    assert "2027-01-04" not in html and 'id="deadlines-if-confirmed"' not in html

    english = render_incident(incident(malicious(public_scan), D(2026, 7, 23), True), "html", "en")
    assert "deadline" not in _heading_before(english, '<table id="deadlines">').lower()
    _, preliminary, final = _rows(english)
    assert "deadline" not in preliminary.lower() and "2026-07-25 (Sat) – 2026-07-27 (Mon)" in preliminary
    assert "Final report deadline (day 60" in final and "2026-09-24 (Thu)" in final


@pytest.mark.parametrize("lang, preliminary, final", [
    ("ja", "| 速報(速やかに。ガイドラインの目安は「概ね３日～５日以内」) | 2027-04-30 〜 2027-05-02 (3日目〜5日目) |",
     "| 確報の期限 (30日目) | 2027-05-27 |"),
    ("en", "| Preliminary report (promptly; the guideline's yardstick: about 3 to 5 days) | 2027-04-30 – 2027-05-02 "
           "(day 3 to day 5) |", "| Final report deadline (day 30) | 2027-05-27 |"),
])
def test_the_markdown_shows_the_range_and_the_deadline(public_scan: ScanResult, lang: str, preliminary: str,
                                                       final: str) -> None:
    markdown = render_incident(incident(public_scan, D(2027, 4, 28)), "md", lang)
    assert preliminary in markdown.splitlines() and final in markdown.splitlines()
    heading = markdown[:markdown.index(preliminary)].rstrip().rsplit("\n## ", 1)[-1]
    assert "期限" not in heading and "deadline" not in heading.lower()


@pytest.mark.parametrize("lang, conditional", [
    ("ja", "該当すると確認された場合に適用される日付です"), ("en", "the dates that apply if it is confirmed")])
def test_an_incident_that_may_be_reportable_gives_the_dates_that_apply_if_it_is_confirmed(
        share_scan: ScanResult, lang: str, conditional: str) -> None:
    report = incident(share_scan, D(2027, 1, 13))
    html = render_incident(report, "html", lang)
    lead = re.search(r'<p id="deadlines-if-confirmed">([^<]*)</p><table id="deadlines">', html)
    assert lead is not None and conditional in lead.group(1)
    assert "2027-01-15" in _rows(html)[1] and "2027-02-12" in _rows(html)[2]
    markdown = render_incident(report, "md", lang)
    assert conditional in markdown and markdown.index(conditional) < markdown.index("| 2027-02-12 |")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_dates_are_shown_when_nothing_is_reportable(internal_scan: ScanResult, lang: str) -> None:
    report = incident(internal_scan, D(2026, 12, 25))
    assert not report.shows_reporting_dates
    html = render_incident(report, "html", lang)
    assert '<table id="deadlines">' not in html and 'id="no-deadlines"' in html
    markdown = render_incident(report, "md", lang)
    assert "2027-01-25" not in html and "2027-01-25" not in markdown
    assert "確報の期限" not in markdown and "Final report deadline" not in markdown
    # The json keeps its shape for programs that read it; verdict.status says whether the dates apply.
    doc = json.loads(render_incident(report, "json", lang))
    assert doc["deadlines"]["preliminary_report"] == {"from": "2026-12-27", "to": "2026-12-29"}


def test_the_scans_summary_says_30_days_or_60_with_item_2(public_scan: ScanResult, internal_scan: ScanResult) -> None:
    text = render(public_scan, "text")
    assert "(速報; the guideline's yardstick: about 3 to 5 days from discovery)" in text
    assert "in full within 30 days (確報; PPC rule Art. 3(2)), or within 60 days if" in text
    assert "declare it with report --malicious" in text
    declared = render(malicious(public_scan), "text")
    assert "in full within 60 days (確報; PPC rule Art. 3(2), an incident of Art. 2, item 2)" in declared
    assert "30 days" not in declared
    assert "Report to the PPC" not in render(internal_scan, "text")
