"""A number's confidence depends on its text and the context window around it, and on nothing else: not on
how far into the file it is, how the file is cut into chunks, which engine runs, or whether the C speed-ups
are built. Japanese applications' logs are mostly ASCII with Japanese where it matters; the keyword line can
sit anywhere in them."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.extract import Source
from detector.extract.text import TextExtractor
from detector.identify import TEXT
from detector.match import TextScanner, hyperscan_available
from detector.model import Confidence, ScanOptions
from detector.native import speedups
from detector.rules import Rules
from detector.scanner import FileScanner, UnitLines

from .conftest import valid_number

NUMBER = valid_number(71)
KEYWORD_LINES = [
    "2026-12-03T09:00:00 level=info msg=従業員のマイナンバーを {n} に変更しました\n",
    '{{"ts": "2026-12-03T09:00:00", "項目": "マイナンバー", "値": "{n}"}}\n',
    "2026-12-03 09:00:00,123 INFO [hr] 個人番号 {n} updated\n",
]
ENGINES = ["re", *(["hyperscan"] if hyperscan_available() else [])]
SPEEDUPS = [False, *([True] if speedups is not None else [])]


def ascii_log(size: int, seed: int) -> bytes:
    """About ``size`` bytes of ASCII log lines (key=value and JSON), with IDs, dates and invalid numbers."""
    rng = random.Random(seed)
    shapes = [
        '{{"ts": "2026-12-03T08:{m:02d}:{s:02d}Z", "level": "info", "req": {r}, "user": "u{u}", "ms": {ms}}}\n',
        "2026-12-03T08:{m:02d}:{s:02d} level=info msg=\"request ok\" req_id={r} user=u{u} took={ms}ms\n",
        '10.0.{u}.{s} - - [03/Dec/2026:08:{m:02d}:{s:02d} +0900] "GET /api/v1/items/{r} HTTP/1.1" 200 {ms}\n',
    ]
    lines = [rng.choice(shapes).format(m=rng.randrange(60), s=rng.randrange(60), r=rng.randrange(10**11, 10**12),
                                       u=rng.randrange(256), ms=rng.randrange(10**4)) for _ in range(200)]
    block = "".join(lines).encode("ascii")
    return (block * (size // len(block) + 1))[:size].rpartition(b"\n")[0] + b"\n" if size else b""


def scan_confidences(rules: Rules, path: Path, engine: str, fast: bool, chunk_size: int | None = None,
                     ) -> list[tuple[str, Confidence, tuple[str, ...]]]:
    """(digits' last four, confidence, reasons) of every candidate a file gives, held back or not."""
    scanner = FileScanner(ScanOptions(key=b"k" * 32, engine=engine, min_confidence=Confidence.MEDIUM), rules)
    scanner.text_scanner.fast_ascii = fast and scanner.text_scanner.fast_ascii
    if chunk_size is not None:
        scanner.extractors[TEXT] = TextExtractor(chunk_size)
    found = []
    with path.open("rb") as stream:
        head = stream.read(64 * 1024 if chunk_size is None else chunk_size)
        source = Source(str(path), stream, head, path.stat().st_size)
        lines = UnitLines(scanner.text_scanner)
        for unit in scanner.extractors[TEXT].extract(source):
            found.extend(lines.scan(unit))
    return [(c.digits[-4:], c.confidence, c.reasons) for c in found]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.one_of(st.integers(0, 5_000_000), st.sampled_from([65_000, 65_536, 66_000, 1_048_576])),
       line=st.sampled_from(KEYWORD_LINES), engine=st.sampled_from(ENGINES), fast=st.sampled_from(SPEEDUPS),
       seed=st.integers(0, 3))
def test_a_keyword_line_after_any_ascii_prefix_scores_high(rules: Rules, tmp_path_factory: pytest.TempPathFactory,
                                                           prefix: int, line: str, engine: str, fast: bool,
                                                           seed: int) -> None:
    path = tmp_path_factory.mktemp("log") / "app.log"
    path.write_bytes(ascii_log(prefix, seed) + line.format(n=NUMBER).encode() + ascii_log(5_000, seed + 1))
    mine = [c for c in scan_confidences(rules, path, engine, fast) if c[0] == NUMBER[-4:]]
    assert [c[1] for c in mine] == [Confidence.HIGH], mine


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("filler", [b"a", b"ab ", b"x=1 "])
@pytest.mark.parametrize("before", [65_000, 66_000, 70_000])
def test_a_keyword_far_into_one_long_line_is_seen(rules: Rules, tmp_path: Path, engine: str, filler: bytes,
                                                  before: int) -> None:
    """A minified JSON or HTML file, a one-line log: what comes 64 KiB before the keyword changes nothing."""
    path = tmp_path / "min.json"
    path.write_bytes((filler * before)[:before] + f" 個人番号 {NUMBER}\n".encode())
    assert [c[1] for c in scan_confidences(rules, path, engine, fast=True)] == [Confidence.HIGH]


def _keyword_then_number(cut: int, filler: bytes, encoding: str, gap: str) -> bytes:
    """A long line whose keyword ends ``cut`` bytes into the file and whose number follows after ``gap``."""
    keyword = "個人番号".encode(encoding)
    repeats = max(0, cut - len(keyword)) // len(filler)
    head = filler * repeats + b"." * (max(0, cut - len(keyword)) - repeats * len(filler))
    return head + keyword + f"{gap}{NUMBER} 以上".encode(encoding) + filler * (8192 // len(filler)) + b"\n"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc-jp"])
@pytest.mark.parametrize("filler", [b"a", b"ab ", "あいう".encode(), b"x"])
def test_a_chunk_boundary_inside_a_long_line_carries_the_context(rules: Rules, tmp_path: Path, encoding: str,
                                                                 filler: bytes) -> None:
    """Whatever byte of a long line a chunk ends at, between the keyword and its number or inside either, the
    number is found once, with the keyword's confidence, and at the same line as in one piece."""
    chunk = 4096
    if filler == "あいう".encode():
        filler = "あいう".encode(encoding)
    expected = None
    first_cut = 2 * chunk  # the head and one chunk are read before the first cut
    for keyword_end in range(first_cut - 48, first_cut + 40, 3):
        path = tmp_path / f"long-{keyword_end}.txt"
        path.write_bytes(_keyword_then_number(keyword_end, filler, encoding, "："))
        whole = scan_confidences(rules, path, "re", fast=False, chunk_size=1 << 20)
        assert [c[1] for c in whole] == [Confidence.HIGH], (keyword_end, whole)
        expected = whole
        for engine in ENGINES:
            assert scan_confidences(rules, path, engine, fast=True, chunk_size=chunk) == expected, (
                keyword_end, engine)


def test_ascii_declared_on_text_that_is_not_reads_the_rest_as_utf8(rules: Rules) -> None:
    """An extractor that calls Japanese text "ascii" must not blind the scorer: it is read as UTF-8."""
    data = f"ok\n従業員のマイナンバーを {NUMBER} に変更\n".encode()
    for engine in ENGINES:
        found = TextScanner(rules, engine, Confidence.MEDIUM).scan_bytes(data, "ascii")
        assert [c.confidence for c in found] == [Confidence.HIGH], engine


def test_stream_reads_keep_the_context_too(rules: Rules) -> None:
    """Standard input (no size known) is read in the same chunks with the same result."""
    data = ascii_log(300_000, 5) + KEYWORD_LINES[0].format(n=NUMBER).encode()
    scanner = FileScanner(ScanOptions(key=b"k" * 32, min_confidence=Confidence.MEDIUM), rules)
    result = scanner.scan_stream(io.BytesIO(data))
    assert [f.confidence for f in result.findings] == [Confidence.HIGH]


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc-jp"])
def test_a_keyword_after_the_number_counts_across_a_cut_at_a_line_end(rules: Rules, tmp_path: Path,
                                                                      encoding: str) -> None:
    """The window reaches after the number too: a keyword starting the next line is seen whether or not a chunk
    ends between the two lines."""
    chunk = 4096
    line = "2026-12-03 update ok id=17\n".encode(encoding)
    for pad in range(40, 100):  # the number's line ends around the first chunk's end (8,192 bytes)
        path = tmp_path / f"after-{pad}.txt"
        path.write_bytes(b"#" * pad + b"\n" + line * 300 + f"{NUMBER}\n（個人番号）\n".encode(encoding) + line * 400)
        whole = scan_confidences(rules, path, "re", fast=False, chunk_size=1 << 20)
        assert [c[1] for c in whole] == [Confidence.HIGH], (pad, whole)
        for engine in ENGINES:
            for fast in SPEEDUPS:
                assert scan_confidences(rules, path, engine, fast, chunk_size=chunk) == whole, (pad, engine)


def test_jis_context_keeps_its_designated_set_into_the_scanned_part(rules: Rules) -> None:
    """ISO-2022-JP: the context and the scanned part are decoded by one decoder, so a scanned part that starts
    inside a run of double-byte characters (the escape sequence is in the context) is still read as such."""
    fw = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = f"記録\n個人番号{fw}\n".encode("iso2022_jp")
    start = data.index(b"8D?MHV9f") + 8  # just after 個人番号 (8D ?M HV 9f), still in JIS X 0208
    for engine in ENGINES:
        found = TextScanner(rules, engine, Confidence.LOW).scan_bytes(data, "iso2022_jp", 2, start)
        assert [(c.digits, c.confidence, c.location.line) for c in found] == [(NUMBER, Confidence.HIGH, 2)], engine


TEXTS_BEFORE = ["", "マイナンバー", "my_number=", "電話 ", "口座番号：", "ﾏｲﾅﾝﾊﾞｰ", "x" * 50]
TEXTS_AFTER = ["", " tel", "（個人番号）", "\n2026-12-03 order", "－"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TEXTS_BEFORE), st.sampled_from(TEXTS_AFTER), st.booleans()),
                min_size=1, max_size=40))
def test_a_score_is_the_same_whether_its_context_was_met_before_or_not(rules: Rules,
                                                                       sides: list[tuple[str, str, bool]]) -> None:
    """The scorer remembers the terms beside the candidates it has scored (a log's templates repeat): scoring the
    same texts again, among others and past what it remembers, gives what a scorer meeting each once gives."""
    from detector.context import _SIDES_REMEMBERED, ContextScorer

    remembering = ContextScorer(rules)
    for _ in range(2):
        for index, (before, after, grouped) in enumerate(sides):
            text = f"{before}{NUMBER}{after}"
            start, end = len(before), len(before) + len(NUMBER)
            if index % 7 == 0:  # fill what it remembers with other texts, so that it forgets some
                for filler in range(_SIDES_REMEMBERED // 3):
                    remembering.score(f"{filler}-{text}", start + len(f"{filler}-"), end + len(f"{filler}-"), False)
            met_once = ContextScorer(rules).score(text, start, end, grouped)
            assert remembering.score(text, start, end, grouped) == met_once
