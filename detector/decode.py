"""Text encodings: which one a file uses, detected from its bytes (BOM, UTF-8, CP932, EUC-JP, UTF-16).

Decoding never fails: undecodable bytes become U+FFFD and the scan goes on. ASCII digits survive every
mis-detection, so the worst case of a wrong guess is a missed full-width number, never a stopped file.
"""

from __future__ import annotations

import codecs
import re

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes of a file that are enough to tell its encoding (and to identify its kind).
SAMPLE_SIZE = 64 * 1024


def bom_of(data: bytes) -> tuple[str, int] | None:
    """(encoding, BOM length) if ``data`` starts with a byte order mark."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM: NUL bytes on every other position (ASCII characters' high bytes)."""
    if len(sample) < 8 or not sample.count(0):
        return None
    if sample.count(0) < len(sample) // 4:
        return _mostly_japanese_utf16(sample)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    return _mostly_japanese_utf16(sample)


def _mostly_japanese_utf16(sample: bytes) -> str | None:
    """Japanese text in UTF-16 has few NUL bytes (only its ASCII has them): decode and look at the text."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        texty = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
        japanese = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
        if texty >= len(text) * 0.95 and japanese >= len(text) * 0.3:
            return encoding
    return None


def _decodes(sample: bytes, encoding: str) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return None


_KANA = re.compile("[\u3041-\u30ff]")


def _japanese_score(text: str) -> int:
    """How much of ``text`` is kana: right guesses between CP932 and EUC-JP give far more kana."""
    return len(_KANA.findall(text))


def detect_encoding(sample: bytes) -> str:
    """The encoding of text that starts (after any BOM has been removed) with ``sample``.

    ASCII-only samples report "ascii": callers keep looking at later chunks until one is not ASCII.
    """
    if sample.isascii():
        return "ascii"
    if _decodes(sample, "utf-8") is not None:
        return "utf-8"
    scores = []
    for encoding in ("cp932", "euc-jp"):
        text = _decodes(sample, encoding)
        if text is not None:
            scores.append((_japanese_score(text), encoding == "cp932", encoding))
    if scores:
        return max(scores)[2]
    # Nothing decodes cleanly: pick the encoding with the fewest replacement characters.
    errors = []
    for encoding in ("utf-8", "cp932", "euc-jp"):
        text = sample.decode(encoding, "replace")
        errors.append((text.count("\ufffd"), encoding != "utf-8", encoding))
    return min(errors)[2]
