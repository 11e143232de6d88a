"""The words of the incident report, in Japanese and English, and the draft of the PPC report's fields.

Shared by the HTML, Markdown and json renderers so that they say the same thing. Where the scan cannot know
something (the cause, secondary damage, publication), the draft says so with a marker a person must replace.
"""

from __future__ import annotations

from ..assess import Status
from ..incident import RULE_NAME_JA, Incident, Reason
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
        # The three outcomes (detector.assess.Status). 別添２ 3A (個人情報保護委員会「特定個人情報の適正な取扱いに
        # 関するガイドライン（事業者編）」): where the number of people cannot be fixed, the maximum that may be
        # affected decides 規則第2条第4号; so "not reportable" is said of what was scanned only.
        "status.possibly_reportable": "報告対象事態に該当する可能性があります(下記の確認事項により判断してください)",
        "status.not_reportable_on_scan": "スキャンした範囲では報告対象事態の要件に該当しません(社内での記録と対応は"
                                         "必要です)",
        "possible": "該当する可能性がある事由",
        "to_check": "判断のために確認すること",
        # 別添２ 3A: 本人の数 is the most people that may be affected.
        "bound": "漏えい等が発生したおそれがある本人の数: 検出{found:,}人、最大{upper}",
        "bound.closed": "{:,}人",
        "bound.open": "不明(スキャンできなかったファイルに何人分含まれるか分からないため)",
        "check.held_back_candidates": "確度が低く保留した候補のうち、検出済みでない本人{count:,}人分"
                                      "(--min-confidence low で再スキャンして確認)",
        "check.unscanned_files": "スキャンできなかったファイル・書庫内ファイル{count:,}件(個人番号が含まれていないか"
                                 "手作業で確認)",
        # 規則第2条 (括弧書): 高度な暗号化その他の個人の権利利益を保護するために必要な措置を講じたものを除く.
        "check.encrypted_members": "暗号化されたファイル・書庫内ファイル{count:,}件(パスワードで開いて再スキャンする"
                                   "か、高度な暗号化がされ鍵が適切に管理されているかを確認)",
        # 規則第2条第3号 needs the fact (不特定多数の者が閲覧できる状態); a path rule only presumes it.
        "check.confirm_public_location": "配置場所のルール({rules})により外部公開場所と推定した本人{count:,}人分"
                                         "(外部から閲覧できる状態だったか確認。内部ディスク上のバックアップコピー等は"
                                         "該当しません)",
        "reason.over_100_people": "漏えい等が発生し、又は発生したおそれがある特定個人情報に係る本人の数が100人を超える",
        "reason.publicly_accessible": "不特定多数の者が閲覧できる状態に置かれた(外部公開場所での検出)",
        "reason.malicious": "不正の目的をもって行われたおそれがある漏えい等(担当者の判断)",
        # The heading does not say 期限: only the 確報 has one (規則第3条第2項); the 速報 is 「速やかに」 (同条第1項).
        "deadlines": "報告の時期",
        # 別添２: the period counts from the day the business (any part of it) learned of the incident, as day 1.
        "discovered": "発覚日(1日目)",
        # 規則第3条第1項 「速やかに」; 別添２ gives 「概ね３～５日以内」 as a yardstick (目安), not a deadline.
        "preliminary_report": "速報(速やかに。目安は概ね3〜5日以内)",
        "preliminary_days": "3日目〜5日目",
        "date_range": "{} 〜 {}",
        # 規則第3条第2項: 30日以内, 第2条第2号の事態は60日以内.
        "final_report": "確報の期限",
        "final_30": "30日目",
        "final_60": "60日目(規則第2条第2号の事態)",
        # 速報: 別添２ 「概ね３～５日以内」 (目安, not moved). 確報: 規則第3条第2項; its last day on 土日・祝日・
        # 12/29-1/3 moves to the next business day (別添２ and the PPC's Q&A; 行政機関の休日に関する法律第2条).
        "deadline_note": "速報の日付はガイドライン(別添２)の目安「概ね３～５日以内」で、期限ではなく、土日・祝日による"
                         "繰延べもしていません。確報の期限は30日目(規則第2条第2号の事態は60日目)で、末日が土日・祝日・"
                         "12月29日〜1月3日に当たるときは翌開庁日としています。",
        # 規則第3条 applies to 報告対象事態 (番号法第29条の4第1項) only.
        "deadlines_none": "報告対象事態に該当すると判定されていないため、速報・確報の日付は示していません。",
        # 規則第3条 asks for reports of 報告対象事態; while it is open whether this is one, the dates are conditional.
        "deadlines_if_confirmed": "報告対象事態に該当するかは未確定です。該当すると確認された場合に適用される日付です"
                                  "(発覚日を1日目として数えています)。",
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
        # The three outcomes (detector.assess.Status); 別添２ 3A: the most people that may be affected decide item 4.
        "status.possibly_reportable": "Possibly a reportable incident: decide by the checks below",
        "status.not_reportable_on_scan": "Not a reportable incident under the PPC rule on what was scanned (record it "
                                         "and act on it internally)",
        "possible": "Triggers that may hold",
        "to_check": "To check before deciding",
        # 別添２ 3A: the number of people is the most that may be affected.
        "bound": "People whose numbers leaked or may have leaked: {found:,} found, at most {upper}",
        "bound.closed": "{:,}",
        "bound.open": "unknown (files not scanned may hold any number of people)",
        "check.held_back_candidates": "{count:,} people among the low-confidence candidates held back, not among those "
                                      "found (scan again with --min-confidence low)",
        "check.unscanned_files": "{count:,} files or archive members not scanned (look for My Numbers by hand)",
        # PPC rule Art. 2: data protected by strong encryption or similar measures is excluded.
        "check.encrypted_members": "{count:,} encrypted files or archive members (open them with the password and scan "
                                   "again, or confirm strong encryption with managed keys)",
        # PPC rule Art. 2, item 3 needs the fact (viewable by many unspecified persons); a path rule presumes it.
        "check.confirm_public_location": "{count:,} people in places presumed public by a location rule ({rules}): "
                                         "confirm they were reachable from outside (a backup copy on an internal "
                                         "disk is not)",
        "reason.over_100_people": "My Numbers of more than 100 people leaked or may have leaked",
        "reason.publicly_accessible": "My Numbers were placed where anyone outside the organisation could view them",
        "reason.malicious": "The leak may have been caused with a wrongful purpose (the responder's assessment)",
        # Not "Deadlines": only the final report has one (PPC rule Art. 3(2)); the preliminary is "promptly" (3(1)).
        "deadlines": "When to report",
        # 別添２: the day the business (any part of it) learned of the incident is day 1.
        "discovered": "Discovered (day 1)",
        # PPC rule Art. 3(1) 「速やかに」; 別添２ 「概ね３～５日以内」 is a yardstick, not a deadline.
        "preliminary_report": "Preliminary report (promptly; the guideline's yardstick: about 3 to 5 days)",
        "preliminary_days": "day 3 to day 5",
        "date_range": "{} – {}",
        # PPC rule Art. 3(2): within 30 days, 60 for the incidents of Art. 2, item 2.
        "final_report": "Final report deadline",
        "final_30": "day 30",
        "final_60": "day 60: PPC rule Art. 2, item 2",
        # Preliminary: 別添２ 「概ね３～５日以内」 (a yardstick, not moved). Final: PPC rule Art. 3(2); a last day on a
        # weekend, holiday or 29 Dec-3 Jan moves to the next business day (別添２ and the PPC's Q&A).
        "deadline_note": "The preliminary report's dates are the PPC guideline's yardstick (Annex 2, 別添２: about 3 "
                         "to 5 days), not a deadline, and are not moved past weekends or holidays. The final report is "
                         "due on "
                         "day 30 (day 60 for an incident of the PPC rule's Article 2, item 2); a last day on a "
                         "weekend, a Japanese public holiday or 29 Dec-3 Jan moves to the next business day.",
        # PPC rule Art. 3 applies to reportable incidents (My Number Act Art. 29-4(1)) only.
        "deadlines_none": "No reporting dates are given: the scan was not assessed as a reportable incident.",
        # PPC rule Art. 3 asks for reports of reportable incidents; while that is open, the dates are conditional.
        "deadlines_if_confirmed": "Whether this is a reportable incident is still open: these are the dates that apply "
                                  "if it is confirmed (counted from the day of discovery as day 1).",
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
            # 番号法第29条の4第2項: the people concerned are notified; with nobody found, nobody is named.
            "response": (f"{f['distinct_people']}人に通知予定。対象者は mynumber notify で人事名簿と照合して特定する。"
                         f" {todo}(通知の方法と時期)") if f["distinct_people"] else
                        f"スキャンでは通知の対象となる本人は見つかっていない。{todo}(スキャンできなかったファイル等の確認結果)",
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
            # My Number Act Art. 29-4(2): the people concerned are notified; with nobody found, nobody is named.
            "response": (f"{f['distinct_people']} people to notify; identify them with mynumber notify against the "
                         f"HR roster. {todo} (how and when)") if f["distinct_people"] else
                        f"The scan found nobody to notify. {todo} (what the files not scanned hold)",
            "publication": f"{todo} (whether and when the incident is made public)",
            "prevention": f"{todo}" + (" (including removal from public places and regular scans of them)"
                                       if public_files else ""),
        }
    return out
