"""The C ASCII pass (``_speedups.ascii_hits``): on an ASCII chunk, in one SIMD pass, the hits that are candidates
(bounded, check digit right, not glued), each with the newlines before it, in place of hyperscan's digit
database and the pre-checks of :mod:`.prechecks`. Its Python twin is that pair; ``tests/test_speedups.py``
holds it to them and to the finder of :mod:`detector.candidates`, with each SIMD mask builder the CPU runs
(``speedups.mask_builders()``; the widest is chosen in C at import, the tests switch with ``use_mask_builder``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..native import speedups
from .hyperscan_engine import Hits, Prefilter, hint_ends
from .multibyte_pass import QuickHit, keyword_tables
from .windows import AnchoredLineCounter

if TYPE_CHECKING:
    from ..context import ContextScorer

MAX_SEPARATORS = getattr(speedups, "MAX_SEPARATORS", 0)  # the most ASCII separators the C pass takes


def usable(separators: tuple[str, ...]) -> bool:
    """Whether the C pass is built and holds the rules' ASCII separators."""
    return speedups is not None and sum(s.isascii() for s in separators) <= MAX_SEPARATORS


def ascii_hits(data: bytes, prefilter: Prefilter) -> Hits:
    """What :meth:`.HyperscanEngine.hits` gives for ASCII data, from one C pass, with the newlines before each
    hit and the '+' hints. The other escape hints still run their databases where their triggers are; the '+'
    hint's database only where '%' or a backslash-u could make it match too."""
    contiguous, grouped, plus, offsets, counts, total = speedups.ascii_hits(data, prefilter.ascii_separators)
    return Hits(prefilter, contiguous, grouped, hint_ends(data, prefilter, plus), (offsets, counts, total))


_ASCII_KIND = 3  # multibyte_quick's kind for ASCII text, read with the UTF-8 tables


def quick_ends(data: bytes, ends: list[int], scorer: ContextScorer,
               line_at: Callable[[int], int]) -> tuple[list[int], list[QuickHit]]:
    """(the contiguous ASCII hits that need a window, those that do not, with their lines). Such a hit, once
    pre-checked (bounded by non-digits, check digit right, not glued to a longer number), is exactly the
    finder's candidate; when nothing in its window can raise it, its score is the bare one, below the bar: it is
    only counted, so it needs no window, no decoding and no scoring. That is most valid-looking IDs of a dense
    log. In C (``multibyte_quick``, reading ASCII as UTF-8) where it is built, the keywords fit its tables and
    the C pass counted the lines; otherwise :func:`quick_ends_plain`, its twin, whose windows it keeps."""
    reach = keyword_tables("utf-8", scorer.keyword_terms) if hasattr(speedups, "multibyte_quick") else None
    if reach is None or not isinstance(line_at, AnchoredLineCounter):
        return quick_ends_plain(data, ends, scorer, line_at)
    windowed, quick = speedups.multibyte_quick(data, _ASCII_KIND, ends, *reach, scorer.before, scorer.after,
                                               line_at.base)
    return windowed, quick


def quick_ends_plain(data: bytes, ends: list[int], scorer: ContextScorer,
                     line_at: Callable[[int], int]) -> tuple[list[int], list[QuickHit]]:
    """:func:`quick_ends` in Python: the scorer asked over each hit's window
    (:meth:`ContextScorer.can_raise`; the question is asked per hit, over its window only: a keyword pass over
    whole chunks cost more, see docs/performance.md)."""
    can_raise = scorer.can_raise
    windowed: list[int] = []
    quick: list[QuickHit] = []
    for end in ends:  # the record is data[end - 13:end - 1]
        if can_raise(data, end - 13, end - 1):
            windowed.append(end)
        else:
            quick.append((end - 13, data[end - 13:end - 1].decode("ascii"), line_at(end - 13)))
    return windowed, quick
