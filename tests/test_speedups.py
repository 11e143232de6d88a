"""The optional C speed-ups (detector/_speedups.c) give exactly what the Python paths give: the C pass over
ASCII text finds the hits the hyperscan prefilter and its pre-checks would keep, with the same line numbers,
and a scan is the same with it and without it."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sysconfig
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.candidates import DigitFinder
from detector.extract import TextUnit
from detector.match import TextScanner, ascii_pass
from detector.match.windows import AnchoredLineCounter
from detector.model import Confidence
from detector.mynumber import is_valid_digits
from detector.native import speedups
from detector.rules import Rules

from .conftest import invalid_number, valid_number

needs_speedups = pytest.mark.skipif(speedups is None, reason="the C speed-ups are not built here")

NUMBERS = [valid_number(i) for i in range(6)]
WRONG = [invalid_number(i) for i in range(3)]
SEPARATORS = b"- ."


def _grouped(number: str, separator: str) -> str:
    return separator.join((number[:4], number[4:8], number[8:]))


PIECES = st.sampled_from([
    *NUMBERS, *WRONG, *(f" {n} " for n in NUMBERS), *(_grouped(n, s) for n in NUMBERS[:3] for s in "- ."),
    _grouped(NUMBERS[3], "_"),
    NUMBERS[0][:4] + "-" + NUMBERS[0][4:8] + " " + NUMBERS[0][8:], "1" + NUMBERS[1], NUMBERS[2] + "9",
    _grouped(NUMBERS[4], "-") + "-1234", "12345678", "2026-12-02T04:12:44+09:00", "1234+5678+9012", "+", "\n",
    " ", "-", ".", "x", "my number: ", "%2B", "0", "7", "\t", "id=", "9-", "-9", "9.", ".9", "x" * 50,
])
ASCII_TEXTS = st.lists(PIECES, max_size=60).map("".join)


def _is_digit(data: bytes, at: int) -> bool:
    return 0 <= at < len(data) and 0x30 <= data[at] <= 0x39


def _glued(data: bytes, start: int, trailing: int, joiners: bytes) -> bool:
    before = start >= 2 and data[start - 1] in joiners and _is_digit(data, start - 2)
    after = data[trailing] in joiners and _is_digit(data, trailing + 1)
    return before or after


def reference_ascii_hits(data: bytes, separators: bytes) -> tuple[object, ...]:
    """What ascii_hits returns, by its definition, one offset at a time."""
    contiguous, grouped, plus = [], [], []
    for start in range(1, len(data)):
        if _is_digit(data, start - 1):
            continue
        record = data[start:start + 12]
        if (start + 12 < len(data) and record.isdigit() and not _is_digit(data, start + 12)
                and is_valid_digits(record.decode()) and not _glued(data, start, start + 12, b"-.")):
            contiguous.append(start + 13)
        record = data[start:start + 14]
        if (start + 14 < len(data) and record[4] in separators and record[9] == record[4]
                and (digits := record[:4] + record[5:9] + record[10:]).isdigit()
                and not _is_digit(data, start + 14) and is_valid_digits(digits.decode())
                and not _glued(data, start, start + 14, record[4:5])):
            grouped.append(start + 15)
    for at in range(4, len(data) - 1):
        if data[at] == 0x2B and data[at - 4:at].isdigit() and _is_digit(data, at + 1):
            plus.append(at + 2)
    anchors = sorted(contiguous + grouped)
    counts = [data.count(b"\n", 0, end) for end in anchors]
    return contiguous, grouped, plus, anchors, counts, data.count(b"\n")


@needs_speedups
@settings(max_examples=500, deadline=None)
@given(text=ASCII_TEXTS, shift=st.integers(min_value=0, max_value=63))
def test_the_c_pass_finds_exactly_the_candidates_by_their_definition(text: str, shift: int) -> None:
    data = b"y" * shift + text.encode("ascii")  # candidates at every offset of a 64-byte block
    assert speedups.ascii_hits(data, SEPARATORS) == reference_ascii_hits(data, SEPARATORS)


@needs_speedups
@settings(max_examples=500, deadline=None)
@given(text=ASCII_TEXTS, shift=st.integers(min_value=0, max_value=63))
def test_the_c_pass_finds_what_the_one_definition_of_a_candidate_finds(text: str, shift: int) -> None:
    """The finder of detector.candidates is the one definition (check digit, guards, the glued rule): the C pass,
    its twin on ASCII bytes, reports every candidate the finder finds away from the data's edges (those have
    windows of their own). It looks at each offset on its own, so it may also report a grouped number whose
    first group ends a grouped form with another separator ("1111 2222 3333-4444-5555"): the finder, reading
    left to right, has taken that group already, and decides so again in the hit's window."""
    data = b"y" * shift + text.encode("ascii")
    finder = DigitFinder(tuple(SEPARATORS.decode()))
    inner = [m for m in finder.find(data.decode()) if m.start >= 1 and m.end < len(data)]
    taken = [m.span() for m in finder.regex.finditer(data.decode())]
    contiguous, grouped = speedups.ascii_hits(data, SEPARATORS)[:2]
    assert contiguous == [m.end + 1 for m in inner if not m.grouped]
    expected = [m.end + 1 for m in inner if m.grouped]
    assert set(expected) <= set(grouped)
    for end in set(grouped) - set(expected):
        assert any(start < end - 15 < stop for start, stop in taken), end


@needs_speedups
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.binary(max_size=20) | PIECES.map(str.encode), max_size=40),
       separators=st.sampled_from([b"-", b"- .", b" ", b"-./\t"]))
def test_the_c_pass_holds_on_any_bytes_and_separators(pieces: list[bytes], separators: bytes) -> None:
    data = b"".join(pieces)
    assert speedups.ascii_hits(data, separators) == reference_ascii_hits(data, separators)


def _builders() -> tuple[str, ...]:
    return tuple(speedups.mask_builders()) if speedups is not None else ()


@contextlib.contextmanager
def mask_builder(name: str) -> Iterator[None]:
    """The C passes' masks built by ``name`` (one of ``mask_builders()``) inside the block, then as before."""
    before = speedups.use_mask_builder(name)
    try:
        yield
    finally:
        speedups.use_mask_builder(before)


@needs_speedups
def test_every_cpu_runs_the_portable_mask_builder_and_the_widest_is_in_use() -> None:
    builders = _builders()
    assert builders[0] == "portable"
    assert speedups.use_mask_builder(builders[-1]) == builders[-1]  # (the one in use, left as it was)
    with mask_builder("portable"):
        assert speedups.use_mask_builder(builders[-1]) == "portable"
        assert speedups.use_mask_builder("portable") == builders[-1]
    with pytest.raises(ValueError, match="no mask builder"):
        speedups.use_mask_builder("no such builder")


@needs_speedups
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.binary(max_size=20) | PIECES.map(str.encode), max_size=40),
       separators=st.sampled_from([b"-", b"- .", b" ", b"-./\t"]), shift=st.integers(min_value=0, max_value=63))
def test_every_mask_builder_gives_the_same_hits(pieces: list[bytes], separators: bytes, shift: int) -> None:
    """The AVX2 and AVX-512BW builders (where the CPU has them) give the masks the portable one gives: the pass
    finds the same hits, by their definition, whichever builds them."""
    data = b"y" * shift + b"".join(pieces)
    expected = reference_ascii_hits(data, separators)
    for name in _builders():
        with mask_builder(name):
            assert speedups.ascii_hits(data, separators) == expected, name


@needs_speedups
@pytest.mark.parametrize("name", _builders())
def test_hits_move_with_the_text_across_the_tiles_of_masks(name: str) -> None:
    """Masks are built a tile of blocks at a time: a log of several tiles, moved on by every shift, gives the
    same hits moved by as much (numbers on every side of a tile's edge)."""
    lines = [f"{i} id={n} card {_grouped(n, '-')} t=2026-12-02T04:12:44+09:00 x=1234+5678\n"
             for i, n in enumerate(NUMBERS * 60)]
    text = "".join(lines).encode()
    with mask_builder(name):
        contiguous, grouped, plus, anchors, counts, total = speedups.ascii_hits(b"x" + text, SEPARATORS)
        assert len(contiguous) == len(grouped) == 360 and total == 360
        for shift in range(1, 130, 7):
            moved = speedups.ascii_hits(b"x" * (1 + shift) + text, SEPARATORS)
            assert moved == ([e + shift for e in contiguous], [e + shift for e in grouped], [e + shift for e in plus],
                             [e + shift for e in anchors], counts, total), shift


@needs_speedups
def test_the_c_pass_refuses_more_separators_than_it_holds_and_the_matcher_does_without_it(rules: Rules) -> None:
    with pytest.raises(ValueError, match="too many separators"):
        speedups.ascii_hits(b"x", bytes(range(0x20, 0x20 + ascii_pass.MAX_SEPARATORS + 1)))
    many = rules._replace(separators=tuple(chr(c) for c in range(0x10, 0x30)))  # all below "0"
    assert not TextScanner(many, "hyperscan").fast_ascii
    assert TextScanner(rules, "hyperscan").fast_ascii


@needs_speedups
def test_the_c_pass_leaves_candidates_at_the_very_edges_to_the_edge_windows() -> None:
    number = NUMBERS[0].encode()
    assert speedups.ascii_hits(number, SEPARATORS)[0] == []
    assert speedups.ascii_hits(b" " + number, SEPARATORS)[0] == []
    assert speedups.ascii_hits(b" " + number + b" ", SEPARATORS)[0] == [14]


@needs_speedups
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ASCII_TEXTS, scan_from=st.integers(min_value=0, max_value=40), quick=st.booleans())
def test_a_scan_is_the_same_with_the_c_pass_and_without(rules: Rules, text: str, scan_from: int,
                                                        quick: bool) -> None:
    data = text.encode("ascii")
    scan_from = min(scan_from, len(data))
    while scan_from and data[scan_from - 1:scan_from] not in (b"\n", b""):
        scan_from -= 1  # a unit's scanning starts at a line's start
    results = []
    for fast in (True, False):
        scanner = TextScanner(rules, "hyperscan", Confidence.MEDIUM if quick else Confidence.LOW)
        scanner.fast_ascii = fast
        scan = scanner.scan_unit(TextUnit(data=data, encoding="ascii", first_line=5, scan_from=scan_from))
        results.append(([(c.digits, c.grouped, c.location, c.confidence, c.reasons) for c in scan.all_candidates()],
                        scan.newlines))
    assert results[0] == results[1]


KEYWORDISH = st.sampled_from(["my number", "MY-NUMBER", "My_Number", "individual number", "kojin bango",
                              "personal number", "mynumbe", "number", "my", "by", "job=", "customer", "ｍｙ number"])


@needs_speedups
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECES | KEYWORDISH, max_size=60))
def test_the_keyword_question_in_c_never_counts_an_ascii_candidate_its_twin_keeps(rules: Rules,
                                                                                 pieces: list[str]) -> None:
    """The C answer (``multibyte_quick`` reading ASCII) to "can anything raise this bare number?": a number it
    counts without a window is one the regex twin counts too, at the same offset, with the same digits and
    line; a window the twin keeps, it keeps."""
    data = "".join(pieces).encode("utf-8")
    if not data.isascii():
        return
    contiguous, _, _, anchors, counts, total = speedups.ascii_hits(data, SEPARATORS)
    scorer = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scorer
    lines = AnchoredLineCounter(data, 3, 0, anchors, counts, total)
    windowed, quick = ascii_pass.quick_ends(data, contiguous, scorer, lines)
    plain_windowed, plain_quick = ascii_pass.quick_ends_plain(data, contiguous, scorer, lines)
    assert set(quick) <= set(plain_quick) and set(plain_windowed) <= set(windowed)
    assert sorted([*windowed, *(end for end in contiguous if end not in windowed)]) == sorted(contiguous)


def test_the_keyword_question_in_c_counts_the_ids_of_a_log(rules: Rules) -> None:
    """In a log without My Number keywords both count every valid-looking ID; near one, both keep a window."""
    if not hasattr(speedups, "multibyte_quick"):
        pytest.skip("the C speed-ups are not built here")
    text = "".join(f"2026-11-01T00:00:0{i} app: order {NUMBERS[i]} shipped to customer 3298 via warehouse 27\n"
                   for i in range(4)) + f"user my number: {NUMBERS[4]}\n"
    data = text.encode("ascii")
    contiguous, _, _, anchors, counts, total = speedups.ascii_hits(data, SEPARATORS)
    scorer = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scorer
    lines = AnchoredLineCounter(data, 1, 0, anchors, counts, total)
    result = ascii_pass.quick_ends(data, contiguous, scorer, lines)
    assert result == ascii_pass.quick_ends_plain(data, contiguous, scorer, lines)
    assert [(digits, line) for _, digits, line in result[1]] == [(NUMBERS[i], i + 1) for i in range(4)]
    assert len(result[0]) == 1


@given(data=st.binary(max_size=400).map(lambda b: b.replace(b"\x00", b"\n")), anchors=st.lists(
    st.integers(min_value=0, max_value=400), max_size=12, unique=True), offsets=st.lists(
    st.integers(min_value=0, max_value=400), max_size=30), origin=st.integers(min_value=0, max_value=400))
def test_the_anchored_line_counter_gives_the_line_of_any_offset_in_any_order(
        data: bytes, anchors: list[int], offsets: list[int], origin: int) -> None:
    origin = min(origin, len(data))
    anchors = sorted({min(a, len(data)) for a in anchors})
    counts = [data.count(b"\n", 0, a) for a in anchors]
    counter = AnchoredLineCounter(data, 7, origin, anchors, counts, data.count(b"\n"))
    for offset in (min(o, len(data)) for o in offsets):
        assert counter(offset) == 7 + data.count(b"\n", origin, offset) - data.count(b"\n", offset, origin)


def test_the_c_speed_ups_are_built_where_a_compiler_is() -> None:
    """An install on a machine with a C compiler builds them (hatch_build.py); a silent fallback to the
    slower paths would only show in the benchmark."""
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) here")
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        pytest.skip("no Python headers here (Debian: python3-dev)")
    assert speedups is not None, "detector._speedups is missing: run scripts/setup.sh again"


@needs_speedups
def test_the_built_module_is_not_older_than_its_source() -> None:
    """An editable install compiles the module next to its source once; after a change to the C file, the
    tests would otherwise run the old build."""
    built = Path(speedups.__file__)
    source = built.with_name("_speedups.c")
    if source.exists() and built.parent == source.parent:
        assert built.stat().st_mtime >= source.stat().st_mtime, "run scripts/setup.sh to rebuild _speedups.c"


@needs_speedups
def test_the_file_system_type_is_the_one_stat_f_reports(tmp_path: Path) -> None:
    assert speedups is not None
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        found = speedups.filesystem_type(fd)
    finally:
        os.close(fd)
    stat_f = shutil.which("stat")
    if stat_f is not None:
        shown = subprocess.run([stat_f, "-f", "-c", "%t", str(tmp_path)], capture_output=True, text=True, check=True)
        assert found == int(shown.stdout, 16)
    with pytest.raises(OSError):
        speedups.filesystem_type(fd)  # closed now


@needs_speedups
def test_stat_folders_stats_folders_that_stand_and_stops_when_told(tmp_path: Path) -> None:
    assert speedups is not None
    folders = []
    for name in ("a", "b", "c"):
        folder = tmp_path / name
        folder.mkdir()
        for index in range(3):
            (folder / f"f{index}").write_text("x" * index)
        st = os.stat(folder)
        listed = array("q", (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_ctime_ns + 10**10))
        folders.append((os.fsencode(folder), listed.tobytes(), b"f0\0f1\0f2"))
    changed = array("q")
    changed.frombytes(folders[1][1])
    changed[2] += 1  # b's mtime as remembered is not its mtime now
    folders[1] = (folders[1][0], changed.tobytes(), folders[1][2])
    folders.append((os.fsencode(tmp_path / "gone"), folders[0][1], b"f0"))
    folders.append((folders[2][0], folders[2][1], b"f0\0missing"))
    found = speedups.stat_folders(folders, 10**9, bytearray(1))
    assert found[1] is None and found[3] is None and found[4] is None
    for index, name in ((0, "a"), (2, "c")):
        numbers = array("q")
        numbers.frombytes(found[index])
        expected = [number for n in range(3) for number in identity(os.lstat(tmp_path / name / f"f{n}"))]
        assert list(numbers) == expected
    assert speedups.stat_folders(folders, 10**11, bytearray(1)) == [None] * 5  # listed too soon after a change
    assert speedups.stat_folders(folders, 10**9, bytearray(b"\1")) == [None] * 5  # stopped before the first
    with pytest.raises(ValueError):
        speedups.stat_folders([(b"x", b"short", b"f0")], 0, bytearray(1))
    with pytest.raises(TypeError):
        speedups.stat_folders([(b"x", b"\0" * 40)], 0, bytearray(1))


def identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@needs_speedups
def test_find_identity_finds_a_device_and_inode_among_packed_identities() -> None:
    assert speedups is not None
    identities = array("q", [5, 10, 100, 1, 5, 11, 200, 2, 6, 11, 300, 3]).tobytes()
    assert speedups.find_identity(identities, array("q", [5, 11]).tobytes()) == 1
    assert speedups.find_identity(identities, array("q", [7, 7, 6, 11]).tobytes()) == 2
    assert speedups.find_identity(identities, array("q", [6, 10]).tobytes()) == -1  # device of one, inode of another
    assert speedups.find_identity(identities, array("q", [100, 1]).tobytes()) == -1  # size and mtime are not it
    assert speedups.find_identity(b"", array("q", [5, 10]).tobytes()) == -1


# Pieces that stress a UTF-8 check and a control count: every kind of lead byte whole, cut and misused, surrogates,
# overlong forms, the controls text holds and those it does not, and runs of ASCII long enough for the eight-byte
# steps (placed before and across the 8 KB head by the padding).
_FACT_PIECES = st.lists(st.sampled_from([
    b"a", b"abcdefghij", b"\n", b"\t", b"\r\n", b"\x00", b"\x01", b"\x1b", b"\x08", b"\x0b", b"\x0c", b"\x1f", b"\x7f",
    "é".encode(), "個".encode(), "😀".encode(), "個人番号".encode("cp932"), "番号".encode("euc-jp"), b"\xc2", b"\xe3",
    b"\xe3\x81", b"\xf0\x9f", b"\xf0\x9f\x98", b"\xed\xa0", b"\xed\xa0\x80", b"\xed\x9f\xbf", b"\xe0\x80\x80",
    b"\xe0\xa0\x80", b"\xf0\x80\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xc1\xbf",
    b"\xf5\x80", b"\xff", b"\x80", b"\xbf"]), max_size=40).map(b"".join)


@needs_speedups
@settings(max_examples=3000, deadline=None)
@given(_FACT_PIECES, st.sampled_from([0, 8180, 8189, 8192]))
def test_the_c_byte_facts_are_their_python_twins(pieces: bytes, padding: int) -> None:
    from detector.identify import ByteFacts, byte_facts, byte_facts_py

    data = b"x" * padding + pieces
    assert ByteFacts._make(speedups.text_facts(data, 8192)) == byte_facts(data) == byte_facts_py(data)


@needs_speedups
@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=96))
def test_the_c_byte_facts_hold_on_any_bytes(data: bytes) -> None:
    from detector.identify import byte_facts, byte_facts_py

    assert byte_facts(data) == byte_facts_py(data)
