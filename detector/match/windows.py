"""Windows: the stretches of raw bytes around an engine's hits that are decoded and handed to the finder.

A window is widened to cover the scorer's context and snapped to safe bytes (:data:`detector.cuts.SAFE_BYTES`),
so the text decoded from it is exactly the whole text's there; the data's very edges get windows of their own
(the engines' patterns need a byte on each side of a candidate). Line numbers of what a window finds come from
a counter that counts each newline once, or from the C pass's counts at its hits.
"""

from __future__ import annotations

import bisect
import re

from ..cuts import SAFE_BYTES

_SAFE_CLASS = b"[" + re.escape(SAFE_BYTES) + b"]"
_FIRST_SAFE = re.compile(_SAFE_CLASS)
_LAST_SAFE = re.compile(b"(?s).*" + _SAFE_CLASS)
_SNAP_LIMIT = 4096


def snap_left(data: bytes, offset: int) -> int:
    """The nearest offset at or before ``offset`` just after a safe byte, else the start of the data (a unit
    is at most a chunk, so that is bounded)."""
    if offset <= 0:
        return 0
    match = _LAST_SAFE.match(data, max(0, offset - _SNAP_LIMIT), offset)
    return match.end() if match else 0


def snap_right(data: bytes, offset: int) -> int:
    """The nearest offset at or after ``offset`` holding a safe byte, else the end of the data."""
    size = len(data)
    if offset >= size:
        return size
    match = _FIRST_SAFE.search(data, offset, min(size, offset + _SNAP_LIMIT))
    return match.start() if match else size


def merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged



_EDGE = 64


# 12 digits (of any of our encodings) with up to two short gaps: what a candidate at an edge must look like.
_ANY_DIGIT = rb"(?:[0-9]|\xef\xbc[\x90-\x99]|\x82[\x4f-\x58]|\xa3[\xb0-\xb9])"
_ANY_GAP = rb"(?:[^0-9]{1,3})?"
_EDGE_START = re.compile(rb"%s{4}%s%s{4}%s%s{4}" % (_ANY_DIGIT, _ANY_GAP, _ANY_DIGIT, _ANY_GAP, _ANY_DIGIT))
_EDGE_END = re.compile(_EDGE_START.pattern + rb"\Z")


def edge_windows(data: bytes, before: int, after: int) -> list[tuple[int, int]]:
    """Windows at the start and end of the data where a candidate could touch them (the prefilter patterns
    need a non-digit byte after, and on ASCII before, a candidate); a cheap byte test first, since files
    often start with a date. Each window takes in the scorer's context on its open side (``before`` bytes
    before the end window, ``after`` after the start window), as a hit's window does: a keyword just before
    a number that ends the data scores it."""
    out = []
    if _EDGE_START.match(data, 0, _EDGE):
        out.append((0, snap_right(data, _EDGE + after)))
    if _EDGE_END.search(data, max(0, len(data) - _EDGE)):
        out.append((snap_left(data, len(data) - _EDGE - before), len(data)))
    return out



class LineCounter:
    """Line number at a byte offset, counting newlines incrementally from the last offset asked."""

    def __init__(self, data: bytes, first_line: int, origin: int) -> None:
        self.data, self.first_line, self.origin = data, first_line, origin
        self.pos, self.line = origin, first_line

    def __call__(self, offset: int) -> int:
        if offset < self.origin:
            return self.first_line - self.data.count(b"\n", offset, self.origin)
        if offset < self.pos:  # a step back (a window reaching past the next quick hit): count only the step
            self.line -= self.data.count(b"\n", offset, self.pos)
        else:
            self.line += self.data.count(b"\n", self.pos, offset)
        self.pos = offset
        return self.line


class AnchoredLineCounter:
    """Line number at a byte offset, from the newline counts the C pass gave at each hit (``offsets``,
    ``counts``: the newlines before each offset; ``total``: in the whole data). Only the bytes between an
    offset and the nearest of its neighbouring anchors, or the offset asked last, are counted, so a chunk's
    newlines are not counted again in Python."""

    def __init__(self, data: bytes, first_line: int, origin: int, offsets: list[int], counts: list[int],
                 total: int) -> None:
        self.data = data
        self.offsets = [0, *offsets, len(data)]
        self.counts = [0, *counts, total]
        self.base = first_line - data.count(b"\n", 0, origin)
        self.last, self.last_count = 0, 0

    def __call__(self, offset: int) -> int:
        data, offsets, counts = self.data, self.offsets, self.counts
        after = bisect.bisect_left(offsets, offset)  # offsets[after] >= offset (the last anchor is the end)
        anchor, distance = after, offsets[after] - offset
        if after > 0 and offset - offsets[after - 1] < distance:
            anchor, distance = after - 1, offset - offsets[after - 1]
        if abs(offset - self.last) < distance:
            anchor_offset, anchor_count = self.last, self.last_count
        else:
            anchor_offset, anchor_count = offsets[anchor], counts[anchor]
        if anchor_offset >= offset:
            count = anchor_count - data.count(b"\n", offset, anchor_offset)
        else:
            count = anchor_count + data.count(b"\n", anchor_offset, offset)
        self.last, self.last_count = offset, count
        return self.base + count

