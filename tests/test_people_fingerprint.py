"""A person's fingerprint is HMAC-SHA256 of the 12 ASCII digits under the scan's key (``people.fingerprint_of``,
the one definition). The people stage computes it from SHA-256 states primed with the key once
(``people.Fingerprinter``); both must give the same fingerprint for every key, short, block-sized or longer than
SHA-256's block (which RFC 2104 hashes first), and every number."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from detector.people import Fingerprinter, fingerprint_of

from .conftest import valid_number

DIGITS = st.text(alphabet="0123456789", min_size=12, max_size=12)


def test_the_definition_is_hmac_sha256_of_the_ascii_digits() -> None:
    number = valid_number(3)
    assert fingerprint_of(b"k", number) == hmac.new(b"k", number.encode("ascii"), hashlib.sha256).hexdigest()


@given(key=st.binary(min_size=1, max_size=200), digits=DIGITS)
def test_the_primed_fingerprinter_gives_the_definition(key: bytes, digits: str) -> None:
    assert Fingerprinter(key)(digits) == fingerprint_of(key, digits)


def test_keys_at_and_around_the_block_size_agree() -> None:
    number = valid_number(7)
    for size in (1, 32, 63, 64, 65, 128):
        key = bytes(range(size))
        assert Fingerprinter(key)(number) == fingerprint_of(key, number), size


def test_one_fingerprinter_gives_the_same_answer_every_time() -> None:
    fingerprint = Fingerprinter(b"secret")
    numbers = [valid_number(i) for i in range(5)]
    first = [fingerprint(number) for number in numbers]
    assert [fingerprint(number) for number in numbers] == first
    assert len(set(first)) == len(numbers)


@given(key=st.binary(min_size=1, max_size=80), numbers=st.lists(DIGITS, max_size=20))
def test_many_fingerprints_at_once_are_each_one_s(key: bytes, numbers: list[str]) -> None:
    fingerprint = Fingerprinter(key)
    assert fingerprint.many(numbers) == {number: fingerprint(number) for number in numbers}
