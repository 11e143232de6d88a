"""``mynumber exposure``'s work: the scan's public files to URLs, each log read once through the line filter, the
requests for those URLs added up.

The stages, one way: the scan's findings → exposed URLs (:mod:`.urls`) → per log: blocks of lines
(:mod:`.reading`) → its format (:mod:`.formats`) → the lines holding an exposed name (:mod:`.filtering`) →
requests → the URL each asks for → the evidence (:mod:`.evidence`), with clients and crawlers told apart by
:mod:`.clients`.

Only public files with findings are looked for: a file the scan did not find public is not served, or the scan
was not told so (``scan --public WEBROOT``), and is counted as ignored. A public file under no ``--url-map`` is
listed as not mapped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from ..model import Finding
from ..rules import CrawlerRule
from .clients import ClientClassifier, CrawlerMatcher, IpNetwork
from .evidence import EvidenceCollector, ExposureEvidence, LogStats
from .filtering import line_filter
from .formats import SAMPLE_LINES, LogFormat, recognise
from .reading import MAX_LINE_BYTES, STDIN, LineBlocks, log_name, open_log
from .urls import ExposedUrl, UrlIndex, UrlMapping, exposed_url, request_path


@dataclass(frozen=True)
class PublicFiles:
    """The scan's files with findings: the public ones with the fingerprints of their people, and how many are
    not public."""

    people: dict[str, frozenset[str]]  # path as the scan wrote it -> fingerprints
    not_public: int


def public_files(findings: Iterable[Finding]) -> PublicFiles:
    people: dict[str, set[str]] = defaultdict(set)
    public: set[str] = set()
    for finding in findings:
        people[finding.path].add(finding.fingerprint)
        if finding.public:
            public.add(finding.path)
    return PublicFiles({path: frozenset(people[path]) for path in sorted(public)}, len(people.keys() - public))


def collect_exposure(findings: Iterable[Finding], logs: Sequence[str], mappings: Sequence[UrlMapping],
                     internal: Iterable[IpNetwork] = (), crawlers: Iterable[CrawlerRule] = (), *,
                     key_id: str = "", show_clients: bool = False, fast: bool = True) -> ExposureEvidence:
    """The access-log evidence of the scan's public files with findings, from ``logs`` (paths, ``-`` for
    standard input; plain or compressed), with ``fast`` choosing the hyperscan line filter where it runs."""
    files = public_files(findings)
    urls: list[ExposedUrl] = []
    unmapped: list[str] = []
    for path in files.people:
        url = exposed_url(path, list(mappings))
        if url is None:
            unmapped.append(path)
        else:
            urls.append(url)
    collector = EvidenceCollector(urls, files.people, ClientClassifier(internal), CrawlerMatcher(crawlers),
                                  show_clients)
    index = UrlIndex(urls)
    stats = [read_log(log, index, collector, fast) for log in logs]
    return collector.evidence(stats, unmapped, files.not_public, key_id)


def read_log(path: str, index: UrlIndex, collector: EvidenceCollector, fast: bool = True) -> LogStats:
    """One log into ``collector``: its format told from its first lines, then only the lines the filter lets
    through parsed; a line that does not parse is counted as malformed and skipped."""
    stream = open_log(path)
    try:
        reader = LineBlocks(stream, path)
        blocks = iter(reader)
        first = next(blocks, b"")
        log_format = recognise(first[:MAX_LINE_BYTES].split(b"\n")[:SAMPLE_LINES], path)
        if log_format is None:
            return LogStats(log_name(path), "empty", 0, 0, reader.overlong_lines)
        counts = _read_lines(chain([first], blocks), log_format, index, collector, fast)
        return LogStats(log_name(path), log_format.name, counts[0], counts[1], counts[2] + reader.overlong_lines)
    finally:
        if path != STDIN:
            stream.close()


def _read_lines(blocks: Iterable[bytes], log_format: LogFormat, index: UrlIndex, collector: EvidenceCollector,
                fast: bool) -> tuple[int, int, int]:
    """(lines, parsed, malformed) of the blocks, the requests for exposed URLs added to ``collector``."""
    lines = parsed = malformed = 0
    directives = log_format.directive_needles
    picked = line_filter(index.needles() | set(directives), fast)
    for block in blocks:
        lines += block.count(b"\n") + (not block.endswith(b"\n"))
        for line in picked.lines(block):
            if directives and line.startswith(b"#"):
                log_format.parse(line)  # a directive: it sets how the lines after it read
                continue
            request = log_format.parse(line) if len(line) <= MAX_LINE_BYTES else None
            if request is None:
                malformed += 1
                continue
            parsed += 1
            url = index.find(request_path(request.target), log_format.caseless_paths)
            if url is not None:
                collector.add(url, request)
    return lines, parsed, malformed
