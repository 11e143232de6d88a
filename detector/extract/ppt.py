"""Legacy PowerPoint presentations (.ppt, PowerPoint 97-2003 binary, MS-PPT): the text of slides and notes.

No maintained Python reader of .ppt text exists; the text is in records of the ``PowerPoint Document``
stream, found with olefile: text atoms (``TextCharsAtom``, UTF-16, and ``TextBytesAtom``, 8-bit) inside the
slide list (``SlideListWithText``: placeholder text, one ``SlidePersistAtom`` per slide, in slide order) and
inside each slide's and notes page's drawing (text boxes, table cells, shapes). Master slides and the
presentation's own lists of fonts and styles hold no document text and are skipped.

Slides are numbered in the order of the slide list and of the slide records (which PowerPoint and LibreOffice
write in slide order). Locations follow pptx: ``{"part": "slide 2, paragraph 1"}`` and
``{"part": "slide 2 notes, paragraph 1"}``; each paragraph carries the end of the previous one as context.
A password-protected presentation is listed as unscanned ("encrypted").
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ..errors import UnscannableFile
from . import Item, Source
from .worddoc import story_units

MAX_PPT_BYTES = 512 * 1024 * 1024
_MAX_DEPTH = 32
_MAX_RECORDS = 5_000_000
_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8
_SLIDE_LIST, _SLIDE_PERSIST = 0x0FF0, 0x03F3
_SLIDE, _NOTES, _NOTES_ATOM, _MAIN_MASTER = 0x03EE, 0x03F0, 0x03F1, 0x03F8
_SLIDE_LIST_SLIDES = 0
_SKIPPED = frozenset({_MAIN_MASTER, 0x0FD9, 0x07D0, 0x0FC8, 0x1388})  # master, header/footer, environment...


class PptExtractor:
    kinds: tuple[str, ...] = ("ppt",)

    def extract(self, source: Source) -> Iterator[Item]:
        import olefile

        data = source.read_whole(MAX_PPT_BYTES, "legacy PowerPoint presentation")
        try:
            with olefile.OleFileIO(data) as ole:
                if ole.exists("EncryptedSummary"):
                    raise UnscannableFile("encrypted (password-protected PowerPoint presentation)")
                stream = bytes(ole.openstream("PowerPoint Document").read())
        except UnscannableFile:
            raise
        except Exception as exc:  # olefile raises many kinds of error on damaged files
            raise UnscannableFile(f"corrupt legacy PowerPoint presentation ({type(exc).__name__})") from None
        texts = _Texts()
        texts.walk(stream, 0, len(stream), 0, None)
        for (kind, number), paragraphs in sorted(texts.parts.items(), key=lambda item: (item[0][1], item[0][0])):
            part = f"slide {number}" if kind == "slide" else f"slide {number} notes"
            yield from story_units("\r".join(paragraphs), part)


class _Texts:
    """The text atoms of the record tree, by slide or notes page."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, int], list[str]] = {}
        self.slides = self.notes = 0
        self.records = 0
        self.slide_ids: dict[int, int] = {}

    def walk(self, data: bytes, start: int, end: int, depth: int, where: tuple[str, int] | None) -> None:
        if depth > _MAX_DEPTH:
            return
        pos = start
        while pos + 8 <= end:
            self.records += 1
            if self.records > _MAX_RECORDS:
                raise UnscannableFile("corrupt legacy PowerPoint presentation (too many records)")
            version_instance, kind, length = struct.unpack_from("<HHI", data, pos)
            body, pos = pos + 8, pos + 8 + length
            if pos > end:
                return  # a damaged record: what was read before it is kept
            if kind in _SKIPPED:
                continue
            if version_instance & 0x0F == 0x0F:  # a container
                inner = where
                if kind == _SLIDE:
                    self.slides += 1
                    inner = ("slide", self.slides)
                elif kind == _NOTES:
                    slide = self._notes_slide(data, body, pos)
                    if slide is None:
                        continue  # the notes master
                    inner = ("notes", slide)
                elif kind == _SLIDE_LIST:
                    if version_instance >> 4 == _SLIDE_LIST_SLIDES:
                        self._list(data, body, pos)
                    continue  # the lists of masters and of notes pages hold no text of their own
                self.walk(data, body, pos, depth + 1, inner)
            elif kind in (_TEXT_CHARS, _TEXT_BYTES) and where is not None:
                self.parts.setdefault(where, []).append(_atom_text(data[body:pos], kind))

    def _list(self, data: bytes, start: int, end: int) -> None:
        """The slide list: each SlidePersistAtom (persist id, flags, text count, slide id) starts the next
        slide's placeholder text; its slide id tells which slide a notes page belongs to."""
        pos = start
        number = 0
        while pos + 8 <= end:
            _version, record, length = struct.unpack_from("<HHI", data, pos)
            body, pos = pos + 8, pos + 8 + length
            if pos > end:
                return
            if record == _SLIDE_PERSIST and length >= 16:
                number += 1
                self.slide_ids[struct.unpack_from("<I", data, body + 12)[0]] = number
            elif record in (_TEXT_CHARS, _TEXT_BYTES) and number:
                self.parts.setdefault(("slide", number), []).append(_atom_text(data[body:pos], record))

    def _notes_slide(self, data: bytes, start: int, end: int) -> int | None:
        """The slide a notes page belongs to, from its NotesAtom (the id of its slide; 0 for the notes
        master); in file order where the slide list does not say."""
        if start + 12 <= end:
            _version, record, _length = struct.unpack_from("<HHI", data, start)
            if record == _NOTES_ATOM:
                slide_id = struct.unpack_from("<I", data, start + 8)[0]
                if slide_id == 0:
                    return None
                if slide_id in self.slide_ids:
                    return self.slide_ids[slide_id]
        self.notes += 1
        return self.notes


def _atom_text(data: bytes, kind: int) -> str:
    if kind == _TEXT_CHARS:
        return data[: len(data) // 2 * 2].decode("utf-16-le", "replace")
    return data.decode("latin-1")
