"""The json report's layout: the same document as ``json.dumps(..., indent=2)`` reads back, fields indented, each
entry of a top-level list on one line of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.report.json_report import ENTRIES_A_PIECE, document_pieces, document_text, render

from .conftest import valid_number

SHARE = Path(__file__).resolve().parent.parent / "fixtures" / "share"

AWKWARD: dict[str, Any] = {
    "schema": "mynumber/2",
    "scan": {"roots": ["/srv/共有", "/srv/a\nb"], "empty": {}, "none": [], "nested": {"deep": [1, {"x": None}]}},
    "findings": [
        {"path": "/srv/line\nend\tand \"quotes\" \\ }, {", "masked": "********9018", "reasons": ["bare"]},
        {"path": "/srv/ｍｙ番号/\u2028\u0000", "location": {"line": 3, "member": ["a.zip", "b.xlsx"]}},
    ],
    "samples": [],
    "files": ["a bare string", 3, None, ["a", "list"]],
}


def test_the_layout_reads_back_as_the_indented_document_does() -> None:
    plain = json.dumps(AWKWARD, ensure_ascii=False, indent=2)
    assert json.loads(document_text(AWKWARD)) == json.loads(plain) == AWKWARD


def test_each_entry_of_a_top_level_list_is_one_line_and_the_rest_is_indented() -> None:
    lines = document_text(AWKWARD).split("\n")  # not splitlines(): U+2028 in a name is written as it is
    entries = lines[lines.index('  "findings": [') + 1:lines.index("  ],")]
    assert [json.loads(line.strip().removesuffix(",")) for line in entries] == AWKWARD["findings"]
    assert '  "samples": [],' in lines  # an empty list stays on its key's line
    assert '    "roots": [' in lines and '      "/srv/共有",' in lines  # not a top-level list: indented as before
    assert document_text(AWKWARD).endswith("\n}\n")


def test_a_scan_renders_to_the_document_of_its_result(tmp_path: Path) -> None:
    revealed = RevealedNumbers()
    result = scan_paths([str(SHARE)], ScanOptions(key=b"layout-key", jobs=1, reveal=True), revealed=revealed)
    assert result.findings
    for sink in (None, revealed):  # --reveal's document is laid out the same way
        text = render(result, sink)
        assert json.loads(text) == json.loads(json.dumps(result.to_json(sink), ensure_ascii=False))
        assert sum(line.startswith('    {"path": ') for line in text.split("\n")) >= len(result.findings)


def test_the_report_made_one_finding_at_a_time_is_the_document_of_every_finding_at_once(tmp_path: Path) -> None:
    """``render`` writes the findings as it makes them (ScanResult.to_json's ``lazy``): the text is the one the
    whole document, every finding's dict made first, gives; with --reveal's numbers too, and with no findings."""
    share = tmp_path / "share"
    share.mkdir()
    (share / "a.txt").write_text("".join(f"個人番号 {valid_number(seed)}\n" for seed in range(50)), encoding="utf-8")
    (share / "b.txt").write_text("nothing\n", encoding="utf-8")
    for revealed in (None, RevealedNumbers()):
        options = ScanOptions(key=b"k" * 32, reveal=revealed is not None, jobs=1)
        result = scan_paths([str(share)], options, revealed=revealed)
        assert result.findings
        assert render(result, revealed) == document_text(result.to_json(revealed))
    empty = scan_paths([str(share / "b.txt")], ScanOptions(key=b"k" * 32, jobs=1))
    assert render(empty) == document_text(empty.to_json())


def test_a_long_list_written_a_thousand_entries_a_piece_is_one_list_of_one_entry_a_line() -> None:
    """The report is written in pieces (each a thousand entries of a list): joined, they are the layout above,
    at every count around a piece's edge."""
    for count in (1, ENTRIES_A_PIECE - 1, ENTRIES_A_PIECE, ENTRIES_A_PIECE + 1, 2 * ENTRIES_A_PIECE + 345):
        document = {"schema": "mynumber/2", "findings": [{"n": i, "path": f"/srv/{i}\n"} for i in range(count)],
                    "summary": {"findings": count}}
        pieces = list(document_pieces(document))
        text = "".join(pieces)
        assert json.loads(text) == document
        lines = text.split("\n")
        entries = lines[lines.index('  "findings": [') + 1:lines.index("  ],")]
        assert [json.loads(line.strip().removesuffix(",")) for line in entries] == document["findings"]
        assert len(pieces) <= 2 * len(document) + 2 + -(-count // ENTRIES_A_PIECE)  # no piece an entry


def test_an_empty_document_is_an_empty_object() -> None:
    assert json.loads(document_text({})) == {}
