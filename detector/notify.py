"""The people to notify: an HR roster matched against a saved scan by fingerprint, never by raw number.

The roster (CSV in UTF-8 or CP932, or an xlsx workbook) holds each person's My Number and contact columns. Its
numbers are fingerprinted with the scan's key; the rows whose fingerprint the scan found are the people to
notify, written with the files where each was found and without the My Number column. People the scan found
but the roster lacks are listed too, by masked number, so that nobody is lost. What the notice itself must say
(the letters of ``--letter`` and the guidance beside the table) is :mod:`detector.report.notice`'s.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from . import messages
from .decode import bom_of, detect_encoding
from .errors import UsageError
from .extract.xlsx import number_as_shown
from .formulas import is_risky, neutralised
from .mynumber import InvalidNumber, validate
from .names import shown
from .people import Fingerprinter
from .result import UNKNOWN_HOST, ScanResult

STATUS_MATCHED, STATUS_NOT_IN_ROSTER = "in_roster", "not_in_roster"


@dataclass
class Roster:
    headers: list[str]
    rows: list[list[str]]
    number_index: int

    def column(self, wanted: str) -> int:
        """The index of a column named by its header or by its number counting from 1."""
        index = _column_index(self.headers, wanted)
        if index is None:
            raise UsageError(messages.text("roster.no_column", column=wanted, columns=", ".join(self.headers)))
        return index


class Place(NamedTuple):
    """A file with the person's number: its path on the host that read it. Two hosts' same path are two files
    (each a copy to deal with), as :func:`detector.result.merge` keeps them."""

    host: str | None  # None: a scan document written before hosts were kept
    path: str

    def shown(self, with_host: bool) -> str:
        """The file as every writer writes names (escaped, a number in a name masked), after its host and a colon
        (``nas-a:/srv/share/staff.csv``, as scp and rsync name a file on a host) when the scan covers several."""
        if not with_host:
            return shown(self.path)
        return f"{shown(self.host) if self.host is not None else UNKNOWN_HOST}:{shown(self.path)}"


@dataclass(frozen=True)
class Person:
    """One person the scan found: the masked number, the files (each a path on a host) and those of them in
    public places, the other personal items found in the same records (item ids), and, for a person in the
    roster, the roster row (without the number column) and the name taken from the columns the user named.
    ``several_hosts``: the scan covers more than one host, so each file is named with its host."""

    masked: str
    places: tuple[Place, ...]
    items: tuple[str, ...] = ()
    public_places: frozenset[Place] = frozenset()
    row: tuple[str, ...] = ()
    name: str = ""
    several_hosts: bool = False

    @property
    def files(self) -> list[str]:
        """The files as every writer writes names: escaped, a number in a name masked, the host before the path
        when the scan covers several hosts."""
        return [place.shown(self.several_hosts) for place in self.places]


@dataclass
class Notification:
    """The roster rows of the people found, and the people found whom the roster lacks."""

    headers: list[str]  # the roster's, without the number column
    matched: list[Person] = field(default_factory=list)  # in roster order
    not_in_roster: list[Person] = field(default_factory=list)  # by masked number
    roster_rows: int = 0
    invalid_roster_numbers: int = 0

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        # Every cell through neutralise: roster cells, headers and file names are other people's text.
        for row in self.rows():
            writer.writerow(neutralised(row))
        return "\ufeff" + out.getvalue()  # a BOM, so Excel opens the Japanese text as UTF-8

    def rows(self) -> list[list[str]]:
        """The table to write: a header row, then a row for each person found."""
        table = [["status", "masked", *self.headers, "files"]]
        table += [[STATUS_MATCHED, person.masked, *person.row, " | ".join(person.files)] for person in self.matched]
        table += [[STATUS_NOT_IN_ROSTER, person.masked, *([""] * len(self.headers)), " | ".join(person.files)]
                  for person in self.not_in_roster]
        return table

    def to_xlsx(self) -> bytes:
        """The same table as a workbook. Every cell is written as a string, never a formula (openpyxl would take
        a string beginning with '=' for one), and a cell that begins like a formula is marked with Excel's quote
        prefix, so that editing it does not make it one either (see :mod:`detector.formulas`)."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("notify")
        for row in self.rows():
            cells = []
            for text in row:
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                if is_risky(text):
                    cell.quotePrefix = True
                cells.append(cell)
            sheet.append(cells)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        in_roster = [{"status": STATUS_MATCHED, "masked": person.masked, "files": person.files,
                      "roster": dict(zip(self.headers, person.row, strict=False))} for person in self.matched]
        missing = [{"status": STATUS_NOT_IN_ROSTER, "masked": person.masked, "files": person.files}
                   for person in self.not_in_roster]
        return {
            "summary": {"people_found": len(self.matched) + len(self.not_in_roster),
                        "in_roster": len(self.matched), "not_in_roster": len(self.not_in_roster),
                        "roster_rows": self.roster_rows, "invalid_roster_numbers": self.invalid_roster_numbers},
            "people": in_roster + missing,
        }


def read_roster(path: str, number_column: str) -> Roster:
    """The roster's header row and rows; ``number_column`` is a header name or a 1-based column number."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(messages.text("roster.unreadable", path=path, reason=exc.strerror)) from None
    table = _xlsx_rows(path, data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    if not table:
        raise UsageError(messages.text("roster.empty", path=path))
    headers = [cell.strip() for cell in table[0]]
    index = _column_index(headers, number_column)
    if index is None:
        missing = messages.text("roster.no_column", column=number_column, columns=", ".join(headers))
        raise UsageError(messages.text("located", where=path, problem=missing))
    return Roster(headers, [row + [""] * (len(headers) - len(row)) for row in table[1:] if any(row)], index)


def _column_index(headers: list[str], wanted: str) -> int | None:
    if wanted.strip() in headers:
        return headers.index(wanted.strip())
    if wanted.isdigit() and 1 <= int(wanted) <= len(headers):
        return int(wanted) - 1
    return None


def _csv_rows(data: bytes) -> list[list[str]]:
    bom = bom_of(data)
    encoding = bom[0] if bom else detect_encoding(data)
    text = data[bom[1] if bom else 0:].decode("utf-8" if encoding == "ascii" else encoding, "replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx_rows(path: str, data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UsageError(messages.text("roster.not_xlsx", path=path, error=type(exc).__name__)) from None
    try:
        rows = []
        for row in book.worksheets[0].iter_rows():
            cells = []
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    cells.append("")
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    cells.append(number_as_shown(repr(value), getattr(cell, "number_format", None)))
                else:
                    cells.append(str(value))
            rows.append(cells)
        return rows
    finally:
        book.close()


def _restore_leading_zeros(value: str) -> str:
    """A roster column declared to hold My Numbers: a value of 9 to 11 digits is a number whose leading zeros a
    spreadsheet dropped (stored as a number without a zero-padding format), so it is padded back to 12."""
    text = value.strip()
    return text.zfill(12) if text.isdigit() and 9 <= len(text) < 12 else text


def match(roster: Roster, result: ScanResult, key: bytes, name_columns: tuple[str, ...] = ()) -> Notification:
    """The people the scan found, matched to the roster by fingerprint. ``name_columns`` (headers or numbers
    counting from 1) say which roster cells make a person's name; none is guessed from the other columns."""
    fingerprint = Fingerprinter(key)
    if result.key_id and fingerprint.key_id != result.key_id:
        raise UsageError(messages.text("roster.other_key"))
    name_indexes = [roster.column(column) for column in name_columns]
    if roster.number_index in name_indexes:
        raise UsageError(messages.text("roster.name_is_number"))
    found = _people_found(result)
    out = Notification([h for i, h in enumerate(roster.headers) if i != roster.number_index],
                       roster_rows=len(roster.rows))
    matched: set[str] = set()
    for row in roster.rows:
        try:
            digits = validate(_restore_leading_zeros(row[roster.number_index]))
        except InvalidNumber:
            out.invalid_roster_numbers += 1
            continue
        print_ = fingerprint(digits)
        if print_ in found and print_ not in matched:
            matched.add(print_)
            name = " ".join(row[i].strip() for i in name_indexes if row[i].strip())
            out.matched.append(replace(found[print_], row=tuple(c for i, c in enumerate(row)
                                                                  if i != roster.number_index), name=name))
    out.not_in_roster = sorted((found[p] for p in found if p not in matched), key=lambda p: (p.masked, p.files))
    return out


def _people_found(result: ScanResult) -> dict[str, Person]:
    """Each person of the scan by fingerprint: the masked number, the files (a path on a host) in scan order,
    every item found with the number in any of its records, and the files where it is in a public place."""
    places: dict[str, dict[Place, None]] = defaultdict(dict)  # in order, each once
    items: dict[str, set[str]] = defaultdict(set)
    masked: dict[str, str] = {}
    public: dict[str, set[Place]] = defaultdict(set)
    for finding in result.findings:
        place = Place(finding.host, finding.path)
        places[finding.fingerprint][place] = None
        items[finding.fingerprint].update(finding.items)
        masked[finding.fingerprint] = finding.masked
        if finding.public:
            public[finding.fingerprint].add(place)
    several_hosts = len({finding.host for finding in result.findings}) > 1
    return {print_: Person(masked[print_], tuple(places[print_]), tuple(sorted(items[print_])),
                           frozenset(public[print_]), several_hosts=several_hosts) for print_ in places}
