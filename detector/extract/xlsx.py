"""Excel workbooks (xlsx, xlsm): every sheet, hidden or not, streamed row by row from the sheet XML.

The sheet XML is read as a stream of expat events (:mod:`detector.extract.xmlstream`: no DTDs, no entity
expansion) rather than through openpyxl's read-only mode, for two reasons: it is several times faster (rows/s
of both are printed by scripts/bench.py), and openpyxl's read-only worksheets do not expose hidden rows and
columns, which a responder must be told about. openpyxl remains the fallback for a workbook whose parts the
streaming reader cannot follow.

Numbers are restored as Excel shows them: a 12-digit number stored as a number is found; a number format of
zeros (``000000000000``, ``0000-0000-0000``) restores the leading zero Excel hides; a float such as
``1.23456789018E+11`` is found when it is exact.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

from ..errors import UnscannableFile
from . import Item, Skipped, Source
from .pictures import embedded_pictures
from .table import Cell, SheetUnits, hidden_note, sheet_name_units, split_ref
from .xmlstream import EndHandler, StartHandler, TextHandler, XmlRefused, feed, local, parse_all, parser

# Built-in number formats that show an integer as its digits.
_BUILTIN_INTEGER_FORMATS = {1: "0", 49: "@"}


class XlsxExtractor:
    kinds: tuple[str, ...] = ("xlsx",)

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("Excel workbook") as archive:
            try:
                workbook = _Workbook(archive)
            except XmlRefused:
                raise  # never handed to another parser
            except (KeyError, UnscannableFile, zipfile.BadZipFile, ValueError) as exc:
                yield from _with_openpyxl(source, f"corrupt Excel workbook ({_short(exc)})")
                return
            for name, path, state in workbook.sheets:
                hidden = "sheet" if state in ("hidden", "veryHidden") else None
                yield from sheet_name_units(name, hidden)
                try:
                    yield from workbook.sheet_units(name, path, hidden)
                except KeyError:
                    yield Skipped(f"sheet {name}", "sheet part missing from the workbook")
                except UnscannableFile as exc:
                    yield Skipped(f"sheet {name}", f"corrupt sheet: {exc.reason}")
                except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
                    yield Skipped(f"sheet {name}", f"corrupt sheet ({_short(exc)})")
            yield from embedded_pictures(archive, "xl/media/")  # a scan pasted into a sheet, read by OCR


class _Workbook:
    """The parts every sheet needs: sheet list, shared strings, number formats."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        self.sheets = self._sheets()
        self.strings = self._shared_strings()
        self.formats = self._cell_formats()

    def _sheets(self) -> list[tuple[str, str, str]]:
        targets: dict[str, str] = {}
        sheets: list[tuple[str, str | None, str]] = []

        def on_rel(name: str, attrs: dict[str, str]) -> None:
            if local(name) == "Relationship":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[attrs.get("Id", "")] = path

        def on_sheet(name: str, attrs: dict[str, str]) -> None:
            if local(name) == "sheet":
                rel_id = next((v for k, v in attrs.items() if local(k) == "id" and k != "sheetId"), None)
                sheets.append((attrs.get("name", f"Sheet{len(sheets) + 1}"), rel_id, attrs.get("state", "visible")))

        if "xl/_rels/workbook.xml.rels" in self.names:
            self._parse("xl/_rels/workbook.xml.rels", on_rel)
        self._parse("xl/workbook.xml", on_sheet)
        return [(name, targets.get(rel_id or "", f"xl/worksheets/sheet{index + 1}.xml"), state)
                for index, (name, rel_id, state) in enumerate(sheets)]

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.names:
            return []
        strings: list[str] = []
        reader = _RichText(strings.append, "si")
        self._parse("xl/sharedStrings.xml", reader.start, reader.end, reader.text)
        return strings

    def _cell_formats(self) -> list[str | None]:
        """Per cell style index: the number format code, when it can show an integer as digits."""
        if "xl/styles.xml" not in self.names:
            return []
        codes: dict[int, str] = dict(_BUILTIN_INTEGER_FORMATS)
        ids: list[int] = []
        depth = {"cellXfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = local(name)
            if tag == "numFmt":
                codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                depth["cellXfs"] = True
            elif tag == "xf" and depth["cellXfs"]:
                ids.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if local(name) == "cellXfs":
                depth["cellXfs"] = False

        self._parse("xl/styles.xml", start, end)
        return [codes.get(i) for i in ids]

    def _parse(self, path: str, start: StartHandler, end: EndHandler = lambda _n: None,
               text: TextHandler | None = None) -> None:
        with self.archive.open(path) as stream:
            parse_all(stream, start, end, text)

    def sheet_units(self, name: str, path: str, hidden: str | None) -> Iterator[Item]:
        sheet = _SheetReader(self, SheetUnits(name, hidden))
        with self.archive.open(path) as stream:
            for _ in feed(parser(sheet.start, sheet.end, sheet.text), stream):
                if sheet.ready:
                    yield from sheet.ready
                    sheet.ready.clear()

    def cell_text(self, kind: str, value: str | None, inline: str | None, style: str | None) -> str:
        if inline is not None:
            return inline
        if value is None:
            return ""
        if kind == "s":
            try:
                return self.strings[int(value)]
            except (ValueError, IndexError):
                return ""
        if kind in ("str", "inlineStr"):
            return value
        if kind != "n":
            return ""  # booleans, errors, dates in ISO form: no numbers to find
        code = None
        if style is not None and style.isdigit() and int(style) < len(self.formats):
            code = self.formats[int(style)]
        return number_as_shown(value, code)


class _RichText:
    """Collects the text of string items (``si``, ``is``): their runs without the phonetic (furigana) runs."""

    def __init__(self, done: Callable[[str], None], item: str) -> None:
        self.done, self.item = done, item
        self.parts: list[str] = []
        self.collecting = False
        self.phonetic = False

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        tag = local(name)
        if tag == "t":
            self.collecting = not self.phonetic
        elif tag == "rPh":
            self.phonetic = True
        elif tag == self.item:
            self.parts = []

    def end(self, name: str) -> None:
        tag = local(name)
        if tag == "t":
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == self.item:
            self.done("".join(self.parts))

    def text(self, data: str) -> None:
        if self.collecting:
            self.parts.append(data)


class _SheetReader:
    """expat handlers for one worksheet: cells into rows, rows into units (in ``ready``)."""

    def __init__(self, workbook: _Workbook, units: SheetUnits) -> None:
        self.workbook, self.units = workbook, units
        self.ready: list[Item] = []
        self.cells: list[Cell] = []
        self.hidden_columns: set[int] = set()
        self.row_number, self.row_hidden, self.next_column = 0, False, 0
        self.cell: dict[str, str] = {}
        self.value: str | None = None
        self.parts: list[str] = []
        self.collecting = False
        self.inline = _RichText(self._inline_done, "is")
        self.inline_text: str | None = None
        self.in_inline = False

    def _inline_done(self, text: str) -> None:
        self.inline_text = text

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name) if ":" in name else name
        if self.in_inline:
            self.inline.start(tag, attrs)
        elif tag == "c":
            self.cell, self.value, self.inline_text = attrs, None, None
        elif tag == "v":
            self.parts, self.collecting = [], True
        elif tag == "row":
            self.row_number = int(attrs.get("r") or self.row_number + 1)
            self.row_hidden = attrs.get("hidden") in ("1", "true")
            self.cells, self.next_column = [], 0
        elif tag == "is":
            self.in_inline = True
            self.inline.start(tag, attrs)
        elif tag == "col" and attrs.get("hidden") in ("1", "true"):
            first, last = int(attrs.get("min", "1")), int(attrs.get("max", "1"))
            self.hidden_columns.update(range(first - 1, min(last, 16384)))

    def end(self, name: str) -> None:
        tag = local(name) if ":" in name else name
        if tag == "v":
            self.value, self.collecting = "".join(self.parts), False
        elif self.in_inline:
            self.inline.end(tag)
            self.in_inline = tag != "is"
        elif tag == "c":
            cell = self.cell
            text = self.workbook.cell_text(cell.get("t", "n"), self.value, self.inline_text, cell.get("s"))
            ref = cell.get("r")
            column = split_ref(ref)[0] if ref else self.next_column
            self.next_column = column + 1
            if text:
                hidden = None
                if self.row_hidden or self.hidden_columns:
                    hidden = hidden_note(self.row_hidden, column in self.hidden_columns)
                self.cells.append(Cell(column, self.row_number, text, hidden))
        elif tag == "row":
            unit = self.units.row(self.cells)
            if unit is not None:
                self.ready.append(unit)

    def text(self, data: str) -> None:
        if self.collecting:
            self.parts.append(data)
        elif self.in_inline:
            self.inline.text(data)


def _with_openpyxl(source: Source, problem: str) -> Iterator[Item]:
    """The fallback reader, for a workbook whose parts the streaming reader could not follow."""
    import openpyxl  # slow to import: only when needed

    try:
        workbook = openpyxl.load_workbook(source.from_start(), read_only=True, data_only=True)
    except Exception:
        raise UnscannableFile(problem) from None
    try:
        for sheet in workbook.worksheets:
            hidden = "sheet" if sheet.sheet_state in ("hidden", "veryHidden") else None
            units = SheetUnits(sheet.title, hidden)
            yield from sheet_name_units(sheet.title, hidden)
            for row in sheet.iter_rows():
                cells = []
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None or isinstance(value, bool):
                        continue
                    if isinstance(value, int | float):
                        text = number_as_shown(repr(value), getattr(cell, "number_format", None))
                    else:
                        text = str(value)
                    cells.append(Cell(cell.column - 1, cell.row, text))
                unit = units.row(cells)
                if unit is not None:
                    yield unit
    except Exception as exc:
        raise UnscannableFile(f"{problem}; openpyxl could not read it either ({type(exc).__name__})") from None
    finally:
        workbook.close()


def number_as_shown(value: str, code: str | None) -> str:
    """A numeric cell's value as digits: an exact integer as its digits (never 1.23457E+11), through a
    zero-padding format such as 000000000000 or 0000-0000-0000 when the cell has one."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite() or number != number.to_integral_value() or abs(number) >= 10**15:
        return value
    digits = str(abs(int(number)))
    if code:
        shown = apply_digit_format(digits, code)
        if shown is not None:
            return shown
    return digits


def apply_digit_format(digits: str, code: str) -> str | None:
    """Render an integer through a format of digit placeholders and literals (``0000-0000-0000``,
    ``000000000000``, ``0000" "0000``); None for any other kind of format (dates, decimals, currency)."""
    section = code.split(";", 1)[0]
    tokens: list[tuple[bool, str]] = []  # (is placeholder, text)
    i = 0
    while i < len(section):
        ch = section[i]
        if ch in "0#":
            tokens.append((True, ch))
        elif ch == '"':
            end = section.find('"', i + 1)
            if end < 0:
                return None
            tokens.append((False, section[i + 1:end]))
            i = end
        elif ch == "\\" and i + 1 < len(section):
            tokens.append((False, section[i + 1]))
            i += 1
        elif ch in "-  ‐－/()":
            tokens.append((False, ch))
        elif ch == "@":
            return digits
        else:
            return None
        i += 1
    placeholders = [t for is_placeholder, t in tokens if is_placeholder]
    if not placeholders:
        return None
    padded = digits.zfill(placeholders.count("0"))
    out: list[str] = []
    remaining = padded
    for is_placeholder, text in reversed(tokens):
        if is_placeholder:
            out.append(remaining[-1:] if remaining else ("0" if text == "0" else ""))
            remaining = remaining[:-1]
        else:
            out.append(text)
    shown = "".join(reversed(out))
    return remaining + shown if remaining else shown









def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


