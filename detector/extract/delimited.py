"""CSV and TSV: each row is one unit, its cells marked with the header of their column.

A payroll export has 個人番号 in the header and bare numbers below it, however many rows down: the column
header is what makes those numbers high confidence. Headers are found as in spreadsheets
(:class:`~detector.extract.table.ColumnHeaders`): each column's own labels above its values, so a one-column
list and a header with an odd cell (``名前,=1+2,個人番号``) are headed like any other table.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
from collections.abc import Iterator

from ..decode import SAMPLE_SIZE, bom_of, detect_encoding, utf16_without_bom
from ..identify import DELIMITED, sniff_delimiter
from ..model import Location
from ..mynumber import could_hold
from . import Source, Span, TextUnit
from .table import ColumnHeaders

csv.field_size_limit(64 * 1024 * 1024)
# Rows asked at once whether they could hold a candidate: about 100 KB of a typical table.
_BLOCK_ROWS = 1024


class DelimitedExtractor:
    """Each row a unit while the column headers are looked for (the first rows:
    :data:`~detector.extract.table.HEADER_SEARCH_ROWS`); past them, rows are taken a block at a time, and only
    those that could hold a candidate give one. ``every_row``: the plain form, a unit for every row (the twin the
    tests hold it to)."""

    kinds: tuple[str, ...] = (DELIMITED,)

    def __init__(self, every_row: bool = False) -> None:
        self.every_row = every_row

    def extract(self, source: Source) -> Iterator[TextUnit]:
        head = source.head
        bom = bom_of(head)
        encoding = bom[0] if bom else utf16_without_bom(head[:4096]) or detect_encoding(head[:SAMPLE_SIZE])
        if encoding == "ascii":
            encoding = "utf-8"
        delimiter = sniff_delimiter(head[bom[1] if bom else 0:16384].decode(encoding, "replace")) or ","
        binary = source.from_start()
        stream = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        if bom:
            stream.read(1)  # the BOM, decoded to one U+FEFF
        reader = csv.reader(stream, delimiter=delimiter)
        headers = ColumnHeaders()
        last_line = 0
        block: list[tuple[list[str], str, int]] = []  # rows past the header search: (cells, text, first line)
        try:
            for row in reader:
                first_line, last_line = last_line + 1, reader.line_num
                if headers.searching:
                    headers.read(enumerate(row))
                    unit = _row_unit(row, delimiter.join(row), headers.names, first_line)
                    if unit is not None:
                        yield unit
                    continue
                block.append((row, delimiter.join(row), first_line))
                if len(block) >= _BLOCK_ROWS:
                    yield from self._block_units(block, headers.names)
                    block = []
            yield from self._block_units(block, headers.names)
        finally:
            if not binary.closed:
                stream.detach()  # the caller owns (and closes) the underlying file

    def _block_units(self, block: list[tuple[list[str], str, int]], headers: dict[int, str]) -> Iterator[TextUnit]:
        """The units of a block of rows (their headers settled): only of the rows that could hold a candidate
        (:func:`~detector.mynumber.could_hold`, asked once for the block), unless ``every_row``."""
        rows = block if self.every_row else _rows_that_could_hold(block)
        for row, text, first_line in rows:
            unit = _row_unit(row, text, headers, first_line)
            if unit is not None:
                yield unit


def _rows_that_could_hold(block: list[tuple[list[str], str, int]]) -> list[tuple[list[str], str, int]]:
    """The rows of a block whose text could hold a candidate: the block's texts joined by newlines asked once,
    and every row a span found there overlaps kept (a table of names and addresses, most rows, costs no unit)."""
    starts = list(itertools.accumulate((len(text) + 1 for _, text, _ in block), initial=0))
    kept: set[int] = set()
    for start, end in could_hold("\n".join(text for _, text, _ in block)):
        kept.update(range(bisect.bisect_right(starts, start) - 1, bisect.bisect_left(starts, end)))
    return [block[index] for index in sorted(kept)]


def _row_unit(row: list[str], text: str, headers: dict[int, str], first_line: int) -> TextUnit | None:
    if len(text) < 12:
        return None
    columns = []
    offset = 0
    for index, cell in enumerate(row):
        header = headers.get(index, "")
        if header and len(cell) >= 12:
            columns.append(Span(offset, offset + len(cell), header))
        offset += len(cell) + 1
    row_headers = tuple(headers[i] for i, cell in enumerate(row) if i in headers and cell.strip())
    return TextUnit(text=text, first_line=first_line, columns=tuple(columns), location=Location(),
                    headers=row_headers)
