"""Rich Text Format: the text of an RTF file, paragraph by paragraph, location ``{"part": "paragraph n"}``.

Japanese RTF stores text as code page bytes (``\\'82\\'a0`` in CP932, announced by ``\\ansicpg932`` or a font
with ``\\fcharset128``) or as Unicode (``\\u20491?``, followed by fallback characters to skip). Both are
decoded; font tables, pictures, embedded objects and other destinations that hold no document text are skipped
(a picture's hex must not be mistaken for a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Location
from . import Item, Source, paragraph_unit
from .table import Cell, SheetUnits

MAX_RTF_BYTES = 256 * 1024 * 1024
_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([\r\n]+)|([^\\{}\r\n]+)",
                    re.S)
_SKIPPED = frozenset({
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"themedata", b"colorschememapping",
    b"datastore", b"xmlnstbl", b"listtable", b"listoverridetable", b"rsidtbl", b"generator", b"latentstyles",
    b"fldinst", b"bin", b"filetbl", b"revtbl", b"pgdsctbl", b"mmathPr", b"wgrffmtfilter", b"defchp", b"defpap",
})
_BREAKS = {b"line": "\n", b"sect": "\n", b"page": "\n", b"tab": "\t"}
_KEPT_OPTIONAL = frozenset({b"annotation"})  # {\*\annotation ...}: a comment, which is document text


class RtfExtractor:
    kinds: tuple[str, ...] = ("rtf",)

    def extract(self, source: Source) -> Iterator[Item]:
        data = source.read_whole(MAX_RTF_BYTES, "RTF file")
        previous = ""
        paragraphs = tables = 0
        table: SheetUnits | None = None
        rows = 0
        for block in rtf_blocks(data):
            if isinstance(block, list):  # a table row
                if table is None:
                    tables += 1
                    table, rows = SheetUnits(None, location=Location(part=f"table {tables}")), 0
                rows += 1
                unit = table.row([Cell(column, rows, text) for column, text in enumerate(block) if text.strip()])
                if unit is not None:
                    yield unit
                continue
            table = None
            paragraphs += 1
            unit, previous = paragraph_unit(block, previous, f"paragraph {paragraphs}")
            if unit is not None:
                yield unit


def rtf_text(data: bytes) -> str:
    """The document text of an RTF file: paragraphs as lines, table cells separated by tabs."""
    return "\n".join("\t".join(block) if isinstance(block, list) else block for block in rtf_blocks(data))


def rtf_blocks(data: bytes) -> Iterator[str | list[str]]:
    """Paragraphs (str) and table rows (lists of cell texts), in document order."""
    reader = _Reader(_codepage(data))
    for m in _TOKEN.finditer(data):
        reader.token(*m.groups())
        if reader.blocks:
            yield from reader.blocks
            reader.blocks.clear()
    reader.end()
    yield from reader.blocks


def _codepage(data: bytes) -> str:
    codepage = "cp932" if (b"\\fcharset128" in data[:65536] or b"\\ansicpg932" in data[:4096]) else "cp1252"
    match = re.search(rb"\\ansicpg(\d+)", data[:4096])
    if match and match.group(1) != b"932":
        codepage = f"cp{int(match.group(1))}"
    try:
        "".encode(codepage)
    except LookupError:
        codepage = "cp1252"
    return codepage


class _Reader:
    def __init__(self, codepage: str) -> None:
        self.codepage = codepage
        self.blocks: list[str | list[str]] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self.pending = bytearray()  # \'hh bytes of a multi-byte character
        self.stack: list[tuple[bool, int]] = []
        self.skipping, self.skip_chars, self.unicode_skip = False, 0, 1
        self.group_start = self.starred = False
        self.in_table = False

    def flush(self) -> None:
        if self.pending:
            self.text.append(self.pending.decode(self.codepage, "replace"))
            self.pending.clear()

    def take(self) -> str:
        self.flush()
        text = "".join(self.text)
        self.text = []
        return text

    def token(self, word: bytes | None, argument: bytes | None, hex_byte: bytes | None, symbol: bytes | None,
              brace: bytes | None, newline: bytes | None, plain: bytes | None) -> None:
        if brace is not None:
            self.flush()
            if brace == b"{":
                self.stack.append((self.skipping, self.unicode_skip))
                self.group_start = True
            elif self.stack:
                self.skipping, self.unicode_skip = self.stack.pop()
            return
        if newline is not None:
            return
        starting, self.group_start = self.group_start, False
        starred, self.starred = self.starred, False
        if self.skipping:
            return
        if word is not None:
            if (starting and word in _SKIPPED) or (starred and word not in _KEPT_OPTIONAL):
                self.skipping = True
            else:
                self.control(word, argument)
        elif symbol is not None:
            self.symbol(symbol, starting)
        elif hex_byte is not None:
            if self.skip_chars:
                self.skip_chars -= 1
            else:
                self.pending.append(int(hex_byte, 16))
        elif plain is not None:
            self.flush()
            text = plain.decode(self.codepage, "replace")
            if self.skip_chars:
                dropped = min(self.skip_chars, len(text))
                text, self.skip_chars = text[dropped:], self.skip_chars - dropped
            self.text.append(text)

    def control(self, word: bytes, argument: bytes | None) -> None:
        self.flush()
        if word == b"uc" and argument is not None:
            self.unicode_skip = int(argument)
        elif word == b"u" and argument is not None:
            self.text.append(chr(int(argument) % 65536))
            self.skip_chars = self.unicode_skip
        elif word == b"intbl":
            self.in_table = True
        elif word == b"pard":
            self.in_table = False
        elif word == b"cell":
            self.cells.append(self.take())
        elif word == b"row":
            self.blocks.append(self.cells)
            self.cells = []
            self.in_table = False
        elif word == b"par":
            if self.in_table:
                self.text.append("\n")
            else:
                self.blocks.append(self.take())
        elif word in _BREAKS:
            self.text.append(_BREAKS[word])

    def symbol(self, symbol: bytes, starting: bool) -> None:
        if symbol == b"*" and starting:
            self.starred = True  # {\* ...}: an optional destination, skipped unless it holds document text
        elif symbol in (b"\\", b"{", b"}"):
            self.flush()
            self.text.append(symbol.decode())
        elif symbol == b"~":
            self.text.append(" ")

    def end(self) -> None:
        if self.cells:
            self.blocks.append(self.cells)
        rest = self.take()
        if rest:
            self.blocks.append(rest)
