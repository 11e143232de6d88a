"""The detection matrix: every form found, every decoy not found, every encoding, and confidence by context."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.extract.text import TextExtractor
from detector.model import Confidence, FileResult, ScanOptions
from detector.rules import Rules
from detector.scanner import FileScanner

from .conftest import invalid_number, valid_number

N = valid_number(1)
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def grouped(number: str, sep: str) -> str:
    return sep.join((number[:4], number[4:8], number[8:]))


def scan_text(tmp_path: Path, text: str, encoding: str = "utf-8", min_confidence: str = "low",
              name: str = "f.txt") -> FileResult:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    scanner = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.parse(min_confidence)))
    return scanner.scan_file(str(path))


FORMS = {
    "contiguous": N,
    "full-width": N.translate(FW),
    "mixed widths": N[:6] + N[6:].translate(FW),
    **{f"grouped with {name}": grouped(N, sep) for name, sep in [
        ("hyphen", "-"), ("space", " "), ("dot", "."), ("full-width hyphen", "－"), ("hyphen U+2010", "‐"),
        ("minus sign", "−"), ("long vowel mark", "ー"), ("ideographic space", "\u3000")]},
    "full-width grouped": grouped(N.translate(FW), "－"),
    "in Japanese without spaces": f"山田太郎の番号は{N}です",
    "at the end without newline": f"x {N}",
    "percent-encoded full-width": "q=" + "".join(f"%EF%BC%{0x90 + int(d):02X}" for d in N) + "&x=1",
    "percent-encoded with plus": "q=" + grouped(N, "+") + "&x=1",
    "percent-encoded hyphen": "q=" + grouped(N, "%2D"),
    "JSON escaped": '{"v":"' + "".join(f"\\uff1{d}" for d in N) + '"}',
    "HTML entities": "".join(f"&#{0xFF10 + int(d)};" for d in N),
}


@pytest.mark.parametrize("text", list(FORMS.values()), ids=list(FORMS))
def test_every_form_is_found(tmp_path: Path, text: str) -> None:
    result = scan_text(tmp_path, f"line one\n{text}\n")
    assert [(f.masked, f.location.line) for f in result.findings] == [("********" + N[-4:], 2)]


DECOYS = {
    "13 digits": N + "5",
    "13 digits, one before": "7" + N,
    "14-digit timestamp": "20261122" + N[:6],
    "16-digit card, hyphens": grouped(N, "-") + "-1234",
    "16-digit card, spaces": "1234 " + grouped(N, " "),
    "mixed separators": N[:4] + "-" + N[4:8] + " " + N[8:],
    "doubled separators": "--".join((N[:4], N[4:8], N[8:])),
    "wrong check digit": invalid_number(1),
    "glued by hyphen": "12-" + N,
    "glued by dot": N + ".5",
    "full-width 13 digits": (N + "1").translate(FW),
}


@pytest.mark.parametrize("text", list(DECOYS.values()), ids=list(DECOYS))
def test_no_decoy_is_found(tmp_path: Path, text: str) -> None:
    result = scan_text(tmp_path, f"個人番号 {text}\n")
    assert result.findings == []


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8-sig", b""), ("cp932", b""), ("euc-jp", b""), ("iso2022_jp", b""),
     ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")],
    ids=["utf-8", "utf-8 BOM", "cp932", "euc-jp", "iso-2022-jp", "utf-16le BOM", "utf-16be BOM", "utf-16le no BOM"],
)
def test_each_encoding_gives_the_number_and_its_line(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = ("社員名簿\n表示テスト\n山田 個人番号：" + N.translate(FW)
            + "\n佐藤 マイナンバー " + grouped(valid_number(2), "-") + "\n")
    path = tmp_path / "f.txt"
    path.write_bytes(prefix + text.encode(encoding))
    result = FileScanner(ScanOptions(key=b"k")).scan_file(str(path))
    assert [(f.location.line, f.confidence) for f in result.findings] == [(3, Confidence.HIGH), (4, Confidence.HIGH)]


def test_undecodable_bytes_never_stop_a_file(tmp_path: Path) -> None:
    path = tmp_path / "f.log"
    path.write_bytes(b"\x80\xff garbage \x81\n" + f"my_number={N}\n".encode() + b"\xc3\x28 more\n")
    result = FileScanner(ScanOptions(key=b"k")).scan_file(str(path))
    assert [f.location.line for f in result.findings] == [2]


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        (f"個人番号 {N}", Confidence.HIGH),
        (f"{N} (マイナンバー)", Confidence.HIGH),
        (f"My Number: {N}", Confidence.HIGH),
        (f"ＭＹ＿ＮＵＭＢＥＲ={N}", Confidence.HIGH),
        (f"{grouped(N, '-')}", Confidence.MEDIUM),
        (f"{N}", Confidence.LOW),
        (f"個人番号 {'x' * 80} {N}", Confidence.LOW),
        (f"電話 {grouped(N, '-')}", Confidence.LOW),
        (f"注文番号 {N}", Confidence.LOW),
        (f"個人番号と基礎年金番号 {N}", Confidence.MEDIUM),
        (f"基礎年金番号と個人番号 {N}", Confidence.HIGH),
        ("level=info req=1 ok\n" * 6000 + f"従業員のマイナンバーを {N} に変更しました", Confidence.HIGH),
        ("a" * 66_000 + f" 個人番号 {N}", Confidence.HIGH),
    ],
    ids=["keyword before", "keyword after", "english", "full-width english", "grouped alone", "bare alone",
         "keyword outside the window", "phone keyword lowers", "order keyword", "nearer negative wins",
         "nearer keyword wins", "Japanese keyword after 120 KB of an ASCII log", "keyword 66,000 bytes into a line"],
)
def test_confidence_comes_from_context(tmp_path: Path, text: str, confidence: Confidence) -> None:
    result = scan_text(tmp_path, text + "\n")
    assert [f.confidence for f in result.findings] == [confidence]


def test_a_column_header_gives_context_to_every_row_however_far(tmp_path: Path) -> None:
    rows = ["氏名,マイナンバー,電話番号"] + [f"name{i},{valid_number(100 + i)},03-0000-{i:04d}" for i in range(5000)]
    result = scan_text(tmp_path, "\n".join(rows) + "\n", name="list.csv")
    assert len(result.findings) == 5000
    assert {f.confidence for f in result.findings} == {Confidence.HIGH}
    assert result.findings[-1].location.line == 5001
    assert result.findings[0].location.column == "マイナンバー"


def test_a_tsv_header_counts_too_and_another_numbers_column_lowers(tmp_path: Path) -> None:
    rows = ["氏名\t基礎年金番号\t個人番号", f"a\t{valid_number(7)}\t{valid_number(8)}"]
    result = scan_text(tmp_path, "\n".join(rows) + "\n", name="list.tsv")
    by_column = {f.location.column: f.confidence for f in result.findings}
    assert by_column == {"基礎年金番号": Confidence.LOW, "個人番号": Confidence.HIGH}


def test_samples_are_reported_as_samples_not_people(tmp_path: Path, rules: Rules) -> None:
    result = scan_text(tmp_path, "マイナンバー 1234-5678-9018\nマイナンバー 000000000000\n")
    assert result.findings == []
    assert [s.sample_id for s in result.samples] == ["official-example", "all-zero"]


def test_a_finding_says_why(tmp_path: Path) -> None:
    result = scan_text(tmp_path, f"マイナンバー {grouped(N, '-')}\n")
    assert result.findings[0].reasons == ("grouped", "keyword:my-number-ja")


def test_default_confidence_holds_back_low_findings_and_counts_them(tmp_path: Path) -> None:
    result = scan_text(tmp_path, f"個人番号 {valid_number(3)}\n{'-' * 50}\n{N}\n", min_confidence="medium")
    assert len(result.findings) == 1
    assert result.held_back == {"low": 1}
    assert len(result.held_back_people) == 1


def test_a_keyword_in_the_previous_chunk_still_counts(tmp_path: Path) -> None:
    text = "x" * 100 + "\n個人番号\n" + N + "\n"
    path = tmp_path / "f.txt"
    path.write_text(text, encoding="utf-8")
    scanner = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW))
    scanner.extractors["text"] = TextExtractor(chunk_size=108)
    result = scanner.scan_file(str(path))
    assert [(f.location.line, f.confidence) for f in result.findings] == [(3, Confidence.HIGH)]


def test_personal_items_beside_a_number_are_listed_from_row_headers_and_labels(tmp_path: Path) -> None:
    """The PPC report asks which items leaked with the numbers: each finding names those in its record."""
    table = scan_text(tmp_path, f"社員番号,氏名,生年月日,個人番号,振込先口座\nE1,山田,1980/01/01,{N},1234567\n",
                      name="hr.csv")
    assert table.findings[0].items == ("bank_account", "birth_date", "name")
    prose = scan_text(tmp_path, f"山田太郎 住所 東京都千代田区1-1 マイナンバー {N}\n", name="memo.txt")
    assert prose.findings[0].items == ("address",)
    alone = scan_text(tmp_path, f"個人番号 {N}\n", name="alone.txt")
    assert alone.findings[0].items == ()


def _as_compared(results: list[FileResult], clean: list[tuple[str, int, str]]) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = [(path, size, kind) for path, size, kind in clean]
    for r in results:
        out.append((r.path, r.size, r.kind, r.scanned, sorted(
            (f.masked, f.fingerprint, f.location.line, f.confidence.label, f.reasons) for f in r.findings),
            sorted((s.masked, s.location.line) for s in r.samples), sorted(u.reason for u in r.unscanned),
            sorted(r.held_back.items())))
    return sorted(out, key=repr)


def test_a_batch_of_files_gives_what_each_file_gives(tmp_path: Path) -> None:
    """Small plain-text files are prefiltered together (scan_files): file by file, the results are the same
    as scanning each on its own, for every encoding, every edge and every kind of file in the batch."""
    texts = {
        "start.txt": (f"{N}\n", "utf-8"), "end.txt": (f"memo {N}", "utf-8"), "only.txt": (N, "ascii"),
        "fw.txt": (f"個人番号：{N.translate(FW)}\n", "utf-8"),
        "cp932.txt": (f"マイナンバー {grouped(N, '－')}\n", "cp932"),
        "euc.txt": (f"個人番号 {N}\n", "euc-jp"), "jis.txt": (f"個人番号：{N.translate(FW)}\n", "iso2022_jp"),
        "escaped.txt": (f"q=%EF%BC%9{N[0]}{N[1:]}\n", "ascii"),
        "json.txt": ('{"n": "\\uff1' + N + '"}\n', "ascii"), "decoy.txt": (f"伝票1{N}\n", "utf-8"),
        "invalid.txt": (f"番号 {invalid_number(1)}\n", "utf-8"), "clean.txt": ("こんにちは\n", "utf-8"),
        "empty.txt": ("", "ascii"), "sample.txt": ("123456789018\n", "ascii"),
        "table.csv": (f"name,my_number\nYamada,{N}\n", "ascii"),
        "mail.eml": (f"From: a@b\nTo: c@d\n\n{N}\n", "ascii"),
        "bom.txt": (f"\ufeff個人番号 {N}\n", "utf-8"), "utf16.txt": (f"個人番号 {N}\n", "utf-16"),
    }
    paths = []
    for name, (text, encoding) in texts.items():
        (tmp_path / name).write_bytes(text.encode(encoding))
        paths.append(str(tmp_path / name))
    (tmp_path / "large.txt").write_text(("x" * 100 + "\n") * 1000 + N + "\n", encoding="ascii")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    paths += [str(tmp_path / "large.txt"), str(tmp_path / "binary.bin"), str(tmp_path / "missing.txt")]
    scanner = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW))
    one_by_one = [scanner.scan_file(path) for path in paths]
    expected = _as_compared([r for r in one_by_one if r.notable],
                            [(r.path, r.size, r.kind) for r in one_by_one if not r.notable])
    assert _as_compared(*scanner.scan_files(paths)) == expected
    found = {Path(r.path).name for r in one_by_one if r.findings}
    assert {"start.txt", "end.txt", "only.txt", "fw.txt", "cp932.txt", "euc.txt", "jis.txt", "escaped.txt", "json.txt",
            "table.csv", "mail.eml", "bom.txt", "utf16.txt", "large.txt"} <= found
    assert not found & {"decoy.txt", "invalid.txt", "clean.txt", "empty.txt", "sample.txt"}
