"""The matcher: finds scored candidates in text, decoded or raw.

Three parts with one job each:

- engines say only *where to look*: ``re`` (the portable reference) looks everywhere, decoding the whole unit;
  ``hyperscan`` (:mod:`.hyperscan_engine`, when the PyPI bindings import) reports where in raw bytes a candidate
  *might* end, and the C passes (where they are built) do so in one pass, reporting only candidates: on ASCII
  chunks :mod:`.ascii_pass`, on UTF-8, CP932 and EUC-JP chunks :mod:`.multibyte_pass`;
  :mod:`.prechecks` drops the hits that cannot be candidates, and :mod:`.windows` turns the rest into windows
  cut at safe bytes, so a window decodes exactly as the whole text;
- the finder (:class:`~detector.candidates.DigitFinder`) alone decides what a candidate is, in each window;
- the scorer (:class:`~detector.context.ContextScorer`) alone decides its confidence. When only higher
  confidences are reported, a contiguous hit known to be a candidate (ASCII, or from the multibyte C pass) is
  asked the scorer's cheap question (can anything in its window raise it above bare?) and, when the answer is
  no, is counted without a window: there the C passes or the pre-checks, twins of the finder tested against
  it, have said it is a candidate. Such candidates leave the unit apart from the others, as its
  :class:`~detector.model.Counted` (lines and digits, no :class:`~detector.model.Candidate` each): the people
  stage only counts them. :meth:`UnitScan.all_candidates` gives them as candidates among the others (the
  plain form, as a scan that counts none apart gives them).

Only this package calls the finder and the scorer (``tests/test_architecture.py``), and the engines agree by
construction: ``tests/test_engines.py`` runs them over the detection matrix and random text.
"""

from __future__ import annotations

import bisect
import codecs
from collections.abc import Callable
from typing import NamedTuple

from ..candidates import DigitFinder, has_escape_hint, iter_escape_hint_lines, unescape
from ..context import ColumnContext, ContextScorer, ItemFinder
from ..decode import JisDecoder
from ..extract import Span, TextUnit
from ..model import Candidate, Confidence, Counted, Location
from ..rules import Rules
from . import ascii_pass, multibyte_pass
from .hyperscan_engine import PREFILTER_ENCODINGS, Hits, HyperscanEngine, canonical_encoding, hyperscan_available
from .multibyte_pass import QuickHit
from .windows import AnchoredLineCounter, LineCounter, edge_windows, merge, snap_left, snap_right

__all__ = ["TextScanner", "UnitScan", "canonical_encoding", "hyperscan_available"]


class UnitScan(NamedTuple):
    """What a unit gave: its candidates, and the newlines between its ``scan_from`` and ``scan_to`` (its end when
    None), counted on the way to its candidates' lines: the scanner adds them to the unit's line to get the line
    of a unit that continues this one (:attr:`~detector.extract.TextUnit.continues`); and its candidates only
    counted, apart (None when it has none, or when every candidate is scored)."""

    candidates: list[Candidate]
    newlines: int
    counted: Counted | None = None

    def all_candidates(self) -> list[Candidate]:
        """Every candidate, those only counted among the others (the plain form)."""
        return self.candidates if self.counted is None else self.counted.among(self.candidates)


class TextScanner:
    """Scored candidates from text units. ``engine`` is "auto", "re" or "hyperscan"."""

    def __init__(self, rules: Rules, engine: str = "auto", min_confidence: Confidence = Confidence.LOW) -> None:
        if engine not in ("auto", "re", "hyperscan"):
            raise ValueError(f"unknown engine {engine!r}")
        if engine == "hyperscan" and not hyperscan_available():
            raise ValueError("the hyperscan engine is not available on this machine")
        self.engine = "hyperscan" if engine != "re" and hyperscan_available() else "re"
        self.finder = DigitFinder(rules.separators)
        self.scorer = ContextScorer(rules)
        self.items = ItemFinder(rules)
        self._hyperscan = HyperscanEngine(rules.separators)
        self._columns: dict[str, ColumnContext] = {}
        # When the bar is above LOW, a bare candidate nothing can raise is only counted: see the quick_ends of
        # ascii_pass and multibyte_pass.
        self._quick = self.engine == "hyperscan" and min_confidence > Confidence.LOW
        # ASCII chunks go through the C pass instead of hyperscan's digit database where it is built.
        self.fast_ascii = self.engine == "hyperscan" and ascii_pass.usable(rules.separators)
        # UTF-8, CP932 and EUC-JP chunks likewise, through the multibyte C pass.
        self.fast_multibyte = self.engine == "hyperscan" and multibyte_pass.usable(rules.separators)
        self._separators = rules.separators

    # -- decoded text (the reference path) -------------------------------------------------------------

    def scan_unit(self, unit: TextUnit) -> UnitScan:
        """Candidates in an extractor's unit, with the unit's location filled in, and the newlines counted. A
        unit that continues another has no line of its own: the scanner gives it one first."""
        if unit.continues:
            raise ValueError("a unit that continues another is scanned at the line the scanner carries to it")
        if unit.data is not None:
            found, newlines, counted = self._bytes_scan(unit.data, unit.encoding, unit.first_line or 1,
                                                        unit.scan_from, unit.scan_to, unit.known_ascii)
        else:
            found, newlines, counted = self._text_scan(unit.text or "", unit.first_line or 1, unit.scan_from,
                                                       unit.columns, unit.headers, unit.scan_to)
        if counted is not None and unit.first_line is None:  # no lines to count them apart by: among the others
            found, counted = counted.among(found), None
        base = unit.location
        if unit.first_line is None or base != Location():
            found = [c._replace(location=base._replace(
                line=c.location.line if unit.first_line else None, column=c.location.column,
                cell=c.location.cell or base.cell, hidden=_joined(base.hidden, c.location.hidden)))
                for c in found]
            if counted is not None:  # each at its line, with no column: as the same transformation gives them
                counted = counted._replace(location=base._replace(line=None, column=None))
        return UnitScan(found, newlines, counted)

    def scan_str(self, text: str, first_line: int = 1, scan_from: int = 0,
                 columns: tuple[Span, ...] = (), headers: tuple[str, ...] = (),
                 scan_to: int | None = None) -> list[Candidate]:
        """Candidates in ``text`` starting at or after ``scan_from`` and before ``scan_to`` (text outside is
        context only); ``first_line`` is the line number at ``scan_from``; ``columns`` marks table cells with
        their header."""
        return self._text_scan(text, first_line, scan_from, columns, headers, scan_to).candidates

    def _text_scan(self, text: str, first_line: int, scan_from: int, columns: tuple[Span, ...],
                   headers: tuple[str, ...], scan_to: int | None) -> UnitScan:
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
        newlines = line - first_line + text.count("\n", line_pos, limit)  # on from the last candidate only
        if has_escape_hint(text):
            line, line_pos = first_line, scan_from
            for start, end in iter_escape_hint_lines(text, scan_from):
                if start >= limit:
                    break
                line += text.count("\n", line_pos, start) if start >= line_pos else 0
                line_pos = max(line_pos, start)
                column = self._column_at(columns, start) if columns else None
                self._scan_escaped(found, text[start:end], line, column)
        return UnitScan(_ordered(found), newlines)

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

    def candidate_spans(self, text: str) -> dict[str, tuple[int, int]]:
        """Where each candidate of ``text`` is, by its digits (for the rules of numbers in names)."""
        return {m.digits: (m.start, m.end) for m in self.finder.find(text)}

    # -- raw bytes ------------------------------------------------------------------------------------

    def scan_bytes(self, data: bytes, encoding: str, first_line: int = 1, scan_from: int = 0,
                   scan_to: int | None = None) -> list[Candidate]:
        """Candidates in ``data`` (in ``encoding``) starting at or after byte ``scan_from`` and before byte
        ``scan_to``, both character boundaries; bytes outside are context only (the end of the previous chunk,
        the start of the next one: the context window reaches both ways). Those only counted among the others."""
        return self._bytes_scan(data, encoding, first_line, scan_from, scan_to).all_candidates()

    def _bytes_scan(self, data: bytes, encoding: str, first_line: int, scan_from: int,
                    scan_to: int | None, known_ascii: bool = False) -> UnitScan:
        encoding = canonical_encoding(encoding)
        if encoding == "ascii" and not known_ascii and not data.isascii():  # the reader's answer, else asked here
            encoding = "utf-8"  # ASCII's superset: a mislabelled Japanese line keeps its keywords
        if self.engine == "re" or encoding not in PREFILTER_ENCODINGS:
            return self._scan_bytes_decoded(data, encoding, first_line, scan_from, scan_to)
        return self._scan_bytes_prefiltered(data, encoding, first_line, scan_from,
                                            len(data) if scan_to is None else scan_to)

    def texts_to_read(self, texts: list[bytes], encoding: str) -> list[int]:
        """Of whole small texts in one ``encoding`` ("ascii" when all are ASCII), the indices of those that
        could hold a candidate (or an escaped one); the others would give nothing if scanned one by one.

        The texts are joined by newlines into one buffer and prefiltered in one hyperscan call, with the same
        pre-checks as :meth:`scan_bytes` (a newline before and after each text stands for its edges). For a
        tree of small files this replaces a prefilter call, its pre-checks and a unit per file by a share of
        one; only the files that hit are scanned on their own."""
        encoding = canonical_encoding(encoding)
        if self.engine == "re" or encoding not in PREFILTER_ENCODINGS or not texts:
            return list(range(len(texts)))
        starts = []
        offset = 1
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        buffer = b"".join((b"\n", b"\n".join(texts), b"\n"))
        _, contiguous, grouped, hints, _ = self._hits(buffer, encoding)
        # A hit's last digit is two bytes before its end (the end is after its trailing byte); a hint's last
        # byte is one before.
        chosen = {bisect.bisect_right(starts, end - 2) - 1 for end in (*contiguous, *grouped)}
        chosen.update(bisect.bisect_right(starts, end - 1) - 1 for end in hints)
        return sorted(index for index in chosen if index >= 0)

    def _hits(self, data: bytes, encoding: str) -> Hits:
        """Where to look in ``data``: the hyperscan engine's hits, or the C passes' (ASCII, multibyte)."""
        prefilter = self._hyperscan.prefilter("ascii" if encoding == "ascii" or data.isascii() else encoding)
        if prefilter.ascii_only and self.fast_ascii:
            return ascii_pass.ascii_hits(data, prefilter)
        if not prefilter.ascii_only and self.fast_multibyte and encoding in multibyte_pass.ENCODINGS:
            read = multibyte_pass.tables(encoding, self._separators)
            if read is not None:
                return multibyte_pass.multibyte_hits(data, prefilter, read)
        return self._hyperscan.hits(data, prefilter, encoding)

    def _scan_bytes_decoded(self, data: bytes, encoding: str, first_line: int, scan_from: int,
                            scan_to: int | None) -> UnitScan:
        """Decoded in pieces (context, scanned part, lookahead) by one incremental decoder: ISO-2022-JP's
        designated set carries from one piece into the next. Newlines are counted in the decoded text (in
        UTF-16, a 0x0A byte is half of some character)."""
        jis = encoding.startswith("iso2022_jp")  # canonical names: iso2022_jp, iso2022_jp_ext, iso2022_jp_2...
        decoder = JisDecoder(encoding) if jis else codecs.getincrementaldecoder(encoding)("replace")
        context = decoder.decode(data[:scan_from])
        if scan_to is None:
            return self._text_scan(context + decoder.decode(data[scan_from:], True), first_line, len(context), (), (),
                                   None)
        scanned = decoder.decode(data[scan_from:scan_to])
        text = context + scanned + decoder.decode(data[scan_to:], True)
        return self._text_scan(text, first_line, len(context), (), (), len(context) + len(scanned))

    def _scan_bytes_prefiltered(self, data: bytes, encoding: str, first_line: int, scan_from: int,
                                scan_to: int) -> UnitScan:
        prefilter, contiguous, grouped, hints, lines = self._hits(data, encoding)
        before = (self.scorer.before + 2) * prefilter.bytes_per_char + prefilter.span_bytes
        after = (self.scorer.after + 2) * prefilter.bytes_per_char
        edges = edge_windows(data, before, after)
        if not (contiguous or grouped or hints or edges):  # the C pass counted the chunk's newlines: only its edges
            return UnitScan([], data.count(b"\n", scan_from, scan_to) if lines is None else
                            lines[2] - data.count(b"\n", 0, scan_from) - data.count(b"\n", scan_to))
        line_at: Callable[[int], int] = (LineCounter(data, first_line, scan_from) if lines is None else
                                         AnchoredLineCounter(data, first_line, scan_from, *lines))
        quick: list[QuickHit] = []  # candidates only counted
        if self._quick and prefilter.ascii_only and contiguous:
            contiguous, quick = ascii_pass.quick_ends(data, contiguous, self.scorer, line_at)
        elif self._quick and isinstance(line_at, AnchoredLineCounter) and contiguous:
            # the multibyte C pass: each hit is a candidate
            contiguous, quick = multibyte_pass.quick_ends(data, encoding, contiguous, self.scorer, before, after,
                                                          line_at)
        # A window also holds the text whose labels give a finding its items (ItemFinder.around): cut shorter, the
        # items would depend on whether a neighbouring hit's window, in the scanned part or not, widened it.
        items = (self.items.window + 2) * prefilter.bytes_per_char
        left, right = max(before, items + prefilter.span_bytes), max(after, items)
        windows = [(snap_left(data, end - left), snap_right(data, end + right))
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
        first_seen: dict[tuple[int, int, str], int] = {}  # each place's first window (its start)
        region = (scan_from, scan_to)
        for start, end in merge(windows):
            self._scan_window(found, data, encoding, start, end, region, line_at, first_seen if quick else None)
        for start, end in sorted(hint_lines.items()):
            self._scan_escaped(found, data[start:end].decode(encoding, "replace"), line_at(start), None)
        counted = self._counted(quick, region, found, first_seen) if quick else None
        return UnitScan(_ordered(found), line_at(scan_to) - first_line, counted)  # counted on from the last window

    def _counted(self, quick: list[QuickHit], region: tuple[int, int], found: dict[tuple[int, int, str], Candidate],
                 first_seen: dict[tuple[int, int, str], int]) -> Counted:
        """The quick hits that start inside ``region`` (the others are context only), apart: their lines and
        digits, at the scorer's bare score. Quick hits come in the order of their offsets. Where a window or an
        escaped line found the same number at the same line, one of the two is kept, as in one pass over the
        windows and the quick hits in the order of their offsets, the escaped lines last: the first found, unless
        a later one is more confident (:func:`_first_of_its_place`)."""
        first = bisect.bisect_left(quick, region[0], key=_offset)
        inside = quick[first:bisect.bisect_left(quick, region[1], lo=first, key=_offset)]
        digits = [number for _, number, _ in inside]
        also_found = {number for _, _, number in found}
        bare, reasons = self.scorer.bare()
        if not also_found.isdisjoint(digits):
            inside = [hit for hit in inside
                      if hit[1] not in also_found or _first_of_its_place(hit, found, first_seen, bare)]
            digits = [number for _, number, _ in inside]
        return Counted(Location(), bare, reasons, [line for _, _, line in inside], digits)

    def _scan_window(self, found: dict[tuple[int, int, str], Candidate], data: bytes, encoding: str, start: int,
                     end: int, region: tuple[int, int], line_at: Callable[[int], int],
                     first_seen: dict[tuple[int, int, str], int] | None = None) -> None:
        """The candidates of ``data[start:end]`` that start inside ``region`` (scan_from, scan_to), decoded in
        pieces cut at the region's edges (character boundaries), so the text outside is context only; in
        ``first_seen``, the window's start for each place found first here."""
        scan_from, scan_to = region
        left = max(start, scan_from)
        right = min(end, scan_to)
        if left >= right:
            return
        text, pos, limit = _decoded_window(data, encoding, start, end, left, right)
        line, counted = line_at(left), pos  # counted on from each candidate (merged windows may span a chunk)
        for m in self.finder.find(text, pos):
            if m.start >= limit:
                break
            line += text.count("\n", counted, m.start)
            counted = m.start
            if first_seen is not None:
                first_seen.setdefault((line, 0, m.digits), start)
            self._keep(found, text, m.start, m.end, m.digits, m.grouped, line, None, ())


    def warm(self) -> None:
        """Compile every prefilter now, e.g. in a parent before it forks its workers."""
        if self.engine == "hyperscan":
            self._hyperscan.warm()


def _joined(first: str | None, second: str | None) -> str | None:
    """Two "hidden" notes (the sheet, the row) as one."""
    if first and second:
        return f"{first}, {second}"
    return first or second


def _decoded_window(data: bytes, encoding: str, start: int, end: int, left: int,
                    right: int) -> tuple[str, int, int]:
    """``data[start:end]`` decoded, and where its scanned part ``data[left:right]`` starts and ends in it. Cut
    at the scanned part's edges (character boundaries) only where they are inside the window: a window wholly
    inside the region, the most, decodes in one piece."""
    if left == start and right == end:
        text = data[start:end].decode(encoding, "replace")
        return text, 0, len(text)
    context = data[start:left].decode(encoding, "replace")
    scanned = data[left:right].decode(encoding, "replace")
    return context + scanned + data[right:end].decode(encoding, "replace"), len(context), len(context) + len(scanned)


def _ordered(found: dict[tuple[int, int, str], Candidate]) -> list[Candidate]:
    return [found[key] for key in sorted(found)]


def _offset(hit: QuickHit) -> int:
    return hit[0]


def _first_of_its_place(hit: QuickHit, found: dict[tuple[int, int, str], Candidate],
                        first_seen: dict[tuple[int, int, str], int], bare: Confidence) -> bool:
    """Whether a quick hit stays, counted apart, at a place (line, number) a window or an escaped line may have
    found too: it does unless a window starting at or before it found the place first, or a later candidate there
    is more confident; when it stays, that later candidate goes (the quick hit came first)."""
    offset, digits, line = hit
    place = (line, 0, digits)
    other = found.get(place)
    if other is None:
        return True
    if first_seen.get(place, offset + 1) <= offset or other.confidence > bare:
        return False
    del found[place]
    return True

