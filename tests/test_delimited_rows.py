"""A large table is mostly rows that cannot hold a My Number (names, addresses, dates, phone numbers): past the
header rows, the CSV reader asks a block of rows at once whether each could hold a candidate
(:func:`detector.mynumber.could_hold`) and gives units only for those. The plain form gives a unit for every
row; the rows it leaves out hold nothing the scanner finds, in any form a number is written in."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.extract import Source, TextUnit
from detector.extract.delimited import DelimitedExtractor
from detector.extract.table import HEADER_SEARCH_ROWS
from detector.match import TextScanner
from detector.model import Confidence, ScanOptions
from detector.mynumber import could_hold
from detector.rules import load_rules
from detector.scanner import FileScanner

from .conftest import valid_number

FW = str.maketrans("0123456789", "０１２３４５６７８９")


def number_forms(rng: random.Random) -> str:
    """A valid number as people and programs write it, or something that only looks like one."""
    number = valid_number(rng.randrange(10_000))
    forms = [
        number,
        number.translate(FW),
        f"{number[:4]}-{number[4:8]}-{number[8:]}",
        f"{number[:4]} {number[4:8]} {number[8:]}",
        f"{number[:4]}\u3000{number[4:8]}\u3000{number[8:]}".translate(FW),
        f"{number[:4]}－{number[4:8]}－{number[8:]}",
        "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in number),  # percent-encoded full-width digits
        "".join(f"\\uff1{d}" for d in number),  # JSON escapes
        "".join(f"&#{65296 + int(d)};" for d in number),  # HTML character references
        f"{number[:4]}+{number[4:8]}+{number[8:]}",  # a form's spaces as '+'
        f"{number[:4]}%20{number[4:8]}%20{number[8:]}",
        number + "5",  # thirteen digits: no candidate
        f"03-{number[:4]}-{number[4:8]}",  # a phone number
        f"{number[:6]}.{number[6:]}",
    ]
    return rng.choice(forms)


def filler(rng: random.Random) -> str:
    return rng.choice(["山田 太郎", "東京都千代田区1-2-3", "1980-01-11", "03-1234-5678", "〒100-0001", "",
                       "備考", "２０２５年８月９日", "12,345,678", "note", "a\nb", "x" * 30])


def table(seed: int, delimiter: str, rows: int) -> str:
    """A header row, then rows of filler with a number in some form in a few cells (a tab-delimited table may
    hold a 4-4-4 number across three cells, its tabs the separators)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(["名前", "住所", "電話", "個人番号", "備考"])
    for _ in range(rows):
        cells = [filler(rng) for _ in range(5)]
        if rng.random() < 0.1:
            cells[rng.randrange(5)] = number_forms(rng)
        if delimiter == "\t" and rng.random() < 0.03:
            number = valid_number(rng.randrange(10_000))
            cells[1:4] = [number[:4], number[4:8], number[8:]]
        writer.writerow(cells)
    return out.getvalue()


def units(text: str, every_row: bool) -> list[TextUnit]:
    data = text.encode("utf-8")
    source = Source(path="t.csv", stream=io.BytesIO(data), head=data[:65536], size=len(data))
    return list(DelimitedExtractor(every_row=every_row).extract(source))


@pytest.fixture(scope="module")
def text_scanner() -> TextScanner:
    return TextScanner(load_rules(()), min_confidence=Confidence.LOW)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), delimiter=st.sampled_from([",", "\t"]), rows=st.integers(0, 2500))
def test_the_rows_left_out_hold_nothing_the_scanner_finds(text_scanner: TextScanner, seed: int, delimiter: str,
                                                          rows: int) -> None:
    every = units(table(seed, delimiter, rows), every_row=True)
    kept = units(table(seed, delimiter, rows), every_row=False)
    kept_lines = [unit.first_line for unit in kept]
    assert kept == [unit for unit in every if unit.first_line in set(kept_lines)]  # the same units, in order
    for unit in every:
        if unit.first_line not in kept_lines:
            scanned = text_scanner.scan_unit(unit)
            assert scanned.candidates == [] and scanned.counted is None, unit.text


def test_a_large_table_gives_units_only_for_the_rows_that_could_hold_a_number(tmp_path: Path) -> None:
    """3,000 rows of names and phone numbers, five numbers among them: past the rows the headers are looked for
    in (each a unit, as before), five units, and the scan finds the five."""
    numbers = [valid_number(seed) for seed in range(5)]
    rows = [f"{index},山田 太郎,03-{index % 9000 + 1000}-5678,1980-01-11," for index in range(3000)]
    for place, number in zip((100, 900, 1500, 2200, 2999), numbers, strict=True):
        rows[place] += number
    text = "番号,氏名,電話,生年月日,個人番号\n" + "\n".join(rows) + "\n"
    past_headers = [unit.first_line for unit in units(text, every_row=False)
                    if (unit.first_line or 0) > HEADER_SEARCH_ROWS]
    assert past_headers == [102, 902, 1502, 2202, 3001]
    assert len(units(text, every_row=True)) == 3001
    path = tmp_path / "名簿.csv"
    path.write_text(text, encoding="utf-8")
    result = FileScanner(ScanOptions(key=b"k")).scan_file(str(path))
    assert [finding.location.line for finding in result.findings] == [102, 902, 1502, 2202, 3001]
    assert {finding.confidence for finding in result.findings} == {Confidence.HIGH}


@pytest.mark.parametrize("joiner", ["\n", ",", "\x00"])
def test_each_rows_spans_overlap_the_joined_texts(joiner: str) -> None:
    """What :func:`could_hold` finds in a row alone, it finds across the rows joined (a span of the joined text
    overlaps it), however the rows are joined: the block's question gives every row its answer."""
    rng = random.Random(7)
    texts = [number_forms(rng) if rng.random() < 0.3 else filler(rng) for _ in range(400)]
    joined = joiner.join(texts)
    spans = list(could_hold(joined))
    offset = 0
    for text in texts:
        for start, end in could_hold(text):
            assert any(s < offset + end and offset + start < e for s, e in spans), text
        offset += len(text) + len(joiner)
