"""Word processor and presentation documents: docx, pptx, odt, odp.

Every part that holds text is read: the body, tables, text boxes, headers and footers, comments, footnotes,
speaker notes, and text deleted under tracked changes (still in the file, so still exposed). Each part is
streamed through expat (:mod:`detector.extract.xmlstream`) into paragraphs and table rows:

* a paragraph is a unit carrying the end of the previous paragraph as context, so ``個人番号:`` on one line
  and the number on the next still make a high-confidence finding; its location is ``{"part": "body,
  paragraph 12"}`` (pages are decided by the program that renders a document, so the part names it);
* a table row is a unit of cells with A1-style references (``{"part": "body, table 2", "cell": "B3"}``),
  and a table's first row of labels gives context to its column, as in spreadsheets;
* slides are numbered: ``{"part": "slide 3"}``, ``{"part": "slide 3 notes"}``;
* the pictures of docx and pptx (``word/media/``, ``ppt/media/``: a photo of a card pasted into a form) are
  members read by OCR, located ``{"member": "word/media/image1.png", "ocr": true}``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import UnscannableFile
from ..model import Location
from . import Item, Skipped, Source, TextUnit, paragraph_unit
from .pictures import embedded_pictures
from .table import Cell, SheetUnits
from .xmlstream import feed, parser


@dataclass(frozen=True)
class Vocabulary:
    """The element names of one XML dialect."""

    paragraphs: frozenset[str]
    text: frozenset[str] | None  # None: all character data inside a paragraph is text
    tabs: frozenset[str]
    breaks: frozenset[str]
    table: str
    row: str
    cells: frozenset[str]
    ignored: frozenset[str] = frozenset()
    spaces: str | None = None  # an element standing for N spaces (ODF text:s)
    annotations: frozenset[str] = frozenset()  # comments anchored in the text (ODF office:annotation)


WORD = Vocabulary(
    paragraphs=frozenset({"w:p"}), text=frozenset({"w:t", "w:delText"}), tabs=frozenset({"w:tab"}),
    breaks=frozenset({"w:br", "w:cr"}), table="w:tbl", row="w:tr", cells=frozenset({"w:tc"}),
    ignored=frozenset({"mc:Fallback", "w:instrText", "w:delInstrText"}),
)
DRAWING = Vocabulary(
    paragraphs=frozenset({"a:p", "p:text"}), text=frozenset({"a:t", "p:text"}), tabs=frozenset(),
    breaks=frozenset({"a:br"}), table="a:tbl", row="a:tr", cells=frozenset({"a:tc"}),
    ignored=frozenset({"mc:Fallback"}),
)
ODF = Vocabulary(
    paragraphs=frozenset({"text:p", "text:h"}), text=None, tabs=frozenset({"text:tab"}),
    breaks=frozenset({"text:line-break"}), table="table:table", row="table:table-row",
    cells=frozenset({"table:table-cell", "table:covered-table-cell"}), spaces="text:s",
    ignored=frozenset({"text:tracked-changes-metadata"}),
    annotations=frozenset({"office:annotation", "officeooo:annotation"}),  # the second: comments on slides
)


@dataclass
class _Table:
    units: SheetUnits
    row: int = 0
    cells: list[Cell] = field(default_factory=list)
    column: int = 0
    cell_text: list[str] | None = None


class _Flow:
    """expat handlers turning one part's events into paragraph and table-row units (in ``ready``)."""

    def __init__(self, vocabulary: Vocabulary, part: str) -> None:
        self.v = vocabulary
        self.part = part
        self.ready: list[TextUnit] = []
        self.paragraphs = 0
        self.tables = 0
        self.previous = ""  # the end of the previous paragraph, as context
        self.stack: list[list[str]] = []  # open paragraphs (text boxes nest them)
        self.table_stack: list[_Table] = []
        self.collecting = 0  # inside a text element
        self.ignoring = 0
        self.outside_annotation: list[tuple[str, int, str, list[list[str]], int]] = []

    # -- events -------------------------------------------------------------------------------------------

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.ignoring or name in self.v.ignored:
            self.ignoring += 1
            return
        if name in self.v.annotations:
            # A comment anchored in a paragraph is a part of its own, not more text of that paragraph.
            self.outside_annotation.append((self.part, self.paragraphs, self.previous, self.stack, self.collecting))
            self.part, self.paragraphs, self.previous = f"{self.part} comments", 0, ""
            self.stack, self.collecting = [], 0
            return
        if name in self.v.paragraphs:
            self.stack.append([])
        if self.stack and (self.v.text is None or name in self.v.text):
            self.collecting += 1
        if not self.stack:
            self._structure_start(name, attrs)
            return
        if name in self.v.tabs:
            self.stack[-1].append("\t")
        elif name in self.v.breaks:
            self.stack[-1].append("\n")
        elif name == self.v.spaces:
            self.stack[-1].append(" " * min(int(attrs.get("text:c", "1") or 1), 1000))
        elif name == self.v.table or name == self.v.row or name in self.v.cells:
            self._structure_start(name, attrs)

    def end(self, name: str) -> None:
        if self.ignoring:
            self.ignoring -= 1
            return
        if name in self.v.annotations and self.outside_annotation:
            self.part, self.paragraphs, self.previous, self.stack, self.collecting = self.outside_annotation.pop()
            return
        if self.stack and (self.v.text is None or name in self.v.text):
            self.collecting -= 1
        if name in self.v.paragraphs and self.stack:
            self._paragraph_done("".join(self.stack.pop()))
        elif name in self.v.cells and self.table_stack:
            self._cell_done()
        elif name == self.v.row and self.table_stack:
            self._row_done()
        elif name == self.v.table and self.table_stack:
            self.table_stack.pop()

    def text(self, data: str) -> None:
        if self.collecting > 0 and self.stack and not self.ignoring:
            self.stack[-1].append(data)

    # -- structure ------------------------------------------------------------------------------------------

    def _structure_start(self, name: str, attrs: dict[str, str]) -> None:
        if name == self.v.table:
            self.tables += 1
            location = Location(part=f"{self.part}, table {self.tables}")
            self.table_stack.append(_Table(SheetUnits(None, location=location)))
        elif name == self.v.row and self.table_stack:
            table = self.table_stack[-1]
            table.row += 1
            table.cells, table.column = [], 0
        elif name in self.v.cells and self.table_stack:
            self.table_stack[-1].cell_text = []

    def _paragraph_done(self, text: str) -> None:
        if self.stack:
            # A paragraph inside another (a text box): its text is the outer paragraph's too.
            self.stack[-1].append(text + "\n")
            return
        table = self.table_stack[-1] if self.table_stack else None
        if table is not None and table.cell_text is not None:
            table.cell_text.append(text)
            return
        self.paragraphs += 1
        unit, self.previous = paragraph_unit(text, self.previous, f"{self.part}, paragraph {self.paragraphs}")
        if unit is not None:
            self.ready.append(unit)

    def _cell_done(self) -> None:
        table = self.table_stack[-1]
        text = "\n".join(table.cell_text or [])
        if text.strip():
            table.cells.append(Cell(table.column, table.row, text))
        table.column += 1
        table.cell_text = None

    def _row_done(self) -> None:
        table = self.table_stack[-1]
        unit = table.units.row(table.cells)
        if unit is not None:
            self.ready.append(unit)
        table.cells = []


class _OdfPresentationFlow(_Flow):
    """ODP: ``draw:page`` is a slide, ``presentation:notes`` its speaker notes."""

    def __init__(self, part: str) -> None:
        super().__init__(ODF, part)
        self.slide = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "draw:page":
            self.slide += 1
            self.part, self.paragraphs, self.tables, self.previous = f"slide {self.slide}", 0, 0, ""
        elif name == "presentation:notes":
            self.part, self.paragraphs, self.previous = f"slide {self.slide} notes", 0, ""
        super().start(name, attrs)

    def end(self, name: str) -> None:
        super().end(name)
        if name == "presentation:notes":
            self.part = f"slide {self.slide}"


def _read_part(archive: zipfile.ZipFile, path: str, flow: _Flow) -> Iterator[TextUnit]:
    with archive.open(path) as stream:
        for _ in feed(parser(flow.start, flow.end, flow.text), stream):
            if flow.ready:
                yield from flow.ready
                flow.ready.clear()


def _parts(archive: zipfile.ZipFile, parts: list[tuple[str, _Flow]]) -> Iterator[Item]:
    for path, flow in parts:
        try:
            yield from _read_part(archive, path, flow)
        except UnscannableFile as exc:
            yield Skipped(path, exc.reason)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            yield Skipped(path, f"corrupt part ({exc})")


def _numbered(names: list[str], pattern: str) -> list[tuple[int, str]]:
    regex = re.compile(pattern)
    found = [(int(m.group(1)), name) for name in names if (m := regex.fullmatch(name))]
    return sorted(found)


class DocxExtractor:
    kinds: tuple[str, ...] = ("docx",)

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("Word document") as archive:
            names = archive.namelist()
            parts: list[tuple[str, _Flow]] = [("word/document.xml", _Flow(WORD, "body"))]
            for kind in ("header", "footer"):
                for number, name in _numbered(names, rf"word/{kind}(\d+)\.xml"):
                    parts.append((name, _Flow(WORD, f"{kind} {number}")))
            for part in ("footnotes", "endnotes", "comments"):
                if f"word/{part}.xml" in names:
                    parts.append((f"word/{part}.xml", _Flow(WORD, part)))
            if "word/document.xml" not in names:
                raise UnscannableFile("Word document without word/document.xml")
            yield from _parts(archive, parts)
            yield from embedded_pictures(archive, "word/media/")


class PptxExtractor:
    kinds: tuple[str, ...] = ("pptx",)

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("PowerPoint presentation") as archive:
            names = archive.namelist()
            slides = _numbered(names, r"ppt/slides/slide(\d+)\.xml")
            slide_of = {name: number for number, name in slides}
            parts: list[tuple[str, _Flow]] = []
            for number, name in slides:
                parts.append((name, _Flow(DRAWING, f"slide {number}")))
            for number, name in _numbered(names, r"ppt/notesSlides/notesSlide(\d+)\.xml"):
                slide = _notes_slide(archive, name, slide_of)
                parts.append((name, _Flow(DRAWING, f"slide {slide} notes" if slide else f"notes {number}")))
            comment_slides = _comment_slides(archive, slides)
            for number, name in _numbered(names, r"ppt/comments/(?:modernC|c)omment\w*?(\d+)\.xml"):
                slide = comment_slides.get(name)
                parts.append((name, _Flow(DRAWING, f"slide {slide} comments" if slide else f"comments {number}")))
            yield from _parts(archive, parts)
            yield from embedded_pictures(archive, "ppt/media/")


def _comment_slides(archive: zipfile.ZipFile, slides: list[tuple[int, str]]) -> dict[str, int]:
    """Comment part -> the slide it belongs to, from each slide's relationships."""
    out: dict[str, int] = {}
    for number, slide in slides:
        rels = posixpath.join(posixpath.dirname(slide), "_rels", posixpath.basename(slide) + ".rels")
        try:
            data = archive.read(rels).decode("utf-8", "replace")
        except KeyError:
            continue
        for target in re.findall(r'Target="([^"]*omment[^"]*)"', data):
            out[posixpath.normpath(posixpath.join(posixpath.dirname(slide), target))] = number
    return out


def _notes_slide(archive: zipfile.ZipFile, notes: str, slide_of: dict[str, int]) -> int | None:
    """The slide a notes page belongs to, from the notes page's relationships."""
    rels = posixpath.join(posixpath.dirname(notes), "_rels", posixpath.basename(notes) + ".rels")
    try:
        data = archive.read(rels).decode("utf-8", "replace")
    except KeyError:
        return None
    for target in re.findall(r'Target="([^"]+)"', data):
        path = posixpath.normpath(posixpath.join(posixpath.dirname(notes), target))
        if path in slide_of:
            return slide_of[path]
    return None


class OdfTextExtractor:
    """odt and odp: content.xml, then the page styles (headers and footers) in styles.xml."""

    kinds: tuple[str, ...] = ("odt", "odp")

    def extract(self, source: Source) -> Iterator[Item]:
        with source.open_zip("OpenDocument file") as archive:
            names = archive.namelist()
            if "content.xml" not in names:
                raise UnscannableFile("OpenDocument file without content.xml")
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise UnscannableFile("encrypted (password-protected OpenDocument file)")
            presentation = b"opendocument.presentation" in archive.read("mimetype")[:100] \
                if "mimetype" in names else False
            body: _Flow = _OdfPresentationFlow("slide 0") if presentation else _Flow(ODF, "body")
            parts: list[tuple[str, _Flow]] = [("content.xml", body)]
            if "styles.xml" in names:
                parts.append(("styles.xml", _Flow(ODF, "headers and footers")))
            yield from _parts(archive, parts)
