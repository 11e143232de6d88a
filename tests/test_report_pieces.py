"""Reports written in pieces, each finding's entry made as it is written (the json report's own layout is held in
``tests/test_json_report.py``).

The SARIF log (``scan --format sarif``) is laid out as ``json.dumps(indent=2)`` lays it out but for its results,
one a line, a thousand a piece; it reads back as the whole log made at once (``sarif_report.document``, the plain
form), with a baseline, with ``--reveal``'s numbers, with none. The CSV table (``--format csv``), a thousand rows a
piece, is the text one writer gives for all its rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from detector import scan
from detector.baseline import Baseline, baseline_document
from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.report import csv_report, sarif_report

from .conftest import valid_number

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
KEY = "sarif-pieces-key"


def share_with(tmp_path: Path, count: int) -> Path:
    root = tmp_path / f"share-{count}"
    root.mkdir()
    (root / "roster.txt").write_text("".join(f"個人番号 {valid_number(1000 + i)}\n" for i in range(count)),
                                     encoding="utf-8")
    (root / "nothing.txt").write_text("no numbers\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("count", [0, 1, sarif_report.RESULTS_A_PIECE, sarif_report.RESULTS_A_PIECE + 7])
def test_the_log_in_pieces_reads_back_as_the_whole_log(tmp_path: Path, count: int) -> None:
    result = scan_paths([str(share_with(tmp_path, count))], ScanOptions(key=KEY.encode(), jobs=1))
    assert len(result.findings) == count
    pieces = list(sarif_report.pieces(result))
    log = json.loads("".join(pieces))
    assert log == json.loads(json.dumps(sarif_report.document(result), ensure_ascii=False))
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(pieces) <= 2 + -(-count // sarif_report.RESULTS_A_PIECE)
    lines = "".join(pieces).split("\n")
    assert sum(line.startswith('        {"ruleId": ') for line in lines) == count  # one result a line


def test_with_a_baseline_and_revealed_numbers_the_pieces_are_the_whole_log(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    share = share_with(tmp_path, 5)
    monkeypatch.setenv("MYNUMBER_KEY", KEY)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(baseline_document(scan(share), "checked")), encoding="utf-8")
    (share / "new.txt").write_text(f"個人番号 {valid_number(7)}\n", encoding="utf-8")
    revealed = RevealedNumbers()
    options = ScanOptions(key=KEY.encode(), jobs=1, reveal=True)
    result = scan_paths([str(share)], options, revealed=revealed, baseline=Baseline.load(str(baseline)))
    assert result.compared_to_baseline and result.baselined and result.findings
    log = json.loads(sarif_report.render(result, revealed))
    assert log == json.loads(json.dumps(sarif_report.document(result, revealed), ensure_ascii=False))
    states = [item["baselineState"] for item in log["runs"][0]["results"]]
    assert states.count("unchanged") == 5 and states.count("new") == 1
    assert all("number" in item["properties"] for item in log["runs"][0]["results"])


ROWS = csv_report.ROWS_A_PIECE


@pytest.mark.parametrize("count", [0, ROWS - 1, ROWS, 2 * ROWS + 3])
def test_the_table_in_pieces_is_the_table_one_writer_gives(tmp_path: Path, count: int) -> None:
    revealed = RevealedNumbers()
    options = ScanOptions(key=KEY.encode(), jobs=1, reveal=True)
    result = scan_paths([str(share_with(tmp_path, count))], options, revealed=revealed)
    for sink in (None, revealed):
        pieces = list(csv_report.pieces(result, sink))
        whole = io.StringIO()
        csv.writer(whole, lineterminator="\r\n").writerows(csv_report._rows(result, sink))
        assert "".join(pieces) == "\ufeff" + whole.getvalue()
        assert len(pieces) == 1 + count // csv_report.ROWS_A_PIECE  # the header row and the findings' rows
        rows = list(csv.reader(io.StringIO("".join(pieces).removeprefix("\ufeff"))))
        assert len(rows) == 1 + count and ("number" in rows[0]) == (sink is not None)
