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
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from .errors import KeyError_, UsageError
from .messages import text
from .model import Candidate, Confidence, FileResult, Finding, Location, Sample, ScanOptions
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

    def take_revealed(self) -> list[Revealed]:
        """The raw numbers of the findings made since the last call (none unless ``--reveal``)."""
        taken, self.revealed = self.revealed, []
        return taken

    def findings_of(self, path: str, candidates: list[Candidate], kind: str) -> FileResult:
        """Candidates become findings (fingerprinted, masked) or samples; raw digits end here (but for the
        ``--reveal`` stream)."""
        result = FileResult(path=path, kind=kind)
        if not candidates:
            return result
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
                path=path, location=candidate.location, masked=mask(candidate.digits), fingerprint=fingerprint,
                confidence=candidate.confidence, reasons=candidate.reasons, public=public_reason is not None,
                public_reason=public_reason, items=self.items.near(candidate.around, candidate.headers),
            ), candidate.digits)
        for key, confidence in held_back.items():
            if key not in best:
                result.held_back[confidence.label] = result.held_back.get(confidence.label, 0) + 1
                result.held_back_people.add(key[1])
        result.findings = [finding for finding, _ in best.values()]
        if self.reveal:
            self.revealed.extend(Revealed(finding_key(finding), digits) for finding, digits in best.values())
        return result


def _sample_fingerprints(rules: Rules, key_id: str) -> dict[str, str]:
    """The samples the rules give by fingerprint (fingerprint -> sample id), each made under this scan's key: one
    made under another key could never match, so the scan is refused, naming the rules file and the sample."""
    for sample in rules.sample_fingerprints.values():
        if sample.key_id != key_id:
            raise UsageError(text("sample.other_key", source=sample.source, sample=sample.sample_id,
                                  sample_key=sample.key_id, key=key_id))
    return {fingerprint: sample.sample_id for fingerprint, sample in rules.sample_fingerprints.items()}
