"""Shared helpers: valid numbers made from their check digit, and a scanner over a string."""

from __future__ import annotations

import random

import pytest

from detector.mynumber import calc_check_digit
from detector.rules import Rules, load_rules


def valid_number(seed: int) -> str:
    """A valid, non-sample My Number, different for each seed (synthetic: body random, check digit computed)."""
    rng = random.Random(seed)
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(11))
        number = body + calc_check_digit(body)
        if len(set(number)) > 2:
            return number


def invalid_number(seed: int) -> str:
    number = valid_number(seed)
    return number[:11] + str((int(number[11]) + 1) % 10)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()
