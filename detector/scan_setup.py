"""What a scan runs with, built in one place: the :class:`~detector.model.ScanOptions` and the baseline, from
the options as a person or a program gives them (a key file's name, a confidence label, a baseline's file name).

``mynumber scan``, ``mynumber watch`` and the library's :func:`detector.scan` all start a scan from the same
options; each building :class:`~detector.model.ScanOptions` itself had let them drift apart (the key loaded in
one order here, the baseline checked against it there, one caller forgetting a conversion). Here the key is
loaded, the confidence parsed, the lists made tuples and the baseline read and checked against the key, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .baseline import Baseline
from .model import Confidence, ScanOptions
from .people import load_key
from .selection import Shard

__all__ = ["ScanSetup", "scan_setup"]


class ScanSetup(NamedTuple):
    """The options a scan (or a watch) runs with, and the baseline whose findings it sets apart, if any."""

    options: ScanOptions
    baseline: Baseline | None


def scan_setup(*, key_file: str | None = None, key: bytes | None = None, baseline: str | None = None,
               rules_dirs: Iterable[str] = (), excludes: Iterable[str] = (), public_paths: Iterable[str] = (),
               min_confidence: str = "medium", jobs: int = 0, follow_symlinks: bool = False,
               max_file_size: int | None = None, reveal: bool = False, engine: str = "auto",
               skip_inodes: frozenset[tuple[int, int]] = frozenset(), state_path: str | None = None,
               ocr: bool = True, ocr_timeout: float | None = None, host_label: str | None = None,
               includes: Iterable[str] = (), shard: str | None = None, files_from: str | None = None,
               one_file_system: bool = False) -> ScanSetup:
    """The scan's options and baseline. ``key_file`` None: $MYNUMBER_KEY, else the per-installation key
    (:func:`detector.people.load_key`); ``key``: the key itself, for a command that loaded it before (quarantine
    checks a scan's key id first), in place of ``key_file``; ``baseline`` names a file of ``mynumber baseline``,
    refused when made under another key (:meth:`detector.baseline.Baseline.for_scan`); ``min_confidence`` is a
    label (low, medium, high: ValueError otherwise); ``max_file_size`` is in bytes. Raises
    :class:`~detector.errors.MyNumberToolError` for a key or a baseline that cannot be used. ``shard`` is ``K/N``
    as the command line gives it (a usage error otherwise); ``includes``, ``files_from`` and ``one_file_system``
    select files (:mod:`detector.selection`)."""
    key = load_key(key_file) if key is None else key
    options = ScanOptions(key=key, rules_dirs=tuple(rules_dirs), jobs=jobs, follow_symlinks=follow_symlinks,
                          excludes=tuple(excludes), max_file_size=max_file_size,
                          min_confidence=Confidence.parse(min_confidence), public_paths=tuple(public_paths),
                          reveal=reveal, engine=engine, skip_inodes=skip_inodes, state_path=state_path, ocr=ocr,
                          ocr_timeout=ocr_timeout, host_label=host_label, includes=tuple(includes),
                          shard=Shard.parse(shard) if shard is not None else None, files_from=files_from,
                          one_file_system=one_file_system)
    return ScanSetup(options, Baseline.for_scan(baseline, key) if baseline is not None else None)
