"""Where a candidate could be (``mynumber.could_hold``, asked of a table's rows a block at a time): the C pass's
spans are the spans of the pattern's ``finditer`` (``could_hold_spans_plain``, the definition), on text of every
width (ASCII, Japanese, beyond the plane), dense with digits, separators, NUL and line ends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector import mynumber
from detector.native import speedups

pytestmark = pytest.mark.skipif(speedups is None or not hasattr(speedups, "could_hold_spans"),
                                reason="the C speed-ups are not built")

PIECES = ["0", "1", "5", "9", "０", "９", "1234", "１２３４", "-", " ", "　", "－", "\n", "\x00", ",", "a", "番",
          "\U0001f600", "12345678", "1234-5678-", "0000 0000 0000"]


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_c_pass_gives_the_spans_of_the_pattern(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert speedups.could_hold_spans(text) == mynumber.could_hold_spans_plain(text)


@given(st.text(max_size=60))
def test_any_text_gives_the_spans_of_the_pattern(text: str) -> None:
    assert speedups.could_hold_spans(text) == mynumber.could_hold_spans_plain(text)


@pytest.mark.parametrize(("text", "spans"), [
    ("123456789012", [(0, 12)]),
    ("1234567890123456789012345", [(0, 12), (12, 24)]),  # the rest of a run is a new run
    ("tel 1234-5678-9012 and", [(4, 18)]),
    ("99 1234-5678-9012-3456", [(3, 17)]),  # the third group may go on
    ("1234-5678 9012", []),  # not the same separator twice
    ("1234\x005678\x009012", []),  # NUL joins names: never a separator
    ("１２３４　５６７８　９０１２", [(0, 14)]),
    ("0123\n4567\n8901", [(0, 14)]),  # across a line end: as the pattern (a superset) has it
])
def test_the_spans_of_known_shapes(text: str, spans: list[tuple[int, int]]) -> None:
    assert speedups.could_hold_spans(text) == mynumber.could_hold_spans_plain(text) == spans
