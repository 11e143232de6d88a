"""People: each My Number becomes a keyed fingerprint, and distinct people are distinct fingerprints.

HMAC-SHA256 over the 12 ASCII digits, under a secret key. Without the key a fingerprint cannot be reversed by
trying all 10^11 valid numbers; with the same key, results of several scans and hosts merge into one count.
The key comes from ``--key-file``, the MYNUMBER_KEY environment variable, or a random per-installation key
created 0600 in the user's state directory ($XDG_STATE_HOME/mynumber/key, else ~/.local/state/mynumber/key).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from .errors import KeyError_

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
        raise KeyError_(f"{path}: cannot read the fingerprint key: {exc.strerror or exc}") from None
    if not key:
        raise KeyError_(f"{path}: the fingerprint key file is empty")
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
        raise KeyError_(f"{path}: cannot create the fingerprint key ({exc.strerror or exc}); "
                        f"give one with --key-file or {KEY_ENV}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


class Fingerprinter:
    """Turns 12 ASCII digits into a fingerprint under one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self.key_id = hmac.new(key, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]

    def __call__(self, digits: str) -> str:
        return hmac.new(self._key, digits.encode("ascii"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"Fingerprinter(key_id={self.key_id})"
