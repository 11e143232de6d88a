"""Spreadsheet rows as text units: one unit per row, each cell a :class:`~detector.extract.Span` carrying its
A1 reference, whether it was hidden, and the header of its column.

Shared by every spreadsheet reader (xlsx, xls, ods), so they agree on what a header is and on locations. A
header is the first row of labels (text cells without digits) within the first rows of a sheet, so a title
above a table is allowed; it gives context to every cell below it, however far down. Cells shorter than 12
characters cannot hold a number, so a row of short cells costs no unit at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..model import Location
from . import Span, TextUnit

HEADER_SEARCH_ROWS = 20
SHORTEST_NUMBER = 12
CELL_SEPARATOR = "\t"


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


class SheetUnits:
    """Turns one sheet's rows into units."""

    def __init__(self, sheet: str | None, hidden: str | None = None, location: Location | None = None) -> None:
        self.location = location or Location(sheet=sheet, hidden=hidden)
        self.headers: dict[int, str] | None = None
        self.rows = 0

    def row(self, cells: Sequence[Cell]) -> TextUnit | None:
        self.rows += 1
        if self.headers is None and self.rows <= HEADER_SEARCH_ROWS and _is_label_row(cells):
            self.headers = {cell.column: cell.text.strip() for cell in cells if cell.text.strip()}
            return None
        if not any(len(cell.text) >= SHORTEST_NUMBER for cell in cells):
            return None
        headers = self.headers or {}
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


def _is_label_row(cells: Sequence[Cell]) -> bool:
    texts = [cell.text for cell in cells if cell.text.strip()]
    return len(texts) >= 2 and not any(ch.isdigit() for text in texts for ch in text)
