"""Where text may be cut without changing what is found in it: shared by the text reader (its chunks), the
matcher (its windows) and the watcher (the context it reads before new bytes).

A cut just after a *safe byte* decodes exactly as the whole text does, and a candidate never straddles it:
safe bytes are ASCII below 0x40 (never the second byte of a CP932 character, never part of an EUC-JP or a
UTF-8 multi-byte character) that can be neither a digit, a separator of the 4-4-4 form, nor part of an
escaped number (%XX, \\uXXXX, &#NNNN;). Each side of a cut carries :data:`CONTEXT_BYTES` of the other as
context only, so a number's context window is whole whatever the cut.
"""

from __future__ import annotations

from .rules import MAX_WINDOW

SAFE_BYTES = b'\n\t\r,;:"\'<>=()!?/'
# Context carried across a cut each way: the widest window rules may set (MAX_WINDOW characters of up to 4 bytes)
# and the widest candidate (12 full-width digits and two separators: 42 bytes in UTF-8).
CONTEXT_CHARS = MAX_WINDOW + 64
CONTEXT_BYTES = 4 * CONTEXT_CHARS
