"""json: the documented schema "mynumber/1"; jsonl: one event per line, as `mynumber watch` will emit."""

from __future__ import annotations

import json

from ..people import RevealedNumbers
from ..result import ScanResult


def render(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    return json.dumps(result.to_json(revealed), ensure_ascii=False, indent=2) + "\n"


def render_lines(result: ScanResult, revealed: RevealedNumbers | None = None) -> str:
    doc = result.to_json(revealed)
    lines = [{"event": "finding", **finding} for finding in doc["findings"]]
    lines += [{"event": "sample", **sample} for sample in doc["samples"]]
    lines += [{"event": "baselined", **finding} for finding in doc["baselined"]]
    lines += [{"event": "unscanned", **entry} for entry in doc["unscanned"]]
    lines += [{"event": "excluded", **entry} for entry in doc["excluded"]]
    lines.append({"event": "summary", "schema": doc["schema"], "scan": doc["scan"], "summary": doc["summary"]})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
