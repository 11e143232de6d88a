"""csv: one row per finding, for spreadsheets. UTF-8 with a BOM so Excel in Japan opens it correctly."""

from __future__ import annotations

import csv
import io

from ..formulas import neutralised
from ..people import RevealedNumbers
from ..result import ScanResult

COLUMNS = ["path", "member", "line", "sheet", "cell", "page", "part", "hidden", "column", "masked", "fingerprint",
           "confidence", "public", "public_reason", "items", "reasons", "name", "path_display", "ocr"]


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    reveal = revealed is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, "number"] if reveal else COLUMNS)  # our own names: nothing to neutralise
    for item in result.to_json(revealed)["findings"]:
        location = item["location"]
        row = [item["path"], *(location.get(key, "") for key in
                               ("member", "line", "sheet", "cell", "page", "part", "hidden", "column")),
               item["masked"], item["fingerprint"], item["confidence"], "yes" if item["public"] else "no",
               item.get("public_reason", ""), " ".join(item.get("items", ())), " ".join(item["reasons"]),
               location.get("name", ""), item.get("path_display", ""), "yes" if location.get("ocr") else ""]
        if reveal:
            row.append(item.get("number", ""))
        writer.writerow(neutralised([str(cell) for cell in row]))
    return "\ufeff" + out.getvalue()
