"""Candidates: 12-digit numbers in decoded text, with the guards that keep longer numbers out.

A candidate is 12 digits, half-width, full-width or mixed, either contiguous or as 4-4-4 groups joined by the
same separator twice (separators come from rules/detection.toml). It must not be part of a longer run of
digits, nor of a longer grouped number (a 4-4-4-4 card number, 2026-1234-5678-9012), nor be glued to digits
by a hyphen or dot (1234-123456789012, 123456789012.5). Only candidates with a valid check digit are kept.

This is the reference semantics: the accelerated path in :mod:`detector.matcher` only decides *where* to
run this finder, never what it finds.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from .mynumber import DIGIT_CLASS, FULLWIDTH_DIGITS, is_valid_digits, to_ascii

_HYPHENS_AND_DOTS = "-.－‐−ー‑–"

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
_JSON_ESCAPE_RE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate in a text: where it is, its 12 ASCII digits, and whether it was written 4-4-4."""

    start: int
    end: int
    digits: str
    grouped: bool


class DigitFinder:
    """Finds check-digit-valid candidates in a str."""

    def __init__(self, separators: tuple[str, ...]) -> None:
        digit = f"[{DIGIT_CLASS}]"
        seps = "".join(re.escape(s) for s in separators) or r"\-"
        # Starting with the digit class (not a lookbehind) keeps re's fast skip to a possible first character.
        self.regex = re.compile(
            f"{digit}(?<!{digit}{digit})(?:{digit}{{11}}|{digit}{{3}}([{seps}]){digit}{{4}}\\1{digit}{{4}})(?!{digit})"
        )
        self._is_digit = frozenset("0123456789" + FULLWIDTH_DIGITS)

    def find(self, text: str, pos: int = 0) -> Iterator[Match]:
        is_digit = self._is_digit
        for m in self.regex.finditer(text, pos):
            start, end = m.span()
            sep = m.group(1)
            raw = m.group()
            digits = to_ascii(raw if sep is None else raw.replace(sep, ""))
            if not is_valid_digits(digits):
                continue
            before2 = text[max(0, start - 2):start]
            after2 = text[end:end + 2]
            if sep is not None:
                joiners: str = sep
            else:
                joiners = _HYPHENS_AND_DOTS
            if len(before2) == 2 and before2[1] in joiners and before2[0] in is_digit:
                continue
            if len(after2) == 2 and after2[0] in joiners and after2[1] in is_digit:
                continue
            yield Match(start, end, digits, sep is not None)


def has_escape_hint(text: str) -> bool:
    return _ESCAPE_HINT_RE.search(text) is not None


def iter_escape_hint_lines(text: str, pos: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each distinct line of ``text`` from ``pos`` holding an escape hint."""
    last_end = -1
    for m in _ESCAPE_HINT_RE.finditer(text, pos):
        if m.start() < last_end:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        last_end = len(text) if end < 0 else end
        yield start, last_end


def unescape(line: str) -> str:
    """Undo the escapes logs and web pages put around values: percent-encoding (with '+'), JSON \\uXXXX and
    HTML character references. Used only on lines with a hint, so ordinary text is never rewritten."""
    text = _JSON_ESCAPE_RE.sub(_json_escape, line)
    if "%" in text or "+" in text:
        text = urllib.parse.unquote_plus(text, errors="replace")
    if "&#" in text:
        text = html.unescape(text)
    return text


def _json_escape(m: re.Match[str]) -> str:
    if m.group(3) is not None:
        code = int(m.group(3), 16)
        return chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"
    high, low = int(m.group(1), 16), int(m.group(2), 16)
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
