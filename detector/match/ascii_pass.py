"""The C ASCII pass (``_speedups.ascii_hits``): on an ASCII chunk, in one SIMD pass, the hits that are candidates
(bounded, check digit right, not glued), each with the newlines before it, in place of hyperscan's digit
database and the pre-checks of :mod:`.prechecks`. Its Python twin is that pair; ``tests/test_speedups.py``
holds it to them and to the finder of :mod:`detector.candidates`.
"""

from __future__ import annotations

from ..native import speedups
from .hyperscan_engine import Hits, Prefilter, hint_ends

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
