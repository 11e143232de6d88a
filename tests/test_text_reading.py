"""The text reader reads a regular file in place (each unit's range of the file straight into the unit's bytes) and
any other stream block by block: the two give the same units, byte for byte, for whole files and for the parts of
large ones; and the reader's answer to "is this unit ASCII?" is one the matcher may trust."""

from __future__ import annotations

import io
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.cuts import CONTEXT_BYTES, CONTEXT_CHARS
from detector.extract import Source, TextUnit
from detector.extract import text as text_reader
from detector.extract.text import PartReading, TextExtractor, part_encoding
from detector.match import TextScanner
from detector.rules import load_rules

# Lines of every shape the cuts and the encoding decisions meet: short and long lines, a line longer than any
# chunk, digits without a line end, Japanese in the three multi-byte encodings, terminal colours and ISO-2022-JP
# escapes (the escape stage), a line end just before the lookahead.
_PIECES = [
    b"t=1 id 1234 5678 9012 ok\n", b"x" * 3000, b"\n", b"k=v," * 1500, b"0123456789" * 60, b"\r\n",
    "個人番号 １２３４ ５６７８ ９０１８\n".encode(), "社員番号：１２３４５\n".encode("cp932"),
    "住所 東京都\n".encode("euc-jp"), b"\x1b[31mred\x1b[0m\n", b"\x1b$B$3$s\x1b(B\n",
]
_ASCII_PIECES = _PIECES[:6]


def _units(units: Iterator[TextUnit]) -> list[tuple[object, ...]]:
    return [(u.data, u.encoding, u.continues, u.scan_from, u.scan_to, u.first_line, u.known_ascii) for u in units]


def _whole_file(path: Path, chunk_size: int, head_size: int) -> list[tuple[object, ...]]:
    """The units of the file at ``path`` read as the scanner reads a regular file (in place)."""
    with io.FileIO(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        head = stream.read(head_size)
        return _units(TextExtractor(chunk_size).extract(Source(str(path), stream, head, size)))


def _whole_stream(data: bytes, chunk_size: int, head_size: int) -> list[tuple[object, ...]]:
    """The units of ``data`` read as a stream that is no file (an archive member): block by block."""
    stream = io.BytesIO(data)
    head = stream.read(head_size)
    return _units(TextExtractor(chunk_size).extract(Source("member.txt", stream, head, len(data))))


def _text(seed: int, count: int, pieces: list[bytes]) -> bytes:
    """``count`` pieces, drawn from ``pieces`` (up to a few hundred KB: many blocks of the chunk sizes below)."""
    rng = random.Random(seed)
    return b"".join(rng.choice(pieces) for _ in range(count))


_TEXTS = st.builds(_text, seed=st.integers(0, 2**32), count=st.integers(20, 400),
                   pieces=st.sampled_from([_ASCII_PIECES, _PIECES]))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reading") / "text.log"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, bom=st.booleans(),
       chunk_size=st.sampled_from([100, CONTEXT_BYTES // 2, CONTEXT_BYTES, 5000, 9000, 20000, 65536]),
       head_size=st.sampled_from([0, 100, 4096, 65536]))
def test_a_file_read_in_place_gives_the_units_a_stream_gives(scratch: Path, text: bytes, bom: bool, chunk_size: int,
                                                             head_size: int) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + text
    scratch.write_bytes(data)
    assert _whole_file(scratch, chunk_size, head_size) == _whole_stream(data, chunk_size, head_size)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, ascii_start=st.integers(0, 200_000), chunk_size=st.sampled_from([1000, CONTEXT_BYTES, 5000, 9000,
                                                                                   20000]),
       cuts=st.lists(st.floats(0, 1), min_size=1, max_size=4))
def test_a_part_read_in_place_gives_the_units_a_stream_gives(scratch: Path, text: bytes, ascii_start: int,
                                                             chunk_size: int, cuts: list[float]) -> None:
    """Parts cut just after a line end, the first block deciding the encoding as the planner does (a part's last
    block often shorter than the lookahead); a file ASCII at first and Japanese further on makes a part stop where
    it leaves ASCII, the same way both ways."""
    lines = b"t=1 id 1234 5678 9012 ok\n" * (ascii_start // 25)
    data = lines + text
    decided = part_encoding(data[:chunk_size + 65536])
    if decided is None:
        return  # UTF-16 or ISO-2022-JP: never cut
    scratch.write_bytes(data)
    starts = sorted({0} | {data.find(b"\n", int(len(data) * cut)) + 1 for cut in cuts} - {0, len(data)})
    for ordinal, start in enumerate(starts):
        end = starts[ordinal + 1] if ordinal + 1 < len(starts) else None
        in_place, streamed = (PartReading(start, end, decided[1], ordinal == 0) for _ in range(2))
        with io.FileIO(scratch, "rb") as stream:
            from_file = _units(TextExtractor(chunk_size).extract_part(stream, in_place))
        from_stream = _units(TextExtractor(chunk_size).extract_part(io.BytesIO(data), streamed))
        assert from_file == from_stream
        assert in_place.left_ascii == streamed.left_ascii


def test_japanese_first_met_after_a_units_lookahead_decides_that_units_encoding(scratch: Path) -> None:
    """The encoding is told from the whole block the unit is cut from: its first Japanese may lie in the block's
    last line, after the unit's lookahead, and still label the unit as the stream reading labels it."""
    chunk_size = 20_000
    lines = b"t=1 ok\n" * ((chunk_size - 6000) // 7)
    data = lines + b"x" * (chunk_size - len(lines) - 1000) + "個人番号\n".encode() + b"t=2 ok\n" * 5000
    scratch.write_bytes(data)
    in_place = _whole_file(scratch, chunk_size, 0)
    assert in_place == _whole_stream(data, chunk_size, 0)
    assert in_place[0][1] == "utf-8"


def _no_block_reading(*_args: object, **_kwargs: object) -> Iterator[TextUnit]:
    raise AssertionError("read block by block")


@pytest.mark.parametrize("line", ["t=1 user=42 id 1234 5678 9012 ok\n", "社員 山田 個人番号 １２３４５６７８\n"])
def test_an_ordinary_log_is_read_in_place(scratch: Path, monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    """A log of ordinary lines, ASCII or Japanese, never goes through the block-by-block reading: each unit is
    read once, from the file, into its own bytes."""
    data = (line * (3 * text_reader.CHUNK_SIZE // len(line.encode()))).encode()
    scratch.write_bytes(data)
    monkeypatch.setattr(text_reader, "_chunked", _no_block_reading)
    units = _whole_file(scratch, text_reader.CHUNK_SIZE, 65536)
    assert len(units) > 3
    assert all(type(unit[0]) is bytes for unit in units)


def test_a_log_with_terminal_colours_is_read_to_its_end_block_by_block(scratch: Path) -> None:
    """An escape byte in a file that is ASCII so far may begin ISO-2022-JP: from that block on the reading is
    the block-by-block one, whose escape stage carries what it saw from block to block."""
    data = b"t=1 ok\n" * 20_000 + b"\x1b[31mt=2 id 1234 5678 9018\x1b[0m\n" + b"t=3 ok\n" * 20_000
    scratch.write_bytes(data)
    assert _whole_file(scratch, 9000, 4096) == _whole_stream(data, 9000, 4096)


@pytest.mark.parametrize("kept", [0, 1000, 30_000, 70_000])
def test_a_file_cut_short_while_it_is_read_ends_the_reading_without_an_error(scratch: Path, kept: int) -> None:
    """A log truncated in place while it is read (copytruncate) ends where the file now ends: no error, and no
    unit holds bytes the file no longer has beyond what was read before the cut."""
    original = b"t=1 id 1234 5678 9018 ok\n" * 20_000
    scratch.write_bytes(original)
    with io.FileIO(scratch, "rb") as stream:
        units = TextExtractor(20_000).extract(Source(str(scratch), stream, stream.read(4096), len(original)))
        next(units)
        os.truncate(scratch, kept)
        rest = list(units)
    assert all(unit.data is not None and unit.data in original for unit in rest)
    assert len(rest) <= kept // 20_000 + 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS, chunk_size=st.sampled_from([5000, 20000]))
def test_a_unit_is_said_to_be_ascii_only_when_every_byte_is(scratch: Path, text: bytes, chunk_size: int) -> None:
    scratch.write_bytes(text)
    for data, *_, known_ascii in _whole_file(scratch, chunk_size, 4096) + _whole_stream(text, chunk_size, 4096):
        assert isinstance(data, bytes)
        assert data.isascii() or not known_ascii


def test_every_unit_of_an_ascii_log_is_known_to_be_ascii(scratch: Path) -> None:
    data = b"t=1 user=42 id 1234 5678 9012 ok\n" * 100_000
    scratch.write_bytes(data)
    for units in (_whole_file(scratch, 65536, 4096), _whole_stream(data, 65536, 4096)):
        assert units and all(unit[-1] for unit in units)


def test_the_matcher_finds_the_same_whether_the_reader_answered_or_not() -> None:
    """The matcher asks a unit labelled ASCII whether it is, unless its reader said so: the same candidates."""
    scanner = TextScanner(load_rules())
    data = b"ok\nMy Number: 1234 5678 9018 and id 123456789018\n" * 50
    asked = scanner.scan_unit(TextUnit(data=data, encoding="ascii"))
    answered = scanner.scan_unit(TextUnit(data=data, encoding="ascii", known_ascii=True))
    assert asked.candidates and asked == answered


# Blocks shorter than the lookahead (every block, or a part's last one), just around it, and ordinary ones.
_BLOCK_SIZES = [100, CONTEXT_BYTES // 2 + 100, CONTEXT_BYTES - 1, CONTEXT_BYTES, CONTEXT_BYTES + 1, 5000, 20000]
_PLAIN_PIECES = [piece for piece in _PIECES if b"\x1b" not in piece]  # bytes handed on as they are in the file


def _reaches(units: list[tuple[object, ...]], text: bytes, start: int, end: int) -> None:
    """The units of ``text[start:end]`` (a file read whole, or a part with the bytes around it) scan it once, in
    order; each has the whole lookahead after its scanned part (:data:`CONTEXT_BYTES`, or the text's end) and at
    least half of it as context before (or the text's start): where blocks end changes no number's window."""
    at = start
    for data, _, _, scan_from, scan_to, *_ in units:
        assert isinstance(data, bytes) and isinstance(scan_from, int)
        stop = len(data) if scan_to is None else scan_to
        assert isinstance(stop, int) and data[scan_from:stop] == text[at:at + stop - scan_from]
        assert data[:scan_from] == text[at - scan_from:at]
        assert scan_from >= min(CONTEXT_BYTES // 2, at)
        at += stop - scan_from
        assert data[stop:] == text[at:at + CONTEXT_BYTES]
    assert at == end


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), count=st.integers(20, 300), chunk_size=st.sampled_from(_BLOCK_SIZES),
       head_size=st.sampled_from([0, 100, 4096]))
def test_every_unit_of_a_file_has_its_whole_lookahead_whatever_the_block_size(scratch: Path, seed: int, count: int,
                                                                              chunk_size: int,
                                                                              head_size: int) -> None:
    text = _text(seed, count, _PLAIN_PIECES)
    scratch.write_bytes(text)
    in_place = _whole_file(scratch, chunk_size, head_size)
    assert in_place == _whole_stream(text, chunk_size, head_size)
    _reaches(in_place, text, 0, len(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), count=st.integers(20, 300), chunk_size=st.sampled_from(_BLOCK_SIZES),
       cut=st.floats(0.05, 0.95), last_block=st.integers(1, CONTEXT_BYTES + 100))
def test_every_unit_of_a_part_has_its_whole_lookahead_up_to_its_last_block(scratch: Path, seed: int, count: int,
                                                                           chunk_size: int, cut: float,
                                                                           last_block: int) -> None:
    """A part whose last block is ``last_block`` bytes or so (it ends at a line end): its units reach into the
    next part's bytes as far as they would in a whole-file read, and the next part's into its own; read in place
    and as a stream alike."""
    text = _text(seed, count, _PLAIN_PIECES)
    decided = part_encoding(text[:chunk_size + 65536])
    start = text.find(b"\n", int(len(text) * cut)) + 1
    end = text.find(b"\n", start + 2 * chunk_size + last_block) + 1
    if decided is None or not 0 < start < end < len(text):
        return
    scratch.write_bytes(text)
    for first, (part_start, part_end) in ((True, (0, start)), (False, (start, end)), (False, (end, None))):
        in_place, streamed = (PartReading(part_start, part_end, decided[1], first) for _ in range(2))
        with io.FileIO(scratch, "rb") as stream:
            from_file = _units(TextExtractor(chunk_size).extract_part(stream, in_place))
        assert from_file == _units(TextExtractor(chunk_size).extract_part(io.BytesIO(text), streamed))
        if not in_place.left_ascii:
            _reaches(from_file, text, part_start, len(text) if part_end is None else part_end)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), count=st.integers(20, 200), chunk_size=st.sampled_from([100, 3000, 9000, 20000]))
def test_every_unit_of_utf16_text_has_its_whole_context_whatever_the_block_size(seed: int, count: int,
                                                                                chunk_size: int) -> None:
    """UTF-16 is decoded before it is cut: each unit carries :data:`CONTEXT_CHARS` before its scanned part (those
    of the units before a short one too) and after it, or as far as the text goes."""
    rng = random.Random(seed)
    text = "".join(rng.choice(["t=1 id 1234 5678 9012 ok\n", "個人番号 １２３４ ５６７８ ９０１８\n", "x" * 300])
                   for _ in range(count))
    data = text.encode("utf-16")
    units = list(TextExtractor(chunk_size, utf16_as_utf8=False).extract(
        Source("member.txt", io.BytesIO(data), data[:chunk_size], len(data))))
    handed_on = TextExtractor(chunk_size).extract(Source("member.txt", io.BytesIO(data), data[:chunk_size], len(data)))
    for unit, in_utf8 in zip(units, handed_on, strict=True):  # as the matcher gets them: the same cuts, in UTF-8
        assert unit.text is not None and in_utf8.data is not None and in_utf8.encoding == "utf-8"
        assert in_utf8.data[:in_utf8.scan_from].decode() == unit.text[:unit.scan_from]
        assert in_utf8.data[in_utf8.scan_from:in_utf8.scan_to].decode() == unit.text[unit.scan_from:unit.scan_to]
        assert in_utf8.data.decode() == unit.text and in_utf8.continues == unit.continues
    at = 0
    for unit in units:
        assert unit.text is not None
        stop = len(unit.text) if unit.scan_to is None else unit.scan_to
        assert unit.text[:unit.scan_from] == text[at - unit.scan_from:at]
        assert unit.scan_from == min(CONTEXT_CHARS, at)
        at += stop - unit.scan_from
        assert unit.text[stop:] == text[at:at + CONTEXT_CHARS]
    assert at == len(text)


@pytest.mark.parametrize("tail", [b"", b"\x1b", b"\x1b[", b"\x1b[0", b"\x1b[0m", b"\x1b[0m y"])
def test_the_bytes_a_block_holds_back_are_told_from_the_file_as_the_jis_stage_holds_them(
        tmp_path: Path, tail: bytes) -> None:
    """A part's parent tells the whole read's block from the file (text._held_back): the start of an escape
    sequence cut by a block's end, which the JIS stage holds back for the next block, and nothing else."""
    from detector.extract.text import _held_back, _Jis

    block = b"GET / 200 \x1b[32mok\x1b[0m\n" * 20 + tail
    passed, _, _ = _Jis().transcode(block, b"")
    path = tmp_path / "blocks"
    path.write_bytes(block + b"rest\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _held_back(fd, len(block)) == len(block) - len(passed)
    finally:
        os.close(fd)
    assert len(block) - len(passed) == (len(tail) if tail in (b"\x1b", b"\x1b[", b"\x1b[0") else 0)
