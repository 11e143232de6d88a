"""The draft of the PPC report (issue 15, item 4): every item of 規則第3条第1項, 1 to 9, in order, with its legal
label; filled where the scan knows (本人の数 with its upper bound, 項目, the kind of people inferred from file
names) and marked 【要記入】 where only the organisation knows; in ja and en, in json, html and md."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from detector.assess import PeopleBound
from detector.incident import Incident, build_incident
from detector.mynumber import format as spaced
from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.report.incident import render_incident
from detector.report.incident_words import DRAFT_LABELS, RULE_FULL_NAME_JA, TODO, DraftItem, draft
from detector.result import ScanResult
from detector.rules import load_rules
from tests.conftest import valid_number

ROOT = Path(__file__).resolve().parent.parent
SHARE = ROOT / "fixtures" / "share"
DISCOVERED = dt.date(2026, 11, 20)
# 規則第3条第1項第1号〜第9号, as the form names them.
LABELS_JA = ["概要", "特定個人情報の項目", "特定個人情報に係る本人の数", "原因",
             "二次被害又はそのおそれの有無及びその内容",
             "本人への対応の実施状況", "公表の実施状況", "再発防止のための措置", "その他参考となる事項"]


@pytest.fixture(scope="module")
def revealed() -> RevealedNumbers:
    return RevealedNumbers()


@pytest.fixture(scope="module")
def share_scan(revealed: RevealedNumbers) -> ScanResult:
    return scan_paths([str(SHARE)], ScanOptions(key=b"draft-key", jobs=1, reveal=True), revealed=revealed)


def incident_of(result: ScanResult) -> Incident:
    return build_incident(result, load_rules().items, discovered=DISCOVERED)


def by_item(incident: Incident, lang: str) -> dict[int, DraftItem]:
    return {entry.item: entry for entry in draft(incident, lang)}


def test_the_labels_are_the_rules_items_in_order() -> None:
    assert [ja for ja, _ in DRAFT_LABELS] == LABELS_JA


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_json_draft_has_items_1_to_9_in_order_with_their_labels(share_scan: ScanResult, lang: str) -> None:
    doc = json.loads(render_incident(incident_of(share_scan), "json", lang))
    entries = doc["ppc_draft"]
    assert [entry["item"] for entry in entries] == list(range(1, 10))
    assert all(set(entry) == {"item", "label", "text", "to_fill", "source"} for entry in entries)
    for entry, ja in zip(entries, LABELS_JA, strict=True):
        assert entry["label"] == ja if lang == "ja" else entry["label"].endswith(f"({ja})")


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_and_markdown_show_the_items_in_order_and_cite_the_rule_once(share_scan: ScanResult, fmt: str,
                                                                         lang: str) -> None:
    text = render_incident(incident_of(share_scan), fmt, lang)
    section = text[text.index(RULE_FULL_NAME_JA):]
    positions = [section.index(f"{n}. {'**' if fmt == 'md' else ''}{entry.label}")
                 for n, entry in enumerate(draft(incident_of(share_scan), lang), start=1)]
    assert positions == sorted(positions)
    assert text.count(RULE_FULL_NAME_JA) == 1
    assert "平成27年特定個人情報保護委員会規則第5号" in text


def test_the_summary_gives_the_discovery_date_and_who_must_be_named(share_scan: ScanResult) -> None:
    ja, en = by_item(incident_of(share_scan), "ja")[1], by_item(incident_of(share_scan), "en")[1]
    assert "発覚日: 2026-11-20" in ja.text and "Discovered on 2026-11-20" in en.text
    # 別添２ 3D ⑴: 発生日, 発覚日, 発生事案, 発見者, 規則第2条各号該当性, 委託元及び委託先の有無, 事実経過.
    assert f"発見者: {TODO['ja']}" in ja.text and f"委託元・委託先の有無: {TODO['ja']}" in ja.text
    assert f"発生日、発生事案、事実経過: {TODO['ja']}" in ja.text
    assert f"Found by: {TODO['en']}" in en.text and ja.to_fill


def test_the_summary_names_the_rule_2_items_possibly_when_they_rest_on_a_presumption(
        share_scan: ScanResult) -> None:
    """The share's 3号 rests on a path rule (htdocs): the draft says it may apply, as the verdict does."""
    incident = incident_of(share_scan)
    summary = by_item(incident, "ja")[1].text
    if incident.possible:
        assert "該当する可能性がある(確認中)" in summary and "第3号" in summary
    else:
        assert "該当する規則第2条の事由: 第3号" in summary


def test_the_number_of_people_gives_the_open_bound_as_or_more(share_scan: ScanResult) -> None:
    """The share holds an archive that could not be read: the most people is unknown (別添２ 3A)."""
    incident = incident_of(share_scan)
    assert incident.bound.open
    people = by_item(incident, "ja")[3]
    assert people.text.startswith("15人以上") and not people.to_fill
    assert by_item(incident, "en")[3].text.startswith("15 or more")


def test_the_number_of_people_gives_a_closed_upper_bound_as_up_to(share_scan: ScanResult) -> None:
    incident = dataclasses.replace(incident_of(share_scan), bound=PeopleBound(found=100, held_back_people=3))
    assert by_item(incident, "ja")[3].text.startswith("100人(確度の低い候補を含めると最大103人)")
    assert by_item(incident, "en")[3].text.startswith("100, up to 103")
    exact = dataclasses.replace(incident, bound=PeopleBound(found=100))
    assert by_item(exact, "en")[3].text.startswith("100") and "up to" not in by_item(exact, "en")[3].text


def test_the_items_and_the_kind_of_people_are_inferred_from_the_files(share_scan: ScanResult) -> None:
    items = by_item(incident_of(share_scan), "ja")[2]
    assert items.text.startswith("個人番号、氏名")
    assert "従業員(推定: hr/給与支払_2026-10.tsv" in items.text
    assert "扶養親族(推定: hr/扶養控除等申告書_2026.csv" in items.text and not items.to_fill
    assert "dependants (inferred from hr/" in by_item(incident_of(share_scan), "en")[2].text


def test_a_roster_is_inferred_as_employees_and_an_unnamed_file_is_left_to_fill(tmp_path: Path) -> None:
    roster = tmp_path / "社員名簿.csv"
    roster.write_text("社員番号,氏名,個人番号\n" + "".join(
        f"{i},山田{i},{valid_number(i)}\n" for i in range(1, 4)), encoding="utf-8")
    other = tmp_path / "data.csv"
    other.write_text("id,個人番号\n" + "".join(f"{i},{valid_number(100 + i)}\n" for i in range(3)),
                     encoding="utf-8")
    roster_items = by_item(incident_of(scan_paths([str(roster)], ScanOptions(key=b"k", jobs=1))), "ja")[2]
    assert "媒体や種類: 従業員(推定: 社員名簿.csv から。要確認)" in roster_items.text
    other_items = by_item(incident_of(scan_paths([str(other)], ScanOptions(key=b"k", jobs=1))), "en")[2]
    assert f"Kind of people: {TODO['en']}" in other_items.text and other_items.to_fill


def test_the_column_header_beside_the_numbers_tells_the_kind_when_the_file_name_does_not(tmp_path: Path) -> None:
    """別添２ 3D ⑵: the 項目 with 媒体や種類 (顧客情報、従業員情報の別等). A file named data.csv says nothing, but its
    number column 「扶養親族の個人番号」 does; a payroll file's name and a dependants column each tell their kind."""
    data = tmp_path / "data.csv"
    data.write_text("id,氏名,扶養親族の個人番号\n" + "".join(
        f"{i},山田{i},{valid_number(200 + i)}\n" for i in range(3)), encoding="utf-8")
    items = by_item(incident_of(scan_paths([str(data)], ScanOptions(key=b"k", jobs=1))), "ja")[2]
    assert "媒体や種類: 扶養親族(推定: data.csv の「扶養親族の個人番号」 から。要確認)" in items.text
    english = by_item(incident_of(scan_paths([str(data)], ScanOptions(key=b"k", jobs=1))), "en")[2]
    assert 'dependants (inferred from "扶養親族の個人番号" in data.csv: to confirm)' in english.text
    payroll = tmp_path / "給与" / "2026.csv"
    payroll.parent.mkdir()
    payroll.write_text("社員番号,個人番号,扶養親族の個人番号\n" + "".join(
        f"{i},{valid_number(300 + i)},{valid_number(400 + i)}\n" for i in range(3)), encoding="utf-8")
    both = by_item(incident_of(scan_paths([str(tmp_path)], ScanOptions(key=b"k", jobs=1))), "ja")[2]
    assert "従業員(推定: 給与/2026.csv から。要確認)" in both.text
    assert "扶養親族(推定: 給与/2026.csv の「扶養親族の個人番号」、data.csv の「扶養親族の個人番号」 から。要確認)" \
        in both.text  # files in the report's order (most people first)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_what_only_the_organisation_knows_is_marked_to_fill(share_scan: ScanResult, lang: str) -> None:
    entries = by_item(incident_of(share_scan), lang)
    assert [n for n, entry in entries.items() if entry.to_fill] == [1, 4, 5, 6, 7, 8, 9]
    assert all(TODO[lang] in entries[n].text for n in (4, 5, 6, 7, 8, 9))
    prevention = entries[8].text
    assert prevention.count(TODO[lang]) == 2  # 実施済み and 予定, each to fill
    assert ("実施済みの措置" in prevention and "今後実施予定の措置" in prevention) if lang == "ja" else \
        ("Taken:" in prevention and "Planned:" in prevention)
    # 別添２ 3D ⑷: the cause with the 主体 where it happened (報告者又は委託先).
    assert ("発生した主体(報告者又は委託先)" if lang == "ja" else
            "where it happened: the reporting organisation or a contractor") in entries[4].text


def test_the_response_cites_the_notice_to_the_people(share_scan: ScanResult) -> None:
    """番号法第29条の4第2項: the people concerned are notified; the basis cites it with 第1項."""
    incident = incident_of(share_scan)
    assert "番号法第29条の4第2項" in by_item(incident, "ja")[6].text
    if incident.serious:
        assert incident.articles[:2] == ["番号法第29条の4第1項", "番号法第29条の4第2項"]


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_raw_number_in_the_draft(share_scan: ScanResult, revealed: RevealedNumbers, fmt: str,
                                    lang: str) -> None:
    text = render_incident(incident_of(share_scan), fmt, lang)
    numbers = {revealed.number(finding) for finding in share_scan.findings}
    assert numbers and None not in numbers
    assert not any(number in text or spaced(number) in text for number in numbers if number is not None)
