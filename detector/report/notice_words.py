"""The words of the notice to the people concerned (本人への通知), in Japanese and English.

番号法第29条の4第2項 makes the organisation that must report a leak notify each person concerned, and the PPC's
rule (特定個人情報の漏えい等に関する報告等に関する規則) says what the notice holds and when: 第5条 takes items 1, 2,
4, 5 and 9 of 第3条第1項, "in the range needed to protect the person's rights and interests", "as soon as the
situation allows". The business guideline's 別添２ (特定個人情報の漏えい等に関する報告等（事業者編）), section 4
(本人への通知), explains who must notify (4A), the timing (4B), the contents (4C), the method (4D) and the
substitute measures (代替措置) when notice is difficult (4E). Every legal sentence of :data:`WORDS` names its
source in :data:`CITATIONS` (documents and the copies they were checked against:
:mod:`detector.report.legal_sources`); the other keys are in :data:`NOT_LEGAL`, and a test holds every key to one
of the two. Where only the organisation knows the fact (the cause, secondary damage, the desk to ask), the text
holds the marker a person must replace.
"""

from __future__ import annotations

from .legal_sources import RULE_3_1_ITEMS, Citation

TODO = {"ja": "【要記入】", "en": "[TO BE WRITTEN]"}
LAW = {"ja": "番号法第29条の4第2項", "en": "My Number Act, Article 29-4, paragraph 2"}
RULE = {"ja": "特定個人情報の漏えい等に関する報告等に関する規則", "en": "the PPC rule on reporting My Number leaks"}

# The items of 規則第3条第1項 that 規則第5条 puts in a notice (別添２ 4C), by item number, under the rule's names
# for them (the same names as the PPC draft's: legal_sources.RULE_3_1_ITEMS).
NOTICE_ITEMS = (1, 2, 4, 5, 9)
ITEM_HEADINGS: dict[str, dict[int, str]] = {
    lang: {item: RULE_3_1_ITEMS[item - 1][index] for item in NOTICE_ITEMS} for index, lang in enumerate(("ja", "en"))
}

WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "document": "本人への通知 下書き",
        "cover": "送付前に確認すること(この頁は送付しません)",
        # 番号法第29条の4第2項 (「前項に規定する場合には」): notice follows from a reportable situation (規則第2条各号).
        "when_required": "本人への通知が義務となるのは、報告対象事態(規則第2条各号)に当たる場合です(番号法第29条の4"
                         "第2項)。該当するかは mynumber report の判定と根拠で確認してください。",
        # 規則第5条: 「第二条各号に定める事態を知った後、当該事態の状況に応じて速やかに」.
        "timing": "通知は、報告対象事態を知った後、当該事態の状況に応じて速やかに行います(規則第5条)。",
        # 別添２ 4B (通知の時間的制限), with the first of its examples (初期対応 not done, notice may widen the harm).
        "timing_judgement": "通知する時点は、その時点で把握している事態の内容、通知により本人の権利利益が保護される"
                            "蓋然性、通知により生じる弊害等を勘案して判断します。例えば、公開場所からの削除などの初期"
                            "対応が済む前に通知すると、かえって被害が広がるおそれがある場合です(ガイドライン別添２"
                            " 4B)。",
        # 規則第5条: 「当該本人の権利利益を保護するために必要な範囲において、第三条第一項第一号、第二号、第四号、
        # 第五号及び第九号に定める事項」.
        "contents": "通知する事項は、本人の権利利益を保護するために必要な範囲で、概要、特定個人情報の項目、原因、"
                    "二次被害又はそのおそれの有無及びその内容、その他参考となる事項です(規則第5条、第3条第1項第1号・"
                    "第2号・第4号・第5号・第9号)。",
        # 別添２ 4D (通知の方法): 合理的かつ適切な方法, e.g. 文書を郵便等で送付, 電子メールを送信.
        "method": "文書の郵送や電子メールなど、通知すべき内容が本人に認識される合理的かつ適切な方法で送付します"
                  "(ガイドライン別添２ 4D)。",
        "fill_in": "{todo} の箇所は、事業者だけが知る事実(原因、二次被害の有無、実施した措置、問合せ窓口など)"
                   "です。記入してから送付してください。",
        "masked": "個人番号は下4桁のほかを伏せてあります。通知文に個人番号の全桁を書き加えないでください。",
        "places": "「確認された場所」はスキャンで見つかったファイルの社内での名前です。本人に示す必要のない名前は"
                  "言い換えるか削除してください。",
        "letters_count": "名簿で照合できた{count}人分の通知文を、名簿の順に収めています(1人1頁)。",
        "no_letters": "名簿で照合できた人はいません。この文書に通知文はありません。",
        # 番号法第29条の4第2項ただし書: 「本人への通知が困難な場合であって、本人の権利利益を保護するため必要なこれに
        # 代わるべき措置をとるときは、この限りでない」; the measures: 別添２ 4E (通知の例外): 事案の公表; 問合せ窓口を
        # 用意してその連絡先を公表し、本人が自らの特定個人情報が対象となっているか否かを確認できるようにすること.
        "substitute": "スキャンで見つかった{count}人は名簿にいないため、この名簿からは通知できません(伏字の番号と"
                      "ファイルは notify の csv・json の not_in_roster にあります)。本人への通知が困難な場合は、"
                      "本人の権利利益を保護するために必要な代替措置をとります。事案を公表すること、又は問合せ窓口を"
                      "用意してその連絡先を公表し、本人が自らの特定個人情報が対象となっているか否かを確認できる"
                      "ようにすることです(番号法第29条の4第2項ただし書、ガイドライン別添２ 4E)。",
        "substitute_page": "最後の頁は、その代替措置(公表と問合せ窓口)の下書きです。",
        "title": "個人番号(マイナンバー)を含む情報の漏えい等に関するお知らせ",
        "dear": "{name} 様",
        "name_todo": "{todo}(氏名)",
        "date_sender": "{todo}(日付)  \n{todo}(事業者名・部署名)",
        # 番号法第29条の4第2項: the notice says that the situation arose (「当該事態が生じた旨」); 規則第2条: 「漏えい等
        # が発生し、又は発生したおそれがある」.
        "opening": "当社が取り扱う特定個人情報のうち、あなたの個人番号を含む情報について、漏えい等が発生し、又は発生"
                   "したおそれがあることが判明しましたので、お知らせいたします。",
        "summary.found": "当社のファイルを調査した結果、あなたの個人番号({masked})が次の場所に記録されていることを"
                         "確認しました。",
        "summary.public": "(外部公開用の場所)",
        "summary.todo": "{todo}(発覚の経緯と日付、いつから、どこで、誰が閲覧できる状態であったか)",
        "items.found": "同じ記録にあった項目(スキャンによる確認): {items}",
        "items.todo": "{todo}(ほかに含まれていた項目があれば追記)",
        "my_number": "個人番号",
        "cause.todo": "{todo}(例: 公開用フォルダへの誤った保存、アクセス権限の設定誤り、電子メールの誤送信)",
        "secondary.todo": "{todo}(現時点で確認されている不正利用の有無、外部からのアクセス記録の確認結果)",
        "measures.todo": "当社の対応: {todo}(ファイルの削除・アクセス制限など実施した措置、再発防止策)",
        # 番号法第7条第2項: 市町村長は、個人番号が漏えいして不正に用いられるおそれがあると認められるときは、その者の
        # 請求又は職権により、従前の個人番号に代えて新たな個人番号を指定する.
        "change_number": "個人番号が漏えいして不正に用いられるおそれがあると認められるときは、お住まいの市区町村に"
                         "個人番号の変更を請求することができます(番号法第7条第2項)。",
        "beware": "当社や公的機関を名乗って個人番号を尋ねる不審な電話や電子メールにご注意ください。",
        "desk.todo": "お問い合わせ窓口: {todo}(部署名、電話番号、電子メールアドレス、受付時間)",
        "closing": "ご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。",
        # The substitute measure (番号法第29条の4第2項ただし書): 事案の公表, with 問合せ窓口 where a person can check
        # whether their information is affected (別添２ 4E; (※2): what is published follows the notice's items).
        "public.heading": "代替措置の下書き: 公表文と問合せ窓口(ウェブサイト等への掲載用)",
        "public.opening": "当社が取り扱う特定個人情報について、漏えい等が発生し、又は発生したおそれがあることが判明"
                          "しました。対象となる方のうち個別にご連絡できない方がいらっしゃるため、ここにお知らせいたし"
                          "ます。",
        "public.found": "当社のファイルを調査した結果、{count}人分の個人番号が記録されていることを確認しました。",
        "public.desk": "ご自身の情報が対象となっているかのお問い合わせ窓口: {todo}(部署名、電話番号、電子メール"
                       "アドレス、受付時間、掲載期間)",
        "public.identity": "お問い合わせの際のご本人確認の方法: {todo}(対象か否かは、ご本人と確認できた方にのみ"
                           "お伝えします)",
    },
    "en": {
        "document": "Notices to the people concerned: drafts",
        "cover": "Check before sending (this page is not sent)",
        # My Number Act 29-4(2) ("in the case set out in the preceding paragraph"): the reportable situations of
        # the rule's Article 2.
        "when_required": "Notice is a duty when the incident is reportable under the rule's Article 2 (My Number Act, "
                         "Article 29-4, paragraph 2). Check the verdict and its basis with mynumber report.",
        # Rule Article 5: after learning of the situation, promptly as the situation allows.
        "timing": "Notify after learning of the reportable situation, as soon as the situation allows (the rule's "
                  "Article 5).",
        # Guideline annex 2, 4B (timing).
        "timing_judgement": "When to notify is judged from what is known of the situation, how likely the notice "
                            "is to protect the person, and the harm a notice could do: for example, notice before a "
                            "file is removed from a public place may widen the damage (guideline, annex 2, notice "
                            "to the person, 4B).",
        # Rule Article 5: items 1, 2, 4, 5 and 9 of Article 3(1), in the range needed to protect the person.
        "contents": "The notice gives, in the range needed to protect the person's rights and interests: the summary, "
                    "the items of specific personal information, the cause, secondary damage or its risk, and other "
                    "information for reference (the rule's Article 5; Article 3, paragraph 1, items 1, 2, 4, 5 "
                    "and 9).",
        # Guideline annex 2, 4D (method).
        "method": "Send it by a reasonable and appropriate means by which the person will take in its content, "
                  "such as a letter or an email (guideline, annex 2, notice to the person, 4D).",
        "fill_in": "{todo} marks what only the organisation knows (the cause, secondary damage, measures taken, the "
                   "desk to contact): fill it in before sending.",
        "masked": "My Numbers are masked but for the last four digits. Do not write a whole number into a notice.",
        "places": "\"Where it was found\" gives the internal names of the files the scan found. Reword or remove "
                  "names the person need not see.",
        "letters_count": "{count} notices follow, one per page, for the people found in the roster, in roster "
                         "order.",
        "no_letters": "Nobody found is in the roster: this document holds no notice.",
        # My Number Act 29-4(2) proviso; guideline annex 2, 4E (exceptions).
        "substitute": "{count} people the scan found are not in the roster and cannot be notified from it (their "
                      "masked numbers and files are under not_in_roster in notify's csv and json). Where notice "
                      "is difficult, take a substitute measure needed to protect their rights and interests: make "
                      "the incident public, or set up an inquiry desk and publish its contact, so that a person can "
                      "ask whether their information is affected (My Number Act, Article 29-4, paragraph 2, "
                      "proviso; guideline, annex 2, notice to the person, 4E).",
        "substitute_page": "The last page drafts that substitute measure (a public notice and an inquiry desk).",
        "title": "Notice of a leak, or possible leak, of information including your My Number",
        "dear": "Dear {name},",
        "name_todo": "{todo} (name)",
        "date_sender": "{todo} (date)  \n{todo} (organisation, department)",
        # My Number Act 29-4(2): that the situation arose; rule Article 2: "leaked or may have leaked".
        "opening": "We have found that information we handle that includes your My Number (Individual Number) "
                   "has leaked, or may have leaked, and we are writing to let you know.",
        "summary.found": "Checking our files, we found your My Number ({masked}) recorded in these places:",
        "summary.public": " (a place published outside the organisation)",
        "summary.todo": "{todo} (how and when this was discovered; since when, where and to whom it was "
                        "accessible)",
        "items.found": "Items in the same records (found by the scan): {items}",
        "items.todo": "{todo} (add any other item the records held)",
        "my_number": "My Number",
        "cause.todo": "{todo} (e.g. a file saved to a public folder, wrong access rights, a misdirected email)",
        "secondary.todo": "{todo} (any misuse found so far; what the access logs show)",
        "measures.todo": "What we have done: {todo} (files removed or access restricted; measures against a "
                         "recurrence)",
        # My Number Act Article 7(2): the mayor may designate a new number on the person's request when the number
        # has leaked and may be misused.
        "change_number": "If your My Number may be misused because it leaked, you can ask the municipality where "
                         "you live to change it (My Number Act, Article 7, paragraph 2).",
        "beware": "Beware of calls or emails that ask for your My Number in our name or in a public office's name.",
        "desk.todo": "Contact: {todo} (department, phone number, email address, hours)",
        "closing": "We sincerely apologise for the worry and inconvenience this causes.",
        # The substitute measure (My Number Act 29-4(2) proviso): the incident made public, with an inquiry desk
        # where a person can check whether they are affected (guideline annex 2, 4E).
        "public.heading": "Substitute measure, draft: a public notice and an inquiry desk (for the website)",
        "public.opening": "We have found that specific personal information we handle has leaked, or may have "
                          "leaked. As we cannot reach some of the people concerned individually, we are making it "
                          "known here.",
        "public.found": "Checking our files, we found the My Numbers of {count} people recorded in them.",
        "public.desk": "Inquiry desk, where you can ask whether your information is affected: {todo} (department, "
                       "phone number, email address, hours, how long this notice stays up)",
        "public.identity": "How we confirm who is asking: {todo} (we tell only the person concerned whether they "
                           "are affected)",
    },
}



def _c(document: str, *where: str) -> tuple[Citation, ...]:
    return tuple(Citation(document, place) for place in where)


# The source of each legal sentence of WORDS (the same for ja and en): documents by the short names of
# detector.report.legal_sources.DOCUMENTS, each checked against the copy named there.
CITATIONS: dict[str, tuple[Citation, ...]] = {
    "when_required": _c("番号法", "第29条の4第2項") + _c("規則", "第2条") + _c("別添２", "4A"),
    "timing": _c("規則", "第5条") + _c("別添２", "4B"),
    "timing_judgement": _c("別添２", "4B"),
    "contents": _c("規則", "第5条", "第3条第1項") + _c("別添２", "4C"),
    "method": _c("別添２", "4D"),
    "substitute": _c("番号法", "第29条の4第2項ただし書") + _c("別添２", "4E"),
    "substitute_page": _c("番号法", "第29条の4第2項ただし書") + _c("別添２", "4E"),
    "opening": _c("番号法", "第29条の4第2項") + _c("規則", "第2条"),
    "change_number": _c("番号法", "第7条第2項"),
    "public.heading": _c("番号法", "第29条の4第2項ただし書") + _c("別添２", "4E"),
    "public.opening": _c("別添２", "4E (※2)"),
    "public.desk": _c("別添２", "4E"),
}

# The keys of WORDS that say nothing of the law: headings, salutations, the tool's own advice, and the markers of
# what only the organisation knows.
NOT_LEGAL = frozenset({
    "document", "cover", "fill_in", "masked", "places", "letters_count", "no_letters", "title", "dear", "name_todo",
    "date_sender", "summary.found", "summary.public", "summary.todo", "items.found", "items.todo", "my_number",
    "cause.todo", "secondary.todo", "measures.todo", "beware", "desk.todo", "closing", "public.found",
    "public.identity",
})

# What stderr says beside the counts, in the command's language (English), with the Japanese terms the law uses.
# 規則第5条 and 別添２ 4B, 4C (timing, items); 番号法第29条の4第2項ただし書 and 別添２ 4E (substitute measures).
STDERR_TIMING = ("mynumber: notify each person found after learning of a reportable incident, as soon as the "
                 "situation allows (規則第5条「状況に応じて速やかに」), with items 1, 2, 4, 5 and 9 of 規則第3条第1項")
STDERR_LETTER_HINT = "; --letter drafts the notices"
STDERR_SUBSTITUTE = ("mynumber: {count} people found are not in the roster and cannot be notified from it: take a "
                     "substitute measure for them (代替措置: publish the incident, or an inquiry desk where a person "
                     "can ask whether they are affected; 番号法第29条の4第2項ただし書)")
