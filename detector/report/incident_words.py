"""The words of the incident report, in Japanese and English, and the draft of the PPC report's fields.

Shared by the HTML, Markdown and json renderers so that they say the same thing. Where the scan cannot know
something (the cause, secondary damage, publication), the draft says so with a marker a person must replace.
"""

from __future__ import annotations

from ..incident import RULE_NAME_JA, Incident
from ..names import readable

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
        "not_serious": "報告対象事態の要件には該当しません(社内での記録と対応は必要です)",
        "reason.over_100_people": "漏えい等が発生し、又は発生したおそれがある特定個人情報に係る本人の数が100人を超える",
        "reason.publicly_accessible": "不特定多数の者が閲覧できる状態に置かれた(外部公開場所での検出)",
        "reason.malicious": "不正の目的をもって行われたおそれがある漏えい等(担当者の判断)",
        "deadlines": "報告期限",
        "discovered": "発覚日(1日目)",
        "preliminary_report": "速報(速やかに:目安3〜5日、5日目)",
        "final_report": "確報",
        "final_30": "30日目",
        "final_60": "60日目(不正の目的による場合)",
        "deadline_note": "期限の末日が土日・祝日・12月29日〜1月3日に当たるときは翌開庁日としています。",
        "assumed": "発覚日が指定されていないため本日を発覚日としています(--discovered で指定してください)。",
        "charts": "グラフ",
        "chart.folders": "フォルダ別の本人の数",
        "chart.types": "ファイル種類別の検出件数",
        "chart.exposure": "公開・内部別の本人の数",
        "public": "外部公開",
        "internal": "内部のみ",
        "files": "個人番号が見つかったファイル",
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
        "draft_note": f"{TODO['ja']} の箇所は担当者が記入してください。",
        "field.summary": "概要",
        "field.items": "特定個人情報の項目",
        "field.people": "本人の数",
        "field.cause": "原因",
        "field.secondary": "二次被害又はそのおそれの有無及びその内容",
        "field.response": "本人への対応の実施状況",
        "field.publication": "公表の実施状況",
        "field.prevention": "再発防止のための措置",
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
        "not_serious": "Not a reportable incident under the PPC rule (record it and act on it internally)",
        "reason.over_100_people": "My Numbers of more than 100 people leaked or may have leaked",
        "reason.publicly_accessible": "My Numbers were placed where anyone outside the organisation could view them",
        "reason.malicious": "The leak may have been caused with a wrongful purpose (the responder's assessment)",
        "deadlines": "Deadlines",
        "discovered": "Discovered (day 1)",
        "preliminary_report": "Preliminary report (promptly: about 3 to 5 days; day 5)",
        "final_report": "Final report",
        "final_30": "day 30",
        "final_60": "day 60 (wrongful purpose)",
        "deadline_note": "A deadline falling on a weekend, a Japanese public holiday or 29 Dec-3 Jan moves to the next "
                         "business day.",
        "assumed": "No discovery date was given, so today is used (give it with --discovered).",
        "charts": "Charts",
        "chart.folders": "People by top-level folder",
        "chart.types": "Findings by file type",
        "chart.exposure": "People: public against internal",
        "public": "public",
        "internal": "internal only",
        "files": "Files with My Numbers",
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
        "draft_note": f"A person must write where {TODO['en']} stands.",
        "field.summary": "Summary",
        "field.items": "Items of specific personal information",
        "field.people": "Number of people",
        "field.cause": "Cause",
        "field.secondary": "Secondary damage or its risk",
        "field.response": "Response to the people concerned",
        "field.publication": "Publication",
        "field.prevention": "Measures against recurrence",
        "articles": "Basis",
        "scan": "Scanned",
        "none": "none",
        "confidence.high": "high",
        "confidence.medium": "medium",
        "confidence.low": "low",
        "people_count": "{:,} people",
    },
}
DRAFT_FIELDS = ("summary", "items", "people", "cause", "secondary", "response", "publication", "prevention")


def words(lang: str) -> dict[str, str]:
    return WORDS[lang]


def item_label(incident: Incident, item_id: str, lang: str) -> str:
    ja, en = incident.item_labels.get(item_id, (item_id, item_id))
    return ja if lang == "ja" else en


def article_text(article: str, lang: str) -> str:
    if lang == "ja":
        return article
    return (article.replace("番号法第29条の4第1項", "My Number Act, Article 29-4, paragraph 1")
            .replace(f"{RULE_NAME_JA} 第2条第", "PPC rule on reporting My Number leaks, Article 2, item ")
            .replace("号", ""))


def draft(incident: Incident, lang: str) -> dict[str, str]:
    """The PPC report's fields, filled with what the scan knows; the rest marked for a person."""
    todo = TODO[lang]
    f = incident.figures
    public_files = sum(1 for row in incident.files if row.public)
    items = [item_label(incident, item, lang) for item in incident.items]
    roots = ", ".join(map(readable, incident.roots)) or "-"
    if lang == "ja":
        public_part = (f"うち{f['public_distinct_people']}人分は外部から閲覧可能な場所({public_files}件のファイル)"
                       "にあった。") if public_files else ""
        people_public = f"(うち外部公開{f['public_distinct_people']}人)" if f["public_distinct_people"] else ""
        held = f"。このほか確度の低い候補{f['held_back_findings']}件あり(要確認)" if f["held_back_findings"] else ""
        removal = "(外部公開場所からの即時削除と公開領域の定期スキャンを含む)" if public_files else ""
        out = {
            "summary": f"{roots} をスキャンした結果、{f['files_with_findings']}件のファイルから"
                       f"{f['distinct_people']}人分の個人番号が検出された。{public_part}"
                       f" {todo}(発覚の経緯、発生日時、発生場所)",
            "items": "、".join(["個人番号", *items]),
            "people": f"{f['distinct_people']}人{people_public}{held}",
            "cause": f"{todo}(例: 公開ディレクトリへの誤配置、アクセス制御の設定不備、メールの誤送信)",
            "secondary": f"{todo}(不正利用の有無、外部からのアクセス記録の確認結果)",
            "response": f"{f['distinct_people']}人に通知予定。対象者は mynumber notify で人事名簿と照合して特定する。"
                        f" {todo}(通知の方法と時期)",
            "publication": f"{todo}(公表の有無と時期)",
            "prevention": f"{todo}{removal}",
        }
    else:
        items_text = ", ".join(["My Number", *items])
        out = {
            "summary": f"A scan of {roots} found the My Numbers of {f['distinct_people']} people in "
                       f"{f['files_with_findings']} files" + (f", {f['public_distinct_people']} of them in "
                                                              f"{public_files} publicly accessible files"
                                                              if public_files else "")
                       + f". {todo} (how and when it was discovered, when and where it happened)",
            "items": items_text,
            "people": f"{f['distinct_people']}" + (f" ({f['public_distinct_people']} public)"
                                                   if f["public_distinct_people"] else "")
                      + (f"; {f['held_back_findings']} lower-confidence candidates still to check"
                         if f["held_back_findings"] else ""),
            "cause": f"{todo} (e.g. a file placed in a public folder, wrong access rights, a misdirected mail)",
            "secondary": f"{todo} (misuse, access logs of the public location)",
            "response": f"{f['distinct_people']} people to notify; identify them with mynumber notify against the "
                        f"HR roster. {todo} (how and when)",
            "publication": f"{todo} (whether and when the incident is made public)",
            "prevention": f"{todo}" + (" (including removal from public places and regular scans of them)"
                                       if public_files else ""),
        }
    return out
