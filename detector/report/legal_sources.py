"""The legal sources the reports' sentences rest on, and where each was checked.

Every legal sentence of the incident report (:mod:`detector.report.incident_words`) and of the notices
(:mod:`detector.report.notice_words`) names its source in a table beside the words, as a :class:`Citation` of one
of :data:`DOCUMENTS`: the document by a short name, the article, item or section in it, and whether the wording
was checked against the stored copy the document's entry names. A test holds every wording key to that (a legal
sentence without a citation, or a citation of an unknown document, fails), so the next reader can check each
sentence against the copy named here, and a sentence taken on trust says so (``checked=False``).
"""

from __future__ import annotations

from typing import NamedTuple


class Document(NamedTuple):
    """A legal document by its full name, and the stored copy its citations were checked against."""

    name: str
    copy: str


class Citation(NamedTuple):
    """Where in :data:`DOCUMENTS` a sentence comes from: ``document`` (a key of it), ``where`` (article, item or
    section: "第2条第4号イ", "3A", "Q17-10"); ``checked`` is False for a source cited on trust (not read in a
    stored copy)."""

    document: str
    where: str
    checked: bool = True

    def __str__(self) -> str:
        return f"{self.document} {self.where}" + ("" if self.checked else " (not checked against a stored copy)")


# 平成27年特定個人情報保護委員会規則第5号, by its title (e-Gov 法令検索); RULE_NAME_JA (detector.incident) is the short
# name the report uses after it.
RULE_FULL_NAME_JA = ("行政手続における特定の個人を識別するための番号の利用等に関する法律"
                     "第二十九条の四第一項及び第二項に基づく特定個人情報の漏えい等に関する報告等に関する規則")
RULE_FULL_NAME_EN = ("Rules on Reports of Leaks of Specific Personal Information under Article 29-4, paragraphs 1 "
                     "and 2, of the My Number Act")

# The guideline's copy, which quotes 番号法第29条の4 and 規則第2条〜第5条 in full in its boxes (別添２ 3A, 3D, 3E,
# 3F, 4).
_GUIDELINE_COPY = ("https://www.ppc.go.jp/legal/policy/my_number_guideline_jigyosha/ as stored on 2025-09-24 in "
                   "github.com/kaz-under-the-bridge/appi-related-laws, sources/ppc-mynumber-biz/content.html")

DOCUMENTS: dict[str, Document] = {
    "番号法": Document(
        "行政手続における特定の個人を識別するための番号の利用等に関する法律（平成25年法律第27号）",
        "e-Gov XML (lawid 425AC0000000027) as stored on 2025-09-24 in github.com/kaz-under-the-bridge/"
        "appi-related-laws, sources/mynumber-law/content.xml"),
    "規則": Document(
        f"{RULE_FULL_NAME_JA}（平成27年特定個人情報保護委員会規則第5号）",
        "Articles 2 to 5 as 別添２ quotes them in full (" + _GUIDELINE_COPY + "); its title, Article 1 and the start "
        "of Article 2 also at https://elaws.jp/view/427M60020000005 (from e-Gov)"),
    "別添２": Document(
        "個人情報保護委員会「特定個人情報の適正な取扱いに関するガイドライン（事業者編）」"
        "（別添２）特定個人情報の漏えい等に関する報告等（事業者編）",
        _GUIDELINE_COPY),
    "Q&A": Document(
        "個人情報保護委員会 Q&A「17 特定個人情報の漏えい等の報告等」(the business guideline's Q&A on My Numbers)",
        "https://www.ppc.go.jp/all_faq_index/faq5-q17-10 and faq5-q17-14 (stored pages; the collection's own "
        "title is not in them)"),
    "個人情報保護法施行規則": Document(
        "個人情報の保護に関する法律施行規則（平成28年個人情報保護委員会規則第3号）",
        "Article 7, items 1 to 4, as METI lists them at https://www.meti.go.jp/policy/economy/consumer/credit/"
        "kojinjouhouhogohou.html (stored page; not the rule's own text)"),
    "行政機関休日法": Document(
        "行政機関の休日に関する法律（昭和63年法律第91号）",
        "Articles 1 and 2 from e-Gov (363AC0000000091) at https://compalex.tty-i.com/law/"
        "363AC0000000091_20150801_000000000000000 (stored page)"),
}

# 規則第3条第1項第1号〜第9号 in order: the items of the report to the PPC, in the rule's words (別添２ 3D quotes the
# paragraph), and their translation. 規則第5条 puts items 1, 2, 4, 5 and 9 in the notice to the people.
RULE_3_1_ITEMS: tuple[tuple[str, str], ...] = (
    ("概要", "Summary"),
    ("特定個人情報の項目", "Items of the specific personal information"),
    ("特定個人情報に係る本人の数", "Number of people whose specific personal information is concerned"),
    ("原因", "Cause"),
    ("二次被害又はそのおそれの有無及びその内容", "Secondary damage or its risk, and what it is"),
    ("本人への対応の実施状況", "Response to the people concerned"),
    ("公表の実施状況", "Publication"),
    ("再発防止のための措置", "Measures against recurrence"),
    ("その他参考となる事項", "Other matters for reference"),
)
