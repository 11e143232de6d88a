"""Text encodings: which one a file uses, detected from its bytes (BOM, UTF-8, CP932, EUC-JP, ISO-2022-JP,
UTF-16).

Decoding never fails: undecodable bytes become U+FFFD and the scan goes on. ASCII digits survive every
mis-detection, so the worst case of a wrong guess is a missed full-width number, never a stopped file.

ISO-2022-JP ("JIS", old text files and most Japanese mail) is 7-bit: its Japanese sits between escape
sequences that designate a character set (``ESC $ B`` JIS X 0208 ... ``ESC ( B`` back to ASCII), so its bytes
are all ASCII and only those sequences tell it apart. Read as ASCII, a full-width number is no digits at all
(１ is ``#1``) and 個人番号 is ``8D?MHV9f``. Windows writes "ISO-2022-JP" as CP50221, with NEC and IBM
characters (①, ㈱) that Python's codecs reject: the error handler :data:`JIS_ERRORS` maps them as CP932 does.
"""

from __future__ import annotations

import codecs
import re

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_FIRST_BYTES = frozenset(bom[:1] for bom, _ in BOMS)
# Bytes of a file that are enough to tell its encoding (and to identify its kind).
SAMPLE_SIZE = 64 * 1024


_SEVEN_BIT = bytes(range(0x80))
# An escape sequence designating a Japanese (or ISO-2022-JP-2) set: JIS X 0208 (ESC $ @, ESC $ B), JIS X 0212
# (ESC $ ( D), JIS X 0213 (ESC $ ( O/P/Q), JIS X 0201 Roman and katakana (ESC ( J, ESC ( I), GB 2312 and KS X 1001.
# ESC ( B alone (back to ASCII) is not enough: terminals write it too (tput sgr0 gives ESC ( B ESC [ m).
_JIS_DESIGNATION = re.compile(rb"\x1b(?:\$[@AB]|\$\([CDOPQ]|\([IJ])")
_JIS_2004_ONLY = re.compile(rb"\x1b\$\([OPQ]")
_JIS_2_ONLY = re.compile(rb"\x1b(?:\$A|\$\(C|\.[AF])")
# The escape byte, as a number: ``int in bytes`` is a plain search, where ``bytes in bytes`` first tries its operand
# as an int and raises and clears a TypeError (docs/performance.md).
_ESC = 0x1B
# The name of the error handler for ISO-2022-JP (see _jis_error), registered when this module is imported.
JIS_ERRORS = "mynumber-jis"


def jis_encoding(sample: bytes | bytearray) -> str | None:
    """The Python codec for ISO-2022-JP text that contains ``sample``, or None when it designates no Japanese
    set, or is not 7-bit text (a few 8-bit bytes are damage; many are another encoding's text, which a stray
    escape sequence must not turn into U+FFFD). iso2022_jp_ext (JIS X 0208, 0212 and half-width katakana)
    unless the text uses sets only ISO-2022-JP-2004 or ISO-2022-JP-2 have: a codec rejects the sets it does
    not know."""
    if _ESC not in sample or _JIS_DESIGNATION.search(sample) is None:
        return None
    if len(sample.translate(None, _SEVEN_BIT)) > max(64, len(sample) // 100):
        return None
    if _JIS_2004_ONLY.search(sample) is not None:
        return "iso2022_jp_2004"
    if _JIS_2_ONLY.search(sample) is not None:
        return "iso2022_jp_2"
    return "iso2022_jp_ext"


def decode_jis(data: bytes, encoding: str | None = None) -> str:
    """ISO-2022-JP bytes as text, whatever they hold (see :class:`JisDecoder`)."""
    return JisDecoder(encoding or jis_encoding(data) or "iso2022_jp_ext").decode(data, final=True)


# An escape that is no ISO-2022 one: a terminal's (ESC [ 31 m), or a lone ESC.
_FOREIGN_ESCAPE = re.compile(rb"\x1b(?![()$.&N])")


class JisDecoder:
    """An incremental ISO-2022-JP decoder, never failing (see :data:`JIS_ERRORS`): the designated set is state
    that must cross chunk boundaries.

    CPython's codec reads everything after an escape it does not know (a terminal colour, ESC [ 0 m) as
    Latin-1 up to the next capital letter, escape sequences included, so a colour code just before ESC $ B
    would hide the Japanese after it. Such an ESC is passed on here as it is, never shown to the codec."""

    def __init__(self, encoding: str) -> None:
        self.codec = codecs.getincrementaldecoder(encoding)(JIS_ERRORS)
        self.pending = b""

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.pending:
            data, self.pending = self.pending + data, b""
        if b"\x1b" not in data:
            return self.codec.decode(data, final)
        if not final and data.endswith(b"\x1b"):
            data, self.pending = data[:-1], b"\x1b"  # what follows it decides whether it is foreign
        pieces: list[str] = []
        start = 0
        for foreign in _FOREIGN_ESCAPE.finditer(data):
            pieces += (self.codec.decode(data[start:foreign.start()]), "\x1b")
            start = foreign.end()
        pieces.append(self.codec.decode(data[start:], final))
        return "".join(pieces)


def _jis_error(exc: UnicodeError) -> tuple[str, int]:
    """A pair of 7-bit bytes the codec rejects in a double-byte set is a CP50221 character (NEC row 13, IBM
    extensions), decoded as the same cell in CP932; anything else becomes U+FFFD. The codec's error spans can
    include line ends (an odd byte before a newline): they are kept, so line numbers stay right."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    if len(bad) == 2 and 0x21 <= bad[0] <= 0x7E and 0x21 <= bad[1] <= 0x7E:
        try:
            return _jis_to_cp932(bad[0], bad[1]).decode("cp932"), exc.end
        except UnicodeDecodeError:
            pass
    return "\ufffd" + "\n" * bytes(bad).count(b"\n"), exc.end


def _jis_to_cp932(first: int, second: int) -> bytes:
    """The Shift_JIS bytes of a JIS X 0208 row and cell (the arithmetic of JIS X 0208 appendix 1)."""
    lead = ((first + 1) >> 1) + 0x70
    if lead > 0x9F:
        lead += 0x40
    trail = second + 0x1F + (second >= 0x60) if first & 1 else second + 0x7E
    return bytes((lead, trail))


codecs.register_error(JIS_ERRORS, _jis_error)


def bom_of(data: bytes) -> tuple[str, int] | None:
    """(encoding, BOM length) if ``data`` starts with a byte order mark."""
    if data[:1] not in _BOM_FIRST_BYTES:  # most text: decided without trying each mark
        return None
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


def valid_utf8(sample: bytes) -> bool:
    """:func:`_decodes` for UTF-8 (a character cut at the end of the sample is not an error), with the codec's
    own function: no incremental decoder made for each file."""
    try:
        codecs.utf_8_decode(sample, "strict", False)
    except UnicodeDecodeError:
        return False
    return True


_JAPANESE = re.compile("[\u3041-\u30ff\u4e00-\u9fff]")
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _japanese_score(text: str) -> int:
    """How Japanese ``text`` reads: kana and kanji count for, half-width katakana against. EUC-JP read as CP932
    turns every byte into a half-width katakana (0xA1-0xDF are single characters in CP932), so a short sample
    such as 個人番号 with no kana at all is still told right; right guesses give far more kana and kanji."""
    return len(_JAPANESE.findall(text)) - len(_HALFWIDTH_KANA.findall(text))


_NON_ASCII = re.compile(b"[\x80-\xff]")


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data`` (text after any BOM has been removed), told from up to :data:`SAMPLE_SIZE`
    bytes starting at its first non-ASCII byte.

    ASCII-only data reports "ascii": callers keep looking at later chunks until one is not ASCII. The sample
    starts where the first non-ASCII byte is, not at the start of ``data``: a log whose first 64 KB are ASCII
    and whose Japanese lines come later is not "ascii" (its keywords would be lost to U+FFFD). The first byte
    above 0x7F of a text is the first byte of a character in UTF-8, CP932 and EUC-JP alike. Text with escape
    sequences that designate a Japanese set is ISO-2022-JP (see :func:`jis_encoding`), wherever they are.
    """
    jis = jis_encoding(data)
    if jis is not None:
        return jis
    if data.isascii():
        return "ascii"
    return multibyte_encoding(data)


def multibyte_encoding(data: bytes) -> str:
    """:func:`detect_encoding` of ``data`` known to hold a byte above 0x7F and no ISO-2022-JP (a small file that
    :func:`detector.identify.identify_raw` found to be raw text): UTF-8, CP932 or EUC-JP, without looking for
    escape sequences or non-ASCII bytes a second time."""
    first = _NON_ASCII.search(data)
    assert first is not None
    sample = data[first.start():first.start() + SAMPLE_SIZE]
    if valid_utf8(sample):
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
