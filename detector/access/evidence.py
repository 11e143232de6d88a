"""The evidence: per exposed public file, who fetched it, when, how much, and which crawlers; and the summary.

A request *returned* the file when its status is 2xx (206, a range, included) or 304 (the client already held
the file and was told it had not changed: it has the content). Requests from outside (see
:mod:`detector.access.clients`) are the ones that matter to the PPC report's 二次被害 item; requests from inside
are counted apart. Client addresses are personal data too: the evidence keeps how many there are, and the
addresses themselves only when asked (``--show-clients``).

:class:`ExposureEvidence` is also the document ``mynumber exposure --format json`` writes and ``mynumber report
--exposure`` reads back (:meth:`ExposureEvidence.from_json`). It holds no number: the scan's paths as its json
wrote them (masked), URLs made from them, counts, times and crawler names.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..messages import text
from ..names import shown, unescape
from ..rules import CrawlerRule
from .clients import ClientClassifier, CrawlerMatcher
from .formats import Request
from .urls import ExposedUrl

SCHEMA = "mynumber-exposure/1"


def returned_the_file(status: int) -> bool:
    """2xx (206 included) or 304 Not Modified."""
    return 200 <= status < 300 or status == 304


def rfc3339(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _moment(value: Any, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(text("exposure.time_not_text", where=where))
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(text("exposure.bad_time", where=where, value=value)) from None


@dataclass(frozen=True)
class CrawlerFetches:
    """One crawler's requests that returned a file (or all files, in the summary)."""

    name: str
    search_index: bool
    requests: int
    files: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "search_index": self.search_index, "requests": self.requests, "files": self.files}


@dataclass(frozen=True)
class FileEvidence:
    """One public file of the scan with findings, at its URL, and what the logs say of it."""

    path: str  # as the scan's findings hold it (numbers masked); written as names are (names.shown)
    url: str
    people: int
    requests: int  # that returned it, from anywhere
    external_requests: int
    external_clients: int
    first_external_fetch: dt.datetime | None
    last_external_fetch: dt.datetime | None
    bytes_sent: int  # in the requests that returned it, from anywhere
    external_bytes_sent: int
    statuses: Mapping[int, int]  # status -> requests that returned the file
    crawlers: tuple[CrawlerFetches, ...]
    clients: tuple[str, ...] | None = None  # external addresses, only with --show-clients

    @property
    def fetched_externally(self) -> bool:
        return self.external_requests > 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": shown(self.path), "url": self.url, "people": self.people, "requests": self.requests,
            "external_requests": self.external_requests, "external_clients": self.external_clients,
            "first_external_fetch": rfc3339(self.first_external_fetch),
            "last_external_fetch": rfc3339(self.last_external_fetch),
            "bytes_sent": self.bytes_sent, "external_bytes_sent": self.external_bytes_sent,
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "crawlers": [crawler.to_json() for crawler in self.crawlers],
        }
        if self.clients is not None:
            out["clients"] = list(self.clients)
        return out


@dataclass(frozen=True)
class LogStats:
    """One log as read: its name, format, lines, the lines parsed (those the filter let through) and the lines
    skipped as malformed among them (overlong lines included)."""

    log: str
    format: str
    lines: int
    parsed: int
    malformed: int

    def to_json(self) -> dict[str, Any]:
        return {"log": self.log, "format": self.format, "lines": self.lines, "parsed": self.parsed,
                "malformed": self.malformed}


@dataclass(frozen=True)
class ExposureEvidence:
    """Everything ``mynumber exposure`` found: the files, the logs, and the summary figures."""

    files: tuple[FileEvidence, ...]
    logs: tuple[LogStats, ...]
    people_in_fetched_files: int  # distinct fingerprints across the files fetched from outside
    external_clients: int  # distinct external addresses across all files
    unmapped: tuple[str, ...] = ()  # public files with findings under no --url-map (paths as findings hold them)
    not_public_ignored: int = 0  # files with findings that are not public: not looked for
    key_id: str = ""  # the scan's key, to tell a report it is given the evidence of its own scan
    shows_clients: bool = False

    @property
    def fetched(self) -> tuple[FileEvidence, ...]:
        return tuple(f for f in self.files if f.fetched_externally)

    @property
    def first_external_fetch(self) -> dt.datetime | None:
        return min((f.first_external_fetch for f in self.files if f.first_external_fetch), default=None)

    @property
    def last_external_fetch(self) -> dt.datetime | None:
        return max((f.last_external_fetch for f in self.files if f.last_external_fetch), default=None)

    @property
    def crawlers(self) -> tuple[CrawlerFetches, ...]:
        """Each crawler over all files: its requests and the files it fetched."""
        requests: Counter[str] = Counter()
        files: Counter[str] = Counter()
        index: dict[str, bool] = {}
        for evidence in self.files:
            for crawler in evidence.crawlers:
                requests[crawler.name] += crawler.requests
                files[crawler.name] += 1
                index[crawler.name] = crawler.search_index
        return tuple(CrawlerFetches(name, index[name], count, files[name]) for name, count in requests.most_common())

    @property
    def malformed_lines(self) -> int:
        return sum(log.malformed for log in self.logs)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "scan": {"key_id": self.key_id},
            "summary": {
                "files": len(self.files), "files_fetched_externally": len(self.fetched),
                "people_in_fetched_files": self.people_in_fetched_files,
                "first_external_fetch": rfc3339(self.first_external_fetch),
                "last_external_fetch": rfc3339(self.last_external_fetch),
                "external_clients": self.external_clients,
                "crawlers": [crawler.to_json() for crawler in self.crawlers],
                "files_not_mapped": len(self.unmapped), "files_not_public_ignored": self.not_public_ignored,
                "lines": sum(log.lines for log in self.logs), "malformed_lines": self.malformed_lines,
                "shows_clients": self.shows_clients,
            },
            "files": [evidence.to_json() for evidence in self.files],
            "not_mapped": [shown(path) for path in self.unmapped],
            "logs": [log.to_json() for log in self.logs],
        }

    @classmethod
    def from_json(cls, document: Any, name: str) -> ExposureEvidence:
        """A saved exposure document back (``report --exposure``); a document of another shape is a usage error
        naming ``name``."""
        try:
            return _evidence_from_json(document, name)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(text("exposure.malformed", name=name, error=f"{type(exc).__name__}: {exc}")) from None


def _evidence_from_json(document: Any, name: str) -> ExposureEvidence:
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise UsageError(text("exposure.other_schema", name=name, schema=SCHEMA))

    def whole(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{value!r} is not a count")
        return value

    def crawler(entry: dict[str, Any]) -> CrawlerFetches:
        return CrawlerFetches(str(entry["name"]), bool(entry["search_index"]), whole(entry["requests"]),
                              whole(entry.get("files", 1)))

    files = tuple(FileEvidence(
        path=unescape(str(entry["path"])), url=str(entry["url"]), people=whole(entry["people"]),
        requests=whole(entry["requests"]), external_requests=whole(entry["external_requests"]),
        external_clients=whole(entry["external_clients"]),
        first_external_fetch=_moment(entry["first_external_fetch"], name),
        last_external_fetch=_moment(entry["last_external_fetch"], name),
        bytes_sent=whole(entry["bytes_sent"]), external_bytes_sent=whole(entry["external_bytes_sent"]),
        statuses={int(status): whole(count) for status, count in entry["statuses"].items()},
        crawlers=tuple(crawler(c) for c in entry["crawlers"]),
        clients=tuple(map(str, entry["clients"])) if "clients" in entry else None,
    ) for entry in document["files"])
    summary = document["summary"]
    logs = tuple(LogStats(str(log["log"]), str(log["format"]), whole(log["lines"]), whole(log["parsed"]),
                          whole(log["malformed"])) for log in document["logs"])
    unmapped = tuple(unescape(str(path)) for path in document.get("not_mapped", []))
    return ExposureEvidence(files, logs, whole(summary["people_in_fetched_files"]),
                            whole(summary["external_clients"]), unmapped,
                            whole(summary.get("files_not_public_ignored", 0)),
                            str(document.get("scan", {}).get("key_id", "")), bool(summary.get("shows_clients")))


@dataclass
class _Tally:
    """What the requests for one file add up to, as they are read."""

    requests: int = 0
    external_requests: int = 0
    clients: set[str] = field(default_factory=set)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    bytes_sent: int = 0
    external_bytes_sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    crawlers: Counter[CrawlerRule] = field(default_factory=Counter)


class EvidenceCollector:
    """Requests for the exposed files in, :class:`ExposureEvidence` out."""

    def __init__(self, urls: Iterable[ExposedUrl], people: Mapping[str, frozenset[str]],
                 classifier: ClientClassifier, crawlers: CrawlerMatcher, show_clients: bool = False) -> None:
        self.urls = list(urls)
        self.people = people  # the scan's path -> fingerprints of the people in the file
        self.classifier = classifier
        self.crawlers = crawlers
        self.show_clients = show_clients
        self._tallies = {url.path: _Tally() for url in self.urls}

    def add(self, url: ExposedUrl, request: Request) -> None:
        if not returned_the_file(request.status):
            return
        tally = self._tallies[url.path]
        size = request.size or 0
        tally.requests += 1
        tally.bytes_sent += size
        tally.statuses[request.status] += 1
        crawler = self.crawlers.crawler_of(request.agent) if request.agent else None
        if crawler is not None:
            tally.crawlers[crawler] += 1
        if self.classifier.is_internal(request.client):
            return
        tally.external_requests += 1
        tally.external_bytes_sent += size
        tally.clients.add(request.client)
        if request.time is not None:
            tally.first = request.time if tally.first is None else min(tally.first, request.time)
            tally.last = request.time if tally.last is None else max(tally.last, request.time)

    def evidence(self, logs: Iterable[LogStats], unmapped: Iterable[str] = (), not_public: int = 0,
                 key_id: str = "") -> ExposureEvidence:
        files = []
        fetched_people: set[str] = set()
        external_clients: set[str] = set()
        for url in self.urls:
            tally = self._tallies[url.path]
            if tally.external_requests:
                fetched_people |= self.people.get(url.path, frozenset())
            external_clients |= tally.clients
            files.append(FileEvidence(
                path=url.path, url=url.url, people=len(self.people.get(url.path, ())), requests=tally.requests,
                external_requests=tally.external_requests, external_clients=len(tally.clients),
                first_external_fetch=tally.first, last_external_fetch=tally.last, bytes_sent=tally.bytes_sent,
                external_bytes_sent=tally.external_bytes_sent, statuses=dict(tally.statuses),
                crawlers=tuple(CrawlerFetches(rule.name, rule.search_index, count)
                               for rule, count in tally.crawlers.most_common()),
                clients=tuple(sorted(map(shown, tally.clients))) if self.show_clients else None))
        files.sort(key=lambda f: (not f.fetched_externally, -f.people, f.path))
        return ExposureEvidence(tuple(files), tuple(logs), len(fetched_people), len(external_clients),
                                tuple(unmapped), not_public, key_id, self.show_clients)
