"""Normalisation: keywords and the text around a candidate compare in one form, and the fast form the scorer
uses is its plain definition's twin."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from detector.normalize import normalise, normalise_plain

# Every code point but the surrogates (no characters), in one string: the removal is character by character.
EVERY_CHARACTER = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)


def test_one_term_in_its_many_spellings_normalises_to_one_form() -> None:
    spellings = ["My Number", "my_number", "ＭＹ　ＮＵＭＢＥＲ", "my-number", "MY\tNUMBER"]
    assert {normalise(text) for text in spellings} == {"mynumber"}
    assert normalise("ﾏｲﾅﾝﾊﾞｰ") == normalise("マイ・ナンバー") == "マイナンバー"


def test_the_fast_form_agrees_with_the_plain_one_on_every_character() -> None:
    assert normalise(EVERY_CHARACTER) == normalise_plain(EVERY_CHARACTER)


def test_what_split_removes_is_what_the_plain_forms_whitespace_class_removes() -> None:
    whitespace = re.compile(r"\s")
    assert [c for c in EVERY_CHARACTER if not c.split()] == [c for c in EVERY_CHARACTER if whitespace.match(c)]


# Spaces, marks, full-width and half-width forms, combining and spacing sound marks, a character that folds in two.
TRICKY = "ab A_-・･ \t\u3000０１ﾊﾞﾟ\u3099゛ー－ß\x1c\x00番号ｶ"


@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=40))
def test_the_fast_form_agrees_with_the_plain_one_on_any_text(text: str) -> None:
    assert normalise(text) == normalise_plain(text)
