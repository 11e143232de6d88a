"""Identifying small text files: the quick answers the identification takes for most files agree with the
definitions they stand for (the plain twins), on any text, and the kinds come out as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from detector import identify as identification
from detector.decode import _decodes, _valid_utf8
from detector.identify import DELIMITED, TEXT, identify_raw

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


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_utf8_validity_is_the_incremental_decoders(sample: bytes) -> None:
    assert _valid_utf8(sample) == (_decodes(sample, "utf-8") is not None)


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


def test_nul_bytes_still_decide_utf16_and_binary() -> None:
    assert identify_raw("個人番号 123456789018\n".encode("utf-16-le"))[1] is False
    assert identify_raw("番号 abc\n".encode("utf-16-le"))[0].name in (TEXT, DELIMITED)
    assert identify_raw(b"text\n" * 10 + b"\x00" + b"text\n" * 10)[1] is False  # never read as raw text
    assert identify_raw(bytes(range(256)) * 4)[0].name not in (TEXT, DELIMITED)
