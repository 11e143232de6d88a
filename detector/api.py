"""The library's entry: :func:`scan`, what ``mynumber scan`` does, for a program instead of a person.

One function with keyword options, kept stable while the pipeline behind it changes: it builds the
:class:`~detector.model.ScanOptions` as the command line does (:func:`detector.scan_setup.scan_setup`) and returns
the finished :class:`~detector.result.ScanResult` (``result.to_json()`` is the document ``--format json`` writes).
There is no ``reveal`` option: a program that embeds the scanner gets fingerprints only, never a raw number.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .errors import UsageError
from .messages import text
from .pipeline import scan_paths
from .result import ScanResult
from .scan_setup import scan_setup

__all__ = ["ScanResult", "scan"]

PathArgument = str | os.PathLike[str]


def scan(paths: PathArgument | Iterable[PathArgument], *, key_file: str | None = None,
         rules_dirs: Iterable[str] = (), excludes: Iterable[str] = (), public_paths: Iterable[str] = (),
         min_confidence: str = "medium", jobs: int = 1, follow_symlinks: bool = False,
         max_file_size: int | None = None, ocr: bool = True, state_path: str | None = None,
         baseline: str | None = None, includes: Iterable[str] = (), shard: str | None = None,
         one_file_system: bool = False, host_label: str | None = None, dask: str | None = None,
         path_map: Iterable[str] = ()) -> ScanResult:
    """Scan files and folders and return the finished result, its assessment made.

    The options are the command line's (``key_file`` is ``--key-file``: without it, $MYNUMBER_KEY, else the
    per-installation key; ``max_file_size`` is in bytes; ``shard`` is ``"K/N"``). ``jobs`` is 1 unless asked: a
    library call should not fork the caller's process behind its back (0 uses every core, as the command line
    does). What stops the command line with a message raises :class:`~detector.errors.MyNumberToolError` here
    (a public path under no root, a bad exclude or rules file, an unreadable key, a baseline of another key), an
    unknown ``min_confidence`` raises ValueError; an unreadable file is listed in ``result.unscanned``, never raised.
    Pictures are read by OCR where the engine is installed (``ocr=False`` is ``--no-ocr``): a possible number in a
    picture that fails the check digit after every reading is in ``result.unreadable_candidates`` (masked,
    located, never a person; at most one more in the assessment's upper bound), not in ``result.findings``.
    ``dask`` is ``--dask``: a Dask scheduler's address, whose workers read the files (``path_map``: the
    ``--path-map`` entries, ``"LOCAL=REMOTE"``; docs/scale.md), for the same result.
    """
    roots = [os.fspath(paths)] if isinstance(paths, str | os.PathLike) else [os.fspath(path) for path in paths]
    setup = scan_setup(key_file=key_file, baseline=baseline, rules_dirs=rules_dirs, excludes=excludes,
                       public_paths=public_paths, min_confidence=min_confidence, jobs=jobs,
                       follow_symlinks=follow_symlinks, max_file_size=max_file_size, ocr=ocr, state_path=state_path,
                       includes=includes, shard=shard, one_file_system=one_file_system, host_label=host_label)
    maps = tuple(path_map)
    if dask is None:
        if maps:
            raise UsageError(text("api.path_map_needs_dask"))
        return scan_paths(roots, setup.options, baseline=setup.baseline)
    from .dask_scan import DaskRunner, PathMap  # only here: Dask is an optional extra

    with DaskRunner(dask, PathMap.parse(maps)) as runner:
        return scan_paths(roots, setup.options, baseline=setup.baseline, runner=runner)
