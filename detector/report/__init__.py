"""Reporters: a ScanResult rendered as text for a terminal, json, jsonl, csv or SARIF 2.1.0.

Reporters only see :class:`~detector.model.Finding` values (masked numbers and fingerprints); raw numbers
appear only when the caller passes ``reveal=True``, which the CLI allows only into a 0600 file.
"""

from __future__ import annotations

from collections.abc import Callable

from ..result import ScanResult
from . import csv_report, json_report, sarif_report, text_report

Renderer = Callable[[ScanResult, bool], str]

RENDERERS: dict[str, Renderer] = {
    "text": text_report.render,
    "json": json_report.render,
    "jsonl": json_report.render_lines,
    "csv": csv_report.render,
    "sarif": sarif_report.render,
}
FORMATS = tuple(RENDERERS)


def render(result: ScanResult, fmt: str, reveal: bool = False) -> str:
    return RENDERERS[fmt](result, reveal)
