"""CSV and TSV: each row is one unit, its cells marked with the header of their column.

A payroll export has 個人番号 in the header and bare numbers below it, however many rows down: the column
header is what makes those numbers high confidence. The header is the first row of labels (cells without
digits) within the first rows, so title lines above a table are allowed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..decode import SAMPLE_SIZE, bom_of, detect_encoding, utf16_without_bom
from ..identify import DELIMITED, sniff_delimiter
from ..model import Location
from . import Source, Span, TextUnit

HEADER_SEARCH_ROWS = 20
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
        headers: list[str] | None = None
        last_line = 0
        try:
            for index, row in enumerate(reader):
                first_line, last_line = last_line + 1, reader.line_num
                if headers is None and index < HEADER_SEARCH_ROWS and _is_label_row(row):
                    headers = [cell.strip() for cell in row]
                    continue
                unit = _row_unit(row, delimiter, headers or [], first_line)
                if unit is not None:
                    yield unit
        finally:
            if not binary.closed:
                stream.detach()  # the caller owns (and closes) the underlying file


def _is_label_row(row: list[str]) -> bool:
    cells = [cell for cell in row if cell.strip()]
    return len(cells) >= max(1, len(row) // 2) and not any(ch.isdigit() for cell in cells for ch in cell)


def _row_unit(row: list[str], delimiter: str, headers: list[str], first_line: int) -> TextUnit | None:
    text = delimiter.join(row)
    if len(text) < 12:
        return None
    columns = []
    offset = 0
    for index, cell in enumerate(row):
        header = headers[index] if index < len(headers) else ""
        if header and len(cell) >= 12:
            columns.append(Span(offset, offset + len(cell), header))
        offset += len(cell) + 1
    row_headers = tuple(headers[i] for i, cell in enumerate(row) if i < len(headers) and headers[i] and cell.strip())
    return TextUnit(text=text, first_line=first_line, columns=tuple(columns), location=Location(),
                    headers=row_headers)
