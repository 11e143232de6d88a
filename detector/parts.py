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
  part; a part that meets a non-ASCII byte says so and stops. Once all parts are in, the parent tells the
  encoding the whole-file read decides at the file's first non-ASCII byte (from the same block:
  :func:`detector.extract.text.encoding_met_later`), and the parts that met such bytes, with their neighbours
  (whose context reaches into them), are read again in that encoding (:func:`read_again`), as more parts: the
  others are ASCII, which reads the same in every encoding read here. A mostly-ASCII log with Japanese lines
  deep inside stays shared between the workers. An ISO-2022-JP escape, or one the reader's block edges depend
  on, sends the file to be read whole. UTF-16 and ISO-2022-JP files are never cut: UTF-16 is decoded before it
  is cut, and JIS carries its character set across line ends.
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
    not be read), its newlines, and whether it met what an ASCII part cannot read alone (a non-ASCII byte, an
    ISO-2022-JP escape), which sends the file to be read whole."""

    part: FilePart
    result: FileResult | None
    newlines: int = 0
    left_ascii: bool = False


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
    when parts of a file ASCII at its start met other bytes, those parts given out again (:meth:`take_again`) in
    the file's encoding and the file joined when they are back."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[PartResult, list[Revealed]]]] = {}
        self._again: list[FilePart] = []

    def add(self, part: PartResult, revealed: list[Revealed]) -> Joined | None:
        """None while parts of the file are still out (or to be read again); then the joined file."""
        arrived = self._waiting.setdefault(part.part.path, [])
        arrived.append((part, revealed))
        if len(arrived) < part.part.total:
            return None
        del self._waiting[part.part.path]
        ordered = sorted(arrived, key=lambda pair: pair[0].part.ordinal)
        again = read_again(ordered)
        if again:
            again_ordinals = {part.ordinal for part in again}
            self._waiting[part.part.path] = [pair for pair in ordered if pair[0].part.ordinal not in again_ordinals]
            self._again += again
            return None
        return join(ordered)

    def take_again(self) -> list[FilePart]:
        """The parts to read again (:func:`read_again`) told since the last call: each comes back to :meth:`add`."""
        again, self._again = self._again, []
        return again


def read_again(parts: list[tuple[PartResult, list[Revealed]]]) -> list[FilePart]:
    """The parts of a file (all of them, in order) to read again: none when no part met a byte that is not ASCII
    in a file read as ASCII (or a part could not be read, or the file must be read whole: :func:`join` says
    which). Else, in the encoding the whole-file read decides at the file's first non-ASCII byte, the parts that
    met such bytes and those whose reading reaches into them (their neighbours: the context before a part, its
    lookahead after); every other part is ASCII to its context's ends, which each encoding read here reads as
    ASCII."""
    from .extract.text import encoding_met_later, part_reach  # here, as in plan

    left = [result.part for result, _ in parts if result.left_ascii]
    if not left or any(result.result is None for result, _ in parts):
        return []
    first = left[0]
    try:
        fd = _open(first.path)
    except OSError:
        return []
    try:
        met = encoding_met_later(fd, first.start)
    except OSError:
        return []
    finally:
        os.close(fd)
    if met is None:
        return []
    again = []
    for result, _ in parts:
        low, high = part_reach(result.part.start, result.part.end)
        if any((high is None or part.start < high) and (part.end is None or part.end > low) for part in left):
            again.append(result.part._replace(encoding=met[1]))
    return again


class Joined(NamedTuple):
    """A split file's result, as a whole-file read gives it, and its ``--reveal`` records with their lines
    moved as the findings' are; ``result`` None: read the file whole instead (a part failed, or left ASCII)."""

    path: str
    result: FileResult | None
    records: list[Revealed]


def join(parts: list[tuple[PartResult, list[Revealed]]]) -> Joined:
    """The parts of one file, in order, as one result: lines moved down by the newlines of the parts before."""
    path = parts[0][0].part.path
    if any(part.result is None or part.left_ascii for part, _ in parts):
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
