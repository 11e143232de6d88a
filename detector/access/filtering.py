"""The line filter: the lines of a block of log that may ask for an exposed file, before any line is parsed.

Nearly every line of a web server's log asks for something else, so lines are picked by the bytes of the exposed
files' names (:meth:`detector.access.urls.ExposedUrl.needles`), matched without regard to case, in one pass over
a whole block; a line without any is never parsed. A line let through may still ask for another file (the name
in its referer, a longer name): the parsed target decides (:class:`detector.access.urls.UrlIndex`).

Two filters answer the same question: :class:`RegexFilter`, the plain one (one ``re`` alternation), and
:class:`HyperscanFilter`, the fast one where the hyperscan bindings import (one database scan of the block,
whatever the number of names); the tests hold them to the same lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol


@functools.cache
def _hyperscan() -> Any:
    """The hyperscan bindings, imported when a filter is first made (not when a report reads evidence), or None."""
    try:
        import hyperscan
    except ImportError:  # pragma: no cover - the bindings are installed where a wheel exists (x86_64)
        return None
    return hyperscan


class LineFilter(Protocol):
    def lines(self, block: bytes) -> Iterator[bytes]:
        """The lines of ``block`` (whole lines, each with its line end where it has one) holding a needle, in
        order, each once."""
        ...


def _line_around(block: bytes, start: int, end: int) -> tuple[int, int]:
    """The bounds of the line holding ``block[start:end]``, its line end included."""
    first = block.rfind(b"\n", 0, start) + 1
    last = block.find(b"\n", end)
    return first, len(block) if last < 0 else last + 1


class RegexFilter:
    """The plain filter: one caseless alternation of the needles, searched line after line."""

    def __init__(self, needles: Iterable[bytes]) -> None:
        ordered = sorted(set(needles), key=lambda n: (-len(n), n))
        self._regex = re.compile(b"|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    def lines(self, block: bytes) -> Iterator[bytes]:
        if self._regex is None:
            return
        position = 0
        while (found := self._regex.search(block, position)) is not None:
            first, last = _line_around(block, found.start(), found.end())
            yield block[first:last]
            position = last


class HyperscanFilter:
    """The fast filter: the needles as one caseless hyperscan database (literal patterns), the block scanned once,
    the lines around the matches' ends taken in order."""

    def __init__(self, needles: Iterable[bytes]) -> None:
        hyperscan = _hyperscan()
        assert hyperscan is not None, "hyperscan is not installed"
        patterns = sorted(set(needles))
        self._database: Any = None
        if patterns:
            self._database = hyperscan.Database()
            self._database.compile(expressions=[_literal(p) for p in patterns], ids=list(range(len(patterns))),
                                   elements=len(patterns), flags=[hyperscan.HS_FLAG_CASELESS] * len(patterns))

    def lines(self, block: bytes) -> Iterator[bytes]:
        if self._database is None or not block:
            return
        ends: list[int] = []

        def on_match(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
            ends.append(end)

        self._database.scan(block, match_event_handler=on_match)
        last_line_end = -1
        for end in ends:  # in order of their ends
            if end <= last_line_end:
                continue
            first, last = _line_around(block, end - 1, end - 1)  # a needle holds no line end
            yield block[first:last]
            last_line_end = last


def _literal(needle: bytes) -> bytes:
    """A byte string as a hyperscan pattern that matches it literally."""
    return b"".join(b"\\x%02x" % byte for byte in needle)


def hyperscan_available() -> bool:
    return _hyperscan() is not None


def line_filter(needles: Iterable[bytes], fast: bool = True) -> LineFilter:
    """The fast filter where it can run (and ``fast``), else the plain one."""
    return HyperscanFilter(needles) if fast and hyperscan_available() else RegexFilter(needles)
