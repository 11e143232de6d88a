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

The repair works on text alone (``str`` in, text and spans out): the OCR extractor calls it before making units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


# What a possible number no reading saves is called wherever it is listed (the reason of an unscanned entry).
UNREADABLE = "possible My Number, unreadable"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A possible My Number that no reading saves: where it is in the text (``start``/``end``, characters), all but
    its last four characters masked as they were read, and why it stays unread ("the check digit fails")."""

    start: int
    end: int
    masked: str
    reason: str


@dataclass(frozen=True, slots=True)
class Repaired:
    """The text with its misreads repaired (same length as the text given), how many groups were repaired, and
    the possible numbers left unreadable."""

    text: str
    repaired: int
    unreadable: tuple[Unreadable, ...]


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
                unreadable.append(Unreadable(start, end, "*" * 8 + read[-4:], reason))
                continue
            for slot in slots:
                out[places[slot]] = reading[slot]
            separator = match.group(1)
            if separator:  # the matcher wants the same separator twice
                out[start + 9] = separator
            repaired += 1
        return Repaired("".join(out), repaired, tuple(unreadable))

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
