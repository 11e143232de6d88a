"""OpenDocument spreadsheets (ods): content.xml streamed with expat, with the same rules as xlsx.

A cell's text is what LibreOffice shows (its ``text:p``), so a number format that keeps the leading zero is
honoured for free; a float cell whose shown text hides digits (``1.23457E+11``) is read from its exact
``office:value`` instead. Hidden sheets (a table style with ``table:display="false"``), hidden rows and
columns (``table:visibility="collapse"``) are scanned and marked. Repeated empty rows and columns (an ods
often declares a million) cost nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from ..errors import UnscannableFile
from . import Item, Source, TextUnit
from .table import Cell, SheetUnits, hidden_note, sheet_name_units
from .xlsx import number_as_shown
from .xmlstream import feed, parser

MAX_REPEATED_ROWS = 1000  # a row with content repeated more often than this is read this often
_NOT_DIGITS = re.compile(r"\D")


class OdsExtractor:
    kinds: tuple[str, ...] = ("ods",)

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("OpenDocument spreadsheet") as archive:
            if "content.xml" not in archive.namelist():
                raise UnscannableFile("OpenDocument spreadsheet without content.xml")
            if _encrypted(archive):
                raise UnscannableFile("encrypted (password-protected OpenDocument file)")
            reader = _ContentReader()
            with archive.open("content.xml") as stream:
                for _ in feed(parser(reader.start, reader.end, reader.text), stream):
                    if reader.ready:
                        yield from reader.ready
                        reader.ready.clear()


def _encrypted(archive: zipfile.ZipFile) -> bool:
    """ODF encryption is declared per file in the manifest."""
    try:
        manifest = archive.read("META-INF/manifest.xml")
    except KeyError:
        return False
    return b"encryption-data" in manifest


class _ContentReader:
    def __init__(self) -> None:
        self.ready: list[TextUnit] = []
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.units: SheetUnits | None = None
        self.hidden_columns: set[int] = set()
        self.column_count = 0
        self.row = 0
        self.row_hidden = False
        self.row_repeat = 1
        self.cells: list[Cell] = []
        self.column = 0
        self.cell_attrs: dict[str, str] | None = None
        self.cell_repeat = 1
        self.paragraphs: list[str] = []
        self.parts: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.parts is not None:
            if name == "text:s":
                self.parts.append(" " * int(attrs.get("text:c", "1")))
            elif name == "text:tab":
                self.parts.append("\t")
            elif name == "text:line-break":
                self.parts.append("\n")
            return
        if name in ("table:table-cell", "table:covered-table-cell"):
            self.cell_attrs = attrs
            self.cell_repeat = min(int(attrs.get("table:number-columns-repeated", "1")), 16384)
            self.paragraphs = []
        elif name == "text:p" and self.cell_attrs is not None:
            self.parts = []
        elif name == "table:table-row":
            self.row_repeat = int(attrs.get("table:number-rows-repeated", "1"))
            self.row_hidden = attrs.get("table:visibility", "visible") != "visible"
            self.cells, self.column = [], 0
        elif name == "table:table":
            sheet_name = attrs.get("table:name", "Sheet")
            hidden = "sheet" if attrs.get("table:style-name") in self.hidden_styles else None
            self.units = SheetUnits(sheet_name, hidden)
            self.ready.extend(sheet_name_units(sheet_name, hidden))
            self.hidden_columns, self.column_count, self.row = set(), 0, 0
        elif name == "table:table-column":
            repeat = min(int(attrs.get("table:number-columns-repeated", "1")), 16384)
            if attrs.get("table:visibility", "visible") != "visible":
                self.hidden_columns.update(range(self.column_count, self.column_count + repeat))
            self.column_count += repeat
        elif name == "style:style" and attrs.get("style:family") == "table":
            self.style = attrs.get("style:name")
        elif name == "style:table-properties" and attrs.get("table:display") == "false" and self.style:
            self.hidden_styles.add(self.style)

    def end(self, name: str) -> None:
        if name == "text:p" and self.parts is not None:
            self.paragraphs.append("".join(self.parts))
            self.parts = None
        elif self.parts is not None:
            return
        elif name in ("table:table-cell", "table:covered-table-cell"):
            self._cell_done()
        elif name == "table:table-row":
            self._row_done()
        elif name == "style:style":
            self.style = None

    def text(self, data: str) -> None:
        if self.parts is not None:
            self.parts.append(data)

    def _cell_done(self) -> None:
        attrs = self.cell_attrs or {}
        shown = "\n".join(self.paragraphs)
        if attrs.get("office:value-type") in ("float", "currency", "percentage"):
            exact = number_as_shown(attrs.get("office:value", ""), None)
            if exact.isdigit() and exact.lstrip("0") not in _NOT_DIGITS.sub("", shown):
                shown = exact  # the shown text hides digits (1.23457E+11): the exact value counts
        if shown:
            for offset in range(min(self.cell_repeat, 64)):
                self.cells.append(Cell(self.column + offset, 0, shown, None))
        self.column += self.cell_repeat
        self.cell_attrs = None

    def _row_done(self) -> None:
        if self.units is None:
            return
        if not self.cells:
            self.row += self.row_repeat
            return
        for _ in range(min(self.row_repeat, MAX_REPEATED_ROWS)):
            self.row += 1
            cells = [Cell(c.column, self.row, c.text, hidden_note(self.row_hidden, c.column in self.hidden_columns))
                     for c in self.cells]
            unit = self.units.row(cells)
            if unit is not None:
                self.ready.append(unit)
        self.row += max(0, self.row_repeat - MAX_REPEATED_ROWS)

