"""Reporters: a ScanResult rendered as text for a terminal, json, jsonl, csv or SARIF 2.1.0.

Reporters only see :class:`~detector.model.Finding` values (masked numbers and fingerprints); raw numbers
(and names as they are) appear only when the caller passes ``--reveal``'s sink
(:class:`~detector.people.RevealedNumbers`), which the CLI does only into a 0600 file.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from .formats import LISTING_EXCLUDED_RENDERERS, SCAN_RENDERERS

if TYPE_CHECKING:  # the format table is imported by the CLI without loading results
    from ..people import RevealedNumbers
    from ..result import ScanResult

T = TypeVar("T")
Renderer = Callable[["ScanResult", "RevealedNumbers | None"], "str | Iterable[str]"]


def renderer(fmt: str, list_excluded: bool = False) -> Renderer:
    """The function rendering a scan in ``fmt``, its module imported now (a scan renders one format); with
    ``list_excluded`` (``--list-excluded``), the one that lists the excluded files, where the format has one.
    It gives the text, or the text's pieces (a format written piece by piece: see :func:`pieces`)."""
    module, function = (LISTING_EXCLUDED_RENDERERS.get(fmt) if list_excluded else None) or SCAN_RENDERERS[fmt]
    found: Renderer = getattr(importlib.import_module(f".{module}", __name__), function)
    return found


def pieces(result: ScanResult, fmt: str, revealed: RevealedNumbers | None = None,
           list_excluded: bool = False) -> Iterator[str]:
    """A scan's report in ``fmt`` as pieces of its text, for a command to write one after the other: a format
    rendered piece by piece (json) never holds its whole text; the others come as one piece."""
    rendered = renderer(fmt, list_excluded)(result, revealed)
    if isinstance(rendered, str):
        yield rendered
    else:
        yield from rendered


def render(result: ScanResult, fmt: str, revealed: RevealedNumbers | None = None, list_excluded: bool = False) -> str:
    """A scan's report in ``fmt``: the join of its :func:`pieces`."""
    return "".join(pieces(result, fmt, revealed, list_excluded))


def in_chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` ``size`` at a time (the last chunk shorter): how the renderers that write in pieces take a long
    list, each entry made only as its chunk is written."""
    remaining = iter(items)
    while chunk := list(itertools.islice(remaining, size)):
        yield chunk
