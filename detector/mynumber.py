"""The My Number (個人番号) as a number kind, in the manner of python-stdnum: compact, calc_check_digit,
validate, is_valid, format, mask.

The check digit is defined by the 総務省令 (Ordinance No. 85 of 2014, Article 5): for the first 11 digits,
P_n is the n-th digit from the right and Q_n = n + 1 for n <= 6, n - 5 for n >= 7;
r = sum(P_n * Q_n) mod 11; the check digit is 0 when r <= 1, else 11 - r.

>>> calc_check_digit("12345678901")
'8'
>>> is_valid("1234 5678 9018")
True
>>> validate("123456789012")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
    ...
detector.mynumber.InvalidChecksum: the check digit is wrong
>>> mask("123456789018")
'********9018'
>>> format("123456789018")
'1234 5678 9018'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from operator import mul

from .native import speedups

FULLWIDTH_DIGITS = "０１２３４５６７８９"
DIGIT_CLASS = "0-9０-９"  # a regex character class body: half- and full-width digits
_TO_ASCII = str.maketrans(FULLWIDTH_DIGITS, "0123456789")
_SEPARATORS = " -.\u3000－‐−ー\t"
# Q_n of the first 11 digits read left to right (P_11 first): n + 1 for n <= 6, n - 5 for n >= 7.
WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(11, 0, -1))
_CODE_OFFSET = 48 * sum(WEIGHTS)  # the weighted sum of eleven "0" characters' codes


class InvalidNumber(ValueError):
    """Base of the reasons a text is not a valid My Number. Messages never repeat the number."""


class InvalidFormat(InvalidNumber):
    pass


class InvalidLength(InvalidNumber):
    pass


class InvalidChecksum(InvalidNumber):
    pass


def compact(number: str) -> str:
    """Remove separators and turn full-width digits into ASCII ones. (ASCII digits alone, what every finding's
    number is, are returned as they are: the character loop below gives them back unchanged.)"""
    if number.isdigit() and number.isascii():
        return number
    text = number.translate(_TO_ASCII)
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def check_digit(weighted_sum: int) -> int:
    """The check digit for the sum of the first 11 digits times their :data:`WEIGHTS`: the one definition,
    which the byte-level checks of :mod:`detector.match` and the C pass (``_speedups.c``) are tested against.
    Only the sum's remainder mod 11 counts, so a sum of per-digit remainders gives the same digit."""
    remainder = weighted_sum % 11
    return 0 if remainder <= 1 else 11 - remainder


def calc_check_digit(first11: str) -> str:
    """The check digit of the first 11 digits (ASCII)."""
    return str(check_digit(sum(int(digit) * weight for digit, weight in zip(first11, WEIGHTS, strict=True))))


def validate(number: str) -> str:
    """Return the compact form of ``number`` or raise an :class:`InvalidNumber` subclass saying why not."""
    digits = compact(number)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidFormat("it contains characters other than digits and separators")
    if len(digits) != 12:
        raise InvalidLength(f"it has {len(digits)} digits; a My Number has 12")
    if calc_check_digit(digits[:11]) != digits[11]:
        raise InvalidChecksum("the check digit is wrong")
    return digits


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid My Number (separators and full-width digits allowed)."""
    try:
        validate(number)
    except InvalidNumber:
        return False
    return True


def is_valid_digits(digits: str) -> bool:
    """Fast check of exactly 12 ASCII digits; the hot path of the scanner. The weighted sum is taken over the
    characters' codes in C (``map``), each code 48 above its digit: the 48s are taken off at once
    (:data:`_CODE_OFFSET`), which leaves the sum of :func:`calc_check_digit` for any 12 characters."""
    return ord(digits[11]) - 48 == check_digit(sum(map(mul, map(ord, digits), WEIGHTS)) - _CODE_OFFSET)


def format(number: str) -> str:
    """The 4-4-4 form with spaces, as printed on the card."""
    digits = compact(number)
    return f"{digits[:4]} {digits[4:8]} {digits[8:]}"


def mask(number: str) -> str:
    """All but the last four digits hidden: enough to tell people apart in a report, not enough to misuse."""
    digits = compact(number)
    return "*" * (len(digits) - 4) + digits[-4:]


def to_ascii(text: str) -> str:
    """Full-width digits to ASCII, nothing else changed (ASCII text, most numbers, is returned as it is)."""
    return text if text.isascii() else text.translate(_TO_ASCII)


# -- the shapes a number is written in, for the tests that must never miss one ---------------------------

# Hints that a line holds an escaped number: percent-encoding, JSON \\uXXXX escapes, HTML character references,
# and digits joined by an escaped separator. Each is paired with the bytes it cannot occur without, so a
# prefilter runs it only over data holding one of them. ("\\u", not a bare backslash: 0x5C is the second byte
# of many CP932 characters, such as ソ and 表, so it is in nearly every chunk of Japanese text.)
_BACKSLASH_U = (b"\\u", b"\\U")
ESCAPE_HINTS: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"%",), r"%(?:ef%bc%9[0-9]|3[0-9])"),
    (_BACKSLASH_U, r"\\u(?:ff1[0-9]|003[0-9])"),
    ((b"&",), r"&#(?:6529[6-9]|6530[0-5]|4[89]|5[0-7]|x(?:ff1[0-9]|3[0-9]));"),
    ((b"+", b"%", *_BACKSLASH_U), r"[0-9]{4}(?:\+|%[0-9a-f]{2}|\\u[0-9a-f]{4})[0-9]"),
)
ESCAPE_HINT = "|".join(pattern for _, pattern in ESCAPE_HINTS)
_ESCAPE_HINT_RE = re.compile(ESCAPE_HINT, re.IGNORECASE)
_HINT_NEEDS = tuple({needed.decode("ascii") for needs, _ in ESCAPE_HINTS for needed in needs})
# What no candidate is found without (the finder, detector.candidates.DigitFinder, whatever the rules' separators,
# and a name's cheap test, detector.names.may_hold_number): twelve digits in a row, or three groups of four with
# the same character between them (any character but a digit and the NUL that joins names). One pattern with an
# optional separator, not an alternation: re's search runs twice as fast on digit-dense text.
COULD_HOLD = re.compile(f"[{DIGIT_CLASS}]{{4}}([^{DIGIT_CLASS}\\x00]?)[{DIGIT_CLASS}]{{4}}\\1[{DIGIT_CLASS}]{{4}}")


def could_hold(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` outside which no candidate is found: a scan of a string holding ``text`` finds candidates
    (by the finder, or on an escape hint's line) only within, or across, them. A superset with no look at the
    characters around it, so the strings of many table rows can be asked at once (joined by any character: each
    row's spans overlap one of the joined text's, as ``finditer`` reports each span that does not overlap one it
    reported before). Escape hints are looked for only in text holding a character one needs."""
    yield from _could_hold_spans(text)
    if any(needed in text for needed in _HINT_NEEDS):
        yield from (match.span() for match in _ESCAPE_HINT_RE.finditer(text))


def could_hold_spans_plain(text: str) -> list[tuple[int, int]]:
    """The spans of :data:`COULD_HOLD` in ``text``, by ``re``: the definition. The C speed-ups give the same in one
    pass over the characters (``could_hold_spans``; re's search of the pattern, whose backreference it cannot
    skip ahead on, took most of a large table's time: ``tests/test_could_hold.py`` holds the two together)."""
    return [match.span() for match in COULD_HOLD.finditer(text)]


_could_hold_spans: Callable[[str], list[tuple[int, int]]] = getattr(speedups, "could_hold_spans",
                                                                   could_hold_spans_plain)
