"""The words of the incident report, in Japanese and English, and the draft of the PPC report's fields.

Shared by the HTML, Markdown and json renderers so that they say the same thing. Where the scan cannot know
something (the cause, secondary damage, publication), the draft says so with a marker a person must replace.

Every legal sentence of :data:`WORDS` names its source in :data:`CITATIONS` (documents by their full names and
the copies they were checked against: :mod:`detector.report.legal_sources`); the other keys, labels and the
tool's own advice, are listed in :data:`NOT_LEGAL`, and a test holds every key to one of the two. The comments
beside the words say why a sentence is worded as it is.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..assess import Status
from ..incident import RULE_NAME_JA, Incident, Reason
from ..model import UnreadableCandidate
from ..names import readable
from .access_words import occurred_hint, secondary_text
from .legal_sources import RULE_3_1_ITEMS, Citation
from .legal_sources import RULE_FULL_NAME_EN as RULE_FULL_NAME_EN  # the rule's names, kept importable from here
from .legal_sources import RULE_FULL_NAME_JA as RULE_FULL_NAME_JA

TODO = {"ja": "【要記入】", "en": "[TO BE WRITTEN]"}

WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "マイナンバー(個人番号)漏えい等 事案報告書",
        "subtitle": "mynumber によるスキャン結果から作成(番号はマスク済み)",
        "figures": "概況",
        "distinct_people": "本人の数",
        "public_distinct_people": "うち外部から閲覧可能な場所",
        "files_with_findings": "個人番号が見つかったファイル",
        "unscanned": "未確認のファイル",
        "verdict": "判定",
        "serious": "報告対象事態に該当します(個人情報保護委員会への報告及び本人への通知が必要)",
        # The three outcomes (detector.assess.Status): where the number of people cannot be fixed, the maximum that
        # may be affected decides 規則第2条第4号 (別添２ 3A), so "not reportable" is said of what was scanned only.
        "status.possibly_reportable": "報告対象事態に該当する可能性があります(下記の確認事項により判断してください)",
        # 別添２ 2: a leak that is not reportable still calls for the measures A to E of a 漏えい等事案.
        "status.not_reportable_on_scan": "スキャンした範囲では報告対象事態の要件に該当しません(漏えい等事案としての"
                                         "社内での報告、被害の拡大防止、事実関係の調査、再発防止策等の措置は"
                                         "必要です)",
        "possible": "該当する可能性がある事由",
        "to_check": "判断のために確認すること",
        "bound": "漏えい等が発生したおそれがある本人の数: 検出{found:,}人、最大{upper}",
        "bound.closed": "{:,}人",
        "bound.open": "不明(スキャンできなかったファイルに何人分含まれるか分からないため)",
        "check.held_back_candidates": "確度が低く保留した候補のうち、検出済みでない本人{count:,}人分"
                                      "(--min-confidence low で再スキャンして確認)",
        "check.unscanned_files": "スキャンできなかったファイル・書庫内ファイル{count:,}件(個人番号が含まれていないか"
                                 "手作業で確認)",
        "check.unreadable_candidates": "画像から読み取れなかった個人番号らしき番号{count:,}件(画像を目で見て確認)",
        "unreadable_candidates": "読み取れなかった番号(画像を目で確認)",
        # What strong encryption must be to exclude the data: Q&A Q17-14 (unreadable to third parties by the
        # technology of the time, and the means to read it, such as the keys, properly managed).
        "check.encrypted_members": "暗号化されたファイル・書庫内ファイル{count:,}件(パスワードで開いて再スキャンする"
                                   "か、高度な暗号化がされ鍵が適切に管理されているかを確認)",
        # 規則第2条第3号 needs the fact; a path rule only presumes it. Q&A Q17-10: 不特定多数の者 are persons other
        # than the business (its contractors' staff included), e.g. data put on the internet or easily reachable
        # from outside, so a copy on an internal disk is not it.
        "check.confirm_public_location": "配置場所のルール({rules})により外部公開場所と推定した本人{count:,}人分"
                                         "(外部から閲覧できる状態だったか確認。内部ディスク上のバックアップコピー等は"
                                         "該当しません)",
        "reason.over_100_people": "漏えい等が発生し、又は発生したおそれがある特定個人情報に係る本人の数が100人を超える",
        "reason.publicly_accessible": "電磁的方法により不特定多数の者に閲覧され、又は閲覧されるおそれがある"
                                      "(外部公開場所での検出)",
        # 規則第2条第2号 イ, ロ and ハ; intent is the responder's call (declared with report --malicious).
        "reason.malicious": "不正の目的をもって行われたおそれがある漏えい等、又は不正の目的をもって特定個人情報が"
                            "利用・提供され、若しくはそのおそれがある事態(規則第2条第2号イ〜ハ。担当者の判断)",
        # The heading does not say 期限: only the 確報 has one (規則第3条第2項); the 速報 is 「速やかに」 (同条第1項).
        "deadlines": "報告の時期",
        # 別添２ 3D: for a company, the day any of its departments learned of it; 3E: that day is day 1.
        "discovered": "発覚日(1日目)",
        # 別添２ 3D gives 「概ね３日～５日以内」 from learning of it as the 目安 of 「速やかに」, not a deadline.
        "preliminary_report": "速報(速やかに。ガイドラインの目安は「概ね３日～５日以内」)",
        # Counted like the 確報 (day of learning = day 1, 別添２ 3E); 3D itself says only 「知った時点から」.
        "preliminary_days": "3日目〜5日目",
        "date_range": "{} 〜 {}",
        "final_report": "確報の期限",
        "final_30": "30日目",
        "final_60": "60日目(規則第2条第2号の事態)",
        # 別添２ 3E (※2): a last day on 土日・祝日・12/29-1/3 moves on, citing 行政機関の休日に関する法律第2条: its
        # 「行政機関の休日の翌日をもつてその期限とみなす」 is the next day the administration is open (its 第1条
        # lists the closed days), which is how we read 3E's 「その翌日」.
        "deadline_note": "速報の日付はガイドライン(別添２)の目安「概ね３日～５日以内」で、期限ではなく、土日・祝日に"
                         "よる繰延べもしていません。確報の期限は30日目(規則第2条第2号の事態は60日目)で、末日が土日・"
                         "祝日・12月29日〜1月3日に当たるときは翌開庁日としています。",
        "deadlines_none": "報告対象事態に該当すると判定されていないため、速報・確報の日付は示していません。",
        "deadlines_if_confirmed": "報告対象事態に該当するかは未確定です。該当すると確認された場合に適用される日付です"
                                  "(発覚日を1日目として数えています)。",
        "assumed": "発覚日が指定されていないため本日を発覚日としています(--discovered で指定してください)。",
        # --- What this verdict assumes (conditions below); ids in the json's verdict.
        "assumes": "この判定の前提",
        # 規則第2条第4号イ counts numbers that leaked or may have leaked; 別添２ 1A: 漏えい is 外部に流出すること,
        # so numbers kept where they belong are no leak.
        "assume.leak": "検出した個人番号が漏えい等し、又は漏えい等したおそれがあることを前提としています。"
                       "本来保管すべき場所に適切に保管されている個人番号は漏えい等に当たりません。",
        # 規則第2条第3号 is a fact; the location rule only presumes it (Q&A Q17-10, as check.confirm_public_location).
        "assume.public_by_rule": "外部公開場所の判定は配置場所のルール({rules})による推定です。実際に外部から閲覧できる"
                                 "状態だったかを確認してください(内部ディスク上の backup/htdocs のコピー等は"
                                 "該当しません)。",
        "not_assessed": "このツールが判断していないこと",
        "not.item1": "規則第2条第1号(情報提供ネットワークシステム及びこれに接続された電子計算機に記録された特定個人"
                     "情報、個人番号利用事務を処理する情報システムで管理される特定個人情報、又は行政機関等やその"
                     "委託先が個人番号関係事務を処理する情報システムで管理される特定個人情報の漏えい等): 1人でも"
                     "該当します。",
        "not.item2": "規則第2条第2号(不正の目的によるおそれ): 該当する場合は mynumber report --malicious で指定して"
                     "ください。",
        "not.entrustee": "委託先の報告義務の免除(番号法第29条の4第1項ただし書、規則第4条): 委託元に通知した委託先は"
                         "報告を要しません。",
        "not.strong_encryption": "高度な暗号化その他の個人の権利利益を保護するために必要な措置(規則第2条第1号括弧書):"
                                 " 漏えい等の時点の技術水準で第三者が見読できない暗号化等がされ、復号鍵等が適切に管理"
                                 "されていた場合は報告対象から除かれます。",
        "not.appi_rule_7": "個人情報保護法の報告(同法施行規則第7条: 要配慮個人情報、財産的被害のおそれ、不正の目的、"
                           "1,000人超): 同じファイルに当てはまる場合がありますが、ここでは判定していません。",
        "below": "報告対象事態に当たらない場合",
        "below.effort_duty": "報告対象事態に該当しない漏えい等も、個人情報保護委員会へ報告するよう努めるものとされて"
                             "います(ガイドライン別添２ 3B、努力義務。高度な暗号化等の措置が講じられている場合を"
                             "除く)。",
        "charts": "グラフ",
        "chart.folders": "フォルダ別の本人の数",
        "chart.types": "ファイル種類別の検出件数",
        "chart.exposure": "公開・内部別の本人の数",
        "public": "外部公開",
        "internal": "内部のみ",
        "files": "個人番号が見つかったファイル",
        "host": "ホスト",
        "col.path": "パス",
        "col.people": "本人の数",
        "col.confidence": "確度",
        "col.public": "公開",
        "col.examples": "検出箇所の例",
        "col.items": "同じ記録にある項目",
        "col.reason": "理由",
        "yes": "はい",
        "no": "いいえ",
        "todo": "手作業で確認が必要なファイル(未スキャン)",
        "todo_none": "すべてのファイルをスキャンしました。",
        "draft": "個人情報保護委員会への報告 記載案",
        # The rule cited once by its full name.
        "draft_note": f"{RULE_FULL_NAME_JA}(平成27年特定個人情報保護委員会規則第5号。以下「規則」)第3条第1項第1号〜"
                      f"第9号の事項の記載案です。{TODO['ja']} の箇所は担当者が記入してください。",
        "articles": "根拠",
        "scan": "スキャン対象",
        "none": "なし",
        "confidence.high": "高",
        "confidence.medium": "中",
        "confidence.low": "低",
        "people_count": "{:,}人",
    },
    "en": {
        "title": "My Number leak: incident report",
        "subtitle": "Made by mynumber from a saved scan (numbers are masked)",
        "figures": "Figures",
        "distinct_people": "People concerned",
        "public_distinct_people": "of whom in publicly accessible places",
        "files_with_findings": "Files with My Numbers",
        "unscanned": "Files not scanned",
        "verdict": "Verdict",
        "serious": "A reportable incident: report to the PPC and notify the people concerned",
        "status.possibly_reportable": "Possibly a reportable incident: decide by the checks below",
        "status.not_reportable_on_scan": "Not a reportable incident under the PPC rule on what was scanned (a leak "
                                         "still calls for internal reporting, containment, investigation and "
                                         "measures against recurrence)",
        "possible": "Triggers that may hold",
        "to_check": "To check before deciding",
        "bound": "People whose numbers leaked or may have leaked: {found:,} found, at most {upper}",
        "bound.closed": "{:,}",
        "bound.open": "unknown (files not scanned may hold any number of people)",
        "check.held_back_candidates": "{count:,} people among the low-confidence candidates held back, not among those "
                                      "found (scan again with --min-confidence low)",
        "check.unscanned_files": "{count:,} files or archive members not scanned (look for My Numbers by hand)",
        "check.unreadable_candidates": "{count:,} possible My Numbers in pictures that could not be read for sure "
                                       "(look at the pictures)",
        "unreadable_candidates": "Possible numbers, unreadable (look at the picture)",
        "check.encrypted_members": "{count:,} encrypted files or archive members (open them with the password and scan "
                                   "again, or confirm strong encryption with managed keys)",
        "check.confirm_public_location": "{count:,} people in places presumed public by a location rule ({rules}): "
                                         "confirm they were reachable from outside (a backup copy on an internal "
                                         "disk is not)",
        "reason.over_100_people": "My Numbers of more than 100 people leaked or may have leaked",
        "reason.publicly_accessible": "My Numbers were, or may be, viewed by many unspecified persons by electronic "
                                      "means (found in a public place)",
        "reason.malicious": "A leak that may have been caused with a wrongful purpose, or My Numbers that were or may "
                            "have been used or provided with a wrongful purpose (PPC rule Art. 2, item 2 (a) to (c); "
                            "the responder's assessment)",
        "deadlines": "When to report",
        "discovered": "Discovered (day 1)",
        "preliminary_report": "Preliminary report (promptly; the guideline's yardstick: about 3 to 5 days)",
        "preliminary_days": "day 3 to day 5",
        "date_range": "{} – {}",
        "final_report": "Final report deadline",
        "final_30": "day 30",
        "final_60": "day 60: PPC rule Art. 2, item 2",
        "deadline_note": "The preliminary report's dates are the PPC guideline's yardstick (Annex 2, 別添２: about 3 "
                         "to 5 days), not a deadline, and are not moved past weekends or holidays. The final report is "
                         "due on "
                         "day 30 (day 60 for an incident of the PPC rule's Article 2, item 2); a last day on a "
                         "weekend, a Japanese public holiday or 29 Dec-3 Jan moves to the next business day.",
        "deadlines_none": "No reporting dates are given: the scan was not assessed as a reportable incident.",
        "deadlines_if_confirmed": "Whether this is a reportable incident is still open: these are the dates that apply "
                                  "if it is confirmed (counted from the day of discovery as day 1).",
        "assumed": "No discovery date was given, so today is used (give it with --discovered).",
        "assumes": "What this verdict assumes",
        "assume.leak": "It assumes that the My Numbers found leaked or may have leaked. Numbers stored where they "
                       "belong are not a leak.",
        "assume.public_by_rule": "Public places are presumed by a location rule ({rules}): confirm they were "
                                 "reachable from outside (a backup/htdocs copy on an internal disk is not).",
        "not_assessed": "What this tool does not judge",
        "not.item1": "PPC rule Art. 2, item 1 (leaks from the information provision network and the computers "
                     "connected to it, from the information systems of My Number use work, or from the systems public "
                     "bodies or their contractors use for My Number related work): one person suffices.",
        "not.item2": "PPC rule Art. 2, item 2 (a wrongful purpose): declare it with mynumber report --malicious.",
        "not.entrustee": "The entrusted party's exemption (My Number Act Art. 29-4(1) proviso, PPC rule Art. 4): an "
                         "entrusted party that notified the entrusting business need not report.",
        "not.strong_encryption": "Strong encryption or similar measures (PPC rule Art. 2, item 1, parenthesis): data "
                                 "third parties cannot read by the technology of the time, with the keys properly "
                                 "managed, is excluded.",
        "not.appi_rule_7": "The APPI's own reporting rule (Enforcement Rules Art. 7: sensitive data, risk of "
                           "financial damage, wrongful purpose, more than 1,000 people) may apply to the same files; "
                           "it is not assessed here.",
        "below": "Below the threshold",
        "below.effort_duty": "A leak that is not a reportable incident should still be reported to the PPC as an "
                             "effort duty (guideline Annex 2, 別添２ 3B), unless strong encryption or similar "
                             "measures protect it.",
        "charts": "Charts",
        "chart.folders": "People by top-level folder",
        "chart.types": "Findings by file type",
        "chart.exposure": "People: public against internal",
        "public": "public",
        "internal": "internal only",
        "files": "Files with My Numbers",
        "host": "Host",
        "col.path": "Path",
        "col.people": "People",
        "col.confidence": "Confidence",
        "col.public": "Public",
        "col.examples": "Where (examples)",
        "col.items": "Other items in the same records",
        "col.reason": "Reason",
        "yes": "yes",
        "no": "no",
        "todo": "Files to check by hand (not scanned)",
        "todo_none": "Every file was scanned.",
        "draft": "Draft of the report to the PPC",
        "draft_note": f"A draft of the items 1 to 9 of Article 3(1) of the {RULE_FULL_NAME_EN} ({RULE_FULL_NAME_JA}, "
                      f"平成27年特定個人情報保護委員会規則第5号; \"the PPC rule\"). A person must write where "
                      f"{TODO['en']} stands.",
        "articles": "Basis",
        "scan": "Scanned",
        "none": "none",
        "confidence.high": "high",
        "confidence.medium": "medium",
        "confidence.low": "low",
        "people_count": "{:,} people",
    },
}


def _c(document: str, *where: str, checked: bool = True) -> tuple[Citation, ...]:
    return tuple(Citation(document, place, checked) for place in where)


# The source of each legal sentence of WORDS (the same for ja and en): documents by the short names of
# detector.report.legal_sources.DOCUMENTS, each checked against the copy named there unless marked otherwise.
CITATIONS: dict[str, tuple[Citation, ...]] = {
    "serious": _c("番号法", "第29条の4第1項", "第29条の4第2項") + _c("別添２", "3A", "4A"),
    "status.possibly_reportable": _c("別添２", "3A ⑷ (本人の数が確定できない事態: 最大の人数で判断)", "3A (※1)"),
    "status.not_reportable_on_scan": _c("規則", "第2条") + _c("別添２", "3A ⑷", "2 A〜D"),
    "bound": _c("規則", "第2条第4号イ") + _c("別添２", "3A ⑷"),
    "check.encrypted_members": _c("規則", "第2条第1号括弧書") + _c("別添２", "3A (なお書)") + _c("Q&A", "Q17-14"),
    "check.confirm_public_location": _c("規則", "第2条第3号") + _c("Q&A", "Q17-10"),
    "reason.over_100_people": _c("規則", "第2条第4号イ"),
    "reason.publicly_accessible": _c("規則", "第2条第3号") + _c("別添２", "3A ⑶"),
    "reason.malicious": _c("規則", "第2条第2号イ", "第2条第2号ロ", "第2条第2号ハ"),
    "deadlines": _c("規則", "第3条第1項", "第3条第2項"),
    "discovered": _c("別添２", "3D", "3E"),
    "preliminary_report": _c("規則", "第3条第1項") + _c("別添２", "3D"),
    "preliminary_days": _c("別添２", "3D", "3E"),
    "final_report": _c("規則", "第3条第2項") + _c("別添２", "3E"),
    "final_30": _c("規則", "第3条第2項"),
    "final_60": _c("規則", "第3条第2項", "第2条第2号") + _c("別添２", "3E"),
    "deadline_note": (_c("規則", "第3条第2項", "第2条第2号") + _c("別添２", "3D", "3E (※2)")
                      + _c("行政機関休日法", "第1条", "第2条")),
    "deadlines_none": _c("番号法", "第29条の4第1項") + _c("規則", "第3条"),
    "deadlines_if_confirmed": _c("規則", "第3条") + _c("別添２", "3E"),
    "assume.leak": _c("規則", "第2条第4号イ") + _c("別添２", "1A"),
    "assume.public_by_rule": _c("規則", "第2条第3号") + _c("Q&A", "Q17-10"),
    "not.item1": _c("規則", "第2条第1号イ", "第2条第1号ロ", "第2条第1号ハ"),
    "not.item2": _c("規則", "第2条第2号"),
    "not.entrustee": _c("番号法", "第29条の4第1項ただし書") + _c("規則", "第4条") + _c("別添２", "3C", "3F"),
    "not.strong_encryption": _c("規則", "第2条第1号括弧書") + _c("Q&A", "Q17-14"),
    "not.appi_rule_7": _c("個人情報保護法施行規則", "第7条第1号〜第4号"),
    "below.effort_duty": _c("別添２", "3B"),
    "draft_note": _c("規則", "第3条第1項"),
}

# The keys of WORDS that say nothing of the law: labels, headings, figures and the tool's own advice.
NOT_LEGAL = frozenset({
    "title", "subtitle", "figures", "distinct_people", "public_distinct_people", "files_with_findings", "unscanned",
    "verdict", "possible", "to_check", "bound.closed", "bound.open", "check.held_back_candidates",
    "check.unscanned_files", "check.unreadable_candidates", "unreadable_candidates",
    "date_range", "assumed", "assumes", "not_assessed", "below", "charts", "chart.folders",
    "chart.types", "chart.exposure", "public", "internal", "files", "host", "col.path", "col.people", "col.confidence",
    "col.public", "col.examples", "col.items", "col.reason", "yes", "no", "todo", "todo_none", "draft", "articles",
    "scan", "none", "confidence.high", "confidence.medium", "confidence.low", "people_count",
})


def words(lang: str) -> dict[str, str]:
    return WORDS[lang]


def verdict_text(incident: Incident, lang: str) -> str:
    """The verdict's sentence for the incident's status (detector.assess.Status)."""
    w = WORDS[lang]
    if incident.status is Status.REPORTABLE:
        return w["serious"]
    return w[f"status.{incident.status.value}"]


def reason_text(reason: Reason, lang: str) -> str:
    w = WORDS[lang]
    value = f" ({w['people_count'].format(reason.value)})" if reason.value is not None else ""
    return w.get("reason." + reason.reason_id, reason.description or reason.reason_id) + value


def certain_reasons(incident: Incident) -> list[Reason]:
    """The reasons that hold for certain (the rest of ``reasons`` rest on a presumption and are ``possible``)."""
    return [reason for reason in incident.reasons if reason not in incident.possible]


def bound_text(incident: Incident, lang: str) -> str:
    w = WORDS[lang]
    bound = incident.bound
    upper = w["bound.open"] if bound.upper is None else w["bound.closed"].format(bound.upper)
    return w["bound"].format(found=bound.found, upper=upper)


def check_texts(incident: Incident, lang: str) -> list[str]:
    w = WORDS[lang]
    return [w["check." + check.check_id].format(count=check.how_many, rules=", ".join(map(readable, check.rules)))
            for check in incident.checks]


class Conditions(NamedTuple):
    """What the verdict rests on and leaves open, as wording ids: ``assumes`` (``assume.*``), ``not_assessed``
    (``not.*``), ``below`` (``below.*``, only when nothing is reportable on the scan but people were found)."""

    assumes: tuple[str, ...]
    not_assessed: tuple[str, ...]
    below: tuple[str, ...]
    public_rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"assumes": list(self.assumes), "not_assessed": list(self.not_assessed),
                "below_threshold": list(self.below), "presumed_public_rules": list(self.public_rules)}


def conditions(incident: Incident) -> Conditions:
    """The facts the tool cannot see that the verdict depends on (規則第2条 各号; 別添２ 3B)."""
    found = incident.figures.get("distinct_people", 0) > 0
    rules = tuple(sorted({rule for check in incident.checks if check.check_id == "confirm_public_location"
                          for rule in check.rules}))
    presumed = any(check.check_id == "confirm_public_location" for check in incident.checks)
    assumes = (("leak",) if found else ()) + (("public_by_rule",) if presumed else ())
    declared_malicious = any(reason.rule_item == 2 for reason in incident.reasons) or incident.deadlines.malicious
    not_assessed = ("item1",) + (() if declared_malicious else ("item2",)) + (
        "entrustee", "strong_encryption", "appi_rule_7")
    below = ("effort_duty",) if found and incident.status is Status.NOT_REPORTABLE_ON_SCAN else ()
    return Conditions(assumes, not_assessed, below, rules)


def condition_texts(incident: Incident, lang: str) -> dict[str, list[str]]:
    """The sentences of :func:`conditions` by section (``assumes``, ``not_assessed``, ``below``)."""
    w = WORDS[lang]
    found = conditions(incident)
    rules = ", ".join(map(readable, found.public_rules)) or "-"
    return {"assumes": [w["assume." + key].format(rules=rules) for key in found.assumes],
            "not_assessed": [w["not." + key] for key in found.not_assessed],
            "below": [w["below." + key] for key in found.below]}


# Japanese labels of the unscanned reasons' categories (the part before any detail, as detector.result counts
# them), most specific first; the English reason stays as the detail.
UNSCANNED_JA: tuple[tuple[str, str], ...] = (
    ("image: no text layer", "画像(文字情報なし。目視で確認)"),
    ("image", "画像"),
    ("OCR turned off", "画像(OCRをしていない。--no-ocr。目視で確認)"),
    ("OCR engine not installed", "画像(OCRエンジンが未導入。目視で確認)"),
    ("picture", "画像(読めない。目視で確認)"),
    ("damaged", "破損又は途中で切れている"),
    ("no text layer", "文字情報なし(目視で確認)"),
    ("encrypted", "暗号化(パスワード保護)"),
    ("corrupt", "破損又は途中で切れている"),
    ("partly scanned", "一部のみスキャン"),
    ("too large", "大きすぎる(--max-file-size を超過)"),
    ("permission denied", "アクセス権がない"),
    ("folder cannot be read", "フォルダを読めない"),
    ("cannot be examined", "調べられない"),
    ("folder vanished", "スキャン中にフォルダが消えた"),
    ("vanished", "スキャン中に消えた"),
    ("broken symbolic link", "リンク切れのシンボリックリンク"),
    ("symbolic link not followed", "シンボリックリンク(追跡していない。--follow-symlinks)"),
    ("not a regular file", "通常のファイルではない"),
    ("not enough memory", "メモリ不足"),
    ("internal error", "内部エラー"),
    ("limit", "上限に達した"),
    ("unsupported", "未対応の形式"),
)


def unreadable_text(entry: UnreadableCandidate, lang: str) -> str:
    """A possible number OCR could not read, for the report: where it is in the file, masked, and why (the reason
    in English, the tool's words, kept as the json gives it)."""
    where = entry.location.describe()
    if lang == "ja":
        return f"{where}: {entry.masked} (画像から読み取れない番号: {entry.reason})"
    return f"{where}: {entry.masked} (possible My Number, unreadable: {entry.reason})"


def unscanned_reason_text(reason: str, lang: str) -> str:
    """An unscanned reason for the report: in Japanese, its category's label with the English detail in
    parentheses (the json keeps the English reason as is)."""
    shown_reason = readable(reason)
    if lang != "ja":
        return shown_reason
    for prefix, label in UNSCANNED_JA:
        if shown_reason.startswith(prefix):
            return f"{label} ({shown_reason})"
    return f"その他 ({shown_reason})"


def item_label(incident: Incident, item_id: str, lang: str) -> str:
    ja, en = incident.item_labels.get(item_id, (item_id, item_id))
    return ja if lang == "ja" else en


def article_text(article: str, lang: str) -> str:
    if lang == "ja":
        return article
    return (article.replace("番号法第29条の4第1項", "My Number Act, Article 29-4, paragraph 1")
            .replace("番号法第29条の4第2項", "My Number Act, Article 29-4, paragraph 2 (notice to the people)")
            .replace(f"{RULE_NAME_JA} 第2条第", "PPC rule on reporting My Number leaks, Article 2, item ")
            .replace("号", ""))




# -- the draft of the PPC report: the items of 規則第3条第1項 ------------------------------------------------------

@dataclass(frozen=True)
class DraftItem:
    """One item of the PPC report's form, 規則第3条第1項第``item``号: its legal label, the text the scan can fill,
    whether a person must still write some of it, and where the text comes from."""

    item: int
    label: str
    text: str
    to_fill: bool
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "label": self.label, "text": self.text, "to_fill": self.to_fill,
                "source": self.source}


# 規則第3条第1項第1号〜第9号, in order, in the rule's words (ja) and their translation (en).
DRAFT_LABELS: tuple[tuple[str, str], ...] = RULE_3_1_ITEMS
# What each item of the draft asks for, and so what its text holds: 別添２ 3D ⑴〜⑼ (one per item, in order).
DRAFT_CITATIONS: tuple[tuple[Citation, ...], ...] = tuple(
    _c("規則", f"第3条第1項第{number}号") + _c("別添２", f"3D {chr(0x2473 + number)}")  # ⑴ is U+2474
    for number in range(1, len(RULE_3_1_ITEMS) + 1))

# The kind of people a file is about (別添２ 3D ⑵: the 項目 are reported with 媒体や種類, 顧客情報・従業員情報の別
# 等), told by words in its path below the scan root or in the table column headers and sheet names beside its
# numbers: an inference for the responder to confirm, never a fact. Matched case folded.
_KIND_WORDS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    (("従業員", "employees"), ("従業員", "社員", "職員", "給与", "給料", "人事", "退職者", "employee", "staff",
                                "payroll")),
    (("扶養親族", "dependants"), ("扶養", "dependent", "dependant")),
    (("顧客", "customers"), ("顧客", "会員", "お客様", "customer", "member", "client")),
)

_SOURCES = {
    "ja": {
        "verdict": "スキャン結果と判定(規則第2条)",
        "items": "同じ記録から検出した項目、媒体や種類はファイル名・列見出し・シート名からの推定",
        "people": "HMAC指紋で重複を除いた本人の数と、その上限(別添２ 3A)",
        "organisation": "事業者のみが知る事項",
        "access": "アクセスログ(mynumber exposure)と、事業者のみが知る事項",
    },
    "en": {
        "verdict": "the scan and the verdict (PPC rule Art. 2)",
        "items": "items found in the same records; the kind of people inferred from file names, column headers "
                 "and sheet names",
        "people": "distinct people by HMAC fingerprint, and their upper bound (別添２ 3A)",
        "organisation": "known to the organisation only",
        "access": "the access logs (mynumber exposure), and what the organisation only knows",
    },
}


def _below_root(path: str, roots: list[str]) -> str:
    """``path`` below the longest scan root that holds it: the root's own words say nothing of one file."""
    best = max((root.rstrip("/") + "/" for root in roots if path.startswith(root.rstrip("/") + "/")),
               key=len, default="")
    return path[len(best):] if best else posixpath.basename(path)  # a file given as the root: its name


def _mentions(text: str, terms: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(term in folded for term in terms)


def people_kinds(incident: Incident, lang: str) -> list[tuple[str, list[str]]]:
    """The kinds of people the files with findings are about, each with its evidence, in :data:`_KIND_WORDS`
    order; only kinds with clear evidence: a word of the kind in a file's path below the root (the evidence is
    the file's readable name), else in a column header or sheet name beside the file's numbers (the evidence
    names the label and the file). Labels are names from the file, so shown as :func:`readable` shows names
    (numbers in them masked)."""
    index = 0 if lang == "ja" else 1
    out = []
    for kind, terms in _KIND_WORDS:
        evidence = []
        for row in incident.files:
            name = readable(_below_root(row.path, incident.roots))
            labels = [label for label in map(readable, row.labels) if _mentions(label, terms)]
            if _mentions(name, terms):
                evidence.append(name)
            elif labels:
                evidence.append(f"{name} の「{labels[0]}」" if lang == "ja" else f'"{labels[0]}" in {name}')
        if evidence:
            out.append((kind[index], evidence))
    return out


def _people_text(incident: Incident, lang: str) -> str:
    """第3号: the people found, and the most that may be affected (別添２ 3A: when the number cannot be fixed, the
    maximum that may be affected is what counts)."""
    bound = incident.bound
    public = incident.figures["public_distinct_people"]
    if lang == "ja":
        if bound.open:
            text = (f"{bound.found:,}人以上(スキャンできなかったファイル・書庫内ファイル{bound.unscanned_files:,}件に"
                    "含まれる人数は不明)")
        elif bound.upper is not None and bound.upper > bound.found:
            unread = "と画像から読み取れなかった番号" if bound.unreadable_candidates else ""
            text = f"{bound.found:,}人(確度の低い候補{unread}を含めると最大{bound.upper:,}人)"
        else:
            text = f"{bound.found:,}人"
        return text + (f"。うち外部から閲覧可能な場所{public:,}人" if public else "")
    if bound.open:
        text = (f"{bound.found:,} or more ({bound.unscanned_files:,} files or archive members not scanned may hold "
                "any number of people)")
    elif bound.upper is not None and bound.upper > bound.found:
        unread = " and the numbers in pictures that could not be read" if bound.unreadable_candidates else ""
        text = f"{bound.found:,}, up to {bound.upper:,} with the low-confidence candidates{unread}"
    else:
        text = f"{bound.found:,}"
    return text + (f"; {public:,} of them in publicly accessible places" if public else "")


def _rule_items(reasons: list[Reason], lang: str) -> str:
    """The items of 規則第2条 as the draft names them: the item and the reason's words (the count is item 3's)."""
    w = WORDS[lang]
    texts = []
    for reason in reasons:
        text = w.get("reason." + reason.reason_id, reason.description or reason.reason_id)
        if reason.rule_item is None:
            texts.append(text)
        else:
            texts.append(f"第{reason.rule_item}号({text})" if lang == "ja" else f"item {reason.rule_item} ({text})")
    return ("、" if lang == "ja" else "; ").join(texts)


def _rule_items_text(incident: Incident, lang: str) -> str:
    """Which items of 規則第2条 apply: those of the verdict, or those that may apply (Status.POSSIBLY_REPORTABLE)."""
    certain = certain_reasons(incident)
    if lang == "ja":
        if certain:
            return f"該当する規則第2条の事由: {_rule_items(certain, lang)}。"
        if incident.possible:
            return f"規則第2条の事由に該当する可能性がある(確認中): {_rule_items(list(incident.possible), lang)}。"
        return "スキャンした範囲では規則第2条の事由に該当しない。"
    if certain:
        return f"Items of PPC rule Art. 2 that apply: {_rule_items(certain, lang)}."
    if incident.possible:
        return f"Items of PPC rule Art. 2 that may apply (to confirm): {_rule_items(list(incident.possible), lang)}."
    return "No item of PPC rule Art. 2 applies on what was scanned."


def _texts_ja(incident: Incident) -> list[tuple[str, str]]:
    todo = TODO["ja"]
    f = incident.figures
    roots, discovered, public_files = _scope(incident)
    public_part = (f"うち{f['public_distinct_people']:,}人分は外部から閲覧可能な場所({public_files:,}件のファイル)"
                   "にあった。") if public_files else ""
    kinds = people_kinds(incident, "ja")
    kind_text = ("媒体や種類: " + "、".join(f"{kind}(推定: {'、'.join(paths[:3])} から。要確認)"
                                            for kind, paths in kinds)
                 if kinds else f"媒体や種類: {todo}(従業員・顧客・扶養親族等の別)")
    items = "、".join(["個人番号", *(item_label(incident, item, "ja") for item in incident.items)])
    removal = "(外部公開場所からの削除と公開領域の定期スキャンを含む)" if public_files else ""
    # 第1号 概要: 別添２ 3D ⑴ asks for 発生日, 発覚日, 発生事案, 発見者, 規則第2条各号該当性, 委託元及び委託先の有無
    # and 事実経過 (the 委託先's own duty is lifted by 番号法第29条の4第1項ただし書 and 規則第4条 once it tells the
    # 委託元: 別添２ 3F).
    return [
        (f"発覚日: {discovered}。{roots} をスキャンした結果、{f['files_with_findings']:,}件のファイルから"
         f"{f['distinct_people']:,}人分の個人番号が検出された。{public_part}{_rule_items_text(incident, 'ja')}"
         f"発見者: {todo}。委託元・委託先の有無: {todo}(委託先で発生した場合はその名称と委託の内容)。"
         f"発生日、発生事案、事実経過: {todo}{occurred_hint(incident.access, 'ja')}", "verdict"),
        (f"{items}(同じ記録から検出)。{kind_text}", "items"),
        (_people_text(incident, "ja"), "people"),
        # 第4号 原因: 別添２ 3D ⑷ asks for the cause with the 主体 where it happened (報告者又は委託先).
        (f"{todo}(当該事態が発生した主体(報告者又は委託先)と、原因。例: 公開ディレクトリへの誤配置、"
         "アクセス制御の設定不備、メールの誤送信)", "organisation"),
        # 第5号 二次被害: 別添２ 3D ⑸; with report --exposure, what the access logs show (access_words).
        ((secondary_text(incident.access, "ja", todo) if incident.access else
          f"{todo}(不正利用の有無、外部からのアクセス記録の確認結果)"),
         "access" if incident.access else "organisation"),
        # 第6号 (別添２ 3D ⑹: 本人に対して行った措置(通知を含む)); 番号法第29条の4第2項 and 規則第5条: the people
        # concerned are notified, or a 代替措置 is taken where that is 困難 (別添２ 4E).
        ((f"本人への通知(番号法第29条の4第2項): {todo}(方法と時期。対象者は mynumber notify で名簿と照合して特定できる)"
          if f["distinct_people"] else
          f"スキャンでは通知の対象となる本人は見つかっていない。{todo}(スキャンできなかったファイル等の確認結果)"),
         "organisation"),
        (f"{todo}(公表の有無、時期と方法)", "organisation"),
        # 第8号: 別添２ 3D ⑻ asks for the measures taken (実施済み) and planned (今後実施予定) apart.
        (f"実施済みの措置: {todo}{removal}。今後実施予定の措置: {todo}", "organisation"),
        # 第9号: 別添２ 3D ⑼, what helps the PPC grasp the case; the example is ours.
        (f"{todo}(例: 警察等への届出・相談の状況)", "organisation"),
    ]


def _scope(incident: Incident) -> tuple[str, str, int]:
    """What item 1 of the draft states in both languages: the roots scanned, the day of discovery, and how many
    files with findings were public."""
    return (", ".join(map(readable, incident.roots)) or "-", incident.deadlines.discovered.isoformat(),
            sum(1 for row in incident.files if row.public))


def _texts_en(incident: Incident) -> list[tuple[str, str]]:
    todo = TODO["en"]
    f = incident.figures
    roots, discovered, public_files = _scope(incident)
    public_part = (f", {f['public_distinct_people']:,} of them in {public_files:,} publicly accessible files"
                   if public_files else "")
    kinds = people_kinds(incident, "en")
    kind_text = ("Kind of people: " + "; ".join(f"{kind} (inferred from {', '.join(paths[:3])}: to confirm)"
                                                for kind, paths in kinds)
                 if kinds else f"Kind of people: {todo} (employees, customers, dependants, ...)")
    items = ", ".join(["My Number", *(item_label(incident, item, "en") for item in incident.items)])
    removal = " (including removal from public places and regular scans of them)" if public_files else ""
    # Item 1: 別添２ 3D ⑴ (the dates, what happened, the finder, the items of Art. 2, the entrusting party or
    # contractor, the course of events).
    return [
        (f"Discovered on {discovered}. A scan of {roots} found the My Numbers of {f['distinct_people']:,} people "
         f"in {f['files_with_findings']:,} files{public_part}. {_rule_items_text(incident, 'en')} "
         f"Found by: {todo}. Entrusting party or contractor, if any: {todo} (if it happened at a contractor: its "
         f"name and what was entrusted). When it happened, what happened and the course of events: {todo}"
         f"{occurred_hint(incident.access, 'en')}",
         "verdict"),
        (f"{items} (found in the same records). {kind_text}", "items"),
        (_people_text(incident, "en"), "people"),
        # Item 4: 別添２ 3D ⑷, the cause with where it happened (the reporting organisation or a contractor).
        (f"{todo} (where it happened: the reporting organisation or a contractor; and the cause, e.g. a file "
         "placed in a public folder, wrong access rights, a misdirected mail)", "organisation"),
        ((secondary_text(incident.access, "en", todo) if incident.access else
          f"{todo} (misuse, access logs of the public location)"), "access" if incident.access else "organisation"),
        # Item 6 (別添２ 3D ⑹); My Number Act Art. 29-4(2) and PPC rule Art. 5: the people concerned are notified.
        ((f"Notice to the people concerned (My Number Act Art. 29-4(2)): {todo} (how and when; mynumber notify "
          "finds them in the roster)") if f["distinct_people"] else
         f"The scan found nobody to notify. {todo} (what the files not scanned hold)", "organisation"),
        (f"{todo} (whether, when and how the incident is made public)", "organisation"),
        # Item 8: measures taken and planned, apart (別添２ 3D ⑻).
        (f"Taken: {todo}{removal}. Planned: {todo}", "organisation"),
        (f"{todo} (e.g. reports to or advice from the police or other bodies)", "organisation"),
    ]


def draft(incident: Incident, lang: str) -> list[DraftItem]:
    """The PPC report's form, 規則第3条第1項第1号〜第9号 in order, filled with what the scan knows and marked
    (:data:`TODO`) where only the organisation knows."""
    texts = _texts_ja(incident) if lang == "ja" else _texts_en(incident)
    sources = _SOURCES[lang]
    out = []
    for number, ((ja, en), (text, source)) in enumerate(zip(DRAFT_LABELS, texts, strict=True), start=1):
        label = ja if lang == "ja" else f"{en} ({ja})"
        out.append(DraftItem(number, label, text, TODO[lang] in text, sources[source]))
    return out
