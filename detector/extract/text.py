"""Plain text and logs: read in chunks, cut at line ends, handed to the matcher as raw bytes.

Chunks of 1 MiB keep a worker's memory small whatever the file size (a 1 GB single-line file included:
a line longer than a chunk is cut at a "safe" byte that can never be part of a number). Each chunk carries the
tail of the previous one as context, so a keyword just before a cut still counts.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterator

from ..decode import SAMPLE_SIZE, bom_of, detect_encoding, utf16_without_bom
from ..identify import TEXT
from . import Source, TextUnit

CHUNK_SIZE = 1024 * 1024
CONTEXT_BYTES = 512
# Safe bytes: ASCII below 0x40 (never the second byte of a CP932 character), and never inside a number.
_SAFE_CUT = (b"\n", b"\t", b",", b";", b'"', b"<", b">", b"=", b"(", b")", b"/", b"\r")


class TextExtractor:
    kinds: tuple[str, ...] = (TEXT,)

    def __init__(self, chunk_size: int = CHUNK_SIZE) -> None:
        self.chunk_size = chunk_size

    def extract(self, source: Source) -> Iterator[TextUnit]:
        head = source.head
        bom = bom_of(head)
        utf16 = bom[0] if bom and bom[0].startswith("utf-16") else utf16_without_bom(head[:4096])
        if utf16 is not None:
            yield from self._decoded(source, utf16, bom[1] if bom else 0)
            return
        yield from self._raw(source, bom[1] if bom else 0, "utf-8" if bom else None)

    def _raw(self, source: Source, skip: int, encoding: str | None) -> Iterator[TextUnit]:
        """Byte chunks cut at line ends (or safe bytes), each with the previous chunk's tail as context.
        The first chunk is the head the file was identified by: a small file is read once. Each chunk is
        copied once, into its unit (context, the previous chunk's unfinished line, this chunk's lines)."""
        carry = b""
        line = 1
        context = b""
        whole = source.size is not None and len(source.head) >= source.size  # a small file: read once
        first = source.head[skip:] if whole else source.head[skip:] + source.stream.read(self.chunk_size)
        rest = () if whole else iter(lambda: source.stream.read(self.chunk_size), b"")
        unit, scan_from = b"", 0
        for block in itertools.chain((first,), rest, (b"",)):
            if not block and not carry:
                return
            if unit:
                context = _tail(unit, scan_from)  # only when another unit follows (most files are one unit)
            if encoding is None and not block.isascii():
                encoding = detect_encoding((carry + block[:SAMPLE_SIZE])[:SAMPLE_SIZE])
            unit, carry = _unit(context, carry, block)
            scan_from = len(context)
            counted: list[int] = []
            yield TextUnit(data=unit, encoding=encoding or "ascii", first_line=line, scan_from=scan_from,
                           newlines=counted)
            line += counted[0] if counted else unit.count(b"\n", scan_from)
            if not block and not carry:
                return

    def _decoded(self, source: Source, encoding: str, skip: int) -> Iterator[TextUnit]:
        """UTF-16 text, decoded incrementally; the matcher gets str units."""
        decoder = codecs.getincrementaldecoder(encoding)("replace")
        stream = source.from_start()
        stream.read(skip)
        line = 1
        context = ""
        carry = ""
        while True:
            block = stream.read(self.chunk_size)
            text = carry + decoder.decode(block, final=not block)
            if not text:
                return
            cut = len(text) if not block else text.rfind("\n") + 1 or len(text)
            chunk, carry = text[:cut], text[cut:]
            yield TextUnit(text=context + chunk, first_line=line, scan_from=len(context))
            line += chunk.count("\n")
            context = chunk[-CONTEXT_BYTES:]
            if not block and not carry:
                return


def _cut_point(data: bytes) -> int:
    """After the last line end; for a line longer than the chunk, after the last safe byte near the end."""
    newline = data.rfind(b"\n")
    if newline >= 0:
        return newline + 1
    lo = max(0, len(data) - 65536)
    best = max(data.rfind(b, lo) for b in _SAFE_CUT)
    return best + 1 if best >= 0 else len(data)


def _unit(context: bytes, carry: bytes, block: bytes) -> tuple[bytes, bytes]:
    """(the unit to scan, the unfinished line carried to the next block). The unit ends after the block's last
    line end; a block without one (a line longer than a chunk) is cut at a safe byte instead; the last
    (empty) block takes what is left."""
    if not block:
        return (context + carry if context else carry), b""
    newline = block.rfind(b"\n")
    if newline < 0:
        data = carry + block
        cut = _cut_point(data)
        return b"".join((context, memoryview(data)[:cut])), data[cut:]
    cut = newline + 1
    if not context and not carry and cut == len(block):
        return block, b""  # a small file, whole: no copy
    return b"".join((context, carry, memoryview(block)[:cut])), block[cut:]


def _tail(unit: bytes, start: int) -> bytes:
    """The last bytes of ``unit`` after ``start`` (where its context ends), beginning at a safe byte so the
    context decodes on a character boundary. ``unit[start:]`` itself begins at one (a previous cut, or the
    file's start)."""
    if len(unit) - start <= CONTEXT_BYTES:
        return unit[start:]
    tail = unit[len(unit) - CONTEXT_BYTES:]
    starts = [tail.find(b) for b in _SAFE_CUT]
    first = min((s for s in starts if s >= 0), default=-1)
    return tail[first + 1:] if first >= 0 else b""
