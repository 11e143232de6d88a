"""Where a line may be cut (detector.cuts.last_cut): the one rule of the text reader's chunks and the watcher's
long lines. A cut never falls inside a number, however it is written (grouped, full-width, percent- or
JSON-escaped, HTML entities), nor inside a character: scanning the two halves finds every number the whole
finds."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from detector.cuts import SAFE_BYTES, last_cut
from detector.match import TextScanner
from detector.rules import Rules

from .conftest import valid_number

N = valid_number(5)
FW = str.maketrans("0123456789", "０１２３４５６７８９")
PIECES = st.sampled_from([
    N, N.translate(FW), " ".join((N[:4], N[4:8], N[8:])), "－".join((N[:4], N[4:8], N[8:])).translate(FW),
    "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in N), "".join(f"\\uff1{d}" for d in N),
    "".join(f"&#{0xFF10 + int(d)};" for d in N), "個人番号", "abcdef", "deadbeef", "xyz", "_", " ", "-", ".", ",",
    "=", "7", "12", "山田", "　", "QUJD", "%", "&", "\\",
])
TEXTS = st.lists(PIECES, min_size=1, max_size=30).map("".join)


def digits_found(scanner: TextScanner, data: bytes) -> Counter[str]:
    return Counter(c.digits for c in scanner.scan_bytes(data, "utf-8"))


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, lo_share=st.floats(0, 1), hi_share=st.floats(0, 1))
def test_the_halves_of_a_cut_line_hold_every_number_of_the_whole(rules: Rules, text: str, lo_share: float,
                                                               hi_share: float) -> None:
    data = text.encode("utf-8")
    lo, hi = sorted((int(lo_share * len(data)), int(hi_share * len(data))))
    cut = last_cut(data, lo, hi)
    if cut is None:
        return
    assert lo <= cut <= hi
    data[:cut].decode("utf-8")  # a character boundary: both halves decode
    scanner = TextScanner(rules, "re")
    assert digits_found(scanner, data) <= digits_found(scanner, data[:cut]) + digits_found(scanner, data[cut:])


def test_a_safe_byte_comes_first_then_a_letter_then_a_hex_letter_away_from_escapes() -> None:
    assert last_cut(b"ab,cdxy", 0, 7) == 3  # after the comma, the safe byte
    assert last_cut(b"abxycd", 0, 6) == 4  # after y, a letter no hex digit or escape has
    assert last_cut(b"abcdef", 0, 6) == 6
    assert last_cut(b"%EF%BC%91", 0, 9) is None  # only an escaped character: nowhere to cut
    assert last_cut(b"1234 5678", 0, 9) is None  # only a grouped number
    assert last_cut("あいう".encode(), 0, 9) is None
    assert all(b < 0x40 and not 0x30 <= b <= 0x39 for b in SAFE_BYTES)
