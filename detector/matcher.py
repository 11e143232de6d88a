"""The matcher: finds scored candidates in text, decoded or raw.

Two engines give identical results:

- ``re`` (portable, the reference): decode the whole unit and run :class:`~detector.candidates.DigitFinder`.
- ``hyperscan`` (when the PyPI bindings import): a byte-level prefilter, compiled per encoding, reports where a
  candidate *might* end; only small windows around those places are decoded and handed to the same finder.
  Windows are widened to cover the context window and snapped to "safe" bytes (ASCII punctuation and line
  ends, which can never be inside a candidate, nor split a CP932/EUC-JP character), so the finder sees exactly
  what it would see in the whole text. On pure-ASCII data a hit whose 12 digits fail the check digit is
  dropped before any window is decoded: in logs dense with IDs, that is 10 hits in 11. Where the C speed-ups
  are built, an ASCII chunk skips hyperscan's digit database: one C pass (``_speedups.ascii_hits``) returns
  the candidates themselves (bounded, checked, not glued) with the newlines before each.

A test runs both engines over the detection matrix and over random text and compares their output.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .candidates import ESCAPE_HINTS, DigitFinder, has_escape_hint, iter_escape_hint_lines, unescape
from .context import ColumnContext, ContextScorer, ItemFinder
from .decode import JisDecoder
from .extract import Span, TextUnit
from .model import Candidate, Confidence, Location
from .mynumber import FULLWIDTH_DIGITS, to_ascii
from .native import speedups as _speedups
from .rules import Rules


def _load_hyperscan() -> Any:
    """The hyperscan bindings, or None where the wheel or the native library is missing."""
    try:
        import hyperscan

        return hyperscan
    except Exception:  # any failure to load the native library means "not available"
        return None


_hyperscan: Any = _load_hyperscan()

# Bytes that can never be inside a candidate or its guard characters, nor the second byte of a CP932 or
# EUC-JP character (all are ASCII below 0x40): a window cut just after one decodes exactly like the whole text.
SAFE_BYTES = b'\n\t\r,;:"\'<>=()!?/'
_SAFE_CLASS = b"[" + re.escape(SAFE_BYTES) + b"]"
_FIRST_SAFE = re.compile(_SAFE_CLASS)
_LAST_SAFE = re.compile(b"(?s).*" + _SAFE_CLASS)
_SNAP_LIMIT = 4096
_PREFILTER_ENCODINGS = ("ascii", "utf-8", "cp932", "shift_jis", "euc-jp")
_MAX_BYTES_PER_CHAR = {"ascii": 1, "utf-8": 4, "cp932": 2, "shift_jis": 2, "euc-jp": 3}
_CONTIGUOUS, _GROUPED, _HINT = 0, 1, 2
_FAST_ASCII_SEPARATORS = getattr(_speedups, "MAX_SEPARATORS", 0)  # the most ASCII separators the C pass takes


def hyperscan_available() -> bool:
    return _hyperscan is not None


def canonical_encoding(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"shift_jis": "cp932", "ms932": "cp932", "euc_jp": "euc-jp"}.get(name, name)


@dataclass(frozen=True, slots=True)
class _Prefilter:
    database: Any
    hints: tuple[tuple[tuple[bytes, ...], Any], ...]  # (trigger bytes, database) per escape hint
    ascii_only: bool
    span_bytes: int  # the most bytes a candidate plus its two boundary bytes can take
    bytes_per_char: int
    ascii_separators: bytes  # the grouped form's separators that are ASCII (what the ASCII pattern allows)


class _Hits(NamedTuple):
    """What the prefilter found in a chunk: hit ends that passed the pre-checks, escape-hint ends, and, from
    the C pass, the newlines before each hit (offsets, counts) and in the whole chunk."""

    prefilter: _Prefilter
    contiguous: list[int]
    grouped: list[int]
    hints: list[int]
    lines: tuple[list[int], list[int], int] | None = None


class TextScanner:
    """Scored candidates from text units. ``engine`` is "auto", "re" or "hyperscan"."""

    def __init__(self, rules: Rules, engine: str = "auto", min_confidence: Confidence = Confidence.LOW) -> None:
        if engine not in ("auto", "re", "hyperscan"):
            raise ValueError(f"unknown engine {engine!r}")
        if engine == "hyperscan" and _hyperscan is None:
            raise ValueError("the hyperscan engine is not available on this machine")
        self.engine = "hyperscan" if engine != "re" and _hyperscan is not None else "re"
        self.finder = DigitFinder(rules.separators)
        self.scorer = ContextScorer(rules)
        self.items = ItemFinder(rules)
        self.separators = rules.separators
        self._prefilters: dict[str, _Prefilter] = {}
        self._columns: dict[str, ColumnContext] = {}
        # Bare candidates are held back (only counted) when the bar is above LOW: see _quick_ends.
        self._keyword_terms = tuple(sorted(text for text in self.scorer.keywords.rule_of if text.isascii()))
        self._quick = self.engine == "hyperscan" and min_confidence > Confidence.LOW
        # ASCII chunks go through the C pass instead of hyperscan's digit database where it is built.
        self.fast_ascii = (self.engine == "hyperscan" and _speedups is not None
                           and sum(s.isascii() for s in self.separators) <= _FAST_ASCII_SEPARATORS)

    # -- decoded text (the reference path) -------------------------------------------------------------

    def scan_unit(self, unit: TextUnit) -> list[Candidate]:
        """Candidates in an extractor's unit, with the unit's location filled in."""
        if unit.data is not None:
            found = self.scan_bytes(unit.data, unit.encoding, unit.first_line or 1, unit.scan_from, unit.newlines,
                                    unit.scan_to)
        else:
            found = self.scan_str(unit.text or "", unit.first_line or 1, unit.scan_from, unit.columns, unit.headers,
                                  unit.scan_to)
        base = unit.location
        if unit.first_line is None or base != Location():
            found = [c._replace(location=base._replace(
                line=c.location.line if unit.first_line else None, column=c.location.column,
                cell=c.location.cell or base.cell, hidden=_joined(base.hidden, c.location.hidden)))
                for c in found]
        return found

    def scan_str(self, text: str, first_line: int = 1, scan_from: int = 0,
                 columns: tuple[Span, ...] = (), headers: tuple[str, ...] = (),
                 scan_to: int | None = None) -> list[Candidate]:
        """Candidates in ``text`` starting at or after ``scan_from`` and before ``scan_to`` (text outside is
        context only); ``first_line`` is the line number at ``scan_from``; ``columns`` marks table cells with
        their header."""
        found: dict[tuple[int, int, str], Candidate] = {}
        limit = len(text) if scan_to is None else scan_to
        line, line_pos = first_line, scan_from
        for m in self.finder.find(text, scan_from):
            if m.start >= limit:
                break
            line += text.count("\n", line_pos, m.start)
            line_pos = m.start
            column = self._column_at(columns, m.start) if columns else None
            self._keep(found, text, m.start, m.end, m.digits, m.grouped, line, column, (), headers)
        if has_escape_hint(text):
            line, line_pos = first_line, scan_from
            for start, end in iter_escape_hint_lines(text, scan_from):
                if start >= limit:
                    break
                line += text.count("\n", line_pos, start) if start >= line_pos else 0
                line_pos = max(line_pos, start)
                column = self._column_at(columns, start) if columns else None
                self._scan_escaped(found, text[start:end], line, column)
        return _ordered(found)

    def _column_at(self, columns: tuple[Span, ...], offset: int) -> tuple[ColumnContext, Span] | None:
        for span in columns:
            if span.start <= offset < span.end:
                context = self._columns.get(span.header)
                if context is None:
                    context = self._columns[span.header] = self.scorer.column(span.header)
                return context, span
        return None

    def _keep(self, found: dict[tuple[int, int, str], Candidate], text: str, start: int, end: int, digits: str,
              grouped: bool, line: int, cell: tuple[ColumnContext, Span] | None, extra: tuple[str, ...],
              headers: tuple[str, ...] = ()) -> None:
        column, span = cell if cell is not None else (None, None)
        confidence, reasons = self.scorer.score(text, start, end, grouped, column)
        key = (line, span.start if span is not None else 0, digits)
        previous = found.get(key)
        if previous is None or confidence > previous.confidence:
            around = self.items.around(text, start, end)
            if span is None:
                location = Location(line=line)
            else:
                location = Location(line=line, column=span.header or None, cell=span.cell, hidden=span.hidden)
            found[key] = Candidate(digits, grouped, location, confidence, reasons + extra, around, headers)

    def _scan_escaped(self, found: dict[tuple[int, int, str], Candidate], line_text: str, line: int,
                      column: tuple[ColumnContext, Span] | None) -> None:
        """A line with percent-, JSON- or HTML-escaped characters, scanned once more after unescaping."""
        if not has_escape_hint(line_text):
            return
        decoded = unescape(line_text)
        if decoded == line_text:
            return
        for m in self.finder.find(decoded):
            self._keep(found, decoded, m.start, m.end, m.digits, m.grouped,
                       line + decoded.count("\n", 0, m.start), column, ("decoded",))

    # -- raw bytes ------------------------------------------------------------------------------------

    def scan_bytes(self, data: bytes, encoding: str, first_line: int = 1, scan_from: int = 0,
                   newlines: list[int] | None = None, scan_to: int | None = None) -> list[Candidate]:
        """Candidates in ``data`` (in ``encoding``) starting at or after byte ``scan_from`` and before byte
        ``scan_to``, both character boundaries; bytes outside are context only (the end of the previous chunk,
        the start of the next one: the context window reaches both ways). ``newlines``, when given, receives
        the number of newlines between them (see :class:`~detector.extract.TextUnit`)."""
        encoding = canonical_encoding(encoding)
        if encoding == "ascii" and not data.isascii():
            encoding = "utf-8"  # ASCII's superset: a mislabelled Japanese line keeps its keywords
        if self.engine == "re" or encoding not in _PREFILTER_ENCODINGS:
            return self._scan_bytes_decoded(data, encoding, first_line, scan_from, scan_to)
        return self._scan_bytes_prefiltered(data, encoding, first_line, scan_from, newlines,
                                            len(data) if scan_to is None else scan_to)

    def texts_to_read(self, texts: list[bytes], encoding: str) -> list[int]:
        """Of whole small texts in one ``encoding`` ("ascii" when all are ASCII), the indices of those that
        could hold a candidate (or an escaped one); the others would give nothing if scanned one by one.

        The texts are joined by newlines into one buffer and prefiltered in one hyperscan call, with the same
        pre-checks as :meth:`scan_bytes` (a newline before and after each text stands for its edges). For a
        tree of small files this replaces a prefilter call, its pre-checks and a unit per file by a share of
        one; only the files that hit are scanned on their own."""
        encoding = canonical_encoding(encoding)
        if self.engine == "re" or encoding not in _PREFILTER_ENCODINGS or not texts:
            return list(range(len(texts)))
        starts = []
        offset = 1
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        buffer = b"".join((b"\n", b"\n".join(texts), b"\n"))
        _, contiguous, grouped, hints, _ = self._prefiltered_ends(buffer, encoding)
        # A hit's last digit is two bytes before its end (the end is after its trailing byte); a hint's last
        # byte is one before.
        chosen = {bisect.bisect_right(starts, end - 2) - 1 for end in (*contiguous, *grouped)}
        chosen.update(bisect.bisect_right(starts, end - 1) - 1 for end in hints)
        return sorted(index for index in chosen if index >= 0)

    def _prefiltered_ends(self, data: bytes, encoding: str) -> _Hits:
        """The prefilter used (by the data's encoding, "ascii" when it is), the ends of the digit hits
        (contiguous, grouped) that pass the pre-checks, and the ends of the escape hints."""
        prefilter = self._prefilter("ascii" if data.isascii() else encoding)
        if prefilter.ascii_only and self.fast_ascii:
            return self._fast_ascii_ends(data, prefilter)
        ends: tuple[list[int], list[int], list[int]] = ([], [], [])  # by pattern id
        contiguous, grouped, hints = ends

        if prefilter.ascii_only:
            def on_match(pattern_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                # One pattern for both forms: the byte before the last group is a separator when grouped.
                (grouped if data[end - 6] < 0x30 else contiguous).append(end)
        else:
            def on_match(pattern_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                ends[pattern_id].append(end)

        prefilter.database.scan(data, match_event_handler=on_match)
        hints.extend(_hint_ends(data, prefilter))
        if not (contiguous or grouped):
            return _Hits(prefilter, contiguous, grouped, hints)
        if prefilter.ascii_only:
            contiguous = _valid_ascii_ends(data, contiguous, 12, _CONTIGUOUS_DIGITS)
            grouped = _valid_ascii_ends(data, grouped, 14, _GROUPED_DIGITS)
        else:
            contiguous, grouped = _valid_multibyte_ends(data, encoding, contiguous, grouped, prefilter.span_bytes)
        return _Hits(prefilter, contiguous, grouped, hints)

    def _fast_ascii_ends(self, data: bytes, prefilter: _Prefilter) -> _Hits:
        """What :meth:`_prefiltered_ends` gives for ASCII data, from one C pass (``_speedups.ascii_hits``): the
        hits that are candidates (bounded, check digit right, not glued), the newlines before each, and the
        '+' hints. The other escape hints still run their databases where their triggers are; the '+' hint's
        database only where '%' or a backslash-u could make it match too."""
        contiguous, grouped, plus, offsets, counts, total = _speedups.ascii_hits(data, prefilter.ascii_separators)
        return _Hits(prefilter, contiguous, grouped, _hint_ends(data, prefilter, plus), (offsets, counts, total))

    def _scan_bytes_decoded(self, data: bytes, encoding: str, first_line: int, scan_from: int,
                            scan_to: int | None) -> list[Candidate]:
        """Decoded in pieces (context, scanned part, lookahead) by one incremental decoder: ISO-2022-JP's
        designated set carries from one piece into the next."""
        jis = encoding.startswith("iso2022_jp")  # canonical names: iso2022_jp, iso2022_jp_ext, iso2022_jp_2...
        decoder = JisDecoder(encoding) if jis else codecs.getincrementaldecoder(encoding)("replace")
        context = decoder.decode(data[:scan_from])
        if scan_to is None:
            return self.scan_str(context + decoder.decode(data[scan_from:], True), first_line, len(context))
        scanned = decoder.decode(data[scan_from:scan_to])
        text = context + scanned + decoder.decode(data[scan_to:], True)
        return self.scan_str(text, first_line, len(context), scan_to=len(context) + len(scanned))

    def _scan_bytes_prefiltered(self, data: bytes, encoding: str, first_line: int, scan_from: int,
                                newlines: list[int] | None, scan_to: int) -> list[Candidate]:
        prefilter, contiguous, grouped, hints, lines = self._prefiltered_ends(data, encoding)
        before = (self.scorer.before + 2) * prefilter.bytes_per_char + prefilter.span_bytes
        after = (self.scorer.after + 2) * prefilter.bytes_per_char
        edges = _edge_windows(data, before, after)
        if not (contiguous or grouped or hints or edges):
            if newlines is not None:
                newlines.append(data.count(b"\n", scan_from, scan_to) if lines is None else
                                lines[2] - data.count(b"\n", 0, scan_from) - data.count(b"\n", scan_to))
            return []
        quick: list[int] = []
        if self._quick and prefilter.ascii_only and contiguous:
            contiguous, quick = self._quick_ends(data, contiguous)
        windows = [(_snap_left(data, end - before), _snap_right(data, end + after))
                   for end in (*contiguous, *grouped) if end > scan_from and end - prefilter.span_bytes < scan_to]
        windows.extend(edges)
        hint_lines: dict[int, int] = {}
        for end in hints:
            if scan_from < end and data.rfind(b"\n", 0, end) + 1 < scan_to:
                start = data.rfind(b"\n", 0, end) + 1
                if start not in hint_lines:
                    line_end = data.find(b"\n", end)
                    hint_lines[start] = len(data) if line_end < 0 else line_end
        found: dict[tuple[int, int, str], Candidate] = {}
        line_at: Callable[[int], int] = (_LineCounter(data, first_line, scan_from) if lines is None else
                                         _AnchoredLineCounter(data, first_line, scan_from, *lines))
        merged = _merge(windows)
        region = (scan_from, scan_to)
        if quick:
            self._scan_in_order(found, data, encoding, merged, quick, region, line_at)
        else:
            for start, end in merged:
                self._scan_window(found, data, encoding, start, end, region, line_at)
        for start, end in sorted(hint_lines.items()):
            self._scan_escaped(found, data[start:end].decode(encoding, "replace"), line_at(start), None)
        if newlines is not None:
            newlines.append(line_at(scan_to) - first_line)  # counted on from the last window only
        return _ordered(found)

    def _quick_ends(self, data: bytes, ends: list[int]) -> tuple[list[int], list[int]]:
        """(the contiguous ASCII hits that need a window, those that do not). Such a hit, once pre-checked
        (bounded by non-digits, check digit right, not glued to a longer number), is exactly the finder's
        candidate; with no My Number keyword within the scorer's reach it scores LOW, whatever else is near
        (other numbers' keywords only lower a score or add a reason). When the bar is above LOW it is only
        counted, so it needs no window, no decoding and no scoring: most valid-looking IDs of a dense log.

        The scorer finds a keyword only inside the text it looks at (``before`` characters before the number,
        ``after`` after it), so a search of that stretch by a superset of its keywords (each ASCII term's letters
        in any case, with any spaces, controls, '_' or '-' between them) decides. Terms that are not ASCII
        cannot occur in ASCII data. (A hyperscan pass for keywords over whole chunks cost half the digit pass.)"""
        if not self._keyword_terms:
            return [], ends
        search = _keyword_search(self._keyword_terms).search
        before, after = self.scorer.before, self.scorer.after
        windowed: list[int] = []
        quick: list[int] = []
        for end in ends:  # the record is data[end - 13:end - 1]
            (windowed if search(data, max(0, end - 13 - before), end - 1 + after) else quick).append(end)
        return windowed, quick

    def _scan_in_order(self, found: dict[tuple[int, int, str], Candidate], data: bytes, encoding: str,
                       windows: list[tuple[int, int]], quick: list[int], region: tuple[int, int],
                       line_at: Callable[[int], int]) -> None:
        """Windows and quick hits in the order of their offsets (the line counter only counts forward)."""
        records = [end - 13 for end in quick]
        window_at = 0
        for record in records:
            while window_at < len(windows) and windows[window_at][0] <= record:
                self._scan_window(found, data, encoding, *windows[window_at], region, line_at)
                window_at += 1
            if not region[0] <= record < region[1]:
                continue  # context only
            digits = data[record:record + 12].decode("ascii")
            line = line_at(record)
            key = (line, 0, digits)
            if key not in found:
                found[key] = Candidate(digits, False, Location(line=line), Confidence.LOW, ("bare",), "", ())
        for start, end in windows[window_at:]:
            self._scan_window(found, data, encoding, start, end, region, line_at)

    def _scan_window(self, found: dict[tuple[int, int, str], Candidate], data: bytes, encoding: str, start: int,
                     end: int, region: tuple[int, int], line_at: Callable[[int], int]) -> None:
        """The candidates of ``data[start:end]`` that start inside ``region`` (scan_from, scan_to), decoded in
        pieces cut at the region's edges (character boundaries), so the text outside is context only."""
        scan_from, scan_to = region
        left = max(start, scan_from)
        right = min(end, scan_to)
        if left >= right:
            return
        context = data[start:left].decode(encoding, "replace")
        scanned = data[left:right].decode(encoding, "replace")
        text = context + scanned + data[right:end].decode(encoding, "replace")
        pos, limit, base_line = len(context), len(context) + len(scanned), line_at(left)
        for m in self.finder.find(text, pos):
            if m.start >= limit:
                break
            line = base_line + text.count("\n", pos, m.start)
            self._keep(found, text, m.start, m.end, m.digits, m.grouped, line, None, ())

    def warm(self) -> None:
        """Compile every prefilter now (about 70 ms), e.g. in a parent before it forks its workers."""
        if self.engine == "hyperscan":
            for encoding in ("ascii", "utf-8", "cp932", "euc-jp"):
                self._prefilter(encoding)

    def _prefilter(self, encoding: str) -> _Prefilter:
        prefilter = self._prefilters.get(encoding)
        if prefilter is None:
            prefilter = self._prefilters[encoding] = _compile_prefilter(encoding, self.separators)
        return prefilter


class _LineCounter:
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


class _AnchoredLineCounter:
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


# Left-to-right weights of the first 11 digits (Q_n with n counted from the right), and per position a table
# turning an ASCII digit into its weighted residue: summed as big integers, byte by byte, 11 residues of at
# most 10 never carry into the next byte, so one C-speed pass checks every hit of a chunk at once.
_WEIGHTS_LTR = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# Bytes that are not digits count 0, so 11 residues of at most 10 never carry into the neighbouring record.
_RESIDUE_TABLES = tuple(bytes((b - 48) * w % 11 if 48 <= b <= 57 else 0 for b in range(256)) for w in _WEIGHTS_LTR)
# Under this many hits a record is checked on its own: the vectorised pass costs a few slices per position.
_FEW_HITS = 4
_CHECK_DIGIT_OF_SUM = bytes(48 + (0 if v % 11 <= 1 else 11 - v % 11) for v in range(256))
_CONTIGUOUS_DIGITS = tuple(range(12))
_GROUPED_DIGITS = (0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13)


def _valid_ascii_ends(data: bytes, ends: list[int], width: int, digit_positions: tuple[int, ...]) -> list[int]:
    """The hit ends (on ASCII data, the pattern bounded by one non-digit byte on each side) whose 12 digits
    pass the check digit."""
    if not ends:
        return ends
    joined = b"".join([data[e - 1 - width:e - 1] for e in ends])
    valid = [ends[i] for i in _valid_indices(joined, len(ends), width, digit_positions)]
    return [end for end in valid if not _glued(data, end, width, data[end - 11] if width == 14 else None, False)]


def _zero_records(joined: bytes, count: int, width: int, tables: tuple[bytes, ...]) -> list[int]:
    """Indices of the ``width``-byte records of ``joined`` whose every byte maps to 0 through the table of its
    position (``tables`` repeats with its own period), at C speed: a byte table per position, the records
    added as big integers (at most ``width`` per byte, so nothing carries), and the zero bytes found."""
    if count < _FEW_HITS:
        period = len(tables)
        return [i for i in range(count)
                if not any(tables[p % period][byte] for p, byte in enumerate(joined[i * width:(i + 1) * width]))]
    total = 0
    for position in range(width):
        total += int.from_bytes(joined[position::width].translate(tables[position % len(tables)]), "big")
    return [m.start() for m in _ZERO_BYTE.finditer(total.to_bytes(count, "big"))]


def _table(zero: bytes) -> bytes:
    """A translation table: the bytes of ``zero`` to 0, every other byte to 1."""
    return bytes(0 if b in zero else 1 for b in range(256))


_ASCII_DIGIT_TABLE = (_table(bytes(range(0x30, 0x3A))),)
_ASCII_GROUPED_TABLES = tuple(_table(bytes(range(0x30, 0x3A))) if i not in (4, 9) else _table(bytes(range(0x30)))
                              for i in range(14))
# Twelve full-width digits: UTF-8 EF BC 90..99 (the lead byte 0xEF is never a continuation byte); CP932
# 82 4F..58 (the second bytes never start a character, so a misread first 0x82 would leave an 11-digit run,
# never a real candidate).
_FULLWIDTH = {
    "utf-8": (3, (_table(b"\xef"), _table(b"\xbc"), _table(bytes(range(0x90, 0x9A)))),
              bytes.maketrans(bytes(range(0x90, 0x9A)), b"0123456789")),
    "cp932": (2, (_table(b"\x82"), _table(bytes(range(0x4F, 0x59)))),
              bytes.maketrans(bytes(range(0x4F, 0x59)), b"0123456789")),
}


def _records(data: bytes, ends: list[int], width: int) -> bytes:
    """The ``width`` bytes before each hit's trailing byte, joined (blank where the data starts too late)."""
    return b"".join([data[end - 1 - width:end - 1] if end > width else b" " * width for end in ends])


def _split_checked(ends: list[int], readable: list[int], digits: bytes, width: int,
                   digit_positions: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """(readable hits whose digits pass the check digit, the hits that were not readable)."""
    chosen = set(readable)
    unread = [end for i, end in enumerate(ends) if i not in chosen]
    if not readable:
        return [], unread
    valid = _valid_indices(digits, len(readable), width, digit_positions)
    return [ends[readable[i]] for i in valid], unread


def _ascii_checked(data: bytes, ends: list[int], grouped: bool) -> tuple[list[int], list[int]]:
    """Hits whose record is ASCII digits (4-4-4 with one ASCII separator twice, when grouped): bytes 0x30-0x39
    are never part of a multi-byte character in UTF-8, CP932 or EUC-JP, so they are the candidate's digits."""
    if not ends:
        return [], []
    width, tables, positions = (14, _ASCII_GROUPED_TABLES, _GROUPED_DIGITS) if grouped else (
        12, _ASCII_DIGIT_TABLE, _CONTIGUOUS_DIGITS)
    joined = _records(data, ends, width)
    readable = _zero_records(joined, len(ends), width, tables)
    if grouped:
        readable = [i for i in readable if joined[i * 14 + 4] == joined[i * 14 + 9]]
    digits = b"".join(joined[i * width:(i + 1) * width] for i in readable)
    return _split_checked(ends, readable, digits, width, positions)


def _fullwidth_checked(data: bytes, ends: list[int], encoding: str) -> tuple[list[int], list[int]]:
    """Hits whose record is twelve full-width digits, where the encoding makes them unambiguous."""
    if not ends or encoding not in _FULLWIDTH:
        return [], ends
    size, tables, to_ascii_digits = _FULLWIDTH[encoding]
    width = 12 * size
    joined = _records(data, ends, width)
    readable = _zero_records(joined, len(ends), width, tables)
    digits = b"".join(joined[i * width + size - 1:(i + 1) * width:size] for i in readable)
    return _split_checked(ends, readable, digits.translate(to_ascii_digits), 12, _CONTIGUOUS_DIGITS)


def _valid_multibyte_ends(data: bytes, encoding: str, contiguous: list[int], grouped: list[int],
                          span: int) -> tuple[list[int], list[int]]:
    """Hits in UTF-8, CP932 or EUC-JP text, without the ones whose check digit fails. Hits of ASCII digits,
    and of twelve full-width digits where the encoding makes them unambiguous, are checked from their bytes
    (a hit read and failing cannot be a candidate); the rest are decoded (UTF-8) or kept for their window."""
    utf8 = encoding == "utf-8"
    ascii_valid, rest = _ascii_checked(data, contiguous, grouped=False)
    ascii_valid = [end for end in ascii_valid if not _glued(data, end, 12, None, utf8)]
    fullwidth_valid, rest = _fullwidth_checked(data, rest, encoding)
    if utf8:
        fullwidth_valid = [end for end in fullwidth_valid if not _glued(data, end, 36, None, utf8)]
    elif encoding == "cp932":
        fullwidth_valid = [end for end in fullwidth_valid if not _cp932_glued(data, end - 25, end - 1)]
    grouped_valid, grouped_rest = _ascii_checked(data, grouped, grouped=True)
    grouped_valid = [end for end in grouped_valid if not _glued(data, end, 14, data[end - 11], utf8)]
    if encoding == "utf-8":
        rest = _valid_utf8_ends(data, rest, 12, _CONTIGUOUS_DIGITS, span)
        grouped_rest = _valid_utf8_ends(data, grouped_rest, 14, _GROUPED_DIGITS, span)
    return sorted(ascii_valid + fullwidth_valid + rest), sorted(grouped_valid + grouped_rest)


_ASCII_DIGITS = frozenset(b"0123456789")
_ASCII_JOINERS = frozenset(b"-.")


def _glued(data: bytes, end: int, width: int, separator: int | None, utf8: bool) -> bool:
    """True when a checked hit cannot be a candidate because the finder would reject it as part of a longer
    number: a digit right before its record (the hyperscan patterns do not look back, for speed), or a joiner
    and a digit on either side (the separator itself for 4-4-4, else '-' or '.'). Its window is then not
    opened: in hit-dense text most windows were such hits (13-digit slip numbers, 4-4-4-4 cards).

    Only bytes that are read the same in every supported encoding are trusted: ASCII digits, '-' and '.'
    are never part of a multi-byte character in UTF-8, CP932 or EUC-JP; a full-width digit is recognised only
    in UTF-8, where a character cannot be misread from its middle. Anything else keeps its window."""
    start = end - 1 - width
    joiners = _ASCII_JOINERS if separator is None else frozenset((separator,))
    if start >= 1 and (data[start - 1] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, start - 3))):
        return True
    if start >= 2 and data[start - 1] in joiners and (
            data[start - 2] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, start - 4))):
        return True
    trailing = data[end - 1]
    if utf8 and _utf8_fullwidth_digit(data, end - 1):
        return True  # the run goes on in full-width digits
    return trailing in joiners and end < len(data) and (
        data[end] in _ASCII_DIGITS or (utf8 and _utf8_fullwidth_digit(data, end)))


def _cp932_glued(data: bytes, start: int, trailing: int) -> bool:
    """Whether twelve CP932 full-width digits at ``start`` (their trailing byte at ``trailing``) are part of a
    longer run. After them, a full-width digit starts at the trailing byte (the twelve end on a character
    boundary; were they misaligned, the hit could not be a candidate anyway). Before them, an ASCII digit is
    never part of a double-byte character, but a full-width digit (82 4F..58) is trusted only when the byte
    before it cannot be a lead byte: 0x82 is also a valid second byte, and a lead byte before it would make
    the pair a kanji followed by an ASCII letter 'O'..'X'. Where that cannot be ruled out, the hit keeps its
    window. A joiner ('-', '.') and an ASCII digit on either side glue it too."""
    size = len(data)
    if trailing + 1 < size and (
            (data[trailing] == 0x82 and 0x4F <= data[trailing + 1] <= 0x58)
            or (data[trailing] in _ASCII_JOINERS and data[trailing + 1] in _ASCII_DIGITS)):
        return True
    if start < 1:
        return False
    if data[start - 1] in _ASCII_DIGITS:
        return True
    if start >= 2 and data[start - 1] in _ASCII_JOINERS and data[start - 2] in _ASCII_DIGITS:
        return True
    if start >= 2 and data[start - 2] == 0x82 and 0x4F <= data[start - 1] <= 0x58:
        return start == 2 or not _cp932_lead(data[start - 3])
    return False


def _cp932_lead(byte: int) -> bool:
    return 0x81 <= byte <= 0x9F or 0xE0 <= byte <= 0xFC


def _utf8_fullwidth_digit(data: bytes, at: int) -> bool:
    """A full-width digit (EF BC 90..99) at byte ``at`` of UTF-8 data."""
    return 0 <= at <= len(data) - 3 and data[at] == 0xEF and data[at + 1] == 0xBC and 0x90 <= data[at + 2] <= 0x99


def _valid_indices(joined: bytes, count: int, width: int, digit_positions: tuple[int, ...]) -> list[int]:
    """Indices of the ``width``-byte records of ``joined`` whose digits at ``digit_positions`` pass the check
    digit, all in one pass at C speed. A record that is not 12 digits (a hit with one separator, a '?' from
    a character that is not ASCII) is not a candidate's: it may pass or fail, and cannot disturb another
    record (bytes that are not digits count 0, so no sum leaves its byte)."""
    if count < _FEW_HITS:
        return [i for i in range(count) if _check_passes(joined, i * width, digit_positions)]
    total = 0
    for position, table in zip(digit_positions[:11], _RESIDUE_TABLES, strict=True):
        total += int.from_bytes(joined[position::width].translate(table), "big")
    expected = total.to_bytes(count, "big").translate(_CHECK_DIGIT_OF_SUM)
    actual = joined[digit_positions[11]::width]
    same = (int.from_bytes(expected, "big") ^ int.from_bytes(actual, "big")).to_bytes(count, "big")
    return [m.start() for m in _ZERO_BYTE.finditer(same)]


def _check_passes(joined: bytes, base: int, digit_positions: tuple[int, ...]) -> bool:
    """The check of one record, as the vectorised pass computes it."""
    total = sum(table[joined[base + position]] for position, table in
                zip(digit_positions[:11], _RESIDUE_TABLES, strict=True))
    return _CHECK_DIGIT_OF_SUM[total] == joined[base + digit_positions[11]]


_ZERO_BYTE = re.compile(b"\x00")


def _valid_utf8_ends(data: bytes, ends: list[int], width: int, digit_positions: tuple[int, ...],
                     span: int) -> list[int]:
    """The UTF-8 hit ends whose 12 digits pass the check digit. A UTF-8 slice decodes correctly from any byte
    (continuation bytes are dropped), so each hit's last ``width`` characters before its trailing byte are
    taken, full-width digits made ASCII, and all are checked in one pass. A hit that fails cannot be a
    candidate, and every valid candidate has a hit of its own, so dropping it changes nothing."""
    if not ends:
        return ends
    texts = [data[max(0, end - span):end].decode("utf-8", "ignore") for end in ends]
    # The trailing byte was one non-digit byte: an ASCII character to drop, or the lead byte of a character
    # that "ignore" already dropped.
    fixed = [(t[-width:] if t[-1:].isdigit() else t[-1 - width:-1]).rjust(width) for t in texts]
    joined = to_ascii("".join(fixed)).encode("ascii", "replace")
    return [ends[i] for i in _valid_indices(joined, len(ends), width, digit_positions)]


def _snap_left(data: bytes, offset: int) -> int:
    """The nearest offset at or before ``offset`` just after a safe byte, else the start of the data (a unit
    is at most a chunk, so that is bounded)."""
    if offset <= 0:
        return 0
    match = _LAST_SAFE.match(data, max(0, offset - _SNAP_LIMIT), offset)
    return match.end() if match else 0


def _snap_right(data: bytes, offset: int) -> int:
    """The nearest offset at or after ``offset`` holding a safe byte, else the end of the data."""
    size = len(data)
    if offset >= size:
        return size
    match = _FIRST_SAFE.search(data, offset, min(size, offset + _SNAP_LIMIT))
    return match.start() if match else size


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _joined(first: str | None, second: str | None) -> str | None:
    """Two "hidden" notes (the sheet, the row) as one."""
    if first and second:
        return f"{first}, {second}"
    return first or second


def _ordered(found: dict[tuple[int, int, str], Candidate]) -> list[Candidate]:
    return [found[key] for key in sorted(found)]


def _byte_alternation(chars: str, encoding: str) -> tuple[str, int]:
    """A hyperscan alternation matching any of ``chars`` encoded in ``encoding``, and the longest encoding."""
    forms = set()
    for ch in chars:
        try:
            forms.add(ch.encode(encoding))
        except UnicodeEncodeError:
            continue  # a character this encoding cannot hold cannot occur in its bytes either
    longest = max((len(f) for f in forms), default=1)
    return "(?:" + "|".join("".join(f"\\x{b:02x}" for b in form) for form in sorted(forms)) + ")", longest


def _compile(expressions: list[str], ids: list[int], flags: list[int]) -> Any:
    """A hyperscan block-mode database, from the on-disk cache when it holds one for exactly these patterns:
    compiling takes 1-20 ms per database, loading 0.01 ms, and every run starts with them."""
    key = hashlib.sha256(repr((_hyperscan_version(), expressions, ids, flags)).encode()).hexdigest()[:24]
    cached = _cache_dir() / f"hyperscan-{key}.db"
    try:
        database = _hyperscan.loadb(cached.read_bytes(), _hyperscan.HS_MODE_BLOCK)
        database.scratch = _hyperscan.Scratch(database)
        return database
    except (OSError, _hyperscan.error):
        pass  # not cached yet (or unreadable, or from another build): compile
    database = _hyperscan.Database()
    database.compile(expressions=[e.encode("ascii") for e in expressions], ids=ids, elements=len(expressions),
                     flags=flags)
    _store(cached, _hyperscan.dumpb(database))
    return database


def _hyperscan_version() -> str:
    return str(getattr(_hyperscan, "__version__", "?"))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mynumber"


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass


def _compile_prefilter(encoding: str, separators: tuple[str, ...]) -> _Prefilter:
    """The digit patterns of one encoding; the escape hints come from :func:`_hint_databases`. Measured here:
    hints in the same database as the digits halved hyperscan's speed.

    Patterns end with one non-digit byte and have no ``^``/``$`` anchors (anchors made them 1.5-2x slower); a
    candidate at the very start or end of the data is covered by :func:`_edge_windows`. On ASCII data one
    pattern, bounded on both sides, finds both forms, so a 16-digit ID in a log is no hit at all (in logs dense
    with IDs, callbacks are the cost). Elsewhere there is no leading bound: ``[^0-9]`` in front of multi-byte
    digits made hyperscan 2.4x slower, and the extra hits in runs of full-width digits are few."""
    assert _hyperscan is not None
    ascii_only = encoding == "ascii"
    if ascii_only:
        seps = "".join(s for s in separators if s.isascii()) or "-"
        sep, sep_len = "[" + "".join(f"\\x{ord(c):02x}" for c in seps) + "]", 1
        if any(ord(c) >= 0x30 for c in seps):
            raise ValueError("ASCII separators must sort below '0' for the grouped-form test")
        digits = _compile([f"[^0-9][0-9]{{4}}{sep}?[0-9]{{4}}{sep}?[0-9]{{4}}[^0-9]"], [_CONTIGUOUS], [0])
        digit_len = 1
    else:
        digit, digit_len = _byte_alternation("0123456789" + FULLWIDTH_DIGITS, encoding)
        sep, sep_len = _byte_alternation("".join(separators) or "-", encoding)
        digits = _compile([f"{digit}{{12}}[^0-9]", f"{digit}{{4}}{sep}{digit}{{4}}{sep}{digit}{{4}}[^0-9]"],
                          [_CONTIGUOUS, _GROUPED], [0, 0])
    hints = _hint_databases()
    span = 12 * digit_len + 2 * sep_len + 2
    ascii_separators = "".join(s for s in separators if s.isascii()).encode("ascii") or b"-"
    return _Prefilter(digits, hints, ascii_only, span, _MAX_BYTES_PER_CHAR.get(encoding, 4), ascii_separators)


@functools.cache
def _hint_databases() -> tuple[tuple[tuple[bytes, ...], Any], ...]:
    """One database per escape hint: compiled together they took 300 ms (hyperscan's multi-pattern compiler),
    apart 1 ms each; and each runs only over data holding its trigger bytes."""
    return tuple((triggers, _compile([pattern], [_HINT], [_hyperscan.HS_FLAG_CASELESS]))
                 for triggers, pattern in ESCAPE_HINTS)


# The escaped separator's hint, whose '+' form (four digits, '+', a digit) the C pass finds.
_PLUS_HINT = next(i for i, (_, pattern) in enumerate(ESCAPE_HINTS) if pattern.startswith(r"[0-9]{4}(?:\+|"))
_TRIGGERS = sorted({trigger for triggers, _ in ESCAPE_HINTS for trigger in triggers})
_SINGLE_TRIGGERS = tuple(t for t in _TRIGGERS if len(t) == 1)
_LONGER_TRIGGERS = tuple(t for t in _TRIGGERS if len(t) > 1)
_LONGER_FIRST_BYTES = tuple({t[:1] for t in _LONGER_TRIGGERS})


_KEYWORD_GAP = r"[\s\x1c-\x1f_\-]*"  # what normalisation removes between the letters of a term, in ASCII


@functools.cache
def _keyword_search(terms: tuple[str, ...]) -> re.Pattern[bytes]:
    """ASCII My Number keywords, in any case and with any separators between their letters."""
    alternatives = (_KEYWORD_GAP.join(re.escape(c) for c in term) for term in terms)
    return re.compile("|".join(alternatives).encode("ascii"), re.IGNORECASE)


@functools.cache
def _longer_trigger_database() -> Any:
    """The triggers longer than one byte ("\\u"), each reported once: hyperscan finds them in 0.09 ms a MB where
    Python's two-byte search takes 1 ms and a regex 0.6 ms."""
    expressions = ["".join(f"\\x{b:02x}" for b in trigger) for trigger in _LONGER_TRIGGERS]
    return _compile(expressions, list(range(len(expressions))), [_hyperscan.HS_FLAG_SINGLEMATCH] * len(expressions))


def _hint_ends(data: bytes, prefilter: _Prefilter, plus: list[int] | None = None) -> list[int]:
    """The ends of the escape hints in ``data``: each hint's database runs only where its triggers are. With
    ``plus`` (the C pass's '+' hints), the escaped separator's database runs only where '%' or a backslash-u
    could make it match too; where '+' alone triggers it, ``plus`` is what it would find."""
    hints: list[int] = []

    def on_hint(_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
        hints.append(end)

    present = _present_triggers(data)
    for index, (triggers, hint_database) in enumerate(prefilter.hints):
        present_here = present.intersection(triggers)
        if plus is not None and index == _PLUS_HINT and present_here == {b"+"}:
            hints.extend(plus)
        elif present_here:
            hint_database.scan(data, match_event_handler=on_hint)
    return hints


def _present_triggers(data: bytes) -> set[bytes]:
    """The escape hints' triggers present in ``data``, each looked for once per chunk. Single bytes are found
    by memchr; longer triggers ("\\u") only where their first byte is: 0x5C is in nearly every chunk of CP932
    text (the second byte of characters such as ソ and 表)."""
    present = {trigger for trigger in _SINGLE_TRIGGERS if trigger in data}
    if _LONGER_TRIGGERS and any(first in data for first in _LONGER_FIRST_BYTES):
        def on_trigger(trigger_id: int, _start: int, _end: int, _flags: int, _ctx: object) -> None:
            present.add(_LONGER_TRIGGERS[trigger_id])

        _longer_trigger_database().scan(data, match_event_handler=on_trigger)
    return present


_EDGE = 64


# 12 digits (of any of our encodings) with up to two short gaps: what a candidate at an edge must look like.
_ANY_DIGIT = rb"(?:[0-9]|\xef\xbc[\x90-\x99]|\x82[\x4f-\x58]|\xa3[\xb0-\xb9])"
_ANY_GAP = rb"(?:[^0-9]{1,3})?"
_EDGE_START = re.compile(rb"%s{4}%s%s{4}%s%s{4}" % (_ANY_DIGIT, _ANY_GAP, _ANY_DIGIT, _ANY_GAP, _ANY_DIGIT))
_EDGE_END = re.compile(_EDGE_START.pattern + rb"\Z")


def _edge_windows(data: bytes, before: int, after: int) -> list[tuple[int, int]]:
    """Windows at the start and end of the data where a candidate could touch them (the prefilter patterns
    need a non-digit byte after, and on ASCII before, a candidate); a cheap byte test first, since files
    often start with a date. Each window takes in the scorer's context on its open side (``before`` bytes
    before the end window, ``after`` after the start window), as a hit's window does: a keyword just before
    a number that ends the data scores it."""
    out = []
    if _EDGE_START.match(data, 0, _EDGE):
        out.append((0, _snap_right(data, _EDGE + after)))
    if _EDGE_END.search(data, max(0, len(data) - _EDGE)):
        out.append((_snap_left(data, len(data) - _EDGE - before), len(data)))
    return out
