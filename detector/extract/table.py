"""Spreadsheet rows as text units: one unit per row, each cell a :class:`~detector.extract.Span` carrying its
A1 reference, whether it was hidden, and the header of its column.

Shared by every spreadsheet reader (xlsx, xls, ods), the document tables and CSV, so they agree on what a
header is (:class:`ColumnHeaders`) and on locations. A header gives context to every cell below it, however
far down. Cells shorter than 12 characters cannot hold a number, so a row of short cells costs no unit at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..model import Location
from ..names import may_hold_number
from . import Span, TextUnit

HEADER_SEARCH_ROWS = 20
SHORTEST_NUMBER = 12
CELL_SEPARATOR = "\t"
HEADER_JOINER = " / "


class Cell(NamedTuple):
    column: int  # 0-based
    row: int  # 1-based
    text: str
    hidden: str | None = None  # "row", "column" or "row, column"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26 (the inverse of :func:`column_letters`)."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) & 0x1F)
    return index - 1


def split_ref(ref: str) -> tuple[int, int]:
    """"B7" -> (1, 7)."""
    digits = ref.lstrip(_LETTERS)
    letters = ref[: len(ref) - len(digits)]
    if len(letters) == 1:
        return (ord(letters) & 0x1F) - 1, int(digits)
    return column_index(letters.upper()), int(digits)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class ColumnHeaders:
    """Each column's header: the labels (text cells without digits) stacked above the column's values, within
    the first rows of a table.

    A header belongs to its column alone. Whether a row counts as a header row never depends on how many cells
    it has or on what the other cells say, so a one-column list under 個人番号 is headed like the same list with
    other columns beside it, and an odd cell beside a header (``=1+2``, an empty cell, ``住所1``) changes
    nothing. Labels stacked in a column (a title above the table, a note such as 未提出 under the header) are
    all kept, joined by " / ", so none hides another: the column's context is every label above it.

    A row holding a cell that could be a number (12 digits or more) is data, never a header: its labels (the
    names beside the numbers, 法人番号 beside a corporate number in a title block) are not taken, and each
    column with such a cell is settled, its header fixed from then on.
    """

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.searching = True  # False past the first rows: then the headers are what they are
        self._settled: set[int] = set()
        self._rows = 0

    def read(self, cells: Iterable[tuple[int, str]]) -> None:
        """Take the labels of the next row (pass every row, in order, while :attr:`searching`)."""
        self._rows += 1
        self.searching = self._rows < HEADER_SEARCH_ROWS
        texts = [(column, text.strip()) for column, text in cells if text.strip()]
        numbers = [column for column, text in texts if _could_be_number(text)]
        if numbers:
            self._settled.update(numbers)
            return
        for column, text in texts:
            if column not in self._settled and not any(ch.isdigit() for ch in text):
                above = self.names.get(column)
                self.names[column] = f"{above}{HEADER_JOINER}{text}" if above else text


def _could_be_number(text: str) -> bool:
    """Twelve digits or more: a value (a My Number, a corporate number), never a label."""
    return len(text) >= SHORTEST_NUMBER and sum(ch.isdigit() for ch in text) >= SHORTEST_NUMBER


class SheetUnits:
    """Turns one sheet's rows into units."""

    def __init__(self, sheet: str | None, hidden: str | None = None, location: Location | None = None) -> None:
        self.location = location or Location(sheet=sheet, hidden=hidden)
        self.headers = ColumnHeaders()

    def row(self, cells: Sequence[Cell]) -> TextUnit | None:
        if self.headers.searching:
            self.headers.read((cell.column, cell.text) for cell in cells)
        if not any(len(cell.text) >= SHORTEST_NUMBER for cell in cells):
            return None
        headers = self.headers.names
        spans = []
        offset = 0
        for cell in cells:
            end = offset + len(cell.text)
            if len(cell.text) >= SHORTEST_NUMBER:
                spans.append(Span(offset, end, headers.get(cell.column, ""),
                                  f"{column_letters(cell.column)}{cell.row}", cell.hidden))
            offset = end + len(CELL_SEPARATOR)
        text = CELL_SEPARATOR.join(cell.text for cell in cells)
        row_headers = tuple(headers[cell.column] for cell in cells if cell.column in headers)
        return TextUnit(text=text, first_line=None, location=self.location, columns=tuple(spans),
                        headers=row_headers)


def hidden_note(row: bool, column: bool) -> str | None:
    """How a cell was hidden, for its location."""
    if row and column:
        return "row, column"
    return "row" if row else "column" if column else None


def sheet_name_units(sheet: str, hidden: str | None = None) -> list[TextUnit]:
    """A sheet whose name may hold a My Number (:func:`~detector.names.may_hold_number`), as an empty unit at
    that sheet, so the scanner looks at its name even when no cell of it could hold a number (such a sheet gives
    no other unit)."""
    if not may_hold_number(sheet):
        return []
    return [TextUnit(text="", first_line=None, location=Location(sheet=sheet, hidden=hidden))]
