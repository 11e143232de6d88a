"""Misread repair: OCR'd text in which a My Number was read with a letter for a digit, or read wrong.

A 12-character group beside a My Number keyword (個人番号, マイナンバー ...) that holds letters OCR engines put for
digits (``O`` for 0, ``l`` for 1, ``B`` for 8 ...) or whose check digit fails is far more likely a misread of a real
number than anything else. The check digit can tell a good reading from a bad one, so the letters are tried as the
digits they are mistaken for, and a reading is taken only when exactly one of the readings passes. What no reading
saves is an :class:`Unreadable` span: listed for a person to look at, never a person, never dropped in silence.

What the repair guarantees (``tests/test_ocr_repair.py`` states each as a property):

* it changes letters only, each into a digit it is mistaken for, and at most ``max_changes`` of them in a group; a
  digit the engine read is never changed, so a number read with wrong digits is never turned into another one;
* the text keeps its length, so offsets, lines and context stay where the engine put them;
* a group far from every My Number keyword is left alone (an order number may hold letters and digits);
* a group beside a keyword is, after the repair, either a number the check digit accepts or an ``Unreadable``.

What stays unreadable may be read again, digits only, on its region of the picture
(:meth:`MisreadRepair.read_again`): that reading replaces the group only where two readings at different sizes give
the same 12 digits, the check digit accepts them, and they differ from the first reading in at most ``max_changes``
places; it is the one way a digit the engine read is changed, and never into a number two readings do not agree on.

The repair works on text alone (``str`` in, text and spans out): the OCR extractor calls it before making units,
and hands it the second readings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product

from ..mynumber import is_valid_digits, to_ascii
from ..normalize import normalise
from ..rules import Rules

# A character as the engine read it -> the digits it is commonly mistaken for (Tesseract on printed Japanese forms
# and cards: 0/O/D/Q and the kanji zero 〇, 1/l/I/| and the brackets, 2/Z, 5/S, 6/b/G, 8/B, 9/g/q; fixtures/ocr
# has the card where jpn reads a 1 as "["). Full-width forms (Ｏ, ｌ) are added below. Each letter names one digit
# here; a table naming several is tried reading by reading.
CONFUSIONS: Mapping[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0",
    "l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "[": "1", "]": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "b": "6", "G": "6",
    "B": "8",
    "g": "9", "q": "9",
}
# A group with more letters than this is not a number at all (a word, a code); between the repair's bound and
# this, it is a number too damaged to read.
_MOST_LETTERS = 4


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A possible My Number that no reading saves: where it is in the text (``start``/``end``, characters), all but
    its last four characters masked as they were read, and why it stays unread ("the check digit fails")."""

    start: int
    end: int
    masked: str
    reason: str
    read: str = field(default="", repr=False)  # the 12 characters as read: for a second reading to compare with


@dataclass(frozen=True, slots=True)
class Repaired:
    """The text with its misreads repaired (same length as the text given), how many groups were repaired, and
    the possible numbers left unreadable."""

    text: str
    repaired: int
    unreadable: tuple[Unreadable, ...]


def masked_as_read(read: str) -> str:
    """All but the last four characters of a 12-character group masked, those four as read in ASCII (a full-width
    letter as its ASCII form, any other character as ``?``), so a person can find the number in the picture."""
    def ascii_of(char: str) -> str:
        if "!" <= char <= "~":
            return char
        if "！" <= char <= "～":
            return chr(ord(char) - 0xFEE0)
        return "?"

    return "*" * 8 + "".join(ascii_of(char) for char in read[-4:])


def _with_full_width(table: Mapping[str, str]) -> dict[str, str]:
    out = dict(table)
    for char, digits in table.items():
        if "!" <= char <= "~":
            out[chr(ord(char) + 0xFEE0)] = digits
    return out


class MisreadRepair:
    """Repairs the misread numbers of OCR'd text. Built once from the rules (the keywords and their window), then
    called on each page's text."""

    def __init__(self, keywords: Iterable[str], separators: str, before: int = 40, after: int = 24,
                 confusions: Mapping[str, str] = CONFUSIONS, max_changes: int = 2) -> None:
        """``keywords`` normalised as :func:`detector.normalize.normalise` writes them (the rules' terms are);
        ``separators`` those allowed between the groups of a 4-4-4 number (the rules' ``candidate.separators``)."""
        self.keywords = tuple(keywords)
        self.separators = separators
        self.before, self.after = before, after
        self.confusions = _with_full_width(confusions)
        self.max_changes = max_changes
        char = "[0-9０-９" + "".join(re.escape(c) for c in self.confusions) + "]"
        sep = "[" + re.escape(separators) + "]"
        self._group = re.compile(
            rf"(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ{''.join(re.escape(c) for c in self.confusions)}])"
            rf"(?<!{char}{sep})"
            rf"(?:{char}{{12}}|{char}{{4}}({sep}){char}{{4}}{sep}{char}{{4}})"
            rf"(?!{sep}?{char})(?![A-Za-zＡ-Ｚａ-ｚ])")

    @classmethod
    def from_rules(cls, rules: Rules) -> MisreadRepair:
        """The repair with the rules' My Number keywords and context window (rules/context.toml) and their
        separators of the 4-4-4 form (rules/detection.toml)."""
        return cls((term.text for term in rules.keywords), "".join(rules.separators), rules.window_before,
                   rules.window_after)

    def __call__(self, text: str) -> Repaired:
        out = list(text)
        repaired = 0
        unreadable: list[Unreadable] = []
        for match in self._group.finditer(text):
            start, end = match.span()
            places = [i for i in range(start, end) if text[i] not in self.separators]  # the 12 characters
            read = "".join(to_ascii(text[i]) for i in places)
            slots = [slot for slot, char in enumerate(read) if char in self.confusions]
            if len(slots) > _MOST_LETTERS or not self._near_keyword(text, start, end):
                continue
            if not slots and is_valid_digits(read):
                continue
            reading, reason = self._reading(read, slots)
            if reading is None:
                unreadable.append(Unreadable(start, end, masked_as_read(read), reason, read))
                continue
            for slot in slots:
                out[places[slot]] = reading[slot]
            separator = match.group(1)
            if separator:  # the matcher wants the same separator twice
                out[start + 9] = separator
            repaired += 1
        return Repaired("".join(out), repaired, tuple(unreadable))

    def read_again(self, text: str, unreadable: Unreadable, readings: Iterable[str]) -> str | None:
        """``text`` with the group of ``unreadable`` replaced by the digits that second, digits-only readings of its
        region (``readings``, at different sizes) agree on, or None when no reading stands. A reading stands when
        two of them give it, it passes the check digit, and it differs from the first reading in at most
        ``max_changes`` places (a misread is a character or two; a reading that differs in more is of something
        else). One reading alone passes the check digit by chance one time in ten, so it is never enough. A
        reading with more than 12 digits (a table's border read as a 1) offers each run of 12 in it."""
        seen: set[str] = set()
        for again in readings:
            offered = set(self._offered(unreadable.read, again))
            agreed = offered & seen
            if agreed:
                return self._substituted(text, unreadable, min(agreed))
            seen |= offered
        return None

    def _offered(self, first: str, again: str) -> Iterator[str]:
        digits = "".join(char for char in to_ascii(again) if char.isdigit())
        for start in range(max(0, len(digits) - 11)):
            reading = digits[start:start + 12]
            if is_valid_digits(reading) and \
                    sum(one != other for one, other in zip(first, reading, strict=True)) <= self.max_changes:
                yield reading

    def _substituted(self, text: str, unreadable: Unreadable, digits: str) -> str:
        out = list(text)
        places = [i for i in range(unreadable.start, unreadable.end) if text[i] not in self.separators]
        for place, digit in zip(places, digits, strict=True):
            out[place] = digit
        if len(places) < unreadable.end - unreadable.start:  # 4-4-4: the matcher wants the same separator twice
            out[unreadable.start + 9] = text[unreadable.start + 4]
        return "".join(out)

    def _reading(self, read: str, slots: list[int]) -> tuple[str | None, str]:
        """The one reading of ``read`` (its letters at ``slots`` taken as digits) that passes the check digit, or
        None and why there is none."""
        if not slots:
            return None, "the check digit fails"
        if len(slots) > self.max_changes:
            return None, f"{len(slots)} characters unreadable"
        passing = []
        for digits in product(*(self.confusions[read[slot]] for slot in slots)):
            reading = list(read)
            for slot, digit in zip(slots, digits, strict=True):
                reading[slot] = digit
            if is_valid_digits("".join(reading)):
                passing.append("".join(reading))
        if len(passing) == 1:
            return passing[0], ""
        return None, ("no reading passes the check digit" if not passing
                      else "several readings pass the check digit")

    def _near_keyword(self, text: str, start: int, end: int) -> bool:
        around = normalise(text[max(0, start - self.before):start] + "\n" + text[end:end + self.after])
        return any(keyword in around for keyword in self.keywords)
