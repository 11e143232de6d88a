"""The library's entry: :func:`scan`, what ``mynumber scan`` does, for a program instead of a person.

One function with keyword options, kept stable while the pipeline behind it changes: it builds the
:class:`~detector.model.ScanOptions` the command line builds and returns the finished
:class:`~detector.result.ScanResult` (``result.to_json()`` is the document ``--format json`` writes). There is no
``reveal`` option: a program that embeds the scanner gets fingerprints only, never a raw number.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .baseline import Baseline
from .model import Confidence, ScanOptions
from .people import load_key
from .pipeline import scan_paths
from .result import ScanResult

__all__ = ["ScanResult", "scan"]

PathArgument = str | os.PathLike[str]


def scan(paths: PathArgument | Iterable[PathArgument], *, key_file: str | None = None,
         rules_dirs: Iterable[str] = (), excludes: Iterable[str] = (), public_paths: Iterable[str] = (),
         min_confidence: str = "medium", jobs: int = 1, follow_symlinks: bool = False,
         max_file_size: int | None = None, ocr: bool = True, state_path: str | None = None,
         baseline: str | None = None) -> ScanResult:
    """Scan files and folders and return the finished result, its assessment made.

    The options are the command line's (``key_file`` is ``--key-file``: without it, $MYNUMBER_KEY, else the
    per-installation key; ``max_file_size`` is in bytes). ``jobs`` is 1 unless asked: a library call should not
    fork the caller's process behind its back (0 uses every core, as the command line does). What stops the
    command line with a message raises :class:`~detector.errors.MyNumberToolError` here (a public path under no
    root, a bad exclude or rules file, an unreadable key, a baseline of another key), an unknown
    ``min_confidence`` raises ValueError; an unreadable file is listed in ``result.unscanned``, never raised.
    """
    roots = [os.fspath(paths)] if isinstance(paths, str | os.PathLike) else [os.fspath(path) for path in paths]
    key = load_key(key_file)
    accepted = Baseline.for_scan(baseline, key) if baseline is not None else None
    options = ScanOptions(key=key, rules_dirs=tuple(rules_dirs), jobs=jobs, follow_symlinks=follow_symlinks,
                          excludes=tuple(excludes), max_file_size=max_file_size,
                          min_confidence=Confidence.parse(min_confidence), public_paths=tuple(public_paths),
                          ocr=ocr, state_path=state_path)
    return scan_paths(roots, options, baseline=accepted)
