"""A large plain-text file read as parts by several workers, and the parts' results joined into the one result a
whole-file read gives.

One file was one batch, so a 2 GB log kept one core busy while the others waited. A file of at least
:data:`SPLIT_BYTES` is cut into parts of half that size (:func:`plan`), each a unit of work of its own
(the pipeline's batches, :class:`detector.pipeline.BatchRunner`), read by :meth:`FileScanner.scan_part
<detector.scanner.FileScanner.scan_part>` with the context before and after it, as the text reader carries
context between its chunks. The parent joins the parts in order (:class:`PartJoiner`): each part counted its own
lines from 1, so a finding's line is moved down by the newlines of the parts before it (the count the matcher
makes anyway: :class:`detector.scanner.UnitLines`), and the file is one file for the result and the state.

Why the result is the one a whole-file read gives:

- a part starts just after a line end: a newline is a character of its own in UTF-8, CP932 and EUC-JP (ASCII
  below 0x40: :mod:`detector.cuts`), so a cut falls on a character boundary and never inside a number; and a
  line lies in one part, so a finding's key (place, person) and a held-back one are each in one part only;
- the context window is whole across a cut, as between the text reader's chunks (``tests/test_context_window``);
- the encoding is decided once for the file, from its first block, as the text reader decides it
  (:func:`detector.extract.text.part_encoding`). A file whose first block is ASCII is read as ASCII by every
  part; a part that meets a non-ASCII byte goes on in the encoding its block tells. Once all parts are in, the
  parent tells the encoding the whole-file read decides at the file's first non-ASCII byte (from the same
  block: :func:`detector.extract.text.encoding_met_later`), and reads again, in that encoding and as more
  parts, only those that read otherwise (another encoding, or non-ASCII bytes in their context:
  :func:`read_again`): the others are ASCII or read as the file is. A mostly-ASCII log with Japanese lines
  deep inside is read once, by all the workers (a terminal's colours in it included). An ISO-2022-JP
  designation sends the file to be read whole. UTF-16
  and ISO-2022-JP files are never cut: UTF-16 is decoded before it is cut, and JIS carries its character set
  across line ends.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from .model import FileResult, Location
from .people import Revealed

# From this size on a plain-text file is read as parts (a tenth of a second's reading and more: below it, the
# parts' start would cost more than they share), half of it a part (docs/performance.md).
SPLIT_BYTES = 64 * 1024 * 1024
# How far after its planned offset a cut looks for a line end; with none there, the two parts are one.
_LINE_REACH = 1024 * 1024


class FilePart(NamedTuple):
    """Bytes ``start`` to ``end`` of the plain-text file ``path`` (None: to the end of the file, so a log that grows
    while it is read is read to its end, as a whole-file read is), part ``ordinal`` (from 0) of ``total``.
    ``encoding``: the file's, decided from its first block; None while the file is ASCII (the part checks it stays
    so)."""

    path: str
    ordinal: int
    total: int
    start: int
    end: int | None
    encoding: str | None
    size: int  # the file's size when it was planned, reported as the file's size

    @property
    def last(self) -> bool:
        return self.ordinal == self.total - 1


class PartResult(NamedTuple):
    """What a worker sends back for a part: the findings of its lines, counted from line 1 (None: the part could
    not be read), its newlines, and, for a part of a file ASCII at its start, what it met that such a part cannot
    tell alone (:class:`detector.extract.text.PartReading`): a non-ASCII byte (``left_ascii``; it read on in the
    encoding its block tells, ``switched``), an ISO-2022-JP escape (``jis``: the file is read whole), context
    bytes that are not ASCII (``edges_ascii`` False)."""

    part: FilePart
    result: FileResult | None
    newlines: int = 0
    left_ascii: bool = False
    switched: str | None = None
    jis: bool = False
    edges_ascii: bool = True


def plan(path: str, size: int, part_bytes: int) -> list[FilePart] | None:
    """The parts of the file ``path`` (``size`` bytes as the walk saw it), of about ``part_bytes`` each (the
    pipeline asks for half of :data:`SPLIT_BYTES`: 64 parts on a 2 GB log, so the cores stay balanced to the end,
    and few enough that a part's start costs nothing measurable), or None when it is read whole: not a
    regular plain-text file, UTF-16, ISO-2022-JP, no line end to cut at, or unreadable (then the whole-file read
    says why)."""
    from .decode import SAMPLE_SIZE  # here, as the reader's modules: a scan meeting no large file loads none
    from .extract.text import CHUNK_SIZE, part_encoding
    from .identify import TEXT, identify

    try:
        fd = _open(path)
    except OSError:
        return None
    try:
        first = os.pread(fd, CHUNK_SIZE + SAMPLE_SIZE, 0)  # the text reader's first block: its head and a chunk
        if identify(first[:SAMPLE_SIZE]).name != TEXT:
            return None
        decided = part_encoding(first)
        if decided is None:
            return None
        skip, encoding = decided
        cuts = _cuts(fd, skip, size, part_bytes)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(cuts) < 2:
        return None
    ends: list[int | None] = [*cuts[1:], None]
    return [FilePart(path, ordinal, len(cuts), start, end, encoding, size)
            for ordinal, (start, end) in enumerate(zip(cuts, ends, strict=True))]


def _open(path: str) -> int:
    """The file, for reading, not through a symbolic link (a link's target is read whole, never as parts)."""
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))


def _cuts(fd: int, skip: int, size: int, part_bytes: int) -> list[int]:
    """Where the parts start: the first at ``skip`` (after a BOM), each other just after the first line end at or
    after its planned offset (within :data:`_LINE_REACH`; without one there, that part joins the one before)."""
    count = max(1, round((size - skip) / part_bytes))
    starts = [skip]
    for index in range(1, count):
        planned = skip + (size - skip) * index // count
        if planned <= starts[-1]:
            continue
        window = os.pread(fd, _LINE_REACH, planned - 1)  # from the byte before: a line may end just there
        newline = window.find(b"\n")
        if newline >= 0 and planned + newline < size:
            starts.append(planned + newline)
    return starts


class PartJoiner:
    """The parts of split files as they come back, in any order; each file joined when its last part is in, or,
    when parts of a file ASCII at its start did not read as the whole file reads (:func:`read_again`), those parts
    given out again (:meth:`take_again`) and the file joined when they are back."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[PartResult, list[Revealed]]]] = {}
        self._again: list[FilePart] = []
        self._read_again: set[str] = set()  # files whose parts were given out again: joined as they come back

    def add(self, part: PartResult, revealed: list[Revealed]) -> Joined | None:
        """None while parts of the file are still out (or to be read again); then the joined file."""
        path = part.part.path
        arrived = self._waiting.setdefault(path, [])
        arrived.append((part, revealed))
        if len(arrived) < part.part.total:
            return None
        del self._waiting[path]
        ordered = sorted(arrived, key=lambda pair: pair[0].part.ordinal)
        again = [] if path in self._read_again else read_again(ordered)
        if again is None:
            return Joined(path, None, [])  # read whole
        if again:
            again_ordinals = {part.ordinal for part in again}
            self._waiting[path] = [pair for pair in ordered if pair[0].part.ordinal not in again_ordinals]
            self._again += again
            self._read_again.add(path)
            return None
        self._read_again.discard(path)
        return join(ordered)

    def take_again(self) -> list[FilePart]:
        """The parts to read again (:func:`read_again`) told since the last call: each comes back to :meth:`add`."""
        again, self._again = self._again, []
        return again


def read_again(parts: list[tuple[PartResult, list[Revealed]]]) -> list[FilePart] | None:
    """The parts of a file (all of them, in order) to read again, in the file's encoding, before they are joined;
    None when the file is read whole instead (a part met an ISO-2022-JP designation, or the file's first
    non-ASCII byte is no longer there: :func:`~detector.extract.text.encoding_met_later`).

    A file whose first block is ASCII is read as ASCII by each part, and a part that meets a non-ASCII byte goes
    on in the encoding its own block tells. The whole-file read decides once, at the file's first non-ASCII
    byte (in the first part that met one: the parts before it read only ASCII). A part reads as the whole-file
    read does when it switched to that encoding, or met none (its bytes are ASCII, which every encoding read here
    reads alike), and its context before and lookahead after are ASCII too; the others are read again."""
    from .extract.text import encoding_met_later  # here, as in plan

    left = [result.part for result, _ in parts if result.left_ascii]
    if any(result.jis for result, _ in parts):
        return None
    if not left or any(result.result is None for result, _ in parts):
        return []  # join says whether it can join them
    try:
        fd = _open(left[0].path)
    except OSError:
        return None
    try:
        met = encoding_met_later(fd, left[0].start)
    except OSError:
        return None
    finally:
        os.close(fd)
    if met is None:
        return None
    encoding = met[1]
    return [result.part._replace(encoding=encoding) for result, _ in parts
            if not result.edges_ascii or (result.left_ascii and result.switched != encoding)]


class Joined(NamedTuple):
    """A split file's result, as a whole-file read gives it, and its ``--reveal`` records with their lines
    moved as the findings' are; ``result`` None: read the file whole instead (a part failed, or the file's
    parts cannot be read as the whole file is: :func:`read_again`)."""

    path: str
    result: FileResult | None
    records: list[Revealed]


def join(parts: list[tuple[PartResult, list[Revealed]]]) -> Joined:
    """The parts of one file, in order, as one result: lines moved down by the newlines of the parts before."""
    path = parts[0][0].part.path
    if any(part.result is None for part, _ in parts):
        return Joined(path, None, [])
    joined = FileResult(path=path, size=parts[0][0].part.size)
    records: list[Revealed] = []
    offset = 0
    for part, revealed in parts:
        assert part.result is not None
        result = part.result
        joined.findings += [f._replace(location=_moved(f.location, offset)) for f in result.findings]
        joined.samples += [s._replace(location=_moved(s.location, offset)) for s in result.samples]
        for label, count in result.held_back.items():
            joined.held_back[label] = joined.held_back.get(label, 0) + count
        joined.held_back_people |= result.held_back_people
        joined.unscanned += result.unscanned
        joined.host = joined.host or result.host
        records += [record._replace(key=(record.key[0], _moved(record.key[1], offset), record.key[2]))
                     for record in revealed]
        offset += part.newlines
    return Joined(path, joined, records)


def _moved(location: Location, offset: int) -> Location:
    """A part's location in the whole file: its line moved down by the lines of the parts before it (a finding
    in the file's name has no line)."""
    return location if location.line is None or not offset else location._replace(line=location.line + offset)
