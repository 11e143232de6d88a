"""What a scan tells its log at ``-v`` (INFO) and ``-vv`` (DEBUG): each file read and what it was identified as,
what was not scanned and why, and at ``-vv`` how long each file took.

A log line is an output like any other, so it never holds a number: messages name paths, members, file kinds,
reasons and counts, never a finding's digits nor a masked number, and the command line's handler masks and
escapes whatever a name brings in (:func:`detector.redact.redact`, :func:`detector.names.escape`). This module
only emits records; the command line configures where they go.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .model import FileResult, Unscanned

if TYPE_CHECKING:
    from .scanner import FileScanner

log = logging.getLogger(__name__)

Clean = tuple[str, int, str]  # a file with nothing to report: (path, size, kind), as FileScanner.scan_files gives


def tracing() -> bool:
    """Whether the files of a scan are told to the log (``-v`` or more)."""
    return log.isEnabledFor(logging.INFO)


def scan_traced(scanner: FileScanner, paths: Iterable[str]) -> tuple[list[FileResult], list[Clean]]:
    """:meth:`FileScanner.scan_files` one file at a time, each file told to the log as it is done (with its time
    at ``-vv``). Its contract is that a batch gives the results its files give one by one, so only the speed of
    a verbose scan differs (tests/test_logging.py checks that the outputs agree)."""
    notable: list[FileResult] = []
    clean: list[Clean] = []
    for path in paths:
        start = time.perf_counter()
        some, none = scanner.scan_files([path])
        seconds = time.perf_counter() - start
        for result in some:
            told(result, seconds)
        for entry in none:
            told_clean(entry, seconds)
        notable += some
        clean += none
    return notable, clean


def told(result: FileResult, seconds: float | None = None) -> None:
    """A file with something to report: its kind and counts, each part not scanned with its reason."""
    if result.scanned:
        held = sum(result.held_back.values())
        unreadable = f", {len(result.unreadable)} possible numbers unreadable" if result.unreadable else ""
        log.info("read %s: %s, %d bytes, %d findings, %d held back, %d samples%s%s", result.path, result.kind,
                 result.size, len(result.findings), held, len(result.samples), unreadable, _took(seconds))
    for entry in result.unscanned:
        skipped(entry)
    if not result.scanned and not result.unscanned:
        log.info("not read %s (%s)%s", result.path, result.kind, _took(seconds))


def told_clean(entry: Clean, seconds: float | None = None) -> None:
    path, size, kind = entry
    log.info("read %s: %s, %d bytes, nothing found%s", path, kind, size, _took(seconds))


def skipped(entry: Unscanned) -> None:
    """A file, folder or member the scan could not or would not read, and why."""
    where = f"{entry.path} (member {entry.member})" if entry.member else entry.path
    log.info("not scanned %s: %s", where, entry.reason)


def _took(seconds: float | None) -> str:
    if seconds is None or not log.isEnabledFor(logging.DEBUG):
        return ""
    return f" in {seconds * 1000:.1f} ms"
