"""Identifying small text files: the quick answers the identification takes for most files agree with the
definitions they stand for (the plain twins), on any text, and the kinds come out as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detector import identify as identification
from detector.decode import _decodes, detect_encoding, multibyte_encoding, valid_utf8
from detector.identify import DELIMITED, TEXT, byte_facts, byte_facts_py, identify_raw
from detector.scanner import _plain_text_encoding

# The characters that decide a table or a one-column list, and a few that do not.
_TABLE_TEXT = st.text(alphabet=st.sampled_from(list('a1,\t\n\r" ０-\u3000円名')), max_size=120)


@settings(max_examples=400, deadline=None)
@given(_TABLE_TEXT)
def test_the_first_two_rows_differing_means_no_delimiter_by_the_six_rows(head: str) -> None:
    if identification._first_rows_differ(head):
        assert identification._delimiter_of_rows(head) is None


@settings(max_examples=400, deadline=None)
@given(_TABLE_TEXT)
def test_a_first_line_that_is_no_label_means_no_one_column_list(head: str) -> None:
    if identification._first_line_is_no_label(head):
        assert not identification._one_column_rows(head)


# Lines of a few pieces, as bytes, that decide a mail, a table or a one-column list when read as latin-1 (delimiters,
# quotes, digits and full-width digits' first bytes, headers, what str.strip() removes, a long label, a first line
# past the 16 KB the rows are told from), and a few that decide nothing.
_LINE_BYTES = st.lists(st.sampled_from([
    b"\r", b",", b"\t", b'"', b" ", b"a", b"1", b":", b"From ", b"To: ", b"Subject: x", b"X-y:\t", b"\x85",
    b"\xa0", b"\x1c", b"\xef\xbc\x91", b"\x82\x50", b"\xa3\xb1", "名".encode(), b"-", b"x" * 63, b" " * 16380,
    ]), max_size=4).map(b"".join)
_TEXT_BYTES = st.tuples(st.lists(_LINE_BYTES, max_size=8), st.sampled_from([b"", b"\n"])).map(
    lambda lines_end: b"\n".join(lines_end[0]) + lines_end[1])


@settings(max_examples=1500, deadline=None)
@given(_TEXT_BYTES)
def test_text_told_on_its_bytes_is_told_as_its_latin1_text(head: bytes) -> None:
    assert identification._text_kind_of_bytes(head) == identification._text_kind(head.decode("latin-1"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_utf8_validity_is_the_incremental_decoders(sample: bytes) -> None:
    assert valid_utf8(sample) == (_decodes(sample, "utf-8") is not None)


# Pieces of text in the encodings told apart, escape sequences of ISO-2022-JP (whole and cut) and of a terminal.
_ENCODED_PIECES = st.lists(st.sampled_from([
    b"a1 ", b"\n", "個人番号１".encode(), "個人番号１".encode("cp932"), "個人番号１".encode("euc-jp"), b"\x1b$B",
    b"\x1b(B", b"8D?M", b"\x1b[0m", b"\x1b", b"\xff", b"\x85"]), max_size=20).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(_ENCODED_PIECES)
def test_raw_text_has_the_encoding_detect_encoding_gives(sample: bytes) -> None:
    if identify_raw(sample)[1] and not sample.isascii():
        assert multibyte_encoding(sample) == detect_encoding(sample)


@settings(max_examples=500, deadline=None)
@given(_ENCODED_PIECES)
def test_byte_facts_are_their_definitions(sample: bytes) -> None:
    facts = byte_facts_py(sample)
    head = sample[:8192]
    assert facts.nul == (0 in head)
    assert facts.controls == sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\f\x1b\x08\x0b")
    assert facts.ascii == sample.isascii()
    assert facts.utf8 == (_decodes(sample, "utf-8") is not None)


@settings(max_examples=500, deadline=None)
@given(_ENCODED_PIECES)
def test_a_small_files_encoding_from_its_byte_facts_is_the_one_detect_encoding_gives(sample: bytes) -> None:
    kind, raw = identify_raw(sample, byte_facts(sample))
    assert (kind, raw) == identify_raw(sample)
    if raw and kind.name == TEXT:
        assert _plain_text_encoding(sample, kind, byte_facts(sample)) == detect_encoding(sample)


def test_a_log_a_letter_and_tables_are_told_apart() -> None:
    log = "".join(f"2026-11-01 10:{i:02d} INFO user=1234 id=56789\n" for i in range(8)).encode()
    prose = "予算について、9,098,471円の見積書\n担当者 山田\n更新について、連絡がありました。\n".encode()
    csv_text = "氏名,個人番号\n山田,123456789018\n鈴木,234567890123\n".encode()
    tsv_text = b"name\tnumber\nA\t1\nB\t2\n"
    one_column = "個人番号\n123456789018\n２３４５ ６７８９ ０１２３\n".encode()
    assert identify_raw(log) == (identification.FileKind(TEXT, "text"), True)
    assert identify_raw(prose)[0].name == TEXT
    assert identify_raw(csv_text)[0] == identification.FileKind(DELIMITED, "CSV text")
    assert identify_raw(tsv_text)[0] == identification.FileKind(DELIMITED, "TSV text")
    assert identify_raw(one_column)[0].name == DELIMITED
    indented = "個人番号\n 123456789018\n\n 234567890123\n".encode()  # the rows are the lines stripped, not blank
    assert identify_raw(indented)[0].name == DELIMITED


def test_nul_bytes_still_decide_utf16_and_binary() -> None:
    assert identify_raw("個人番号 123456789018\n".encode("utf-16-le"))[1] is False
    assert identify_raw("番号 abc\n".encode("utf-16-le"))[0].name in (TEXT, DELIMITED)
    assert identify_raw(b"text\n" * 10 + b"\x00" + b"text\n" * 10)[1] is False  # never read as raw text
    assert identify_raw(bytes(range(256)) * 4)[0].name not in (TEXT, DELIMITED)
