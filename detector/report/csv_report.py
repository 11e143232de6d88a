"""csv: one row per finding, for spreadsheets. UTF-8 with a BOM so Excel in Japan opens it correctly.

The possible numbers read from pictures that no reading saves follow the findings, one row each, with the
confidence ``unreadable``, the reason in ``reasons`` and no fingerprint: a person looks at the picture; a count of
people by fingerprint leaves them out, as the scan does."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..formulas import neutralised
from ..names import display, shown
from ..people import RevealedNumbers
from ..result import ScanResult
from . import in_chunks

UNREADABLE = "unreadable"  # the confidence column of a possible number OCR could not read
COLUMNS = ["path", "member", "line", "sheet", "cell", "page", "part", "hidden", "column", "masked", "fingerprint",
           "confidence", "public", "public_reason", "items", "reasons", "name", "path_display", "ocr",
           "host"]  # the machine that read the file: two hosts' same path are two files


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    return "".join(pieces(result, revealed))


ROWS_A_PIECE = 1_000


def pieces(result: ScanResult, revealed: RevealedNumbers | None = None) -> Iterator[str]:
    """The table in pieces, a thousand rows each, each finding's row made as it is written."""
    bom = "\ufeff"
    for chunk in in_chunks(_rows(result, revealed), ROWS_A_PIECE):  # the header row first: never none
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(chunk)
        yield bom + out.getvalue()
        bom = ""


def _rows(result: ScanResult, revealed: RevealedNumbers | None) -> Iterator[list[str]]:
    reveal = revealed is not None
    yield [*COLUMNS, "number"] if reveal else COLUMNS  # our own names: nothing to neutralise
    for item in result.to_json(revealed, lazy=True)["findings"]:
        location = item["location"]
        row = [item["path"], *(location.get(key, "") for key in
                               ("member", "line", "sheet", "cell", "page", "part", "hidden", "column")),
               item["masked"], item["fingerprint"], item["confidence"], "yes" if item["public"] else "no",
               item.get("public_reason", ""), " ".join(item.get("items", ())), " ".join(item["reasons"]),
               location.get("name", ""), item.get("path_display", ""), "yes" if location.get("ocr") else "",
               item.get("host", "")]
        if reveal:
            row.append(item.get("number", ""))
        yield neutralised([str(cell) for cell in row])
    for entry in result.unreadable_candidates:
        location = entry.location.to_json(reveal)
        row = [shown(entry.path, reveal), *(location.get(key, "") for key in
                                            ("member", "line", "sheet", "cell", "page", "part", "hidden", "column")),
               entry.masked, "", UNREADABLE, "no", "", "", entry.reason, location.get("name", ""),
               display(entry.path, reveal) or "", "yes" if location.get("ocr") else "", ""]
        if reveal:
            row.append("")
        yield neutralised([str(cell) for cell in row])
