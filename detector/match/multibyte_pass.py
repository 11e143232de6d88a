"""The C multibyte pass (``_speedups.multibyte_hits``): on a chunk of UTF-8, CP932 or EUC-JP text, in one pass, the
hits that are candidates (exactly twelve digits or 4-4-4 groups, half- or full-width or mixed, bounded, check digit
right, not glued), each with the newlines before it, in place of hyperscan's digit databases and the pre-checks of
:mod:`.prechecks`. In text dense with numbers (phone numbers, dates, amounts, employee numbers) hyperscan reported
every run of twelve digit-like bytes to Python, and most of them could not be candidates.

What a character is comes from Python's own codecs: the tables below are built by decoding every byte pair (and
EUC-JP's 0x8F triples) with the codec the windows are decoded with, and what class a character is (digit,
separator, joiner) from :mod:`detector.candidates` and the rules. The C pass reads the bytes as that codec does,
so a full-width digit is one only where the codec reads one (in CP932, 0x82 0x4F is also a kanji's second byte
and the letter O). Its Python twin is the hyperscan engine and its pre-checks; ``tests/test_multibyte_pass.py``
holds the pass to the one definition of a candidate and a scan with it to a scan without it. Its masks come from
the widest SIMD mask builder the CPU runs (AVX-512BW, AVX2, else the portable one: ``speedups.mask_builders()``,
chosen in C at import); the tests switch builders with ``speedups.use_mask_builder`` and hold each to the same hits.

When only confidences above low are reported, a second C call (``multibyte_quick``) answers for each contiguous
candidate whether a My Number keyword may be within the scorer's reach, from tables of what each character may
give once normalised (:func:`detector.normalize.givers`), and reads the others' digits and lines: they are only
counted. Its twin decodes each candidate's surroundings and asks the scorer (:func:`quick_ends_plain`).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from ..candidates import JOINERS
from ..mynumber import FULLWIDTH_DIGITS, to_ascii
from ..native import speedups
from ..normalize import givers
from .hyperscan_engine import Hits, Prefilter, hint_ends
from .windows import AnchoredLineCounter, snap_left, snap_right

if TYPE_CHECKING:
    from ..context import ContextScorer

ENCODINGS = {"utf-8": 0, "cp932": 1, "euc-jp": 2}  # canonical names, and the kind the C pass takes
MAX_SEPARATORS = 16  # a separator's index takes four bits of a class
_DIGIT, _ONE_CHAR, _SEPARATOR, _JOINER = 0x10, 0x20, 0x40, 0x80
_DIGIT_ENTRY = re.compile(b"[\x30-\x39]")  # _DIGIT | _ONE_CHAR | value


class Tables(NamedTuple):
    """How the C pass reads one encoding: see ``multibyte_hits`` in _speedups.c."""

    kind: int
    single: bytes
    pairs: bytes
    triples: bytes
    code_points: bytes
    digit_lead: bytes
    roles: bytes


def usable(separators: tuple[str, ...]) -> bool:
    """Whether the C pass is built and can hold the rules' separators (single characters, at most 16)."""
    return (speedups is not None and hasattr(speedups, "multibyte_hits") and len(separators) <= MAX_SEPARATORS
            and all(len(s) == 1 for s in separators))


def char_class(char: str, separators: tuple[str, ...]) -> int:
    """The class of a decoded character: a digit and its value, a separator and its index, a joiner."""
    if char in "0123456789":
        return _DIGIT | int(char)
    if char and char in FULLWIDTH_DIGITS:
        return _DIGIT | FULLWIDTH_DIGITS.index(char)
    cls = 0
    if char and char in separators:
        cls |= _SEPARATOR | separators.index(char)
    if char and char in JOINERS:
        cls |= _JOINER
    return cls


@functools.cache
def tables(encoding: str, separators: tuple[str, ...]) -> Tables | None:
    """The tables of one canonical encoding, or None when the C pass cannot read it (its full-width digits not
    one lead byte and a range of second bytes; in UTF-8, a separator beyond the BMP). UTF-8's non-ASCII
    separators and joiners are classed by code point (``code_points``): the C pass decodes a sequence and looks it
    up, instead of comparing it with each separator in turn."""
    kind = ENCODINGS[encoding]
    if kind == 0:
        single = bytes(char_class(chr(b), separators) if b < 0x80 else 0 for b in range(256))
        code_points = bytearray(0x10000)
        for char in set(separators) | set(JOINERS):
            if not char.isascii() and char not in FULLWIDTH_DIGITS:
                if ord(char) >= len(code_points):
                    return None  # (the C pass reads the BMP)
                code_points[ord(char)] = char_class(char, separators)
        return Tables(kind, single, b"", b"", bytes(code_points), b"", b"")
    single = bytes(_one_char_class(bytes((b,)), encoding, separators, 0) for b in range(256))
    pairs = b"".join(_row(bytes((lead,)), encoding, separators) if lead >= 0x80 else bytes(256)
                     for lead in range(256))
    triples = b"".join(_row(bytes((0x8F, b1)), encoding, separators) if b1 != 0x0A else bytes(256)
                       for b1 in range(256)) if kind == 2 else b""
    # A digit's class with ONE_CHAR is 0x30-0x39, the bytes b"0".."9": found by a byte search, not per entry.
    digits = {(m.start() >> 8, m.start() & 0xFF) for m in _DIGIT_ENTRY.finditer(pairs)}
    leads = {lead for lead, _ in digits}
    if len(leads) != 1 or _DIGIT_ENTRY.search(triples):
        return None
    lead = leads.pop()
    low, high = min(b for _, b in digits), max(b for _, b in digits)
    if len(digits) != high - low + 1:
        return None
    return Tables(kind, single, pairs, triples, b"", bytes((lead, low, high)), _roles(pairs, triples))


def _roles(pairs: bytes, triples: bytes) -> bytes:
    """Per byte: 2 when it starts a character of two or three bytes, 1 when it can only end a character (it is
    no such start, nor the middle byte of a triple): the C pass reads on from the byte after one of those."""
    leads = {b for b in range(256) if pairs[b << 8:(b + 1) << 8].strip(b"\0")}
    middles = {b for b in range(256) if triples[b << 8:(b + 1) << 8].strip(b"\0")}
    if middles:
        leads.add(0x8F)
    return bytes((2 if b in leads else 0) | (0 if b in leads or b in middles else 1) for b in range(256))


def _one_char_class(encoded: bytes, encoding: str, separators: tuple[str, ...], flag: int) -> int:
    decoded = encoded.decode(encoding, "replace")
    return flag | char_class(decoded, separators) if len(decoded) == 1 and decoded != "\ufffd" else 0


def _row(prefix: bytes, encoding: str, separators: tuple[str, ...]) -> bytes:
    """For each last byte b, the class | ONE_CHAR of ``prefix + b`` when the codec reads it as one character,
    else 0: one decoding per row, each sequence followed by a newline (never part of a character in these
    encodings, so a sequence that is no character cannot reach into the next)."""
    lasts = [b for b in range(256) if b != 0x0A]
    pieces = b"".join(prefix + bytes((b,)) + b"\n" for b in lasts).decode(encoding, "replace").split("\n")
    row = bytearray(256)
    for b, piece in zip(lasts, pieces, strict=False):
        if len(piece) == 1 and piece != "\ufffd":
            row[b] = _ONE_CHAR | char_class(piece, separators)
    return bytes(row)


def multibyte_hits(data: bytes, prefilter: Prefilter, read: Tables) -> Hits:
    """What :meth:`.HyperscanEngine.hits` gives for ``data``, from one C pass, with the newlines before each
    hit; the escape hints from their own databases, where their triggers are."""
    contiguous, grouped, offsets, counts, total = speedups.multibyte_hits(data, *read)
    return Hits(prefilter, contiguous, grouped, hint_ends(data, prefilter), (offsets, counts, total))


# The last byte of a full-width digit (its value from the lowest) and the digit's length, per encoding: what
# the tables read (tests/test_multibyte_pass.py checks them against each other).
_WIDE_DIGITS = {"utf-8": (0x90, 3), "cp932": (0x4F, 2), "euc-jp": (0xB0, 2)}


def record(data: bytes, encoding: str, end: int) -> tuple[int, str]:
    """Where the contiguous candidate of the hit ``end`` starts, and its 12 digits in ASCII: read back from its
    last byte (two before ``end``), each digit an ASCII digit or a full-width one, told apart by their last
    bytes (0x30-0x39 against a range above 0x40)."""
    if encoding == "utf-8":  # whole characters from any byte: the last twelve are the digits
        text = data[max(0, end - 37):end - 1].decode("utf-8", "ignore")[-12:]
        return end - 1 - len(text.encode("utf-8")), to_ascii(text)
    low, width = _WIDE_DIGITS[encoding]
    digits = []
    at = end - 2
    for _ in range(12):
        byte = data[at]
        if 0x30 <= byte <= 0x39:
            digits.append(byte - 0x30)
            at -= 1
        else:
            digits.append(byte - low)
            at -= width
    return at + 1, "".join(map(str, reversed(digits)))


class KeywordTables(NamedTuple):
    """What each character of one encoding may give once normalised, as one of up to 256 sets of the keywords'
    characters (``masks``, 8 bytes each, little-endian), and the set each keyword needs (``needs``): see
    ``multibyte_quick`` in _speedups.c. CP932 and EUC-JP name a set per byte read alone (``single``), per pair
    and per EUC-JP triple; UTF-8 per code point of the BMP, through ``page_index`` (a page of 256 code points)
    and ``pages``."""

    single: bytes
    pairs: bytes
    triples: bytes
    page_index: bytes
    pages: bytes
    masks: bytes
    needs: bytes


MAX_KEYWORD_CHARS = 64  # a set of the keywords' characters is 64 bits


@functools.cache
def keyword_tables(encoding: str, keywords: tuple[str, ...]) -> KeywordTables | None:
    """The tables of one canonical encoding for the (normalised) ``keywords``, or None when they do not fit:
    more than 64 distinct characters, or more than 255 different sets given."""
    chars = sorted(set("".join(keywords)))
    if not chars or len(chars) > MAX_KEYWORD_CHARS:
        return None
    bit = {char: 1 << i for i, char in enumerate(chars)}
    gives = {char: sum(bit[c] for c in given) for char, given in givers(frozenset(chars)).items()}
    ids: dict[int, int] = {0: 0}
    for mask in sorted(set(gives.values())):
        ids.setdefault(mask, len(ids))
    if len(ids) > 256:
        return None
    masks = b"".join(mask.to_bytes(8, "little") for mask in ids)
    needs = b"".join(sum(bit[c] for c in set(keyword)).to_bytes(8, "little") for keyword in keywords)
    id_of = {char: ids[mask] for char, mask in gives.items()}
    if ENCODINGS[encoding] == 0:
        index, pages = bytearray(256), [bytearray(256)]
        for char, mask_id in sorted(id_of.items()):
            code = ord(char)
            if not index[code >> 8]:
                index[code >> 8] = len(pages)
                pages.append(bytearray(256))
            pages[index[code >> 8]][code & 0xFF] = mask_id
        if len(pages) > 256:
            return None
        return KeywordTables(b"", b"", b"", bytes(index), b"".join(pages), masks, needs)
    single = bytes(id_of.get(bytes((b,)).decode(encoding, "replace"), 0) for b in range(256))
    pairs = _given_ids(encoding, b"", range(0x80, 0x100), id_of)
    triples = _given_ids(encoding, b"\x8f", range(256), id_of) if ENCODINGS[encoding] == 2 else b""
    return KeywordTables(single, pairs, triples, b"", b"", masks, needs)


def _given_ids(encoding: str, prefix: bytes, leads: range, id_of: dict[str, int]) -> bytes:
    """65536 ids, one per ``prefix + b1 + b2`` (b1 in ``leads``): the set given by the one character the codec
    reads there, 0 when it reads none or one that gives nothing. Decoded in one piece, each sequence followed by a
    newline (never part of a character here), and only the sequences read as one character that gives something
    looked up."""
    lasts = bytes(b for b in range(256) if b != 0x0A)
    width = len(prefix) + 3
    sequences = bytearray(b"\n" * (width * len(leads) * len(lasts)))
    for i, byte in enumerate(prefix):
        sequences[i::width] = bytes((byte,)) * (len(leads) * len(lasts))
    sequences[len(prefix)::width] = b"".join(bytes((lead,)) * len(lasts) for lead in leads)
    sequences[len(prefix) + 1::width] = lasts * len(leads)
    decoded = sequences.decode(encoding, "replace")
    table = bytearray(65536)
    if not id_of:
        return bytes(table)
    piece, counted = 0, 0
    for match in re.finditer("(?m)^[" + re.escape("".join(id_of)) + "]$", decoded):
        piece += decoded.count("\n", counted, match.start())
        counted = match.start()
        lead, b = leads[piece // len(lasts)], lasts[piece % len(lasts)]
        table[(lead << 8) | b] = id_of[match.group()]
    return bytes(table)


QuickHit = tuple[int, str, int]  # a candidate only counted: its offset, its digits (ASCII) and its line


def quick_ends(data: bytes, encoding: str, ends: list[int], scorer: ContextScorer, before: int, after: int,
               lines: AnchoredLineCounter) -> tuple[list[int], list[QuickHit]]:
    """(the contiguous hits of the C pass that need a window, those that do not, with their lines): each hit
    is a candidate, and one with no My Number keyword in the text the scorer would look at scores bare, below
    the bar: it is only counted, without the finder, the scorer and the personal items. In C
    (``multibyte_quick``) where it is built and the keywords fit its tables: a byte test that keeps the window
    of every hit :func:`quick_ends_plain`, its twin, keeps (and of the few whose characters merely could give a
    keyword's); otherwise the twin."""
    reach = keyword_tables(encoding, scorer.keyword_terms) if hasattr(speedups, "multibyte_quick") else None
    if reach is None:
        return quick_ends_plain(data, encoding, ends, scorer, before, after, lines)
    windowed, quick = speedups.multibyte_quick(data, ENCODINGS[encoding], ends, *reach, scorer.before, scorer.after,
                                               lines.base)
    return windowed, quick


def quick_ends_plain(data: bytes, encoding: str, ends: list[int], scorer: ContextScorer, before: int, after: int,
                     lines: AnchoredLineCounter) -> tuple[list[int], list[QuickHit]]:
    """:func:`quick_ends` in Python: each hit's text decoded from the same safe bytes as its window (``before``
    bytes before its end, ``after`` after it), and the scorer asked (:meth:`ContextScorer.can_raise_text`)."""
    windowed: list[int] = []
    quick: list[QuickHit] = []
    for end in ends:
        start, digits = record(data, encoding, end)
        text_before = data[snap_left(data, end - before):start].decode(encoding, "replace")
        text_after = data[end - 1:snap_right(data, end + after)].decode(encoding, "replace")
        if scorer.can_raise_text(text_before, text_after):
            windowed.append(end)
        else:
            quick.append((start, digits, lines(start)))
    return windowed, quick
