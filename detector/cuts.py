"""Where text may be cut without changing what is found in it: shared by the text reader (its chunks), the
matcher (its windows) and the watcher (the context it reads before new bytes).

A cut just after a *safe byte* decodes exactly as the whole text does, and a candidate never straddles it:
safe bytes are ASCII below 0x40 (never the second byte of a CP932 character, never part of an EUC-JP or a
UTF-8 multi-byte character) that can be neither a digit, a separator of the 4-4-4 form, nor part of an
escaped number (%XX, \\uXXXX, &#NNNN; -- so not the semicolon that ends an entity). Each side of a cut
carries :data:`CONTEXT_BYTES` of the other as context only, so a number's context window is whole whatever
the cut.
"""

from __future__ import annotations

import re

from .rules import MAX_WINDOW

SAFE_BYTES = b'\n\t\r,:"\'<>=()!?/'
# Context carried across a cut each way: the widest window rules may set (MAX_WINDOW characters of up to 4 bytes)
# and the widest candidate (12 full-width digits and two separators: 42 bytes in UTF-8).
CONTEXT_CHARS = MAX_WINDOW + 64
CONTEXT_BYTES = 4 * CONTEXT_CHARS

# ASCII letters that are no hex digit and no escape's letter (%XX, \\uXXXX, &#xXXXX;): never inside a number
# written plainly or escaped; a cut after one is a character boundary in every encoding read here (an ASCII byte
# is a character of its own, or the last byte of a CP932 one).
_LAST_LETTER = re.compile(b"(?s).*[G-TVWYZg-tvwyz_]")
_LAST_ANY_LETTER = re.compile(b"(?s).*[A-Za-z]")
_ESCAPE_START = re.compile(rb"[%\\&]")  # what may begin an escaped character a few bytes before a hex letter
_SAFE = tuple(SAFE_BYTES[i:i + 1] for i in range(len(SAFE_BYTES)))
_HEX_TRIES = 64  # hex letters tried, from the end, before giving up on a stretch dense with escapes


def last_cut(data: bytes, lo: int, hi: int) -> int | None:
    """The last offset in ``data[lo:hi]`` where a line may be cut without cutting a number or a character: just
    after a safe byte; else just after an ASCII letter that belongs to no number and no escaped one; else just
    after a hex letter with no escape's first byte (``%``, backslash, ``&``) in the 9 bytes before it and no
    digit after it (a stretch of hex or base64). None when there is none of these (Japanese with no ASCII, or
    nothing but digits and separators). The one rule for every reader that must cut a line longer than what it
    reads at once (the text reader's chunks, the watcher's long lines)."""
    safe = max(data.rfind(byte, lo, hi) for byte in _SAFE)
    if safe >= 0:
        return safe + 1
    letter = _LAST_LETTER.match(data, lo, hi)
    if letter:
        return letter.end()
    end = hi
    for _ in range(_HEX_TRIES):
        found = _LAST_ANY_LETTER.match(data, lo, end)
        if found is None:
            return None
        cut = found.end()
        if (cut >= len(data) or not 0x30 <= data[cut] <= 0x39) and not _ESCAPE_START.search(data, max(0, cut - 9),
                                                                                              cut):
            return cut
        end = cut - 1
    return None
