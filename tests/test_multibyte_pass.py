"""The multibyte C pass (detector/_speedups.c ``multibyte_hits``, detector/match/multibyte_pass.py) finds exactly the
candidates of UTF-8, CP932 and EUC-JP text by their one definition (detector.candidates: the check digit, the
bounds, the glued rule), reading the bytes as Python's codecs do; and a scan is the same with it and without it
(then the hyperscan engine and its pre-checks, its plain twin, find where to look)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from detector.candidates import JOINERS, glued
from detector.match import TextScanner, hyperscan_available, multibyte_pass
from detector.match.windows import AnchoredLineCounter
from detector.model import Candidate, Confidence
from detector.mynumber import DIGIT_CLASS, is_valid_digits, to_ascii
from detector.native import speedups
from detector.rules import Rules

from .conftest import invalid_number, valid_number
from .test_speedups import mask_builder

pytestmark = pytest.mark.skipif(not multibyte_pass.usable(("-",)) or not hyperscan_available(),
                                reason="the C speed-ups or hyperscan are not here")

ENCODINGS = ("utf-8", "cp932", "euc-jp")
FW = str.maketrans("0123456789", "０１２３４５６７８９")
NUMBERS = [valid_number(i) for i in range(5)]
WRONG = [invalid_number(i) for i in range(3)]
SEPARATORS = ("-", " ", ".", "－", "‐", "−", "ー", "\u3000")


def _grouped(number: str, separator: str) -> str:
    return separator.join((number[:4], number[4:8], number[8:]))


PIECES = st.sampled_from([
    *NUMBERS, *(n.translate(FW) for n in NUMBERS), *WRONG, *(w.translate(FW) for w in WRONG),
    NUMBERS[0][:6] + NUMBERS[0][6:].translate(FW),  # mixed widths
    *(_grouped(NUMBERS[1], s) for s in SEPARATORS), _grouped(NUMBERS[2].translate(FW), "　"),
    _grouped(NUMBERS[3], "－").translate(FW), NUMBERS[4][:4] + "-" + NUMBERS[4][4:8] + "ー" + NUMBERS[4][8:],
    _grouped(NUMBERS[0], "-") + "-1234", "1" + NUMBERS[1], NUMBERS[2].translate(FW) + "５", "９" + NUMBERS[3],
    "０３－１２３４－５６７８", "03-1234-5678", "〒271-0181", "２０２５年８月９日", "１２，３４５円", "12345678901",
    "個人番号", "マイナンバー", "電話", "\n", " ", "-", ".", "－", "ー", "‑", "–", "−", "‐", "　", "x", "P", "O",
    "モ", "丁", "票", "ソ", "表", "ｱ", "ﾏｲﾅﾝﾊﾞｰ", "丂", "、", "。", "0", "7", "１", "９", "\t", "山田", "です",
])
TEXTS = st.lists(PIECES, max_size=40).map("".join)
DIGITS = frozenset("0123456789０１２３４５６７８９")


def _char_starts(data: bytes, encoding: str) -> tuple[str, list[int]]:
    """The decoded text and the byte where each of its characters starts: a byte offset is a boundary when the
    two sides decoded apart give the whole text (what a window cut there relies on). Bytes where no cut does
    (an EUC-JP 0x8F without its two bytes, cut short) are no text a window could read either: skipped."""
    text = data.decode(encoding, "replace")
    starts: dict[int, int] = {}
    for offset in range(len(data) + 1):
        head = data[:offset].decode(encoding, "replace")
        if head + data[offset:].decode(encoding, "replace") == text:
            starts.setdefault(len(head), offset)
    return text, [starts.get(i, -1) for i in range(len(text) + 1)]


def _run(text: str, i: int) -> int:
    n = 0
    while i + n < len(text) and text[i + n] in DIGITS:
        n += 1
    return n


def reference_hits(data: bytes, encoding: str, separators: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """The ends (one past the byte after the number) of the candidates of ``data``, by the definition, at each
    start of a run of digits away from the data's edges (the edge windows take those)."""
    text, starts = _char_starts(data, encoding)
    if -1 in starts:  # a cut through a character: hypothesis draws another (examples never cut one)
        assume(False)
    contiguous, grouped = [], []
    for i in range(1, len(text)):
        if text[i] not in DIGITS or text[i - 1] in DIGITS:
            continue
        run = _run(text, i)
        if run == 12 and i + 12 < len(text) and is_valid_digits(to_ascii(text[i:i + 12])) and not glued(
                text, i, i + 12, JOINERS):
            contiguous.append(starts[i + 12] + 1)
        sep = text[i + 4:i + 5]
        if (run == 4 and sep and sep in separators and _run(text, i + 5) == 4 and text[i + 9:i + 10] == sep
                and _run(text, i + 10) == 4 and i + 14 < len(text)):
            digits = to_ascii(text[i:i + 4] + text[i + 5:i + 9] + text[i + 10:i + 14])
            if is_valid_digits(digits) and not glued(text, i, i + 14, sep):
                grouped.append(starts[i + 14] + 1)
    return contiguous, grouped


def c_hits(data: bytes, encoding: str, separators: tuple[str, ...]) -> tuple[object, ...]:
    read = multibyte_pass.tables(encoding, separators)
    assert read is not None
    return tuple(speedups.multibyte_hits(data, *read))


def _expected(data: bytes, encoding: str, separators: tuple[str, ...]) -> tuple[object, ...]:
    contiguous, grouped = reference_hits(data, encoding, separators)
    anchors = sorted(contiguous + grouped)
    return contiguous, grouped, anchors, [data.count(b"\n", 0, end) for end in anchors], data.count(b"\n")


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, encoding=st.sampled_from(ENCODINGS), shift=st.integers(min_value=0, max_value=63))
def test_the_pass_finds_exactly_the_candidates_of_japanese_text(text: str, encoding: str, shift: int) -> None:
    data = b"y" * shift + text.encode(encoding, "replace")  # candidates at every offset of a 64-byte block
    assert c_hits(data, encoding, SEPARATORS) == _expected(data, encoding, SEPARATORS)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.binary(max_size=12) | PIECES.map(str.encode), max_size=30),
       encoding=st.sampled_from(ENCODINGS))
def test_the_pass_reads_any_bytes_as_the_codec_does(pieces: list[bytes], encoding: str) -> None:
    """Bytes that are not text in the encoding (a lead byte without its second byte, a UTF-8 sequence cut short)
    are read as Python's decoder reads them, so a digit is one only where the decoder sees one."""
    data = b"".join(pieces)
    assert c_hits(data, encoding, SEPARATORS) == _expected(data, encoding, SEPARATORS)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.binary(max_size=12) | PIECES.map(str.encode), max_size=30),
       encoding=st.sampled_from(ENCODINGS), shift=st.integers(min_value=0, max_value=63))
def test_every_mask_builder_gives_the_same_hits(pieces: list[bytes], encoding: str, shift: int) -> None:
    """The AVX2 and AVX-512BW mask builders (where the CPU has them) give the masks the portable one gives: the
    pass finds the same candidates, by their definition, whichever builds them."""
    data = b"y" * shift + b"".join(pieces)
    expected = _expected(data, encoding, SEPARATORS)
    for name in speedups.mask_builders():
        with mask_builder(name):
            assert c_hits(data, encoding, SEPARATORS) == expected, name


TWO_BYTE_SEPARATORS = ("-", "·", "¦")  # U+00B7, U+00A6: two bytes each in UTF-8


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from([
    *(_grouped(n, s).encode() for n in NUMBERS[:3] for s in TWO_BYTE_SEPARATORS), *(n.encode() for n in NUMBERS[3:]),
    *(c.encode() for c in "·¦-x０"), b"\xc2", b"\xb7", b"\xe0\x82\xb7", b"\xc1\xb7"]), max_size=30))
def test_separators_of_two_bytes_are_read_as_the_codec_reads_them(pieces: list[bytes]) -> None:
    """UTF-8 separators are classed by code point: one of two bytes is read where its exact sequence is, never from
    a lone lead byte, a lone continuation byte or an overlong form of it."""
    data = b"".join(pieces)
    assert c_hits(data, "utf-8", TWO_BYTE_SEPARATORS) == _expected(data, "utf-8", TWO_BYTE_SEPARATORS)


def test_a_separator_of_two_bytes_groups_a_number() -> None:
    data = f"x {_grouped(NUMBERS[0], '·')} {_grouped(NUMBERS[1], '¦')} {_grouped(NUMBERS[2], '+')} x".encode()
    # each grouped number is 16 bytes; a hit's end is one past the byte after it ('+' is no separator)
    assert c_hits(data, "utf-8", TWO_BYTE_SEPARATORS) == ([], [19, 36], [19, 36], [0, 0], 0)


def test_a_separator_beyond_the_bmp_leaves_utf_8_to_the_hyperscan_engine() -> None:
    assert multibyte_pass.tables("utf-8", ("-", "\U0001F4AF")) is None
    assert multibyte_pass.tables("utf-8", ("-", "\u3000")) is not None


@pytest.mark.parametrize("name", speedups.mask_builders() if speedups is not None else ())
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_hits_move_with_the_text_across_the_tiles_of_masks(encoding: str, name: str) -> None:
    """Masks are built a tile of blocks at a time: text dense with numbers over several tiles, moved on by every
    shift, gives the same candidates moved by as much (numbers, in both widths, on every side of a tile's edge)."""
    lines = [f"{i}、電話 ０３－１２３４－５６７８、{n}、{n.translate(FW)}、{_grouped(n, '-')}、〒271-0181、"
             "２０２５年８月９日\n" for i, n in enumerate(NUMBERS * 60)]
    text = "".join(lines).encode(encoding, "replace")
    with mask_builder(name):
        contiguous, grouped, anchors, counts, total = c_hits(b"x" + text, encoding, SEPARATORS)
        assert isinstance(contiguous, list) and isinstance(grouped, list) and isinstance(anchors, list)
        assert (len(contiguous), len(grouped), total) == (600, 300, 300)
        for shift in range(1, 130, 7):
            assert c_hits(b"x" * (1 + shift) + text, encoding, SEPARATORS) == (
                [e + shift for e in contiguous], [e + shift for e in grouped], [e + shift for e in anchors], counts,
                total), shift


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_groups_of_four_are_read_on_only_where_a_4_4_4_form_may_follow_at_every_offset_of_a_block(
        encoding: str) -> None:
    """Four digits and a separator start a 4-4-4 candidate only when four digits and the same separator follow:
    the pass tells from its masks which runs to read on (a phone number's groups, a postal code, a second group
    of three or five digits are not), and drops runs of fewer than four digits, across its 64-byte blocks."""
    forms = [
        _grouped(NUMBERS[1], "-"), _grouped(NUMBERS[2].translate(FW), "　"), _grouped(NUMBERS[3], "ー"),
        NUMBERS[4][:4] + "-" + NUMBERS[4][4:8] + "ー" + NUMBERS[4][8:], NUMBERS[0][:4] + "-" + NUMBERS[0][4:7] + "-"
        + NUMBERS[0][7:], NUMBERS[1][:4] + "　" + NUMBERS[1][4:9] + "　" + NUMBERS[1][9:], "045-4112-4378",
        "０４５－４１１２－４３７８", "〒271-0181", "２０２５年８月９日", _grouped(NUMBERS[2], "-") + "-1",
    ]
    text = "、" + "、".join(forms) + "。"
    for shift in range(80):
        data = b"y" * shift + text.encode(encoding, "replace")  # (EUC-JP has no "－")
        expected = _expected(data, encoding, SEPARATORS)
        assert len(expected[1]) == 3, shift  # the first three forms are 4-4-4 candidates; the rest are not
        assert c_hits(data, encoding, SEPARATORS) == expected, shift


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_full_width_digit_is_one_only_where_the_codec_reads_one(encoding: str) -> None:
    number = NUMBERS[0].translate(FW)
    for before in ("モ", "丁", "票", "x", "。", "ｱ"):
        data = (before + "P" + number + "。").encode(encoding)
        _, starts = _char_starts(data, encoding)
        assert c_hits(data, encoding, SEPARATORS)[0] == [starts[len(before) + 13] + 1], before


def test_the_tables_come_from_the_codecs() -> None:
    cp932 = multibyte_pass.tables("cp932", SEPARATORS)
    euc = multibyte_pass.tables("euc-jp", SEPARATORS)
    assert cp932 is not None and euc is not None
    assert cp932.digit_lead == b"\x82\x4f\x58" and euc.digit_lead == b"\xa3\xb0\xb9"
    assert multibyte_pass.char_class("５", SEPARATORS) == multibyte_pass.char_class("5", SEPARATORS) == 0x15
    assert cp932.pairs[0x817C] & 0x40 and cp932.pairs[0x817C] & 0x80  # "－": a separator and a joiner
    assert cp932.pairs[0x82A0] == 0x20  # "あ": one character, nothing more
    assert f"[{DIGIT_CLASS}]" == "[0-9０-９]"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(TEXTS, max_size=8), encoding=st.sampled_from(ENCODINGS), quick=st.booleans(),
       scan_from=st.integers(min_value=0, max_value=3))
def test_a_scan_is_the_same_with_the_pass_and_without(rules: Rules, lines: list[str], encoding: str, quick: bool,
                                                     scan_from: int) -> None:
    data = "\n".join(lines).encode(encoding, "replace")
    start = sum(len(line.encode(encoding, "replace")) + 1 for line in lines[:scan_from]) if scan_from < len(
        lines) else 0
    results = []
    for fast in (True, False):
        scanner = TextScanner(rules, "hyperscan", Confidence.MEDIUM if quick else Confidence.LOW)
        scanner.fast_multibyte = fast
        results.append(scanner.scan_bytes(data, encoding, 5, start))
    assert _shown(results[0]) == _shown(results[1])
    if not quick:  # (above low, see the next test)
        assert [c.reasons for c in results[0]] == [c.reasons for c in results[1]]


def _shown(candidates: list[Candidate]) -> list[tuple[object, ...]]:
    """What a scan reports of its candidates: all of them counted, those at or above medium shown with their
    reasons. (The text kept around a candidate for its personal items reaches as far as its window, which the
    neighbouring windows widen when they merge: the items are looked for within a fixed reach inside it.)"""
    return [(c.digits, c.grouped, c.location, c.confidence, c.reasons if c.confidence >= Confidence.MEDIUM else ())
            for c in candidates]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(TEXTS, max_size=8), encoding=st.sampled_from(ENCODINGS))
def test_candidates_only_counted_above_low_are_those_a_full_scan_scores_low(rules: Rules, lines: list[str],
                                                                            encoding: str) -> None:
    """With a bar above low, a candidate of the pass whose window holds no My Number keyword is counted without
    a window: it is found at the same line with the same digits and the same (low) confidence as a full scan
    finds it, and every candidate at or above the bar is found exactly as before."""
    data = "\n".join(lines).encode(encoding, "replace")
    quick = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scan_bytes(data, encoding, 3)
    full = TextScanner(rules, "hyperscan", Confidence.LOW).scan_bytes(data, encoding, 3)
    assert _shown(quick) == _shown(full)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_quick_candidate_is_read_back_from_its_bytes(encoding: str) -> None:
    read = multibyte_pass.tables(encoding, SEPARATORS)
    assert read is not None
    if read.digit_lead:
        assert multibyte_pass._WIDE_DIGITS[encoding][0] == read.digit_lead[1]
    mixed = NUMBERS[1][:5] + NUMBERS[1][5:].translate(FW)
    data = ("受注番号 " + mixed + "、").encode(encoding)
    end = c_hits(data, encoding, SEPARATORS)[0]
    assert isinstance(end, list) and len(end) == 1
    assert multibyte_pass.record(data, encoding, end[0]) == (len("受注番号 ".encode(encoding)), NUMBERS[1])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_keyword_anywhere_the_scorer_looks_keeps_the_window(rules: Rules, encoding: str) -> None:
    """A keyword at every distance before and after the number, with text of every length before it: the quick
    question looks at exactly what the scorer looks at."""
    number = NUMBERS[0].translate(FW)
    for lead in (1, 10, 25, 39, 60):
        for gap in range(0, 45, 4):
            for text in ("あ" * lead + "個人番号" + "い" * gap + number + "。",
                         "あ" * lead + number + "い" * gap + "マイナンバー\n"):
                data = text.encode(encoding)
                quick = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scan_bytes(data, encoding)
                full = TextScanner(rules, "hyperscan", Confidence.LOW).scan_bytes(data, encoding)
                assert _shown(quick) == _shown(full), (lead, gap, text)


# -- the keyword question in C (multibyte_quick) ------------------------------------------------------------------

KEYWORD_SPELLINGS = st.sampled_from([
    "個人番号", "個 人 番 号", "個人－番号", "マイナンバー", "ﾏｲﾅﾝﾊﾞｰ", "マイナンハ\u3099ー", "まいなんばー", "ﾏｲﾅ番号",
    "通知カード", "通知ｶｰﾄﾞ", "通知カート\u3099", "共通番号", "社会保障・税番号", "My Number", "ＭＹ＿ＮＵＭＢＥＲ",
    "my-number", "INDIVIDUAL NUMBER", "Kojin Bango", "personal number", "𝐦𝐲𝐧𝐮𝐦𝐛𝐞𝐫", "ⓜⓨⓝⓤⓜⓑⓔⓡ",
    "個人番", "人番号", "マイナンバ", "イナンバー", "mynumbe", "ynumber", "番号", "個", "カード", "社員番号", "㍿",
])
NEAR_TEXTS = st.lists(PIECES | KEYWORD_SPELLINGS | st.text(max_size=3), max_size=30).map("".join)


Quick = tuple[list[int], list[multibyte_pass.QuickHit]]


def _quick_both(rules: Rules, data: bytes, encoding: str) -> tuple[Quick, Quick]:
    scorer = TextScanner(rules, "hyperscan", Confidence.MEDIUM).scorer
    ends = c_hits(data, encoding, rules.separators)[0]
    assert isinstance(ends, list)
    width = {"utf-8": 4, "cp932": 2, "euc-jp": 3}[encoding]
    before, after = (scorer.before + 2) * width + 46, (scorer.after + 2) * width
    anchors = sorted(ends)
    lines = AnchoredLineCounter(data, 7, 0, anchors, [data.count(b"\n", 0, end) for end in anchors],
                                data.count(b"\n"))
    return (multibyte_pass.quick_ends(data, encoding, ends, scorer, before, after, lines),
            multibyte_pass.quick_ends_plain(data, encoding, ends, scorer, before, after, lines))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=NEAR_TEXTS, encoding=st.sampled_from(ENCODINGS))
def test_the_keyword_question_in_c_never_counts_a_candidate_its_twin_keeps(rules: Rules, text: str,
                                                                          encoding: str) -> None:
    """Keywords spelled every way normalisation makes the same (half- and full-width, cases, spaces, combining
    marks, mathematical letters), whole and cut short, at every distance: a candidate the C pass counts without
    a window is one the Python twin counts too, with the same offset and digits."""
    data = text.encode(encoding, "replace")
    (windowed, quick), (plain_windowed, plain_quick) = _quick_both(rules, data, encoding)
    assert set(quick) <= set(plain_quick)
    assert set(plain_windowed) <= set(windowed)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_keyword_question_in_c_counts_what_its_twin_counts_in_business_text(rules: Rules, encoding: str) -> None:
    """Where no keyword is near, both count the candidate; where one is, both keep its window: the byte test is
    a superset only where a window's characters could spell a keyword."""
    number = NUMBERS[2].translate(FW)
    phones = "電話 ０３－１２３４－５６７８"
    for text, counted in ((f"社員番号 12345678901、{phones}、{number}、２０２５年８月９日。", True),
                          (f"氏名 {NUMBERS[4]} 〒271-0181 山田様", True), (f"個人番号：{number}。", False),
                          (f"ﾏｲﾅﾝﾊﾞｰ {NUMBERS[3]} です", False), (f"控え {NUMBERS[3]} (My Number)", False)):
        (windowed, quick), plain = _quick_both(rules, text.encode(encoding, "replace"), encoding)
        assert (windowed, quick) == plain
        assert (len(quick), len(windowed)) == ((1, 0) if counted else (0, 1)), text


def test_every_character_that_normalises_into_a_keyword_is_a_giver(rules: Rules) -> None:
    """The C test looks for characters by :func:`detector.normalize.givers`: every character of the BMP whose
    normalised form holds a keyword's character is listed as giving it."""
    from detector.normalize import givers, normalise

    chars = frozenset("".join(TextScanner(rules).scorer.keyword_terms))
    given = givers(chars)
    for code in range(1, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        needed = set(normalise(chr(code))) & chars
        assert needed <= given.get(chr(code), frozenset()), hex(code)
