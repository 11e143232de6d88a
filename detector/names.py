"""How names from the scanned share (paths, archive members, sheet names, column headers) are written out.

A name is text the share's users chose, as hostile as a file's contents: it may hold a My Number (scans
saved as ``123456789018_山田.pdf``), terminal controls (an ESC sequence that clears the screen, an OSC 8 link,
a newline that forges a line of output), bidi overrides that show ``exe.txt`` as ``txt.exe``, or bytes that
are not UTF-8 at all (Shift_JIS names copied from Windows shares; Python holds their undecodable bytes as
lone surrogates, which no UTF-8 writer accepts). Every writer passes names through :func:`shown`, the one
place that makes them safe to write; people-facing writers use :func:`readable`.

**The escaped form** (lossless, and reversible by :func:`unescape`):

========== ===========================================================================================
``\\\\``   a backslash
``\\xNN``  the byte NN: an undecodable byte of a name that is not UTF-8 (80-ff), an ASCII control
           character (00-1f, 7f: ESC, CR, LF, TAB...), or one of the two UTF-8 bytes of a C1 control (U+0080-
           U+009F: ``\\xc2\\x9b``). A run of them is decoded back as the file system's names are (UTF-8, the
           undecodable bytes kept)
``\\uNNNN`` the character U+NNNN: a format character (bidi embeddings, overrides and isolates, zero-width
           characters, the BOM), a line or paragraph separator, a lone surrogate; ``\\UNNNNNNNN`` above U+FFFF
========== ===========================================================================================

Everything else is written as it is. So ``os.fsencode(unescape(shown))`` gives a name's bytes back exactly
(a number masked in it excepted).

**Masking**: a valid My Number in a name (12 digits, half- or full-width, or 4-4-4 groups with the same
character between them, not part of a longer number) has all but its last four digits replaced by ``*``, as
numbers are masked everywhere else; only ``--reveal`` files show names as they are. A state file keeps such a
name masked and tagged (:class:`StateNames`).

**The readable form**: a name whose bytes are not UTF-8 but are Shift_JIS (CP932), component by component,
decoded, so people read ``個人.txt`` rather than ``\\x8c\\xc2\\x90l.txt``; escaped and masked in the same way.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

from .mynumber import COULD_HOLD, FULLWIDTH_DIGITS, is_valid_digits, to_ascii

# Characters of Unicode categories Cc, Cf, Zl, Zp and Cs (Unicode 14, Python 3.11's; checked by the tests
# against unicodedata), and the backslash: the characters the escaped form writes as escapes.
_ESCAPED_RANGES = (
    (0x0000, 0x001F), (0x005C, 0x005C), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
_ESCAPED = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in _ESCAPED_RANGES)
_ESCAPE_RE = re.compile(f"[{_ESCAPED}]")
_DIGIT = f"[0-9{FULLWIDTH_DIGITS}]"
# What a name needs work for: a character to escape, or four digits in a row (a number's first group).
_WORK_RE = re.compile(f"[{_ESCAPED}]|{_DIGIT}{{4}}")
_FOUR_DIGITS_RE = re.compile(f"{_DIGIT}{{4}}")
# A My Number in a name: 12 digits, or 4-4-4 groups with the same separator twice (any separator, not only the
# rules' ones: masking more is safe), not glued to other digits.
_NUMBER_RE = re.compile(f"(?<!{_DIGIT})(?:{_DIGIT}{{12}}|{_DIGIT}{{4}}([^0-9{FULLWIDTH_DIGITS}]){_DIGIT}{{4}}\\1"
                        f"{_DIGIT}{{4}})(?!{_DIGIT})")
_UNESCAPE_RE = re.compile(r"\\(\\)|((?:\\x[0-9a-fA-F]{2})+)|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
_DIGITS = frozenset("0123456789" + FULLWIDTH_DIGITS)


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0xA0:  # an ASCII control, or a C1 control as its two UTF-8 bytes (so \x8c\xc2\x90, not \x8c\u0090)
        return "".join(f"\\x{byte:02x}" for byte in ch.encode("utf-8"))
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape(text: str) -> str:
    """The escaped form of ``text`` (see the module's documentation): valid UTF-8, without a control or format
    character, and reversible."""
    return _ESCAPE_RE.sub(_escape_char, text)


def _unescape_match(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return "\\"
    if m.group(2) is not None:  # a run of bytes, decoded as the file system's names are
        return bytes.fromhex(m.group(2).replace("\\x", "")).decode("utf-8", "surrogateescape")
    return chr(int(m.group(3) or m.group(4), 16))


def unescape(text: str) -> str:
    """A name from its escaped form (as a saved scan holds it), as :func:`os.fsdecode` would have given it."""
    return _UNESCAPE_RE.sub(_unescape_match, text) if "\\" in text else text


def _mask_match(m: re.Match[str]) -> str:
    number = m.group()
    digits = number if m.group(1) is None else number.replace(m.group(1), "")
    if not is_valid_digits(to_ascii(digits)):
        return number
    kept = 4
    out = []
    for ch in reversed(number):
        if ch in _DIGITS:
            out.append(ch if kept > 0 else "*")
            kept -= 1
        else:
            out.append(ch)
    return "".join(reversed(out))


def mask_numbers(text: str) -> str:
    """``text`` with every valid My Number in it masked (all but the last four digits as ``*``)."""
    return _NUMBER_RE.sub(_mask_match, text) if _FOUR_DIGITS_RE.search(text) else text


def may_hold_number(text: str) -> bool:
    """The cheap test run on every name (one regex search): twelve digits in a row, or 4-4-4 groups with the same
    separator, without which no number can be in it. ``IMG_20241201_123045`` and ``note000123`` do not pass."""
    return COULD_HOLD.search(text) is not None


@functools.lru_cache(maxsize=4096)
def shown(text: str, reveal: bool = False) -> str:
    """A name as every writer writes it: masked (unless ``reveal``) and escaped. Names that need neither, most
    of them, are returned as they are after one regex search. Remembered: a file's findings all name it."""
    if _WORK_RE.search(text) is None:
        return text
    return escape(text if reveal else mask_numbers(text))


def name_fields(key: str, name: str, reveal: bool = False) -> dict[str, str]:
    """A name as a json record holds it: ``key`` as :func:`shown` writes it, and ``key + "_display"`` beside it
    where the name has a readable form (:func:`display`)."""
    fields = {key: shown(name, reveal)}
    readable = display(name, reveal)
    if readable is not None:
        fields[key + "_display"] = readable
    return fields


@functools.lru_cache(maxsize=4096)
def display(text: str, reveal: bool = False) -> str | None:
    """The readable form of a name that is not UTF-8 but whose components decode as CP932 (Shift_JIS), shown
    as :func:`shown` shows names; None when there is none (a UTF-8 name is readable as it is shown)."""
    if text.isascii() or _SURROGATE_RE.search(text) is None:
        return None
    parts = []
    for part in text.encode("utf-8", "surrogateescape").split(b"/"):
        try:
            parts.append(part.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                decoded = part.decode("cp932")
            except UnicodeDecodeError:
                decoded = None
            # Python's CP932 maps bytes no Shift_JIS text uses (0xfd-0xff, the user-defined area) to private use
            # characters: such a decoding is not text.
            if decoded is None or _PRIVATE_USE_RE.search(decoded):
                decoded = part.decode("utf-8", "surrogateescape")
            parts.append(decoded)
    decoded = "/".join(parts)
    return None if decoded == text else shown(decoded, reveal)


def readable(text: str, reveal: bool = False) -> str:
    """A name for people (text output, HTML and Markdown reports): its readable form where it has one, else
    its escaped form."""
    return display(text, reveal) or shown(text, reveal)


class StateNames:
    """Names as a state file keeps them: a name holding a My Number is stored masked, followed by ``~`` and a
    tag (64 bits of an HMAC of the name under the scan's key), so the state still tells two such files apart
    and finds each again, without the number. Other names are stored as they are."""

    def __init__(self, key: bytes) -> None:
        self._key = hmac.new(key, b"mynumber state names v1", hashlib.sha256).digest()
        self._folders: dict[str, str] = {}  # a folder's path -> as stored: a state stores many files a folder

    def name(self, name: str) -> str:
        masked = mask_numbers(name)
        if masked == name:
            return name
        tag = hmac.new(self._key, name.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:16]
        return f"{masked}~{tag}"

    def path(self, path: str) -> str:
        """Each component of ``path`` as :meth:`name` stores it (a path's prefixes stay prefixes). Its folder's
        part is looked at once a folder; its name, with the cheap test."""
        folder, slash, name = path.rpartition("/")
        stored = self._folders.get(folder)
        if stored is None:
            stored = self._folders[folder] = ("/".join(map(self.name, folder.split("/"))) if may_hold_number(folder)
                                              else folder)
        if may_hold_number(name):
            return f"{stored}{slash}{self.name(name)}"
        return path if stored is folder else f"{stored}{slash}{name}"

    def __repr__(self) -> str:
        return "StateNames()"
