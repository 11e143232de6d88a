"""Every legal sentence the reports print names its source (issue 15: "every legal sentence in incident_words
(ja and en) cites its source, so the next reader can check it").

The wording tables (:mod:`detector.report.incident_words`, :mod:`detector.report.notice_words`) hold each key to
one of two lists: ``CITATIONS`` (the sentence's sources, as articles, items or sections of a document of
:data:`detector.report.legal_sources.DOCUMENTS`) or ``NOT_LEGAL`` (labels, headings, the tool's own advice). A new
key in neither fails here, and so does a sentence that names an article or a section its citations do not: the
article a Japanese sentence names in its text must be among the sentence's citations.
"""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from detector.report import incident_words, notice_words
from detector.report.legal_sources import DOCUMENTS, RULE_3_1_ITEMS, Citation

MODULES = [incident_words, notice_words]

# An article named in a Japanese sentence: 規則 (not 施行規則), 番号法; and a section of 別添２.
ARTICLE = re.compile(r"(?<!施行)(規則|番号法)第(\d+)条(の\d+)?")
SECTION = re.compile(r"別添２\s*(\d[A-F])")


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_wording_key_is_cited_or_declared_not_legal(module: ModuleType) -> None:
    ja, en = module.WORDS["ja"], module.WORDS["en"]
    assert set(ja) == set(en), "the two languages say the same things"
    cited, plain = set(module.CITATIONS), set(module.NOT_LEGAL)
    assert not cited & plain, f"both cited and not legal: {sorted(cited & plain)}"
    assert set(ja) - cited - plain == set(), "a sentence that is neither cited nor declared not legal"
    assert cited <= set(ja) and plain <= set(ja), "citations of keys that no longer exist"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_citation_names_a_known_document_and_a_place_in_it(module: ModuleType) -> None:
    for key, citations in module.CITATIONS.items():
        assert citations, key
        for citation in citations:
            assert isinstance(citation, Citation)
            assert citation.document in DOCUMENTS, (key, citation)
            assert citation.where.strip(), (key, citation)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_the_articles_a_sentence_names_are_among_its_citations(module: ModuleType) -> None:
    for key, text in module.WORDS["ja"].items():
        citations = module.CITATIONS.get(key, ())
        for document, article, sub in ARTICLE.findall(text):
            place = f"第{article}条{sub}"
            assert any(c.document == document and c.where.startswith(place) for c in citations), (key, place)
        for section in SECTION.findall(text):
            assert any(c.document == "別添２" and c.where.startswith(section) for c in citations), (key, section)


def test_every_document_has_a_full_name_and_says_where_it_was_checked() -> None:
    for short, document in DOCUMENTS.items():
        assert len(document.name) > len(short) and document.copy.strip(), short


def test_the_notice_and_the_draft_name_the_items_of_article_3_alike() -> None:
    """規則第3条第1項第1号〜第9号 (別添２ 3D quotes them); the notice takes 1, 2, 4, 5 and 9 (規則第5条, 別添２ 4C)."""
    assert [ja for ja, _ in RULE_3_1_ITEMS] == [
        "概要", "特定個人情報の項目", "特定個人情報に係る本人の数", "原因", "二次被害又はそのおそれの有無及びその内容",
        "本人への対応の実施状況", "公表の実施状況", "再発防止のための措置", "その他参考となる事項"]
    assert incident_words.DRAFT_LABELS == RULE_3_1_ITEMS
    assert len(incident_words.DRAFT_CITATIONS) == len(RULE_3_1_ITEMS)
    assert notice_words.NOTICE_ITEMS == (1, 2, 4, 5, 9)
    for lang, index in (("ja", 0), ("en", 1)):
        assert notice_words.ITEM_HEADINGS[lang] == {n: RULE_3_1_ITEMS[n - 1][index] for n in (1, 2, 4, 5, 9)}


def test_a_source_taken_on_trust_says_so() -> None:
    assert "not checked" in str(Citation("規則", "第3条第2項", checked=False))
    assert "not checked" not in str(Citation("規則", "第3条第2項"))
