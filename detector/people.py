"""The people stage: a file's candidates become findings, and raw digits end here.

:class:`People` turns the candidates the matcher found in one file into a :class:`~detector.model.FileResult`:
well-known sample numbers set apart, candidates below ``--min-confidence`` only counted (held back), one finding
per place and person (the most confident), each fingerprinted, masked, and marked public or not, with the
personal items beside it. From here on no type holds a raw number (``tests/test_architecture.py``).

``--reveal`` is a separate stream, never a field of a result: each finding's digits leave this stage as a
:class:`Revealed` record in :attr:`People.revealed`, which the pipeline drains into the parent's
:class:`RevealedNumbers` (a worker sends them beside its batch), and only the renderers of a 0600 ``--reveal``
file read them. Results, the state and ``watch`` never see them.

Each My Number becomes a keyed fingerprint, and distinct people are distinct fingerprints: HMAC-SHA256 over the
12 ASCII digits, under a secret key. Without the key a fingerprint cannot be reversed by trying all 10^11 valid
numbers; with the same key, results of several scans and hosts merge into one count. The key comes from
``--key-file``, the MYNUMBER_KEY environment variable, or a random per-installation key created 0600 in the
user's state directory ($XDG_STATE_HOME/mynumber/key, else ~/.local/state/mynumber/key).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import Counter
from collections.abc import Iterable, KeysView
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from .errors import KeyError_, UsageError
from .messages import text
from .model import (
    Candidate,
    Confidence,
    Counted,
    FileCandidates,
    FileResult,
    Finding,
    Location,
    Sample,
    ScanOptions,
    shared,
)
from .mynumber import mask

if TYPE_CHECKING:
    from .context import ItemFinder
    from .locations import PublicLocator
    from .rules import Rules

KEY_ENV = "MYNUMBER_KEY"
_KEY_ID_MESSAGE = b"mynumber key id v1"


def default_key_path() -> str:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "mynumber", "key")


def load_key(key_file: str | None = None, *, create: bool = True) -> bytes:
    """The fingerprint key, from the first of: ``key_file``, $MYNUMBER_KEY, the installation key."""
    if key_file:
        return _read_key(key_file)
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = default_key_path()
    if os.path.exists(path) or not create:
        return _read_key(path)
    return _create_key(path)


def _read_key(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            key = handle.read().strip()
    except OSError as exc:
        raise KeyError_(text("key.unreadable", path=path, reason=exc.strerror or exc)) from None
    if not key:
        raise KeyError_(text("key.empty", path=path))
    return key


def _create_key(path: str) -> bytes:
    import secrets  # here: only a first run makes a key

    key = secrets.token_hex(32).encode("ascii")
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)  # another process created it first
    except OSError as exc:
        raise KeyError_(text("key.cannot_create", path=path, reason=exc.strerror or exc, variable=KEY_ENV)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def fingerprint_of(key: bytes, digits: str) -> str:
    """The fingerprint of 12 ASCII digits: HMAC-SHA256 under ``key``, in hex. The one definition; the
    :class:`Fingerprinter` gives the same faster (``tests/test_people_fingerprint.py`` holds them together)."""
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


# RFC 2104 section 2: the key padded to the hash's block, XORed with these bytes, starts the inner and outer hash.
_INNER_PAD = bytes(b ^ 0x36 for b in range(256))
_OUTER_PAD = bytes(b ^ 0x5C for b in range(256))


class Fingerprinter:
    """Turns 12 ASCII digits into a fingerprint under one key: :func:`fingerprint_of`, from the inner and outer
    SHA-256 states primed with the padded key once, so each fingerprint hashes only its digits and the inner
    digest (a copy of each state: a third of ``hmac.new``'s time, which sets both up again every call)."""

    def __init__(self, key: bytes) -> None:
        self.key_id = hmac.new(key, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = hashlib.sha256(padded.translate(_INNER_PAD))
        self._outer = hashlib.sha256(padded.translate(_OUTER_PAD))

    def __call__(self, digits: str) -> str:
        inner = self._inner.copy()
        inner.update(digits.encode("ascii"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def many(self, numbers: Iterable[str]) -> dict[str, str]:
        """Each of ``numbers`` (12 ASCII digits each) with its fingerprint: :meth:`__call__` over all of them in
        one loop, its methods looked up once (``tests/test_people_fingerprint.py`` holds them together)."""
        inner_state, outer_state = self._inner.copy, self._outer.copy
        fingerprints = {}
        for number in numbers:
            inner = inner_state()
            inner.update(number.encode("ascii"))
            outer = outer_state()
            outer.update(inner.digest())
            fingerprints[number] = outer.hexdigest()
        return fingerprints

    def __repr__(self) -> str:
        return f"Fingerprinter(key_id={self.key_id})"


FindingKey = tuple[str, Location, str]  # (path, location, fingerprint): one finding of a scan


def finding_key(finding: Finding) -> FindingKey:
    """What tells one finding of a scan from another (a scan keeps one finding per key)."""
    return (finding.path, finding.location, finding.fingerprint)


class Revealed(NamedTuple):
    """The raw number of one finding, for ``--reveal`` only: the one type after the people stage that holds
    digits, so it is never a field of a result. The digits are kept out of repr."""

    key: FindingKey
    digits: str

    def __repr__(self) -> str:
        return f"Revealed(key={self.key!r})"


class RevealedNumbers:
    """The sink of ``--reveal`` in the parent process: each finding's raw number by its key, filled from the
    people stage's stream as results come in, read only by the renderers writing the 0600 ``--reveal`` file."""

    def __init__(self) -> None:
        self._numbers: dict[FindingKey, str] = {}

    def put(self, records: Iterable[Revealed]) -> None:
        for key, digits in records:
            self._numbers.setdefault(key, digits)

    def number(self, finding: Finding) -> str | None:
        """The finding's raw number, if the scan revealed it."""
        return self._numbers.get(finding_key(finding))

    def __len__(self) -> int:
        return len(self._numbers)

    def __repr__(self) -> str:
        return f"RevealedNumbers({len(self._numbers)} numbers)"


class People:
    """The people stage of one process: candidates of one file -> findings, samples and held-back counts.

    ``revealed`` is the ``--reveal`` stream: filled only when ``options.reveal``, and taken by the caller
    (:meth:`take_revealed`) after each result, so a worker forked from the parent starts with it empty."""

    def __init__(self, options: ScanOptions, rules: Rules, locator: PublicLocator, items: ItemFinder) -> None:
        self.fingerprint = Fingerprinter(options.key)
        self.minimum = options.min_confidence
        self.reveal = options.reveal
        self.samples = rules.samples
        self.sample_fingerprints = _sample_fingerprints(rules, self.fingerprint.key_id)
        self.locator = locator
        self.items = items
        self.revealed: list[Revealed] = []
        self.masks: dict[str, str] = {}  # each masked number once (see model.shared)

    def take_revealed(self) -> list[Revealed]:
        """The raw numbers of the findings made since the last call (none unless ``--reveal``)."""
        taken, self.revealed = self.revealed, []
        return taken

    def findings_of(self, path: str, found: list[Candidate] | FileCandidates, kind: str) -> FileResult:
        """Candidates become findings (fingerprinted, masked) or samples; raw digits end here (but for the
        ``--reveal`` stream).

        The candidates only counted (``found.counted``) are counted as held back without becoming candidates:
        each number fingerprinted once, each place counted once. The result is the one :meth:`findings_of` gives
        for ``found.everything()`` (``tests/test_people_counted.py``), which is what it takes when one of them is
        a sample after all (a sample is listed where it is, in the order of the file's candidates)."""
        result = FileResult(path=path, kind=kind)
        if isinstance(found, list):
            found = FileCandidates(found)
        if not found:
            return result
        fingerprints = self._fingerprints_apart(found.counted)
        candidates = found.candidates if fingerprints is not None else found.everything()
        public_reason = self.locator.reason(path)
        best: dict[tuple[Location, str], tuple[Finding, str]] = {}
        held_back: dict[tuple[Location, str], Confidence] = {}
        for candidate in candidates:
            fingerprint = self.fingerprint(candidate.digits)
            sample_id = self.samples.get(candidate.digits) or self.sample_fingerprints.get(fingerprint)
            if sample_id is not None:
                result.samples.append(Sample(path, candidate.location, mask(candidate.digits), sample_id))
                continue
            key = (candidate.location, fingerprint)
            if candidate.confidence < self.minimum:
                # Below the bar: only counted (findings and distinct people), so workers send back no more.
                if candidate.confidence > held_back.get(key, 0):
                    held_back[key] = candidate.confidence
                continue
            if key in best and best[key][0].confidence >= candidate.confidence:
                continue
            best[key] = (Finding(
                path=path, location=candidate.location, masked=shared(self.masks, mask(candidate.digits)),
                fingerprint=fingerprint,
                confidence=candidate.confidence, reasons=candidate.reasons, public=public_reason is not None,
                public_reason=public_reason, items=self.items.near(candidate.around, candidate.headers),
            ), candidate.digits)
        _count_held_back(result, held_back, best.keys(), _by_place(found.counted, fingerprints) if fingerprints else {})
        result.findings = [finding for finding, _ in best.values()]
        if self.reveal:
            self.revealed.extend(Revealed(finding_key(finding), digits) for finding, digits in best.values())
        return result

    def _fingerprints_apart(self, counted: list[tuple[int, int, Counted]]) -> dict[str, str] | None:
        """The fingerprints of the candidates only counted, by their digits (each number hashed once); None when
        they must be taken as candidates after all: one is a sample, or they are not below the bar (the matcher
        counts apart only what it scores below it)."""
        if not counted:
            return {}
        if any(batch.confidence >= self.minimum for _, _, batch in counted):
            return None
        numbers = set().union(*(batch.digits for _, _, batch in counted))
        if not self.samples.keys().isdisjoint(numbers):
            return None
        fingerprints = self.fingerprint.many(numbers)
        if self.sample_fingerprints and not self.sample_fingerprints.keys().isdisjoint(fingerprints.values()):
            return None
        return fingerprints


Place = tuple[object, ...]  # a location without its line (Location[1:]): where the candidates of a unit are
LineKey = tuple[int | None, str]  # (line, fingerprint): one person at one line of a place


def _count_held_back(result: FileResult, held_back: dict[tuple[Location, str], Confidence],
                     found: KeysView[tuple[Location, str]], apart: dict[Place, dict[LineKey, Confidence]]) -> None:
    """The candidates held back (by (location, fingerprint), the highest confidence of each), and those counted
    apart (:func:`_by_place`), counted in ``result``: each place and person once, at its highest confidence, and
    none where a finding is (``found``)."""
    held_back_here: list[tuple[Confidence, str]] = []
    for (location, fingerprint), confidence in held_back.items():
        also = apart.get(location[1:])
        if also is not None:  # counted apart at the same place too: counted once, at the higher confidence
            confidence = max(confidence, also.pop((location.line, fingerprint), confidence))
        if (location, fingerprint) not in found:
            held_back_here.append((confidence, fingerprint))
    # Those counted apart first: a dense file's first number held back is most often one of them, so the labels
    # come in the order one list of candidates gives them.
    for place, held in apart.items():
        _hold_back(result, held, {(location.line, fingerprint) for location, fingerprint in found
                                  if location[1:] == place})
    for confidence, fingerprint in held_back_here:
        result.held_back[confidence.label] = result.held_back.get(confidence.label, 0) + 1
        result.held_back_people.add(fingerprint)


def _by_place(counted: list[tuple[int, int, Counted]],
              fingerprints: dict[str, str]) -> dict[Place, dict[LineKey, Confidence]]:
    """The candidates only counted, by place, then by (line, fingerprint): the highest confidence of each (a line
    cut between two units can hold the same number in both)."""
    by_place: dict[Place, dict[LineKey, Confidence]] = {}
    for _, _, batch in counted:
        people: Iterable[LineKey] = zip(batch.lines, map(fingerprints.__getitem__, batch.digits), strict=True)
        fresh = dict.fromkeys(people, batch.confidence)
        held = by_place.setdefault(batch.location[1:], fresh)
        if held is not fresh:
            for key in fresh.keys() & held.keys():
                fresh[key] = max(fresh[key], held[key])
            held.update(fresh)
    return by_place


def _hold_back(result: FileResult, held: dict[LineKey, Confidence], found: set[LineKey]) -> None:
    """The candidates of one place held back, (line, fingerprint) -> confidence, counted in ``result`` but for
    those found there (``found``, a finding at the same line and fingerprint)."""
    counted = held.keys() - found
    for confidence, count in sorted(Counter(map(held.__getitem__, counted)).items()):
        result.held_back[confidence.label] = result.held_back.get(confidence.label, 0) + count
    result.held_back_people.update(map(itemgetter(1), counted))


def _sample_fingerprints(rules: Rules, key_id: str) -> dict[str, str]:
    """The samples the rules give by fingerprint (fingerprint -> sample id), each made under this scan's key: one
    made under another key could never match, so the scan is refused, naming the rules file and the sample."""
    for sample in rules.sample_fingerprints.values():
        if sample.key_id != key_id:
            raise UsageError(text("sample.other_key", source=sample.source, sample=sample.sample_id,
                                  sample_key=sample.key_id, key=key_id))
    return {fingerprint: sample.sample_id for fingerprint, sample in rules.sample_fingerprints.items()}
