"""Identify a file by its content: which extractor reads it, or why none can.

libmagic (python-magic) costs many times the rest of the scan of a small text file (docs/performance.md), so
a cheap look at the first bytes decides first: well-known signatures, byte order marks, and text (no NUL
bytes, few control characters). Only what that look cannot decide is handed to libmagic. The file name never
decides anything.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from .decode import bom_of, decode_jis, jis_encoding, utf16_without_bom, valid_utf8
from .native import speedups as _speedups

# Kinds an extractor reads today.
TEXT, DELIMITED = "text", "delimited"

_SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"%PDF-", "pdf", "PDF document"),
    (0, b"{\\rtf", "rtf", "Rich Text Format document"),
    (0, b"PK\x03\x04", "zip", "Zip archive or Office document"),
    (0, b"PK\x05\x06", "zip", "Zip archive (empty)"),
    (0, b"\x1f\x8b", "gzip", "gzip compressed data"),
    (0, b"BZh", "bzip2", "bzip2 compressed data"),
    (0, b"\xfd7zXZ\x00", "xz", "XZ compressed data"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z", "7-zip archive"),
    (0, b"Rar!\x1a\x07", "rar", "RAR archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2", "Composite Document File (legacy Office)"),
    (0, b"\x89PNG\r\n\x1a\n", "image", "PNG image"),
    (0, b"\xff\xd8\xff", "image", "JPEG image"),
    (0, b"GIF8", "image", "GIF image"),
    (0, b"II*\x00", "image", "TIFF image"),
    (0, b"MM\x00*", "image", "TIFF image"),
    (0, b"\x7fELF", "binary", "ELF executable"),
    (0, b"SQLite format 3\x00", "binary", "SQLite database"),
    (257, b"ustar", "tar", "tar archive"),
)
# The signatures to try by the byte a file starts with: those starting with it, then the few that sit further
# in (all a file is tried against when no signature starts with its first byte, as for most files).
_FURTHER_IN = tuple(signature for signature in _SIGNATURES if signature[0] > 0)
_BY_FIRST_BYTE: dict[int, tuple[tuple[int, bytes, str, str], ...]] = {
    first: (*(signature for signature in _SIGNATURES if signature[0] == 0 and signature[1][0] == first), *_FURTHER_IN)
    for first in {signature[1][0] for signature in _SIGNATURES if signature[0] == 0}}
_IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"avif")
# Every byte but the C0 controls that do not occur in text: deleting these leaves the suspicious ones.
_NOT_SUSPICIOUS = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r\f\x1b\x08\x0b")


@dataclass(frozen=True, slots=True)
class FileKind:
    """What a file is: ``name`` selects the extractor; ``description`` is for people; ``mime`` when known."""

    name: str
    description: str
    mime: str | None = None


def identify(sample: bytes) -> FileKind:
    """Identify from the first bytes of a file (a few KB suffice)."""
    return identify_raw(sample)[0]


def identify_raw(sample: bytes, facts: ByteFacts | None = None) -> tuple[FileKind, bool]:
    """:func:`identify`, and whether the file is text read as raw bytes in a single-byte-compatible encoding
    (no byte order mark, not UTF-16, not ISO-2022-JP): what the text extractor hands to the matcher without
    decoding. ``facts``: :func:`byte_facts` of ``sample``, when the caller has them already (a small file's
    encoding is told from them too)."""
    if not sample:
        return FileKind(TEXT, "empty"), True
    for offset, magic_bytes, name, description in _BY_FIRST_BYTE.get(sample[0], _FURTHER_IN):
        if sample.startswith(magic_bytes, offset):
            return FileKind(name, description), False
    if sample[2:4] == b"-l" and _is_lzh(sample):
        return FileKind("lzh", "LZH (LHA) archive"), False
    if sample[4:8] == b"ftyp" and sample[8:12] in _IMAGE_BRANDS:
        return FileKind("image", "HEIF/AVIF image"), False
    if sample[:4] == b"RIFF" and sample[8:12] == b"WEBP":
        return FileKind("image", "WebP image"), False
    if sample[:2] == b"BM" and _is_bmp(sample):
        return FileKind("image", "BMP image"), False
    bom = bom_of(sample)
    # Text has no NUL bytes in its first 8 KB; nor then has UTF-16 in its first 4 KB: one search rules out both.
    if facts is None:
        facts = byte_facts(sample[:_HEAD])
    nul = facts.nul
    utf16 = utf16_without_bom(sample[:4096]) if bom is None and nul else None
    if bom is not None or utf16 is not None:
        encoding, skip = bom if bom is not None else (str(utf16), 0)
        return _text_kind(sample[skip:16384].decode(encoding, "replace")), False
    if not nul and facts.controls <= min(len(sample), _HEAD) // 100:  # at most one byte in a hundred
        jis = jis_encoding(sample)
        if jis is not None:  # ISO-2022-JP: 7-bit, but its bytes say nothing until decoded
            return _text_kind(decode_jis(sample[:16384], jis)), False
        return _text_kind_of_bytes(sample[:16384]), True
    return _ask_libmagic(sample[:8192]), False


_PLAIN_TEXT = FileKind(TEXT, "text")
_LZH_METHODS = frozenset({b"h0", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"h7", b"hd", b"zs", b"z4", b"z5"})


def _is_lzh(sample: bytes) -> bool:
    """An LZH (LHA) archive has no magic number: its first header names the method at offset 2 ("-lh5-") and
    its header level (0 to 3) at offset 20. Both are checked, so text starting with "xx-lh" stays text."""
    return len(sample) >= 22 and sample[6:7] == b"-" and sample[4:6] in _LZH_METHODS and sample[20] <= 3


def _is_bmp(sample: bytes) -> bool:
    """A BMP starts with only "BM": its reserved bytes (6-9) are zero and its second header has one of the sizes
    the format defines, so text starting with "BM" stays text."""
    return len(sample) >= 18 and sample[6:10] == b"\0\0\0\0" and \
        int.from_bytes(sample[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)


def _text_kind_of_bytes(head: bytes) -> FileKind:
    """:func:`_text_kind` of single-byte-compatible text, decided on the bytes (without decoding them) when its
    first lines can start neither a mail nor a table: most text files."""
    if _may_start_a_mail(head) or _may_start_a_table(head):
        return _text_kind(head.decode("latin-1"))
    return _PLAIN_TEXT


# What str.strip() removes from text decoded as latin-1 (the C0 separators, NEL and NO-BREAK SPACE among them), so
# that a line stripped as bytes is the line :func:`_text_kind` strips.
_LATIN1_SPACE = bytes(byte for byte in range(256) if chr(byte).isspace())
# Bytes looked for in a line, as numbers: ``int in bytes`` is a plain search, where ``bytes in bytes`` first tries its
# operand as an int and raises and clears a TypeError (docs/performance.md).
_COMMA, _TAB, _QUOTE, _CR = b',\t"\r'
# The first byte of a number line (see _NUMBER_LINE): a quote, or a digit (ASCII, or the first byte of a full-width
# digit in UTF-8, CP932 or EUC-JP).
_NUMBER_STARTS = b'0123456789"\xef\x82\xa3'
_TABLE_LIMIT = 16384  # the lines a table is told from end within the first 16 KB (see _first_lines)
_LABEL_MAX = 64  # characters of a one-column table's header


def _may_start_a_mail(head: bytes) -> bool:
    """False when :func:`mail_kind` of ``head`` read as latin-1 is surely None: its own first test, on the bytes."""
    return head[:1] in (b" ", b"\t") or head.startswith(b"From ") or _HEADER_LINE_BYTES.match(head) is not None


def _may_start_a_table(head: bytes) -> bool:
    """False when :func:`sniff_delimiter` of ``head`` read as latin-1 is surely None, told on the bytes by the
    quick answers it takes itself: a single line; a first line with a delimiter whose count differs on the
    second line (see :func:`_first_rows_differ`); or, without one, a first line that is no label or a next
    line that cannot start a number (see :func:`_one_column_table`)."""
    first_end = head.find(b"\n")
    if first_end < 0:
        return False
    first = head[:first_end]
    if _COMMA in first or _TAB in first:
        return not _first_rows_differ_in_bytes(head, first_end)
    return _may_head_a_number_list(head, first_end)


def _first_rows_differ_in_bytes(head: bytes, first_end: int) -> bool:
    """:func:`_first_rows_differ` of ``head`` read as latin-1 (its first line ending at ``first_end``)."""
    second_end = head.find(b"\n", first_end + 1, _TABLE_LIMIT)
    if first_end >= _TABLE_LIMIT or second_end < 0:
        return False
    rows = (head[:first_end], head[first_end + 1:second_end])
    for row in rows:
        if not row.strip(_LATIN1_SPACE) or _QUOTE in row or _CR in row[:-1]:
            return False
    first, second = rows
    return (_TAB not in first or first.count(_TAB) != second.count(_TAB)) and \
        (_COMMA not in first or first.count(_COMMA) != second.count(_COMMA))


def _may_head_a_number_list(head: bytes, first_end: int) -> bool:
    """False when :func:`_one_column_table` of ``head`` read as latin-1 is surely False: its first line (ending at
    ``first_end``) is not blank and is no label (see :func:`_may_be_a_label`), or the next line that is not blank
    cannot start a number, or there is none."""
    first = head[:first_end].strip(_LATIN1_SPACE)
    if not first:
        return True  # the rows' test looks at the lines after it: not decided here
    if len(first) > _LABEL_MAX or _ASCII_DIGIT_BYTES.search(first) is not None:
        return False
    start = first_end + 1
    while (end := head.find(b"\n", start, _TABLE_LIMIT)) >= 0:
        line = head[start:end].strip(_LATIN1_SPACE)
        if line:
            return line[:1] in _NUMBER_STARTS
        start = end + 1
    return False


_HEAD = 8192  # the first bytes whose NULs and controls tell text from binary


class ByteFacts(NamedTuple):
    """What one pass over a file's bytes tells :func:`identify_raw` and, for a small file read whole, its encoding
    test: the head's NULs and controls, and whether the bytes are ASCII or UTF-8."""

    nul: bool  # a NUL byte within the first 8 KB
    controls: int  # control characters that text does not hold, within the first 8 KB
    ascii: bool  # every byte is ASCII
    utf8: bool  # valid UTF-8, a character cut at the end not counting as an error (see decode.valid_utf8)


def byte_facts(data: bytes) -> ByteFacts:
    """:class:`ByteFacts` of ``data``: one C pass where the speed-ups are built (``_speedups.text_facts``, without
    the str the UTF-8 codec builds), else its plain twin :func:`byte_facts_py`."""
    if _speedups is not None:
        return ByteFacts._make(_speedups.text_facts(data, _HEAD))
    return byte_facts_py(data)


def byte_facts_py(data: bytes) -> ByteFacts:
    """:func:`byte_facts` by its definition: a search for NUL, the suspicious controls left by deleting every
    other byte, and the UTF-8 codec."""
    head = data[:_HEAD]
    ascii = data.isascii()
    return ByteFacts(head.find(0) >= 0, len(head.translate(None, _NOT_SUSPICIOUS)), ascii, ascii or valid_utf8(data))


def _text_kind(head: str) -> FileKind:
    """Text, a mail, or a table when the first lines look like one. ``head`` is decoded; for
    single-byte-compatible encodings latin-1 is enough, since delimiters, quotes and digits are ASCII."""
    mail = mail_kind(head)
    if mail is not None:
        return mail
    delimiter = sniff_delimiter(head)
    if delimiter is not None:
        return FileKind(DELIMITED, "CSV text" if delimiter == "," else "TSV text")
    return _PLAIN_TEXT  # frozen: one shared by every plain text file, not one made for each


_MAIL_HEADERS = frozenset({"from", "to", "cc", "subject", "date", "message-id", "mime-version", "received",
                           "return-path", "content-type", "delivered-to", "reply-to", "x-mailer", "user-agent",
                           "dkim-signature", "authentication-results", "content-transfer-encoding",
                           "in-reply-to", "references", "sender", "x-original-to", "thread-topic"})
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z0-9-]*):[ \t]")
_HEADER_LINE_BYTES = re.compile(_HEADER_LINE.pattern.encode())


def mail_kind(head: str) -> FileKind | None:
    """A mail (RFC 5322 headers from the first line) or an mbox mailbox ("From " line, then headers)."""
    if head[:1] not in (" ", "\t") and not head.startswith("From ") and _HEADER_LINE.match(head) is None:
        return None  # the first line is not a header: decided without splitting the head into lines
    lines = head[:8192].split("\n", 40)[:40]
    mbox = bool(lines) and lines[0].startswith("From ")
    known = 0
    for line in lines[1:] if mbox else lines:
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            continue  # a folded header line
        match = _HEADER_LINE.match(line)
        if match is None:
            return None
        known += match.group(1).lower() in _MAIL_HEADERS
    if known < 2:
        return None
    return FileKind("mbox", "mbox mailbox") if mbox else FileKind("email", "mail message (RFC 5322)")


def sniff_delimiter(head: str) -> str | None:
    """',' or '\\t' when the first lines look like a table: a header of labels, then rows with the same number
    of fields. Logs rarely have both, so they keep the fast text path."""
    first_end = head.find("\n")
    if first_end < 0 or ("," not in head[:first_end] and "\t" not in head[:first_end]):
        # The header line has no delimiter: not a table (the common case), unless it heads a list of numbers.
        return "," if first_end >= 0 and _one_column_table(head) else None
    if _first_rows_differ(head):  # the quick answer of most prose: the six rows' comparison gives it too (tested)
        return None
    return _delimiter_of_rows(head)


def _delimiter_of_rows(head: str) -> str | None:
    """:func:`sniff_delimiter` by its definition: the first six lines that are not blank compared as rows."""
    lines = [line for line in _first_lines(head, 7, _TABLE_LIMIT) if line.strip()][:6]
    if len(lines) < 2:
        return None
    # Without quotes or carriage returns inside lines, csv's fields are the plain split, and rows of different
    # widths show in the delimiter counts (prose with amounts such as 1,200円 is ruled out by a few counts).
    plain = not any('"' in line or "\r" in line[:-1] for line in lines)
    for delimiter in ("\t", ","):
        if plain:
            if delimiter not in lines[0] or len({line.count(delimiter) for line in lines}) != 1:
                continue
            rows = [line.rstrip("\r").split(delimiter) for line in lines]
        else:
            try:
                rows = list(csv.reader(lines, delimiter=delimiter))
            except csv.Error:
                continue
        widths = {len(row) for row in rows}
        if len(widths) == 1 and widths.pop() >= 2:
            header = [cell.strip() for cell in rows[0]]
            # One label is enough: whether a column is headed never depends on the other headers (=1+2, 住所1).
            if any(cell and not any(ch.isdigit() for ch in cell) for cell in header):
                return delimiter
    return None


def _first_rows_differ(head: str) -> bool:
    """Whether the first two lines, when neither is blank nor holds a quote or a carriage return before its end,
    have different numbers of fields for either delimiter (or none in the first): then they are the first two
    rows :func:`sniff_delimiter` compares, read as their plain split however the lines after them read, and no
    delimiter can give rows of one width (prose with amounts such as 1,200円: decided without six lines)."""
    two = _first_lines(head, 2, _TABLE_LIMIT)
    if len(two) < 2 or any(not line.strip() or '"' in line or "\r" in line[:-1] for line in two):
        return False
    return all(delimiter not in two[0] or two[0].count(delimiter) != two[1].count(delimiter)
               for delimiter in ("\t", ","))


# A digit, half- or full-width: decoded (０-９), or as the latin-1 characters of its bytes in UTF-8 (EF BC 90-99),
# CP932 (82 4F-58) or EUC-JP (A3 B0-B9), which is how single-byte-compatible text reaches sniff_delimiter.
_DIGIT = "(?:[0-9０-９]|\xef\xbc[\x90-\x99]|\x82[\x4f-\x58]|\xa3[\xb0-\xb9])"
# A separator of a grouped number: ASCII, and the full-width hyphen and ideographic space in the same four forms.
_GROUP_SEPARATOR = "(?:[ .\\-－\u3000]|\xef\xbc\x8d|\xe3\x80\x80|\x81[\x7c\x40]|\xa1[\xdd\xa1])"
_NUMBER_LINE = re.compile(f'"?{_DIGIT}(?:{_DIGIT}|{_GROUP_SEPARATOR})*"?')


def _one_column_table(head: str) -> bool:
    """A list of numbers under its header, the most common table of all, has no delimiter: a label line (no
    digits), then lines that each hold one number (digits, half- or full-width, maybe grouped or quoted). Prose
    and logs do not."""
    if _first_line_is_no_label(head):  # the quick answer of most text: the rows' test gives it too (tested)
        return False
    return _one_column_rows(head)


def _first_line_is_no_label(head: str) -> bool:
    """Whether the first line is neither blank nor a label: it would be the header :func:`_one_column_rows`
    looks at first, and that test fails on it whatever the lines after it hold."""
    first_end = head.find("\n")
    first = head[:first_end].strip() if first_end >= 0 else ""
    return bool(first) and not _may_be_a_label(first)


def _one_column_rows(head: str) -> bool:
    """:func:`_one_column_table` by its definition: the first six lines that are not blank."""
    lines = [line.strip() for line in _first_lines(head, 7, _TABLE_LIMIT) if line.strip()][:6]
    if len(lines) < 2 or not _may_be_a_label(lines[0]):
        return False
    return all(_NUMBER_LINE.fullmatch(line) for line in lines[1:])


def _may_be_a_label(line: str) -> bool:
    """A one-column table's header: short, without ASCII digits."""
    return len(line) <= _LABEL_MAX and _ASCII_DIGIT.search(line) is None


_ASCII_DIGIT = re.compile("[0-9]")
_ASCII_DIGIT_BYTES = re.compile(b"[0-9]")


def _first_lines(text: str, count: int, limit: int) -> list[str]:
    """Up to ``count`` complete lines (each ended by a newline within the first ``limit`` characters), without
    copying the rest of the text as ``split`` would."""
    lines: list[str] = []
    start = 0
    while len(lines) < count:
        end = text.find("\n", start, limit)
        if end < 0:
            break
        lines.append(text[start:end])
        start = end + 1
    return lines


_ODF_KINDS = {
    b"application/vnd.oasis.opendocument.spreadsheet": ("ods", "OpenDocument spreadsheet"),
    b"application/vnd.oasis.opendocument.text": ("odt", "OpenDocument text"),
    b"application/vnd.oasis.opendocument.presentation": ("odp", "OpenDocument presentation"),
}
_OOXML_PARTS = (
    ("xl/workbook.xml", "xlsx", "Excel workbook (xlsx)"),
    ("xl/workbook.bin", "xlsb", "Excel binary workbook (xlsb)"),
    ("word/document.xml", "docx", "Word document (docx)"),
    ("ppt/presentation.xml", "pptx", "PowerPoint presentation (pptx)"),
)


REFINED_KINDS = frozenset({"zip", "ole2"})


def refine(kind: FileKind, stream: BinaryIO) -> FileKind:
    """Look inside containers whose first bytes are not enough (zip, OLE2) on a seekable stream."""
    if kind.name == "zip":
        return identify_zip(stream)
    if kind.name == "ole2":
        return identify_ole2(stream)
    return kind


def identify_zip(stream: BinaryIO) -> FileKind:
    """A zip file is an archive, an Office Open XML document or an OpenDocument file: its members decide
    (the ``mimetype`` member of ODF, the main part of OOXML), not its name."""
    import zipfile  # here: zipfile's imports are a start-up cost to scans that meet no zip

    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                odf = _ODF_KINDS.get(archive.read("mimetype")[:100].strip())
                if odf is not None:
                    return FileKind(*odf)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return FileKind("zip", "Zip archive (damaged)")
    for part, name, description in _OOXML_PARTS:
        if part in names:
            return FileKind(name, description)
    return FileKind("zip", "Zip archive")


_OLE2_STREAMS = (
    ("EncryptedPackage", "encrypted", "encrypted Office document (password-protected)"),
    ("Workbook", "xls", "legacy Excel workbook (xls)"),
    ("Book", "xls", "legacy Excel workbook (xls, BIFF5)"),
    ("WordDocument", "doc", "legacy Word document (doc)"),
    ("PowerPoint Document", "ppt", "legacy PowerPoint presentation (ppt)"),
)


def identify_ole2(stream: BinaryIO) -> FileKind:
    """An OLE2 compound file is a legacy xls, doc or ppt, an Outlook message, or the envelope of a
    password-protected xlsx/docx/pptx: its stream names decide."""
    import olefile

    try:
        with olefile.OleFileIO(stream) as ole:
            names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:
        return FileKind("ole2", "Composite Document File (damaged)")
    for stream_name, kind, description in _OLE2_STREAMS:
        if stream_name in names:
            return FileKind(kind, description)
    if any(name.startswith("__substg1.0_") for name in names):
        return FileKind("msg", "Outlook message (msg)")
    return FileKind("ole2", "Composite Document File")


def unsupported_reason(kind: FileKind) -> str:
    """Why a file of a kind no extractor reads is listed as unscanned."""
    if kind.name == "image":
        return f"image: no text layer ({kind.description})"
    if kind.name == "encrypted":
        return f"encrypted: {kind.description}"
    return f"unsupported type: {kind.description}"


@functools.cache
def _magic() -> object | None:
    try:
        import magic  # python-magic, over libmagic

        return magic.Magic(mime=True, keep_going=False)
    except Exception:
        return None


def _ask_libmagic(head: bytes) -> FileKind:
    detector = _magic()
    if detector is None:
        return FileKind("unknown", "binary data (libmagic not available to identify it)")
    try:
        mime = str(detector.from_buffer(head))  # type: ignore[attr-defined]
    except Exception as exc:
        return FileKind("unknown", f"unidentified data ({type(exc).__name__})")
    if mime.startswith("text/") or mime in ("application/json", "application/xml", "message/rfc822"):
        return _text_kind(head.decode("latin-1"))
    if mime.startswith("image/"):
        return FileKind("image", mime, mime)
    return FileKind("binary", mime, mime)


def describe(sample: bytes) -> str:
    """libmagic's human description of a file's first bytes (for unscanned reasons)."""
    try:
        import magic

        return str(magic.from_buffer(sample[:8192]))
    except Exception:
        return "unidentified data"
