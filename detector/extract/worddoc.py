"""Legacy Word documents (.doc, Word 97-2003 binary, MS-DOC): the text of every story, read with olefile.

No maintained Python reader of .doc text exists (antiword and catdoc are C programs, textract shells out to
them), and the text is easy to reach: the ``WordDocument`` stream's FIB points into the table stream
(``0Table`` or ``1Table``) at the piece table (CLX), whose pieces say where each run of characters is stored,
UTF-16 or 8-bit. The characters, in document order, are the main text, then footnotes, headers and footers,
comments, endnotes and text boxes, each as long as the FIB says. Fields keep their result, not their codes.

Paragraphs end at ``\\r`` and table cells at ``\\x07``; a row ends with one more ``\\x07`` (the row-end mark),
so a table's cells come back as rows with the header of each column as context, as in docx. Locations follow
docx: ``{"part": "body, paragraph 4"}``, ``{"part": "body, table 1", "cell": "C2", "column": "個人番号"}``,
``{"part": "headers and footers, paragraph 1"}``, ``{"part": "comments, paragraph 1"}``.

A password-protected document (``fEncrypted``) is listed as unscanned ("encrypted"); a Word 6/95 document
(its text is not in a piece table) as an older format not read.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from typing import Any

from ..errors import UnscannableFile
from ..model import Location
from . import Item, Source, TextUnit, paragraph_unit
from .table import Cell, SheetUnits

MAX_DOC_BYTES = 512 * 1024 * 1024
_WORD97 = 0x00C1
_F_WHICH_TABLE, _F_ENCRYPTED = 0x0200, 0x0100
_CLX_PAIR = 33  # fcClx/lcbClx in FibRgFcLcb97
# The stories after the main text, in the order of their lengths in FibRgLw97 (ccpFtn ... ccpHdrTxbx).
_STORIES = (("body", 3), ("footnotes", 4), ("headers and footers", 5), ("comments", 7), ("endnotes", 8),
            ("text boxes", 9), ("header text boxes", 10))
_CELL, _PARAGRAPH = "\x07", "\r"
_MARKS = re.compile("[\r\x07]")
_FIELD_MARKS = re.compile("[\x13\x14\x15]")
_DROPPED = dict.fromkeys(map(ord, "\x01\x02\x03\x04\x05\x06\x08\x0e\x0f\x10\x11\x12\x16\x17\x18\x19\x1a\x1b\x1c"
                                  "\x1d\x1f\ufeff"))
_SPACED = {ord("\x0b"): "\n", ord("\x0c"): "\n", ord("\x1e"): "-", ord("\t"): "\t"}


class DocExtractor:
    kinds: tuple[str, ...] = ("doc",)

    def extract(self, source: Source) -> Iterator[Item]:
        import olefile

        data = source.read_whole(MAX_DOC_BYTES, "legacy Word document")
        try:
            with olefile.OleFileIO(data) as ole:
                text, lengths = _document_text(ole)
        except UnscannableFile:
            raise
        except Exception as exc:  # olefile and struct raise many kinds of error on damaged files
            raise UnscannableFile(f"corrupt legacy Word document ({type(exc).__name__})") from None
        start = 0
        for part, length in zip((name for name, _ in _STORIES), lengths, strict=True):
            yield from story_units(_without_field_codes(text[start:start + length]), part)
            start += length


def _document_text(ole: Any) -> tuple[str, list[int]]:
    """All the characters of the document in CP order, and the length of each story."""
    word = bytes(ole.openstream("WordDocument").read())
    if len(word) < 512 or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
        raise UnscannableFile("corrupt legacy Word document (no File Information Block)")
    n_fib, flags = struct.unpack_from("<H", word, 2)[0], struct.unpack_from("<H", word, 10)[0]
    if flags & _F_ENCRYPTED:
        raise UnscannableFile("encrypted (password-protected Word document)")
    if n_fib < _WORD97:
        raise UnscannableFile("Word 6/95 document: an older format whose text is not read (save it as .docx)")
    # FibBase (32 bytes), csw and FibRgW, cslw and FibRgLw (the stories' lengths), cbRgFcLcb and the pairs of
    # offsets and sizes into the table stream, the piece table's (fcClx, lcbClx) the 34th.
    csw = struct.unpack_from("<H", word, 32)[0]
    lw_start = 32 + 2 + csw * 2 + 2
    cslw = struct.unpack_from("<H", word, lw_start - 2)[0]
    lengths = [max(0, struct.unpack_from("<i", word, lw_start + 4 * index)[0]) for _, index in _STORIES]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, lw_start + 4 * cslw + 2 + 8 * _CLX_PAIR)
    table_name = "1Table" if flags & _F_WHICH_TABLE else "0Table"
    if not ole.exists(table_name):
        raise UnscannableFile(f"corrupt legacy Word document (no {table_name} stream)")
    table = bytes(ole.openstream(table_name).read())
    if fc_clx + lcb_clx > len(table) or lcb_clx == 0:
        raise UnscannableFile("corrupt legacy Word document (piece table out of range)")
    text = "".join(_pieces(word, table[fc_clx:fc_clx + lcb_clx], sum(lengths)))
    return text, lengths


def _pieces(word: bytes, clx: bytes, wanted: int) -> Iterator[str]:
    """The text of each piece of the piece table (skipping the property modifiers, Prc, before it)."""
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: clxt, cbGrpprl, grpprl
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise UnscannableFile("corrupt legacy Word document (no piece table)")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0:
        return
    cps = struct.unpack_from(f"<{count + 1}i", plc, 0)
    produced = 0
    for index in range(count):
        if produced >= wanted:
            return
        length = min(cps[index + 1] - cps[index], wanted - produced)
        if length <= 0:
            continue
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        if fc & 0x40000000:  # 8-bit text (Windows-1252), at half the stored offset
            offset = (fc & 0x3FFFFFFF) // 2
            yield word[offset:offset + length].decode("cp1252", "replace")
        else:
            yield word[fc:fc + 2 * length].decode("utf-16-le", "replace")
        produced += length


def _without_field_codes(text: str) -> str:
    """A field is ``\\x13 code \\x14 result \\x15``: the code (PAGE, HYPERLINK "...") is not document text."""
    if "\x13" not in text:
        return text
    out: list[str] = []
    in_code: list[bool] = []  # one entry per open field: still in its code?
    codes = 0  # how many of them are
    start = 0
    for mark in _FIELD_MARKS.finditer(text):
        if not codes:
            out.append(text[start:mark.start()])
        ch = mark.group()
        if ch == "\x13":
            in_code.append(True)
            codes += 1
        elif in_code and ch == "\x14" and in_code[-1]:
            in_code[-1] = False
            codes -= 1
        elif in_code and ch == "\x15":
            codes -= in_code.pop()
        start = mark.end()
    if not codes:
        out.append(text[start:])
    return "".join(out)


def story_units(text: str, part: str) -> Iterator[TextUnit]:
    """Paragraph units (each with the end of the previous one as context) and table rows of one story."""
    paragraphs = tables = rows = 0
    previous = ""
    table: SheetUnits | None = None
    cells: list[str] = []
    cell: list[str] = []
    columns: int | None = None
    for segment, end in _segments(text):
        clean = segment.translate(_DROPPED).translate(_SPACED)
        if end == _CELL:
            if table is None:
                tables += 1
                table, rows, columns = SheetUnits(None, location=Location(part=f"{part}, table {tables}")), 0, None
            at_row_end = not clean and not cell and cells and (columns is None or len(cells) >= columns)
            if at_row_end:
                rows += 1
                columns = columns or len(cells)
                unit = table.row([Cell(column, rows, value) for column, value in enumerate(cells) if value.strip()])
                if unit is not None:
                    yield unit
                cells = []
            else:
                cells.append("\n".join([*cell, clean]))
                cell = []
            continue
        if table is not None and (cells or cell):
            cell.append(clean)  # a paragraph inside a cell
            continue
        table = None
        paragraphs += 1
        unit, previous = paragraph_unit(clean, previous, f"{part}, paragraph {paragraphs}")
        if unit is not None:
            yield unit


def _segments(text: str) -> Iterator[tuple[str, str]]:
    """The text split after each paragraph mark or cell mark: (text, the mark that ended it)."""
    start = 0
    for mark in _MARKS.finditer(text):
        yield text[start:mark.start()], mark.group()
        start = mark.end()
    if start < len(text):
        yield text[start:], _PARAGRAPH
