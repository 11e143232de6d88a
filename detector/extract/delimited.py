"""CSV and TSV: each row is one unit, its cells marked with the header of their column.

A payroll export has 個人番号 in the header and bare numbers below it, however many rows down: the column
header is what makes those numbers high confidence. Headers are found as in spreadsheets
(:class:`~detector.extract.table.ColumnHeaders`): each column's own labels above its values, so a one-column
list and a header with an odd cell (``名前,=1+2,個人番号``) are headed like any other table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..decode import SAMPLE_SIZE, bom_of, detect_encoding, utf16_without_bom
from ..identify import DELIMITED, sniff_delimiter
from ..model import Location
from . import Source, Span, TextUnit
from .table import ColumnHeaders

csv.field_size_limit(64 * 1024 * 1024)


class DelimitedExtractor:
    kinds: tuple[str, ...] = (DELIMITED,)

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
        try:
            for row in reader:
                first_line, last_line = last_line + 1, reader.line_num
                if headers.searching:
                    headers.read(enumerate(row))
                unit = _row_unit(row, delimiter, headers.names, first_line)
                if unit is not None:
                    yield unit
        finally:
            if not binary.closed:
                stream.detach()  # the caller owns (and closes) the underlying file


def _row_unit(row: list[str], delimiter: str, headers: dict[int, str], first_line: int) -> TextUnit | None:
    text = delimiter.join(row)
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
