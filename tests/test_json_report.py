"""The json report's layout: the same document as ``json.dumps(..., indent=2)`` reads back, fields indented, each
entry of a top-level list on one line of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from detector.people import RevealedNumbers
from detector.pipeline import ScanOptions, scan_paths
from detector.report.json_report import document_text, render

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
