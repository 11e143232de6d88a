"""Plain text and logs: read in chunks, cut at line ends, handed to the matcher as raw bytes.

Chunks of 1 MiB keep a worker's memory small whatever the file size (a 1 GB single-line file included:
a line longer than a chunk is cut at a byte that can never be part of a number). Each chunk carries the tail of
the previous one before it and the head of the next one after it, as context only: a number's context window
is the same whether or not a cut falls inside it, so its confidence never depends on where in the file it is.
Every chunk after the first *continues* the one before it: the reader counts no lines, the scanner carries the
newlines the matcher counted (see :class:`~detector.extract.TextUnit`). UTF-16 text is decoded first, then cut
and overlapped the same way, by the same rule (:func:`detector.cuts.last_cut`).

A regular file is read in place (:class:`_InPlace`): each unit's bytes, its context, scanned part and lookahead
being neighbours in the file, are read from the file at once into the bytes the matcher gets, instead of into a
buffer and then joined to the context carried before them (a second copy of every byte). It cuts exactly where
the block-by-block reading of a stream (:func:`_chunked`) cuts, and leaves the rarer cases to it.

ISO-2022-JP (JIS) is all 7-bit bytes, so it looks like ASCII: a file that is ASCII so far is watched for an
escape sequence that designates a Japanese set, and from the chunk where one appears on, its bytes go through
an incremental ISO-2022-JP decoder (the designated set carried from chunk to chunk) and are handed on as UTF-8
(see :class:`_Jis`). Line ends are kept one for one, so line numbers do not move.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import itertools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import AnyStr, BinaryIO

from ..cuts import CONTEXT_BYTES, CONTEXT_CHARS, last_cut
from ..decode import SAMPLE_SIZE, JisDecoder, bom_of, decode_jis, detect_encoding, jis_encoding, utf16_without_bom
from ..identify import TEXT
from . import Source, TextUnit

CHUNK_SIZE = 1024 * 1024
_FIRST_ASCII = re.compile(b"[\x00-\x7f]")
_NOT_ASCII = re.compile(b"[\x80-\xff]")
# The most the JIS stage holds back of a block's end (an escape sequence cut there: its escape byte among the last 3).
_HELD_MOST = 3
_LAST_ASCII = re.compile(b"(?s).*[\x00-\x7f]")
# How far before a part of a large file its context is looked for (detector.parts): far enough to find an ASCII
# byte in any text but a long run of Japanese with no line end.
_BEFORE_A_PART = 64 * 1024
# How much of a block's end the in-place reader reads first, to find the line end its unit ends at: the lookahead
# and lines of up to 8 KiB; a block with no line end there is read whole, as a stream's is.
_PROBE_BYTES = CONTEXT_BYTES + 8192


class TextExtractor:
    kinds: tuple[str, ...] = (TEXT,)

    def __init__(self, chunk_size: int = CHUNK_SIZE, utf16_as_utf8: bool = True) -> None:
        self.chunk_size = chunk_size
        # UTF-16 units handed on as UTF-8 bytes (the matcher's C pass reads those), not as the str they decode to
        # (the plain form the tests hold it to): the same text, cut at the same characters.
        self.utf16_as_utf8 = utf16_as_utf8

    def extract(self, source: Source) -> Iterator[TextUnit]:
        head = source.head
        bom = bom_of(head)
        utf16 = bom[0] if bom and bom[0].startswith("utf-16") else utf16_without_bom(head[:4096])
        if utf16 is not None:
            units = self._decoded(source, utf16, bom[1] if bom else 0)
            yield from map(_as_utf8, units) if self.utf16_as_utf8 else units
            return
        yield from self._raw(source, bom[1] if bom else 0, "utf-8" if bom else None)

    def _raw(self, source: Source, skip: int, encoding: str | None) -> Iterator[TextUnit]:
        """Byte chunks cut at line ends (or, inside a line longer than a chunk, at a byte that cannot be part of
        a number), each with the previous chunk's tail before it and the next chunk's first bytes after it as
        context (``scan_from``, ``scan_to``): a number's context window is the same on either side of a cut.
        The first chunk is the head the file was identified by: a small file is read once, as one unit."""
        if source.size is not None and len(source.head) >= source.size:  # a small file, whole: no copy
            data = source.head[skip:]
            jis_codec = jis_encoding(data) if encoding is None else None
            if jis_codec is not None:  # ISO-2022-JP: handed on decoded, as UTF-8
                data, encoding = decode_jis(data, jis_codec).encode("utf-8"), "utf-8"
            if encoding is None and not data.isascii():
                encoding = detect_encoding(data)
            yield TextUnit(data=data, encoding=encoding or "ascii", first_line=1, known_ascii=encoding is None)
            return
        fd = _regular_file(source.stream)
        if fd is not None and source.stream.tell() == len(source.head):
            first_size = len(source.head) - skip + self.chunk_size  # the head and a chunk, as below
            resume = _blocks_from(source.stream, None, self.chunk_size)
            yield from _InPlace(fd, None, resume).units(skip, first_size, self.chunk_size, encoding)
            return
        first = source.head[skip:] + source.stream.read(self.chunk_size)
        yield from _chunked(itertools.chain((first,), _blocks(source.stream, self.chunk_size)), encoding)

    def extract_part(self, stream: BinaryIO, part: PartReading) -> Iterator[TextUnit]:
        """The units of one part of a large file (:mod:`detector.parts`), from a stream of the whole file: its
        bytes cut as a whole-file read cuts its chunks, the bytes before the part as the first unit's context and
        those after it as the last unit's lookahead (a number's context window is whole across the cut). The
        first unit starts at line 1 (the parent moves the lines). A part of a file that is ASCII so far says what
        it met (:class:`PartReading`): the parent reads again what does not read as the whole file does."""
        before = b""
        if not part.first:
            low = max(0, part.start - _BEFORE_A_PART)
            stream.seek(low)
            before = _context_before(stream.read(part.start - low), part.encoding)
        after = b""
        if part.end is not None:
            stream.seek(part.end)
            after = stream.read(CONTEXT_BYTES)
        part.edges_ascii = part.encoding is not None or (before.isascii() and after.isascii())
        end = part.end
        resume = _blocks_from(stream, end, self.chunk_size)
        fd = _regular_file(stream)
        if fd is not None:
            yield from _InPlace(fd, end, resume).units(part.start, self.chunk_size, self.chunk_size, part.encoding,
                                                       before, after, part)
            return
        yield from _chunked(resume(part.start), part.encoding, before, after, part)

    def _decoded(self, source: Source, encoding: str, skip: int) -> Iterator[TextUnit]:
        """UTF-16 text, decoded incrementally; the matcher gets str units, cut and overlapped as the raw ones."""
        decoder = codecs.getincrementaldecoder(encoding)("replace")
        stream = source.from_start()
        stream.read(skip)
        context = carry = ""
        continues = False
        while True:
            block = stream.read(self.chunk_size)
            text = carry + decoder.decode(block, final=not block)
            if not text:
                return
            if not block:
                yield TextUnit(text=context + text, continues=continues, scan_from=len(context))
                return
            cut = _text_cut_point(text)
            chunk, carry = text[:cut], text[cut:]
            if not chunk:
                continue  # text shorter than the lookahead (a short read): all carried on, as _unit carries it
            yield TextUnit(text=context + chunk + carry[:CONTEXT_CHARS], continues=continues,
                           scan_from=len(context), scan_to=len(context) + len(chunk))
            continues = True
            context = (chunk if len(chunk) >= CONTEXT_CHARS else context + chunk)[-CONTEXT_CHARS:]  # see _tail


def _as_utf8(unit: TextUnit) -> TextUnit:
    """A str unit as the same text in UTF-8 bytes, its scanned part at the same characters (a decoded text holds
    no lone surrogate: the decoder replaced any)."""
    assert unit.text is not None
    text, stop = unit.text, len(unit.text) if unit.scan_to is None else unit.scan_to
    before, scanned = text[:unit.scan_from].encode("utf-8"), text[unit.scan_from:stop].encode("utf-8")
    data = before + scanned + text[stop:].encode("utf-8")
    return dataclasses.replace(unit, text=None, data=data, encoding="utf-8", scan_from=len(before),
                               scan_to=None if unit.scan_to is None else len(before) + len(scanned))


def _context_before(data: bytes, encoding: str | None) -> bytes:
    """The context of a part's first unit, from the bytes before the part: at least :data:`CONTEXT_BYTES`, from
    just after the last byte below 0x80 that leaves that many (a character boundary in UTF-8, CP932 and EUC-JP:
    a character of its own, or the last byte of a CP932 one), so the context decodes as in the whole text; else
    (no such byte in the bytes read: Japanese with no ASCII for that long) as a chunk's tail is cut."""
    found = _LAST_ASCII.match(data, 0, max(0, len(data) - CONTEXT_BYTES))
    if found is not None or len(data) <= CONTEXT_BYTES:
        return data[found.end():] if found is not None else data
    return _tail(data, 0, len(data), encoding)


class PartReading:
    """A part of a large file as this reader reads it (:mod:`detector.parts`): bytes ``start`` to ``end`` (None:
    to the file's end), whether it is the ``first`` (no context before it), the file's ``encoding`` (None: ASCII
    so far); and, for a part of a file that is ASCII so far, what reading it found: whether it met a non-ASCII
    byte (``left_ascii``; it went on in the encoding its block tells, ``switched``), an ISO-2022-JP escape
    (``jis``: it stopped there, and the file is read whole), and whether its context before and lookahead after
    are ASCII (``edges_ascii``: else they were read as ASCII, which their bytes are not)."""

    def __init__(self, start: int, end: int | None, encoding: str | None, first: bool) -> None:
        self.start, self.end, self.encoding, self.first = start, end, encoding, first
        self.left_ascii = self.jis = False
        self.switched: str | None = None
        self.edges_ascii = True

    def switched_to(self, encoding: str) -> None:
        self.left_ascii, self.switched = True, encoding


def part_encoding(first: bytes) -> tuple[int, str | None] | None:
    """For a file read as parts (:mod:`detector.parts`), from its first block as this reader reads it (the head
    and a chunk): (the bytes of a BOM to skip, the encoding this reader decides from that block, None while it
    is ASCII), the same steps as :meth:`TextExtractor.extract` takes. None: the file is read whole, UTF-16 (it is
    decoded before it is cut) or ISO-2022-JP (its character set is carried across line ends)."""
    bom = bom_of(first)
    if (bom[0].startswith("utf-16") if bom else utf16_without_bom(first[:4096]) is not None):
        return None
    if bom:
        return bom[1], "utf-8"
    jis = _Jis()
    block, _, _ = jis.transcode(first, b"")
    if jis.decoding:
        return None
    return 0, None if block.isascii() else detect_encoding(bytes(block))


def whole_read_block(offset: int) -> tuple[int, int]:
    """The block of a whole-file read that holds byte ``offset`` (:meth:`TextExtractor._raw`, a large regular file
    with no BOM): the head and a chunk first, then a chunk at a time. It is the block the encoding is told from."""
    first = SAMPLE_SIZE + CHUNK_SIZE
    if offset < first:
        return 0, first
    start = first + (offset - first) // CHUNK_SIZE * CHUNK_SIZE
    return start, start + CHUNK_SIZE


def encoding_met_later(fd: int, start: int) -> tuple[int, str] | None:
    """For a file read as parts while ASCII (its first block is), whose bytes are ASCII up to ``start`` (the parts
    before it met nothing else) and in which no part met an ISO-2022-JP designation: where its first non-ASCII
    byte from ``start`` on is, and the encoding a whole-file read decides there: :func:`detect_encoding` of that
    byte's :func:`whole_read_block`, as the reader hands it on (its JIS stage holds an escape sequence cut by a
    block's end back for the next block, :func:`_held_back`; escape bytes elsewhere, a terminal's colours, pass
    as they are). None when there is no such byte (the file changed)."""
    offset = start
    while True:
        data = os.pread(fd, CHUNK_SIZE, offset)
        if not data:
            return None
        if not data.isascii():
            met = _NOT_ASCII.search(data)
            assert met is not None
            break
        offset += len(data)
    first_non_ascii = offset + met.start()
    block_start, block_end = whole_read_block(first_non_ascii)
    block_end = min(block_end, os.fstat(fd).st_size)
    start_read, end_read = block_start - _held_back(fd, block_start), block_end - _held_back(fd, block_end)
    return first_non_ascii, detect_encoding(os.pread(fd, end_read - start_read, start_read))


def _held_back(fd: int, edge: int) -> int:
    """How many bytes before ``edge``, a block's end, the JIS stage of a reader ASCII so far holds back into the
    next block: from the last escape byte among the block's last three (:meth:`_Jis.transcode`), else none."""
    tail = os.pread(fd, min(_HELD_MOST, edge), edge - min(_HELD_MOST, edge))
    escape = tail.rfind(b"\x1b")
    return 0 if escape < 0 else len(tail) - escape


def _chunked(blocks: Iterable[bytes | bytearray], encoding: str | None, context: bytes = b"", after: bytes = b"",
             part: PartReading | None = None, carry: bytes = b"", continues: bool = False) -> Iterator[TextUnit]:
    """The units of a text's blocks (see :meth:`TextExtractor._raw`): ``context`` before the first unit and
    ``after`` the last one, context only (a part of a file: :meth:`TextExtractor.extract_part`). The encoding is
    told from the first non-ASCII block, once; a ``part`` of a file that is ASCII so far says so (its encoding is
    the file's only if that block holds the file's first non-ASCII byte: the parent checks), and an ISO-2022-JP
    escape ends it (``part.jis``: the file is read whole). ``carry`` and ``continues``: the unfinished
    line and the state of a reading :class:`_InPlace` hands on (every unit after the first goes on from the one
    before it)."""
    edges = _AsciiEdges(after)
    jis = _Jis()
    for block in itertools.chain(blocks, (b"",)):
        if encoding is None or jis.decoding:  # ASCII so far (as JIS looks), or JIS
            block, carry, end = jis.transcode(block, carry)
            if jis.decoding:
                encoding = "utf-8"
            if not block and not end:
                continue  # all held back: an escape sequence cut by the block's end, completed by the next
        if part is not None and jis.decoding:
            part.left_ascii = part.jis = True
            return
        if not block and not carry:
            return
        if encoding is None and not block.isascii():
            encoding = detect_encoding(bytes(block))  # once a file
            if part is not None:
                part.switched_to(encoding)
        unit, scan_to, carry = _unit(context, carry, block, encoding, after)
        scan_from = len(context)
        if scan_to == scan_from:
            continue  # a block shorter than the lookahead: all carried on, with the context before it
        yield TextUnit(data=unit, encoding=encoding or "ascii", continues=continues, scan_from=scan_from,
                       scan_to=scan_to, known_ascii=encoding is None and edges.ascii(context, bool(block)))
        continues = True
        context = _tail(unit, scan_from, len(unit) if scan_to is None else scan_to, encoding)


class _AsciiEdges:
    """Whether the bytes a reader did not read itself, a part's context before it and lookahead after it (see
    :meth:`TextExtractor.extract_part`), are ASCII: a unit of a file ASCII so far is all ASCII when those it holds
    are (its context: the part's, or carried from the units before, which holds some of the part's while those
    are shorter than the lookahead; only the last unit, cut from no block, holds the lookahead after the part)."""

    def __init__(self, after: bytes) -> None:
        self.after = after.isascii()

    def ascii(self, context: bytes, from_a_block: bool) -> bool:
        return context.isascii() and (from_a_block or self.after)


def _blocks_from(stream: BinaryIO, end: int | None, chunk_size: int) -> Callable[[int], Iterator[bytes | bytearray]]:
    """Blocks of ``stream`` from a given offset up to ``end`` (the end of the file when None): how a reader goes
    on block by block from where reading in place stopped, or reads a stream that is not a regular file."""
    def resume(offset: int) -> Iterator[bytes | bytearray]:
        stream.seek(offset)
        return _blocks(_Bounded(stream, end - offset) if end is not None else stream, chunk_size)

    return resume


def _regular_file(stream: object) -> int | None:
    """The descriptor of ``stream`` when it is a regular file's (read in place: :class:`_InPlace`), else None."""
    if not isinstance(stream, io.FileIO):
        return None
    try:
        fd = stream.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


class _InPlace:
    """The units of a regular file (from ``fd``, up to byte ``stop``, None: its end), each read from the file once,
    straight into the bytes the matcher gets: a unit's context, carried line, chunk and lookahead are neighbours
    in the file, so one read of their range gives the unit that :func:`_chunked` joins from a block read into a
    buffer and the pieces carried before it (copying every byte twice).

    It cuts where :func:`_chunked` cuts, block for block (the same blocks, the same decisions:
    ``tests/test_text_reading.py`` holds the two to the same units): of each block it first reads the last
    :data:`_PROBE_BYTES`, where the line end the unit ends at usually is, then the unit's range. A block with no
    line end there (a long line), the file's last one and one that leaves ASCII are read whole and cut by the
    same :func:`_unit`; a block with an escape byte in a file ASCII so far (ISO-2022-JP, or terminal colours: the
    escape stage carries state from block to block) hands the rest of the file to :func:`_chunked`
    (``resume``: the blocks of the stream from a byte on)."""

    def __init__(self, fd: int, stop: int | None, resume: Callable[[int], Iterable[bytes | bytearray]]) -> None:
        self.fd, self.stop, self.resume = fd, stop, resume

    def units(self, start: int, first_size: int, size: int, encoding: str | None, context: bytes = b"",
              after: bytes = b"", part: PartReading | None = None) -> Iterator[TextUnit]:
        """The units from byte ``start`` on: the first block ``first_size`` bytes, the others ``size``; ``context``,
        ``after`` and ``part`` as :func:`_chunked` takes them."""
        edges = _AsciiEdges(after)
        carried = block = start  # where the unfinished line carried to the block starts; where the block does
        continues = False
        block_size = first_size
        while True:
            end = block + block_size if self.stop is None else min(block + block_size, self.stop)
            block_size = size
            cut = self._line_end(block, end)
            if cut is not None:
                line_end, probe = cut
                origin = carried - len(context)
                unit_end = line_end + CONTEXT_BYTES  # the whole lookahead, within the block (as _unit takes it)
                unit = self._read(origin, unit_end)
                plain = encoding is not None or (b"\x1b" not in unit and b"\x1b" not in probe and unit.isascii()
                                                 and probe.isascii())
                if plain and len(unit) == unit_end - origin:
                    yield TextUnit(data=unit, encoding=encoding or "ascii", continues=continues,
                                   scan_from=len(context), scan_to=line_end - origin, known_ascii=encoding is None)
                    continues = True
                    context = _tail(unit, len(context), line_end - origin, encoding)
                    carried, block = line_end, end
                    continue
            data = self._read(block, end)
            carry = self._read(carried, block)
            if encoding is None and b"\x1b" in data:  # the escape stage's, from this block on
                yield from _chunked(itertools.chain((data,), self.resume(block + len(data))), encoding, context,
                                    after, part, carry, continues)
                return
            if encoding is None and not data.isascii():
                encoding = detect_encoding(data)  # once a file
                if part is not None:
                    part.switched_to(encoding)
            if not data and not carry:
                return
            unit, scan_to, rest = _unit(context, carry, data, encoding, after)
            carried, block = block + len(data) - len(rest), block + len(data)
            scan_from = len(context)
            if scan_to != scan_from:  # else a block shorter than the lookahead: all carried on, with the context
                yield TextUnit(data=unit, encoding=encoding or "ascii", continues=continues, scan_from=scan_from,
                               scan_to=scan_to, known_ascii=encoding is None and edges.ascii(context, bool(data)))
                continues = True
                context = _tail(unit, scan_from, len(unit) if scan_to is None else scan_to, encoding)
            if not data:  # the end
                return

    def _line_end(self, block: int, end: int) -> tuple[int, bytes] | None:
        """(just after the line end where :func:`_unit` cuts the block, found by the same search over the block's
        last bytes; those bytes), or None: no such line end in them, or the block ends before ``end`` (the file's
        end, where the block is read whole)."""
        probe_start = max(block, end - _PROBE_BYTES)
        probe = self._read(probe_start, end)
        if len(probe) < end - probe_start:
            return None
        cut = _line_end_before_lookahead(probe)
        return None if cut is None else (probe_start + cut, probe)

    def _read(self, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` of the file (fewer at its end)."""
        return os.pread(self.fd, end - start, start) if end > start else b""


class _Bounded:
    """The next ``size`` bytes of a stream, then its end: a part of a file read as the whole file is."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.left = stream, size

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def readinto(self, buffer: bytearray) -> int:
        count: int = self.stream.readinto(memoryview(buffer)[:self.left])  # type: ignore[attr-defined]
        self.left -= count
        return count


class _Jis:
    """The ISO-2022-JP stage of a file that was ASCII until now.

    Before JIS is found, a block is passed on as it is, except for an escape sequence cut by the block's end,
    held back and put before the next block (so that the sequence is seen whole, and never split between
    units). From the block where a Japanese set is designated, every block is decoded by one incremental
    decoder and passed on as UTF-8; the unfinished line carried from before (ASCII) is decoded too."""

    def __init__(self) -> None:
        self.decoder: JisDecoder | None = None
        self.held = b""

    @property
    def decoding(self) -> bool:
        return self.decoder is not None

    def transcode(self, block: bytes | bytearray, carry: bytes) -> tuple[bytes | bytearray, bytes, bool]:
        """(the block to cut into units, the carried unfinished line, whether this is the end). At the end
        (an empty block), what the decoder or the hold still has is added to the carried line."""
        end = not block
        if self.decoder is None:
            if self.held:
                block, self.held = self.held + block, b""
            if b"\x1b" not in block:
                return (b"", carry + block, True) if end else (block, carry, False)
            whole = block
            escape = block.rfind(b"\x1b", max(0, len(block) - _HELD_MOST))
            if escape >= 0 and not end:
                block, self.held = block[:escape], bytes(block[escape:])
            encoding = jis_encoding(block)
            if encoding is None:
                return (b"", carry + block, True) if end else (block, carry, False)
            self.decoder = JisDecoder(encoding)
            block, self.held = whole, b""  # the decoder keeps an unfinished sequence itself
            carry = self._utf8(carry, False)
        if end:
            return b"", carry + self._utf8(block, True), True
        return self._utf8(block, False), carry, False

    def _utf8(self, data: bytes | bytearray, final: bool) -> bytes:
        assert self.decoder is not None
        return self.decoder.decode(bytes(data), final).encode("utf-8")


def _blocks(stream: BinaryIO | _Bounded, size: int) -> Iterator[bytes | bytearray]:
    """The stream's blocks of up to ``size`` bytes, read into one buffer again and again where the stream can:
    each block is good only until the next is read (the unit made of it is a copy). A new block of fresh memory
    each time cost as much as the reading itself (the kernel clears every page of it: docs/performance.md)."""
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        yield from iter(lambda: stream.read(size), b"")
        return
    buffer = bytearray(size)
    while True:
        count = readinto(buffer)
        if not count:  # the end (or nothing to read now from a non-blocking stream, as read() gives None)
            return
        yield buffer if count == size else buffer[:count]


def _line_end_before_lookahead(block: bytes | bytearray) -> int | None:
    """Just after the block's last line end that leaves a whole lookahead (:data:`CONTEXT_BYTES`) after it in
    the block; None when there is none, a block no longer than the lookahead included (a part's last block, a
    short read of a pipe): then the unit is cut from the carried line and the block together, or all of it is
    carried on to the next block, or to the bytes after a part (:func:`_unit`), so that every unit's lookahead
    is whole wherever the blocks end."""
    limit = len(block) - CONTEXT_BYTES
    if limit <= 0:
        return None
    newline = block.rfind(b"\n", 0, limit)
    return newline + 1 if newline >= 0 else None


def _cut_point(data: bytes, encoding: str | None) -> int:
    """Where to end a unit so that at least :data:`CONTEXT_BYTES` are left after it for the unit's lookahead
    (see :func:`_line_cut`), else at the last character boundary (a line of Japanese with no ASCII at all, or
    of nothing but digits and separators)."""
    end = max(0, len(data) - CONTEXT_BYTES)
    cut = _line_cut(data, end)
    return cut if cut is not None else _boundary(data, 0, end, encoding)


def _text_cut_point(text: str) -> int:
    """:func:`_cut_point` for decoded (UTF-16) text, :data:`CONTEXT_CHARS` being left for the lookahead: the
    same rule; where it finds no place, anywhere (every offset of decoded text is a character boundary)."""
    end = max(0, len(text) - CONTEXT_CHARS)
    cut = _line_cut(text, end)
    return end if cut is None else cut


def _line_cut(data: AnyStr, end: int) -> int | None:
    """After the last line end before ``end``; inside a line longer than that, where :func:`detector.cuts.last_cut`
    (the one rule, for bytes and decoded text alike) allows in its last 64 KiB; None when it allows nowhere."""
    newline = data.rfind("\n", 0, end) if isinstance(data, str) else data.rfind(b"\n", 0, end)
    if newline >= 0:
        return newline + 1
    return last_cut(data, max(0, end - 65536), end)


def _unit(context: bytes, carry: bytes, block: bytes | bytearray, encoding: str | None,
          after: bytes = b"") -> tuple[bytes, int | None, bytes]:
    """(the unit to scan, where its scanned part ends, the unfinished line carried to the next block). The
    unit holds the context, the carry and the block up to its cut, then the bytes after the cut as lookahead
    (context only); the last (empty) block takes what is left, with ``after`` as its lookahead (the bytes after
    a part of a file), or none."""
    if not block:
        return (context + carry + after, len(context) + len(carry), b"") if after else (context + carry, None, b"")
    cut = _line_end_before_lookahead(block)
    if cut is not None:  # the usual case: the block is not copied once more to be joined to the carry
        view = memoryview(block)
        unit = b"".join((context, carry, view[:cut], view[cut:cut + CONTEXT_BYTES]))
        return unit, len(context) + len(carry) + cut, bytes(view[cut:])
    data = carry + block
    cut = _cut_point(data, encoding)
    view = memoryview(data)
    return b"".join((context, view[:cut], view[cut:cut + CONTEXT_BYTES])), len(context) + cut, data[cut:]


def _tail(unit: bytes, start: int, end: int, encoding: str | None) -> bytes:
    """The last :data:`CONTEXT_BYTES` of ``unit[:end]`` (``end``: where its scanned part, from ``start``, ends
    and its lookahead starts), the next unit's context: of the scanned part, and of the context before it where
    that part is shorter (a unit cut from a short block may be a line long: the context still reaches into the
    units before), beginning on a character boundary so the context decodes as in the whole text: after an
    ASCII byte in its first half (a single character, or the last byte of a CP932 one, never inside a character
    in UTF-8, CP932 or EUC-JP), else at the boundary decoding finds (from ``start``, or the unit's start: both
    are boundaries)."""
    if end <= CONTEXT_BYTES:
        return unit[:end]
    tail = unit[end - CONTEXT_BYTES:end]
    ascii_byte = _FIRST_ASCII.search(tail, 0, CONTEXT_BYTES // 2)
    if ascii_byte:
        return tail[ascii_byte.end():]
    known = start if start <= end - CONTEXT_BYTES else 0
    return unit[_boundary(unit, known, end - CONTEXT_BYTES, encoding):end]


def _boundary(data: bytes, start: int, pos: int, encoding: str | None) -> int:
    """The last character boundary at or before ``pos``, ``start`` being one: in multi-byte text with no ASCII
    byte nearby, only decoding from a known boundary tells (CP932 and EUC-JP bytes cannot be told apart from
    their neighbours alone). Rare: a line longer than a chunk with no ASCII in its last 64 KiB."""
    if encoding is None or encoding == "ascii":
        return pos
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    decoder.decode(memoryview(data)[start:pos])
    return pos - len(decoder.getstate()[0])
