"""Words read from a picture → lines in reading order, the way a person reads a form: top to bottom, and
across a row from left to right even when the engine read the row's cells as separate columns.

A label beside its value (``個人番号 | 1234 5678 9012`` in two cells of a form) must end up on one line, and a
label above its value (a card: 個人番号 small, the number large below) on the line before it, so the context
window of the matcher sees the label either way. The engine's own lines are kept whole (it follows a line
across a slightly rotated page, which boxes alone would not); lines of different columns standing at the same
height are joined into one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from . import Box, Line, Word

# How much two lines must overlap in height, as a share of the smaller one, to stand in the same row.
_SAME_ROW = 0.5
# A gap between two words, as a share of their height, from which it is a space.
_SPACE = 0.5


def reading_lines(words: Iterable[Word]) -> list[Line]:
    """The lines of a picture in reading order."""
    by_line: dict[int, list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    pieces = sorted((_piece(sorted(line, key=lambda word: word.box.left)) for line in by_line.values()),
                    key=lambda piece: (piece.box.middle, piece.box.left))
    rows: list[list[Line]] = []
    for piece in pieces:
        if rows and _same_row(rows[-1], piece):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [_piece_of_pieces(sorted(row, key=lambda piece: piece.box.left)) for row in rows]


def _same_row(row: list[Line], piece: Line) -> bool:
    """``piece`` stands beside the pieces of ``row`` (overlapping them in height), not over or under one."""
    box = _around(line.box for line in row)
    overlap = min(box.bottom, piece.box.bottom) - max(box.top, piece.box.top)
    if overlap < _SAME_ROW * min(box.height, piece.box.height):
        return False
    return all(piece.box.right <= line.box.left or piece.box.left >= line.box.right for line in row)


def _piece(words: list[Word]) -> Line:
    text = words[0].text
    spans = [(0, len(text), words[0].box)]
    for before, word in pairwise(words):
        text += joined(before, word)
        spans.append((len(text) - len(word.text), len(text), word.box))
    return Line(text, _around(word.box for word in words), tuple(spans))


def _piece_of_pieces(pieces: list[Line]) -> Line:
    """A row of pieces (cells of a form) in one line, a space between cells."""
    spans: list[tuple[int, int, Box]] = []
    offset = 0
    for piece in pieces:
        spans += [(start + offset, end + offset, box) for start, end, box in piece.spans]
        offset += len(piece.text) + 1
    return Line(" ".join(piece.text for piece in pieces), _around(piece.box for piece in pieces), tuple(spans))


def joined(before: Word, after: Word) -> str:
    """``after`` as it follows ``before`` on a line: with a space, but not between two Japanese characters set
    close (Japanese has no spaces between words, and 個人番号 read as 個人 番号 would miss the keyword); a gap
    of half a character or more is a space the writer put there."""
    close = after.box.left - before.box.right < _SPACE * max(before.box.height, after.box.height)
    return after.text if close and _japanese(before.text[-1]) and _japanese(after.text[0]) else " " + after.text


def _japanese(ch: str) -> bool:
    code = ord(ch)
    return 0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or \
        0xF900 <= code <= 0xFAFF or 0xFF01 <= code <= 0xFF0F or 0xFF1A <= code <= 0xFFEF


def _around(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    return Box(min(box.left for box in boxes), min(box.top for box in boxes),
               max(box.right for box in boxes), max(box.bottom for box in boxes))
