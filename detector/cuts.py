"""Where text may be cut without changing what is found in it: shared by the text reader (its chunks, raw bytes
or decoded UTF-16), the matcher (its windows) and the watcher (the context it reads before new bytes).

The rule is stated once, over characters (:func:`last_cut`), and holds for decoded text and for the bytes of any
encoding read here alike: every character it looks for is ASCII, and in UTF-8, CP932 and EUC-JP an ASCII byte
below 0x40 is a character of its own, an ASCII letter one or the last byte of a CP932 character. So on UTF-8 the
two agree offset for offset (``tests/test_cuts.py``).

A cut just after a *safe character* decodes exactly as the whole text does, and a candidate never straddles it:
safe characters are ASCII below 0x40 (never the second byte of a CP932 character, never part of an EUC-JP or a
UTF-8 multi-byte character) that can be neither a digit, a separator of the 4-4-4 form, nor part of an escaped
number (%XX, \\uXXXX, &#NNNN; -- so not the semicolon that ends an entity). Each side of a cut carries
:data:`CONTEXT_BYTES` of the other as context only, so a number's context window is whole whatever the cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import AnyStr, Generic

from .rules import MAX_WINDOW

SAFE_CHARS = '\n\t\r,:"\'<>=()!?/'
SAFE_BYTES = SAFE_CHARS.encode("ascii")
# Context carried across a cut each way: the widest window rules may set (MAX_WINDOW characters of up to 4 bytes)
# and the widest candidate (12 full-width digits and two separators: 42 bytes in UTF-8).
CONTEXT_CHARS = MAX_WINDOW + 64
CONTEXT_BYTES = 4 * CONTEXT_CHARS

# ASCII letters that are no hex digit and no escape's letter (%XX, \\uXXXX, &#xXXXX;): never inside a number
# written plainly or escaped.
_NUMBERLESS_LETTERS = "G-TVWYZg-tvwyz_"
# What begins an escaped character (%XX, \\uXXXX, &#NNNN;), and how far before a hex letter one may stand: an
# escape is ASCII throughout, so only the ASCII characters just before the letter are looked at.
_ESCAPE_STARTS = r"%\\&"
_ESCAPE_REACH = 9
_HEX_TRIES = 64  # hex letters tried, from the end, before giving up on a stretch dense with escapes


class _CutRule(Generic[AnyStr]):
    """The rule of :func:`last_cut` compiled for one kind of text (str or bytes) from the one definition above."""

    def __init__(self, spelled: Callable[[str], AnyStr]) -> None:
        self.safe: tuple[AnyStr, ...] = tuple(spelled(char) for char in SAFE_CHARS)
        self.last_letter: re.Pattern[AnyStr] = re.compile(spelled(f"(?s).*[{_NUMBERLESS_LETTERS}]"))
        self.last_any_letter: re.Pattern[AnyStr] = re.compile(spelled("(?s).*[A-Za-z]"))
        self.escape_before: re.Pattern[AnyStr] = re.compile(spelled(f"[{_ESCAPE_STARTS}][\\x00-\\x7f]*\\Z"))
        self.digit: re.Pattern[AnyStr] = re.compile(spelled("[0-9]"))

    def last_cut(self, data: AnyStr, lo: int, hi: int) -> int | None:
        safe = max(data.rfind(char, lo, hi) for char in self.safe)
        if safe >= 0:
            return safe + 1
        letter = self.last_letter.match(data, lo, hi)
        if letter:
            return letter.end()
        end = hi
        for _ in range(_HEX_TRIES):
            found = self.last_any_letter.match(data, lo, end)
            if found is None:
                return None
            cut = found.end()
            if not self.digit.match(data, cut) and not self.escape_before.search(data, max(0, cut - _ESCAPE_REACH),
                                                                                 cut):
                return cut
            end = cut - 1
        return None


_IN_TEXT = _CutRule[str](str)
_IN_BYTES = _CutRule[bytes](lambda pattern: pattern.encode("ascii"))


def last_cut(data: AnyStr, lo: int, hi: int) -> int | None:
    """The last offset in ``data[lo:hi]`` where a line may be cut without cutting a number or a character: just
    after a safe character; else just after an ASCII letter that belongs to no number and no escaped one; else
    just after a hex letter not followed by a digit, with no escape's first character (``%``, backslash, ``&``)
    among the ASCII characters (at most 9) just before it (a stretch of hex or base64). None when there is none
    of these (Japanese with no ASCII, or nothing but digits and separators). ``data`` is decoded text or the
    bytes of an ASCII-compatible encoding. The one rule for every reader that must cut a line longer than what
    it reads at once (the text reader's chunks, raw or UTF-16, and the watcher's long lines)."""
    if isinstance(data, str):
        return _IN_TEXT.last_cut(data, lo, hi)
    return _IN_BYTES.last_cut(data, lo, hi)
