"""Text normalisation shared by the rules loader and the context scorer.

Keywords and the text around a candidate are compared in one form, so "My Number", "my_number",
"ＭＹ　ＮＵＭＢＥＲ" and "ﾏｲﾅﾝﾊﾞｰ" are the same term.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata

_IGNORED = re.compile(r"[\s_\-・･]+")
_IGNORED_MARKS = ("_", "-", "・", "･")  # what normalisation removes besides whitespace


def normalise(text: str) -> str:
    """NFKC, case-folded, without spaces, '_', '-' and '・': :func:`normalise_plain`, with whitespace removed by
    ``str.split`` (the very test of ``re``'s ``\\s``) and the marks by ``str.replace``, cheaper than a regex
    substitution on the short slices around every candidate the scorer reads."""
    kept = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    for mark in _IGNORED_MARKS:
        if mark in kept:
            kept = kept.replace(mark, "")
    return kept


def normalise_plain(text: str) -> str:
    """The plain form of :func:`normalise`, its definition: one regex removes what is ignored."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def givers(chars: frozenset[str]) -> dict[str, frozenset[str]]:
    """The characters of the Basic Multilingual Plane that may give one of ``chars`` in :func:`normalise`'s
    output, each with those it may give: a superset, for a byte test that must never miss a keyword (a window
    none of whose characters gives every character of a keyword cannot hold it once normalised).

    NFKC is a compatibility decomposition (NFKD) and a canonical composition. A character that has no
    decomposition is never made by the composition, so it comes from the decomposition of some character of the
    text, folded; a composed one (ド, ば) needs its first decomposed character (ト, は), so that stands for it.
    Removing spaces and the like only takes characters away. Characters beyond the plane are left to the
    caller (treated as giving anything)."""
    return _givers(chars)


# Blocks of the plane whose characters have no decomposition and no case: each gives only itself (CJK Unified
# Ideographs and Extension A, Yi syllables; Unicode never adds a decomposition to a character it has). Hangul
# syllables give only conjoining jamo (U+1100-U+11FF), so they are left out unless a starter is one.
_ONLY_THEMSELVES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xA000, 0xA48D))
_HANGUL_SYLLABLES, _JAMO = (0xAC00, 0xD7A4), (0x1100, 0x1200)


def _kept_ranges(starters: dict[str, set[str]]) -> list[tuple[int, int]]:
    """The ranges of codes of the plane whose characters may give one of ``starters`` other than themselves."""
    skipped = list(_ONLY_THEMSELVES)
    if not any(_JAMO[0] <= ord(starter) < _JAMO[1] for starter in starters):
        skipped.append(_HANGUL_SYLLABLES)
    kept, low = [], 0
    for start, end in sorted(skipped):
        if start > low:
            kept.append((low, start))
        low = max(low, end)
    kept.append((low, 0x10000))
    return kept


@functools.cache
def _givers(chars: frozenset[str]) -> dict[str, frozenset[str]]:
    starters: dict[str, set[str]] = {}  # the first decomposed character of each of chars -> those it stands for
    for char in chars:
        starters.setdefault(unicodedata.normalize("NFKD", char)[:1] or char, set()).add(char)
    if not starters:
        return {}
    # Every character of the plane, each followed by NUL, decomposed, folded and decomposed again in one string:
    # NUL has no decomposition and no case, and stops the reordering of combining marks. The string is written as
    # UTF-32 by its bytes, low and high byte of each code a slice each. (NUL itself and the surrogates, which are
    # no characters, are U+0001 there: no decomposition, no case.) The blocks of characters that give only
    # themselves are left out of it (_ONLY_THEMSELVES), and those of them among the starters given themselves.
    utf32 = bytearray(8 * 0x10000)
    utf32[0::8] = bytes(range(256)) * 256
    utf32[1::8] = b"".join(bytes((high,)) * 256 for high in range(256))
    stand_in = b"\x01" + bytes(7)
    utf32[0:8] = stand_in
    utf32[8 * 0xD800:8 * 0xE000] = stand_in * 0x800
    kept = _kept_ranges(starters)
    plane = b"".join(utf32[8 * low:8 * high] for low, high in kept).decode("utf-32-le")
    firsts = list(itertools.accumulate((high - low for low, high in kept), initial=0))
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", plane).casefold())
    found: dict[str, set[str]] = {}
    index, counted = 0, 0
    for match in re.finditer("[" + re.escape("".join(starters)) + "]", folded):
        index += folded.count("\0", counted, match.start())
        counted = match.start()
        which = bisect.bisect_right(firsts, index) - 1
        found.setdefault(chr(kept[which][0] + index - firsts[which]), set()).update(starters[match.group()])
    for starter, given in starters.items():
        if not any(low <= ord(starter) < high for low, high in kept):
            found.setdefault(starter, set()).update(given)
    return {char: frozenset(given) for char, given in found.items()}
