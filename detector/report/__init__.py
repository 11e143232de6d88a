"""Reporters: a ScanResult rendered as text for a terminal, json, jsonl, csv or SARIF 2.1.0.

Reporters only see :class:`~detector.model.Finding` values (masked numbers and fingerprints); raw numbers
appear only when the caller passes ``reveal=True``, which the CLI allows only into a 0600 file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from .formats import SCAN_RENDERERS

if TYPE_CHECKING:  # the format table is imported by the CLI without loading results
    from ..result import ScanResult

Renderer = Callable[["ScanResult", bool], str]


def renderer(fmt: str) -> Renderer:
    """The function rendering a scan in ``fmt``, its module imported now (a scan renders one format)."""
    module, function = SCAN_RENDERERS[fmt]
    found: Renderer = getattr(importlib.import_module(f".{module}", __name__), function)
    return found


def render(result: ScanResult, fmt: str, reveal: bool = False) -> str:
    return renderer(fmt)(result, reveal)
