"""ISO-2022-JP ("JIS"): 7-bit text whose Japanese sits between escape sequences (ESC $ B ... ESC ( B). Old text
files and most Japanese mail are written so. Every byte is ASCII, so without decoding a full-width number is
not digits at all (１ is "#1") and the keyword 個人番号 is "8D?MHV9f": the number is lost or scored low."""

from __future__ import annotations

import email.policy
import functools
import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.jp import in_ as stdnum_in

from detector.decode import SAMPLE_SIZE, decode_jis, detect_encoding, jis_encoding
from detector.extract import Source, TextUnit
from detector.extract.mail import message_items
from detector.extract.text import CHUNK_SIZE, TextExtractor
from detector.identify import DELIMITED, TEXT, identify, identify_raw
from detector.match import TextScanner
from detector.model import Confidence, FileResult, ScanOptions
from detector.scanner import FileScanner, UnitLines

from .conftest import valid_number

FW = str.maketrans("0123456789", "０１２３４５６７８９")
A, B, C = valid_number(31), valid_number(32), valid_number(33)
# ① in the NEC special row 13 of CP50221, which Windows and Outlook write in "ISO-2022-JP" mail and text.
CIRCLED_ONE_CP50221 = b"\x1b$B-!\x1b(B"


def jis(text: str) -> bytes:
    """Text as Python's ISO-2022-JP codec writes it (the escape sequences a real encoder emits)."""
    return text.encode("iso2022_jp")


def scanner(min_confidence: Confidence = Confidence.LOW) -> FileScanner:
    return FileScanner(ScanOptions(key=b"k", min_confidence=min_confidence))


def found(result: FileResult) -> list[tuple[int | None, str, Confidence]]:
    return [(f.location.line, f.masked[-4:], f.confidence) for f in result.findings]


def test_the_numbers_are_valid_my_numbers() -> None:
    assert all(stdnum_in.is_valid(number) for number in (A, B, C))


# -- detection ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("escape", [b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D"])
def test_each_designation_of_a_japanese_set_marks_jis(escape: bytes) -> None:
    sample = b"header line\n" + escape + b"8D\x1b(B\n"
    assert jis_encoding(sample) is not None
    assert detect_encoding(sample) == jis_encoding(sample)


@pytest.mark.parametrize("sample", [
    b"plain ascii\n", b"\x1b[31mred\x1b[0m and \x1b(B\x1b[m after tput sgr0\n", b"lone \x1b at the end\x1b",
])
def test_ascii_with_terminal_escapes_is_not_jis(sample: bytes) -> None:
    assert jis_encoding(sample) is None
    assert detect_encoding(sample) == "ascii"


def test_a_jis_file_is_identified_as_text_that_must_be_decoded() -> None:
    kind, raw = identify_raw(jis(f"個人番号：{A}\n"))
    assert (kind.name, raw) == (TEXT, False)


def test_a_jis_table_is_identified_by_its_decoded_text() -> None:
    # "ガ" is 0x252C in JIS X 0208: a comma in the bytes, not in the text.
    text = "氏名,フリガナ,個人番号\n" + "".join(f"山田{i},ヤマダ,{valid_number(i)}\n" for i in range(3))
    assert b"%," in jis(text)
    assert identify(jis(text)).name == DELIMITED


def test_cp50221_characters_decode_as_windows_writes_them() -> None:
    assert decode_jis(jis("番号") + CIRCLED_ONE_CP50221 + b"\n") == "番号①\n"


def test_an_undecodable_sequence_keeps_its_line_ends() -> None:
    # ESC $ B then an odd byte before the newline: the codec's error spans the newline.
    text = decode_jis(b"\x1b$B8\nabc\x1b(B\n" + jis("個人番号") + b"\n")
    assert text.count("\n") == 3
    assert text.endswith("個人番号\n")


# -- text files -----------------------------------------------------------------------------------------------

def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


MEMO = _text(["引継ぎメモ", f"山本さんの個人番号：{A.translate(FW)}", f"田中さんの個人番号 {B}", "以上"])


def test_a_jis_text_file_gives_full_and_half_width_numbers_at_high_confidence(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_bytes(jis(MEMO))
    result = scanner().scan_file(str(path))
    assert found(result) == [(2, A[-4:], Confidence.HIGH), (3, B[-4:], Confidence.HIGH)]


def test_small_jis_files_scanned_together_give_what_each_gives(tmp_path: Path) -> None:
    paths = []
    for i, text in enumerate([MEMO, "no number here\n", f"個人番号 {C}\n"]):
        (tmp_path / f"{i}.txt").write_bytes(jis(text))
        paths.append(str(tmp_path / f"{i}.txt"))
    notable, _ = scanner().scan_files(paths)
    assert sorted((Path(r.path).name, found(r)) for r in notable) == [
        ("0.txt", [(2, A[-4:], Confidence.HIGH), (3, B[-4:], Confidence.HIGH)]),
        ("2.txt", [(1, C[-4:], Confidence.HIGH)])]


def test_jis_after_a_long_ascii_start_is_still_decoded(tmp_path: Path) -> None:
    """A log that is ASCII for its first chunks, then has a Japanese line: JIS is noticed where it starts."""
    lines = [f"2026-11-01T09:00:{i % 60:02d} INFO request id={i} ok" for i in range(60_000)]
    lines += [f"2026-11-01T10:00:00 WARN 従業員のマイナンバーを {A.translate(FW)} に変更しました",
              f"2026-11-01T10:00:01 WARN 個人番号 {B}"]
    path = tmp_path / "app.log"
    path.write_bytes(jis(_text(lines)))
    assert path.stat().st_size > 2 * CHUNK_SIZE
    result = scanner().scan_file(str(path))
    assert found(result) == [(60_001, A[-4:], Confidence.HIGH), (60_002, B[-4:], Confidence.HIGH)]


def test_a_large_jis_file_carries_the_escape_state_across_chunks(tmp_path: Path) -> None:
    """Several MB of long Japanese lines: nearly every byte is inside ESC $ B ... ESC ( B, so every chunk
    boundary falls inside a double-byte run; each line's number must still be read, on its own line."""
    filler = "社員の扶養控除等申告書を確認しました" * 60  # 2,160 bytes between ESC $ B and the number
    count = (4 * CHUNK_SIZE + SAMPLE_SIZE) // 2160 + 100  # past the fourth chunk boundary, whatever the chunk size
    lines = []
    for i in range(1, count + 1):
        number = valid_number(1000 + i)
        lines.append(f"{filler}個人番号：{number.translate(FW)}" if i % 2 else f"{filler}個人番号 {number}")
    data = jis(_text(lines))
    assert len(data) > 4 * CHUNK_SIZE + SAMPLE_SIZE
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    result = scanner().scan_file(str(path))
    assert found(result) == [(i, valid_number(1000 + i)[-4:], Confidence.HIGH) for i in range(1, count + 1)]


def test_jis_from_standard_input() -> None:
    result = scanner().scan_stream(io.BytesIO(jis(MEMO)))
    assert found(result) == [(2, A[-4:], Confidence.HIGH), (3, B[-4:], Confidence.HIGH)]


def test_a_jis_csv_keeps_its_column_context(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(jis(_text(["氏名,個人番号", f"山田,{A}", f"佐藤,{B.translate(FW)}"])))
    result = scanner().scan_file(str(path))
    assert [(f.location.line, f.location.column, f.confidence) for f in result.findings] == [
        (2, "個人番号", Confidence.HIGH), (3, "個人番号", Confidence.HIGH)]


def test_undecodable_bytes_in_jis_never_stop_the_file(tmp_path: Path) -> None:
    data = (jis("ヘッダ\n") + b"\x1b$B\x80\xff8\n\x1b(B" + b"\x1b$(Z?!\n" + CIRCLED_ONE_CP50221 + b"\n"
            + jis(f"個人番号：{A.translate(FW)}\n") + b"\x1b$B8")  # ends inside a character
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    result = scanner().scan_file(str(path))
    assert found(result) == [(5, A[-4:], Confidence.HIGH)]


def test_terminal_colours_in_an_ascii_log_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "colour.log"
    path.write_bytes(f"\x1b[1m\x1b(B\x1b[mstart\n\x1b[31mmy_number={A}\x1b(B\x1b[m\n".encode())
    result = scanner().scan_file(str(path))
    assert found(result) == [(2, A[-4:], Confidence.HIGH)]


@functools.cache
def _text_scanner() -> TextScanner:
    return scanner().text_scanner


def _units(data: bytes, head: int, chunk_size: int) -> list[TextUnit]:
    source = Source("f.txt", io.BytesIO(data[head:]), data[:head], len(data))
    return list(TextExtractor(chunk_size=chunk_size).extract(source))


_LINES = st.lists(st.sampled_from(["個人番号：", "ｱｲｳ", "abc ", "１２３", "456", "\n", "表,", "\r\n", "−", "\x1b[0m"]),
                  max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_LINES, head=st.integers(0, 64), chunk_size=st.integers(1, 48))
def test_chunked_jis_decodes_to_the_same_text_and_lines_wherever_it_is_cut(text: str, head: int,
                                                                            chunk_size: int) -> None:
    """The text extractor hands the matcher the decoded text, cut anywhere (inside an escape sequence, inside
    a character); each unit after the first continues the one before it, and the scanner, carrying the
    newlines the matcher counted, gives each its first line right."""
    data = text.encode("iso2022_jp_ext")
    units = _units(data, min(head, len(data)), chunk_size)
    pieces = [(unit.data or b"")[unit.scan_from:unit.scan_to].decode(unit.encoding) for unit in units]
    assert "".join(pieces) == text
    assert [unit.continues for unit in units] == [index > 0 for index in range(len(units))]
    lines = UnitLines(_text_scanner())
    line = 1
    for unit, piece in zip(units, pieces, strict=True):
        assert lines.next_line == line
        lines.scan(unit)
        line += piece.count("\n")
    assert lines.next_line == line


# -- mail -----------------------------------------------------------------------------------------------------

def _mail_findings(data: bytes) -> list[tuple[str | None, int | None, str, Confidence]]:
    from detector.match import TextScanner
    from detector.rules import load_rules

    text_scanner = TextScanner(load_rules())
    units = [item for item in message_items(data, "") if isinstance(item, TextUnit)]
    return [(c.location.part, c.location.line, c.digits[-4:], c.confidence)
            for unit in units for c in text_scanner.scan_unit(unit).candidates]


BODY = f"経理部 御中\n\n山田さんの個人番号：{A.translate(FW)}\n佐藤さんの個人番号 {B}\n"


def _mail(body: bytes, **params: str) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "soumu@example.co.jp"
    message["To"] = "keiri@example.co.jp"
    message["Subject"] = "申告書"
    message.set_content(body, maintype="text", subtype="plain", cte="7bit", params=params)
    return message.as_bytes()


def test_an_iso_2022_jp_mail_body_gives_both_numbers() -> None:
    data = _mail(BODY.encode("iso-2022-jp"), charset="iso-2022-jp")
    assert b"Content-Type: text/plain; charset=\"iso-2022-jp\"" in data
    assert _mail_findings(data) == [("body", 3, A[-4:], Confidence.HIGH), ("body", 4, B[-4:], Confidence.HIGH)]


def test_a_cp50221_mail_body_labelled_iso_2022_jp_is_decoded_not_dropped_to_ascii() -> None:
    body = BODY.encode("iso-2022-jp") + jis("以上") + CIRCLED_ONE_CP50221 + b"\n"
    data = _mail(body, charset="iso-2022-jp")
    assert _mail_findings(data) == [("body", 3, A[-4:], Confidence.HIGH), ("body", 4, B[-4:], Confidence.HIGH)]


def test_a_jis_body_without_a_declared_charset_is_decoded() -> None:
    """RFC 1468 mail from old mailers: no MIME headers at all, the body in JIS."""
    data = b"From: soumu@example.co.jp\nTo: keiri@example.co.jp\nSubject: memo\n\n" + BODY.encode("iso-2022-jp")
    assert _mail_findings(data) == [("body", 3, A[-4:], Confidence.HIGH), ("body", 4, B[-4:], Confidence.HIGH)]


def test_a_jis_body_labelled_us_ascii_is_decoded() -> None:
    data = _mail(BODY.encode("iso-2022-jp"), charset="us-ascii")
    assert _mail_findings(data) == [("body", 3, A[-4:], Confidence.HIGH), ("body", 4, B[-4:], Confidence.HIGH)]


def test_a_raw_jis_subject_is_decoded() -> None:
    data = (b"From: a@example.co.jp\nTo: b@example.co.jp\nSubject: " + jis(f"個人番号 {C}") + b"\n\nhello\n")
    assert _mail_findings(data) == [("headers", None, C[-4:], Confidence.HIGH)]


def test_a_jis_mail_file_and_mbox_are_scanned(tmp_path: Path) -> None:
    message = _mail(BODY.encode("iso-2022-jp"))
    (tmp_path / "a.eml").write_bytes(message)
    (tmp_path / "box.mbox").write_bytes(b"From MAILER-DAEMON Mon Nov 16 10:00:00 2026\n"
                                        + message.replace(b"\r\n", b"\n") + b"\n")
    for name, part in (("a.eml", "body"), ("box.mbox", "message 1 body")):
        result = scanner().scan_file(str(tmp_path / name))
        assert [(f.location.part, f.location.line, f.confidence) for f in result.findings] == [
            (part, 3, Confidence.HIGH), (part, 4, Confidence.HIGH)], name


@pytest.mark.parametrize(("text", "codec"), [
    ("個人番号 ｱｲｳ", "iso2022_jp_ext"), ("個人番号 한국", "iso2022_jp_2"), ("個人番号 俱", "iso2022_jp_2004")])
def test_the_jis_codec_is_chosen_by_the_sets_the_text_uses(text: str, codec: str) -> None:
    """Each ISO-2022-JP codec rejects the sets of the others: the escape sequences in the text choose."""
    data = text.encode(codec)
    assert jis_encoding(data) == codec
    assert decode_jis(data) == text


# -- watch ----------------------------------------------------------------------------------------------------

def test_lines_appended_to_a_followed_jis_log_are_decoded(tmp_path: Path) -> None:
    from .test_watch import Running, findings

    root = tmp_path / "share"
    root.mkdir()
    running = Running(root, None)
    try:
        log = root / "app.log"
        log.write_bytes(jis("起動しました\n"))
        running.quiet(0.5)
        with log.open("ab") as handle:
            handle.write(jis(f"個人番号：{A.translate(FW)}\n個人番号 {B}\n"))
        running.wait(lambda: findings(running, "app.log") == [(2, A[-4:]), (3, B[-4:])])
    finally:
        running.close()
