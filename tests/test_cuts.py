"""Where a line may be cut (detector.cuts.last_cut): the one rule of the text reader's chunks, raw or decoded
UTF-16, and the watcher's long lines. A cut never falls inside a number, however it is written (grouped,
full-width, percent- or JSON-escaped, HTML entities), nor inside a character: scanning the two halves finds every
number the whole finds. The rule is stated once, over characters: on decoded text and on its UTF-8 bytes it
cuts at the same place."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import BinaryIO

import pytest
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
ESCAPED = st.sampled_from([
    "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in N), "".join(f"%3{d}" for d in N), "".join(f"\\u003{d}" for d in N),
    "".join(f"\\uff1{d}" for d in N), "".join(f"&#{0xFF10 + int(d)};" for d in N), "".join(f"&#x3{d};" for d in N),
    "".join(f"&#{0x30 + int(d)};" for d in N),
])


def digits_found(scanner: TextScanner, data: bytes, encoding: str = "utf-8") -> Counter[str]:
    return Counter(c.digits for c in scanner.scan_bytes(data, encoding))


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


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, lo_share=st.floats(0, 1), hi_share=st.floats(0, 1))
def test_decoded_text_is_cut_where_its_utf8_bytes_are(text: str, lo_share: float, hi_share: float) -> None:
    """One definition, two spellings: the rule looks only for ASCII characters, so on text and on its UTF-8
    bytes it gives the same place, offset for offset."""
    lo, hi = sorted((int(lo_share * len(text)), int(hi_share * len(text))))
    in_text = last_cut(text, lo, hi)
    in_bytes = last_cut(text.encode("utf-8"), len(text[:lo].encode("utf-8")), len(text[:hi].encode("utf-8")))
    assert in_bytes == (None if in_text is None else len(text[:in_text].encode("utf-8")))


@settings(max_examples=300, deadline=None)
@given(before=TEXTS, escaped=ESCAPED, after=TEXTS, near=st.integers(-12, 12), lo_share=st.floats(0, 1))
def test_the_halves_of_a_cut_utf16_line_hold_every_number_of_the_whole(rules: Rules, before: str, escaped: str,
                                                                       after: str, near: int,
                                                                       lo_share: float) -> None:
    """The UTF-16 reader cuts its decoded text by the same rule: an escaped number just before the end of the
    stretch searched (where a long line's cut is looked for) is never cut in two."""
    text = f"{before}={escaped};{after}"
    hi = min(len(text), max(0, len(before) + 1 + len(escaped) + near))
    lo = int(lo_share * hi)
    cut = last_cut(text, lo, hi)
    if cut is None:
        return
    assert lo <= cut <= hi
    scanner = TextScanner(rules, "re")
    halves = [text[:cut].encode("utf-16-le"), text[cut:].encode("utf-16-le")]
    whole = digits_found(scanner, text.encode("utf-16-le"), "utf-16-le")
    assert N in whole
    assert whole <= digits_found(scanner, halves[0], "utf-16-le") + digits_found(scanner, halves[1], "utf-16-le")


def test_a_long_utf16_line_is_read_in_chunks_cut_by_the_rule(tmp_path: Path) -> None:
    """A UTF-16 line longer than a chunk is cut where :func:`last_cut` allows (here after the commas between
    escaped numbers, never inside one), and each number is found once, on line 2."""
    from detector.extract import Source
    from detector.extract.text import TextExtractor

    escaped = "".join(f"\\u003{d}" for d in N)
    line = ",".join([escaped] * 400)
    data = ("head\n" + line + "\n").encode("utf-16")
    path = tmp_path / "long.txt"
    path.write_bytes(data)
    with path.open("rb") as stream:
        units = list(TextExtractor(chunk_size=8192, utf16_as_utf8=False).extract(
            Source(str(path), stream, stream.read(4096), len(data))))
    assert len(units) > 2
    for unit in units[:-1]:
        text = unit.text or ""
        assert unit.scan_to is not None
        assert text[unit.scan_to - 1] == "," or text[unit.scan_to - 1] == "\n"


class _ReadOnly:
    """A stream that can only ``read`` (an archive member's, say): the reader gives it a new block each time."""

    def __init__(self, stream: BinaryIO) -> None:
        self.read = stream.read


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "iso2022_jp"])
def test_a_text_read_into_one_buffer_again_and_again_gives_the_units_of_new_blocks(tmp_path: Path,
                                                                                   encoding: str) -> None:
    """The reader reuses one buffer for a file's blocks where the stream can read into it; each unit is a copy,
    so the units are those read from new blocks, byte for byte (the lines, a line longer than a block, ASCII
    before ISO-2022-JP's first escape)."""
    from detector.extract import Source
    from detector.extract.text import TextExtractor

    lines = [f"line {i} 個人番号 {N} 電話 03-1234-5678" if i % 7 else "x" * 20000 for i in range(400)]
    data = ("ascii first\n" * 900 + "\n".join(lines) + "\n").encode(encoding)
    path = tmp_path / "blocks.txt"
    path.write_bytes(data)
    units = []
    for wrap in (False, True):
        with path.open("rb", buffering=0) as stream:
            head = stream.read(4096)
            source = Source(str(path), _ReadOnly(stream) if wrap else stream, head, len(data))  # type: ignore[arg-type]
            units.append([(u.data, u.encoding, u.scan_from, u.scan_to, u.continues)
                          for u in TextExtractor(chunk_size=8192).extract(source)])
    assert len(units[0]) > 10
    assert units[0] == units[1]
