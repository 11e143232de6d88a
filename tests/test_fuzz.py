"""Hostile and broken files: mutated versions of each fixture format (truncated, bytes flipped, pieces cut out
or repeated) are either scanned or listed as unscanned with a reason of our own, never an internal error, and
within a time bound."""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.errors import UnscannableFile
from detector.extract import Source, registry
from detector.extract.containers import Expander
from detector.identify import identify, refine
from detector.model import Confidence, ScanOptions
from detector.rules import load_rules
from detector.scanner import FileScanner

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "fixtures" / "documents"
FORMATS = {
    "xlsx": "excel/扶養控除等申告書.xlsx",
    "xls": "excel/扶養控除等申告書.xls",
    "ods": "excel/扶養控除等申告書.ods",
    "docx": "word/源泉徴収票.docx",
    "odt": "word/源泉徴収票.odt",
    "pdf": "word/源泉徴収票.pdf",
    "rtf": "word/源泉徴収票.rtf",
    "pptx": "slides/説明会.pptx",
    "odp": "slides/説明会.odp",
    "zip": "archive/bundle.zip",
    "tar.gz": "archive/logs.tar.gz",
    "gz": "archive/app.log.1.gz",
    "eml": "mail/申告書送付.eml",
    "mbox": "mail/inbox.mbox",
    "encrypted xlsx": "locked/給与_パスワード付き.xlsx",
    "jis txt": "../share/notes/旧システム移行メモ_jis.txt",  # ISO-2022-JP, decoded by the text reader
    # fixtures/legacy, read by libarchive (7z, RAR, LZH) and olefile (msg, doc, ppt)
    "7z": "../legacy/archive/給与データ.7z",
    "rar": "../legacy/archive/給与_rar4.rar",
    "rar5": "../legacy/archive/給与_rar5.rar",
    "encrypted rar5": "../legacy/locked/rar5_パスワード付き.rar",
    "lzh": "../legacy/archive/源泉徴収_2026.lzh",
    "msg": "../legacy/mail/転送_添付あり.msg",
    "html msg": "../legacy/mail/新しいOutlook_HTML.msg",
    "doc": "../legacy/word/源泉徴収票.doc",
    "ppt": "../legacy/slides/説明会.ppt",
}
TIME_BOUND_SECONDS = 10.0


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """A damaged copy: truncated, some bytes overwritten, a piece cut out or repeated."""
    out = bytearray(data)
    kind = draw(st.sampled_from(["truncate", "flip", "cut", "repeat", "mixed"]))
    if kind in ("flip", "mixed"):
        for _ in range(draw(st.integers(1, 16))):
            position = draw(st.integers(0, len(out) - 1))
            out[position] = draw(st.integers(0, 255))
    if kind in ("cut", "mixed") and len(out) > 2:
        start = draw(st.integers(0, len(out) - 2))
        end = draw(st.integers(start + 1, min(len(out), start + 4096)))
        del out[start:end]
    if kind == "repeat":
        start = draw(st.integers(0, len(out) - 1))
        end = min(len(out), start + draw(st.integers(1, 4096)))
        out[end:end] = out[start:end] * draw(st.integers(1, 8))
    if kind in ("truncate", "mixed"):
        out = out[: draw(st.integers(0, len(out)))]
    return bytes(out)


_SCANNER = FileScanner(ScanOptions(key=b"k", min_confidence=Confidence.LOW))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_damaged_files_are_scanned_or_listed_never_an_internal_error(fmt: str) -> None:
    original = (DOCUMENTS / FORMATS[fmt]).read_bytes()

    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations(original))
    def check(damaged: bytes) -> None:
        with tempfile.NamedTemporaryFile(suffix="." + fmt.split()[-1]) as handle:
            handle.write(damaged)
            handle.flush()
            started = time.monotonic()
            result = _SCANNER.scan_file(handle.name)
            elapsed = time.monotonic() - started
        assert elapsed < TIME_BOUND_SECONDS
        for entry in result.unscanned:
            assert "internal error" not in entry.reason, entry.reason

    check()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_extractors_raise_only_the_projects_own_error(fmt: str) -> None:
    """One level down: each format's extractor, run over a damaged file, yields units (and members, read in
    turn) or raises UnscannableFile, and nothing else, within the time bound."""
    original = (DOCUMENTS / FORMATS[fmt]).read_bytes()
    expander = Expander(registry(), load_rules().limits)
    extractors = registry()

    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations(original))
    def check(damaged: bytes) -> None:
        import io

        stream = io.BytesIO(damaged)
        head = stream.read(8192)
        kind = refine(identify(head), stream)
        stream.seek(len(head))
        extractor = extractors.get(kind.name)
        if extractor is None:
            return
        started = time.monotonic()
        with contextlib.suppress(UnscannableFile):  # anything else fails the test
            list(expander.items(extractor, Source("damaged", stream, head, len(damaged))))
        assert time.monotonic() - started < TIME_BOUND_SECONDS

    check()
