"""Shared helpers: valid numbers made from their check digit, and a scanner over a string."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

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


def ocr_engine_missing() -> str | None:
    """Why no picture can be read here (no OCR engine installed), or None. scripts/setup.sh installs Debian's
    Tesseract, so CI reads pictures; where it is missing, pictures are listed as not scanned with this reason."""
    from detector.ocr import find_engine

    engine = find_engine()
    return engine if isinstance(engine, str) else None


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


def recorded_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
                   record: Callable[..., Any] = lambda *args: args) -> list[Any]:
    """The calls made to ``owner.name`` from now on, each as ``record`` gives it from the call's arguments; the
    calls themselves go through unchanged."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(record(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls
