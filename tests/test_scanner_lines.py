"""Line numbers of a text read in chunks. The text reader only says that each unit after the first continues the
one before it; the matcher counts a unit's newlines on the way to its candidates' lines (on ASCII in the C pass,
in the sweep that finds them) and says how many it counted; the scanner carries that count from one unit to the
next. So a number's line is the same whether its file is read whole or in chunks of any size, in any encoding,
with either engine, with or without the C pass."""

from __future__ import annotations

import io
import random
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.extract import Source, TextUnit
from detector.extract.text import TextExtractor
from detector.identify import TEXT
from detector.match import TextScanner, UnitScan, hyperscan_available
from detector.model import Candidate, Confidence, Location, ScanOptions
from detector.native import speedups
from detector.rules import Rules
from detector.scanner import FileScanner, UnitLines

from .conftest import valid_number

ENGINES = ["re", *(["hyperscan"] if hyperscan_available() else [])]
SPEEDUPS = [False, *([True] if speedups is not None else [])]
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def log_text(seed: int, size: int, japanese: bool) -> str:
    """About ``size`` characters of log lines holding numbers (plain, grouped, full-width, percent-escaped), with
    empty lines, CRLF line ends and lines longer than a chunk (cut inside the line by the text reader)."""
    rng = random.Random(seed)
    shapes = ["t={t} info request ok user=u{u} took={u}ms\n", "t={t} id={n}\n", "t={t} mynumber={g}\r\n", "\n",
              "t={t} q=%3{d}%3{d}\n", "{long}{n}\n"]
    if japanese:
        shapes += ["t={t} 個人番号 {w} を登録しました\n", "t={t} 社員 山田 備考なし\n"]
    lines = []
    while sum(map(len, lines)) < size:
        number = valid_number(rng.randrange(1000))
        lines.append(rng.choice(shapes).format(
            t=rng.randrange(10**9), u=rng.randrange(1000), n=number, d=rng.randrange(10),
            g=f"{number[:4]}-{number[4:8]}-{number[8:]}", w=number.translate(FW),
            long="k=v," * (rng.randrange(2000, 9000) if rng.random() < 0.1 else 1)))
    return "".join(lines)


def found_lines(data: bytes, engine: str, fast: bool, chunk_size: int) -> list[tuple[int | None, str]]:
    """(line, person) of every finding of ``data`` read as standard input in chunks of ``chunk_size``."""
    scanner = FileScanner(ScanOptions(key=b"k" * 32, engine=engine, min_confidence=Confidence.LOW))
    scanner.text_scanner.fast_ascii = fast and scanner.text_scanner.fast_ascii
    scanner.extractors[TEXT] = TextExtractor(chunk_size)
    result = scanner.scan_stream(io.BytesIO(data))
    return sorted((f.location.line, f.fingerprint) for f in result.findings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), encoding=st.sampled_from(["ascii", "utf-8", "cp932", "euc-jp", "utf-16"]),
       engine=st.sampled_from(ENGINES), fast=st.sampled_from(SPEEDUPS), chunk_size=st.integers(5000, 40000))
def test_a_number_has_the_same_line_read_whole_or_in_chunks(seed: int, encoding: str, engine: str, fast: bool,
                                                           chunk_size: int) -> None:
    data = log_text(seed, 150_000, japanese=encoding != "ascii").encode(encoding)
    whole = found_lines(data, "re", False, 1 << 24)
    assert whole  # the text holds numbers, on lines past the first chunk
    assert found_lines(data, engine, fast, chunk_size) == whole


def test_the_readers_units_after_the_first_continue_it_and_count_no_lines() -> None:
    """The reader leaves the lines to the scanner: its first unit starts at line 1, the others continue."""
    data = log_text(1, 100_000, japanese=True).encode("utf-8")
    stream = io.BytesIO(data)
    units = list(TextExtractor(8192).extract(Source("f.txt", stream, b"", len(data))))
    assert len(units) > 2
    assert [unit.continues for unit in units] == [False] + [True] * (len(units) - 1)
    assert units[0].first_line == 1


def test_a_unit_is_a_value_the_matcher_cannot_write_back_into() -> None:
    """Nothing flows back from the matcher to the reader: a unit is frozen, and no field of it is a container
    that could be filled after the unit was made (what the matcher counts is part of its result)."""
    assert TextUnit.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert not [f.name for f in fields(TextUnit) if str(f.type).startswith(("list", "dict", "set", "bytearray"))]


class _CountingSeven:
    """A matcher that finds nothing and says each unit held seven newlines."""

    def __init__(self) -> None:
        self.first_lines: list[int | None] = []

    def scan_unit(self, unit: TextUnit) -> UnitScan:
        self.first_lines.append(unit.first_line)
        return UnitScan([], 7)


def test_a_continuing_unit_starts_where_the_matcher_says_the_unit_before_it_ended() -> None:
    """The line a continuing unit starts at is the one before it plus the newlines the matcher counted there:
    nobody counts them again. After a unit without lines (a table row, a page), one that continues it has none."""
    matcher = _CountingSeven()
    lines = UnitLines(matcher)  # type: ignore[arg-type]
    for unit in (TextUnit(data=b"", first_line=3), TextUnit(data=b"", continues=True),
                 TextUnit(data=b"", continues=True), TextUnit(text="", first_line=None),
                 TextUnit(text="", continues=True), TextUnit(data=b"", first_line=1),
                 TextUnit(data=b"", continues=True)):
        lines.scan(unit)
    assert matcher.first_lines == [3, 10, 17, None, None, 1, 8]


def test_the_matcher_counts_the_newlines_of_the_scanned_part_only(rules: Rules) -> None:
    """Context before ``scan_from`` and lookahead from ``scan_to`` on are not the unit's lines; the C pass, which
    counts the whole chunk, gives the same count as Python does."""
    context, scanned_part = b"ctx\nctx\n", b"a\nb 123456789018\n\nc\n"
    data = context + scanned_part + b"look\nahead\n"
    scan_from, scan_to = len(context), len(context) + len(scanned_part)
    for engine in ENGINES:
        for fast in SPEEDUPS:
            matcher = TextScanner(rules, engine)
            matcher.fast_ascii = fast and matcher.fast_ascii
            scanned = matcher.scan_unit(TextUnit(data=data, encoding="ascii", first_line=5, scan_from=scan_from,
                                                 scan_to=scan_to))
            assert scanned.newlines == 4, (engine, fast)
            text = TextUnit(text=data.decode(), first_line=5, scan_from=scan_from, scan_to=scan_to)
            assert matcher.scan_unit(text).newlines == 4


def test_a_unit_that_continues_another_is_not_scanned_without_the_line_it_starts_at(rules: Rules) -> None:
    with pytest.raises(ValueError, match="continues"):
        TextScanner(rules).scan_unit(TextUnit(data=b"123456789018\n", continues=True))


def test_a_scanned_units_candidates_keep_the_line_the_scanner_gave_it(rules: Rules) -> None:
    lines = UnitLines(TextScanner(rules, "re"))
    number = valid_number(3)
    first = lines.scan(TextUnit(data=f"a\n{number}\n".encode(), first_line=1, scan_to=2))
    second = lines.scan(TextUnit(data=f"a\n{number}\n".encode(), continues=True, scan_from=2))
    assert first == []
    assert [(c.digits, c.location) for c in second] == [(number, Location(line=2))]
    assert isinstance(second[0], Candidate)


def test_every_line_of_a_file_with_a_number_on_each_line_is_its_own(tmp_path: Path) -> None:
    """Numbers on every line: their context windows merge into one window as long as the chunk, and each finding
    still names its own line (counted on from the finding before it)."""
    numbers = [valid_number(seed) for seed in range(3000)]
    path = tmp_path / "dense.log"
    path.write_text("".join(f"GET /a?id={index} my number {number}\n" for index, number in enumerate(numbers)),
                    encoding="ascii")
    result = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW)).scan_file(str(path))
    assert [finding.location.line for finding in result.findings] == list(range(1, 3001))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]),
       chunk_size=st.integers(5000, 40000))
def test_utf16_handed_on_as_utf8_gives_what_its_decoded_text_gives(seed: int, encoding: str, chunk_size: int) -> None:
    """UTF-16 text is decoded and cut into str units; handed on as the same units in UTF-8 bytes (the matcher's C
    pass reads those), every finding is the one the str units give: its place, person, confidence and reasons."""
    data = log_text(seed, 150_000, japanese=True).encode(encoding)

    def found(as_utf8: bool) -> list[tuple[object, ...]]:
        scanner = FileScanner(ScanOptions(key=b"k" * 32, min_confidence=Confidence.LOW))
        scanner.extractors[TEXT] = TextExtractor(chunk_size, utf16_as_utf8=as_utf8)
        result = scanner.scan_stream(io.BytesIO(data))
        return sorted((f.location, f.fingerprint, f.confidence, f.reasons, f.items) for f in result.findings)

    plain = found(False)
    assert plain and found(True) == plain
