"""Access-log evidence (``mynumber exposure``): were the public files with My Numbers fetched from outside, by
whom, since when, and by search-engine crawlers?

One module a stage, data flowing one way: :mod:`.reading` (logs as blocks of lines: plain, rotated, compressed,
standard input), :mod:`.filtering` (the lines that hold an exposed file's name, before any parsing),
:mod:`.formats` (which format a log is in, a line as a request), :mod:`.urls` (local paths to URLs, request
targets to decoded paths), :mod:`.clients` (internal or external, crawler or not), :mod:`.evidence` (what the
requests add up to; the json document), :mod:`.collect` (the stages put together) and :mod:`.render` (text).
"""

from __future__ import annotations

from .collect import collect_exposure
from .evidence import CrawlerFetches, ExposureEvidence, FileEvidence, LogStats

__all__ = ["CrawlerFetches", "ExposureEvidence", "FileEvidence", "LogStats", "collect_exposure"]
