"""Candidates only counted (far from any keyword, scored bare, below ``--min-confidence``) leave the matcher apart
from the others, as each unit's :class:`~detector.model.Counted`, and the people stage counts them without making a
candidate of each. Whatever comes of a file must be what comes of the same candidates taken one by one
(:meth:`~detector.model.FileCandidates.everything`, the plain form): the same findings, the same samples in the same
order, the same held-back counts and people, the same ``--reveal`` stream; and what a scan that counts them apart
gives must be what the reference engine, which scores every candidate, gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.extract import TextUnit
from detector.extract.text import TextExtractor
from detector.identify import TEXT
from detector.match import TextScanner, hyperscan_available
from detector.model import Candidate, Confidence, Counted, FileCandidates, FileResult, Location, ScanOptions
from detector.people import People
from detector.rules import Rules
from detector.scanner import FileScanner

from .conftest import valid_number

SAMPLE = "123456789018"  # the official example (rules/detection.toml): a sample, never a person
NUMBERS = [valid_number(i) for i in range(4)] + [SAMPLE]
PLACES = [Location(), Location(member="docs.zip/a.txt")]
MANY = [valid_number(i) for i in range(100, 400)]

# One unit: its place, its scored candidates (line, number, confidence) and those only counted (line, number).
UNITS = st.tuples(
    st.sampled_from(PLACES),
    st.lists(st.tuples(st.integers(1, 4), st.sampled_from(NUMBERS), st.sampled_from(list(Confidence))),
             max_size=6, unique_by=lambda c: (c[0], c[1])),
    st.lists(st.tuples(st.integers(1, 4), st.sampled_from(NUMBERS)), max_size=8),
)


def _found(units: list[tuple[Location, list[tuple[int, str, Confidence]], list[tuple[int, str]]]],
           names: list[str]) -> FileCandidates:
    """A file's candidates as the scanner gathers them: each unit's scored ones in its order (line, then digits),
    with its counted ones apart; a name's candidate between units."""
    found = FileCandidates()
    for index, (place, scored, counted) in enumerate(units):
        candidates = [Candidate(digits, False, place._replace(line=line), confidence, ("scored",))
                      for line, digits, confidence in sorted(scored, key=lambda c: (c[0], c[1]))]
        found.add(candidates, Counted(place, Confidence.LOW, ("bare",), [line for line, _ in counted],
                                      [digits for _, digits in counted]))
        if index < len(names):
            found.add([Candidate(names[index], False, Location(name="file"), Confidence.HIGH, ("name:whole",))])
    return found


def _outcome(people: People, result: FileResult) -> tuple[Any, ...]:
    return (result.findings, result.samples, result.held_back, result.held_back_people,
            [(record.key, record.digits) for record in people.take_revealed()])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=st.lists(UNITS, max_size=4), names=st.lists(st.sampled_from(NUMBERS), max_size=2),
       minimum=st.sampled_from([Confidence.MEDIUM, Confidence.HIGH]))
def test_counted_apart_or_one_by_one_a_file_gives_the_same(rules: Rules, units: list[Any], names: list[str],
                                                           minimum: Confidence) -> None:
    people = FileScanner(ScanOptions(key=b"k", min_confidence=minimum, reveal=True), rules).people
    found = _found(units, names)
    apart = _outcome(people, people.findings_of("f.txt", found, TEXT))
    one_by_one = _outcome(people, people.findings_of("f.txt", found.everything(), TEXT))
    assert apart == one_by_one


def test_a_counted_sample_is_listed_at_its_place_among_the_others(rules: Rules) -> None:
    """A sample far from any keyword is only counted by the matcher, yet listed as a sample, where it is."""
    people = FileScanner(ScanOptions(key=b"k"), rules).people
    found = FileCandidates()
    found.add([Candidate(NUMBERS[0], False, Location(line=2), Confidence.LOW, ("scored",)),
               Candidate(NUMBERS[1], False, Location(line=5), Confidence.LOW, ("scored",))],
              Counted(Location(), Confidence.LOW, ("bare",), [3, 4], [SAMPLE, NUMBERS[2]]))
    result = people.findings_of("f.txt", found, TEXT)
    assert [(s.location, s.sample_id) for s in result.samples] == [(Location(line=3), "official-example")]
    assert result.held_back == {"low": 3}
    assert len(result.held_back_people) == 3


def test_a_place_counted_apart_and_found_is_one_finding_and_nothing_held_back(rules: Rules) -> None:
    people = FileScanner(ScanOptions(key=b"k"), rules).people
    found = FileCandidates()
    found.add([Candidate(NUMBERS[0], False, Location(line=2), Confidence.HIGH, ("keyword",))],
              Counted(Location(), Confidence.LOW, ("bare",), [2, 2, 7], [NUMBERS[0], NUMBERS[0], NUMBERS[0]]))
    result = people.findings_of("f.txt", found, TEXT)
    assert [(f.location, f.confidence) for f in result.findings] == [(Location(line=2), Confidence.HIGH)]
    assert result.held_back == {"low": 1}  # line 7 only
    assert result.held_back_people == {result.findings[0].fingerprint}


# -- a whole scan: counted apart (hyperscan and the C passes) against every candidate scored (re) ----------------

def _dense_text(repeat: int) -> str:
    """Lines dense with numbers, most far from any keyword: one twice on a line, a sample among them, now and
    then the same number near a keyword and far from it on one line, and long lines that chunks cut."""
    lines = []
    for i in range(repeat):
        a, b, c = (MANY[(3 * i + k) % len(MANY)] for k in range(3))
        lines += [f"受注 {a} 顧客 {b} 伝票 {a}、電話 03-1234-5678\n", f"order {c} ref {SAMPLE} at 2025-08-09\n"]
        if i % 8 == 0:
            lines.append(f"個人番号: {b}、" + "あ" * 60 + f" 控え {b}\n")
        if i % 5 == 0:
            lines.append("x" * (40 + i) + f" {a}" + " filler" * 30 + f" {c}\n")
    return "".join(lines)


def _scan(rules: Rules, path: Path, engine: str, minimum: Confidence) -> tuple[Any, ...]:
    scanner = FileScanner(ScanOptions(key=b"k", engine=engine, min_confidence=minimum), rules)
    scanner.extractors[TEXT] = TextExtractor(4096)  # small chunks: lines cut between units
    result = scanner.scan_file(str(path))
    return (sorted((f.location, f.fingerprint, f.confidence) for f in result.findings),
            [(s.location, s.sample_id) for s in result.samples], result.held_back, result.held_back_people)


@pytest.mark.skipif(not hyperscan_available(), reason="the hyperscan engine is not available here")
@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc-jp"])
@pytest.mark.parametrize("minimum", [Confidence.MEDIUM, Confidence.HIGH])
def test_a_scan_that_counts_apart_gives_what_the_reference_engine_gives(rules: Rules, tmp_path: Path,
                                                                       encoding: str, minimum: Confidence) -> None:
    path = tmp_path / "ledger.txt"
    path.write_bytes(_dense_text(60).encode(encoding))
    apart = _scan(rules, path, "hyperscan", minimum)
    assert _scan(rules, path, "re", minimum) == apart
    assert apart[2].get("low", 0) > 100 and apart[1]  # most were counted apart; the sample is still listed


@pytest.mark.skipif(not hyperscan_available(), reason="the hyperscan engine is not available here")
def test_dense_text_is_counted_apart(rules: Rules) -> None:
    """The candidates far from any keyword come apart (so the test above compares the path it means to); with
    the others they are every candidate a scan that scores all of them finds, at the same lines."""
    unit = TextUnit(data=_dense_text(4).encode("utf-8"), encoding="utf-8")
    scan = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scan_unit(unit)
    assert scan.counted is not None and len(scan.counted.digits) >= 8
    every = TextScanner(rules, "re", Confidence.MEDIUM).scan_unit(unit).candidates
    assert {(c.location.line, c.digits) for c in scan.all_candidates()} == {
        (c.location.line, c.digits) for c in every}


def test_counted_candidates_show_no_digits_in_a_log_line() -> None:
    counted = Counted(Location(), Confidence.LOW, ("bare",), [1], [NUMBERS[0]])
    found = FileCandidates()
    found.add([Candidate(NUMBERS[1], False, Location(line=2), Confidence.LOW, ("bare",))], counted)
    shown = f"{counted!r} {counted} {found!r} {found}"
    assert NUMBERS[0] not in shown and NUMBERS[1] not in shown
    assert "1 candidates" in repr(counted)
