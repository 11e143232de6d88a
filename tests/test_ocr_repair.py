"""The misread repair (detector/ocr/repair.py): OCR'd text in, the text with its misread numbers repaired and the
possible numbers no reading saves out.

What it guarantees, each stated below as a property over random numbers:

* a valid number read with up to two letters for digits (O for 0, l for 1, B for 8 ...) beside a My Number
  keyword is repaired to itself;
* a digit the engine read is never changed: a number read with wrong digits is never turned into another valid
  number, it stays what it was read as (found if the check digit happens to accept it, else listed unreadable);
* beside a keyword, a group is after the repair either a valid number or listed unreadable: never dropped;
* the text keeps its length and nothing away from a keyword changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detector.extract import PossibleNumber, Skipped, TextUnit
from detector.extract.pictures import PictureReader
from detector.model import Location
from detector.mynumber import calc_check_digit, compact, is_valid
from detector.ocr import Box, Word
from detector.ocr.repair import CONFUSIONS, MisreadRepair
from detector.rules import Rules

from .conftest import invalid_number, valid_number

if TYPE_CHECKING:
    from pathlib import Path

    from PIL.Image import Image

# The letters that stand for each digit (the table names one digit a letter).
LETTERS_FOR = {digit: [letter for letter, digits in CONFUSIONS.items() if digit in digits] for digit in "0123456789"}


@pytest.fixture(scope="module")
def repair(rules: Rules) -> MisreadRepair:
    return MisreadRepair.from_rules(rules)


def grouped(number: str, sep: str = " ") -> str:
    return sep.join((number[:4], number[4:8], number[8:]))


def test_the_usual_confusions() -> None:
    assert {CONFUSIONS[c] for c in "ODQ〇"} == {"0"} and {CONFUSIONS[c] for c in "lI|"} == {"1"}
    assert (CONFUSIONS["Z"], CONFUSIONS["S"], CONFUSIONS["b"], CONFUSIONS["G"], CONFUSIONS["B"], CONFUSIONS["g"]) == \
        ("2", "5", "6", "6", "8", "9")


@pytest.mark.parametrize("template", ["個人番号 {}", "個人番号\n{}", "マイナンバー:{}", "{} (通知カード)",
                                      "My Number: {}"])
def test_a_keyword_before_above_or_after_the_number(repair: MisreadRepair, template: str) -> None:
    number = "735186420934"  # valid, with one 0 and one 1
    misread = number.replace("0", "O").replace("1", "l")
    assert repair(template.format(grouped(misread))).text == template.format(grouped(number))


def test_full_width_letters_and_digits(repair: MisreadRepair) -> None:
    number = valid_number(7)
    full = grouped(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    index = next(i for i, c in enumerate(full) if c in "０１")
    letter = {"０": "Ｏ", "１": "ｌ"}[full[index]]
    text = f"個人番号：{full[:index]}{letter}{full[index + 1:]}"
    fixed = repair(text)
    assert fixed.repaired == 1 and is_valid(fixed.text.removeprefix("個人番号："))


def test_mixed_separators_become_the_same_twice(repair: MisreadRepair) -> None:
    """The matcher wants the same separator twice; a repaired number keeps the first."""
    number = "735186420934"
    misread = number.replace("0", "O")
    fixed = repair(f"個人番号 {misread[:4]} {misread[4:8]}-{misread[8:]}")
    assert fixed.text == f"個人番号 {grouped(number)}"


def test_a_wrong_check_digit_beside_the_keyword_is_listed_unreadable_and_masked(repair: MisreadRepair) -> None:
    number = invalid_number(3)
    fixed = repair(f"扶養親族 個人番号 {grouped(number)} 平成10年")
    assert fixed.text == f"扶養親族 個人番号 {grouped(number)} 平成10年"
    [unreadable] = fixed.unreadable
    assert unreadable.masked == "********" + number[-4:] and number not in repr(unreadable)
    assert (unreadable.start, unreadable.end) == (10, 24)
    assert unreadable.reason == "the check digit fails"


def test_more_than_four_letters_is_no_number_at_all(repair: MisreadRepair) -> None:
    """Five letters in twelve characters: a code or a word, not a number to list."""
    fixed = repair("個人番号 l2S4 5G7B 9O18")
    assert fixed.text == "個人番号 l2S4 5G7B 9O18" and not fixed.unreadable


def test_three_letters_are_unreadable(repair: MisreadRepair) -> None:
    fixed = repair("個人番号 l234 5G78 9O18")
    assert [u.reason for u in fixed.unreadable] == ["3 characters unreadable"]


def test_ambiguous_readings_are_not_guessed(rules: Rules) -> None:
    """A table where a letter may be two digits: when both readings pass, neither is taken."""
    repair = MisreadRepair(["個人番号"], "".join(rules.separators), confusions={"?": "0123456789"})
    number = valid_number(5)
    fixed = repair(f"個人番号 {number[:5]}?{number[6:]}")
    readings = [number[:5] + d + number[6:] for d in "0123456789" if is_valid(number[:5] + d + number[6:])]
    if len(readings) == 1:
        assert fixed.text == f"個人番号 {readings[0]}"
    else:
        assert fixed.unreadable[0].reason == "several readings pass the check digit"


def test_away_from_a_keyword_nothing_changes(repair: MisreadRepair) -> None:
    for text in ("注文番号 1234 5678 9O18", "ロットNo. 1234 5678 9O18 出荷", f"{invalid_number(2)} 件"):
        assert repair(text).text == text and not repair(text).unreadable


def test_longer_numbers_and_words_are_not_candidates(repair: MisreadRepair) -> None:
    for text in ("個人番号 1234 5678 9O18 1111", "個人番号 ID1234567890l8", "個人番号 12345678901234",
                 "個人番号 OOOO OOOO OOOO", "個人番号 SOLD OUT"):
        assert repair(text).text == text and not repair(text).unreadable


def test_a_valid_number_is_left_alone(repair: MisreadRepair) -> None:
    text = f"個人番号 {grouped(valid_number(9), '-')}"
    assert repair(text).text == text and repair(text).repaired == 0 and not repair(text).unreadable


# --- properties ------------------------------------------------------------------------------------------------

bodies = st.text(alphabet="0123456789", min_size=11, max_size=11)
keywords = st.sampled_from(["個人番号", "マイナンバー", "通知カード", "個人番号カード"])
separators = st.sampled_from(["", " ", "-", "\u3000"])


def _number(body: str) -> str:
    return body + calc_check_digit(body)


def _misread(number: str, positions: list[int], draw_letter: st.DataObject) -> str:
    chars = list(number)
    for position in positions:
        letters = LETTERS_FOR[chars[position]]
        if letters:
            chars[position] = draw_letter.draw(st.sampled_from(letters))
    return "".join(chars)


def _written(number: str, sep: str) -> str:
    return grouped(number, sep) if sep else number


@given(body=bodies, keyword=keywords, sep=separators, data=st.data())
def test_property_up_to_two_letters_for_digits_are_repaired_to_the_number(
        repair: MisreadRepair, body: str, keyword: str, sep: str, data: st.DataObject) -> None:
    number = _number(body)
    positions = data.draw(st.lists(st.integers(0, 11), min_size=1, max_size=2, unique=True))
    misread = _misread(number, positions, data)
    text = f"{keyword}: {_written(misread, sep)}"
    fixed = repair(text)
    assert fixed.text == f"{keyword}: {_written(number, sep)}"
    assert not fixed.unreadable and fixed.repaired == (misread != number)


@given(body=bodies, keyword=keywords, sep=separators, data=st.data())
def test_property_wrong_digits_are_never_turned_into_another_number(
        repair: MisreadRepair, body: str, keyword: str, sep: str, data: st.DataObject) -> None:
    """Two digits read wrong, and a letter for a third: the repair changes no digit, so the true number does not
    come back, and the group is either a valid number as read (the check digit's 1-in-11 chance, which the
    repair does not add to) or listed unreadable."""
    number = _number(body)
    wrong = data.draw(st.lists(st.integers(0, 11), min_size=2, max_size=2, unique=True))
    read = list(number)
    for position in wrong:
        read[position] = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    letter_at = data.draw(st.sampled_from([i for i in range(12) if i not in wrong]))
    misread = _misread("".join(read), [letter_at], data)
    prefix = f"{keyword} "
    fixed = repair(prefix + _written(misread, sep))
    after = compact(fixed.text.removeprefix(prefix))
    assert all(a == m for a, m in zip(after, misread, strict=True) if m.isdigit())
    assert after != number
    assert is_valid(after) or len(fixed.unreadable) == 1


pieces = st.sampled_from(["個人番号", "注文番号", "マイナンバー", " ", "-", "\n", "1234", "5678", "9018", "O", "l", "I",
                          "B", "S", "Z", "g", "b", "G", *"0123456789"])


@given(text=st.lists(pieces, max_size=30).map("".join))
def test_property_the_text_keeps_its_length_and_only_letters_change(repair: MisreadRepair, text: str) -> None:
    fixed = repair(text)
    assert len(fixed.text) == len(text)
    for before, after in zip(text, fixed.text, strict=True):
        assert before == after or (before in CONFUSIONS and after in CONFUSIONS[before]) or \
            (before in repair.separators and after in repair.separators)


# --- in the picture reader -------------------------------------------------------------------------------------

class ReadsLines:
    """An engine that reads the given lines off any picture, one word a line, 30 pixels apart."""

    name = "lines"

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def read(self, image: object, timeout: float) -> list[Word]:
        return [Word(text, Box(10, 30 * index, 10 + 20 * len(text), 30 * index + 24), 90.0, index)
                for index, text in enumerate(self.lines)]

    def read_digits(self, image: object, timeout: float) -> str:
        return ""  # the second reading reads nothing: what the first left unreadable stays so


def _noise() -> Image:
    from PIL import Image as PIL

    return PIL.effect_noise((200, 120), 80).convert("L")


def test_the_picture_reader_repairs_the_lines_and_lists_what_no_reading_saves(repair: MisreadRepair) -> None:
    """The reader hands the matcher repaired lines, and gives each possible number no reading saves as a possible
    number (not a part not read): masked, located on its page and as read by OCR, with the reason, never a
    person."""
    good, typo = "735186420934", invalid_number(4)
    engine = ReadsLines(["個人番号", grouped(good.replace("0", "O").replace("1", "[")), f"扶養親族 個人番号 {typo}"])
    items = list(PictureReader(engine=engine, repair=repair).units(_noise(), page=2))
    texts = [item.text[item.scan_from:item.scan_to] for item in items if isinstance(item, TextUnit)]
    assert grouped(good) in texts
    assert [item for item in items if isinstance(item, PossibleNumber)] == \
        [PossibleNumber(f"********{typo[-4:]}", "the check digit fails", Location(page=2, ocr=True))]
    assert not [item for item in items if isinstance(item, Skipped)]
    assert not any(typo in repr(item) for item in items if isinstance(item, PossibleNumber))


def test_the_repair_looks_near_the_scans_own_keywords(tmp_path: Path) -> None:
    """A keyword added with ``--rules`` is one the repair looks near, as the scorer does: the reader's repair is
    built from the scan's rules (``PictureSettings.of``), not from the packaged ones."""
    from detector.extract.pictures import PictureSettings
    from detector.rules import load_rules

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "context.toml").write_text(
        'schema = 1\n[[keyword]]\nid = "shain-bango"\nterms = ["従業員識別子"]\n', encoding="utf-8")
    number = next(n for n in map(valid_number, range(100)) if "1" in n)
    misread = number.replace("1", "l", 1)
    text = f"従業員識別子 {misread}"
    packaged = PictureReader(PictureSettings.of(True, None, load_rules())).repair()(text)
    own = PictureReader(PictureSettings.of(True, None, load_rules([folder]))).repair()(text)
    assert packaged.text == text  # the packaged rules know no such keyword: nothing near it is touched
    assert own.text == f"従業員識別子 {number}" and own.repaired == 1


# --- the second, digits-only reading ------------------------------------------------------------------------------

def test_a_second_reading_stands_only_where_two_readings_agree(repair: MisreadRepair) -> None:
    """The group the first reading got wrong (a 6 read for a 5: no letter to repair) is replaced by digits two
    readings of its region agree on; one reading alone passes the check digit by chance one time in ten."""
    good = "735186420934"
    misread = good[:2] + "6" + good[3:]
    assert not is_valid(misread)
    text = f"個人番号 {grouped(misread)}"
    unreadable = repair(text).unreadable[0]
    assert repair.read_again(text, unreadable, [grouped(good)]) is None
    assert repair.read_again(text, unreadable, ["", grouped(good), good]) == f"個人番号 {grouped(good)}"


def test_a_second_reading_of_something_else_or_failing_the_check_digit_does_not_stand(
        repair: MisreadRepair) -> None:
    good, other = "735186420934", valid_number(77)
    text = f"個人番号 {good[:11]}{(int(good[11]) + 1) % 10}"
    unreadable = repair(text).unreadable[0]
    assert repair.read_again(text, unreadable, [other, other]) is None  # differs in more than two places
    assert repair.read_again(text, unreadable, [good[:11] + "x", good[:11]]) is None  # not 12 digits
    # A table's border read as a 1 before the number: each run of 12 digits is offered.
    assert repair.read_again(text, unreadable, ["1" + good, good]) == f"個人番号 {good}"


@given(st.text(alphabet="0123456789 ", max_size=30), st.text(alphabet="0123456789 ", max_size=30))
def test_what_a_second_reading_gives_passes_the_check_digit_and_keeps_the_length(first: str, second: str) -> None:
    from detector.ocr.repair import MisreadRepair as Repair

    repair = Repair(["個人番号"], " -")
    text = "個人番号 1234 5678 9010"
    entries = repair(text).unreadable
    assert entries
    again = repair.read_again(text, entries[0], [first, second])
    if again is not None:
        assert len(again) == len(text)
        assert is_valid(compact(again[5:]))
