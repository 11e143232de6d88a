"""Byte-level twins of the candidate rules, run on an engine's hits before any window is opened.

A hit whose 12 digits fail the check digit, or that is glued to a longer number, cannot be a candidate: it is
dropped here, at C speed over all the hits of a chunk, instead of being decoded and handed to the finder (in
logs dense with IDs, 10 hits in 11). These are twins of :func:`detector.mynumber.check_digit` and
:func:`detector.candidates.glued`, whose tables they derive from; they only ever drop a hit the finder would
reject, and keep its window wherever the bytes alone cannot tell (``tests/test_engines.py``).
"""

from __future__ import annotations

import re

from ..candidates import JOINERS
from ..mynumber import WEIGHTS, check_digit, to_ascii

# Per position of the first 11 digits, a table turning an ASCII digit into its weighted residue (the weights and
# the check digit are mynumber's, the one definition): summed as big integers, byte by byte, 11 residues of at
# most 10 never carry into the next byte, so one C-speed pass checks every hit of a chunk at once. Bytes that
# are not digits count 0, so no sum leaves its record.
_RESIDUE_TABLES = tuple(bytes((b - 48) * w % 11 if 48 <= b <= 57 else 0 for b in range(256)) for w in WEIGHTS)
# Under this many hits a record is checked on its own: the vectorised pass costs a few slices per position.
FEW_HITS = 4
# A sum of residues (at most 110) to its check digit as an ASCII byte: only the sum mod 11 counts.
_CHECK_DIGIT_OF_SUM = bytes(48 + check_digit(v) for v in range(256))
_CONTIGUOUS_DIGITS = tuple(range(12))
_GROUPED_DIGITS = (0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13)


def valid_ascii_ends(data: bytes, contiguous: list[int], grouped: list[int]) -> tuple[list[int], list[int]]:
    """The hit ends of ASCII data (the pattern bounded by one non-digit byte on each side), contiguous and
    grouped, that can be candidates: their 12 digits pass the check digit and they are not glued."""
    return (_checked_ascii_ends(data, contiguous, 12, _CONTIGUOUS_DIGITS),
            _checked_ascii_ends(data, grouped, 14, _GROUPED_DIGITS))


def _checked_ascii_ends(data: bytes, ends: list[int], width: int, digit_positions: tuple[int, ...]) -> list[int]:
    if not ends:
        return ends
    joined = b"".join([data[e - 1 - width:e - 1] for e in ends])
    valid = [ends[i] for i in valid_indices(joined, len(ends), width, digit_positions)]
    return [end for end in valid if not _glued(data, end, width, data[end - 11] if width == 14 else None, False)]


def zero_records(joined: bytes, count: int, width: int, tables: tuple[bytes, ...]) -> list[int]:
    """Indices of the ``width``-byte records of ``joined`` whose every byte maps to 0 through the table of its
    position (``tables`` repeats with its own period), at C speed: a byte table per position, the records
    added as big integers (at most ``width`` per byte, so nothing carries), and the zero bytes found."""
    if count < FEW_HITS:
        period = len(tables)
        return [i for i in range(count)
                if not any(tables[p % period][byte] for p, byte in enumerate(joined[i * width:(i + 1) * width]))]
    total = 0
    for position in range(width):
        total += int.from_bytes(joined[position::width].translate(tables[position % len(tables)]), "big")
    return [m.start() for m in _ZERO_BYTE.finditer(total.to_bytes(count, "big"))]


def _table(zero: bytes) -> bytes:
    """A translation table: the bytes of ``zero`` to 0, every other byte to 1."""
    return bytes(0 if b in zero else 1 for b in range(256))


ASCII_DIGIT_TABLE = (_table(bytes(range(0x30, 0x3A))),)
_ASCII_GROUPED_TABLES = tuple(_table(bytes(range(0x30, 0x3A))) if i not in (4, 9) else _table(bytes(range(0x30)))
                              for i in range(14))
# Twelve full-width digits: UTF-8 EF BC 90..99 (the lead byte 0xEF is never a continuation byte); CP932
# 82 4F..58 (the second bytes never start a character, so a misread first 0x82 would leave an 11-digit run,
# never a real candidate).
_FULLWIDTH = {
    "utf-8": (3, (_table(b"\xef"), _table(b"\xbc"), _table(bytes(range(0x90, 0x9A)))),
              bytes.maketrans(bytes(range(0x90, 0x9A)), b"0123456789")),
    "cp932": (2, (_table(b"\x82"), _table(bytes(range(0x4F, 0x59)))),
              bytes.maketrans(bytes(range(0x4F, 0x59)), b"0123456789")),
}


def _records(data: bytes, ends: list[int], width: int) -> bytes:
    """The ``width`` bytes before each hit's trailing byte, joined (blank where the data starts too late)."""
    return b"".join([data[end - 1 - width:end - 1] if end > width else b" " * width for end in ends])


def _split_checked(ends: list[int], readable: list[int], digits: bytes, width: int,
                   digit_positions: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """(readable hits whose digits pass the check digit, the hits that were not readable)."""
    chosen = set(readable)
    unread = [end for i, end in enumerate(ends) if i not in chosen]
    if not readable:
        return [], unread
    valid = valid_indices(digits, len(readable), width, digit_positions)
    return [ends[readable[i]] for i in valid], unread


def _ascii_checked(data: bytes, ends: list[int], grouped: bool) -> tuple[list[int], list[int]]:
    """Hits whose record is ASCII digits (4-4-4 with one ASCII separator twice, when grouped): bytes 0x30-0x39
    are never part of a multi-byte character in UTF-8, CP932 or EUC-JP, so they are the candidate's digits."""
    if not ends:
        return [], []
    width, tables, positions = (14, _ASCII_GROUPED_TABLES, _GROUPED_DIGITS) if grouped else (
        12, ASCII_DIGIT_TABLE, _CONTIGUOUS_DIGITS)
    joined = _records(data, ends, width)
    readable = zero_records(joined, len(ends), width, tables)
    if grouped:
        readable = [i for i in readable if joined[i * 14 + 4] == joined[i * 14 + 9]]
    digits = b"".join(joined[i * width:(i + 1) * width] for i in readable)
    return _split_checked(ends, readable, digits, width, positions)


def _fullwidth_checked(data: bytes, ends: list[int], encoding: str) -> tuple[list[int], list[int]]:
    """Hits whose record is twelve full-width digits, where the encoding makes them unambiguous."""
    if not ends or encoding not in _FULLWIDTH:
        return [], ends
    size, tables, to_ascii_digits = _FULLWIDTH[encoding]
    width = 12 * size
    joined = _records(data, ends, width)
    readable = zero_records(joined, len(ends), width, tables)
    digits = b"".join(joined[i * width + size - 1:(i + 1) * width:size] for i in readable)
    return _split_checked(ends, readable, digits.translate(to_ascii_digits), 12, _CONTIGUOUS_DIGITS)


def valid_multibyte_ends(data: bytes, encoding: str, contiguous: list[int], grouped: list[int],
                          span: int) -> tuple[list[int], list[int]]:
    """Hits in UTF-8, CP932 or EUC-JP text, without the ones whose check digit fails. Hits of ASCII digits,
    and of twelve full-width digits where the encoding makes them unambiguous, are checked from their bytes
    (a hit read and failing cannot be a candidate); the rest are decoded (UTF-8) or kept for their window."""
    utf8 = encoding == "utf-8"
    ascii_valid, rest = _ascii_checked(data, contiguous, grouped=False)
    ascii_valid = [end for end in ascii_valid if not _glued(data, end, 12, None, utf8)]
    fullwidth_valid, rest = _fullwidth_checked(data, rest, encoding)
    if utf8:
        fullwidth_valid = [end for end in fullwidth_valid if not _glued(data, end, 36, None, utf8)]
    elif encoding == "cp932":
        fullwidth_valid = [end for end in fullwidth_valid if not _cp932_glued(data, end - 25, end - 1)]
    grouped_valid, grouped_rest = _ascii_checked(data, grouped, grouped=True)
    grouped_valid = [end for end in grouped_valid if not _glued(data, end, 14, data[end - 11], utf8)]
    if encoding == "utf-8":
        rest = _valid_utf8_ends(data, rest, 12, _CONTIGUOUS_DIGITS, span)
        grouped_rest = _valid_utf8_ends(data, grouped_rest, 14, _GROUPED_DIGITS, span)
    return sorted(ascii_valid + fullwidth_valid + rest), sorted(grouped_valid + grouped_rest)


_ASCII_DIGITS = frozenset(b"0123456789")
_ASCII_JOINERS = frozenset(JOINERS.encode("ascii", "ignore"))  # the joiners read alike in every encoding


def _glued(data: bytes, end: int, width: int, separator: int | None, utf8: bool) -> bool:
    """True when a checked hit cannot be a candidate because the finder would reject it as part of a longer
    number: a digit right before its record (the hyperscan patterns do not look back, for speed), or a joiner
    and a digit on either side (the separator itself for 4-4-4, else '-' or '.'). Its window is then not
    opened: in hit-dense text most windows were such hits (13-digit slip numbers, 4-4-4-4 cards).

    Only bytes that are read the same in every supported encoding are trusted: ASCII digits, '-' and '.'
    are never part of a multi-byte character in UTF-8, CP932 or EUC-JP; a full-width digit is recognised only
    in UTF-8, where a character cannot be misread from its middle. Anything else keeps its window."""
    start = end - 1 - width
    joiners = _ASCII_JOINERS if separator is None else frozenset((separator,))
    if start >= 1 and (data[start - 1] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, start - 3))):
        return True
    if start >= 2 and data[start - 1] in joiners and (
            data[start - 2] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, start - 4))):
        return True
    trailing = data[end - 1]
    if utf8 and _utf8_fullwidth_digit(data, end - 1):
        return True  # the run goes on in full-width digits
    return trailing in joiners and end < len(data) and (
        data[end] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, end)))


def _cp932_glued(data: bytes, start: int, trailing: int) -> bool:
    """Whether twelve CP932 full-width digits at ``start`` (their trailing byte at ``trailing``) are part of a
    longer run. After them, a full-width digit starts at the trailing byte (the twelve end on a character
    boundary; were they misaligned, the hit could not be a candidate anyway). Before them, an ASCII digit is
    never part of a double-byte character, but a full-width digit (82 4F..58) is trusted only when the byte
    before it cannot be a lead byte: 0x82 is also a valid second byte, and a lead byte before it would make
    the pair a kanji followed by an ASCII letter 'O'..'X'. Where that cannot be ruled out, the hit keeps its
    window. A joiner ('-', '.') and an ASCII digit on either side glue it too."""
    size = len(data)
    if trailing + 1 < size and (
            (data[trailing] == 0x82 and 0x4F <= data[trailing + 1] <= 0x58)
            or (data[trailing] in _ASCII_JOINERS and data[trailing + 1] in _ASCII_DIGITS)):
        return True
    if start < 1:
        return False
    if data[start - 1] in _ASCII_DIGITS:
        return True
    if start >= 2 and data[start - 1] in _ASCII_JOINERS and data[start - 2] in _ASCII_DIGITS:
        return True
    if start >= 2 and data[start - 2] == 0x82 and 0x4F <= data[start - 1] <= 0x58:
        return start == 2 or not _cp932_lead(data[start - 3])
    return False


def _cp932_lead(byte: int) -> bool:
    return 0x81 <= byte <= 0x9F or 0xE0 <= byte <= 0xFC


def _utf8_fullwidth_digit(data: bytes, at: int) -> bool:
    """A full-width digit (EF BC 90..99) at byte ``at`` of UTF-8 data."""
    return 0 <= at <= len(data) - 3 and data[at] == 0xEF and data[at + 1] == 0xBC and 0x90 <= data[at + 2] <= 0x99


def valid_indices(joined: bytes, count: int, width: int, digit_positions: tuple[int, ...]) -> list[int]:
    """Indices of the ``width``-byte records of ``joined`` whose digits at ``digit_positions`` pass the check
    digit, all in one pass at C speed. A record that is not 12 digits (a hit with one separator, a '?' from
    a character that is not ASCII) is not a candidate's: it may pass or fail, and cannot disturb another
    record (bytes that are not digits count 0, so no sum leaves its byte)."""
    if count < FEW_HITS:
        return [i for i in range(count) if check_passes(joined, i * width, digit_positions)]
    total = 0
    for position, table in zip(digit_positions[:11], _RESIDUE_TABLES, strict=True):
        total += int.from_bytes(joined[position::width].translate(table), "big")
    expected = total.to_bytes(count, "big").translate(_CHECK_DIGIT_OF_SUM)
    actual = joined[digit_positions[11]::width]
    same = (int.from_bytes(expected, "big") ^ int.from_bytes(actual, "big")).to_bytes(count, "big")
    return [m.start() for m in _ZERO_BYTE.finditer(same)]


def check_passes(joined: bytes, base: int, digit_positions: tuple[int, ...]) -> bool:
    """The check of one record, as the vectorised pass computes it."""
    total = sum(table[joined[base + position]] for position, table in
                zip(digit_positions[:11], _RESIDUE_TABLES, strict=True))
    return _CHECK_DIGIT_OF_SUM[total] == joined[base + digit_positions[11]]


_ZERO_BYTE = re.compile(b"\x00")


def _valid_utf8_ends(data: bytes, ends: list[int], width: int, digit_positions: tuple[int, ...],
                     span: int) -> list[int]:
    """The UTF-8 hit ends whose 12 digits pass the check digit. A UTF-8 slice decodes correctly from any byte
    (continuation bytes are dropped), so each hit's last ``width`` characters before its trailing byte are
    taken, full-width digits made ASCII, and all are checked in one pass. A hit that fails cannot be a
    candidate, and every valid candidate has a hit of its own, so dropping it changes nothing."""
    if not ends:
        return ends
    texts = [data[max(0, end - span):end].decode("utf-8", "ignore") for end in ends]
    # The trailing byte was one non-digit byte: an ASCII character to drop, or the lead byte of a character
    # that "ignore" already dropped.
    fixed = [(t[-width:] if t[-1:].isdigit() else t[-1 - width:-1]).rjust(width) for t in texts]
    joined = to_ascii("".join(fixed)).encode("ascii", "replace")
    return [ends[i] for i in valid_indices(joined, len(ends), width, digit_positions)]

