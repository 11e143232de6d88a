"""What the verdict assumes and leaves open, in every report (issue 15, items 2 and 6).

Both triggers the tool measures rest on facts it cannot see. 規則第2条第4号 is about numbers that leaked or may have
leaked (漏えい等が発生し、又は発生したおそれ): numbers kept where they belong are no leak. 規則第2条第3号 by a location
rule (``**/htdocs/**``) is a presumption the responder confirms. The tool does not judge 第1号 (information
systems), 第2号 without ``--malicious``, the 委託先 exemption (番号法第29条の4第1項ただし書, 規則第4条), strong
encryption (規則第2条 括弧書), nor the APPI's own rule (個人情報保護法施行規則第7条). Below the threshold a report is
still expected as an effort duty (別添２ 3B).

The json's ``verdict`` names these by id (``assumes``, ``not_assessed``, ``below_threshold``); the HTML and
Markdown say each id's sentence (checked by its wording key in :data:`WORDS`, not by full text). The Japanese
report gives unscanned reasons in Japanese, with the English detail kept in parentheses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest

from detector.report.incident_words import WORDS, unscanned_reason_text

from .test_verdict_cases import HTDOCS_RULE, image, people_csv, run

ALWAYS_NOT_ASSESSED = ("item1", "entrustee", "strong_encryption", "appi_rule_7")


@dataclass(frozen=True)
class Case:
    share: str  # the folder under the share the people are in
    people: int
    assumes: tuple[str, ...]
    not_assessed: tuple[str, ...]
    below: tuple[str, ...]
    report_args: tuple[str, ...] = ()
    with_image: bool = False


CASES: dict[str, Case] = {
    "reportable by item 4 (101 people)": Case(
        "hr", 101, ("leak",), ("item1", "item2", "entrustee", "strong_encryption", "appi_rule_7"), ()),
    "item 3 by a location rule (a web root)": Case(
        "www/htdocs", 1, ("leak", "public_by_rule"),
        ("item1", "item2", "entrustee", "strong_encryption", "appi_rule_7"), ()),
    "below the threshold (1 person, internal)": Case(
        "internal", 1, ("leak",), ("item1", "item2", "entrustee", "strong_encryption", "appi_rule_7"),
        ("effort_duty",)),
    "--malicious declared: item 2 is judged by the responder": Case(
        "internal", 1, ("leak",), ALWAYS_NOT_ASSESSED, (), report_args=("--malicious",)),
    "an image not read beside 1 person: the ja report says why in Japanese": Case(
        "internal", 1, ("leak",), ("item1", "item2", "entrustee", "strong_encryption", "appi_rule_7"), (),
        with_image=True),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def reports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One case scanned to json and reported in every format and language."""
    case = CASES[request.param]
    root = tmp_path_factory.mktemp("wording")
    people_csv(root / "share" / case.share / "list.csv", case.people)
    if case.with_image:
        image(root / "share" / "scans" / "申告書.png")
    scan = run(["scan", "share", "--jobs", "1", "--format", "json", "-o", "scan.json"], root)
    assert scan.returncode in (1, 3, 5), scan.stderr
    text = run(["scan", "share", "--jobs", "1"], root)
    out: dict[str, Any] = {"case": case, "text": text.stdout}
    for fmt in ("json", "md", "html"):
        for lang in ("ja", "en"):
            done = run(["report", "scan.json", "--discovered", "2026-11-20", "--format", fmt, "--lang", lang,
                        *case.report_args], root)
            assert done.returncode == 0, done.stderr
            out[fmt, lang] = done.stdout
    return out


def _sentence(lang: str, key: str) -> str:
    """The fixed part of a wording key's sentence (before any field to fill)."""
    return WORDS[lang][key].split("{")[0]


def test_the_json_verdict_names_the_conditions_by_id(reports: dict[str, Any]) -> None:
    case: Case = reports["case"]
    for lang in ("ja", "en"):
        verdict = json.loads(reports["json", lang])["verdict"]
        assert verdict["assumes"] == list(case.assumes)
        assert verdict["not_assessed"] == list(case.not_assessed)
        assert verdict["below_threshold"] == list(case.below)
        if "public_by_rule" in case.assumes:
            assert verdict["presumed_public_rules"] == [HTDOCS_RULE]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_report_says_each_condition(reports: dict[str, Any], fmt: str, lang: str) -> None:
    case: Case = reports["case"]
    report = reports[fmt, lang]

    def says(text: str) -> bool:
        return (escape(text) if fmt == "html" else text) in report

    assert says(WORDS[lang]["assumes"]) and says(WORDS[lang]["not_assessed"])
    for key in case.assumes:
        assert says(_sentence(lang, "assume." + key)), key
    for key in case.not_assessed:
        assert says(WORDS[lang]["not." + key]), key
    for key in (set(ALWAYS_NOT_ASSESSED) | {"item2"}) - set(case.not_assessed):
        assert not says(WORDS[lang]["not." + key]), key
    assert says(WORDS[lang]["below.effort_duty"]) == ("effort_duty" in case.below)
    if "public_by_rule" in case.assumes:
        assert says("htdocs")


def test_the_appi_rule_is_named_as_not_assessed_in_both_languages(reports: dict[str, Any]) -> None:
    assert "施行規則第7条" in reports["md", "ja"]
    assert "Enforcement Rules Art. 7" in reports["md", "en"]


def test_the_scan_summary_says_the_conditions_in_short(reports: dict[str, Any]) -> None:
    case: Case = reports["case"]
    text = reports["text"]
    assert "leaked or may have leaked" in text
    assert "Not judged: item 1" in text
    assert ("confirm it is reachable from outside" in text) == ("public_by_rule" in case.assumes)
    if case.below:
        assert "effort duty (別添２ 3B)" in text


def test_unscanned_reasons_are_in_japanese_in_the_ja_report(reports: dict[str, Any]) -> None:
    """Only the case with an image has a file left unscanned; the others have the "every file was scanned" line."""
    case: Case = reports["case"]
    label = "画像(読めない。目視で確認) (picture in a format Pillow cannot read"  # a damaged PNG: OCR cannot read it
    assert (label in reports["md", "ja"]) == case.with_image
    assert (label in reports["html", "ja"]) == case.with_image
    assert "画像" not in reports["md", "en"]
    unscanned = json.loads(reports["json", "ja"])["unscanned"]
    assert [u["reason"].split(" (")[0] for u in unscanned] == \
        (["picture in a format Pillow cannot read"] if case.with_image else [])


@pytest.mark.parametrize("reason, label", [
    ("image: no text layer (PNG image)", "画像(文字情報なし。目視で確認)"),
    ("encrypted (password-protected zip member)", "暗号化(パスワード保護)"),
    ("corrupt or truncated PDF (PdfReadError)", "破損又は途中で切れている"),
    ("too large: 9999 bytes, over --max-file-size 10", "大きすぎる(--max-file-size を超過)"),
    ("permission denied", "アクセス権がない"),
    ("permission denied (folder not readable)", "アクセス権がない"),
    ("symbolic link not followed (use --follow-symlinks)", "シンボリックリンク(追跡していない。--follow-symlinks)"),
    ("something new", "その他"),
])
def test_each_unscanned_category_has_a_japanese_label_and_keeps_the_detail(reason: str, label: str) -> None:
    assert unscanned_reason_text(reason, "ja") == f"{label} ({reason})"
    assert unscanned_reason_text(reason, "en") == reason


def test_item_2_is_worded_with_its_three_sub_items() -> None:
    """規則第2条第2号 イ (漏えい等), ロ (利用), ハ (提供), each with a wrongful purpose."""
    assert "規則第2条第2号イ〜ハ" in WORDS["ja"]["reason.malicious"]
    assert "利用・提供" in WORDS["ja"]["reason.malicious"]
    assert "(a) to (c)" in WORDS["en"]["reason.malicious"]


def test_the_effort_duty_is_not_said_of_an_empty_scan(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "a.txt").write_text("no numbers here\n")
    run(["scan", "share", "--format", "json", "-o", "scan.json"], tmp_path)
    done = run(["report", "scan.json", "--discovered", "2026-11-20", "--format", "json"], tmp_path)
    verdict = json.loads(done.stdout)["verdict"]
    assert verdict["assumes"] == [] and verdict["below_threshold"] == []
