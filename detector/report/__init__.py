"""Reporters: a ScanResult rendered as text for a terminal, json, jsonl, csv or SARIF 2.1.0.

Reporters only see :class:`~detector.model.Finding` values (masked numbers and fingerprints); raw numbers
appear only when the caller passes ``reveal=True``, which the CLI allows only into a 0600 file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..result import ScanResult

Renderer = Callable[[ScanResult, bool], str]

# Each format's module and function, imported when asked for (a scan renders one).
RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text_report", "render"),
    "json": ("json_report", "render"),
    "jsonl": ("json_report", "render_lines"),
    "csv": ("csv_report", "render"),
    "sarif": ("sarif_report", "render"),
}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str) -> Renderer:
    module, function = RENDERERS[fmt]
    found: Renderer = getattr(importlib.import_module(f".{module}", __name__), function)
    return found


def render(result: ScanResult, fmt: str, reveal: bool = False) -> str:
    return renderer(fmt)(result, reveal)
