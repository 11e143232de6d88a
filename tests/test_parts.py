"""A large plain-text file is read as parts by several workers, and gives exactly what reading it whole gives:
the same findings (paths, locations with their lines, fingerprints, confidences), samples, held-back counts and
people, and the same ``--reveal`` numbers, wherever the cuts fall and whatever the encoding."""

from __future__ import annotations

import codecs
import itertools
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from detector import parts
from detector.cuts import CONTEXT_BYTES
from detector.decode import SAMPLE_SIZE
from detector.extract.text import CHUNK_SIZE
from detector.model import Confidence, FileResult, ScanOptions
from detector.people import Revealed, RevealedNumbers
from detector.pipeline import ProcessPool, scan_paths
from detector.result import ScanResult
from detector.scanner import FileScanner

from .conftest import valid_number

KEY = b"k" * 32
OPTIONS = ScanOptions(key=KEY, min_confidence=Confidence.LOW, reveal=True)
SCANNERS: dict[Confidence, FileScanner] = {}


def log_text(lines: int, seed: int, japanese: bool) -> str:
    """Log lines with numbers: with a keyword on their line or the line before (so the context window crosses
    a line end, and a cut), grouped 4-4-4, held back (another number's keyword), repeated (one person, many
    places), invalid ones, and ASCII filler."""
    rng = random.Random(seed)
    keyword = "マイナンバー" if japanese else "my number"
    out = []
    for index in range(lines):
        number = valid_number(rng.randrange(40))  # few people, each found in many places
        shape = rng.random()
        if shape < 0.05:
            out.append(f"user {keyword}: {number} updated")
        elif shape < 0.08:
            out.append(f"{keyword} follows")
            out.append(f"  {number[:4]}-{number[4:8]}-{number[8:]}")
        elif shape < 0.11:
            out.append(f"tel {number}")  # held back below the default, found at low
        elif shape < 0.13:
            out.append(f"{'個人番号' if japanese else 'id'} {number} {number}")  # two on one line: one finding
        elif shape < 0.15 and japanese:
            full = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            out.append(f"氏名 山田太郎 個人番号：{full}")
        else:
            filler = "x" * rng.randrange(90)
            out.append(f"2026-12-03T09:{index % 60:02}:00 GET /a?id={rng.randrange(10**6)} 200 {filler}")
    return "\n".join(out) + "\n"


def outcome(result: FileResult, revealed: list[Revealed]) -> tuple[Any, ...]:
    return (sorted(result.findings), sorted(result.samples), result.held_back, sorted(result.held_back_people),
            result.size, result.kind, result.facts, sorted(revealed, key=repr),
            sorted(record.digits for record in revealed))


def by_parts(scanner: FileScanner, path: str, part_bytes: int,
             again: list[parts.FilePart] | None = None) -> tuple[FileResult, list[Revealed]]:
    """The file read as the pipeline reads a split file: its parts in any order, then those to read again (put
    into ``again``), joined."""
    planned = parts.plan(path, Path(path).stat().st_size, part_bytes)
    assert planned is not None and len(planned) > 1
    joiner = parts.PartJoiner()
    joined = None
    work = list(reversed(planned))  # they come back in any order
    while work:
        for part in work:
            joined = joiner.add(scanner.scan_part(part), scanner.people.take_revealed()) or joined
        work = joiner.take_again()
        if again is not None:
            again += work
    assert joined is not None and joined.result is not None
    return scanner.with_facts(joined.result), joined.records  # as the pipeline joins them


def whole(scanner: FileScanner, path: str) -> tuple[FileResult, list[Revealed]]:
    result = scanner.scan_file(path)
    return result, scanner.people.take_revealed()


def read_as_parts(scanner: FileScanner, path: Path, part_bytes: int) -> list[tuple[parts.PartResult, list[Revealed]]]:
    """Each part of the file as a worker reads it, in order, with its --reveal records."""
    planned = parts.plan(str(path), path.stat().st_size, part_bytes)
    assert planned is not None and len(planned) > 1
    return [(scanner.scan_part(part), scanner.people.take_revealed()) for part in planned]


@pytest.fixture(scope="module")
def scanner() -> FileScanner:
    return FileScanner(OPTIONS)


@pytest.mark.parametrize("minimum", [Confidence.LOW, Confidence.MEDIUM], ids=["low", "default"])
@pytest.mark.parametrize("encoding", ["ascii", "utf-8", "cp932", "euc-jp"])
@settings(max_examples=8, deadline=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), part_bytes=st.integers(2_000, 60_000))
def test_a_file_read_as_parts_gives_what_it_gives_whole(tmp_path: Path, encoding: str, minimum: Confidence,
                                                        seed: int, part_bytes: int) -> None:
    """Random logs cut at random part sizes (a part as small as a few lines: a cut falls inside the context
    window of many numbers), at --min-confidence low (every finding) and at the default (held-back counts)."""
    if minimum not in SCANNERS:
        SCANNERS[minimum] = FileScanner(OPTIONS._replace(min_confidence=minimum))
    scanner = SCANNERS[minimum]
    path = tmp_path / f"app-{encoding}.log"
    path.write_bytes(log_text(3000, seed, encoding != "ascii").encode(encoding))
    expected = whole(scanner, str(path))
    assert expected[0].findings and (expected[0].held_back or minimum == Confidence.LOW)  # something to agree on
    assert outcome(*by_parts(scanner, str(path), part_bytes)) == outcome(*expected)


def test_lines_after_a_cut_are_counted_from_the_file_start(scanner: FileScanner, tmp_path: Path) -> None:
    number = valid_number(3)
    path = tmp_path / "a.log"
    path.write_text("filler line\n" * 9999 + f"my number {number}\n" + "filler line\n" * 5000, encoding="ascii")
    result, _ = by_parts(scanner, str(path), 20_000)
    assert [finding.location.line for finding in result.findings] == [10000]


def test_a_line_end_is_a_character_boundary_in_every_japanese_encoding() -> None:
    """Why a cut just after a newline never splits a character: no character of CP932 or EUC-JP other than the
    line feed itself has the byte 0x0A in it (their second bytes are 0x40 and above, 0xA1 and above), nor of
    UTF-8 (every byte of a multi-byte character is 0x80 and above). Checked on every character they encode."""
    for encoding in ("cp932", "euc-jp", "utf-8"):
        encoder = codecs.getencoder(encoding)
        for code in range(sys.maxunicode + 1):
            if 0xD800 <= code <= 0xDFFF or code == 0x0A:
                continue
            try:
                encoded = encoder(chr(code))[0]
            except UnicodeEncodeError:
                continue
            assert b"\n" not in encoded, (encoding, hex(code))


def test_an_ascii_log_with_japanese_further_on_is_read_once(scanner: FileScanner, tmp_path: Path) -> None:
    """The encoding is told by the first non-ASCII bytes of the file: a part of a file whose first block is ASCII
    that meets any goes on in the encoding its block tells and says so; the parent checks it is the one the
    whole-file read tells from its own block (here: a CP932 keyword 1.2 MB into a 1.24 MB file), and keeps it."""
    number = valid_number(5)
    text = "GET /index.html 200\n" * 60000 + f"個人番号 {number}\n" + "GET /index.html 200\n" * 2000
    path = tmp_path / "later.log"
    data = text.encode("cp932")
    path.write_bytes(data)
    results = read_as_parts(scanner, path, 100_000)
    at = data.index("個人番号".encode("cp932"))
    assert results[0][0].part.encoding is None
    assert [(result.part.ordinal, result.switched) for result, _ in results if result.left_ascii] == \
        [(result.part.ordinal, "cp932") for result, _ in results
         if result.part.start <= at < (result.part.end or len(data))]
    assert all(result.edges_ascii for result, _ in results)
    assert parts.read_again(results) == []
    again: list[parts.FilePart] = []
    assert outcome(*by_parts(scanner, str(path), 100_000, again)) == outcome(*whole(scanner, str(path)))
    assert again == []


def test_a_part_that_told_another_encoding_or_read_japanese_context_as_ascii_is_read_again(
        scanner: FileScanner, tmp_path: Path) -> None:
    """The whole-file read tells the encoding once, from the block of the file's first non-ASCII byte; a later
    part whose own block tells another (a line of EUC-JP after a line of CP932: each block alone says its own)
    is read again in the file's, and so is a part whose context before holds the Japanese (read as ASCII)."""
    cp932_line = f"個人番号 {valid_number(6)}\n".encode("cp932")
    euc_line = f"マイナンバー {valid_number(7)} 登録\n".encode("euc-jp")
    filler = b"GET /index.html 200\n"
    data = filler * 60000 + cp932_line + filler * 6000 + euc_line + filler * 10
    path = tmp_path / "two-encodings.log"
    path.write_bytes(data)
    results = read_as_parts(scanner, path, 40_000)
    switched = {result.switched for result, _ in results if result.left_ascii}
    assert len(switched) == 2  # each part told its own block's encoding
    again_parts = parts.read_again(results)
    assert again_parts and {part.encoding for part in again_parts} == {"cp932"}
    again: list[parts.FilePart] = []
    assert outcome(*by_parts(scanner, str(path), 40_000, again)) == outcome(*whole(scanner, str(path)))
    assert again


def mostly_ascii(seed: int, encoding: str, japanese_lines: int) -> bytes:
    """An ASCII log of about 1.6 MB (its first block, head and chunk, ASCII; a terminal's colours on a line in a
    hundred) with a few Japanese lines (numbers with their keywords, full-width digits) further on, at random
    places: the first at least 1.2 MB in."""
    rng = random.Random(seed)
    lines = log_text(24_000, seed, False).splitlines(keepends=True)
    after_head = next(index for index, size in enumerate(itertools.accumulate(map(len, lines))) if size > 1_200_000)
    for index in rng.sample(range(len(lines)), len(lines) // 100):  # a terminal's colours on some lines
        lines[index] = "\x1b[32m" + lines[index].rstrip("\n") + "\x1b[0m\n"
    japanese = [line for line in log_text(japanese_lines * 40, seed + 1, True).splitlines(keepends=True)
                if not line.isascii()]
    places = sorted(rng.sample(range(after_head + 1, len(lines)), japanese_lines))
    for place in reversed(places):
        lines[place:place] = rng.sample(japanese, 1)
    return "".join(lines).encode(encoding, errors="replace")


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc-jp"])
@settings(max_examples=6, deadline=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), japanese_lines=st.sampled_from([1, 3, 40]),
       part_bytes=st.integers(30_000, 400_000))
def test_a_mostly_ascii_log_read_as_parts_gives_what_it_gives_whole(scanner: FileScanner, tmp_path: Path,
                                                                     encoding: str, seed: int, japanese_lines: int,
                                                                     part_bytes: int) -> None:
    """Japanese lines deep inside an ASCII log, wherever the cuts fall: the parts read again and those kept give
    the findings, lines, held-back counts and revealed numbers of the whole-file read."""
    path = tmp_path / f"mostly-ascii-{encoding}.log"
    path.write_bytes(mostly_ascii(seed, encoding, japanese_lines))
    again: list[parts.FilePart] = []
    expected = whole(scanner, str(path))
    assert expected[0].findings
    assert outcome(*by_parts(scanner, str(path), part_bytes, again)) == outcome(*expected)
    assert len({part.encoding for part in again}) <= 1 and None not in {part.encoding for part in again}


def test_a_coloured_log_with_japanese_further_on_is_read_by_its_parts(scanner: FileScanner, tmp_path: Path) -> None:
    """A terminal's colours (escape bytes that designate no character set) pass through the reader as they are:
    a log with them before and after its first Japanese is still read as parts, with the whole read's findings."""
    colour = "\x1b[31mERROR\x1b[0m request failed\n"
    text = ("GET /index.html 200\n" * 30 + colour) * 2500 + f"個人番号 {valid_number(2)}\n" + \
        (colour + "GET / 200\n" * 50) * 200
    path = tmp_path / "colour.log"
    path.write_bytes(text.encode("utf-8"))
    results = read_as_parts(scanner, path, 100_000)
    assert any(result.left_ascii for result, _ in results)
    assert parts.read_again(results) is not None
    assert outcome(*by_parts(scanner, str(path), 100_000)) == outcome(*whole(scanner, str(path)))


@pytest.mark.parametrize("held", [0, 1, 2, 3])
def test_an_escape_sequence_cut_by_the_blocks_edge_moves_it_as_the_whole_read_moves_it(
        scanner: FileScanner, tmp_path: Path, held: int) -> None:
    """The whole read's JIS stage holds an escape sequence cut by a block's end back for the next block: the
    encoding of a mostly-ASCII file is told from the block so moved, as the whole read tells it."""
    edge = SAMPLE_SIZE + CHUNK_SIZE  # the whole-file read's second block starts here
    filler = b"GET /index.html 200\n"
    head = filler * (edge // len(filler) - 1)
    colour = b"\x1b[0m"
    pad = edge - len(head) - held
    data = head + b"x" * pad + colour + b"\n" + "個人番号 ".encode("cp932") + valid_number(4).encode() + b"\n" + \
        filler * 9_000
    path = tmp_path / "edge.log"
    path.write_bytes(data)
    results = read_as_parts(scanner, path, 100_000)
    assert any(result.left_ascii for result, _ in results)
    assert parts.read_again(results) is not None
    assert outcome(*by_parts(scanner, str(path), 100_000)) == outcome(*whole(scanner, str(path)))


def test_an_iso_2022_jp_designation_sends_the_file_to_be_read_whole(scanner: FileScanner, tmp_path: Path) -> None:
    """An ISO-2022-JP designation switches the reader to its decoder, which carries its character set across
    line ends: the part meeting one says so, and the file is read whole, as before."""
    filler = b"GET /index.html 200\n"
    data = filler * 70_000 + b"\x1b$B8D?MHV9f\x1b(B " + valid_number(3).encode() + b"\n" + filler * 100
    path = tmp_path / "jis.log"
    path.write_bytes(data)
    results = read_as_parts(scanner, path, 100_000)
    assert any(result.jis for result, _ in results)
    assert parts.read_again(results) is None  # read whole
    joiner = parts.PartJoiner()
    assert [joined for result, revealed in results if (joined := joiner.add(result, revealed)) is not None] == \
        [parts.Joined(str(path), None, [])]


@pytest.mark.parametrize("data", [
    ("マイナンバー 123\n" * 2000).encode("utf-16"),  # decoded before it is cut
    ("\x1b$B8D?MHV9f\x1b(B 123\n" * 2000).encode("ascii"),  # ISO-2022-JP: the set crosses line ends
    b"\x89PNG\r\n\x1a\n" + bytes(200_000),  # not plain text
    b"x" * 200_000,  # no line end to cut at
], ids=["utf-16", "iso-2022-jp", "picture", "one-line"])
def test_files_that_are_not_cut(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    assert parts.plan(str(path), len(data), 10_000) is None


def test_a_part_that_cannot_be_read_sends_the_file_to_be_read_whole(scanner: FileScanner, tmp_path: Path) -> None:
    path = tmp_path / "gone.log"
    path.write_text("line\n" * 50_000, encoding="ascii")
    planned = parts.plan(str(path), path.stat().st_size, 50_000)
    assert planned is not None
    path.unlink()
    failed = scanner.scan_part(planned[1])
    assert failed.result is None
    assert parts.join([(failed, [])]).result is None


def test_a_file_over_the_size_limit_is_left_to_the_whole_file_read(tmp_path: Path) -> None:
    """--max-file-size: the whole-file read reports the file as too large; no part of it is read."""
    path = tmp_path / "big.log"
    path.write_text(f"my number {valid_number(1)}\n" * 20_000, encoding="ascii")
    planned = parts.plan(str(path), path.stat().st_size, 50_000)
    assert planned is not None
    limited = FileScanner(OPTIONS._replace(max_file_size=100_000))
    assert all(limited.scan_part(part).result is None for part in planned)


def scan(path: Path, jobs: int, split: int, state: Path | None = None) -> tuple[ScanResult, RevealedNumbers]:
    """With a state file, without --reveal (which reads the files with findings again)."""
    revealed = RevealedNumbers()
    options = OPTIONS._replace(jobs=jobs, state_path=str(state) if state else None, reveal=state is None)
    result = scan_paths([str(path)], options, runner=ProcessPool(jobs, split_bytes=split), revealed=revealed)
    return result, revealed


def documents(result: ScanResult, revealed: RevealedNumbers) -> tuple[Any, ...]:
    document = result.to_json(revealed)
    return tuple(document[key] for key in ("summary", "findings", "samples", "unscanned"))


def test_two_workers_share_a_large_file_and_the_scan_is_the_same(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: a file over the split size read by two worker processes, with a state file, against one
    process reading it whole; and the state remembers it as one file: the next scan reads nothing."""
    share, state = tmp_path / "share", tmp_path / "state.db"
    share.mkdir()
    (share / "big.log").write_bytes(log_text(40000, 7, True).encode("utf-8"))
    (share / "small.txt").write_text(f"my number {valid_number(9)}\n", encoding="ascii")
    split, one = scan(share, 2, 200_000), scan(share, 1, 200_000)
    assert documents(*split) == documents(*one)
    assert split[0].files_scanned == 2 and split[0].findings
    remembered = scan(share, 2, 200_000, state)[0]
    read: list[str] = []
    monkeypatch.setattr(FileScanner, "scan_files", lambda self, paths: read.extend(paths) or ([], []))
    again = scan(share, 1, 200_000, state)[0]
    assert read == []
    assert documents(again, RevealedNumbers())[:2] == documents(remembered, RevealedNumbers())[:2]
    assert documents(again, RevealedNumbers())[1] == documents(split[0], RevealedNumbers())[1]


def test_a_split_file_that_leaves_ascii_late_is_read_by_the_workers(tmp_path: Path) -> None:
    """The first block (1 MiB and the head) is ASCII, Japanese in CP932 comes 1.5 MB in: the parts that meet it
    go on in CP932; the scan is the one a whole-file read gives."""
    share = tmp_path / "share"
    share.mkdir()
    ascii_part = log_text(20000, 11, False)
    (share / "mixed.log").write_bytes(ascii_part.encode("ascii") + log_text(3000, 12, True).encode("cp932"))
    assert len(ascii_part) > 1_200_000
    assert documents(*scan(share, 2, 200_000)) == documents(*scan(share, 1, 200_000))


@pytest.mark.parametrize("tail", [b"", b"ok 12\n"])
@pytest.mark.parametrize("last_block", [100, 2200, 4250, 4255, 8000])
def test_a_number_just_before_a_parts_end_sees_the_keyword_after_it(scanner: FileScanner, tmp_path: Path,
                                                                      last_block: int, tail: bytes) -> None:
    """A part's last block is as short as the part leaves it, shorter than the lookahead (4,256 bytes) too: its
    units' lookahead still reaches the bytes after the part, so a number whose keyword follows just after the cut
    ("my number" on the next part's first line) is found as a whole-file read finds it, with that keyword. (A
    last block of 4,250 bytes ending "ok 12" was cut 6 bytes before its end: the keyword, 16 characters after the
    number, was out of the unit's reach.)"""
    number_line, keyword_line = f"value {valid_number(17)}\n".encode(), b"my number above\n"
    part_end = CHUNK_SIZE + last_block  # the part's last block: last_block bytes
    head = part_end - len(tail) - len(number_line)
    filler = b"filler line\n" * (head // 12 - 1)
    first = filler + b"#" * (head - len(filler) - 1) + b"\n" + number_line + tail
    _assert_two_parts_read_as_whole(scanner, tmp_path / "cut.log", first, keyword_line)


@pytest.mark.parametrize("last_block", [10, 20])
def test_a_number_after_a_parts_short_last_unit_sees_the_keyword_before_it(scanner: FileScanner, tmp_path: Path,
                                                                             last_block: int) -> None:
    """A part's short last block may end a unit only a line long ("ab"): the next unit's context is still the
    lookahead's worth of bytes before it, reaching into the unit before that one, so the keyword two lines up
    ("my number:") is seen as a whole-file read sees it."""
    number_line = f"value {valid_number(23)}\n".encode()
    keyword_end = CHUNK_SIZE - CONTEXT_BYTES  # block 0's unit ends just after the keyword's line
    carried = b"ab\n" + number_line  # the next unit's scanned part is "ab" alone
    carried += b"#" * (CONTEXT_BYTES + last_block - len(carried) - 1) + b"\n"
    before = b"filler line\n" * (keyword_end // 12 - 2)
    before += b"#" * (keyword_end - len(before) - len(b"my number:\n") - 1) + b"\n" + b"my number:\n"
    first = before + carried
    assert len(first) == CHUNK_SIZE + last_block
    _assert_two_parts_read_as_whole(scanner, tmp_path / "short.log", first, b"")


def _assert_two_parts_read_as_whole(scanner: FileScanner, path: Path, first: bytes, second_head: bytes) -> None:
    """``first`` and a second part as long, starting with ``second_head`` then filler lines, written to ``path``
    and planned as exactly those two parts: the one finding is HIGH read whole, and the same read as parts."""
    second = second_head + b"filler line\n" * ((len(first) - len(second_head)) // 12 - 1)
    second += b"#" * (len(first) - len(second) - 1) + b"\n"
    path.write_bytes(first + second)
    planned = parts.plan(str(path), path.stat().st_size, len(first))
    assert planned is not None and [part.start for part in planned] == [0, len(first)]
    expected = whole(scanner, str(path))
    assert [f.confidence for f in expected[0].findings] == [Confidence.HIGH]
    assert outcome(*by_parts(scanner, str(path), len(first))) == outcome(*expected)
