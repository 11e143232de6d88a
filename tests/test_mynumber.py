"""The My Number as a number kind: the check digit agrees with python-stdnum, and errors say why."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.jp import in_ as stdnum_in

from detector import mynumber
from detector.mynumber import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    calc_check_digit,
    compact,
    is_valid,
    is_valid_digits,
    mask,
    to_ascii,
    validate,
)

digits11 = st.text(alphabet="0123456789", min_size=11, max_size=11)
digits12 = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(digits11)
def test_check_digit_agrees_with_stdnum(body: str) -> None:
    assert calc_check_digit(body) == stdnum_in.calc_check_digit(body)


@given(digits12)
def test_validity_agrees_with_stdnum(number: str) -> None:
    assert is_valid(number) == stdnum_in.is_valid(number)
    assert is_valid_digits(number) == stdnum_in.is_valid(number)


@given(st.text(min_size=12, max_size=12) | st.text(alphabet="0123456789OolISB", min_size=12, max_size=12))
def test_the_fast_check_is_the_ordinance_sum_for_any_twelve_characters(text: str) -> None:
    """is_valid_digits sums in C; it is the definition (check_digit of the weighted sum) for any 12 characters,
    such as an OCR reading with a letter in it, not only for digits."""
    weighted = sum((ord(char) - 48) * weight for char, weight in zip(text[:11], mynumber.WEIGHTS, strict=True))
    assert is_valid_digits(text) == (ord(text[11]) - 48 == mynumber.check_digit(weighted))


@given(digits11)
def test_exactly_one_check_digit_makes_a_body_valid(body: str) -> None:
    assert sum(is_valid_digits(body + str(d)) for d in range(10)) == 1


@given(st.text(max_size=20))
def test_to_ascii_changes_only_full_width_digits(text: str) -> None:
    full_width = "０１２３４５６７８９"
    assert to_ascii(text) == "".join(str(full_width.index(c)) if c in full_width else c for c in text)


def test_compact_removes_separators_and_full_width() -> None:
    assert compact("１２３４－５６７８－９０１８") == "123456789018"
    assert compact("1234 5678 9018") == "123456789018"


@given(st.text(alphabet="0123456789０１２３４５６７８９-－ 　.a²٣", max_size=16))
def test_compact_of_any_text_is_its_ascii_digits_without_separators(text: str) -> None:
    """ASCII digits alone come back as they are (every finding's number): the same as the general path gives."""
    general = "".join(c for c in text.translate(mynumber._TO_ASCII) if c not in mynumber._SEPARATORS)
    assert compact(text) == general


def test_mask_keeps_only_the_last_four_digits() -> None:
    assert mask("1234-5678-9018") == "********9018"


@pytest.mark.parametrize(
    ("text", "error"),
    [("12345678901", InvalidLength), ("1234567890123", InvalidLength), ("12345678901a", InvalidFormat),
     ("123456789012", InvalidChecksum)],
    ids=["11 digits", "13 digits", "a letter", "wrong check digit"],
)
def test_validate_says_why_without_repeating_the_number(text: str, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        validate(text)
    assert compact(text)[:8] not in str(raised.value)


def test_doctests_of_the_number_kind() -> None:
    failures, _ = doctest.testmod(mynumber)
    assert failures == 0
