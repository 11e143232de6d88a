"""Candidates: 12-digit numbers in decoded text, with the guards that keep longer numbers out.

A candidate is 12 digits, half-width, full-width or mixed, either contiguous or as 4-4-4 groups joined by the
same separator twice (separators come from rules/detection.toml). It must not be part of a longer run of
digits, nor of a longer grouped number (a 4-4-4-4 card number, 2026-1234-5678-9012), nor be glued to digits
by a hyphen or dot (1234-123456789012, 123456789012.5). Only candidates with a valid check digit are kept.

This is the reference semantics, the one definition of a candidate: the engines of :mod:`detector.match` only
decide *where* to run this finder, never what it finds; their byte-level shortcuts (and the C pass) are twins
of :func:`glued` and :func:`detector.mynumber.check_digit`, tested against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from .mynumber import DIGIT_CLASS, ESCAPE_HINT, FULLWIDTH_DIGITS, is_valid_digits, to_ascii

# What glues a contiguous candidate to the digits beside it (a grouped one is glued by its own separator).
JOINERS = "-.－‐−ー‑–"

_ESCAPE_HINT_RE = re.compile(ESCAPE_HINT, re.IGNORECASE)
_JSON_ESCAPE_RE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


class Match(NamedTuple):
    """A candidate in a text: where it is, its 12 ASCII digits, and whether it was written 4-4-4 (a tuple: one
    is made for every candidate of every window)."""

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

    def find(self, text: str, pos: int = 0) -> Iterator[Match]:
        for m in self.regex.finditer(text, pos):
            start, end = m.span()
            sep = m.group(1)
            raw = m.group()
            digits = to_ascii(raw if sep is None else raw.replace(sep, ""))
            if is_valid_digits(digits) and not glued(text, start, end, JOINERS if sep is None else sep):
                yield Match(start, end, digits, sep is not None)


_DIGITS = frozenset("0123456789" + FULLWIDTH_DIGITS)


def glued(text: str, start: int, end: int, joiners: str) -> bool:
    """The one "glued" rule: ``text[start:end]`` is part of a longer number when one of ``joiners`` and a
    digit sit right before it or right after it (1234-123456789012, 123456789012.5, a 4-4-4-4 card number).
    (A digit right beside it is ruled out by the finder's pattern.)"""
    return ((start >= 2 and text[start - 1] in joiners and text[start - 2] in _DIGITS)
            or (end + 2 <= len(text) and text[end] in joiners and text[end + 1] in _DIGITS))


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
    import html  # here: only lines with a hint need these two, and most scans meet none (start-up time)
    import urllib.parse

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
