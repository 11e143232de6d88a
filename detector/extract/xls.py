"""Legacy binary Excel (xls, BIFF8) with xlrd, with the same rules as xlsx: text and numeric cells (numbers
through their number format), hidden sheets, rows and columns scanned and marked, column headers as context.

xlrd reads a whole workbook into memory; a legacy xls is at most 65,536 rows a sheet, so that is bounded.
An encrypted workbook (a FILEPASS record) is listed as unscanned ("encrypted").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import UnscannableFile
from . import Item, Source
from .table import Cell, SheetUnits, hidden_note, sheet_name_units
from .xlsx import number_as_shown

MAX_XLS_BYTES = 512 * 1024 * 1024


class XlsExtractor:
    kinds: tuple[str, ...] = ("xls",)

    def extract(self, source: Source) -> Iterator[Item]:
        import xlrd  # only when an xls is met

        data = source.read_whole(MAX_XLS_BYTES, "legacy Excel workbook")
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                      logfile=_Quiet())
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise UnscannableFile("encrypted (password-protected Excel workbook)") from None
            raise UnscannableFile(f"corrupt legacy Excel workbook ({exc})") from None
        except Exception as exc:  # xlrd raises many kinds of error on damaged files
            raise UnscannableFile(f"corrupt legacy Excel workbook ({type(exc).__name__})") from None
        try:
            for index in range(book.nsheets):
                yield from _sheet_units(book, book.sheet_by_index(index))
                book.unload_sheet(index)
        finally:
            book.release_resources()


def _sheet_units(book: Any, sheet: Any) -> Iterator[Item]:
    import xlrd

    units = SheetUnits(sheet.name, "sheet" if sheet.visibility else None)
    yield from sheet_name_units(sheet.name, "sheet" if sheet.visibility else None)
    hidden_columns = {c for c, info in sheet.colinfo_map.items() if info.hidden}
    for row in range(sheet.nrows):
        row_hidden = bool(getattr(sheet.rowinfo_map.get(row), "hidden", False))
        cells = []
        for column, cell in enumerate(sheet.row(row)):
            if cell.ctype == xlrd.XL_CELL_TEXT:
                text = str(cell.value)
            elif cell.ctype == xlrd.XL_CELL_NUMBER:
                text = number_as_shown(repr(cell.value), _format(book, cell.xf_index))
            else:
                continue
            if text:
                cells.append(Cell(column, row + 1, text, hidden_note(row_hidden, column in hidden_columns)))
        unit = units.row(cells)
        if unit is not None:
            yield unit


def _format(book: Any, xf_index: int | None) -> str | None:
    if xf_index is None or xf_index >= len(book.xf_list):
        return None
    fmt = book.format_map.get(book.xf_list[xf_index].format_key)
    return str(fmt.format_str) if fmt is not None else None



class _Quiet:
    """xlrd writes warnings about damaged records to a log file; they are not for the user."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
