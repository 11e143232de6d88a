"""The hyperscan engine: where in a chunk of raw bytes a candidate might be, never what it is.

Databases are compiled per encoding (ASCII, UTF-8, CP932, EUC-JP) from the separators in the rules, with
bounded patterns for the contiguous and grouped forms, and one per escape hint. A hit marks where a candidate
might end; :mod:`.prechecks` drops the hits that cannot be candidates. Where the C speed-ups are built, the C
passes replace the digit databases and their pre-checks: :mod:`.ascii_pass` on ASCII data, :mod:`.multibyte_pass`
on UTF-8, CP932 and EUC-JP.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..mynumber import ESCAPE_HINTS, FULLWIDTH_DIGITS
from .prechecks import valid_ascii_ends, valid_multibyte_ends


def _load_hyperscan() -> Any:
    """The hyperscan bindings, or None where the wheel or the native library is missing."""
    try:
        import hyperscan

        return hyperscan
    except Exception:  # any failure to load the native library means "not available"
        return None


_hyperscan: Any = _load_hyperscan()

PREFILTER_ENCODINGS = ("ascii", "utf-8", "cp932", "shift_jis", "euc-jp")
_MAX_BYTES_PER_CHAR = {"ascii": 1, "utf-8": 4, "cp932": 2, "shift_jis": 2, "euc-jp": 3}
_CONTIGUOUS, _GROUPED, _HINT = 0, 1, 2


def hyperscan_available() -> bool:
    return _hyperscan is not None


def canonical_encoding(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"shift_jis": "cp932", "ms932": "cp932", "euc_jp": "euc-jp"}.get(name, name)




@dataclass(frozen=True, slots=True)
class Prefilter:
    database: Any
    hints: tuple[tuple[tuple[bytes, ...], Any], ...]  # (trigger bytes, database) per escape hint
    ascii_only: bool
    span_bytes: int  # the most bytes a candidate plus its two boundary bytes can take
    bytes_per_char: int
    ascii_separators: bytes  # the grouped form's separators that are ASCII (what the ASCII pattern allows)




class Hits(NamedTuple):
    """Where to look in a chunk: hit ends that passed the pre-checks (contiguous, grouped), escape-hint ends,
    and, from a C pass, the newlines before each hit (offsets, counts) and in the whole chunk. A C pass's hits
    (``lines`` given) are each exactly a candidate, in every encoding."""

    prefilter: Prefilter
    contiguous: list[int]
    grouped: list[int]
    hints: list[int]
    lines: tuple[list[int], list[int], int] | None = None


class HyperscanEngine:
    """The prefilter databases of one set of separators, compiled on first use (or loaded from the cache)."""

    def __init__(self, separators: tuple[str, ...]) -> None:
        self.separators = separators
        self._prefilters: dict[str, Prefilter] = {}

    def prefilter(self, encoding: str) -> Prefilter:
        """The databases of one encoding (canonical, see :func:`canonical_encoding`; "ascii" for ASCII data)."""
        prefilter = self._prefilters.get(encoding)
        if prefilter is None:
            prefilter = self._prefilters[encoding] = _compile_prefilter(encoding, self.separators)
        return prefilter

    def warm(self) -> None:
        """Compile every prefilter now, e.g. in a parent before it forks its workers."""
        for encoding in ("ascii", "utf-8", "cp932", "euc-jp"):
            self.prefilter(encoding)

    def hits(self, data: bytes, prefilter: Prefilter, encoding: str) -> Hits:
        """The ends of the digit hits (contiguous, grouped) that pass the pre-checks, and of the escape hints."""
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
        hints.extend(hint_ends(data, prefilter))
        if not (contiguous or grouped):
            return Hits(prefilter, contiguous, grouped, hints)
        if prefilter.ascii_only:
            contiguous, grouped = valid_ascii_ends(data, contiguous, grouped)
        else:
            contiguous, grouped = valid_multibyte_ends(data, encoding, contiguous, grouped, prefilter.span_bytes)
        return Hits(prefilter, contiguous, grouped, hints)


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
    loading is a thousand times cheaper than compiling, and every run starts with them."""
    key = hashlib.sha256(repr((_hyperscan_version(), expressions, ids, flags)).encode()).hexdigest()[:24]
    cached = os.path.join(_cache_dir(), f"hyperscan-{key}.db")
    try:
        with open(cached, "rb") as stored:
            database = _hyperscan.loadb(stored.read(), _hyperscan.HS_MODE_BLOCK)
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


def _cache_dir() -> str:
    """Where compiled databases are kept. os.path, not pathlib: importing pathlib (and urllib.parse with it) was
    start-up time every scan paid (docs/performance.md)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mynumber")


def _store(path: str, data: bytes) -> None:
    """Write atomically; a cache that cannot be written only costs speed."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        temporary = f"{os.path.splitext(path)[0]}.{os.getpid()}.tmp"
        with open(temporary, "wb") as stored:
            stored.write(data)
        os.replace(temporary, path)
    except OSError:
        pass


def _compile_prefilter(encoding: str, separators: tuple[str, ...]) -> Prefilter:
    """The digit patterns of one encoding; the escape hints come from :func:`_hint_databases` (in the same
    database as the digits they slowed hyperscan down: docs/performance.md).

    Patterns end with one non-digit byte and have no ``^``/``$`` anchors (anchors slow hyperscan down); a
    candidate at the very start or end of the data is covered by :func:`.windows.edge_windows`. On ASCII data
    one pattern, bounded on both sides, finds both forms, so a 16-digit ID in a log is no hit at all (in logs
    dense with IDs, callbacks are the cost). Elsewhere there is no leading bound: ``[^0-9]`` in front of
    multi-byte digits slows hyperscan down more than the few extra hits in runs of full-width digits cost."""
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
    return Prefilter(digits, hints, ascii_only, span, _MAX_BYTES_PER_CHAR.get(encoding, 4), ascii_separators)


@functools.cache
def _hint_databases() -> tuple[tuple[tuple[bytes, ...], Any], ...]:
    """One database per escape hint: hyperscan's multi-pattern compiler takes far longer over them together
    than over each apart; and each runs only over data holding its trigger bytes."""
    return tuple((triggers, _compile([pattern], [_HINT], [_hyperscan.HS_FLAG_CASELESS]))
                 for triggers, pattern in ESCAPE_HINTS)


# The escaped separator's hint, whose '+' form (four digits, '+', a digit) the C pass finds.
_PLUS_HINT = next(i for i, (_, pattern) in enumerate(ESCAPE_HINTS) if pattern.startswith(r"[0-9]{4}(?:\+|"))
_TRIGGERS = sorted({trigger for triggers, _ in ESCAPE_HINTS for trigger in triggers})
_SINGLE_TRIGGERS = tuple(t for t in _TRIGGERS if len(t) == 1)
_LONGER_TRIGGERS = tuple(t for t in _TRIGGERS if len(t) > 1)
_LONGER_FIRST_BYTES = tuple({t[:1] for t in _LONGER_TRIGGERS})


@functools.cache
def _longer_trigger_database() -> Any:
    """The triggers longer than one byte ("\\u"), each reported once: hyperscan finds them faster than Python's
    two-byte search or a regex."""
    expressions = ["".join(f"\\x{b:02x}" for b in trigger) for trigger in _LONGER_TRIGGERS]
    return _compile(expressions, list(range(len(expressions))), [_hyperscan.HS_FLAG_SINGLEMATCH] * len(expressions))


def hint_ends(data: bytes, prefilter: Prefilter, plus: list[int] | None = None) -> list[int]:
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


